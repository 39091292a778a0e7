build2/obj/serve.o: src/serve.c src/serve.h src/act.h src/store.h \
 src/anon.h src/config.h src/log.h src/http.h src/menu.h src/parse.h \
 src/sched.h src/text.h src/ts.h
src/serve.h:
src/act.h:
src/store.h:
src/anon.h:
src/config.h:
src/log.h:
src/http.h:
src/menu.h:
src/parse.h:
src/sched.h:
src/text.h:
src/ts.h:
