#!/usr/bin/env python3
"""tiplined under valgrind's memcheck (make valgrind): short integration scenarios, and the
check that there is no invalid read or write, no use of uninitialised memory and no definite
leak.

    valgrind.py [--build DIR] [--keep]

1. The dummy phone: single, multipart and Vietnamese messages received, stored, answered;
   a SIGHUP reload; SIGTERM.
2. The AT emulator (libGammu's real AT driver over proxyat): messages received and answered,
   the modem process killed mid-session (reconnect, reaping), a hung modem aborted by the
   watchdog thread, then SIGTERM.

Each run: valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=1; the
daemon must exit 0 and the valgrind log must say "ERROR SUMMARY: 0 errors".
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import AtEnv, Env, check, check_eq, sent_messages, wait_for  # noqa: E402

VALGRIND = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite", "--error-exitcode=1", "--num-callers=30",
            "--track-origins=yes"]
LONG = ("Toi thay mot nhom nguoi la di xe may khong bien so qua thon 3 luc 22h, ho dung lai o "
        "nha van hoa va hoi duong vao ray cua nha ong A. Co mot nguoi mac ao khoac den.")
VIET = "TIN Có người lạ đi xe máy ở thôn 3 lúc 22 giờ, hỏi đường vào rẫy nhà ông Ba 😀"


def start(env):
    env.vglog = os.path.join(env.dir, "valgrind.log")
    env.logf = open(env.log, "ab")
    env.proc = subprocess.Popen(VALGRIND + ["--log-file=" + env.vglog, harness.TIPLINED, "-c", env.conf],
                                stdout=env.logf, stderr=env.logf, cwd=env.dir)


def finish(env, name):
    """SIGTERM, then read valgrind's verdict. Returns a list of problems."""
    rc = env.stop(timeout=60)
    with open(env.vglog) as f:
        vg = f.read()
    problems = []
    if rc != 0:
        problems.append("exit status %r (valgrind's error exit code is 1)" % rc)
    m = re.search(r"ERROR SUMMARY: (\d+) errors", vg)
    if m is None or m.group(1) != "0":
        problems.append("valgrind: %s" % (m.group(0) if m else "no ERROR SUMMARY"))
    for kind in ("definitely lost", "indirectly lost", "possibly lost", "still reachable"):
        m = re.search(r"%s: ([\d,]+) bytes in ([\d,]+) blocks" % kind, vg)
        if m:
            print("  [%s] %s: %s bytes in %s blocks" % (name, kind, m.group(1), m.group(2)))
    for m in re.finditer(r"^==\d+== (Invalid (read|write)|Conditional jump|Use of uninitialised|"
                         r"Syscall param|Mismatched free|Invalid free).*$", vg, re.M):
        problems.append(m.group(0))
    return problems, vg


def scenario_dummy():
    env = Env(poll=0.2)
    start(env)
    try:
        wait_for(lambda: "modem: connected" in env.log_text(), 60, "connected")
        env.sms("+84912345671", "TIN co nguoi la o thon 3")
        env.sms("+84912345672", LONG)
        env.sms("0912345673", VIET)
        env.wait_drained(3, timeout=60)
        wait_for(lambda: len(sent_messages(env)) >= 3, 60, "three replies sent")
        env.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "reloaded configuration" in env.log_text(), 60, "reload")
        env.sms("+84912345674", "TUAN BD TQ3 4 di tuan")
        env.wait_drained(4, timeout=60)
        wait_for(lambda: len(sent_messages(env)) >= 4, 60, "four replies sent")
        return env, finish(env, "dummy")
    except BaseException:
        if env.proc is not None:
            env.proc.kill()
            env.proc.wait()
        raise


def scenario_at():
    env = AtEnv(poll=0.2, backoff_max=1, modem_extra="watchdog = 2;",
                extra="outbox: { retry_base = 1; };")
    start(env)
    try:
        wait_for(lambda: "modem: connected" in env.log_text(), 60, "connected")
        env.sms("+84912345671", "TIN co nguoi la o thon 3")
        env.sms("+84912345672", LONG, ref=5)
        env.wait_drained(2, timeout=60)
        wait_for(lambda: len(env.sent_pdus()) >= 2, 60, "two replies sent")
        # The modem process exits: SIGCHLD, abort, reconnect, reap.
        env.faults({"exit": "AT+CMGL", "once": True})
        wait_for(lambda: env.log_text().count("modem: connected") >= 2, 60, "reconnected")
        # The modem hangs: the watchdog thread aborts the call.
        env.faults({"hang": True, "times": {"hang": 1}})
        wait_for(lambda: "aborting it" in env.log_text(), 60, "the watchdog's abort")
        wait_for(lambda: env.log_text().count("modem: connected") >= 3, 60, "reconnected again")
        env.sms("0912345673", VIET)
        env.wait_drained(3, timeout=60)
        wait_for(lambda: len(env.sent_pdus()) >= 3, 60, "three replies sent")
        return env, finish(env, "at")
    except BaseException:
        if env.proc is not None:
            env.proc.kill()
            env.proc.wait()
        raise


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the valgrind logs")
    a = ap.parse_args()
    if a.build:
        harness.use_build(a.build)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)")
        sys.exit(1)
    failed = False
    for name, scenario in (("dummy", scenario_dummy), ("at", scenario_at)):
        env, (problems, vg) = scenario()
        if problems or a.keep:
            kept = tempfile.mkdtemp(prefix="valgrind-%s-" % name)
            shutil.copy(env.vglog, kept)
            shutil.copy(env.log, kept)
            print("  [%s] logs kept in %s" % (name, kept))
        env.close()
        for p in problems:
            print("  [%s] %s" % (name, p))
        print("%s valgrind:%s" % ("FAIL" if problems else "PASS", name))
        failed = failed or bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
