"""Outgoing messages: every state change is durable, a crash mid-send resends at most once,
and replies go before bulk traffic."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running, sent_messages, wait_for  # noqa: E402

VILLAGER = "+84987000001"


def crash_at(point):
    env = Env()
    with running(env, start=False):
        env.sms(VILLAGER, "TIN co nguoi la o thon 3")
        env.start(env={"TIPLINE_FAULT": point})
        check_eq(env.wait_exit(), 99, "exit status at " + point)
        check_eq(env.query("SELECT status, attempts FROM outbox"), [("sending", 1)],
                 "the reply's state after the crash")
        env.start()
        wait_for(lambda: env.scalar("SELECT status FROM outbox") == "sent", 10, "reply sent after restart")
        check_eq(env.scalar("SELECT attempts FROM outbox"), 2, "attempts")
        check("were being sent when the daemon stopped" in env.log_text(), "recovery logged")
        return len(sent_messages(env))


def test_crash_before_the_modem_is_asked_sends_once():
    check_eq(crash_at("exit-after-mark-sending"), 1, "copies sent")


def test_crash_after_the_modem_sent_resends_at_most_once():
    check_eq(crash_at("exit-after-modem-send"), 2, "copies sent (one resend)")


def crash_twice_after_handover(env, copies):
    """Killed twice just after the modem took the reply (TIPLINE_FAULT=exit-after-modem-took):
    the third start must not send it a third time. COPIES() counts what the modem sent."""
    with running(env, start=False):
        env.sms(VILLAGER, "TIN co nguoi la o thon 3")
        for n in (1, 2):
            env.start(env={"TIPLINE_FAULT": "exit-after-modem-took"})
            check_eq(env.wait_exit(), 99, "exit status after hand-over %d" % n)
            check_eq(env.query("SELECT status, attempts, handovers FROM outbox"), [("sending", n, n)],
                     "the reply's state after crash %d" % n)
            check_eq(copies(), n, "copies the modem took after crash %d" % n)
        env.start()
        wait_for(lambda: "marked sent" in env.log_text(), 10, "the give-up logged")
        status, attempts, err = env.query("SELECT status, attempts, last_error FROM outbox")[0]
        check_eq((status, attempts), ("sent", 2), "status and attempts after the restart")
        check("not sent again" in (err or ""), "the row says why: %r" % err)
        # A new message is still answered: the daemon goes on.
        env.sms("+84987000009", "TIN lan hai")
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == 2, 10,
                 "the next reply sent")
        check_eq(copies(), 3, "copies in all: two of the first reply, one of the second")


def crash_between_record_and_modem(env, copies):
    """Killed after the hand-over is on record but before the modem has the message (the
    record precedes the Ctrl-Z, or the simulated phone's copy): sent again after the restart,
    once. Also used by test_faults.py on the AT emulator."""
    with running(env, start=False):
        env.sms(VILLAGER, "TIN co nguoi la o thon 3")
        env.start(env={"TIPLINE_FAULT": "exit-after-handover-recorded"})
        check_eq(env.wait_exit(), 99, "exit status")
        check_eq(env.query("SELECT status, attempts, handovers FROM outbox"), [("sending", 1, 1)],
                 "the reply's state after the crash")
        check_eq(copies(), 0, "copies before the restart (recorded before the modem took it)")
        env.start()
        wait_for(lambda: env.scalar("SELECT status FROM outbox") == "sent", 10, "reply sent")
        check_eq(env.query("SELECT attempts, handovers, last_error FROM outbox"), [(2, 1, None)],
                 "attempts, cut-short hand-overs, error")
        check_eq(copies(), 1, "copies")


def test_crash_between_recording_the_handover_and_the_copy_sends_once():
    """On the simulated phone the record (written, not yet fsynced) precedes the copy."""
    env = Env()
    crash_between_record_and_modem(env, lambda: len(sent_messages(env)))


def test_two_crashes_after_the_modem_took_a_reply_send_it_twice_not_three_times():
    env = Env()
    crash_twice_after_handover(env, lambda: len(sent_messages(env)))


def test_replies_go_before_bulk_traffic():
    env = Env(extra="outbox: { rate_per_minute = 1200; };")
    with running(env, start=False):
        env.start()
        wait_for(lambda: "modem: connected" in env.log_text(), 10, "connected")
        # 200 bulk messages queued at once, as a broadcast would.
        import sqlite3
        con = sqlite3.connect(env.db, timeout=10)
        now = "2026-01-01 00:00:00"
        con.executemany(
            "INSERT INTO outbox (recipient, text, priority, kind, created_at, not_before, updated_at)"
            " VALUES (?, ?, 10, 'broadcast', ?, ?, ?)",
            [("+8498800%04d" % i, "Canh giac lua dao qua dien thoai", now, now, now) for i in range(200)])
        con.commit()
        con.close()
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") >= 5, 10,
                 "the bulk sending started")
        env.sms(VILLAGER, "TIN xe la o thon 2")
        wait_for(lambda: any(m["to"] == VILLAGER for m in sent_messages(env)), 10, "the reply sent")
        order = [m["to"] for m in sent_messages(env)]
        left = env.scalar("SELECT count(*) FROM outbox WHERE kind = 'broadcast' AND status = 'queued'")
        check(left > 100, "the reply overtook the bulk queue (%d bulk messages still queued)" % left)
        check_eq(order.count(VILLAGER), 1, "replies to the villager")


def test_paced_sending_respects_the_rate():
    """outbox.rate_per_minute = 60: one part a second. The send times the daemon recorded
    (outbox.sent_at, whole seconds) of four messages queued at once are each at least a
    second apart; unpaced, the dummy phone sends all four within a fraction of a second."""
    env = Env(extra="outbox: { rate_per_minute = 60; };")
    with running(env, start=False):
        env.cli("inbox")  # creates the database
        import sqlite3
        con = sqlite3.connect(env.db, timeout=10)
        now = "2026-01-01 00:00:00"
        con.executemany(
            "INSERT INTO outbox (recipient, text, priority, kind, created_at, not_before, updated_at)"
            " VALUES (?, ?, 10, 'broadcast', ?, ?, ?)",
            [("+8498800%04d" % i, "Hop to tu quan 19h", now, now, now) for i in range(4)])
        con.commit()
        con.close()
        env.start()
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == 4, 15,
                 "four sent")
        import datetime
        times = [datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S") for (t,) in
                 env.query("SELECT sent_at FROM outbox ORDER BY sent_at, id")]
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        check(all(g >= 1 for g in gaps), "seconds between sends at 60 a minute: %r" % gaps)
        check_eq(len(sent_messages(env)), 4, "messages the modem sent")


if __name__ == "__main__":
    run_tests(globals())
