build3/obj/json.o: src/json.c src/json.h src/text.h
src/json.h:
src/text.h:
