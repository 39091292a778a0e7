build3/obj/simcard.o: src/simcard.c src/simcard.h src/config.h src/log.h \
 src/modem.h src/pin.h src/store.h src/ts.h
src/simcard.h:
src/config.h:
src/log.h:
src/modem.h:
src/pin.h:
src/store.h:
src/ts.h:
