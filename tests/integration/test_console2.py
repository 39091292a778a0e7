"""The officers' web console, II (issue 24): broadcasts, reports and the modem, by clicks in a real
chromium (tests/integration/browser.py) on the real `tipline console`, with the real `tiplined` on
the simulated phone (the AT-modem emulator for the balance check). Screenshots at 360 and 1280 px go
to BUILD/console2-shots/; the report printed to PDF by chromium is read back with pdftotext."""
import calendar
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from browser import Browser  # noqa: E402
from harness import AtEnv, Env, TestFailure, check, check_eq, run_tests, wait_for  # noqa: E402
from test_console import OFFICER, OFFICER_TYPED, PASSWORD, consoled  # noqa: E402

SHOTS = os.path.join(harness.BUILD, "console2-shots")
PRICE = 350  # ussd.price_per_part in the tests' configuration
VILLAGE3 = ["+84987000301", "+84987000302", "+84987000303"]
HOSTILE_VILLAGE = '"><img src=x onerror="window.__pwned=1">'
HOSTILE_TEXT = "<script>window.__pwned=2</script> Họp dân tối nay & mai"
NAV = ("Tổng quan", "Thiết bị", "Đăng xuất", "Trần Thị Bình", "Bỏ qua menu")


class vietnam_time:
    """with vietnam_time(): the daemon, the console and this test in Asia/Ho_Chi_Minh, so that a
    local time on a page is not the UTC the database keeps (the test machine may run in UTC)."""

    def __enter__(self):
        self.old = os.environ.get("TZ")
        os.environ["TZ"] = "Asia/Ho_Chi_Minh"
        time.tzset()

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = self.old
        time.tzset()
        return False


def setup(env):
    env.cli("contact", "add", OFFICER, "--name", "Trần Thị Bình", "--role", "officer")
    env.cli("passwd", OFFICER, "--admin", stdin=("%s\n%s\n" % (PASSWORD, PASSWORD)).encode())
    return env


def console_env(extra=""):
    return setup(Env(extra='console: { listen = "127.0.0.1:0"; };\nussd: { price_per_part = %d; };\n%s'
                           % (PRICE, extra)))


def shot(b, page, name, height=None):
    """The whole page, or its top HEIGHT px (a picture small enough for docs/img/)."""
    os.makedirs(SHOTS, exist_ok=True)
    b.js("const p = s.pages[args.p]; await p.screenshot(args.h ? {path: args.path,"
         " clip: {x: 0, y: 0, width: p.viewportSize().width, height: args.h}} :"
         " {path: args.path, fullPage: true})", p=page, h=height,
         path=os.path.join(SHOTS, name + ".png"))


def axe_clean(b, page, what):
    v = b.js("return await s.axe(s.pages[args.p])", p=page)
    check(v == [], "axe-core on %s: %s" % (what, json.dumps(v, ensure_ascii=False)[:1500]))


def login(b, con, page="w", width=1280):
    b.js("await s.open(args.p, args.w, 900); const p = s.pages[args.p];"
         "await p.goto(args.url + '/login');"
         "await p.fill('#phone', args.phone); await p.fill('#password', args.pw);"
         "await Promise.all([p.waitForURL(args.url + '/'), p.click('button[type=submit]')]);",
         p=page, w=width, url=con.base, phone=OFFICER_TYPED, pw=PASSWORD)


def fits(b, page, what):
    wide = b.js("return await s.pages[args.p].evaluate(() => document.documentElement.scrollWidth)",
                p=page)
    check(wide <= 361, "%s fits 360 px (%d)" % (what, wide))


def no_markup(b, page, what):
    got = b.js("const p = s.pages[args.p]; return {pwned: await p.evaluate(() => window.__pwned ?? null),"
               "imgs: await p.$$eval('main img', e => e.length),"
               "scripts: await p.$$eval('main script:not([src])', e => e.length)}", p=page)
    check(got == {"pwned": None, "imgs": 0, "scripts": 0}, "%s made or ran markup: %r" % (what, got))


def local_input(dt):
    """A local datetime as <input type=datetime-local> wants it."""
    return dt.strftime("%Y-%m-%dT%H:%M")


# ------------------------------------------------------------------ broadcasts

def test_broadcast_by_clicks():
    """Compose to a village of three by clicks: the group's count, the cost as typed (the CLI's dry
    run says the same), the confirmation, the send; the progress bar reaches 3/3 as the simulated
    phone sends. Bad input beside its field, nothing queued. One scheduled two minutes on is
    cancelled. Hostile texts stay text; axe; screenshots."""
    with vietnam_time():
        _test_broadcast_by_clicks()


def _test_broadcast_by_clicks():
    env = console_env()
    try:
        for i, p in enumerate(VILLAGE3):
            env.cli("contact", "add", p, "--name", "Dân thôn 3 số %d" % (i + 1), "--village", "3")
        env.cli("contact", "add", "+84987000401", "--village", "4")
        env.cli("contact", "add", "+84987000901", "--village", "9", "--subscribed", "no")
        env.cli("contact", "add", "+84987000501", "--village", HOSTILE_VILLAGE)
        with consoled(env) as con, Browser(os.path.join(env.dir, "browser.log")) as b:
            login(b, con)
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/\\/broadcasts$/),"
                 "p.click('nav >> text=Thông báo')]);"
                 "await Promise.all([p.waitForURL(/\\/broadcasts\\/new$/), p.click('#compose')]);")
            opts = b.js("return await s.pages.w.$$eval('#group option', o => o.map(e => [e.value, e.textContent]))")
            by = dict(opts)
            check(by.get("THON3", "").endswith(": 3 người nhận"), "THON3 with its three: %r" % opts)
            check(by.get("THON9", "").endswith(": 0 người nhận"), "THON9 nobody subscribed: %r" % opts)
            check(by.get("TATCA", "").endswith(": 6 người nhận"), "everyone subscribed: %r" % opts)
            check(any(HOSTILE_VILLAGE in t for t in by.values()), "the hostile village as text")
            no_markup(b, "w", "the composer")
            text = "Thông báo: họp dân thôn 3 lúc 19 giờ tối thứ Bảy tại nhà văn hoá, mời bà con tham dự đầy đủ."
            b.js("const p = s.pages.w; await p.selectOption('#group', 'THON3'); await p.fill('#text', args.t);"
                 "await p.waitForFunction(() => !document.getElementById('cost').hidden &&"
                 " document.getElementById('c-members').textContent === '3 người');", t=text)
            live = b.js("const o = {}; for (const id of ['c-enc','c-left','c-parts','c-total','c-cost','c-time','c-hold'])"
                        " o[id] = await s.pages.w.textContent('#' + id); return o;")
            dry = env.cli("broadcast", "--group", "THON3", "--dry-run", text).stdout.decode()
            parts = int(re.search(r"parts:\s+(\d+) per message, (\d+) in all", dry).group(1))
            check_eq(live["c-total"], "%d phần (%d × 3 người)" % (3 * parts, parts), "total parts as typed")
            cost = 3 * parts * PRICE
            check_eq(int(re.search(r"cost:\s+(\d+) \(%d per part\)" % PRICE, dry).group(1)), cost,
                     "the CLI's dry run's cost")
            check(live["c-cost"].startswith("%s đ" % "{:,}".format(cost).replace(",", ".")),
                  "the cost in đồng as typed: %r (CLI: %r)" % (live, dry))
            check(("diacritics folded" in dry) == ("bỏ dấu" in live["c-enc"]), "encoding: %r vs %r" % (live, dry))
            check(live["c-hold"].startswith("chưa biết số dư"), "no balance known: %r" % live["c-hold"])
            axe_clean(b, "w", "the composer with its cost")
            shot(b, "w", "broadcast-compose-1280")
            # The confirmation: nothing queued yet.
            b.js("const p = s.pages.w; await Promise.all([p.waitForSelector('#confirm'), p.click('#preview')]);")
            check_eq(b.js("return await s.pages.w.textContent('#confirm-text')"), text, "the text confirmed")
            check_eq(b.js("return await s.pages.w.textContent('#c-cost')"), live["c-cost"], "the cost confirmed")
            check_eq(env.scalar("SELECT count(*) FROM broadcasts"), 0, "nothing queued before the confirmation")
            axe_clean(b, "w", "the confirmation")
            shot(b, "w", "broadcast-confirm-1280")
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/ok=queued/), p.click('#send')]);")
            bid = env.scalar("SELECT id FROM broadcasts")
            check_eq(env.scalar("SELECT group_name || '/' || parts || '/' || created_by FROM broadcasts"),
                     "THON3/%d/%s" % (parts, OFFICER), "the broadcast row")
            # The list reloads itself while the phone sends: 3/3 in the bar.
            b.js("await s.pages.w.waitForSelector('#b' + args.id + ' progress[value=\"3\"][max=\"3\"]',"
                 "{timeout: 60000})", timeout=70, id=bid)
            check_eq(b.js("return await s.pages.w.textContent('#b%d .count')" % bid), "3/3", "the count")
            sent = [m for m in harness.sent_messages(env) if m["to"] in VILLAGE3]
            check_eq(sorted(m["to"] for m in sent), VILLAGE3, "the simulated phone sent to the three")
            axe_clean(b, "w", "the list")
            shot(b, "w", "broadcasts-1280")
            # Bad input: beside its field, status 400, nothing queued.
            past = local_input(datetime.datetime.now() - datetime.timedelta(days=1))
            for group, txt, when, at, field in (("THON3", "   ", "now", "", "#text-error"),
                                                ("THON9", "Họp dân", "now", "", "#group-error"),
                                                ("THON3", "Họp dân", "at", past, "#at-error")):
                b.js("const p = s.pages.w; await p.goto(args.u + '/broadcasts/new');"
                     "await p.selectOption('#group', args.g); await p.fill('#text', args.t);"
                     "await p.check('#when-' + args.w); if (args.at) await p.fill('#at', args.at);"
                     "await Promise.all([p.waitForSelector(args.f), p.click('#preview')]);",
                     u=con.base, g=group, t=txt, w=when, at=at, f=field)
                msg = b.js("return await s.pages.w.textContent(args.f)", f=field)
                check(msg != "", "a message beside %s" % field)
                check_eq(b.js("return await s.pages.w.$eval(args.f.replace('-error', '').replace('#', '#'),"
                              " e => e.getAttribute('aria-invalid'))", f=field), "true", field + " marked")
                axe_clean(b, "w", "the composer with %s" % field)
            shot(b, "w", "broadcast-error-1280")
            check_eq(env.scalar("SELECT count(*) FROM broadcasts"), 1, "nothing queued by bad input")
            # Scheduled two minutes on (a minute may pass while the test types), then cancelled.
            later = local_input(datetime.datetime.now() + datetime.timedelta(minutes=2))
            b.js("const p = s.pages.w; await p.goto(args.u + '/broadcasts/new');"
                 "await p.selectOption('#group', 'THON3'); await p.fill('#text', args.t);"
                 "await p.check('#when-at'); await p.fill('#at', args.at);"
                 "await Promise.all([p.waitForSelector('#confirm'), p.click('#preview')]);"
                 "await Promise.all([p.waitForURL(/ok=queued/), p.click('#send')]);",
                 u=con.base, t=HOSTILE_TEXT, at=later)
            b2 = env.scalar("SELECT max(id) FROM broadcasts")
            check_eq(env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = ? AND status = 'queued'", (b2,)),
                     3, "three messages waiting for their time")
            row = b.js("return await s.pages.w.textContent('#b%d')" % b2)
            check("Đã lên lịch" in row and HOSTILE_TEXT[:40] in row, "scheduled, its text as text: %r" % row)
            check(later.replace("T", " ") in row, "its time as typed, local: %r in %r" % (later, row))
            check_eq(b.js("return await s.pages.w.evaluate(() => document.body.dataset.refresh ?? null)"), None,
                     "no reloading for a round that waits for its time (%r)"
                     % env.query("SELECT b.id, b.scheduled_at, datetime('now'), o.status FROM broadcasts b"
                                 " JOIN outbox o ON o.broadcast_id = b.id"))
            no_markup(b, "w", "the list with a hostile text")
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/ok=cancelled/),"
                 "p.click('#cancel-' + args.id)]);", id=b2)
            check_eq(env.scalar("SELECT status FROM broadcasts WHERE id = ?", (b2,)), "cancelled", "cancelled")
            check_eq(env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = ? AND status <> 'cancelled'",
                                (b2,)), 0, "its messages dropped")
            check("Đã huỷ" in b.js("return await s.pages.w.textContent('#b%d')" % b2), "shown cancelled")
            # At 360 px: each page fits, axe, screenshots.
            b.js("await s.pages.w.context().cookies().then(async c => { await s.open('n', 360, 740);"
                 "await s.pages.n.context().addCookies(c); })")
            for path, name in (("/broadcasts", "broadcasts-360"), ("/broadcasts/new", "broadcast-compose-360")):
                b.js("await s.pages.n.goto(args.u)", u=con.base + path)
                fits(b, "n", path)
                axe_clean(b, "n", path + " at 360 px")
                no_markup(b, "n", path)
                shot(b, "n", name)
    finally:
        env.close()


def test_broadcast_without_script_and_http():
    """Without JavaScript the preview POST is the cost; the cost endpoint's JSON equals the page's;
    cancel and release of what is not there are 404; a POST without the CSRF token changes nothing."""
    with vietnam_time():
        _test_broadcast_without_script_and_http()


def _test_broadcast_without_script_and_http():
    env = console_env()
    try:
        for p in VILLAGE3:
            env.cli("contact", "add", p, "--village", "3")
        with consoled(env, daemon=False) as con:
            st, cookie, _ = con.login()
            check_eq(st, 303, "login")
            st, _, html = con.request("GET", "/broadcasts/new", cookie=cookie)
            check_eq(st, 200, "the composer")
            csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', html).group(1)
            form = {"csrf": csrf, "group": "THON3", "text": "Họp dân", "when": "now", "do": "preview"}
            st, _, page = con.request("POST", "/broadcasts/new", form, cookie=cookie)
            check_eq(st, 200, "the preview")
            st, h, js = con.request("POST", "/broadcasts/cost", form, cookie=cookie)
            check_eq((st, h["content-type"]), (200, "application/json"), "the cost endpoint")
            j = json.loads(js)
            check_eq((j["parts"], j["members"], j["cost"]), (1, 3, 3 * PRICE), "the JSON figures")
            for k, v in j["fields"].items():
                check('id="%s">%s<' % (k, v) in page, "%s as the page shows it: %r" % (k, v))
            check_eq(env.scalar("SELECT count(*) FROM broadcasts"), 0, "a preview queues nothing")
            st, _, _ = con.request("POST", "/broadcasts/new", dict(form, csrf="0" * 64, do="send"), cookie=cookie)
            check_eq(st, 403, "without the CSRF token")
            check_eq(env.scalar("SELECT count(*) FROM broadcasts"), 0, "nothing queued")
            st, h, _ = con.request("POST", "/broadcasts/new", dict(form, do="send"), cookie=cookie)
            check_eq((st, h.get("location")), (303, "/broadcasts?ok=queued&id=1"), "sent")
            check_eq(env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = 1"), 3, "three queued")
            st, _, _ = con.request("POST", "/broadcasts/99", {"csrf": csrf, "do": "cancel"}, cookie=cookie)
            check_eq(st, 404, "cancel of no broadcast")
            st, h, _ = con.request("POST", "/broadcasts/1", {"csrf": csrf, "do": "release"}, cookie=cookie)
            check_eq((st, h.get("location")), (303, "/broadcasts?err=state&id=1"), "release of one not held")
            st, _, _ = con.request("POST", "/broadcasts/1", {"csrf": csrf, "do": "explode"}, cookie=cookie)
            check_eq(st, 400, "an unknown action")
            # Back from the confirmation to the composer, the draft kept.
            st, _, page = con.request("POST", "/broadcasts/new", dict(form, do="edit", text="Họp <b>dân</b>"),
                                      cookie=cookie)
            check_eq(st, 200, "edit")
            check('id="composer"' in page and "Họp &lt;b&gt;dân&lt;/b&gt;</textarea>" in page, "the draft kept, escaped")
            # Every week from a time: the CLI's --every week --at.
            first = (datetime.datetime.now() + datetime.timedelta(days=1)).replace(hour=7, minute=0, second=0)
            st, h, _ = con.request("POST", "/broadcasts/new", dict(form, do="send", when="every", every="week",
                                                                    at=local_input(first)), cookie=cookie)
            check_eq((st, h.get("location")), (303, "/broadcasts?ok=queued&id=2"), "a weekly broadcast")
            check_eq(env.query("SELECT every, scheduled_at FROM broadcasts WHERE id = 2"),
                     [("week", utc_text(first))], "weekly, from tomorrow 07:00 local")
            st, _, page = con.request("GET", "/broadcasts", cookie=cookie)
            check("mỗi tuần" in page and first.strftime("%Y-%m-%d 07:00") in page, "the list says so")
    finally:
        env.close()


# ------------------------------------------------------------------ reports

def last_month():
    today = datetime.date.today()
    first = today.replace(day=1)
    prev_last = first - datetime.timedelta(days=1)
    return prev_last.replace(day=1), prev_last


def utc_text(local_dt):
    return datetime.datetime.utcfromtimestamp(time.mktime(local_dt.timetuple())).strftime("%Y-%m-%d %H:%M:%S")


def test_report_last_month_and_print():
    """Messages dated last month through the daemon; 'a month' chosen by clicks shows the figures
    `tipline report --format json` gives; the downloads are the CLI's bytes; printed to PDF by
    chromium there is no navigation and every figure is on the paper."""
    with vietnam_time():
        _test_report_last_month_and_print()


def _test_report_last_month_and_print():
    if shutil.which("pdftotext") is None:
        raise TestFailure("pdftotext is not installed (scripts/deps.sh installs poppler-utils)")
    env = console_env()
    try:
        env.cli("contact", "add", "+84911222333", "--name", "Phạm Văn Dũng", "--role", "leader",
                "--team", "TQ3", "--village", "3")
        first, last = last_month()
        msgs = []
        for i in range(7):
            day = first + datetime.timedelta(days=1 + 3 * i)
            msgs.append(("+8498700%04d" % i, "TIN trom cho o thon %d lan %d" % (1 + i % 3, i),
                         datetime.datetime.combine(day, datetime.time(9, 15))))
        for d in (2, 9, 16):
            day = first + datetime.timedelta(days=d)
            msgs.append(("+84911222333", "TUAN BD TQ3 5", datetime.datetime.combine(day, datetime.time(21, 0))))
            msgs.append(("+84911222333", "TUAN KT TQ3", datetime.datetime.combine(day, datetime.time(23, 30))))
        msgs.append(("+84911222333", "TTPL 45 hop dan thon 3",
                     datetime.datetime.combine(first + datetime.timedelta(days=5), datetime.time(19, 0))))
        msgs.append(("+84911222333", "HG tranh chap ranh gioi dat",
                     datetime.datetime.combine(first + datetime.timedelta(days=12), datetime.time(10, 0))))
        with consoled(env) as con, Browser(os.path.join(env.dir, "browser.log")) as b:
            # One at a time: a patrol's end read before its start would end nothing.
            for k, (sender, text, when) in enumerate(msgs):
                env.sms(sender, text, when=utc_text(when))
                wait_for(lambda: env.scalar("SELECT count(*) FROM inbox") == k + 1, 30, "message %d stored" % k)
            wait_for(lambda: env.scalar("SELECT count(*) FROM patrols WHERE ended_at IS NOT NULL") == 3, 30,
                     "the patrols ended")
            ym = first.strftime("%Y-%m")
            want = json.loads(env.cli("report", "--month", ym, "--format", "json").stdout)
            check_eq(want["tips"]["received"], 7, "the CLI counts the month's tips")
            login(b, con)
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/\\/reports$/),"
                 "p.click('nav >> text=Báo cáo')]);"
                 "await p.check('#period-ym'); await p.fill('#month', args.ym);"
                 "await Promise.all([p.waitForURL(/period=ym/), p.click('#show')]);", ym=ym)
            figs = b.js("return await s.pages.w.$$eval('#report [data-figure][data-period]:not([data-key])',"
                        " e => e.map(x => [x.dataset.figure, x.dataset.period, x.dataset.value]))")
            check(len(figs) > 10, "figures on the page: %r" % figs[:5])
            for path, period, value in figs:
                v = want if period == "cur" else want["previous"]
                for k in path.split("."):
                    v = v[k]
                check_eq(str(v), value, "%s (%s) on the page and in the CLI's JSON" % (path, period))
            for path in ("tips.received", "patrols.count", "awareness.participants", "mediations.count"):
                check(any(f[0] == path and f[1] == "cur" for f in figs), "%s shown" % path)
            axe_clean(b, "w", "the report page")
            shot(b, "w", "reports-1280")
            shot(b, "w", "reports-top-1280", height=900)
            # Downloads: the CLI's renderings of the same period, byte for byte.
            for ext in ("json", "csv", "html"):
                href = b.js("return await s.pages.w.getAttribute('#dl-' + args.e, 'href')", e=ext)
                got = b.js("const r = await s.pages.w.request.get(args.u); return [r.status(),"
                           " r.headers()['content-disposition'] || '', await r.text()]", u=con.base + href)
                cli = env.cli("report", "--month", ym, "--format", ext).stdout.decode()
                check_eq(got[0], 200, ext + " download status")
                check("attachment" in got[1], ext + " is a download: %r" % got[1])
                check_eq(got[2], cli, "the %s download is `tipline report --format %s`" % (ext, ext))
            # This week, this month and any dates: the periods the CLI's --week, default and
            # --from/--to give.
            for q, args in (("period=week", ["--week"]), ("period=month", []),
                            ("period=days&from=%s&to=%s" % (first.isoformat(), (first + datetime.timedelta(days=9)).isoformat()),
                             ["--from", first.isoformat(), "--to", (first + datetime.timedelta(days=9)).isoformat()])):
                cli = json.loads(env.cli("report", "--format", "json", *args).stdout)
                got = b.js("const p = s.pages.w; await p.goto(args.u);"
                           "return await p.$$eval('#report time[data-period=cur], #report [data-figure=\"tips.received\"][data-period=cur]',"
                           " e => e.map(x => x.dataset.value))", u=con.base + "/reports?" + q)
                check_eq((got[:2], set(got[2:])), ([cli["from"], cli["to"]], {str(cli["tips"]["received"])}),
                         "the period of " + q)
            # Bad dates: said beside the chooser, 400.
            st = b.js("const r = await s.pages.w.request.get(args.u); return r.status()",
                      u=con.base + "/reports?period=days&from=2026-05-09&to=2026-05-01")
            check_eq(st, 400, "a period that ends before it starts")
            # Printed: A4 PDF by chromium, read back as text.
            pdf = os.path.join(env.dir, "report.pdf")
            b.js("await s.pages.w.emulateMedia({media: 'print'});"
                 "await s.pages.w.pdf({path: args.path, format: 'A4', printBackground: true});"
                 "await s.pages.w.emulateMedia({media: 'screen'});", path=pdf, timeout=60)
            os.makedirs(SHOTS, exist_ok=True)
            shutil.copy(pdf, os.path.join(SHOTS, "report-print.pdf"))
            txt = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                                 check=True).stdout.decode()
            for word in NAV + ("Tải về", "Kỳ báo cáo", "Xem báo cáo"):
                check(word not in txt, "%r printed: the navigation or the chooser is on paper" % word)
            check("BÁO CÁO KẾT QUẢ" in txt or "Báo cáo kết quả" in txt, "the report's title on paper")
            shown = b.js("return await s.pages.w.$$eval('#report [data-figure][data-period]',"
                         " e => e.map(x => x.textContent.trim()))")
            for t in shown:
                check(t in txt, "the figure %r on paper" % t)
            pages = int(re.search(rb"/Count (\d+)", open(pdf, "rb").read()).group(1))
            check(pages <= 4, "A4 pages: %d" % pages)
            b.js("await s.open('n', 360, 740); await s.pages.n.context().addCookies("
                 "await s.pages.w.context().cookies()); await s.pages.n.goto(args.u)",
                 u=con.base + "/reports?period=ym&month=" + ym)
            fits(b, "n", "the report page")
            axe_clean(b, "n", "the report page at 360 px")
            shot(b, "n", "reports-360")
    finally:
        env.close()


# ------------------------------------------------------------------ the modem

BALANCE = "TKC 12.345d, HSD 31/12/2026"


def test_modem_page_and_balance_now():
    """The status the CLI shows, local times; 'check the balance now' answers at once and the page
    shows the network's answer when the daemon has it; the outbox by state; the last alerts. Under
    that balance a broadcast composed by clicks is foretold held, is held, and goes when released."""
    with vietnam_time():
        _test_modem_page_and_balance_now()


def _test_modem_page_and_balance_now():
    env = setup(AtEnv(extra='console: { listen = "127.0.0.1:0"; };\n'
                            'ussd: { balance_code = "*101#"; check_every = 3600; timeout = 5; '
                            'low_balance = 20000; };\nstatus: { every = 1; };\n'
                            # A district out of reach: the page's sync card in its error state.
                            'sync: { conninfo = "host=/nonexistent/tipline-nopg user=x dbname=x"; '
                            'node = "dak-to-re"; every = 1; };\n'))
    env.faults({"ussd": {"*101#": BALANCE}})
    try:
        with consoled(env) as con, Browser(os.path.join(env.dir, "browser.log")) as b:
            wait_for(lambda: env.scalar("SELECT value FROM status WHERE key = 'balance'") == "12345", 40,
                     "the balance read at start")
            env.faults({"ussd": {"*101#": BALANCE.replace("12.345", "8.765")}})
            login(b, con)
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/\\/modem$/),"
                 "p.click('nav >> text=Thiết bị')]);")
            st = json.loads(env.cli("status", "--json").stdout)
            text = b.js("return await s.pages.w.textContent('#status')")
            check("đang chạy từ" in text and st["modem"]["operator"] in text and "SIMsẵn sàng" in text,
                  "the status: %r" % text)
            started = datetime.datetime.fromtimestamp(calendar.timegm(time.strptime(
                st["daemon"]["started_at"], "%Y-%m-%d %H:%M:%S"))).strftime("%Y-%m-%d %H:%M")
            check(started in text, "the start in local time %s: %r" % (started, text))
            check("12.345 đ" in b.js("return await s.pages.w.textContent('#s-balance')"), "the balance")
            if not (st["sync"]["last_error"] or ""):  # the daemon's first failed sync, then the page again
                wait_for(lambda: json.loads(env.cli("status", "--json").stdout)["sync"]["last_error"], 30,
                         "the failed sync")
                b.js("await s.pages.w.reload()")
            sync = b.js("return await s.pages.w.textContent('#s-sync-state')")
            check(sync.startswith("Lỗi: cannot reach the district"), "the sync's error: %r" % sync)
            alerts = b.js("return await s.pages.w.textContent('main')")
            check("balance_low" in alerts, "the low-balance alert listed")
            axe_clean(b, "w", "the modem page")
            t0 = time.monotonic()
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/ussd=\\d+/), p.click('#balance-now')]);")
            check(time.monotonic() - t0 < 5 * harness.SLOW, "the click answered at once")
            b.js("await s.pages.w.waitForSelector('#ussd-answer', {timeout: 40000})", timeout=50)
            check_eq(b.js("return await s.pages.w.textContent('#ussd-answer')"),
                     BALANCE.replace("12.345", "8.765"), "the network's answer on the page")
            check("8.765 đ" in b.js("return await s.pages.w.textContent('#s-balance')"), "the new balance")
            outbox = b.js("return await s.pages.w.$$eval('#outbox tbody tr', r => r.map(x => [x.dataset.state,"
                          " x.querySelector('.num').textContent]))")
            counts = {k: int(v) for k, v in outbox}
            for k, v in st["outbox"].items():
                if isinstance(v, int) and k in counts:
                    check(counts[k] >= v, "outbox %s: %d on the page, %d in status" % (k, counts[k], v))
            axe_clean(b, "w", "the modem page with the answer")
            shot(b, "w", "modem-1280")
            shot(b, "w", "modem-top-1280", height=760)
            # The balance (8.765 đ) is under the reserve (20.000 đ): a broadcast is held, as the
            # composer says before it is sent; released by its button, it goes.
            b.js("const p = s.pages.w; await p.goto(args.u + '/broadcasts/new');"
                 "await p.selectOption('#group', 'CANBO'); await p.fill('#text', 'Hop giao ban 8h sang mai');"
                 "await p.waitForFunction(() => !document.getElementById('cost').hidden);", u=con.base)
            hold = b.js("return await s.pages.w.textContent('#c-hold')")
            check(hold.startswith("không đủ: số dư 8.765 đ trừ mức dự phòng 20.000 đ"), "the hold foretold: %r" % hold)
            b.js("const p = s.pages.w; await Promise.all([p.waitForSelector('#confirm'), p.click('#preview')]);"
                 "await Promise.all([p.waitForURL(/ok=held/), p.click('#send')]);")
            bid = env.scalar("SELECT max(id) FROM broadcasts")
            check_eq(env.scalar("SELECT status FROM broadcasts WHERE id = ?", (bid,)), "held", "held")
            check_eq(env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = ?", (bid,)), 0, "nothing queued")
            check("Bị giữ lại" in b.js("return await s.pages.w.textContent('#b%d')" % bid), "shown held")
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/ok=released/),"
                 "p.click('#release-' + args.id)]);", id=bid)
            wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE broadcast_id = ? AND status = 'sent'",
                                        (bid,)) == 1, 30, "the released broadcast sent")
            shot(b, "w", "broadcasts-released-1280")
            b.js("await s.open('n', 360, 740); await s.pages.n.context().addCookies("
                 "await s.pages.w.context().cookies()); await s.pages.n.goto(args.u)", u=con.base + "/modem")
            fits(b, "n", "the modem page")
            axe_clean(b, "n", "the modem page at 360 px")
            shot(b, "n", "modem-360")
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
