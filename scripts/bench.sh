#!/bin/sh
# Benchmark tipline against gammu-smsd and smstools3 on this machine (issues 6, 25). `make bench`
# runs it after installing gammu-smsd, libdbd-sqlite3, smstools and socat and building build/.
#
#   scripts/bench.sh                  every measurement (about 45 minutes)
#   scripts/bench.sh drain memory     only those: drain, scale, memory, parser, cost, pacing,
#                                     report, ussd, contacts, console (the officers' console: its own
#                                     section of docs/benchmark.md; no baseline needed:
#                                     BENCH_BASELINE= scripts/bench.sh console), district
#                                     (docs/benchmark.md: The district), latency (issue 25:
#                                     tipline, gammu-smsd and smstools3), broadcast (issue 25: N
#                                     emulated modems)
#   scripts/bench.sh --readme         also paste the table into docs/benchmark.md (its Benchmark section)
#
# Environment: BENCH_N (default 2000), BENCH_RUNS (3), BENCH_PACING_N (200),
# BENCH_PACING_RUNS (1), BENCH_DELAY_MS (100), BENCH_BASELINE (a git revision, 35f9777 unless
# set; empty: none: its tiplined is built in a temporary copy and drained alternately with this
# one, e.g. BENCH_BASELINE=3d1f162 for what issue 13's anonymity cost), BENCH_SCALE_DISTINCT
# ("2000 6000"), BENCH_SCALE_ONE ("2000 4000") and BENCH_SCALE_RUNS (BENCH_RUNS) for scale,
# BENCH_LATENCY_N (20), BENCH_IDLE_S (60), BENCH_BCAST_N (200), BENCH_BCAST_DELAY_MS (2000),
# BENCH_BCAST_MODEMS ("1 2 3"), BENCH_CMMS_K (4), BENCH_SMSD_PACING_LOOPSLEEP ("0"; "0 1" adds
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
base_args=""
# The baseline by default: main as it was on 2026-12-01, before the drain got slower (issue 20).
# BENCH_BASELINE= (empty) runs none.
BENCH_BASELINE=${BENCH_BASELINE-35f9777}
if [ -n "$BENCH_BASELINE" ]; then
	rev=$(git rev-parse --short "$BENCH_BASELINE")
	base=$(mktemp -d "${TMPDIR:-/tmp}/tipline-baseline-XXXXXX")
	trap 'rm -rf "$base"' EXIT
	echo "bench: building the baseline $rev in $base" >&2
	git archive "$rev" | tar -x -C "$base"
	make -C "$base" --no-print-directory -j"$(nproc)" all >"$base/make.log" 2>&1 || {
		tail -n 20 "$base/make.log" >&2
		echo "bench: the baseline $rev does not build" >&2
		exit 1
	}
	echo "$rev" >"$base/build/REV"
	base_args="--baseline $base/build"
fi
# shellcheck disable=SC2086
python3 scripts/bench_run.py --build "$build" $base_args "$@"
