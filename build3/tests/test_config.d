build3/tests/test_config: tests/unit/test_config.c tests/unit/check.h \
 src/config.h src/log.h tests/unit/config_text.h src/parse.h src/text.h
tests/unit/check.h:
src/config.h:
src/log.h:
tests/unit/config_text.h:
src/parse.h:
src/text.h:
