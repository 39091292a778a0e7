build2/obj/store_report.o: src/store_report.c src/store_int.h src/store.h \
 src/report.h src/ts.h
src/store_int.h:
src/store.h:
src/report.h:
src/ts.h:
