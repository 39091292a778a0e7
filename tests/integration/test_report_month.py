"""A realistic month through the daemon, then `tipline report` in every format.

Messages go in through the simulated phone with their SMSC times (`tipline sim send --time`),
never as rows written by hand: tips of several categories and villages (some anonymous, some
unstructured), awareness sessions, patrols of two teams, mediations, a broadcast by SMS. Tips
are marked with `tipline tip mark`. The expected figures are computed here from the list of
what was sent (each message's local date decides its period), and every figure of the JSON
report, current and previous, must equal them; the text report's key lines, the HTML report's
DOM in headless Chromium and the CSV report must say the same.

The period is the 30 days up to today (the replies and the broadcast are sent now, so they fall
in it) and the 30 before. Messages sit minutes from local midnight at the periods' edges, so a
report that cut periods at UTC midnight fails in Asia/Ho_Chi_Minh; it runs in UTC too.

No figure is 0 by construction: two tips come through the USSD menu (`tipline serve`; tips, not
SMS received), a patrol left open raises a missed check-in alert, a tip and an awareness session
dated tomorrow (an SMSC clock ahead) lie after the period, a report ending the day before an
awareness session mid-month must chart that month without it, and the weekly chart is checked
for a period starting on each day of the week (its first week cut at the start whatever day
today is).
"""
import csv
import datetime
import io
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_report_html as html_test  # noqa: E402  (its Chromium and DOM helpers)
import test_ussd_menu as menu_test  # noqa: E402  (its `tipline serve` and menu steps)
from harness import Env, check, check_eq, run_tests, running, sent_messages, wait_for  # noqa: E402

OFFICER = "+84911000009"
L3, L5 = "+84911000031", "+84911000051"  # leaders of TQ3 and TQ5
STRANGER = "+84977000001"                # not registered
VILLAGERS = {"+84911000001": "1", "+84911000002": "2", "+84911000003": "Đông", "+84911000004": None,
             "+84911000005": "2", "+84911000006": "Tây"}
BROADCAST = "Hop dan toan xa luc 8h sang chu nhat tai nha van hoa"

# Tips: text, its category, the village the text names (None: the sender's), anonymous.
TIPS = [
    ("TIN MT co nguoi ban ma tuy o thon 2", "drugs", "2", False),
    ("TIN ANDANH trom bo o thon 1", "theft", "1", True),
    ("TIN co danh bac o nha van hoa", "gambling", None, False),
    ("TIN DN hai nhom thanh nien danh nhau", "fighting", None, False),
    ("TIN NL co nguoi la lang vang thôn Đông", "stranger", "Đông", False),
    ("Hom qua nha toi mat con ga", None, None, False),
    ("TIN ANDANH MT tiem chich o bai song", "drugs", None, True),
    ("TIN trom xe may o cho thon 3", "theft", "3", False),
    ("TIN GT tai nan o nga ba", "traffic", None, False),
    ("TIN can bo xem giup viec nay", None, None, False),
]


class Month:
    """What was sent: (sender, text, local datetime, what it is) for every message."""

    def __init__(self, today):
        self.today = today
        self.cur = (today - datetime.timedelta(days=29), today)
        self.prev = (today - datetime.timedelta(days=59), today - datetime.timedelta(days=30))
        self.msgs = []

    def add(self, sender, text, local, **what):
        self.msgs.append((sender, text, local, what))

    def period_of(self, local):
        d = local.date()
        if self.cur[0] <= d <= self.cur[1]:
            return "cur"
        if self.prev[0] <= d <= self.prev[1]:
            return "previous"
        return None


def at(day, hh, mm):
    return datetime.datetime.combine(day, datetime.time(hh, mm))


def build(today, now):
    """Every message of the scenario; NOW is the local datetime the daemon runs at."""
    m = Month(today)
    first, pfirst = m.cur[0], m.prev[0]
    senders = sorted(VILLAGERS) + [STRANGER]
    # Tips through the current period, a few in the previous one, and at the edges.
    for i in range(24):
        text, cat, vil, anon = TIPS[i % len(TIPS)]
        day = first + datetime.timedelta(days=1 + i % 27)
        m.add(senders[i % len(senders)], "%s (%d)" % (text, i), at(day, 8 + i % 12, (7 * i) % 60),
              kind="tip", category=cat, village=vil, anonymous=anon)
    for i in range(7):
        text, cat, vil, anon = TIPS[(3 * i + 1) % len(TIPS)]
        day = pfirst + datetime.timedelta(days=2 + 4 * i)
        m.add(senders[(i + 2) % len(senders)], "%s (p%d)" % (text, i), at(day, 9 + i, 15),
              kind="tip", category=cat, village=vil, anonymous=anon)
    edges = [(first, 0, 5), (first - datetime.timedelta(days=1), 23, 55),      # cur / previous
             (pfirst, 0, 2), (pfirst - datetime.timedelta(days=1), 23, 58)]    # previous / neither
    for k, (day, hh, mm) in enumerate(edges):
        m.add(senders[k], "TIN trom cho o thon %d (e%d)" % (k + 1, k), at(day, hh, mm),
              kind="tip", category="theft", village=str(k + 1), anonymous=False)
    # Awareness sessions: one per message unless it says more.
    for day, text, s, n in [(first + datetime.timedelta(days=3), "TTPL 45 hop dan thon 1", 1, 45),
                            (first + datetime.timedelta(days=10), "TTPL 2 buoi 120 tai truong hoc", 2, 120),
                            (first + datetime.timedelta(days=20), "TTPL 1.410 hop dan toan xa", 1, 1410),
                            (first, "TTPL 3 dot 90 cac thon", 3, 90),
                            (pfirst + datetime.timedelta(days=5), "TTPL 60 hop to", 1, 60)]:
        m.add(L3, text, at(day, 0, 20) if day == first else at(day, 19, 30),
              kind="awareness", sessions=s, participants=n)
    # Patrols of two teams, each start with its end three hours later.
    patrols = [(L3, "TQ3", first + datetime.timedelta(days=d), mem) for d, mem in ((2, 5), (6, 6), (13, 4), (22, 5))]
    patrols += [(L5, "TQ5", first + datetime.timedelta(days=d), mem) for d, mem in ((4, 4), (9, None), (17, 7))]
    patrols += [(L3, "TQ3", pfirst + datetime.timedelta(days=d), mem) for d, mem in ((3, 5), (15, 6))]
    for leader, team, day, mem in patrols:
        start = at(day, 21, 0)
        m.add(leader, "TUAN BD %s%s" % (team, " %d" % mem if mem else ""), start, kind="patrol", team=team,
              members=mem)
        m.add(leader, "TUAN KT %s" % team, start + datetime.timedelta(hours=3), kind="patrol_end")
    # Across midnight at the edge: started in the previous period, ended in this one.
    start = at(first - datetime.timedelta(days=1), 23, 40)
    m.add(L5, "TUAN BD TQ5 3", start, kind="patrol", team="TQ5", members=3)
    m.add(L5, "TUAN KT TQ5", start + datetime.timedelta(minutes=40), kind="patrol_end")
    m.add(L3, "HG tranh chap ranh gioi dat thon 2", at(first + datetime.timedelta(days=8), 10, 0), kind="mediation")
    m.add(L5, "HG mau thuan gia dinh", at(first + datetime.timedelta(days=15), 15, 0), kind="mediation")
    m.add(L3, "HG tranh chap loi di", at(pfirst + datetime.timedelta(days=9), 9, 0), kind="mediation")
    m.add(OFFICER, "TB 2468 TATCA " + BROADCAST, at(first + datetime.timedelta(days=25), 7, 0), kind="broadcast")
    # A patrol left open 7 hours ago: one missed check-in (max_hours 6), raised now.
    m.add(L3, "TUAN BD TQ3 2", now - datetime.timedelta(hours=7), kind="patrol", team="TQ3", members=2,
          open=True)
    # After the period: an SMSC clock ahead dates a tip and a session tomorrow.
    tomorrow = today + datetime.timedelta(days=1)
    m.add(STRANGER, "TIN co nguoi la o cho (f1)", at(tomorrow, 0, 10), kind="tip", category=None,
          village=None, anonymous=False)
    m.add(L3, "TTPL 70 hop dan thon 3", at(tomorrow, 8, 0), kind="awareness", sessions=1, participants=70)
    # Through the USSD menu, now: a named tip and an anonymous one (category 6: stranger).
    m.add("+84911000001", "co nguoi la o cau (u1)", now, kind="tip", category="stranger", village=None,
          anonymous=False, channel="ussd")
    m.add("+84911000005", "co nguoi la o ben do (u2)", now, kind="tip", category="stranger", village=None,
          anonymous=True, channel="ussd")
    return m


def officers(n):
    """A count the officers' way: '.' between thousands, at least two digits."""
    s = "{:,}".format(n).replace(",", ".")
    return s if n >= 10 else "%02d" % n


def expected(m, marks, sent):
    """The report's JSON as it must be, from what was sent, the marks and what the phone sent."""
    def empty(p):
        lo, hi = m.cur if p == "cur" else m.prev
        return {"from": lo.isoformat(), "to": hi.isoformat(),
                "tips": {"received": 0, "valuable": 0, "alerts": 0, "escalated": 0, "by_status": {},
                         "by_category": {}, "by_village": {}},
                "awareness": {"sessions": 0, "participants": 0},
                "patrols": {"count": 0, "member_turns": 0, "by_team": {}},
                "missed_checkins": 0, "mediations": {"count": 0},
                "broadcasts": {"count": 0, "recipients": 0, "parts": 0},
                "sms": {"received": 0, "sent": 0, "parts_sent": 0}}

    def bump(d, k, n=1):
        d[k] = d.get(k, 0) + n

    fig = {"cur": empty("cur"), "previous": empty("previous")}
    for sender, text, local, w in m.msgs:
        p = m.period_of(local)
        if p is None:
            continue
        f = fig[p]
        if w.get("channel") != "ussd":
            f["sms"]["received"] += 1
        if w.get("open"):
            f["missed_checkins"] += 1
        if w["kind"] == "tip":
            t = f["tips"]
            status = marks.get(text, "new")
            t["received"] += 1
            t["valuable"] += status == "valuable"
            bump(t["by_status"], status)
            bump(t["by_category"], w["category"] or "")
            bump(t["by_village"], w["village"] or VILLAGERS.get(sender) or "")
        elif w["kind"] == "awareness":
            f["awareness"]["sessions"] += w["sessions"]
            f["awareness"]["participants"] += w["participants"]
        elif w["kind"] == "patrol":
            f["patrols"]["count"] += 1
            f["patrols"]["member_turns"] += w["members"] or 0
            bump(f["patrols"]["by_team"], w["team"])
        elif w["kind"] == "mediation":
            f["mediations"]["count"] += 1
    # Every SMS the phone sent went out now, today: in the current period.
    f = fig["cur"]
    f["sms"]["sent"] = len(sent)
    f["sms"]["parts_sent"] = sum(s["parts"] for s in sent)
    rounds = [s for s in sent if s["text"] == BROADCAST]
    f["broadcasts"] = {"count": 1 if rounds else 0, "recipients": len(rounds),
                       "parts": sum(s["parts"] for s in rounds)}
    want = fig["cur"]
    want["previous"] = fig["previous"]
    return want


def participants_by_month(m, end=None):
    """{'YYYY-MM': participants} of the messages up to END (today), by local month."""
    out = {}
    for _, _, local, w in m.msgs:
        if w["kind"] == "awareness" and local.date() <= (end or m.today):
            k = local.strftime("%Y-%m")
            out[k] = out.get(k, 0) + w["participants"]
    return out


def run_month(tz):
    os.environ["TZ"] = tz
    time.tzset()
    # tips.escalate_after 0: the month's old tips, still new, would each tell the officers
    # (issue 26; test_answers.py), and those SMS would move the figures compared here.
    env = Env(extra='replies: { max_per_hour = 100; };\n'
                    'patrol: { max_hours = 6; check_every = 1; };\n'
                    'tips: { escalate_after = 0; };\n'
                    'ussd: { secret = "%s"; };' % menu_test.SECRET)
    with running(env, start=False):
        for phone, village in sorted(VILLAGERS.items()):
            env.cli("contact", "add", phone, *(["--village", village] if village else []))
        env.cli("contact", "add", L3, "--role", "leader", "--team", "TQ3", "--village", "1")
        env.cli("contact", "add", L5, "--role", "leader", "--team", "TQ5")
        env.cli("contact", "add", OFFICER, "--role", "officer", "--pin", "2468")
        now = datetime.datetime.now().replace(microsecond=0)
        m = build(now.date(), now)
        by_sms = [(s, t, l) for s, t, l, w in m.msgs if w.get("channel") != "ussd"]
        for sender, text, local in by_sms:
            utc = datetime.datetime.fromtimestamp(time.mktime(local.timetuple()), datetime.timezone.utc)
            env.sms(sender, text, when=utc.strftime("%Y-%m-%d %H:%M:%S"))
        env.start()
        env.wait_drained(len(by_sms), timeout=60)
        srv = menu_test.Serve(env)
        try:
            for i, (sender, text, _, w) in enumerate(x for x in m.msgs if x[3].get("channel") == "ussd"):
                a = menu_test.session(srv, "u%d" % i, ["1", "6", text, "2" if w["anonymous"] else "1"],
                                      phone=sender)
                check(a[-1].startswith("END ") and "ma so T" in a[-1], "the menu tip stored: %r" % a[-1])
        finally:
            srv.stop()
        check_eq(env.query("SELECT channel, count(*) FROM inbox GROUP BY 1"),
                 [("sms", len(by_sms)), ("ussd", 2)], "inbox rows by channel")
        wait_for(lambda: env.scalar("SELECT count(*) FROM alerts WHERE kind = 'patrol_overdue'") == 1, 30,
                 "the open patrol's missed check-in alert")
        idle = "SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')"
        wait_for(lambda: env.scalar(idle) == 0, 60, "every reply, alert and the broadcast sent")
        # Triage: each tip's text ends with its own "(n)", which finds its reference.
        refs = {}
        for l in env.cli("tips", "--json").stdout.decode().splitlines():
            t = json.loads(l)
            refs[t["text"][t["text"].rindex("("):]] = t["ref"]
        tips = [(t, m.period_of(l)) for _, t, l, w in m.msgs if w["kind"] == "tip"]
        cur = [t for t, p in tips if p == "cur"]
        prev = [t for t, p in tips if p == "previous"]
        plan = {cur[0]: ["checking", "valuable"], cur[3]: ["valuable"], cur[5]: ["checking", "valuable"],
                cur[7]: ["false"], cur[8]: ["checking"], cur[11]: ["checking"], cur[12]: ["checking", "closed"],
                prev[1]: ["checking", "valuable"], prev[2]: ["false"]}
        marks = {}
        # cur[3] last, with a thank-you to its tipster: the outbox is not idle until it is sent.
        for text, steps in sorted(plan.items(), key=lambda ts: ts[0] == cur[3]):
            for s in steps:
                env.cli("tip", "mark", refs[text[text.rindex("("):]], s, "--by", "Trung uy Hung",
                        *(["--notify"] if text == cur[3] else []))
            marks[text] = steps[-1]
        thanked = refs[cur[3][cur[3].rindex("("):]]
        wait_for(lambda: env.scalar(idle) == 0, 30, "the outbox idle (the thank-you sent)")
        sent = sent_messages(env)
        check_eq(len([s for s in sent if s["text"].startswith("Cong an xa cam on ban da gui tin bao %s." % thanked)]),
                 1, "the thank-you for %s sent" % thanked)
        want = expected(m, marks, sent)
        period = ["--from", m.cur[0].isoformat(), "--to", m.cur[1].isoformat()]
        got = json.loads(env.cli("report", *period, "--format", "json").stdout)
        for k in ("tips", "awareness", "patrols", "missed_checkins", "mediations", "broadcasts", "sms"):
            check_eq(got[k], want[k], "current %s" % k)
            check_eq(got["previous"][k], want["previous"][k], "previous %s" % k)
        check_eq(got, want, "the whole JSON report")
        # Sanity of the scenario itself: both periods have something in every kind it sent.
        check(got["tips"]["valuable"] == 3 and got["previous"]["tips"]["valuable"] == 1, "valuable tips")
        check(want["broadcasts"]["recipients"] == len(VILLAGERS) + 3, "the broadcast reached everyone")

        # Text: the officers' own lines.
        text = env.cli("report", *period).stdout.decode()
        c, p = got, got["previous"]
        for line in ["- Tiếp nhận %s tin báo (%s), cung cấp %s tin có giá trị (%s)." % (
                         officers(c["tips"]["received"]), officers(p["tips"]["received"]),
                         officers(c["tips"]["valuable"]), officers(p["tips"]["valuable"])),
                     "- %s đợt / %s lượt người tham gia (%s đợt / %s lượt)." % (
                         officers(c["awareness"]["sessions"]), officers(c["awareness"]["participants"]),
                         officers(p["awareness"]["sessions"]), officers(p["awareness"]["participants"])),
                     "- %s lượt tuần tra (%s), %s lượt tổ viên tham gia (%s)." % (
                         officers(c["patrols"]["count"]), officers(p["patrols"]["count"]),
                         officers(c["patrols"]["member_turns"]), officers(p["patrols"]["member_turns"])),
                     "- Hòa giải %s vụ (%s)." % (officers(c["mediations"]["count"]),
                                                  officers(p["mediations"]["count"])),
                     "- Theo tổ: TQ3: %s (%s); TQ5: %s (%s)." % (
                         officers(c["patrols"]["by_team"]["TQ3"]), officers(p["patrols"]["by_team"].get("TQ3", 0)),
                         officers(c["patrols"]["by_team"]["TQ5"]), officers(p["patrols"]["by_team"].get("TQ5", 0)))]:
            check(line in text.splitlines(), "text report line %r in:\n%s" % (line, text))
        f, t = m.cur[0], m.cur[1]
        check(text.startswith("BÁO CÁO KẾT QUẢ TỪ NGÀY %s ĐẾN NGÀY %s" % (f.strftime("%d/%m/%Y"),
                                                                       t.strftime("%d/%m/%Y"))), text[:80])

        # HTML: rendered by Chromium, its DOM's figures are the JSON's.
        out = os.path.join(env.dir, "report.html")
        env.cli("report", *period, "--format", "html", "--out", out)
        dom = chromium_dom(env.dir, out)
        fig = html_test.Figures()
        fig.feed(dom)
        leaves = html_test.json_leaves(got)
        seen = {}
        for e in fig.figures:
            seen[(e["data-period"], e["data-figure"], e.get("data-key"))] = e
        check_eq(sorted(seen, key=str), sorted(leaves, key=str), "figures in the DOM")
        for k, v in leaves.items():
            check_eq(seen[k]["data-value"], str(v), "DOM value of %r" % (k,))
            if isinstance(v, int):
                check_eq(html_test.officers_number(seen[k]["text"]), v, "DOM text of %r" % (k,))
        charts = {}
        for r in fig.rects:
            charts.setdefault(r["data-chart"], []).append(r)
        weekly = {}
        for r in charts.get("tips_weekly", []):
            weekly[r["data-series"]] = weekly.get(r["data-series"], 0) + int(r["data-value"])
        check_eq(weekly, got["tips"]["by_category"], "tips per week, summed by category")
        check_eq({r["data-label"]: int(r["data-value"]) for r in charts["patrols_by_team"]},
                 got["patrols"]["by_team"], "patrols per team chart")
        months = {r["data-label"]: int(r["data-value"]) for r in charts["participants_monthly"]}
        check_eq({k: v for k, v in months.items() if v}, participants_by_month(m), "participants per month chart")

        # CSV: one row per figure, read back with the csv module.
        out = os.path.join(env.dir, "report.csv")
        env.cli("report", *period, "--format", "csv", "--out", out)
        with open(out, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        check_eq(rows[0], ["section", "name", "value", "previous"], "CSV header")
        cells = {}
        for section, name, value, previous in rows[1:]:
            if section in ("", "tips", "awareness", "patrols", "mediations", "broadcasts", "sms"):
                path, key = (section + "." if section else "") + name, None
            else:
                path, key = section, name
            cells[("cur", path, key)] = value
            cells[("previous", path, key)] = previous
        check_eq(sorted(cells, key=str), sorted(leaves, key=str), "figures in the CSV")
        for k, v in leaves.items():
            check_eq(cells[k], str(v), "CSV %r" % (k,))
        # A report ending the day before an awareness session, mid-month: that month's bar of
        # the participants chart stops at the report's end, as every figure does.
        first = m.cur[0]
        day = next(d for d in (first + datetime.timedelta(days=n) for n in (3, 10, 20)) if d.day > 1)
        end = day - datetime.timedelta(days=1)
        got2 = json.loads(env.cli("report", "--from", first.isoformat(), "--to", end.isoformat(),
                                  "--format", "json").stdout)
        inside = [(l, w) for _, _, l, w in m.msgs if first <= l.date() <= end]
        check_eq((got2["tips"]["received"], got2["awareness"]["participants"], got2["patrols"]["count"],
                  got2["sms"]["received"]),
                 (sum(w["kind"] == "tip" for _, w in inside),
                  sum(w["participants"] for _, w in inside if w["kind"] == "awareness"),
                  sum(w["kind"] == "patrol" for _, w in inside),
                  sum(w.get("channel") != "ussd" for _, w in inside)),
                 "tips, participants, patrols, SMS received up to %s" % end)
        out = os.path.join(env.dir, "mid.html")
        env.cli("report", "--from", first.isoformat(), "--to", end.isoformat(), "--format", "html", "--out", out)
        fig = html_test.Figures()
        with open(out, encoding="utf-8") as fh:
            fig.feed(fh.read())
        months = {r["data-label"]: int(r["data-value"]) for r in fig.rects if r["data-chart"] == "participants_monthly"}
        check_eq({k: v for k, v in months.items() if v}, participants_by_month(m, end),
                 "participants per month up to %s" % end)

        # The weekly chart for a period starting on each day of the week: its first week is cut
        # at the start (the days before it, from its Monday, hold tips), its bars sum to the
        # period's categories.
        for k in range(7):
            start = first + datetime.timedelta(days=k)
            period = ["--from", start.isoformat(), "--to", m.today.isoformat()]
            want_cat = json.loads(env.cli("report", *period, "--format", "json").stdout)["tips"]["by_category"]
            out = os.path.join(env.dir, "week%d.html" % k)
            env.cli("report", *period, "--format", "html", "--out", out)
            fig = html_test.Figures()
            with open(out, encoding="utf-8") as fh:
                fig.feed(fh.read())
            weekly = {}
            for r in fig.rects:
                if r["data-chart"] == "tips_weekly":
                    weekly[r["data-series"]] = weekly.get(r["data-series"], 0) + int(r["data-value"])
            check_eq(weekly, want_cat, "tips per week from %s (a %s), summed by category"
                     % (start, start.strftime("%A")))

        # And --month of this month agrees with a --from/--to of the same days.
        ym = datetime.date.today().strftime("%Y-%m")
        a = json.loads(env.cli("report", "--month", ym, "--format", "json").stdout)
        first = datetime.date.today().replace(day=1)
        nxt = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        b = json.loads(env.cli("report", "--from", first.isoformat(), "--to", nxt.isoformat(),
                               "--format", "json").stdout)
        check_eq({k: v for k, v in a.items() if k != "previous"}, {k: v for k, v in b.items() if k != "previous"},
                 "--month and the same --from/--to")


def test_failed_sends_are_not_sent():
    """Through the AT emulator, whose network refuses the first two PDUs (+CMS ERROR 38) and
    outbox.max_attempts 1: the officer's acknowledgement and one broadcast message fail. The
    report counts the broadcast's three recipients, but the parts and SMS sent of the two that
    went only."""
    from harness import AtEnv
    env = AtEnv(extra="outbox: { max_attempts = 1; };")
    env.faults({"error": {"AT+CMGS": "+CMS ERROR: 38"}, "times": {"error:AT+CMGS": 2}})
    with running(env, start=False):
        for phone in ("+84911000001", "+84911000002"):
            env.cli("contact", "add", phone)
        env.cli("contact", "add", OFFICER, "--role", "officer", "--pin", "2468")
        env.sms(OFFICER, "TB 2468 TATCA " + BROADCAST, when=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 7 * 3600)))  # the emulator's +07:00
        env.start()
        # One read: two could see an empty outbox, then the four rows just queued.
        wait_for(lambda: env.query("SELECT count(*), count(*) FILTER (WHERE status IN "
                                   "('queued', 'sending')) FROM outbox") == [(4, 0)], 60,
                 "every message tried")
        check_eq(env.query("SELECT kind, status FROM outbox ORDER BY kind, status"),
                 [("broadcast", "failed"), ("broadcast", "sent"), ("broadcast", "sent"), ("reply", "failed")],
                 "the outbox: the first two refused (the reply goes first)")
        check_eq(len(env.sent()), 2, "PDUs the network took")
        today = datetime.date.today().isoformat()
        got = json.loads(env.cli("report", "--from", today, "--to", today, "--format", "json").stdout)
        check_eq((got["broadcasts"], got["sms"]),
                 ({"count": 1, "recipients": 3, "parts": 2}, {"received": 1, "sent": 2, "parts_sent": 2}),
                 "broadcasts and SMS of the day")


def chromium_dom(tmpdir, path):
    import subprocess
    cmd = [html_test.chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--user-data-dir=" + os.path.join(tmpdir, "profile"), "--dump-dom", "file://" + path]
    r = subprocess.run(cmd, capture_output=True, timeout=120 * html_test.SLOW)
    check_eq(r.returncode, 0, "chromium exit status (%s)" % r.stderr.decode()[-500:])
    dom = r.stdout.decode("utf-8")
    check("</html>" in dom, "no DOM dumped")
    return dom


def test_month_in_vietnam():
    run_month("Asia/Ho_Chi_Minh")


def test_month_in_utc():
    run_month("UTC")


if __name__ == "__main__":
    run_tests(globals())
