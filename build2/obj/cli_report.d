build2/obj/cli_report.o: src/cli_report.c src/cli.h src/store.h src/ts.h \
 src/report.h
src/cli.h:
src/store.h:
src/ts.h:
src/report.h:
