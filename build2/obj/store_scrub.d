build2/obj/store_scrub.o: src/store_scrub.c src/store_int.h src/store.h \
 src/log.h src/ts.h
src/store_int.h:
src/store.h:
src/log.h:
src/ts.h:
