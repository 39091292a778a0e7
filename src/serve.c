/*
 * `tipline serve` (see serve.h). One thread: its loop runs the job table (src/sched.c: the
 * WAL scrub, the HTTP door's deadlines) and libmicrohttpd in external epoll mode (src/http.c,
 * which holds the limits), so requests are handled one after another and the store (one
 * connection, not shared between threads) is used by that thread only. Signals are taken only
 * while it waits.
 *
 * A step, in order: the path (404), the method (405), the secret (403: nothing is read or
 * stored), the content type (415), the body's size (413, a chunked one as soon as it passes
 * the limit), then the fields (malformed: END with an apology, nothing stored). Then, in one
 * transaction (a lock not had within ussd.db_wait: the apology): sessions idle for
 * ussd.session_timeout seconds are expired; the retry rules (docs/officers.md, "Retries"): a
 * retry of the last step gets its answer again, only from the number that made it and not
 * after expiry, and an earlier step arriving late changes nothing; a new session over
 * ussd.max_sessions open ones is answered 503, one over the number's ussd.max_per_hour
 * 'capped', both counted per hour (no session row); the menu takes the new input; its action
 * (a tip, a lookup, a registration, an opt-out) is done; the session row records the step.
 */
#include "serve.h"

#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "act.h"
#include "anon.h"
#include "cli.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "menu.h"
#include "parse.h"
#include "sched.h"
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

/*
 * The SMS copy of a tip's acknowledgement (ussd.sms_ack): the SMS path's tip_ack, under the
 * same hourly reply cap (act_reply). 1 queued, 0 not, -1 error.
 */
static int queue_ack(const struct server *sv, struct act_who *w, const char *ref, int64_t inbox_id)
{
	const char *kv[] = {"ref", ref, NULL};
	char text[640];

	if (!sv->cfg->ussd_menu.sms_ack)
		return 0;
	config_render(sv->cfg->replies.templates[TPL_TIP_ACK], kv, text, sizeof text);
	return act_reply(w, inbox_id, text);
}

/* The step's action, inside the transaction: OUT's END screen written, *OUTCOME set. */
static int act(const struct server *sv, const char *phone, const char *now,
               const struct menu_state *st, struct menu_out *out, const char **outcome,
               int64_t *tip_id)
{
	struct act_who w;

	if (out->action != MENU_ACT_NONE && out->action != MENU_ACT_CANCEL &&
	    act_who_phone(&w, phone) < 0)
		return -1;
	switch (out->action) {
	case MENU_ACT_TIP: {
		/* As an SMS tip without "thon X": the sender's own village. An anonymous tip keeps
		 * the number in no row: its inbox row says "anonymous", the tip has a secret
		 * (quoted as T12-4821 in BS), the SMS copy's outbox row forgets the recipient once
		 * the modem took it, and the session row is not linked to it. */
		struct act_tip_in in = {0,    out->category, st->draft, 1, out->anonymous,
		                        NULL, now,           now};
		struct act_tip_out t;
		const char *kv[] = {"ref", t.shown, NULL};
		int queued;

		if (act_tip_file(&w, &in, &t) != ACT_OK)
			return -1;
		*tip_id = t.tip_id;
		if ((queued = queue_ack(sv, &w, t.shown, t.inbox_id)) < 0)
			return -1;
		if (out->anonymous) {
			/* The session row forgets the phone too (step_tx), so the hourly session
			 * cap counts this session in memory only, once: act_reply noted a queued
			 * copy. */
			if (!queued)
				anon_note(phone, (int64_t)time(NULL));
			*tip_id = 0;
		}
		log_info("ussd: tip %s from %s", t.ref,
		         out->anonymous ? "an anonymous sender" : phone);
		menu_render(&sv->menu, UT_TIP_DONE, kv, out->screen);
		*outcome = "tip";
		return 0;
	}
	case MENU_ACT_LOOKUP: {
		/* As TT by SMS (act_tip_status): the menu asks no secret, so an anonymous tip is
		 * not found here. */
		struct act_status_out so;
		const char *kv[] = {"ref", out->arg, NULL};
		enum act_status r = act_tip_status(&w, 0, out->arg, NULL, &so);

		if (r == ACT_ERROR)
			return -1;
		menu_render(&sv->menu,
		            r == ACT_OK ? menu_status_text(so.phase) : UT_LOOKUP_NOT_FOUND, kv,
		            out->screen);
		if (r == ACT_OK) /* the officers' latest answer, as TT gives it */
			menu_render_answer(&sv->menu, so.answer, out->screen);
		*outcome = "lookup";
		return 0;
	}
	case MENU_ACT_REGISTER: {
		const char *kv[] = {"name", st->draft, "village", out->arg, NULL};

		/* As DK does: the name and village, subscribed; the role stays what it was. */
		if (act_register(&w, st->draft, out->arg) != ACT_OK)
			return -1;
		log_info("ussd: registered %s", phone);
		menu_render(&sv->menu, UT_REGISTER_DONE, kv, out->screen);
		*outcome = "registered";
		return 0;
	}
	case MENU_ACT_OPTOUT: {
		int was_in;

		if (act_optout(&w, &was_in) != ACT_OK)
			return -1;
		log_info("ussd: %s opted out", phone);
		menu_render(&sv->menu, UT_OPTOUT_DONE, NULL, out->screen);
		*outcome = "optout";
		return 0;
	}
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

/* Log lines of turned-away sessions, bounded: one thread runs every step. */
static struct http_log_budget busy_log, capped_log;

/*
 * Whether PHONE may step session ID, stored as OLD: its own number's, or an anonymous one that
 * PHONE ended since CUTOFF (a retry of its last step: the answer shows the tip's secret).
 */
static int session_of(const char *id, const struct store_ussd_session *old, const char *phone,
                      const char *cutoff)
{
	int64_t since;

	if (strcmp(old->phone, phone) == 0)
		return 1;
	if (strcmp(old->phone, STORE_ANONYMOUS) != 0 || old->outcome[0] == '\0' ||
	    ts_parse_utc(cutoff, &since) < 0)
		return 0;
	return anon_session_is(id, phone, since);
}

/* TEXT is a step before OLD's: empty (the first) or OLD's text up to one of its '*'. */
static int earlier_step(const char *old, const char *text)
{
	size_t n = strlen(text);

	if (old[0] == '\0')
		return 0;
	return n == 0 || (strncmp(old, text, n) == 0 && old[n] == '*');
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
	if (old->found && !session_of(f->session_id, old, phone, cutoff)) {
		/* Someone else's session id: refused, and that session is left as it was. An
		 * anonymous session's row names nobody: only the number that ended it, noted in
		 * memory for the retry window, is answered. */
		log_warnx("ussd: session %s is %s's, not %s's: refused", f->session_id, old->phone,
		          phone);
		say_text(sv, a, 200, UT_ERROR);
		r = 0;
		goto out;
	}
	if (old->found && strcmp(old->text, f->text) == 0 && old->answer[0] != '\0' &&
	    strcmp(old->outcome, "expired") != 0 && strcmp(old->last_step_at, cutoff) >= 0) {
		/* The aggregator asked again (a retry): the same answer, no new step. Not after
		 * the session expired (the open one was just marked so; an ended one's retry
		 * window is as long): "expired", below. */
		a->status = 200;
		snprintf(a->body, sizeof a->body, "%s", old->answer);
		r = 0;
		goto out;
	}
	if (old->found && old->outcome[0] != '\0') {
		say_text(sv, a, 200, UT_EXPIRED);
		r = 0;
		goto out;
	}
	if (old->found && earlier_step(old->text, f->text)) {
		/* A step the session has gone past, arriving late (the aggregator's retry of an
		 * earlier request): the session and its draft are kept, the current screen is
		 * answered. Restarting from it would lose what was typed since. */
		log_debug("ussd: session %s: a late earlier step: answered with the current screen",
		          f->session_id);
		a->status = 200;
		snprintf(a->body, sizeof a->body, "%s", old->answer);
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

			/* Counted per hour, not a row each (issue 21): a flood of them must not
			 * grow the table, nor the log by a line each. */
			say_text(sv, a, busy ? 503 : 200, busy ? UT_BUSY : UT_CAPPED);
			if (http_log_allow(busy ? &busy_log : &capped_log,
			                   busy ? "ussd: sessions turned away (ussd.max_sessions)"
			                        : "ussd: sessions turned away (ussd.max_per_hour)"))
				log_warnx("ussd: session %s from %s turned away: %s", f->session_id,
				          phone,
				          busy ? "ussd.max_sessions sessions open"
				               : "ussd.max_per_hour");
			r = store_ussd_turned_away(busy ? "busy" : "capped", now);
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
	if (r == 0 && out.end && out.action == MENU_ACT_TIP && out.anonymous) {
		r = store_ussd_session_anonymize(f->session_id);
		anon_session_note(f->session_id, phone, (int64_t)time(NULL));
	}
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
	static const char *const allow[] = {"Allow", "POST", NULL};
	static const char *const auth[] = {"WWW-Authenticate", "Basic realm=\"tipline\"", NULL};

	return http_respond(c, status, body,
	                    status == MHD_HTTP_METHOD_NOT_ALLOWED ? allow
	                    : status == MHD_HTTP_FORBIDDEN        ? auth
	                                                          : NULL);
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

/*
 * What a log line may say of a request's path: its first segment, at most 32 bytes ("/nope",
 * "/ussd/..."), never the query nor the rest, where a caller may have put a secret. (log.c
 * escapes what libmicrohttpd %-decoded: a "%0A" cannot start a line of its own.)
 */
static const char *path_for_log(const char *url, char *out, size_t outsz)
{
	size_t n = url[0] == '/' ? 1 + strcspn(url + 1, "/?") : strcspn(url, "/?");
	int more = url[n] != '\0';

	if (n > 32) {
		n = 32;
		more = 1;
	}
	snprintf(out, outsz, "%.*s%s", (int)n, url, more ? "/..." : "");
	return out;
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

/* The 4xx answers' log lines, bounded: one thread runs every request. */
static struct http_log_budget rejected_log;

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
			char path[48];

			/* Bounded (issue 21): a scan or a wrong secret repeated is counted, not a
			 * line each. */
			if (http_log_allow(&rejected_log, "ussd: requests refused (4xx)"))
				log_info("ussd: %s %s: %u", method,
				         path_for_log(url, path, sizeof path), rq->status);
			return respond(c, rq->status, status_text(rq->status));
		}
		return MHD_YES;
	}
	if (rq->status != 0) {
		*upload_size = 0; /* answered already: what follows is dropped */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->len + *upload_size > sizeof rq->body) {
			/* A body without Content-Length (chunked) over the limit: answered now and
			 * closed, not read to its end, which may never come. */
			if (http_log_allow(&rejected_log, "ussd: requests refused (4xx)"))
				log_info("ussd: body over %d bytes: 413", SERVE_MAX_BODY);
			return http_refuse_now(c, MHD_HTTP_CONTENT_TOO_LARGE,
			                       status_text(MHD_HTTP_CONTENT_TOO_LARGE));
		}
		memcpy(rq->body + rq->len, upload, *upload_size);
		rq->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
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

/* The WAL scrub an anonymous tip asked for, when a reader held it off (store_scrub.c). */
static int scrub_wal(void *arg)
{
	return store_scrub_wal() < 0 ? -1 : 0;
}

int serve_run(const struct config *cfg, const char *listen)
{
	struct server sv = {cfg, {0}};
	struct http_handler h = {"ussd", on_request, request_done, &sv, NULL, NULL, 0};
	struct http_server *hs = NULL;
	char host[64], err[256];
	sigset_t unblocked;
	int port, rc = 1;

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
	if (sv.menu.unlisted > 0)
		log_warnx("ussd: %d categories after the 8th are not in the menu (only under Khac)",
		          sv.menu.unlisted);
	if (config_listen_parse(listen, host, sizeof host, &port) < 0) {
		fprintf(stderr, "tipline: %s is not ADDR:PORT\n", listen);
		goto out;
	}
	if (store_open(&cfg->database) < 0 || store_check_writable() < 0) {
		cli_store_open_failed(cfg);
		goto out;
	}
	/* The aggregator gives up on a step after a few seconds: a lock not had within
	 * ussd.db_wait is answered with the apology while the caller still listens. */
	store_set_busy_timeout(cfg->ussd_menu.db_wait);
	/* Blocked but while waiting in ppoll (http_serve), so a signal never lands inside a
	 * step; the handler only notes it. */
	http_signals(&unblocked);
	if ((hs = http_start(&cfg->http, listen, &h, err, sizeof err)) == NULL) {
		fprintf(stderr, "tipline: %s\n", err);
		goto out;
	}
	if (sched_add("wal scrub", STORE_SCRUB_EVERY, 0, scrub_wal, NULL) < 0)
		goto out;
	printf("tipline serve: listening on %s%s%s:%u %s\n", strchr(host, ':') ? "[" : "", host,
	       strchr(host, ':') ? "]" : "", http_port(hs), cfg->ussd_menu.callback_path);
	fflush(stdout);
	http_run(hs, &unblocked, NULL, NULL, "ussd", "serve");
	rc = 0;
out:
	http_stop(hs);
	sched_close();
	store_close();
	menu_close(&sv.menu);
	return rc;
}
