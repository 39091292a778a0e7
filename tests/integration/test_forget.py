"""Issue 13, everyone else: `tipline forget NUMBER` and privacy.forget_after erase a number the
way an anonymous tip's is erased. The raw bytes of the database, its -wal and -shm (and the
daemon's log) are searched for every form of the number, with the daemon running and after it
stopped; the same search finds a number that was not forgotten, so the test can fail."""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (check, check_eq, files_with, info_env, run_tests, running,  # noqa: E402
                     wait_for)

TIPSTER = "0905111444"
E164 = "+84905111444"
# Every spelling of the number: national, international with and without '+', bare digits.
FORMS = (b"0905111444", b"84905111444", b"+84905111444", b"905111444")
OTHER = "0905222555"  # not forgotten: the control
OTHER_DIGITS = b"905222555"
CONTACT = "0905333666"  # a registered contact
CONTACT_E164 = "+84905333666"
LONG = ("TIN co nguoi ban thuoc lac o nha van hoa thon 3 vao buoi toi, "
        "ho di xe may mau do va thuong dung o cong truong hoc, toi thay ho nhieu lan "
        "trong tuan nay, moi lan khoang muoi phut roi di ve phia song. Co mot nguoi dan ong "
        "khoang bon muoi tuoi dung canh, mac ao khoac xanh, hay goi dien thoai va nhin quanh "
        "truoc khi dua goi nho cho nguoi mua, sau do ca hai di ve hai huong khac nhau.")
OLD = "datetime('now', '-40 days')"


def holding(env, forms=FORMS):
    """{form: files holding it} for the forms some file holds."""
    return {f: files_with(env, f) for f in forms if files_with(env, f)}


def wait_gone(env, what, forms=FORMS):
    try:
        wait_for(lambda: not holding(env, forms), 10, "no file holds the number")
    except Exception:
        raise AssertionError("%s: the number is still in %s" % (what, holding(env, forms)))


def wait_settled(env):
    wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status IN "
                                "('queued', 'sending')") == 0, 15, "the outbox settled")


def snapshot(env):
    """Every row of the tables forgetting may change, for a before/after comparison."""
    return {t: env.query("SELECT * FROM %s ORDER BY 1" % t)
            for t in ("tips", "inbox", "inbox_parts", "outbox", "contacts", "group_members",
                      "patrols")}


def test_forget_number_leaves_no_trace():
    env = info_env()
    with running(env, start=False):
        env.start()
        env.cli("contact", "add", CONTACT, "--name", "Lan")
        env.cli("group", "add", "BAOVE", CONTACT, TIPSTER)
        env.sms(OTHER, "TIN co nguoi la o thon 2")
        env.sms(TIPSTER, "TIN mat trom xe may o thon 4")
        # Three parts, the second alone in an earlier commit: the parts hold the number too.
        env.sms(TIPSTER, LONG, parts="2", ref=7, when="2026-11-26 09:00:00")
        wait_for(lambda: env.scalar("SELECT count(*) FROM inbox_parts") == 1, 10,
                 "the first part stored")
        env.sms(TIPSTER, LONG, parts="3,1", ref=7, when="2026-11-26 09:00:00")
        env.sms(CONTACT, "TIN co tieng no o bai da")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 4, 15, "four tips")
        wait_settled(env)
        # An officer edited the tipster in the console once: its log names the number (the
        # row as console_people.c writes it through act_audit).
        con = sqlite3.connect(env.db)
        with con:
            con.execute("INSERT INTO console_audit (at, by, action, subject, detail) VALUES "
                        "('2026-11-26 10:00:00', 'Lan', 'contact_set', ?, 'tên: Hà')", (E164,))
        con.close()
        check(holding(env), "before forget the number is on disk (the search can fail)")

        # Without --yes: what it would change, exit 3, nothing changed.
        before = snapshot(env)
        p = env.cli("forget", TIPSTER, check_rc=False)
        out = p.stdout.decode()
        check_eq(p.returncode, 3, "forget without --yes: exit status")
        check("would erase" in out and "--yes" in out, "it says what it would do: %r" % out)
        check_eq(snapshot(env), before, "the tables without --yes")

        # With --yes, the number spelt another way: the same number.
        p = env.cli("forget", "84905111444", "--yes")
        out = p.stdout.decode()
        check(out.startswith("forgot %s: " % E164), "forget names the number: %r" % out)
        counts = dict(line.split() for line in out.splitlines()[1:] if line.startswith("  "))
        check_eq(counts, {"tips": "2", "inbox": "2", "inbox_parts": "3", "outbox": "2",
                          "group_members": "1", "console_audit": "1"}, "rows changed per table")
        check_eq(env.query("SELECT by, subject FROM console_audit"), [("Lan", "forgotten")],
                 "the console's log: the subject erased, who did it kept")
        check_eq(env.query("SELECT sender FROM tips ORDER BY id"),
                 [("+84905222555",), ("forgotten",), ("forgotten",), (CONTACT_E164,)], "tips")
        check_eq(env.query("SELECT phone FROM group_members"), [(CONTACT_E164,)],
                 "a registered member stays in the group, the forgotten number does not")
        wait_gone(env, "forget with the daemon running")
        check(files_with(env, OTHER_DIGITS), "the number not forgotten is found (the search can "
                                             "fail)")

        # A registered contact: told, its contact row kept, its messages' numbers erased.
        p = env.cli("forget", "+" + CONTACT_E164[1:], "--yes")
        out = p.stdout.decode()
        check("is a registered contact (Lan)" in out, "forget says it is a contact: %r" % out)
        check_eq(env.query("SELECT phone, name FROM contacts"), [(CONTACT_E164, "Lan")],
                 "the contact row")
        check_eq(env.scalar("SELECT count(*) FROM inbox WHERE sender = ?", (CONTACT_E164,)), 0,
                 "the contact's messages")

        # The daemon still works after: a new tip from the forgotten number is a new tip.
        env.sms(TIPSTER, "TIN lai co nguoi la")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 5, 15, "a fifth tip")
        wait_settled(env)
        p = env.cli("forget", TIPSTER, "--yes")
        check("tips                 1" in p.stdout.decode(), "one more tip: %r" % p.stdout)
        wait_gone(env, "a second forget")
        p = env.cli("forget", TIPSTER, check_rc=False)
        check_eq((p.returncode, p.stdout.decode().splitlines()[0]),
                 (0, "no row holds %s: nothing to forget" % E164), "nothing left to forget")
        # After the daemon stopped (its last checkpoint and close) as well.
        check_eq(env.stop(), 0, "tiplined exit status")
        check(os.path.exists(env.db), "the database is still there to search")
        check(not holding(env), "after the daemon stopped the number is in %s" % holding(env))
        check(files_with(env, OTHER_DIGITS), "the control number after the stop")


def test_forget_keeps_what_is_still_to_send():
    env = info_env()
    with running(env, start=False):
        env.cli("contact", "list")  # creates the database
        con = sqlite3.connect(env.db)
        con.execute("INSERT INTO outbox (recipient, text, status, created_at, not_before, "
                    "updated_at) VALUES (?, 'hen gap', 'queued', datetime('now'), "
                    "datetime('now', '+1 day'), datetime('now'))", (E164,))
        con.execute("INSERT INTO outbox (recipient, text, status, created_at, not_before, "
                    "updated_at) VALUES (?, 'da gui', 'sent', datetime('now'), datetime('now'), "
                    "datetime('now'))", (E164,))
        for sid, outcome in (("s1", "tip"), ("s2", None)):  # a USSD session ended, one open
            con.execute("INSERT INTO ussd_sessions (id, phone, service_code, started_at, "
                        "last_step_at, last_step, outcome) VALUES (?, ?, '*123#', "
                        "datetime('now'), datetime('now'), 'main', ?)", (sid, E164, outcome))
        con.commit()
        con.close()
        p = env.cli("forget", TIPSTER, "--yes")
        out = p.stdout.decode()
        check("kept: 1 outbox message still to be sent" in out, "the waiting row kept: %r" % out)
        check("kept: 1 USSD session still open" in out, "the open session kept: %r" % out)
        check_eq(env.query("SELECT recipient, status FROM outbox ORDER BY id"),
                 [(E164, "queued"), ("forgotten", "sent")], "outbox")
        check_eq(env.query("SELECT id, phone FROM ussd_sessions ORDER BY id"),
                 [("s1", "forgotten"), ("s2", E164)], "USSD sessions")
        p = env.cli("forget", TIPSTER, "--yes")
        check_eq(p.stdout.decode().splitlines()[0], "nothing to forget for %s now" % E164,
                 "only rows in use are left")


def age(env, e164):
    """Make every row of number E164 40 days old (the daemon stopped). The inbox keeps the
    sender as the network gave it (0905...), the rest E.164."""
    forms = (e164, "0" + e164[3:])
    con = sqlite3.connect(env.db)
    for table, col, times in (("inbox", "sender", ("received_at", "smsc_time")),
                              ("inbox_parts", "sender", ("received_at", "smsc_time")),
                              ("tips", "sender", ("read_at", "created_at")),
                              ("outbox", "recipient", ("created_at",)),
                              ("patrols", "leader", ("started_at", "start_read_at", "ended_at",
                                                     "end_read_at"))):
        sets = ", ".join("%s = %s" % (t, OLD) for t in times)
        con.execute("UPDATE %s SET %s WHERE %s IN (?, ?)" % (table, sets, col), forms)
    con.commit()
    con.close()


def test_forget_after_erases_old_numbers_at_start():
    env = info_env(extra="privacy: { forget_after = 30; };")
    with running(env, start=False):
        env.start()
        # Two leaders (patrols are theirs only); the tipster's contact row goes before the job.
        env.cli("contact", "add", CONTACT, "--name", "Lan", "--role", "leader", "--team", "TQ3")
        env.cli("contact", "add", TIPSTER, "--role", "leader", "--team", "TQ4")
        env.sms(TIPSTER, "TIN mat trom xe may o thon 4")
        env.sms(TIPSTER, LONG, parts="1,2,3", ref=8)
        env.sms(TIPSTER, "TUAN BD TQ4 4")
        env.sms(CONTACT, "TIN co tieng no o bai da")
        env.sms(CONTACT, "TUAN BD TQ3 5")
        env.sms(OTHER, "TIN co nguoi la o thon 2")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 4, 15, "four tips")
        wait_for(lambda: env.scalar("SELECT count(*) FROM patrols") == 2, 15, "two patrols")
        env.sms(TIPSTER, "TUAN KT TQ4")
        env.sms(CONTACT, "TUAN KT TQ3")
        wait_for(lambda: env.scalar("SELECT count(*) FROM patrols WHERE ended_at IS NOT NULL")
                 == 2, 15, "the patrols ended")
        wait_settled(env)
        # Nothing is older than 30 days yet: everything kept.
        check(holding(env), "new rows keep the number")
        check_eq(env.stop(), 0, "tiplined exit status")
        check(not env.log_text().count("privacy: forgot"), "nothing forgotten while new")
        # Make the tipster's and the contact's rows old; OTHER's stay new. A reply to OTHER
        # still waiting (due tomorrow) is old too, and must be kept until it is sent.
        age(env, E164)
        age(env, CONTACT_E164)
        con = sqlite3.connect(env.db)
        con.execute("DELETE FROM contacts WHERE phone = ?", (E164,))  # no longer registered
        con.execute("INSERT INTO outbox (recipient, text, status, created_at, not_before, "
                    "updated_at) VALUES ('+84905222555', 'hen gap', 'queued', %s, "
                    "datetime('now', '+1 day'), %s)" % (OLD, OLD))
        con.commit()
        con.close()
        check(holding(env), "the old rows hold the number before the start")
        before_other = env.query("SELECT sender FROM tips WHERE sender = '+84905222555'")
        env.start()
        wait_for(lambda: "privacy: forgot the numbers of" in env.log_text(), 15,
                 "the daemon forgets at start")
        wait_gone(env, "privacy.forget_after")
        check(files_with(env, OTHER_DIGITS), "the new number is kept (the search can fail)")
        check_eq(env.query("SELECT sender FROM tips ORDER BY id"),
                 [("forgotten",), ("forgotten",), ("forgotten",)] + before_other, "tips")
        check_eq(env.scalar("SELECT count(*) FROM inbox WHERE sender = 'forgotten'"), 7,
                 "the old inbox rows (three tips, the leaders' check-ins and check-outs)")
        check_eq(env.query("SELECT team, leader FROM patrols ORDER BY team"),
                 [("TQ3", CONTACT_E164), ("TQ4", "forgotten")],
                 "a registered leader's patrol kept, an unregistered one's erased")
        check_eq(env.query("SELECT phone, name FROM contacts"), [(CONTACT_E164, "Lan")],
                 "the registered contact stays")
        check_eq(env.query("SELECT recipient FROM outbox WHERE status = 'queued'"),
                 [("+84905222555",)], "a message still to send keeps its number")
        log = env.log_text()
        check("tips 3," in log and "inbox_parts 3," in log and "patrols 1" in log,
              "the log counts per table: %r" % [ln for ln in log.splitlines() if "privacy" in ln])
        for f in FORMS + (OTHER_DIGITS, b"905333666"):
            check(f.decode() not in log, "no number in the log")
        check_eq(env.stop(), 0, "tiplined exit status")
        check(not holding(env), "after the daemon stopped the number is in %s" % holding(env))


def age_rows(env, days, who, tables):
    """Make the rows of TABLES {table: (column, time columns)} whose column is in WHO DAYS
    days old (the daemon stopped)."""
    old = "datetime('now', '-%d days')" % days
    con = sqlite3.connect(env.db)
    for table, (col, times) in tables.items():
        sets = ", ".join("%s = %s" % (t, old) for t in times)
        marks = ", ".join("?" * len(who))
        con.execute("UPDATE %s SET %s WHERE \"%s\" IN (%s)" % (table, sets, col, marks), tuple(who))
    con.commit()
    con.close()


RECORDS = {"awareness_sessions": ("reporter", ("read_at", "held_at")),
           "mediations": ("reporter", ("read_at", "created_at")),
           "broadcasts": ("created_by", ("created_at",)),
           "tip_events": ("by", ("at",)),
           "ussd_sessions": ("phone", ("started_at", "last_step_at")),
           "tips": ("sender", ("read_at", "created_at")),
           "console_audit": ("subject", ("at",))}


def test_forget_after_ages_every_record():
    """forget_after = 30 on every table with a number: a former leader's awareness report and
    mediation, a former officer's broadcast, a triage step typed by a phone number, a USSD
    session, 40 days old, lose the number; a registered leader's report, an officer's login
    name in the triage audit, and a tip 29 days old (days, not hours) keep theirs."""
    officer, officer_e164 = "0905444777", "+84905444777"
    env = info_env(extra="privacy: { forget_after = 30; };")
    with running(env, start=False):
        env.start()
        env.cli("contact", "add", CONTACT, "--name", "Lan", "--role", "leader", "--team", "TQ3")
        env.cli("contact", "add", TIPSTER, "--role", "leader", "--team", "TQ4")
        env.cli("contact", "add", officer, "--role", "officer", "--pin", "2468")
        env.sms(TIPSTER, "TTPL 45 hop dan thon 4")
        env.sms(TIPSTER, "HG tranh chap ranh gioi dat thon 4")
        env.sms(CONTACT, "TTPL 30 hop dan thon 3")
        env.sms(officer, "TB 2468 TATCA Hop dan toan xa luc 8h")
        env.sms(OTHER, "TIN co nguoi la o thon 2")
        wait_for(lambda: env.scalar("SELECT count(*) FROM awareness_sessions") == 2 and
                 env.scalar("SELECT count(*) FROM mediations") == 1 and
                 env.scalar("SELECT count(*) FROM broadcasts") == 1 and
                 env.scalar("SELECT count(*) FROM tips") == 1, 15, "the records stored")
        ref = env.scalar("SELECT ref FROM tips")
        env.cli("tip", "mark", ref, "checking", "--by", "Trung uy Hung")
        env.cli("tip", "mark", ref, "valuable", "--by", officer_e164)
        wait_settled(env)
        check_eq(env.stop(), 0, "tiplined exit status")
        con = sqlite3.connect(env.db)
        con.execute("INSERT INTO ussd_sessions (id, phone, service_code, started_at, last_step_at, "
                    "last_step, outcome) VALUES ('s1', ?, '*123#', datetime('now'), datetime('now'), "
                    "'main', 'tip')", (E164,))
        # The console's log: a former leader's number and a registered contact's as subjects.
        for subject in (E164, CONTACT_E164):
            con.execute("INSERT INTO console_audit (at, by, action, subject) VALUES "
                        "(datetime('now'), 'Trung uy Hung', 'contact_set', ?)", (subject,))
        con.execute("DELETE FROM contacts WHERE phone IN (?, ?)", (E164, officer_e164))  # former
        con.commit()
        con.close()
        age_rows(env, 40, (E164, CONTACT_E164, officer_e164, "Trung uy Hung"), RECORDS)
        age_rows(env, 29, ("+84905222555",), RECORDS)
        env.start()
        wait_for(lambda: "privacy: forgot the numbers of" in env.log_text(), 15,
                 "the daemon forgets at start")
        check_eq(env.query("SELECT reporter FROM awareness_sessions ORDER BY id"),
                 [("forgotten",), (CONTACT_E164,)], "awareness reporters: a former leader's erased")
        check_eq(env.query("SELECT reporter FROM mediations"), [("forgotten",)], "mediation reporter")
        check_eq(env.query("SELECT created_by FROM broadcasts"), [("forgotten",)],
                 "a former officer's broadcast")
        check_eq(env.query("SELECT by, to_status FROM tip_events ORDER BY id"),
                 [("Trung uy Hung", "checking"), ("forgotten", "valuable")],
                 "triage audit: the login name kept, the phone number erased")
        check_eq(env.query("SELECT phone FROM ussd_sessions"), [("forgotten",)], "USSD session")
        check_eq(env.query("SELECT subject FROM console_audit ORDER BY id"),
                 [("forgotten",), (CONTACT_E164,)],
                 "console log: a former leader's number erased, a registered contact's kept")
        check_eq(env.query("SELECT sender FROM tips"), [("+84905222555",)], "a tip 29 days old keeps its number")
        check_eq(env.stop(), 0, "tiplined exit status")


def test_reread_of_a_forgotten_message_is_deduplicated():
    """A crash after the commit, before the modem deleted the messages; the officer forgets
    the number while the daemon is down: the re-read after the restart is still a no-op."""
    env = info_env()
    with running(env, start=False):
        env.sms(TIPSTER, "TIN mat trom xe may o thon 4", when="2026-11-26 11:00:00")
        env.sms(TIPSTER, LONG, parts="1,2,3", ref=12, when="2026-11-26 11:00:05")
        env.start(env={"TIPLINE_FAULT": "exit-after-commit"})
        check_eq(env.wait_exit(), 99, "exit status at the fault point")
        check(env.modem_inbox(), "messages still on the modem")
        env.cli("forget", TIPSTER, "--yes")
        stored = env.scalar("SELECT count(*) FROM inbox")
        check(stored >= 1, "something was committed before the fault")
        env.start()
        wait_for(lambda: not env.modem_inbox(), 10, "the modem emptied after the restart")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 2, 10, "two tips")
        check_eq(env.inbox_count(), 2, "inbox rows after the re-read")
        check_eq(env.scalar("SELECT count(*) FROM inbox_parts"), 3, "parts rows")
        check_eq(env.scalar("SELECT count(*) FROM inbox WHERE sender = ?", (E164,)) +
                 env.scalar("SELECT count(*) FROM inbox WHERE sender = ?", (TIPSTER,)),
                 2 - stored, "rows stored after the restart keep the number")


if __name__ == "__main__":
    run_tests(globals())
