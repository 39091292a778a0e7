build2/obj/main.o: src/main.c src/act.h src/store.h src/alerts.h \
 src/config.h src/log.h src/handle.h src/parse.h src/modem.h src/notify.h \
 src/outbox.h src/privacy.h src/receive.h src/sched.h src/simcard.h \
 src/status.h src/ts.h src/ussd.h build2/version.h
src/act.h:
src/store.h:
src/alerts.h:
src/config.h:
src/log.h:
src/handle.h:
src/parse.h:
src/modem.h:
src/notify.h:
src/outbox.h:
src/privacy.h:
src/receive.h:
src/sched.h:
src/simcard.h:
src/status.h:
src/ts.h:
src/ussd.h:
build2/version.h:
