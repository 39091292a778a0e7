build2/obj/store_files.o: src/store_files.c src/store_int.h src/store.h \
 src/log.h
src/store_int.h:
src/store.h:
src/log.h:
