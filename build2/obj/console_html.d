build2/obj/console_html.o: src/console_html.c src/config.h src/log.h \
 src/console_int.h src/store.h src/ts.h src/report.h src/text.h
src/config.h:
src/log.h:
src/console_int.h:
src/store.h:
src/ts.h:
src/report.h:
src/text.h:
