"""Missed check-in alerts and the clock-skew watch, through the real daemon on the dummy phone:
messages only through `tipline sim send --time` (an overdue patrol is one whose TUAN BD carries
an SMSC time hours in the past, which the daemon trusts), alerts read back from the simulated
phone's sent folder. Alerts fire once and only once, across SIGTERM, SIGKILL and a crash at the
commit; a team's expected night is judged on local days."""
import contextlib
import datetime
import json
import re
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running, sent_messages, wait_for  # noqa: E402

LEADER3 = "+84987000003"
LEADER7 = "+84987000007"
OFFICER1 = "+84987000011"
OFFICER2 = "+84987000012"
OFFICERS = (OFFICER1, OFFICER2)
CONF = "patrol: { max_hours = 6; check_every = 1; };"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@contextlib.contextmanager
def zone(tz):
    """TZ for the daemon, the CLI and this test's own local dates."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def utc(t):
    """Seconds since the epoch as the SMSC time text `sim send --time` takes (UTC)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def local_to_utc(s):
    """'YYYY-MM-DD HH:MM' in the current zone as UTC text."""
    return utc(time.mktime(time.strptime(s, "%Y-%m-%d %H:%M")))


def yesterday():
    """Yesterday's local date and its day name (mon ... sun)."""
    d = datetime.date.fromtimestamp(time.time()) - datetime.timedelta(days=1)
    return d.isoformat(), DAYS[d.weekday()]


def alerts_sent(env):
    return [m for m in sent_messages(env) if m["text"].startswith("Canh bao")]


def checks(env):
    return env.log_text().count("alerts: checked")


def more_checks(env, n=2):
    """Wait until the daemon has run its check N more times (a deadline, not a sleep)."""
    start = checks(env)
    wait_for(lambda: checks(env) >= start + n, 15, "%d more alert checks" % n)


def prepare(env):
    """Contacts, expected nights and the messages waiting on the phone before the daemon
    starts (all read in its first poll, before its first check). Returns what must fire."""
    now = time.time()
    day, name = yesterday()
    env.cli("contact", "add", LEADER3, "--role", "leader", "--team", "TQ3")
    env.cli("contact", "add", LEADER7, "--role", "leader", "--team", "TQ7")
    for o in OFFICERS:
        env.cli("contact", "add", o, "--role", "officer")
    for team in ("TQ4", "TQ5", "TQ6"):
        env.cli("team", "set", team, "--nights", name, "--by", "21:00")
    # TQ3 went out 7 hours ago and never came back: overdue (max_hours 6).
    env.sms(LEADER3, "TUAN BD 5 tuyen thon 1", when=utc(now - 7 * 3600))
    # TQ7 went out as long ago but came back, and went out again 2 hours ago: nothing.
    env.sms(LEADER7, "TUAN BD 4", when=utc(now - 8 * 3600))
    env.sms(LEADER7, "TUAN KT", when=utc(now - 7 * 3600))
    env.sms(LEADER7, "TUAN BD 3", when=utc(now - 2 * 3600))
    # TQ5 went out at 06:00 local on its night: the previous UTC day in Vietnam. No alert.
    env.sms(OFFICER1, "TUAN BD TQ5 3", when=local_to_utc(day + " 06:00"))
    env.sms(OFFICER1, "TUAN KT TQ5", when=local_to_utc(day + " 07:00"))
    # TQ6 went out at 21:30, after its hour: missed. TQ4 never went out: missed.
    env.sms(OFFICER2, "TUAN BD TQ6 3", when=local_to_utc(day + " 21:30"))
    env.sms(OFFICER2, "TUAN KT TQ6", when=local_to_utc(day + " 22:30"))
    return day


def check_fired(env, day):
    """Exactly the three alerts, each SMS once: the overdue patrol to TQ3's leader and both
    officers, each missed night to the officers."""
    got = sorted((m["to"], m["text"]) for m in alerts_sent(env))
    overdue = [t for _, t in got if "TQ3" in t]
    check_eq(sorted(to for to, t in got if "TQ3" in t), sorted([LEADER3] + list(OFFICERS)),
             "overdue patrol SMS recipients")
    start = time.strftime("%H:%M", time.localtime(time.time() - 7 * 3600))
    check(all("luc" in t and "TUAN KT TQ3" in t for t in overdue), overdue)
    # The start's local time, within a minute of the test's clock.
    check(any(start in t or time.strftime("%H:%M", time.localtime(time.time() - 7 * 3600 - 60)) in t
              for t in overdue), "the start in local time (%s) in %r" % (start, overdue[0]))
    ddmm = day[8:10] + "/" + day[5:7]
    for team in ("TQ4", "TQ6"):
        texts = [(to, t) for to, t in got if team in t]
        check_eq(sorted(to for to, _ in texts), sorted(OFFICERS), "%s night SMS recipients" % team)
        check(all(ddmm in t and "21:00" in t for _, t in texts), texts)
    check_eq(len(got), 7, "alert SMS in all")
    check(all(len(t) <= 160 and t.isascii() for _, t in got), "short GSM-7 texts: %r" % got)
    rows = env.query("SELECT kind, subject FROM alerts ORDER BY kind, subject")
    pid = env.scalar("SELECT id FROM patrols WHERE team = 'TQ3'")
    check_eq(rows, [("night_missed", "TQ4 " + day), ("night_missed", "TQ6 " + day),
                    ("patrol_overdue", str(pid))], "alerts")
    check_eq(env.scalar("SELECT count(*) FROM outbox WHERE kind = 'alert'"), 7, "alert outbox rows")


def wait_fired(env):
    wait_for(lambda: len(alerts_sent(env)) >= 7 and
             env.scalar("SELECT count(*) FROM outbox WHERE kind = 'alert' AND status <> 'sent'") == 0,
             20, "7 alert SMS sent")


def test_alerts_fire_once_across_restarts():
    with zone("Asia/Ho_Chi_Minh"), running(Env(extra=CONF), start=False) as env:
        day = prepare(env)
        env.start()
        wait_fired(env)
        more_checks(env)
        check_fired(env, day)
        # `tipline alerts` in local time: raised_at is the UTC row shifted by 7 hours.
        out = [json.loads(l) for l in env.cli("alerts", "--json").stdout.decode().splitlines()]
        check_eq([(a["kind"], a["recipients"], a["sent"]) for a in out],
                 [("patrol_overdue", 3, 3), ("night_missed", 2, 2), ("night_missed", 2, 2)],
                 "tipline alerts")
        raised = env.scalar("SELECT raised_at FROM alerts WHERE id = 1")
        want = (datetime.datetime.fromisoformat(raised) + datetime.timedelta(hours=7)).isoformat(" ")
        check_eq(out[0]["raised_at"], want, "raised_at in local time")
        # A clean restart, then a killed one: nothing fires again.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            rc = env.stop(sig)
            check_eq(rc, 0 if sig == signal.SIGTERM else -signal.SIGKILL, "exit status")
            env.start()
            more_checks(env, 3)
            check_fired(env, day)


def test_nights_are_local_days_in_utc_too():
    """The same evening judged in UTC: TQ5's 06:00 start is on its night there too."""
    with zone("UTC"), running(Env(extra=CONF), start=False) as env:
        day = prepare(env)
        env.start()
        wait_fired(env)
        more_checks(env)
        check_fired(env, day)


def test_an_alert_and_its_sms_commit_together():
    """Killed before the alert's commit: neither the alert nor its SMS exist, and the next
    start raises it. Killed right after: the SMS are sent by the next start, once."""
    with zone("Asia/Ho_Chi_Minh"), running(Env(extra=CONF), start=False) as env:
        env.cli("contact", "add", LEADER3, "--role", "leader", "--team", "TQ3")
        for o in OFFICERS:
            env.cli("contact", "add", o, "--role", "officer")
        env.sms(LEADER3, "TUAN BD 5", when=utc(time.time() - 7 * 3600))
        env.start(env={"TIPLINE_FAULT": "exit-before-alert-commit"})
        check_eq(env.wait_exit(), 99, "exit at the fault point")
        check_eq(env.scalar("SELECT count(*) FROM alerts"), 0, "no alert after the crash")
        check_eq(env.scalar("SELECT count(*) FROM outbox WHERE kind = 'alert'"), 0, "no alert SMS")
        env.start(env={"TIPLINE_FAULT": "exit-after-alert-commit"})
        check_eq(env.wait_exit(), 99, "exit at the fault point")
        check_eq(env.scalar("SELECT count(*) FROM alerts"), 1, "the alert committed")
        check_eq(env.scalar("SELECT count(*) FROM outbox WHERE kind = 'alert' AND alert_id = 1"), 3,
                 "its SMS committed with it")
        env.start()
        wait_for(lambda: len(alerts_sent(env)) >= 3, 15, "the alert SMS sent")
        more_checks(env, 3)
        check_eq(sorted(m["to"] for m in alerts_sent(env)), sorted([LEADER3] + list(OFFICERS)),
                 "each recipient once")
        check_eq(env.scalar("SELECT count(*) FROM alerts"), 1, "one alert")


def one_am_zone():
    """A POSIX TZ whose local time is about 01:00 now: just after midnight, whatever the hour
    of the machine's clock (the night checks' "not that hour yet" needs an evening ahead)."""
    off = (3600 - int(time.time()) % 86400) % 86400
    off = (off + 30) // 60 * 60
    if off > 43200:
        off -= 86400
    a = abs(off)
    return "ALR%s%02d:%02d" % ("-" if off >= 0 else "+", a // 3600, a % 3600 // 60)


def test_alert_edges():
    """At 01:00 local: today's night is not judged before its hour (21:00), yesterday's is
    though the team patrolled three nights ago; a patrol 6 h 20 min out is overdue with
    max_hours 6 (not an hour later); its alert goes to whoever started it (a leader of another
    team) and to every officer, one who sent HUY too."""
    with zone(one_am_zone()), running(Env(extra=CONF), start=False) as env:
        now = time.time()
        check(time.localtime(now).tm_hour in (0, 1), "local time %s" % time.strftime("%H:%M"))
        today = datetime.date.fromtimestamp(now)
        yday, before = today - datetime.timedelta(days=1), today - datetime.timedelta(days=3)
        env.cli("contact", "add", LEADER7, "--role", "leader", "--team", "TQ7")
        for o in OFFICERS:
            env.cli("contact", "add", o, "--role", "officer")
        env.cli("team", "set", "TQ8", "--nights", "%s,%s" % (DAYS[yday.weekday()], DAYS[today.weekday()]),
                "--by", "21:00")
        env.sms(OFFICER2, "HUY", when=utc(now - 10 * 3600))
        env.sms(OFFICER1, "TUAN BD TQ8 3", when=local_to_utc(before.isoformat() + " 20:00"))
        env.sms(OFFICER1, "TUAN KT TQ8", when=local_to_utc(before.isoformat() + " 23:00"))
        env.sms(LEADER7, "TUAN BD TQ9 4", when=utc(now - 6 * 3600 - 20 * 60))
        env.start()
        env.wait_drained(4)
        check_eq(env.scalar("SELECT subscribed FROM contacts WHERE phone = ?", (OFFICER2,)), 0,
                 "the officer who sent HUY unsubscribed")
        wait_for(lambda: env.scalar("SELECT count(*) FROM alerts") >= 2 and
                 env.scalar("SELECT count(*) FROM outbox WHERE kind = 'alert' AND status <> 'sent'") == 0,
                 20, "the overdue and the missed night alerts sent")
        more_checks(env, 3)
        pid = env.scalar("SELECT id FROM patrols WHERE team = 'TQ9'")
        check_eq(env.query("SELECT kind, subject FROM alerts ORDER BY kind, subject"),
                 [("night_missed", "TQ8 " + yday.isoformat()), ("patrol_overdue", str(pid))],
                 "alerts (none for tonight, before 21:00)")
        got = sorted((m["to"], m["text"]) for m in alerts_sent(env))
        check_eq(sorted(to for to, t in got if "TQ9" in t), sorted([LEADER7] + list(OFFICERS)),
                 "overdue patrol SMS recipients")
        check_eq(sorted(to for to, t in got if "TQ8" in t), sorted(OFFICERS), "missed night SMS recipients")
        check_eq(len(got), 5, "alert SMS in all")


def test_overdue_alerts_can_be_turned_off():
    with running(Env(extra="patrol: { max_hours = 0; check_every = 1; };"), start=False) as env:
        env.cli("contact", "add", LEADER3, "--role", "leader", "--team", "TQ3")
        env.cli("contact", "add", OFFICER1, "--role", "officer")
        env.sms(LEADER3, "TUAN BD 5", when=utc(time.time() - 30 * 3600))
        env.start()
        env.wait_drained(1)
        more_checks(env, 2)
        check_eq(env.scalar("SELECT count(*) FROM alerts"), 0, "no alert with max_hours = 0")


def test_team_set_and_list():
    env = Env()
    try:
        env.cli("team", "set", "tq3", "--nights", "SAT,mon,wed,mon")
        env.cli("team", "set", "TQ4", "--nights", "fri", "--by", "20:30")
        env.cli("team", "set", "TQ3", "--by", "22:00")
        rows = [json.loads(l) for l in env.cli("team", "list", "--json").stdout.decode().splitlines()]
        check_eq([(r["code"], r["nights"], r["night_by"]) for r in rows],
                 [("TQ3", "mon,wed,sat", "22:00"), ("TQ4", "fri", "20:30")], "teams")
        env.cli("team", "set", "TQ4", "--nights", "none")
        check_eq(env.query("SELECT nights, night_by FROM teams WHERE code = 'TQ4'"),
                 [(None, "20:30")], "nights cleared")
        check("mon,wed,sat" in env.cli("team", "list").stdout.decode(), "plain listing")
        for args in (["team"], ["team", "set"], ["team", "set", "TQ3"], ["team", "bogus"],
                     ["team", "set", "TQ3", "--nights", "monday"], ["team", "set", "TQ3", "--nights", "mon,,wed"],
                     ["team", "set", "TQ3", "--by", "25:00"], ["team", "set", "TQ3", "--by", "9:00"],
                     ["team", "set", "3Q", "--nights", "mon"], ["team", "list", "x"], ["alerts", "x"]):
            p = env.cli(*args, check_rc=False)
            check_eq(p.returncode, 2, "exit status of tipline %s" % " ".join(args))
            err = p.stderr.decode()
            check(err.startswith("tipline: ") and "usage:" in err and err.count("tipline: ") == 1,
                  "one error line and the usage for %s: %r" % (args, err[:200]))
    finally:
        env.close()


def clock_lines(env):
    log = env.log_text()
    return log.count("clock: the SMSC times"), log.count("agrees with the SMSC again")


def test_clock_skew_logged_once_per_change():
    """Fresh messages 3 hours ahead of the system clock (a Pi's clock after a power cut): one
    warning however many arrive, the skew kept in status.clock_skew; weeks-old messages change
    nothing; back in step: one line."""
    with running(Env()) as env:
        n = [0]

        def one(when, want_lines, skew):
            env.sms("VIETTEL", "KM %d" % n[0], when=None if when is None else utc(when))
            n[0] += 1
            env.wait_drained(n[0])
            check_eq(clock_lines(env), want_lines, "clock log lines after message %d" % n[0])
            got = int(env.scalar("SELECT value FROM status WHERE key = 'clock_skew'"))
            check(abs(got - skew) <= 30, "clock_skew %d, want about %d" % (got, skew))

        t = time.time()
        one(t + 3 * 3600, (1, 0), 3 * 3600)
        one(t + 3 * 3600 + 60, (1, 0), 3 * 3600 + 60)
        one(t + 3 * 3600 + 30, (1, 0), 3 * 3600 + 30)
        one(t - 20 * 86400, (1, 0), 3 * 3600 + 30)  # kept on a SIM for weeks: not fresh
        one(t + 5 * 3600, (2, 0), 5 * 3600)  # the clock moved again: said again
        one(None, (2, 1), 0)
        one(None, (2, 1), 0)
        check(re.search(r"(4 h 59|5 h 00) min ahead of the system clock", env.log_text()),
              "the amount in words")


if __name__ == "__main__":
    run_tests(globals())
