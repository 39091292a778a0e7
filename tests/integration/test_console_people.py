"""The console's Danh bạ and Nhóm, tổ (issue 24): contacts imported from a spreadsheet's CSV
(`tipline contact import` and the console's upload, one action: act_contacts_import), added,
changed, given a PIN and removed; named groups and teams' nights; in the real chromium against
the real `tipline console` over a real database, axe-core on each page, screenshots at 360 and
1280 px in BUILD/console-shots/."""
import csv
import io
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Browser  # noqa: E402
from harness import Env, check, check_eq, run_tests  # noqa: E402
from test_console import (OFFICER_TYPED, PASSWORD, SHOTS, axe_clean, console_env,  # noqa: E402
                          consoled, csrf_of, shot)

HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Lê <b>Văn</b> \u202eTám'
# As the pages show it (text_unsafe_cp): the right-to-left override as U+FFFD, the rest as text.
HOSTILE_SHOWN = HOSTILE_NAME.replace("\u202e", "\ufffd")


def write(env, name, data):
    path = os.path.join(env.dir, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def contacts(env):
    """{phone: (name, village, role, team, subscribed)} of every contact."""
    return {r[0]: tuple(r[1:]) for r in env.query(
        "SELECT phone, name, village, role, team, subscribed FROM contacts")}


def big_csv():
    """200 lines (a header, 200 people): 195 good, 5 bad (lines 12, 40, 77, 150, 199 of the
    file: a bad number, an empty name, an unknown role, a number twice, a bad team code)."""
    rows = ["Họ và tên;Số điện thoại;Thôn;Vai trò;Tổ"]
    bad = {}
    for i in range(200):
        line = i + 2
        name, phone, village, role, team = ("Người số %d" % i, "09130%05d" % i,
                                            "Thôn %d" % (i % 7), "", "")
        if i % 40 == 0:
            role, team = "Tổ trưởng", "TQ%d" % (i // 40)
        if line == 12:
            phone, bad[line] = "09-12", "số điện thoại không hợp lệ"
        elif line == 40:
            name, bad[line] = "", "thiếu tên"
        elif line == 77:
            role, bad[line] = "trưởng thôn", "không rõ"
        elif line == 150:
            phone, bad[line] = "09130%05d" % 3, "đã có ở dòng 5"
        elif line == 199:
            team, bad[line] = "TQ-3", "mã tổ"
        rows.append(";".join([name, phone, village, role, team]))
    return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"), bad


# ------------------------------------------------------------------ the CLI and the matching

def test_csv_headers_bom_and_separators():
    """One spreadsheet written four ways (BOM and semicolons with Vietnamese headers; plain
    commas without diacritics; English in capitals with LF ends; quoted cells with the
    separator inside) imports the same people; a file without a phone column, or not UTF-8, is
    refused whole; the same file twice changes nothing; an export imports as the same."""
    env = Env()
    try:
        variants = [
            b"\xef\xbb\xbf" + "Họ và tên;Số điện thoại;Thôn;Vai trò;Tổ\r\n"
            "Nguyễn Văn An;0912 345 678;Thôn 3;;\r\n"
            "Trần Thị Bích;+84912345679;Thôn 3;Tổ trưởng;tq3\r\n".encode(),
            "ho ten,sdt,thon,vai tro,to\r\nNguyễn Văn An,0912345678,Thôn 3,,\r\n"
            "Trần Thị Bích,0912345679,Thôn 3,to truong,TQ3\r\n".encode(),
            "NAME,Phone,Village,ROLE,Team\nNguyễn Văn An,84912345678,Thôn 3,villager,\n"
            "Trần Thị Bích,0912345679,Thôn 3,leader,TQ3\n".encode(),
            '\ufeffTên;SĐT;THÔN;vai_trò;tổ\n"Nguyễn Văn An";"0912345678";"Thôn 3";"";""\n'
            '"Trần Thị Bích";0912345679;"Thôn 3";"Tổ trưởng";"TQ3"\n'.encode(),
        ]
        want = {"+84912345678": ("Nguyễn Văn An", "Thôn 3", "villager", None, 1),
                "+84912345679": ("Trần Thị Bích", "Thôn 3", "leader", "TQ3", 1)}
        for i, data in enumerate(variants):
            if i:
                w = sqlite3.connect(env.db, timeout=10)
                w.execute("DELETE FROM contacts")
                w.commit()
                w.close()
            path = write(env, "v%d.csv" % i, data)
            dry = env.cli("contact", "import", path, "--dry-run").stdout.decode()
            check("2 added, 0 changed, 0 the same, 0 refused (dry run" in dry,
                  "variant %d's dry run: %r" % (i, dry))
            check_eq(contacts(env), {}, "variant %d: nothing written by the dry run" % i)
            out = env.cli("contact", "import", path).stdout.decode()
            check("2 added" in out, "variant %d: %r" % (i, out))
            check_eq(contacts(env), want, "variant %d's contacts" % i)
            again = env.cli("contact", "import", path).stdout.decode()
            check_eq(again.strip(), "0 added, 0 changed, 2 the same, 0 refused",
                     "variant %d imported twice" % i)
        # A quoted cell holding both separators and a doubled quote.
        path = write(env, "q.csv", 'Họ tên;Số điện thoại\n"Lê ""Ba""; Ngõ, 4";0912000777\n'.encode())
        env.cli("contact", "import", path)
        check_eq(env.scalar("SELECT name FROM contacts WHERE phone = '+84912000777'"),
                 'Lê "Ba"; Ngõ, 4', "a quoted cell")
        # Refused whole: no phone column; Latin-1 bytes; a duplicated column.
        for data, why in ((b"ten;thon\nA;B\n", "Số điện thoại"),
                          (b"ten,sdt\nNguy\xe9n,0912000888\n", "UTF-8"),
                          (b"ten,sdt,phone\nA,0912000888,0912000889\n", "hai c")):
            p = env.cli("contact", "import", write(env, "bad.csv", data), check_rc=False)
            check_eq(p.returncode, 1, "a file refused whole: exit status (%r)" % p.stderr)
            check(why in p.stderr.decode(), "why: %r" % p.stderr.decode())
        check_eq(env.scalar("SELECT count(*) FROM contacts WHERE phone = '+84912000888'"), 0,
                 "nothing of a refused file")
        # What `tipline export contacts` writes reads back as the same people.
        exp = env.cli("export", "contacts", "--out", os.path.join(env.dir, "exp.csv"))
        check_eq(exp.returncode, 0, "export contacts")
        before = contacts(env)
        out = env.cli("contact", "import", os.path.join(env.dir, "exp.csv")).stdout.decode()
        check("0 added, 0 changed, 3 the same, 0 refused" in out, "the export imported: %r" % out)
        check_eq(contacts(env), before, "the contacts after importing their export")
        # Bad arguments: one line and the usage, exit 2.
        p = env.cli("contact", "import", check_rc=False)
        check_eq(p.returncode, 2, "contact import without a FILE")
        p = env.cli("contact", "rm", "+84912000777")
        check_eq(env.scalar("SELECT count(*) FROM contacts WHERE phone = '+84912000777'"), 0,
                 "contact rm")
    finally:
        env.close()


def test_import_lines_refused_and_one_transaction():
    """The 200-line file: the five bad lines named with their line and why, the 195 good ones
    written in one transaction, the second import changing nothing (not even updated_at)."""
    env = Env()
    try:
        data, bad = big_csv()
        path = write(env, "big.csv", data)
        out = env.cli("contact", "import", path).stdout.decode()
        check("195 added, 0 changed, 0 the same, 5 refused" in out, "the summary: %r" % out)
        refused = {int(m.group(1)): m.group(2) for m in
                   re.finditer(r"^line (\d+): refused (.*)$", out, re.M)}
        check_eq(sorted(refused), sorted(bad), "the lines refused")
        for line, why in bad.items():
            check(why in refused[line], "line %d: %r, not %r" % (line, refused[line], why))
        check_eq(env.scalar("SELECT count(*) FROM contacts"), 195, "contacts written")
        check_eq(env.scalar("SELECT count(*) FROM teams"), 5, "teams made (TQ0..TQ4)")
        stamp = env.scalar("SELECT max(updated_at) || count(*) FROM contacts")
        out = env.cli("contact", "import", path).stdout.decode()
        check("0 added, 0 changed, 195 the same, 5 refused" in out, "again: %r" % out)
        check_eq(env.scalar("SELECT max(updated_at) || count(*) FROM contacts"), stamp,
                 "no row touched by the second import")
    finally:
        env.close()


# ------------------------------------------------------------------ the browser

def go(b, page, url):
    b.js("await s.pages[args.p].goto(args.u)", p=page, u=url)


def click_to(b, page, selector, url_re):
    b.js("const p = s.pages[args.p]; await Promise.all([p.waitForURL(new RegExp(args.re)),"
         "p.click(args.sel)]);", p=page, sel=selector, re=url_re)


def submit(b, page, selector):
    """Click SELECTOR and wait for the page it loads (a 400 stays on the same URL)."""
    b.js("const p = s.pages[args.p]; await Promise.all([p.waitForNavigation(),"
         "p.click(args.sel)]);", p=page, sel=selector)


def text(b, page, selector="main"):
    return b.js("return await s.pages[args.p].textContent(args.sel)", p=page, sel=selector)


def top(b, page, name):
    """The window's view only (docs/img takes these: small files)."""
    b.js("await s.pages[args.p].screenshot({path: args.path})", p=page,
         path=os.path.join(SHOTS, name + ".png"))


def fits(b, page, what):
    wide = b.js("return await s.pages[args.p].evaluate(() => "
                "document.documentElement.scrollWidth)", p=page)
    check(wide <= 361, "%s fits 360 px (%d)" % (what, wide))


def test_people_and_groups_in_a_browser():
    env = console_env()
    try:
        env.cli("contact", "add", "+84911222333", "--name", "Phạm Văn Dũng", "--role", "leader",
                "--team", "TQ1", "--village", "Thôn 1")
        data, bad = big_csv()
        path = write(env, "danh-ba.csv", data)
        with consoled(env, daemon=False) as con, Browser(os.path.join(env.dir, "browser.log")) as b:
            b.js("await s.open('w', 1280, 900); await s.open('n', 360, 740);")
            b.js("const p = s.pages.w; await p.goto(args.url + '/login');"
                 "await p.fill('#phone', args.phone); await p.fill('#password', args.pw);"
                 "await Promise.all([p.waitForURL(args.url + '/'), p.click('button[type=submit]')]);"
                 "await s.pages.n.context().addCookies(await p.context().cookies());",
                 url=con.base, phone=OFFICER_TYPED, pw=PASSWORD)
            click_to(b, "w", "nav >> text=Danh bạ", r"/people$")
            axe_clean(b, "w", "the people page")
            # --- the import: upload, preview (nothing written), import, the same file again
            click_to(b, "w", "text=Nhập từ bảng tính (CSV)", r"/people/import$")
            axe_clean(b, "w", "the import page")
            b.js("await s.pages.w.setInputFiles('#i-file', args.f)", f=path)
            submit(b, "w", "button:has-text('Xem trước')")
            summary = text(b, "w", "#summary")
            check("Sẽ thêm 195 người, thay đổi 0, 0 như cũ; 5 dòng bị từ chối" in summary,
                  "the preview's summary: %r" % summary)
            rows = b.js("return await s.pages.w.$$eval('tr.line-refused', rs => rs.map("
                        "r => Array.from(r.cells).map(c => c.textContent)))")
            check_eq(sorted(int(r[0]) for r in rows), sorted(bad), "the refused lines named")
            for r in rows:
                check(bad[int(r[0])] in r[4], "line %s's reason %r" % (r[0], r[4]))
            check_eq(env.scalar("SELECT count(*) FROM contacts"), 2, "nothing written by the preview")
            axe_clean(b, "w", "the import's preview")
            shot(b, "w", "people-import-preview-1280")
            top(b, "w", "people-import-preview-top-1280")
            click_to(b, "w", "button:has-text('Nhập 195 người')", r"/people\?ok=imported")
            check("Đã nhập: 195 người mới, 0 người thay đổi, 5 dòng bị từ chối" in text(b, "w"),
                  "the import's result: %r" % text(b, "w")[:300])
            check_eq(env.scalar("SELECT count(*) FROM contacts"), 197, "195 contacts landed")
            check_eq(env.query("SELECT action, detail FROM console_audit WHERE action = "
                               "'contacts_import'"),
                     [("contacts_import", "195 thêm, 0 thay đổi, 0 như cũ, 5 từ chối")],
                     "the import's audit row")
            stamp = env.scalar("SELECT max(updated_at) || count(*) FROM contacts")
            go(b, "w", con.base + "/people/import")
            b.js("await s.pages.w.setInputFiles('#i-file', args.f)", f=path)
            submit(b, "w", "button:has-text('Xem trước')")
            check("Sẽ thêm 0 người, thay đổi 0, 195 như cũ; 5 dòng bị từ chối"
                  in text(b, "w", "#summary"), "the second preview")
            check_eq(b.js("return await s.pages.w.$$eval('button', bs => bs.filter("
                          "x => x.textContent.startsWith('Nhập')).length)"), 0,
                     "no import button when nothing would change")
            check_eq(env.scalar("SELECT max(updated_at) || count(*) FROM contacts"), stamp,
                     "the second file changed nothing")
            # --- the list: search, a filter, pages
            go(b, "w", con.base + "/people?q=ng%C6%B0%E1%BB%9Di+s%E1%BB%91+17&role=villager")
            check("Người số 17" in text(b, "w") and "Người số 40" not in text(b, "w"),
                  "a folded search with a filter")
            go(b, "w", con.base + "/people?role=leader")
            check("6 người" in text(b, "w", "#count"), "the leaders: %r" % text(b, "w", "#count"))
            go(b, "w", con.base + "/people")
            check("197 người, trang 1 / 4" in text(b, "w", "#count"), "pages")
            click_to(b, "w", "text=Trang sau", r"page=2")
            shot(b, "w", "people-1280")
            # --- add: a bad number said beside its field, nothing added; then a hostile name
            go(b, "w", con.base + "/people/new")
            axe_clean(b, "w", "the add form")
            b.js("const p = s.pages.w; await p.fill('#p-phone', '12345');"
                 "await p.fill('#p-name', args.n);", n=HOSTILE_NAME)
            submit(b, "w", "button:has-text('Thêm vào danh bạ')")
            check("Số điện thoại không hợp lệ" in text(b, "w", "#p-phone-err"),
                  "the error beside the number")
            check_eq(b.js("return await s.pages.w.getAttribute('#p-phone', 'aria-invalid')"), "true",
                     "the field marked invalid")
            check_eq(b.js("return await s.pages.w.inputValue('#p-name')"), HOSTILE_SHOWN,
                     "the name kept as typed")
            check_eq(env.scalar("SELECT count(*) FROM contacts"), 197, "nothing added")
            axe_clean(b, "w", "the add form with an error")
            shot(b, "w", "person-error-1280")
            b.js("const p = s.pages.w; await p.fill('#p-phone', '0977 111 222');"
                 "await p.fill('#p-village', 'Thôn 9');")
            click_to(b, "w", "button:has-text('Thêm vào danh bạ')", r"/people/84977111222\?ok=added")
            check_eq(contacts(env)["+84977111222"], (HOSTILE_SHOWN, "Thôn 9", "villager", None, 1),
                     "the contact added")
            # One more with the override itself stored, added by the CLI.
            env.cli("contact", "add", "0977111223", "--village", "Thôn 9", "--name",
                    HOSTILE_NAME.replace("Tám", "Chín"))
            for pg in ("w", "n"):
                go(b, pg, con.base + "/people?village=Th%C3%B4n+9")
                got = b.js("const p = s.pages[args.p]; return {"
                           "pwned: await p.evaluate(() => window.__pwned ?? null),"
                           "imgs: await p.$$eval('main img', e => e.length),"
                           "bold: await p.$$eval('main b', e => e.length),"
                           "text: await p.textContent('table.people')}", p=pg)
                check(got["pwned"] is None and got["imgs"] == 0 and got["bold"] == 0,
                      "no hostile markup made or run: %r" % got)
                check(HOSTILE_SHOWN in got["text"] and HOSTILE_SHOWN.replace("Tám", "Chín")
                      in got["text"], "the hostile names shown as text: %r" % got["text"])
            fits(b, "n", "the people list")
            axe_clean(b, "n", "the people list at 360 px")
            shot(b, "n", "people-360")
            # --- edit: village, role officer, team; an empty name refused beside it
            go(b, "w", con.base + "/people/84977111222")
            axe_clean(b, "w", "a person's page")
            b.js("const p = s.pages.w; await p.fill('#p-name', '   ');")
            submit(b, "w", "form.card button:has-text('Lưu')")
            check("Hãy nhập họ tên" in text(b, "w", "#p-name-err"), "an empty name refused")
            check_eq(contacts(env)["+84977111222"][0], HOSTILE_SHOWN, "nothing changed")
            b.js("const p = s.pages.w; await p.fill('#p-name', 'Lê Văn Tám');"
                 "await p.fill('#p-village', 'Thôn 2'); await p.selectOption('#p-role', 'officer');"
                 "await p.fill('#p-team', 'tq2'); await p.uncheck('#p-sub');")
            click_to(b, "w", "form.card button:has-text('Lưu')", r"ok=saved")
            check_eq(contacts(env)["+84977111222"], ("Lê Văn Tám", "Thôn 2", "officer", "TQ2", 0),
                     "the contact changed")
            # --- the officer's SMS PIN: a bad one refused, a good one set and never shown
            b.js("await s.pages.w.fill('#p-pin', '12a')")
            submit(b, "w", "button:has-text('Đặt PIN')")
            check("4 đến 15 chữ số" in text(b, "w", "#p-pin-err"), "a bad PIN refused beside it")
            check(env.scalar("SELECT pin_hash FROM contacts WHERE phone = '+84977111222'") is None,
                  "no PIN after the refusal")
            b.js("await s.pages.w.fill('#p-pin', '482916')")
            click_to(b, "w", "button:has-text('Đặt PIN')", r"ok=pin")
            h = env.scalar("SELECT pin_hash FROM contacts WHERE phone = '+84977111222'")
            check(h is not None and h.startswith("$") and "482916" not in h, "the PIN hashed")
            html = b.js("return await s.pages.w.content()")
            check("482916" not in html and "Đã đặt PIN" in html, "the PIN never shown")
            axe_clean(b, "w", "an officer's page")
            shot(b, "w", "person-1280")
            go(b, "n", con.base + "/people/84977111222")
            fits(b, "n", "a person's page")
            axe_clean(b, "n", "a person's page at 360 px")
            shot(b, "n", "person-360")
            acts = [r[0] for r in env.query("SELECT action FROM console_audit WHERE subject = "
                                            "'+84977111222' ORDER BY id")]
            check_eq(acts, ["contact_add", "contact_set", "contact_pin"], "the audit")
            # --- remove (the group membership goes with it); the officer with an account stays
            env.cli("group", "add", "DOANTN", "+84977111222")
            b.js("await s.pages.w.check('#p-rm')")
            click_to(b, "w", "button:has-text('Xoá')", r"/people\?ok=removed")
            check("+84977111222" not in contacts(env), "the contact removed")
            check_eq(env.scalar("SELECT count(*) FROM group_members WHERE phone = '+84977111222'"),
                     0, "its membership gone")
            # --- groups and teams
            click_to(b, "w", "nav >> text=Nhóm, tổ", r"/groups$")
            axe_clean(b, "w", "the groups page")
            b.js("const p = s.pages.w; await p.fill('#new-group', 'doan tn');")
            submit(b, "w", "button:has-text('Lập nhóm')")
            check("chữ và số" in text(b, "w", "#new-group-err"), "a bad group name beside it")
            b.js("const p = s.pages.w; await p.fill('#new-group', 'DOANTN');"
                 "await p.fill('#new-group-phone', '0913000005');")
            click_to(b, "w", "button:has-text('Lập nhóm')", r"/groups\?ok=1")
            b.js("const p = s.pages.w; await p.fill('#g-DOANTN-phone', '0913000006');")
            click_to(b, "w", "#h-g-DOANTN ~ form button:has-text('Thêm vào nhóm')", r"ok=1")
            check_eq(sorted(r[0] for r in env.query(
                "SELECT phone FROM group_members WHERE group_name = 'DOANTN'")),
                ["+84913000005", "+84913000006"], "the group's members")
            click_to(b, "w", "button[aria-label='Bỏ khỏi nhóm DOANTN: +84913000005']", r"ok=1")
            check_eq([r[0] for r in env.query(
                "SELECT phone FROM group_members WHERE group_name = 'DOANTN'")],
                ["+84913000006"], "a member taken out")
            # TQ1's nights: Monday and Friday by 20:30.
            b.js("const p = s.pages.w; await p.check('#t-TQ1-mon'); await p.check('#t-TQ1-fri');"
                 "await p.fill('#t-TQ1-by', '20:30');")
            click_to(b, "w", "#h-t-TQ1 ~ form button:has-text('Lưu đêm tuần tra')", r"ok=1")
            check_eq(env.query("SELECT nights, night_by FROM teams WHERE code = 'TQ1'"),
                     [("mon,fri", "20:30")], "TQ1's nights as `tipline team set` writes them")
            listed = env.cli("team", "list").stdout.decode()
            check(re.search(r"TQ1\s+mon,fri\s+20:30", listed), "team list: %r" % listed)
            check("+84911222333" in text(b, "w", "section.team:has(#h-t-TQ1)"),
                  "TQ1's leader shown")
            axe_clean(b, "w", "the groups page with groups")
            shot(b, "w", "groups-1280")
            go(b, "n", con.base + "/groups")
            fits(b, "n", "the groups page")
            axe_clean(b, "n", "the groups page at 360 px")
            shot(b, "n", "groups-360")
            top(b, "n", "groups-top-360")
            # --- the export: what the list holds, as CSV that imports back unchanged
            csvtext = b.js("const r = await s.pages.w.request.get(args.u); return await r.text();",
                           u=con.base + "/people.csv")
            got = list(csv.reader(io.StringIO(csvtext.lstrip("\ufeff"))))
            check_eq(got[0][:6], ["name", "phone", "village", "role", "team", "subscribed"],
                     "the export's header")
            check_eq(len(got) - 1, env.scalar("SELECT count(*) FROM contacts"), "rows exported")
    finally:
        env.close()


def test_upload_limits_and_csrf():
    """The upload route takes a multipart file up to 4 MiB (only that route: another form over
    16 KiB is 413), and its CSRF token like any form: without it 403, nothing imported."""
    env = console_env()
    try:
        with consoled(env, daemon=False) as con:
            _, cookie, _ = con.login()
            _, _, page = con.request("GET", "/people/import", cookie=cookie)
            token = csrf_of(page)
            data, _ = big_csv()

            def multipart(fields, file_data):
                bnd = "----tiplinetest"
                parts = []
                for k, v in fields.items():
                    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                                  % (bnd, k, v)).encode())
                parts.append(("--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                              "filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n" % bnd).encode()
                             + file_data + b"\r\n")
                parts.append(("--%s--\r\n" % bnd).encode())
                return b"".join(parts), {"Content-Type": "multipart/form-data; boundary=" + bnd}

            body, h = multipart({"do": "import"}, data)
            st, _, _ = con.request("POST", "/people/import", body, headers=h, cookie=cookie)
            check_eq(st, 403, "an upload without the CSRF token")
            check_eq(env.scalar("SELECT count(*) FROM contacts"), 1, "nothing imported")
            body, h = multipart({"csrf": token, "do": "import"}, data)
            st, hd, _ = con.request("POST", "/people/import", body, headers=h, cookie=cookie)
            check_eq((st, hd.get("location")), (303, "/people?ok=imported&a=195&c=0&x=5"),
                     "the upload with its token")
            big = data + b"".join(b"Ten %d;0914%06d;;;\r\n" % (i, i) for i in range(200000))
            body, h = multipart({"csrf": token, "do": "preview"}, big)
            check(len(body) > 4 << 20, "a body over 4 MiB")
            st, _, _ = con.request("POST", "/people/import", body, headers=h, cookie=cookie)
            check_eq(st, 413, "an upload over 4 MiB")
            st, _, _ = con.request("POST", "/groups", {"csrf": token, "do": "x" * 20000},
                                   cookie=cookie)
            check_eq(st, 413, "a form of 20 KB elsewhere")
            # An officer with a console account is not removed (the account is disabled).
            st, _, body = con.request("POST", "/people/84912000001", {
                "csrf": token, "do": "remove", "sure": "1"}, cookie=cookie)
            check(st == 409 and "tài khoản" in body, "removing an account's officer: %d" % st)
            check_eq(env.scalar("SELECT count(*) FROM contacts WHERE phone = '+84912000001'"), 1,
                     "the officer kept")
            # A form's bad value beside its field, nothing changed: the team code.
            st, _, body = con.request("POST", "/people/84913000005", {
                "csrf": token, "do": "save", "name": "X", "role": "villager", "team": "T-5"},
                cookie=cookie)
            check(st == 400 and 'id="p-team-err"' in body, "a bad team code: %d" % st)
            check_eq(env.scalar("SELECT name FROM contacts WHERE phone = '+84913000005'"),
                     "Người số 5", "the contact after the refused form")
            # An officer who is not an account admin makes no officer, unmakes none, sets no
            # other officer's PIN, and imports no officer; nor does anyone unmake themselves.
            env.cli("contact", "add", "0912000002", "--name", "Lê Văn Cường", "--role", "officer")
            env.cli("passwd", "0912000002", stdin=b"mat khau hai\nmat khau hai\n")
            _, plain, _ = con.login(phone="0912000002", password="mat khau hai")
            _, _, page = con.request("GET", "/people/import", cookie=plain)
            tok2 = csrf_of(page)
            for who, ck, tk, phone, role, what in (
                    ("a plain officer", plain, tok2, "84913000005", "officer", "makes an officer"),
                    ("a plain officer", plain, tok2, "84912000001", "villager", "unmakes one"),
                    ("the admin", cookie, token, "84912000001", "villager", "unmakes themselves")):
                st, _, body = con.request("POST", "/people/" + phone, {
                    "csrf": tk, "do": "save", "name": "X", "role": role}, cookie=ck)
                check(st == 400 and 'id="p-role-err"' in body, "%s %s: %d" % (who, what, st))
            check_eq(sorted(r[0] for r in env.query("SELECT phone FROM contacts WHERE role = "
                                                    "'officer'")),
                     ["+84912000001", "+84912000002"], "the officers after the refusals")
            st, _, body = con.request("POST", "/people/84912000001", {
                "csrf": tok2, "do": "pin", "pin": "1234"}, cookie=plain)
            check_eq(st, 400, "another officer's PIN by a plain officer")
            check(env.scalar("SELECT pin_hash FROM contacts WHERE phone = '+84912000001'") is None,
                  "no PIN set")
            body, h = multipart({"csrf": tok2, "do": "import"},
                                "Tên,SĐT,Vai trò\nMới,0915000001,cán bộ\n".encode())
            st, hd, _ = con.request("POST", "/people/import", body, headers=h, cookie=plain)
            check_eq(hd.get("location"), "/people?ok=imported&a=0&c=0&x=1",
                     "an officer in a plain officer's import refused")
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
