"""SIM PIN bring-up against the AT emulator (--pin): the PIN is entered when AT+CPIN? says
SIM PIN; a wrong one is entered once and never again (three wrong tries block the SIM), with
one clear error while the daemon keeps running — nor after a restart (SIGTERM or SIGKILL: the
entry is in the database before the PIN goes out), nor after two refusals (a third would block
the SIM) until `tipline modem pin-retry`; a changed modem.pin is tried once. No modem.pin when
one is asked, and a blocked SIM (PUK), say so. A SIM that asks nothing is never sent a PIN.
`tipline status` shows the SIM and the registration as the daemon saw them.
"""
import json
import os
import re
import signal
import subprocess
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


def cpin_queries(env):
    return sum(1 for c in env.commands() if c.upper() == "AT+CPIN?")


def status(env):
    out = env.cli("status", "--json").stdout.decode()
    lines = out.splitlines()
    check_eq(len(lines), 1, "status --json lines")
    return json.loads(lines[0])


def status_text(env):
    return env.cli("status").stdout.decode()


def set_pin(env, old, new):
    with open(env.conf) as f:
        conf = f.read()
    check('pin = "%s";' % old in conf, "modem.pin %s in the config" % old)
    with open(env.conf, "w") as f:
        f.write(conf.replace('pin = "%s";' % old, 'pin = "%s";' % new))


def more_checks(env, n=2):
    """Wait for N more AT+CPIN? (N reconnects, back-off 1 s): the decisions of N - 1 whole
    connects are then in commands.log."""
    base = cpin_queries(env)
    wait_for(lambda: cpin_queries(env) >= base + n, 20, "%d more security checks" % n)


def sim_tries(env):
    with open(os.path.join(env.state, "pin_tries")) as f:
        return int(f.read().strip())


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
        wait_for(lambda: status(env)["sim"]["state"] == "pin-missing", 10, "the state shown")
        check("SIM:          asks for its PIN, none configured" in status_text(env),
              status_text(env))


def test_blocked_sim_asks_for_puk():
    env = pin_env("4321", "4321", tries=3)
    with running(env) as env:
        wait_for(lambda: "PUK" in env.log_text(), 15, "the PUK state logged")
        wait_for(lambda: status(env)["sim"]["state"] == "puk", 10, "the state shown")
        more_checks(env)
        check_eq(pin_entries(env), [], "no PIN entered into a SIM that wants its PUK")
        check("SIM:          asks for the PUK" in status_text(env), status_text(env))


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


def test_emulator_sim_blocks_after_three_wrong_pins():
    """The emulator's SIM itself: wrong PINs count across its processes; the third asks for
    the PUK, and then even the right PIN is refused."""
    env = AtEnv()
    try:
        def session(cmds):
            p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..",
                                "emulator", "atmodem.py"), "--state", env.state, "--pin", "4321"],
                               input="".join(c + "\r" for c in ["AT+CMEE=1"] + cmds), capture_output=True,
                               text=True, timeout=20)
            return p.stdout
        out = session(["AT+CPIN?", 'AT+CPIN="1111"', 'AT+CPIN="2222"'])
        check("+CPIN: SIM PIN" in out and out.count("+CME ERROR: 16") == 2, out)
        check_eq(sim_tries(env), 2, "two wrong tries, counted")
        out = session(['AT+CPIN="3333"', "AT+CPIN?", 'AT+CPIN="4321"', "AT+CPIN?"])
        check("+CME ERROR: 16" in out and out.count("+CPIN: SIM PUK") == 2, out)
        check("+CPIN: READY" not in out, "blocked: the right PIN no longer helps: %s" % out)
    finally:
        env.close()


def test_refused_pin_is_not_entered_after_restarts():
    env = pin_env("4321", "1111")
    with running(env) as env:
        env.sms("+84987000004", "TIN ba")
        wait_for(lambda: "the SIM refused modem.pin" in env.log_text(), 15, "the refusal logged")
        more_checks(env)
        check_eq(pin_entries(env), ['AT+CPIN="1111"'], "entered once")
        s = wait_for(lambda: status(env)["sim"]["state"] == "pin-refused" and status(env), 10,
                     "the refusal shown")
        check(s["sim"]["pin_refused_at"] and s["sim"]["since"], s["sim"])
        check_eq(s["sim"]["pins_refused"], 1, "refusals counted")
        text = status_text(env)
        check(re.search(r"^SIM: +PIN refused on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, not "
                        r"entered again", text, re.M), text)
        # Restarts, as systemd's Restart=always does them: a clean stop, a SIGKILL (a crash, a
        # watchdog exit), a clean stop again. Each starts a new emulator: its SIM asks again,
        # as after a power cut; its count of wrong tries is kept in the state directory.
        for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGTERM):
            rc = env.stop(sig=sig)
            check_eq(rc, 0 if sig == signal.SIGTERM else -signal.SIGKILL, "exit status")
            env.start()
            more_checks(env)
            check_eq(pin_entries(env), ['AT+CPIN="1111"'], "not entered after a restart (%s)"
                     % signal.Signals(sig).name)
            check(env.proc.poll() is None, "the daemon keeps running")
        check_eq(sim_tries(env), 1, "one wrong try on the SIM after three restarts")
        wait_for(lambda: "not entered again" in status(env)["modem"]["state"], 10,
                 "the modem line says why")
        check_eq(status(env)["sim"]["state"], "pin-refused", "still shown after restarts")
        check_eq(env.inbox_count(), 0, "nothing read from a locked SIM")
        # The PIN is nowhere in what tipline shows or keeps.
        check("1111" not in status_text(env) and "1111" not in json.dumps(status(env)),
              "the PIN is not shown")
        hashes = env.query("SELECT pin_hash, outcome FROM sim_pins")
        check(len(hashes) == 1 and "1111" not in hashes[0][0] and hashes[0][1] == "refused",
              hashes)
        # The technician corrects modem.pin and restarts: tried once, accepted.
        env.stop()
        set_pin(env, "1111", "4321")
        env.start()
        env.wait_drained(1, timeout=20)
        check_eq(pin_entries(env), ['AT+CPIN="1111"', 'AT+CPIN="4321"'], "PIN entries")
        s = wait_for(lambda: status(env)["sim"]["state"] == "ready" and status(env), 10, "ready")
        check_eq((s["sim"]["pin_refused_at"], s["sim"]["pins_refused"]), (None, 0), "cleared")
        check_eq(env.scalar("SELECT count(*) FROM sim_pins"), 0, "entries forgotten")
        check_eq(sim_tries(env), 0, "the SIM's count starts again")
        # The registration as the daemon read it (the health job runs at connect).
        s = wait_for(lambda: status(env)["modem"]["registration_since"] and status(env), 10,
                     "the registration read")
        check_eq((s["modem"]["registration"], s["modem"]["operator"]), ("home", "Viettel"),
                 "registration")
        text = status_text(env)
        check(re.search(r"^SIM: +ready \(since ", text, re.M), text)
        check(re.search(r"^network: +Viettel \(452 04\), home since \d{4}-", text, re.M), text)


def test_changed_pin_tried_once_then_none_after_two_refusals():
    env = pin_env("4321", "1111")
    with running(env) as env:
        wait_for(lambda: "the SIM refused modem.pin" in env.log_text(), 15, "the refusal logged")
        set_pin(env, "1111", "2222")
        env.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: len(pin_entries(env)) == 2, 15, "the changed PIN entered")
        more_checks(env)
        check_eq(pin_entries(env), ['AT+CPIN="1111"', 'AT+CPIN="2222"'], "each tried once")
        check_eq(sim_tries(env), 2, "two wrong tries on the SIM")
        # A third wrong PIN would block the SIM: a new one is not entered by itself.
        set_pin(env, "2222", "3333")
        env.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: status(env)["sim"]["state"] == "pin-last-try", 15, "the last try held")
        env.stop()
        env.start()
        more_checks(env)
        check_eq(len(pin_entries(env)), 2, "no third PIN entered, restart or not")
        check_eq(sim_tries(env), 2, "the SIM is not blocked")
        check("two were refused" in status_text(env), status_text(env))
        check("the SIM refused 2 PINs since it last took one" in status(env)["modem"]["state"],
              status(env)["modem"])
        # Back to a refused one: still not entered.
        set_pin(env, "3333", "2222")
        env.proc.send_signal(signal.SIGHUP)
        more_checks(env, 3)
        check_eq(len(pin_entries(env)), 2, "a refused PIN is not entered again")
        # The operator found the right PIN and says so.
        set_pin(env, "2222", "4321")
        env.proc.send_signal(signal.SIGHUP)
        more_checks(env, 3)
        check_eq(len(pin_entries(env)), 2, "not without the operator's word")
        out = env.cli("modem", "pin-retry").stdout.decode()
        check("forgot 2 PIN entries" in out, out)
        wait_for(lambda: status(env)["sim"]["state"] == "ready", 15, "ready")
        check_eq(pin_entries(env)[2:], ['AT+CPIN="4321"'], "entered once after pin-retry")
        check_eq(sim_tries(env), 0, "the SIM's count starts again")
        check("nothing to retry" in env.cli("modem", "pin-retry").stdout.decode(), "again")
        p = env.cli("modem", "pin-again", check_rc=False)
        check_eq(p.returncode, 2, "a bad subcommand")


def test_entry_interrupted_by_sigkill_counts_as_refused():
    """The daemon dies (SIGKILL: a power cut, a crash) after AT+CPIN= went out and before the
    SIM answered: the next daemon does not know whether it counted and does not enter it."""
    env = pin_env("4321", "4321")
    env.faults({"hang": "AT+CPIN="})
    with running(env) as env:
        wait_for(lambda: len(pin_entries(env)) == 1, 15, "the PIN sent")
        check_eq(env.scalar("SELECT outcome FROM sim_pins"), "pending", "recorded before")
        env.stop(sig=signal.SIGKILL)
        env.faults({})
        env.start()
        more_checks(env)
        check_eq(len(pin_entries(env)), 1, "not entered again")
        s = wait_for(lambda: status(env)["sim"]["state"] == "pin-unknown" and status(env), 10,
                     "shown")
        check(s["sim"]["pin_refused_at"], s["sim"])
        check("PIN entry interrupted" in status_text(env), status_text(env))
        check("forgot 1 PIN entry" in env.cli("modem", "pin-retry").stdout.decode(), "retry")
        wait_for(lambda: status(env)["sim"]["state"] == "ready", 15, "ready")
        check_eq(len(pin_entries(env)), 2, "entered once more")


def test_entry_cut_off_without_a_crash_counts_as_refused():
    """The SIM never answers AT+CPIN= (the modem hangs once): the watchdog aborts the call and
    the daemon lives on. Whether the PIN counted is unknown: not entered again on the
    reconnects, nor after a clean restart."""
    env = AtEnv(backoff_max=1, modem_extra='pin = "4321"; watchdog = 1;')
    env.emu_args = " --pin 4321"
    env.write_conf(poll=0.05, backoff_max=1, multipart_timeout=3600, read_batch=50, extra="")
    env.faults({"hang": "AT+CPIN=", "once": True})
    with running(env) as env:
        wait_for(lambda: "the SIM did not take modem.pin" in env.log_text(), 20, "the entry aborted")
        check(env.proc.poll() is None, "the daemon keeps running")
        check_eq(env.query("SELECT outcome FROM sim_pins"), [("pending",)], "the entry kept")
        more_checks(env)
        check_eq(len(pin_entries(env)), 1, "not entered again on a reconnect")
        wait_for(lambda: status(env)["sim"]["state"] == "pin-unknown", 10, "shown as unknown")
        check_eq(env.stop(), 0, "exit status")
        env.start()
        more_checks(env)
        check_eq(len(pin_entries(env)), 1, "not entered again after a restart")
        check_eq(env.query("SELECT outcome FROM sim_pins"), [("pending",)], "still kept")
        check_eq(sim_tries(env) if os.path.exists(os.path.join(env.state, "pin_tries")) else 0, 0,
                 "no wrong try on the SIM")


def test_pin_retry_while_the_sim_answers_keeps_the_refusal():
    """tipline modem pin-retry run while a wrong PIN is with the SIM (its answer delayed):
    the refusal that follows is still recorded, and not entered after a restart."""
    env = pin_env("4321", "1111")
    env.faults({"delay_ms": 1500, "when": "AT+CPIN="})
    with running(env) as env:
        wait_for(lambda: len(pin_entries(env)) == 1, 15, "the PIN sent")
        check("forgot 1 PIN entry" in env.cli("modem", "pin-retry").stdout.decode(), "retry")
        wait_for(lambda: "the SIM did not take modem.pin" in env.log_text(), 15, "refused")
        check_eq(env.query("SELECT outcome FROM sim_pins"), [("refused",)], "recorded anew")
        env.stop()
        env.faults({})
        env.start()
        more_checks(env)
        check_eq(len(pin_entries(env)), 1, "not entered again")
        check_eq(sim_tries(env), 1, "one wrong try on the SIM")


if __name__ == "__main__":
    run_tests(globals())
