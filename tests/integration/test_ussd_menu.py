"""The USSD menu (issue 12): real HTTP requests (urllib) to the running `tipline serve`, with
the daemon beside it on the dummy phone sending what the menu queues. Every answer's screen
is checked to fit 182 characters."""
import base64
import json
import os
import select
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (SLOW, Env, TestFailure, check, check_eq, files_with, run_tests,  # noqa: E402
                     running, wait_for)

SECRET = "aggregator-s3cret"
PHONE = "+84987000001"
OTHER = "+84987000002"
TIP = "co nguoi la o cau, xe may khong bien so"


class Serve:
    """`tipline serve --listen 127.0.0.1:0` on ENV's config; the port from its first line."""

    def __init__(self, env):
        self.env = env
        self.errf = open(os.path.join(env.dir, "serve.log"), "ab")
        self.proc = subprocess.Popen([harness.TIPLINE, "-c", env.conf, "serve", "--listen",
                                      "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=self.errf,
                                     cwd=env.dir)
        deadline = time.monotonic() + 10 * SLOW
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                # Never left running behind a failed start.
                self.proc.kill()
                self.proc.wait()
                self.proc.stdout.close()
                self.errf.close()
                raise TestFailure("tipline serve did not start: %r\n%s" % (line, self.log()))
            if select.select([self.proc.stdout], [], [], left)[0]:
                ch = os.read(self.proc.stdout.fileno(), 1)
                if not ch:
                    continue
                line += ch
        words = line.decode().split()
        check_eq(words[:3], ["tipline", "serve:", "listening"], "first line")
        self.base = "http://%s" % words[4]
        self.url = "http://%s%s" % (words[4], words[5])

    def log(self):
        with open(os.path.join(self.env.dir, "serve.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                rc = self.proc.wait(15 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise TestFailure("tipline serve did not stop on SIGTERM")
            check_eq(rc, 0, "tipline serve's exit status after SIGTERM")
        self.proc.stdout.close()
        self.errf.close()


class served:
    """with served(Env(...)) as (env, srv): the daemon and `tipline serve` both run."""

    def __init__(self, env, daemon=True):
        self.env = env
        self.daemon = daemon
        self.outer = running(env, start=daemon)

    def __enter__(self):
        self.outer.__enter__()
        try:
            self.srv = Serve(self.env)
        except BaseException:
            self.outer.__exit__(*sys.exc_info())
            raise
        return self.env, self.srv

    def __exit__(self, et, ev, tb):
        try:
            self.srv.stop()
        finally:
            if et is not None:
                sys.stderr.write("--- tipline serve log ---\n" + self.srv.log()[-3000:] + "\n")
            self.outer.__exit__(et, ev, tb)
        return False


def menu_env(more="", **ussd):
    """An Env with the ussd section USSD (and the secret) and the config text MORE."""
    settings = {"secret": '"%s"' % SECRET}
    settings.update({k: str(v).lower() if isinstance(v, bool) else v for k, v in ussd.items()})
    extra = "ussd: { %s };" % " ".join("%s = %s;" % kv for kv in settings.items())
    return Env(extra=extra + more)


def post(srv, body, url=None, headers=None, key=SECRET, method="POST"):
    """(status, body text) of one request; KEY as the URL's key parameter (None: none)."""
    u = url or srv.url
    if key is not None:
        u += "?key=" + urllib.parse.quote(key)
    data = body.encode() if isinstance(body, str) else body
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    h.update(headers or {})
    req = urllib.request.Request(u, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10 * SLOW) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def step(srv, session, text, phone=PHONE, code="*123#", status=200, **kw):
    """One menu step: the screen, checked to be CON/END and to fit 182 characters."""
    body = urllib.parse.urlencode({"sessionId": session, "serviceCode": code,
                                   "phoneNumber": phone, "networkCode": "45204", "text": text})
    st, ans = post(srv, body, **kw)
    check_eq(st, status, "HTTP status of step %r of %s (answer %r)" % (text, session, ans))
    check(ans.startswith("CON ") or ans.startswith("END "), "answer %r is CON/END" % ans)
    check(len(ans[4:]) <= 182, "screen of %d characters: %r" % (len(ans[4:]), ans))
    return ans


def session(srv, sid, inputs, phone=PHONE):
    """Type INPUTS one after another (the text grows as the aggregator sends it)."""
    answers = [step(srv, sid, "", phone)]
    for i in range(len(inputs)):
        answers.append(step(srv, sid, "*".join(inputs[:i + 1]), phone))
    return answers


def write(env, sql, args=()):
    con = sqlite3.connect(env.db, timeout=10)
    try:
        with con:
            con.execute(sql, args)
    finally:
        con.close()


def sent_to(env, number):
    out = env.cli("sim", "sent", "--json").stdout.decode()
    return [m["text"] for m in map(json.loads, out.splitlines()) if m["to"] == number]


def test_whole_tip_session():
    with served(menu_env()) as (env, srv):
        a = session(srv, "s1", ["1", "6", TIP, "1"])
        check(a[0].startswith("CON ") and "1 Bao tin" in a[0], "main menu: %r" % a[0])
        check("6 Nguoi la" in a[1] and "0 Khac" in a[1], "categories: %r" % a[1])
        check(a[3].startswith("CON ") and "2 Gui an danh" in a[3], "confirm: %r" % a[3])
        check_eq(a[4], "END Da ghi nhan, ma so T1. Cam on ban. Khan cap goi 113.", "the end")
        check_eq(env.query("SELECT t.ref, t.sender, t.anonymous, t.category, t.text, "
                           "t.structured, t.channel, t.status, i.channel, i.kind, i.sender, "
                           "i.text FROM tips t JOIN inbox i ON i.id = t.inbox_id"),
                 [("T1", PHONE, 0, "stranger", TIP, 1, "ussd", "new", "ussd", "tip", PHONE,
                   TIP)])
        check_eq(env.query("SELECT id, phone, service_code, network_code, last_step, steps, "
                           "outcome, tip_id, draft FROM ussd_sessions"),
                 [("s1", PHONE, "*123#", "45204", "tip_confirm", 5, "tip", 1, None)])
        # The SMS copy, sent by the daemon through the simulated phone.
        got = wait_for(lambda: sent_to(env, PHONE), 15, "the SMS copy sent")
        check(len(got) == 1 and "T1" in got[0], "SMS copy %r carries the reference" % got)
        # The phone has the copy a moment before the daemon commits the row's new status.
        wait_for(lambda: env.scalar("SELECT kind || ' ' || status FROM outbox") == "reply sent",
                 15, "the outbox row 'reply sent'")
        # The CLI lists it as any tip; an SMS tip beside it is channel sms.
        env.sms(OTHER, "TIN trom bo o thon 5")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 2, 15, "the SMS tip")
        check_eq(env.query("SELECT ref, channel FROM tips ORDER BY id"),
                 [("T1", "ussd"), ("T2", "sms")])
        check_eq(env.query("SELECT channel, count(*) FROM inbox GROUP BY channel"),
                 [("sms", 1), ("ussd", 1)])
        out = env.cli("tip", "T1", "--json").stdout.decode()
        check(TIP in out, "tipline tip T1 shows it: %r" % out)


def test_anonymous_tip_and_no_sms_copy_when_off():
    with served(menu_env(sms_ack=False)) as (env, srv):
        a = session(srv, "anon", ["1", "1", "ban ma tuy o ray", "2"])
        check("ma so T1" in a[-1], a[-1])
        check_eq(env.query("SELECT anonymous, category, channel FROM tips"), [(1, "drugs", "ussd")])
        row = json.loads(env.cli("tips", "--json").stdout.decode().splitlines()[0])
        check_eq(row["sender"], None, "anonymous sender hidden in tips, as TIN ANDANH")
        check_eq(env.scalar("SELECT count(*) FROM outbox"), 0, "no SMS copy (ussd.sms_ack off)")
        # Khac is the category "other"; cancelling stores no tip.
        session(srv, "khac", ["1", "0", "mat trom xe", "1"])
        check_eq(env.scalar("SELECT category FROM tips WHERE ref = 'T2'"), "other")
        a = session(srv, "cancel", ["1", "6", "thoi", "3"])
        check_eq(a[-1], "END Da huy, tin chua duoc gui.")
        check_eq(env.scalar("SELECT count(*) FROM tips"), 2, "a cancelled tip is not stored")
        check_eq(env.scalar("SELECT outcome FROM ussd_sessions WHERE id = 'cancel'"), "cancelled")


def test_anonymous_menu_tip_leaves_no_number():
    """Issue 13: "Gui an danh" keeps the number in no file: the session row forgets it too
    (its earlier steps wrote it into the WAL: scrubbed), the SMS copy's row once sent; a retry
    of the last step still gets its answer; the hourly cap counts the session in memory.
    Without the SMS copy no hand-over scrubs the WAL: the menu's own commit must."""
    digits = PHONE[3:].encode()  # 987000001: in +84987000001, 84987000001 and 0987000001
    for sms_ack in (False, True):
        with served(menu_env(max_per_hour=2, sms_ack=sms_ack)) as (env, srv):
            a = session(srv, "anon1", ["1", "1", "ban ma tuy o ray", "2"])
            check("ma so T1-" in a[-1], a[-1])
            check_eq(step(srv, "anon1", "1*1*ban ma tuy o ray*2"), a[-1], "a retry of the last step")
            check_eq(env.query("SELECT phone, outcome, tip_id FROM ussd_sessions"),
                     [("anonymous", "tip", None)])
            if sms_ack:
                wait_for(lambda: sent_to(env, PHONE), 15, "the SMS copy")
                wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'")
                         == 1, 15, "the SMS copy settled")
            try:
                wait_for(lambda: not files_with(env, digits), 10, "no file holds the number")
            except Exception:
                raise AssertionError("sms_ack %s: the number is in %s"
                                     % (sms_ack, files_with(env, digits)))
            # An ordinary session keeps its number: the control (the search can fail).
            session(srv, "plain", ["2", "T9"], phone=OTHER)
            check(files_with(env, OTHER[3:].encode()), "an ordinary session's number is found")
            # max_per_hour = 2: the anonymous session counts, though no row names the number.
            session(srv, "plain2", ["2", "T9"])
            check_eq(step(srv, "third", ""),
                     "END So nay da dung menu nhieu lan, vui long thu lai sau 1 gio.")
            check("ma tuy" not in srv.log() and "987000001" not in srv.log(),
                  "the serve log has neither the text nor the number")


def test_sms_copies_under_the_sms_reply_cap():
    """Issue 20: one reply cap for both doors (act_reply). The menu's SMS copies count toward
    replies.max_per_hour as the SMS path's acknowledgements do, anonymous ones too (the SMS
    side: test_anonymity's test_flood_cap_holds_for_anonymous_sender). Before, the menu did not
    count its anonymous copies and sent one per tip."""
    with served(menu_env(more=" replies: { max_per_hour = 2; };"), daemon=False) as (env, srv):
        for i in range(3):
            a = session(srv, "cap%d" % i, ["1", "1", "ban ma tuy lan %d" % i, "2"])
            check("ma so T%d-" % (i + 1) in a[-1], a[-1])
        check_eq(env.scalar("SELECT count(*) FROM tips WHERE anonymous"), 3, "tips stored")
        check_eq(env.scalar("SELECT count(*) FROM outbox WHERE kind = 'reply'"), 2,
                 "SMS copies (replies.max_per_hour = 2)")
        check("not replying to an anonymous sender" in srv.log(), "the cap is logged")
        # A named tipster's copies: the same cap, counted by the store.
        for i in range(3):
            session(srv, "named%d" % i, ["1", "1", "co nguoi la lan %d" % i, "1"], phone=OTHER)
        check_eq(env.scalar("SELECT count(*) FROM outbox WHERE recipient = ?", (OTHER,)), 2,
                 "SMS copies to a named tipster")


def test_status_lookup_from_the_sender_and_another_number():
    with served(menu_env()) as (env, srv):
        env.sms(PHONE, "TIN co nguoi la o thon 3")
        wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 1, 15, "the SMS tip T1")
        check_eq(session(srv, "l1", ["2", "T1"])[-1], "END Tin T1: da nhan, dang cho xu ly.")
        write(env, "UPDATE tips SET status = 'checking'")  # what `tipline tip mark` does
        check_eq(session(srv, "l2", ["2", "t1"])[-1], "END Tin T1: dang duoc xac minh.")
        write(env, "UPDATE tips SET status = 'valuable'")
        check_eq(session(srv, "l3", ["2", "#1"])[-1], "END Tin T1: da xu ly xong. Cam on ban.")
        # Another number learns nothing, not even that T1 exists.
        check_eq(session(srv, "l4", ["2", "T1"], phone=OTHER)[-1],
                 "END Khong tim thay tin T1 cua so nay.")
        check_eq(session(srv, "l5", ["2", "T99"])[-1], "END Khong tim thay tin T99 cua so nay.")
        # A tip made on the menu anonymously keeps the number in no row (issue 13): nothing
        # links it to its sender any more, so the sender's own lookup finds nothing either.
        session(srv, "t2", ["1", "6", TIP, "2"])
        check_eq(session(srv, "l6", ["2", "T2"])[-1], "END Khong tim thay tin T2 cua so nay.")
        check_eq(env.scalar("SELECT sender FROM tips WHERE ref = 'T2'"), "anonymous", "sender")
        check_eq(env.scalar("SELECT count(*) FROM inbox WHERE sender = ?", (PHONE,)), 1,
                 "inbox rows with the number (the SMS tip's only)")
        check_eq(env.scalar("SELECT count(*) FROM ussd_sessions WHERE outcome = 'lookup'"), 6)
        # Issue 26: the officers' latest answer, as TT gives it (diacritics folded).
        env.cli("tip", "answer", "T1", "Cảm ơn, xe đó màu gì?", "--by", "Hai")
        check_eq(session(srv, "l7", ["2", "T1"])[-1],
                 "END Tin T1: da xu ly xong. Cam on ban.\nTra loi: Cam on, xe do mau gi?")
        check_eq(session(srv, "l8", ["2", "T1"], phone=OTHER)[-1],
                 "END Khong tim thay tin T1 cua so nay.", "another number: no answer")


def test_registration_and_optout_as_dk_and_huy():
    with served(menu_env()) as (env, srv):
        a = session(srv, "r1", ["3", "Nguyễn Văn A", "thôn Kon Klor"])
        check_eq(a[-1], "END Da dang ky Nguyễn Văn A, thon Kon Klor. Ban se nhan thong bao "
                        "cua Cong an xa.")
        env.sms(OTHER, "DK Nguyễn Văn A thôn Kon Klor")
        wait_for(lambda: env.scalar("SELECT count(*) FROM contacts") == 2, 15, "the DK contact")
        rows = env.query("SELECT phone, name, village, role, subscribed FROM contacts ORDER BY "
                         "phone")
        check_eq(rows, [(PHONE, "Nguyễn Văn A", "Kon Klor", "villager", 1),
                        (OTHER, "Nguyễn Văn A", "Kon Klor", "villager", 1)], "as DK")
        check_eq(session(srv, "o1", ["4", "1"])[-1],
                 "END Ban da ngung nhan thong bao. Dang ky lai: chon 3.")
        check_eq(env.scalar("SELECT subscribed FROM contacts WHERE phone = ?", (PHONE,)), 0)
        # The broadcast group no longer has them; the other number (DK) is still in.
        check_eq(env.query("SELECT phone FROM contacts WHERE subscribed = 1"), [(OTHER,)])
        check_eq(env.query("SELECT outcome FROM ussd_sessions ORDER BY rowid"),
                 [("registered",), ("optout",)])


def test_wrong_secret_is_403_and_nothing_stored():
    with served(menu_env(), daemon=False) as (env, srv):
        body = "sessionId=x1&serviceCode=*123%23&phoneNumber=0987000001&text=1*6*a*1"
        for kw in ({"key": None}, {"key": "wrong"}, {"key": SECRET[:-1]}, {"key": ""},
                   {"key": None, "headers": {"Authorization": "Basic " + base64.b64encode(
                       b"user:wrong").decode()}}):
            st, ans = post(srv, body, **kw)
            check_eq(st, 403, "status with %r" % kw)
            check("CON" not in ans and "END" not in ans, "no menu in a 403: %r" % ans)
        for table in ("ussd_sessions", "tips", "inbox", "outbox"):
            check_eq(env.scalar("SELECT count(*) FROM " + table), 0, table + " rows after 403s")
        # The same secret as HTTP Basic credentials is let in.
        auth = "Basic " + base64.b64encode(("aggregator:" + SECRET).encode()).decode()
        st, ans = post(srv, body.replace("text=1*6*a*1", "text="), key=None,
                       headers={"Authorization": auth})
        check_eq(st, 200, "status with Basic credentials")
        check(ans.startswith("CON "), ans)


def test_limits_and_malformed_steps():
    with served(menu_env(), daemon=False) as (env, srv):
        ok = "sessionId=m1&serviceCode=1&phoneNumber=0987000001&text="
        check_eq(post(srv, None, method="GET")[0], 405, "GET")
        check_eq(post(srv, ok, method="PUT")[0], 405, "PUT")
        check_eq(post(srv, ok, headers={"Content-Type": "application/json"})[0], 415, "json")
        check_eq(post(srv, ok, headers={"Content-Type": "text/plain"})[0], 415, "text/plain")
        check_eq(post(srv, ok, url=srv.base + "/other")[0], 404, "another path")
        # Over 4 KB: refused whole, however it is sent.
        big = ok + "a" * 4097
        check_eq(post(srv, big)[0], 413, "a 4,153-byte body")
        check_eq(post(srv, ok + "a" * (4096 - len(ok)))[0], 200, "a 4,096-byte body")
        # Chunked (no Content-Length): counted as it comes.
        check_eq(post(srv, iter([big[:3000].encode(), big[3000:].encode()]))[0], 413,
                 "a chunked body over 4 KB")
        check_eq(post(srv, iter([ok.encode(), b"b" * (4096 - len(ok))]))[0], 200,
                 "a chunked 4,096-byte body")
        check_eq(env.scalar("SELECT count(*) FROM ussd_sessions"), 1, "the 4,096-byte one")
        # Malformed fields: END with an apology, never a crash, nothing stored.
        apology = "END Xin loi, co loi. Vui long thu lai sau."
        for body in ("sessionId=m2&serviceCode=1&text=", "serviceCode=1&phoneNumber=0987000001",
                     "sessionId=m3&serviceCode=1&phoneNumber=VIETTEL&text=",
                     "sessionId=m4&serviceCode=1&phoneNumber=0987000001&text=%ZZ",
                     "sessionId=m5&serviceCode=1&phoneNumber=0987000001&text=%C3%28",
                     "sessionId=m6&serviceCode=1&phoneNumber=0987000001&text=a%00",
                     "\x00\xff&&==", ""):
            check_eq(post(srv, body), (200, apology), "answer to %r" % body)
        check_eq(env.scalar("SELECT count(*) FROM ussd_sessions"), 1, "sessions after malformed")
        # Someone else's session id: refused, the session untouched.
        check_eq(step(srv, "m1", "1", phone=OTHER), apology)
        check_eq(env.scalar("SELECT steps FROM ussd_sessions WHERE id = 'm1'"), 2, "m1's steps")
        check(srv.proc.poll() is None, "tipline serve still running")


def test_unknown_step_repeats_the_screen_with_a_hint():
    with served(menu_env(), daemon=False) as (env, srv):
        main = step(srv, "u1", "")
        a = step(srv, "u1", "7")
        check_eq(a, "CON Chon mot so trong danh sach.\n" + main[4:], "main again, with the hint")
        a = step(srv, "u1", "7*1")
        check("1 Ma tuy" in a and "Chon mot so" not in a, "then the choice works: %r" % a)
        check("Chon mot so trong danh sach.\nLoai tin:" in step(srv, "u1", "7*1*12"), "12")
        check("Nhap noi dung" in step(srv, "u1", "7*1*12*6"), "6 after the hint")
        check("Chua nhap noi dung." in step(srv, "u1", "7*1*12*6*"), "an empty tip")
        check("Loai tin:" in step(srv, "u1", "7*1*12*6**0"), "0 goes back")
        check("1 Bao tin" in step(srv, "u1", "7*1*12*6**0*9"), "9: back to the main menu")
        # A retry of the same step: the same answer, not a new step.
        n = env.scalar("SELECT steps FROM ussd_sessions WHERE id = 'u1'")
        check("1 Bao tin" in step(srv, "u1", "7*1*12*6**0*9"), "the retry")
        check_eq(env.scalar("SELECT steps FROM ussd_sessions WHERE id = 'u1'"), n, "steps")
        # A text that does not continue the last one is read again from the start.
        check("Nhap ma so" in step(srv, "u1", "2"), "a text from another branch")
        # A '*' typed inside a tip is kept when the session continues.
        session(srv, "star", ["1", "6", "xe * bien so 47*A1", "1"])
        check_eq(env.scalar("SELECT text FROM tips"), "xe * bien so 47*A1")
        # A session dialled with its inputs (*123*2*T1#) starts with them.
        check_eq(step(srv, "dial", "2*T1"), "END Tin T1: da nhan, dang cho xu ly.")


def test_expired_session():
    with served(menu_env(session_timeout=1), daemon=False) as (env, srv):
        step(srv, "e1", "")
        step(srv, "e1", "1")
        # Sessions are expired at the next request of any session: poll with another one.
        n = [0]

        def expired():
            n[0] += 1
            step(srv, "poke%d" % n[0], "")
            return env.scalar("SELECT outcome FROM ussd_sessions WHERE id = 'e1'") == "expired"
        wait_for(expired, 10, "session e1 expired", interval=0.2)
        check_eq(step(srv, "e1", "1*6"), "END Phien da het han. Vui long quay so lai.")
        check_eq(env.query("SELECT outcome, steps, last_step, draft FROM ussd_sessions "
                           "WHERE id = 'e1'"), [("expired", 2, "category", None)])
        # An expired session's inputs are not kept, and its tip was never made.
        check_eq(env.scalar("SELECT count(*) FROM tips"), 0)


def test_max_sessions_503_and_per_number_cap():
    with served(menu_env(max_sessions=3, max_per_hour=2), daemon=False) as (env, srv):
        step(srv, "a", "", phone="+84987000011")
        step(srv, "b", "", phone="+84987000012")
        step(srv, "c", "", phone="+84987000013")
        busy = step(srv, "d", "", phone="+84987000014", status=503)
        check_eq(busy, "END He thong dang ban, vui long goi lai sau it phut.")
        # Issue 21: turned away is counted per hour, not a row each.
        check_eq(env.scalar("SELECT count(*) FROM ussd_sessions WHERE id = 'd'"), 0)
        check_eq(env.query("SELECT outcome, count FROM ussd_turned_away"), [("busy", 1)])
        step(srv, "d", "", phone="+84987000014", status=503)  # a retry: still busy
        session(srv, "a", ["4", "0", "4", "1"], phone="+84987000011")  # one session ends
        step(srv, "e", "", phone="+84987000011")  # room again: the number's second session
        session(srv, "b", ["4", "1"], phone="+84987000012")  # room for one more
        capped = step(srv, "f", "", phone="+84987000011")
        check_eq(capped, "END So nay da dung menu nhieu lan, vui long thu lai sau 1 gio.")
        check_eq(env.query("SELECT id, outcome FROM ussd_sessions WHERE phone = "
                           "'+84987000011' ORDER BY id"),
                 [("a", "optout"), ("e", None)])
        check_eq(env.query("SELECT outcome, count FROM ussd_turned_away ORDER BY outcome"),
                 [("busy", 2), ("capped", 1)])


def test_fifty_concurrent_sessions():
    with served(menu_env()) as (env, srv):
        errors, ends = [], []

        def one(i):
            try:
                a = session(srv, "c%02d" % i, ["1", "6", "tin so %d" % i, "1"],
                            phone="+849870001%02d" % i)
                ends.append(a[-1])
            except Exception as e:  # reported below
                errors.append("%d: %r" % (i, e))
        threads = [threading.Thread(target=one, args=(i,)) for i in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120 * SLOW)
        check_eq(errors, [], "errors")
        check_eq(len(ends), 50, "sessions answered to the end")
        refs = sorted(int(a.split("ma so T")[1].split(".")[0]) for a in ends)
        check_eq(refs, list(range(1, 51)), "references")
        check_eq(env.scalar("SELECT count(*) FROM tips WHERE channel = 'ussd'"), 50)
        check_eq(env.scalar("SELECT count(*) FROM ussd_sessions WHERE outcome = 'tip' AND "
                            "steps = 5"), 50)
        check_eq(env.scalar("SELECT count(*) FROM tips t JOIN ussd_sessions s ON s.tip_id = "
                            "t.id AND s.phone = t.sender AND t.text = 'tin so ' || "
                            "CAST(substr(s.id, 2) AS INTEGER)"), 50, "each tip its session's")
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == 50,
                 60, "50 SMS copies sent")


def test_refuses_to_start_without_a_secret_or_with_a_bad_address():
    env = Env()
    try:
        p = env.cli("serve", "--listen", "127.0.0.1:0", check_rc=False)
        check_eq(p.returncode, 1, "exit status without ussd.secret")
        check("ussd.secret is not set" in p.stderr.decode(), p.stderr.decode())
        env.write_conf(poll=0.05, backoff_max=2, multipart_timeout=3600, read_batch=50,
                       extra='ussd: { secret = "x"; texts: { main = "%s"; }; };' % ("x" * 170))
        p = env.cli("serve", "--listen", "127.0.0.1:0", check_rc=False)
        check_eq(p.returncode, 1, "exit status with a screen too long")
        check("main screen with its hint" in p.stderr.decode(), p.stderr.decode())
        p = env.cli("serve", "--listen", "nowhere", check_rc=False)
        check_eq(p.returncode, 2, "exit status with a bad --listen")
        err = p.stderr.decode().splitlines()
        check(err[0].startswith("tipline: --listen:") and "usage:" in err[1], err[:2])
        env.write_conf(poll=0.05, backoff_max=2, multipart_timeout=3600, read_batch=50,
                       extra='http: { listen = "127.0.0.1"; };')
        p = env.cli("serve", check_rc=False)
        check_eq(p.returncode, 1, "exit status with a bad http.listen")
        with open(env.conf) as f:
            line = [n for n, l in enumerate(f, 1) if 'listen = "127.0.0.1"' in l][0]
        check(p.stderr.decode().startswith("%s:%d: http.listen: " % (env.conf, line)),
              "FILE:LINE: http.listen: what is wrong (line %d): %r" % (line, p.stderr.decode()))
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
