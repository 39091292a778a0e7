/*
 * `tipline serve` (see serve.h). libmicrohttpd runs every request in its one internal polling
 * thread, so requests are handled one after another and the store (one connection, not
 * shared between threads) is used by that thread only; the main thread waits for a signal.
 *
 * A step, in order: the path (404), the method (405), the secret (403: nothing is read or
 * stored), the content type (415), the body's size (413), then the fields (malformed: END
 * with an apology, nothing stored). Then, in one transaction: sessions idle for
 * ussd.session_timeout seconds are expired; a new session over ussd.max_sessions open ones is
 * stored as 'busy' and answered 503, one over the number's ussd.max_per_hour as 'capped'; the
 * menu takes the new input; its action (a tip, a lookup, a registration, an opt-out) is done;
 * the session row records the step.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "anon.h"
#include "config.h"
#include "log.h"
#include "menu.h"
#include "parse.h"
#include "store.h"
#include "text.h"
#include "ts.h"

/* --- the form --- */

int serve_form_decode(const char *s, size_t len, char *out, size_t sz)
{
	size_t k = 0;

	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = text_hex_digit(s[i + 1]);
			lo = text_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == 0 || k + 1 >= sz)
			return -1;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	return text_utf8_valid(out, k) ? 0 : -1;
}

int serve_form_parse(const char *body, size_t len, struct serve_form *f)
{
	static const struct {
		const char *name;
		size_t off, sz, flag;
	} fields[] = {
#define FIELD(n, m, fl) {n, offsetof(struct serve_form, m), sizeof(((struct serve_form *)0)->m), fl}
	    FIELD("sessionId", session_id, 1),
	    FIELD("phoneNumber", phone, 2),
	    FIELD("serviceCode", service_code, 3),
	    FIELD("networkCode", network_code, 4),
	    FIELD("text", text, 5),
#undef FIELD
	};
	int seen = 0;
	size_t i = 0;

	memset(f, 0, sizeof *f);
	while (i < len) {
		size_t end = i, eq;

		while (end < len && body[end] != '&')
			end++;
		for (eq = i; eq < end && body[eq] != '='; eq++)
			;
		for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
			size_t nl = strlen(fields[k].name);

			if (eq - i != nl || memcmp(body + i, fields[k].name, nl) != 0)
				continue;
			if (seen & (1 << fields[k].flag))
				return -1; /* a field given twice: which one is meant? */
			seen |= 1 << fields[k].flag;
			if (serve_form_decode(eq < end ? body + eq + 1 : body + end,
			                      eq < end ? end - eq - 1 : 0,
			                      (char *)f + fields[k].off, fields[k].sz) < 0)
				return -1;
		}
		i = end + 1;
	}
	f->has_session = f->session_id[0] != '\0';
	f->has_phone = f->phone[0] != '\0';
	f->has_service = f->service_code[0] != '\0';
	if (!f->has_session || !f->has_phone || !f->has_service)
		return -1;
	for (const char *p = f->session_id; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return -1;
	return 0;
}

/* --- the server --- */

struct server {
	const struct config *cfg;
	struct menu menu;
};

/* What one step answers: the HTTP status and the body. */
struct answer {
	unsigned status;
	char body[sizeof((struct store_ussd_session *)0)->answer];
};
_Static_assert(sizeof((struct answer *)0)->body >= MENU_SCREEN_BUF + 4,
               "the stored answer holds a whole screen and its CON/END");

static void say(struct answer *a, unsigned status, int end, const char *screen)
{
	a->status = status;
	snprintf(a->body, sizeof a->body, "%s %s", end ? "END" : "CON", screen);
}

static void say_text(const struct server *sv, struct answer *a, unsigned status, enum ussd_text t)
{
	say(a, status, 1, sv->cfg->ussd_menu.texts[t]);
}

/* The SMS copy of a tip's acknowledgement: the SMS path's tip_ack, under its hourly cap. */
static int queue_ack(const struct server *sv, const char *phone, const char *ref, int64_t inbox_id,
                     int anonymous)
{
	const struct config *cfg = sv->cfg;
	const char *kv[] = {"ref", ref, NULL};
	struct store_outbox_new o = {0};
	char text[640], since[TS_LEN];
	int n;

	if (!cfg->ussd_menu.sms_ack || !cfg->replies.enabled)
		return 0;
	ts_utc((int64_t)time(NULL) - 3600, since);
	n = store_replies_since(phone, since);
	if (n < 0)
		return -1;
	if (n >= cfg->replies.max_per_hour) {
		log_warnx("ussd: no SMS copy to %s: %d replies in the last hour "
		          "(replies.max_per_hour)",
		          anonymous ? "an anonymous sender" : phone, n);
		return 0;
	}
	config_render(cfg->replies.templates[TPL_TIP_ACK], kv, text, sizeof text);
	o.recipient = phone;
	o.text = text;
	o.priority = 0;
	o.kind = "reply";
	o.inbox_id = inbox_id;
	o.anonymous = anonymous;
	return store_outbox_insert(&o, NULL);
}

/* The step's action, inside the transaction: OUT's END screen written, *OUTCOME set. */
static int act(const struct server *sv, const char *phone, const char *now,
               const struct menu_state *st, struct menu_out *out, const char **outcome,
               int64_t *tip_id)
{
	switch (out->action) {
	case MENU_ACT_TIP: {
		char ref[16] = "", secret[8] = "", shown[24];
		int64_t inbox_id = 0;
		const char *kv[] = {"ref", shown, NULL};
		struct store_contact who;

		/* The tip's village, as for an SMS tip without "thon X": the sender's own. An
		 * anonymous tip keeps the number in no row: its inbox row says "anonymous", the
		 * tip has a secret (quoted as T12-4821 in BS), the SMS copy's outbox row forgets
		 * the recipient once the modem took it, and the session row is not linked to it. */
		const char *village = NULL;

		if (store_contact_get(phone, &who) < 0)
			return -1;
		if (who.found && who.village[0])
			village = who.village;
		if (store_ussd_inbox_insert(out->anonymous ? "anonymous" : phone, st->draft, now,
		                            &inbox_id) < 0)
			return -1;
		if (out->anonymous
		        ? store_tip_insert_anonymous(inbox_id, out->category, st->draft, 1, village,
		                                     now, now, ref, secret) < 0
		        : store_tip_insert(inbox_id, phone, 0, out->category, st->draft, 1, village,
		                           now, now, ref) < 0)
			return -1;
		snprintf(shown, sizeof shown, "%s%s%s", ref, secret[0] ? "-" : "", secret);
		if (store_ussd_tip_channel(ref, tip_id) < 0 ||
		    queue_ack(sv, phone, shown, inbox_id, out->anonymous) < 0)
			return -1;
		if (out->anonymous) {
			/* The session row forgets the phone too (step_tx), so the hourly cap counts
			 * this session in memory only, as the daemon counts anonymous SMS tips. */
			anon_note(phone, (int64_t)time(NULL));
			*tip_id = 0;
		}
		log_info("ussd: tip %s from %s", ref,
		         out->anonymous ? "an anonymous sender" : phone);
		menu_render(&sv->menu, UT_TIP_DONE, kv, out->screen);
		*outcome = "tip";
		return 0;
	}
	case MENU_ACT_LOOKUP: {
		char status[16];
		const char *kv[] = {"ref", out->arg, NULL};
		int r = store_ussd_tip_status(out->arg, phone, status);

		if (r < 0)
			return -1;
		menu_render(&sv->menu, r ? menu_status_text(status) : UT_LOOKUP_NOT_FOUND, kv,
		            out->screen);
		*outcome = "lookup";
		return 0;
	}
	case MENU_ACT_REGISTER: {
		const char *kv[] = {"name", st->draft, "village", out->arg, NULL};

		/* As DK does: the name and village, subscribed; the role stays what it was. */
		if (store_contact_upsert(phone, st->draft, out->arg, ROLE_KEEP, NULL, 1) < 0)
			return -1;
		log_info("ussd: registered %s", phone);
		menu_render(&sv->menu, UT_REGISTER_DONE, kv, out->screen);
		*outcome = "registered";
		return 0;
	}
	case MENU_ACT_OPTOUT:
		if (store_contact_upsert(phone, NULL, NULL, ROLE_KEEP, NULL, 0) < 0)
			return -1;
		log_info("ussd: %s opted out", phone);
		menu_render(&sv->menu, UT_OPTOUT_DONE, NULL, out->screen);
		*outcome = "optout";
		return 0;
	case MENU_ACT_CANCEL:
		*outcome = "cancelled";
		return 0;
	case MENU_ACT_NONE:
	default:
		return 0;
	}
}

/*
 * Feed the inputs of TEXT to the menu: all of it as one input when FROM_PREFIX (the part after
 * the text of the step before), else each '*'-separated piece (a new session dialled with its
 * inputs, *123*1*2#, or a text that does not continue the stored one).
 */
static enum menu_screen feed(const struct server *sv, struct menu_state *st, const char *text,
                             int one, struct menu_out *out)
{
	enum menu_screen before = st->screen;
	const char *p = text;

	for (;;) {
		const char *star = one ? NULL : strchr(p, '*');
		size_t len = star ? (size_t)(star - p) : strlen(p);

		before = st->screen;
		menu_input(&sv->menu, st, p, len, out);
		if (out->end || star == NULL)
			return before;
		p = star + 1;
	}
}

/* One step, in the open transaction. The answer is set; -1 on a store error. */
static int step_tx(const struct server *sv, const struct serve_form *f, const char *phone,
                   struct answer *a)
{
	const struct ussd_menu_config *u = &sv->cfg->ussd_menu;
	struct store_ussd_session *old = NULL;
	struct store_ussd_save v = {0};
	struct menu_state st;
	struct menu_out out;
	enum menu_screen shown;
	char now[TS_LEN], cutoff[TS_LEN];
	const char *outcome = NULL;
	int64_t tip_id = 0;
	int r = -1;

	ts_now(now);
	ts_utc((int64_t)time(NULL) - u->session_timeout, cutoff);
	old = malloc(sizeof *old);
	if (old == NULL) {
		store_error_nomem("ussd session");
		return -1;
	}
	if (store_ussd_expire(cutoff) < 0 || store_ussd_session_get(f->session_id, old) < 0)
		goto out;
	v.id = f->session_id;
	v.phone = phone;
	v.service_code = f->service_code;
	v.network_code = f->network_code[0] ? f->network_code : NULL;
	v.at = now;
	v.text = f->text;
	v.category = -2;
	if (old->found && strcmp(old->phone, phone) != 0 &&
	    !(strcmp(old->phone, STORE_ANONYMOUS) == 0 && old->outcome[0] != '\0')) {
		/* Someone else's session id: refused, and that session is left as it was. */
		log_warnx("ussd: session %s is %s's, not %s's: refused", f->session_id, old->phone,
		          phone);
		say_text(sv, a, 200, UT_ERROR);
		r = 0;
		goto out;
	}
	if (old->found && strcmp(old->text, f->text) == 0 && old->answer[0] != '\0') {
		/* The aggregator asked again (a retry): the same answer, no new step. */
		a->status = strcmp(old->outcome, "busy") == 0 ? 503 : 200;
		snprintf(a->body, sizeof a->body, "%s", old->answer);
		r = 0;
		goto out;
	}
	if (old->found && old->outcome[0] != '\0') {
		say_text(sv, a, 200, UT_EXPIRED);
		r = 0;
		goto out;
	}
	if (!old->found) {
		int open = store_ussd_open_count(), started;
		char since[TS_LEN];

		ts_utc((int64_t)time(NULL) - 3600, since);
		started = open < 0 ? -1 : store_ussd_started_since(phone, since);
		if (started < 0)
			goto out;
		started += anon_count(phone, (int64_t)time(NULL) - 3600);
		if (open >= u->max_sessions || started >= u->max_per_hour) {
			int busy = open >= u->max_sessions;

			say_text(sv, a, busy ? 503 : 200, busy ? UT_BUSY : UT_CAPPED);
			log_warnx("ussd: session %s from %s turned away: %s", f->session_id, phone,
			          busy ? "ussd.max_sessions sessions open" : "ussd.max_per_hour");
			v.last_step = "main";
			v.outcome = busy ? "busy" : "capped";
			v.answer = a->body;
			r = store_ussd_session_save(&v);
			goto out;
		}
		menu_start(&sv->menu, &st, &out);
		shown = MENU_MAIN;
		if (f->text[0] != '\0')
			shown = feed(sv, &st, f->text, 0, &out);
	} else {
		size_t pl = strlen(old->text);
		int screen = menu_screen_parse(old->last_step);

		memset(&st, 0, sizeof st);
		st.screen =
		    screen >= 0 && screen != MENU_ENDED ? (enum menu_screen)screen : MENU_MAIN;
		st.category = old->category;
		snprintf(st.draft, sizeof st.draft, "%s", old->draft);
		if (pl == 0)
			shown = feed(sv, &st, f->text, 1, &out);
		else if (strncmp(f->text, old->text, pl) == 0 && f->text[pl] == '*')
			shown = feed(sv, &st, f->text + pl + 1, 1, &out);
		else {
			/* Not a continuation of what we answered: the whole text again, from the
			 * start, its pieces split at every '*'. */
			menu_start(&sv->menu, &st, &out);
			shown = feed(sv, &st, f->text, 0, &out);
		}
	}
	if (out.end && act(sv, phone, now, &st, &out, &outcome, &tip_id) < 0)
		goto out;
	say(a, 200, out.end, out.screen);
	v.last_step = menu_screen_name(out.end ? shown : st.screen);
	v.outcome = out.end ? outcome : NULL;
	v.tip_id = tip_id;
	v.answer = a->body;
	v.category = out.end ? -2 : st.category;
	v.draft = out.end || st.draft[0] == '\0' ? NULL : st.draft;
	r = store_ussd_session_save(&v);
	if (r == 0 && out.end && out.action == MENU_ACT_TIP && out.anonymous)
		r = store_ussd_session_anonymize(f->session_id);
	if (r == 0 && out.end)
		log_info("ussd: session %s ended: %s", f->session_id, outcome ? outcome : "end");
out:
	free(old);
	return r;
}

/* One step from the body of a POST that passed the checks of the headers. */
static void step(const struct server *sv, const char *body, size_t len, struct answer *a)
{
	struct serve_form *f = malloc(sizeof *f);
	char phone[24];

	if (f == NULL) {
		say_text(sv, a, 500, UT_ERROR);
		return;
	}
	if (serve_form_parse(body, len, f) < 0 ||
	    text_phone_e164(f->phone, sv->cfg->country_code, phone, sizeof phone) < 0) {
		log_warnx("ussd: a malformed step (%zu bytes): answered with an apology", len);
		say_text(sv, a, 200, UT_ERROR);
		goto out;
	}
	if (store_begin() < 0) {
		log_warnx("ussd: %s", store_errmsg());
		say_text(sv, a, 500, UT_ERROR);
		goto out;
	}
	if (step_tx(sv, f, phone, a) < 0) {
		log_warnx("ussd: session %s: %s", f->session_id, store_errmsg());
		store_rollback();
		say_text(sv, a, 500, UT_ERROR);
		goto out;
	}
	if (store_commit() < 0) {
		log_warnx("ussd: session %s: %s", f->session_id, store_errmsg());
		say_text(sv, a, 500, UT_ERROR);
	}
out:
	free(f);
}

/* --- HTTP --- */

/* A request being read. Freed by request_done. */
struct request {
	unsigned status; /* decided from the headers (an error), 0 while fine */
	int too_large;
	size_t len;
	char body[SERVE_MAX_BODY];
};

/* Equal, in a time that does not depend on where they differ. */
static int same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0 && lb > 0;
}

/* The secret as the Basic password (any user name) or as the callback URL's key parameter. */
static int authorized(const struct server *sv, struct MHD_Connection *c)
{
	const char *secret = sv->cfg->ussd_menu.secret;
	const char *key = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "key");
	char *pass = NULL;
	char *user = MHD_basic_auth_get_username_password(c, &pass);
	int ok = (key != NULL && same_secret(key, secret)) ||
	         (pass != NULL && same_secret(pass, secret));

	if (user != NULL)
		MHD_free(user);
	if (pass != NULL)
		MHD_free(pass);
	return ok;
}

static int form_type(struct MHD_Connection *c)
{
	static const char want[] = "application/x-www-form-urlencoded";
	const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");

	return t != NULL && strncasecmp(t, want, sizeof want - 1) == 0 &&
	       (t[sizeof want - 1] == '\0' || t[sizeof want - 1] == ';' ||
	        t[sizeof want - 1] == ' ');
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *body)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "POST");
	if (status == MHD_HTTP_FORBIDDEN)
		MHD_add_response_header(r, "WWW-Authenticate", "Basic realm=\"tipline\"");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *status_text(unsigned status)
{
	switch (status) {
	case MHD_HTTP_NOT_FOUND:
		return "not found\n";
	case MHD_HTTP_METHOD_NOT_ALLOWED:
		return "only POST\n";
	case MHD_HTTP_FORBIDDEN:
		return "forbidden\n";
	case MHD_HTTP_UNSUPPORTED_MEDIA_TYPE:
		return "application/x-www-form-urlencoded only\n";
	case MHD_HTTP_CONTENT_TOO_LARGE:
		return "body over 4096 bytes\n";
	default:
		return "error\n";
	}
}

static unsigned header_status(const struct server *sv, struct MHD_Connection *c, const char *url,
                              const char *method)
{
	const char *cl;

	if (strcmp(url, sv->cfg->ussd_menu.callback_path) != 0)
		return MHD_HTTP_NOT_FOUND;
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return MHD_HTTP_METHOD_NOT_ALLOWED;
	if (!authorized(sv, c))
		return MHD_HTTP_FORBIDDEN;
	if (!form_type(c))
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (cl != NULL && strtoull(cl, NULL, 10) > SERVE_MAX_BODY)
		return MHD_HTTP_CONTENT_TOO_LARGE;
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct server *sv = cls;
	struct request *rq = *con_cls;
	struct answer a;

	if (rq == NULL) {
		/* The headers: an error is answered now, before any of the body is read. */
		if ((rq = calloc(1, sizeof *rq)) == NULL)
			return MHD_NO;
		*con_cls = rq;
		rq->status = header_status(sv, c, url, method);
		if (rq->status != 0) {
			log_info("ussd: %s %s: %u", method, url, rq->status);
			return respond(c, rq->status, status_text(rq->status));
		}
		return MHD_YES;
	}
	if (rq->status != 0) {
		*upload_size = 0; /* answered already: what follows is dropped */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->too_large || rq->len + *upload_size > sizeof rq->body)
			rq->too_large = 1;
		else {
			memcpy(rq->body + rq->len, upload, *upload_size);
			rq->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->too_large) {
		rq->status = MHD_HTTP_CONTENT_TOO_LARGE;
		log_info("ussd: body over %d bytes: 413", SERVE_MAX_BODY);
		return respond(c, rq->status, status_text(rq->status));
	}
	step(sv, rq->body, rq->len, &a);
	return respond(c, a.status, a.body);
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	free(*con_cls);
	*con_cls = NULL;
}

int serve_run(const struct config *cfg, const char *listen)
{
	struct server sv = {cfg, {0}};
	struct sockaddr_storage ss;
	struct MHD_Daemon *d = NULL;
	char host[64], err[256];
	sigset_t set;
	int port, sig, rc = 1;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;

	if (cfg->ussd_menu.secret[0] == '\0') {
		fprintf(stderr,
		        "tipline: %s: ussd.secret is not set: `tipline serve` does not start "
		        "without the secret the aggregator sends\n",
		        cfg->file);
		return 1;
	}
	if (menu_init(&sv.menu, &cfg->ussd_menu, cfg->rules, err, sizeof err) < 0) {
		fprintf(stderr, "tipline: %s: %s\n", cfg->file, err);
		return 1;
	}
	if (anon_init() < 0) {
		menu_close(&sv.menu);
		return 1;
	}
	if (sv.menu.unlisted > 0)
		log_warnx("ussd: %d categories after the 8th are not in the menu (only under Khac)",
		          sv.menu.unlisted);
	memset(&ss, 0, sizeof ss);
	if (config_listen_parse(listen, host, sizeof host, &port) < 0) {
		fprintf(stderr, "tipline: %s is not ADDR:PORT\n", listen);
		goto out;
	}
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &s4->sin_addr);
	}
	if (store_open(&cfg->database) < 0 || store_check_writable() < 0) {
		if (store_error_is_permission())
			fprintf(stderr, "tipline: %s\n", store_errmsg());
		else
			fprintf(stderr, "tipline: cannot open the database %s\n",
			        cfg->database.path);
		goto out;
	}
	/* Blocked here, so that libmicrohttpd's thread inherits the mask and sigwait gets them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(
	    flags, (uint16_t)port, NULL, NULL, on_request, &sv, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)(cfg->ussd_menu.max_sessions + 64), MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "tipline: cannot listen on %s\n", listen);
		goto out;
	}
	{
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);

		printf("tipline serve: listening on %s%s%s:%u %s\n", strchr(host, ':') ? "[" : "",
		       host, strchr(host, ':') ? "]" : "", di ? di->port : (unsigned)port,
		       cfg->ussd_menu.callback_path);
		fflush(stdout);
	}
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		log_info("ussd: SIGHUP ignored: restart `tipline serve` to read the configuration");
	}
	log_info("ussd: signal %d: stopping", sig);
	rc = 0;
out:
	if (d != NULL)
		MHD_stop_daemon(d);
	store_close();
	menu_close(&sv.menu);
	anon_close();
	return rc;
}
