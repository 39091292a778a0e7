build2/tests/test_csv: tests/unit/test_csv.c tests/unit/check.h src/csv.h
tests/unit/check.h:
src/csv.h:
