build2/tests/test_store: tests/unit/test_store.c tests/unit/check.h \
 src/config.h src/log.h src/fault.h src/store.h src/ts.h
tests/unit/check.h:
src/config.h:
src/log.h:
src/fault.h:
src/store.h:
src/ts.h:
