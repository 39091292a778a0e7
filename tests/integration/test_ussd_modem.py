"""The modem layer's USSD, health read and decoding fixes (issue 11), against libGammu's real
AT driver talking to tests/emulator/atmodem.py, and the dummy phone.

Until the daemon and the CLI use modem_ussd/modem_health, build/tools/modem_probe drives
src/modem.c directly (see its header): each step prints one JSON line, checked here. The
decoding fixes are checked both through the probe (what modem_read returns) and through the
real daemon (what the inbox stores).
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (ATMODEM, AtEnv, TestFailure, check, check_eq, mkpdu, run_tests,  # noqa: E402
                     running)

BALANCE = "TKC 12.345d, HSD 31/12/2026"
BALANCE_VI = "Tài khoản chính: 12.345đ, hạn sử dụng 31/12/2026. Gói cước: ST70K"
TOPUP_VI = "Quý khách vừa nạp 50.000đ. TKC mới: 62.345đ"


class Emu(harness.EmuState):
    """A state directory for the emulator, and modem_probe runs against it."""

    def __init__(self, emu_args=""):
        self.tmp = tempfile.TemporaryDirectory(prefix="tipline-ussd-")
        self.state = os.path.join(self.tmp.name, "st")
        os.makedirs(os.path.join(self.state, "inbox"))
        self.device = "%s %s --state %s %s" % (sys.executable, ATMODEM, self.state, emu_args)

    def probe(self, *steps, opts=(), timeout=60):
        return probe(self.device, "proxyat", "at", *steps, opts=opts, timeout=timeout)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.tmp.cleanup()


def probe(device, connection, model, *steps, opts=(), timeout=60):
    """Run modem_probe; -> its JSON lines as dicts. Killed (and failed) after TIMEOUT s:
    libGammu spins forever if its proxy child dies, so never without a bound."""
    exe = os.path.join(harness.BUILD, "tools", "modem_probe")
    check(os.access(exe, os.X_OK), "%s is not built (make all builds it)" % exe)
    cmd = [exe] + list(opts) + [device, connection, model] + [str(s) for s in steps]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout * harness.SLOW)
    except subprocess.TimeoutExpired:
        raise TestFailure("modem_probe %s did not finish in %d s" % (" ".join(steps), timeout))
    if p.returncode != 0:
        raise TestFailure("modem_probe exited %d: %s" % (p.returncode,
                                                         p.stderr.decode("utf-8", "replace")))
    return [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]


def one(rows, op):
    got = [r for r in rows if r["op"] == op]
    check_eq(len(got), 1, "%s lines in %r" % (op, rows))
    return got[0]


# ------------------------------------------------------------------ USSD on the AT driver

def test_ussd_gsm7_and_ucs2_answers():
    with Emu() as e:
        e.faults({"ussd": {"*101#": BALANCE, "*102#": BALANCE_VI}})
        rows = e.probe("ussd", "*101#", 10, "ussd", "*102#", 10)
        check_eq([(r["result"], r["text"]) for r in rows],
                 [("answered", BALANCE), ("answered", BALANCE_VI)], "answers")
        cmds = e.commands()
        # libGammu selects UCS-2 for USSD: the code goes out as hex UTF-16, and the GSM-7
        # answer (dcs 15) comes back in that character set.
        check('AT+CSCS="UCS2"' in cmds, "UCS2 selected: %r" % cmds[-12:])
        check('AT+CUSD=1,"002A0031003000310023",15' in cmds, "*101# in UCS-2: %r" % cmds[-12:])
        check("AT+CUSD=1" in cmds, "presentation switched on")
        # The emulator answers 100 ms after the OK; the round trip adds little to that.
        for r in rows:
            check(r["ms"] < 1500 * harness.SLOW, "round trip %d ms" % r["ms"])
        print("ussd round trip: %d ms, %d ms (the emulator waits 100 ms)"
              % (rows[0]["ms"], rows[1]["ms"]), file=sys.stderr)


def test_ussd_not_supported_and_more_input():
    with Emu() as e:
        e.faults({"ussd": {"*103#": None,
                           "*105#": {"text": "Chọn 1 để nạp thẻ, 2 để đăng ký gói", "status": 1},
                           "*101#": BALANCE}})
        rows = e.probe("ussd", "*103#", 10, "ussd", "*105#", 10, "ussd", "*101#", 10)
        check_eq([(r["result"], r["text"]) for r in rows],
                 [("not-supported", ""), ("more-input", "Chọn 1 để nạp thẻ, 2 để đăng ký gói"),
                  ("answered", BALANCE)], "results")
        check("not supported" in rows[0]["error"], rows[0]["error"])
        cmds = e.commands()
        i = cmds.index('AT+CUSD=1,"002A0031003000350023",15')
        j = cmds.index('AT+CUSD=1,"002A0031003000310023",15')
        check("AT+CUSD=2" in cmds[i:j], "the session asking for more input is cancelled: %r"
              % cmds[i:j])
        check("AT+CUSD=2" not in cmds[:i], "no cancel after 'not supported': %r" % cmds[:i])


def test_ussd_timeout_is_bounded():
    with Emu() as e:
        e.faults({"ussd": {"*104#": {"no_answer": True}, "*101#": BALANCE}})
        rows = e.probe("ussd", "*104#", 2, "ussd", "*101#", 10)
        check_eq([r["result"] for r in rows], ["timeout", "answered"], "results")
        ms = rows[0]["ms"]
        check(2000 <= ms < 2000 + 700 * harness.SLOW, "timeout after %d ms, want 2 s" % ms)
        cmds = e.commands()
        i = cmds.index('AT+CUSD=1,"002A0031003000340023",15')
        check("AT+CUSD=2" in cmds[i:], "the silent session is cancelled")
        check_eq(rows[1]["text"], BALANCE, "the next request after a timeout")


def test_ussd_modem_that_never_acknowledges():
    # The modem takes AT+CUSD and says nothing, not even OK: the watchdog aborts the call at
    # the USSD timeout (2 s), well before its own 10 s; the connection is then gone.
    with Emu() as e:
        e.faults({"hang": "AT+CUSD=1,"})
        rows = e.probe("ussd", "*101#", 2, "health", opts=("-w", "10"))
        u, h = rows
        check_eq(u["result"], "timeout", "result")
        check(2000 <= u["ms"] < 3500 * harness.SLOW, "aborted after %d ms, want 2 s" % u["ms"])
        check("did not take the request" in u["error"], u["error"])
        check_eq(h["rc"], -1, "the aborted connection is lost for the next call")


def test_ussd_network_initiated_notices():
    with Emu() as e:
        e.faults({"ussd_notify": [{"text": TOPUP_VI}, "KM: tang 20% the nap hom nay",
                                  {"text": "Bam 1 de nhan qua", "status": 1}]})
        rows = e.probe("listen", 5000, opts=("-n",))
        notes = [(r["status"], r["text"]) for r in rows if r["op"] == "notice"]
        check_eq(notes, [(0, TOPUP_VI), (0, "KM: tang 20% the nap hom nay"),
                         (1, "Bam 1 de nhan qua")], "notices")
        check(one(rows, "listen")["ms"] < 4000 * harness.SLOW, "listen returns once delivered")
        check("ussd_notify" not in (e.read_faults() or {}), "the emulator sent them")


def test_ussd_notice_during_other_calls_and_answer_apart():
    # A notice read inside another call (here the health read, slowed so that the emulator
    # sends it meanwhile) is queued and delivered by the next modem_listen; the answer to a
    # request that follows is not taken for a notice.
    with Emu() as e:
        e.faults({"ussd": {"*101#": {"text": BALANCE, "delay_ms": 300}}})
        rows = e.probe("ussd", "*101#", 10, "listen", 500, opts=("-n",))
        check_eq([r["op"] for r in rows], ["ussd", "listen"], "no notice from an answer")
        e.faults({"ussd": {"*101#": BALANCE}, "ussd_notify": [TOPUP_VI], "delay_ms": 40})
        rows = e.probe("health", "listen", 0, "ussd", "*101#", 10, "listen", 500,
                       opts=("-n",))
        check_eq([r["op"] for r in rows], ["health", "notice", "listen", "ussd", "listen"],
                 "order")
        check_eq(rows[1]["text"], TOPUP_VI, "the notice")
        check_eq(rows[3]["text"], BALANCE, "the answer")


def test_ussd_no_presentation_without_listener():
    # Presentation is off until someone asks: a connection without a listener sends no
    # AT+CUSD at all (the daemon's connect sequence is unchanged until it listens).
    with Emu() as e:
        e.probe("health")
        check(not [c for c in e.commands() if c.startswith("AT+CUSD")], "no AT+CUSD")
        e.probe("health", opts=("-n",))
        check("AT+CUSD=1" in e.commands(), "a listener switches presentation on at connect")


# ------------------------------------------------------------------ health

def test_health_read():
    with Emu("--manufacturer Quectel --model EC25 --capacity 20") as e:
        for i in range(3):
            mkpdu().drop_into_inbox(e.state, mkpdu().deliver_pdu("tin %d" % i, "+84912345678",
                                                                 "2026-11-26 08:00:00"))
        e.faults({"csq": 9, "creg": 5, "operator": "Vinaphone", "mccmnc": "45202"})
        h = one(e.probe("health"), "health")
        check_eq({k: h[k] for k in ("rc", "have", "manufacturer", "model", "operator_name",
                                    "operator_code", "reg", "signal_percent", "signal_dbm",
                                    "sim_used", "sim_total")},
                 {"rc": 0, "have": 15, "manufacturer": "Quectel", "model": "EC25",
                  "operator_name": "Vinaphone", "operator_code": "452 02", "reg": "roaming",
                  "signal_percent": 27, "signal_dbm": -95, "sim_used": 3, "sim_total": 20},
                 "health")
        e.faults({"csq": 99, "creg": 0})
        h = one(e.probe("health"), "health")
        check_eq((h["reg"], h["operator_name"], h["operator_code"], h["signal_percent"],
                  h["signal_dbm"]), ("none", "", "", -1, 0), "no network, no signal")
        e.faults({"csq": [31, 0], "creg": 1})
        h = one(e.probe("health"), "health")
        check_eq((h["reg"], h["operator_name"], h["operator_code"], h["signal_percent"],
                  h["signal_dbm"]), ("home", "Viettel", "452 04", 100, -51), "home, full signal")
        # Signal and slots are two AT commands of the whole read.
        cmds = e.commands()
        check_eq(sum(1 for c in cmds if c == "AT+CSQ"), 3, "one AT+CSQ per read")


# ------------------------------------------------------------------ the simulated phone

def test_ussd_on_the_dummy_phone():
    with tempfile.TemporaryDirectory(prefix="tipline-ussd-dummy-") as d:
        os.makedirs(os.path.join(d, "ussd"))
        for code, line in (("*101#", "0 " + BALANCE), ("*102#", "1 Chọn gói"),
                           ("*103#", "4"), ("*104#", "-")):
            with open(os.path.join(d, "ussd", code), "w") as f:
                f.write(line + "\n")
        rows = probe(d, "none", "dummy", "ussd", "*101#", 5, "ussd", "*102#", 5, "ussd", "*103#",
                     5, "ussd", "*104#", 1, "ussd", "*999#", 5, "health")
        check_eq([(r["result"], r["text"]) for r in rows[:5]],
                 [("answered", BALANCE), ("more-input", "Chọn gói"), ("not-supported", ""),
                  ("timeout", ""), ("answered", "Reply for *999#")], "dummy answers")
        check(1000 <= rows[3]["ms"] < 1600 * harness.SLOW, "timeout %d ms" % rows[3]["ms"])
        check_eq((rows[5]["manufacturer"], rows[5]["signal_percent"], rows[5]["reg"]),
                 ("Gammu", 42, "home"), "dummy health")


# ------------------------------------------------------------------ decoding faults

ALNUM = ["VIETTEL_DV", "VN@PAY", "@HOME", "ΔBANK £$", "Shop{1}€", "MobiFone", "VT_KM@"]


def alnum_pdus():
    return [mkpdu().deliver_pdu("TKC 12.345d, HSD 31/12/2026", s, "2026-11-26 08:00:%02d" % i)
            for i, s in enumerate(ALNUM)]


# Two-part messages whose header libGammu types after a port: MMS indicator (2948/9200),
# WAP (49999), ringtone (5505), operator logo (5506). Concatenation: ref, 2 parts, seq.
MULTI = [("0B05040B8423F00003%02X02%02X", 0xA7, "+84987650001"),
         ("0B0504C34F00000003%02X02%02X", 0x11, "+84987650002"),
         ("0B0504158100000003%02X02%02X", 0x22, "+84987650003"),
         ("0B0504158200000003%02X02%02X", 0x33, "+84987650004")]


def multi_pdus():
    out = []
    for udh, ref, sender in MULTI:
        for seq in (2, 1):  # the second part first
            out.append(mkpdu().deliver_pdu("part %d of %s " % (seq, sender), sender,
                                           "2026-11-26 08:01:00", coding="8bit",
                                           udh=udh % (ref, seq)))
    return out


def test_alphanumeric_senders_and_port_multipart_read():
    with Emu() as e:
        for h in alnum_pdus() + multi_pdus():
            mkpdu().drop_into_inbox(e.state, h)
        parts = [r for r in e.probe("read") if r["op"] == "part"]
        check_eq([p["sender"] for p in parts[:len(ALNUM)]], ALNUM, "alphanumeric senders")
        got = sorted((p["sender"], p["ref"], p["total"], p["seq"]) for p in parts[len(ALNUM):])
        want = sorted((s, ref, 2, seq) for _, ref, s in MULTI for seq in (1, 2))
        check_eq(got, want, "every multipart type numbered")


def test_daemon_stores_alphanumeric_senders_and_joins_port_multipart():
    with running(AtEnv()) as env:
        for h in alnum_pdus() + multi_pdus():
            mkpdu().drop_into_inbox(env.state, h)
        env.wait_drained(len(ALNUM) + len(MULTI), timeout=60)
        senders = [r[0] for r in env.query("SELECT sender FROM inbox WHERE parts_total = 1 "
                                           "ORDER BY id")]
        check_eq(sorted(senders), sorted(ALNUM), "stored senders")
        rows = env.query("SELECT sender, parts, parts_total, complete, text FROM inbox "
                         "WHERE parts_total > 1 ORDER BY sender")
        want = [(s, 2, 2, 1, ("part 1 of %s part 2 of %s " % (s, s)).encode().hex().upper())
                for _, _, s in sorted(MULTI, key=lambda m: m[2])]
        check_eq(rows, want, "one joined row per two-part message")


if __name__ == "__main__":
    run_tests(globals())
