build3/obj/cli_modem.o: src/cli_modem.c src/act.h src/store.h src/cli.h \
 src/ts.h
src/act.h:
src/store.h:
src/cli.h:
src/ts.h:
