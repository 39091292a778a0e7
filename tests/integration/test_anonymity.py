"""Issue 13: an anonymous tip's number is in no file tipline writes (the database, its -wal and
-shm, the daemon's log) once the acknowledgement was handed to the modem; the tipster still
gets it, with a secret that proves later supplements; the flood cap and the re-read dedupe
still hold. The simulated phone's folders play the network and keep numbers: not searched."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (SLOW, Env, check, check_eq, info_env, run_tests, running,  # noqa: E402
                     sent_messages, wait_for)

TIPSTER = "0905111444"
E164 = "+84905111444"
# Every form of the number holds these digits: 0905111444, +84905111444, 84905111444.
DIGITS = b"905111444"
OTHER = "0905222555"  # an ordinary (not anonymous) tipster: the control
LONG = ("TIN ANDANH co nguoi ban thuoc lac o nha van hoa thon 3 vao buoi toi, "
        "ho di xe may mau do va thuong dung o cong truong hoc, toi thay ho nhieu lan "
        "trong tuan nay, moi lan khoang muoi phut roi di ve phia song. Co mot nguoi dan ong "
        "khoang bon muoi tuoi dung canh, mac ao khoac xanh, hay goi dien thoai va nhin quanh "
        "truoc khi dua goi nho cho nguoi mua, sau do ca hai di ve hai huong khac nhau.")


def replies_to(env, number):
    return [m["text"] for m in sent_messages(env) if m["to"] == number]


def files_with(env, needle=DIGITS):
    return harness.files_with(env, needle)


def wait_clean(env, what):
    """Every reply handed over (outbox settled), then no file holds the number."""
    wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status IN "
                                "('queued', 'sending')") == 0, 15, "the outbox settled")
    try:
        wait_for(lambda: not files_with(env), 10, "no file holds the number")
    except Exception:
        raise AssertionError("after %s the number is in %s" % (what, files_with(env)))


def ack_code(env):
    acks = wait_for(lambda: replies_to(env, E164), 15, "the acknowledgement")
    m = re.search(r"ma so (T\d+)-(\d{4})\b", acks[0])
    check(m is not None, "the acknowledgement %r carries the reference and a secret" % acks[0])
    check(len(acks[0]) <= 160, "the acknowledgement stays one GSM-7 part (%d)" % len(acks[0]))
    return m.group(1), m.group(2)


def test_anonymous_tip_leaves_no_number():
    with running(info_env()) as env:
        env.sms(OTHER, "TIN co nguoi la o thon 2")
        env.sms(TIPSTER, "TIN ANDANH co nguoi ban thuoc lac")
        ref, secret = ack_code(env)
        check_eq(env.query("SELECT sender, anonymous, text FROM tips ORDER BY id"),
                 [("+84905222555", 0, "co nguoi la o thon 2"),
                  ("anonymous", 1, "co nguoi ban thuoc lac")])
        wait_clean(env, "a one-part anonymous tip")
        # The same search finds the ordinary tipster's number: the search can fail.
        check("tipline.db" in files_with(env, b"905222555") or
              "tipline.db-wal" in files_with(env, b"905222555"),
              "the control number is found in the database")
        check(re.search(r"tip T\d+ from an anonymous sender", env.log_text()), "the log says anonymous")
        check("+8490522****" in env.log_text(), "the control number masked in the log")
        check("90511*" not in env.log_text(), "the anonymous number not even masked in the log")
        check("co nguoi ban" not in env.log_text(), "no message text in the log")


def test_multipart_anonymous_tip_parts_apart():
    """Three parts out of order, the first one alone in an earlier commit."""
    with running(info_env()) as env:
        env.sms(TIPSTER, LONG, parts="2", ref=9, when="2026-11-26 09:00:00")
        wait_for(lambda: env.scalar("SELECT count(*) FROM inbox_parts") == 1, 10,
                 "the first part stored")
        check(files_with(env), "the waiting part carries the number (the search can fail)")
        env.sms(TIPSTER, LONG, parts="3,1", ref=9, when="2026-11-26 09:00:00")
        ack_code(env)
        check_eq(env.query("SELECT sender, anonymous FROM tips"), [("anonymous", 1)])
        check_eq(env.query("SELECT DISTINCT sender FROM inbox_parts"), [("anonymous",)])
        wait_clean(env, "a 2-part anonymous tip delivered apart")


def test_multipart_parts_scrubbed_without_a_reply():
    """With replies off, no later send scrubs the WAL: the anonymizing commit must."""
    with running(info_env(extra="replies: { enabled = false; };")) as env:
        env.sms(TIPSTER, LONG, parts="1", ref=10, when="2026-11-26 09:00:00")
        wait_for(lambda: env.scalar("SELECT count(*) FROM inbox_parts") == 1, 10,
                 "the first part stored")
        check(files_with(env), "the waiting part carries the number (the search can fail)")
        env.sms(TIPSTER, LONG, parts="2,3", ref=10, when="2026-11-26 09:00:00")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 1, 10, "the tip stored")
        wait_clean(env, "a 2-part anonymous tip without a reply")


# A reader as an officer's sqlite3 shell or export is: its own process, a read transaction on
# the snapshot of when it began, held until told to close. Not a connection of the test's own
# process: there the test's other connections, opened and closed beside it, can drop its lock
# (POSIX locks are per process), and the scrub then passes it.
READER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
con.execute("BEGIN")
con.execute("SELECT count(*) FROM " + sys.argv[2]).fetchall()
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


class Reader:
    """with Reader(env, table): a read transaction held in another process until the end."""

    def __init__(self, env, table="inbox"):
        self.proc = subprocess.Popen([sys.executable, "-c", READER, env.db, table],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if line != "holding":
            self.close()
            raise AssertionError("the reader did not start: %r" % line)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("\n")
                self.proc.stdin.flush()
            except OSError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def scrub_status(env):
    return json.loads(env.cli("status", "--json").stdout.decode())["database"]


def test_open_reader_stalls_no_commit():
    """Issue 21: a reader held open across an anonymous tip and 20 ordinary messages. The WAL
    scrub after the tip must not wait for it: every message is stored within a poll or two,
    `tipline status` says the scrub is pending and since when, and once the reader closes the
    number leaves the WAL within seconds (the job table's retry, not a later commit's)."""
    with running(info_env()) as env:
        env.sms(OTHER, "TIN co nguoi la o thon 2")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 1, 10, "the first tip")
        reader = Reader(env)
        try:
            t0 = time.monotonic()
            env.sms(TIPSTER, "TIN ANDANH co nguoi ban thuoc lac")
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips WHERE anonymous = 1") == 1, 10,
                     "the anonymous tip")
            ack_code(env)
            took = []
            for i in range(20):
                t = time.monotonic()
                env.sms("09052226%02d" % i, "TIN chuyen thu %d o thon 4" % i)
                # A poll is 50 ms; the SMS is written by the CLI first: 3 s is "a poll or two"
                # on a loaded machine, where the stall was busy_timeout (30 s here) each time.
                wait_for(lambda: env.scalar("SELECT count(*) FROM inbox WHERE text = ?",
                                            ("TIN chuyen thu %d o thon 4" % i,)) == 1,
                         3, "message %d stored with a reader open" % i, interval=0.01)
                took.append(time.monotonic() - t)
            sys.stderr.write("21 messages behind an open reader: slowest %.2f s, all %.1f s\n"
                             % (max(took), time.monotonic() - t0))
            check("tipline.db-wal" in files_with(env),
                  "the reader holds the old frames: the number is still in the WAL "
                  "(the search can fail)")
            st = scrub_status(env)
            check(st["wal_scrub_pending_since"] is not None, "status: the scrub pending (%r)" % st)
            text = env.cli("status").stdout.decode()
            check(re.search(r"WAL scrub: +pending since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", text),
                  "status says the scrub is pending and since when:\n" + text)
        finally:
            reader.close()
        closed = time.monotonic()
        wait_for(lambda: not files_with(env), 5, "the number out of every file once the reader "
                 "closed")
        sys.stderr.write("WAL scrubbed %.2f s after the reader closed\n"
                         % (time.monotonic() - closed))
        st = wait_for(lambda: (lambda d: d if d["wal_scrub_pending_since"] is None else None)(
            scrub_status(env)), 5, "the scrub recorded as done")
        check(st["wal_scrub_last_took_ms"] >= 1000, "the time it was pending recorded: %r" % st)
        check(st["wal_scrub_last_done_at"] is not None, "when it was done: %r" % st)
        check("WAL scrub:    done" in env.cli("status").stdout.decode(), "status: the scrub done")


def test_supplement_needs_the_secret():
    with running(info_env()) as env:
        env.sms(TIPSTER, "TIN ANDANH co nguoi ban thuoc lac")
        ref, secret = ack_code(env)
        env.sms(TIPSTER, "BS %s xe mau den" % ref)
        wait_for(lambda: len(replies_to(env, E164)) >= 2, 15, "the answer to BS without secret")
        check("Khong tim thay" in replies_to(env, E164)[1], "a neutral answer without the secret")
        wrong = "%04d" % ((int(secret) + 1) % 10000)
        env.sms(TIPSTER, "BS %s-%s xe mau trang" % (ref, wrong))
        wait_for(lambda: len(replies_to(env, E164)) >= 3, 15, "the answer to a wrong secret")
        check("Khong tim thay" in replies_to(env, E164)[2], "a neutral answer to a wrong secret")
        env.sms(TIPSTER, "BS %s-%s bien so 47B1" % (ref, secret))
        wait_for(lambda: len(replies_to(env, E164)) >= 4, 15, "the answer to BS with the secret")
        check("Da bo sung" in replies_to(env, E164)[3], "the supplement acknowledged")
        check_eq(env.query("SELECT text FROM tip_supplements"), [("bien so 47B1",)])
        wait_clean(env, "a supplement with its secret")


def test_status_needs_the_secret():
    """TT (issue 26): an anonymous tip's status only with its secret; without it, or with a
    wrong one, BS's neutral answer. Every TT naming the tip loses its number, as BS does."""
    with running(info_env()) as env:
        env.sms(TIPSTER, "TIN ANDANH co nguoi ban thuoc lac")
        ref, secret = ack_code(env)
        wrong = "%04d" % ((int(secret) + 1) % 10000)
        asked = [("TT %s" % ref, "Khong tim thay"), ("TT %s-%s" % (ref, wrong), "Khong tim thay"),
                 ("TT %s-%s" % (ref, secret), "da nhan")]
        for n, (text, want) in enumerate(asked):
            env.sms(TIPSTER, text, when="2026-11-26 12:00:0%d" % n)
            got = wait_for(lambda: (lambda r: r if len(r) >= n + 2 else None)(
                replies_to(env, E164)), 15, "the answer to %r" % text)[n + 1]
            check(want in got, "%r answered %r" % (text, got))
        check_eq(env.cli("tip", "mark", ref, "checking").returncode, 0, "mark checking")
        env.sms(TIPSTER, "tinh trang %s-%s" % (ref, secret), when="2026-11-26 12:00:09")
        got = wait_for(lambda: (lambda r: r if len(r) >= 5 else None)(replies_to(env, E164)), 15,
                       "the answer once checked")[4]
        check("dang duoc xac minh" in got, got)
        check_eq(env.scalar("SELECT count(*) FROM inbox WHERE kind = 'status' AND "
                            "sender = 'anonymous'"), 4, "every TT naming the tip: no number")
        wait_clean(env, "TT with and without the secret")


def test_answer_to_an_anonymous_tip_waits_for_the_secret():
    """Issue 26: an officer's answer to an anonymous tip cannot be sent (no number is kept): it
    waits on the tip and is given with BS or TT quoting the secret, never without it; the
    number stays in no file (database, WAL, log) all along."""
    question = "Ban thay xe mau gi, luc may gio?"
    with running(info_env(extra="replies: { max_per_hour = 10; };")) as env:
        env.sms(TIPSTER, "TIN ANDANH co nguoi ban thuoc lac")
        ref, secret = ack_code(env)
        wait_clean(env, "the anonymous tip")
        queued = env.scalar("SELECT count(*) FROM outbox")
        out = env.cli("tip", "answer", ref, question, "--by", "Trung uy Hai").stdout.decode()
        check("an anonymous tip: the answer waits for the tipster's next TT or BS" in out, out)
        check_eq(env.scalar("SELECT count(*) FROM outbox"), queued, "nothing queued")
        check_eq(env.query("SELECT by, note, answer, given_at FROM tip_events"),
                 [("Trung uy Hai", question, 1, None)], "the answer waits")
        asked = [("TT %s" % ref, "Khong tim thay"), ("BS %s xe mau den" % ref, "Khong tim thay"),
                 ("BS %s-%s bien so 47B1" % (ref, secret), "Da bo sung"),
                 ("BS %s-%s nguoi mac ao xanh" % (ref, secret), "Da bo sung"),
                 ("TT %s-%s" % (ref, secret), "da nhan")]
        got = []
        for n, (text, want) in enumerate(asked):
            env.sms(TIPSTER, text, when="2026-11-26 12:00:0%d" % n)
            got.append(wait_for(lambda: (lambda r: r if len(r) >= n + 2 else None)(
                replies_to(env, E164)), 15, "the answer to %r" % text)[n + 1])
            check(want in got[-1], "%r answered %r" % (text, got[-1]))
        tail = "Tra loi cua cong an: " + question
        check_eq([tail in g for g in got], [False, False, True, False, True],
                 "the answer given with the secret only: with BS while it waits, with TT always")
        for g in got:
            check(len(g) <= 160, "one GSM-7 SMS: %r" % g)
        check(env.scalar("SELECT given_at FROM tip_events") is not None, "given")
        wait_clean(env, "an answer given with BS and TT")


def test_flood_cap_holds_for_anonymous_sender():
    with running(info_env()) as env:
        for i in range(40):
            env.sms(TIPSTER, "TIN ANDANH so %d co nguoi ban thuoc lac" % i,
                    when="2026-11-26 10:%02d:%02d" % (i // 60, i % 60))
        env.wait_drained(40)
        wait_for(lambda: len(replies_to(env, E164)) >= 5, 15, "five acknowledgements")
        wait_clean(env, "forty anonymous tips")
        check_eq(len(replies_to(env, E164)), 5, "acknowledgements (replies.max_per_hour = 5)")
        check_eq(env.scalar("SELECT count(*) FROM tips WHERE anonymous"), 40, "tips stored")


def test_reread_after_crash_is_deduplicated():
    env = info_env()
    with running(env, start=False):
        env.sms(TIPSTER, "TIN ANDANH co nguoi ban thuoc lac", when="2026-11-26 11:00:00")
        env.start()
        # A multipart tip whose last part is read again after the crash.
        env.sms(TIPSTER, LONG, parts="1", ref=12, when="2026-11-26 11:00:05")
        wait_for(lambda: env.scalar("SELECT count(*) FROM inbox_parts") == 1, 10,
                 "the first part stored")
        check_eq(env.stop(), 0, "stopped")
        env.sms(TIPSTER, LONG, parts="2,3", ref=12, when="2026-11-26 11:00:05")
        env.sms(TIPSTER, "TIN ANDANH nguoi thu hai", when="2026-11-26 11:00:09")
        env.start(env={"TIPLINE_FAULT": "exit-after-commit"})
        check_eq(env.wait_exit(), 99, "exit status at the fault point")
        check(len(env.modem_inbox()) >= 2, "messages still on the modem")
        env.start()
        wait_for(lambda: not env.modem_inbox(), 10, "the modem emptied after restart")
        check_eq(env.inbox_count(), 3, "inbox rows after the re-read")
        check_eq(env.scalar("SELECT count(*) FROM inbox_parts"), 3, "parts rows")
        check_eq(env.scalar("SELECT count(*) FROM tips"), 3, "tips")
        wait_for(lambda: len(replies_to(env, E164)) >= 3, 15, "three acknowledgements")
        wait_clean(env, "a crash after the commit and a re-read")
        check_eq(len(replies_to(env, E164)), 3, "one acknowledgement per tip")


def test_two_tipsters_same_text_same_second_are_two_tips():
    """The re-read dedupe cannot use the number: it must not take another person's message of
    the same text in the same second for a re-read (both stored, and a crash re-read of each
    still a no-op). An ordinary message of that text and second is not swallowed either."""
    env = info_env()
    text = "TIN ANDANH co nguoi ban thuoc lac"
    when = "2026-11-26 12:00:00"
    with running(env, start=False):
        env.sms(TIPSTER, text, when=when)
        env.sms(OTHER, text, when=when)
        env.sms("0905333666", "BS T9 xe mau do", when=when)
        env.sms("0905444777", "BS T9 xe mau do", when=when)
        env.start(env={"TIPLINE_FAULT": "exit-after-commit"})
        check_eq(env.wait_exit(), 99, "exit status at the fault point")
        check(len(env.modem_inbox()) == 4, "the four still on the modem: they are read again")
        env.start()
        wait_for(lambda: not env.modem_inbox(), 10, "the modem emptied after restart")
        check_eq(env.scalar("SELECT count(*) FROM tips WHERE anonymous"), 2, "two anonymous tips")
        check_eq(env.inbox_count(), 4, "four messages, none twice")
        # Both anonymous, though 'anonymous' can be the sender of one row of that text and
        # second only (inbox's UNIQUE key): the other is 'anonymous:ID'.
        wait_clean(env, "two anonymous tips of one text and second")
        # wait_clean waited for the first tipster's number only; the second's may still be in
        # WAL frames whose scrub (non-blocking, retried by the job table) is due: wait for it
        # too (CI's sanitizer pass once read the files in between).
        try:
            wait_for(lambda: not files_with(env, b"905222555"), 10,
                     "the second tipster's number gone")
        except Exception:
            raise AssertionError("the second tipster's number is in %s"
                                 % files_with(env, b"905222555"))


def test_killed_after_the_ack_was_handed_over():
    """The daemon is SIGKILLed right after the modem took the acknowledgement, before its
    outcome was committed: after the restart the row is settled (sent again, at most once) and
    erased."""
    env = info_env()
    with running(env, start=False):
        env.sms(TIPSTER, "TIN ANDANH co nguoi ban thuoc lac")
        env.start(env={"TIPLINE_FAULT": "exit-after-modem-send:kill"})
        check_eq(env.wait_exit(), -9, "killed by SIGKILL at the fault point")
        check(replies_to(env, E164), "the modem took the acknowledgement")
        check("tipline.db" in files_with(env) or "tipline.db-wal" in files_with(env),
              "the unsettled row still names the number (the search can fail)")
        env.start()
        wait_clean(env, "a kill after the hand-over and a restart")
        check(1 <= len(replies_to(env, E164)) <= 2, "sent at least once, at most twice")


def test_anonymous_tip_stored_unhandled_loses_its_number():
    """A handling that breaks (here a trigger refusing the tip) leaves the message stored bare,
    never retried: the bare row of an anonymous tip must lose the number all the same."""
    env = info_env()
    with running(env, start=False):
        env.cli("inbox")  # creates the database
        env.query("CREATE TRIGGER poison BEFORE INSERT ON tips WHEN NEW.text LIKE '%POISON%' "
                  "BEGIN SELECT RAISE(ABORT, 'poisoned tip'); END")
        env.sms(TIPSTER, "TIN ANDANH POISON co nguoi ban thuoc lac")
        env.sms(OTHER, "TIN POISON co nguoi la o thon 2")
        env.start()
        env.wait_drained(2)
        wait_for(lambda: env.log_text().count("stored without handling it") == 2, 10,
                 "both stored unhandled")
        check_eq(sorted(env.query("SELECT sender, kind FROM inbox")),
                 [("0905222555", None), ("anonymous", None)], "inbox")
        check_eq(env.scalar("SELECT count(*) FROM tips"), 0, "no tip")
        wait_clean(env, "an anonymous tip stored unhandled")
        check(files_with(env, b"905222555"), "the ordinary sender's number is kept")


def test_debug_log_says_it_shows_numbers():
    with running(Env()) as env:
        wait_for(lambda: "debug logging is on" in env.log_text(), 10, "the debug notice")
        env.sms(OTHER, "TIN co nguoi la o thon 2")
        wait_for(lambda: replies_to(env, "+84905222555"), 15, "the acknowledgement")
        log = env.log_text()
        for line in log.splitlines():
            if "[debug]" not in line:
                check("905222555" not in line, "a line above debug names the number: %r" % line)


if __name__ == "__main__":
    run_tests(globals())
