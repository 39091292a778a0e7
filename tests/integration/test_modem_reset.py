"""modem.reset_command: after modem.reset_after connects failed in a row the daemon runs it
(/bin/sh -c, modem.reset_timeout seconds at most, then killed), logs how it ended, and goes on
reconnecting. The emulator stands for a hung USB stick: it answers nothing until
the reset command "power-cycles" it by removing its faults.json.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AtEnv, check, check_eq, run_tests, running, wait_for  # noqa: E402


def reset_env(command, after=2, timeout=30):
    env = AtEnv(backoff_max=1)
    env.modem_extra = 'watchdog = 1; reset_command = "%s"; reset_after = %d; reset_timeout = %d;' % (
        command.replace("\\", "\\\\").replace('"', '\\"').format(dir=env.dir), after, timeout)
    env.write_conf(poll=0.05, backoff_max=1, multipart_timeout=3600, read_batch=50, extra="")
    env.faults({"hang": True})  # every connect hangs (the modem watchdog aborts it in 1 s)
    return env


def resets(env):
    try:
        with open(os.path.join(env.dir, "resets")) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def test_reset_command_cures_a_hung_modem():
    env = reset_env("echo reset >> {dir}/resets; rm -f {dir}/st/faults.json", after=2)
    with running(env) as env:
        env.sms("+84987000011", "TIN sau khi reset")
        env.wait_drained(1, timeout=30)
        log = env.log_text()
        check_eq(resets(env), ["reset"], "the reset command ran once")
        check("2 connects failed in a row; running modem.reset_command" in log, "logged: " + log)
        check("modem: reset_command exited with status 0" in log, "its exit status logged")
        check(log.index("running modem.reset_command") < log.index("modem: connected"),
              "connected only after the reset")


def test_reset_command_status_and_repeat():
    env = reset_env("echo r >> {dir}/resets; exit 7", after=2)
    with running(env) as env:
        wait_for(lambda: len(resets(env)) >= 2, 30, "two resets (the modem stays hung)")
        log = env.log_text()
        check("modem: reset_command exited with status 7" in log, "exit status 7 logged")
        check(env.proc.poll() is None, "the daemon keeps running")


def test_reset_command_timeout_kills_it():
    env = reset_env("echo start >> {dir}/resets; sleep 30; echo end >> {dir}/resets",
                    after=1, timeout=1)
    with running(env) as env:
        wait_for(lambda: "reset_command did not finish within 1 s: killed" in env.log_text(), 20,
                 "the timeout logged")
        check("end" not in resets(env), "the command was killed, its shell's sleep too")
        check(env.proc.poll() is None, "the daemon keeps running")


def test_no_reset_command_by_default():
    env = AtEnv(backoff_max=1, modem_extra="watchdog = 1;")
    env.faults({"hang": True})
    with running(env) as env:
        wait_for(lambda: env.log_text().count("modem: next try") >= 3, 20, "three failed connects")
        check("reset_command" not in env.log_text(), "nothing run without modem.reset_command")


if __name__ == "__main__":
    run_tests(globals())
