build2/obj/handle.o: src/handle.c src/handle.h src/parse.h src/act.h \
 src/store.h src/config.h src/log.h src/report.h src/ts.h src/text.h
src/handle.h:
src/parse.h:
src/act.h:
src/store.h:
src/config.h:
src/log.h:
src/report.h:
src/ts.h:
src/text.h:
