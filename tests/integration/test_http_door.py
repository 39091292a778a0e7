"""Issue 21 (and two of issue 22's mutants) on `tipline serve`, with real sockets and a real
sqlite3 reader: slow clients do not shut the USSD door (src/http.c), a chunked body over 4096
bytes is answered 413 at the limit, a held reader or lock does not stall a step, and the menu's
sessions follow the aggregator's retry rules (docs: "Retries")."""
import os
import re
import select
import socket
import sqlite3
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SLOW, Env, check, check_eq, files_with, run_tests, wait_for  # noqa: E402
from test_anonymity import Reader  # noqa: E402
from test_ussd_menu import OTHER, PHONE, SECRET, TIP, post, served, session, step  # noqa: E402

ERROR = "END Xin loi, co loi. Vui long thu lai sau."
EXPIRED = "END Phien da het han. Vui long quay so lai."
CAPPED = "END So nay da dung menu nhieu lan, vui long thu lai sau 1 gio."
BUSY = "END He thong dang ban, vui long goi lai sau it phut."


def door_env(http="", **ussd):
    settings = {"secret": '"%s"' % SECRET}
    settings.update({k: str(v).lower() if isinstance(v, bool) else v for k, v in ussd.items()})
    extra = "ussd: { %s };" % " ".join("%s = %s;" % kv for kv in settings.items())
    if http:
        extra += "\nhttp: { %s };" % http
    return Env(extra=extra)


def addr(srv):
    host, port = srv.base[len("http://"):].rsplit(":", 1)
    return host, int(port)


def timed_step(srv, sid, text, phone=PHONE, status=200):
    t = time.monotonic()
    ans = step(srv, sid, text, phone, status=status)
    return ans, time.monotonic() - t


def closed_by_server(s, timeout):
    """True once the server closed S (EOF or reset) within TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if select.select([s], [], [], 0.05 if timeout else 0)[0]:
            try:
                if s.recv(4096) == b"":
                    return True
            except OSError:
                return True
        if time.monotonic() >= deadline:
            return False


# --- item 2: slow clients ---

def test_trickling_clients_do_not_shut_the_door():
    """300 connections from 300 client addresses (127.0.0.2, ...) send a header line, then one
    byte every 0.5 s: a real step is still answered in under a second; each trickler is cut at
    http.request_deadline though it never stops sending; one masked log line says so. From one
    address, the connection over http.max_per_client is refused at once."""
    env = door_env(http="request_deadline = 3; max_per_client = 8;")
    with served(env, daemon=False) as (env, srv):
        host, port = addr(srv)
        tricklers = []
        try:
            for i in range(300):
                s = socket.socket()
                s.bind(("127.0.%d.%d" % (2 + i // 250, 2 + i % 250), 0))
                s.connect((host, port))
                s.sendall(b"POST /ussd?key=x HTTP/1.1\r\nHost: a\r\n")
                tricklers.append(s)
            opened = time.monotonic()
            worst, n = 0.0, 0
            while time.monotonic() - opened < 2.0 * SLOW:
                for s in tricklers:
                    try:
                        s.send(b"X")
                    except OSError:
                        pass
                ans, took = timed_step(srv, "real%d" % n, "", phone="+849870002%02d" % n)
                check(ans.startswith("CON "), ans)
                worst = max(worst, took)
                n += 1
                time.sleep(0.5)
            sys.stderr.write("%d steps beside 300 tricklers: slowest %.3f s\n" % (n, worst))
            check(worst < 1.0 * SLOW, "a real step answered in under a second (%.2f s)" % worst)
            # Still trickling, each is cut at the deadline (3 s from its start).
            cut = 0
            end = time.monotonic() + 6 * SLOW
            alive = list(tricklers)
            while alive and time.monotonic() < end:
                for s in list(alive):
                    try:
                        s.send(b"X")
                    except OSError:
                        alive.remove(s)
                        cut += 1
                        continue
                    if closed_by_server(s, 0):
                        alive.remove(s)
                        cut += 1
                time.sleep(0.3)
            check_eq(len(alive), 0, "tricklers still open %.1f s after they started"
                     % (time.monotonic() - opened))
        finally:
            for s in tricklers:
                s.close()
        # One connection over max_per_client (8) from one address is refused at once.
        mine = []
        try:
            for _ in range(8):
                s = socket.socket()
                s.connect((host, port))
                mine.append(s)
            time.sleep(0.3)
            extra = socket.socket()
            extra.connect((host, port))
            mine.append(extra)
            check(closed_by_server(extra, 2 * SLOW), "the 9th connection from 127.0.0.1 refused")
            check(not closed_by_server(mine[0], 0.2), "the first 8 are kept")
        finally:
            for s in mine:
                s.close()
        log = srv.log()
        away = [ln for ln in log.splitlines() if "turning clients away" in ln]
        check_eq(len(away), 1, "one log line for the episode:\n" + "\n".join(away))
        check(re.search(r"from 127\.0\.[0-9]+\.0/24", away[0]) and
              not re.search(r"127\.0\.[0-9]+\.[1-9]", away[0]),
              "the client address masked: %r" % away[0])

        def after():
            # Refused while the server has not yet seen the 8 close: wait for that, not a time.
            try:
                return step(srv, "after", "").startswith("CON ")
            except OSError:
                return False
        wait_for(after, 5, "a step from 127.0.0.1 once its 8 connections closed", interval=0.1)


def chunked_until_answer(srv, limit_bytes):
    """Stream a chunked body until the server answers; (bytes sent, the answer's bytes)."""
    host, port = addr(srv)
    s = socket.create_connection((host, port))
    s.sendall(("POST /ussd?key=%s HTTP/1.1\r\nHost: a\r\nContent-Type: "
               "application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
               % SECRET).encode())
    sent, got = 0, b""
    chunk = b"400\r\n" + b"a" * 1024 + b"\r\n"
    try:
        while sent < limit_bytes:
            if select.select([s], [], [], 0.01)[0]:
                break
            try:
                s.sendall(chunk)
            except OSError:
                break
            sent += 1024
        s.settimeout(5 * SLOW)
        try:
            while True:
                b = s.recv(4096)
                if not b:
                    break
                got += b
        except OSError:
            pass
    finally:
        s.close()
    return sent, got


def test_chunked_body_over_the_limit_is_413_at_once():
    with served(door_env(), daemon=False) as (env, srv):
        sent, got = chunked_until_answer(srv, 2 * 1024 * 1024)
        sys.stderr.write("chunked body: answered after %d bytes sent\n" % sent)
        check(got.startswith(b"HTTP/1.1 413"), "413 at the limit: %r" % got[:200])
        check(sent < 512 * 1024, "answered near 4096 bytes, not at the body's end (%d)" % sent)
        check(b"Connection: close" in got, "and closed: %r" % got[:300])
        check_eq(env.scalar("SELECT count(*) FROM ussd_sessions"), 0)
        check(step(srv, "ok", "").startswith("CON "), "a step after it")


# --- item 1: a held reader, a held lock ---

def test_reader_held_across_an_anonymous_menu_tip():
    """The menu's own commit asks for the scrub; with no daemon running, `tipline serve`'s job
    table must do it once the reader closes. Every step meanwhile is answered at once."""
    digits = PHONE[3:].encode()
    with served(door_env(sms_ack=False, max_per_hour=100), daemon=False) as (env, srv):
        step(srv, "warm", "", phone=OTHER)
        reader = Reader(env, "ussd_sessions")
        try:
            worst = 0.0
            for i, text in enumerate(["", "1", "1*1", "1*1*ban ma tuy o ray", "1*1*ban ma tuy o ray*2"]):
                ans, took = timed_step(srv, "anon", text)
                worst = max(worst, took)
            check("ma so T1-" in ans, ans)
            for i in range(20):
                ans, took = timed_step(srv, "plain%d" % i, "", phone="+849870001%02d" % i)
                check(ans.startswith("CON "), ans)
                worst = max(worst, took)
            sys.stderr.write("25 steps behind an open reader: slowest %.3f s\n" % worst)
            check(worst < 1.0 * SLOW, "every step answered at once (slowest %.2f s)" % worst)
            check(files_with(env, digits), "the reader holds the number's frames "
                  "(the search can fail)")
            st = env.cli("status").stdout.decode()
            check("WAL scrub:    pending since" in st, st)
        finally:
            reader.close()
        closed = time.monotonic()
        wait_for(lambda: not files_with(env, digits), 5, "the number out of the WAL")
        sys.stderr.write("scrubbed %.2f s after the reader closed\n" % (time.monotonic() - closed))


def test_a_held_lock_is_answered_with_the_apology_at_once():
    """ussd.db_wait (300 ms here): a writer holding the database is not waited for longer;
    the step gets the apology while the aggregator still listens."""
    with served(door_env(db_wait=300), daemon=False) as (env, srv):
        step(srv, "w1", "")
        con = sqlite3.connect(env.db, timeout=10, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO status (key, value, updated_at) VALUES ('x', '1', "
                        "'2026-01-01 00:00:00') ON CONFLICT (key) DO UPDATE SET value = '2'")
            ans, took = timed_step(srv, "w1", "1", status=500)
            check_eq(ans, ERROR, "the apology")
            check(took < 0.3 + 1.5 * SLOW, "answered after ussd.db_wait, not 5 s (%.2f s)" % took)
        finally:
            con.execute("ROLLBACK")
            con.close()
        check(step(srv, "w1", "1").startswith("CON "), "the step again once the lock is gone")


# --- item 4: the sessions ---

def test_retry_of_an_anonymous_end_only_to_its_number():
    with served(door_env(sms_ack=False), daemon=False) as (env, srv):
        a = session(srv, "an", ["1", "1", "ban ma tuy o ray", "2"])
        check("ma so T1-" in a[-1], a[-1])
        last = "1*1*ban ma tuy o ray*2"
        other = step(srv, "an", last, phone=OTHER)
        check("T1" not in other, "another number replaying the last step: %r" % other)
        check_eq(other, ERROR)
        check_eq(step(srv, "an", last), a[-1], "the retry from the number that made it")
        check_eq(env.query("SELECT phone, outcome FROM ussd_sessions"), [("anonymous", "tip")])


def test_retry_after_expiry_gets_expired():
    with served(door_env(session_timeout=1), daemon=False) as (env, srv):
        con = step(srv, "e1", "1")
        check(con.startswith("CON "), con)
        a = session(srv, "e2", ["4", "0", "4", "1"], phone=OTHER)  # ends (an opt-out)
        check(a[-1].startswith("END "), a[-1])
        n = [0]

        def expired():
            n[0] += 1
            step(srv, "poke%d" % n[0], "", phone="+84987000%03d" % n[0])
            return env.scalar("SELECT outcome FROM ussd_sessions WHERE id = 'e1'") == "expired"
        wait_for(expired, 10, "session e1 expired", interval=0.2)
        check_eq(step(srv, "e1", "1"), EXPIRED, "a retry of an expired session's step")
        time.sleep(1.1)
        check_eq(step(srv, "e2", "4*0*4*1", phone=OTHER), EXPIRED,
                 "a retry of an ended session's last step after its retry window")


def test_a_late_earlier_step_keeps_the_tip():
    with served(door_env(sms_ack=False), daemon=False) as (env, srv):
        step(srv, "l1", "")
        step(srv, "l1", "1")
        step(srv, "l1", "1*6")
        confirm = step(srv, "l1", "1*6*" + TIP)
        check("2 Gui an danh" in confirm, confirm)
        check_eq(step(srv, "l1", "1*6"), confirm, "a late earlier step: the current screen")
        check_eq(step(srv, "l1", ""), confirm, "a late first step: the current screen")
        end = step(srv, "l1", "1*6*%s*1" % TIP)
        check_eq(end, "END Da ghi nhan, ma so T1. Cam on ban. Khan cap goi 113.")
        check_eq(env.query("SELECT category, text FROM tips"), [("stranger", TIP)])


def test_turned_away_are_counted_not_stored_or_logged_each():
    with served(door_env(max_sessions=1), daemon=False) as (env, srv):
        step(srv, "open", "")
        for i in range(30):
            check_eq(step(srv, "x%d" % i, "", phone="+84987001%03d" % i, status=503), BUSY)
        check_eq(env.query("SELECT id FROM ussd_sessions"), [("open",)], "no row per attempt")
        check_eq(env.query("SELECT outcome, count FROM ussd_turned_away"), [("busy", 30)])
        for i in range(30):
            post(srv, "x", url=srv.base + "/nope%d" % i)
            post(srv, "sessionId=a&serviceCode=1&phoneNumber=0987000001&text=", key="wrong")
        log = srv.log()
        check(len(re.findall(r"turned away", log)) <= 5,
              "turned-away log lines bounded:\n" + log[-2000:])
        check(len(re.findall(r": 40[34]\b", log)) <= 5, "403/404 lines bounded:\n" + log[-2000:])


# --- issue 22: store_ussd_menu.c ~40 and ~57 ---

def test_turned_away_does_not_use_the_hourly_allowance():
    """Issue 22, store_ussd_menu.c ~57: a number turned away as busy still has its sessions."""
    with served(door_env(max_sessions=1, max_per_hour=1), daemon=False) as (env, srv):
        step(srv, "a", "", phone=PHONE)
        step(srv, "b", "", phone=OTHER, status=503)
        step(srv, "b2", "", phone=OTHER, status=503)
        session(srv, "a", ["4", "0", "4", "1"], phone=PHONE)  # ends: room again
        check(step(srv, "b3", "", phone=OTHER).startswith("CON "),
              "the number turned away as busy gets its menu")


def test_an_ended_session_keeps_its_outcome_past_the_timeout():
    """Issue 22, store_ussd_menu.c ~40: expiry touches open sessions only: a tip's session
    stays 'tip' after ussd.session_timeout, and a number turned away then has its allowance."""
    with served(door_env(session_timeout=1, max_sessions=1, max_per_hour=1, sms_ack=False),
                daemon=False) as (env, srv):
        session(srv, "t", ["1", "6", TIP, "1"])
        step(srv, "o", "", phone="+84987000031")
        step(srv, "busy", "", phone=OTHER, status=503)
        n = [0]

        def expired():
            # A lookup dialled whole ends at once: it leaves no session open. Busy (503)
            # until 'o' expires.
            n[0] += 1
            post(srv, urllib.parse.urlencode({"sessionId": "poke%d" % n[0], "serviceCode": "*123#",
                                              "phoneNumber": "+84987000%03d" % (40 + n[0]),
                                              "text": "2*T9"}))
            return env.scalar("SELECT outcome FROM ussd_sessions WHERE id = 'o'") == "expired"
        wait_for(expired, 10, "the open session expired", interval=0.3)
        check_eq(env.scalar("SELECT outcome FROM ussd_sessions WHERE id = 't'"), "tip",
                 "the ended session's outcome")
        check(step(srv, "later", "", phone=OTHER).startswith("CON "),
              "the number once turned away as busy is not capped")


if __name__ == "__main__":
    run_tests(globals())
