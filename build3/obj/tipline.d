build3/obj/tipline.o: src/tipline.c src/act.h src/store.h src/cli.h \
 src/ts.h src/config.h src/log.h build3/version.h
src/act.h:
src/store.h:
src/cli.h:
src/ts.h:
src/config.h:
src/log.h:
build3/version.h:
