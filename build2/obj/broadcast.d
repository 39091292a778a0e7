build2/obj/broadcast.o: src/broadcast.c src/broadcast.h src/text.h \
 src/config.h src/log.h src/store.h src/ts.h
src/broadcast.h:
src/text.h:
src/config.h:
src/log.h:
src/store.h:
src/ts.h:
