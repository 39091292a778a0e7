build2/obj/ussd_text.o: src/ussd_text.c src/ussd_text.h
src/ussd_text.h:
