build3/obj/store_records.o: src/store_records.c src/store_int.h \
 src/store.h
src/store_int.h:
src/store.h:
