"""The crash test (tests/integration/crashtest.py) at CI size: messages flow into tiplined
while it is SIGKILLed at random moments and restarted; nothing is lost or stored twice, every
acknowledgement goes out once or twice, the modem ends empty and the database intact.
`make crashtest` runs the full size (500 messages on the dummy phone, fewer on the AT
emulator, whose libGammu driver sends about 1.4 parts a second)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crashtest  # noqa: E402
from harness import SANITIZED, TestFailure, run_tests  # noqa: E402

SEED = int(os.environ.get("CRASHTEST_SEED", "7"))


def crash(driver, messages, kills):
    figures, fail = crashtest.run(driver, messages, kills, SEED,
                                  log=lambda s: print(s, file=sys.stderr))
    crashtest.report(figures, fail, log=lambda s: print(s, file=sys.stderr))
    if fail:
        raise TestFailure("; ".join(fail[:5]))


def test_crash_dummy():
    # The sanitizer build is 2-3 times slower: fewer messages, as many kills.
    crash("dummy", 80 if SANITIZED else 150, 20)


def test_crash_at_emulator():
    # libGammu's AT driver takes 0.7 s per reply whatever the build: fewer under sanitizers.
    crash("at", 8 if SANITIZED else 15, 4 if SANITIZED else 5)


if __name__ == "__main__":
    run_tests(globals())
