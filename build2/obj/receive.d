build2/obj/receive.o: src/receive.c src/receive.h src/config.h src/log.h \
 src/fault.h src/handle.h src/parse.h src/modem.h src/skew.h src/store.h \
 src/ts.h
src/receive.h:
src/config.h:
src/log.h:
src/fault.h:
src/handle.h:
src/parse.h:
src/modem.h:
src/skew.h:
src/store.h:
src/ts.h:
