build2/obj/store_privacy.o: src/store_privacy.c src/store_int.h \
 src/store.h
src/store_int.h:
src/store.h:
