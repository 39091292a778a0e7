build3/obj/console.o: src/console.c src/console.h src/config.h src/log.h \
 src/console_int.h src/store.h src/ts.h src/http.h src/pin.h src/sched.h \
 src/serve.h src/text.h
src/console.h:
src/config.h:
src/log.h:
src/console_int.h:
src/store.h:
src/ts.h:
src/http.h:
src/pin.h:
src/sched.h:
src/serve.h:
src/text.h:
