build2/obj/act_records.o: src/act_records.c src/act_int.h src/act.h \
 src/store.h
src/act_int.h:
src/act.h:
src/store.h:
