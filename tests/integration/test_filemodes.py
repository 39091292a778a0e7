"""Issue 13: the database and its -wal and -shm are mode 0600 from the moment they exist (0640
and group database.group with that setting); an older database with a wider mode is tightened
at open; --out files get the same modes; a user who cannot open the database is told in one
line whose it is and who can (exit 1), by the CLI, `tipline serve` and the daemon.

Other users are played with setpriv(1) (the tests run as root); where that cannot be done the
tests say SKIP. The temporary directory is opened (0755) so that they can reach the files."""
import grp
import os
import pwd
import re
import stat
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Env, check, check_eq, run_tests, running, wait_for  # noqa: E402

SIDES = ("tipline.db", "tipline.db-wal", "tipline.db-shm")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def need_root():
    if os.geteuid() != 0:
        raise harness.Skip("not root: cannot create groups or run as another user")
    for tool in ("/usr/bin/setpriv", "/usr/sbin/groupadd", "/usr/sbin/groupdel"):
        if not os.path.exists(tool):
            raise harness.Skip("%s is not installed" % tool)
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        raise harness.Skip("no user nobody on this machine")
    p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=%d" % pwd.getpwnam("nobody").pw_gid,
                        "--clear-groups", "true"], capture_output=True)
    if p.returncode != 0:
        raise harness.Skip("setpriv cannot run as nobody here: %s" % p.stderr.decode().strip())


class temp_group:
    """with temp_group() as (name, gid): a group made for the test, removed after it."""

    def __enter__(self):
        self.name = "tipt" + uuid.uuid4().hex[:8]
        p = subprocess.run(["groupadd", self.name], capture_output=True)
        if p.returncode != 0:
            raise harness.Skip("groupadd failed: %s" % p.stderr.decode().strip())
        return self.name, grp.getgrnam(self.name).gr_gid

    def __exit__(self, *a):
        subprocess.run(["groupdel", self.name], capture_output=True)
        return False


def open_env(group=None, extra=""):
    """An Env others can reach (0755 directory), with database.group = GROUP when given."""
    env = Env(extra=extra)
    os.chmod(env.dir, 0o755)
    if group is not None:
        with open(env.conf) as f:
            conf = f.read()
        conf = conf.replace("busy_timeout = 30000;", 'busy_timeout = 30000; group = "%s";' % group)
        with open(env.conf, "w") as f:
            f.write(conf)
    return env


def as_user(env, args, groups=None, prog=None):
    """Run tipline (or PROG) ARGS as user nobody, primary group nogroup, with GROUPS."""
    nogroup = grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
    cmd = ["setpriv", "--reuid=nobody", "--regid=%s" % nogroup]
    cmd += ["--groups=%s" % ",".join(groups)] if groups else ["--clear-groups"]
    cmd += prog if prog else [harness.TIPLINE, "-c", env.conf]
    return subprocess.run(cmd + list(args), capture_output=True, cwd=env.dir, timeout=60)


def start_watching(env):
    """Start the daemon and stat its database files as fast as we can until it has started:
    every (name, mode, gid) seen. A file made 0644 and chmod'ed later is seen 0644 for the
    time its schema takes to make (milliseconds; hundreds of stats)."""
    seen = set()
    env.start()
    polls = 0
    while env.log_text().count("]: started (config") < 1:
        check(env.proc.poll() is None, "tiplined exited: %s" % env.log_text()[-2000:])
        check(polls < 2000000, "tiplined did not start")
        for n in SIDES:
            try:
                st = os.stat(os.path.join(env.dir, n))
            except FileNotFoundError:
                continue
            seen.add((n, stat.S_IMODE(st.st_mode), st.st_gid))
        polls += 1
    check({n for n, _, _ in seen} >= {"tipline.db"}, "the database was seen while made: %r" % seen)
    return seen


def wait_files(env, starts=1):
    """The daemon has opened the database (its STARTS-th start): the files are made."""
    wait_for(lambda: env.log_text().count("]: started (config") >= starts, 15, "tiplined started")
    check(all(os.path.exists(os.path.join(env.dir, n)) for n in SIDES), "the database files")


def test_created_0600_and_umask_kept():
    """With the usual umask 022, the database files are 0600; what else the daemon writes
    (the simulated phone's sent parts) still has the umask's mode."""
    old = os.umask(0o022)
    try:
        env = open_env()
        with running(env, start=False):
            seen = start_watching(env)
            check_eq(sorted({m for _, m, _ in seen}), [0o600],
                     "every mode the files had since they exist (%r)" % seen)
            wait_files(env)
            for n in SIDES:
                check_eq(oct(mode(os.path.join(env.dir, n))), oct(0o600), n + " mode")
            env.sms("0905333666", "TIN co nguoi la o thon 3")
            sent_dir = os.path.join(env.modem, "sent")

            def sent_files():
                if not os.path.isdir(sent_dir):
                    return []
                return [os.path.join(sent_dir, n) for n in os.listdir(sent_dir)]
            files = wait_for(sent_files, 15, "the acknowledgement in the sent folder")
            check_eq(oct(mode(files[0]) & 0o044), oct(0o044),
                     "a sent part's mode (the umask, not the database's)")
            check("was mode" not in env.log_text(), "a new database needed no tightening")
    finally:
        os.umask(old)


def test_group_0640_and_members_read():
    need_root()
    with temp_group() as (name, gid):
        env = open_env(group=name)
        with running(env, start=False):
            seen = start_watching(env)
            # 0600 while the group is not yet set, 0640 only with it: never more.
            bad = [x for x in seen if x[1] not in (0o600, 0o640) or (x[1] == 0o640 and x[2] != gid)]
            check(not bad, "modes wider than the group's since the files exist: %r" % bad)
            wait_files(env)
            check("was mode" not in env.log_text(), "a new database needed no fixing")
            for n in SIDES:
                p = os.path.join(env.dir, n)
                check_eq(oct(mode(p)), oct(0o640), n + " mode")
                check_eq(os.stat(p).st_gid, gid, n + " group")
            # A member of the group reads; it cannot write, and is told whose file it is.
            p = as_user(env, ["tips"], groups=[name])
            check_eq(p.returncode, 0, "tipline tips by a member: " + p.stderr.decode())
            env.sms("0905333666", "TIN co nguoi la o thon 3")
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 1, 15, "the tip")
            p = as_user(env, ["tips"], groups=[name])
            check("T1" in p.stdout.decode(), "the member sees the tip: %r" % p.stdout)
            p = as_user(env, ["tip", "mark", "T1", "checking"], groups=[name])
            err = p.stderr.decode()
            check_eq(p.returncode, 1, "a member's write: exit status (%s)" % err)
            check_eq(len(err.splitlines()), 1, "one line: %r" % err)
            check(re.search(r"^tipline: cannot write .*tipline\.db: permission denied; it "
                            r"belongs to user root, group %s \(mode 0640\): members of group "
                            r"%s can read it, only root can write it" % (name, name), err),
                  "the member's write is refused plainly: %r" % err)
            # A daemon started by a member: it could only read, so it says so and stops.
            p = as_user(env, [], groups=[name], prog=[harness.TIPLINED, "-c", env.conf])
            out = (p.stdout + p.stderr).decode()
            check(p.returncode != 0, "tiplined run by a member exits non-zero: %r" % out)
            check(re.search(r"cannot write .*tipline\.db: permission denied; it belongs to user "
                            r"root, group %s \(mode 0640\): members of group %s can read it, "
                            r"only root can write it: run as root \(sudo -u root tiplined "
                            r"\.\.\.\)" % (name, name), out), "the daemon's message: %r" % out)
            # Not a member: the plain message naming owner and group, exit 1.
            p = as_user(env, ["tips"])
            err = p.stderr.decode()
            check_eq(p.returncode, 1, "a stranger's tipline tips: exit status (%s)" % err)
            check_eq(len(err.splitlines()), 1, "one line: %r" % err)
            check(re.search(r"^tipline: cannot open .*tipline\.db: permission denied; it "
                            r"belongs to user root, group %s \(mode 0640\): run as root or a "
                            r"member of group %s \(sudo -u root tipline \.\.\.\)$" % (name, name),
                            err), "the stranger's message: %r" % err)
            # --out with the group: 0640, the group's.
            out = os.path.join(env.dir, "tips.csv")
            env.cli("export", "tips", "--out", out)
            check_eq(oct(mode(out)), oct(0o640), "export --out mode with a group")
            check_eq(os.stat(out).st_gid, gid, "export --out group")
            # The daemon stopped: the -wal and -shm stay (emptied), so that members still read.
            check_eq(env.stop(), 0, "tiplined exit status")
            check_eq(os.path.getsize(os.path.join(env.dir, "tipline.db-wal")), 0,
                     "the -wal, emptied")
            p = as_user(env, ["tips"], groups=[name])
            check_eq(p.returncode, 0, "a member reads, the daemon stopped: " + p.stderr.decode())
            check("T1" in p.stdout.decode(), "the member sees the tip, the daemon stopped")


def test_group_that_does_not_exist():
    env = open_env(group="no-such-group-tipline")
    try:
        env.start()
        rc = env.wait_exit()
        check(rc != 0, "tiplined exits non-zero, got %d" % rc)
        log = env.log_text()
        with open(env.conf) as f:
            line = [i + 1 for i, l in enumerate(f) if "no-such-group-tipline" in l][0]
        check(re.search(r"tipline\.conf:%d: database\.group: there is no group "
                        r"\"no-such-group-tipline\" on this system" % line, log),
              "file:line and the group named: %r" % log)
        check(not os.path.exists(env.db), "no database was created")
        p = env.cli("tips", check_rc=False)
        check(p.returncode != 0 and b"database.group" in p.stderr, "the CLI refuses it too")
    finally:
        env.close()


def test_cannot_give_to_the_group():
    """The daemon runs as nobody, who owns the directory but is not in the group: it creates
    the database, cannot give it to the group, says so and does not start."""
    need_root()
    with temp_group() as (name, gid):
        with running(open_env(group=name), start=False) as env:
            os.chown(env.dir, pwd.getpwnam("nobody").pw_uid, -1)
            p = as_user(env, [], prog=[harness.TIPLINED, "-c", env.conf])
            out = (p.stdout + p.stderr).decode()
            check(p.returncode != 0, "tiplined exits non-zero: %r" % out)
            check(re.search(r"cannot give %s to group %s \(database\.group\): only root or a "
                            r"member of that group can, and this process runs as nobody"
                            % (re.escape(env.db), name), out), "the message: %r" % out)
            check_eq(mode(env.db), 0o600, "the database it made, left 0600")
            p = as_user(env, ["tips"])
            err = p.stderr.decode()
            check_eq(p.returncode, 1, "the CLI's exit status (%s)" % err)
            check_eq(len(err.splitlines()), 1, "the CLI says it in one line: %r" % err)
            check(err.startswith("tipline: cannot give %s to group %s" % (env.db, name)), err)


def test_stranger_told_whose_database():
    """0600, owned by root: nobody's CLI, serve and daemon each say so in one line, exit 1."""
    need_root()
    with running(open_env(extra='http: { listen = "127.0.0.1:0"; };\nussd: { secret = "s"; };'),
                 start=False) as env:
        stranger_told(env)


def stranger_told(env):
    env.start()
    wait_files(env)
    p = as_user(env, ["tips"])
    err = p.stderr.decode()
    check_eq(p.returncode, 1, "exit status (%s)" % err)
    want = (r"^tipline: cannot open %s: permission denied; it belongs to user root, group root "
            r"\(mode 0600\): only root can: run as root \(sudo -u root tipline \.\.\.\)\n$"
            % re.escape(env.db))
    check(re.search(want, err), "the CLI's message: %r" % err)
    p = as_user(env, ["serve"])
    check_eq(p.returncode, 1, "tipline serve's exit status (%s)" % p.stderr.decode())
    check(re.search(want, p.stderr.decode().splitlines()[-1] + "\n"),
          "serve's message (its last line; before it, serve's warnings): %r" % p.stderr)
    # The daemon, with the modem's folder its own: the same words at start, then it exits.
    p = as_user(env, [], prog=[harness.TIPLINED, "-c", env.conf])
    out = (p.stdout + p.stderr).decode()
    check(p.returncode != 0, "tiplined as nobody exits non-zero")
    check(re.search(r"cannot open %s: permission denied; it belongs to user root, group root "
                    r"\(mode 0600\): only root can: run as root \(sudo -u root tiplined "
                    r"\.\.\.\)" % re.escape(env.db), out), "the daemon's message: %r" % out)
    # A directory it cannot enter: said so, with the directory's owner.
    conf2 = "/tmp/tipline-filemodes-%d.conf" % os.getpid()
    with open(env.conf) as f, open(conf2, "w") as g:
        g.write(f.read())
    try:
        os.chmod(env.dir, 0o700)
        p = as_user(env, ["tips"], prog=[harness.TIPLINE, "-c", conf2])
    finally:
        os.chmod(env.dir, 0o755)
        os.unlink(conf2)
    err = p.stderr.decode()
    check_eq(p.returncode, 1, "exit status, directory shut (%s)" % err)
    check(re.search(r"^tipline: cannot open %s: permission denied on its directory %s; it "
                    r"belongs to user root, group root \(mode 0700\)"
                    % (re.escape(env.db), re.escape(env.dir)), err),
          "the directory's message: %r" % err)


def test_out_files_0600():
    old = os.umask(0o022)
    try:
        with running(open_env()) as env:
            wait_files(env)
            csv = os.path.join(env.dir, "tips.csv")
            with open(csv, "w") as f:  # an older export, readable by all: replaced
                f.write("old\n")
            os.chmod(csv, 0o644)
            env.cli("export", "tips", "--out", csv)
            check_eq(oct(mode(csv)), oct(0o600), "export --out mode")
            rep = os.path.join(env.dir, "report.txt")
            env.cli("report", "--week", "--out", rep)
            check_eq(oct(mode(rep)), oct(0o600), "report --out mode")
    finally:
        os.umask(old)


def test_existing_0644_tightened():
    with running(open_env(), start=False) as env:
        env.start()
        wait_files(env)
        check_eq(env.stop(), 0, "tiplined exit status")
        for n in SIDES:
            p = os.path.join(env.dir, n)
            if os.path.exists(p):
                os.chmod(p, 0o644)
        check_eq(oct(mode(env.db)), oct(0o644), "the database made 0644")
        env.start()
        wait_files(env, 2)
        for n in SIDES:
            check_eq(oct(mode(os.path.join(env.dir, n))), oct(0o600), n + " mode, tightened")
        log = env.log_text()
        check(re.search(r"tipline\.db was mode 0644, group root: now 0600, group root", log),
              "the tightening is logged: %r" % log[-2000:])
        check_eq(env.stop(), 0, "tiplined exit status")
        env.start()
        wait_files(env, 3)
        check_eq(env.log_text().count("tipline.db was mode"), 1, "logged once, not at each open")


if __name__ == "__main__":
    run_tests(globals())
