build3/tests/test_json: tests/unit/test_json.c tests/unit/check.h \
 src/json.h
tests/unit/check.h:
src/json.h:
