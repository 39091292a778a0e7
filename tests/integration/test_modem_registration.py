"""Sending waits for network registration: against the AT emulator ("creg" in faults.json),
a reply queued while the modem is searching stays queued (no PDU offered, no attempt spent),
the state is logged once per change, and the reply goes out once the modem registers.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AtEnv, check, check_eq, run_tests, running, wait_for  # noqa: E402


def test_sending_waits_for_registration():
    env = AtEnv(backoff_max=1)
    env.faults({"creg": 2})  # searching
    with running(env) as env:
        env.sms("+84987000021", "TIN cho song")
        env.wait_drained(1, timeout=20)
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'queued'") == 1,
                 10, "the reply queued")
        wait_for(lambda: "not registered on the network (searching); messages wait"
                 in env.log_text(), 10, "the state logged")
        # Two more registration checks (every 5 s while not registered) and still nothing sent.
        wait_for(lambda: sum(1 for c in env.commands() if c.upper() == "AT+CREG?") >= 3, 20,
                 "three registration checks")
        check_eq(env.sent_pdus(), [], "no PDU offered while searching")
        check_eq(env.scalar("SELECT attempts FROM outbox"), 0, "no attempt spent")
        check_eq(env.log_text().count("not registered on the network"), 1, "logged once")
        env.faults({"creg": 1})
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == 1,
                 20, "the reply sent once registered")
        check_eq(len(env.sent()), 1, "one reply sent")
        check("modem: network registration: home" in env.log_text(), "the change logged")


def test_sending_waits_while_denied():
    """Registration denied (+CREG: 0,3) is no network to send through: the reply waits."""
    env = AtEnv(backoff_max=1)
    env.faults({"creg": 3})
    with running(env) as env:
        env.sms("+84987000022", "TIN cho song")
        env.wait_drained(1, timeout=20)
        wait_for(lambda: "not registered on the network (denied); messages wait" in env.log_text(),
                 20, "the state logged")
        wait_for(lambda: sum(1 for c in env.commands() if c.upper() == "AT+CREG?") >= 3, 20,
                 "three registration checks")
        check_eq(env.sent_pdus(), [], "no PDU offered while denied")
        check_eq(env.scalar("SELECT status FROM outbox"), "queued", "the reply waits")
        check_eq(env.scalar("SELECT attempts FROM outbox"), 0, "no attempt spent")
        env.faults({"creg": 5})
        wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == 1,
                 20, "the reply sent once registered (roaming)")
        check("modem: network registration: roaming" in env.log_text(), "the change logged")


def test_unknown_registration_does_not_hold_sending():
    """A modem that cannot say (AT+CREG commands answer ERROR, or +CREG: 0,4): nothing is held back,
    the network refuses a send if need be."""
    for faults, what in (({"error": {"AT+CREG": "ERROR"}}, "AT+CREG refused"), ({"creg": 4}, "stat 4")):
        env = AtEnv(backoff_max=1)
        env.faults(faults)
        with running(env) as env:
            env.sms("+84987000023", "TIN cho song")
            env.wait_drained(1, timeout=20)
            wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'") == 1,
                     20, "the reply sent (%s)" % what)
            check(any(c.upper().startswith("AT+CREG") for c in env.commands()), "the registration was asked")
            check("not registered on the network" not in env.log_text(), "nothing held (%s)" % what)


if __name__ == "__main__":
    run_tests(globals())
