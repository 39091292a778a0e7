build2/obj/act.o: src/act.c src/act.h src/store.h src/anon.h src/config.h \
 src/log.h src/ts.h
src/act.h:
src/store.h:
src/anon.h:
src/config.h:
src/log.h:
src/ts.h:
