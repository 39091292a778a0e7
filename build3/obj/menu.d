build3/obj/menu.o: src/menu.c src/menu.h src/act.h src/store.h \
 src/config.h src/log.h src/parse.h src/text.h
src/menu.h:
src/act.h:
src/store.h:
src/config.h:
src/log.h:
src/parse.h:
src/text.h:
