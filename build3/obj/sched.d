build3/obj/sched.o: src/sched.c src/sched.h src/log.h src/ts.h
src/sched.h:
src/log.h:
src/ts.h:
