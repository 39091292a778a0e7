build2/tests/test_sched: tests/unit/test_sched.c tests/unit/check.h \
 src/sched.h
tests/unit/check.h:
src/sched.h:
