"""Integration-test harness: runs the real tiplined and tipline binaries on a temporary
directory with libGammu's dummy phone, and waits for database state with deadlines.

Every test is a function named test_*; run_tests() runs those of the calling module and
prints "PASS name" / "FAIL name" lines that tests/run.sh counts ("SKIP name (why)" for a test
that raised Skip). Never a fixed sleep: every
wait is wait_for(predicate, deadline).
"""
import inspect
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("TIPLINE_BUILD", "build"))
TIPLINED = os.path.join(BUILD, "tiplined")
TIPLINE = os.path.join(BUILD, "tipline")


def use_build(name):
    """Run the binaries of build directory NAME (relative to the source tree) from now on."""
    global BUILD, TIPLINED, TIPLINE
    BUILD = os.path.join(ROOT, name)
    TIPLINED = os.path.join(BUILD, "tiplined")
    TIPLINE = os.path.join(BUILD, "tipline")
SANITIZED = "san" in os.path.basename(BUILD)
# Sanitizer builds are slower: deadlines stretch, never the assertions.
SLOW = 3 if SANITIZED else 1


class TestFailure(Exception):
    pass


class Skip(Exception):
    """raise Skip("why"): the test cannot run on this machine; printed as "SKIP name (why)",
    which tests/run.sh counts apart (neither passed nor failed)."""


def check(cond, msg="check failed"):
    if not cond:
        raise TestFailure(msg)


def check_eq(got, want, what="value"):
    if got != want:
        raise TestFailure("%s is %r, want %r" % (what, got, want))


def wait_for(pred, timeout=10.0, what="condition", interval=0.02):
    """Poll pred() until it returns a true value or the deadline passes."""
    deadline = time.monotonic() + timeout * SLOW
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
        except sqlite3.OperationalError:
            last = None  # the daemon may be creating the schema right now
        if last:
            return last
        time.sleep(interval)
    raise TestFailure("timed out after %.1f s waiting for %s (last: %r)" % (timeout * SLOW, what, last))


BASE_CONF = """
modem: {{ {device}
          poll_interval = {poll}; backoff_max = {backoff_max};
          multipart_timeout = {multipart_timeout}; read_batch = {read_batch};{modem_extra} }};
# A loaded CI machine can stall fsync for seconds: wait for locks longer than in production.
database: {{ path = "{dir}/tipline.db"; busy_timeout = 30000; }};
log: {{ level = "debug"; }};
{extra}
"""


DUMMY_DEVICE = 'device = "{dir}/modem"; connection = "none"; model = "dummy";'


class Env:
    """One temporary installation: config, simulated modem, database, daemon.
    modem_extra: more settings for the modem group ("watchdog = 2;")."""

    def __init__(self, poll=0.05, backoff_max=2, multipart_timeout=3600, read_batch=50, extra="",
                 modem_extra=""):
        self.modem_extra = modem_extra
        self.tmp = tempfile.TemporaryDirectory(prefix="tipline-test-")
        self.dir = self.tmp.name
        self.modem = os.path.join(self.dir, "modem")
        self.db = os.path.join(self.dir, "tipline.db")
        self.conf = os.path.join(self.dir, "tipline.conf")
        self.log = os.path.join(self.dir, "tiplined.log")
        self.proc = None
        self.write_conf(poll=poll, backoff_max=backoff_max, multipart_timeout=multipart_timeout,
                        read_batch=read_batch, extra=extra)

    def write_conf(self, **kw):
        kw.setdefault("modem_extra", self.modem_extra)
        if kw["modem_extra"]:
            kw["modem_extra"] = " " + kw["modem_extra"].strip()
        with open(self.conf, "w") as f:
            f.write(BASE_CONF.format(dir=self.dir, device=self.device_conf(), **kw))

    def device_conf(self):
        return DUMMY_DEVICE.format(dir=self.dir)

    # --- the daemon ---
    def start(self, env=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([TIPLINED, "-c", self.conf], stdout=self.logf,
                                     stderr=self.logf, env=e, cwd=self.dir)
        return self.proc

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise TestFailure("tiplined did not stop within %d s" % timeout)
        self.proc = None
        self.logf.close()
        return rc

    def wait_exit(self, timeout=15):
        try:
            rc = self.proc.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            raise TestFailure("tiplined did not exit within %d s" % timeout)
        self.proc = None
        self.logf.close()
        return rc

    def log_text(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.tmp.cleanup()

    # --- the CLI ---
    def cli(self, *args, check_rc=True, stdin=None):
        p = subprocess.run([TIPLINE, "-c", self.conf] + list(args), capture_output=True,
                           input=stdin, cwd=self.dir)
        if check_rc and p.returncode != 0:
            raise TestFailure("tipline %s exited %d: %s" % (" ".join(args), p.returncode,
                                                          p.stderr.decode("utf-8", "replace")))
        return p

    def sms(self, sender, text, when=None, parts=None, ref=None):
        args = ["sim", "send", "--from", sender]
        if when:
            args += ["--time", when]
        if parts:
            args += ["--parts", parts]
        if ref is not None:
            args += ["--ref", str(ref)]
        self.cli(*(args + ["--", text]))

    # --- state ---
    def query(self, sql, args=()):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def scalar(self, sql, args=()):
        rows = self.query(sql, args)
        return rows[0][0] if rows else None

    def modem_inbox(self):
        """Files of messages waiting in the simulated phone's inbox folders."""
        out = []
        for folder in ("1", "3"):
            d = os.path.join(self.modem, "sms", folder)
            if os.path.isdir(d):
                out += [os.path.join(d, n) for n in os.listdir(d) if not n.startswith(".")]
        return sorted(out)

    def inbox_count(self):
        if not os.path.exists(self.db):
            return 0
        return self.scalar("SELECT count(*) FROM inbox")

    def wait_drained(self, n, timeout=20):
        """Wait until the inbox holds n rows and the modem is empty."""
        wait_for(lambda: self.inbox_count() >= n and not self.modem_inbox(), timeout,
                 "%d messages stored and the modem empty" % n)
        check_eq(self.inbox_count(), n, "inbox rows")


def info_env(**kw):
    """An Env whose daemon logs at info (the harness's default is debug, which shows numbers)."""
    env = Env(**kw)
    with open(env.conf) as f:
        conf = f.read()
    with open(env.conf, "w") as f:
        f.write(conf.replace('level = "debug"', 'level = "info"'))
    return env


# The files tipline writes in an Env's directory: the database, its WAL, SHM and journal, the log.
WRITTEN = ("tipline.db", "tipline.db-wal", "tipline.db-shm", "tipline.db-journal", "tiplined.log")


def files_with(env, needle):
    """The files tipline wrote (WRITTEN) that hold the bytes NEEDLE anywhere in their raw bytes."""
    found = []
    for name in WRITTEN:
        path = os.path.join(env.dir, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                if needle in f.read():
                    found.append(name)
    return found


def run_tests(module_globals):
    tag = ""
    if "--tag" in sys.argv:
        tag = "[" + sys.argv[sys.argv.index("--tag") + 1] + "]"
    only = [a for a in sys.argv[1:] if a.startswith("test_")]
    name = os.path.basename(module_globals["__file__"])
    failed = 0
    tests = [(n, f) for n, f in module_globals.items() if n.startswith("test_") and inspect.isfunction(f)]
    tests.sort(key=lambda nf: nf[1].__code__.co_firstlineno)
    for n, f in tests:
        if only and n not in only:
            continue
        t0 = time.monotonic()
        try:
            f()
            print("PASS %s:%s%s (%.1fs)" % (name, n, tag, time.monotonic() - t0), flush=True)
        except Skip as e:
            print("SKIP %s:%s%s (%s)" % (name, n, tag, e), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s:%s%s" % (name, n, tag), flush=True)
            traceback.print_exc(file=sys.stderr)
    sys.exit(1 if failed else 0)


class running:
    """with running(Env(...)) as env: the daemon runs inside, is stopped and cleaned up after."""

    def __init__(self, env, start=True, **kw):
        self.env = env
        self.start = start
        self.kw = kw

    def __enter__(self):
        if self.start:
            self.env.start(**self.kw)
        return self.env

    def __exit__(self, et, ev, tb):
        try:
            if self.env.proc is not None:
                rc = self.env.stop()
                if et is None:
                    check_eq(rc, 0, "tiplined exit status after SIGTERM")
        finally:
            if et is not None:
                sys.stderr.write("--- tiplined log ---\n" + self.env.log_text()[-4000:] + "\n")
            self.env.close()
        return False


# ------------------------------------------------------------------ the AT emulator, /proc

EMU_DIR = os.path.join(ROOT, "tests", "emulator")
ATMODEM = os.path.join(EMU_DIR, "atmodem.py")


def mkpdu():
    """tests/emulator/mkpdu.py, imported on first use."""
    if EMU_DIR not in sys.path:
        sys.path.insert(0, EMU_DIR)
    import mkpdu as m
    return m


class EmuState:
    """The emulator's state directory (self.state): its faults.json and commands.log. Shared by
    AtEnv and the tests that drive the emulator without the daemon (test_ussd_modem.Emu)."""

    def faults(self, d):
        """Replace the emulator's faults.json (atomically)."""
        tmp = os.path.join(self.state, ".faults.json.tmp")
        with open(tmp, "w") as f:
            json.dump(d, f)
        os.rename(tmp, os.path.join(self.state, "faults.json"))

    def read_faults(self):
        try:
            with open(os.path.join(self.state, "faults.json")) as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return None

    def commands(self):
        """The commands the emulator received, oldest first (its commands.log)."""
        try:
            with open(os.path.join(self.state, "commands.log"), encoding="latin-1") as f:
                return [l.rstrip("\n").split("\t", 1)[-1] for l in f]
        except FileNotFoundError:
            return []


class AtEnv(Env, EmuState):
    """An Env whose modem is libGammu's real AT driver talking to tests/emulator/atmodem.py
    (connection = proxyat; the daemon starts the emulator itself), with the SIM in
    self.state. capacity: the SIM's size (default 30). sms() drops PDUs on the SIM."""

    def __init__(self, capacity=None, **kw):
        self.capacity = capacity
        self.emu_args = ""
        super().__init__(**kw)
        self.state = os.path.join(self.dir, "st")
        os.makedirs(os.path.join(self.state, "inbox"))

    def device_conf(self):
        args = " --capacity %d" % self.capacity if self.capacity else ""
        return ('device = "%s %s --state %s/st%s%s"; connection = "proxyat"; model = "at";'
                % (sys.executable, ATMODEM, self.dir, args, self.emu_args))

    def sms(self, sender, text, when=None, parts=None, ref=None):
        """Put an SMS on the SIM, one PDU file per part; parts "3,1" drops only those."""
        m = mkpdu()
        pdus = m.split_deliver(text, sender, when, ref=ref)
        order = [int(x) for x in parts.split(",")] if parts else range(1, len(pdus) + 1)
        return [m.drop_into_inbox(self.state, pdus[i - 1]) for i in order]

    def sent_pdus(self):
        try:
            with open(os.path.join(self.state, "sent.log")) as f:
                return [l.split()[1] for l in f if l.strip()]
        except FileNotFoundError:
            return []

    def sent(self):
        """What the daemon sent, oldest first, as [{"to", "text"}]: the emulator's sent.log
        with parts joined by their concatenation header (a multipart message cut short by a
        crash is left out)."""
        m = mkpdu()
        msgs, pending = [], {}
        for pdu in self.sent_pdus():
            d = m.decode_submit(pdu)
            c = d.get("concat")
            if not c:
                msgs.append({"to": d["number"], "text": d["text"]})
                continue
            key = (d["number"], c["ref"], c["total"])
            got = pending.get(key)
            if got is None or c["seq"] in got:
                got = pending[key] = {}
            got[c["seq"]] = d
            if len(got) == c["total"]:
                msgs.append({"to": d["number"], "text": m.reassemble(list(got.values()))})
                del pending[key]
        return msgs

    def modem_inbox(self):
        """PDU files on the emulator's SIM (those beyond its capacity included)."""
        d = os.path.join(self.state, "inbox")
        return sorted(os.path.join(d, n) for n in os.listdir(d)
                      if n.endswith(".pdu") and not n.startswith("."))


def sent_messages(env):
    """What the daemon sent through either modem, as [{"to", "text", ...}], oldest first."""
    if isinstance(env, AtEnv):
        return env.sent()
    out = env.cli("sim", "sent", "--json").stdout.decode()
    return [json.loads(line) for line in out.splitlines()]


def wait_sent(env, n, what="messages sent", timeout=15):
    """Wait until the daemon has sent at least n messages; return them (sent_messages)."""
    return wait_for(lambda: (lambda s: s if len(s) >= n else None)(sent_messages(env)), timeout,
                    "%s (%d)" % (what, n))


def proc_children(pid):
    """[(pid, state letter, command name)] of the children of process pid, from /proc."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        head, _, rest = stat.rpartition(")")
        fields = rest.split()
        if len(fields) >= 2 and fields[1] == str(pid):
            out.append((int(name), fields[0], head.partition("(")[2]))
    return out


def zombies(pid):
    """Children of pid that exited and were not reaped."""
    return [c for c in proc_children(pid) if c[1] == "Z"]


def open_fds(pid):
    """How many file descriptors process pid has open (-1 if it is gone)."""
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1
