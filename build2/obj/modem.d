build2/obj/modem.o: src/modem.c src/modem.h src/config.h src/log.h \
 src/fault.h src/modem_int.h src/text.h src/ts.h
src/modem.h:
src/config.h:
src/log.h:
src/fault.h:
src/modem_int.h:
src/text.h:
src/ts.h:
