"""SIM PIN bring-up against the AT emulator (--pin): the PIN is entered when AT+CPIN? says
SIM PIN; a wrong one is entered once and never again (three wrong tries block the SIM), with
one clear error while the daemon keeps running; no modem.pin when one is asked, and a blocked
SIM (PUK), say so. A SIM that asks nothing is never sent a PIN.
"""
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AtEnv, check, check_eq, run_tests, running, wait_for  # noqa: E402


def pin_env(sim_pin, conf_pin, tries=0):
    env = AtEnv(backoff_max=1, modem_extra=('pin = "%s";' % conf_pin) if conf_pin else "")
    if sim_pin:
        env.emu_args = " --pin " + sim_pin
        env.write_conf(poll=0.05, backoff_max=1, multipart_timeout=3600, read_batch=50, extra="")
    if tries:
        with open(os.path.join(env.state, "pin_tries"), "w") as f:
            f.write("%d\n" % tries)
    return env


def pin_entries(env):
    return [c for c in env.commands() if c.upper().startswith("AT+CPIN=")]


def test_right_pin_is_entered_and_messages_flow():
    env = pin_env("4321", "4321")
    with running(env) as env:
        env.sms("+84987000001", "TIN co nguoi la")
        env.wait_drained(1, timeout=20)
        check("modem: SIM PIN accepted" in env.log_text(), "the log says the PIN was accepted")
        check_eq(pin_entries(env), ['AT+CPIN="4321"'], "PIN entries")


def test_wrong_pin_is_never_retried():
    env = pin_env("4321", "1111")
    with running(env) as env:
        env.sms("+84987000002", "TIN mot")
        wait_for(lambda: "the SIM refused modem.pin" in env.log_text(), 15, "the refusal logged")
        # Several reconnects later (back-off 1 s): still one entry, the daemon alive.
        wait_for(lambda: len([c for c in env.commands() if c.upper() == "AT+CPIN?"]) >= 3, 20,
                 "three more security checks")
        check_eq(pin_entries(env), ['AT+CPIN="1111"'], "the wrong PIN was entered once only")
        check(env.proc.poll() is None, "the daemon keeps running")
        check_eq(env.inbox_count(), 0, "nothing read from a locked SIM")
        check_eq(env.log_text().count("the SIM did not take modem.pin"), 1, "one clear error")
        check_eq(open(os.path.join(env.state, "pin_tries")).read().strip(), "1", "tries on the SIM")
        # The technician corrects modem.pin and reloads: the new PIN is tried, messages flow.
        with open(env.conf) as f:
            conf = f.read()
        with open(env.conf, "w") as f:
            f.write(conf.replace('pin = "1111";', 'pin = "4321";'))
        env.proc.send_signal(signal.SIGHUP)
        env.wait_drained(1, timeout=20)
        check_eq(pin_entries(env), ['AT+CPIN="1111"', 'AT+CPIN="4321"'], "PIN entries")


def test_pin_asked_and_none_configured():
    env = pin_env("4321", None)
    with running(env) as env:
        wait_for(lambda: "the SIM asks for its PIN: set modem.pin" in env.log_text(), 15,
                 "the missing PIN logged")
        check_eq(pin_entries(env), [], "no PIN entered")


def test_blocked_sim_asks_for_puk():
    env = pin_env("4321", "4321", tries=3)
    with running(env) as env:
        wait_for(lambda: "PUK" in env.log_text(), 15, "the PUK state logged")
        check_eq(pin_entries(env), [], "no PIN entered into a SIM that wants its PUK")


def test_ready_sim_gets_no_pin():
    env = pin_env(None, "4321")
    with running(env) as env:
        env.sms("+84987000003", "TIN hai")
        env.wait_drained(1, timeout=20)
        check(any(c.upper() == "AT+CPIN?" for c in env.commands()), "the state was asked")
        check_eq(pin_entries(env), [], "a READY SIM is sent no PIN")


def test_bad_pin_setting_fails_at_start():
    import subprocess
    from harness import TIPLINED
    for bad in ("12a4", "123", "123456789"):
        env = pin_env(None, bad)
        try:
            p = subprocess.run([TIPLINED, "-n", "-c", env.conf], capture_output=True, text=True)
            check_eq(p.returncode, 1, "modem.pin = %r: exit status" % bad)
            check(re.search(r"^%s:[1-9][0-9]*: modem.pin: must be 4 to 8 digits$" % re.escape(env.conf), p.stderr, re.M),
                  "file, line and problem: %r" % p.stderr)
        finally:
            env.close()


if __name__ == "__main__":
    run_tests(globals())
