build2/obj/fault.o: src/fault.c src/fault.h
src/fault.h:
