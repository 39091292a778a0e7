build3/obj/console_tls.o: src/console_tls.c src/config.h src/log.h \
 src/console_int.h src/store.h src/ts.h
src/config.h:
src/log.h:
src/console_int.h:
src/store.h:
src/ts.h:
