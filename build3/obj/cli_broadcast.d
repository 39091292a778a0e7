build3/obj/cli_broadcast.o: src/cli_broadcast.c src/act.h src/store.h \
 src/broadcast.h src/text.h src/cli.h src/ts.h src/config.h src/log.h
src/act.h:
src/store.h:
src/broadcast.h:
src/text.h:
src/cli.h:
src/ts.h:
src/config.h:
src/log.h:
