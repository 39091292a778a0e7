build3/obj/modem_health.o: src/modem_health.c src/log.h src/modem_int.h \
 src/modem.h src/text.h src/ts.h
src/log.h:
src/modem_int.h:
src/modem.h:
src/text.h:
src/ts.h:
