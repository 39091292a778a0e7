build3/obj/act_people.o: src/act_people.c src/act_int.h src/act.h \
 src/store.h
src/act_int.h:
src/act.h:
src/store.h:
