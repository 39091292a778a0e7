build2/obj/anon.o: src/anon.c src/anon.h src/log.h
src/anon.h:
src/log.h:
