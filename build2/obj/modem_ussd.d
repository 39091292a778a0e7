build2/obj/modem_ussd.o: src/modem_ussd.c src/config.h src/log.h \
 src/modem_int.h src/modem.h src/text.h
src/config.h:
src/log.h:
src/modem_int.h:
src/modem.h:
src/text.h:
