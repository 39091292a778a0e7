build3/obj/privacy.o: src/privacy.c src/privacy.h src/config.h src/log.h \
 src/sched.h src/store.h src/ts.h
src/privacy.h:
src/config.h:
src/log.h:
src/sched.h:
src/store.h:
src/ts.h:
