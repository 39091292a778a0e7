# tipline — one non-recursive Makefile.
#
#   make            build/tiplined and build/tipline
#   make run        install missing packages, build, run the daemon on the simulated modem
#   make test       install missing packages, build (normal + ASan/UBSan), run every test
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS
#   make bench      benchmark against gammu-smsd
#   make crashtest  SIGKILL the daemon at random moments while messages flow; check nothing is lost
#   make valgrind   the daemon under valgrind memcheck on short scenarios
#
# Every src/*.c except the two programs' mains goes into build/libtipline.a.
# Every tests/unit/test_*.c becomes its own binary linked against that library.

CC      ?= cc
PKGS    := gammu libconfig sqlite3 libutf8proc libmicrohttpd
BUILD   ?= build
SAN     := build-san

# pkg-config's -I becomes -isystem so that library headers are not held to our warnings.
PKG_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wpointer-arith -Wno-unused-parameter
CFLAGS  ?= -O2 -g
# -iquote, not -I: our headers (sched.h, ...) must not shadow the system's <sched.h> and such.
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -iquote src -iquote $(BUILD) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS  := $(PKG_LIBS) -lcrypt

PROGS    := src/main.c src/tipline.c
LIB_SRCS := $(filter-out $(PROGS),$(sort $(wildcard src/*.c)))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) $(BUILD)/obj/schema_sql.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# Test drivers for the integration tests (not unit tests: tests/run.sh does not run them).
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRCS))
SCHEMA   := $(sort $(wildcard schema/*.sql))
# The statements written in the store's files (lines that start with SQ and a q_ name), for test_store to
# check that store_open prepared every one.
SQ_IN_SOURCES := $(shell cat src/store*.c | grep -c '^SQ.q_')

.PHONY: all deps run test test-unit test-integration san fuzz bench crashtest valgrind clean format

all: $(BUILD)/tiplined $(BUILD)/tipline $(UNIT_BINS) $(TOOL_BINS)

deps:
	@scripts/deps.sh

# V=1 shows the full commands.
Q := $(if $(V),,@)

# -MMD -MP: each object depends on the headers it includes, as the compiler saw them.
$(BUILD)/obj/%.o: src/%.c | $(BUILD)/obj
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The schema files are compiled into the binaries so an installed daemon needs no data dir.
$(BUILD)/schema_sql.c: $(SCHEMA) scripts/embed-schema.sh | $(BUILD)/obj
	$(Q)scripts/embed-schema.sh $(SCHEMA) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/schema_sql.o: $(BUILD)/schema_sql.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libtipline.a: $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/tiplined: $(BUILD)/obj/main.o $(BUILD)/libtipline.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tipline: $(BUILD)/obj/tipline.o $(BUILD)/libtipline.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libtipline.a | $(BUILD)/tests
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -MF $@.d -Itests/unit -DSQ_IN_SOURCES=$(SQ_IN_SOURCES) -o $@ $< \
		$(BUILD)/libtipline.a $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libtipline.a | $(BUILD)/tools
	@$(if $(Q),echo "  TOOL    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libtipline.a $(LDLIBS)

$(BUILD)/obj $(BUILD)/tests $(BUILD)/tools:
	mkdir -p $@

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d)

# The sanitizer build is the same tree built into build-san/.
san:
	@$(MAKE) --no-print-directory BUILD=$(SAN) \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" all

run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p var/modem
	$(BUILD)/tiplined -c conf/tipline.conf

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory san
	@tests/run.sh $(BUILD) $(SAN)

FUZZ_SECONDS ?= 30
fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

bench: deps
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh

# 500 messages through the dummy phone, 150 through the AT emulator (libGammu's AT driver
# sends about 1.4 parts a second), each with at least 25 SIGKILLs; CRASHTEST_ARGS adds options
# (see tests/integration/crashtest.py --help), e.g. CRASHTEST_ARGS="--driver at --seed 3".
CRASHTEST_ARGS ?=
crashtest: deps
	@$(MAKE) --no-print-directory all
	@python3 tests/integration/crashtest.py --build $(BUILD) --messages 500 --at-messages 150 \
		--kills 25 $(CRASHTEST_ARGS)

# The daemon under valgrind's memcheck: receive and reply on the dummy phone and on the AT
# emulator (reconnect, watchdog abort); fails on any invalid access or definite leak.
valgrind: deps
	@scripts/deps.sh valgrind
	@$(MAKE) --no-print-directory all
	@python3 tests/integration/valgrind.py --build $(BUILD)

format:
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h tests/tools/*.c

clean:
	rm -rf $(BUILD) $(SAN) build-fuzz
