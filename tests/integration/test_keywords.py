"""Keyword SMS end to end: the real daemon on the dummy phone turns messages into rows and
acknowledgements, which come out of the simulated phone's sent folder."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running, sent_messages, wait_for, wait_sent  # noqa: E402

VILLAGER = "+84987000001"
LEADER = "+84987000002"


def replies_to(env, number):
    return [m["text"] for m in sent_messages(env) if m["to"] == number]


def test_villager_tip_gets_reference():
    with running(Env()) as env:
        env.sms("0987000001", "TIN: co nguoi la o thon 3, di xe may khong bien so")
        wait_sent(env, 1)
        tips = env.query("SELECT ref, sender, anonymous, category, text, structured FROM tips")
        check_eq(tips, [("T1", VILLAGER, 0, "stranger", "co nguoi la o thon 3, di xe may khong bien so", 1)])
        msg = sent_messages(env)[0]
        check_eq(msg["to"], VILLAGER, "reply recipient (E.164)")
        check("T1" in msg["text"], "reply %r carries the reference" % msg["text"])
        check_eq(msg["coding"], "gsm7", "reply coding")
        check_eq(env.scalar("SELECT status FROM outbox"), "sent", "outbox status")
        check_eq(env.scalar("SELECT kind FROM inbox"), "tip", "inbox kind")


def test_anonymous_tip_with_code_and_diacritics():
    with running(Env()) as env:
        env.sms(VILLAGER, "tin ẩn danh MT có người bán ma túy ở rẫy")
        wait_sent(env, 1)
        check_eq(env.query("SELECT anonymous, category, text FROM tips"),
                 [(1, "drugs", "có người bán ma túy ở rẫy")])
        out = env.cli("tips", "--json").stdout.decode()
        row = json.loads(out.splitlines()[0])
        check_eq(row["sender"], None, "anonymous sender hidden in tips")


def test_unstructured_message_is_still_a_tip():
    with running(Env()) as env:
        env.sms(VILLAGER, "Toi thay may thanh nien danh bac o nha van hoa thon 2")
        wait_sent(env, 1)
        check_eq(env.query("SELECT ref, category, structured FROM tips"), [("T1", "gambling", 0)])
        check_eq(env.scalar("SELECT kind FROM inbox"), "unknown")
        check("T1" in sent_messages(env)[0]["text"], "unstructured reply has the reference")


def test_supplement_only_by_the_sender():
    with running(Env()) as env:
        env.sms(VILLAGER, "TIN trom bo o thon 5")
        wait_sent(env, 1)
        env.sms(VILLAGER, "BS #t1 xe tai mau xanh")
        env.sms("+84987000009", "BS T1 toi cung thay")
        wait_sent(env, 3)
        check_eq(env.query("SELECT text FROM tip_supplements"), [("xe tai mau xanh",)])
        other = replies_to(env, "+84987000009")
        check(len(other) == 1 and "Khong tim thay" in other[0], "stranger told the tip is unknown: %r" % other)
        out = env.cli("tip", "T1").stdout.decode()
        check("xe tai mau xanh" in out, "tip T1 shows the supplement")


def test_leader_patrol_start_and_end():
    with running(Env()) as env:
        env.cli("contact", "add", "0987000002", "--role", "leader", "--team", "tq3", "--name", "Y Blong")
        env.sms(LEADER, "Tuần tra BĐ 5 nguoi di tuyen thon 1", when="2026-11-26 12:00:00")
        wait_sent(env, 1)
        env.sms(LEADER, "TUAN KT", when="2026-11-26 14:30:00")
        wait_sent(env, 2)
        rows = env.query("SELECT team, leader, members, notes, ended_at IS NOT NULL FROM patrols")
        check_eq(rows, [("TQ3", LEADER, 5, "nguoi di tuyen thon 1", 1)])
        texts = replies_to(env, LEADER)
        check("TQ3" in texts[0] and "5 nguoi" in texts[0], texts[0])
        check("ket thuc" in texts[1], texts[1])
        # Nothing open any more: a second end gets a clear answer.
        env.sms(LEADER, "TUAN KT TQ3")
        wait_sent(env, 3)
        check("khong co ca tuan tra" in replies_to(env, LEADER)[2], replies_to(env, LEADER)[2])


def test_event_times_are_when_sent_not_when_read():
    """A record's time is its message's SMSC time (a modem down for hours must not move a
    patrol), the read time is kept beside it, and a reply states the sender's local time."""
    with running(Env(), start=False) as env:
        env.cli("contact", "add", "0987000002", "--role", "leader", "--team", "tq3")
        env.sms(LEADER, "TUAN BD 4", when="2026-11-26 12:00:00")
        env.sms(LEADER, "TUAN KT", when="2026-11-26 14:30:00")
        env.sms(LEADER, "TTPL 40 hop dan", when="2026-11-26 15:00:00")
        env.sms(LEADER, "HG tranh chap ranh gioi", when="2026-11-26 15:10:00")
        env.sms(VILLAGER, "TIN trom bo o thon 5", when="2026-11-30 16:59:59")
        env.start(env={"TZ": "Asia/Ho_Chi_Minh"})
        env.wait_drained(5)
        wait_sent(env, 5)
        today = env.scalar("SELECT date('now')")
        check_eq(env.query("SELECT started_at, ended_at, date(start_read_at), date(end_read_at) "
                           "FROM patrols"),
                 [("2026-11-26 12:00:00", "2026-11-26 14:30:00", today, today)], "patrol times")
        check_eq(env.query("SELECT held_at, date(read_at) FROM awareness_sessions"),
                 [("2026-11-26 15:00:00", today)], "awareness time")
        check_eq(env.query("SELECT created_at, date(read_at) FROM mediations"),
                 [("2026-11-26 15:10:00", today)], "mediation time")
        # Sent on 30 November in UTC, 1 December in Vietnam: the tip keeps its UTC instant.
        check_eq(env.query("SELECT created_at, date(read_at) FROM tips"),
                 [("2026-11-30 16:59:59", today)], "tip time")
        texts = replies_to(env, LEADER)
        check("19:00" in texts[0], "the start stated in local time (UTC+7): " + texts[0])
        check("150" in texts[1], "the patrol lasted 150 minutes by its senders' clocks: " + texts[1])


def test_villager_cannot_report_patrols():
    with running(Env()) as env:
        env.sms(VILLAGER, "TUAN BD TQ3 4")
        wait_sent(env, 1)
        check_eq(env.scalar("SELECT count(*) FROM patrols"), 0)
        check("chi danh cho to truong" in sent_messages(env)[0]["text"], sent_messages(env)[0]["text"])


def test_awareness_with_thousands_separator_and_mediation():
    with running(Env()) as env:
        env.cli("contact", "add", LEADER, "--role", "leader", "--team", "ANND2")
        env.sms(LEADER, "TTPL 1.410 hop dan thon 3 ve luat dat dai")
        env.sms(LEADER, "HG tranh chap ranh gioi rẫy giữa 2 hộ", when="2026-11-26 12:00:01")
        wait_sent(env, 2)
        check_eq(env.query("SELECT team, participants, notes FROM awareness_sessions"),
                 [("ANND2", 1410, "hop dan thon 3 ve luat dat dai")])
        check_eq(env.query("SELECT ref, notes FROM mediations"), [("H1", "tranh chap ranh gioi rẫy giữa 2 hộ")])
        check(any("1410 luot nguoi" in t for t in replies_to(env, LEADER)), replies_to(env, LEADER))


def test_status_is_stored_and_answered_with_the_lookup():
    """TT REF (issue 26) parses as 'status' and is stored as such; it was answered with the
    help until the look-up was written, and is now answered with the tip's status (the
    expectation replaced: the feature replaced the stand-in). TT with an anonymous tip's
    secret is its tipster's: the number is not kept, and with a wrong secret it is not found."""
    with running(Env()) as env:
        env.sms(VILLAGER, "TT T1")
        env.sms(VILLAGER, "Tinh trang T1", when="2026-11-26 12:00:01")
        env.sms(VILLAGER, "TT", when="2026-11-26 12:00:02")
        env.sms("+84987000009", "TT T1-4821", when="2026-11-26 12:00:03")
        wait_sent(env, 4)
        check_eq(sorted(env.query("SELECT sender, kind FROM inbox")),
                 sorted([(VILLAGER, "status"), (VILLAGER, "status"), (VILLAGER, "invalid"),
                         ("anonymous", "status")]))
        check_eq(env.scalar("SELECT count(*) FROM tips"), 0, "no tip made of a TT")
        texts = sorted(replies_to(env, VILLAGER))
        check(texts[0].startswith("Bao tin: TIN"), "a bare TT: the help, %r" % texts)
        check(all(t.startswith("Khong tim thay tin bao T1") for t in texts[1:]),
              "no tip T1: not found, %r" % texts)
        check_eq(len(replies_to(env, "+84987000009")), 1, "the anonymous sender answered too")
        check(replies_to(env, "+84987000009")[0].startswith("Khong tim thay"),
              replies_to(env, "+84987000009"))


def test_status_lookup_by_its_tipster_only():
    """TT: the tipster is told received, being checked, closed; never valuable or false (an
    informant's safety), in one GSM-7 part. Anyone else: BS's neutral "not found"."""
    other = "+84987000009"
    with running(Env()) as env:
        env.sms(VILLAGER, "TIN trom bo o thon 5")
        wait_sent(env, 1)
        said = []

        def ask(text, when):
            env.sms(VILLAGER, text, when=when)
            r = wait_for(lambda: (lambda t: t if len(t) > len(said) + 1 else None)(
                replies_to(env, VILLAGER)), 15, "the answer to %r" % text)
            said.append(r[-1])
            return r[-1]

        check("da nhan" in ask("TT T1", "2026-11-26 12:00:01"), said)
        check_eq(env.cli("tip", "mark", "T1", "checking").returncode, 0, "mark checking")
        check("dang duoc xac minh" in ask("Tinh trang t1", "2026-11-26 12:00:02"), said)
        check_eq(env.cli("tip", "mark", "T1", "valuable").returncode, 0, "mark valuable")
        closed = ask("tinhtrang #t1", "2026-11-26 12:00:03")
        check("da xu ly xong" in closed, said)
        check_eq(env.cli("tip", "mark", "T1", "false").returncode, 0, "mark false")
        check_eq(ask("TT T1", "2026-11-26 12:00:04"), closed, "false looks as valuable does")
        for t in said:
            low = t.lower()
            check(not any(w in low for w in ("valuable", "false", "gia tri", "sai", "khong dung",
                                             "co ich")), "the reply judges the tip: %r" % t)
        for m in sent_messages(env):
            check_eq(m["coding"], "gsm7", "coding of %r" % m["text"])
            check(len(m["text"]) <= 160, "one part: %r" % m["text"])
        env.sms(other, "BS T1 toi cung thay", when="2026-11-26 12:00:05")
        env.sms(other, "TT T1", when="2026-11-26 12:00:06")
        wait_sent(env, 7)
        bs, tt = replies_to(env, other)
        check(bs.startswith("Khong tim thay"), bs)
        check_eq(tt, bs, "another number's TT gets BS's neutral answer")
        check_eq(env.query("SELECT sender FROM inbox WHERE kind = 'status' AND sender = ?", (other,)),
                 [(other,)], "a named TT keeps its sender")


def test_invalid_command_gets_usage():
    with running(Env()) as env:
        env.cli("contact", "add", LEADER, "--role", "leader", "--team", "TQ3")
        env.sms(LEADER, "TTPL hop dan")
        wait_sent(env, 1)
        check("TTPL <so nguoi>" in sent_messages(env)[0]["text"], sent_messages(env)[0]["text"])
        check_eq(env.scalar("SELECT kind FROM inbox"), "invalid")


def test_register_and_optout_once():
    with running(Env()) as env:
        env.sms(VILLAGER, "DK Nguyễn Văn A thôn Kon Klor")
        wait_sent(env, 1)
        check_eq(env.query("SELECT phone, name, village, role, subscribed FROM contacts"),
                 [(VILLAGER, "Nguyễn Văn A", "Kon Klor", "villager", 1)])
        env.sms(VILLAGER, "HUY", when="2026-11-26 12:00:00")
        wait_sent(env, 2)
        check_eq(env.scalar("SELECT subscribed FROM contacts"), 0)
        env.sms(VILLAGER, "huỷ", when="2026-11-26 12:00:05")
        wait_for(lambda: env.scalar("SELECT count(*) FROM inbox WHERE kind = 'optout'") == 2, 10,
                 "second opt-out stored")
        env.sms(VILLAGER, "HD", when="2026-11-26 12:00:09")
        wait_sent(env, 3)
        texts = replies_to(env, VILLAGER)
        check_eq(len(texts), 3, "replies (the second HUY is not confirmed again)")
        check("TIN" in texts[2], "help lists the keywords")
        # Registering again re-subscribes.
        env.sms(VILLAGER, "DK Nguyen Van A", when="2026-11-26 12:01:00")
        wait_sent(env, 4)
        check_eq(env.scalar("SELECT subscribed FROM contacts"), 1)


def test_no_reply_to_alphanumeric_or_short_code():
    with running(Env()) as env:
        env.sms("VIETTEL", "TIN KM: nap the 100k tang 50%")
        env.sms("9029", "HD")
        env.sms(VILLAGER, "HD")
        wait_sent(env, 1)
        wait_for(lambda: env.inbox_count() == 3 and not env.modem_inbox(), 10, "all stored")
        check_eq([m["to"] for m in sent_messages(env)], [VILLAGER], "recipients")
        check_eq(env.scalar("SELECT count(*) FROM outbox"), 1, "outbox rows")
        check_eq(env.scalar("SELECT count(*) FROM tips"), 0, "tips from operators")


def test_sim_sent_on_an_empty_sent_folder():
    """Regression (CI, UBSan): while the daemon creates DEVICE/sent and before its first
    file lands, `tipline sim sent` read an empty folder and passed NULL to qsort."""
    env = Env()
    os.makedirs(os.path.join(env.modem, "sent"), exist_ok=True)
    check_eq(env.cli("sim", "sent", "--json").stdout, b"", "sim sent on an empty folder")
    check_eq(env.cli("sim", "sent").returncode, 0, "sim sent exit status")


def test_flood_from_one_number_is_capped():
    env = Env(extra="replies: { max_per_hour = 3; };")
    with running(env):
        for i in range(8):
            env.sms(VILLAGER, "TIN so %d" % i, when="2026-11-26 12:00:%02d" % i)
        wait_for(lambda: env.inbox_count() == 8 and not env.modem_inbox(), 10, "all stored")
        wait_sent(env, 3)
        check_eq(env.scalar("SELECT count(*) FROM tips"), 8, "every tip kept")
        check_eq(env.scalar("SELECT count(*) FROM outbox"), 3, "replies queued")
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == 3, 10, "sent")
        check_eq(len(sent_messages(env)), 3, "replies sent")


def test_vietnamese_reply_template_goes_ucs2():
    env = Env(extra='replies: { templates: { tip_ack = "Cảm ơn, mã {ref}"; }; };')
    with running(env):
        env.sms(VILLAGER, "TIN xe lạ")
        wait_sent(env, 1)
        check_eq((sent_messages(env)[0]["text"], sent_messages(env)[0]["coding"]), ("Cảm ơn, mã T1", "ucs2"))


def test_parse_cli_matches_spec():
    env = Env()
    try:
        p = env.cli("parse", 'TIN ANDANH "xe" 😀 o thon 3')
        check_eq(json.loads(p.stdout), {"kind": "tip", "category": None, "anonymous": True,
                                       "text": '"xe" 😀 o thon 3', "village": "3"})
        lines = "TTPL 1,410 hop\nTB 1234 thon3 Hop to 19h\nDK Y Blong Thôn Kon Klor\n"
        out = [json.loads(l) for l in env.cli("parse", stdin=lines.encode()).stdout.decode().splitlines()]
        check_eq(out[0]["participants"], 1410)
        check_eq((out[1]["pin"], out[1]["group"], out[1]["text"]), ("1234", "THON3", "Hop to 19h"))
        check_eq((out[2]["name"], out[2]["village"]), ("Y Blong", "Kon Klor"))
        p = env.cli("parse", "a", "b", check_rc=False)
        check_eq(p.returncode, 2, "two TEXT arguments")
    finally:
        env.close()


def test_cli_bad_arguments_exit_2():
    env = Env()
    try:
        for args in (["tips", "--since", "yesterday"], ["contact", "add", "VIETTEL"],
                     ["contact", "add", "0987", "--role", "boss"], ["nosuch"], ["inbox", "--limit", "x"],
                     ["outbox", "--status", "lost"], ["sim", "send", "hello"], ["contact"],
                     ["sim"], ["sim", "bogus"], ["broadcast", "show"], ["group", "add"]):
            p = env.cli(*args, check_rc=False)
            check_eq(p.returncode, 2, "exit status of tipline %s" % " ".join(args))
            check("usage:" in p.stderr.decode(), "usage printed for %s" % args)
    finally:
        env.close()


def test_shipped_config_and_its_commented_examples_are_valid():
    import re
    import subprocess
    from harness import ROOT, TIPLINED
    conf = open(os.path.join(ROOT, "conf", "tipline.conf")).read()
    env = Env()
    try:
        p = subprocess.run([TIPLINED, "-n", "-c", os.path.join(ROOT, "conf", "tipline.conf")],
                           capture_output=True)
        check_eq(p.returncode, 0, "tiplined -n on conf/tipline.conf: %s" % p.stderr.decode())
        # Uncomment the keywords and categories examples: they must be valid as written.
        out = []
        on = False
        for line in conf.splitlines():
            if re.match(r"^# (keywords:|categories = \()", line):
                on = True
            if on and line.startswith("# "):
                line = line[2:]
            elif on and not line.startswith("#"):
                on = False
            out.append(line)
        text = "\n".join(out)
        check("\nkeywords:" in text and "\ncategories = (" in text, "examples found")
        with open(env.conf, "w") as f:
            f.write(text)
        p = subprocess.run([TIPLINED, "-n", "-c", env.conf], capture_output=True)
        check_eq(p.returncode, 0, "the uncommented examples: %s" % p.stderr.decode())
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
