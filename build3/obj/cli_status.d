build3/obj/cli_status.o: src/cli_status.c src/cli.h src/store.h src/ts.h \
 src/config.h src/log.h src/json.h src/status.h src/ussd_text.h
src/cli.h:
src/store.h:
src/ts.h:
src/config.h:
src/log.h:
src/json.h:
src/status.h:
src/ussd_text.h:
