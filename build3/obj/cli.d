build3/obj/cli.o: src/cli.c src/cli.h src/store.h src/ts.h src/config.h \
 src/log.h src/json.h
src/cli.h:
src/store.h:
src/ts.h:
src/config.h:
src/log.h:
src/json.h:
