build2/obj/parse.o: src/parse.c src/parse.h src/json.h src/text.h
src/parse.h:
src/json.h:
src/text.h:
