"""Two struct modem values in one process (issue 20, "a modem is a value"): build/tools/
modem_pair opens two modems on libGammu's real AT driver (connection proxyat), each talking to
its own tests/emulator/atmodem.py, and the test drives them step by step: each receives its
own message and sends through its own emulator, USSD and health answer from the right one,
and one modem disconnected, failing or losing its modem process leaves the other working.
Any state shared between the two (a state machine, the connection flag, the error text, the
proxy process the SIGCHLD handler watches) shows as a message read or sent through the wrong
emulator, or as one modem's failure seen on the other.
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ATMODEM, TestFailure, check, check_eq, mkpdu, run_tests  # noqa: E402


class Emu(harness.EmuState):
    """One emulator's state directory, naming its operator and its *101# answer."""

    def __init__(self, root, name, operator):
        self.state = os.path.join(root, name)
        os.makedirs(os.path.join(self.state, "inbox"))
        self.device = "%s %s --state %s --operator %s" % (sys.executable, ATMODEM, self.state,
                                                         operator)
        self.faults({"ussd": {"*101#": "So du modem %s" % name}})

    def sms(self, sender, text):
        m = mkpdu()
        for pdu in m.split_deliver(text, sender):
            m.drop_into_inbox(self.state, pdu)

    def inbox(self):
        d = os.path.join(self.state, "inbox")
        return [n for n in os.listdir(d) if n.endswith(".pdu") and not n.startswith(".")]

    def sent(self):
        """[(number, text)] of what reached this emulator's AT+CMGS, oldest first."""
        m = mkpdu()
        try:
            with open(os.path.join(self.state, "sent.log")) as f:
                pdus = [l.split()[1] for l in f if l.strip()]
        except FileNotFoundError:
            return []
        return [(d["number"], d["text"]) for d in map(m.decode_submit, pdus)]


class Pair:
    """modem_pair running on two emulators; step() sends one line and returns its JSON lines
    (the last one is the step's own), within a deadline."""

    def __init__(self, a, b):
        exe = os.path.join(harness.BUILD, "tools", "modem_pair")
        check(os.access(exe, os.X_OK), "%s is not built (make all builds it)" % exe)
        self.p = subprocess.Popen([exe, "proxyat", "at", a.device, b.device],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.buf = b""

    def step(self, line, timeout=60):
        op = line.split()[0]
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        rows, deadline = [], time.monotonic() + timeout * harness.SLOW
        while True:
            while b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                row = json.loads(raw.decode("utf-8"))
                rows.append(row)
                if row["op"] == op:
                    return rows
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                raise TestFailure("modem_pair: no answer to %r in %d s" % (line, timeout))
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                raise TestFailure("modem_pair exited during %r: %s" % (
                    line, self.p.stderr.read().decode("utf-8", "replace")))
            self.buf += chunk

    def one(self, line, **kw):
        return self.step(line, **kw)[-1]

    def close(self):
        # SIGKILL if it does not end: libGammu spins forever when a proxy child died.
        try:
            self.p.stdin.close()
            self.p.wait(timeout=30 * harness.SLOW)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise TestFailure("modem_pair did not end when its input did")
        check_eq(self.p.returncode, 0, "modem_pair exit status (stderr: %s)"
                 % self.p.stderr.read().decode("utf-8", "replace"))


def parts_of(rows):
    return [(r["sender"], r["text"]) for r in rows if r["op"] == "part"]


def test_two_modems_receive_and_send_each_through_its_own_emulator():
    with tempfile.TemporaryDirectory(prefix="tipline-pair-") as root:
        a, b = Emu(root, "A", "MangA"), Emu(root, "B", "MangB")
        a.sms("+84911111111", "TIN tu modem A")
        b.sms("+84922222222", "TIN tu modem B")
        pair = Pair(a, b)
        try:
            check_eq(pair.one("connect a")["rc"], 0, "modem a connects")
            check_eq(pair.one("connect b")["rc"], 0, "modem b connects")
            # Each reads its own emulator's message, and only that.
            got = pair.step("read a")
            check_eq(parts_of(got), [("+84911111111", "TIN tu modem A")], "read on a")
            got = pair.step("read b")
            check_eq(parts_of(got), [("+84922222222", "TIN tu modem B")], "read on b")
            check_eq(pair.one("delete a")["rc"], 0, "delete on a")
            check_eq((a.inbox(), len(b.inbox())), ([], 1), "a's SIM empty, b's untouched")
            check_eq(pair.one("delete b")["rc"], 0, "delete on b")
            check_eq(b.inbox(), [], "b's SIM empty")
            # Each sends through its own emulator.
            r = pair.one("send a +84933333333 Tra loi qua modem A")
            check_eq((r["rc"], r["parts"], r["error"]), (0, 1, ""), "send through a")
            r = pair.one("send b +84944444444 Tra loi qua modem B")
            check_eq((r["rc"], r["parts"], r["error"]), (0, 1, ""), "send through b")
            check_eq(a.sent(), [("+84933333333", "Tra loi qua modem A")], "a's emulator sent")
            check_eq(b.sent(), [("+84944444444", "Tra loi qua modem B")], "b's emulator sent")
            # USSD and health answer from the right network.
            check_eq([pair.one("ussd %s *101# 10" % x)["text"] for x in "ab"],
                     ["So du modem A", "So du modem B"], "USSD answers")
            check_eq([pair.one("health %s" % x)["operator_name"] for x in "ab"],
                     ["MangA", "MangB"], "operators")
        finally:
            pair.close()


def test_one_modem_down_leaves_the_other_working():
    with tempfile.TemporaryDirectory(prefix="tipline-pair-") as root:
        a, b = Emu(root, "A", "MangA"), Emu(root, "B", "MangB")
        pair = Pair(a, b)
        try:
            check_eq(pair.one("connect a")["rc"], 0, "modem a connects")
            check_eq(pair.one("connect b")["rc"], 0, "modem b connects")
            # a disconnected: its calls fail with its own error; b is still connected.
            pair.one("disconnect a")
            r = pair.one("read a")
            check_eq((r["rc"], r["error"]), (-1, "not connected"), "read on a disconnected a")
            check_eq([pair.one("state %s" % x)["connected"] for x in "ab"], [0, 1],
                     "connected")
            check(pair.one("state b")["error"] != "not connected",
                  "a's error is not b's: %r" % pair.one("state b"))
            b.sms("+84922222222", "TIN khi modem A tat")
            got = pair.step("read b")
            check_eq(parts_of(got), [("+84922222222", "TIN khi modem A tat")], "read on b")
            check_eq(pair.one("delete b")["rc"], 0, "delete on b")
            # a's modem process exits: the SIGCHLD handler aborts a's call, not b's.
            check_eq(pair.one("connect a")["rc"], 0, "modem a connects again")
            a.faults({"exit": True, "once": True})
            r = pair.one("read a")
            check_eq(r["rc"], -1, "read on a whose modem process exited")
            check("modem process exited" in r["error"], "a's error: %r" % r["error"])
            r = pair.one("send b +84944444444 Van gui duoc qua B")
            check_eq((r["rc"], r["error"]), (0, ""), "send through b after a's process died")
            check_eq(b.sent(), [("+84944444444", "Van gui duoc qua B")], "b's emulator sent")
            check_eq(a.sent(), [], "a's emulator sent nothing")
            check_eq(pair.one("state b")["connected"], 1, "b still connected")
            # a comes back (a new modem process) and reads again.
            pair.one("disconnect a")
            check_eq(pair.one("connect a")["rc"], 0, "modem a reconnects")
            a.sms("+84911111111", "TIN sau khi A tro lai")
            got = pair.step("read a")
            check_eq(parts_of(got), [("+84911111111", "TIN sau khi A tro lai")], "read on a")
        finally:
            pair.close()


if __name__ == "__main__":
    run_tests(globals())
