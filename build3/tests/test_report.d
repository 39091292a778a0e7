build3/tests/test_report: tests/unit/test_report.c tests/unit/check.h \
 src/csv.h src/parse.h src/report.h src/ts.h src/report_internal.h \
 src/report.h src/text.h src/ts.h
tests/unit/check.h:
src/csv.h:
src/parse.h:
src/report.h:
src/ts.h:
src/report_internal.h:
src/report.h:
src/text.h:
src/ts.h:
