"""The district (issue 27): communes' daemons on simulated phones sync to private PostgreSQL
instances made here (initdb, pg_ctl, a Unix socket in a temporary directory; nothing
system-wide).

- Two communes, a month of messages through SMS each, synced by their daemons: the district's
  report equals the sum of the communes' own reports, figure by figure, and each commune's
  column equals its own report.
- The district stopped: `tipline sync` says why and exits 1, the commune goes on; started again,
  every change arrives once (row counts equal the commune's, table by table).
- A sync killed right after the district's commit (TIPLINE_FAULT=exit-after-district-commit)
  sends the batch again: nothing lost, nothing doubled.
- Offline for days (sync.batch = 10): the daemon receives and triages with the district
  stopped, `tipline status` shows the changes waiting and the error; started again, the
  daemon's scheduled sync catches up in several batches, killed (SIGKILL) once between two
  batches and once between the district's commit and the commune's: every row once, the
  district's rows those of the commune, the status's count down to 0.
- Row-level security: a commune's role cannot insert, change or delete another's rows.
- No phone number or tip secret of the communes in any text column of the district.
- The province: a second instance subscribed to the district's publication has the same report.
"""
import datetime
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Env, Skip, check, check_eq, run_tests, running, wait_for  # noqa: E402
from test_console import OFFICER, PASSWORD, consoled  # noqa: E402

PGBIN = "/usr/lib/postgresql/15/bin"
TABLES = ("teams", "tips", "tip_events", "patrols", "awareness_sessions", "mediations", "broadcasts",
          "alerts", "messages_in", "messages_out")
# The commune's table of each district table (messages: inbox and outbox).
LOCAL = {"messages_in": "inbox", "messages_out": "outbox"}


class Postgres:
    """A private PostgreSQL instance: its own data directory and Unix socket in a temp dir."""

    def __init__(self):
        if not os.path.exists(os.path.join(PGBIN, "initdb")):
            raise Skip("no PostgreSQL 15 server programs (Debian postgresql)")
        self.dir = tempfile.mkdtemp(prefix="tipline-pg-")
        self.data = os.path.join(self.dir, "data")
        # initdb refuses root: run the server as the postgres user then.
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.conninfo = "host=%s user=postgres dbname=postgres" % self.dir
        self.start()

    def run(self, prog, *args, check_rc=True):
        p = subprocess.run(self.as_user + [os.path.join(PGBIN, prog)] + list(args),
                           capture_output=True, cwd=self.dir)
        if check_rc and p.returncode != 0:
            raise AssertionError("%s: %s" % (prog, p.stderr.decode(errors="replace")))
        return p

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w", "-o",
                 "-k %s -c listen_addresses='' -c fsync=off -c wal_level=logical" % self.dir, "start")

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def sql(self, sql, conninfo=None, check_rc=True):
        """Rows of SQL (psql -At) as lists of strings."""
        p = subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-At", "-F", "\t", "-v",
                            "ON_ERROR_STOP=1", "-d", conninfo or self.conninfo, "-c", sql],
                           capture_output=True)
        if check_rc and p.returncode != 0:
            raise AssertionError("psql: %s" % p.stderr.decode(errors="replace"))
        if not check_rc:
            return p
        return [l.split("\t") for l in p.stdout.decode().splitlines()]

    def close(self):
        self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check_rc=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def district(pg):
    """`tipline district init` on PG; returns a function making a node's conninfo."""
    tl = Env()
    try:
        p = tl.cli("district", "init", pg.conninfo)
        check("district schema ready" in p.stdout.decode(), "init says it is ready")
        tl.cli("district", "init", pg.conninfo)  # again: nothing to do, no error
    finally:
        tl.close()


def add_node(pg, name):
    tl = Env()
    try:
        out = tl.cli("district", "add-node", pg.conninfo, name).stdout.decode().splitlines()
    finally:
        tl.close()
    return out[-1]


def commune(conninfo, node, every=1, extra="", batch=None):
    return Env(extra='replies: { max_per_hour = 100; };\n'
                     'sync: { conninfo = "%s"; node = "%s"; every = %d;%s };\n%s'
                     % (conninfo.replace('"', '\\"'), node, every,
                        "" if batch is None else " batch = %d;" % batch, extra))


# Each commune's people: villagers, a leader of a team, an officer with a PIN.
def people(i):
    base = "+849%d10000" % (i + 1)
    return {"villagers": [base + "0%d" % k for k in range(1, 5)], "leader": base + "31",
            "officer": base + "09", "team": "TQ%d" % (3 + i)}


def month(env, i, today):
    """A month of messages through the simulated phone (SMSC times in the last 30 days)."""
    p = people(i)
    for k, v in enumerate(p["villagers"]):
        env.cli("contact", "add", v, "--village", str(k + 1))
    env.cli("contact", "add", p["leader"], "--role", "leader", "--team", p["team"], "--village", "1")
    env.cli("contact", "add", p["officer"], "--role", "officer", "--pin", "2468", "--name",
            "Can bo %d" % i)
    # Every new tip alerts the officer (issue 26): the report's tips.alerts at the district too.
    env.cli("contact", "set", p["officer"], "--tip-alerts", "all")
    msgs = []
    cats = ["TIN MT ban ma tuy", "TIN ANDANH trom bo", "TIN danh bac", "TIN trom xe may", "co nguoi la"]
    for k in range(8 + 3 * i):
        day = today - datetime.timedelta(days=1 + (k * 3) % 27)
        msgs.append((p["villagers"][k % 4], "%s (c%d-%d)" % (cats[k % 5], i, k), day, 9 + k % 10))
    for k, n in enumerate((40 + i, 120)):
        msgs.append((p["leader"], "TTPL %d hop dan" % n, today - datetime.timedelta(days=2 + 5 * k), 19))
    for k in range(2 + i):
        day = today - datetime.timedelta(days=3 + 4 * k)
        msgs.append((p["leader"], "TUAN BD %s %d" % (p["team"], 4 + k), day, 20))
        msgs.append((p["leader"], "TUAN KT %s" % p["team"], day, 23))
    msgs.append((p["leader"], "HG tranh chap dat", today - datetime.timedelta(days=6), 10))
    msgs.append((p["officer"], "TB 2468 TATCA Hop dan toan xa chu nhat", today - datetime.timedelta(days=1), 7))
    for sender, text, day, hh in msgs:
        local = datetime.datetime.combine(day, datetime.time(hh, 5))
        utc = datetime.datetime.fromtimestamp(time.mktime(local.timetuple()), datetime.timezone.utc)
        env.sms(sender, text, when=utc.strftime("%Y-%m-%d %H:%M:%S"))
    return len(msgs)


def triage(env):
    """Mark some tips: statuses change, tip_events rows with a name as who."""
    refs = [json.loads(l)["ref"] for l in env.cli("tips", "--json").stdout.decode().splitlines()]
    for k, ref in enumerate(refs[:5]):
        env.cli("tip", "mark", ref, ["checking", "valuable", "false", "closed", "valuable"][k], "--by",
                "Trung uy Nam")
    return refs


def pending(env):
    return env.scalar("SELECT count(*) FROM sync_log l, sync_cursor c WHERE l.seq > c.seq")


def idle(env):
    return env.scalar("SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')") == 0


def period():
    today = datetime.date.today()
    return ["--from", (today - datetime.timedelta(days=29)).isoformat(), "--to", today.isoformat()]


def counts_match(pg, env, node):
    """The district's rows of NODE, table by table, equal the commune's rows."""
    for t in TABLES:
        got = int(pg.sql("SELECT count(*) FROM tipline.%s WHERE node = '%s'" % (t, node))[0][0])
        want = env.scalar("SELECT count(*) FROM %s" % LOCAL.get(t, t))
        check_eq(got, want, "%s rows of %s at the district" % (t, node))


def add(a, b):
    """The sum of two report objects, figure by figure (keyed counts by key)."""
    if isinstance(a, dict):
        return {k: add(a.get(k, 0 if not isinstance(b.get(k), dict) else {}),
                       b.get(k, 0 if not isinstance(a.get(k), dict) else {}))
                for k in set(a) | set(b)}
    if isinstance(a, str):
        check_eq(a, b, "period bounds")
        return a
    return a + b


def test_two_communes_sum_at_the_district():
    pg = Postgres()
    envs = []
    try:
        district(pg)
        today = datetime.date.today()
        for i, node in enumerate(("dak-to-re", "ngoc-bay")):
            env = commune(add_node(pg, node), node)
            envs.append(env)
            n = month(env, i, today)
            env.start()
            env.wait_drained(n, timeout=60)
            wait_for(lambda: idle(env), 60, "every reply and the broadcast sent")
            triage(env)
        for env in envs:
            wait_for(lambda: pending(env) == 0, 30, "the daemon's sync of every change")
        own = [json.loads(e.cli("report", *period(), "--format", "json").stdout) for e in envs]
        tl = envs[0]
        d = json.loads(tl.cli("report", "--district", pg.conninfo, *period(), "--format", "json").stdout)
        check_eq(sorted(d["nodes"]), ["dak-to-re", "ngoc-bay"], "the district's nodes")
        check(own[0]["tips"]["received"] > 0 and own[1]["broadcasts"]["recipients"] > 0 and
              own[0]["tips"].get("alerts", 1) > 0, "the communes' reports have figures")
        check_eq(d["nodes"]["dak-to-re"], own[0], "dak-to-re at the district")
        check_eq(d["nodes"]["ngoc-bay"], own[1], "ngoc-bay at the district")
        check_eq(d["district"], add(own[0], own[1]), "the district's totals")
        one = json.loads(tl.cli("report", "--district", pg.conninfo, "--node", "ngoc-bay", *period(),
                                "--format", "json").stdout)
        check_eq(list(one["nodes"]), ["ngoc-bay"], "--node: one commune")
        check_eq(one["district"], own[1], "--node: its figures")
        for fmt in ("text", "csv", "html"):
            out = tl.cli("report", "--district", pg.conninfo, *period(), "--format", fmt).stdout.decode()
            check("ngoc-bay" in out and "dak-to-re" in out, "%s names both communes" % fmt)
        # The district's charts: every bar the sum of the communes' bars.
        want = {}
        for e in envs:
            for k, v in bars(e.cli("report", *period(), "--format", "html").stdout.decode()).items():
                want[k] = want.get(k, 0) + v
        got = bars(tl.cli("report", "--district", pg.conninfo, *period(), "--format", "html").stdout.decode())
        check(len(want) > 10, "the communes' charts have bars: %d" % len(want))
        check_eq(got, want, "the district's chart bars")
        html = tl.cli("report", "--district", pg.conninfo, *period(), "--format", "html").stdout.decode()
        import re
        for i, node in enumerate(("dak-to-re", "ngoc-bay")):
            cell = re.search(r'<td data-figure="tips.received" data-node="%s" data-value="(\d+)"' % node, html)
            check(cell, "the communes' table has %s's tips.received" % node)
            check_eq(int(cell.group(1)), own[i]["tips"]["received"], "%s's tips.received cell" % node)
        csv = tl.cli("report", "--district", pg.conninfo, *period(), "--format", "csv").stdout.decode()
        row = [l for l in csv.splitlines() if l.startswith("tips,received,cur,")][0].split(",")
        check_eq([int(x) for x in row[3:]], [d["district"]["tips"]["received"], own[0]["tips"]["received"],
                                             own[1]["tips"]["received"]], "the CSV's tips.received row")
        # Who changed a status travels as a name, never as a number.
        check_eq(pg.sql("SELECT DISTINCT by_name FROM tipline.tip_events ORDER BY 1"), [["Trung uy Nam"]],
                 "tip_events.by_name")
        for env in envs:
            check_eq(env.stop(), 0, "tiplined exit status")
        no_numbers_or_secrets(pg, envs)
        rls(pg, envs)
    finally:
        for env in envs:
            if env.proc is not None:
                sys.stderr.write(env.log_text()[-3000:])
            env.close()
        pg.close()


def bars(html):
    """{(chart, label, series): value} of an HTML report's chart bars."""
    import re
    out = {}
    for c, l, se, v in re.findall(r'data-chart="([^"]*)" data-label="([^"]*)" data-series="([^"]*)" '
                                  r'data-value="(\d+)"', html):
        out[(c, l, se)] = out.get((c, l, se), 0) + int(v)
    return out


def no_numbers_or_secrets(pg, envs):
    """No phone number (any of its forms) or tip secret of the communes in the district's text."""
    needles = set()
    for i, env in enumerate(envs):
        p = people(i)
        for phone in p["villagers"] + [p["leader"], p["officer"]]:
            needles |= {phone, phone[1:], "0" + phone[3:], phone[3:]}
        needles |= {s for (s,) in env.query("SELECT secret FROM tips WHERE secret IS NOT NULL")}
    check(len([n for n in needles if len(n) == 4]) >= 1, "the test has anonymous tips' secrets")
    cols = pg.sql("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                  "'tipline' AND data_type = 'text'")
    check(len(cols) > 20, "text columns found: %d" % len(cols))
    for t, c in cols:
        for (v,) in pg.sql('SELECT DISTINCT "%s" FROM tipline."%s" WHERE "%s" IS NOT NULL' % (c, t, c)):
            for n in needles:
                # A secret is 4 digits: only as a whole value or after the reference (T12-4821).
                if (len(n) > 4 and n in v) or v == n or v.endswith("-" + n):
                    raise AssertionError("%s.%s holds %r: %r" % (t, c, n, v))
    # The tips' texts stay at the commune (sync.tip_text is off).
    check_eq(pg.sql("SELECT count(*) FROM tipline.tips WHERE text IS NOT NULL"), [["0"]], "tip texts sent")


def rls(pg, envs):
    """A commune's role: its own rows only."""
    a = add_node(pg, "dak-to-re")  # a new password for it: the old conninfo no longer works
    mine = int(pg.sql("SELECT count(*) FROM tipline.tips", a)[0][0])
    check_eq(mine, int(pg.sql("SELECT count(*) FROM tipline.tips WHERE node = 'dak-to-re'")[0][0]),
             "the node sees its own tips only")
    for sql in ("INSERT INTO tipline.tips (node, id, status) VALUES ('ngoc-bay', 999, 'new')",
                "UPDATE tipline.tips SET status = 'closed' WHERE node = 'ngoc-bay'",
                "DELETE FROM tipline.tips WHERE node = 'ngoc-bay'",
                "UPDATE tipline.tips SET node = 'ngoc-bay' WHERE node = 'dak-to-re'",
                "DELETE FROM tipline.nodes"):
        p = pg.sql(sql, a, check_rc=False)
        out = p.stdout.decode()
        check(p.returncode != 0 or out.strip() in ("UPDATE 0", "DELETE 0"),
              "RLS lets %r through: %s" % (sql, out))
    others = pg.sql("SELECT status, count(*) FROM tipline.tips WHERE node = 'ngoc-bay' GROUP BY 1 ORDER BY 1")
    check("closed" not in [s for s, _ in others] or True, "")
    check_eq(int(pg.sql("SELECT count(*) FROM tipline.tips WHERE node = 'ngoc-bay'")[0][0]),
             envs[1].scalar("SELECT count(*) FROM tips"), "ngoc-bay's tips untouched")
    check_eq(pg.sql("SELECT count(*) FROM tipline.tips WHERE node = 'ngoc-bay' AND status = 'closed'"),
             [[str(envs[1].scalar("SELECT count(*) FROM tips WHERE status = 'closed'"))]],
             "ngoc-bay's statuses untouched")
    # The report role reads everything, writes nothing.
    pg.sql("CREATE ROLE reader LOGIN IN ROLE tipline_report")
    ro = pg.conninfo.replace("user=postgres", "user=reader")
    check_eq(pg.sql("SELECT count(*) FROM tipline.tips", ro), pg.sql("SELECT count(*) FROM tipline.tips"),
             "tipline_report sees every node")
    check(pg.sql("DELETE FROM tipline.tips", ro, check_rc=False).returncode != 0, "tipline_report cannot delete")


def test_district_down_then_up_and_a_crash_mid_sync():
    pg = Postgres()
    env = None
    try:
        district(pg)
        # every = 3600: the daemon syncs once at start; the rest is `tipline sync` by hand.
        env = commune(add_node(pg, "dak-to-re"), "dak-to-re", every=3600)
        n = month(env, 0, datetime.date.today())
        env.start()
        env.wait_drained(n, timeout=60)
        wait_for(lambda: idle(env), 60, "every reply sent")
        env.cli("sync")
        counts_match(pg, env, "dak-to-re")
        pg.stop()
        # Meanwhile: messages and triage at the commune, the district out of reach.
        env.sms("+84910000001", "TIN co nguoi la o cau (late)")
        env.sms("+84910000031", "TTPL 33 hop to")
        env.wait_drained(n + 2, timeout=60)
        wait_for(lambda: idle(env), 60, "the replies sent")
        triage(env)
        p = env.cli("sync", check_rc=False)
        check_eq(p.returncode, 1, "tipline sync with the district stopped")
        err = p.stderr.decode()
        check("cannot reach the district" in err, "the reason: %r" % err)
        waiting = pending(env)
        check(waiting > 0, "changes wait")
        check("changes wait" in p.stdout.decode(), "says what waits")
        check_eq(env.scalar("SELECT last_error IS NOT NULL FROM sync_cursor"), 1, "last_error recorded")
        pg.start()
        # A sync killed between the district's commit and the commune's: the batch again.
        p = subprocess.run([harness.TIPLINE, "-c", env.conf, "sync"], capture_output=True, cwd=env.dir,
                           env=dict(os.environ, TIPLINE_FAULT="exit-after-district-commit"))
        check_eq(p.returncode, 99, "tipline sync stopped at the fault point")
        check_eq(pending(env), waiting, "the cursor did not move")
        seq = int(pg.sql("SELECT seq FROM tipline.node_sync WHERE node = 'dak-to-re'")[0][0])
        check(seq > env.scalar("SELECT seq FROM sync_cursor"), "the district committed beyond the cursor")
        out = env.cli("sync").stdout.decode()
        check("sent %d changes" % waiting in out, "the batch sent again: %r" % out)
        check_eq(pending(env), 0, "nothing waits")
        counts_match(pg, env, "dak-to-re")
        check_eq(pg.sql("SELECT count(*) FROM tipline.tips WHERE node = 'dak-to-re' AND status <> 'new'"),
                 [[str(env.scalar("SELECT count(*) FROM tips WHERE status <> 'new'"))]], "statuses")
        # Sent twice, changed nothing: the same report as the commune's.
        own = json.loads(env.cli("report", *period(), "--format", "json").stdout)
        d = json.loads(env.cli("report", "--district", pg.conninfo, *period(), "--format", "json").stdout)
        check_eq(d["district"], own, "the district's report after the crash")
        # A delete reaches the district as a delete; nothing more to send is said so.
        env.stop()
        con = __import__("sqlite3").connect(env.db)
        officer = people(0)["officer"]
        with con:
            con.execute("DELETE FROM alerts")
            con.execute("DELETE FROM teams WHERE code = 'TQ3'")
            # An officer's number as who changed a status (as an SMS door would record it).
            con.execute("UPDATE tip_events SET by = ? WHERE id = (SELECT min(id) FROM tip_events)",
                        (officer,))
            con.execute("UPDATE tip_events SET by = ? WHERE id = (SELECT max(id) FROM tip_events)",
                        ("0" + officer[3:],))
        con.close()
        out = env.cli("sync").stdout.decode()
        check("1 deletes" in out or "deletes" in out, out)
        counts_match(pg, env, "dak-to-re")
        out = env.cli("sync").stdout.decode()
        check(out.startswith("sent 0 changes"), "nothing left: %r" % out)
        check_eq(pg.sql("SELECT by_name, count(*) FROM tipline.tip_events GROUP BY 1 ORDER BY 1"),
                 [["Can bo 0", "1"], ["Trung uy Nam", "3"], ["officer", "1"]],
                 "who: the officer's name for a number, 'officer' for a number with no contact")
        # Forgetting reaches the district: the number erased at the commune, its name there too.
        env.cli("forget", officer, "--yes")
        out = env.cli("sync").stdout.decode()
        # Both spellings of the number (E.164 and national) are the officer's.
        check("tip_events 2" in out, "the forgotten events sent: %r" % out)
        check_eq(pg.sql("SELECT by_name, count(*) FROM tipline.tip_events GROUP BY 1 ORDER BY 1"),
                 [["Trung uy Nam", "3"], ["forgotten", "2"]], "who after forget")
    finally:
        if env is not None:
            if env.proc is not None:
                sys.stderr.write(env.log_text()[-3000:])
                env.stop()
            env.close()
        pg.close()


def test_daemon_killed_during_sync():
    """SIGKILL at the fault point after the district's commit, then at random moments while
    the daemon receives and syncs: every change arrives once, the report is the commune's."""
    import random
    import signal
    pg = Postgres()
    env = None
    try:
        district(pg)
        env = commune(add_node(pg, "dak-to-re"), "dak-to-re", every=1)
        n = month(env, 0, datetime.date.today())
        env.start(env={"TIPLINE_FAULT": "exit-after-district-commit:kill"})
        check_eq(env.wait_exit(timeout=60), -signal.SIGKILL, "tiplined killed at the fault point")
        committed = int(pg.sql("SELECT seq FROM tipline.node_sync WHERE node = 'dak-to-re'")[0][0])
        check(committed > env.scalar("SELECT seq FROM sync_cursor"), "killed between the two commits")
        rnd = random.Random(27)
        for k in range(6):
            env.sms("+84910000001", "TIN co nguoi la o cau (k%d)" % k)
            env.start()
            time.sleep(rnd.uniform(0.05, 1.5))
            env.proc.kill()
            env.wait_exit()
        # One more message after the last start: the daemon is past its start-up (its signal
        # handlers set) before the waits below can all be true at once.
        env.sms("+84910000001", "TIN co nguoi la o cau (k6)")
        env.start()
        env.wait_drained(n + 7, timeout=60)
        wait_for(lambda: idle(env), 60, "every reply sent")
        wait_for(lambda: pending(env) == 0, 30, "the daemon's sync of every change")
        check_eq(env.stop(), 0, "tiplined exit status")
        counts_match(pg, env, "dak-to-re")
        own = json.loads(env.cli("report", *period(), "--format", "json").stdout)
        d = json.loads(env.cli("report", "--district", pg.conninfo, *period(), "--format", "json").stdout)
        check_eq(d["district"], own, "the district's report after the kills")
    finally:
        if env is not None:
            if env.proc is not None:
                sys.stderr.write(env.log_text()[-3000:])
                env.stop()
            env.close()
        pg.close()


def keys(pg, env, node):
    """{table: sorted keys} at the district for NODE and at the commune."""
    got, want = {}, {}
    for t in TABLES:
        k = "code" if t == "teams" else "id"
        got[t] = sorted(r[0] for r in pg.sql("SELECT %s FROM tipline.%s WHERE node = '%s'" % (k, t, node)))
        want[t] = sorted(str(r[0]) for r in env.query("SELECT %s FROM %s" % (k, LOCAL.get(t, t))))
    return got, want


def sync_status(env):
    """`tipline status`: (the JSON's "sync" object or None, the text's sync lines)."""
    js = json.loads(env.cli("status", "--json").stdout).get("sync")
    text = [l for l in env.cli("status").stdout.decode().splitlines() if l.startswith("sync")]
    return js, text


def test_offline_for_days_catches_up_in_batches():
    import math
    import re
    import signal
    batch = 10
    pg = Postgres()
    env = off = None
    try:
        # No sync group: status says nothing of a sync.
        off = Env()
        check_eq(sync_status(off), (None, []), "status without a sync group")
        district(pg)
        conninfo = add_node(pg, "dak-to-re")
        pg.stop()  # the district out of reach for the whole of the commune's days
        env = commune(conninfo, "dak-to-re", every=1, batch=batch)
        n = month(env, 0, datetime.date.today())
        for k in range(20):
            env.sms(people(0)["villagers"][k % 4], "TIN co nguoi la (offline %d)" % k)
        env.start()
        env.wait_drained(n + 20, timeout=90)
        wait_for(lambda: idle(env), 90, "every reply sent")
        triage(env)
        # The daemon's scheduled sync tries and fails: status says what waits and why.
        wait_for(lambda: "cannot reach" in (sync_status(env)[0]["last_error"] or ""), 30,
                 "the daemon's failure in status")
        check_eq(env.stop(), 0, "tiplined exit status")
        waiting = pending(env)
        check(waiting >= 5 * batch, "enough changes for several batches: %d" % waiting)
        js, text = sync_status(env)
        check_eq((js["node"], js["waiting"], js["last_success_at"]), ("dak-to-re", waiting, None),
                 "status --json while the district is down")
        check("cannot reach the district" in js["last_error"], "the error: %r" % js["last_error"])
        check(js["last_tried_at"], "when it was tried")
        check_eq(len(text), 2, "status: a sync line and an error line: %r" % text)
        check("%d changes wait" % waiting in text[0] and "last success never" in text[0], text[0])
        check(text[1].startswith("sync error:") and "cannot reach the district" in text[1], text[1])
        pg.start()
        # SIGKILL between two batches: one batch committed at both ends, the rest waits.
        env.start(env={"TIPLINE_FAULT": "exit-after-sync-batch:kill"})
        check_eq(env.wait_exit(timeout=60), -signal.SIGKILL, "tiplined killed between two batches")
        cursor = env.scalar("SELECT seq FROM sync_cursor")
        check_eq(pending(env), waiting - batch, "one batch's cursor moved")
        check_eq(int(pg.sql("SELECT seq FROM tipline.node_sync WHERE node = 'dak-to-re'")[0][0]), cursor,
                 "the district's seq is the commune's cursor")
        # SIGKILL after the next batch's commit at the district, before the commune's.
        env.start(env={"TIPLINE_FAULT": "exit-after-district-commit:kill"})
        check_eq(env.wait_exit(timeout=60), -signal.SIGKILL, "tiplined killed between the two commits")
        check_eq(env.scalar("SELECT seq FROM sync_cursor"), cursor, "the cursor did not move")
        check(int(pg.sql("SELECT seq FROM tipline.node_sync WHERE node = 'dak-to-re'")[0][0]) > cursor,
              "the district committed the next batch")
        left = pending(env)
        # The daemon again: its scheduled sync catches up, a batch at a time.
        start = len(env.log_text())
        env.start()
        wait_for(lambda: pending(env) == 0, 60, "the daemon's sync of every change")
        wait_for(lambda: "sync: sent" in env.log_text()[start:], 10, "the daemon's log of the sync")
        sent = re.findall(r"sync: sent (\d+) changes \(\d+ deleted\) in (\d+) batches",
                          env.log_text()[start:])
        batches = sum(int(b) for _, b in sent)
        # Exactly the changes waiting (the batch the district had is sent again), sync.batch each.
        check_eq((sum(int(c) for c, _ in sent), batches), (left, math.ceil(left / batch)),
                 "changes and batches of the catch-up: %r" % sent)
        check(batches >= 3, "several batches: %d" % batches)
        sys.stderr.write("offline: %d changes waited; %d after the kills, sent in %d batches: %r\n"
                         % (waiting, left, batches, sent))
        js, text = sync_status(env)
        check_eq((js["waiting"], js["last_error"]), (0, None), "status after the sync")
        check(js["last_success_at"], "the last success in status")
        check("0 changes wait" in text[0] and len(text) == 1, "status text after the sync: %r" % text)
        check_eq(env.stop(), 0, "tiplined exit status")
        check_eq(int(pg.sql("SELECT seq FROM tipline.node_sync WHERE node = 'dak-to-re'")[0][0]),
                 env.scalar("SELECT seq FROM sync_cursor"), "the district's seq after the catch-up")
        # Every row once, and as the commune has it.
        got, want = keys(pg, env, "dak-to-re")
        check_eq(got, want, "the district's keys, table by table")
        counts_match(pg, env, "dak-to-re")
        check_eq(sorted(tuple(r) for r in pg.sql("SELECT id, status, updated_at FROM tipline.tips "
                                                  "WHERE node = 'dak-to-re'")),
                 sorted((str(i), s, u or "") for i, s, u in env.query("SELECT id, status, updated_at FROM tips")),
                 "the tips' statuses at the district")
        own = json.loads(env.cli("report", *period(), "--format", "json").stdout)
        d = json.loads(env.cli("report", "--district", pg.conninfo, *period(), "--format", "json").stdout)
        check_eq(d["district"], own, "the district's report after the catch-up")
    finally:
        if off is not None:
            off.close()
        if env is not None:
            if env.proc is not None:
                sys.stderr.write(env.log_text()[-3000:])
                env.stop()
            env.close()
        pg.close()


def test_province_subscribes_to_the_district():
    dist, prov = Postgres(), Postgres()
    env = None
    try:
        district(dist)
        district(prov)
        env = commune(add_node(dist, "dak-to-re"), "dak-to-re", every=3600)
        n = month(env, 0, datetime.date.today())
        env.start()
        env.wait_drained(n, timeout=60)
        wait_for(lambda: idle(env), 60, "every reply sent")
        env.cli("sync")
        prov.sql("CREATE SUBSCRIPTION district_a CONNECTION '%s' PUBLICATION tipline" % dist.conninfo)
        want = json.loads(env.cli("report", "--district", dist.conninfo, *period(), "--format", "json").stdout)
        check(want["district"]["tips"]["received"] > 0, "the district has figures")

        def same():
            got = json.loads(env.cli("report", "--district", prov.conninfo, *period(), "--format",
                                     "json").stdout)
            return got == want
        wait_for(same, 60, "the province's report equal to the district's")
        # A later change flows on: a status changed at the commune reaches the province.
        refs = triage(env)
        env.cli("sync")
        want = json.loads(env.cli("report", "--district", dist.conninfo, *period(), "--format", "json").stdout)
        check(want["district"]["tips"]["by_status"].get("valuable", 0) > 0, "triage at the district")
        wait_for(same, 60, "the province after the triage")
        check(refs, "tips")
    finally:
        if env is not None:
            if env.proc is not None:
                env.stop()
            env.close()
        prov.close()
        dist.close()


# ------------------------------------------------------------ the console's Thiết bị page


def console_commune(conninfo):
    """A commune syncing to CONNINFO every second, with the console (plain HTTP on loopback)."""
    env = commune(conninfo, "dak-to-re", every=1, extra='console: { listen = "127.0.0.1:0"; tls = false; };')
    env.cli("contact", "add", OFFICER, "--name", "Trần Thị Bình", "--role", "officer")
    env.cli("passwd", OFFICER, "--admin", stdin=("%s\n%s\n" % (PASSWORD, PASSWORD)).encode())
    return env


def sync_card(con):
    """The Thiết bị page by real HTTP: (its sync card's HTML or None, {row id: its text})."""
    st, cookie, _ = con.login()
    check(st == 303 and cookie, "the officer logs in: %d" % st)
    st, _, body = con.request("GET", "/modem", cookie=cookie)
    check_eq(st, 200, "the Thiết bị page")
    check("Chương trình và modem" in body, "the page itself")
    m = re.search(r'<section class="card" id="sync">.*?</section>', body, re.S)
    if m is None:
        return None, {}
    rows = {k: html.unescape(re.sub(r"<[^>]*>", "", v))
            for k, v in re.findall(r'<dd id="(s-sync-[a-z]+)"[^>]*>(.*?)</dd>', m.group(0), re.S)}
    return m.group(0), rows


def test_console_shows_a_failing_sync_escaped():
    """No sync group: no sync on the page. A district out of reach (a socket path that does not
    exist, with markup in it): the page says "Lỗi: " and the district's words, escaped, with the
    changes waiting that `tipline status --json` counts. No PostgreSQL needed."""
    off = Env(extra='console: { listen = "127.0.0.1:0"; tls = false; };')
    env = None
    try:
        off.cli("contact", "add", OFFICER, "--role", "officer")
        off.cli("passwd", OFFICER, stdin=("%s\n%s\n" % (PASSWORD, PASSWORD)).encode())
        with consoled(off, daemon=False) as con:
            check_eq(sync_card(con), (None, {}), "no sync card without a sync group")
        hostile = os.path.join(tempfile.gettempdir(), "tipline-nopg-%d" % os.getpid(), "<i>&amp;x</i>")
        env = console_commune("host='%s' user=postgres dbname=postgres" % hostile)
        with consoled(env) as con:
            env.sms("+84987000301", "TIN trom bo o thon 5")
            wait_for(lambda: "cannot reach" in (sync_status(env)[0]["last_error"] or ""), 30,
                     "the daemon's failed sync")
            js = sync_status(env)[0]
            card, rows = sync_card(con)
            check(card is not None, "a sync card")
            check_eq(rows["s-sync-node"], "dak-to-re", "the node")
            check_eq(rows["s-sync-last"], "chưa lần nào", "never synced")
            check(int(rows["s-sync-pending"]) >= 1, "changes wait: %r" % rows)
            state = rows["s-sync-state"]
            check(state.startswith("Lỗi: cannot reach the district") and hostile in state,
                  "the error, as the district said it: %r" % state)
            check('class="error"' in card, "shown as an error: %r" % card)
            check("<i>" not in card and "&lt;i&gt;&amp;amp;x&lt;/i&gt;" in card, "escaped: %r" % card)
            check(js["waiting"] >= 1, "status --json: %r" % js)
    finally:
        off.close()
        if env is not None:
            env.close()


def test_console_shows_the_sync_done():
    """A real district: once the daemon has synced, the page shows the last success in local time
    (the same as `tipline status --json`'s UTC), 0 changes waiting and no error."""
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Ho_Chi_Minh"  # a local time that is not UTC, for the console too
    time.tzset()
    pg = Postgres()
    env = None
    try:
        district(pg)
        env = console_commune(add_node(pg, "dak-to-re"))
        with consoled(env) as con:
            env.sms("+84987000301", "TIN trom bo o thon 5")
            wait_for(lambda: idle(env) and env.scalar("SELECT count(*) FROM tips") == 1, 30, "the tip and its reply")
            wait_for(lambda: (lambda js: js["waiting"] == 0 and js["last_success_at"])(sync_status(env)[0]),
                     30, "the daemon's sync")
            js = sync_status(env)[0]
            card, rows = sync_card(con)
            utc = datetime.datetime.strptime(js["last_success_at"], "%Y-%m-%d %H:%M:%S")
            local = datetime.datetime.fromtimestamp(utc.replace(tzinfo=datetime.timezone.utc).timestamp())
            check_eq((rows.get("s-sync-last"), rows.get("s-sync-pending"), rows.get("s-sync-state")),
                     (local.strftime("%Y-%m-%d %H:%M"), "0", "bình thường"), "the sync done: %r" % card)
            check('class="error"' not in card, "no error: %r" % card)
            check_eq(int(pg.sql("SELECT count(*) FROM tipline.tips WHERE node = 'dak-to-re'")[0][0]), 1,
                     "the tip at the district")
    finally:
        if env is not None:
            env.close()
        pg.close()
        if old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old_tz
        time.tzset()


if __name__ == "__main__":
    run_tests(globals())
