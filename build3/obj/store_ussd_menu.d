build3/obj/store_ussd_menu.o: src/store_ussd_menu.c src/store_int.h \
 src/store.h
src/store_int.h:
src/store.h:
