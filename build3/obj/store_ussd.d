build3/obj/store_ussd.o: src/store_ussd.c src/store_int.h src/store.h \
 src/ts.h
src/store_int.h:
src/store.h:
src/ts.h:
