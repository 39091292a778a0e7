build3/obj/act_tips.o: src/act_tips.c src/act_int.h src/act.h src/store.h \
 src/config.h src/log.h src/ts.h
src/act_int.h:
src/act.h:
src/store.h:
src/config.h:
src/log.h:
src/ts.h:
