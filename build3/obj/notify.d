build3/obj/notify.o: src/notify.c src/log.h src/notify.h src/sched.h
src/log.h:
src/notify.h:
src/sched.h:
