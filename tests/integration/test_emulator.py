"""The AT modem emulator (tests/emulator/atmodem.py) and the PDU helper (mkpdu.py):
raw AT over pipes, then the real gammu CLI through connection = proxyat (and a socat
pty with at115200 when socat is installed). The tipline binaries are not involved, so
the sanitizer pass (--tag san) skips this file."""
import json
import os
import random
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, TestFailure, check, check_eq, run_tests, wait_for  # noqa: E402

EMU_DIR = os.path.join(ROOT, "tests", "emulator")
ATMODEM = os.path.join(EMU_DIR, "atmodem.py")
sys.path.insert(0, EMU_DIR)
import mkpdu  # noqa: E402

FINALS = ("OK", "ERROR", "+CME ERROR:", "+CMS ERROR:", "NO CARRIER")
VIET = "Tuần tra thôn 3"
EMOJI = "Cháy nhà 🔥😀 số 5"
GSM_EXT = "Hello @£$ {ext} [x] ~^|\\€ ok"
LONG_VI = "".join("Dòng %03d: báo cáo an ninh thôn. " % i for i in range(6))
LONG_7 = "".join("Line %03d: all quiet in village [3]. " % i for i in range(12))


class Modem:
    """atmodem.py on pipes, driven like a serial line."""

    def __init__(self, state=None, args=()):
        self.tmp = None
        if state is None:
            self.tmp = tempfile.TemporaryDirectory(prefix="atmodem-test-")
            state = self.tmp.name
        self.state = state
        self.p = subprocess.Popen([sys.executable, ATMODEM, "--state", state] + list(args),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.buf = b""

    def write(self, data):
        self.p.stdin.write(data if isinstance(data, bytes) else data.encode("latin-1"))
        self.p.stdin.flush()

    def read_until(self, pred, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not pred(self.buf):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure("no answer in %.1f s, got %r" % (timeout, self.buf))
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    raise TestFailure("modem closed its output, got %r" % self.buf)
                self.buf += chunk
        out, self.buf = self.buf, b""
        return out.decode("latin-1")

    def drain(self, seconds):
        """Everything that arrives within the given time."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    break
                self.buf += chunk
        out, self.buf = self.buf, b""
        return out.decode("latin-1")

    def cmd(self, line, timeout=5.0):
        """Send one command line; return the answer lines (echo excluded)."""
        self.write(line + "\r")

        def done(b):
            lines = b.decode("latin-1").split("\r\n")
            return any(l.startswith(FINALS) for l in lines[1:-1]) or b.endswith(b"\r\n> ")
        text = self.read_until(done, timeout)
        lines = [l for l in text.split("\r\n") if l]
        check(lines and lines[0] == line + "\r" or lines[0] == line, "echo of %r: %r" % (line, lines))
        return lines[1:]

    def path(self, *p):
        return os.path.join(self.state, *p)

    def commands(self):
        """The commands the emulator has taken, oldest first (its commands.log)."""
        try:
            with open(self.path("commands.log"), encoding="latin-1") as f:
                return [l.rstrip("\n").split("\t", 1)[-1] for l in f]
        except FileNotFoundError:
            return []

    def silent_through(self, line):
        """Send LINE; the emulator must take it and answer nothing. Proven without a time
        window: AT+CGMI follows, and once the emulator has logged it (it handles one command
        after the other), whatever LINE made it write is already in the pipe. Returns all the
        emulator wrote so far (for a hanging one: nothing)."""
        self.write(line + "\r")
        self.write("AT+CGMI\r")
        wait_for(lambda: self.commands()[-1:] == ["AT+CGMI"], 5, "AT+CGMI taken after %r" % line)
        return self.pending()

    def pending(self):
        """What the emulator has written so far, without waiting."""
        while select.select([self.p.stdout], [], [], 0)[0]:
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                break
            self.buf += chunk
        out, self.buf = self.buf, b""
        return out.decode("latin-1")

    def faults(self, d):
        tmp = self.path("faults.json.tmp")
        with open(tmp, "w") as f:
            json.dump(d, f)
        os.rename(tmp, self.path("faults.json"))

    def read_faults(self):
        try:
            with open(self.path("faults.json")) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.p.stdin.close()
        self.p.stdout.close()
        if self.tmp:
            self.tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def Modem_tpdu_len(path):
    with open(path) as f:
        b = bytes.fromhex(f.read().strip())
    return len(b) - 1 - b[0]


def drop(state, text, sender="+84912345678", t="2026-11-26 08:00:00", index=None, **kw):
    return mkpdu.drop_into_inbox(state, mkpdu.deliver_pdu(text, sender, t, **kw), index)


# ------------------------------------------------------------------ PDU helper

def test_mkpdu_gsm7_tables_round_trip():
    every = "".join(c for c in mkpdu.GSM7_BASIC if c != "\x1b") + "".join(mkpdu.GSM7_EXT.values())
    for n in range(1, len(every) + 1, 7):
        text = every[:n]
        d = mkpdu.decode_deliver(mkpdu.deliver_pdu(text[-150:], "+8491", "2026-01-01 00:00:00"))
        check_eq(d["text"], text[-150:], "GSM-7 round trip")
    check_eq(mkpdu.pack7(mkpdu.gsm7_encode("hellohello")).hex().upper(), "E8329BFD4697D9EC37",
             "23.038 packing example")
    check_eq(mkpdu.gsm7_length("a€[]"), 7, "extension characters count 2")
    check(not mkpdu.gsm7_encodable("ầ"), "Vietnamese is not GSM-7")


def test_mkpdu_addresses_and_time():
    d = mkpdu.decode_deliver(mkpdu.deliver_pdu("x", "VIETTEL", "2026-11-26 08:00:00"))
    check_eq((d["sender"], d["number_type"]), ("VIETTEL", "alphanumeric"), "alphanumeric sender")
    check_eq(d["timestamp"], "2026-11-26 08:00:00+07:00", "timestamp")
    d = mkpdu.decode_deliver(mkpdu.deliver_pdu("x", "0912345678", tz="-03:30"))
    check_eq((d["sender"], d["number_type"]), ("0912345678", "national"), "national sender")
    check(d["timestamp"].endswith("-03:30"), "negative time zone: %s" % d["timestamp"])
    d = mkpdu.decode_deliver(mkpdu.deliver_pdu("x", "+84912345678"))
    check_eq((d["sender"], d["number_type"]), ("+84912345678", "international"), "international")


def test_mkpdu_split_boundaries():
    check_eq(len(mkpdu.split_deliver("a" * 160, "+8491")), 1, "160 GSM-7 chars: one part")
    parts = mkpdu.split_deliver("a" * 161, "+8491")
    check_eq([len(mkpdu.decode_deliver(p)["text"]) for p in parts], [153, 8], "161 chars")
    # an escape sequence never straddles two parts
    text = "a" * 152 + "€" + "b" * 10
    dec = [mkpdu.decode_deliver(p) for p in mkpdu.split_deliver(text, "+8491")]
    check_eq(dec[0]["text"], "a" * 152, "part 1 stops before the escape")
    check_eq(mkpdu.reassemble(dec), text, "reassembled GSM-7")
    check_eq(len(mkpdu.split_deliver("ầ" * 70, "+8491")), 1, "70 UCS-2 units: one part")
    text = "ầ" * 66 + "😀" + "x" * 5           # 73 units: 2 parts of at most 67
    dec = [mkpdu.decode_deliver(p) for p in mkpdu.split_deliver(text, "+8491")]
    check_eq(dec[0]["text"], "ầ" * 66, "a surrogate pair is not split")
    check_eq(mkpdu.reassemble(dec), text, "reassembled UCS-2")
    dec = [mkpdu.decode_deliver(p) for p in mkpdu.split_deliver("x" * 400, "+8491", ref=300)]
    check_eq([d["concat"]["bits"] for d in dec], [16, 16, 16], "16-bit reference")
    check_eq(mkpdu.reassemble(dec), "x" * 400, "16-bit reassembly")


def test_mkpdu_submit_decode():
    h = mkpdu.submit_pdu(VIET, "+84912345678", srr=True, concat=(7, 2, 1), vp=167)
    d = mkpdu.decode_submit(h)
    check_eq((d["number"], d["text"], d["coding"], d["status_report_request"], d["concat"]),
             ("+84912345678", VIET, "ucs2", True, {"ref": 7, "total": 2, "seq": 1, "bits": 8}),
             "decoded submit")
    out = subprocess.run([sys.executable, os.path.join(EMU_DIR, "mkpdu.py"), "decode", h],
                         capture_output=True, check=True).stdout
    check_eq(json.loads(out)["text"], VIET, "CLI decode")


# ------------------------------------------------------------------ raw AT

def test_at_line_endings_and_garbage_input():
    with Modem() as m:
        check_eq(m.cmd("AT"), ["OK"], "AT")
        for term in (b"\n", b"\r\n", b"\n\r"):
            m.write(b"AT+CSQ" + term)
            check("+CSQ: 21,99" in m.read_until(lambda b: b.endswith(b"OK\r\n")), "CSQ")
        for ch in b"AT+CGMI\r":                       # one byte at a time
            m.write(bytes([ch]))
        check("Tipline" in m.read_until(lambda b: b.endswith(b"OK\r\n")), "bytewise")
        m.write(b"AT+HALF\x1b")                        # ESC discards the line
        check_eq(m.cmd("AT+CGMM;+CSQ"), ["ATEMU-1", "+CSQ: 21,99", "OK"], "chained")
        rng = random.Random(7)
        noise = bytes(b for b in (rng.randrange(256) for _ in range(20000)) if b not in b"aA")
        m.write(noise + b"\r")
        # No answer to the noise (no "AT" in it): the next output is AT+CFUN's echo and OK
        # (m.cmd checks the echo comes first).
        check_eq(m.cmd("AT+CFUN=1"), ["OK"], "alive after 20 kB of noise, and silent to it")
        check_eq(m.cmd("AT+NOSUCH"), ["ERROR"], "unknown command")
        check_eq(m.cmd("AT+CMGF=1"), ["ERROR"], "text mode refused")
        check(m.p.poll() is None, "still running")


def test_at_sim_storage():
    with Modem() as m:
        drop(m.state, "one", index=1)
        drop(m.state, VIET, index=3)
        n1 = Modem_tpdu_len(m.path("inbox", "1.pdu"))
        n3 = Modem_tpdu_len(m.path("inbox", "3.pdu"))
        drop(m.state, "hidden", index=31)              # beyond capacity 30
        check_eq(m.cmd('AT+CPMS="SM","SM","SM"'), ["+CPMS: 2,30,2,30,2,30", "OK"], "CPMS")
        lines = m.cmd("AT+CMGL=4")
        check_eq([l for l in lines if l.startswith("+CMGL")],
                 ["+CMGL: 1,0,,%d" % n1, "+CMGL: 3,0,,%d" % n3], "CMGL headers")
        check_eq(mkpdu.decode_deliver(lines[3])["text"], VIET, "CMGL PDU")
        check_eq(m.cmd("AT+CMGR=3")[0], "+CMGR: 1,,%d" % n3, "read after listing")
        check_eq(m.cmd("AT+CMGR=2"), ["OK"], "empty location")
        check_eq(m.cmd("AT+CMGR=31"), ["+CMS ERROR: 321"], "beyond capacity")
        check_eq(m.cmd("AT+CMGD=1"), ["OK"], "CMGD")
        check(not os.path.exists(m.path("inbox", "1.pdu")), "file removed")
        drop(m.state, "new", index=1)
        check_eq(m.cmd("AT+CMGL=0")[0], "+CMGL: 1,0,,%d" % Modem_tpdu_len(m.path("inbox", "1.pdu")),
                 "a new file at an old index is unread")
        check_eq(m.cmd("AT+CMGD=0,1"), ["OK"], "delete all read")
        check_eq(sorted(os.listdir(m.path("inbox"))), ["31.pdu"], "only the hidden file is left")
        m.faults({"capacity": 40})
        check_eq(m.cmd("AT+CPMS?")[0], '+CPMS: "SM",1,40,"SM",1,40,"SM",1,40', "capacity fault")


def test_at_send():
    with Modem() as m:
        pdu = mkpdu.submit_pdu("hello", "+84912345678", smsc="+84980200030")
        tp_len = len(pdu) // 2 - 8
        check_eq(m.cmd("AT+CMGS=%d" % tp_len), ["> "], "prompt")
        m.write(pdu + "\x1a")
        out = m.read_until(lambda b: b.endswith(b"OK\r\n"))
        check(out.startswith(pdu) and "\r\n+CMGS: 1\r\n" in out, "echo and +CMGS: %r" % out)
        m.cmd("AT+CMGS=%d" % tp_len)
        m.write(pdu[:10] + "\x1b")                   # ESC cancels
        m.read_until(lambda b: len(b) >= 10)
        check_eq(m.cmd("AT"), ["OK"], "command mode after ESC")
        m.cmd("AT+CMGS=%d" % (tp_len + 1))
        m.write(pdu + "\x1a")
        check("+CMS ERROR: 304" in m.read_until(lambda b: b.endswith(b"\r\n") and b"ERROR" in b),
              "length mismatch refused")
        with open(m.path("sent.log")) as f:
            check_eq(f.read(), "1 %s\n" % pdu, "sent.log")
    st = tempfile.mkdtemp()
    try:
        with open(os.path.join(st, "sent.log"), "w") as f:
            f.write("255 %s\n" % pdu)
        with Modem(st) as m:
            m.cmd("AT+CMGS=%d" % tp_len)
            m.write(pdu + "\x1a")
            check("+CMGS: 0" in m.read_until(lambda b: b.endswith(b"OK\r\n")), "mr wraps after 255")
    finally:
        shutil.rmtree(st)


def test_faults_once_times_and_consumption():
    with Modem() as m:
        m.faults({"error": {"AT+CSQ": "+CME ERROR: 30"}, "once": True})
        check_eq(m.cmd("AT+CSQ"), ["+CME ERROR: 30"], "error fault")
        check_eq(m.cmd("AT+CSQ"), ["+CSQ: 21,99", "OK"], "once: gone")
        check_eq(m.read_faults(), {"once": True}, "file rewritten")
        m.faults({"respond": {"AT+CSQ": ["+CSQ: 5,99", "OK"]}, "times": {"respond:AT+CSQ": 2}})
        check_eq([m.cmd("AT+CSQ")[0] for _ in range(3)], ["+CSQ: 5,99", "+CSQ: 5,99", "+CSQ: 21,99"],
                 "times counter")
        m.faults({"unsolicited": ["+CMTI: \"SM\",3", "RING"]})
        check_eq(m.cmd("AT+CSQ"), ["+CSQ: 21,99", '+CMTI: "SM",3', "RING", "OK"], "unsolicited")
        check_eq(m.cmd("AT"), ["OK"], "unsolicited consumed")
        m.faults({"unsolicited": {"AT+CBC": ["^BOOT:1"]}})
        check_eq(m.cmd("AT"), ["OK"], "targeted unsolicited waits")
        check_eq(m.cmd("AT+CBC"), ["+CBC: 0,100", "^BOOT:1", "OK"], "targeted unsolicited")
        m.faults({"garbage": "#junk#", "when": "AT+CBC", "once": True})
        check_eq(m.cmd("AT"), ["OK"], "gated garbage skips AT")
        m.write("AT+CBC\r")
        check(m.read_until(lambda b: b.endswith(b"OK\r\n")).startswith("#junk#AT+CBC\r"),
              "garbage before the echo")
        m.faults({"delay_ms": 300})
        t0 = time.monotonic()
        m.cmd("AT")
        check(time.monotonic() - t0 >= 0.29, "delay_ms")
        m.faults({"hang": True})
        check_eq(m.silent_through("AT+CSQ"), "", "hang: silence")
        m.faults({})
        check_eq(m.cmd("AT"), ["OK"], "answers again once hang is removed")
        m.faults({"exit": "AT+CMGL", "once": True})
        check_eq(m.cmd("AT"), ["OK"], "exit waits for its command")
        m.write("AT+CMGL=4\r")
        check_eq(m.p.wait(5), 0, "exit status")
        check_eq(m.read_faults(), {"once": True}, "exit consumed")


def test_faults_at_the_pdu_stage():
    with Modem() as m:
        pdu = mkpdu.submit_pdu("hello", "+84912345678")
        n = len(pdu) // 2 - 1
        m.faults({"error": {"AT+CMGS": "+CMS ERROR: 38"}, "delay_cmgs_ms": 200, "once": True})
        check_eq(m.cmd("AT+CMGS=%d" % n), ["> "], "prompt despite the error fault")
        t0 = time.monotonic()
        m.write(pdu + "\x1a")
        out = m.read_until(lambda b: b.endswith(b"\r\n") and b"ERROR" in b)
        check("+CMS ERROR: 38" in out and time.monotonic() - t0 >= 0.19, "delayed CMS 38: %r" % out)
        check(not os.path.exists(m.path("sent.log")), "nothing sent")
        m.faults({"hang": "PDU", "once": True})
        check_eq(m.cmd("AT+CMGS=%d" % n), ["> "], "prompt")
        m.write(pdu + "\x1a")
        wait_for(lambda: m.commands()[-1:] == ["PDU " + pdu], 5, "the PDU taken")
        m.write("AT\r")  # the hang was once: this one is answered, and nothing came between
        check_eq(m.read_until(lambda b: b.endswith(b"OK\r\n")), pdu + "AT\r\r\nOK\r\n",
                 "only the PDU's echo, then AT's answer")
        check_eq(m.read_faults(), {"once": True}, "the PDU hang fired")
        m.faults({"hang": "AT+CMGS", "once": True})
        m.write("AT+CMGS=%d\r" % n)
        check_eq(m.cmd("AT"), ["OK"], "no prompt: the next output is AT's echo")
        check_eq(m.read_faults(), {"once": True}, "the AT+CMGS hang fired")


def test_async_cmti_and_async_key():
    with Modem() as m:
        check_eq(m.cmd("AT+CNMI=2,1,0,0,0"), ["OK"], "CNMI")
        idx = drop(m.state, "ping")
        out = m.read_until(lambda b: b"+CMTI" in b and b.endswith(b"\r\n"), 3)
        check_eq(out, '\r\n+CMTI: "SM",%d\r\n' % idx, "CMTI for a new file")
        m.faults({"async": ["RING"]})
        check_eq(m.read_until(lambda b: b.endswith(b"RING\r\n"), 3), "\r\nRING\r\n", "async")
        wait_for(lambda: "async" not in (m.read_faults() or {}), 3, "async consumed")


def test_ussd_charsets():
    with Modem() as m:
        m.faults({"ussd": {"*102#": VIET, "*103#": None}})
        check_eq(m.cmd('AT+CUSD=1,"*101#",15'), ["OK"], "CUSD OK")
        check_eq(m.read_until(lambda b: b.endswith(b"\r\n"), 3),
                 '\r\n+CUSD: 0,"Reply for *101#",15\r\n', "GSM charset reply")
        m.cmd('AT+CSCS="UCS2"')
        m.cmd('AT+CUSD=1,"002A0031003000320023",15')
        out = m.read_until(lambda b: b.endswith(b"\r\n"), 3)
        check_eq(out, '\r\n+CUSD: 0,"%s",72\r\n' % VIET.encode("utf-16-be").hex().upper(),
                 "UCS-2 request, Vietnamese reply")
        m.cmd('AT+CUSD=1,"002A0031003000330023",15')
        check_eq(m.read_until(lambda b: b.endswith(b"\r\n"), 3), "\r\n+CUSD: 4\r\n", "not supported")


# ------------------------------------------------------------------ real gammu

def gammu(rc, *args, timeout=60):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    try:
        p = subprocess.run(["gammu", "-c", rc] + list(args), capture_output=True, timeout=timeout,
                           env=env)
    except subprocess.TimeoutExpired:
        raise TestFailure("gammu %s did not finish in %d s" % (" ".join(args), timeout))
    return p.returncode, p.stdout.decode("utf-8", "replace")


class GammuEnv:
    def __init__(self, pty=False):
        self.tmp = tempfile.TemporaryDirectory(prefix="atmodem-gammu-")
        self.state = os.path.join(self.tmp.name, "st")
        os.mkdir(self.state)
        self.rc = os.path.join(self.tmp.name, "gammurc")
        self.socat = None
        if pty:
            link = os.path.join(self.tmp.name, "pty")
            self.socat = subprocess.Popen(
                ["socat", "PTY,link=%s,raw,echo=0" % link,
                 "EXEC:%s %s --state %s" % (sys.executable, ATMODEM, self.state)])
            wait_for(lambda: os.path.exists(link), 5, "socat pty")
            conf = "connection = at115200\ndevice = %s\n" % link
        else:
            conf = "connection = proxyat\ndevice = %s %s --state %s\n" % (
                sys.executable, ATMODEM, self.state)
        with open(self.rc, "w") as f:
            f.write("[gammu]\nmodel = at\n" + conf)

    def close(self):
        if self.socat:
            self.socat.kill()
            self.socat.wait()
        self.tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def have(cmd):
    # scripts/deps.sh installs gammu and socat for `make test`: a missing one is a set-up
    # failure, and a test that passes without running would hide it.
    check(shutil.which(cmd) is not None, "%s is not installed (scripts/deps.sh installs it)" % cmd)
    return True


def fill_inbox(state):
    drop(state, GSM_EXT, index=1)
    drop(state, VIET, index=2, coding="ucs2")
    drop(state, EMOJI, "0912345678", index=3)
    drop(state, "KM: nap the 50%", "VIETTEL", index=4)
    for i, h in enumerate(mkpdu.split_deliver(LONG_VI, "+84987654321", "2026-11-26 08:04:00",
                                              ref=42)):
        mkpdu.drop_into_inbox(state, h, 5 + i)
    for h in mkpdu.split_deliver(LONG_7, "+84987654322", "2026-11-26 08:05:00"):
        mkpdu.drop_into_inbox(state, h)


def check_each(out):
    for text in (GSM_EXT, VIET, EMOJI, "KM: nap the 50%", LONG_VI, LONG_7):
        check("\n%s\n" % text in out, "gammu shows %r exactly" % text[:30])
    check('Remote number        : "VIETTEL"' in out, "alphanumeric sender")
    check('Remote number        : "0912345678"' in out, "national sender")
    check("10 SMS parts in 6 SMS sequences" in out, "multipart linking: %s" % out[-200:])


def test_gammu_identify_read_delete():
    have("gammu")
    with GammuEnv() as g:
        rc, out = gammu(g.rc, "identify")
        check_eq(rc, 0, "identify status")
        check("IMEI                 : 356938035643809" in out, out)
        fill_inbox(g.state)
        rc, out = gammu(g.rc, "geteachsms")
        check_eq(rc, 0, "geteachsms status")
        check_each(out)
        rc, out = gammu(g.rc, "deletesms", "1", "1")
        check_eq(rc, 0, "deletesms status")
        check(not os.path.exists(os.path.join(g.state, "inbox", "1.pdu")), "deleted")
        with open(os.path.join(g.state, "commands.log")) as f:
            cmds = [l.rstrip("\n").split("\t", 1)[1] for l in f]
        check_eq(cmds[-3:], ['AT+CPMS="SM"', "AT+CMGR=1", "AT+CMGD=1"], "delete sequence")


def test_gammu_send_and_ussd():
    have("gammu")
    with GammuEnv() as g:
        check_eq(gammu(g.rc, "sendsms", "TEXT", "+84912345678", "-text", "hello")[0], 0, "send")
        check_eq(gammu(g.rc, "sendsms", "TEXT", "+84912345678", "-unicode", "-text", EMOJI)[0], 0,
                 "send unicode")
        rc, _ = gammu(g.rc, "sendsms", "TEXT", "0912345678", "-len", "400", "-unicode",
                      "-report", "-text", LONG_VI)
        check_eq(rc, 0, "send multipart")
        with open(os.path.join(g.state, "sent.log")) as f:
            sent = [l.split() for l in f]
        check_eq([int(mr) for mr, _ in sent], [1, 2, 3, 4, 5], "message references")
        d = [mkpdu.decode_submit(h) for _, h in sent]
        check_eq((d[0]["number"], d[0]["text"], d[0]["coding"]), ("+84912345678", "hello", "gsm7"),
                 "first")
        check_eq((d[1]["text"], d[1]["coding"]), (EMOJI, "ucs2"), "unicode")
        check_eq(mkpdu.reassemble(d[2:]), LONG_VI, "multipart text")
        check(all(x["status_report_request"] for x in d[2:]), "-report sets SRR")
        check_eq([x["concat"]["seq"] for x in d[2:]], [1, 2, 3], "parts in order")
        with open(os.path.join(g.state, "faults.json"), "w") as f:
            json.dump({"error": {"AT+CMGS": "+CMS ERROR: 38"}, "once": True}, f)
        rc, out = gammu(g.rc, "sendsms", "TEXT", "+84912345678", "-text", "fail")
        check("error 38, message reference=-1" in out, "CMS 38 reaches gammu: %r" % out)
        rc, out = gammu(g.rc, "getussd", "*101#")
        check_eq(rc, 0, "getussd status")
        check('Service reply        : "Reply for *101#"' in out, out)


def test_gammu_unsolicited_inside_answers():
    have("gammu")
    with GammuEnv() as g:
        fill_inbox(g.state)
        with open(os.path.join(g.state, "faults.json"), "w") as f:
            json.dump({"unsolicited": {"AT+CMGL": ['+CMTI: "SM",3', "RING", "^BOOT:1,2,3"],
                                       "AT+CPMS": ["^RSSI:12"]}}, f)
        rc, out = gammu(g.rc, "geteachsms")
        check_eq(rc, 0, "geteachsms status")
        check_each(out)


def test_gammu_socat_pty():
    have("gammu")
    have("socat")
    with GammuEnv(pty=True) as g:
        fill_inbox(g.state)
        rc, out = gammu(g.rc, "geteachsms", timeout=120)
        check_eq(rc, 0, "geteachsms over the pty")
        check_each(out)
        rc, out = gammu(g.rc, "sendsms", "TEXT", "+84912345678", "-unicode", "-text", VIET,
                        timeout=120)
        with open(os.path.join(g.state, "sent.log")) as f:
            check_eq(mkpdu.decode_submit(f.read().split()[1])["text"], VIET, "sent over the pty")


if __name__ == "__main__":
    if "--tag" in sys.argv:
        # Nothing here depends on the build under test: say so (tests/run.sh counts a file
        # that ran no test and printed no SKIP line as a failure).
        print("SKIP test_emulator.py[%s] (no tipline binary involved)"
              % sys.argv[sys.argv.index("--tag") + 1], flush=True)
        sys.exit(0)
    run_tests(globals())
