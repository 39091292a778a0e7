build2/obj/store_export.o: src/store_export.c src/store_int.h src/store.h
src/store_int.h:
src/store.h:
