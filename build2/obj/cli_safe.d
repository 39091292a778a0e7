build2/obj/cli_safe.o: src/cli_safe.c src/cli.h src/store.h src/ts.h \
 src/text.h
src/cli.h:
src/store.h:
src/ts.h:
src/text.h:
