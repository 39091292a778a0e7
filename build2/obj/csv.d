build2/obj/csv.o: src/csv.c src/csv.h src/text.h
src/csv.h:
src/text.h:
