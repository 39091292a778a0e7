build3/tests/test_menu: tests/unit/test_menu.c tests/unit/check.h \
 src/config.h src/log.h tests/unit/config_text.h src/menu.h src/act.h \
 src/store.h src/config.h src/parse.h src/serve.h
tests/unit/check.h:
src/config.h:
src/log.h:
tests/unit/config_text.h:
src/menu.h:
src/act.h:
src/store.h:
src/config.h:
src/parse.h:
src/serve.h:
