build3/obj/store_people.o: src/store_people.c src/store_int.h src/store.h \
 src/ts.h
src/store_int.h:
src/store.h:
src/ts.h:
