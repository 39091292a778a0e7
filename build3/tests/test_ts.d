build3/tests/test_ts: tests/unit/test_ts.c tests/unit/check.h src/ts.h
tests/unit/check.h:
src/ts.h:
