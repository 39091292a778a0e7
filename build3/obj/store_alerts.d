build3/obj/store_alerts.o: src/store_alerts.c src/store_int.h src/store.h
src/store_int.h:
src/store.h:
