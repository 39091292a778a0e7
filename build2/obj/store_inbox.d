build2/obj/store_inbox.o: src/store_inbox.c src/store_int.h src/store.h \
 src/ts.h
src/store_int.h:
src/store.h:
src/ts.h:
