build2/obj/alerts.o: src/alerts.c src/alerts.h src/config.h src/log.h \
 src/fault.h src/sched.h src/store.h src/ts.h
src/alerts.h:
src/config.h:
src/log.h:
src/fault.h:
src/sched.h:
src/store.h:
src/ts.h:
