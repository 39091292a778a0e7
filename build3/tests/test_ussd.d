build3/tests/test_ussd: tests/unit/test_ussd.c src/broadcast.h src/text.h \
 tests/unit/check.h src/config.h src/log.h src/ussd_text.h
src/broadcast.h:
src/text.h:
tests/unit/check.h:
src/config.h:
src/log.h:
src/ussd_text.h:
