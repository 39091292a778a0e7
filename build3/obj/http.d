build3/obj/http.o: src/http.c src/http.h src/config.h src/log.h \
 src/sched.h src/ts.h
src/http.h:
src/config.h:
src/log.h:
src/sched.h:
src/ts.h:
