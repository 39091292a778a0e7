"""The officers' web console (issue 23): `tipline passwd`, the configuration's checks, and the
real `tipline console` over HTTPS (its self-signed certificate) answering real HTTP requests
(http.client) and a real browser (chromium driven by playwright-core, tests/integration/
browser.py) clicking as an officer would, with the real `tiplined` on the simulated phone
beside it. Screenshots at 360 and 1280 px go to BUILD/console-shots/ for people to look at."""
import http.client
import json
import os
import re
import select
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from browser import Browser  # noqa: E402
from harness import SLOW, Env, TestFailure, check, check_eq, run_tests, running, wait_for  # noqa: E402

SHOTS = os.path.join(harness.BUILD, "console-shots")
OFFICER = "+84912000001"
OFFICER_TYPED = "0912 000 001"  # as an officer types it: normalised like every number
PASSWORD = "mật khẩu 2026"
VILLAGER = "+84987654321"
ANON = "+84977112233"


def console_env(extra="", http="", more=""):
    env = Env(extra="console: { listen = \"127.0.0.1:0\"; %s };%s%s" % (
        extra, " http: { %s };" % http if http else "", more))
    env.cli("contact", "add", OFFICER, "--name", "Trần Thị Bình", "--role", "officer")
    env.cli("passwd", OFFICER, "--admin", stdin=("%s\n%s\n" % (PASSWORD, PASSWORD)).encode())
    return env


class Console:
    """`tipline console` on ENV; the address from its first line."""

    def __init__(self, env, args=()):
        self.env = env
        self.errf = open(os.path.join(env.dir, "console.log"), "ab")
        self.proc = subprocess.Popen([harness.TIPLINE, "-c", env.conf, "console"] + list(args),
                                     stdout=subprocess.PIPE, stderr=self.errf, cwd=env.dir)
        deadline = time.monotonic() + 20 * SLOW
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.stop(check_rc=False)
                raise TestFailure("tipline console did not start: %r\n%s" % (line, self.log()))
            if select.select([self.proc.stdout], [], [], left)[0]:
                ch = os.read(self.proc.stdout.fileno(), 1)
                if ch:
                    line += ch
        m = re.match(r"tipline console: listening on (https?)://([0-9.]+):(\d+)/", line.decode())
        check(m is not None, "first line %r" % line)
        self.scheme, self.host, self.port = m.group(1), m.group(2), int(m.group(3))
        self.base = "%s://%s:%d" % (self.scheme, self.host, self.port)

    def log(self):
        with open(os.path.join(self.env.dir, "console.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, check_rc=True):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                rc = self.proc.wait(15 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise TestFailure("tipline console did not stop on SIGTERM")
            if check_rc:
                check_eq(rc, 0, "tipline console's exit status after SIGTERM")
        self.proc.stdout.close()
        self.errf.close()

    def request(self, method, path, body=None, headers=None, cookie=None, origin=True):
        """One request on a new connection: (status, headers dict (lower-case), body text)."""
        if self.scheme == "https":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c = http.client.HTTPSConnection(self.host, self.port, timeout=30 * SLOW, context=ctx)
        else:
            c = http.client.HTTPConnection(self.host, self.port, timeout=30 * SLOW)
        h = dict(headers or {})
        if cookie:
            h["Cookie"] = "tipline_session=" + cookie
        if body is not None:
            if isinstance(body, dict):
                body = urllib.parse.urlencode(body)
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
            if origin is True:
                h["Origin"] = self.base
            elif origin:
                h["Origin"] = origin
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read().decode("utf-8", "replace")
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def login(self, phone=OFFICER_TYPED, password=PASSWORD):
        """(status, the session cookie or None, body)."""
        st, h, body = self.request("POST", "/login", {"phone": phone, "password": password})
        m = re.match(r"tipline_session=([0-9a-f]*);", h.get("set-cookie", ""))
        return st, (m.group(1) if m and m.group(1) else None), body


class consoled:
    """with consoled(env) as con: the daemon (unless daemon=False) and the console run."""

    def __init__(self, env, daemon=True):
        self.env = env
        self.outer = running(env, start=daemon)

    def __enter__(self):
        self.outer.__enter__()
        try:
            self.con = Console(self.env)
        except BaseException:
            self.outer.__exit__(*sys.exc_info())
            raise
        return self.con

    def __exit__(self, et, ev, tb):
        try:
            self.con.stop(check_rc=et is None)
        finally:
            if et is not None:
                sys.stderr.write("--- tipline console log ---\n" + self.con.log()[-3000:] + "\n")
            self.outer.__exit__(et, ev, tb)
        return False


def csrf_of(html):
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    check(m is not None, "a CSRF field in the page")
    return m.group(1)


def tip_status(env, ref):
    return env.scalar("SELECT status FROM tips WHERE ref = ?", (ref,))


# ------------------------------------------------------------------ tipline passwd, config

def test_passwd_rules_and_hash():
    env = Env()
    try:
        env.cli("contact", "add", OFFICER, "--role", "officer")
        env.cli("contact", "add", VILLAGER)

        def passwd(*args, stdin):
            return env.cli("passwd", *args, stdin=stdin.encode(), check_rc=False)

        p = passwd(OFFICER, stdin="ngan7ky\nngan7ky\n")
        check_eq(p.returncode, 1, "a 7-character password's exit status")
        check(b"at least 8" in p.stderr, "why: %r" % p.stderr)
        p = passwd(OFFICER, stdin="matkhau-mot\nmatkhau-hai\n")
        check_eq(p.returncode, 1, "two different passwords' exit status")
        p = passwd(OFFICER, stdin="matkhau-mot\n")
        check_eq(p.returncode, 1, "one line only: exit status")
        p = passwd(VILLAGER, stdin="matkhau-mot\nmatkhau-mot\n")
        check_eq(p.returncode, 1, "a villager's exit status")
        check(b"not an officer" in p.stderr, "why: %r" % p.stderr)
        p = env.cli("passwd", OFFICER, "matkhau-mot", check_rc=False)
        check_eq(p.returncode, 2, "a password on the command line: usage error")
        check_eq(env.scalar("SELECT count(*) FROM console_accounts"), 0, "accounts after refusals")
        p = passwd("0912-000-001", stdin="Bảy chữ + một\nBảy chữ + một\n")
        check_eq(p.returncode, 0, "passwd's exit status (%r)" % p.stderr)
        h, admin = env.query("SELECT password_hash, admin FROM console_accounts")[0]
        check(h.startswith("$y$"), "a yescrypt hash: %r" % h)
        check_eq(admin, 0, "admin without --admin")
        passwd(OFFICER, "--admin", stdin="Bảy chữ + một\nBảy chữ + một\n")
        check_eq(env.scalar("SELECT admin FROM console_accounts"), 1, "admin with --admin")
        with open(env.db, "rb") as f:
            check("Bảy chữ".encode() not in f.read(), "the password is not in the database file")
    finally:
        env.close()


def test_config_refuses_plain_http_off_loopback():
    env = Env(extra='console: {\n  listen = "0.0.0.0:8443";\n  tls = false;\n};')
    try:
        p = env.cli("console", check_rc=False)
        check_eq(p.returncode, 1, "exit status")
        err = p.stderr.decode()
        check(re.search(r"tipline\.conf:\d+: console\.tls: plain HTTP only on a loopback", err),
              "FILE:LINE error: %r" % err)
        env.write_conf(poll=0.05, backoff_max=2, multipart_timeout=3600, read_batch=50,
                       extra='console: { tls_cert = "/etc/x.pem"; listen = "nowhere"; };')
        err = env.cli("console", check_rc=False).stderr.decode()
        check(re.search(r"tipline\.conf:\d+: console\.listen: \"nowhere\" is not ADDR:PORT", err),
              "listen error: %r" % err)
        check(re.search(r"tipline\.conf:\d+: console\.tls_cert and console\.tls_key", err),
              "cert without key: %r" % err)
    finally:
        env.close()


# ------------------------------------------------------------------ HTTP

HEADERS = {
    "content-security-policy": None,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def check_headers(h, what):
    for k, v in HEADERS.items():
        check(k in h, "%s: no %s header" % (what, k))
        if v is not None:
            check_eq(h[k], v, "%s: %s" % (what, k))
    csp = h["content-security-policy"]
    check("default-src 'self'" in csp and "frame-ancestors 'none'" in csp
          and "unsafe-inline" not in csp, "%s: CSP %r" % (what, csp))


def test_login_cookie_headers_and_stolen_hash():
    env = console_env()
    try:
        with consoled(env, daemon=False) as con:
            check_eq(con.scheme, "https", "TLS by default")
            check(os.path.exists(os.path.join(env.dir, "console-cert.pem")), "a certificate made")
            check_eq(os.stat(os.path.join(env.dir, "console-key.pem")).st_mode & 0o777, 0o600,
                     "the key's mode")
            for path in ("/login", "/nowhere", "/static/console.css", "/"):
                st, h, _ = con.request("GET", path)
                check_headers(h, "GET " + path)
            st, h, _ = con.request("GET", "/")
            check_eq((st, h.get("location")), (303, "/login"), "not logged in: to the login")
            st, cookie, _ = con.login()
            check_eq(st, 303, "a good login's status")
            st, h, _ = con.request("POST", "/login", {"phone": OFFICER_TYPED, "password": PASSWORD})
            flags = [f.strip() for f in h["set-cookie"].split(";")]
            for flag in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/"):
                check(flag in flags, "cookie flag %s in %r" % (flag, h["set-cookie"]))
            check(len(cookie) >= 32, "a token of at least 128 bits")
            st, h, body = con.request("GET", "/", cookie=cookie)
            check_eq(st, 200, "the overview with the cookie")
            check("Trần Thị Bình" in body and "Tổng quan" in body, "the overview's page")
            # The database holds the token's hash only: copied from the file, it is no cookie.
            stored = env.query("SELECT token_hash, csrf FROM console_sessions")
            check(all(cookie not in r for r in stored), "the token itself is not stored")
            for tok_hash, _ in stored:
                st, h, _ = con.request("GET", "/", cookie=tok_hash)
                check_eq((st, h.get("location")), (303, "/login"), "a stored hash as the cookie")
            # Same answer for an unknown number and a wrong password.
            _, c1, b1 = con.login(phone="0999999999")
            _, c2, b2 = con.login(password="sai mật khẩu")
            check(c1 is None and c2 is None, "no session for a failed login")
            check_eq(b1, b2, "the unknown number's page is the wrong password's")
    finally:
        env.close()


def test_make_cert_is_the_certificate_the_console_serves():
    """`tipline console --make-cert` (the package's postinst) makes the pair the console would
    make at its first start, beside the database (key 0600); a second run keeps it; the
    console then serves that very certificate. Half a pair is never overwritten; with
    console.tls_cert set or TLS off there is nothing to make; --listen with it is a usage
    error."""
    env = console_env()
    cert, key = os.path.join(env.dir, "console-cert.pem"), os.path.join(env.dir, "console-key.pem")
    try:
        p = env.cli("console", "--make-cert")
        check("made" in p.stdout.decode(), "--make-cert's line: %r" % p.stdout)
        check_eq(os.stat(key).st_mode & 0o777, 0o600, "the key's mode")
        pem = open(cert).read()
        check(pem.startswith("-----BEGIN CERTIFICATE-----"), "a PEM certificate")
        p = env.cli("console", "--make-cert")
        check("kept" in p.stdout.decode(), "the second run: %r" % p.stdout)
        check_eq(open(cert).read(), pem, "the certificate kept")
        p = env.cli("console", "--make-cert", "--listen", "127.0.0.1:0", check_rc=False)
        check_eq(p.returncode, 2, "--make-cert with --listen: a usage error")
        os.unlink(cert)
        p = env.cli("console", "--make-cert", check_rc=False)
        check_eq(p.returncode, 1, "half a pair: refused")
        check(not os.path.exists(cert) and os.path.exists(key), "half a pair left as it was")
        os.unlink(key)
        env.cli("console", "--make-cert")
        pem = open(cert).read()
        with consoled(env, daemon=False) as con:
            served = ssl.get_server_certificate((con.host, con.port))
        check_eq(ssl.PEM_cert_to_DER_cert(served), ssl.PEM_cert_to_DER_cert(pem),
                 "the console serves the certificate --make-cert made")
    finally:
        env.close()
    env = console_env(extra="tls = false;")
    try:
        p = env.cli("console", "--make-cert")
        check("no certificate needed" in p.stdout.decode(), "TLS off: %r" % p.stdout)
        check(not os.path.exists(os.path.join(env.dir, "console-key.pem")), "nothing made")
    finally:
        env.close()


def test_idle_session_expires_and_plain_http_on_loopback():
    """console.tls = false on 127.0.0.1: plain HTTP, the cookie without Secure. A session unused
    for console.session_idle seconds no longer logs in; the live list's asks do not count as a
    use."""
    env = console_env(extra="tls = false; session_idle = 3600;")
    try:
        with consoled(env, daemon=False) as con:
            check_eq(con.scheme, "http", "plain HTTP on loopback")
            st, h, _ = con.request("POST", "/login", {"phone": OFFICER, "password": PASSWORD})
            check_eq(st, 303, "login over HTTP")
            check("Secure" not in h["set-cookie"], "no Secure flag without TLS: %r" % h["set-cookie"])
            cookie = re.match(r"tipline_session=([0-9a-f]+);", h["set-cookie"]).group(1)
            check_eq(con.request("GET", "/", cookie=cookie)[0], 200, "the fresh session")
            w = __import__("sqlite3").connect(env.db, timeout=10)
            w.execute("UPDATE console_sessions SET last_seen = datetime('now', '-3590 seconds')")
            w.commit()
            # An open list's live asks are not a person's use: they keep no session alive.
            seen = env.scalar("SELECT last_seen FROM console_sessions")
            st, h, body = con.request("GET", "/tips/live?after=0", cookie=cookie)
            check_eq((st, h.get("content-type")), (200, "application/json"), "the live ask")
            check_eq(json.loads(body)["n"], 0, "no tip to give")
            check_eq(env.scalar("SELECT last_seen FROM console_sessions"), seen,
                     "the session's last use after a live ask")
            check_eq(con.request("GET", "/", cookie=cookie)[0], 200, "a session idle 59 min 50 s")
            w.execute("UPDATE console_sessions SET last_seen = datetime('now', '-3601 seconds')")
            w.commit()
            w.close()
            st, h, _ = con.request("GET", "/", cookie=cookie)
            check_eq((st, h.get("location")), (303, "/login"), "a session idle over an hour")
    finally:
        env.close()


def test_lockout_after_five_wrong_passwords():
    env = console_env()
    try:
        with consoled(env, daemon=False) as con:
            for i in range(5):
                t0 = time.monotonic()
                st, cookie, body = con.login(password="sai-%d-mật-khẩu" % i)
                check(cookie is None and "không đúng" in body, "wrong password %d refused" % i)
                check(time.monotonic() - t0 >= 0.9, "a failed login is answered after a pause")
            check(env.scalar("SELECT locked_until FROM console_accounts") is not None, "locked")
            st, cookie, body = con.login()
            check(cookie is None and "không đúng" in body, "the right password while locked")
            # Fifteen minutes later (the lock moved into the past): the right one works.
            w = __import__("sqlite3").connect(env.db, timeout=10)
            w.execute("UPDATE console_accounts SET locked_until = '2000-01-01 00:00:00'")
            w.commit()
            w.close()
            st, cookie, _ = con.login()
            check(cookie is not None, "the right password after the lock")
    finally:
        env.close()


def test_csrf_and_origin_refused_nothing_changed():
    env = console_env()
    try:
        env.sms(VILLAGER, "TIN co nguoi la o thon 3")
        with consoled(env) as con:
            ref = wait_for(lambda: env.scalar("SELECT ref FROM tips"), 20, "the tip")
            _, mine, _ = con.login()
            _, other, _ = con.login()
            check(mine and other and mine != other, "two sessions")
            _, _, page = con.request("GET", "/tips/" + ref, cookie=mine)
            token = csrf_of(page)
            _, _, page2 = con.request("GET", "/tips/" + ref, cookie=other)
            other_token = csrf_of(page2)
            check(token != other_token, "a CSRF token per session")
            form = {"do": "mark", "status": "valuable", "note": "x"}
            cases = [
                ("no token", dict(form), True),
                ("another session's token", dict(form, csrf=other_token), True),
                ("another Origin", dict(form, csrf=token), "https://evil.example"),
                ("no Origin nor Referer", dict(form, csrf=token), None),
            ]
            for what, body, origin in cases:
                st, _, _ = con.request("POST", "/tips/" + ref, body, cookie=mine, origin=origin)
                check_eq(st, 403, what)
                check_eq(tip_status(env, ref), "new", "the tip's status after " + what)
            check_eq(env.scalar("SELECT count(*) FROM tip_events"), 0, "no event recorded")
            st, h, _ = con.request("POST", "/tips/" + ref, dict(form, csrf=token), cookie=mine)
            check_eq((st, h.get("location")), (303, "/tips/%s?ok=marked" % ref), "the real form")
            check_eq(tip_status(env, ref), "valuable", "the status after the real form")
            # Logout ends the session: the cookie is worth nothing after.
            st, _, _ = con.request("POST", "/logout", {"csrf": token}, cookie=mine)
            check_eq(st, 303, "logout")
            st, h, _ = con.request("GET", "/", cookie=mine)
            check_eq((st, h.get("location")), (303, "/login"), "the cookie after logout")
    finally:
        env.close()


def test_admin_sets_disables_and_enables_accounts():
    """An account admin gives a second officer a password, disables the account (its session
    ends, its login fails) and enables it again; each change is in the audit; an officer who is
    not an admin gets 403 and changes nothing."""
    env = console_env()
    second, second_pw = "+84912000002", "mật khẩu thứ hai"
    try:
        env.cli("contact", "add", second, "--name", "Lê Văn Cường", "--role", "officer")
        with consoled(env, daemon=False) as con:
            _, admin, _ = con.login()
            _, _, page = con.request("GET", "/accounts", cookie=admin)
            check("Lê Văn Cường" in page and "chưa có mật khẩu" in page, "the accounts page")
            token = csrf_of(page)
            st, h, _ = con.request("POST", "/accounts", {
                "csrf": token, "do": "password", "phone": "0912000002", "password": "ngắn",
                "password2": "ngắn"}, cookie=admin)
            check_eq(h.get("location"), "/accounts?err=password", "a short password refused")
            check_eq(env.scalar("SELECT count(*) FROM console_accounts"), 1, "no account made")
            st, h, _ = con.request("POST", "/accounts", {
                "csrf": token, "do": "password", "phone": "0912000002", "password": second_pw,
                "password2": second_pw}, cookie=admin)
            check_eq(h.get("location"), "/accounts?ok=1", "the password set")
            _, other, _ = con.login(phone=second, password=second_pw)
            check(other is not None, "the second officer logs in")
            st, _, _ = con.request("GET", "/accounts", cookie=other)
            check_eq(st, 403, "the accounts page for an officer who is not an admin")
            _, _, p2 = con.request("GET", "/", cookie=other)
            st, _, _ = con.request("POST", "/accounts", {
                "csrf": csrf_of(p2), "do": "disable", "phone": OFFICER}, cookie=other)
            check_eq(st, 403, "a change by an officer who is not an admin")
            check_eq(env.scalar("SELECT disabled FROM console_accounts a JOIN contacts c ON "
                                "c.id = a.contact_id WHERE c.phone = ?", (OFFICER,)), 0,
                     "the admin's account after the refused change")
            con.request("POST", "/accounts", {"csrf": token, "do": "disable", "phone": second},
                        cookie=admin)
            st, h, _ = con.request("GET", "/", cookie=other)
            check_eq((st, h.get("location")), (303, "/login"), "the disabled account's session")
            check(con.login(phone=second, password=second_pw)[1] is None,
                  "the disabled account's login")
            con.request("POST", "/accounts", {"csrf": token, "do": "enable", "phone": second},
                        cookie=admin)
            check(con.login(phone=second, password=second_pw)[1] is not None,
                  "the enabled account's login")
            acts = [r[0] for r in env.query("SELECT action FROM console_audit WHERE by LIKE "
                                            "'Trần Thị Bình%' ORDER BY id")]
            check_eq(acts, ["account_password", "account_disable", "account_enable"], "the audit")
    finally:
        env.close()


def test_admin_makes_an_admin_through_the_action():
    """An account admin makes a second officer an admin from the console (the button on its
    row): the audit has it by name, the second officer now sees the accounts page; an admin
    cannot unmake themself; `tipline passwd` runs the same action (its audit row by "cli")."""
    env = console_env()
    second, second_pw = "+84912000002", "mật khẩu thứ hai"
    try:
        env.cli("contact", "add", second, "--name", "Lê Văn Cường", "--role", "officer")
        env.cli("passwd", second, stdin=("%s\n%s\n" % (second_pw, second_pw)).encode())
        check_eq(env.query("SELECT by, action, subject, detail FROM console_audit ORDER BY id"),
                 [("cli", "account_password", OFFICER, "admin"),
                  ("cli", "account_password", second, None)], "the CLI's audit rows")
        with consoled(env, daemon=False) as con:
            _, admin, _ = con.login()
            _, other, _ = con.login(phone=second, password=second_pw)
            st, _, _ = con.request("GET", "/accounts", cookie=other)
            check_eq(st, 403, "the accounts page before the second officer is an admin")
            _, _, page = con.request("GET", "/accounts", cookie=admin)
            check('name="do" value="admin"' in page and "Cho quyền quản trị" in page,
                  "the make-admin button on the second officer's row")
            token = csrf_of(page)
            st, h, _ = con.request("POST", "/accounts", {"csrf": token, "do": "unadmin",
                                                         "phone": OFFICER}, cookie=admin)
            check_eq(h.get("location"), "/accounts?err=bad", "an admin unmaking themself")
            check_eq(env.scalar("SELECT admin FROM console_accounts a JOIN contacts c ON "
                                "c.id = a.contact_id WHERE c.phone = ?", (OFFICER,)), 1,
                     "the admin after refusing to unmake themself")
            st, h, _ = con.request("POST", "/accounts", {"csrf": token, "do": "admin",
                                                         "phone": "0912 000 002"}, cookie=admin)
            check_eq(h.get("location"), "/accounts?ok=1", "the second officer made admin")
            st, _, page2 = con.request("GET", "/accounts", cookie=other)
            check_eq(st, 200, "the accounts page once the second officer is an admin")
            check("Bỏ quyền quản trị" in page2, "the first officer's row shows unmake-admin")
            row = env.query("SELECT by, action, subject, detail FROM console_audit ORDER BY id "
                            "DESC LIMIT 1")[0]
            check_eq(row, ("Trần Thị Bình (%s)" % OFFICER, "account_admin", second, "admin"),
                     "the audit row of the change")
            # The second admin takes the right away again: then the first one's page is 403.
            st, h, _ = con.request("POST", "/accounts", {"csrf": csrf_of(page2), "do": "unadmin",
                                                         "phone": OFFICER}, cookie=other)
            check_eq(h.get("location"), "/accounts?ok=1", "the first officer unmade by the second")
            st, _, _ = con.request("GET", "/accounts", cookie=admin)
            check_eq(st, 403, "the accounts page of an admin no longer")
    finally:
        env.close()


def test_list_by_status_and_its_count():
    """The list filtered by status alone (its own query through tips (status, created_at)):
    exactly that status's tips, newest first, counted; the overview's new ones likewise; with
    another filter beside it, the shared query gives the same rows."""
    env = console_env()
    try:
        with consoled(env) as con:
            for i in range(4):
                env.sms("+8498800%04d" % i, "TIN tin so %d o thon %d" % (i, i % 2))
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips") == 4, 30, "the tips")
            # The daemon files them in the order it reads them: the refs by their text.
            ref = {i: env.scalar("SELECT ref FROM tips WHERE text LIKE ?", ("%%so %d o%%" % i,))
                   for i in range(4)}
            newest = [r for r, in env.query("SELECT ref FROM tips ORDER BY created_at DESC, "
                                            "id DESC")]
            env.cli("tip", "mark", ref[1], "valuable")
            env.cli("tip", "mark", ref[3], "valuable")
            _, cookie, _ = con.login()

            def listed(path):
                st, _, page = con.request("GET", path, cookie=cookie)
                check_eq(st, 200, path)
                m = re.search(r"<span data-total>([0-9.]+)</span>", page)
                return re.findall(r'<tr data-id="\d+"><td><a href="/tips/(T\d+)"', page), \
                    m.group(1) if m else None

            def order(*refs):
                return [r for r in newest if r in refs]
            check_eq(listed("/tips?status=valuable"), (order(ref[1], ref[3]), "02"),
                     "valuable tips")
            check_eq(listed("/tips?status=new"), (order(ref[0], ref[2]), "02"), "new tips")
            check_eq(listed("/tips?status=checking"), ([], "00"), "no tip checking")
            check_eq(listed("/tips?status=new&q=so%202")[0], [ref[2]], "new tips with a word")
            _, _, page = con.request("GET", "/", cookie=cookie)
            check('data-total>02</a>' in page and "/tips/%s\"" % ref[2] in page
                  and "/tips/%s\"" % ref[1] not in page, "the overview's new tips and their count")
    finally:
        env.close()


def test_fifty_browsing_while_the_daemon_works_and_slow_clients_wait():
    """50 clients browse (overview, list, a tip, a search) while villagers' SMS flow through the
    daemon and villagers file tips through the USSD menu (real HTTP requests to a real `tipline
    serve` on the same database): every answer a 200, none the 503 of a busy database, every
    USSD step a CON/END screen and every USSD tip stored. Then 200 clients hold
    connections open sending a header byte now and then (from 127.0.0.2..11, 20 each): the
    officer's page still answers within a second."""
    import socket
    import threading
    # The slow clients are opened one by one on a loaded machine: the deadline (http.c) is
    # longer than their set-up, so that they all still hold a slot when the officer asks.
    from test_ussd_menu import SECRET, Serve
    env = console_env(http="request_deadline = 120.0;",
                      more=" ussd: { secret = \"%s\"; max_per_hour = 1000; };" % SECRET)
    srv = None
    try:
        with consoled(env) as con:
            srv = Serve(env)
            _, cookie, _ = con.login()
            for i in range(5):
                env.sms("+8498800%04d" % i, "TIN tin so %d o thon %d" % (i, i % 3))
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips") >= 5, 20, "the first tips")
            statuses, errors = [], []
            stop = threading.Event()

            sent = [5]

            def villagers():
                while not stop.is_set() and sent[0] < 25:
                    i = sent[0]
                    env.sms("+8498800%04d" % i, "TIN tin so %d o thon %d" % (i, i % 3))
                    sent[0] = i + 1

            def browse(k):
                try:
                    for path in (("/", "/tips?q=thon+1&status=new", "/tips/T1") if k % 2 else
                                 ("/tips", "/tips?page=2", "/patrols")):
                        st, _, body = con.request("GET", path, cookie=cookie)
                        statuses.append((path, st))
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(repr(e))

            ussd_steps, ussd_errors, ussd_done = [], [], [0]
            browsing = threading.Event()

            def ussd_villagers():
                """Tips filed through the USSD menu, one session after another, as long as the
                officers browse (at least 3 sessions)."""
                inputs = ["", "1", "1*6", "1*6*co nguoi la o cau thon 3", "1*6*co nguoi la o "
                          "cau thon 3*1"]
                k = 0
                try:
                    while k < 3 or browsing.is_set():
                        for text in inputs:
                            body = urllib.parse.urlencode({
                                "sessionId": "load-%d" % k, "serviceCode": "*123#",
                                "phoneNumber": "+8497700%04d" % k, "networkCode": "45204",
                                "text": text}).encode()
                            req = urllib.request.Request(
                                srv.url + "?key=" + SECRET, data=body,
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
                            try:
                                with urllib.request.urlopen(req, timeout=30 * SLOW) as r:
                                    ussd_steps.append((r.status, r.read().decode()))
                            except urllib.error.HTTPError as e:
                                ussd_steps.append((e.code, e.read().decode()))
                        k += 1
                        ussd_done[0] = k
                except Exception as e:  # noqa: BLE001 - reported below
                    ussd_errors.append(repr(e))

            t_b = time.monotonic()
            browsing.set()
            ussd = threading.Thread(target=ussd_villagers)
            ussd.start()
            feeder = threading.Thread(target=villagers)
            feeder.start()
            threads = [threading.Thread(target=browse, args=(k,)) for k in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120 * SLOW)
            stop.set()
            browsing.clear()
            feeder.join(60 * SLOW)
            ussd.join(120 * SLOW)
            check_eq(errors, [], "errors of the browsing clients")
            check_eq(ussd_errors, [], "errors of the USSD callback's clients")
            bad_ussd = [x for x in ussd_steps if x[0] != 200 or x[1][:4] not in ("CON ", "END ")]
            check_eq(bad_ussd, [], "USSD steps answered otherwise than 200 CON/END")
            check_eq(len(ussd_steps), 5 * ussd_done[0], "USSD steps answered")
            check_eq(env.scalar("SELECT count(*) FROM tips WHERE channel = 'ussd'"), ussd_done[0],
                     "the USSD tips stored")
            check("busy" not in srv.log().lower(), "no busy database in tipline serve's log")
            print("# USSD beside them: %d sessions, %d steps" % (ussd_done[0], len(ussd_steps)))
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips WHERE channel = 'sms'")
                     == sent[0], 30, "every tip sent by SMS stored")
            st, h, csv_text = con.request("GET", "/tips.csv", cookie=cookie)
            check_eq((st, h.get("content-type")), (200, "text/csv; charset=utf-8"), "the CSV")
            check_eq(csv_text.lstrip("\ufeff").splitlines()[1:],
                     env.cli("export", "tips").stdout.decode().lstrip("\ufeff").splitlines()[1:],
                     "the console's CSV is tipline export tips")
            print("# 50 clients browsing: %.1f s for %d pages" % (time.monotonic() - t_b, len(statuses)))
            check_eq(len(statuses), 150, "answers")
            bad = [x for x in statuses if x[1] != 200]
            check_eq(bad, [], "answers that were not 200")
            check("busy" not in con.log().lower(), "no busy database in the console's log")
            t_s = time.monotonic()

            # 200 slow clients, each its own TLS connection, a header byte at a time.
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            slow = []
            for i in range(200):
                raw = socket.create_connection((con.host, con.port), timeout=10 * SLOW,
                                               source_address=("127.0.0.%d" % (2 + i // 20), 0))
                s = ctx.wrap_socket(raw)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                slow.append(s)
            try:
                worst = 0.0
                for _ in range(5):
                    for s in slow[::7]:
                        s.sendall(b"X")
                    t0 = time.monotonic()
                    st, _, body = con.request("GET", "/", cookie=cookie)
                    worst = max(worst, time.monotonic() - t0)
                    check_eq(st, 200, "the officer's page among the slow clients")
                print("# officer's page with 200 slow clients: worst %.3f s (set-up %.1f s)"
                      % (worst, t0 - t_s))
                check(worst < 1.0 * SLOW, "the officer's page took %.2f s" % worst)
            finally:
                for s in slow:
                    s.close()
            srv.stop()
            srv = None
    finally:
        if srv is not None:
            srv.stop()
        env.close()


# ------------------------------------------------------------------ in a browser

HOSTILE = [
    "TIN <script>window.__pwned=1</script> o thon 5",
    'TIN "><img src=x onerror="window.__pwned=2"> cau go',
    "TIN javascript:window.__pwned=3 nhan vao day",
    "TIN \u202egnol si siht\u202c xe may la",
    "TIN " + "A" * 1000,
]


def shot(b, page, name):
    os.makedirs(SHOTS, exist_ok=True)
    b.js("await s.pages[args.p].screenshot({path: args.path, fullPage: true})", p=page,
         path=os.path.join(SHOTS, name + ".png"))


def axe_clean(b, page, what):
    v = b.js("return await s.axe(s.pages[args.p])", p=page)
    check(v == [], "axe-core on %s: %s" % (what, json.dumps(v, ensure_ascii=False)[:1500]))


def report_valuable(env):
    out = env.cli("report", "--format", "json").stdout
    return json.loads(out)["tips"]["valuable"]


def test_officer_in_a_browser():
    """Log in by clicks; a villager's SMS appears in the list; mark it valuable with a note
    (history and the month's report change), thanking the tipster; an anonymous tip shows no
    digit of its sender; hostile texts stay text; axe on every page; screenshots; logout."""
    env = console_env()
    try:
        with consoled(env) as con, Browser(os.path.join(env.dir, "browser.log")) as b:
            env.cli("contact", "add", "+84911222333", "--name", "Phạm Văn Dũng", "--role", "leader",
                    "--team", "TQ3", "--village", "3")
            env.cli("team", "set", "TQ3", "--nights", "mon,wed,sat", "--by", "21:00")
            env.sms("+84911222333", "TUAN BD TQ3 5")
            wait_for(lambda: env.scalar("SELECT count(*) FROM patrols WHERE ended_at IS NULL"), 20,
                     "the patrol under way")
            b.js("await s.open('w', 1280, 900); await s.open('n', 360, 740);")
            b.js("const p = s.pages.w; await p.goto(args.url + '/login');"
                 "await p.fill('#phone', args.phone); await p.fill('#password', args.pw);"
                 "await Promise.all([p.waitForURL(args.url + '/'), p.click('button[type=submit]')]);",
                 url=con.base, phone=OFFICER_TYPED, pw=PASSWORD)
            axe_clean(b, "w", "the overview")
            check("Tổ TQ3" in b.js("return await s.pages.w.textContent('main')"),
                  "the patrol under way on the overview")
            shot(b, "w", "overview-1280")
            before = report_valuable(env)
            env.sms(VILLAGER, "TIN co nguoi la lang vang o cau thon 3 luc 22h")
            env.sms(ANON, "TIN ANDANH co nguoi ban ma tuy o quan nuoc")
            ref = wait_for(lambda: env.scalar(
                "SELECT ref FROM tips WHERE anonymous = 0 AND text LIKE '%lang vang%'"), 20, "the tip")
            aref = wait_for(lambda: env.scalar("SELECT ref FROM tips WHERE anonymous = 1"), 20,
                            "the anonymous tip")
            # The list, as the officer clicks to it: the villager's tip is there.
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/\\/tips$/),"
                 "p.click('nav >> text=Tin báo')]);")
            text = b.js("return await s.pages.w.textContent('main')")
            check("lang vang o cau thon 3" in text and ref in text, "the tip in the list")
            axe_clean(b, "w", "the tip list")
            shot(b, "w", "tips-1280")
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/\\/tips\\/" + ref + "$/),"
                 "p.click('a[href=\"/tips/" + ref + "\"]')]);")
            axe_clean(b, "w", "a tip's page")
            b.js("const p = s.pages.w; await p.fill('#note', 'Đã xác minh với trưởng thôn');"
                 "await p.check('#notify');"
                 "await Promise.all([p.waitForURL(/ok=thanked/),"
                 "p.click('button[name=status][value=valuable]')]);")
            hist = b.js("return await s.pages.w.textContent('#history')")
            check("Có giá trị" in hist and "Đã xác minh với trưởng thôn" in hist
                  and "Trần Thị Bình" in hist, "the history shows the change: %r" % hist)
            check_eq(tip_status(env, ref), "valuable", "the tip's status")
            check_eq(report_valuable(env), before + 1, "the month's report: valuable tips")
            wait_for(lambda: env.scalar("SELECT count(*) FROM outbox WHERE recipient = ? AND "
                                        "kind = 'manual'", (VILLAGER,)), 10, "the thank-you queued")
            # A free-text reply: previewed with its cost in parts, then sent; the simulated phone's
            # sent folder has it.
            reply = "Cảm ơn bác, công an xã đã tới kiểm tra cầu thôn 3."
            b.js("const p = s.pages.w; await p.fill('#reply', args.r);"
                 "await Promise.all([p.waitForLoadState(), p.click('text=Xem trước')]);"
                 "await p.waitForSelector('#reply-cost');", r=reply)
            cost = b.js("return await s.pages.w.textContent('#reply-cost')")
            # Issue 26: the reply is `tipline tip answer` (act_tip_answer): template tip_answer
            # around the text, 82 characters, two UCS-2 parts as written, so folded to one.
            check(cost.startswith("1 phần tin (GSM-7") and "Bỏ dấu" in cost,
                  "the reply's cost before sending: %r" % cost)
            sent_text = b.js("return await s.pages.w.textContent('#reply-text')")
            check_eq(sent_text, "Cong an xa tra loi tin bao %s: Cam on bac, cong an xa da toi "
                     "kiem tra cau thon 3." % ref, "the reply as it will go out")
            check_eq(env.scalar("SELECT count(*) FROM outbox WHERE text = ?", (sent_text,)), 0,
                     "nothing queued by the preview")
            axe_clean(b, "w", "a tip's page with a reply's preview")
            shot(b, "w", "tip-reply-preview-1280")
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/ok=replied/),"
                 "p.click('#send-reply')]);")
            wait_for(lambda: [m for m in harness.sent_messages(env) if m["to"] == VILLAGER
                              and m["text"] == sent_text],
                     20, "the reply in the simulated phone's sent folder")
            hist = b.js("return await s.pages.w.textContent('#history')")
            check("trả lời người báo tin" in hist, "the reply in the tip's history: %r" % hist)
            shot(b, "w", "tip-1280")
            # The anonymous tip: no digit of its sender in any page the officer can open.
            digits = ANON[3:]
            for path in ("/tips/" + aref, "/tips", "/", "/tips?q=ma+tuy", "/tips.csv"):
                html = b.js("const r = await s.pages.w.request.get(args.u); return await r.text();",
                            u=con.base + path)
                # The session's CSRF token is 64 random hex digits: not the sender's.
                html = re.sub(r'name="csrf" value="[0-9a-f]{64}"', 'name="csrf"', html)
                for k in range(0, len(digits) - 3):
                    check(digits[k:k + 4] not in html,
                          "%s shows %r of the anonymous sender's number" % (path, digits[k:k + 4]))
            # Hostile texts: text, never markup, on the list and on their pages.
            for t in HOSTILE:
                env.sms(VILLAGER, t)
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips") >= 2 + len(HOSTILE), 20,
                     "the hostile tips")
            b.js("await s.pages.n.context().addCookies(await s.pages.w.context().cookies());")
            b.js("await s.pages.n.goto(args.u + '/tips')", u=con.base)
            got = b.js("const p = s.pages.n; return {pwned: await p.evaluate(() => window.__pwned ?? null),"
                       "imgs: await p.$$eval('main img', e => e.length),"
                       "scripts: await p.$$eval('main script', e => e.length),"
                       "jslinks: await p.$$eval('a[href^=\"javascript\"]', e => e.length),"
                       "text: await p.textContent('main'),"
                       "wide: await p.evaluate(() => document.documentElement.scrollWidth)}")
            check(got["pwned"] is None and got["imgs"] == 0 and got["scripts"] == 0
                  and got["jslinks"] == 0, "no hostile markup ran or was made: %r" % got)
            check("<script>window.__pwned=1</script>" in got["text"], "the <script> shown as text")
            check('"><img src=x onerror="window.__pwned=2">' in got["text"], "the <img> as text")
            check("A" * 160 + "…" in got["text"], "the long word's start in the list")
            check(got["wide"] <= 360 + 1, "nothing wider than the 360 px screen: %r" % got["wide"])
            axe_clean(b, "n", "the tip list at 360 px")
            shot(b, "n", "tips-360")
            # Each hostile tip's own page: its text whole, as text.
            for ref_h, text_h in env.query("SELECT ref, text FROM tips WHERE id > 2 ORDER BY id"):
                b.js("await s.pages.n.goto(args.u)", u=con.base + "/tips/" + ref_h)
                got = b.js("const p = s.pages.n; return {"
                           "pwned: await p.evaluate(() => window.__pwned ?? null),"
                           "imgs: await p.$$eval('main img', e => e.length),"
                           "scripts: await p.$$eval('main script', e => e.length),"
                           "text: await p.textContent('#tip-text')}")
                check(got["pwned"] is None and got["imgs"] == 0 and got["scripts"] == 0,
                      "%s's page made or ran markup: %r" % (ref_h, got))
                # As text_unsafe_cp (src/text.c): BiDi controls and C1 shown as U+FFFD.
                shown = re.sub("[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                               "\u2028\u2029]", "\ufffd", text_h)
                check_eq(got["text"], shown, "%s's text on its page" % ref_h)
            long_ref = env.scalar("SELECT ref FROM tips WHERE text LIKE 'AAAA%'")
            for path, name in (("/", "overview-360"), ("/tips/" + long_ref, "tip-long-360"),
                               ("/tips/" + aref, "tip-anonymous-360"), ("/patrols", "patrols-360"),
                               ("/accounts", "accounts-360")):
                b.js("await s.pages.n.goto(args.u)", u=con.base + path)
                if path == "/tips/" + long_ref:
                    check("A" * 1000 in b.js("return await s.pages.n.textContent('#tip-text')"),
                          "the 1,000-character word whole on its tip's page")
                wide = b.js("return await s.pages.n.evaluate(() => document.documentElement.scrollWidth)")
                check(wide <= 361, "%s fits 360 px (%d)" % (path, wide))
                axe_clean(b, "n", path + " at 360 px")
                shot(b, "n", name)
            b.js("await s.pages.w.goto(args.u)", u=con.base + "/patrols")
            axe_clean(b, "w", "the patrols page")
            shot(b, "w", "patrols-1280")
            b.js("await s.pages.w.goto(args.u)", u=con.base + "/accounts")
            axe_clean(b, "w", "the accounts page")
            shot(b, "w", "accounts-1280")
            # Logout by its button: back to the login, and the pages are closed to that browser.
            b.js("const p = s.pages.w; await p.goto(args.u + '/');"
                 "await Promise.all([p.waitForURL(/\\/login$/), p.click('form.logout button')]);",
                 u=con.base)
            axe_clean(b, "w", "the login page")
            shot(b, "w", "login-1280")
            b.js("await s.pages.w.goto(args.u + '/tips')", u=con.base)
            check(b.js("return s.pages.w.url()").endswith("/login"), "after logout: the login page")
            check_eq(env.scalar("SELECT count(*) FROM console_sessions"), 0, "sessions after logout")
            b.js("await s.pages.n.goto(args.u + '/')", u=con.base)
            check(b.js("return s.pages.n.url()").endswith("/login"),
                  "the other browser's copy of the cookie is logged out too")
    finally:
        env.close()


def test_new_tips_appear_without_a_reload():
    """With the overview and the tip list open, a villager's SMS sent to the simulated phone
    appears in each of them without a navigation (the page's own marker survives), counted,
    marked fresh and announced in the list's polite status line; the live answer refuses a
    browser without a session, and axe finds nothing once the rows are in."""
    env = console_env()
    try:
        with consoled(env) as con, Browser(os.path.join(env.dir, "browser.log")) as b:
            env.sms(VILLAGER, "TIN mot tin cu da co truoc")
            wait_for(lambda: env.scalar("SELECT count(*) FROM tips"), 20, "the first tip")
            b.js("await s.open('w', 1280, 900);")
            b.js("const p = s.pages.w; await p.goto(args.url + '/login');"
                 "await p.fill('#phone', args.phone); await p.fill('#password', args.pw);"
                 "await Promise.all([p.waitForURL(args.url + '/'), p.click('button[type=submit]')]);"
                 "await p.evaluate(() => { window.__same = 'overview'; });",
                 url=con.base, phone=OFFICER_TYPED, pw=PASSWORD)
            env.sms(VILLAGER, "TIN trom cho o xom Dong dem qua")
            ref = wait_for(lambda: env.scalar("SELECT ref FROM tips WHERE text LIKE '%trom cho%'"),
                           20, "the tip filed")
            # Seconds, not the minute of a reload: the row is in the overview's new tips.
            b.js("await s.pages.w.waitForSelector('tr.fresh a[href=\"/tips/' + args.ref + '\"]',"
                 "{timeout: args.ms})", ref=ref, ms=int(20000 * SLOW), timeout=40)
            got = b.js("const p = s.pages.w; return {same: await p.evaluate(() => window.__same),"
                       "total: await p.textContent('[data-total]')}")
            check_eq(got, {"same": "overview", "total": "02"},
                     "the overview, not reloaded, with the new count")
            b.js("const p = s.pages.w; await Promise.all([p.waitForURL(/\\/tips$/),"
                 "p.click('nav >> text=Tin báo')]);"
                 "await p.evaluate(() => { window.__same = 'list'; });")
            env.sms(VILLAGER, "TIN xe la dau o dau ngo thon 2 tu chieu")
            ref2 = wait_for(lambda: env.scalar("SELECT ref FROM tips WHERE text LIKE '%xe la%'"),
                            20, "the second tip filed")
            b.js("await s.pages.w.waitForSelector('tr.fresh a[href=\"/tips/' + args.ref + '\"]',"
                 "{timeout: args.ms})", ref=ref2, ms=int(20000 * SLOW), timeout=40)
            got = b.js("const p = s.pages.w; return {same: await p.evaluate(() => window.__same),"
                       "first: await p.getAttribute('tbody tr:first-child a', 'href'),"
                       "rows: await p.$$eval('tbody tr', e => e.length),"
                       "total: await p.textContent('[data-total]'),"
                       "note: await p.textContent('[role=status][aria-live=polite]')}")
            check_eq(got["same"], "list", "the list was not reloaded")
            check_eq(got["first"], "/tips/" + ref2, "the new tip on top")
            check_eq((got["rows"], got["total"]), (3, "03"), "each tip once, and the count")
            check(ref2 in got["note"], "the new tip announced: %r" % got["note"])
            axe_clean(b, "w", "the tip list with a new row")
            # Without a session the live answer is no data: the login's redirect.
            st, h, body = con.request("GET", "/tips/live?after=0")
            check_eq((st, h.get("location")), (303, "/login"), "the live answer without a session")
            check(ref not in body, "no tip without a session")
    finally:
        env.close()


def test_lockout_in_a_browser():
    """Five wrong passwords typed in the login form lock the account: the sixth, right, fails."""
    env = console_env()
    try:
        with consoled(env, daemon=False) as con, Browser(os.path.join(env.dir, "browser.log")) as b:
            b.js("await s.open('w', 1280, 800)")
            for i in range(6):
                pw = PASSWORD if i == 5 else "sai mật khẩu %d" % i
                b.js("const p = s.pages.w; await p.goto(args.u + '/login');"
                     "await p.fill('#phone', args.ph); await p.fill('#password', args.pw);"
                     "await Promise.all([p.waitForLoadState(), p.click('button[type=submit]')]);"
                     "await p.waitForSelector('.error');", u=con.base, ph=OFFICER, pw=pw)
            msg = b.js("return await s.pages.w.textContent('.error')")
            check("tạm khoá" in msg, "the login page's message: %r" % msg)
            check_eq(env.scalar("SELECT count(*) FROM console_sessions"), 0, "no session")
            shot(b, "w", "login-refused-1280")
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
