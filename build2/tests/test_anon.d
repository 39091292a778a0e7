build2/tests/test_anon: tests/unit/test_anon.c src/anon.h \
 tests/unit/check.h
src/anon.h:
tests/unit/check.h:
