"""The parser on a corpus of realistic messages (tests/data/parse_corpus.jsonl): each line is
a message with what its sender meant (kind and the fields that matter), written without
looking at the parser's answer. `tipline parse` reads them all; the share parsed as expected
must not fall below FLOOR (docs/keywords.md gives the figure), and every miss is listed."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, Env, check, run_tests  # noqa: E402

CORPUS = os.path.join(ROOT, "tests", "data", "parse_corpus.jsonl")
FLOOR = 0.97  # measured 2026-12-01: see docs/keywords.md


def misses(rows, got):
    out = []
    for want, g in zip(rows, got):
        for key, value in want.items():
            if key == "msg":
                continue
            if g.get(key) != value:
                out.append("%r: %s is %r, meant %r" % (want["msg"], key, g.get(key), value))
                break
    return out


def test_corpus_share_parsed_as_expected():
    with open(CORPUS, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    check(len(rows) >= 150, "the corpus has %d messages, at least 150 wanted" % len(rows))
    check(all("\n" not in r["msg"] for r in rows), "one message per line")
    env = Env()
    try:
        stdin = "".join(r["msg"] + "\n" for r in rows).encode()
        out = env.cli("parse", stdin=stdin).stdout.decode().splitlines()
    finally:
        env.close()
    check(len(out) == len(rows), "one JSON line per message: %d for %d" % (len(out), len(rows)))
    got = [json.loads(line) for line in out]
    bad = misses(rows, got)
    share = 1 - len(bad) / len(rows)
    sys.stderr.write("corpus: %d of %d parsed as expected (%.1f%%)\n"
                     % (len(rows) - len(bad), len(rows), 100 * share))
    for line in bad:
        sys.stderr.write("  miss: %s\n" % line)
    check(share >= FLOOR, "%.1f%% parsed as expected, below the floor of %.0f%%"
          % (100 * share, 100 * FLOOR))


if __name__ == "__main__":
    run_tests(globals())
