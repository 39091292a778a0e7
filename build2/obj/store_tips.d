build2/obj/store_tips.o: src/store_tips.c src/store_int.h src/store.h \
 src/ts.h
src/store_int.h:
src/store.h:
src/ts.h:
