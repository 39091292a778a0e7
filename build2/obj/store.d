build2/obj/store.o: src/store.c src/store_int.h src/store.h src/config.h \
 src/log.h src/fault.h src/schema.h src/text.h src/ts.h
src/store_int.h:
src/store.h:
src/config.h:
src/log.h:
src/fault.h:
src/schema.h:
src/text.h:
src/ts.h:
