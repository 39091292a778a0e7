"""Answers to tipsters, new-tip alerts and the escalation of tips left new (issue 26), through
the real daemon on the dummy phone: messages in through `tipline sim send`, what the daemon
sent read back from the simulated phone's sent folder. The anonymous side of answers is in
test_anonymity.py, the USSD menu's look-up in test_ussd_menu.py."""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running, sent_messages, wait_for  # noqa: E402

VILLAGER = "+84987000001"
NEIGHBOUR = "+84987000005"
ALL = "+84987000011"      # an officer told of every new tip
URGENT = "+84987000012"   # an officer told of urgent ones only
NONE = "+84987000013"     # an officer who did not ask
NOT_OFFICER = "+84987000014"  # a villager with --tip-alerts all: officers only are told
QUESTION = "Ban thay xe mau gi, luc may gio?"


def replies_to(env, number):
    return [m["text"] for m in sent_messages(env) if m["to"] == number]


def nth_reply(env, number, n, what):
    """The Nth (1-based) message sent to NUMBER, waited for with a deadline."""
    return wait_for(lambda: (lambda r: r if len(r) >= n else None)(replies_to(env, number)),
                    15, what)[n - 1]


def utc(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def test_answer_to_a_named_tipster_arrives_and_comes_with_tt():
    with running(Env()) as env:
        env.sms(VILLAGER, "TIN trom bo o thon 5")
        nth_reply(env, VILLAGER, 1, "the acknowledgement")
        # The dry run says what would go out and its cost, and writes nothing.
        queued = env.scalar("SELECT count(*) FROM outbox")
        p = env.cli("tip", "answer", "T1", QUESTION, "--by", "Trung uy Hai", "--dry-run")
        out = p.stdout.decode()
        check("would send 1 part (GSM-7)" in out, out)
        check("Cong an xa tra loi tin bao T1: " + QUESTION in out, out)
        check_eq(env.scalar("SELECT count(*) FROM outbox"), queued, "outbox rows after a dry run")
        check_eq(env.scalar("SELECT count(*) FROM tip_events"), 0, "events after a dry run")
        # Diacritics are folded when that keeps it cheaper: one GSM-7 part, not two UCS-2.
        p = env.cli("tip", "answer", "T1", "Bạn thấy xe màu gì, lúc mấy giờ? " * 2, "--dry-run")
        check("would send 1 part (GSM-7, diacritics folded)" in p.stdout.decode(),
              p.stdout.decode())
        out = env.cli("tip", "answer", "T1", QUESTION, "--by", "Trung uy Hai").stdout.decode()
        check(out.startswith("T1: queued 1 part"), out)
        got = nth_reply(env, VILLAGER, 2, "the answer by SMS")
        check_eq(got, "Cong an xa tra loi tin bao T1: " + QUESTION, "the answer as sent")
        check_eq(env.query("SELECT by, from_status, to_status, note, answer, given_at IS NOT NULL "
                           "FROM tip_events"),
                 [("Trung uy Hai", "new", "new", QUESTION, 1, 1)], "the answer's tip_events row")
        check_eq(env.scalar("SELECT status FROM tips"), "new", "an answer changes no status")
        check_eq(env.query("SELECT o.kind, o.inbox_id = t.inbox_id FROM outbox o, tips t WHERE "
                           "o.text LIKE 'Cong an xa tra loi%'"),
                 [("manual", 1)], "queued against the tip's message, outside the reply cap")
        shown = env.cli("tip", "T1").stdout.decode()
        check(re.search(r"answer .*Trung uy Hai  given: " + re.escape(QUESTION), shown), shown)
        history = json.loads(env.cli("tip", "T1", "--json").stdout)["history"]
        check_eq([(h["answer"], h["note"]) for h in history], [(1, QUESTION)], "history JSON")
        # TT gives the status and the latest answer in one GSM-7 SMS.
        env.sms(VILLAGER, "TT T1", when="2026-11-26 12:00:01")
        tt = nth_reply(env, VILLAGER, 3, "the answer to TT")
        check("da nhan" in tt and tt.endswith("Tra loi cua cong an: " + QUESTION), tt)
        # A long answer does not fit with the status: two messages, the status first.
        longer = "Xin cho biet them: " + "nguoi do di xe gi, mac ao mau gi, di ve huong nao? " * 3
        env.cli("tip", "answer", "T1", longer.strip())
        nth_reply(env, VILLAGER, 4, "the second answer by SMS")
        env.sms(VILLAGER, "TT T1", when="2026-11-26 12:00:02")
        nth_reply(env, VILLAGER, 6, "the two answers to TT")
        five, six = replies_to(env, VILLAGER)[4:6]
        check("da nhan" in five and "Tra loi" not in five, five)
        check_eq(six, "Tra loi cua cong an: " + longer.strip(), "the latest answer on its own")
        for m in sent_messages(env):
            check_eq(m["coding"], "gsm7", "coding of %r" % m["text"])
        # Someone else's TT learns nothing of it.
        env.sms(NEIGHBOUR, "TT T1", when="2026-11-26 12:00:03")
        other = nth_reply(env, NEIGHBOUR, 1, "a stranger's TT")
        check(other.startswith("Khong tim thay") and "Tra loi" not in other, other)


def test_answer_bad_arguments_and_unknown_tip():
    with running(Env(), start=False) as env:
        for args in (["tip", "answer", "T1"], ["tip", "answer", "T1", ""],
                     ["tip", "answer", "T1", "x" * 601], ["tip", "answer", "T1", "a", "b"],
                     ["tip", "answer", "T1", "a", "--by", ""], ["tip", "answer", "--nope", "T1", "a"],
                     ["contact", "set", ALL, "--tip-alerts", "some"]):
            p = env.cli(*args, check_rc=False)
            check_eq(p.returncode, 2, "exit status of tipline %s" % " ".join(args))
            err = p.stderr.decode()
            check(err.count("\n") >= 2 and "usage:" in err, "error and usage: %r" % err)
        p = env.cli("tip", "answer", "T9", "hello", check_rc=False)
        check_eq((p.returncode, p.stderr.decode()), (1, "tipline: no tip T9\n"), "unknown tip")


def officers(env):
    env.cli("contact", "add", ALL, "--role", "officer", "--tip-alerts", "all")
    env.cli("contact", "add", URGENT, "--role", "officer")
    env.cli("contact", "set", URGENT, "--tip-alerts", "urgent")
    env.cli("contact", "add", NONE, "--role", "officer")
    env.cli("contact", "add", NOT_OFFICER, "--tip-alerts", "all")


def test_tip_alerts_all_urgent_none():
    tipster = "+84905111444"
    with running(Env(), start=False) as env:
        env.cli("contact", "list")  # the database
        officers(env)
        rows = json.loads("[" + ",".join(env.cli("contact", "list", "--json").stdout.decode()
                                         .split("\n")[:-1]) + "]")
        check_eq(sorted((r["phone"], r["tip_alerts"]) for r in rows),
                 [(ALL, "all"), (URGENT, "urgent"), (NONE, "none"), (NOT_OFFICER, "all")],
                 "contact list shows tip_alerts")
        env.start()
        env.sms(tipster, "TIN trom bo o thon 5, hai nguoi dan ong di xe may khong bien so luc "
                         "nua dem")
        env.sms(tipster, "TIN vu khi: co nguoi giau sung tu che o thon 2")
        env.sms("0905111555", "TIN ANDANH co nguoi ban ma tuy o cho")
        first = nth_reply(env, ALL, 1, "the first tip's alert")
        check_eq(first, "Tin bao moi T1 (trom cap, thon 5): trom bo o thon 5, hai nguoi dan ong "
                        "di xe may khong bien...", "the alert")
        nth_reply(env, ALL, 3, "three alerts to the officer who wants all")
        to_all = replies_to(env, ALL)
        check("T2 (vu khi, thon 2)" in to_all[1], to_all[1])
        check("T3 (ma tuy, thon chua ro): co nguoi ban ma tuy o cho" in to_all[2], to_all[2])
        to_urgent = nth_reply(env, URGENT, 2, "the urgent officer's alerts")
        check_eq([t.split(" (")[0] for t in replies_to(env, URGENT)],
                 ["Tin bao moi T2", "Tin bao moi T3"], "urgent: weapons and drugs, not theft")
        check("T3" in to_urgent, to_urgent)
        # Nothing of any sender, and nobody else told (an ack per tip went to the tipsters).
        for m in sent_messages(env):
            if m["to"] in (ALL, URGENT):
                check("905111" not in m["text"] and "0905" not in m["text"], m["text"])
        check_eq(replies_to(env, NONE), [], "the officer who did not ask")
        check_eq(replies_to(env, NOT_OFFICER), [], "a villager is never told")
        alerts = [json.loads(line) for line in
                  env.cli("alerts", "--json").stdout.decode().splitlines()]
        check_eq([(a["kind"], a["subject"], a["recipients"]) for a in alerts],
                 [("tip_new", "T1", 1), ("tip_new", "T2", 2), ("tip_new", "T3", 2)],
                 "tipline alerts")
        report = json.loads(env.cli("report", "--format", "json").stdout)
        check_eq(report["tips"]["alerts"], 3, "the report's tip alerts")
        # Nobody asked: a tip raises no alert row at all.
        for o in (ALL, URGENT):
            env.cli("contact", "set", o, "--tip-alerts", "none")
        env.sms(tipster, "TIN vu khi o thon 9")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 4, 15, "the fourth tip")
        check_eq(env.scalar("SELECT count(*) FROM alerts"), 3, "alerts once nobody asks")


def test_escalation_once_across_a_restart():
    """A tip still new tips.escalate_after hours after it was sent alerts every officer once;
    a restart (SIGTERM, then SIGKILL) does not alert again; a recent tip is not escalated, nor
    one overdue for more than a day (at most a day late, never a flood of old tips)."""
    conf = "patrol: { check_every = 1; }; tips: { escalate_after = 2; };"
    with running(Env(extra=conf), start=False) as env:
        env.cli("contact", "list")
        env.cli("contact", "add", ALL, "--role", "officer")
        env.cli("contact", "add", NONE, "--role", "officer")
        env.sms(VILLAGER, "TIN danh nhau o thon 4", when=utc(time.time() - 3 * 3600))
        env.sms(NEIGHBOUR, "TIN co nguoi la o thon 6", when=utc(time.time() - 600))
        # Overdue for more than a day: an old backlog (an upgrade) tells nobody.
        env.sms(NEIGHBOUR, "TIN co nguoi la o thon 7", when=utc(time.time() - 4 * 86400))
        env.start()
        want = "Canh bao: tin bao T1 (danh nhau, thon 4) chua xu ly sau 2 gio: danh nhau o thon 4"
        check_eq(nth_reply(env, ALL, 1, "the escalation"), want, "the escalation")
        check_eq(nth_reply(env, NONE, 1, "the escalation to the other officer"), want,
                 "every officer is told")

        def checks():
            return env.log_text().count("alerts: checked")

        for sig in (15, 9):
            start = checks()
            wait_for(lambda: checks() >= start + 3, 20, "three more checks")
            env.stop(sig=sig)
            env.start()
        start = checks()
        wait_for(lambda: checks() >= start + 3, 20, "three checks after the restarts")
        check_eq(len(replies_to(env, ALL)), 1, "escalated once only")
        check_eq(env.query("SELECT kind, subject FROM alerts"), [("tip_escalated", "T1")],
                 "one alert, none for the recent tip nor the old one")
        listed = [json.loads(line) for line in
                  env.cli("alerts", "--json").stdout.decode().splitlines()]
        check_eq([(a["kind"], a["subject"], a["recipients"], a["detail"]) for a in listed],
                 [("tip_escalated", "T1", 2, want)], "tipline alerts")
        report = json.loads(env.cli("report", "--format", "json").stdout)
        check_eq(report["tips"]["escalated"], 1, "the report's escalated tips")


def test_console_answers_through_the_same_action():
    """The console's reply on a tip's page is act_tip_answer too (real `tipline console`, real
    HTTP): an anonymous tip's answer is previewed as waiting and kept for TT or BS, a named
    tipster's is sent; who answered is the officer logged in."""
    import test_console as ct
    question = "Ban thay xe mau gi?"
    env = ct.console_env()
    try:
        env.sms("+84977112233", "TIN ANDANH co nguoi ban ma tuy o cho")
        env.sms(VILLAGER, "TIN trom bo o thon 5")
        with ct.consoled(env) as con:
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 2, 20, "the two tips")
            aref = env.scalar("SELECT ref FROM tips WHERE anonymous")
            nref = env.scalar("SELECT ref FROM tips WHERE NOT anonymous")
            _, cookie, _ = con.login()
            _, _, page = con.request("GET", "/tips/" + aref, cookie=cookie)
            check('id="h-reply"' in page, "an anonymous tip's page offers an answer")
            token = ct.csrf_of(page)
            queued = env.scalar("SELECT count(*) FROM outbox")
            st, _, page = con.request("POST", "/tips/" + aref,
                                      {"do": "preview", "reply": question, "csrf": token},
                                      cookie=cookie)
            check_eq(st, 200, "the preview")
            check("Tin ẩn danh" in page and "TT hoặc BS" in page, "the preview says it waits")
            st, h, _ = con.request("POST", "/tips/" + aref,
                                   {"do": "reply", "reply": question, "csrf": token},
                                   cookie=cookie)
            check_eq((st, h.get("location")), (303, "/tips/%s?ok=waits" % aref), "kept")
            check_eq(env.scalar("SELECT count(*) FROM outbox"), queued, "nothing queued")
            check_eq(env.query("SELECT by, note, given_at FROM tip_events"),
                     [("Trần Thị Bình (%s)" % ct.OFFICER, question, None)], "the waiting answer")
            _, _, page = con.request("GET", "/tips/" + aref, cookie=cookie)
            check("chờ người báo tin hỏi TT/BS" in page and question in page, "the history")
            st, h, _ = con.request("POST", "/tips/" + nref,
                                   {"do": "reply", "reply": question, "csrf": token},
                                   cookie=cookie)
            check_eq((st, h.get("location")), (303, "/tips/%s?ok=replied" % nref), "sent")
            check_eq(nth_reply(env, VILLAGER, 2, "the console's answer"),
                     "Cong an xa tra loi tin bao %s: %s" % (nref, question), "the SMS")
    finally:
        env.close()


run_tests(globals())
