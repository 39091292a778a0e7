"""The admins' audit log (issue 24, Tài khoản: /audit and /audit.csv): console_audit and
tip_events read as one list, filtered by who, action, subject and local dates, a page at a
time, downloaded as CSV with the same filters; 403 for an officer who is not an admin; a
hostile officer's name shown as text. The real `tipline console` and `tiplined`, the real
chromium (tests/integration/browser.py), axe-core, screenshots in BUILD/console-shots/."""
import csv
import io
import os
import re
import sqlite3
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Browser  # noqa: E402
from harness import check, check_eq, run_tests, wait_for  # noqa: E402
from test_console import (OFFICER, OFFICER_TYPED, PASSWORD, VILLAGER, axe_clean,  # noqa: E402
                          console_env, consoled, csrf_of, shot)
from test_console2 import vietnam_time  # noqa: E402

ADMIN_BY = "Trần Thị Bình (%s)" % OFFICER
HOSTILE = '<img src=x onerror="window.__pwned=1">Lê <b>Văn</b> Tám'
HOSTILE_PHONE, HOSTILE_PW = "+84912000002", "mật khẩu thứ hai"
THIRD = "+84912000003"


def rows_of(b, page="w"):
    """The log's table as [(time, by, action code, subject, detail)]."""
    return [tuple(r) for r in b.js(
        "return await s.pages[args.p].$$eval('#audit tbody tr', rs => rs.map(r => ["
        "r.cells[0].textContent, r.cells[1].textContent, r.cells[2].dataset.action,"
        "r.cells[3].textContent, r.cells[4].textContent]))", p=page)]


def filter_by(b, **fields):
    """Fill the GET form as an officer would (selects by value, the rest typed) and press Lọc."""
    js = ["const p = s.pages.w;"]
    for k, v in fields.items():
        if k in ("by", "action"):
            js.append("await p.selectOption('#a-%s', %s);" % (k, json_str(v)))
        else:
            js.append("await p.fill('#a-%s', %s);" % (k, json_str(v)))
    js.append("await Promise.all([p.waitForNavigation(), p.click('button:has-text(\"Lọc\")')]);")
    b.js("".join(js))


def json_str(v):
    import json
    return json.dumps(v, ensure_ascii=False)


def test_audit_log_filters_csv_and_rights():
    """An admin's triage, category change and account disabled, another officer's triage, the
    CLI's: the admin filters the log by officer, then by action too, and sees exactly those
    rows; the CSV link has them; a subject's rows; local dates in Asia/Ho_Chi_Minh; pages;
    a bad date said beside its field; 403 for an officer who is not an admin; a hostile name
    as text; axe-core on the page."""
    with vietnam_time():
        _test_audit_log()


def _test_audit_log():
    env = console_env()
    try:
        env.cli("contact", "add", HOSTILE_PHONE, "--name", HOSTILE, "--role", "officer")
        env.cli("passwd", HOSTILE_PHONE, stdin=("%s\n%s\n" % (HOSTILE_PW, HOSTILE_PW)).encode())
        env.cli("contact", "add", THIRD, "--name", "Đỗ Văn Ba", "--role", "officer")
        env.cli("passwd", THIRD, stdin=b"mat khau ba 2026\nmat khau ba 2026\n")
        with consoled(env) as con, Browser(os.path.join(env.dir, "browser.log")) as b:
            env.sms(VILLAGER, "TIN co nguoi la o thon 3")
            env.sms("+84987654322", "TIN trom trau o thon 5")
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 2, 30, "the two tips")
            t1 = env.scalar("SELECT ref FROM tips WHERE text LIKE '%nguoi la%'")
            t2 = env.scalar("SELECT ref FROM tips WHERE text LIKE '%trom trau%'")
            _, admin, _ = con.login()
            _, hostile, _ = con.login(phone=HOSTILE_PHONE, password=HOSTILE_PW)
            check(admin and hostile, "both officers log in")
            # --- the changes: the admin's triage, category change and account disabled; the
            # hostile officer's triage; the CLI's.
            _, _, page = con.request("GET", "/tips/" + t1, cookie=admin)
            token = csrf_of(page)
            st, h, _ = con.request("POST", "/tips/" + t1, {
                "csrf": token, "do": "mark", "status": "checking", "note": "gọi trưởng thôn",
                "notify": ""}, cookie=admin)
            check_eq(h.get("location"), "/tips/%s?ok=marked" % t1, "the admin's triage")
            st, h, _ = con.request("POST", "/tips/" + t2, {
                "csrf": token, "do": "set", "category": "theft", "village": "Thôn 5"},
                cookie=admin)
            check_eq(h.get("location"), "/tips/%s?ok=set" % t2, "the admin's category change")
            st, h, _ = con.request("POST", "/accounts", {"csrf": token, "do": "disable",
                                                         "phone": THIRD}, cookie=admin)
            check_eq(h.get("location"), "/accounts?ok=1", "the third account disabled")
            _, _, hpage = con.request("GET", "/tips/" + t2, cookie=hostile)
            st, h, _ = con.request("POST", "/tips/" + t2, {
                "csrf": csrf_of(hpage), "do": "mark", "status": "valuable", "note": "",
                "notify": ""}, cookie=hostile)
            check_eq(h.get("location"), "/tips/%s?ok=marked" % t2, "the hostile officer's triage")
            env.cli("tip", "mark", "--by", "cli", t1, "valuable")
            # --- a non-admin: 403 on the page and on the download
            for path in ("/audit", "/audit.csv", "/audit?by=cli"):
                st, _, body = con.request("GET", path, cookie=hostile)
                check_eq(st, 403, "%s for an officer who is not an admin" % path)
                check("Chi tiết" not in body and t1 not in body, "nothing of the log in the 403")
            # --- the admin in the browser: from the accounts page to the log
            b.js("await s.open('w', 1280, 900); await s.open('n', 360, 740);")
            b.js("const p = s.pages.w; await p.goto(args.url + '/login');"
                 "await p.fill('#phone', args.phone); await p.fill('#password', args.pw);"
                 "await Promise.all([p.waitForURL(args.url + '/'), p.click('button[type=submit]')]);"
                 "await s.pages.n.context().addCookies(await p.context().cookies());",
                 url=con.base, phone=OFFICER_TYPED, pw=PASSWORD)
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/\\/accounts$/),"
                 "p.click('nav >> text=Tài khoản')]);"
                 "await Promise.all([p.waitForURL(/\\/audit$/),"
                 "p.click('text=Nhật ký thay đổi')]);")
            every = rows_of(b)
            # Newest first: the times as shown (local) never go up down the page.
            times = [r[0] for r in every]
            check_eq(times, sorted(times, reverse=True), "newest first")
            check_eq(len(every), 3 + 2 + 1 + 1 + 1, "every change: 3 passwd, 2 triage by officers, "
                     "the category, the account, the CLI's triage: %r" % every)
            axe_clean(b, "w", "the audit log")
            shot(b, "w", "audit-1280")
            check(b.js("return await s.pages.w.evaluate(() => window.__pwned === undefined)") is True,
                  "no script ran")
            # The hostile name is an option's text and a cell's text, never markup.
            opts = b.js("return await s.pages.w.$$eval('#a-by option', os => os.map("
                        "o => [o.value, o.textContent]))")
            hostile_by = "%s (%s)" % (HOSTILE, HOSTILE_PHONE)
            check([hostile_by, hostile_by] in opts, "the hostile officer in the select: %r" % opts)
            check_eq(b.js("return await s.pages.w.$$eval('#audit img, #audit b', e => e.length)"),
                     0, "no element from a name")
            check(any(r[1] == hostile_by and r[2] == "tip_mark" for r in every),
                  "the hostile officer's triage, its name as text")
            acts = b.js("return await s.pages.w.$$eval('#a-action option', os => os.map("
                        "o => [o.value, o.textContent]))")
            check_eq(sorted(v for v, _ in acts if v),
                     sorted(["account_password", "account_disable", "tip_mark", "tip_set"]),
                     "the actions present")
            check(["tip_mark", "Xử lý tin báo"] in acts, "the actions' Vietnamese labels")
            # --- by officer: exactly the admin's three changes
            filter_by(b, by=ADMIN_BY)
            mine = rows_of(b)
            check_eq(sorted((r[1], r[2], r[3]) for r in mine),
                     sorted([(ADMIN_BY, "tip_mark", t1), (ADMIN_BY, "tip_set", t2),
                             (ADMIN_BY, "account_disable", THIRD)]),
                     "the admin's rows: %r" % mine)
            # --- and by action: the one triage, its detail in words
            filter_by(b, action="tip_mark")
            check("by=" in b.js("return s.pages.w.url()"), "a GET form: the filters in the URL")
            one = rows_of(b)
            check_eq([(r[1], r[2], r[3]) for r in one], [(ADMIN_BY, "tip_mark", t1)],
                     "the admin's triage alone")
            check_eq(one[0][4], "Mới → Đang xác minh; gọi trưởng thôn", "the triage's detail")
            # --- the CSV link carries the same filters
            href = b.js("return await s.pages.w.getAttribute('#audit-csv', 'href')")
            data = b.js("const p = s.pages.w; return await p.evaluate(async h => "
                        "(await fetch(h)).text(), args.h)", h=href)
            got = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
            check_eq(got[0], ["Lúc (giờ địa phương)", "Người làm", "Việc", "Mã việc",
                              "Đối tượng", "Chi tiết"], "the CSV's header")
            check_eq([(r[1], r[3], r[4], r[5]) for r in got[1:]],
                     [(ADMIN_BY, "tip_mark", t1, "Mới → Đang xác minh; gọi trưởng thôn")],
                     "the CSV: the filtered rows")
            # The action alone: three triages (the admin, the hostile officer, the CLI).
            st, _, body = con.request("GET", "/audit.csv?action=tip_mark", cookie=admin)
            got = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
            check_eq(sorted(r[1] for r in got[1:]), sorted([ADMIN_BY, hostile_by, "cli"]),
                     "the CSV of every triage")
            # --- subject text
            b.js("await s.pages.w.goto(args.u)", u=con.base + "/audit?q=" + t2.lower())
            check_eq(sorted(r[2] for r in rows_of(b)), ["tip_mark", "tip_set"],
                     "the rows about %s" % t2)
            # --- the 360 px window, the same page
            b.js("await s.pages.n.goto(args.u)", u=con.base + "/audit?action=tip_mark")
            wide = b.js("return await s.pages.n.evaluate(() => "
                        "document.documentElement.scrollWidth)")
            check(wide <= 361, "the log fits 360 px (%d)" % wide)
            axe_clean(b, "n", "the audit log at 360 px")
            shot(b, "n", "audit-360")
            # --- local dates: a row at 18:30 UTC on 1 March is 01:30 on 2 March in Hà Nội
            w = sqlite3.connect(env.db, timeout=10)
            w.execute("INSERT INTO console_audit (at, by, action, subject, detail) VALUES "
                      "('2026-03-01 18:30:00', 'Ngô Thị Mai (+84912000009)', 'group_add', "
                      "'DOANTN', '+84912000010')")
            # 120 rows on one day of April for the pages.
            w.executemany("INSERT INTO console_audit (at, by, action, subject, detail) VALUES "
                          "(?, 'cli', 'contact_set', ?, NULL)",
                          [("2026-04-10 02:%02d:%02d" % (i // 60, i % 60), "+849130%05d" % i)
                           for i in range(120)])
            w.commit()
            w.close()

            def listed(q):
                st, _, page = con.request("GET", "/audit?" + q, cookie=admin)
                check_eq(st, 200, q)
                return re.findall(r'<tr><td class="time">([^<]*)</td><td><bdi>([^<]*)</bdi>'
                                  r'</td><td data-action="([a-z_]*)"', page), page

            rows, _ = listed("from=2026-03-02&to=2026-03-02")
            check_eq(rows, [("2026-03-02 01:30", "Ngô Thị Mai (+84912000009)", "group_add")],
                     "a local date's row, its local time")
            check_eq(listed("from=2026-03-01&to=2026-03-01")[0], [], "the UTC date is not the day")
            rows, page = listed("action=contact_set&from=2026-04-10&to=2026-04-10")
            check_eq(len(rows), 50, "the first page")
            check('rel="next" href="/audit?page=2&amp;action=contact_set&amp;from=2026-04-10'
                  '&amp;to=2026-04-10"' in page, "the next page keeps the filters")
            rows3, page3 = listed("page=3&action=contact_set&from=2026-04-10&to=2026-04-10")
            check_eq(len(rows3), 20, "the last page")
            check('rel="next"' not in page3 and 'rel="prev"' in page3, "no page after the last")
            # Bad input: said beside the field, nothing listed, 400.
            st, _, page = con.request("GET", "/audit?from=2026-13-45", cookie=admin)
            check_eq(st, 400, "a bad date")
            check('id="a-from-err"' in page and "Ngày không hợp lệ" in page
                  and 'aria-invalid="true"' in page and "<table" not in page,
                  "the error beside the date, nothing listed")
            st, _, page = con.request("GET", "/audit?from=2026-04-11&to=2026-04-10", cookie=admin)
            check(st == 400 and 'id="a-to-err"' in page, "a period that ends before it starts")
            st, _, _ = con.request("GET", "/audit.csv?to=x", cookie=admin)
            check_eq(st, 400, "the CSV with a bad date")
            q = urllib.parse.urlencode({"by": "Ngô Thị Mai (+84912000009)"})
            st, _, body = con.request("GET", "/audit.csv?" + q, cookie=admin)
            got = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
            check_eq(got[1:], [["2026-03-02 01:30:00", "Ngô Thị Mai (+84912000009)",
                                "Thêm vào nhóm", "group_add", "DOANTN", "+84912000010"]],
                     "the CSV row, its local time")
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
