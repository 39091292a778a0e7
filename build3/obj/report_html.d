build3/obj/report_html.o: src/report_html.c src/report.h src/ts.h \
 src/report_internal.h src/text.h
src/report.h:
src/ts.h:
src/report_internal.h:
src/text.h:
