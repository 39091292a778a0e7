/* The store: tips and their supplements. */
#include "store_int.h"

#include <string.h>
#include <sys/random.h>
#include <stdio.h>

#include "ts.h"

STORE_DOMAIN(tips);

SQ(q_tip_insert, "INSERT INTO tips (inbox_id, sender, anonymous, category, text, structured, "
                 "created_at, read_at, updated_at, village) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                 "?8, ?8, ?9)");
SQ(q_tip_ref, "UPDATE tips SET ref = 'T' || id WHERE id = ?1 RETURNING ref");

int store_tip_insert(int64_t inbox_id, const char *sender, int anonymous, const char *category,
                     const char *text, int structured, const char *village, const char *at,
                     const char *read_at, char ref[16])
{
	/* An anonymous tip never keeps its number, whatever the caller passed. */
	if (anonymous)
		sender = STORE_ANONYMOUS;
	if (sq_run(sq_bind(&q_tip_insert, "Isississs", inbox_id, sender, anonymous, category, text,
	                   structured, at, read_at, village),
	           "tip") < 0)
		return -1;
	return sq_ref(sq_bind(&q_tip_ref, "I", sq_last_id()), ref);
}

/* Never an anonymous tip: its sender is not known (store_tip_find_secret). */
SQ(q_tip_find, "SELECT id FROM tips WHERE ref = ?1 AND sender = ?2 AND NOT anonymous");

int store_tip_find(const char *ref, const char *sender, int64_t *tip_id)
{
	sqlite3_stmt *s = sq_bind(&q_tip_find, "ss", ref, sender);
	int rc;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW)
		*tip_id = sqlite3_column_int64(s, 0);
	if (sq_rows_end(s, rc, "tip find", 0) < 0)
		return -1;
	return rc == SQLITE_ROW;
}

SQ(q_tip_secret, "UPDATE tips SET secret = ?2 WHERE id = ?1");

int store_tip_insert_anonymous(int64_t inbox_id, const char *category, const char *text,
                               int structured, const char *village, const char *at,
                               const char *read_at, char ref[16], char secret[8])
{
	unsigned char rnd[2];

	/* Four digits: enough that a stranger who guesses a reference cannot add to it. */
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return sq_fail_rc(SQLITE_ERROR, "tip secret", "no random bytes from the OS");
	snprintf(secret, 8, "%04u", (unsigned)((rnd[0] << 8 | rnd[1]) % 10000));
	if (store_tip_insert(inbox_id, STORE_ANONYMOUS, 1, category, text, structured, village, at,
	                     read_at, ref) < 0 ||
	    sq_run(sq_bind(&q_tip_secret, "Is", sq_last_id(), secret), "tip secret") < 0)
		return -1;
	/* inbox_id 0: a tip from the USSD menu, no inbox row to clean. */
	return inbox_id > 0 ? store_anonymize_message(inbox_id) : 0;
}

SQ(q_tip_find_secret, "SELECT id FROM tips WHERE ref = ?1 AND anonymous AND secret = ?2");

int store_tip_find_secret(const char *ref, const char *secret, int64_t *tip_id)
{
	sqlite3_stmt *s = sq_bind(&q_tip_find_secret, "ss", ref, secret);
	int rc;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW)
		*tip_id = sqlite3_column_int64(s, 0);
	if (sq_rows_end(s, rc, "tip find secret", 0) < 0)
		return -1;
	return rc == SQLITE_ROW;
}

SQ(q_tip_supplement, "INSERT INTO tip_supplements (tip_id, inbox_id, text, created_at, read_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)");
SQ(q_tip_touch, "UPDATE tips SET updated_at = ?2 WHERE id = ?1");

int store_tip_supplement(int64_t tip_id, int64_t inbox_id, const char *text, const char *at,
                         const char *read_at)
{
	if (sq_run(sq_bind(&q_tip_supplement, "IIsss", tip_id, inbox_id, text, at, read_at),
	           "supplement") < 0 ||
	    sq_run(sq_bind(&q_tip_touch, "Is", tip_id, read_at), "tip touch") < 0)
		return -1;
	return 0;
}

SQ(q_tip_get, "SELECT id, status, sender, anonymous FROM tips WHERE ref = upper(?1)");

int store_tip_get(const char *ref, struct store_tip *t)
{
	sqlite3_stmt *s = sq_bind(&q_tip_get, "s", ref);
	int rc;

	memset(t, 0, sizeof *t);
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		t->found = 1;
		t->id = sqlite3_column_int64(s, 0);
		sq_copy(s, 1, t->status, sizeof t->status);
		sq_copy(s, 2, t->sender, sizeof t->sender);
		t->anonymous = sqlite3_column_int(s, 3);
	}
	return sq_rows_end(s, rc, "tip get", 0);
}

/* Only from the status the caller read: a change made in between is not overwritten. */
SQ(q_tip_set_status, "UPDATE tips SET status = ?3, updated_at = ?4 WHERE id = ?1 AND status = ?2");
SQ(q_tip_event, "INSERT INTO tip_events (tip_id, at, by, from_status, to_status, note) VALUES "
                "(?1, ?2, ?3, ?4, ?5, ?6)");

int store_tip_set_status(int64_t tip_id, const char *from, const char *to, const char *by,
                         const char *note, const char *at)
{
	int n = sq_run(sq_bind(&q_tip_set_status, "Isss", tip_id, from, to, at), "tip status");

	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	if (sq_run(sq_bind(&q_tip_event, "Isssss", tip_id, at, by, from, to, note), "tip event") <
	    0)
		return -1;
	return 1;
}

/*
 * An anonymous tip never shows its sender. Every filter is optional (NULL): the bounds are
 * UTC, [since, until).
 */
SQ(q_list_tips, "SELECT t.ref, t.created_at, CASE WHEN t.anonymous THEN NULL ELSE t.sender END "
                "AS sender, t.anonymous, t.category, t.village, t.structured, t.status, t.text, "
                "(SELECT count(*) FROM tip_supplements s WHERE s.tip_id = t.id) AS supplements "
                "FROM tips t WHERE (?1 IS NULL OR t.created_at >= ?1) AND (?2 IS NULL OR "
                "t.created_at < ?2) AND (?3 IS NULL OR t.status = ?3) AND (?4 IS NULL OR "
                "coalesce(t.category, '') = ?4) AND (?5 IS NULL OR fold_key(t.village) = "
                "fold_key(?5)) ORDER BY t.created_at, t.id");

int store_list_tips(const struct store_tip_filter *f, store_row_fn fn, void *ctx)
{
	return sq_each_row(
	    sq_bind(&q_list_tips, "sssss", f->since, f->until, f->status, f->category, f->village),
	    fn, ctx, "tips");
}

SQ(q_list_tip, "SELECT t.ref, t.created_at, t.read_at, CASE WHEN t.anonymous THEN NULL ELSE "
               "t.sender END AS sender, t.anonymous, t.category, t.village, t.structured, "
               "t.status, t.text, i.text AS message FROM tips t JOIN inbox i ON i.id = "
               "t.inbox_id WHERE t.ref = upper(?1) LIMIT ?2");

int store_list_tip(const char *ref, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_tip, "si", ref, limit > 0 ? limit : -1), fn, ctx, "tip");
}

SQ(q_list_tip_supplements, "SELECT s.created_at, s.text FROM tip_supplements s JOIN tips t ON "
                           "t.id = s.tip_id WHERE t.ref = upper(?1) ORDER BY s.id LIMIT ?2");

int store_list_tip_supplements(const char *ref, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_tip_supplements, "si", ref, limit > 0 ? limit : -1), fn,
	                   ctx, "supplements");
}

SQ(q_list_tip_events, "SELECT e.at, e.by, e.from_status, e.to_status, e.note, e.answer, "
                      "e.given_at FROM tip_events e "
                      "JOIN tips t ON t.id = e.tip_id WHERE t.ref = upper(?1) ORDER BY e.id "
                      "LIMIT ?2");

int store_list_tip_events(const char *ref, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_tip_events, "si", ref, limit > 0 ? limit : -1), fn, ctx,
	                   "tip events");
}

/* --- answers to tipsters and new-tip alerts (issue 26) --- */

/* The status is the one read in the caller's transaction: an answer changes nothing else. */
SQ(q_tip_answer, "INSERT INTO tip_events (tip_id, at, by, from_status, to_status, note, answer, "
                 "given_at) SELECT id, ?2, ?3, status, status, ?4, 1, ?5 FROM tips WHERE id = ?1");

int store_tip_answer_add(int64_t tip_id, const char *by, const char *text, const char *at,
                         const char *given_at)
{
	return sq_run(sq_bind(&q_tip_answer, "Issss", tip_id, at, by, text, given_at),
	              "tip answer") < 0
	           ? -1
	           : 0;
}

/* The latest answer; ?2 = 1: only one not given yet. */
SQ(q_tip_answer_latest, "SELECT id, note FROM tip_events WHERE tip_id = ?1 AND answer AND (?2 = 0 "
                        "OR given_at IS NULL) ORDER BY id DESC LIMIT 1");
SQ(q_tip_answer_given, "UPDATE tip_events SET given_at = ?2 WHERE id = ?1 AND given_at IS NULL");

int store_tip_answer_take(int64_t tip_id, int waiting_only, const char *now, char *text, size_t sz)
{
	sqlite3_stmt *s = sq_bind(&q_tip_answer_latest, "Ii", tip_id, waiting_only);
	int64_t id = 0;
	int rc;

	text[0] = '\0';
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		sq_copy(s, 1, text, sz);
	}
	if (sq_rows_end(s, rc, "tip answer", 0) < 0)
		return -1;
	if (rc != SQLITE_ROW)
		return 0;
	if (sq_run(sq_bind(&q_tip_answer_given, "Is", id, now), "tip answer given") < 0)
		return -1;
	return 1;
}

SQ(q_tip_brief, "SELECT ref, category, coalesce(village, ''), text, anonymous, inbox_id FROM tips "
                "WHERE id = ?1");

int store_tip_brief(int64_t tip_id, struct store_tip_brief *b)
{
	sqlite3_stmt *s = sq_bind(&q_tip_brief, "I", tip_id);
	int rc;

	memset(b, 0, sizeof *b);
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		b->found = 1;
		sq_copy(s, 0, b->ref, sizeof b->ref);
		sq_copy(s, 1, b->category, sizeof b->category);
		sq_copy(s, 2, b->village, sizeof b->village);
		sq_copy(s, 3, b->text, sizeof b->text);
		b->anonymous = sqlite3_column_int(s, 4);
		b->inbox_id = sqlite3_column_int64(s, 5);
	}
	return sq_rows_end(s, rc, "tip brief", 0);
}

/*
 * A new tip's alert to the officers who asked: tip_alerts 'all', or 'urgent' when ?4 (the tip's
 * category is one of tips.urgent_categories). Priority 0, as the other alerts.
 */
SQ(q_tip_alert_count, "SELECT count(*) FROM contacts WHERE role = 'officer' AND (tip_alerts = "
                      "'all' OR (?1 AND tip_alerts = 'urgent'))");
SQ(q_tip_alert_queue, "INSERT INTO outbox (recipient, text, priority, kind, created_at, "
                      "not_before, updated_at, alert_id) SELECT phone, ?2, 0, 'alert', ?3, ?3, "
                      "?3, ?1 FROM contacts WHERE role = 'officer' AND (tip_alerts = 'all' OR "
                      "(?4 AND tip_alerts = 'urgent')) ORDER BY phone");
SQ(q_tip_alert_sent, "UPDATE alerts SET sent_at = ?2 WHERE id = ?1");

int store_tip_alert_count(int urgent)
{
	return (int)sq_int(sq_bind(&q_tip_alert_count, "i", urgent), "tip alert count");
}

int store_tip_alert_queue(int64_t alert_id, const char *text, int urgent, const char *now)
{
	int n = sq_run(sq_bind(&q_tip_alert_queue, "Issi", alert_id, text, now, urgent),
	               "tip alert queue");

	if (n > 0 && sq_run(sq_bind(&q_tip_alert_sent, "Is", alert_id, now), "tip alert sent") < 0)
		return -1;
	return n;
}

/* Tips still new, arrived in [?2, ?1], not escalated yet. */
SQ(q_tips_stale, "SELECT t.id FROM tips t WHERE t.status = 'new' AND t.created_at <= ?1 AND "
                 "t.created_at >= ?2 AND NOT "
                 "EXISTS (SELECT 1 FROM alerts a WHERE a.kind = 'tip_escalated' AND a.subject = "
                 "t.ref) ORDER BY t.id LIMIT 64");

int store_tips_stale(const char *after, const char *before, int (*fn)(int64_t tip_id, void *arg),
                     void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_tips_stale, "ss", before, after);
	/* Collected first: FN writes (alerts, outbox), which must not happen mid-scan. */
	int64_t ids[64];
	int n = 0, rc = SQLITE_DONE;

	if (s == NULL)
		return -1;
	while (n < 64 && (rc = sq_step(s)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	if (sq_rows_end(s, rc, "stale tips", 0) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (fn(ids[i], arg) != 0)
			return -1;
	return n;
}
