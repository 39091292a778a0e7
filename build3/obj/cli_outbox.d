build3/obj/cli_outbox.o: src/cli_outbox.c src/cli.h src/store.h src/ts.h \
 src/json.h
src/cli.h:
src/store.h:
src/ts.h:
src/json.h:
