#!/bin/bash
# Run every test: the unit binaries of each build given, then the integration tests
# (against the first build's binaries, and the sanitizer build's if given).
# Each test prints "PASS name" or "FAIL name" (or "SKIP name (why)" when it cannot run here);
# the last line is "N passed, M failed, K skipped". A program that exits non-zero, or exits 0
# having printed neither a PASS, a FAIL nor a SKIP line, counts as a failure.
#
# Test programs run TIPLINE_TEST_JOBS at a time (default: the number of CPUs): every test keeps
# to its own temporary directory and 127.0.0.1:0 ports, and waits with deadlines, so two side by
# side only make each slower. The two that run make in the source tree (install, deb) run
# alone at the end. A program's lines are printed whole when it ends; the slowest are listed
# last, to show where the minutes of `make test` go (keep it under 20).
# Usage: tests/run.sh BUILD [SANBUILD]
set -u
build=${1:-build}
san=${2:-}
jobs_max=${TIPLINE_TEST_JOBS:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seq=0

one() {
	# one ID NAME CMD...: run one test program; print its PASS/FAIL/SKIP lines (a crash counts
	# as a failure) under a lock so that two programs' lines never mix.
	id=$1
	name=$2
	shift 2
	t0=$(date +%s)
	"$@" >"$work/$id.one" 2>"$work/$id.err"
	rc=$?
	secs=$(($(date +%s) - t0))
	if [ "$rc" -ne 0 ]; then
		if ! grep -q '^FAIL ' "$work/$id.one"; then
			echo "FAIL $name (exit status $rc, no test reported failing)" >>"$work/$id.one"
		fi
	elif ! grep -qE '^(PASS|FAIL|SKIP) ' "$work/$id.one"; then
		echo "FAIL $name (exit status 0, but it ran no test and printed no SKIP line)" \
		    >>"$work/$id.one"
	fi
	grep -E '^(PASS|FAIL|SKIP) ' "$work/$id.one" >"$work/$id.res"
	(
		flock 9
		if grep -q '^FAIL ' "$work/$id.res"; then
			sed 's/^/    /' "$work/$id.err" | tail -n 40 >&2
		fi
		cat "$work/$id.res"
		echo "$secs $name" >>"$work/times"
	) 9>"$work/lock"
}

spawn() {
	# spawn NAME CMD...: run it in the background once fewer than jobs_max run.
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	seq=$((seq + 1))
	one "$seq" "$@" &
}

alone() {
	# alone NAME CMD...: run it with nothing else running.
	wait
	seq=$((seq + 1))
	one "$seq" "$@"
}

for b in "$build" $san; do
	for t in "$b"/tests/test_*; do
		[ -x "$t" ] || continue
		spawn "$t" "$t"
	done
done

# The sanitizer pass: the daemon and CLI under AddressSanitizer and UBSan, the same tests.
SAN_ENV="ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
serial=""
started=""
# The slowest first, in both builds, so that the last ones to end are short (from CI's
# "slowest programs"; a program missing here only starts later).
heavy="test_modems test_modem_pin test_store test_console test_faults test_cmti test_receive
test_console2 test_district test_alerts test_ussd"
order=""
for h in $heavy; do
	order="$order tests/integration/$h.py"
done
for t in $order tests/integration/test_*.py; do
	for b in "$build" $san; do
		tag=""
		extra=()
		if [ "$b" = "$san" ] && [ -n "$san" ]; then
			tag="[san]"
			extra=(--tag san)
			# shellcheck disable=SC2206
			envs=($SAN_ENV)
		else
			envs=()
		fi
		case " $serial $started " in *" $t$tag "*) continue ;; esac
		started="$started $t$tag"
		case $t in
		*/test_install.py | */test_deb.py)
			serial="$serial $t$tag"
			;;
		*)
			spawn "$t$tag" env TIPLINE_BUILD="$b" "${envs[@]}" python3 "$t" "${extra[@]}"
			;;
		esac
	done
done
for s in $serial; do
	t=${s%\[san\]}
	if [ "$t" != "$s" ]; then
		alone "$s" env TIPLINE_BUILD="$san" $SAN_ENV python3 "$t" --tag san
	else
		alone "$s" env TIPLINE_BUILD="$build" python3 "$t"
	fi
done
wait

out="$work/all"
cat "$work"/*.res >"$out"
passed=$(grep -c '^PASS ' "$out")
failed=$(grep -c '^FAIL ' "$out")
skipped=$(grep -c '^SKIP ' "$out")
echo "slowest programs (seconds, $jobs_max at a time):"
sort -rn "$work/times" | head -n 8 | sed 's/^/    /'
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
