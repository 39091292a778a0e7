"""Broadcasts: groups, opt-outs, PINs by SMS, cost-aware encoding, priority, cancel, schedule."""
import datetime
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SLOW, AtEnv, Env, check, check_eq, mkpdu, run_tests, running, sent_messages, wait_for  # noqa: E402

OFFICER = "+84911000009"
VIET300 = ("Cảnh giác lừa đảo qua điện thoại, không chuyển tiền cho người lạ. Họp tổ tự quản lúc 19h "
           "tại nhà văn hoá thôn. Mọi người nhớ mang theo căn cước công dân và sổ hộ khẩu để cán bộ "
           "kiểm tra, đối chiếu thông tin. Ai vắng mặt phải báo trước cho tổ trưởng, cảm ơn bà con nhiều. "
           "Đề nghị các hộ gia đình chú ý.")


def village(env):
    env.cli("contact", "add", "0911000001", "--village", "Thôn 3", "--name", "A")
    env.cli("contact", "add", "0911000002", "--village", "3")
    env.cli("contact", "add", "0911000003", "--village", "4")
    env.cli("contact", "add", "0911000004", "--village", "thon 3")
    env.cli("contact", "set", "0911000004", "--subscribed", "no")
    env.cli("contact", "add", OFFICER, "--role", "officer", "--pin", "2468")


def crowd(env, n):
    """n subscribed villagers of village 7 (THON7), written straight into the database."""
    env.cli("contact", "add", OFFICER, "--role", "officer")  # creates the database
    con = sqlite3.connect(env.db)
    con.executemany("INSERT INTO contacts (phone, village, created_at, updated_at) VALUES (?, '7', '', '')",
                    [("+8498800%04d" % i,) for i in range(n)])
    con.commit()
    con.close()


def test_village_broadcast_reaches_exactly_the_subscribed():
    with running(Env()) as env:
        village(env)
        out = env.cli("broadcast", "--group", "THON3", "Hop to tu quan 19h").stdout.decode()
        check("recipients:  2" in out, out)
        wait_for(lambda: len(sent_messages(env)) == 2, 10, "two sent")
        check_eq(sorted(m["to"] for m in sent_messages(env)), ["+84911000001", "+84911000002"])
        show = env.cli("broadcast", "show", "1").stdout.decode()
        check("sent         2" in show, show)


def test_named_group_and_derived_groups():
    with running(Env(), start=False) as env:
        village(env)
        env.cli("contact", "add", "0911000005", "--role", "leader", "--team", "TQ3")
        env.cli("group", "add", "banchidao", "0911000003", "0911000005")
        def members(g):
            return sorted(json.loads(l)["phone"] for l in
                          env.cli("group", "members", g, "--json").stdout.decode().splitlines())
        check_eq(members("BANCHIDAO"), ["+84911000003", "+84911000005"], "named group")
        check_eq(members("TOTRUONG"), ["+84911000005"], "leaders")
        check_eq(members("tq3"), ["+84911000005"], "team")
        check_eq(members("CANBO"), [OFFICER], "officers")
        check_eq(len(members("TATCA")), 5, "everyone subscribed")
        p = env.cli("broadcast", "--group", "THON9", "x", check_rc=False)
        check_eq(p.returncode, 1, "an empty group queues nothing")


def test_sms_broadcast_with_pin_and_lockout():
    env = Env(extra="broadcast: { pin_attempts = 3; pin_lockout = 3600; };")
    with running(env):
        village(env)
        env.sms(OFFICER, "TB 2468 thon3 Mai hop luc 8h", when="2026-11-26 10:00:00")
        wait_for(lambda: len(sent_messages(env)) == 3, 10, "ack and two broadcast messages")
        ack = [m["text"] for m in sent_messages(env) if m["to"] == OFFICER]
        check(len(ack) == 1 and "toi 2 nguoi nhan" in ack[0], ack)
        for i in range(3):
            env.sms(OFFICER, "TB 1357 thon3 sai %d" % i, when="2026-11-26 10:01:%02d" % i)
        wait_for(lambda: len([m for m in sent_messages(env) if m["to"] == OFFICER]) == 4, 10, "three refusals")
        # Locked now: even the right PIN is refused.
        env.sms(OFFICER, "TB 2468 thon3 Dung pin nhung bi khoa", when="2026-11-26 10:02:00")
        wait_for(lambda: len([m for m in sent_messages(env) if m["to"] == OFFICER]) == 5, 10, "refusal while locked")
        check_eq(env.scalar("SELECT count(*) FROM broadcasts"), 1, "broadcasts queued")
        check(env.scalar("SELECT locked_until FROM contacts WHERE phone = ?", (OFFICER,)) is not None, "locked")
        # A non-officer is refused the same way: the same bytes, the same encoding.
        env.sms("0911000001", "TB 2468 TATCA hello", when="2026-11-26 10:03:00")
        wait_for(lambda: len([m for m in sent_messages(env) if m["to"] == "+84911000001"]) == 2, 10,
                 "non-officer refused (after the broadcast it got)")
        refusals = [(m["text"].encode(), m["coding"], m["parts"]) for m in sent_messages(env)
                    if (m["to"] == OFFICER and "toi 2 nguoi nhan" not in m["text"]) or
                    (m["to"] == "+84911000001" and m["text"] != "Mai hop luc 8h")]
        check_eq(len(refusals), 5, "refusals: three wrong PINs, one while locked, one non-officer")
        check_eq(set(refusals), {refusals[0]}, "every refusal the same, byte for byte")
        check("Khong thuc hien" in refusals[0][0].decode(), refusals[0])
        # The PIN is nowhere in the database: not in messages, not in clear in contacts.
        for table, col in (("inbox", "text"), ("inbox_parts", "text"), ("broadcasts", "text")):
            for (v,) in env.query("SELECT %s FROM %s" % (col, table)):
                check("2468" not in v and "1357" not in v, "PIN in %s: %r" % (table, v))
        h = env.scalar("SELECT pin_hash FROM contacts WHERE phone = ?", (OFFICER,))
        check(h.startswith("$y$") and "2468" not in h, "PIN hashed with yescrypt: %r" % h)
        check_eq(env.scalar("SELECT count(*) FROM inbox WHERE text LIKE 'TB **** %'"), 6, "redacted copies")
        # The lock lasts pin_lockout (3600 s) from the third wrong PIN...
        until = env.scalar("SELECT strftime('%s', locked_until) - strftime('%s', 'now') FROM contacts "
                           "WHERE phone = ?", (OFFICER,))
        check(3590 <= until <= 3600, "locked for %r more seconds, want about 3600" % until)
        # ...and once it has passed (moved into the past in the database), the right PIN works
        # again and the count of wrong PINs starts over.
        con = sqlite3.connect(env.db, timeout=10)
        con.execute("UPDATE contacts SET locked_until = datetime('now', '-1 second') WHERE phone = ?",
                    (OFFICER,))
        con.commit()
        con.close()
        env.sms(OFFICER, "TB 2468 thon3 Het khoa", when="2026-11-26 10:04:00")
        wait_for(lambda: env.scalar("SELECT count(*) FROM broadcasts") == 2, 10, "accepted after the lock")
        check_eq(env.query("SELECT pin_failures, locked_until FROM contacts WHERE phone = ?", (OFFICER,)),
                 [(0, None)], "failures and lock after the right PIN")


MULTI_BODY = ("Canh giac lua dao qua dien thoai, khong chuyen tien cho nguoi la. Hop to tu quan "
              "luc 19h tai nha van hoa thon. Moi nguoi nho mang theo can cuoc cong dan va so ho "
              "khau de can bo kiem tra, doi chieu thong tin. Ai vang mat phai bao truoc.")


def test_multipart_tb_leaves_no_pin_in_the_database():
    """A TB of 2 and one of 3 parts, each part arriving on its own (out of order): the handler
    gets the PIN (the broadcast is queued), and the stored copies are redacted: the PIN is in
    no row of inbox or inbox_parts, nor in the bytes of the database file or its WAL."""
    pin = "73915286"  # in no phone number, time or hash used here
    env = Env()

    def raw():
        found = {}
        for name in sorted(os.listdir(env.dir)):
            if name.startswith("tipline.db"):
                with open(os.path.join(env.dir, name), "rb") as f:
                    found[name] = f.read().count(pin.encode())
        return found

    def no_pin_in_rows():
        for table in ("inbox", "inbox_parts"):
            for (v,) in env.query("SELECT text FROM %s" % table):
                check(pin not in v, "PIN in %s: %r" % (table, v))

    with running(env):
        env.cli("contact", "add", OFFICER, "--role", "officer", "--pin", pin)
        env.cli("contact", "add", "0911000001", "--village", "3")
        cases = ((5, "2,1", "TB %s thon3 %s" % (pin, MULTI_BODY)),
                 (6, "3,1,2", "TB %s thon3 %s %s" % (pin, MULTI_BODY, MULTI_BODY[:120])))
        for n, (ref, order, text) in enumerate(cases, 1):
            parts = order.split(",")
            for k, part in enumerate(parts):
                env.sms(OFFICER, text, when="2026-11-26 10:0%d:00" % n, parts=part, ref=ref)
                if k < len(parts) - 1:
                    wait_for(lambda: env.scalar("SELECT count(*) FROM inbox_parts WHERE concat_ref = ?",
                                                (ref,)) == k + 1 and not env.modem_inbox(), 10,
                             "part %s of ref %d stored" % (part, ref))
            wait_for(lambda: env.scalar("SELECT count(*) FROM broadcasts") == n, 10,
                     "the %d-part TB queued" % len(parts))
            check_eq(env.query("SELECT parts, text FROM inbox WHERE id = (SELECT max(id) FROM inbox)"),
                     [(len(parts), text.replace(pin, "*" * len(pin)))], "the stored copy")
            check_eq(env.scalar("SELECT count(*) FROM inbox_parts WHERE concat_ref = ? AND "
                                "text = '[redacted]'", (ref,)), len(parts), "redacted parts")
            no_pin_in_rows()
            # Case 1: part 1 came last, the PIN was never committed in clear. Case 2: part 1
            # waited in clear for part 2; the commit that redacted it checkpoints and truncates
            # the WAL, so its old frame is gone while the daemon runs.
            wait_for(lambda: set(raw().values()) == {0}, 10,
                     "no PIN in the database files while running (case %d)" % n)
        wait_for(lambda: len([m for m in sent_messages(env) if m["to"] == OFFICER]) == 2, 10, "two acks")
        check(all("toi 1 nguoi nhan" in m["text"] for m in sent_messages(env) if m["to"] == OFFICER), sent_messages(env))
        check_eq(env.stop(), 0, "exit status after SIGTERM")
        check_eq(raw(), {"tipline.db": 0}, "PIN in the database files after the stop")
        no_pin_in_rows()


def test_folded_vietnamese_300_chars_goes_as_2_gsm7_parts():
    with running(Env()) as env:
        env.cli("contact", "add", "0911000001", "--village", "3")
        check(len(VIET300) >= 300, "the text is %d characters" % len(VIET300))
        out = env.cli("broadcast", "--group", "THON3", "--dry-run", VIET300).stdout.decode()
        check("as written:  UCS-2, 5 parts" in out and "folded:      GSM-7, 2 parts" in out, out)
        check_eq(env.scalar("SELECT count(*) FROM outbox"), 0, "dry run queued nothing")
        env.cli("broadcast", "--group", "THON3", VIET300)
        wait_for(lambda: len(sent_messages(env)) == 1, 10, "sent")
        m = sent_messages(env)[0]
        check_eq((m["parts"], m["coding"]), (2, "gsm7"))
        check(m["text"].startswith("Canh giac lua dao qua dien thoai"), m["text"])


def test_folding_kept_off_when_it_saves_nothing():
    """A short Vietnamese text is one part either way: it goes as written, diacritics and all."""
    short = "Họp tổ tự quản lúc 19h tại nhà văn hoá thôn"
    with running(Env()) as env:
        env.cli("contact", "add", "0911000001", "--village", "3")
        env.cli("broadcast", "--group", "THON3", short)
        wait_for(lambda: len(sent_messages(env)) == 1, 10, "sent")
        m = sent_messages(env)[0]
        check_eq((m["text"], m["coding"], m["parts"]), (short, "ucs2", 1), "sent as written")


def test_fold_diacritics_off_sends_as_written():
    """broadcast.fold_diacritics = false: the 300 characters go as written, 5 UCS-2 parts,
    though folded they would take 2."""
    with running(Env(extra="broadcast: { fold_diacritics = false; };")) as env:
        env.cli("contact", "add", "0911000001", "--village", "3")
        env.cli("broadcast", "--group", "THON3", VIET300)
        wait_for(lambda: len(sent_messages(env)) == 1, 10, "sent")
        m = sent_messages(env)[0]
        check_eq((m["text"], m["coding"], m["parts"]), (VIET300, "ucs2", 5), "sent as written")


def test_tip_acknowledged_during_a_200_recipient_broadcast():
    env = Env(extra="outbox: { rate_per_minute = 1200; };")
    with running(env, start=False):
        crowd(env, 200)
        env.cli("broadcast", "--group", "THON7", "Canh giac lua dao qua dien thoai")
        env.start()
        wait_for(lambda: len(sent_messages(env)) >= 5, 10, "the broadcast started")
        env.sms("0987000001", "TIN co nguoi la o thon 7")
        wait_for(lambda: any(m["to"] == "+84987000001" for m in sent_messages(env)), 10, "the tip acknowledged")
        left = env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = 1 AND status = 'queued'")
        check(left > 100, "acknowledged before the broadcast finished (%d still queued)" % left)


def test_cancelled_broadcast_stops():
    env = Env(extra="outbox: { rate_per_minute = 600; };")
    with running(env, start=False):
        crowd(env, 100)
        env.cli("broadcast", "--group", "THON7", "Hop khan")
        env.start()
        wait_for(lambda: len(sent_messages(env)) >= 3, 10, "the broadcast started")
        out = env.cli("broadcast", "cancel", "1").stdout.decode()
        check("cancelled" in out, out)
        # A message the modem had when the cancel came still goes out: count once it is done.
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = 1 AND "
                                    "status = 'sending'") == 0, 10, "the message in flight done")
        n = env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = 1 AND status = 'sent'")
        check(n < 50, "cancelled early (%d sent)" % n)
        # Nothing more goes out: a later reply is sent, and still no more broadcast messages.
        env.sms("0987000001", "HD")
        wait_for(lambda: any(m["to"] == "+84987000001" for m in sent_messages(env)), 10, "a later reply")
        bsent = env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = 1 AND status = 'sent'")
        check_eq(bsent, n, "broadcast messages sent (none after the cancel)")
        check_eq(len([m for m in sent_messages(env) if m["to"] != "+84987000001"]), n, "what the modem sent")
        check_eq(env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = 1 AND status = 'queued'"), 0)


def test_scheduled_broadcast_waits_for_its_time():
    with running(Env()) as env:
        env.cli("contact", "add", "0911000001", "--village", "3")
        # Time enough for the reply first, stretched like every deadline under the sanitizers.
        at = (datetime.datetime.now() + datetime.timedelta(seconds=3 + 3 * SLOW)).strftime(
            "%Y-%m-%d %H:%M:%S")
        env.cli("broadcast", "--group", "THON3", "--at", at, "Hop luc 19h")
        # Meanwhile the daemon works: a reply goes out, the broadcast does not. On a machine so
        # loaded that the reply came after the time, only the sent_at check below can speak.
        env.sms("0987000001", "HD")
        wait_for(lambda: len(sent_messages(env)) >= 1, 10, "the reply")
        if datetime.datetime.now() < datetime.datetime.strptime(at, "%Y-%m-%d %H:%M:%S"):
            check_eq([m["to"] for m in sent_messages(env)], ["+84987000001"],
                     "only the reply before the time")
        wait_for(lambda: len(sent_messages(env)) == 2, 15, "the broadcast at its time")
        check(datetime.datetime.now() >= datetime.datetime.strptime(at, "%Y-%m-%d %H:%M:%S"), "not early")
        # Not early by the daemon's own record either (sent_at is UTC; --at local time).
        at_utc = datetime.datetime.strptime(at, "%Y-%m-%d %H:%M:%S").astimezone(
            datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        # The phone has the copy a moment before the daemon commits its sent_at.
        sent_at = wait_for(lambda: env.scalar("SELECT sent_at FROM outbox WHERE broadcast_id IS "
                                              "NOT NULL"), 10, "the broadcast's sent_at")
        check(sent_at >= at_utc, "sent at %s UTC, scheduled %s UTC" % (sent_at, at_utc))


def test_recurring_broadcast_queues_the_next_round():
    # One look a second for due rounds (default 10 s): the test waits for a second, not ten.
    with running(Env(extra="broadcast: { recur_interval = 1; };")) as env:
        env.cli("contact", "add", "0911000001", "--village", "3")
        env.cli("broadcast", "--group", "THON3", "--every", "month", "Nhac nho hang thang")
        wait_for(lambda: len(sent_messages(env)) == 1, 10, "first round")
        row = json.loads(env.cli("broadcast", "list", "--json").stdout.decode().splitlines()[0])
        check(row["every"] == "month" and row["next_run"] > row["scheduled_at"], row)
        # A month passes (in the database): the daemon queues round two by itself.
        con = sqlite3.connect(env.db)
        con.execute("UPDATE broadcasts SET next_run = datetime('now', '-1 second')")
        con.commit()
        con.close()
        wait_for(lambda: len(sent_messages(env)) == 2, 5, "second round")


def test_delivery_reports_are_recorded():
    with running(Env(extra="broadcast: { delivery_reports = true; };")) as env:
        env.cli("contact", "add", "0911000001", "--village", "3")
        env.cli("broadcast", "--group", "THON3", "Hop")
        # The phone's sent folder has it before the daemon commits its reference: wait for the
        # row, not the folder.
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent' AND "
                                    "msgref IS NOT NULL") == 1, 10, "sent with a reference")
        check_eq(len(sent_messages(env)), 1, "one message in the phone's sent folder")
        ref = env.scalar("SELECT msgref FROM outbox")
        env.cli("sim", "report", "--from", "+84911000001", "--ref", str(ref))
        wait_for(lambda: env.scalar("SELECT delivery FROM outbox") == "delivered", 10, "delivered")
        check("delivered    1" in env.cli("broadcast", "show", "B1").stdout.decode())


def test_delivery_report_outcomes_on_a_real_modem_driver():
    """Through libGammu's AT driver and the emulator (the simulated phone's format keeps no
    status): a permanent error is recorded failed, a temporary one (the network still trying)
    changes nothing, and a final report after it still counts."""
    env = AtEnv(extra="broadcast: { delivery_reports = true; };")
    with running(env) as env:
        for n in ("0911000001", "0911000002"):
            env.cli("contact", "add", n, "--village", "3")
        env.cli("broadcast", "--group", "THON3", "Hop to tu quan 19h")
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent' AND "
                                    "msgref IS NOT NULL") == 2, 20, "both sent with a reference")
        refs = dict(env.query("SELECT recipient, msgref FROM outbox"))
        m = mkpdu()
        # +84911000001: 0x41 = incompatible destination, permanent.
        m.drop_into_inbox(env.state, m.status_report_pdu(refs["+84911000001"], "+84911000001",
                                                          status=0x41))
        # +84911000002: 0x30 = congestion, the centre keeps trying; later 0x00, delivered.
        m.drop_into_inbox(env.state, m.status_report_pdu(refs["+84911000002"], "+84911000002",
                                                          status=0x30))
        wait_for(lambda: "network is still trying (status 0x30)" in env.log_text(), 15,
                 "the temporary report logged")
        wait_for(lambda: env.scalar("SELECT delivery FROM outbox WHERE recipient = "
                                    "'+84911000001'") == "failed", 15, "the failure recorded")
        check_eq(env.scalar("SELECT delivery FROM outbox WHERE recipient = '+84911000002'"), None,
                 "a temporary error is not an outcome")
        m.drop_into_inbox(env.state, m.status_report_pdu(refs["+84911000002"], "+84911000002",
                                                          status=0x00))
        wait_for(lambda: env.scalar("SELECT delivery FROM outbox WHERE recipient = "
                                    "'+84911000002'") == "delivered", 15, "delivered")
        show = env.cli("broadcast", "show", "B1").stdout.decode()
        check("delivered    1" in show and "undelivered  1" in show,
              "show counts one delivered, one undelivered: %r" % show)
        check_eq(env.scalar("SELECT count(*) FROM inbox"), 0, "reports are not messages")


if __name__ == "__main__":
    run_tests(globals())
