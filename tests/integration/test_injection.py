"""Issue 21 item 3: text from phones (SMS through the simulated phone, a DK name, USSD steps to
the running `tipline serve`) with ESC sequences, CR/LF, TAB, BiDi overrides and C1 controls is
stored exactly as sent, and every place that shows it to a person renders it safely: the CLI's
listings escape it (text_safe: "\\x1b", "\\u202e"), --json escapes it and parses back to the
stored text, CSV exports quote what a spreadsheet would run as a formula, the text and HTML
reports escape it, and no log line can be forged or carry a path's secret."""
import csv
import io
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AtEnv, Env, check, check_eq, run_tests, running, wait_for  # noqa: E402
from test_ussd_menu import SECRET, post, served, session, step  # noqa: E402

TIPSTER = "+84912000001"
NAMED = "+84912000002"
USSD_PHONE = "+84987000001"
FORGED = "2026-12-07T00:00:00Z tiplined[warn]: forged"
# What a terminal obeys: clear screen and red, a forged log line after CR LF, a TAB (a column
# of its own in a tab-separated listing), BiDi overrides and isolates, C1 NEL and CSI.
HOSTILE = ("=HYPERLINK(\"http://x\") \x1b[2J\x1b[31mRED\r\n" + FORGED + "\tcol \u202egnp.exe"
           "\u2066x\u2069 \u200f\u0085\u009b2J end")
NAME = "Ng\x1b[31m\u202eA\x1b]0;title\x07"
VILLAGE = "K\x1b[5mon\u202eX"
SENDER = "\u202eVIETTEL\x1b[31m"


def unsafe(text, allowed="\n\t"):
    """The characters of TEXT a terminal would obey (controls but ALLOWED, DEL, C1, BiDi)."""
    bad = []
    for ch in text:
        cp = ord(ch)
        if ((cp < 0x20 and ch not in allowed) or 0x7f <= cp <= 0x9f or cp in (0x61c, 0x200e,
                0x200f, 0x2028, 0x2029) or 0x202a <= cp <= 0x202e or 0x2066 <= cp <= 0x2069):
            bad.append(ch)
    return bad


def shown(env, *args):
    """A CLI command's standard output: UTF-8 (strict) with nothing a terminal would obey."""
    out = env.cli(*args).stdout.decode("utf-8")
    check_eq(unsafe(out), [], "raw controls or BiDi in `tipline %s`" % " ".join(args))
    check(FORGED not in out.split("\n") and "\n" + FORGED not in out,
          "`tipline %s` shows no forged line" % " ".join(args))
    return out


def json_rows(env, *args):
    """Each line of a --json listing: no raw control or BiDi (all \\u-escaped), parsed."""
    out = env.cli(*args).stdout.decode("utf-8")
    check_eq(unsafe(out, allowed="\n"), [], "raw controls or BiDi in `tipline %s`"
             % " ".join(args))
    return [json.loads(line) for line in out.splitlines()]


def columns(out):
    """The rows of a tab-separated listing, each split into its columns."""
    return [line.split("\t") for line in out.splitlines()]


def hostile_env():
    env = Env()
    return env


def feed(env):
    """A hostile tip, a hostile DK name and village, a tip from that contact (its village)."""
    env.sms(TIPSTER, "TIN " + HOSTILE)
    env.sms(NAMED, "DK " + NAME + " thôn " + VILLAGE)
    wait_for(lambda: env.scalar("SELECT count(*) FROM contacts") == 1, 15, "the DK contact")
    env.sms(NAMED, "TIN @SUM(1+1) " + HOSTILE)
    wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 2, 15, "two tips")


def test_stored_as_sent():
    with running(hostile_env()) as env:
        feed(env)
        check_eq(env.query("SELECT text FROM inbox ORDER BY id"),
                 [("TIN " + HOSTILE,), ("DK " + NAME + " thôn " + VILLAGE,),
                  ("TIN @SUM(1+1) " + HOSTILE,)], "the inbox, byte for byte")
        check_eq(env.query("SELECT text, village FROM tips ORDER BY id"),
                 [(HOSTILE, None), ("@SUM(1+1) " + HOSTILE, VILLAGE)], "the tips as sent")
        check_eq(env.query("SELECT name, village FROM contacts"), [(NAME, VILLAGE)], "the contact")


def test_listings_escape():
    with running(hostile_env()) as env:
        feed(env)
        env.cli("broadcast", "--group", "TATCA", HOSTILE)
        escaped = "\\x1b[2J\\x1b[31mRED\\x0d\\x0a" + FORGED + "\\x09col \\u202egnp.exe"
        out = shown(env, "inbox")
        check(escaped in out, "inbox shows the text escaped: %r" % out)
        check_eq(len(out.splitlines()), 3, "one line per message")
        out = shown(env, "tips")
        rows = columns(out)
        check_eq([len(r) for r in rows], [len(rows[0])] * 3, "tips: every row has the header's "
                 "columns")
        check(escaped in out, "tips shows the text escaped: %r" % out)
        out = shown(env, "tip", "T2")
        check("\\x1b[5mon" in out and escaped in out, "tip T2 shows village and text: %r" % out)
        out = shown(env, "contact", "list")
        check_eq([len(r) for r in columns(out)], [len(columns(out)[0])] * 2, "contact columns")
        check("Ng\\x1b[31m\\u202eA\\x1b]0;title\\x07" in out, "the name escaped: %r" % out)
        out = shown(env, "outbox")
        check("Ng\\x1b[31m\\u202eA" in out, "the DK reply with the name, escaped: %r" % out)
        out = shown(env, "sim", "sent")
        check("Ng\\x1b[31m\\u202eA" in out, "sim sent: the name escaped: %r" % out)
        out = shown(env, "broadcast", "list")
        check(escaped in out, "broadcast list: %r" % out)
        out = shown(env, "broadcast", "show", "1")
        check(escaped in out, "broadcast show: %r" % out)
        # Ordinary text stays as it is (Vietnamese, a backslash, quotes).
        check("thôn" in shown(env, "inbox"), "Vietnamese shown as it is")


def test_json_round_trips():
    with running(hostile_env()) as env:
        feed(env)
        env.cli("broadcast", "--group", "TATCA", HOSTILE)
        check_eq([r["text"] for r in json_rows(env, "inbox", "--json")],
                 ["TIN " + HOSTILE, "DK " + NAME + " thôn " + VILLAGE, "TIN @SUM(1+1) " + HOSTILE],
                 "inbox --json: the stored text")
        check_eq([r["text"] for r in json_rows(env, "tips", "--json")],
                 [HOSTILE, "@SUM(1+1) " + HOSTILE], "tips --json")
        check_eq(json_rows(env, "tip", "T2", "--json")[0]["village"], VILLAGE, "tip --json")
        check_eq([(r["name"], r["village"]) for r in json_rows(env, "contact", "list", "--json")],
                 [(NAME, VILLAGE)], "contact list --json")
        check_eq([r["text"] for r in json_rows(env, "broadcast", "list", "--json")], [HOSTILE],
                 "broadcast list --json")
        check(any(NAME in r["text"] for r in json_rows(env, "outbox", "--json")),
              "outbox --json carries the name as sent")


def test_csv_neutralises_formulas():
    with running(hostile_env()) as env:
        feed(env)
        rows = list(csv.DictReader(io.StringIO(env.cli("export", "tips").stdout.decode(),
                                               newline="")))
        check_eq([r["text"] for r in rows], ["'" + HOSTILE, "'@SUM(1+1) " + HOSTILE],
                 "formula cells quoted, the rest as stored")
        check_eq(rows[1]["village"], VILLAGE, "an ordinary cell as stored")
        check_eq([r["sender"] for r in rows], [TIPSTER, NAMED], "numbers kept")


def test_reports_escape():
    with running(hostile_env()) as env:
        feed(env)
        out = shown(env, "report")
        check("\\x1b[5mon" in out, "the text report names the village escaped: %r" % out)
        html = env.cli("report", "--format", "html").stdout.decode("utf-8")
        check_eq(unsafe(html), [], "raw controls or BiDi in the HTML report")
        check("<script" not in html.lower(), "no script")
        data = json.loads(env.cli("report", "--format", "json").stdout.decode())
        check(VILLAGE in data["tips"]["by_village"], "the JSON report: as stored: %r" % data)


def test_ussd_text_and_serve_log():
    with served(Env(extra='ussd: { secret = "%s"; };' % SECRET)) as (env, srv):
        text = "@SUM(A1) " + HOSTILE.replace("*", "")
        a = session(srv, "hostile", ["1", "6", text, "1"], phone=USSD_PHONE)
        check("T1" in a[-1], a[-1])
        session(srv, "reg", ["3", NAME, VILLAGE], phone="+84987000002")
        # A session id with a forged line in it: refused as malformed (nothing of it logged).
        sid = "s\x1b[31m\r\n" + FORGED
        step(srv, sid, "", phone="+84987000003")
        step(srv, sid, "2*T9", phone="+84987000003")
        check_eq(env.query("SELECT text FROM inbox WHERE channel = 'ussd'"), [(text,)],
                 "the USSD tip stored as typed")
        check_eq(env.query("SELECT name, village FROM contacts"), [(NAME, VILLAGE)],
                 "the USSD registration stored as typed")
        out = shown(env, "tips")
        check("@SUM(A1) =HYPERLINK(\"http://x\") \\x1b[2J" in out, "tips: %r" % out)
        check_eq([r["text"] for r in json_rows(env, "tips", "--json")], [text], "tips --json")
        rows = list(csv.DictReader(io.StringIO(env.cli("export", "inbox").stdout.decode(),
                                               newline="")))
        check_eq([r["text"] for r in rows], ["'" + text], "export inbox: quoted")
        # Rejected paths: %-decoded by libmicrohttpd, a forged line and a secret in the path.
        check_eq(post(srv, "x", url=srv.base + "/nope%0A" + urllib.parse.quote(FORGED))[0], 404)
        check_eq(post(srv, "x", url=srv.base + "/nope%1b[31m/very-secret-token")[0], 404)
        check_eq(post(srv, "x", url=srv.base + "/nope/x", key="another-secret")[0], 404)
        log = srv.log()
        check_eq(unsafe(log, allowed="\n"), [], "raw controls or BiDi in the serve log")
        lines = log.splitlines()
        check(not any(line.startswith(FORGED) for line in lines), "no forged line: %r" % log)
        check("/nope\\x0a2026-12-07T00:00:00Z" in log, "the path escaped: %r" % log)
        check("very-secret-token" not in log and "another-secret" not in log, "no secret in "
              "the log: %r" % log)
        check("/nope\\x1b[31m/..." in log, "first segment only: %r" % log)
        check("a malformed step" in log, "a session id with controls is refused: %r" % log)
        # An alphanumeric sender with BiDi and ESC in it: the daemon logs who sent a message.
        env.sms(SENDER, "hello")
        wait_for(lambda: env.scalar("SELECT count(*) FROM inbox WHERE channel = 'sms'") == 1, 15,
                 "the message from an alphanumeric sender")
        check_eq(env.scalar("SELECT sender FROM inbox WHERE channel = 'sms'"), SENDER, "sender")
        wait_for(lambda: "VIETTEL" in env.log_text(), 15, "the sender logged")
        dlog = env.log_text()
        check_eq(unsafe(dlog, allowed="\n"), [], "raw controls or BiDi in the daemon's log")
        check("\\u202eVIETTEL\\x1b[31m" in dlog, "the sender escaped: %r" % dlog[-2000:])
        out = shown(env, "inbox")
        check("\\u202eVIETTEL\\x1b[31m" in out, "inbox: the sender escaped: %r" % out)


def test_network_text():
    """What the network says (a USSD answer, through the AT emulator) is shown escaped by
    `tipline ussd` and logged escaped by the daemon."""
    answer = "TKC 12.345d\x1b[2J\r\n" + FORGED + " \u202eX"
    env = AtEnv(extra='ussd: { balance_code = ""; timeout = 5; };\n')
    env.faults({"ussd": {"*102#": answer}})
    with running(env):
        wait_for(lambda: env.scalar("SELECT value FROM status WHERE key = 'modem'") == "connected",
                 30, "the modem connected")
        out = shown(env, "ussd", "*102#")
        check_eq(out, "TKC 12.345d\\x1b[2J\\x0d\\x0a" + FORGED + " \\u202eX\n", "the answer")
        check_eq(env.query("SELECT answer FROM ussd_log"), [(answer,)], "stored as answered")
        shown(env, "status")
        check_eq(unsafe(env.log_text(), allowed="\n"), [], "raw controls in the daemon's log")


run_tests(globals())
