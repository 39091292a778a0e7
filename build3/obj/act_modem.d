build3/obj/act_modem.o: src/act_modem.c src/act_int.h src/act.h \
 src/store.h
src/act_int.h:
src/act.h:
src/store.h:
