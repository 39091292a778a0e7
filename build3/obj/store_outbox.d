build3/obj/store_outbox.o: src/store_outbox.c src/store_int.h src/store.h \
 src/ts.h
src/store_int.h:
src/store.h:
src/ts.h:
