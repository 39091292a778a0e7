"""Tip triage (tipline tip mark, tip REF, tips filters) and the figures by SMS (BC PIN), through
the real daemon and CLI on the simulated phone."""
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running, sent_messages, wait_for, wait_sent  # noqa: E402

OFFICER = "+84911000009"
LEADER = "+84911000005"
VILLAGER = "+84911000001"
OTHER = "+84911000002"
STATUSES = ["new", "checking", "valuable", "false", "closed"]


def in_zone(tz):
    """Run the daemon, the CLI and this process's local time in zone TZ from now on."""
    os.environ["TZ"] = tz
    time.tzset()


def outbox_idle(env):
    wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')") == 0,
             15, "the outbox sent")


def usage_error(p, what):
    """A bad argument: exit 2, one error line, then the usage."""
    err = p.stderr.decode()
    check_eq(p.returncode, 2, "exit status of %s" % what)
    lines = err.splitlines()
    check(len(lines) > 2 and lines[0].strip() and lines[1].startswith("usage: "),
          "%s: one error line then the usage: %r" % (what, err[:300]))


def login_name():
    """The name tip mark records by default, found the way it finds it."""
    try:
        name = os.getlogin()
        if name:
            return name
    except OSError:
        pass
    if os.environ.get("USER"):
        return os.environ["USER"]
    import pwd
    return pwd.getpwuid(os.getuid()).pw_name


def people(env):
    env.cli("contact", "add", VILLAGER, "--village", "Đông")
    env.cli("contact", "add", OTHER)
    env.cli("contact", "add", LEADER, "--role", "leader", "--team", "TQ3")
    env.cli("contact", "add", OFFICER, "--role", "officer", "--pin", "2468")


def tip_json(env, ref):
    return json.loads(env.cli("tip", ref, "--json").stdout)


def test_mark_records_history_and_refuses_the_same_status():
    in_zone("Asia/Ho_Chi_Minh")
    with running(Env()) as env:
        people(env)
        env.sms(VILLAGER, "TIN co nguoi la o thon 3", when="2026-11-20 10:00:00")
        env.sms(VILLAGER, "BS T1 mac ao do", when="2026-11-20 10:05:00")
        env.wait_drained(2)
        p = env.cli("tip", "mark", "T1", "checking", "--note", "goi lai cho nguoi bao")
        check_eq(p.stdout.decode(), "T1: new -> checking\n", "mark output")
        env.cli("tip", "mark", "t1", "valuable", "--by", "Trung uy Hung")
        # The same status again: refused, said clearly, nothing recorded.
        p = env.cli("tip", "mark", "T1", "valuable", check_rc=False)
        check_eq(p.returncode, 1, "exit status of a mark to the same status")
        check_eq(p.stderr.decode(), "tipline: tip T1 is already valuable: nothing changed\n", "refusal")
        p = env.cli("tip", "mark", "T9", "closed", check_rc=False)
        check_eq((p.returncode, p.stderr.decode()), (1, "tipline: no tip T9\n"), "unknown tip")
        t = tip_json(env, "T1")
        check_eq(t["status"], "valuable", "status")
        check_eq(t["village"], "3", "village from the text's 'thon 3'")
        # Local time (UTC+7): the SMSC time 10:00 UTC is 17:00 in Vietnam.
        check_eq(t["created_at"], "2026-11-20 17:00:00", "created_at in local time")
        check_eq([(s["created_at"], s["text"]) for s in t["supplements"]],
                 [("2026-11-20 17:05:00", "mac ao do")], "supplements")
        h = t["history"]
        check_eq([(e["by"], e["from_status"], e["to_status"], e["note"]) for e in h],
                 [(login_name(), "new", "checking", "goi lai cho nguoi bao"),
                  ("Trung uy Hung", "checking", "valuable", None)], "history")
        check(h[0]["by"] not in ("", "unknown"), "the login name recorded: %r" % h[0]["by"])
        # Event times are the officer's clock, shown in local time: within a minute of now.
        now = datetime.datetime.now()
        for e in h:
            at = datetime.datetime.strptime(e["at"], "%Y-%m-%d %H:%M:%S")
            check(abs((at - now).total_seconds()) < 120, "history time %s is local now" % e["at"])
        check_eq(env.query("SELECT from_status, to_status FROM tip_events ORDER BY id"),
                 [("new", "checking"), ("checking", "valuable")], "tip_events rows")
        text = env.cli("tip", "T1").stdout.decode()
        check("history      " in text and "new -> checking  goi lai cho nguoi bao" in text, text)
        check("Trung uy Hung  checking -> valuable" in text, text)
        check("supplement   2026-11-20 17:05:00 mac ao do" in text, text)


def test_notify_thanks_without_the_outcome_and_refuses_anonymous_tips():
    in_zone("Asia/Ho_Chi_Minh")
    with running(Env()) as env:
        people(env)
        env.sms(VILLAGER, "TIN trom xe may", when="2026-11-20 10:00:00")
        env.sms(OTHER, "TIN ANDANH MT co ban heroin", when="2026-11-20 11:00:00")
        env.wait_drained(2)
        wait_sent(env, 2, "the two acknowledgements")
        # Anonymous: the number is not to be used; refused and nothing changes.
        p = env.cli("tip", "mark", "T2", "valuable", "--notify", check_rc=False)
        check_eq(p.returncode, 1, "exit status of --notify on an anonymous tip")
        check("not known" in p.stderr.decode() and "anonymous" in p.stderr.decode(), p.stderr.decode())
        check_eq(tip_json(env, "T2")["status"], "new", "an anonymous tip's status after a refused notify")
        check_eq(tip_json(env, "T2")["history"], [], "no history after a refused notify")
        check_eq(env.scalar("SELECT count(*) FROM outbox WHERE recipient = ? AND kind = 'manual'", (OTHER,)), 0,
                 "nothing queued to the anonymous tipster")
        # Known number: one thank-you that says nothing of the outcome.
        p = env.cli("tip", "mark", "T1", "false", "--notify", "--note", "khong dung su that")
        check_eq(p.stdout.decode(), "T1: new -> false (thank-you queued)\n", "mark output")
        msgs = wait_sent(env, 3, "the thank-you")
        thanks = [m for m in msgs if m["to"] == VILLAGER and "T1" in m["text"] and "Bo sung" not in m["text"]]
        check_eq(len(thanks), 1, "one thank-you: %r" % msgs)
        low = thanks[0]["text"].lower()
        for word in ("false", "sai", "khong dung", "valuable", "gia tri", "closed", "dong", "checking"):
            check(word not in low, "the thank-you reveals the outcome (%r): %r" % (word, thanks[0]["text"]))
        check_eq(thanks[0]["parts"], 1, "one SMS")


def test_bad_arguments_exit_2():
    in_zone("UTC")
    with running(Env(), start=False) as env:
        people(env)
        for args in (["tip", "mark", "T1"], ["tip", "mark", "T1", "triaged"], ["tip", "mark", "T1", "new", "x"],
                     ["tip", "mark", "T1", "new", "--by", ""], ["tip", "mark", "T1", "new", "--bogus"],
                     ["tip"], ["tip", "T1", "T2"], ["tips", "--status", "valuable2"],
                     ["tips", "--category", "weather"], ["tips", "--since", "2026-11-31"],
                     ["tips", "--since", "2026-11-20", "--until", "2026-11-19"], ["tips", "x"],
                     ["report", "--from", "2026-11-01"], ["report", "--from", "2026-11-02", "--to", "2026-11-01"],
                     ["report", "--from", "2026-11-01", "--to", "2026-11-31"], ["report", "--month", "2026-13"],
                     ["report", "--month", "2026-11", "--week"], ["report", "--format", "pdf"],
                     ["report", "--out", ""], ["report", "extra"]):
            usage_error(env.cli(*args, check_rc=False), " ".join(args))


def test_tips_filters_local_dates_inclusive():
    in_zone("Asia/Ho_Chi_Minh")
    with running(Env()) as env:
        people(env)
        # Local times (UTC+7): T1 20 Nov 23:50, T2 21 Nov 00:10, T3 21 Nov 23:59, T4 22 Nov 00:00.
        env.sms(VILLAGER, "TIN trom bo", when="2026-11-20 16:50:00")
        env.sms(OTHER, "TIN ANDANH MT o thon 4", when="2026-11-20 17:10:00")
        env.sms(OTHER, "TIN DN o thôn Đông", when="2026-11-21 16:59:00")
        env.sms(VILLAGER, "Xin chao can bo", when="2026-11-21 17:00:00")
        env.wait_drained(4)
        env.cli("tip", "mark", "T2", "checking")
        env.cli("tip", "mark", "T3", "checking")
        env.cli("tip", "mark", "T3", "closed")

        def refs(*args):
            out = env.cli("tips", "--json", *args).stdout.decode()
            return [json.loads(l)["ref"] for l in out.splitlines()]

        check_eq(refs(), ["T1", "T2", "T3", "T4"], "all")
        check_eq(refs("--since", "2026-11-21", "--until", "2026-11-21"), ["T2", "T3"], "one local day")
        check_eq(refs("--since", "2026-11-21"), ["T2", "T3", "T4"], "since")
        check_eq(refs("--until", "2026-11-20"), ["T1"], "until")
        check_eq(refs("--status", "checking"), ["T2"], "status")
        check_eq(refs("--status", "new"), ["T1", "T4"], "status new")
        check_eq(refs("--category", "theft"), ["T1"], "category")
        check_eq(refs("--category", "drugs", "--status", "checking"), ["T2"], "two filters")
        # Villages: the text's "thon X", else the sender's registered one ("Đông"), folded.
        check_eq(refs("--village", "dong"), ["T1", "T3", "T4"], "village Đông")
        check_eq(refs("--village", "4"), ["T2"], "village 4")
        rows = [json.loads(l) for l in env.cli("tips", "--json").stdout.decode().splitlines()]
        check_eq([r["created_at"] for r in rows],
                 ["2026-11-20 23:50:00", "2026-11-21 00:10:00", "2026-11-21 23:59:00", "2026-11-22 00:00:00"],
                 "local times")
        check_eq(rows[1]["sender"], None, "an anonymous tip shows no sender")
        text = env.cli("tips", "--status", "closed").stdout.decode().splitlines()
        check(text[0].startswith("ref\tcreated_at") and text[1].startswith("T3\t2026-11-21 23:59:00"), text)


def sms_reply(env, n_before, what):
    msgs = wait_sent(env, n_before + 1, what)
    mine = [m for m in msgs[n_before:] if m["to"] == OFFICER]
    check_eq(len(mine), 1, "one reply to the officer for %s: %r" % (what, msgs[n_before:]))
    return mine[0]


def test_bc_by_sms_pin_rules_and_one_gsm7_sms():
    in_zone("Asia/Ho_Chi_Minh")
    env = Env(extra="broadcast: { pin_attempts = 3; pin_lockout = 3600; };\n"
                    "replies: { max_per_hour = 50; };")
    with running(env):
        people(env)
        t0 = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        tick = [0]

        def now():
            """The SMSC time of the next message: now, a second apart (the same text at the same
            time from the same number is one message, and redacted copies are the same text)."""
            tick[0] += 1
            return (t0 + datetime.timedelta(seconds=tick[0])).strftime("%Y-%m-%d %H:%M:%S")
        env.sms(VILLAGER, "TIN trom xe o thon 2", when=now())
        env.sms(OTHER, "TIN ANDANH MT", when=now())
        env.sms(LEADER, "TTPL 2 buoi 1.410 hop dan", when=now())
        env.sms(LEADER, "TUAN BD TQ3 6", when=now())
        env.wait_drained(4)
        outbox_idle(env)
        env.cli("tip", "mark", "T1", "valuable")
        n = len(sent_messages(env))
        env.sms(OFFICER, "BC 2468", when=now())
        month = sms_reply(env, n, "BC 2468")
        want = json.loads(env.cli("report", "--format", "json").stdout)  # this month to date
        check_eq(want["tips"]["received"], 2, "tips this month (JSON)")
        t = month["text"]
        check_eq((month["coding"], month["parts"]), ("gsm7", 1), "one GSM-7 SMS")
        check(len(t) <= 160 and all(ord(c) < 128 for c in t), "plain ASCII within 160: %r" % t)
        check("Tin bao 02" in t and "co gia tri 01" in t and "TTPL 02 dot/1.410 luot" in t and
              "Tuan tra 01" in t, "the month's figures: %r" % t)
        first = want["from"]
        check(t.startswith("BC %s/%s-" % (first[8:10], first[5:7])), "the month's first day: %r" % t)
        check_eq((want["tips"]["escalated"], want["tips"]["alerts"]), (0, 0), "no tip alerts (JSON)")
        check("Tin qua han" not in t and "Canh bao tin" not in t,
              "the tip-alert figures only when not 0: %r" % t)
        # TUAN: from Monday.
        n = len(sent_messages(env))
        env.sms(OFFICER, "BC 2468 TUAN", when=now())
        week = sms_reply(env, n, "BC 2468 TUAN")
        wk = json.loads(env.cli("report", "--week", "--format", "json").stdout)
        check(week["text"].startswith("BC %s/%s-" % (wk["from"][8:10], wk["from"][5:7])), week["text"])
        check("Tin bao %02d" % wk["tips"]["received"] in week["text"], week["text"])
        check_eq(env.scalar("SELECT count(*) FROM inbox WHERE text LIKE 'BC 2468%'"), 0, "the PIN redacted")
        check_eq(env.scalar("SELECT count(*) FROM inbox WHERE text IN ('BC ****', 'BC **** TUAN')"), 2,
                 "redacted copies")
        # A wrong PIN: the same neutral refusal as TB's; three wrong ones lock TB out too.
        n = len(sent_messages(env))
        env.sms(OFFICER, "TB 1111 TATCA hop", when=now())
        tb_refusal = sms_reply(env, n, "TB with a wrong PIN")["text"]
        n = len(sent_messages(env))
        env.sms(OFFICER, "BC 1111", when=now())
        check_eq(sms_reply(env, n, "BC with a wrong PIN")["text"], tb_refusal, "BC's refusal is TB's")
        n = len(sent_messages(env))
        env.sms(VILLAGER, "BC 2468", when=now())
        check_eq(wait_sent(env, n + 1, "a villager's BC")[n]["text"], tb_refusal, "a villager's BC refused alike")
        n = len(sent_messages(env))
        env.sms(OFFICER, "BC 3333 THANG", when=now())  # third wrong PIN: locked
        sms_reply(env, n, "third wrong PIN")
        n = len(sent_messages(env))
        env.sms(OFFICER, "TB 2468 TATCA Hop luc 8h", when=now())
        check_eq(sms_reply(env, n, "TB after the lockout")["text"], tb_refusal, "locked out of TB by BC's failures")
        check_eq(env.scalar("SELECT count(*) FROM broadcasts"), 0, "no broadcast while locked")
        # Logs mask numbers (issue 13): +84911000009 is +8491100****.
        check("report from %s**** refused: wrong PIN" % OFFICER[:-4] in env.log_text(), "the refusal logged")


def test_bc_by_sms_carries_tip_alerts_and_escalations():
    """A month with new-tip alerts and an escalated tip: BC's one GSM-7 SMS carries both figures
    (tips.escalated right after the tips, tips.alerts after the patrols), as the JSON has them."""
    in_zone("Asia/Ho_Chi_Minh")
    env = Env(extra="patrol: { check_every = 1; }; tips: { escalate_after = 2; };")
    with running(env, start=False):
        people(env)
        env.cli("contact", "set", OFFICER, "--tip-alerts", "all")
        t0 = time.time()
        # Sent three hours ago, still new: escalated at the daemon's first check.
        env.sms(VILLAGER, "TIN danh nhau o thon 4",
                when=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0 - 3 * 3600)))
        env.start()
        env.sms(OTHER, "TIN trom xe o thon 2")
        wait_for(lambda: env.query("SELECT kind, count(*) FROM alerts GROUP BY kind ORDER BY kind") ==
                 [("tip_escalated", 1), ("tip_new", 2)], 20, "two new-tip alerts and an escalation")
        outbox_idle(env)
        want = json.loads(env.cli("report", "--format", "json").stdout)
        check_eq((want["tips"]["escalated"], want["tips"]["alerts"]), (1, 2), "the JSON's tip alerts")
        n = len(sent_messages(env))
        env.sms(OFFICER, "BC 2468", when=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0 + 1)))
        reply = sms_reply(env, n, "BC 2468")
        t = reply["text"]
        check_eq((reply["coding"], reply["parts"]), ("gsm7", 1), "still one GSM-7 SMS: %r" % t)
        check(len(t) <= 160 and all(ord(c) < 128 for c in t), "plain ASCII within 160: %r" % t)
        check("co gia tri 00 (00); Tin qua han 01 (00); TTPL 00 dot/00 luot" in t,
              "the escalated tip after the tips: %r" % t)
        check(t.endswith("Tuan tra 00 (00); Canh bao tin 02 (00)."),
              "the new-tip alerts after the patrols: %r" % t)


def test_missed_checkins_count_by_kind_and_raised_time():
    # The alerts rows are the alert job's (issue 10's other half); here a few are written as it
    # writes them, to check which ones the report counts: two kinds, by raised_at, in the period.
    in_zone("Asia/Ho_Chi_Minh")
    with running(Env(), start=False) as env:
        people(env)
        con = __import__("sqlite3").connect(env.db)
        con.executemany("INSERT INTO alerts (kind, subject, raised_at) VALUES (?, ?, ?)",
                        [("patrol_overdue", "1", "2026-11-10 03:00:00"),
                         ("night_missed", "TQ3 2026-11-11", "2026-11-11 14:00:00"),
                         ("night_missed", "TQ3 2026-11-30", "2026-11-30 16:59:59"),   # 23:59:59 local
                         ("night_missed", "TQ3 2026-12-01", "2026-11-30 17:00:00"),   # 1 Dec local
                         ("low_balance", "x", "2026-11-12 03:00:00")])
        con.commit()
        con.close()
        r = json.loads(env.cli("report", "--month", "2026-11", "--format", "json").stdout)
        check_eq(r["missed_checkins"], 3, "missed check-ins of November")
        r = json.loads(env.cli("report", "--month", "2026-12", "--format", "json").stdout)
        check_eq((r["missed_checkins"], r["previous"]["missed_checkins"]), (1, 3), "December and November")


if __name__ == "__main__":
    run_tests(globals())
