/* The store: broadcasts — one row each, one outbox row per recipient, recurring rounds. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "ts.h"

STORE_DOMAIN(broadcast);

SQ(q_broadcast_insert, "INSERT INTO broadcasts (group_name, text, sent_text, ucs2, parts, "
                       "recipients, created_by, created_at, scheduled_at, every, next_run, "
                       "inbox_id) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9, CASE ?9 WHEN "
                       "'day' THEN datetime(?8, '+1 day') WHEN 'week' THEN datetime(?8, '+7 "
                       "days') WHEN 'month' THEN datetime(?8, '+1 month') END, ?10)");
/* One outbox row per subscribed member of the group (GROUP_MEMBERS, store_int.h). */
SQ(q_broadcast_queue, "INSERT INTO outbox (recipient, text, priority, kind, created_at, "
                      "not_before, updated_at, broadcast_id) SELECT c.phone, ?2, 10, "
                      "'broadcast', ?3, ?4, ?3, ?5" GROUP_MEMBERS);
SQ(q_broadcast_set_count, "UPDATE broadcasts SET recipients = ?2 WHERE id = ?1");

/* Queue one round of broadcast ID to GROUP, due at AT: recipients, or -1. */
static int queue_round(int64_t id, const char *group, const char *text, const char *now,
                       const char *at)
{
	int n = sq_run(sq_bind(&q_broadcast_queue, "ssssI", group, text, now, at, id),
	               "broadcast queue");

	if (n < 0 || sq_run(sq_bind(&q_broadcast_set_count, "Ii", id, n), "broadcast count") < 0)
		return -1;
	return n;
}

SQ(q_broadcast_hold, "UPDATE broadcasts SET status = 'held', held_reason = ?2, held_round = ?3, "
                     "recipients = ?4 WHERE id = ?1");

/* Hold broadcast ID (its round due at AT, RECIPIENTS counted now) instead of queueing it. */
static int hold_round(int64_t id, const char *reason, const char *at, int recipients)
{
	return sq_run(sq_bind(&q_broadcast_hold, "Issi", id, reason, at, recipients),
	              "broadcast hold") < 0
	           ? -1
	           : 0;
}

int store_broadcast_create(const struct store_broadcast_new *b, int64_t *id, int *recipients)
{
	char now[TS_LEN];
	const char *at;
	int n;

	ts_now(now);
	at = b->scheduled_at ? b->scheduled_at : now;
	if (sq_run(sq_bind(&q_broadcast_insert, "sssiissssN", b->group, b->text, b->sent_text,
	                   b->ucs2, b->parts, b->created_by, now, at, b->every, b->inbox_id),
	           "broadcast") < 0)
		return -1;
	*id = sq_last_id();
	if (b->held_reason != NULL) {
		n = store_group_count(b->group);
		if (n < 0 || hold_round(*id, b->held_reason, at, n) < 0)
			return -1;
	} else {
		n = queue_round(*id, b->group, b->sent_text, now, at);
		if (n < 0)
			return -1;
	}
	*recipients = n;
	return 0;
}

SQ(q_broadcast_due, "SELECT id, group_name, sent_text, next_run, parts FROM broadcasts WHERE "
                    "status = 'active' AND next_run IS NOT NULL AND next_run <= ?1 ORDER BY id");
SQ(q_broadcast_advance, "UPDATE broadcasts SET next_run = CASE every WHEN 'day' THEN "
                        "datetime(next_run, '+1 day') WHEN 'week' THEN datetime(next_run, '+7 "
                        "days') ELSE datetime(next_run, '+1 month') END WHERE id = ?1 AND "
                        "next_run <= ?2");

int store_broadcast_recur(const char *now, store_hold_fn hold, void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_broadcast_due, "s", now);
	/* Collected first: the rounds write to the tables being read. At most 16 a call; the
	 * rest are due at the next call. Each text is owned here, freed at the end. */
	struct due {
		int64_t id;
		char group[64];
		char *text;
		char at[TS_LEN];
		int parts;
	} due[16];
	int nd = 0, rc = SQLITE_DONE, rounds = -1;

	if (s == NULL)
		return -1;
	while (nd < 16 && (rc = sq_step(s)) == SQLITE_ROW) {
		due[nd].id = sqlite3_column_int64(s, 0);
		sq_copy(s, 1, due[nd].group, sizeof due[nd].group);
		due[nd].text = strdup((const char *)sqlite3_column_text(s, 2));
		sq_copy(s, 3, due[nd].at, sizeof due[nd].at);
		due[nd].parts = sqlite3_column_int(s, 4);
		nd++;
	}
	if (sq_rows_end(s, rc, "broadcasts due", 0) < 0)
		goto out;
	for (int i = 0; i < nd; i++) {
		char reason[STORE_HOLD_REASON];
		int n;

		if (due[i].text == NULL) {
			store_error_nomem("broadcast round");
			goto out;
		}
		/* Each round is judged when it is queued, like the first (broadcast.c). */
		n = hold != NULL ? store_group_count(due[i].group) : 0;
		if (n < 0)
			goto out;
		if (hold != NULL &&
		    hold(arg, due[i].group, due[i].parts, n, reason, sizeof reason)) {
			if (hold_round(due[i].id, reason, due[i].at, n) < 0)
				goto out;
		} else if (queue_round(due[i].id, due[i].group, due[i].text, now, due[i].at) < 0) {
			goto out;
		}
		if (sq_run(sq_bind(&q_broadcast_advance, "Is", due[i].id, now),
		           "broadcast advance") < 0)
			goto out;
	}
	rounds = nd;
out:
	for (int i = 0; i < nd; i++)
		free(due[i].text);
	return rounds;
}

SQ(q_broadcast_held, "SELECT status, group_name, sent_text, held_round FROM broadcasts WHERE id "
                     "= ?1");
SQ(q_broadcast_release, "UPDATE broadcasts SET status = 'active', released_at = ?2 WHERE id = ?1");

int store_broadcast_release(int64_t id, int *recipients)
{
	sqlite3_stmt *s = sq_bind(&q_broadcast_held, "I", id);
	char status[16] = "", group[64] = "", at[TS_LEN] = "", now[TS_LEN];
	char *text = NULL;
	int rc, n = -1;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		sq_copy(s, 0, status, sizeof status);
		sq_copy(s, 1, group, sizeof group);
		text = strdup((const char *)sqlite3_column_text(s, 2));
		sq_copy(s, 3, at, sizeof at);
	}
	if (sq_rows_end(s, rc, "broadcast release", 0) < 0)
		goto out;
	if (status[0] == '\0' || strcmp(status, "held") != 0) {
		n = status[0] == '\0' ? -2 : -3;
		goto out;
	}
	if (text == NULL) {
		store_error_nomem("broadcast release");
		goto out;
	}
	ts_now(now);
	/* The round held, due when it was (now, if that has passed). A recurring broadcast's
	 * next rounds were advanced when this one was held; any that fell due meanwhile are
	 * skipped rather than sent in a burst after the release. */
	if ((n = queue_round(id, group, text, now, at[0] ? at : now)) < 0 ||
	    sq_run(sq_bind(&q_broadcast_release, "Is", id, now), "broadcast release") < 0) {
		n = -1;
		goto out;
	}
	for (int i = 0; i < 1000; i++) {
		int c = sq_run(sq_bind(&q_broadcast_advance, "Is", id, now), "broadcast advance");

		if (c < 0) {
			n = -1;
			goto out;
		}
		if (c == 0)
			break;
	}
	*recipients = n;
out:
	free(text);
	return n;
}

SQ(q_broadcast_cancel, "UPDATE broadcasts SET status = 'cancelled', next_run = NULL WHERE id = "
                       "?1");
SQ(q_broadcast_drop, "UPDATE outbox SET status = 'cancelled', updated_at = ?2 WHERE "
                     "broadcast_id = ?1 AND status = 'queued'");

int store_broadcast_cancel(int64_t id)
{
	char now[TS_LEN];
	int n = sq_run(sq_bind(&q_broadcast_cancel, "I", id), "broadcast cancel");

	if (n <= 0)
		return n < 0 ? -1 : -2;
	ts_now(now);
	return sq_run(sq_bind(&q_broadcast_drop, "Is", id, now), "broadcast drop");
}

SQ(q_broadcast_progress, "SELECT count(*), sum(status IN ('queued', 'sending')), sum(status = "
                         "'sent'), sum(status = 'failed') FROM outbox WHERE broadcast_id = ?1");

int store_broadcast_progress(int64_t id, int *queued, int *sent, int *failed, int *total)
{
	sqlite3_stmt *s = sq_bind(&q_broadcast_progress, "I", id);
	int rc;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		*total = sqlite3_column_int(s, 0);
		*queued = sqlite3_column_int(s, 1);
		*sent = sqlite3_column_int(s, 2);
		*failed = sqlite3_column_int(s, 3);
	}
	if (sq_rows_end(s, rc, "progress", 0) < 0)
		return -1;
	return *queued > 0;
}

/* Times in local time (local_time, store.c), as every listing a person reads. */
SQ(q_list_broadcasts,
   "SELECT b.id, b.group_name AS \"group\", local_time(b.created_at) AS "
   "created_at, local_time(b.scheduled_at) AS scheduled_at, b.every, "
   "local_time(b.next_run) AS next_run, b.status, b.parts, b.recipients, sum(o.status = "
   "'queued') AS queued, sum(o.status = 'sent') AS sent, sum(o.status = "
   "'failed') AS failed, sum(o.delivery = 'delivered') AS delivered, b.held_reason, "
   "b.text "
   "FROM broadcasts b LEFT JOIN outbox o ON o.broadcast_id = b.id GROUP BY "
   "b.id ORDER BY b.id LIMIT ?1");

int store_list_broadcasts(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_broadcasts, "i", limit > 0 ? limit : -1), fn, ctx,
	                   "broadcasts");
}

SQ(q_list_broadcast,
   "SELECT b.id, b.group_name AS \"group\", b.created_by, "
   "local_time(b.created_at) AS created_at, local_time(b.scheduled_at) AS "
   "scheduled_at, b.every, local_time(b.next_run) AS next_run, b.status, b.ucs2, b.parts, "
   "b.recipients, count(o.id) AS messages, sum(o.status = 'queued') AS "
   "queued, sum(o.status = 'sending') AS sending, sum(o.status = 'sent') AS "
   "sent, sum(o.status = 'failed') AS failed, sum(o.status = 'cancelled') AS "
   "cancelled, sum(o.delivery = 'delivered') AS delivered, sum(o.delivery = "
   "'failed') AS undelivered, b.held_reason, b.held_round, local_time(b.released_at) AS "
   "released_at, b.text, b.sent_text FROM broadcasts b LEFT JOIN "
   "outbox o ON o.broadcast_id = b.id WHERE b.id = ?1 GROUP BY b.id LIMIT ?2");

int store_list_broadcast(const char *id, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_broadcast, "si", id, limit > 0 ? limit : -1), fn, ctx,
	                   "broadcast");
}

/*
 * The groups an officer can choose (store_broadcast_groups): the derived ones, each village
 * as its CLI name THON<village> (a village already called "Thôn 3" is THON3, not THONTHON3),
 * the teams and the named groups. KIND orders them; counted one by one afterwards.
 */
SQ(q_broadcast_groups,
   "SELECT name, kind, label FROM (SELECT upper(?61) AS name, 'all' AS kind, '' AS label, 0 AS "
   "ord UNION ALL SELECT upper(?62), 'leaders', '', 1 UNION ALL SELECT upper(?63), "
   "'officers', '', 2 UNION ALL SELECT CASE WHEN fold_key(village) GLOB 'thon*' THEN "
   "upper(fold_key(village)) ELSE 'THON' || upper(fold_key(village)) END, 'village', "
   "min(village), 3 FROM contacts WHERE village IS NOT NULL AND fold_key(village) <> '' GROUP "
   "BY 1 UNION ALL SELECT code, 'team', code, 4 FROM teams UNION ALL SELECT name, 'group', "
   "name, 5 FROM groups) WHERE ?1 = ?1 ORDER BY ord, length(name), name");

int store_broadcast_groups(int (*fn)(const char *name, const char *kind, const char *label,
                                     int members, void *ctx),
                           void *ctx)
{
	/* Collected first, then counted: store_group_count uses the connection's statements. */
	struct cand {
		char name[64], kind[12], label[128];
	} *c = NULL;
	sqlite3_stmt *s = sq_bind(&q_broadcast_groups, "i", 0);
	int n = 0, cap = 0, rc = SQLITE_DONE, r = -1;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			struct cand *m = realloc(c, (size_t)(cap = cap ? 2 * cap : 32) * sizeof *c);

			if (m == NULL) {
				sq_rows_end(s, SQLITE_DONE, "broadcast groups", 0);
				store_error_nomem("broadcast groups");
				goto out;
			}
			c = m;
		}
		sq_copy(s, 0, c[n].name, sizeof c[n].name);
		sq_copy(s, 1, c[n].kind, sizeof c[n].kind);
		sq_copy(s, 2, c[n].label, sizeof c[n].label);
		n++;
	}
	if (sq_rows_end(s, rc, "broadcast groups", 0) < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		int m = store_group_count(c[i].name);

		if (m < 0)
			goto out;
		if (fn(c[i].name, c[i].kind, c[i].label, m, ctx) != 0)
			break;
	}
	r = n;
out:
	free(c);
	return r;
}

/* The console's list: newest first, times UTC (the page shows them local). */
SQ(q_list_broadcasts_recent,
   "SELECT b.id, b.group_name, b.created_by, b.created_at, b.scheduled_at, b.every, "
   "b.next_run, b.status, b.parts, b.recipients, coalesce(sum(o.status = 'queued'), 0) + "
   "coalesce(sum(o.status = 'sending'), 0), coalesce(sum(o.status = 'sent'), 0), "
   "coalesce(sum(o.status = 'failed'), 0), coalesce(sum(o.delivery = 'delivered'), 0), "
   "coalesce(sum(o.status = 'cancelled'), 0), b.held_reason, b.text FROM broadcasts b LEFT "
   "JOIN outbox o ON o.broadcast_id = b.id GROUP BY b.id ORDER BY b.id DESC LIMIT ?1");

int store_broadcasts_recent(int limit, int (*fn)(const struct store_broadcast_row *b, void *ctx),
                            void *ctx)
{
	sqlite3_stmt *s = sq_bind(&q_list_broadcasts_recent, "i", limit);
	struct store_broadcast_row b;
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		memset(&b, 0, sizeof b);
		b.id = sqlite3_column_int64(s, 0);
		b.group = sq_text(s, 1);
		b.created_by = sq_text(s, 2);
		b.created_at = sq_text(s, 3);
		b.scheduled_at = sq_text(s, 4);
		b.every = sq_text(s, 5);
		b.next_run = sq_text(s, 6);
		b.status = sq_text(s, 7);
		b.parts = sqlite3_column_int(s, 8);
		b.recipients = sqlite3_column_int(s, 9);
		b.queued = sqlite3_column_int(s, 10);
		b.sent = sqlite3_column_int(s, 11);
		b.failed = sqlite3_column_int(s, 12);
		b.delivered = sqlite3_column_int(s, 13);
		b.cancelled = sqlite3_column_int(s, 14);
		b.held_reason = sq_text(s, 15);
		b.text = sq_text(s, 16);
		n++;
		if (fn(&b, ctx) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	return sq_rows_end(s, rc, "broadcasts recent", n);
}

/* Issue 25: the subscribed members of group ?1 by network (tl_network), for the dry run. */
SQ(q_group_networks, "SELECT tl_network(c.phone), count(*)" GROUP_MEMBERS " GROUP BY 1");

int store_group_networks(const char *group, int (*fn)(const char *net, long n, void *arg),
                         void *arg)
{
	return sq_each_count(sq_bind(&q_group_networks, "s", group), fn, arg, "group networks");
}
