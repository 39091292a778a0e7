build2/obj/pin.o: src/pin.c src/pin.h
src/pin.h:
