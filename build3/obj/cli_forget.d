build3/obj/cli_forget.o: src/cli_forget.c src/act.h src/store.h src/cli.h \
 src/ts.h src/config.h src/log.h src/text.h
src/act.h:
src/store.h:
src/cli.h:
src/ts.h:
src/config.h:
src/log.h:
src/text.h:
