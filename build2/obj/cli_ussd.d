build2/obj/cli_ussd.o: src/cli_ussd.c src/act.h src/store.h src/cli.h \
 src/ts.h src/config.h src/log.h src/status.h src/ussd_text.h
src/act.h:
src/store.h:
src/cli.h:
src/ts.h:
src/config.h:
src/log.h:
src/status.h:
src/ussd_text.h:
