build2/obj/cli_teams.o: src/cli_teams.c src/act.h src/store.h src/cli.h \
 src/ts.h src/config.h src/log.h
src/act.h:
src/store.h:
src/cli.h:
src/ts.h:
src/config.h:
src/log.h:
