build2/obj/modem_dummy.o: src/modem_dummy.c src/config.h src/log.h \
 src/modem_int.h src/modem.h src/text.h src/ts.h
src/config.h:
src/log.h:
src/modem_int.h:
src/modem.h:
src/text.h:
src/ts.h:
