"""CLI manners, table-driven: -h/--help on stdout with exit 0 for both programs and every
command (COMMAND --help and `tipline help COMMAND` alike), -V/--version, and a bad argument:
one error line, then that command's usage lines only, exit 2.

The commands are read from src/tipline.c's commands[] (not copied here), so a command added
without usage lines in the summary fails test_every_command_has_help.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, TIPLINE, TIPLINED, Env, check, check_eq, run_tests  # noqa: E402


def commands():
    src = open(os.path.join(ROOT, "src", "tipline.c")).read()
    table = src[src.index("} commands[] = {"):]
    table = table[:table.index("};")]
    names = re.findall(r'\{"([a-z][a-z0-9-]*)",', table)
    check(len(names) >= 14, "commands[] parsed from src/tipline.c: %r" % names)
    return names


def run(env, *args):
    p = subprocess.run([TIPLINE, "-c", env.conf] + list(args), capture_output=True, text=True,
                       cwd=env.dir)
    return p.returncode, p.stdout, p.stderr


def usage_lines(text, cmd):
    """The command lines of a usage text: 'usage: tipline CMD ...' / 'tipline CMD ...'."""
    return [m.groups() for m in re.finditer(r"^(?:usage: |\s+)tipline (\S+)", text, re.M)]


def test_every_command_has_help():
    env = Env()
    try:
        for cmd in commands():
            for args in ([cmd, "--help"], [cmd, "-h"], ["help", cmd]):
                rc, out, err = run(env, *args)
                check_eq(rc, 0, "tipline %s: exit status" % " ".join(args))
                check_eq(err, "", "tipline %s: stderr" % " ".join(args))
                check(out.startswith("usage: tipline %s" % cmd),
                      "tipline %s prints %s's usage on stdout: %r" % (" ".join(args), cmd, out))
                firsts = {w[0] for w in usage_lines(out, cmd)}
                check_eq(firsts, {cmd}, "tipline %s: commands in the usage" % " ".join(args))
            check_eq(run(env, cmd, "--help")[1], run(env, "help", cmd)[1],
                     "%s --help and help %s" % (cmd, cmd))
    finally:
        env.close()


# (arguments, exit status, where the text goes, what it must contain)
SUMMARY = [
    (["--help"], 0, "stdout", "usage: tipline [-c file] command"),
    (["-h"], 0, "stdout", "usage: tipline [-c file] command"),
    (["help"], 0, "stdout", "usage: tipline [-c file] command"),
    ([], 2, "stderr", "usage: tipline [-c file] command"),
    (["-V"], 0, "stdout", "tipline "),
    (["--version"], 0, "stdout", "tipline "),
]


def test_summary_and_version():
    env = Env()
    try:
        for args, want_rc, where, want in SUMMARY:
            rc, out, err = run(env, *args)
            check_eq(rc, want_rc, "tipline %s: exit status" % " ".join(args))
            text = out if where == "stdout" else err
            check(text.startswith(want), "tipline %s: %s %r" % (" ".join(args), where, text))
            if args and args[0] in ("-V", "--version"):
                check(re.match(r"^tipline \S+\n$", out), "one version line: %r" % out)
        # The summary names every command.
        summary = run(env, "--help")[1]
        for cmd in commands():
            check(re.search(r"^  %s( |$)" % re.escape(cmd), summary, re.M),
                  "the summary lists %s" % cmd)
    finally:
        env.close()


# A bad argument: (arguments, the command whose usage follows, a piece of the error line)
BAD = [
    (["inbox", "--limit", "x"], "inbox", "--limit"),
    (["inbox", "--bogus"], "inbox", "bogus"),
    (["inbox", "extra"], "inbox", "unexpected argument"),
    (["outbox", "--status", "nope"], "outbox", "--status"),
    (["parse", "a", "b"], "parse", "give one TEXT"),
    (["sim", "bogus"], "sim", "unknown subcommand"),
    (["sim", "send", "--from"], "sim", "--from"),
    (["contact", "add", "--bogus"], "contact", "bogus"),
    (["tips", "--since", "yesterday"], "tips", "--since"),
    (["tip", "mark", "1", "nonsense"], "tip", "nonsense"),
    (["patrols", "--bogus"], "patrols", "bogus"),
    (["team", "set", "TQ3", "--nights", "funday"], "team", "funday"),
    (["alerts", "--bogus"], "alerts", "bogus"),
    (["export", "nothing"], "export", "nothing"),
    (["broadcast", "--bogus"], "broadcast", "bogus"),
    (["group", "bogus"], "group", "bogus"),
    (["report", "--format", "pdf"], "report", "pdf"),
    (["forget"], "forget", "give one phone NUMBER"),
    (["forget", "0905111444", "0905222555"], "forget", "give one phone NUMBER"),
    (["forget", "VIETTEL", "--yes"], "forget", "not a phone number"),
    (["forget", "--bogus", "0905111444"], "forget", "bogus"),
    (["modem"], "modem", "give a subcommand"),
    (["modem", "pin-again"], "modem", "unknown subcommand"),
    (["modem", "pin-retry", "now"], "modem", "unexpected argument"),
    (["modem", "--bogus"], "modem", "bogus"),
    (["help", "nosuch"], "help", "nosuch"),
    (["nosuch"], None, "unknown command"),
    (["--bogus"], None, "bogus"),
]


def test_bad_arguments():
    env = Env()
    try:
        for args, cmd, piece in BAD:
            what = "tipline " + " ".join(args)
            rc, out, err = run(env, *args)
            check_eq(rc, 2, what + ": exit status")
            check_eq(out, "", what + ": stdout")
            lines = err.splitlines()
            check(len(lines) >= 2 and piece in lines[0] and "usage" not in lines[0],
                  what + ": one error line naming %r, then the usage: %r" % (piece, err))
            check(lines[1].startswith("usage: tipline"), what + ": usage follows: %r" % err)
            rest = "\n".join(lines[1:])
            if cmd is None:
                check(rest.startswith("usage: tipline [-c file] command"), what + ": the summary")
            else:
                check_eq({w[0] for w in usage_lines(rest, cmd)}, {cmd},
                         what + ": only %s's usage lines" % cmd)
                # Exactly what `tipline help CMD` prints: nothing else on stderr.
                check_eq(rest + "\n", run(env, "help", cmd)[1], what + ": the usage")
    finally:
        env.close()


DAEMON = [
    (["-h"], 0, "stdout", "usage: tiplined"),
    (["--help"], 0, "stdout", "usage: tiplined"),
    (["-V"], 0, "stdout", "tiplined "),
    (["--version"], 0, "stdout", "tiplined "),
    (["-x"], 2, "stderr", None),
    (["extra"], 2, "stderr", None),
]


def test_daemon_manners():
    for args, want_rc, where, want in DAEMON:
        p = subprocess.run([TIPLINED] + args, capture_output=True, text=True)
        what = "tiplined " + " ".join(args)
        check_eq(p.returncode, want_rc, what + ": exit status")
        text = p.stdout if where == "stdout" else p.stderr
        if want:
            check(text.startswith(want), "%s: %s %r" % (what, where, text))
            check_eq(p.stderr, "", what + ": stderr")
        else:
            lines = p.stderr.splitlines()
            check(len(lines) >= 2 and "usage" not in lines[0] and lines[1].startswith("usage: tiplined"),
                  what + ": one error line, then the usage: %r" % p.stderr)
            check_eq(p.stdout, "", what + ": stdout")


if __name__ == "__main__":
    run_tests(globals())
