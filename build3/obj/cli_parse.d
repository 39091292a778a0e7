build3/obj/cli_parse.o: src/cli_parse.c src/cli.h src/store.h src/ts.h \
 src/config.h src/log.h src/parse.h
src/cli.h:
src/store.h:
src/ts.h:
src/config.h:
src/log.h:
src/parse.h:
