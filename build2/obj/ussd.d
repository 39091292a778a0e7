build2/obj/ussd.o: src/ussd.c src/ussd.h src/config.h src/log.h \
 src/modem.h src/sched.h src/status.h src/store.h src/ts.h \
 src/ussd_text.h
src/ussd.h:
src/config.h:
src/log.h:
src/modem.h:
src/sched.h:
src/status.h:
src/store.h:
src/ts.h:
src/ussd_text.h:
