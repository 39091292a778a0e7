build3/obj/report.o: src/report.c src/report.h src/ts.h src/csv.h \
 src/json.h src/report_internal.h src/text.h
src/report.h:
src/ts.h:
src/csv.h:
src/json.h:
src/report_internal.h:
src/text.h:
