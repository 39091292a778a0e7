build3/obj/store_broadcast.o: src/store_broadcast.c src/store_int.h \
 src/store.h src/ts.h
src/store_int.h:
src/store.h:
src/ts.h:
