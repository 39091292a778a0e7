build3/obj/log.o: src/log.c src/log.h src/text.h
src/log.h:
src/text.h:
