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


if __name__ == "__main__":
    run_tests(globals())
