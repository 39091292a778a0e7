/*
 * `tipline console` (see console.h): the server. src/http.c runs libmicrohttpd on this
 * process's one thread, so the store (one connection) is used by that thread only, and no read
 * transaction outlives a request: pages read in autocommit statements, changes run in one
 * short BEGIN IMMEDIATE ... COMMIT under the busy timeout.
 *
 * A request, in order: its size (413), the session from the cookie, then for a POST the
 * Origin (or Referer) against the Host (403) and the session's CSRF token (403, nothing
 * changed); then the route. Every answer carries the same security headers (add_headers).
 * A failed login is answered after a pause (the connection suspended, resumed by the loop),
 * on top of the lock after 5 wrong passwords in a row. The HTTP door is src/http.c (its
 * limits: http.max_connections, max_per_client, request_deadline), with TLS.
 */
#include "console.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "console_int.h"
#include "http.h"
#include "log.h"
#include "pin.h"
#include "sched.h"
#include "serve.h"
#include "store.h"
#include "text.h"
#include "ts.h"

#define COOKIE       "tipline_session"
#define LOCK_AFTER   5         /* wrong passwords in a row */
#define LOCK_SECONDS (15 * 60) /* then locked this long */
#define SLOW_SECONDS 1         /* a failed login's answer waits this long */
#define TOUCH_EVERY  60        /* seconds between writes of a session's last_seen */

/* --- the server's state --- */

struct server {
	const struct config *cfg;
	int tls;
	/* Failed logins waiting out their pause: suspended connections, resumed by the loop. */
	struct pause {
		struct MHD_Connection *c;
		double due;
		struct pause *next;
	} * paused;
};

/* A request being read and answered. Freed by request_done. */
struct request {
	int started, too_large, answered_slow;
	size_t len;
	struct console_resp resp; /* kept across a pause */
	char *out;                /* resp.f's buffer */
	size_t outlen;
	size_t max; /* CONSOLE_MAX_BODY, or CONSOLE_MAX_UPLOAD on an upload's route */
	char *body; /* malloc'd, MAX + 1 at most, grown as it comes */
	size_t cap;
	/* A multipart form, parsed: its fields URL-encoded (FORM) and its file (UPLOAD). */
	char *form, *upload;
	size_t formlen, uploadlen;
};

/* --- small pieces --- */

/* N random bytes from the kernel as 2N hex digits into OUT. 0 or -1. */
static int random_hex(size_t n, char *out)
{
	unsigned char b[32];

	if (n > sizeof b || getrandom(b, n, 0) != (ssize_t)n)
		return -1;
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* Equal, in a time that does not depend on where they differ. */
static int same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0 && la > 0;
}

int console_form(const struct console_req *rq, const char *name, char *out, size_t sz)
{
	size_t nl = strlen(name), i = 0;

	while (i < rq->len) {
		size_t end = i, eq;

		while (end < rq->len && rq->body[end] != '&')
			end++;
		for (eq = i; eq < end && rq->body[eq] != '='; eq++)
			;
		if (eq - i == nl && memcmp(rq->body + i, name, nl) == 0)
			return serve_form_decode(eq < end ? rq->body + eq + 1 : rq->body + end,
			                         eq < end ? end - eq - 1 : 0, out, sz) < 0
			           ? -1
			           : 1;
		i = end + 1;
	}
	out[0] = '\0';
	return 0;
}

static const char *query_arg(const struct console_req *rq, const char *name)
{
	const char *v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);

	return v != NULL && v[0] != '\0' && text_utf8_valid(v, strlen(v)) ? v : NULL;
}

/* The value of cookie NAME from the Cookie header into OUT, or "". */
static void cookie_value(struct MHD_Connection *c, const char *name, char *out, size_t sz)
{
	const char *v = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, name);

	snprintf(out, sz, "%s", v != NULL && strlen(v) < sz ? v : "");
}

/*
 * The same origin. The Origin header is this server as the browser addressed it (its Host
 * header); or, where a browser sends "Origin: null" (a form posted from a page under
 * Referrer-Policy: no-referrer, as ours are) or none, its Sec-Fetch-Site says same-origin;
 * or, without either, the Referer's scheme://host/ is ours. A POST with none of them is
 * refused: every browser the console supports sends one.
 */
static int same_origin(const struct server *sv, struct MHD_Connection *c)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	const char *ref = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Referer");
	char want[300];
	size_t wl;

	if (host == NULL || strlen(host) > 255)
		return 0;
	wl = (size_t)snprintf(want, sizeof want, "%s://%s", sv->tls ? "https" : "http", host);
	if (origin != NULL && strcmp(origin, "null") != 0)
		return strcmp(origin, want) == 0 &&
		       (site == NULL || strcmp(site, "same-origin") == 0);
	if (site != NULL)
		return strcmp(site, "same-origin") == 0;
	if (origin != NULL)
		return 0;
	return ref != NULL && strncmp(ref, want, wl) == 0 && ref[wl] == '/';
}

/* --- a multipart form (the contacts' spreadsheet): libmicrohttpd's parser --- */

/* The pieces of a multipart form as the post processor hands them over. */
struct parts {
	FILE *form, *upload;
	int form_fields;
};

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
	struct parts *p = cls;

	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding;
	if (strcmp(key, "file") == 0 || strcmp(key, "csv") == 0)
		return fwrite(data, 1, size, p->upload) == size ? MHD_YES : MHD_NO;
	/* Any other field as "key=value" URL-encoded, for console_form. */
	if (off == 0) {
		if (p->form_fields++ > 0)
			fputc('&', p->form);
		for (const char *k = key; *k; k++)
			fprintf(p->form, isalnum((unsigned char)*k) ? "%c" : "%%%02X",
			        (unsigned char)*k);
		fputc('=', p->form);
	}
	for (size_t i = 0; i < size; i++)
		fprintf(p->form, isalnum((unsigned char)data[i]) ? "%c" : "%%%02X",
		        (unsigned char)data[i]);
	return MHD_YES;
}

int console_upload_route(const char *path)
{
	return strcmp(path, "/people/import") == 0;
}

/*
 * RQ's body, a multipart form, into RQ->form and RQ->upload. 1 parsed, 0 not multipart,
 * -1 malformed or out of memory.
 */
static int multipart(struct MHD_Connection *c, struct request *rq)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	struct parts p = {NULL, NULL, 0};
	struct MHD_PostProcessor *pp;
	int rc = -1;

	if (type == NULL || strncasecmp(type, "multipart/form-data", 19) != 0)
		return 0;
	if ((pp = MHD_create_post_processor(c, 65536, on_part, &p)) == NULL)
		return -1;
	p.form = open_memstream(&rq->form, &rq->formlen);
	p.upload = open_memstream(&rq->upload, &rq->uploadlen);
	if (p.form != NULL && p.upload != NULL &&
	    MHD_post_process(pp, rq->body, rq->len) == MHD_YES)
		rc = 1;
	if (p.form != NULL)
		fclose(p.form);
	if (p.upload != NULL)
		fclose(p.upload);
	MHD_destroy_post_processor(pp);
	return rq->form != NULL && rq->upload != NULL ? rc : -1;
}

/* --- answering --- */

static void add_headers(const struct server *sv, struct MHD_Response *r,
                        const struct console_resp *p)
{
	MHD_add_response_header(r, "Content-Type", p->type ? p->type : "text/html; charset=utf-8");
	/* No inline script or style anywhere: everything is a file of ours. */
	MHD_add_response_header(r, "Content-Security-Policy",
	                        "default-src 'self'; script-src 'self'; style-src 'self'; "
	                        "img-src 'self'; object-src 'none'; base-uri 'none'; "
	                        "form-action 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (sv->tls)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	if (p->location[0])
		MHD_add_response_header(r, "Location", p->location);
	if (p->cookie[0])
		MHD_add_response_header(r, "Set-Cookie", p->cookie);
	if (p->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", p->disposition);
}

static enum MHD_Result send_resp(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (rq->resp.f != NULL) {
		fclose(rq->resp.f);
		rq->resp.f = NULL;
	}
	r = MHD_create_response_from_buffer(rq->outlen, rq->out, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	add_headers(sv, r, &rq->resp);
	ret = MHD_queue_response(c, rq->resp.status, r);
	MHD_destroy_response(r);
	return ret;
}

/* --- the failed logins' pause --- */

/* Suspend C for SLOW_SECONDS: console_run's loop resumes it. 0, or -1 (then answer at once). */
static int pause_conn(struct server *sv, struct MHD_Connection *c)
{
	struct pause *p = malloc(sizeof *p);

	if (p == NULL)
		return -1;
	p->c = c;
	p->due = ts_mono() + SLOW_SECONDS;
	p->next = sv->paused;
	sv->paused = p;
	MHD_suspend_connection(c);
	return 0;
}

/* Resume the paused connections that are due (all when ALL); seconds to the next one, or
 * LATER when none waits. */
static double resume_due(struct server *sv, int all, double later)
{
	double now = ts_mono(), next = later;
	struct pause **pp = &sv->paused;

	while (*pp != NULL) {
		struct pause *p = *pp;

		if (all || p->due <= now) {
			*pp = p->next;
			MHD_resume_connection(p->c);
			free(p);
			continue;
		}
		if (p->due - now < next)
			next = p->due - now;
		pp = &p->next;
	}
	return next;
}

/* --- sessions and login --- */

/* The session of the cookie, or who->found 0. The token is looked up by its hash; TOUCH: it
 * was used (not by a page's own live refresh, which would keep an open tab's session alive
 * for ever past console.session_idle). -1: store. */
static int session_of(const struct server *sv, struct MHD_Connection *c,
                      struct store_console_session *who, char hash[65], int touch)
{
	char token[80], cutoff[TS_LEN];

	memset(who, 0, sizeof *who);
	hash[0] = '\0';
	cookie_value(c, COOKIE, token, sizeof token);
	if (strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
		return 0;
	if (console_sha256_hex(token, hash) < 0)
		return -1;
	ts_utc((int64_t)time(NULL) - sv->cfg->console.session_idle, cutoff);
	if (store_console_session_get(hash, cutoff, who) < 0)
		return -1;
	if (who->found && touch) {
		char seen[TS_LEN];

		/* last_seen is written at most once a minute: a page is a read, not a write. */
		ts_utc((int64_t)time(NULL) - TOUCH_EVERY, seen);
		if (strcmp(who->last_seen, seen) < 0) {
			char now[TS_LEN];

			ts_now(now);
			if (store_begin() < 0 || store_console_session_touch(hash, now) < 0 ||
			    store_commit() < 0) {
				store_rollback();
				return -1;
			}
		}
	}
	return 0;
}

static void cookie_set(const struct server *sv, struct console_resp *resp, const char *token)
{
	snprintf(resp->cookie, sizeof resp->cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
	         COOKIE, token[0] ? token : "", sv->tls ? "; Secure" : "");
	if (token[0] == '\0')
		snprintf(resp->cookie + strlen(resp->cookie),
		         sizeof resp->cookie - strlen(resp->cookie), "; Max-Age=0");
}

static const char LOGIN_FAILED[] = "Số điện thoại hoặc mật khẩu không đúng, hoặc tài khoản đang "
                                   "tạm khoá. Hãy thử lại sau.";

/*
 * POST /login. Unknown number, not an officer, no account, disabled, locked or a wrong
 * password: the same page, the same sentence, after the same pause, a hash computed in every
 * case. -1: store.
 */
static int login(struct server *sv, const struct console_req *rq, struct console_resp *resp)
{
	/* A hash of nothing anyone knows: verified against when there is no account, so that an
	 * unknown number costs the same time as a wrong password. */
	static char decoy[160];
	struct store_console_account a;
	char phone_in[64], pw[256], phone[24], now[TS_LEN], until[TS_LEN];
	int ok = 0, rc = -1;

	if (decoy[0] == '\0' && pin_hash("tipline console decoy", decoy, sizeof decoy) < 0)
		decoy[0] = '\0';
	if (console_form(rq, "phone", phone_in, sizeof phone_in) < 1 ||
	    console_form(rq, "password", pw, sizeof pw) < 1 ||
	    text_phone_e164(phone_in, sv->cfg->country_code, phone, sizeof phone) < 0) {
		pin_verify("x", decoy);
		resp->slow = 1;
		rc = console_page_login(rq, resp, LOGIN_FAILED);
		goto out;
	}
	if (store_console_account_get(phone, &a) < 0)
		goto out;
	ts_now(now);
	if (!a.found || !a.officer || a.disabled) {
		pin_verify(pw, decoy);
	} else if (a.locked_until[0] != '\0' && strcmp(a.locked_until, now) > 0) {
		pin_verify(pw, decoy);
		log_warnx("console: login to %s refused: locked until %s", phone, a.locked_until);
	} else {
		ok = pin_verify(pw, a.hash);
		ts_utc((int64_t)time(NULL) + LOCK_SECONDS, until);
		if (store_begin() < 0 ||
		    store_console_login_attempt(a.contact_id, ok, LOCK_AFTER, until) < 0 ||
		    store_commit() < 0) {
			store_rollback();
			goto out;
		}
		if (!ok && a.failed_tries + 1 >= LOCK_AFTER)
			log_warnx("console: %s locked for %d minutes after %d wrong passwords",
			          phone, LOCK_SECONDS / 60, LOCK_AFTER);
	}
	if (!ok) {
		log_info("console: failed login for %s", phone);
		resp->slow = 1;
		rc = console_page_login(rq, resp, LOGIN_FAILED);
		goto out;
	}
	{
		char token[65], hash[65], csrf[65];

		if (random_hex(32, token) < 0 || random_hex(32, csrf) < 0 ||
		    console_sha256_hex(token, hash) < 0) {
			console_page_message(rq, resp, 500, "Lỗi",
			                     "Không tạo được phiên đăng nhập.");
			rc = 0;
			goto out;
		}
		if (store_begin() < 0 ||
		    store_console_session_add(hash, a.contact_id, csrf, now) < 0 ||
		    store_commit() < 0) {
			store_rollback();
			goto out;
		}
		cookie_set(sv, resp, token);
		explicit_bzero(token, sizeof token);
	}
	log_info("console: %s logged in", phone);
	resp->status = 303;
	snprintf(resp->location, sizeof resp->location, "/");
	rc = 0;
out:
	explicit_bzero(pw, sizeof pw);
	return rc;
}

/* --- routing --- */

/* The page for RQ into RESP. -1: a store error (answered 503 by the caller). */
static int route(struct server *sv, struct MHD_Connection *c, struct console_req *rq,
                 struct console_resp *resp, const char *session_hash)
{
	int post = strcmp(rq->method, "POST") == 0;
	const char *p = rq->path;

	if (strcmp(p, "/static/console.css") == 0 || strcmp(p, "/static/console.js") == 0) {
		int css = p[sizeof "/static/console." - 1] == 'c';

		resp->type = css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
		fputs(css ? console_css : console_js, resp->f);
		return 0;
	}
	if (strcmp(p, "/static/broadcast.js") == 0 || strcmp(p, "/static/console2.css") == 0) {
		int js = p[8] == 'b';

		resp->type = js ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
		fputs(js ? console_broadcast_js : console2_css, resp->f);
		return 0;
	}
	if (strcmp(rq->method, "GET") != 0 && !post) {
		console_page_message(rq, resp, 405, "Không hỗ trợ", "Chỉ GET và POST.");
		return 0;
	}
	if (post && !same_origin(sv, c)) {
		log_warnx("console: POST %s from another origin: 403", p);
		console_page_message(rq, resp, 403, "Bị từ chối",
		                     "Yêu cầu không đến từ trang của bảng điều khiển.");
		return 0;
	}
	if (strcmp(p, "/login") == 0) {
		if (post)
			return login(sv, rq, resp);
		if (rq->who != NULL) {
			resp->status = 303;
			snprintf(resp->location, sizeof resp->location, "/");
			return 0;
		}
		return console_page_login(rq, resp, NULL);
	}
	if (rq->who == NULL) {
		if (post) {
			console_page_message(rq, resp, 403, "Bị từ chối",
			                     "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.");
			return 0;
		}
		resp->status = 303;
		snprintf(resp->location, sizeof resp->location, "/login");
		return 0;
	}
	if (post) {
		char csrf[80];

		if (console_form(rq, "csrf", csrf, sizeof csrf) < 1 || !same(csrf, rq->who->csrf)) {
			log_warnx("console: POST %s without the session's CSRF token: 403", p);
			console_page_message(
			    rq, resp, 403, "Bị từ chối",
			    "Biểu mẫu đã cũ hoặc không hợp lệ. Hãy tải lại trang.");
			return 0;
		}
	}
	if (post && strcmp(p, "/logout") == 0) {
		if (store_begin() < 0 || store_console_session_end(session_hash) < 0 ||
		    store_commit() < 0) {
			store_rollback();
			return -1;
		}
		log_info("console: %s logged out", rq->who->phone);
		cookie_set(sv, resp, "");
		resp->status = 303;
		snprintf(resp->location, sizeof resp->location, "/login");
		return 0;
	}
	if (!post && strcmp(p, "/") == 0)
		return console_page_overview(rq, resp);
	if (!post && strcmp(p, "/tips") == 0)
		return console_page_tips(rq, resp);
	if (!post && strcmp(p, "/tips/live") == 0)
		return console_tips_live(rq, resp);
	if (!post && (strcmp(p, "/tips.csv") == 0 || strcmp(p, "/patrols.csv") == 0))
		return console_export(rq, resp, p[1] == 't' ? "tips" : "patrols");
	if (strcmp(p, "/accounts") == 0)
		return post ? console_post_accounts(rq, resp) : console_page_accounts(rq, resp);
	if (!post && (strcmp(p, "/audit") == 0 || strcmp(p, "/audit.csv") == 0))
		return console_page_audit(rq, resp, p[6] == '.');
	if (!post && strcmp(p, "/patrols") == 0)
		return console_page_patrols(rq, resp);
	if (strcmp(p, "/broadcasts") == 0 && !post)
		return console_page_broadcasts(rq, resp);
	if (strcmp(p, "/broadcasts/new") == 0)
		return post ? console_post_broadcast_new(rq, resp)
		            : console_page_broadcast_new(rq, resp);
	if (strcmp(p, "/broadcasts/cost") == 0 && post)
		return console_post_broadcast_cost(rq, resp);
	if (strncmp(p, "/broadcasts/", 12) == 0 && post && p[12] >= '1' && p[12] <= '9' &&
	    strlen(p + 12) < 12 && strspn(p + 12, "0123456789") == strlen(p + 12))
		return console_post_broadcast(rq, resp, strtoll(p + 12, NULL, 10));
	if (strcmp(p, "/reports") == 0 && !post)
		return console_page_reports(rq, resp);
	if (!post && (strcmp(p, "/reports.html") == 0 || strcmp(p, "/reports.csv") == 0 ||
	              strcmp(p, "/reports.json") == 0))
		return console_report_download(rq, resp, p + 9);
	if (strcmp(p, "/modem") == 0)
		return post ? console_post_modem(rq, resp) : console_page_modem(rq, resp);
	if (!post && strcmp(p, "/people") == 0)
		return console_page_people(rq, resp);
	if (!post && strcmp(p, "/people.csv") == 0)
		return console_export(rq, resp, "contacts");
	if (strcmp(p, "/people/new") == 0)
		return console_page_person_new(rq, resp);
	if (strcmp(p, "/people/import") == 0)
		return console_page_import(rq, resp);
	if (strncmp(p, "/people/", 8) == 0)
		return console_page_person(rq, resp, p + 8);
	if (strcmp(p, "/groups") == 0)
		return post ? console_post_groups(rq, resp) : console_page_groups(rq, resp);
	if (strncmp(p, "/tips/", 6) == 0 && p[6] != '\0' && strlen(p + 6) < 16 &&
	    strspn(p + 6, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
	        strlen(p + 6))
		return post ? console_post_tip(rq, resp, p + 6)
		            : console_page_tip(rq, resp, p + 6, NULL);
	console_page_message(rq, resp, 404, "Không tìm thấy", "Không có trang này.");
	return 0;
}

/* The answer to a whole request (headers and body read). */
static void answer(struct server *sv, struct MHD_Connection *c, const char *url, const char *method,
                   struct request *rq)
{
	struct store_console_session who;
	struct console_req req = {0};
	char hash[65];
	int r;

	rq->resp.status = 200;
	rq->resp.f = open_memstream(&rq->out, &rq->outlen);
	if (rq->resp.f == NULL)
		return;
	req.cfg = sv->cfg;
	req.method = method;
	req.path = url;
	req.body = rq->body != NULL ? rq->body : "";
	req.len = rq->len;
	req.arg = query_arg;
	req.conn = c;
	if (rq->too_large) {
		console_page_message(&req, &rq->resp, 413, "Quá lớn", "Biểu mẫu quá lớn.");
		return;
	}
	if (strcmp(method, "POST") == 0 && console_upload_route(url)) {
		int m = multipart(c, rq);

		if (m < 0) {
			console_page_message(&req, &rq->resp, 400, "Không đọc được",
			                     "Biểu mẫu gửi lên không đọc được.");
			return;
		}
		if (m > 0) {
			req.body = rq->form;
			req.len = rq->formlen;
			req.upload = rq->upload;
			req.upload_len = rq->uploadlen;
		}
	}
	r = session_of(sv, c, &who, hash, strcmp(url, "/tips/live") != 0);
	if (r == 0) {
		req.who = who.found ? &who : NULL;
		r = route(sv, c, &req, &rq->resp, hash);
	}
	if (r < 0) {
		/* The page may have written half: start again with the apology. */
		log_warnx("console: %s %s: %s", method, url, store_errmsg());
		fclose(rq->resp.f);
		free(rq->out);
		rq->out = NULL;
		memset(&rq->resp, 0, sizeof rq->resp);
		rq->resp.f = open_memstream(&rq->out, &rq->outlen);
		if (rq->resp.f != NULL)
			console_page_message(&req, &rq->resp, 503, "Tạm thời bận",
			                     "Cơ sở dữ liệu đang bận. Hãy thử lại sau ít giây.");
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct server *sv = cls;
	struct request *rq = *con_cls;

	if (rq == NULL) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

		if ((rq = calloc(1, sizeof *rq)) == NULL)
			return MHD_NO;
		*con_cls = rq;
		rq->max = console_upload_route(url) ? CONSOLE_MAX_UPLOAD : CONSOLE_MAX_BODY;
		if (cl != NULL && strtoull(cl, NULL, 10) > rq->max)
			rq->too_large = 1;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->too_large || rq->len + *upload_size > rq->max)
			rq->too_large = 1;
		else if (rq->len + *upload_size + 1 > rq->cap) {
			size_t cap = rq->cap ? rq->cap : 4096;
			char *b;

			while (cap < rq->len + *upload_size + 1)
				cap *= 2;
			if ((b = realloc(rq->body, cap)) == NULL)
				return MHD_NO;
			rq->body = b;
			rq->cap = cap;
		}
		if (!rq->too_large) {
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->answered_slow) /* resumed after the pause */
		return send_resp(sv, c, rq);
	if (rq->body != NULL)
		rq->body[rq->len] = '\0';
	answer(sv, c, url, method, rq);
	if (rq->resp.f == NULL && rq->out == NULL)
		return MHD_NO;
	if (rq->resp.slow) {
		rq->answered_slow = 1;
		if (pause_conn(sv, c) == 0)
			return MHD_YES;
	}
	return send_resp(sv, c, rq);
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	if (rq != NULL) {
		if (rq->resp.f != NULL)
			fclose(rq->resp.f);
		free(rq->out);
		if (rq->body != NULL) /* a password may have been in it */
			explicit_bzero(rq->body, rq->cap);
		free(rq->body);
		free(rq->form);
		free(rq->upload);
		free(rq);
	}
	*con_cls = NULL;
}

/* http_run's DUE: the wait shortened to the next suspended request's resumption. */
static double resume_next(void *sv, double later)
{
	return resume_due(sv, 0, later);
}

int console_run(const struct config *cfg, const char *listen)
{
	struct server sv = {.cfg = cfg, .tls = cfg->console.tls};
	struct http_handler h = {"console", on_request, request_done, &sv, NULL, NULL, 1};
	struct http_server *hs = NULL;
	int port, rc = 1, ipv6;
	char host[64], *cert = NULL, *key = NULL, cutoff[TS_LEN], err[256];
	sigset_t unblocked;

	if (listen == NULL)
		listen = cfg->console.listen;
	if (config_listen_parse(listen, host, sizeof host, &port) < 0) {
		fprintf(stderr, "tipline: %s is not ADDR:PORT\n", listen);
		return 1;
	}
	if (!sv.tls && !config_host_loopback(host)) {
		fprintf(stderr,
		        "tipline: %s: console.tls is false: plain HTTP only on a loopback address, "
		        "not %s\n",
		        cfg->file, listen);
		return 1;
	}
	if (sv.tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		fprintf(stderr, "tipline: this libmicrohttpd has no TLS: the console cannot serve "
		                "HTTPS\n");
		return 1;
	}
	ipv6 = strchr(host, ':') != NULL;
	/* Recipients' networks by prefix (issue 25): the composer's dry run splits by them. */
	store_set_networks(config_network_name, (void *)cfg);
	if (store_open(&cfg->database) < 0 || store_check_writable() < 0 ||
	    store_console_tune() < 0) {
		cli_store_open_failed(cfg);
		goto out;
	}
	if (sv.tls && console_tls_load(cfg, &cert, &key) < 0)
		goto out;
	h.tls_cert = cert;
	h.tls_key = key;
	/* Sessions that went idle while no console ran. */
	ts_utc((int64_t)time(NULL) - cfg->console.session_idle, cutoff);
	if (store_begin() < 0 || store_console_sessions_expire(cutoff) < 0 || store_commit() < 0) {
		store_rollback();
		fprintf(stderr, "tipline: %s\n", store_errmsg());
		goto out;
	}
	/* Blocked but while waiting in ppoll (http_serve), so a signal never lands inside a
	 * page; the handler only notes it. */
	http_signals(&unblocked);
	if ((hs = http_start(&cfg->http, listen, &h, err, sizeof err)) == NULL) {
		fprintf(stderr, "tipline: %s\n", err);
		goto out;
	}
	printf("tipline console: listening on %s://%s%s%s:%u/\n", sv.tls ? "https" : "http",
	       ipv6 ? "[" : "", host, ipv6 ? "]" : "", http_port(hs));
	fflush(stdout);
	http_run(hs, &unblocked, resume_next, &sv, "console", "console");
	rc = 0;
out:
	resume_due(&sv, 1, 0);
	http_stop(hs);
	sched_close();
	if (key != NULL)
		explicit_bzero(key, strlen(key));
	free(cert);
	free(key);
	store_close();
	return rc;
}
