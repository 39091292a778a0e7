build2/obj/store_simcard.o: src/store_simcard.c src/store_int.h \
 src/store.h src/ts.h
src/store_int.h:
src/store.h:
src/ts.h:
