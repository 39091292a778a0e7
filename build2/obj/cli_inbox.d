build2/obj/cli_inbox.o: src/cli_inbox.c src/cli.h src/store.h src/ts.h \
 src/json.h
src/cli.h:
src/store.h:
src/ts.h:
src/json.h:
