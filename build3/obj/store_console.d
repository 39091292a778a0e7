build3/obj/store_console.o: src/store_console.c src/store_int.h \
 src/store.h
src/store_int.h:
src/store.h:
