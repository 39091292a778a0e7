build2/obj/cli_tips.o: src/cli_tips.c src/act.h src/store.h src/cli.h \
 src/ts.h src/config.h src/log.h src/json.h src/parse.h src/report.h
src/act.h:
src/store.h:
src/cli.h:
src/ts.h:
src/config.h:
src/log.h:
src/json.h:
src/parse.h:
src/report.h:
