build3/obj/act_broadcast.o: src/act_broadcast.c src/act_int.h src/act.h \
 src/store.h src/broadcast.h src/text.h src/config.h src/log.h src/pin.h \
 src/ts.h
src/act_int.h:
src/act.h:
src/store.h:
src/broadcast.h:
src/text.h:
src/config.h:
src/log.h:
src/pin.h:
src/ts.h:
