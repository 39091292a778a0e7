build3/obj/outbox.o: src/outbox.c src/outbox.h src/broadcast.h src/text.h \
 src/config.h src/log.h src/fault.h src/modem.h src/sched.h src/store.h \
 src/ts.h
src/outbox.h:
src/broadcast.h:
src/text.h:
src/config.h:
src/log.h:
src/fault.h:
src/modem.h:
src/sched.h:
src/store.h:
src/ts.h:
