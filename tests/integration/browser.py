"""A real browser for the integration tests: Debian's chromium driven by playwright-core (npm,
pinned by tests/browser/package-lock.json) through tests/browser/bridge.js, a node process that
runs the JavaScript it is sent, one JSON line at a time.

    b = Browser()                      # npm ci on first use, then chromium starts
    b.js("await s.open('a', 360); await s.pages.a.goto(args.url)", url=...)
    b.close()

`s` in the JavaScript is the bridge's state: s.open(name, width) makes a page with its own
cookies, s.pages[name] is it, s.axe(page) lists axe-core's serious and critical violations.
"""
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import time

from harness import ROOT, SLOW, Skip, TestFailure

DIR = os.path.join(ROOT, "tests", "browser")
CHROMIUM = os.environ.get("TIPLINE_CHROMIUM", "/usr/bin/chromium")


def ensure_modules():
    """npm ci into tests/browser/node_modules (git-ignored) when it is missing or older than the
    lockfile; one program at a time (the two builds' tests run side by side)."""
    # Missing programs fail (scripts/deps.sh installs them); only the registry being out of
    # reach is a SKIP, said as such.
    for prog in ("node", "npm"):
        if shutil.which(prog) is None:
            raise TestFailure("%s is not installed (scripts/deps.sh installs Debian's nodejs and npm)" % prog)
    if not os.path.exists(CHROMIUM):
        raise TestFailure("%s is not installed (scripts/deps.sh installs Debian's chromium)" % CHROMIUM)
    stamp = os.path.join(DIR, "node_modules", ".package-lock.json")
    lock = os.path.join(DIR, "package-lock.json")
    with open(os.path.join(DIR, ".npm-lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        if os.path.exists(stamp) and os.path.getmtime(stamp) >= os.path.getmtime(lock):
            return
        p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=DIR,
                           capture_output=True, timeout=600)
        if p.returncode != 0:
            raise Skip("npm ci in tests/browser failed (no access to the npm registry?): %s"
                       % p.stderr.decode("utf-8", "replace").strip()[-300:])


class Browser:
    def __init__(self, log=None):
        ensure_modules()
        self.log = open(log or os.devnull, "ab")
        self.proc = subprocess.Popen(["node", os.path.join(DIR, "bridge.js")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, cwd=DIR)
        self.seq = 0
        self.buf = b""
        first = self._read(0, 60)
        if not first["ok"]:
            self.close()
            raise TestFailure("chromium did not start: %s" % first["error"])
        self.version = first["value"]

    def _read(self, want, timeout):
        deadline = time.monotonic() + timeout * SLOW
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                msg = json.loads(line)
                if msg["id"] == want:
                    return msg
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure("the browser did not answer within %d s" % (timeout * SLOW))
            if select.select([self.proc.stdout], [], [], left)[0]:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise TestFailure("the browser bridge exited (status %s)" % self.proc.wait())
                self.buf += chunk

    def js(self, body, timeout=30, **args):
        """Run BODY (an async function's body of s and args) in the bridge; its value."""
        self.seq += 1
        self.proc.stdin.write((json.dumps({"id": self.seq, "js": body, "args": args}) + "\n").encode())
        self.proc.stdin.flush()
        msg = self._read(self.seq, timeout)
        if not msg["ok"]:
            raise TestFailure("in the browser: %s" % msg["error"][:2000])
        return msg["value"]

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
