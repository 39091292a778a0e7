build2/obj/modem_watch.o: src/modem_watch.c src/config.h src/log.h \
 src/modem_int.h src/modem.h
src/config.h:
src/log.h:
src/modem_int.h:
src/modem.h:
