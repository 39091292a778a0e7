build2/tests/test_parse: tests/unit/test_parse.c tests/unit/check.h \
 src/parse.h
tests/unit/check.h:
src/parse.h:
