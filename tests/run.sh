#!/bin/sh
# Run every test: the unit binaries of each build given, then the integration tests
# (against the first build's binaries, and the sanitizer build's if given).
# Each test prints "PASS name" or "FAIL name" (or "SKIP name (why)" when it cannot run here);
# the last line is "N passed, M failed, K skipped". A program that exits non-zero, or exits 0
# having printed neither a PASS, a FAIL nor a SKIP line, counts as a failure.
# Usage: tests/run.sh BUILD [SANBUILD]
set -u
build=${1:-build}
san=${2:-}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0

run() {
	# Run one test program; its PASS/FAIL/SKIP lines are counted, a crash counts as a failure.
	name=$1
	shift
	"$@" >"$out.one" 2>"$out.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		if ! grep -q '^FAIL ' "$out.one"; then
			echo "FAIL $name (exit status $rc, no test reported failing)" >>"$out.one"
		fi
		status=1
		sed 's/^/    /' "$out.err" | tail -n 40 >&2
	elif ! grep -qE '^(PASS|FAIL|SKIP) ' "$out.one"; then
		echo "FAIL $name (exit status 0, but it ran no test and printed no SKIP line)" \
		    >>"$out.one"
		status=1
		sed 's/^/    /' "$out.err" | tail -n 40 >&2
	fi
	grep -E '^(PASS|FAIL|SKIP) ' "$out.one" | tee -a "$out"
	rm -f "$out.one" "$out.err"
}

for b in "$build" $san; do
	for t in "$b"/tests/test_*; do
		[ -x "$t" ] || continue
		run "$t" "$t"
	done
done

export TIPLINE_BUILD="$build"
for t in tests/integration/test_*.py; do
	run "$t" python3 "$t"
done
if [ -n "$san" ]; then
	# The daemon and CLI under AddressSanitizer and UBSan: the integration tests again.
	export TIPLINE_BUILD="$san"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	for t in tests/integration/test_*.py; do
		run "$t[san]" python3 "$t" --tag san
	done
fi

passed=$(grep -c '^PASS ' "$out")
failed=$(grep -c '^FAIL ' "$out")
skipped=$(grep -c '^SKIP ' "$out")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
