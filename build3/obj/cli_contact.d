build3/obj/cli_contact.o: src/cli_contact.c src/act.h src/store.h \
 src/cli.h src/ts.h src/config.h src/log.h src/json.h src/pin.h \
 src/text.h
src/act.h:
src/store.h:
src/cli.h:
src/ts.h:
src/config.h:
src/log.h:
src/json.h:
src/pin.h:
src/text.h:
