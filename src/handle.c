#include "handle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act.h"
#include "config.h"
#include "log.h"
#include "parse.h"
#include "report.h"
#include "store.h"
#include "text.h"
#include "ts.h"

static const struct config *hcfg;

int handle_init(const struct config *cfg)
{
	hcfg = cfg;
	return 0;
}

void handle_close(void)
{
	hcfg = NULL;
}

/* The message being handled: handle_message's input, and who sent it. */
struct msg {
	int64_t id;
	const char *sender;
	const char *received_at; /* when the daemon read it */
	const char *sent_at;     /* when its sender sent it (the SMSC time): an event's time */
	const char *text;        /* as sent (a PIN not redacted) */
	char phone[24];          /* E.164 */
	struct act_who who;      /* the phone, its contact; who.anon once it is to be forgotten */
};

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

/* The reply TEXT, under the reply cap (act_reply). 0, or -1 on a store error. */
static int reply_text(struct msg *m, const char *text)
{
	return act_reply(&m->who, m->id, text) < 0 ? -1 : 0;
}

/* A reply from template T with the placeholders KV (see reply_text). */
static int reply(struct msg *m, enum tpl t, const char *const *kv)
{
	char text[640];

	config_render(hcfg->replies.templates[t], kv, text, sizeof text);
	return reply_text(m, text);
}

/*
 * The reply of template T (with KV, whose "ref" names the tip) and then the officers' ANSWER
 * ("": none) in template status_answer, its diacritics folded as an answer by SMS is
 * (broadcast.fold_diacritics): one SMS when both fit one part, else the answer as a second.
 */
static int reply_answer(struct msg *m, enum tpl t, const char *const *kv, const char *answer)
{
	char first[640], second[800], both[1500], folded[ACT_ANSWER_MAX * 2 + 1];
	const char *akv[] = {"ref", kv[1], "answer", folded, NULL};
	struct text_sms_count c;

	config_render(hcfg->replies.templates[t], kv, first, sizeof first);
	if (answer[0] == '\0')
		return reply_text(m, first);
	if (hcfg->broadcast.fold_diacritics)
		text_transliterate(answer, strlen(answer), folded, sizeof folded);
	else
		snprintf(folded, sizeof folded, "%s", answer);
	config_render(hcfg->replies.templates[TPL_STATUS_ANSWER], akv, second, sizeof second);
	snprintf(both, sizeof both, "%s %s", first, second);
	text_sms_count(both, strlen(both), &c);
	if (c.parts == 1)
		return reply_text(m, both);
	return reply_text(m, first) < 0 ? -1 : reply_text(m, second);
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
	case PARSE_STATUS: /* no usage of its own yet (issue 26's look-up) */
		return TPL_HELP;
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

/* A tip (act_tip_file): its village is the "thon X" its text names, else the sender's. */
static int do_tip(struct msg *m, const struct parse_result *p, int structured)
{
	enum tpl t = structured ? TPL_TIP_ACK : TPL_TIP_ACK_UNSTRUCTURED;
	const char *catname = parse_category_name(hcfg->rules, p->category);
	struct act_tip_in in = {m->id,        catname, NULL,       structured,
	                        p->anonymous, NULL,    m->sent_at, m->received_at};
	struct act_tip_out out;
	char category[64];
	char *text = structured ? span(m, p->text) : strdup(m->text);
	char *village = p->village.len > 0 ? span(m, p->village) : NULL;
	int rc = -1;

	if (text == NULL || (p->village.len > 0 && village == NULL)) {
		store_error_nomem("tip");
		goto out;
	}
	in.text = text;
	in.village = village;
	if (act_tip_file(&m->who, &in, &out) != ACT_OK)
		goto out;
	log_info("tip %s from %s%s", out.ref, p->anonymous ? "an anonymous sender" : m->phone,
	         structured ? "" : " (unstructured)");
	category_for_reply(t, catname, category, sizeof category);
	{
		const char *kv[] = {"ref", out.shown, "category", category, NULL};

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

/* A supplement (act_tip_supplement). Anything not found gets the same neutral answer. */
static int do_supplement(struct msg *m, const struct parse_result *p)
{
	const char *kv[] = {"ref", p->ref_buf, NULL};
	struct act_supplement_in in = {m->id, p->ref_buf, NULL,          0,
	                               NULL,  m->sent_at, m->received_at};
	struct parse_span tsp = p->text;
	struct act_supplement_out out;
	char secret[8] = "";
	char *text;
	enum act_status st;

	if (supplement_secret(m, p, secret, &tsp))
		in.secret = secret;
	in.quoted_secret = secret[0] != '\0' && tsp.off != p->text.off;
	text = span(m, tsp);
	if (text == NULL)
		return -1;
	in.text = text;
	st = act_tip_supplement(&m->who, &in, &out);
	free(text);
	if (st == ACT_ERROR)
		return -1;
	if (st != ACT_OK)
		return reply(m, TPL_SUPPLEMENT_UNKNOWN, kv);
	return reply_answer(m, TPL_SUPPLEMENT_ACK, kv, out.answer);
}

static int do_patrol(struct msg *m, const struct parse_result *p)
{
	struct act_record_in in = {m->id, p->team_buf, p->members, 0,
	                           0,     NULL,        m->sent_at, m->received_at};
	struct act_record_out out;
	enum act_status st;
	char hhmm[8], num[24];
	char *notes = p->text.len > 0 ? span(m, p->text) : NULL;

	if (p->text.len > 0 && notes == NULL)
		return -1;
	in.notes = notes;
	if (p->kind == PARSE_PATROL_START)
		st = act_patrol_start(&m->who, &in, &out);
	else
		st = act_patrol_end(&m->who, &in, &out);
	free(notes);
	if (st == ACT_ERROR)
		return -1;
	if (st == ACT_NOT_ALLOWED)
		return reply(m, TPL_NOT_ALLOWED, NULL);
	if (st == ACT_NO_TEAM)
		return reply(m, TPL_PATROL_NO_TEAM, NULL);
	local_hhmm(m->sent_at, hhmm);
	if (p->kind == PARSE_PATROL_START) {
		const char *kv[] = {"team", out.team, "time", hhmm, "members", num, NULL};

		if (p->members >= 0)
			snprintf(num, sizeof num, "%ld", p->members);
		else
			snprintf(num, sizeof num, "?");
		log_info("patrol of %s started by %s", out.team, m->phone);
		return reply(m, TPL_PATROL_START_ACK, kv);
	} else {
		const char *kv[] = {"team", out.team, "time", hhmm, "minutes", num, NULL};

		if (st == ACT_NONE_OPEN)
			return reply(m, TPL_PATROL_NONE_OPEN, kv);
		snprintf(num, sizeof num, "%ld", out.minutes);
		log_info("patrol of %s ended by %s after %ld min", out.team, m->phone, out.minutes);
		return reply(m, TPL_PATROL_END_ACK, kv);
	}
}

static int do_record(struct msg *m, const struct parse_result *p)
{
	struct act_record_in in = {m->id,           NULL, -1,         p->sessions,
	                           p->participants, NULL, m->sent_at, m->received_at};
	struct act_record_out out;
	enum act_status st;
	char *notes = span(m, p->text);

	if (notes == NULL)
		return -1;
	in.notes = notes;
	if (p->kind == PARSE_AWARENESS)
		st = act_awareness(&m->who, &in);
	else
		st = act_mediation(&m->who, &in, &out);
	free(notes);
	if (st == ACT_ERROR)
		return -1;
	if (st == ACT_NOT_ALLOWED)
		return reply(m, TPL_NOT_ALLOWED, NULL);
	if (p->kind == PARSE_AWARENESS) {
		char num[24], ses[24];
		const char *kv[] = {"participants", num, "sessions", ses, NULL};

		snprintf(num, sizeof num, "%ld", p->participants);
		snprintf(ses, sizeof ses, "%ld", p->sessions);
		return reply(m, TPL_AWARENESS_ACK, kv);
	} else {
		const char *kv[] = {"ref", out.ref, NULL};

		return reply(m, TPL_MEDIATION_ACK, kv);
	}
}

static int do_register(struct msg *m, const struct parse_result *p)
{
	char *name = span(m, p->name);
	char *village = p->village.len > 0 ? span(m, p->village) : NULL;
	const char *kv[] = {"name", name, "village", village ? village : "", NULL};
	int r = -1;

	if (name == NULL || (p->village.len > 0 && village == NULL))
		goto out;
	if (act_register(&m->who, name, village) != ACT_OK)
		goto out;
	log_info("registered %s", m->phone); /* not the name: no message text in logs */
	r = reply(m, TPL_REGISTER_ACK, kv);
out:
	free(name);
	free(village);
	return r;
}

static int do_optout(struct msg *m)
{
	int was_in;

	if (act_optout(&m->who, &was_in) != ACT_OK)
		return -1;
	log_info("%s opted out", m->phone);
	/* Confirm once: a second HUY from someone already out gets no further SMS. */
	return was_in ? reply(m, TPL_OPTOUT_ACK, NULL) : 0;
}

/* The PIN a TB or BC message carries, to PIN[16]. */
static void pin_of(const struct msg *m, const struct parse_result *p, char pin[16])
{
	snprintf(pin, 16, "%.*s", (int)p->pin.len, m->text + p->pin.off);
}

/* TB PIN GROUP text from an officer (act_broadcast_queue checks the PIN). */
static int do_broadcast(struct msg *m, const struct parse_result *p)
{
	char count[16], ref[16], cost[24], balance[24], pin[16];
	char *text;
	struct act_broadcast_in in = {p->group_buf, NULL, NULL, NULL, pin, m->id, 0, 0, NULL};
	struct act_broadcast_out q;
	enum act_status st;

	pin_of(m, p, pin);
	text = span(m, p->text);
	if (text == NULL)
		return -1;
	in.text = text;
	st = act_broadcast_queue(&m->who, &in, &q, NULL);
	free(text);
	if (st == ACT_ERROR)
		return -1;
	if (st != ACT_OK)
		return reply(m, TPL_BROADCAST_REFUSED, NULL);
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
		return reply(m, q.held ? TPL_BROADCAST_HELD : TPL_BROADCAST_ACK, kv);
	}
}

/*
 * BC PIN [TUAN|THANG] from an officer (act_pin_check): the week or the month to the date the
 * message was sent (its SMSC time, like every event), in one GSM-7 SMS (report_sms).
 */
static int do_stats(struct msg *m, const struct parse_result *p)
{
	struct report_period period;
	struct report rep;
	char text[161], pin[16];
	enum act_status st;
	int64_t t;
	int r;

	pin_of(m, p, pin);
	st = act_pin_check(&m->who, pin, "report");
	if (st == ACT_ERROR)
		return -1;
	if (st != ACT_OK)
		return reply(m, TPL_BROADCAST_REFUSED, NULL);
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

/*
 * TT REF (act_tip_status): the sender's own tip's status, or with its secret ("TT T12-4821")
 * an anonymous tip's, and the officers' latest answer; anything not found gets the same
 * neutral answer as BS.
 */
static int do_status(struct msg *m, const struct parse_result *p)
{
	static const enum tpl phase_tpl[] = {[ACT_TIP_RECEIVED] = TPL_STATUS_RECEIVED,
	                                     [ACT_TIP_CHECKING] = TPL_STATUS_CHECKING,
	                                     [ACT_TIP_CLOSED] = TPL_STATUS_CLOSED};
	const char *kv[] = {"ref", p->ref_buf, NULL};
	struct act_status_out out;
	char secret[8] = "";
	enum act_status st;

	if (p->secret.len != 0)
		snprintf(secret, sizeof secret, "%.*s", (int)p->secret.len,
		         m->text + p->secret.off);
	st = act_tip_status(&m->who, m->id, p->ref_buf, secret[0] ? secret : NULL, &out);
	if (st == ACT_ERROR)
		return -1;
	if (st != ACT_OK)
		return reply(m, TPL_SUPPLEMENT_UNKNOWN, kv);
	/* The officers' latest answer with it: how an anonymous tipster hears from them. */
	return reply_answer(m, phase_tpl[out.phase], kv, out.answer);
}

/* 1 if P (of TEXT) is an anonymous tip, a supplement, which may be to an anonymous tip, or a
 * TT with an anonymous tip's secret. */
static int is_anonymous(const struct parse_result *p)
{
	/* Every supplement: whether its tip is anonymous is known only to the store. */
	return (p->kind == PARSE_TIP && p->anonymous) || p->kind == PARSE_SUPPLEMENT ||
	       (p->kind == PARSE_INVALID && p->keyword == PARSE_SUPPLEMENT) ||
	       (p->kind == PARSE_STATUS && p->secret.len != 0);
}

/* TEXT (parsed as P) with its PIN's digits as '*' into OUT: 1, or 0 when it holds none. */
static int redact(const char *text, const struct parse_result *p, char *out, size_t outsz)
{
	size_t len = strlen(text), from = 0, to = 0;

	if (p->kind == PARSE_BROADCAST || p->kind == PARSE_REPORT) {
		from = p->pin.off;
		to = p->pin.off + p->pin.len;
	} else if (p->kind == PARSE_INVALID &&
	           (p->keyword == PARSE_BROADCAST || p->keyword == PARSE_REPORT)) {
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

void handle_parse(const char *text, struct handle_parsed *hp, char *red, size_t redsz)
{
	parse_message(hcfg->rules, text, strlen(text), &hp->p);
	hp->anonymous = is_anonymous(&hp->p);
	hp->redacted = redact(text, &hp->p, red, redsz);
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
	case PARSE_STATUS:
		return do_status(m, p);
	default:
		return 0;
	}
}

int handle_message(const struct handle_msg *in)
{
	struct msg m = {0};

	m.id = in->id;
	m.sender = in->sender;
	m.sent_at = in->sent_at;
	m.received_at = in->received_at;
	m.text = in->text;
	/* Operator notices and promotions (alphanumeric senders, short codes): store only. */
	if (!text_sender_is_phone(m.sender) ||
	    text_phone_e164(m.sender, hcfg->country_code, m.phone, sizeof m.phone) < 0) {
		log_info("message %lld from %s is not from a phone number: stored, not handled",
		         (long long)m.id, m.sender);
		return 0;
	}
	if (act_who_phone(&m.who, m.phone) < 0)
		return -1;
	if (store_inbox_set_kind(m.id, parse_kind_name(in->parsed->p.kind)) < 0)
		return -1;
	return dispatch(&m, &in->parsed->p);
}

/* A message joined from stored parts, read back (its strings owned: freed by row_free). */
struct row {
	char *sender, *sent_at, *received_at, *text;
};

static void row_free(struct row *r)
{
	free(r->sender);
	free(r->sent_at);
	free(r->received_at);
	free(r->text);
}

static int copy_row(const struct store_inbox_row *r, void *arg)
{
	struct row *w = arg;

	w->sender = strdup(r->sender);
	w->sent_at = strdup(r->smsc_time ? r->smsc_time : r->received_at);
	w->received_at = strdup(r->received_at);
	w->text = strdup(r->text);
	return 1;
}

/*
 * Read stored message ID (joined from its parts) into *R, parse it once into *HP and redact
 * the stored copies if it holds a PIN. 0, or -1 (an allocation failure is recorded as the
 * store's last error, a transient one: the receive path then leaves the batch on the modem
 * for the next poll instead of storing the message unhandled; see docs/design.md).
 */
static int read_joined(int64_t id, struct row *r, struct handle_parsed *hp)
{
	char *red = NULL;
	int rc = -1;

	if (store_inbox_get(id, copy_row, r) < 0)
		goto out;
	if (r->sender == NULL || r->sent_at == NULL || r->received_at == NULL || r->text == NULL ||
	    (red = malloc(strlen(r->text) + 1)) == NULL) {
		store_error_nomem("message text");
		goto out;
	}
	handle_parse(r->text, hp, red, strlen(r->text) + 1);
	/* A multipart TB is assembled from stored parts: redact the copies now. */
	if (hp->redacted && store_inbox_redact(id, red) < 0)
		goto out;
	rc = 0;
out:
	free(red);
	return rc;
}

int handle_stored(int64_t id)
{
	struct row r = {0};
	struct handle_parsed hp;
	int rc = -1;

	if (read_joined(id, &r, &hp) == 0) {
		struct handle_msg in = {id, r.sender, r.sent_at, r.received_at, r.text, &hp};

		rc = handle_message(&in);
	}
	row_free(&r);
	return rc;
}

int handle_keep_unhandled(int64_t id, const struct handle_parsed *parsed)
{
	struct row r = {0};
	struct handle_parsed hp;
	int rc = -1;

	if (parsed == NULL) {
		if (read_joined(id, &r, &hp) < 0)
			goto out;
		parsed = &hp;
	}
	if (parsed->anonymous && act_tip_scrub(id) != ACT_OK)
		goto out;
	rc = 0;
out:
	row_free(&r);
	return rc;
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
