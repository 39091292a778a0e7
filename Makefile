# tipline — one non-recursive Makefile.
#
#   make            build/tiplined and build/tipline
#   make run        install missing packages, build, run the daemon on the simulated modem
#   make test       install missing packages, build (normal + ASan/UBSan), run every test
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS
#   make bench      benchmark against gammu-smsd and smstools3
#   make crashtest  SIGKILL the daemon at random moments while messages flow; check nothing is lost
#   make valgrind   the daemon under valgrind memcheck on short scenarios
#   make install    programs, manual pages, systemd units, default config (PREFIX, DESTDIR,
#                   sysconfdir, unitdir); make uninstall removes them (never the state)
#   make deb        build/tipline_VERSION_ARCH.deb (scripts/mkdeb.sh)
#
# Every src/*.c except the two programs' mains goes into build/libtipline.a.
# Every tests/unit/test_*.c becomes its own binary linked against that library.

CC      ?= cc
PKGS    := gammu libconfig sqlite3 libutf8proc libmicrohttpd libsystemd gnutls libpq
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

# A recipe that fails leaves no half-written target behind.
.DELETE_ON_ERROR:

.PHONY: install uninstall deb version-file all deps run test test-unit test-integration san fuzz bench crashtest valgrind clean format

all: $(BUILD)/tiplined $(BUILD)/tipline $(UNIT_BINS) $(TOOL_BINS)

deps:
	@scripts/deps.sh

# The version: git describe at build time; a tarball without .git says FALLBACK_VERSION.
FALLBACK_VERSION := 0.1
VERSION := $(shell git describe --tags --dirty 2>/dev/null || \
	(h=$$(git rev-parse --short HEAD 2>/dev/null) && echo $(FALLBACK_VERSION)+git$$h) || \
	echo $(FALLBACK_VERSION))

# build/version.h is rewritten only when the version changes, so only the mains recompile.
$(BUILD)/version.h: version-file
	@:
version-file: | $(BUILD)/obj
	@echo '#define TIPLINE_VERSION "$(VERSION)"' > $(BUILD)/version.h.tmp
	@cmp -s $(BUILD)/version.h.tmp $(BUILD)/version.h && rm -f $(BUILD)/version.h.tmp || \
		mv $(BUILD)/version.h.tmp $(BUILD)/version.h
$(BUILD)/obj/main.o $(BUILD)/obj/tipline.o: $(BUILD)/version.h

# --- install ---
PREFIX     ?= /usr/local
bindir     ?= $(PREFIX)/bin
sbindir    ?= $(PREFIX)/sbin
mandir     ?= $(PREFIX)/share/man
sysconfdir ?= $(PREFIX)/etc
unitdir    ?= $(PREFIX)/lib/systemd/system
statedir   ?= /var/lib/tipline
CONF_INSTALLED := $(sysconfdir)/tipline/tipline.conf
MANS  := man/tipline.1 man/tipline.conf.5 man/tiplined.8
UNITS := tiplined.service tipline-serve.service tipline-console.service

# The installed programs are the same objects but for the mains, compiled again with the
# installed configuration as their default (the source tree's build keeps conf/tipline.conf).
INST := $(BUILD)/inst
$(INST)/%.o: src/%.c $(BUILD)/version.h | $(BUILD)/obj
	@mkdir -p $(INST)
	$(Q)$(CC) $(ALL_CFLAGS) -DDEFAULT_CONF='"$(CONF_INSTALLED)"' -c -o $@ $<
$(INST)/tiplined: $(INST)/main.o $(BUILD)/libtipline.a
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
$(INST)/tipline: $(INST)/tipline.o $(BUILD)/libtipline.a
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
# The default configuration, with its paths under the state directory.
$(INST)/tipline.conf: conf/tipline.conf
	@mkdir -p $(INST)
	$(Q)sed -e 's|"var/modem"|"$(statedir)/modem"|; s|"var/tipline.db"|"$(statedir)/tipline.db"|' \
		$< > $@
$(INST)/%.service: conf/%.service.in
	@mkdir -p $(INST)
	$(Q)sed -e 's|@sbindir@|$(sbindir)|g' -e 's|@bindir@|$(bindir)|g' \
		-e 's|@statedir@|$(statedir)|g' -e 's|@CONF@|$(CONF_INSTALLED)|g' $< > $@

# Rebuild the installed mains when the paths change (they are in the objects).
INST_STAMP := $(INST)/paths-$(shell echo '$(CONF_INSTALLED) $(sbindir) $(bindir) $(statedir)' | cksum | cut -d' ' -f1)
$(INST_STAMP):
	@mkdir -p $(INST) && rm -f $(INST)/paths-* $(INST)/*.o $(INST)/*.service $(INST)/tipline.conf
	@touch $@
$(INST)/main.o $(INST)/tipline.o $(INST)/tipline.conf $(addprefix $(INST)/,$(UNITS)): $(INST_STAMP)

install: $(INST)/tiplined $(INST)/tipline $(INST)/tipline.conf $(addprefix $(INST)/,$(UNITS))
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(sbindir) $(DESTDIR)$(mandir)/man1 \
		$(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(unitdir) \
		$(DESTDIR)$(sysconfdir)/tipline $(DESTDIR)$(statedir)
	install -m 755 $(INST)/tiplined $(DESTDIR)$(sbindir)/tiplined
	install -m 755 $(INST)/tipline $(DESTDIR)$(bindir)/tipline
	install -m 644 man/tipline.1 $(DESTDIR)$(mandir)/man1/tipline.1
	install -m 644 man/tipline.conf.5 $(DESTDIR)$(mandir)/man5/tipline.conf.5
	install -m 644 man/tiplined.8 $(DESTDIR)$(mandir)/man8/tiplined.8
	install -m 644 $(addprefix $(INST)/,$(UNITS)) $(DESTDIR)$(unitdir)/
	@# Never overwrite a configuration someone has edited.
	@if [ -e $(DESTDIR)$(CONF_INSTALLED) ]; then \
		echo "keeping the existing $(DESTDIR)$(CONF_INSTALLED)"; \
	else \
		echo "install -m 640 $(INST)/tipline.conf $(DESTDIR)$(CONF_INSTALLED)"; \
		install -m 640 $(INST)/tipline.conf $(DESTDIR)$(CONF_INSTALLED); \
	fi
	@# The console's certificate as the package's postinst makes it: on a real install (no
	@# DESTDIR) where the tipline user exists; else the console makes it at its first start.
	@if [ -z "$(DESTDIR)" ] && getent passwd tipline >/dev/null 2>&1; then \
		echo "runuser -u tipline -- $(bindir)/tipline console --make-cert"; \
		runuser -u tipline -- $(bindir)/tipline console --make-cert || true; \
	fi

# Removes what install put there but the configuration a person may have edited (when it
# differs from the default) and the state (the database: people's reports).
uninstall:
	rm -f $(DESTDIR)$(sbindir)/tiplined $(DESTDIR)$(bindir)/tipline \
		$(DESTDIR)$(mandir)/man1/tipline.1 $(DESTDIR)$(mandir)/man5/tipline.conf.5 \
		$(DESTDIR)$(mandir)/man8/tiplined.8 $(addprefix $(DESTDIR)$(unitdir)/,$(UNITS))
	@if [ -e $(DESTDIR)$(CONF_INSTALLED) ] && cmp -s $(INST)/tipline.conf $(DESTDIR)$(CONF_INSTALLED); then \
		echo "rm -f $(DESTDIR)$(CONF_INSTALLED)"; rm -f $(DESTDIR)$(CONF_INSTALLED); \
		rmdir $(DESTDIR)$(sysconfdir)/tipline 2>/dev/null || true; \
	elif [ -e $(DESTDIR)$(CONF_INSTALLED) ]; then \
		echo "keeping the edited $(DESTDIR)$(CONF_INSTALLED)"; \
	fi

deb: deps
	@scripts/deps.sh deb
	@$(MAKE) --no-print-directory all
	@LINTIAN=required scripts/mkdeb.sh $(BUILD) $(VERSION)

# Manual pages: mandoc's lint, warnings included, is part of make test.
lint-man:
	$(Q)mandoc -Tlint -Wwarning $(MANS)

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
# Then the database countdown with every N failing in turn (`make test` tries every third).
CRASHTEST_ARGS ?=
crashtest: deps
	@$(MAKE) --no-print-directory all
	@python3 tests/integration/crashtest.py --build $(BUILD) --messages 500 --at-messages 150 \
		--kills 25 $(CRASHTEST_ARGS)
	@TIPLINE_BUILD=$(BUILD) TIPLINE_COUNTDOWN_STEP=1 python3 tests/integration/test_store.py \
		test_every_nth_database_call_may_fail

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
