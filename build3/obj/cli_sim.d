build3/obj/cli_sim.o: src/cli_sim.c src/cli.h src/store.h src/ts.h \
 src/config.h src/log.h src/json.h src/modem.h
src/cli.h:
src/store.h:
src/ts.h:
src/config.h:
src/log.h:
src/json.h:
src/modem.h:
