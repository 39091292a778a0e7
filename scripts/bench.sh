#!/bin/sh
# Benchmark tipline against gammu-smsd on this machine (issue 6). `make bench` runs it after
# installing gammu-smsd, libdbd-sqlite3 and socat and building build/.
#
#   scripts/bench.sh                  every measurement (about 6 minutes)
#   scripts/bench.sh drain memory     only those: drain, memory, parser, cost, pacing, report, ussd
#   scripts/bench.sh --readme         also paste the table into README.md (Benchmark section)
#
# Environment: BENCH_N (default 2000), BENCH_RUNS (3), BENCH_PACING_N (200),
# BENCH_PACING_RUNS (1), BENCH_DELAY_MS (100), BENCH_SMSD_PACING_LOOPSLEEP ("0"; "0 1" adds
# a LoopSleep = 1 run), BENCH_BUILD (build), BENCH_KEEP=1 (keep the temporary directories).
# Progress on stderr; the Markdown table on stdout and in $BENCH_BUILD/bench.md.
set -eu
cd "$(dirname "$0")/.."
build=${BENCH_BUILD:-build}
for p in "$build/tiplined" "$build/tipline"; do
	if [ ! -x "$p" ]; then
		echo "bench: $p is missing: run make first" >&2
		exit 1
	fi
done
for c in gammu-smsd timeout cc pkg-config python3; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "bench: $c is missing: run scripts/deps.sh bench" >&2
		exit 1
	fi
done
exec python3 scripts/bench_run.py --build "$build" "$@"
