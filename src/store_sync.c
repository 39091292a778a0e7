/*
 * The store: the change log for the district (issue 27, schema 026). The triggers of schema 026
 * record which rows changed; this file reads each pending row as the district may see it
 * (sync.h's tables, in their column order) and moves the cursor once the district committed.
 *
 * What never leaves: a phone number (tips.sender, patrols.leader, reporters, recipients, an
 * officer's number in a tip's history: the contact's name instead, "officer" without one),
 * a tip's secret, a message's text (a tip's text only with sync.tip_text), notes. A name that
 * looks like a number (nine digits in a row) is sent as NULL or "officer": a team or group
 * someone named after a phone must not carry it out.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "sync.h"

STORE_DOMAIN(sync);

#define PHONEISH(col) col " GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'"
#define MASKED(col)   "CASE WHEN " PHONEISH(col) " THEN NULL ELSE " col " END"

SQ(q_sync_log, "SELECT l.seq, l.tbl, l.key, l.op FROM sync_log l, sync_cursor c WHERE c.id = 1 "
               "AND l.seq > c.seq ORDER BY l.seq LIMIT ?1");

/* One statement per table: ?1 the key, ?2 1 when a tip's text may go. Columns in sync.c's order. */
SQ(q_sync_teams, "SELECT code, " MASKED("name") ", " MASKED(
                     "village") ", nights, night_by FROM "
                                "teams WHERE code = ?1 AND ?2 IS NOT NULL");
SQ(q_sync_tips,
   "SELECT id, ref, created_at, updated_at, read_at, category, " MASKED(
       "village") ", status, structured, anonymous, channel, CASE WHEN ?2 THEN text END FROM tips "
                  "WHERE id = ?1");
SQ(q_sync_tip_events,
   "SELECT e.id, e.tip_id, e.at, CASE WHEN " PHONEISH("e.by") " THEN coalesce((SELECT " MASKED(
       "c.name") " FROM contacts c WHERE c.phone = e.by), 'officer') ELSE e.by END, "
                 "e.from_status, e.to_status FROM tip_events e WHERE e.id = ?1 AND ?2 IS NOT NULL");
SQ(q_sync_patrols, "SELECT id, " MASKED("team") ", started_at, ended_at, members FROM patrols "
                                                "WHERE id = ?1 AND ?2 IS NOT NULL");
SQ(q_sync_awareness,
   "SELECT id, " MASKED("team") ", held_at, sessions, participants FROM "
                                "awareness_sessions WHERE id = ?1 AND ?2 IS NOT NULL");
SQ(q_sync_mediations, "SELECT id, ref, " MASKED("team") ", created_at FROM mediations WHERE id = "
                                                        "?1 AND ?2 IS NOT NULL");
SQ(q_sync_broadcasts,
   "SELECT id, " MASKED(
       "group_name") ", parts, recipients, created_at, "
                     "scheduled_at, every, status FROM broadcasts WHERE id = ?1 AND ?2 IS NOT "
                     "NULL");
SQ(q_sync_alerts, "SELECT id, kind, " MASKED("subject") ", raised_at, sent_at FROM alerts WHERE "
                                                        "id = ?1 AND ?2 IS NOT NULL");
SQ(q_sync_messages_in, "SELECT id, smsc_time, channel FROM inbox WHERE id = ?1 AND ?2 IS NOT "
                       "NULL");
SQ(q_sync_messages_out, "SELECT id, broadcast_id, status, parts, created_at, sent_at FROM outbox "
                        "WHERE id = ?1 AND ?2 IS NOT NULL");

/* The statement that reads a row of the district's table NAME, or NULL. */
static struct sq *row_query(const char *name)
{
	static const struct {
		const char *name;
		struct sq *q;
	} map[] = {
	    {"teams", &q_sync_teams},
	    {"tips", &q_sync_tips},
	    {"tip_events", &q_sync_tip_events},
	    {"patrols", &q_sync_patrols},
	    {"awareness_sessions", &q_sync_awareness},
	    {"mediations", &q_sync_mediations},
	    {"broadcasts", &q_sync_broadcasts},
	    {"alerts", &q_sync_alerts},
	    {"messages_in", &q_sync_messages_in},
	    {"messages_out", &q_sync_messages_out},
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].name, name) == 0)
			return map[i].q;
	return NULL;
}

/* The row of C (its key set) into C->val; C->gone when it no longer exists. 0 or -1. */
static int read_row(struct sync_change *c, int tip_text)
{
	struct sq *q = row_query(c->t->name);
	sqlite3_stmt *s = q ? sq_bind(q, "si", c->key, tip_text) : NULL;
	int rc;

	if (s == NULL)
		return q ? -1 : sq_fail_rc(SQLITE_ERROR, "sync", "no such table");
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		for (int i = 0; i < c->t->ncols; i++) {
			const char *v = sq_text(s, i);

			if (v != NULL && (c->val[i] = strdup(v)) == NULL) {
				sqlite3_reset(s);
				store_error_nomem("sync row");
				return -1;
			}
		}
	} else if (rc == SQLITE_DONE) {
		c->gone = 1;
	}
	return sq_rows_end(s, rc, "sync row", 0);
}

int store_sync_batch(int limit, int tip_text, struct sync_batch *b)
{
	sqlite3_stmt *s = sq_bind(&q_sync_log, "i", limit);
	int rc, n = 0;

	sync_batch_clear(b);
	if (s == NULL)
		return -1;
	/* The entries first, then their rows: no statement is left open across the rows' reads. */
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		const struct sync_table *t = sync_table_find(sq_text(s, 1));
		struct sync_change *c;

		if (t == NULL) {
			sqlite3_reset(s);
			return sq_fail_rc(SQLITE_ERROR, "sync log", "an entry of an unknown table");
		}
		if (b->n == b->cap) {
			size_t cap = b->cap ? b->cap * 2 : 64;
			struct sync_change *v = realloc(b->v, cap * sizeof *v);

			if (v == NULL) {
				sqlite3_reset(s);
				store_error_nomem("sync log");
				return -1;
			}
			b->v = v;
			b->cap = cap;
		}
		c = &b->v[b->n];
		memset(c, 0, sizeof *c);
		c->seq = sqlite3_column_int64(s, 0);
		c->t = t;
		c->del = strcmp(sq_text(s, 3), "delete") == 0;
		if ((c->key = strdup(sq_text(s, 2))) == NULL) {
			sqlite3_reset(s);
			store_error_nomem("sync log");
			return -1;
		}
		b->n++;
		b->last_seq = c->seq;
		n++;
	}
	if (sq_rows_end(s, rc, "sync log", n) < 0)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		if (!b->v[i].del && read_row(&b->v[i], tip_text) < 0)
			return -1;
	return n;
}

SQ(q_sync_advance, "UPDATE sync_cursor SET seq = ?1, synced_at = ?2, tried_at = ?2, last_error = "
                   "NULL WHERE id = 1 AND seq < ?1");
SQ(q_sync_prune, "DELETE FROM sync_log WHERE seq <= ?1");

int store_sync_done(int64_t seq, const char *now)
{
	if (sq_run(sq_bind(&q_sync_advance, "Is", (sqlite3_int64)seq, now), "sync cursor") < 0 ||
	    sq_run(sq_bind(&q_sync_prune, "I", (sqlite3_int64)seq), "sync log") < 0)
		return -1;
	return 0;
}

SQ(q_sync_tried, "UPDATE sync_cursor SET tried_at = ?1, last_error = ?2 WHERE id = 1");

int store_sync_tried(const char *why, const char *now)
{
	return sq_run(sq_bind(&q_sync_tried, "ss", now, why), "sync cursor") < 0 ? -1 : 0;
}

SQ(q_sync_state, "SELECT c.seq, (SELECT count(*) FROM sync_log l WHERE l.seq > c.seq), "
                 "coalesce(c.synced_at, ''), coalesce(c.tried_at, ''), coalesce(c.last_error, "
                 "'') FROM sync_cursor c WHERE c.id = 1");

int store_sync_state(struct store_sync_state *st)
{
	sqlite3_stmt *s = sq_bind(&q_sync_state, "");
	int rc;

	memset(st, 0, sizeof *st);
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		st->cursor = sqlite3_column_int64(s, 0);
		st->pending = sqlite3_column_int64(s, 1);
		sq_copy(s, 2, st->synced_at, sizeof st->synced_at);
		sq_copy(s, 3, st->tried_at, sizeof st->tried_at);
		sq_copy(s, 4, st->last_error, sizeof st->last_error);
	}
	return sq_rows_end(s, rc, "sync state", 0);
}
