build3/obj/cli_export.o: src/cli_export.c src/cli.h src/store.h src/ts.h \
 src/config.h src/log.h src/csv.h
src/cli.h:
src/store.h:
src/ts.h:
src/config.h:
src/log.h:
src/csv.h:
