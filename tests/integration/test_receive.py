"""The receive path of the real tiplined on libGammu's dummy phone: every message is stored
exactly once, decoded exactly, and deleted from the modem only after it is committed."""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SLOW, Env, check, check_eq, run_tests, running, wait_for  # noqa: E402

VIET = "Tuần tra thôn 3 lúc 19h: có 5 người, Đăk Tờ Re. Huỷ ca ngày mai?"
EMOJI = "Có người lạ 😀👍 ở thôn 3 🏍️"
LONG = ("Toi thay mot nhom nguoi la di xe may khong bien so qua thon 3 luc 22h, "
        "ho dung lai o nha van hoa va hoi duong vao ray cua nha ong A. "
        "Co mot nguoi mac ao khoac den, deo khau trang, noi giong mien xuoi. "
        "Sang nay toi lai thay xe do o cho Dak To Re. Nho cong an xa kiem tra giup. "
        "Toi khong dam noi ten vi so bi tra thu, mong cac anh giu bi mat cho toi nhe.")


def rows(env):
    return env.query("SELECT sender, text, coding, parts, parts_total, complete FROM inbox ORDER BY id")


def test_gsm7_plain():
    with running(Env()) as env:
        env.sms("+84912345678", "TIN co nguoi la o thon 3")
        env.wait_drained(1)
        check_eq(rows(env), [("+84912345678", "TIN co nguoi la o thon 3", "gsm7", 1, 1, 1)])


def test_gsm7_extension_characters():
    # Characters of GSM 03.38's extension table travel as escape + char: they must come back.
    text = "Gia {100} [a] ~ ^ | \\ € ok"
    with running(Env()) as env:
        env.sms("+84912345678", text)
        env.wait_drained(1)
        check_eq(rows(env)[0][1:3], (text, "gsm7"))


def test_vietnamese_ucs2():
    with running(Env()) as env:
        env.sms("0912345678", VIET)
        env.wait_drained(1)
        check_eq(rows(env), [("0912345678", VIET, "ucs2", 1, 1, 1)])


def test_emoji_outside_bmp():
    with running(Env()) as env:
        env.sms("+84912345678", EMOJI)
        env.wait_drained(1)
        check_eq(rows(env)[0][1], EMOJI, "text with surrogate pairs")


def test_multipart_out_of_order_across_polls():
    with running(Env()) as env:
        # Parts 3 and 1 first; the daemon stores them and deletes them from the modem...
        env.sms("+84912345678", LONG, when="2026-11-26 08:00:00", parts="3,1", ref=77)
        wait_for(lambda: env.scalar("SELECT count(*) FROM inbox_parts") == 2 and not env.modem_inbox(),
                 10, "two parts stored and deleted")
        check_eq(env.inbox_count(), 0, "inbox rows before the last part")
        # ...then part 2 arrives in a later poll and completes the message.
        env.sms("+84912345678", LONG, when="2026-11-26 08:00:05", parts="2", ref=77)
        env.wait_drained(1)
        check_eq(rows(env), [("+84912345678", LONG, "gsm7", 3, 3, 1)])
        check_eq(env.scalar("SELECT count(*) FROM inbox_parts WHERE inbox_id IS NULL"), 0,
                 "unassembled parts")


def test_multipart_vietnamese():
    text = (VIET + " ") * 4
    with running(Env()) as env:
        env.sms("+84912345678", text)
        env.wait_drained(1)
        r = rows(env)[0]
        check_eq(r[1], text)
        check_eq(r[2], "ucs2")
        check_eq(len(text), 260, "the text's length")
        check_eq(r[3], 4, "parts of a 260-char UCS-2 text (67 characters a part)")


def test_incomplete_multipart_times_out():
    with running(Env(multipart_timeout=1)) as env:
        env.sms("+84912345678", LONG, parts="1,3", ref=5)
        wait_for(lambda: env.inbox_count() == 1, 15, "the incomplete message kept")
        sender, text, coding, parts, total, complete = rows(env)[0]
        check_eq((parts, total, complete), (2, 3, 0), "(parts, parts_total, complete)")
        check(text.startswith(LONG[:100]), "text starts with part 1")
        check(not env.modem_inbox(), "modem emptied")


def test_crash_after_commit_before_delete_is_not_a_duplicate():
    env = Env()
    with running(env, start=False):
        env.sms("+84912345678", "TIN trom bo o thon 5", when="2026-11-26 09:00:00")
        env.sms("+84912345678", LONG, when="2026-11-26 09:00:01")
        env.start(env={"TIPLINE_FAULT": "exit-after-commit"})
        check_eq(env.wait_exit(), 99, "exit status at the fault point")
        # Committed, but still on the modem: the daemon died before deleting.
        check_eq(env.inbox_count(), 2, "rows after the crash")
        check(len(env.modem_inbox()) >= 2, "messages still on the modem")
        env.start()
        wait_for(lambda: not env.modem_inbox(), 10, "the modem emptied after restart")
        check_eq(env.inbox_count(), 2, "rows after the re-read")
        check_eq(env.scalar("SELECT count(*) FROM inbox_parts"), 3, "parts rows")


def test_crash_before_commit_loses_nothing():
    env = Env()
    with running(env, start=False):
        env.sms("+84912345678", "TIN co nguoi la o thon 3")
        env.start(env={"TIPLINE_FAULT": "exit-before-commit"})
        check_eq(env.wait_exit(), 99, "exit status at the fault point")
        check_eq(env.inbox_count(), 0, "rows after the crash")
        check_eq(len(env.modem_inbox()), 1, "the message is still on the modem")
        env.start()
        env.wait_drained(1)


def test_restart_with_messages_on_modem():
    env = Env(read_batch=7)
    with running(env, start=False):
        texts = ["TIN so %d o thon %d" % (i, i % 7) for i in range(40)]
        for i, t in enumerate(texts):
            env.sms("+8491234%04d" % i, t, when="2026-11-26 10:%02d:%02d" % (i // 60, i % 60))
        env.start()
        env.wait_drained(40)
        check_eq(sorted(r[1] for r in rows(env)), sorted(texts))
        check_eq(env.stop(), 0, "exit status after SIGTERM")
        env.sms("+84999999999", "TIN sau khi khoi dong lai")
        env.start()
        env.wait_drained(41)


def ddl(env, sql):
    import sqlite3
    con = sqlite3.connect(env.db, timeout=10)
    try:
        con.executescript(sql)
    finally:
        con.close()


def test_a_message_that_breaks_its_handling_is_kept_and_blocks_nothing():
    """Regression: a message whose handling failed for a reason other than the disk (a bug,
    a constraint) rolled its whole batch back at every poll, so that nothing more was stored
    and the modem filled up. Now only that message's handling is undone: it is stored
    unhandled, the others are handled, and the modem is emptied. A message that cannot be
    stored even bare stays on the modem without holding back the rest."""
    env = Env()
    with running(env, start=False):
        env.cli("inbox")  # creates the database
        ddl(env, """
            CREATE TRIGGER poison BEFORE INSERT ON tips WHEN NEW.text LIKE '%POISON%'
            BEGIN SELECT RAISE(ABORT, 'poisoned tip'); END;
            CREATE TRIGGER unstorable BEFORE INSERT ON inbox WHEN NEW.text LIKE '%UNSTORABLE%'
            BEGIN SELECT RAISE(ABORT, 'unstorable message'); END;""")
        for i, t in enumerate(("TIN mot o thon 1", "TIN POISON hai o thon 2",
                               "TIN UNSTORABLE ba", "TIN bon o thon 4")):
            env.sms("+8491234500%d" % i, t, when="2026-11-26 10:00:0%d" % i)
        env.start()
        wait_for(lambda: env.inbox_count() == 3 and len(env.modem_inbox()) == 1, 10,
                 "three stored, the unstorable one left on the modem")
        check_eq(env.query("SELECT text, kind FROM inbox ORDER BY id"),
                 [("TIN mot o thon 1", "tip"), ("TIN POISON hai o thon 2", None),
                  ("TIN bon o thon 4", "tip")], "inbox")
        check_eq(sorted(r[0] for r in env.query("SELECT text FROM tips")),
                 ["bon o thon 4", "mot o thon 1"], "tips")
        log = env.log_text()
        check_eq(log.count("left on the modem"), 1, "the unstorable message reported once")
        check("message 2 stored without handling it: tip: poisoned tip" in log, "the handling failure logged")
        check("cannot be stored (inbox insert: unstorable message); left on the modem" in log,
              "the store failure logged")
        # Fixed (the trigger gone): the message left on the modem is stored at the next poll.
        ddl(env, "DROP TRIGGER unstorable;")
        env.wait_drained(4)
        check_eq(env.scalar("SELECT kind FROM inbox WHERE text LIKE '%UNSTORABLE%'"), "tip",
                 "handled once it could be stored")


def test_an_incomplete_multipart_that_breaks_its_handling_is_kept():
    """The same for a multipart message handled when its timeout ends it incomplete."""
    env = Env(multipart_timeout=1)
    with running(env, start=False):
        env.cli("inbox")
        ddl(env, """
            CREATE TRIGGER poison BEFORE INSERT ON tips WHEN NEW.text LIKE '%POISON%'
            BEGIN SELECT RAISE(ABORT, 'poisoned tip'); END;""")
        env.sms("+84912345010", "TIN POISON " + "x" * 200, parts="1", ref=7)
        env.start()
        wait_for(lambda: "stored without handling it: tip: poisoned tip" in env.log_text(), 10,
                 "the incomplete message stored unhandled")
        env.sms("+84912345011", "TIN sau do o thon 5")
        env.wait_drained(2)
        check_eq(env.query("SELECT complete, kind FROM inbox ORDER BY id"), [(0, None), (1, "tip")],
                 "complete and kind")


def test_unreadable_location_is_skipped():
    env = Env()
    with running(env, start=False):
        os.makedirs(os.path.join(env.modem, "sms", "1"), exist_ok=True)
        with open(os.path.join(env.modem, "sms", "1", "1"), "wb") as f:
            f.write(b"\x00\xffthis is not an SMS backup file\n[[[")
        env.sms("+84912345678", "TIN sau tep hong")
        env.start()
        wait_for(lambda: env.inbox_count() == 1, 10, "the message behind the bad file")
        check_eq(rows(env)[0][1], "TIN sau tep hong")
        wait_for(lambda: env.modem_inbox() == [os.path.join(env.modem, "sms", "1", "1")], 10,
                 "only the bad file left")
        # Logged once, not once per poll (and not never).
        check_eq(env.log_text().count("skipping unreadable message"), 1, "warnings about the bad file")


def test_sigterm_exits_zero_and_sighup_reloads():
    with running(Env()) as env:
        wait_for(lambda: "modem: connected" in env.log_text(), 10, "connected")
        env.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "reloaded configuration" in env.log_text(), 10, "reload logged")
        env.sms("+84912345678", "TIN sau khi nap lai cau hinh")
        env.wait_drained(1)
        # A broken config on SIGHUP keeps the running one.
        good = open(env.conf).read()
        with open(env.conf, "a") as f:
            f.write("modem: { oops = 1; };\n")
        env.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "keeping the running configuration" in env.log_text(), 10, "reload refused")
        with open(env.conf, "w") as f:
            f.write(good)
        env.sms("+84912345678", "TIN van chay")
        env.wait_drained(2)
        check_eq(env.stop(), 0, "exit status after SIGTERM")


def test_modem_unavailable_backs_off_and_recovers():
    """The back-off starts at 1 s and doubles up to modem.backoff_max (2 here: 1, 2, 2, 2 s),
    each retry in the log (debug) and the failure warned once, not once per retry."""
    env = Env(backoff_max=2)
    blocker = os.path.join(env.dir, "blocker")
    with open(blocker, "w") as f:
        f.write("a file where the modem directory's parent should be")
    env.write_conf(poll=0.05, backoff_max=2, multipart_timeout=3600, read_batch=50, extra="")
    conf = open(env.conf).read().replace('device = "%s/modem"' % env.dir, 'device = "%s/modem"' % blocker)
    with open(env.conf, "w") as f:
        f.write(conf)
    env.modem = os.path.join(blocker, "modem")
    with running(env) as env:
        # Four failed connects while the modem cannot be opened, each followed by its "next
        # try in N s" line; the moment each line first shows is noted (polled every 20 ms).
        seen = []

        def retries():
            check(env.proc.poll() is None, "tiplined exited")
            n = env.log_text().count("modem: next try in")
            seen.extend([time.monotonic()] * (n - len(seen)))
            return n >= 4
        wait_for(retries, 10, "four failed connects")
        delays = [int(d) for d in re.findall(r"modem: next try in (\d+) s", env.log_text())]
        check_eq(delays[:4], [1, 2, 2, 2], "back-off delays (1 s doubling to backoff_max)")
        gaps = [b - a for a, b in zip(seen, seen[1:4])]
        for want, got in zip(delays, gaps):
            check(want - 0.1 <= got <= want + 0.5 * SLOW, "retry after %.2f s, want %d s: %r"
                  % (got, want, gaps))
        check_eq(env.log_text().count("retrying with back-off"), 1,
                 "failure log lines after four retries (once per state change)")
        # ...then the "stick is plugged in": the path becomes a directory.
        os.unlink(blocker)
        os.makedirs(blocker)
        env.sms("+84912345678", "TIN sau khi cam lai modem")
        wait_for(lambda: env.inbox_count() == 1, 15, "received after reconnect")
        log = env.log_text()
        check_eq(log.count("retrying with back-off"), 1, "failure log lines (once per state change)")
        check("modem: connected" in log, "reconnect logged")


def test_bad_config_fails_with_file_and_line():
    env = Env()
    try:
        cases = [
            ("modem: { device = \"m\"; connection = \"none\"; model = \"dummy\"; pol_interval = 1; };\n"
             "database: { path = \"t.db\"; };\n", 1, ":1: unknown setting modem.pol_interval"),
            ("modem: { device = \"m\"; connection = \"none\"; model = \"dummy\";\n"
             "  poll_interval = \"fast\"; };\ndatabase: { path = \"t.db\"; };\n", 1,
             ":2: modem.poll_interval: expected a number, got a string"),
            ("modem: { device = \"m\"; model = \"dummy\"; };\ndatabase: { path = \"t.db\"; };\n", 1,
             ":1: missing required setting modem.connection"),
            ("modem: { device = \"m\"; connection = \"none\"; };\n\ndatabase: { path = 5; };\n", 1,
             ":3: database.path: expected a string, got an integer"),
            ("modem: { device = ; };\n", 1, ":1: syntax error"),
            ("modem: { device = \"m\"; connection = \"none\"; };\ndatabase: { path = \"t.db\"; };\n"
             "outbox: { max_attempts = 0; };\n", 1, ":3: outbox.max_attempts: 0 is out of range"),
            ("modem: { device = \"m\"; connection = \"none\"; };\ndatabase: { path = \"t.db\"; };\n"
             "@include \".\"\n", 1, ":3: @include is not supported"),
            ("modem: { device = \"m\"; connection = \"none\"; };\ndatabase: { path = \"t.db\"; };\n", 0, ""),
        ]
        import subprocess
        from harness import TIPLINED, TIPLINE
        for text, want_rc, want in cases:
            with open(env.conf, "w") as f:
                f.write(text)
            for prog in ([TIPLINED, "-n", "-c", env.conf], [TIPLINE, "-c", env.conf, "inbox"]):
                p = subprocess.run(prog, capture_output=True, cwd=env.dir)
                check_eq(p.returncode, want_rc, "exit status of %s for %r" % (prog[0], text))
                if want:
                    err = p.stderr.decode()
                    check(env.conf + want in err, "stderr %r lacks %r" % (err, env.conf + want))
        p = subprocess.run([TIPLINED, "-c", os.path.join(env.dir, "missing.conf")], capture_output=True)
        check_eq(p.returncode, 1, "exit status for a missing file")
        check("missing.conf: cannot read the configuration file: No such file" in p.stderr.decode(),
              p.stderr.decode())
        p = subprocess.run([TIPLINED, "-x"], capture_output=True)
        check_eq(p.returncode, 2, "exit status for a bad option")
        check("usage:" in p.stderr.decode(), "usage printed")
    finally:
        env.close()


SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                          "schema")


def test_schema_upgrades_old_database():
    """A database made by each earlier schema (schema/NNN-*.sql applied up to N by the test,
    user_version N), with data in it, is upgraded by the daemon to the newest version
    exactly, the data kept; N = 0 is a file holding only a table of someone else's.
    Numbers may have gaps (numbers are handed out to branches before they merge), never
    repeats."""
    import sqlite3
    files = sorted(f for f in os.listdir(SCHEMA_DIR) if f.endswith(".sql"))
    versions = [int(f[:3]) for f in files]
    newest = versions[-1]
    # Increasing, each once, from 1; a gap is allowed: numbers are handed out to work done in
    # parallel (006-008 beside 009), and store.c applies every step above user_version.
    check_eq(versions[:2], [1, 2], "the first schema files")
    check_eq(sorted(set(versions)), versions, "schema file numbers, each once")
    for k in range(len(files)):
        n = versions[k - 1] if k > 0 else 0
        env = Env()
        with running(env, start=False):
            con = sqlite3.connect(env.db)
            con.execute("CREATE TABLE junk (x)")
            for f in files[:k]:
                with open(os.path.join(SCHEMA_DIR, f)) as sql:
                    con.executescript(sql.read())
            con.execute("PRAGMA user_version = %d" % n)
            old = 0
            if n >= 1:
                con.execute("INSERT INTO inbox (sender, smsc_time, received_at, text, coding) VALUES "
                            "('+84912345000', '2026-01-01 00:00:00', '2026-01-01 00:00:01', 'TIN cu', 'gsm7')")
                con.execute("INSERT INTO outbox (recipient, text, status, inbox_id, created_at, not_before, "
                            "attempts, parts, sent_at, updated_at) VALUES ('+84912345000', 'Cam on', 'sent', "
                            "1, '2026-01-01 00:00:01', '2026-01-01 00:00:01', 1, 1, '2026-01-01 00:00:02', "
                            "'2026-01-01 00:00:02')")
                old = 1
            if n >= 2:
                con.execute("INSERT INTO contacts (phone, name, village, created_at, updated_at) VALUES "
                            "('+84912345000', 'Ba A', '3', '2026-01-01', '2026-01-01')")
                con.execute("INSERT INTO awareness_sessions (inbox_id, reporter, participants, held_at) "
                            "VALUES (1, '+84912345000', 40, '2026-01-01 00:00:00')")
            con.commit()
            con.close()
            env.start()
            env.sms("+84912345678", "TIN nang cap tu %d" % n)
            env.wait_drained(old + 1)
            check_eq(env.scalar("PRAGMA user_version"), newest, "user_version after upgrading from %d" % n)
            check_eq(env.scalar("PRAGMA journal_mode"), "wal", "journal mode")
            check_eq(env.scalar("SELECT count(*) FROM junk"), 0, "the other table kept")
            if n >= 1:
                check_eq(env.query("SELECT sender, text, kind FROM inbox WHERE id = 1"),
                         [("+84912345000", "TIN cu", None)], "the old message kept")
                check_eq(env.scalar("SELECT channel FROM inbox WHERE id = 1"), "sms",
                         "an old message's channel (schema 009)")
                check_eq(env.query("SELECT status, sent_at, handovers, broadcast_id FROM outbox WHERE id = 1"),
                         [("sent", "2026-01-01 00:00:02", 0, None)], "the old reply kept")
            if n >= 2:
                check_eq(env.query("SELECT name, village, pin_hash, pin_failures FROM contacts WHERE "
                                   "phone = '+84912345000'"), [("Ba A", "3", None, 0)], "the contact kept")
                check_eq(env.query("SELECT sessions, participants FROM awareness_sessions"), [(1, 40)],
                         "an awareness report stored before counts one session")
            wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == old + 1,
                     10, "the new message answered")


def test_location_holding_several_parts_is_taken_whole():
    # Regression: with a batch boundary inside a location (a dummy-phone file holding the
    # three parts of a message), only the parts that fitted were stored, then the whole
    # location was deleted: two parts lost.
    env = Env(read_batch=1)
    with running(env, start=False):
        env.sms("+84912345678", LONG, when="2026-11-26 08:00:00", ref=9)
        files = env.modem_inbox()
        check_eq(len(files), 3, "parts written")
        sections = []
        for i, path in enumerate(files):
            text = open(path, "rb").read().decode("utf-8", "replace")
            sections.append(text.replace("[SMSBackup000]", "[SMSBackup%03d]" % i))
            os.unlink(path)
        with open(os.path.join(env.modem, "sms", "1", ".merged"), "w") as f:
            f.write("\n".join(sections))
        os.rename(os.path.join(env.modem, "sms", "1", ".merged"), os.path.join(env.modem, "sms", "1", "1"))
        env.start()
        env.wait_drained(1)
        check_eq(rows(env), [("+84912345678", LONG, "gsm7", 3, 3, 1)])


def test_daemon_and_clis_open_a_new_database_at_once():
    # The CLI and the daemon share the file: 24 CLIs and the daemon opening (and creating,
    # migrating, switching to WAL) a new database at the same moment must all succeed.
    import subprocess
    from harness import TIPLINE
    for _ in range(3):
        env = Env()
        with running(env) as env:
            procs = [subprocess.Popen([TIPLINE, "-c", env.conf, "contact", "add", "09110000%02d" % i],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(24)]
            for p in procs:
                out, err = p.communicate(timeout=30)
                check_eq(p.returncode, 0, "tipline contact add: %s" % err.decode())
            check_eq(env.scalar("SELECT count(*) FROM contacts"), 24, "contacts")


if __name__ == "__main__":
    run_tests(globals())
