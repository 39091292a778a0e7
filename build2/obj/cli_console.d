build2/obj/cli_console.o: src/cli_console.c src/cli.h src/store.h \
 src/ts.h src/config.h src/log.h src/console.h src/pin.h src/text.h
src/cli.h:
src/store.h:
src/ts.h:
src/config.h:
src/log.h:
src/console.h:
src/pin.h:
src/text.h:
