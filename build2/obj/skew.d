build2/obj/skew.o: src/skew.c src/skew.h src/modem.h src/ts.h
src/skew.h:
src/modem.h:
src/ts.h:
