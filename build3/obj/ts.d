build3/obj/ts.o: src/ts.c src/ts.h
src/ts.h:
