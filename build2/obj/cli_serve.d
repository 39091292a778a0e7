build2/obj/cli_serve.o: src/cli_serve.c src/cli.h src/store.h src/ts.h \
 src/config.h src/log.h src/serve.h
src/cli.h:
src/store.h:
src/ts.h:
src/config.h:
src/log.h:
src/serve.h:
