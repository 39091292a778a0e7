#!/bin/sh
# Build each libFuzzer target tests/fuzz/fuzz_*.c into build-fuzz/ and run it for SECONDS
# (default 30), printing how many inputs each executed. Seeds come from tests/fuzz/corpus/
# (read only); what the fuzzer learns goes to build-fuzz/corpus/NAME and a crashing input
# to build-fuzz/NAME-crash-*. Exits non-zero if any target fails.
# Usage: scripts/fuzz.sh [SECONDS]
set -eu

secs=${1:-30}
case "$secs" in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS]" >&2
	exit 2
	;;
esac
cd "$(dirname "$0")/.."

out=build-fuzz
cc=${FUZZ_CC:-clang}
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -Wall -Wextra -iquote src"
srcs="src/text.c src/parse.c src/json.c src/config.c src/log.c"
libs="-lutf8proc -lconfig"
mkdir -p "$out"

status=0
for target in tests/fuzz/fuzz_*.c; do
	name=$(basename "$target" .c)
	short=${name#fuzz_}
	# shellcheck disable=SC2086
	$cc $cflags -o "$out/$name" "$target" $srcs $libs

	# Messages are good seeds for every target; a target may add its own.
	seeds=tests/fuzz/corpus/parse
	if [ "$short" != parse ] && [ -d "tests/fuzz/corpus/$short" ]; then
		seeds="$seeds tests/fuzz/corpus/$short"
	fi
	# The config loader writes its FILE:LINE errors to stderr: silence them.
	# libconfig's own leak on syntax errors is suppressed (see the file).
	extra=
	lsan=
	if [ "$short" = config ]; then
		extra=-close_fd_mask=2
		lsan=suppressions=$PWD/tests/fuzz/lsan-libconfig.supp
	fi
	mkdir -p "$out/corpus/$short"
	log=$out/$name.log
	# shellcheck disable=SC2086
	if LSAN_OPTIONS=$lsan "$out/$name" -max_total_time="$secs" -print_final_stats=1 -timeout=10 $extra \
		-artifact_prefix="$out/$name-" "$out/corpus/$short" $seeds >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "$name: ${execs:-?} executions in ${secs}s, clean"
	else
		echo "$name: FAILED (log: $log)"
		tail -n 40 "$log"
		status=1
	fi
done
exit $status
