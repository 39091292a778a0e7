#include "handle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anon.h"
#include "broadcast.h"
#include "config.h"
#include "log.h"
#include "parse.h"
#include "pin.h"
#include "report.h"
#include "store.h"
#include "text.h"
#include "ts.h"

static const struct config *hcfg;

int handle_init(const struct config *cfg)
{
	hcfg = cfg;
	return anon_init();
}

void handle_close(void)
{
	hcfg = NULL;
	anon_close();
}

/* The message being handled, copied out of the store's row. */
struct msg {
	int64_t id;
	char sender[64];
	char phone[24];       /* E.164, "" when the sender is not a phone number */
	char received_at[20]; /* when the daemon read it */
	char sent_at[20];     /* when its sender sent it (the SMSC time): an event's time */
	char *text;           /* owned: freed by handle_message */
	int anon;             /* an anonymous tip or its supplement: the number is not kept */
	struct store_contact who;
};

static int copy_row(const struct store_inbox_row *r, void *arg)
{
	struct msg *m = arg;

	snprintf(m->sender, sizeof m->sender, "%s", r->sender);
	snprintf(m->received_at, sizeof m->received_at, "%s", r->received_at);
	snprintf(m->sent_at, sizeof m->sent_at, "%s", r->smsc_time ? r->smsc_time : r->received_at);
	m->text = strdup(r->text);
	return 1;
}

/* A span of the message as its own NUL-terminated string; "" when absent. Caller frees. */
static char *span(const struct msg *m, struct parse_span sp)
{
	char *s = malloc(sp.len + 1);

	if (s == NULL) {
		store_error_nomem("span");
		return NULL;
	}
	memcpy(s, m->text + sp.off, sp.len);
	s[sp.len] = '\0';
	return s;
}

/* Local wall-clock "HH:MM" of the message's arrival, as the sender's own clock shows it. */
static void local_hhmm(const char *utc, char out[8])
{
	char local[TS_LEN];

	if (ts_utc_to_local(utc, local) < 0) {
		snprintf(out, 8, "?");
		return;
	}
	snprintf(out, 8, "%.5s", local + 11);
}

/*
 * Queue a reply from template T. Replies go only to phone numbers (never to operator or
 * short-code senders, which would start reply loops) and at most max_per_hour per number;
 * beyond that the message is stored but not answered. 0, or -1 on a store error.
 */
static int reply_text(const struct msg *m, const char *text)
{
	char since[20];
	struct store_outbox_new o = {0};
	int64_t now = (int64_t)time(NULL);
	int n, a;

	if (!hcfg->replies.enabled || m->phone[0] == '\0')
		return 0;
	ts_utc(now - 3600, since);
	/* The store counts the replies it can still name; anon.c those whose number is gone. */
	n = store_replies_since(m->phone, since);
	if (n < 0)
		return -1;
	a = anon_count(m->phone, now - 3600);
	if (n + a >= hcfg->replies.max_per_hour) {
		log_warnx("not replying to %s: %d replies in the last hour (replies.max_per_hour)",
		          m->anon ? "an anonymous sender" : m->phone, n + a);
		return 0;
	}
	/* Noted when queued: a rollback of this message over-counts one reply, never under. */
	if (m->anon)
		anon_note(m->phone, now);
	o.anonymous = m->anon;
	o.recipient = m->phone;
	o.text = text;
	o.priority = 0;
	o.kind = "reply";
	o.inbox_id = m->id;
	return store_outbox_insert(&o, NULL);
}

/* A reply from template T with the placeholders KV (see reply_text). */
static int reply(const struct msg *m, enum tpl t, const char *const *kv)
{
	char text[640];

	config_render(hcfg->replies.templates[t], kv, text, sizeof text);
	return reply_text(m, text);
}

static int is_officer(const struct msg *m)
{
	return m->who.found && m->who.role == ROLE_OFFICER;
}

static int is_leader(const struct msg *m)
{
	return m->who.found && (m->who.role == ROLE_LEADER || m->who.role == ROLE_OFFICER);
}

static enum tpl usage_of(enum parse_kind k)
{
	switch (k) {
	case PARSE_SUPPLEMENT:
		return TPL_USAGE_SUPPLEMENT;
	case PARSE_PATROL_START:
	case PARSE_PATROL_END:
		return TPL_USAGE_PATROL;
	case PARSE_AWARENESS:
		return TPL_USAGE_AWARENESS;
	case PARSE_MEDIATION:
		return TPL_USAGE_MEDIATION;
	case PARSE_REGISTER:
		return TPL_USAGE_REGISTER;
	case PARSE_BROADCAST:
		return TPL_USAGE_BROADCAST;
	case PARSE_REPORT:
		return TPL_USAGE_REPORT;
	case PARSE_TIP:
	default:
		return TPL_USAGE_TIP;
	}
}

/*
 * The {category} of a tip's reply: its Vietnamese name ("chua ro" when it has none), without
 * diacritics when the template has none (a diacritic would make the reply UCS-2).
 */
static void category_for_reply(enum tpl t, const char *category, char *out, size_t outsz)
{
	const char *vi = report_category_vi(category);
	const char *name = vi != NULL ? vi : category != NULL ? category : "chưa rõ";
	const char *tpl = hcfg->replies.templates[t];
	int ascii = 1;

	for (size_t i = 0; tpl[i] != '\0'; i++)
		ascii &= (unsigned char)tpl[i] < 0x80;
	if (ascii)
		text_transliterate(name, strlen(name), out, outsz);
	else
		snprintf(out, outsz, "%s", name);
}

/*
 * A tip: its village is the "thon X" its text names (the parser's village span), else the
 * village its sender registered with, else not known.
 */
static int do_tip(struct msg *m, const struct parse_result *p, int structured)
{
	enum tpl t = structured ? TPL_TIP_ACK : TPL_TIP_ACK_UNSTRUCTURED;
	char ref[16] = "", category[64], secret[8] = "", shown[24];
	char *text = structured ? span(m, p->text) : strdup(m->text);
	char *village = p->village.len > 0 ? span(m, p->village) : NULL;
	const char *sender = m->phone[0] != '\0' ? m->phone : m->sender;
	const char *where = village;
	int rc = -1;

	if (text == NULL || (p->village.len > 0 && village == NULL)) {
		store_error_nomem("tip");
		goto out;
	}
	if (where == NULL && m->who.found && m->who.village[0] != '\0')
		where = m->who.village;
	if (p->anonymous) {
		/* The number stays in memory (m) for the reply, and in no row (issue 13). */
		if (store_tip_insert_anonymous(m->id, parse_category_name(hcfg->rules, p->category),
		                               text, structured, where, m->sent_at, m->received_at,
		                               ref, secret) < 0)
			goto out;
		m->anon = 1;
	} else if (store_tip_insert(m->id, sender, 0, parse_category_name(hcfg->rules, p->category),
	                            text, structured, where, m->sent_at, m->received_at, ref) < 0) {
		goto out;
	}
	log_info("tip %s from %s%s", ref, p->anonymous ? "an anonymous sender" : sender,
	         structured ? "" : " (unstructured)");
	category_for_reply(t, parse_category_name(hcfg->rules, p->category), category,
	                   sizeof category);
	/* An anonymous tip's reference carries its secret: "T12-4821", quoted in BS. */
	snprintf(shown, sizeof shown, "%s%s%s", ref, secret[0] ? "-" : "", secret);
	{
		const char *kv[] = {"ref", shown, "category", category, NULL};

		rc = reply(m, t, kv);
	}
out:
	free(text);
	free(village);
	return rc;
}

/*
 * "BS T12-4821 text": the secret an anonymous tip's acknowledgement carried, right after the
 * reference. Its four digits to secret[8] and the text after it to *text: 1, else 0.
 */
static int supplement_secret(const struct msg *m, const struct parse_result *p, char secret[8],
                             struct parse_span *text)
{
	size_t i = p->ref.off + p->ref.len, len = strlen(m->text), k;

	if (i >= len || m->text[i] != '-')
		return 0;
	for (k = 0;
	     k < 4 && i + 1 + k < len && m->text[i + 1 + k] >= '0' && m->text[i + 1 + k] <= '9';
	     k++)
		secret[k] = m->text[i + 1 + k];
	secret[k] = '\0';
	i += 1 + k;
	if (k != 4 || (i < len && m->text[i] != ' ' && m->text[i] != ':'))
		return 0;
	while (i < len && (m->text[i] == ' ' || m->text[i] == ':'))
		i++;
	text->off = i;
	text->len = len - i;
	return text->len > 0;
}

/*
 * A supplement: to the sender's own tip, or with its secret to an anonymous tip, whose
 * supplements are anonymous too. Anything else gets the same neutral "not found".
 */
static int do_supplement(struct msg *m, const struct parse_result *p)
{
	const char *sender = m->phone[0] != '\0' ? m->phone : m->sender;
	const char *kv[] = {"ref", p->ref_buf, NULL};
	struct parse_span tsp = p->text;
	int64_t tip_id = 0;
	char secret[8] = "";
	char *text;
	int r;

	if (supplement_secret(m, p, secret, &tsp))
		r = store_tip_find_secret(p->ref_buf, secret, &tip_id);
	else
		r = store_tip_find(p->ref_buf, sender, &tip_id);
	if (r < 0)
		return -1;
	if (r == 0) {
		struct store_tip t;

		/*
		 * A BS that names an anonymous tip without its secret (or with a wrong one) is
		 * most likely its tipster's, who lost the code: its number goes too.
		 */
		if (store_tip_get(p->ref_buf, &t) < 0)
			return -1;
		if (t.found && t.anonymous) {
			if (store_anonymize_message(m->id) < 0)
				return -1;
			m->anon = 1;
		}
		return reply(m, TPL_SUPPLEMENT_UNKNOWN, kv);
	}
	if (secret[0] != '\0' && tsp.off != p->text.off) {
		if (store_anonymize_message(m->id) < 0)
			return -1;
		m->anon = 1;
	}
	text = span(m, tsp);
	if (text == NULL)
		return -1;
	r = store_tip_supplement(tip_id, m->id, text, m->sent_at, m->received_at);
	free(text);
	if (r < 0)
		return -1;
	return reply(m, TPL_SUPPLEMENT_ACK, kv);
}

static int do_patrol(const struct msg *m, const struct parse_result *p)
{
	const char *team = p->team_buf[0] != '\0' ? p->team_buf : m->who.team;
	char hhmm[8], num[24];
	char *notes;
	int r;

	if (!is_leader(m))
		return reply(m, TPL_NOT_ALLOWED, NULL);
	if (team[0] == '\0')
		return reply(m, TPL_PATROL_NO_TEAM, NULL);
	local_hhmm(m->sent_at, hhmm);
	notes = p->text.len > 0 ? span(m, p->text) : NULL;
	if (p->text.len > 0 && notes == NULL)
		return -1;
	if (p->kind == PARSE_PATROL_START) {
		const char *kv[] = {"team", team, "time", hhmm, "members", num, NULL};

		if (p->members >= 0)
			snprintf(num, sizeof num, "%ld", p->members);
		else
			snprintf(num, sizeof num, "?");
		r = store_patrol_start(team, m->phone, p->members, notes, m->id, m->sent_at,
		                       m->received_at);
		free(notes);
		if (r < 0)
			return -1;
		log_info("patrol of %s started by %s", team, m->phone);
		return reply(m, TPL_PATROL_START_ACK, kv);
	} else {
		const char *kv[] = {"team", team, "time", hhmm, "minutes", num, NULL};
		long minutes = 0;

		r = store_patrol_end(team, notes, m->id, m->sent_at, m->received_at, &minutes);
		free(notes);
		if (r < 0)
			return -1;
		if (r == 0)
			return reply(m, TPL_PATROL_NONE_OPEN, kv);
		snprintf(num, sizeof num, "%ld", minutes);
		log_info("patrol of %s ended by %s after %ld min", team, m->phone, minutes);
		return reply(m, TPL_PATROL_END_ACK, kv);
	}
}

static int do_record(const struct msg *m, const struct parse_result *p)
{
	const char *team = m->who.team[0] != '\0' ? m->who.team : NULL;
	char *notes;
	int r;

	if (!is_leader(m))
		return reply(m, TPL_NOT_ALLOWED, NULL);
	notes = span(m, p->text);
	if (notes == NULL)
		return -1;
	if (p->kind == PARSE_AWARENESS) {
		char num[24], ses[24];
		const char *kv[] = {"participants", num, "sessions", ses, NULL};

		snprintf(num, sizeof num, "%ld", p->participants);
		snprintf(ses, sizeof ses, "%ld", p->sessions);
		r = store_awareness_insert(m->id, m->phone, team, p->sessions, p->participants,
		                           notes[0] ? notes : NULL, m->sent_at, m->received_at);
		free(notes);
		return r < 0 ? -1 : reply(m, TPL_AWARENESS_ACK, kv);
	} else {
		char ref[16] = "";
		const char *kv[] = {"ref", ref, NULL};

		r = store_mediation_insert(m->id, m->phone, team, notes, m->sent_at, m->received_at,
		                           ref);
		free(notes);
		return r < 0 ? -1 : reply(m, TPL_MEDIATION_ACK, kv);
	}
}

static int do_register(const struct msg *m, const struct parse_result *p)
{
	char *name = span(m, p->name);
	char *village = p->village.len > 0 ? span(m, p->village) : NULL;
	const char *kv[] = {"name", name, "village", village ? village : "", NULL};
	int r = -1;

	if (name == NULL || (p->village.len > 0 && village == NULL))
		goto out;
	if (store_contact_upsert(m->phone, name, village, ROLE_KEEP, NULL, 1) < 0)
		goto out;
	log_info("registered %s", m->phone); /* not the name: no message text in logs */
	r = reply(m, TPL_REGISTER_ACK, kv);
out:
	free(name);
	free(village);
	return r;
}

static int do_optout(const struct msg *m)
{
	/* Confirm once: a second HUY from someone already out gets no further SMS. */
	int was_in = !m->who.found || m->who.subscribed;

	if (store_contact_upsert(m->phone, NULL, NULL, ROLE_KEEP, NULL, 0) < 0)
		return -1;
	log_info("%s opted out", m->phone);
	return was_in ? reply(m, TPL_OPTOUT_ACK, NULL) : 0;
}

/*
 * The PIN of an officer's command (TB, BC). Anything wrong (not an officer, no PIN set, a
 * wrong PIN, a locked number) gets the same neutral refusal, so the reply tells a stranger
 * nothing. Wrong PINs are counted; at broadcast.pin_attempts the number is locked out, for
 * every PIN command alike. 1 the PIN is good, 0 refused (the refusal queued), -1 error.
 */
static int check_pin(const struct msg *m, const struct parse_result *p, const char *what)
{
	struct store_pin st;
	char now[20], until[20], pin[16];
	int ok;

	ts_now(now);
	if (store_pin_get(m->phone, &st) < 0)
		return -1;
	if (st.found && st.locked_until[0] != '\0' && strcmp(st.locked_until, now) > 0) {
		log_warnx("%s from %s refused: locked until %s", what, m->phone, st.locked_until);
		return reply(m, TPL_BROADCAST_REFUSED, NULL) < 0 ? -1 : 0;
	}
	snprintf(pin, sizeof pin, "%.*s", (int)p->pin.len, m->text + p->pin.off);
	ok = is_officer(m) && pin_verify(pin, st.hash);
	if (st.found) {
		ts_utc((int64_t)time(NULL) + hcfg->broadcast.pin_lockout, until);
		if (store_pin_attempt(m->phone, ok, hcfg->broadcast.pin_attempts, until) < 0)
			return -1;
	}
	if (!ok) {
		log_warnx("%s from %s refused: %s", what, m->phone,
		          is_officer(m) ? "wrong PIN" : "not an officer");
		return reply(m, TPL_BROADCAST_REFUSED, NULL) < 0 ? -1 : 0;
	}
	return 1;
}

/* TB PIN GROUP text from an officer (check_pin). */
static int do_broadcast(const struct msg *m, const struct parse_result *p)
{
	char count[16], ref[16], cost[24], balance[24];
	char *text = NULL;
	struct broadcast_queued q;
	int r;

	r = check_pin(m, p, "broadcast");
	if (r <= 0)
		return r;
	r = -1;
	text = span(m, p->text);
	if (text == NULL)
		return -1;
	if (broadcast_queue(hcfg, p->group_buf, text, NULL, NULL, m->phone, m->id, &q) < 0)
		goto out;
	snprintf(count, sizeof count, "%d", q.recipients);
	snprintf(ref, sizeof ref, "B%lld", (long long)q.id);
	snprintf(cost, sizeof cost, "%lld", q.cost);
	snprintf(balance, sizeof balance, "%ld", q.balance);
	log_info("broadcast %s to %s %s by %s: %d recipients", ref, p->group_buf,
	         q.held ? "held" : "queued", m->phone, q.recipients);
	{
		const char *kv[] = {"ref",  ref,  "count",   count,   "group", p->group_buf,
		                    "cost", cost, "balance", balance, NULL};

		/* The reply itself is never held: it is not a broadcast. */
		r = reply(m, q.held ? TPL_BROADCAST_HELD : TPL_BROADCAST_ACK, kv);
	}
out:
	free(text);
	return r;
}

/*
 * BC PIN [TUAN|THANG] from an officer (check_pin): the week or the month to the date the
 * message was sent (its SMSC time, like every event), in one GSM-7 SMS (report_sms).
 */
static int do_stats(const struct msg *m, const struct parse_result *p)
{
	struct report_period period;
	struct report rep;
	char text[161];
	int64_t t;
	int r;

	r = check_pin(m, p, "report");
	if (r <= 0)
		return r;
	if (ts_parse_utc(m->sent_at, &t) < 0)
		t = (int64_t)time(NULL);
	if (p->period == PARSE_PERIOD_WEEK)
		report_period_week(t, &period);
	else
		report_period_month_to_date(t, &period);
	report_init(&rep);
	r = store_report_fill(&rep, &period);
	if (r == 0 && report_sms(&rep, text, sizeof text) < 0) {
		store_error_nomem("report sms");
		r = -1;
	}
	report_close(&rep);
	if (r < 0)
		return -1;
	log_info("report %s..%s sent to %s", period.from, period.to, m->phone);
	return reply_text(m, text);
}

int handle_is_anonymous(const char *text)
{
	struct parse_result p;

	parse_message(hcfg->rules, text, strlen(text), &p);
	/* Every supplement: whether its tip is anonymous is known only to the store. */
	return (p.kind == PARSE_TIP && p.anonymous) || p.kind == PARSE_SUPPLEMENT ||
	       (p.kind == PARSE_INVALID && p.keyword == PARSE_SUPPLEMENT);
}

int handle_redact(const char *text, char *out, size_t outsz)
{
	struct parse_result p;
	size_t len = strlen(text), from = 0, to = 0;

	parse_message(hcfg->rules, text, len, &p);
	if (p.kind == PARSE_BROADCAST || p.kind == PARSE_REPORT) {
		from = p.pin.off;
		to = p.pin.off + p.pin.len;
	} else if (p.kind == PARSE_INVALID &&
	           (p.keyword == PARSE_BROADCAST || p.keyword == PARSE_REPORT)) {
		/* An incomplete TB or BC may still hold a PIN: hide the first run of digits. */
		while (from < len && (text[from] < '0' || text[from] > '9'))
			from++;
		to = from;
		while (to < len && text[to] >= '0' && text[to] <= '9')
			to++;
	}
	if (to == from || len + 1 > outsz)
		return 0;
	memcpy(out, text, len + 1);
	memset(out + from, '*', to - from);
	return 1;
}

static int dispatch(struct msg *m, const struct parse_result *p)
{
	switch (p->kind) {
	case PARSE_TIP:
		return do_tip(m, p, 1);
	case PARSE_UNKNOWN:
		return do_tip(m, p, 0);
	case PARSE_SUPPLEMENT:
		return do_supplement(m, p);
	case PARSE_PATROL_START:
	case PARSE_PATROL_END:
		return do_patrol(m, p);
	case PARSE_AWARENESS:
	case PARSE_MEDIATION:
		return do_record(m, p);
	case PARSE_REGISTER:
		return do_register(m, p);
	case PARSE_OPTOUT:
		return do_optout(m);
	case PARSE_HELP:
		return reply(m, TPL_HELP, NULL);
	case PARSE_INVALID:
		return reply(m, usage_of(p->keyword), NULL);
	case PARSE_BROADCAST:
		return do_broadcast(m, p);
	case PARSE_REPORT:
		return do_stats(m, p);
	default:
		return 0;
	}
}

int handle_message(int64_t id, const char *raw)
{
	struct msg m = {0};
	struct parse_result p;
	int r = -1;

	m.id = id;
	/*
	 * An allocation failure here is recorded as the store's last error (SQLITE_NOMEM), a
	 * transient one: the receive path then leaves the batch on the modem for the next poll
	 * instead of storing the message unhandled (no tip, no reply). See docs/design.md.
	 */
	if (store_inbox_get(id, copy_row, &m) < 0)
		goto out;
	if (m.text == NULL) {
		store_error_nomem("message text");
		goto out;
	}
	if (raw != NULL) {
		/* The stored copy is redacted; the handler needs the text as sent. */
		free(m.text);
		if ((m.text = strdup(raw)) == NULL) {
			store_error_nomem("message text");
			goto out;
		}
	} else {
		char *red = malloc(strlen(m.text) + 1);

		/* A multipart TB is assembled from stored parts: redact the copies now. */
		if (red == NULL) {
			store_error_nomem("redaction");
			goto out;
		}
		if (handle_redact(m.text, red, strlen(m.text) + 1) &&
		    store_inbox_redact(id, red) < 0) {
			free(red);
			goto out;
		}
		free(red);
	}
	/* Operator notices and promotions (alphanumeric senders, short codes): store only. */
	if (!text_sender_is_phone(m.sender) ||
	    text_phone_e164(m.sender, hcfg->country_code, m.phone, sizeof m.phone) < 0) {
		log_info("message %lld from %s is not from a phone number: stored, not handled",
		         (long long)id, m.sender);
		r = 0;
		goto out;
	}
	if (store_contact_get(m.phone, &m.who) < 0)
		goto out;
	parse_message(hcfg->rules, m.text, strlen(m.text), &p);
	if (store_inbox_set_kind(id, parse_kind_name(p.kind)) < 0)
		goto out;
	r = dispatch(&m, &p);
out:
	free(m.text);
	return r;
}

int handle_keep_unhandled(int64_t id, const char *raw)
{
	struct msg m = {0};
	char *red = NULL;
	int r = -1;

	if (store_inbox_get(id, copy_row, &m) < 0)
		goto out;
	if (m.text == NULL || (red = malloc(strlen(m.text) + 1)) == NULL) {
		store_error_nomem("unhandled message");
		goto out;
	}
	if (raw == NULL && handle_redact(m.text, red, strlen(m.text) + 1) &&
	    store_inbox_redact(id, red) < 0)
		goto out;
	if (handle_is_anonymous(raw ? raw : m.text) && store_anonymize_message(id) < 0)
		goto out;
	r = 0;
out:
	free(red);
	free(m.text);
	return r;
}

int handle_delivery_report(const char *number, int msgref, int delivery, int status,
                           const char *when)
{
	char phone[24];
	int r;

	if (text_phone_e164(number, hcfg->country_code, phone, sizeof phone) < 0)
		snprintf(phone, sizeof phone, "%.23s", number);
	if (delivery < 0) {
		/* Not an outcome: the network reports it keeps trying; a final report follows. */
		log_info("delivery report for reference %d: not delivered yet, the network is "
		         "still trying (status 0x%02x)",
		         msgref, status);
		return 0;
	}
	r = store_outbox_delivery(phone, msgref, delivery, when);
	if (r < 0)
		return -1;
	/*
	 * The number is not named (only at debug): the report of an anonymous tip's
	 * acknowledgement would tie it, even masked, to the tip's time.
	 */
	log_debug("delivery report from %s for reference %d", phone, msgref);
	log_info("delivery report for reference %d: %s (status 0x%02x)%s", msgref,
	         delivery ? "delivered" : "failed", status, r == 0 ? " (no matching message)" : "");
	return 0;
}
