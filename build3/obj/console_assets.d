build3/obj/console_assets.o: src/console_assets.c src/console_int.h \
 src/store.h src/ts.h
src/console_int.h:
src/store.h:
src/ts.h:
