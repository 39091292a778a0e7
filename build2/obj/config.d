build2/obj/config.o: src/config.c src/config.h src/log.h src/parse.h
src/config.h:
src/log.h:
src/parse.h:
