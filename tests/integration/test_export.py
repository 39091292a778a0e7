"""tipline export: CSV per RFC 4180 read back with Python's csv module. Vietnamese, emoji,
commas, quotes and newlines survive; a header row; local times; periods on local dates; an
anonymous tipster's number appears nowhere; --bom and --out; bad arguments exit 2."""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running  # noqa: E402
from test_alerts import zone  # noqa: E402

VILLAGER = "+84911000001"
ANON = "+84911000002"
LEADER = "+84987000003"
TIP = 'Có người lạ, nói "mua đất" 😀\nđi xe máy đỏ, không biển số'
SUPPLEMENT = 'thêm: biển "47", màu đỏ'
MEDIATION = 'tranh chấp "ranh giới" rẫy, thôn 3'


def export(env, *args):
    p = env.cli("export", *args)
    return p.stdout


def table(data):
    """CSV bytes → list of rows, as a spreadsheet program would read them."""
    check(data.endswith(b"\r\n"), "rows end with CRLF")
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def records(data):
    t = table(data)
    return [dict(zip(t[0], r)) for r in t[1:]]


def test_exports_round_trip():
    with zone("Asia/Ho_Chi_Minh"), running(Env(extra="patrol: { max_hours = 0; };"), start=False) as env:
        env.cli("contact", "add", LEADER, "--role", "leader", "--team", "TQ3")
        # 23:59:59 and 00:00:01 in Vietnam: two local days.
        env.sms(VILLAGER, "TIN " + TIP, when="2026-11-30 16:59:59")
        env.sms(ANON, "TIN ANDANH MT bán ma túy, ở rẫy", when="2026-11-30 17:00:01")
        env.sms(VILLAGER, "BS T1 " + SUPPLEMENT, when="2026-11-30 17:05:00")
        env.sms(ANON, "BS T2 chiều nay, 5 giờ", when="2026-11-30 17:06:00")
        env.sms(LEADER, "TUAN BD 4 tuyen thon 1, thon 2", when="2026-11-30 12:00:00")
        env.sms(LEADER, "TUAN KT binh thuong", when="2026-11-30 14:30:00")
        env.sms(LEADER, "TTPL 1.410 hop dan, thon 3", when="2026-11-30 15:00:00")
        env.sms(LEADER, "HG " + MEDIATION, when="2026-11-30 15:10:00")
        env.start()
        env.wait_drained(8)

        tips = export(env, "tips")
        t = table(tips)
        check_eq(t[0], ["ref", "created_at", "read_at", "sender", "anonymous", "category", "village",
                        "status", "structured", "text", "supplements"], "tips header")
        r = records(tips)
        check_eq([(x["ref"], x["created_at"], x["sender"], x["anonymous"]) for x in r],
                 [("T1", "2026-11-30 23:59:59", VILLAGER, "0"), ("T2", "2026-12-01 00:00:01", "", "1")],
                 "tips rows, local times")
        check_eq(r[0]["text"], TIP, "Vietnamese, emoji, comma, quotes and newline round trip")
        check_eq(r[0]["supplements"], SUPPLEMENT, "the supplement")
        check_eq(r[1]["category"], "drugs", "category")
        check_eq([x["ref"] for x in records(export(env, "tips", "--to", "2026-11-30"))], ["T1"],
                 "--to a local date, inclusive")
        check_eq([x["ref"] for x in records(export(env, "tips", "--from", "2026-12-01", "--to", "2026-12-01"))],
                 ["T2"], "--from/--to one local day")
        check_eq(table(export(env, "tips", "--from", "2026-12-02")), [t[0]], "an empty period: the header")

        p = records(export(env, "patrols"))
        check_eq([(x["team"], x["started_at"], x["ended_at"], x["minutes"], x["members"], x["notes"], x["end_notes"])
                  for x in p],
                 [("TQ3", "2026-11-30 19:00:00", "2026-11-30 21:30:00", "150", "4", "tuyen thon 1, thon 2",
                   "binh thuong")], "patrols")
        a = records(export(env, "awareness"))
        check_eq([(x["held_at"], x["participants"], x["notes"]) for x in a],
                 [("2026-11-30 22:00:00", "1410", "hop dan, thon 3")], "awareness")
        m = records(export(env, "mediations"))
        check_eq([(x["ref"], x["created_at"], x["notes"]) for x in m],
                 [("H1", "2026-11-30 22:10:00", MEDIATION)], "mediations")
        inbox = records(export(env, "inbox"))
        check_eq(len(inbox), 8, "inbox rows")
        check_eq([x["sender"] for x in inbox if "ANDANH" in x["text"] or "BS T2" in x["text"]], ["", ""],
                 "the anonymous tip and its supplement without a sender")
        check_eq(inbox[-1]["text"], "BS T2 chiều nay, 5 giờ", "inbox oldest first by SMSC time")
        for kind in ("tips", "patrols", "awareness", "mediations", "inbox"):
            check(ANON.encode() not in export(env, kind) and b"911000002" not in export(env, kind),
                  "the anonymous tipster's number is not in the %s export" % kind)

        # --bom: the byte order mark, then the same CSV; --out: the same bytes in a file.
        bom = export(env, "tips", "--bom")
        check_eq(bom[:3], b"\xef\xbb\xbf", "BOM")
        check_eq(bom[3:], tips, "the rest as without --bom")
        out = os.path.join(env.dir, "tips.csv")
        check_eq(export(env, "tips", "--out", out), b"", "nothing on stdout with --out")
        with open(out, "rb") as f:
            check_eq(f.read(), tips, "the file holds the export")
        with open(out, encoding="utf-8-sig", newline="") as f:
            check_eq(list(csv.reader(f))[1][9], TIP, "read back from the file")


def test_export_bad_arguments_exit_2():
    env = Env()
    try:
        for args in (["export"], ["export", "nosuch"], ["export", "tips", "patrols"],
                     ["export", "tips", "--from", "x"], ["export", "tips", "--to", "2026-02-30x"],
                     ["export", "tips", "--from", "2026-12-02", "--to", "2026-12-01"],
                     ["export", "tips", "--out", ""], ["export", "tips", "--bogus"]):
            p = env.cli(*args, check_rc=False)
            check_eq(p.returncode, 2, "exit status of tipline %s" % " ".join(args))
            err = p.stderr.decode()
            check("usage:" in err and "export" in err, "usage for %s: %r" % (args, err[:200]))
        p = env.cli("export", "tips", "--out", os.path.join(env.dir, "no", "such", "dir.csv"), check_rc=False)
        check_eq(p.returncode, 1, "an unwritable --out")
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
