build2/tests/test_http: tests/unit/test_http.c tests/unit/check.h \
 src/http.h
tests/unit/check.h:
src/http.h:
