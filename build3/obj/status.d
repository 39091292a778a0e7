build3/obj/status.o: src/status.c src/status.h src/config.h src/log.h \
 src/modem.h src/sched.h src/store.h src/ts.h
src/status.h:
src/config.h:
src/log.h:
src/modem.h:
src/sched.h:
src/store.h:
src/ts.h:
