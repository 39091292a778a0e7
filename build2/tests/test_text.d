build2/tests/test_text: tests/unit/test_text.c tests/unit/check.h \
 src/text.h
tests/unit/check.h:
src/text.h:
