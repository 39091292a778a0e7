"""Outgoing messages: every state change is durable, a crash mid-send resends at most once,
and replies go before bulk traffic."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running, wait_for  # noqa: E402

VILLAGER = "+84987000001"


def sent(env):
    out = env.cli("sim", "sent", "--json").stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


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
        return len(sent(env))


def test_crash_before_the_modem_is_asked_sends_once():
    check_eq(crash_at("exit-after-mark-sending"), 1, "copies sent")


def test_crash_after_the_modem_sent_resends_at_most_once():
    check_eq(crash_at("exit-after-modem-send"), 2, "copies sent (one resend)")


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
        wait_for(lambda: any(m["to"] == VILLAGER for m in sent(env)), 10, "the reply sent")
        order = [m["to"] for m in sent(env)]
        left = env.scalar("SELECT count(*) FROM outbox WHERE kind = 'broadcast' AND status = 'queued'")
        check(left > 100, "the reply overtook the bulk queue (%d bulk messages still queued)" % left)
        check_eq(order.count(VILLAGER), 1, "replies to the villager")


if __name__ == "__main__":
    run_tests(globals())
