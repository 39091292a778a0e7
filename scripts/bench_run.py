#!/usr/bin/env python3
"""tipline against gammu-smsd (and smstools3) on this machine: the harness behind scripts/bench.sh.

    python3 scripts/bench_run.py [--build DIR] [--baseline DIR] [--readme] [drain] [memory] [parser] [cost]
                                 [pacing] [report] [ussd] [contacts] [console] [district]
                                 [latency] [broadcast]

No selector runs all of them. Progress goes to stderr; the Markdown table to stdout and to
BUILD/bench.md (and, with --readme, into docs/benchmark.md between <!-- bench:begin --> and
<!-- bench:end -->, added under "## Benchmark" at the end if missing).

Environment: BENCH_LATENCY_N (20) and BENCH_IDLE_S (60) for latency; BENCH_BCAST_N (200),
BENCH_BCAST_DELAY_MS (2000), BENCH_BCAST_MODEMS ("1 2 3") and BENCH_CMMS_K (4) for broadcast;
BENCH_USSD_STEPS (default 1000) and BENCH_USSD_REPLIES (100) for ussd, BENCH_N
(messages in the drain, default 2000), BENCH_RUNS (repetitions of each
timing, default 3), BENCH_PACING_N (queued replies, default 200),
BENCH_PACING_RUNS (default 1), BENCH_DELAY_MS (emulator delay per AT+CMGS, default 100),
BENCH_SMSD_PACING_LOOPSLEEP (gammu-smsd LoopSleep values for pacing, default "0"),
BENCH_DISTRICT_NODES (100) and BENCH_DISTRICT_RUNS (20) for district,
BENCH_KEEP=1 keeps the temporary directories.

Every daemon runs under `timeout -s KILL` in its own process group; it is stopped with
SIGTERM when its work is done and the group is killed with SIGKILL if it does not exit.
No timing is ever asserted: the table states each target as met or not met.
"""
import datetime
import glob
import gzip
import json
import os
import platform
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_corpus as corpus  # noqa: E402

SMSD_SCHEMA = "/usr/share/doc/gammu-smsd/examples/sqlite.sql"
EMULATOR = os.path.join(ROOT, "tests", "emulator", "atmodem.py")
POLL = 0.01  # seconds between checks of the phone directory


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- processes

def _children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def _proc_sample(pid):
    """(cpu seconds user+sys, VmHWM kB, VmRSS kB) of one live process, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        tck = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / tck
        hwm = rss = 0
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        return cpu, hwm, rss
    except (OSError, ValueError, IndexError):
        return None


def _listening_inodes():
    """Socket inodes in LISTEN state (TCP) or bound UDP sockets, from /proc/net."""
    out = set()
    for name, state in (("tcp", "0A"), ("tcp6", "0A"), ("udp", "07"), ("udp6", "07")):
        try:
            with open("/proc/net/" + name) as f:
                next(f)
                for line in f:
                    p = line.split()
                    if p[3] == state:
                        out.add(p[9])
        except OSError:
            pass
    return out


def _socket_inodes(pid):
    out = set()
    for fd in glob.glob("/proc/%d/fd/*" % pid):
        try:
            t = os.readlink(fd)
        except OSError:
            continue
        if t.startswith("socket:["):
            out.add(t[8:-1])
    return out


class Daemon:
    """One daemon under `timeout -s KILL HARD` in its own process group."""

    listeners = []  # (argv0, inode) of any listening socket seen: reported in the table

    def __init__(self, argv, logfile, hard=600, cwd=None, depth=1):
        self.depth = depth  # the daemon is this many generations below timeout
        self.logf = open(logfile, "ab")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(["timeout", "-s", "KILL", str(int(hard))] + argv,
                                     stdout=self.logf, stderr=self.logf, cwd=cwd,
                                     start_new_session=True)
        self.pgid = self.proc.pid
        self.argv0 = os.path.basename(argv[0])
        self.pid = None
        self.status = None
        self.rusage = None

    def daemon_pid(self):
        if self.pid is None:
            pid = self.proc.pid
            for _ in range(self.depth):
                kids = _children(pid)
                if not kids:
                    return None
                pid = kids[0]
            self.pid = pid
        return self.pid

    def alive(self):
        if self.status is not None:
            return False
        pid, status, ru = os.wait4(self.proc.pid, os.WNOHANG)
        if pid == 0:
            return True
        self.status, self.rusage = status, ru
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        return False

    def sample(self):
        """Per-process CPU and peak RSS of the daemon itself (not of its children), and a
        check that it listens on nothing."""
        pid = self.daemon_pid()
        if pid is None:
            return None
        s = _proc_sample(pid)
        listening = _listening_inodes()
        for p in [pid] + _children(pid):
            for ino in _socket_inodes(p) & listening:
                Daemon.listeners.append((self.argv0, ino))
        return s

    def stop(self, grace=15):
        pid = self.daemon_pid()
        if self.status is None and pid is not None:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        clean = self.status is not None
        # Whatever is left in the group (a proxy modem libGammu never reaps): by group id.
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.status is None:
            _, self.status, self.rusage = os.wait4(self.proc.pid, 0)
            self.proc.returncode = os.waitstatus_to_exitcode(self.status)
        self.logf.close()
        return clean

    def wait_until(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            if pred():
                return time.monotonic() - self.t0
            if not self.alive():
                raise BenchError("%s exited (status %s) before %s" % (self.argv0,
                                                                     self.proc.returncode, what))
            if time.monotonic() > deadline:
                raise BenchError("%s: timed out after %.0f s waiting for %s" % (
                    self.argv0, timeout, what))
            time.sleep(POLL)


def phone_count(phone):
    """Message files left in the dummy phone's inbox folders."""
    n = 0
    for folder in ("1", "3"):
        try:
            n += sum(1 for x in os.listdir(os.path.join(phone, "sms", folder))
                     if not x.startswith("."))
        except FileNotFoundError:
            pass
    return n


def db_scalar(path, sql, args=()):
    try:
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
    except sqlite3.OperationalError:
        return None
    try:
        return con.execute(sql, args).fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()


def stats(xs):
    xs = sorted(xs)
    return statistics.median(xs), xs[0], xs[-1]


def fmt_s(xs, unit="s", digits=2):
    m, lo, hi = stats(xs)
    if len(xs) == 1:
        return "%.*f %s" % (digits, m, unit)
    return "%.*f %s (%.*f–%.*f)" % (digits, m, unit, digits, lo, digits, hi)


def fmt_n(x):
    return "{:,}".format(int(round(x)))


# ---------------------------------------------------------------- the bench

class Bench:
    def __init__(self, build, selected, baseline=None):
        self.build = os.path.abspath(build)
        # Another build's tiplined (e.g. an older commit's, built by scripts/bench.sh with
        # BENCH_BASELINE=REV) drained alternately with this one: the ratio is what a change cost.
        self.baseline = os.path.abspath(baseline) if baseline else None
        self.tiplined = os.path.join(self.build, "tiplined")
        self.tipline = os.path.join(self.build, "tipline")
        self.selected = selected
        self.n = env_int("BENCH_N", 2000)
        self.runs = max(1, env_int("BENCH_RUNS", 3))
        self.tmp = tempfile.mkdtemp(prefix="tipline-bench-")
        self.rows = []      # (measure, tipline, gammu-smsd, ratio / note)
        self.targets = []   # (target, value, met)
        self.console_rows = []     # the console's own table (its own markers in the docs)
        self.console_targets = []
        self.notes = []
        self.tables = []    # further Markdown tables (issue 25's latency and broadcast)
        self.ptys = []      # socat ptys in front of emulators (smstools3), killed after use
        self.floor_bin = None
        self.drain_tipline_cpu = []
        self.drain_smsd_cpu = []
        self.drain_rss = {}
        self._seq = 0
        self.load0 = os.getloadavg()[0]

    def path(self, name):
        self._seq += 1
        d = os.path.join(self.tmp, "%02d-%s" % (self._seq, name))
        os.makedirs(d)
        return d

    def cleanup(self):
        if os.environ.get("BENCH_KEEP"):
            log("kept %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # --- helpers --------------------------------------------------------------------------
    def build_floor(self):
        if self.floor_bin:
            return self.floor_bin
        out = os.path.join(self.tmp, "bench_floor")
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "gammu"], check=True,
                               capture_output=True, text=True).stdout.split()
        subprocess.run(["cc", "-O2", "-o", out, os.path.join(HERE, "bench_floor.c")] + flags,
                       check=True)
        self.floor_bin = out
        return out

    def tipline_conf(self, d, modem_block, replies=False, extra=""):
        conf = os.path.join(d, "tipline.conf")
        with open(conf, "w") as f:
            f.write("modem: { %s };\n" % modem_block)
            f.write('database: { path = "%s/tipline.db"; busy_timeout = 5000; };\n' % d)
            f.write('log: { level = "warn"; };\n')
            f.write("replies: { enabled = %s; max_per_hour = 100000; };\n"
                    % ("true" if replies else "false"))
            f.write(extra)
        return conf

    def dummy_block(self, d):
        return ('device = "%s/modem"; connection = "none"; model = "dummy"; '
                'poll_interval = 0.05;' % d)

    def smsd_db(self, d):
        db = os.path.join(d, "smsd.db")
        if os.path.exists(SMSD_SCHEMA):
            sql = open(SMSD_SCHEMA, encoding="utf-8").read()
        else:
            with gzip.open(SMSD_SCHEMA + ".gz", "rt", encoding="utf-8") as f:
                sql = f.read()
        con = sqlite3.connect(db)
        con.executescript(sql)
        con.close()
        return db

    def smsdrc(self, d, gammu, loopsleep, extra=""):
        rc = os.path.join(d, "smsdrc")
        with open(rc, "w") as f:
            f.write("[gammu]\n%s\n\n" % gammu)
            f.write("[smsd]\nservice = sql\ndriver = sqlite3\nDBDir = %s\nDatabase = smsd.db\n"
                    "ReceiveFrequency = 0\nCommTimeout = 1\nLoopSleep = %d\n"
                    "StatusFrequency = 0\nCheckSecurity = 0\nCheckBattery = 0\n"
                    "CheckSignal = 0\nCheckNetwork = 0\nDeliveryReport = no\n"
                    "LogFile = %s/smsd.log\n%s" % (d, loopsleep, d, extra))
        return rc

    # --- 1. drain -------------------------------------------------------------------------
    def drain_tipline(self, msgs, replies=False, verify=False, tiplined=None, answer=False):
        """replies: replies on, and the time until all are sent too; answer: replies on (each
        tip gets one queued), timed to the drain only."""
        d = self.path("tipline")
        files = corpus.write_dummy_phone(os.path.join(d, "modem"), msgs)
        conf = self.tipline_conf(d, self.dummy_block(d), replies=replies or answer)
        db = os.path.join(d, "tipline.db")
        n = len(msgs)
        dm = Daemon([tiplined or self.tiplined, "-c", conf], os.path.join(d, "tiplined.log"),
                    cwd=d)
        res = {}
        try:
            res["time"] = dm.wait_until(
                lambda: phone_count(os.path.join(d, "modem")) == 0 and
                db_scalar(db, "SELECT count(*) FROM inbox") == n,
                120 + n / 20, "%d messages stored and the phone empty" % n)
            s = dm.sample()
            res["anonymous"] = db_scalar(db, "SELECT count(*) FROM inbox WHERE sender = "
                                         "'anonymous' OR sender GLOB 'anonymous:*'")
            if replies:
                want = db_scalar(db, "SELECT count(*) FROM outbox")
                res["replies_time"] = dm.wait_until(
                    lambda: db_scalar(db, "SELECT count(*) FROM outbox WHERE status = 'sent'")
                    == want, 300, "%s replies sent" % want)
                res["replies"] = want
                s = dm.sample()
        finally:
            clean = dm.stop(grace=3 if answer else 15)
        # Answering, it may be sending replies still, which older builds finish before they
        # take a SIGTERM (35f9777): the drain is measured, the group is killed.
        if not clean and not answer:
            raise BenchError("tiplined did not stop on SIGTERM")
        res["cpu"], res["hwm"] = (s[0], s[1]) if s else (None, None)
        res["files"] = files
        if verify:
            con = sqlite3.connect(db)
            got = sorted(con.execute("SELECT sender, text FROM inbox").fetchall())
            parts = con.execute("SELECT count(*) FROM inbox_parts").fetchone()[0]
            sync = con.execute("PRAGMA journal_mode").fetchone()[0]
            con.close()
            # An anonymous tip (TIN ANDANH) is stored with the sender 'anonymous' (issue 13):
            # a message is as sent when its number, or 'anonymous', came with its text.
            have = set(got)
            anon = 0
            want = []
            for m in msgs:
                key = (m["sender"], m["text"])
                if key not in have and ("anonymous", m["text"]) in have:
                    key = ("anonymous", m["text"])
                    anon += 1
                want.append(key)
            want.sort()
            if got != want:
                bad = len(set(want) - set(got))
                raise BenchError("tipline stored %d messages, %d of the expected texts are "
                                 "missing or different" % (len(got), bad))
            res["verified"] = "all %d texts exactly as sent (%d multipart parts assembled; " \
                              "%d anonymous tips stored without their number), " \
                              "journal_mode=%s" % (len(got), parts, anon, sync)
        return res

    def drain_smsd(self, msgs, loopsleep):
        d = self.path("smsd-ls%d" % loopsleep)
        phone = os.path.join(d, "modem")
        files = corpus.write_dummy_phone(phone, msgs)
        db = self.smsd_db(d)
        rc = self.smsdrc(d, "model = dummy\nconnection = none\ndevice = %s" % phone, loopsleep)
        dm = Daemon(["gammu-smsd", "-c", rc], os.path.join(d, "gammu-smsd.out"), cwd=d)
        res = {}
        try:
            # Its database is read only once the phone is empty: reading it while gammu-smsd
            # writes gives it "database is locked" errors.
            res["time"] = dm.wait_until(
                lambda: phone_count(phone) == 0 and
                db_scalar(db, "SELECT count(*) FROM inbox") == files,
                120 + files / 10, "%d inbox rows and the phone empty" % files)
            s = dm.sample()
        finally:
            dm.stop()
        res["cpu"], res["hwm"] = (s[0], s[1]) if s else (None, None)
        res["files"] = files
        con = sqlite3.connect(db)
        res["rows"] = con.execute("SELECT count(*) FROM inbox").fetchone()[0]
        res["udh_rows"] = con.execute("SELECT count(*) FROM inbox WHERE UDH != ''").fetchone()[0]
        con.close()
        try:
            res["dbi_errors"] = open(os.path.join(d, "smsd.log"), errors="replace").read() \
                .count("DBI error")
        except OSError:
            res["dbi_errors"] = 0
        return res

    def drain_floor(self, msgs):
        floor = self.build_floor()
        d = self.path("floor")
        phone = os.path.join(d, "modem")
        files = corpus.write_dummy_phone(phone, msgs)
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        p = subprocess.run(["timeout", "-s", "KILL", "300", floor, "read", phone],
                           capture_output=True, text=True)
        t = time.monotonic() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
        if p.returncode != 0:
            raise BenchError("bench_floor read: %s" % p.stderr.strip())
        nf, parts, errors, inner = p.stdout.split()
        if int(nf) != files:
            raise BenchError("bench_floor read %s files of %d" % (nf, files))
        return {"time": t, "inner": float(inner), "files": files, "cpu": cpu}

    def durability(self):
        """fsync calls of each daemon over a small drain, counted with strace (if present):
        SQLite in WAL mode with synchronous=FULL syncs the WAL at every commit."""
        if not shutil.which("strace"):
            return None
        msgs = corpus.incoming(300)
        out = {}
        for who in ("tipline", "smsd"):
            d = self.path("fsync-" + who)
            phone = os.path.join(d, "modem")
            files = corpus.write_dummy_phone(phone, msgs)
            trace = os.path.join(d, "strace.txt")
            pre = ["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o", trace]
            if who == "tipline":
                conf = self.tipline_conf(d, self.dummy_block(d))
                argv = pre + [self.tiplined, "-c", conf]
                db, table, want = os.path.join(d, "tipline.db"), "inbox", len(msgs)
            else:
                db = self.smsd_db(d)
                rc = self.smsdrc(d, "model = dummy\nconnection = none\ndevice = %s" % phone, 1)
                argv = pre + ["gammu-smsd", "-c", rc]
                table, want = "inbox", files
            dm = Daemon(argv, os.path.join(d, "out.log"), cwd=d, depth=2)
            try:
                dm.wait_until(lambda: phone_count(phone) == 0 and
                              db_scalar(db, "SELECT count(*) FROM %s" % table) == want,
                              120, "the strace'd drain")
                with open(trace, errors="replace") as f:
                    out[who] = sum(1 for line in f if "sync(" in line)
            finally:
                dm.stop()
            out[who + "_files"] = files
        return out

    def run_drain(self):
        n, runs = self.n, self.runs
        msgs = corpus.incoming(n)
        multi = sum(1 for m in msgs if len(m["parts"]) > 1)
        ucs2 = sum(1 for m in msgs if m["ucs2"])
        res = {"tipline": [], "smsd1": [], "smsd0": [], "floor": [], "base": []}
        for r in range(runs):
            log("drain %d/%d: tiplined, %d messages" % (r + 1, runs, n))
            res["tipline"].append(self.drain_tipline(msgs, verify=(r == 0)))
            if self.baseline:
                log("drain %d/%d: the baseline's tiplined (%s)" % (r + 1, runs, self.baseline))
                res["base"].append(self.drain_tipline(
                    msgs, tiplined=os.path.join(self.baseline, "tiplined")))
            log("drain %d/%d: gammu-smsd LoopSleep = 1" % (r + 1, runs))
            res["smsd1"].append(self.drain_smsd(msgs, 1))
            log("drain %d/%d: gammu-smsd LoopSleep = 0" % (r + 1, runs))
            res["smsd0"].append(self.drain_smsd(msgs, 0))
            log("drain %d/%d: libGammu read floor" % (r + 1, runs))
            res["floor"].append(self.drain_floor(msgs))
        log("drain: tiplined with replies on")
        rep = self.drain_tipline(msgs, replies=True)
        log("drain: counting fsync calls with strace (300 messages)")
        try:
            fs = self.durability()
        except (BenchError, OSError) as e:  # strace may be refused (no ptrace)
            log("durability check skipped: %s" % e)
            fs = None
        files = res["floor"][0]["files"]

        tt = [x["time"] for x in res["tipline"]]
        s1 = [x["time"] for x in res["smsd1"]]
        s0 = [x["time"] for x in res["smsd0"]]
        fl = [x["time"] for x in res["floor"]]
        best_smsd = min(statistics.median(s1), statistics.median(s0))
        tmed, fmed = statistics.median(tt), statistics.median(fl)
        self.rows.append(("**Receive drain**, %s SMS (%s files: %d multipart, %d UCS-2), "
                          "start → all committed and gone from the phone"
                          % (fmt_n(n), fmt_n(files), multi, ucs2),
                          fmt_s(tt), "LoopSleep 1: %s<br>LoopSleep 0: %s" % (fmt_s(s1),
                                                                           fmt_s(s0)),
                          "**%.1f×** faster (gammu-smsd best / tipline)" % (best_smsd / tmed)))
        if res["base"]:
            bt = [x["time"] for x in res["base"]]
            bmed = statistics.median(bt)
            pairs = sorted(a / b for a, b in zip(tt, bt))
            self.rows.append(("Drain against the baseline build (%s, run alternately with this "
                              "one)" % self.baseline_rev(), fmt_s(tt), "baseline: %s" % fmt_s(bt),
                              "this / baseline **%.2f×** (run by run %.2f–%.2f×)"
                              % (tmed / bmed, pairs[0], pairs[-1])))
            self.targets.append(("Drain slowdown against the baseline (%s) ≤ 10%% (issue 13)"
                                 % self.baseline_rev(),
                                 "%+.0f%%" % (100 * (tmed / bmed - 1)), tmed / bmed <= 1.10))
        self.rows.append(("Drain rate",
                          "%s msg/s" % fmt_n(n / tmed),
                          "%s msg/s" % fmt_n(n / best_smsd), ""))
        paired = sorted(a / b for a, b in zip(tt, fl))
        tcpu = statistics.median(x["cpu"] for x in res["tipline"])
        fcpu = statistics.median(x["cpu"] for x in res["floor"])
        self.rows.append(("libGammu read floor (GSM_GetNextSMS over all files, no delete, "
                          "no DB; scripts/bench_floor.c)", fmt_s(fl), "",
                          "tipline / floor **%.2f×** (run by run %.2f–%.2f×; CPU %.2f s / "
                          "%.2f s = %.2f×)" % (tmed / fmed, paired[0], paired[-1], tcpu, fcpu,
                                               tcpu / fcpu)))
        self.rows.append(("Drain with replies on (%s replies queued)" % fmt_n(rep["replies"]),
                          "%.2f s; all replies sent at %.2f s" % (rep["time"],
                                                                  rep["replies_time"]),
                          "", ""))
        r0 = res["smsd1"][0]
        self.notes.append("tipline check (run 1): %s. gammu-smsd stored one `inbox` row per "
                          "part, not per message: %d rows for %d messages (%d rows with a UDH)"
                          "; its log had %d `DBI error` lines in run 1."
                          % (res["tipline"][0]["verified"], r0["rows"], n, r0["udh_rows"],
                             r0["dbi_errors"]))
        if fs:
            self.notes.append("Durability, counted with strace over a 300-message drain (%d "
                              "files): tiplined called fsync/fdatasync %d times for %d receive "
                              "transactions of ≤ %d parts (WAL, synchronous=FULL: the WAL is "
                              "synced at each commit, before the parts are deleted from the "
                              "phone); gammu-smsd %d times for %d rows (one autocommit per "
                              "row, rollback journal)." % (
                                  fs["tipline_files"], fs["tipline"],
                                  -(-fs["tipline_files"] // READ_BATCH), READ_BATCH, fs["smsd"],
                                  fs["smsd_files"]))
        self.targets.append(("Drain ≤ 1.5× the libGammu read floor",
                             "%.2f×" % (tmed / fmed), tmed / fmed <= 1.5))
        self.targets.append(("Drain ≥ 3× faster than gammu-smsd",
                             "%.1f×" % (best_smsd / tmed), best_smsd / tmed >= 3))
        self.drain_tipline_cpu = [x["cpu"] for x in res["tipline"]]
        self.drain_smsd_cpu = [x["cpu"] for x in res["smsd1"] + res["smsd0"]]
        self.drain_rss["tipline"] = max(x["hwm"] for x in res["tipline"])
        self.drain_rss["smsd"] = max(x["hwm"] for x in res["smsd1"] + res["smsd0"])
        self.drain_rss["tipline_replies"] = rep["hwm"]
        self.drain_files = files

    # --- drain by size: the cost per message and a burst in one second (issue 20) -------------
    def run_scale(self):
        """Tips (each answered: replies on) drained at two sizes with distinct SMSC seconds
        and at two sizes all in one second, this build and the baseline's alternately (which
        goes first alternates by run too). The cost per message is the difference of the two
        distinct-second sizes over their difference in messages: the start-up's fixed work
        cancels out. In one second the time must grow linearly: the larger size at most
        (large / small) * 1.1 the smaller one's time."""
        sizes_d = [int(x) for x in os.environ.get("BENCH_SCALE_DISTINCT", "2000 6000").split()]
        sizes_1 = [int(x) for x in os.environ.get("BENCH_SCALE_ONE", "2000 4000").split()]
        runs = max(1, env_int("BENCH_SCALE_RUNS", self.runs))
        builds = [("this", self.tiplined)]
        if self.baseline:
            builds.append(("base", os.path.join(self.baseline, "tiplined")))
        cases = [("d", n) for n in sizes_d] + [("1", n) for n in sizes_1]
        corp = {c: corpus.incoming(c[1], tips=True, one_second=c[0] == "1") for c in cases}
        t = {(b, c): [] for b, _ in builds for c in cases}
        cpu = {(b, c): [] for b, _ in builds for c in cases}
        load = [os.getloadavg()[0]]
        for r in range(runs):
            order = builds if r % 2 == 0 else builds[::-1]
            for c in cases:
                for b, prog in order:
                    log("scale %d/%d: %s, %d tips, %s" % (
                        r + 1, runs, b, c[1], "one SMSC second" if c[0] == "1"
                        else "distinct seconds"))
                    res = self.drain_tipline(corp[c], tiplined=prog, answer=True)
                    want = sum(1 for m in corp[c] if "ANDANH" in m["text"])
                    # Stored, each (the baseline may predate issue 13's anonymity).
                    if b == "this" and res["anonymous"] != want:
                        raise BenchError("%s: %s anonymous rows of %d tips, want %d" % (
                            b, res["anonymous"], c[1], want))
                    t[(b, c)].append(res["time"])
                    cpu[(b, c)].append(res["cpu"])
            load.append(os.getloadavg()[0])
        med = statistics.median

        def per_msg(b, xs):
            # Run by run (the two sizes of one run ran minutes apart at most), then the median.
            lo, hi = ("d", sizes_d[0]), ("d", sizes_d[-1])
            return [(a2 - a1) / (hi[1] - lo[1]) for a1, a2 in zip(xs[(b, lo)], xs[(b, hi)])]

        def cell(b):
            out = []
            for c in cases:
                out.append("%s %s: %s, CPU %.2f s" % (
                    fmt_n(c[1]), "in one second" if c[0] == "1" else "distinct",
                    fmt_s(t[(b, c)]), med(cpu[(b, c)])))
            return "<br>".join(out)

        names = {"this": "tipline %s" % self.revision(), "base": "baseline %s" % (
            self.baseline_rev() if self.baseline else "")}
        lo_d, hi_d, lo_1, hi_1 = ("d", sizes_d[0]), ("d", sizes_d[-1]), ("1", sizes_1[0]), \
            ("1", sizes_1[-1])
        note = []
        pm = {b: med(per_msg(b, t)) for b, _ in builds}
        pc = {b: med(per_msg(b, cpu)) for b, _ in builds}
        burst = {b: med(t[(b, hi_1)]) / med(t[(b, lo_1)]) for b, _ in builds}
        for b, _ in builds:
            note.append("%s: %.0f µs per message (CPU %.0f µs), one second %s / %s: **%.2f×**"
                        % (names[b], pm[b] * 1e6, pc[b] * 1e6, fmt_n(hi_1[1]), fmt_n(lo_1[1]),
                           burst[b]))
        if self.baseline:
            note.append("per message this / baseline **%.2f×** (CPU %.2f×)" % (
                pm["this"] / pm["base"], pc["this"] / pc["base"]))
        self.rows.append((
            "**Drain by size** (issue 20): tips, each answered (replies on), distinct SMSC "
            "seconds and all in one second; %d runs, the builds alternately (load average %s "
            "over the runs)" % (runs, ", ".join("%.1f" % x for x in load)),
            cell("this"), ("baseline (%s): " % self.baseline_rev() + "<br>" + cell("base"))
            if self.baseline else "", "; ".join(note)))
        allowed = 1.1 * hi_1[1] / lo_1[1]
        self.targets.append(("Drain in one SMSC second linear: %s at most %.1f× the time of %s "
                             "(issue 20)" % (fmt_n(hi_1[1]), allowed, fmt_n(lo_1[1])),
                             "%.2f×" % burst["this"], burst["this"] <= allowed))
        if self.baseline:
            self.targets.append(("Cost per message ((t%d − t%d) / %s, distinct seconds) within "
                                 "1.1× of the baseline's (%s, issue 20)" % (
                                     hi_d[1], lo_d[1], fmt_n(hi_d[1] - lo_d[1]),
                                     self.baseline_rev()),
                                 "%.2f× (CPU %.2f×)" % (pm["this"] / pm["base"],
                                                        pc["this"] / pc["base"]),
                                 pm["this"] / pm["base"] <= 1.1))
        self.scale = {"t": t, "cpu": cpu, "pm": pm, "pc": pc, "burst": burst, "load": load}

    # --- 2. memory ------------------------------------------------------------------------
    def run_memory(self):
        # VmHWM of the daemon process itself, read just before it is stopped: getrusage's
        # ru_maxrss is no use here, as a child keeps the maximum RSS it had before exec, i.e.
        # that of the forking Python harness (20-30 MB).
        sizes_t = [100, 5000, 8000]
        sizes_g = [100]
        t, g = {}, {}
        if "tipline" in self.drain_rss:
            t[self.n] = self.drain_rss["tipline"]
            g[self.n] = self.drain_rss["smsd"]
        else:
            sizes_t.append(self.n)
            sizes_g.append(self.n)
        for n in sorted(set(sizes_t) - set(t)):
            log("memory: tiplined, %d messages" % n)
            t[n] = self.drain_tipline(corpus.incoming(n))["hwm"]
        for n in sorted(set(sizes_g) - set(g)):
            log("memory: gammu-smsd, %d messages" % n)
            g[n] = self.drain_smsd(corpus.incoming(n), 1)["hwm"]
        mb = lambda kb: "%.1f MB" % (kb / 1024)  # noqa: E731
        tn, gn = sorted(t), sorted(g)
        self.rows.append(("**Peak RSS** (VmHWM of the daemon process) by messages drained",
                          "<br>".join("%s: %s" % (fmt_n(k), mb(t[k])) for k in tn),
                          "<br>".join("%s: %s" % (fmt_n(k), mb(g[k])) for k in gn),
                          "at %s: **%.0f×** less" % (fmt_n(self.n), g[self.n] / t[self.n])))
        growth = (t[5000] - t[100]) / 1024
        plateau = (t[8000] - t[5000]) / 1024
        per_msg_g = (g[gn[-1]] - g[gn[0]]) / (gn[-1] - gn[0]) / 1024 if len(gn) > 1 else 0
        self.rows.append(("Memory growth",
                          "%+.1f MB from 100 to 5,000, then %+.1f MB to 8,000 (SQLite's "
                          "page cache filling up to its 2 MB default)" % (growth, plateau),
                          "%+.2f MB per message" % per_msg_g, ""))
        if "tipline_replies" in self.drain_rss:
            self.notes.append("Peak RSS of tiplined with replies on (%s messages): %s."
                              % (fmt_n(self.n), mb(self.drain_rss["tipline_replies"])))
        peak = max(t.values())
        self.targets.append(("Peak RSS ≤ 16 MB", "%s (largest, at %s)" % (
            mb(peak), fmt_n(max(t, key=t.get))), peak <= 16 * 1024))
        self.targets.append(("RSS flat from 100 to 5,000 messages (bounded: grows by less than "
                             "SQLite's 2 MB page cache, nothing from 5,000 to 8,000)",
                             "%+.1f MB, then %+.1f MB" % (growth, plateau),
                             growth < 2.0 and plateau < 0.25))

    # --- 3. parser ------------------------------------------------------------------------
    def run_parser(self):
        lines = corpus.parser_lines(20000)
        d = self.path("parser")
        path = os.path.join(d, "corpus.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        empty = os.path.join(d, "empty.txt")
        open(empty, "w").close()
        conf = os.path.join(ROOT, "conf", "tipline.conf")

        def once(inp):
            with open(inp, "rb") as fi, open(os.devnull, "wb") as fo:
                t0 = time.monotonic()
                p = subprocess.run(["timeout", "-s", "KILL", "120", self.tipline, "-c", conf,
                                    "parse"], stdin=fi, stdout=fo, stderr=subprocess.PIPE,
                                   cwd=ROOT)
                t = time.monotonic() - t0
            if p.returncode != 0:
                raise BenchError("tipline parse: %s" % p.stderr.decode(errors="replace"))
            return t

        # Kinds in the corpus, from the parser itself (one run with output kept).
        with open(path, "rb") as fi:
            out = subprocess.run([self.tipline, "-c", conf, "parse"], stdin=fi,
                                 capture_output=True, cwd=ROOT).stdout.decode()
        kinds = {}
        for line in out.splitlines():
            k = json.loads(line).get("kind", "?")
            kinds[k] = kinds.get(k, 0) + 1
        log("parser: %d runs over %d lines" % (self.runs, len(lines)))
        times = [once(path) for _ in range(self.runs)]
        start = [once(empty) for _ in range(self.runs)]
        rates = [len(lines) / t for t in times]
        net = [len(lines) / max(t - statistics.median(start), 1e-6) for t in times]
        self.rows.append(("**Parser**: `tipline parse` over %s lines (stdin → JSON on "
                          "/dev/null), whole process" % fmt_n(len(lines)),
                          "%s msg/s (%s–%s)" % (fmt_n(statistics.median(rates)),
                                                fmt_n(min(rates)), fmt_n(max(rates))),
                          "—", "process start alone: %.1f ms; without it %s msg/s"
                          % (statistics.median(start) * 1000, fmt_n(statistics.median(net)))))
        self.notes.append("Parser corpus kinds: " + ", ".join(
            "%s %d" % (k, v) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])) + ".")
        self.targets.append(("Parser > 500,000 msg/s (whole process)",
                             fmt_n(statistics.median(rates)) + " msg/s",
                             statistics.median(rates) > 500000))
        if self.drain_tipline_cpu:
            tc = statistics.median(self.drain_tipline_cpu) / self.n * 1e6
            gc = statistics.median(self.drain_smsd_cpu) / self.n * 1e6
            self.rows.append(("CPU per received message in the drain (user+sys / N)",
                              "%.0f µs" % tc, "%.0f µs" % gc, "%.1f× less" % (gc / tc)))

    # --- report -----------------------------------------------------------------------------
    def run_report(self):
        """A year of data made through the store (build/tools/bench_year: 100,000 inbox rows,
        20,000 tips, 5,000 patrols, ...), then the time of `tipline report --format json`, whole
        process, for the year and for a month (issue 10: month < 50 ms, year < 500 ms)."""
        d = self.path("report")
        db = os.path.join(d, "tipline.db")
        maker = os.path.join(self.build, "tools", "bench_year")
        if not os.access(maker, os.X_OK):
            raise BenchError("%s is missing: run make first" % maker)
        log("report: making a year of data")
        t0 = time.monotonic()
        p = subprocess.run([maker, db], capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise BenchError("bench_year: %s" % p.stderr.strip()[-500:])
        made = json.loads(p.stdout)
        make_s = time.monotonic() - t0
        conf = os.path.join(d, "tipline.conf")
        with open(conf, "w") as f:
            f.write('modem: { device = "%s/modem"; connection = "none"; model = "dummy"; };\n' % d)
            f.write('database: { path = "%s"; };\n' % db)
        today = datetime.date.today()
        year = ["--from", (today - datetime.timedelta(days=364)).isoformat(), "--to", today.isoformat()]
        last = today.replace(day=1) - datetime.timedelta(days=1)
        month = ["--month", last.strftime("%Y-%m")]  # a whole month, inside the year

        def once(args):
            t0 = time.monotonic()
            r = subprocess.run(["timeout", "-s", "KILL", "60", self.tipline, "-c", conf, "report",
                                "--format", "json"] + args, capture_output=True, cwd=d)
            t = time.monotonic() - t0
            if r.returncode != 0:
                raise BenchError("tipline report: %s" % r.stderr.decode(errors="replace"))
            return t, json.loads(r.stdout)

        once(year)  # the first run reads the file into the page cache
        runs = max(self.runs, 5)
        yt = [once(year)[0] for _ in range(runs)]
        mt = [once(month)[0] for _ in range(runs)]
        got = once(year)[1]
        base = []
        for _ in range(runs):
            t0 = time.monotonic()
            subprocess.run([self.tipline, "-c", conf, "inbox", "--limit", "1"], capture_output=True, cwd=d)
            base.append(time.monotonic() - t0)

        def ms(v):
            return "%.0f ms (%.0f–%.0f)" % (statistics.median(v) * 1000, min(v) * 1000, max(v) * 1000)

        self.rows.append(("**Report** `tipline report --format json` over a year made through the "
                          "store (%s inbox rows, %s tips, %s patrols, %s sessions, %s mediations, "
                          "%d broadcasts; made in %.1f s by tests/tools/bench_year.c), whole process: "
                          "the year" % (fmt_n(made["inbox"]), fmt_n(made["tips"]), fmt_n(made["patrols"]),
                                        fmt_n(made["awareness"]), fmt_n(made["mediations"]),
                                        made["broadcasts"], make_s),
                          ms(yt), "—", "the year's report counted %s tips, %s patrols"
                          % (fmt_n(got["tips"]["received"]), fmt_n(got["patrols"]["count"]))))
        self.rows.append(("Report: one month (%s)" % month[1], ms(mt), "—",
                          "opening the database alone (`tipline inbox --limit 1`): %.0f ms"
                          % (statistics.median(base) * 1000)))
        self.console_report(d, conf, year, month)
        self.targets.append(("Report of a month < 50 ms (issue 10)", "%.0f ms" % (statistics.median(mt) * 1000),
                             statistics.median(mt) < 0.050))
        self.targets.append(("Report of a year < 500 ms (issue 10)", "%.0f ms" % (statistics.median(yt) * 1000),
                             statistics.median(yt) < 0.500))

    # --- district (issue 27) ----------------------------------------------------------------
    def run_district(self):
        """A year made through the store (bench_year) pushed to a private PostgreSQL by
        `tipline sync` (seconds, peak RSS), an incremental day (the last day's rows changed
        again), then `tipline report --district` over BENCH_DISTRICT_NODES communes (default
        100) of that year, copied on the PostgreSQL side: p99 of BENCH_DISTRICT_RUNS (20)
        whole-process runs for a month and for the year."""
        sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
        from test_district import Postgres  # noqa: E402  (initdb, pg_ctl, a socket in a temp dir)

        nodes = max(1, env_int("BENCH_DISTRICT_NODES", 100))
        runs = max(2, env_int("BENCH_DISTRICT_RUNS", 20))
        d = self.path("district")
        db = os.path.join(d, "tipline.db")
        p = subprocess.run([os.path.join(self.build, "tools", "bench_year"), db], capture_output=True,
                           text=True, timeout=600)
        if p.returncode != 0:
            raise BenchError("bench_year: %s" % p.stderr.strip()[-500:])
        pg = Postgres()
        try:
            def tl(*args, conf=None):
                t0 = time.monotonic()
                proc = subprocess.Popen([self.tipline] + (["-c", conf] if conf else []) + list(args),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=d)
                out, err = proc.communicate(timeout=3600)
                ru = resource.getrusage(resource.RUSAGE_CHILDREN)
                if proc.returncode != 0:
                    raise BenchError("tipline %s: %s" % (args[0], err.decode(errors="replace")))
                return time.monotonic() - t0, out.decode(), ru

            tl("district", "init", pg.conninfo)
            conninfo = tl("district", "add-node", pg.conninfo, "c-000")[1].splitlines()[-1]
            conf = os.path.join(d, "tipline.conf")
            with open(conf, "w") as f:
                f.write('modem: { device = "%s/modem"; connection = "none"; model = "dummy"; };\n' % d)
                f.write('database: { path = "%s"; };\n' % db)
                f.write('sync: { conninfo = "%s"; node = "c-000"; };\n' % conninfo.replace('"', '\\"'))
            changes = db_scalar(db, "SELECT count(*) FROM sync_log")
            # Peak RSS of this one child: measured with /usr/bin/time when present.
            timer = ["/usr/bin/time", "-f", "%M"] if os.access("/usr/bin/time", os.X_OK) else []
            t0 = time.monotonic()
            r = subprocess.run(timer + [self.tipline, "-c", conf, "sync"], capture_output=True, cwd=d)
            first = time.monotonic() - t0
            if r.returncode != 0:
                raise BenchError("tipline sync: %s" % r.stderr.decode(errors="replace"))
            rss = r.stderr.decode().strip().splitlines()[-1] + " KB" if timer else "?"
            # A day: the newest 1/365 of each table's rows changed again (logged by the triggers).
            con = sqlite3.connect(db)
            with con:
                for t, c in (("inbox", "smsc_time"), ("outbox", "status"), ("tips", "status"),
                             ("patrols", "members"), ("awareness_sessions", "participants"),
                             ("mediations", "team"), ("tip_events", "note")):
                    con.execute("UPDATE %s SET %s = %s WHERE id > (SELECT max(id) - count(*) / 365 FROM %s)"
                                % (t, c, c, t))
            con.close()
            day_changes = db_scalar(db, "SELECT count(*) FROM sync_log l, sync_cursor c WHERE l.seq > c.seq")
            t0 = time.monotonic()
            r = subprocess.run(timer + [self.tipline, "-c", conf, "sync"], capture_output=True, cwd=d)
            incr = time.monotonic() - t0
            if r.returncode != 0:
                raise BenchError("tipline sync: %s" % r.stderr.decode(errors="replace"))
            day_rss = r.stderr.decode().strip().splitlines()[-1] + " KB" if timer else "?"
            log("district: copying the year to %d communes" % nodes)
            cols = {t: [c for (c,) in pg.sql("SELECT column_name FROM information_schema.columns WHERE "
                                              "table_schema = 'tipline' AND table_name = '%s' AND "
                                              "column_name <> 'node' ORDER BY ordinal_position" % t)]
                    for t in ("teams", "tips", "tip_events", "patrols", "awareness_sessions", "mediations",
                              "broadcasts", "alerts", "messages_in", "messages_out")}
            t0 = time.monotonic()
            for t, cs in cols.items():
                c = ", ".join(cs)
                pg.sql("INSERT INTO tipline.%s (node, %s) SELECT 'c-' || lpad(g::text, 3, '0'), %s FROM "
                       "tipline.%s, generate_series(1, %d) g WHERE node = 'c-000'" % (t, c, c, t, nodes - 1))
            pg.sql("ANALYZE")
            copy_s = time.monotonic() - t0
            today = datetime.date.today()
            year = ["--from", (today - datetime.timedelta(days=364)).isoformat(), "--to", today.isoformat()]
            last = today.replace(day=1) - datetime.timedelta(days=1)
            month = ["--month", last.strftime("%Y-%m")]

            def rep(args):
                return tl("report", "--district", pg.conninfo, "--format", "json", *args, conf=conf)[0]

            rep(month)
            mt = sorted(rep(month) for _ in range(runs))
            yt = sorted(rep(year) for _ in range(max(2, runs // 4)))

            def p99(v):
                return v[min(len(v) - 1, int(round(0.99 * (len(v) - 1))))]
        finally:
            pg.close()
        self.rows.append(("**District** (issue 27) first `tipline sync` of a year made by bench_year "
                          "(%s changes) to a private PostgreSQL 15 on a Unix socket" % fmt_n(changes),
                          "%.1f s, peak RSS %s" % (first, rss), "—",
                          "%.0f changes/s, 500 per transaction" % (changes / first)))
        self.rows.append(("District: an incremental day (%s changes: the newest 1/365 of each table's rows again)"
                          % fmt_n(day_changes), "%.2f s, peak RSS %s" % (incr, day_rss), "—", ""))
        self.rows.append(("District: `tipline report --district --format json` over %d communes x a year "
                          "(copied in PostgreSQL in %.0f s), a month" % (nodes, copy_s),
                          "p99 %.2f s (median %.2f s, %d runs)" % (p99(mt), statistics.median(mt), len(mt)),
                          "—", "every commune's figures and the totals"))
        self.rows.append(("District: the same report, the year", "p99 %.2f s (median %.2f s, %d runs)"
                          % (p99(yt), statistics.median(yt), len(yt)), "—", ""))

    # --- contacts -------------------------------------------------------------------------
    def run_contacts(self):
        """`tipline contact import` of a 5,000-line spreadsheet (issue 24: BOM, semicolons,
        Vietnamese headers and names; every 100th line refused), whole process under GNU time
        (%M: the peak RSS of the import itself, not of this harness): the dry run, the import
        into an empty database, and the same file again (nothing changes)."""
        d = self.path("contacts")
        n = env_int("BENCH_CONTACTS_N", 5000)
        conf = os.path.join(d, "tipline.conf")
        with open(conf, "w") as f:
            f.write('modem: { device = "%s/modem"; connection = "none"; model = "dummy"; };\n' % d)
            f.write('database: { path = "%s/tipline.db"; };\n' % d)
        path = os.path.join(d, "danh-ba.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("\ufeffHọ và tên;Số điện thoại;Thôn;Vai trò;Tổ\r\n")
            for i in range(n):
                phone = "09-bad" if i % 100 == 99 else "0913%06d" % i
                f.write("Nguyễn Thị Hồng %d;%s;Thôn %d;%s;%s\r\n" % (
                    i, phone, i % 12, "Tổ trưởng" if i % 50 == 0 else "",
                    "TQ%d" % (i % 12) if i % 50 == 0 else ""))
        size = os.path.getsize(path)

        def once(*extra):
            t0 = time.monotonic()
            r = subprocess.run(["/usr/bin/time", "-f", "%M", self.tipline, "-c", conf, "contact",
                                "import", path] + list(extra), capture_output=True, cwd=d)
            t = time.monotonic() - t0
            if r.returncode != 0:
                raise BenchError("contact import: %s" % r.stderr.decode(errors="replace")[-500:])
            kb = int(r.stderr.decode().strip().splitlines()[-1])
            return t, kb, r.stdout.decode().strip().splitlines()[-1]

        log("contacts: importing %d lines" % n)
        dry = once("--dry-run")
        first = once()
        again = [once() for _ in range(max(self.runs, 3))]
        mb = lambda kb: "%.1f MB" % (kb / 1024)  # noqa: E731
        web = self.contacts_console(path)
        self.rows.append(("**Contacts import** `tipline contact import` of a %s-line CSV (%.0f KB, "
                          "BOM, semicolons, 1%% of lines refused), whole process" % (fmt_n(n), size / 1024),
                          "dry run %.2f s, %s peak RSS<br>import %.2f s, %s<br>the same file "
                          "again %s, %s" % (dry[0], mb(dry[1]), first[0], mb(first[1]),
                                            fmt_s([a[0] for a in again]), mb(max(a[1] for a in again))),
                          "—", "import: %s; again: %s" % (first[2], again[-1][2])))
        self.rows.append(("Contacts import in the console (Danh bạ: the file uploaded, the "
                          "preview, then the import; HTTP on 127.0.0.1, a fresh database)",
                          "preview %.2f s, import %.2f s; the console's peak RSS %s (after the login "
                          "alone, its yescrypt hash: %s)"
                          % (web["preview"], web["import"], mb(web["hwm"]), mb(web["hwm0"])),
                          "—", "the preview page: %.0f KB" % (web["page"] / 1024)))
        self.targets.append(("A 5,000-line contacts import in under 5 s (issue 24)",
                             "%.2f s" % first[0], first[0] < 5.0))

    def contacts_console(self, csv_path):
        """The same file through `tipline console` (plain HTTP on loopback): the upload's
        preview and the import, timed from the client; the console's VmHWM before and after."""
        import http.client
        d = self.path("contacts-console")
        conf = os.path.join(d, "tipline.conf")
        with open(conf, "w") as f:
            f.write('modem: { device = "%s/modem"; connection = "none"; model = "dummy"; };\n' % d)
            f.write('database: { path = "%s/tipline.db"; };\n' % d)
            f.write('console: { listen = "127.0.0.1:0"; tls = false; };\n')
        officer, pw = "+84912000001", "bench password"
        for args, stdin in ((["contact", "add", officer, "--role", "officer"], None),
                            (["passwd", officer, "--admin"], ("%s\n%s\n" % (pw, pw)).encode())):
            r = subprocess.run([self.tipline, "-c", conf] + args, input=stdin, capture_output=True)
            if r.returncode != 0:
                raise BenchError("tipline %s: %s" % (args[0], r.stderr.decode(errors="replace")))
        proc = subprocess.Popen([self.tipline, "-c", conf, "console"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=d)
        try:
            m = re.search(rb":(\d+)/", proc.stdout.readline())
            if m is None:
                raise BenchError("tipline console did not start")
            port = int(m.group(1))
            origin = "http://127.0.0.1:%d" % port

            def req(method, path, body=None, headers=None):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                h = dict(headers or {}, Origin=origin)
                c.request(method, path, body=body, headers=h)
                r = c.getresponse()
                data = r.read()
                c.close()
                return r, data

            r, _ = req("POST", "/login", "phone=%%2B84912000001&password=%s" % pw.replace(" ", "+"),
                       {"Content-Type": "application/x-www-form-urlencoded"})
            cookie = r.getheader("Set-Cookie").split(";")[0]
            _, page = req("GET", "/people/import", headers={"Cookie": cookie})
            token = re.search(rb'name="csrf" value="([0-9a-f]+)"', page).group(1).decode()
            hwm0 = _proc_sample(proc.pid)[1]
            with open(csv_path, "rb") as f:
                data = f.read()
            out = {"hwm0": hwm0}
            for what in ("preview", "import"):
                bnd = "----bench"
                body = ("--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
                        "--%s\r\nContent-Disposition: form-data; name=\"do\"\r\n\r\n%s\r\n"
                        "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\""
                        "\r\n\r\n" % (bnd, token, bnd, what, bnd)).encode() + data + \
                    ("\r\n--%s--\r\n" % bnd).encode()
                t0 = time.monotonic()
                r, page = req("POST", "/people/import", body, {
                    "Cookie": cookie, "Content-Type": "multipart/form-data; boundary=" + bnd})
                out[what] = time.monotonic() - t0
                if r.status not in (200, 303):
                    raise BenchError("console %s: %d" % (what, r.status))
                if what == "preview":
                    out["page"] = len(page)
            out["hwm"] = _proc_sample(proc.pid)[1]
            return out
        finally:
            proc.terminate()
            proc.wait(30)
            proc.stdout.close()

    def console_report(self, d, conf, year, month):
        """The console's report page (issue 24) on the same year: `tipline console` over plain
        HTTP on loopback, one officer logged in; each page's time from request to last byte,
        BENCH_CONSOLE_N (default 50) of each, after one that warms the page cache."""
        import http.client
        import urllib.parse
        officer = "+84912000999"
        with open(conf, "a") as f:
            f.write('console: { listen = "127.0.0.1:0"; tls = false; };\n')
        subprocess.run([self.tipline, "-c", conf, "contact", "add", officer, "--role", "officer"],
                       capture_output=True, cwd=d, check=True)
        subprocess.run([self.tipline, "-c", conf, "passwd", officer], input=b"bench-pass-1\nbench-pass-1\n",
                       capture_output=True, cwd=d, check=True)
        con = subprocess.Popen(["timeout", "-s", "KILL", "600", self.tipline, "-c", conf, "console"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=d)
        try:
            line = con.stdout.readline().decode()
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m is None:
                raise BenchError("tipline console did not start: %r" % line)
            port = int(m.group(1))

            def req(method, path, body=None, cookie=None):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                h = {"Cookie": "tipline_session=" + cookie} if cookie else {}
                if body is not None:
                    h.update({"Content-Type": "application/x-www-form-urlencoded",
                              "Origin": "http://127.0.0.1:%d" % port, "Host": "127.0.0.1:%d" % port})
                t0 = time.monotonic()
                c.request(method, path, body=body, headers=h)
                r = c.getresponse()
                data = r.read()
                t = time.monotonic() - t0
                c.close()
                return r.status, r.getheader("Set-Cookie") or "", data, t

            _, ck, _, _ = req("POST", "/login", urllib.parse.urlencode({"phone": officer, "password": "bench-pass-1"}))
            cookie = re.match(r"tipline_session=([0-9a-f]+)", ck)
            if cookie is None:
                raise BenchError("console login failed")
            cookie = cookie.group(1)
            ypath = "/reports?period=days&from=%s&to=%s" % (year[1], year[3])
            mpath = "/reports?period=ym&month=%s" % month[1]
            n = env_int("BENCH_CONSOLE_N", 50)
            res = {}
            for name, path in (("year", ypath), ("month", mpath)):
                st, _, _, _ = req("GET", path, cookie=cookie)
                if st != 200:
                    raise BenchError("GET %s: %d" % (path, st))
                res[name] = sorted(req("GET", path, cookie=cookie)[3] for _ in range(n))
        finally:
            con.terminate()
            con.wait()

        def p(v, q):
            return v[min(len(v) - 1, int(round(q * (len(v) - 1))))] * 1000

        for name in ("year", "month"):
            v = res[name]
            self.rows.append(("Console report page (`tipline console`, GET /reports, plain HTTP on loopback): "
                              "the %s, %d requests" % (name if name == "year" else "month " + month[1], len(v)),
                              "median %.0f ms, p99 %.0f ms" % (p(v, 0.5), p(v, 0.99)), "—",
                              "the same report as the CLI's, in the console's page"))

    # --- 4. cost --------------------------------------------------------------------------
    def render_replies(self):
        """One message of each kind through a real tiplined, then the broadcast sample queued
        with `tipline broadcast`; what it sent, read back with `tipline sim sent --json`.
        Returns (replies, broadcasts): lists of sent rows {to, text, parts, coding}."""
        d = self.path("cost")
        conf = self.tipline_conf(d, self.dummy_block(d), replies=True)

        def run(*a):
            p = subprocess.run([self.tipline, "-c", conf] + list(a), cwd=d,
                               capture_output=True)
            if p.returncode != 0:
                raise BenchError("tipline %s: %s" % (" ".join(a[:2]),
                                                     p.stderr.decode(errors="replace")))
            return p.stdout.decode()

        run("contact", "add", "0912000001", "--role", "leader", "--team", "TQ3")
        run("contact", "add", "0912000002", "--role", "officer")
        run("contact", "set", "0912000002", "--pin", "2468")
        run("contact", "add", "0912000003", "--role", "leader", "--team", "TQ4")
        run("contact", "add", "0914000001", "--name", "Bench Recipient")
        run("group", "add", "BENCH", "0914000001")
        bc_to = "+84914000001"  # the one member of group BENCH: broadcasts per recipient
        script = [  # (sender, text), one message per template where a message can reach it
            ("0913000001", "TIN co nguoi la o thon 3"),
            ("0913000002", "alo co trom bo o thon 2"),
            ("0913000001", "BS T1 nguoi do di xe mau do"),
            ("0913000003", "BS T99 them thong tin"),
            ("0912000001", "TUAN BD TQ3 5"),
            ("0912000001", "TUAN KT TQ3 binh thuong"),
            ("0912000003", "TUAN KT TQ4"),
            ("0912000002", "TUAN BD"),
            ("0912000001", "TTPL 45 tuyen truyen luat giao thong"),
            ("0912000001", "HG hoa giai tranh chap dat"),
            ("0913000004", "DK Nguyen Van An thon 2"),
            ("0913000005", "HUY"),
            ("0913000006", "HD"),
            ("0913000007", "TUAN BD TQ3 5"),
            ("0912000002", "TB 2468 BENCH Hop dan luc 8h sang mai"),
            ("0913000011", "TB 1111 BENCH Hop dan"),
            ("0913000008", "TIN"),
            ("0913000009", "BS"),
            ("0912000001", "TUAN"),
            ("0912000001", "TTPL"),
            ("0912000001", "HG"),
            ("0913000010", "DK"),
            ("0912000002", "TB"),
        ]
        db = os.path.join(d, "tipline.db")
        dm = Daemon([self.tiplined, "-c", conf], os.path.join(d, "tiplined.log"), cwd=d)
        nsent = 0

        def idle(k):
            return db_scalar(db, "SELECT count(*) FROM inbox") == k and \
                db_scalar(db, "SELECT count(*) FROM outbox WHERE status IN "
                              "('queued', 'sending')") == 0

        def sent_rows():
            return [json.loads(x) for x in run("sim", "sent", "--json").splitlines() if x.strip()]

        replies = []
        try:
            for i, (sender, text) in enumerate(script):
                run("sim", "send", "--from", sender, "--time",
                    time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1735718400 + i)), "--", text)
                dm.wait_until(lambda: idle(i + 1), 30, "message %d handled" % (i + 1))
                rows = sent_rows()
                replies += [r for r in rows[nsent:] if r["to"] != bc_to]
                nsent = len(rows)
            for text in corpus.BROADCASTS:
                run("broadcast", "--group", "BENCH", text)
            dm.wait_until(lambda: idle(len(script)), 60, "the broadcasts sent")
            rows = sent_rows()
        finally:
            dm.stop()
        broadcasts = [r for r in rows[nsent:] if r["to"] == bc_to]
        if len(broadcasts) != len(corpus.BROADCASTS):
            raise BenchError("tiplined sent %d of the %d broadcasts" % (
                len(broadcasts), len(corpus.BROADCASTS)))
        return replies, broadcasts

    @staticmethod
    def default_templates():
        """name -> text of tipline's default reply templates, read from src/config.c."""
        src = open(os.path.join(ROOT, "src", "config.c"), encoding="utf-8").read()
        out = {}
        for name, lits in re.findall(r'\[TPL_\w+\]\s*=\s*\{\s*"(\w+)",\s*'
                                     r'((?:"(?:[^"\\]|\\.)*"\s*)+)\}', src):
            out[name] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lits))
        return out

    def run_cost(self):
        log("cost: replies and broadcasts through tiplined")
        replies, broadcasts = self.render_replies()
        tpls = self.default_templates()
        pats = {n: re.compile("^" + re.sub(r"\\\{\w+\\\}", ".+?", re.escape(t)) + "$",
                              re.S) for n, t in tpls.items()}
        t_sent = t_ucs2 = 0
        detail, seen = [], set()
        for r in replies:
            name = next((n for n, p in pats.items() if p.match(r["text"])), "?")
            seen.add(name)
            ucs2_parts = corpus.sms_parts(r["text"], True)
            t_sent += r["parts"]
            t_ucs2 += ucs2_parts
            detail.append("%s %d/%d" % (name, r["parts"], ucs2_parts))
        # Templates no message reached: counted from the text in src/config.c with sample
        # values, GSM-7 if it fits (as tipline chooses).
        sample = {"ref": "T123", "count": "250", "group": "THON3", "team": "TQ3",
                  "time": "21:30", "members": "5", "minutes": "95", "participants": "45",
                  "name": "Nguyen Van An"}
        extra = []
        x_sent = x_ucs2 = 0
        for name, t in sorted(tpls.items()):
            if name in seen:
                continue
            text = re.sub(r"\{(\w+)\}", lambda m: sample.get(m.group(1), "x"), t)
            g = corpus.sms_parts(text, corpus.gsm7_septets(text) is None)
            u = corpus.sms_parts(text, True)
            x_sent += g
            x_ucs2 += u
            extra.append("%s %d/%d" % (name, g, u))
        codings = sorted({r["coding"] for r in replies})
        b_sent = sum(r["parts"] for r in broadcasts)
        b_ucs2 = sum(corpus.sms_parts(t, True) for t in corpus.BROADCASTS)
        b_gsm = 0
        for text in corpus.BROADCASTS:
            plain = corpus.transliterate(text)
            if corpus.gsm7_septets(plain) is None:
                raise BenchError("transliteration left non-GSM characters: %r" % plain)
            b_gsm += corpus.sms_parts(plain, False)
        b_cod = {}
        for r in broadcasts:
            b_cod[r["coding"]] = b_cod.get(r["coding"], 0) + 1
        nb = len(corpus.BROADCASTS)
        self.rows.append(("**Cost**: the %d replies tiplined sent for one message of each kind "
                          "(%d of %d templates; coding %s), SMS parts"
                          % (len(replies), len(seen - {"?"}), len(tpls), "/".join(codings)),
                          "%d parts as sent" % t_sent, "%d parts as UCS-2" % t_ucs2,
                          "%.0f%% fewer SMS" % (100.0 * (t_ucs2 - t_sent) / t_ucs2)))
        if extra:
            self.rows.append(("Cost: the template%s no message reached, from src/config.c "
                              "with sample values" % ("s" if len(extra) > 1 else ""),
                              "%d parts" % x_sent, "%d parts as UCS-2" % x_ucs2,
                              ", ".join(extra)))
        self.rows.append(("Cost: %d Vietnamese broadcasts (legal-awareness reminders) sent by "
                          "tiplined to one recipient, parts" % nb,
                          "%d parts as sent (%s)" % (b_sent, ", ".join(
                              "%d %s" % (v, k) for k, v in sorted(b_cod.items()))),
                          "%d parts as UCS-2 with diacritics" % b_ucs2,
                          "%.0f%% fewer SMS; all folded to GSM-7: %d parts" % (
                              100.0 * (b_ucs2 - b_sent) / b_ucs2, b_gsm)))
        self.notes.append("Replies as sent, parts sent/UCS-2: " + ", ".join(detail) +
                          ". The templates are written without diacritics; each Vietnamese "
                          "letter is one UTF-16 unit precomposed, so the UCS-2 count is also "
                          "that of the same text with its diacritics.")
        self.notes.append("Broadcasts, parts as written (UCS-2) → as sent: " + ", ".join(
            "%d→%d" % (corpus.sms_parts(t, True), r["parts"])
            for t, r in zip(corpus.BROADCASTS, broadcasts)) +
            " (tiplined folds diacritics only when that saves a part).")

    # --- 5. pacing ------------------------------------------------------------------------
    def emulator_ok(self):
        if not os.path.exists(EMULATOR):
            return "tests/emulator/atmodem.py does not exist"
        d = self.path("emucheck")
        try:
            p = subprocess.run(["timeout", "-s", "KILL", "10", sys.executable, EMULATOR,
                                "--state", d], input=b"AT\rAT+CSCA?\r", capture_output=True)
        except OSError as e:
            return str(e)
        if b"OK" not in p.stdout or not os.path.exists(os.path.join(d, "commands.log")):
            return "tests/emulator/atmodem.py did not answer AT with OK"
        return None

    def emulator_state(self, d, delay_ms):
        st = os.path.join(d, "modem")
        os.makedirs(os.path.join(st, "inbox"))
        with open(os.path.join(st, "faults.json"), "w") as f:
            json.dump({"delay_cmgs_ms": delay_ms}, f)
        return st, "%s %s --state %s" % (sys.executable, EMULATOR, st)

    @staticmethod
    def send_gaps(state, delay_ms):
        """From the emulator's commands.log: (first AT+CMGS, last answer, mean gap between the
        modem's +CMGS answer and the next AT+CMGS, number of sends)."""
        cmgs, pdu = [], []
        with open(os.path.join(state, "commands.log"), errors="replace") as f:
            for line in f:
                t, _, cmd = line.rstrip("\n").partition("\t")
                if cmd.startswith("AT+CMGS="):
                    cmgs.append(float(t))
                elif cmd.startswith("PDU "):
                    pdu.append(float(t))
        done = [t + delay_ms / 1000.0 for t in pdu]
        gaps = [cmgs[i + 1] - done[i] for i in range(min(len(cmgs) - 1, len(done)))]
        return (cmgs[0] if cmgs else None, done[-1] if done else None,
                statistics.mean(gaps) if gaps else 0.0, len(pdu))

    def floor_send(self, delay_ms, k):
        floor = self.build_floor()
        d = self.path("floor-send-%d" % delay_ms)
        st, dev = self.emulator_state(d, delay_ms)
        p = subprocess.run(["timeout", "-s", "KILL", str(60 + 3 * k), floor, "send", dev,
                            str(k)], capture_output=True, text=True, start_new_session=True)
        if p.returncode != 0:
            raise BenchError("bench_floor send: %s" % p.stderr.strip())
        sent, total, per = p.stdout.split()
        first, last, gap, n = self.send_gaps(st, delay_ms)
        return float(per), gap

    def queue_replies(self, d, conf, n, first):
        """N replies queued in D's new database (to +8491<first>...), due a minute ago, as the
        daemon would have queued them. Returns the database's path."""
        subprocess.run([self.tipline, "-c", conf, "outbox"], cwd=d, check=True,
                       capture_output=True)  # creates the schema
        db = os.path.join(d, "tipline.db")
        con = sqlite3.connect(db)
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60))
        con.executemany("INSERT INTO outbox (recipient, text, status, priority, kind, "
                        "created_at, not_before, updated_at) VALUES (?, ?, 'queued', 0, "
                        "'reply', ?, ?, ?)",
                        [("+8491%07d" % (first + i), pacing_text(i), now, now, now)
                         for i in range(n)])
        con.commit()
        con.close()
        return db

    def pacing_tipline(self, n, delay_ms):
        d = self.path("pacing-tipline")
        st, dev = self.emulator_state(d, delay_ms)
        conf = self.tipline_conf(d, 'device = "%s"; connection = "proxyat"; model = "at"; '
                                    'poll_interval = 0.05;' % dev)
        db = self.queue_replies(d, conf, n, 2000000)
        sent_log = os.path.join(st, "sent.log")
        dm = Daemon([self.tiplined, "-c", conf], os.path.join(d, "tiplined.log"), cwd=d,
                    hard=120 + 3 * n)
        try:
            t = dm.wait_until(lambda: count_lines(sent_log) >= n and
                              db_scalar(db, "SELECT count(*) FROM outbox WHERE status = "
                                            "'sent'") == n, 60 + 3 * n, "%d sent" % n)
            s = dm.sample()
        finally:
            dm.stop()
        return self.pacing_result(st, delay_ms, t, s)

    def pacing_result(self, st, delay_ms, t, sample):
        """One pacing run's figures from the emulator's logs in ST and the daemon's sample."""
        first, last, gap, sends = self.send_gaps(st, delay_ms)
        return {"time": t, "span": last - first, "gap": gap, "sends": sends,
                "cpu": sample[0] if sample else None, "polls": count_polls(st)}

    def pacing_smsd(self, n, delay_ms, loopsleep):
        d = self.path("pacing-smsd")
        st, dev = self.emulator_state(d, delay_ms)
        db = self.smsd_db(d)
        con = sqlite3.connect(db)
        con.executemany("INSERT INTO outbox (DestinationNumber, TextDecoded, CreatorID, Coding) "
                        "VALUES (?, ?, 'bench', 'Default_No_Compression')",
                        [("+8491%07d" % (2000000 + i), pacing_text(i)) for i in range(n)])
        con.commit()
        con.close()
        rc = self.smsdrc(d, "model = at\nconnection = proxyat\ndevice = %s" % dev, loopsleep)
        sent_log = os.path.join(st, "sent.log")
        dm = Daemon(["gammu-smsd", "-c", rc], os.path.join(d, "gammu-smsd.out"), cwd=d,
                    hard=120 + 3 * n)
        try:
            # Its database only once the modem has taken all n (reading it while it writes
            # gives gammu-smsd "database is locked" errors).
            t = dm.wait_until(lambda: count_lines(sent_log) >= n and
                              db_scalar(db, "SELECT count(*) FROM sentitems") == n,
                              60 + 3 * n, "%d in sentitems" % n)
            s = dm.sample()
        finally:
            dm.stop()
        return self.pacing_result(st, delay_ms, t, s)

    def run_pacing(self):
        why = self.emulator_ok()
        if why:
            self.rows.append(("**Send pacing** on the AT emulator", "not measured", "",
                              "the emulator is not ready: %s" % why))
            log("pacing: skipped (%s)" % why)
            return
        n = env_int("BENCH_PACING_N", 200)
        delay = env_int("BENCH_DELAY_MS", 100)
        runs = max(1, env_int("BENCH_PACING_RUNS", 1))
        k = 10
        log("pacing: libGammu alone, %d sends at delay 0 and at %d ms" % (k, delay))
        p0, g0 = self.floor_send(0, k)
        pd, gd = self.floor_send(delay, k)
        bound = n * (delay / 1000.0 + p0)
        tl = []
        for r in range(runs):
            log("pacing %d/%d: tiplined, %d queued replies (≈%.0f s)" % (r + 1, runs, n, bound))
            tl.append(self.pacing_tipline(n, delay))
        sm = {}
        for ls in [int(x) for x in os.environ.get("BENCH_SMSD_PACING_LOOPSLEEP", "0").split()]:
            sm[ls] = []
            for r in range(runs):
                log("pacing %d/%d: gammu-smsd LoopSleep = %d, %d messages" % (r + 1, runs, ls,
                                                                              n))
                sm[ls].append(self.pacing_smsd(n, delay, ls))
        tt = statistics.median(x["time"] for x in tl)
        floor_n = n * pd

        def cell(v):
            m = statistics.median(x["time"] for x in v)
            return "%s = **%.2f×** bound, %.2f× libGammu alone" % (
                fmt_s([x["time"] for x in v], digits=1), m / bound, m / floor_n)

        self.rows.append(("**Send pacing**: %d queued replies, emulator delay %d ms per "
                          "AT+CMGS, from daemon start to all sent; bound = %d × (%d ms + "
                          "libGammu's %.0f ms per part at delay 0) = %.0f s"
                          % (n, delay, n, delay, p0 * 1000, bound),
                          cell(tl),
                          "<br>".join("LoopSleep %d: %s" % (ls, cell(v)) for ls, v in sm.items()),
                          "libGammu alone (bench_floor) at %d ms: %.0f ms per part, %.1f s for "
                          "%d: the delay overlaps the driver's own 100 ms wait after Ctrl-Z"
                          % (delay, pd * 1000, floor_n, n)))
        self.rows.append(("Mean idle gap between sends (modem's +CMGS answer → next AT+CMGS)",
                          "%.0f ms" % (statistics.mean(x["gap"] for x in tl) * 1000),
                          "<br>".join("LoopSleep %d: %.0f ms" % (
                              ls, statistics.mean(x["gap"] for x in v) * 1000)
                              for ls, v in sm.items()),
                          "libGammu alone: %.0f ms" % (gd * 1000)))
        self.rows.append(("Daemon CPU and inbox polls (AT+CPMS/AT+CMGL) while sending %d" % n,
                          "%.1f s, %s polls" % (statistics.median(x["cpu"] for x in tl),
                                                fmt_n(statistics.median(x["polls"] for x in tl))),
                          "<br>".join("LoopSleep %d: %.1f s, %s polls" % (
                              ls, statistics.median(x["cpu"] for x in v),
                              fmt_n(statistics.median(x["polls"] for x in v)))
                              for ls, v in sm.items()), ""))
        self.targets.append(("Send pacing within 10%% of the bound (%d × (delay + libGammu "
                             "per part))" % n, "%.2f× bound" % (tt / bound), tt <= 1.1 * bound))

    # --- 6. latency and idle cost against the peers (issue 25) ----------------------------
    def emu_dir(self, d, delay_ms=0, args=""):
        """An emulator state directory under D; returns (state, proxyat command)."""
        st = os.path.join(d, "modem")
        os.makedirs(os.path.join(st, "inbox"))
        if delay_ms:
            with open(os.path.join(st, "faults.json"), "w") as f:
                json.dump({"delay_cmgs_ms": delay_ms}, f)
        return st, "%s %s --state %s%s" % (sys.executable, EMULATOR, st, args)

    def pty(self, d, st, name="pty"):
        """The emulator on state ST behind a socat pty (the serial code path); its link."""
        link = os.path.join(d, name)
        p = subprocess.Popen(["timeout", "-s", "KILL", "7200", "socat",
                              "PTY,link=%s,raw,echo=0" % link,
                              "EXEC:%s %s --state %s" % (sys.executable, EMULATOR, st)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        self.ptys.append(p)
        deadline = time.monotonic() + 10
        while not os.path.exists(link):
            if time.monotonic() > deadline or p.poll() is not None:
                raise BenchError("socat did not make %s" % link)
            time.sleep(POLL)
        return link

    def close_ptys(self):
        for p in self.ptys:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            p.wait()
        self.ptys = []

    def smstools_conf(self, d, links, handler=None):
        """smstools3's configuration: the issue's tuned settings, one device per pty."""
        for sub in ("outgoing", "checked", "incoming", "failed", "sent"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        conf = os.path.join(d, "smsd.conf")
        names = ["GSM%d" % (i + 1) for i in range(len(links))]
        with open(conf, "w") as f:
            f.write("devices = %s\n" % ",".join(names))
            for sub in ("outgoing", "checked", "incoming", "failed", "sent"):
                f.write("%s = %s/%s\n" % (sub, d, sub))
            f.write("logfile = %s/smsd.log\nloglevel = 5\ninfofile = %s/smsd.working\n"
                    "pidfile = %s/smsd.pid\ndelaytime = 1\ndelaytime_mainprocess = 1\n"
                    "trust_outgoing = yes\n" % (d, d, d))
            if handler:
                f.write("eventhandler = %s\n" % handler)
            for name, link in zip(names, links):
                f.write("\n[%s]\ndevice = %s\nincoming = yes\nbaudrate = 115200\n"
                        "detect_unexpected_input = no\ncheck_memory_method = 31\n"
                        % (name, link))
        return conf

    @staticmethod
    def stamped(st):
        """[(unix time, command)] of the emulator's commands.log (its own lines left out)."""
        out = []
        try:
            with open(os.path.join(st, "commands.log"), errors="replace") as f:
                for line in f:
                    t, _, cmd = line.rstrip("\n").partition("\t")
                    if cmd and not cmd.startswith(("PDU ", "LOST ", "ESC")):
                        try:
                            out.append((float(t), cmd))
                        except ValueError:
                            pass
        except FileNotFoundError:
            pass
        return out

    @staticmethod
    def tree_cpu(pid, skip=("python", "socat")):
        """CPU seconds of PID and its descendants, emulators and ptys left out."""
        total, todo = 0.0, [pid]
        while todo:
            p = todo.pop()
            todo.extend(_children(p))
            try:
                with open("/proc/%d/comm" % p) as f:
                    if f.read().strip().startswith(skip):
                        continue
            except OSError:
                continue
            s = _proc_sample(p)
            if s:
                total += s[0]
        return total

    def latency_daemon(self, kind, d, st, dev):
        """Start KIND (tipline, smsd1, smsd0, smstools) answering every message on the
        emulator ST (DEV: its proxyat command). Returns the Daemon."""
        text = "Da ghi nhan tin bao. Cam on ban."
        if kind == "tipline":
            conf = self.tipline_conf(d, 'device = "%s"; connection = "proxyat"; model = "at";'
                                     % dev, replies=True)  # poll_interval: the default
            return Daemon([self.tiplined, "-c", conf], os.path.join(d, "tiplined.log"), cwd=d,
                          hard=3600)
        if kind.startswith("smsd"):
            self.smsd_db(d)
            reply = os.path.join(d, "reply.py")
            with open(reply, "w") as f:
                # RunOnReceive: the reply into gammu-smsd's outbox, as an application would.
                f.write("import os, sqlite3, sys\n"
                        "con = sqlite3.connect(sys.argv[1], timeout=30)\n"
                        "con.execute(\"INSERT INTO outbox (DestinationNumber, TextDecoded, "
                        "CreatorID, Coding) VALUES (?, ?, 'bench', 'Default_No_Compression')\", "
                        "(os.environ['SMS_1_NUMBER'], %r))\n"
                        "con.commit()\n" % text)
            rc = self.smsdrc(d, "model = at\nconnection = proxyat\ndevice = %s" % dev,
                             int(kind[-1]), extra="RunOnReceive = %s %s %s/smsd.db\n"
                             % (sys.executable, reply, d))
            return Daemon(["gammu-smsd", "-c", rc], os.path.join(d, "gammu-smsd.out"), cwd=d,
                          hard=3600)
        link = self.pty(d, st)
        handler = os.path.join(d, "handler.sh")
        with open(handler, "w") as f:
            f.write("#!/bin/sh\n# smstools3's eventhandler: the reply into outgoing, by rename\n"
                    "[ \"$1\" = RECEIVED ] || exit 0\n"
                    "from=$(sed -n 's/^From: //p' \"$2\" | head -n 1)\n"
                    "tmp=$(mktemp \"%s/outgoing/.r.XXXXXX\")\n"
                    "printf 'To: %%s\\n\\n%s\\n' \"$from\" >\"$tmp\"\n"
                    "mv \"$tmp\" \"%s/outgoing/reply.$$\"\n" % (d, text, d))
        os.chmod(handler, 0o755)
        conf = self.smstools_conf(d, [link], handler)
        return Daemon(["smsd", "-t", "-c", conf], os.path.join(d, "smsd.out"), cwd=d,
                      hard=3600)

    def latency_peer(self, kind, k, idle_s):
        """One peer: idle AT commands and CPU over IDLE_S seconds, then K messages one at a
        time, each at a random moment, timed from its landing on the SIM to the AT+CMGS of
        its reply."""
        import random
        d = self.path("latency-" + kind)
        st, dev = self.emu_dir(d)
        sent_log = os.path.join(st, "sent.log")
        m = mkpdu_module()
        dm = self.latency_daemon(kind, d, st, dev)
        try:
            dm.wait_until(lambda: any(c.startswith(("AT+CMGL", "AT+CPMS=")) for _, c in
                                      self.stamped(st)), 120, "its first look at the SIM")
            t_ready = time.time() + 2
            dm.wait_until(lambda: time.time() >= t_ready, 10, "2 s of settling")
            pid = dm.daemon_pid()
            c0, t0 = self.tree_cpu(pid), time.time()
            dm.wait_until(lambda: time.time() >= t0 + idle_s, idle_s + 30,
                          "the %d s idle window" % idle_s)
            c1, t1 = self.tree_cpu(pid), time.time()
            cmds = sum(1 for t, _ in self.stamped(st) if t0 <= t < t1)
            rng = random.Random(25)
            lat = []
            for i in range(k):
                pause = time.time() + rng.uniform(0.3, 1.3)
                dm.wait_until(lambda: time.time() >= pause, 5, "a random moment")
                pdu = m.split_deliver("TIN chay nha so %d" % i, "+8498711%04d" % i, None)[0]
                m.drop_into_inbox(st, pdu)
                t = time.time()
                dm.wait_until(lambda: count_lines(sent_log) >= i + 1, 60,
                              "the reply to message %d" % (i + 1))
                cm = [x for x, c in self.stamped(st) if x >= t and c.startswith("AT+CMGS=")]
                lat.append(cm[0] - t)
        finally:
            dm.stop()
            self.close_ptys()
        return {"lat": lat, "cmds_min": cmds * 60.0 / (t1 - t0),
                "cpu_min": (c1 - c0) * 60.0 / (t1 - t0)}

    def run_latency(self):
        why = self.emulator_ok()
        if why:
            self.notes.append("Latency not measured: %s." % why)
            return
        k = env_int("BENCH_LATENCY_N", 20)
        idle_s = env_int("BENCH_IDLE_S", 60)
        peers = [("tipline", "tipline"), ("smsd1", "gammu-smsd LoopSleep 1"),
                 ("smsd0", "gammu-smsd LoopSleep 0"), ("smstools", "smstools3 tuned")]
        res = {}
        for kind, name in peers:
            need = {"smsd1": "gammu-smsd", "smsd0": "gammu-smsd", "smstools": "smsd"}.get(kind)
            if need and not shutil.which(need):
                res[kind] = "%s is not installed (scripts/deps.sh bench)" % need
                continue
            if kind == "smstools" and not shutil.which("socat"):
                res[kind] = "socat is not installed"
                continue
            log("latency: %s, %d s idle then %d messages" % (name, idle_s, k))
            res[kind] = self.latency_peer(kind, k, idle_s)
        out = ["### Instant receive: latency and idle cost (issue 25)", "",
               "One message at a time at a random moment on the AT emulator (%d each), timed "
               "from its landing on the SIM to the AT+CMGS of its reply; then the AT commands "
               "and daemon CPU over %d idle seconds, per minute. tipline with its defaults "
               "(announcements, poll 30 s) through `proxyat`; gammu-smsd through `proxyat`, "
               "replying from RunOnReceive; smstools3 (`delaytime = 1`, "
               "`delaytime_mainprocess = 1`, `trust_outgoing = yes`, "
               "`detect_unexpected_input = no`, `check_memory_method = 31`) on a socat pty, "
               "replying from its eventhandler." % (k, idle_s), "",
               "| | " + " | ".join(n for _, n in peers) + " |",
               "|---" * (len(peers) + 1) + "|"]

        def cells(fn):
            return " | ".join(fn(res[kind]) if isinstance(res[kind], dict) else res[kind]
                              for kind, _ in peers)
        out.append("| arrival → reply's AT+CMGS, median / max | " + cells(
            lambda r: "%.3f / %.3f s" % (statistics.median(r["lat"]), max(r["lat"]))) + " |")
        out.append("| AT commands per idle minute | " + cells(
            lambda r: fmt_n(r["cmds_min"])) + " |")
        out.append("| daemon CPU per idle minute | " + cells(
            lambda r: "%.2f s" % r["cpu_min"]) + " |")
        self.tables.append("\n".join(out))
        t = res["tipline"]
        med, mx = statistics.median(t["lat"]), max(t["lat"])
        self.targets.append(("Instant receive (issue 25): arrival → AT+CMGS median ≤ 0.05 s, "
                             "max ≤ 0.2 s", "%.3f / %.3f s" % (med, mx),
                             med <= 0.05 and mx <= 0.2))
        self.targets.append(("At most 60 AT commands per idle minute (issue 25)",
                             fmt_n(t["cmds_min"]), t["cmds_min"] <= 60))

    # --- 7. broadcast throughput on N modems (issue 25) -----------------------------------
    def bcast_tipline(self, ndev, n, delay_ms):
        d = self.path("bcast-tipline-%d" % ndev)
        devs = [self.emu_dir(os.path.join(d, "m%d" % (i + 1)), delay_ms) for i in range(ndev)]
        conf = os.path.join(d, "tipline.conf")
        with open(conf, "w") as f:
            if ndev == 1:
                f.write('modem: { device = "%s"; connection = "proxyat"; model = "at"; };\n'
                        % devs[0][1])
            else:  # the several-modems syntax of issue 25
                f.write("modems = (\n%s\n);\n" % ",\n".join(
                    '  { name = "m%d"; device = "%s"; connection = "proxyat"; model = "at"; }'
                    % (i + 1, dev) for i, (_, dev) in enumerate(devs)))
            f.write('database: { path = "%s/tipline.db"; busy_timeout = 5000; };\n' % d)
            f.write('log: { level = "warn"; };\nreplies: { enabled = false; };\n')
        p = subprocess.run([self.tiplined, "-n", "-c", conf], capture_output=True, text=True)
        if p.returncode != 0:
            return "not measured: this tiplined drives one modem (%s)" % (
                p.stderr.strip().splitlines()[0].split(": ", 1)[-1][:60])
        subprocess.run([self.tipline, "-c", conf, "outbox"], cwd=d, check=True,
                       capture_output=True)  # creates the schema
        db = os.path.join(d, "tipline.db")
        con = sqlite3.connect(db)
        now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60))
        con.executemany("INSERT INTO outbox (recipient, text, status, priority, kind, "
                        "created_at, not_before, updated_at) VALUES (?, ?, 'queued', 10, "
                        "'broadcast', ?, ?, ?)",
                        [("+8491%07d" % (3000000 + i), pacing_text(i), now, now, now)
                         for i in range(n)])
        con.commit()
        con.close()
        dm = Daemon([self.tiplined, "-c", conf], os.path.join(d, "tiplined.log"), cwd=d,
                    hard=600 + 4 * n)
        try:
            t = dm.wait_until(lambda: sum(count_lines(os.path.join(st, "sent.log"))
                                          for st, _ in devs) >= n, 300 + 4 * n, "%d sent" % n)
        finally:
            dm.stop()
        return self.bcast_result([st for st, _ in devs], delay_ms, t, n)

    def bcast_smstools(self, ndev, n, delay_ms):
        d = self.path("bcast-smstools-%d" % ndev)
        sts = [self.emu_dir(os.path.join(d, "m%d" % (i + 1)), delay_ms)[0] for i in range(ndev)]
        try:
            links = [self.pty(d, st, "pty%d" % (i + 1)) for i, st in enumerate(sts)]
            conf = self.smstools_conf(d, links)
            out = os.path.join(d, "outgoing")
            for i in range(n):
                tmp = os.path.join(out, ".b%d" % i)
                with open(tmp, "w") as f:
                    f.write("To: 8491%07d\n\n%s\n" % (3000000 + i, pacing_text(i)))
                os.rename(tmp, os.path.join(out, "b%04d" % i))
            dm = Daemon(["smsd", "-t", "-c", conf], os.path.join(d, "smsd.out"), cwd=d,
                        hard=600 + 4 * n)
            try:
                t = dm.wait_until(lambda: sum(count_lines(os.path.join(st, "sent.log"))
                                              for st in sts) >= n, 300 + 4 * n,
                                  "%d sent" % n)
            finally:
                dm.stop()
        finally:
            self.close_ptys()
        return self.bcast_result(sts, delay_ms, t, n)

    def bcast_result(self, states, delay_ms, t, n):
        """Time from daemon start to all sent, parts per minute over the sending span, and the
        per-part time above the submit delay (each modem's span over its parts, averaged)."""
        spans, over = [], []
        for st in states:
            first, last, gap, sends = self.send_gaps(st, delay_ms)
            if sends:
                spans.append((first, last))
                over.append((last - first) / sends - delay_ms / 1000.0)
        span = max(b for _, b in spans) - min(a for a, _ in spans)
        return {"time": t, "rate": n * 60.0 / span, "over": statistics.mean(over),
                "split": [count_lines(os.path.join(st, "sent.log")) for st in states]}

    def cmms_floor(self, delay_ms, k):
        """libGammu alone: K three-part messages, without and with GSM_SetFastSMSSending
        (AT+CMMS=2 around each message's parts): seconds per part above the delay."""
        floor = self.build_floor()
        out = {}
        for fast in (0, 1):
            d = self.path("cmms-%d" % fast)
            st, dev = self.emu_dir(d, delay_ms)
            p = subprocess.run(["timeout", "-s", "KILL", str(120 + 15 * k), floor, "sendmulti",
                                dev, str(k), str(fast)], capture_output=True, text=True,
                               start_new_session=True)
            if p.returncode != 0:
                raise BenchError("bench_floor sendmulti: %s" % p.stderr.strip())
            parts, total, per = p.stdout.split()
            cmms = sum(1 for _, c in self.stamped(st) if c.startswith("AT+CMMS"))
            out[fast] = (float(per) - delay_ms / 1000.0, int(parts), cmms)
        return out

    def run_broadcast(self):
        why = self.emulator_ok()
        if why:
            self.notes.append("Broadcast throughput not measured: %s." % why)
            return
        n = env_int("BENCH_BCAST_N", 200)
        delay = env_int("BENCH_BCAST_DELAY_MS", 2000)
        modems = [int(x) for x in os.environ.get("BENCH_BCAST_MODEMS", "1 2 3").split()]
        rows = []
        one = {}
        for nd in modems:
            cells = []
            for name, fn in (("tipline", self.bcast_tipline), ("smstools3", self.bcast_smstools)):
                if name == "smstools3" and not (shutil.which("smsd") and shutil.which("socat")):
                    cells.append("smstools3 or socat is not installed")
                    continue
                log("broadcast: %s, %d recipients on %d modem(s), %d ms per part"
                    % (name, n, nd, delay))
                r = fn(nd, n, delay)
                if isinstance(r, str):
                    cells.append(r)
                    continue
                if nd == 1:
                    one[name] = r["rate"]
                scale = (" = %.2f× its 1-modem rate" % (r["rate"] / one[name])
                         if nd > 1 and name in one else "")
                cells.append("%.0f s; %.1f parts/min%s; **%.0f ms** per part above the delay%s"
                             % (r["time"], r["rate"], scale, r["over"] * 1000,
                                "; split %s" % "/".join(map(str, r["split"])) if nd > 1 else ""))
                if name == "tipline" and nd > 1 and "tipline" in one:
                    self.targets.append(("Broadcast on %d modems ≥ %.1f× the one-modem rate "
                                         "(issue 25)" % (nd, 0.9 * nd),
                                         "%.2f×" % (r["rate"] / one["tipline"]),
                                         r["rate"] >= 0.9 * nd * one["tipline"]))
            rows.append("| %d modem%s | %s |" % (nd, "s" if nd > 1 else "", " | ".join(cells)))
        k = env_int("BENCH_CMMS_K", 4)
        log("broadcast: libGammu alone, %d three-part messages without and with AT+CMMS" % k)
        cm = self.cmms_floor(delay, k)
        out = ["### Broadcast throughput (issue 25)", "",
               "%d recipients, one part each, queued before the daemon starts; the emulator "
               "holds each AT+CMGS %d ms (a real network takes 3–10 s). Time from daemon start "
               "to the last part taken; parts per minute over the sending span; time per part "
               "above the submit delay, from the emulator's log. smstools3 as tuned above, one "
               "socat pty per modem." % (n, delay), "",
               "| | tipline | smstools3 |", "|---|---|---|"] + rows
        out += ["", "Multipart (libGammu alone, `scripts/bench_floor.c`, %d messages of 3 parts "
                "at %d ms): %.0f ms per part above the delay without `GSM_SetFastSMSSending`, "
                "%.0f ms with it (%d AT+CMMS commands seen). libGammu 1.42 sleeps 0.1 + 0.5 + "
                "0.1 s around every part whether or not the link is kept (`ATGEN_SendSMS`), "
                "and the emulator's delay does not model the relay link AT+CMMS keeps: on a "
                "real network it saves only the link set-up between the parts of one message."
                % (k, delay, cm[0][0] * 1000, cm[1][0] * 1000, cm[1][2])]
        self.tables.append("\n".join(out))

    # --- USSD menu step latency (issue 12) -------------------------------------------------
    def run_ussd(self):
        """1,000 steps of the USSD menu, one after another as an aggregator sends them, to
        `tipline serve` while tiplined sends 100 queued replies on the AT emulator (delay per
        AT+CMGS as in pacing): the latency of each step from request to answer."""
        why = self.emulator_ok()
        if why:
            self.rows.append(("**USSD step latency**", "not measured", "",
                              "the emulator is not ready: %s" % why))
            log("ussd: skipped (%s)" % why)
            return
        import urllib.parse
        import urllib.request
        n_steps = env_int("BENCH_USSD_STEPS", 1000)
        n_replies = env_int("BENCH_USSD_REPLIES", 100)
        delay = env_int("BENCH_DELAY_MS", 100)
        d = self.path("ussd")
        st, dev = self.emulator_state(d, delay)
        # sms_ack off: the daemon's load stays the 100 replies, not a copy per tip.
        conf = self.tipline_conf(d, 'device = "%s"; connection = "proxyat"; model = "at"; '
                                    'poll_interval = 0.05;' % dev,
                                 extra='ussd: { secret = "bench"; sms_ack = false; '
                                       'max_per_hour = 100000; max_sessions = 100000; };\n')
        db = self.queue_replies(d, conf, n_replies, 3000000)
        sent_log = os.path.join(st, "sent.log")
        serve_log = os.path.join(d, "serve.log")
        srv = Daemon([self.tipline, "-c", conf, "serve", "--listen", "127.0.0.1:0"], serve_log,
                     cwd=d, hard=600)
        dm = None
        lat = []
        try:
            def listening():
                with open(serve_log, errors="replace") as f:
                    for line in f:
                        if line.startswith("tipline serve: listening on "):
                            return line.split()[4]
                return None
            srv.wait_until(lambda: listening() is not None, 30, "tipline serve listening")
            url = "http://%s/ussd?key=bench" % listening()
            dm = Daemon([self.tiplined, "-c", conf], os.path.join(d, "tiplined.log"), cwd=d,
                        hard=120 + 3 * n_replies)
            dm.wait_until(lambda: count_lines(sent_log) >= 1, 60, "the first reply sent")
            inputs = ["", "1", "1*6", "1*6*co nguoi la o cau thon 3", "1*6*co nguoi la o cau "
                      "thon 3*1"]
            sent0 = count_lines(sent_log)
            t_steps = time.monotonic()
            log("ussd: %d steps while tiplined sends %d replies (%d sent so far)"
                % (n_steps, n_replies, sent0))
            for i in range(n_steps):
                body = urllib.parse.urlencode({
                    "sessionId": "bench-%d" % (i // len(inputs)), "serviceCode": "*123#",
                    "phoneNumber": "+8498%07d" % (i // len(inputs)), "networkCode": "45204",
                    "text": inputs[i % len(inputs)]}).encode()
                req = urllib.request.Request(url, data=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded"})
                t0 = time.perf_counter()
                with urllib.request.urlopen(req, timeout=30) as r:
                    ans = r.read()
                lat.append(time.perf_counter() - t0)
                if r.status != 200 or not (ans.startswith(b"CON ") or ans.startswith(b"END ")):
                    raise BenchError("ussd step %d: %d %r" % (i, r.status, ans))
            sent1 = count_lines(sent_log)
            t_steps = time.monotonic() - t_steps
            busy = count_lines(sent_log) < n_replies  # still sending after the last step
            tips = db_scalar(db, "SELECT count(*) FROM tips WHERE channel = 'ussd'")
            if tips != n_steps // len(inputs):
                raise BenchError("ussd: %s tips stored, want %d" % (tips, n_steps // len(inputs)))
            dm.wait_until(lambda: count_lines(sent_log) >= n_replies, 60 + 3 * n_replies,
                          "%d replies sent" % n_replies)
        finally:
            if dm is not None:
                dm.stop()
            srv.stop()
        xs = sorted(lat)
        med = statistics.median(xs) * 1000
        p99 = xs[min(len(xs) - 1, int(round(0.99 * len(xs))) - 1)] * 1000
        self.rows.append(("**USSD step latency**: %s steps (%d sessions of %d, each a tip) to "
                          "`tipline serve`, one after another, while tiplined sends %d replies "
                          "on the AT emulator (delay %d ms per AT+CMGS)"
                          % (fmt_n(n_steps), n_steps // len(inputs), len(inputs), n_replies,
                             delay),
                          "median %.1f ms, p99 %.1f ms, max %.1f ms" % (med, p99, xs[-1] * 1000),
                          "", "the steps took %.1f s; the daemon had sent %d of the %d replies "
                          "before the first step, %d during the steps, and was %s after the last"
                          % (t_steps, sent0, n_replies, sent1 - sent0,
                             "still sending" if busy else "done (the load did not cover them "
                             "all)")))
        self.targets.append(("USSD step p99 under 200 ms while the daemon sends (issue 12)",
                             "%.1f ms" % p99, p99 < 200))

    # --- the officers' console (issue 23) -------------------------------------------------
    def run_console(self):
        """Server time per console page on a year of data (build/tools/bench_year), asked over
        loopback with plain HTTP on one kept-alive connection (request sent → answer read):
        the overview, the tip list (filters and pages), a tip's page (issue 23: p99 ≤ 50 ms);
        then the USSD step's latency to `tipline serve` on the same database while 10 officers
        (10 processes) browse the console as fast as it answers (p99 < 200 ms)."""
        import http.client
        import multiprocessing
        import random
        import urllib.parse
        d = self.path("console")
        db = os.path.join(d, "tipline.db")
        maker = os.path.join(self.build, "tools", "bench_year")
        if not os.access(maker, os.X_OK):
            raise BenchError("%s is missing: run make first" % maker)
        log("console: making a year of data")
        p = subprocess.run([maker, db], capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise BenchError("bench_year: %s" % p.stderr.strip()[-500:])
        made = json.loads(p.stdout)
        conf = os.path.join(d, "tipline.conf")
        with open(conf, "w") as f:
            f.write('modem: { device = "%s/modem"; connection = "none"; model = "dummy"; };\n' % d)
            f.write('database: { path = "%s"; };\n' % db)
            f.write('console: { listen = "127.0.0.1:0"; tls = false; };\n')
            f.write('http: { max_connections = 200; max_per_client = 100; };\n')
            f.write('ussd: { secret = "bench"; sms_ack = false; max_per_hour = 100000; '
                    'max_sessions = 100000; };\n')
        officer, pw = "+84912000001", "mat khau bench"
        for argv, stdin in ((["contact", "add", officer, "--name", "Bench", "--role", "officer"],
                             None),
                            (["passwd", officer, "--admin"], ("%s\n%s\n" % (pw, pw)).encode())):
            r = subprocess.run([self.tipline, "-c", conf] + argv, input=stdin,
                               capture_output=True, cwd=d)
            if r.returncode != 0:
                raise BenchError("tipline %s: %s" % (argv[0], r.stderr.decode(errors="replace")))
        con_log = os.path.join(d, "console.log")
        con = Daemon([self.tipline, "-c", conf, "console"], con_log, cwd=d, hard=1800)
        srv = None
        try:
            def listening(path, prefix):
                with open(path, errors="replace") as f:
                    for line in f:
                        m = re.match(re.escape(prefix) + r" on (?:https?://)?([0-9.]+:\d+)", line)
                        if m:
                            return m.group(1)
                return None
            con.wait_until(lambda: listening(con_log, "tipline console: listening") is not None,
                           30, "tipline console listening")
            host, port = listening(con_log, "tipline console: listening").rsplit(":", 1)
            addr = (host, int(port))
            cookie = console_login(addr, officer, pw)
            today = datetime.date.today()
            m0 = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
            m1 = today.replace(day=1) - datetime.timedelta(days=1)
            pages = made["tips"] // 50
            lists = ["/tips", "/tips?status=new", "/tips?status=valuable", "/tips?category=theft",
                     "/tips?village=3", "/tips?q=message+1234", "/tips?q=khong+co+dau",
                     "/tips?since=%s&until=%s" % (m0.isoformat(), m1.isoformat()),
                     "/tips?status=checking&village=5&category=drugs",
                     "/tips?page=10", "/tips?page=%d" % (pages // 2), "/tips?page=%d" % pages,
                     "/tips?status=new&page=%d" % (pages * 9 // 10),
                     "/tips?q=thon+3&page=50"]
            refs = ["T%d" % random.Random(i).randint(1, made["tips"]) for i in range(100)]
            runs = max(self.runs, 3) * 10
            c = http.client.HTTPConnection(*addr, timeout=60)
            res = {}

            cpu = {}

            def measure(group, path, n):
                # The console's own CPU time too (/proc): what the page costs whatever the load.
                c0 = con.sample()[0]
                for _ in range(n):
                    t, st = timed_get(c, path, cookie)
                    if st != 200:
                        raise BenchError("console %s: HTTP %d" % (path, st))
                    res.setdefault(group, []).append((t, path))
                cpu.setdefault(group, []).append((con.sample()[0] - c0, n))
            measure("warm", "/", 3)
            for path in lists:
                measure("warm", path, 1)
            log("console: the pages, %d times each" % runs)
            measure("overview", "/", runs)
            for path in lists:
                measure("list", path, runs)
            for ref in refs:
                measure("tip", "/tips/" + ref, max(1, runs // 10))
            measure("live", "/tips/live?limit=50&after=%d" % made["tips"], runs)
            c.close()
            # The USSD steps while 10 officers browse.
            serve_log = os.path.join(d, "serve.log")
            srv = Daemon([self.tipline, "-c", conf, "serve", "--listen", "127.0.0.1:0"],
                         serve_log, cwd=d, hard=1200)
            srv.wait_until(lambda: listening(serve_log, "tipline serve: listening") is not None,
                           30, "tipline serve listening")
            surl = listening(serve_log, "tipline serve: listening")
            shost, sport = surl.rsplit(":", 1)
            stop = multiprocessing.Event()
            counts = multiprocessing.Queue()
            browse = ["/", "/tips"] + lists + ["/tips/" + r for r in refs[:20]] + ["/patrols"]
            officers = [multiprocessing.Process(target=console_browser,
                                                args=(addr, cookie, browse, stop, counts, i))
                        for i in range(10)]
            for o in officers:
                o.start()
            n_steps = env_int("BENCH_USSD_STEPS", 1000)
            inputs = ["", "1", "1*6", "1*6*co nguoi la o cau thon 3", "1*6*co nguoi la o cau "
                      "thon 3*1"]
            lat = []
            log("console: %d USSD steps while 10 officers browse" % n_steps)
            time.sleep(1)  # the officers logged in and browsing
            sc = http.client.HTTPConnection(shost, int(sport), timeout=60)
            t_steps = time.monotonic()
            try:
                for i in range(n_steps):
                    body = urllib.parse.urlencode({
                        "sessionId": "bc-%d" % (i // len(inputs)), "serviceCode": "*123#",
                        "phoneNumber": "+8497%07d" % (i // len(inputs)), "networkCode": "45204",
                        "text": inputs[i % len(inputs)]})
                    t0 = time.perf_counter()
                    sc.request("POST", "/ussd?key=bench", body=body, headers={
                        "Content-Type": "application/x-www-form-urlencoded"})
                    r = sc.getresponse()
                    ans = r.read()
                    lat.append(time.perf_counter() - t0)
                    if r.status != 200 or not (ans.startswith(b"CON ") or ans.startswith(b"END ")):
                        raise BenchError("ussd step %d: %d %r" % (i, r.status, ans))
                    if r.getheader("Connection", "").lower() == "close":
                        sc.close()
                        sc = http.client.HTTPConnection(shost, int(sport), timeout=60)
            finally:
                t_steps = time.monotonic() - t_steps
                stop.set()
                got = [counts.get(timeout=60) for _ in officers]
                for o in officers:
                    o.join(30)
                sc.close()
            tips = db_scalar(db, "SELECT count(*) FROM tips WHERE channel = 'ussd'")
            if tips != n_steps // len(inputs):
                raise BenchError("console: %s USSD tips stored, want %d" % (tips, n_steps // len(inputs)))
        finally:
            if srv is not None:
                srv.stop()
            con.stop()
        browsed = sum(g[0] for g in got)
        errors = sum(g[1] for g in got)
        busy = sum(g[2] for g in got)
        bt = sorted(t for g in got for t in g[3])

        def p99(xs):
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(round(0.99 * len(xs))) - 1)] * 1000

        def med(xs):
            return statistics.median(xs) * 1000
        rows, targets = self.console_rows, self.console_targets
        rows.append(("**Console pages** on a year (%s inbox rows, %s tips; tests/tools/bench_year.c), "
                     "`tipline console` with plain HTTP on loopback, one kept-alive connection, "
                     "request sent → answer read (and the console's CPU time per page, from /proc: "
                     "clock ticks of 10 ms, a mean)" % (fmt_n(made["inbox"]), fmt_n(made["tips"])),
                     "", ""))
        for group, name in (("overview", "Tổng quan (overview: the new tips, the month against "
                             "the previous as the report counts them, patrols, status)"),
                            ("list", "Tin báo (tip list): %d requests of each of %d lists (filters "
                             "by status, category, village, text, dates; pages 1, 10, %d, %d)"
                             % (runs, len(lists), pages // 2, pages)),
                            ("tip", "A tip's page: %d tips drawn at random, %d times each"
                             % (len(refs), max(1, runs // 10))),
                            ("live", "The list's live ask (/tips/live, every 5 s per open list), "
                             "nothing new")):
            xs = [t for t, _ in res[group]]
            worst = ""
            if group == "list":
                by = {}
                for t, path in res[group]:
                    by.setdefault(path, []).append(t)
                slow = max(by, key=lambda k: p99(by[k]))
                worst = "slowest list: `%s` p99 %.1f ms" % (slow, p99(by[slow]))
            spent = sum(x for x, _ in cpu[group]) * 1000 / sum(k for _, k in cpu[group])
            rows.append((name, "median %.1f ms, p99 %.1f ms, max %.1f ms; CPU %.1f ms per page"
                         % (med(xs), p99(xs), max(xs) * 1000, spent), worst))
            if group != "live":
                targets.append(("%s p99 ≤ 50 ms on a year (issue 23)" % name.split(" (")[0].split(":")[0],
                                "%.1f ms (CPU %.1f ms per page; load average %.1f)"
                                % (p99(xs), spent, os.getloadavg()[0]), p99(xs) <= 50))
        rows.append(("**USSD step latency** while 10 officers browse: %s steps (%d sessions of "
                     "%d, each a tip) to `tipline serve`, one after another, on the same year's "
                     "database" % (fmt_n(n_steps), n_steps // len(inputs), len(inputs)),
                     "median %.1f ms, p99 %.1f ms, max %.1f ms" % (med(lat), p99(lat), max(lat) * 1000),
                     "the steps took %.1f s; the 10 officers were answered %s pages meanwhile "
                     "(median %.1f ms, p99 %.1f ms), %d errors, %d busy (503)"
                     % (t_steps, fmt_n(browsed), med(bt) if bt else 0, p99(bt) if bt else 0,
                        errors, busy)))
        targets.append(("USSD step p99 < 200 ms while 10 officers browse (issue 23)",
                        "%.1f ms" % p99(lat), p99(lat) < 200 and errors == 0 and busy == 0))

    def console_table(self):
        out = ["Measured %s UTC on %s (load average %.1f at the start, %.1f at the end); "
               "tipline %s." % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), self.machine(),
                                self.load0, os.getloadavg()[0], self.revision()), "",
               "| measure | tipline | note |", "|---|---|---|"]
        for r in self.console_rows:
            out.append("| " + " | ".join(x.replace("|", "\\|") for x in r) + " |")
        out += ["", "| target | measured | |", "|---|---|---|"]
        for name, val, met in self.console_targets:
            out.append("| %s | %s | %s |" % (name, val, "met" if met else "**not met**"))
        return "\n".join(out) + "\n"

    # --- output ---------------------------------------------------------------------------
    def machine(self):
        cpu = "?"
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        return "%d CPUs (`nproc`), %s, Linux %s" % (os.cpu_count() or 0, cpu, platform.release())

    def versions(self):
        v = []
        for pkg in ("gammu-smsd", "libgammu-dev", "libsqlite3-0"):
            p = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                               text=True)
            if p.returncode == 0:
                v.append("%s %s" % (pkg, p.stdout.strip()))
        return ", ".join(v)

    @staticmethod
    def revision():
        rev = os.environ.get("BENCH_REV", "").strip()
        if rev:
            return rev
        p = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                           capture_output=True, text=True)
        return p.stdout.strip() if p.returncode == 0 else "unknown"

    def baseline_rev(self):
        try:
            with open(os.path.join(self.baseline, "REV")) as f:
                return f.read().strip()
        except OSError:
            return os.path.basename(self.baseline)

    def table(self):
        out = []
        out.append("Measured %s UTC on %s (load average %.1f at the start, %.1f at the end); "
                   "tipline %s; %s. N = %s, %d runs per timing (median, min–max)."
                   % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()), self.machine(),
                      self.load0, os.getloadavg()[0], self.revision(), self.versions(),
                      fmt_n(self.n), self.runs))
        out.append("")
        out.append("| measure | tipline | gammu-smsd | ratio / note |")
        out.append("|---|---|---|---|")
        for r in self.rows:
            out.append("| " + " | ".join(x.replace("|", "\\|") for x in r) + " |")
        if self.targets:
            out.append("")
            out.append("| target (issue 6 unless named) | measured | |")
            out.append("|---|---|---|")
            for name, val, met in self.targets:
                out.append("| %s | %s | %s |" % (name, val, "met" if met else "**not met**"))
        for t in self.tables:
            out.append("")
            out.append(t)
        notes = list(self.notes)
        if Daemon.listeners:
            notes.append("Listening sockets seen: %s." % ", ".join(
                "%s inode %s" % x for x in Daemon.listeners))
        else:
            notes.append("Neither daemon had a listening socket during the runs.")
        if notes:
            out.append("")
            for n in notes:
                out.append("- " + n)
        return "\n".join(out) + "\n"


def timed_get(c, path, cookie):
    """GET PATH on the kept-alive connection C: (seconds from request to whole answer, status)."""
    t0 = time.perf_counter()
    c.request("GET", path, headers={"Cookie": "tipline_session=" + cookie})
    r = c.getresponse()
    r.read()
    t = time.perf_counter() - t0
    if r.getheader("Connection", "").lower() == "close":
        c.close()
    return t, r.status


def console_login(addr, phone, password):
    import http.client
    import urllib.parse
    c = http.client.HTTPConnection(*addr, timeout=60)
    base = "http://%s:%d" % addr
    c.request("POST", "/login", body=urllib.parse.urlencode({"phone": phone, "password": password}),
              headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": base})
    r = c.getresponse()
    r.read()
    c.close()
    m = re.match(r"tipline_session=([0-9a-f]{64});", r.getheader("Set-Cookie") or "")
    if not m:
        raise BenchError("console login: HTTP %d, no session" % r.status)
    return m.group(1)


def console_browser(addr, cookie, paths, stop, counts, seed):
    """An officer browsing PATHS in turn as fast as the console answers, until STOP: puts
    (pages, errors, busy, [seconds]) on COUNTS."""
    import http.client
    n = errors = busy = 0
    ts = []
    c = http.client.HTTPConnection(*addr, timeout=60)
    i = seed
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        try:
            t, st = timed_get(c, path, cookie)
        except (OSError, http.client.HTTPException):
            errors += 1
            c.close()
            c = http.client.HTTPConnection(*addr, timeout=60)
            continue
        n += 1
        ts.append(t)
        if st == 503:
            busy += 1
        elif st != 200:
            errors += 1
    c.close()
    counts.put((n, errors, busy, ts))


def pacing_text(i):
    return "Da ghi nhan tin bao, ma so T%d. Cam on ban." % (i + 1)


def count_polls(state):
    """Inbox polls the emulator answered (AT+CPMS selecting a memory, AT+CMGL listing)."""
    n = 0
    with open(os.path.join(state, "commands.log"), errors="replace") as f:
        for line in f:
            if "\tAT+CPMS=" in line or "\tAT+CMGL" in line:
                n += 1
    return n


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


# modem.read_batch's default (src/config.c), which the bench's tipline config leaves as is.
READ_BATCH = 200


README_BEGIN = "<!-- bench:begin -->"
README_END = "<!-- bench:end -->"
README_HOW = """\
`make bench` (about 45 minutes) installs gammu-smsd, libdbd-sqlite3, smstools and socat if
missing, builds this tree and, in a temporary copy, the baseline revision (`BENCH_BASELINE`,
35f9777 unless set: main before the drain got slower, issue 20; empty: none), and runs
`scripts/bench.sh`, which prints this table and writes it to `build/bench.md`; with `--readme`
it also replaces this section of `docs/benchmark.md`. One measurement: `scripts/bench.sh drain`
(or `scale`, `memory`, `parser`, `cost`, `pacing`, `report`, `ussd`, `contacts`, `console`,
`district`, `latency`, `broadcast`; several may be given). `BENCH_N=5000` changes the drain
size, `BENCH_RUNS=5` the repetitions, `BENCH_SCALE_DISTINCT` ("2000 6000"), `BENCH_SCALE_ONE`
("2000 4000") and `BENCH_SCALE_RUNS` the drain by size (tips, each answered, with distinct SMSC
seconds and all in one second; the cost per message is the difference of the two distinct sizes'
times over their difference in messages, so the start-up cancels out), `BENCH_PACING_N`,
`BENCH_DELAY_MS` and `BENCH_SMSD_PACING_LOOPSLEEP="0 1"` the pacing run, `BENCH_USSD_STEPS`
(1000) and `BENCH_USSD_REPLIES` (100) the USSD step latency run, `BENCH_LATENCY_N` (20) and
`BENCH_IDLE_S` (60) the instant-receive latency run (`latency`: tipline, gammu-smsd `LoopSleep`
1 and 0 and smstools3 in one run), `BENCH_BCAST_N` (200), `BENCH_BCAST_DELAY_MS` (2000),
`BENCH_BCAST_MODEMS` ("1 2 3") and `BENCH_CMMS_K` (4) the broadcast throughput run (`broadcast`:
tipline and smstools3 on N emulated modems, and libGammu's `AT+CMMS` on multipart messages),
`BENCH_KEEP=1` keeps the temporary directories (configs, logs, databases). The baseline's
tiplined is drained alternately with this one (which goes first alternates too): on a shared
machine, read the ratios and the CPU figures before the absolute times, and the load average the
table gives. The peer is the Debian `gammu-smsd` binary on the same dummy phone (or the AT
emulator `tests/emulator/atmodem.py`) with its SQLite backend and its fastest settings
(`ReceiveFrequency = 0`, `LoopSleep = 1` and `0`, checks off), and for latency and broadcasts
the Debian `smstools` (smstools3) on a socat pty; the libGammu floor is `scripts/bench_floor.c`,
built at bench time.
"""


CONSOLE_BEGIN = "<!-- bench:console:begin -->"
CONSOLE_END = "<!-- bench:console:end -->"
CONSOLE_HOW = """\
`scripts/bench.sh console` (part of `make bench`; a few minutes) makes a year of data with
`tests/tools/bench_year.c`, gives an officer a password, runs `tipline console` on it with plain
HTTP on loopback and asks each page over one kept-alive connection (the time from the request
sent to the whole answer read: the server's time plus loopback); then runs `tipline serve` on the
same database and times the USSD steps (`BENCH_USSD_STEPS`, 1000) while 10 processes browse the
console as fast as it answers. `BENCH_BASELINE= scripts/bench.sh console --readme` (no baseline:
this part does not use one) replaces this section only.
"""


def update_readme(table, begin=README_BEGIN, end=README_END, how=README_HOW,
                  heading="## Benchmark"):
    """Paste TABLE into the benchmark's documentation (docs/benchmark.md; README.md links to
    it), between BEGIN and END (added under HEADING at the end if missing)."""
    path = os.path.join(ROOT, "docs", "benchmark.md")
    text = open(path, encoding="utf-8").read()
    if begin not in text:
        text = text.rstrip("\n") + "\n\n%s\n\n%s\n%s\n" % (heading, begin, end)
    a = text.index(begin) + len(begin)
    b = text.index(end, a)
    text = text[:a] + "\n" + how + "\n" + table + text[b:]
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


ALL = ("drain", "scale", "memory", "parser", "cost", "pacing", "report", "ussd", "contacts",
       "console", "district", "latency", "broadcast")


def mkpdu_module():
    """tests/emulator/mkpdu.py, imported on first use."""
    sys.path.insert(0, os.path.dirname(EMULATOR))
    import mkpdu
    return mkpdu


def main(argv):
    build = os.path.join(ROOT, "build")
    sel = []
    baseline = None
    readme = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--readme":
            readme = True
        elif a == "--build":
            build = argv[i + 1]
            i += 1
        elif a == "--baseline":
            baseline = argv[i + 1]
            i += 1
        elif a in ALL:
            sel.append(a)
        else:
            sys.stderr.write("usage: bench_run.py [--build DIR] [--baseline DIR] [--readme] [%s ...]\n"
                             % "|".join(ALL))
            return 2
        i += 1
    if not sel:
        sel = list(ALL)
    b = Bench(build, sel, baseline)
    progs = [b.tiplined, b.tipline]
    if b.baseline:
        progs.append(os.path.join(b.baseline, "tiplined"))
    for prog in progs:
        if not os.access(prog, os.X_OK):
            sys.stderr.write("bench: %s is missing: run make first\n" % prog)
            return 1
    t0 = time.monotonic()
    try:
        for name in ALL:
            if name in sel:
                getattr(b, "run_" + name)()
    except BenchError as e:
        log("FAILED: %s" % e)
        log("temporary files kept in %s" % b.tmp)
        return 1
    except BaseException:
        log("temporary files kept in %s" % b.tmp)
        raise
    finally:
        b.close_ptys()
    b.cleanup()
    others = [n for n in sel if n != "console"]
    text = b.table() if others else ""
    ctext = b.console_table() if "console" in sel else ""
    sys.stdout.write(text + ("\n" if text and ctext else "") + ctext)
    out = os.path.join(b.build, "bench.md")
    with open(out, "w") as f:
        f.write(text + ("\n" if text and ctext else "") + ctext)
    log("done in %.0f s; table written to %s" % (time.monotonic() - t0, out))
    if readme:
        # Each table in its own section: `bench.sh console --readme` keeps the others' figures.
        if text:
            update_readme(text)
            log("docs/benchmark.md: Benchmark section updated")
        if ctext:
            update_readme(ctext, CONSOLE_BEGIN, CONSOLE_END, CONSOLE_HOW, "## The officers' console")
            log("docs/benchmark.md: the console's section updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
