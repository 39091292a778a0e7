/* Tips: filing one, a supplement, a change of status, an answer to its tipster (act.h). */
#include <stdio.h>
#include <string.h>

#include "act_int.h"
#include "alerts.h"
#include "broadcast.h"
#include "config.h"
#include "store.h"
#include "ts.h"

enum act_status act_tip_file(struct act_who *w, const struct act_tip_in *in,
                             struct act_tip_out *out)
{
	/* Its village: the one its text names, else the one its sender registered with. */
	const char *where = in->village;

	memset(out, 0, sizeof *out);
	if (where == NULL && w->contact.found && w->contact.village[0] != '\0')
		where = w->contact.village;
	out->inbox_id = in->inbox_id;
	/* The menu's tip has no message yet: its row says "anonymous" when the tip is. */
	if (out->inbox_id == 0 &&
	    store_ussd_inbox_insert(in->anonymous ? STORE_ANONYMOUS : w->phone, in->text, in->at,
	                            &out->inbox_id) < 0)
		return ACT_ERROR;
	if (in->anonymous) {
		/* The number stays in memory (W) for the reply, and in no row (issue 13). */
		if (store_tip_insert_anonymous(out->inbox_id, in->category, in->text,
		                               in->structured, where, in->at, in->read_at, out->ref,
		                               out->secret) < 0)
			return ACT_ERROR;
		w->anon = 1;
	} else if (store_tip_insert(out->inbox_id, w->phone, 0, in->category, in->text,
	                            in->structured, where, in->at, in->read_at, out->ref) < 0) {
		return ACT_ERROR;
	}
	if (in->inbox_id == 0 && store_ussd_tip_channel(out->ref, &out->tip_id) < 0)
		return ACT_ERROR;
	{
		struct store_tip t;
		char now[TS_LEN];

		/* The officers who asked are told in this transaction: once, whatever the door. */
		ts_now(now);
		if (store_tip_get(out->ref, &t) < 0 || !t.found)
			return ACT_ERROR;
		out->tip_id = t.id;
		if (alerts_tip_new(act_cfg, t.id, now) < 0)
			return ACT_ERROR;
	}
	/* An anonymous tip's reference carries its secret: "T12-4821", quoted in BS. */
	snprintf(out->shown, sizeof out->shown, "%s%s%s", out->ref, out->secret[0] ? "-" : "",
	         out->secret);
	return ACT_OK;
}

enum act_status act_tip_supplement(struct act_who *w, const struct act_supplement_in *in,
                                   struct act_supplement_out *out)
{
	int64_t tip_id = 0;
	char now[TS_LEN];
	int r;

	memset(out, 0, sizeof *out);
	if (in->secret != NULL)
		r = store_tip_find_secret(in->ref, in->secret, &tip_id);
	else
		r = store_tip_find(in->ref, w->phone, &tip_id);
	if (r < 0)
		return ACT_ERROR;
	if (r == 0) {
		struct store_tip t;

		/*
		 * A BS that names an anonymous tip without its secret (or with a wrong one) is
		 * most likely its tipster's, who lost the code: its number goes too.
		 */
		if (store_tip_get(in->ref, &t) < 0)
			return ACT_ERROR;
		if (t.found && t.anonymous) {
			if (store_anonymize_message(in->inbox_id) < 0)
				return ACT_ERROR;
			w->anon = 1;
		}
		return ACT_NOT_FOUND;
	}
	if (in->quoted_secret) {
		if (store_anonymize_message(in->inbox_id) < 0)
			return ACT_ERROR;
		w->anon = 1;
	}
	if (store_tip_supplement(tip_id, in->inbox_id, in->text, in->at, in->read_at) < 0)
		return ACT_ERROR;
	/* An answer that waits (the tipster could not be reached) is given to whoever holds it. */
	ts_now(now);
	if (store_tip_answer_take(tip_id, 1, now, out->answer, sizeof out->answer) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_tip_scrub(int64_t inbox_id)
{
	return store_anonymize_message(inbox_id) < 0 ? ACT_ERROR : ACT_OK;
}

/* A TT's sender loses the number (see act_tip_status): the inbox row, and W for the reply cap. */
static enum act_status status_scrub(struct act_who *w, int64_t inbox_id)
{
	if (inbox_id != 0 && store_anonymize_message(inbox_id) < 0)
		return ACT_ERROR;
	w->anon = 1;
	return ACT_OK;
}

enum act_status act_tip_status(struct act_who *w, int64_t inbox_id, const char *ref,
                               const char *secret, struct act_status_out *out)
{
	struct store_tip t;
	int64_t tip_id = 0;
	int r;

	memset(out, 0, sizeof *out);
	if (secret != NULL && status_scrub(w, inbox_id) != ACT_OK)
		return ACT_ERROR;
	if (store_tip_get(ref, &t) < 0)
		return ACT_ERROR;
	if (!t.found)
		return ACT_NOT_FOUND;
	if (secret != NULL)
		r = store_tip_find_secret(ref, secret, &tip_id);
	else
		r = w->phone != NULL ? store_tip_find(ref, w->phone, &tip_id) : 0;
	if (r < 0)
		return ACT_ERROR;
	if (r == 0) {
		/* Without its secret, an anonymous tip's TT is most likely its tipster's too. */
		if (secret == NULL && t.anonymous && status_scrub(w, inbox_id) != ACT_OK)
			return ACT_ERROR;
		return ACT_NOT_FOUND;
	}
	/* Valuable, false or closed: all "closed" to the tipster, whom a word could endanger. */
	if (strcmp(t.status, "new") == 0)
		out->phase = ACT_TIP_RECEIVED;
	else if (strcmp(t.status, "checking") == 0)
		out->phase = ACT_TIP_CHECKING;
	else
		out->phase = ACT_TIP_CLOSED;
	{
		char now[TS_LEN];

		ts_now(now);
		if (store_tip_answer_take(tip_id, 0, now, out->answer, sizeof out->answer) < 0)
			return ACT_ERROR;
	}
	return ACT_OK;
}

void act_tip_ref_shown(const char *ref, char out[16])
{
	snprintf(out, 16, "%s", ref);
	for (char *c = out; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
}

enum act_status act_tip_mark(struct act_who *w, const char *ref, const char *to, const char *note,
                             int notify, struct act_mark_out *out)
{
	struct store_tip t;
	char now[TS_LEN], text[640], upref[16];
	const char *kv[] = {"ref", upref, NULL};
	struct store_outbox_new o = {0};

	memset(out, 0, sizeof *out);
	if (store_tip_get(ref, &t) < 0)
		return ACT_ERROR;
	if (!t.found)
		return ACT_NOT_FOUND;
	snprintf(out->from, sizeof out->from, "%s", t.status);
	out->anonymous = t.anonymous;
	if (strcmp(t.status, to) == 0)
		return ACT_UNCHANGED;
	if (notify && (t.anonymous || t.sender[0] != '+'))
		return ACT_NO_NUMBER;
	ts_now(now);
	/* The "from" recorded is the status read in this transaction. */
	if (store_tip_set_status(t.id, t.status, to, w->by, note, now) < 0)
		return ACT_ERROR;
	if (!notify)
		return ACT_OK;
	act_tip_ref_shown(ref, upref);
	config_render(act_cfg->replies.templates[TPL_TIP_THANKS], kv, text, sizeof text);
	o.recipient = t.sender;
	o.text = text;
	o.priority = 0;
	o.kind = "manual";
	if (store_outbox_insert(&o, NULL) < 0)
		return ACT_ERROR;
	out->notified = 1;
	return ACT_OK;
}

enum act_status act_tip_answer(struct act_who *w, const char *ref, const char *text, int dry_run,
                               struct act_answer_out *out)
{
	struct store_tip t;
	struct store_tip_brief b;
	struct broadcast_plan plan = {0};
	struct store_outbox_new o = {0};
	char now[TS_LEN], sms[800];
	const char *kv[] = {"ref", NULL, "answer", text, NULL};
	enum act_status st = ACT_ERROR;

	memset(out, 0, sizeof *out);
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	if (text[0] == '\0' || strlen(text) > ACT_ANSWER_MAX)
		return ACT_REFUSED;
	if (store_tip_get(ref, &t) < 0)
		return ACT_ERROR;
	if (!t.found)
		return ACT_NOT_FOUND;
	if (store_tip_brief(t.id, &b) < 0)
		return ACT_ERROR;
	out->anonymous = t.anonymous;
	ts_now(now);
	/* No number to send it to: it waits on the tip, given with TT or BS (the secret). */
	if (t.anonymous || t.sender[0] != '+') {
		out->waits = 1;
		snprintf(out->text, sizeof out->text, "%s", text);
		if (!dry_run && store_tip_answer_add(t.id, w->by, text, now, NULL) < 0)
			return ACT_ERROR;
		return ACT_OK;
	}
	kv[1] = b.ref;
	config_render(act_cfg->replies.templates[TPL_TIP_ANSWER], kv, sms, sizeof sms);
	if (broadcast_plan(act_cfg, sms, &plan) < 0)
		return ACT_ERROR;
	snprintf(out->text, sizeof out->text, "%s", plan.sent_text);
	out->parts = plan.as_sent.parts;
	out->ucs2 = plan.as_sent.ucs2;
	out->folded = plan.folded;
	if (dry_run) {
		st = ACT_OK;
		goto out;
	}
	/*
	 * An answer to the tip's own message, but an officer's message (kind manual, as the
	 * thank-you): the tipster's hourly reply cap neither holds it nor is spent by it.
	 */
	o.recipient = t.sender;
	o.text = plan.sent_text;
	o.priority = 0;
	o.kind = "manual";
	o.inbox_id = b.inbox_id;
	if (store_outbox_insert(&o, NULL) < 0 ||
	    store_tip_answer_add(t.id, w->by, text, now, now) < 0)
		goto out;
	out->queued = 1;
	st = ACT_OK;
out:
	broadcast_plan_free(&plan);
	return st;
}

enum act_status act_tip_set(struct act_who *w, const char *ref, const char *category,
                            const char *village)
{
	struct store_tip t;
	char now[TS_LEN], detail[400], upref[16];

	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	/* The audit's subject is the reference as the pages show it ("T12"), whatever was typed. */
	act_tip_ref_shown(ref, upref);
	if (store_tip_get(ref, &t) < 0)
		return ACT_ERROR;
	if (!t.found)
		return ACT_NOT_FOUND;
	ts_now(now);
	/* tip_events records statuses only: the audit says who moved it, and to what. */
	snprintf(detail, sizeof detail, "loại: %s; thôn: %s", category, village[0] ? village : "-");
	if (store_console_tip_set(t.id, category, village) < 0 ||
	    store_console_audit(now, w->by ? w->by : "cli", "tip_set", upref, detail) < 0)
		return ACT_ERROR;
	return ACT_OK;
}
