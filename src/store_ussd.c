/*
 * The store: USSD (ussd_log, ussd_requests), the daemon's `status` key/value rows, and the
 * summaries `tipline status` reads. Rules in store_int.h.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#include "ts.h"

STORE_DOMAIN(ussd);

/* --- status (key, value, updated_at) --- */

SQ(q_status_set, "INSERT INTO status (key, value, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT "
                 "(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
SQ(q_status_delete, "DELETE FROM status WHERE key = ?1");
SQ(q_status_get, "SELECT value, updated_at FROM status WHERE key = ?1");

/*
 * Issue 25: the rows of one modem's process are its own, "modem.NAME.KEY" (store_status_scope);
 * with PLAIN the plain KEY is written too, for the fields `tipline status` showed before there
 * were several modems (1: every key, the one process of one modem; 2: all but the process's
 * own, which belong to the main process of several).
 */
static char scope[48];
static int scope_plain = 1;

void store_status_scope(const char *name, int plain)
{
	snprintf(scope, sizeof scope, "%s", name != NULL ? name : "");
	scope_plain = name != NULL ? plain : 1;
}

static int process_key(const char *key)
{
	return strcmp(key, "pid") == 0 || strcmp(key, "started_at") == 0 ||
	       strcmp(key, "stopped_at") == 0 || strcmp(key, "heartbeat") == 0;
}

static int plain_too(const char *key)
{
	return scope_plain == 1 || (scope_plain == 2 && !process_key(key));
}

/* KEY in this process's scope, in BUF. */
static const char *scoped(const char *key, char *buf, size_t sz)
{
	if (scope[0] == '\0')
		return key;
	snprintf(buf, sz, "modem.%s.%s", scope, key);
	return buf;
}

int store_status_set(const char *key, const char *value)
{
	char now[TS_LEN], sk[128];

	ts_now(now);
	if (scope[0] != '\0' &&
	    sq_run(sq_bind(&q_status_set, "sss", scoped(key, sk, sizeof sk), value, now),
	           "status set") < 0)
		return -1;
	if (scope[0] != '\0' && !plain_too(key))
		return 0;
	return sq_run(sq_bind(&q_status_set, "sss", key, value, now), "status set") < 0 ? -1 : 0;
}

int store_status_delete(const char *key)
{
	char sk[128];

	if (scope[0] != '\0' &&
	    sq_run(sq_bind(&q_status_delete, "s", scoped(key, sk, sizeof sk)), "status delete") < 0)
		return -1;
	if (scope[0] != '\0' && !plain_too(key))
		return 0;
	return sq_run(sq_bind(&q_status_delete, "s", key), "status delete") < 0 ? -1 : 0;
}

/* The row FULLKEY (already scoped or not, as the caller chose): 1 found, 0 not, -1 error. */
static int status_read(const char *fullkey, char *value, size_t valuesz, char updated_at[TS_LEN])
{
	sqlite3_stmt *s = sq_bind(&q_status_get, "s", fullkey);
	int rc, found = 0;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		found = 1;
		sq_copy(s, 0, value, valuesz);
		if (updated_at != NULL)
			sq_copy(s, 1, updated_at, TS_LEN);
	}
	return sq_rows_end(s, rc, "status get", found);
}

int store_status_get(const char *key, char *value, size_t valuesz, char updated_at[TS_LEN])
{
	char sk[128];

	return status_read(scoped(key, sk, sizeof sk), value, valuesz, updated_at);
}

int store_status_get_modem(const char *modem, const char *key, char *value, size_t valuesz)
{
	char sk[128];

	/* Not scoped(): another modem's row, read from whichever process asks. */
	if (modem != NULL)
		snprintf(sk, sizeof sk, "modem.%s.%s", modem, key);
	return status_read(modem != NULL ? sk : key, value, valuesz, NULL);
}

SQ(q_status_each, "SELECT key, value, updated_at FROM status ORDER BY key");

int store_status_each(int (*fn)(const char *key, const char *value, const char *at, void *arg),
                      void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_status_each, "");
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		const char *v = sq_text(s, 1);

		n++;
		if (fn(sq_text(s, 0), v ? v : "", sq_text(s, 2), arg) != 0)
			break;
	}
	return sq_rows_end(s, rc, "status", n);
}

/* --- ussd_log --- */

SQ(q_ussd_log, "INSERT INTO ussd_log (code, answer, status, network_status, asked_by, asked_at, "
               "answered_at, balance, error, modem) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
               "?10)");

int store_ussd_log(const struct store_ussd_entry *e, int64_t *id)
{
	sqlite3_stmt *s = sq_bind(&q_ussd_log, "sssLssssss", e->code, e->answer, e->status,
	                          (long)e->network_status, e->asked_by, e->asked_at, e->answered_at,
	                          NULL, e->error, e->modem);

	if (s == NULL)
		return -1;
	/* The balance: an integer, or NULL when nothing was parsed (no bind type for that). */
	if (e->has_balance)
		sqlite3_bind_int64(s, 8, e->balance);
	if (sq_run(s, "ussd log") < 0)
		return -1;
	if (id != NULL)
		*id = sq_last_id();
	return 0;
}

/* --- ussd_requests --- */

SQ(q_ussd_request_add, "INSERT INTO ussd_requests (code, timeout, asked_by, asked_at, modem) "
                       "VALUES (?1, ?2, ?3, ?4, ?5)");

int store_ussd_request_add(const char *code, int timeout, const char *asked_by, const char *modem,
                           int64_t *id)
{
	char now[TS_LEN];

	ts_now(now);
	if (sq_run(sq_bind(&q_ussd_request_add, "sisss", code, timeout, asked_by, now, modem),
	           "ussd request") < 0)
		return -1;
	*id = sq_last_id();
	return 0;
}

/* Issue 25: each modem's process takes its own; the first one's takes those of no modem too. */
SQ(q_ussd_request_next, "SELECT id, code, timeout, asked_by FROM ussd_requests WHERE status = "
                        "'queued' AND (modem = ?1 OR (?2 AND modem IS NULL)) ORDER BY id "
                        "LIMIT 1");

int store_ussd_request_next(struct store_ussd_request *r, const char *modem, int first)
{
	sqlite3_stmt *s = sq_bind(&q_ussd_request_next, "si", modem, first);
	int rc, found = 0;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		found = 1;
		r->id = sqlite3_column_int64(s, 0);
		sq_copy(s, 1, r->code, sizeof r->code);
		r->timeout = sqlite3_column_int(s, 2);
		sq_copy(s, 3, r->asked_by, sizeof r->asked_by);
	}
	return sq_rows_end(s, rc, "ussd request next", found);
}

SQ(q_ussd_request_start, "UPDATE ussd_requests SET status = 'running', started_at = ?2 WHERE id "
                         "= ?1 AND status = 'queued'");

int store_ussd_request_start(int64_t id)
{
	char now[TS_LEN];

	ts_now(now);
	return sq_run(sq_bind(&q_ussd_request_start, "Is", id, now), "ussd request start");
}

SQ(q_ussd_request_done, "UPDATE ussd_requests SET status = 'done', code = ?2, log_id = ?3 WHERE "
                        "id = ?1");

int store_ussd_request_done(int64_t id, const char *code, int secret, int64_t log_id)
{
	if (secret)
		sq_scrub_after_commit();
	return sq_run(sq_bind(&q_ussd_request_done, "IsN", id, code, log_id), "ussd request done") <
	               0
	           ? -1
	           : 0;
}

SQ(q_ussd_request_expire, "UPDATE ussd_requests SET status = 'expired', code = ?2 WHERE id = ?1 "
                          "AND status = 'queued'");

int store_ussd_request_expire(int64_t id, const char *code, int secret)
{
	if (secret)
		sq_scrub_after_commit();
	return sq_run(sq_bind(&q_ussd_request_expire, "Is", id, code), "ussd request expire");
}

SQ(q_ussd_request_get, "SELECT r.status, l.status, l.answer, l.answered_at, l.error, l.modem "
                       "FROM ussd_requests r "
                       "LEFT JOIN ussd_log l ON l.id = r.log_id WHERE r.id = ?1");

int store_ussd_request_get(int64_t id, struct store_ussd_result *out)
{
	sqlite3_stmt *s = sq_bind(&q_ussd_request_get, "I", id);
	int rc, found = 0;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		found = 1;
		sq_copy(s, 0, out->request_status, sizeof out->request_status);
		sq_copy(s, 1, out->status, sizeof out->status);
		sq_copy(s, 2, out->answer, sizeof out->answer);
		sq_copy(s, 3, out->answered_at, sizeof out->answered_at);
		sq_copy(s, 4, out->error, sizeof out->error);
		sq_copy(s, 5, out->modem, sizeof out->modem);
	}
	return sq_rows_end(s, rc, "ussd request get", found);
}

/* Schema 033: the modem last, so the columns listed before keep their places. */
SQ(q_list_ussd_log, "SELECT id, code, status, answer, balance, asked_by, asked_at, answered_at, "
                    "error, modem FROM ussd_log ORDER BY id DESC LIMIT ?1");

int store_list_ussd_log(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_ussd_log, "i", limit > 0 ? limit : -1), fn, ctx,
	                   "ussd log");
}

/* --- officers and alerts (the low-balance warning) --- */

SQ(q_officers, "SELECT phone FROM contacts WHERE role = 'officer' ORDER BY phone");

int store_officers_each(int (*fn)(const char *phone, void *arg), void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_officers, "");
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		n++;
		if (fn(sq_text(s, 0), arg) != 0)
			break;
	}
	return sq_rows_end(s, rc, "officers", n);
}

SQ(q_alert_sent, "INSERT INTO alerts (kind, subject, raised_at, sent_at, detail) VALUES (?1, ?2, "
                 "?3, ?3, ?4) ON CONFLICT (kind, subject) DO NOTHING");

int store_alert_sent(const char *kind, const char *subject, const char *detail)
{
	char now[TS_LEN];

	ts_now(now);
	return sq_run(sq_bind(&q_alert_sent, "ssss", kind, subject, now, detail), "alert");
}

/* --- what `tipline status` counts --- */

SQ(q_outbox_counts, "SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status");

int store_outbox_counts(int (*fn)(const char *status, long n, void *arg), void *arg)
{
	return sq_each_count(sq_bind(&q_outbox_counts, ""), fn, arg, "outbox counts");
}

SQ(q_outbox_oldest_queued, "SELECT coalesce(min(created_at), '') FROM outbox WHERE status = "
                           "'queued'");

int store_outbox_oldest_queued(char out[TS_LEN])
{
	sqlite3_stmt *s = sq_bind(&q_outbox_oldest_queued, "");
	int rc;

	if (s == NULL)
		return -1;
	out[0] = '\0';
	rc = sq_step(s);
	if (rc == SQLITE_ROW)
		sq_copy(s, 0, out, TS_LEN);
	return sq_rows_end(s, rc, "oldest queued", out[0] != '\0');
}

/* Open alerts: raised, their messages not (yet) queued (schema 005: sent_at). */
SQ(q_alerts_open, "SELECT count(*) FROM alerts WHERE sent_at IS NULL");

int64_t store_alerts_open(void)
{
	return sq_int(sq_bind(&q_alerts_open, ""), "open alerts");
}
