build3/obj/modem_simcard.o: src/modem_simcard.c src/config.h src/log.h \
 src/modem_int.h src/modem.h
src/config.h:
src/log.h:
src/modem_int.h:
src/modem.h:
