"""USSD through the daemon (issue 11): the balance watch, low-balance warnings to officers,
held broadcasts, `tipline ussd` and `tipline status`. The daemon runs libGammu's real AT driver
against tests/emulator/atmodem.py (harness.AtEnv); the emulator's faults.json says what the
network answers."""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import AtEnv, check, check_eq, run_tests, running, wait_for  # noqa: E402

BALANCE = "TKC 12.345d, HSD 31/12/2026"
BALANCE_VI = "Tài khoản chính: 12.345đ, hạn sử dụng 31/12/2026. Gói cước: ST70K"
TOPUP_VI = "Quý khách vừa nạp 50.000đ. TKC mới: 62.345đ"
OFFICERS = ["+84911000001", "+84911000002"]
CARD = "739152864021"  # a scratch card's number: in no phone number or time used here


# The newest schema version: the number of the last schema file.
NEWEST = int(sorted(f for f in os.listdir(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "..", "..", "schema"))
                    if f.endswith(".sql"))[-1][:3])

def ussd_env(code="*101#", extra="", **kw):
    conf = ('ussd: { balance_code = "%s"; check_every = 3600; timeout = 5; %s };\n'
            'status: { every = 1; };\n' % (code, extra))
    return AtEnv(extra=conf + kw.pop("more", ""), **kw)


def status_json(env):
    p = env.cli("status", "--json")
    lines = p.stdout.decode().splitlines()
    check_eq(len(lines), 1, "status --json lines")
    return json.loads(lines[0])


def status_value(env, key):
    rows = env.query("SELECT value FROM status WHERE key = ?", (key,))
    return rows[0][0] if rows else None


def ussd(env, *args, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([harness.TIPLINE, "-c", env.conf, "ussd"] + list(args), capture_output=True,
                       cwd=env.dir, timeout=timeout * harness.SLOW)
    return (p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8"),
            time.monotonic() - t0)


def add_officers(env):
    for o in OFFICERS:
        env.cli("contact", "add", o, "--role", "officer")
    env.cli("contact", "add", "0911000003", "--village", "3")


def warnings_sent(env):
    return [m for m in env.sent() if m["to"] in OFFICERS and "Canh bao" in m["text"]]


def wait_daemon_up(env):
    wait_for(lambda: status_value(env, "modem") == "connected", 30, "the modem connected")


# ------------------------------------------------------------------ the balance watch

def test_balance_read_at_start_and_parsed():
    env = ussd_env()
    env.faults({"ussd": {"*101#": BALANCE}})
    with running(env):
        wait_for(lambda: status_value(env, "balance") == "12345", 30, "the balance read at start")
        rows = env.query("SELECT code, answer, status, asked_by, asked_at IS NOT NULL, "
                         "answered_at IS NOT NULL, balance FROM ussd_log")
        check_eq(rows, [("*101#", BALANCE, "answered", "daemon", 1, 1, 12345)], "ussd_log")
        check(status_value(env, "balance_at") is not None, "balance_at")
        s = status_json(env)
        check_eq((s["balance"]["amount"], s["balance"]["low"]), (12345, False), "status balance")
        # The code went out through libGammu's AT driver as AT+CUSD (in UCS-2, as it selects).
        check('AT+CUSD=1,"002A0031003000310023",15' in env.commands(), "AT+CUSD sent")


def test_low_balance_warns_each_officer_once_per_crossing():
    # Checked at start, then twice by hand (the balance code asked through `tipline ussd` is a
    # balance check like the daemon's own), then after a restart: one warning per officer.
    env = ussd_env()
    env.faults({"ussd": {"*101#": "TKC 5.000d, HSD 31/12/2026"}})
    with running(env, start=False):
        add_officers(env)
        env.start()
        wait_for(lambda: status_value(env, "balance") == "5000", 30, "the low balance read")
        wait_for(lambda: len(warnings_sent(env)) == 2, 30, "both officers warned")
        for _ in range(2):
            rc, out, err, _ = ussd(env, "*101#")
            check_eq((rc, out.strip()), (0, "TKC 5.000d, HSD 31/12/2026"), "a check by hand: " + err)
        check_eq(env.scalar("SELECT count(*) FROM ussd_log WHERE balance = 5000"), 3, "three checks")
        check_eq(env.stop(), 0, "stopped")
        env.start()
        wait_for(lambda: env.scalar("SELECT count(*) FROM ussd_log WHERE balance = 5000") == 4, 30,
                 "the check at the restart")
        rc, out, err, _ = ussd(env, "*101#")  # and one more, after the restart
        check_eq(rc, 0, err)
        # Everything the daemon sends goes through the outbox: once it is empty, nothing more
        # was queued for the officers.
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status != 'sent'") == 0, 20,
                 "the outbox empty")
        w = warnings_sent(env)
        check_eq(sorted(m["to"] for m in w), OFFICERS, "one warning per officer across 5 checks")
        check("5000" in w[0]["text"] and "10000" in w[0]["text"], w[0]["text"])
        check(not [m for m in env.sent() if m["to"] == "+84911000003"], "villagers are not told")
        check_eq(env.scalar("SELECT count(*) FROM alerts WHERE kind = 'balance_low'"), 1, "one alert")
        check_eq(status_value(env, "balance_low"), "1", "the state kept")
        # Back above the threshold, then below again: a new crossing, a new warning each.
        env.faults({"ussd": {"*101#": "TKC 20.000d"}})
        check_eq(ussd(env, "*101#")[0], 0, "above")
        check_eq(status_value(env, "balance_low"), "0", "above again")
        check_eq(len(warnings_sent(env)), 2, "no warning when it comes back above")
        env.faults({"ussd": {"*101#": "TKC 4.000d"}})
        check_eq(ussd(env, "*101#")[0], 0, "below again")
        wait_for(lambda: len(warnings_sent(env)) == 4, 30, "the second crossing warned")
        check("4000" in warnings_sent(env)[-1]["text"], warnings_sent(env)[-1]["text"])


# ------------------------------------------------------------------ held broadcasts

def test_broadcast_held_then_released_and_replies_never_held():
    # Balance 11.000, reserve 10.000: 1.000 to spend at 350 a part. Two recipients (700) go;
    # three (1.050) are held.
    env = ussd_env()
    env.faults({"ussd": {"*101#": "TKC 11.000d"}})
    with running(env, start=False):
        for i in range(1, 4):
            env.cli("contact", "add", "091100010%d" % i, "--village", "3")
        for i in range(1, 3):
            env.cli("contact", "add", "091100020%d" % i, "--village", "4")
        env.start()
        wait_for(lambda: status_value(env, "balance") == "11000", 30, "the balance")
        out = env.cli("broadcast", "--group", "THON4", "Hop to 19h").stdout.decode()
        check("B1 queued: 2 recipients" in out, out)
        out = env.cli("broadcast", "--group", "THON3", "Hop thon 3 luc 19h").stdout.decode()
        check("B2 held: estimated cost 1050" in out and "release B2" in out, out)
        check_eq(env.query("SELECT status, recipients FROM broadcasts ORDER BY id"),
                 [("active", 2), ("held", 3)], "broadcast states")
        check_eq(env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = 2"), 0,
                 "nothing of the held one queued")
        listing = [json.loads(l) for l in
                   env.cli("broadcast", "list", "--json").stdout.decode().splitlines()]
        check_eq(listing[1]["status"], "held", "list status")
        check("exceeds the balance 11000 minus the reserve 10000" in listing[1]["held_reason"],
                listing[1])
        check_eq(listing[0]["held_reason"], None, "the one sent has no reason")
        show = env.cli("broadcast", "show", "B2").stdout.decode()
        check(re.search(r"held_reason\s+estimated cost 1050", show), show)
        # A tip is acknowledged at once although the balance is low: replies are never held.
        env.sms("+84911000999", "TIN co nguoi la o thon 3", when="2026-11-26 08:00:00")
        wait_for(lambda: [m for m in env.sent() if m["to"] == "+84911000999"], 30, "the ack")
        wait_for(lambda: len([m for m in env.sent() if m["text"] == "Hop to 19h"]) == 2, 30,
                 "the broadcast under the budget sent")
        check(not [m for m in env.sent() if m["text"] == "Hop thon 3 luc 19h"], "held: not sent")
        out = env.cli("broadcast", "release", "B2").stdout.decode()
        check("B2 released: 3 messages queued" in out, out)
        wait_for(lambda: len([m for m in env.sent() if m["text"] == "Hop thon 3 luc 19h"]) == 3,
                 30, "the released broadcast sent")
        check_eq(env.query("SELECT status, released_at IS NOT NULL FROM broadcasts WHERE id = 2"),
                 [("active", 1)], "released")
        p = env.cli("broadcast", "release", "B2", check_rc=False)
        check_eq(p.returncode, 1, "releasing it twice")
        check("not held" in p.stderr.decode(), p.stderr)
        p = env.cli("broadcast", "release", check_rc=False)
        check_eq(p.returncode, 2, "release without an ID")
        # By SMS: the officer's TB is held too, and the reply (never held) says so.
        env.cli("contact", "add", OFFICERS[0], "--role", "officer", "--pin", "2468")
        env.sms(OFFICERS[0], "TB 2468 THON3 Hop gap luc 20h", when="2026-11-26 08:05:00")
        wait_for(lambda: [m for m in env.sent() if m["to"] == OFFICERS[0]], 30, "the TB reply")
        reply = [m for m in env.sent() if m["to"] == OFFICERS[0]][0]["text"]
        check("B3" in reply and "tam giu" in reply and "1050" in reply, reply)
        check_eq(env.scalar("SELECT status FROM broadcasts WHERE id = 3"), "held", "TB held")
        check(not [m for m in env.sent() if m["text"] == "Hop gap luc 20h"], "not sent")


# ------------------------------------------------------------------ tipline ussd

def test_cli_ussd_answer_not_supported_timeout_more_input_and_card():
    env = ussd_env(code="")  # no balance checks: only what the CLI asks
    env.faults({"ussd": {"*101#": BALANCE, "*103#": None, "*104#": {"no_answer": True},
                         "*105#": {"text": "Chon 1 de nap the, 2 de dang ky goi", "status": 1},
                         "*100*%s#" % CARD: "Nap the thanh cong. TKC moi: 62.345d"}})
    with running(env):
        wait_daemon_up(env)
        times = []
        for _ in range(3):
            rc, out, err, t = ussd(env, "*101#")
            check_eq((rc, out), (0, BALANCE + "\n"), "answer: " + err)
            times.append(t)
        print("tipline ussd round trip: %s s (poll 0.05 s, the emulator answers after 0.1 s)"
              % ", ".join("%.2f" % t for t in times), file=sys.stderr)
        check(min(times) < 3 * harness.SLOW, "round trip %r" % times)
        rc, out, err, t = ussd(env, "*103#")
        check_eq((rc, out), (1, ""), "not supported: " + err)
        check('*103#: the network answered "not supported"' in err, err)
        rc, out, err, t = ussd(env, "*104#", "--timeout", "2")
        check_eq(rc, 1, "timeout")
        check("no answer from the network in 2 s" in err, err)
        check(2 <= t < 2 + 5 * harness.SLOW, "the timeout took %.1f s" % t)
        n = len(env.commands())
        rc, out, err, t = ussd(env, "*105#")
        check_eq((rc, out.strip()), (0, "Chon 1 de nap the, 2 de dang ky goi"), "more input")
        check("more input" in err and "cancelled" in err, err)
        check("AT+CUSD=2" in env.commands()[n:], "the session cancelled")
        rc, out, err, t = ussd(env, "*100*%s#" % CARD)
        check_eq(rc, 0, "top-up: " + err)
        check_eq(out.strip(), "Nap the thanh cong. TKC moi: 62.345d", "top-up answer")
        check_eq(env.query("SELECT code, status, asked_by LIKE 'cli:%' FROM ussd_log ORDER BY id"),
                 [("*101#", "answered", 1)] * 3 +
                 [("*103#", "not-supported", 1), ("*104#", "timeout", 1),
                  ("*105#", "more-input", 1), ("*100*" + "*" * len(CARD) + "#", "answered", 1)],
                 "ussd_log")
        check_eq(env.query("SELECT status FROM ussd_requests ORDER BY id"), [("done",)] * 7,
                 "requests done")
        # The card number is in no row, nor in the database file or its WAL, nor in the log.
        check_eq(env.scalar("SELECT count(*) FROM ussd_requests WHERE code LIKE ?",
                            ("%" + CARD + "%",)), 0, "requests redacted")
        for name in os.listdir(env.dir):
            if name.startswith("tipline.db"):
                with open(os.path.join(env.dir, name), "rb") as f:
                    check(CARD.encode() not in f.read(), "the card number in %s" % name)
        check(CARD not in env.log_text(), "the card number in the daemon's log")
        # Bad arguments: one line and the usage, exit 2.
        for args in ((), ("abc",), ("*101#", "--timeout", "0"), ("*101#", "*102#")):
            rc, out, err, t = ussd(env, *args)
            check_eq(rc, 2, "exit status of ussd %r" % (args,))
            check(err.startswith("tipline: ") and "usage:" in err.splitlines()[1], err)


def test_cli_ussd_ucs2_vietnamese_answer_and_its_balance():
    env = ussd_env(code="*102#", extra='balance_pattern = "chính: ([0-9.,]+)đ";')
    env.faults({"ussd": {"*102#": BALANCE_VI}})
    with running(env):
        wait_for(lambda: status_value(env, "balance") == "12345", 30, "the balance in Vietnamese")
        rc, out, err, t = ussd(env, "*102#")
        check_eq((rc, out), (0, BALANCE_VI + "\n"), "UCS-2 answer: " + err)
        check_eq([r[0] for r in env.query("SELECT answer FROM ussd_log")], [BALANCE_VI] * 2,
                 "stored in UTF-8")
        check_eq(env.scalar("SELECT count(*) FROM ussd_log WHERE balance = 12345"), 2, "parsed")


def test_cli_ussd_without_a_running_daemon():
    env = ussd_env(code="")
    with running(env, start=False):
        rc, out, err, t = ussd(env, "*101#")
        check_eq(rc, 1, "never started")
        check("the daemon is not running" in err, err)
        check(t < 5 * harness.SLOW, "said at once (%.1f s)" % t)
        env.start()
        wait_daemon_up(env)
        check_eq(ussd(env, "*101#")[0], 0, "running")
        check_eq(env.stop(), 0, "stopped")
        rc, out, err, t = ussd(env, "*101#")
        check_eq(rc, 1, "stopped cleanly")
        check("not running (stopped at" in err, err)
        # Killed: the heartbeat goes stale within two intervals (1 s each here) and a second.
        env.start()
        wait_daemon_up(env)
        wait_for(lambda: status_json(env)["daemon"]["running"], 30, "running again")
        env.stop(sig=signal.SIGKILL)
        t0 = time.monotonic()
        wait_for(lambda: ussd(env, "*101#")[0] == 1, 10, "a killed daemon noticed")
        rc, out, err, t = ussd(env, "*101#")
        check("not running (last heartbeat" in err, err)
        check(time.monotonic() - t0 < 6 * harness.SLOW, "noticed within %.1f s" % (time.monotonic() - t0))
        check_eq(env.scalar("SELECT count(*) FROM ussd_requests WHERE status = 'queued'"), 0,
                 "no request left queued")


def test_network_initiated_notice_stored():
    env = ussd_env(code="")
    env.faults({"ussd_notify": [TOPUP_VI]})
    with running(env):
        wait_for(lambda: env.query("SELECT code, answer, status, network_status, asked_by FROM "
                                   "ussd_log"), 30, "the notice stored")
        check_eq(env.query("SELECT code, answer, status, network_status, asked_by, "
                           "asked_at = answered_at FROM ussd_log"),
                 [(None, TOPUP_VI, "notice", 0, "network", 1)], "notice")


# ------------------------------------------------------------------ tipline status

def test_status_with_and_without_the_daemon():
    env = ussd_env()
    env.emu_args = " --manufacturer Quectel --model EC25"
    env.write_conf(poll=0.05, backoff_max=2, multipart_timeout=3600, read_batch=50,
                   extra='ussd: { balance_code = "*101#"; check_every = 3600; };\n'
                         'status: { every = 1; };\n')
    env.faults({"ussd": {"*101#": BALANCE}, "csq": 9, "creg": 5, "operator": "Vinaphone",
                "mccmnc": "45202"})
    with running(env, start=False):
        s = status_json(env)  # the CLI creates the database: nothing measured yet
        check_eq((s["daemon"]["running"], s["daemon"]["started_at"], s["balance"]["amount"],
                  s["database"]["schema_version"]), (False, None, None, NEWEST), "before any daemon")
        out = env.cli("status").stdout.decode()
        check("not running (never started" in out, out)
        env.start()
        wait_for(lambda: status_json(env)["modem"]["signal_percent"] == 27, 30, "health read")
        t_health = time.monotonic()
        wait_for(lambda: status_json(env)["balance"]["amount"] == 12345, 30, "balance")
        env.cli("broadcast", "--group", "TATCA", "--at", "2099-01-01 08:00", "Chuc mung nam moi",
                check_rc=False)  # nobody subscribed yet: refused, nothing queued
        env.cli("contact", "add", "0911000003", "--village", "3")
        t_queued = time.time()
        env.cli("broadcast", "--group", "THON3", "--at", "2099-01-01 08:00", "Chuc mung nam moi")
        env.query("SELECT 1")  # noqa: the CLI wrote it; the alerts row below is another writer's
        con = __import__("sqlite3").connect(env.db, timeout=10)
        con.execute("INSERT INTO alerts (kind, subject, raised_at) VALUES ('patrol_overdue', '7', "
                    "datetime('now'))")
        # The queued row made an hour older (its age must be measured, not merely >= 0).
        con.execute("UPDATE outbox SET created_at = datetime(created_at, '-3600 seconds') "
                    "WHERE status = 'queued'")
        con.commit()
        con.close()
        s = status_json(env)
        t_status = time.time()
        d, m = s["daemon"], s["modem"]
        check(d["running"] and d["pid"] == env.proc.pid and d["started_at"], d)
        check_eq({k: m[k] for k in ("state", "manufacturer", "model", "operator", "operator_code",
                                    "registration", "signal_percent", "signal_dbm", "sim_used",
                                    "sim_total")},
                 {"state": "connected", "manufacturer": "Quectel", "model": "EC25",
                  "operator": "Vinaphone", "operator_code": "452 02", "registration": "roaming",
                  "signal_percent": 27, "signal_dbm": -95, "sim_used": 0, "sim_total": 30},
                 "modem")
        check(m["connected_since"] and m["health_at"] and s["last_poll"], s)
        age = s["outbox"]["oldest_queued_age_s"]
        check_eq((s["outbox"].get("queued"), 3600 - 1 <= age <= 3600 + (t_status - t_queued) + 1),
                 (1, True), "outbox (oldest queued %r s old, want an hour and the test's seconds)" % age)
        check_eq(s["alerts_open"], 1, "open alerts")
        check(s["database"]["size_bytes"] > 0, s["database"])
        out = env.cli("status").stdout.decode()
        for want in ("running since", "Quectel EC25", "Vinaphone (452 02), roaming",
                     "27 % (-95 dBm)", "0 / 30 used", "queued 1", "balance:      12345",
                     "alerts open:  1", "schema %d" % NEWEST):
            check(want in out, "%r in %s" % (want, out))
        # The health is read every status.every (1 s), not every poll (0.05 s): across two
        # refreshes (about two seconds, some forty polls) two or three AT+CSQ, where a read
        # per poll would make dozens.
        env.faults({"ussd": {"*101#": BALANCE}, "csq": 31, "creg": 1})
        wait_for(lambda: status_json(env)["modem"]["signal_percent"] == 100, 10, "signal refreshed")
        at = lambda: env.scalar("SELECT updated_at FROM status WHERE key = 'modem_health_at'")
        h1, n1 = at(), len(env.commands())
        h2 = wait_for(lambda: at() != h1 and at(), 10, "a health read")
        wait_for(lambda: at() != h2, 10, "another health read")
        cmds = env.commands()[n1:]
        csq = sum(1 for c in cmds if c == "AT+CSQ")
        check(1 <= csq <= 3, "%d AT+CSQ across two refreshes (%d commands)" % (csq, len(cmds)))
        check_eq(env.stop(), 0, "stopped")
        s = status_json(env)
        check_eq((s["daemon"]["running"], s["daemon"]["heartbeat_at"], bool(s["daemon"]["stopped_at"])),
                 (False, None, True), "after a clean stop")
        check_eq(s["balance"]["amount"], 12345, "the last balance is still shown")
        check("not running (stopped at" in env.cli("status").stdout.decode(), "text after stop")
        p = env.cli("status", "extra", check_rc=False)
        check_eq(p.returncode, 2, "bad argument")


# ------------------------------------------------------------------ configuration

def test_bad_ussd_configuration_fails_at_start_with_its_line():
    env = AtEnv()
    cases = [
        ('ussd: {\n  balance_pattern = "TKC ([0-9.,+";\n};\n', "ussd.balance_pattern",
         "is not a POSIX extended regular expression"),
        ('ussd: {\n  balance_pattern = "TKC [0-9]+";\n};\n', "ussd.balance_pattern", "has no group"),
        ('ussd: {\n  check_every = 5;\n};\n', "ussd.check_every", "out of range"),
        ('ussd: {\n  balance_code = "abc";\n};\n', "ussd.balance_code", "is not a USSD code"),
        ('status: {\n  every = 0;\n};\n', "status.every", "out of range"),
    ]
    try:
        for text, name, what in cases:
            env.write_conf(poll=0.05, backoff_max=2, multipart_timeout=3600, read_batch=50,
                           extra=text)
            lines = open(env.conf).read().splitlines()
            line = next(i + 1 for i, l in enumerate(lines) if name.split(".")[1] in l)
            p = subprocess.run([harness.TIPLINED, "-n", "-c", env.conf], capture_output=True)
            err = p.stderr.decode()
            check_eq(p.returncode, 1, "exit status for %r" % text)
            check(("%s:%d: %s" % (env.conf, line, name)) in err and what in err, err)
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
