build3/tests/test_skew: tests/unit/test_skew.c tests/unit/check.h \
 src/skew.h src/modem.h src/ts.h
tests/unit/check.h:
src/skew.h:
src/modem.h:
src/ts.h:
