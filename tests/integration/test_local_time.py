"""Local time in everything a person reads or types, in Vietnam and in UTC: listings print
local times, --since/--until are local dates (both inclusive), and the database keeps UTC.
Two patrols a second either side of midnight in Vietnam (16:59:59 and 17:00:01 UTC) fall on
two different local days there and on one day in UTC."""
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running  # noqa: E402
from test_alerts import zone  # noqa: E402

LEADER3 = "+84987000003"
LEADER4 = "+84987000004"
OFFICER = "+84987000011"
OFFSET = {"Asia/Ho_Chi_Minh": 7, "UTC": 0}


def rows(env, *args):
    return [json.loads(l) for l in env.cli(*args).stdout.decode().splitlines()]


def shifted(utc, hours):
    return (datetime.datetime.fromisoformat(utc) + datetime.timedelta(hours=hours)).isoformat(" ")


def teams(env, *args):
    return [p["team"] for p in rows(env, "patrols", "--json", *args)]


def scenario(tz):
    off = OFFSET[tz]
    with zone(tz), running(Env(extra="patrol: { max_hours = 0; };"), start=False) as env:
        env.cli("contact", "add", LEADER3, "--role", "leader", "--team", "TQ3")
        env.cli("contact", "add", LEADER4, "--role", "leader", "--team", "TQ4")
        env.cli("contact", "add", OFFICER, "--role", "officer")
        env.sms(LEADER3, "TUAN BD 4", when="2026-11-30 16:59:59")
        env.sms(LEADER4, "TUAN BD 5", when="2026-11-30 17:00:01")
        env.sms(LEADER3, "TUAN KT", when="2026-11-30 18:00:00")
        env.sms(LEADER4, "TUAN KT", when="2026-11-30 18:00:00")
        env.start()
        env.wait_drained(4)

        # patrols: the start's SMSC time, in local time; periods on local days.
        got = rows(env, "patrols", "--json")
        check_eq([(p["team"], p["started_at"], p["ended_at"]) for p in got],
                 [("TQ3", shifted("2026-11-30 16:59:59", off), shifted("2026-11-30 18:00:00", off)),
                  ("TQ4", shifted("2026-11-30 17:00:01", off), shifted("2026-11-30 18:00:00", off))],
                 "patrols in %s" % tz)
        vn = tz != "UTC"
        check_eq(teams(env, "--until", "2026-11-30"), ["TQ3"] if vn else ["TQ3", "TQ4"], "--until")
        check_eq(teams(env, "--since", "2026-12-01"), ["TQ4"] if vn else [], "--since")
        check_eq(teams(env, "--since", "2026-11-30", "--until", "2026-11-30"),
                 ["TQ3"] if vn else ["TQ3", "TQ4"], "one local day")
        check_eq(teams(env, "--since", "2026-12-01", "--until", "2026-12-01"),
                 ["TQ4"] if vn else [], "the next local day")
        check_eq(teams(env, "--until", "2026-11-30 23:59:59"), ["TQ3"] if vn else ["TQ3", "TQ4"],
                 "--until a local time, inclusive")
        text = env.cli("patrols").stdout.decode()
        check(shifted("2026-11-30 16:59:59", off) in text, "plain listing in local time: " + text)

        # inbox: both times local; --since/--until on the local day it was read.
        db = env.query("SELECT smsc_time, received_at FROM inbox ORDER BY id")
        got = rows(env, "inbox", "--json")
        check_eq([(m["smsc_time"], m["received_at"]) for m in got],
                 [(shifted(s, off), shifted(r, off)) for s, r in db], "inbox times")
        today = datetime.date.fromtimestamp(time.time())
        check_eq(len(rows(env, "inbox", "--json", "--since", today.isoformat())), 4, "read today")
        check_eq(len(rows(env, "inbox", "--json", "--until", (today - datetime.timedelta(days=1)).isoformat())),
                 0, "read until yesterday")
        check(shifted(db[0][1], off) in env.cli("inbox").stdout.decode(), "plain inbox in local time")

        # outbox, contacts: local times beside the same field names.
        db = env.query("SELECT created_at, sent_at FROM outbox ORDER BY id")
        got = rows(env, "outbox", "--json")
        check_eq([(o["created_at"], o["sent_at"]) for o in got],
                 [(shifted(c, off), s and shifted(s, off)) for c, s in db], "outbox times")
        db = env.query("SELECT created_at FROM contacts ORDER BY village, name, phone")
        check_eq([c["created_at"] for c in rows(env, "contact", "list", "--json")],
                 [shifted(c, off) for (c,) in db], "contact times")

        # broadcasts: --at is typed in local time and listed in local time; kept in UTC.
        env.cli("broadcast", "--group", "CANBO", "--at", "2026-12-24 07:00", "Hop giao ban")
        check_eq(env.scalar("SELECT scheduled_at FROM broadcasts"), shifted("2026-12-24 07:00:00", -off),
                 "scheduled_at in the database (UTC)")
        b = rows(env, "broadcast", "list", "--json")[0]
        check_eq(b["scheduled_at"], "2026-12-24 07:00:00", "broadcast list in local time")
        check_eq(b["created_at"], shifted(env.scalar("SELECT created_at FROM broadcasts"), off),
                 "created_at in local time")
        show = env.cli("broadcast", "show", "B1").stdout.decode()
        check("2026-12-24 07:00:00" in show, "broadcast show in local time: " + show)


def test_listings_in_vietnam():
    scenario("Asia/Ho_Chi_Minh")


def test_listings_in_utc():
    scenario("UTC")


def test_bad_dates_exit_2():
    env = Env()
    try:
        for args in (["patrols", "--until", "x"], ["patrols", "--since", "2026-13-01"],
                     ["patrols", "--since", "2026-12-02", "--until", "2026-12-01"],
                     ["inbox", "--until", "tomorrow"], ["inbox", "--since", "2026-12-02", "--until", "2026-12-01"]):
            p = env.cli(*args, check_rc=False)
            check_eq(p.returncode, 2, "exit status of tipline %s" % " ".join(args))
            err = p.stderr.decode()
            check(err.startswith("tipline: ") and "usage:" in err, "error and usage: %r" % err[:200])
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
