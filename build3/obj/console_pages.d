build3/obj/console_pages.o: src/console_pages.c src/cli.h src/store.h \
 src/ts.h src/config.h src/log.h src/console.h src/console_int.h \
 src/act.h src/broadcast.h src/text.h src/csv.h src/outbox.h src/parse.h \
 src/pin.h src/report.h
src/cli.h:
src/store.h:
src/ts.h:
src/config.h:
src/log.h:
src/console.h:
src/console_int.h:
src/act.h:
src/broadcast.h:
src/text.h:
src/csv.h:
src/outbox.h:
src/parse.h:
src/pin.h:
src/report.h:
