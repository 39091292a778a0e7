/* Broadcasts, and the PIN that an officer's command by phone carries (act.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "act_int.h"
#include "broadcast.h"
#include "config.h"
#include "log.h"
#include "pin.h"
#include "store.h"
#include "ts.h"

enum act_status act_pin_check(struct act_who *w, const char *pin, const char *what)
{
	struct store_pin st;
	char now[TS_LEN], until[TS_LEN];
	int ok;

	ts_now(now);
	if (store_pin_get(w->phone, &st) < 0)
		return ACT_ERROR;
	if (st.found && st.locked_until[0] != '\0' && strcmp(st.locked_until, now) > 0) {
		log_warnx("%s from %s refused: locked until %s", what, w->phone, st.locked_until);
		return ACT_REFUSED;
	}
	ok = act_is_officer(w) && pin_verify(pin, st.hash);
	if (st.found) {
		ts_utc((int64_t)time(NULL) + act_cfg->broadcast.pin_lockout, until);
		if (store_pin_attempt(w->phone, ok, act_cfg->broadcast.pin_attempts, until) < 0)
			return ACT_ERROR;
	}
	if (!ok) {
		log_warnx("%s from %s refused: %s", what, w->phone,
		          act_is_officer(w) ? "wrong PIN" : "not an officer");
		return ACT_REFUSED;
	}
	return ACT_OK;
}

/*
 * What a round of plan P to N recipients of GROUP costs and whether it is held (broadcast.h):
 * one function for the dry run and the send, so the cost shown is the cost spent. SP: the
 * split, filled for a dry run that shows it (NULL otherwise). 0 or -1.
 */
static int judge(const struct broadcast_plan *p, const char *group, int n,
                 struct broadcast_split *sp, struct act_broadcast_out *out)
{
	static struct broadcast_verdict v; /* not on the loop's stack */

	if (broadcast_judge(act_cfg, group, p->as_sent.parts, n, sp, &v) < 0)
		return -1;
	out->held = v.held;
	snprintf(out->reason, sizeof out->reason, "%s", v.reason);
	out->cost = v.cost;
	out->balance = v.balance;
	out->balance_known = v.balance_known;
	out->modems = v.modems;
	return 0;
}

/*
 * Queue a broadcast of TEXT to GROUP in the caller's transaction (store_broadcast_create), or
 * hold it (broadcast.h says when and why). OUT's figures filled. 0 or -1.
 */
static int queue(const struct act_broadcast_in *in, const char *created_by,
                 struct act_broadcast_out *out)
{
	struct broadcast_plan p;
	struct store_broadcast_new b;
	int r = -1, n;

	if (broadcast_plan(act_cfg, in->text, &p) < 0) {
		store_error_nomem("broadcast plan");
		return -1;
	}
	/* Counted in the caller's transaction: the same members the round is queued for. */
	if ((n = store_group_count(in->group)) < 0 || judge(&p, in->group, n, NULL, out) < 0)
		goto out;
	b.group = in->group;
	b.text = in->text;
	b.sent_text = p.sent_text;
	b.ucs2 = p.as_sent.ucs2;
	b.parts = p.as_sent.parts;
	b.created_by = created_by;
	b.scheduled_at = in->at;
	b.every = in->every;
	b.inbox_id = in->inbox_id;
	b.held_reason = out->held ? out->reason : NULL;
	r = store_broadcast_create(&b, &out->id, &out->recipients);
	if (r == 0 && out->held)
		log_info("broadcast B%lld to %s held: %s", (long long)out->id, in->group,
		         out->reason);
out:
	broadcast_plan_free(&p);
	return r;
}

/* A dry run's cost and verdict (judge) for the members counted, with PLAN or a plan made here. */
static enum act_status dry_run(const struct act_broadcast_in *in, const struct broadcast_plan *plan,
                               struct act_broadcast_out *out)
{
	struct broadcast_plan own = {0};
	enum act_status st = ACT_ERROR;

	if (plan == NULL) {
		if (broadcast_plan(act_cfg, in->text, &own) < 0) {
			store_error_nomem("broadcast plan");
			goto out;
		}
		plan = &own;
	}
	if (judge(plan, in->group, out->members, in->split, out) == 0)
		st = ACT_OK;
out:
	broadcast_plan_free(&own);
	return st;
}

enum act_status act_broadcast_queue(struct act_who *w, const struct act_broadcast_in *in,
                                    struct act_broadcast_out *out, struct broadcast_plan *plan)
{
	enum act_status st;
	int n;

	memset(out, 0, sizeof *out);
	if (plan != NULL)
		memset(plan, 0, sizeof *plan);
	if (in->pin != NULL && (st = act_pin_check(w, in->pin, "broadcast")) != ACT_OK)
		return st;
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	if (in->need_members || in->dry_run) {
		if ((n = store_group_count(in->group)) < 0)
			return ACT_ERROR;
		out->members = n;
	}
	if (plan != NULL && broadcast_plan(act_cfg, in->text, plan) < 0) {
		store_error_nomem("broadcast plan");
		return ACT_ERROR;
	}
	if (in->need_members && out->members == 0)
		return ACT_NOBODY;
	if (in->dry_run)
		return dry_run(in, plan, out);
	/* Who made it: the officer's phone, or the name at the CLI ("cli"). */
	if (queue(in, w->phone != NULL ? w->phone : w->by, out) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_broadcast_release(struct act_who *w, int64_t id, int *queued)
{
	int r;

	*queued = 0;
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	r = store_broadcast_release(id, queued);
	if (r == -2)
		return ACT_NOT_FOUND;
	if (r == -3)
		return ACT_NOT_HELD;
	return r < 0 ? ACT_ERROR : ACT_OK;
}

enum act_status act_broadcast_cancel(struct act_who *w, int64_t id, int *dropped)
{
	int n;

	*dropped = 0;
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	n = store_broadcast_cancel(id);
	if (n == -2)
		return ACT_NOT_FOUND;
	if (n < 0)
		return ACT_ERROR;
	*dropped = n;
	return ACT_OK;
}
