/*
 * The actions' common part (act.h): the module's configuration, who acts, and the reply cap
 * that every door's SMS answer passes.
 */
#include "act.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "anon.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "ts.h"

/* The configuration, for the act_*.c files (act_int.h); set between act_init and act_close. */
const struct config *act_cfg;

int act_init(const struct config *cfg)
{
	act_cfg = cfg;
	return anon_init();
}

void act_close(void)
{
	act_cfg = NULL;
	anon_close();
}

int act_who_phone(struct act_who *w, const char *phone)
{
	memset(w, 0, sizeof *w);
	w->phone = phone;
	return store_contact_get(phone, &w->contact);
}

void act_who_officer(struct act_who *w, const char *by)
{
	memset(w, 0, sizeof *w);
	w->by = by;
}

int act_audit(const struct act_who *w, const char *action, const char *subject, const char *detail)
{
	char now[TS_LEN];

	ts_now(now);
	return store_console_audit(now, w->by ? w->by : "cli", action, subject, detail);
}

int act_reply(struct act_who *w, int64_t inbox_id, const char *text)
{
	char since[TS_LEN];
	struct store_outbox_new o = {0};
	int64_t now = (int64_t)time(NULL);
	int n, a;

	/* Never to operator or short-code senders (they would start reply loops). */
	if (!act_cfg->replies.enabled || w->phone == NULL || w->phone[0] == '\0')
		return 0;
	ts_utc(now - 3600, since);
	/* The store counts the replies it can still name; anon.c those whose number is gone. */
	n = store_replies_since(w->phone, since);
	if (n < 0)
		return -1;
	a = anon_count(w->phone, now - 3600);
	if (n + a >= act_cfg->replies.max_per_hour) {
		log_warnx("not replying to %s: %d replies in the last hour (replies.max_per_hour)",
		          w->anon ? "an anonymous sender" : w->phone, n + a);
		return 0;
	}
	/* Noted when queued: a rollback of this message over-counts one reply, never under. */
	if (w->anon)
		anon_note(w->phone, now);
	o.anonymous = w->anon;
	o.recipient = w->phone;
	o.text = text;
	o.priority = 0;
	o.kind = "reply";
	o.inbox_id = inbox_id;
	return store_outbox_insert(&o, NULL) < 0 ? -1 : 1;
}
