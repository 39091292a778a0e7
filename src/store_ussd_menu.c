/*
 * The store: the USSD menu's sessions (ussd_sessions, schema 009) and what the menu reads and
 * writes besides: a tip's inbox row on the USSD channel, a tip's status for its sender.
 * Rules in store_int.h. Only `tipline serve` calls these.
 */
#include "store_int.h"

#include <string.h>

STORE_DOMAIN(ussd_menu);

SQ(q_ussd_get, "SELECT phone, coalesce(outcome, ''), text, answer, last_step, category, "
               "coalesce(draft, ''), last_step_at, steps FROM ussd_sessions WHERE id = ?1");

int store_ussd_session_get(const char *id, struct store_ussd_session *out)
{
	sqlite3_stmt *s = sq_bind(&q_ussd_get, "s", id);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		out->found = 1;
		sq_copy(s, 0, out->phone, sizeof out->phone);
		sq_copy(s, 1, out->outcome, sizeof out->outcome);
		sq_copy(s, 2, out->text, sizeof out->text);
		sq_copy(s, 3, out->answer, sizeof out->answer);
		sq_copy(s, 4, out->last_step, sizeof out->last_step);
		out->category = sqlite3_column_int(s, 5);
		sq_copy(s, 6, out->draft, sizeof out->draft);
		sq_copy(s, 7, out->last_step_at, sizeof out->last_step_at);
		out->steps = sqlite3_column_int(s, 8);
	}
	return sq_rows_end(s, rc, "ussd session", 0);
}

/* What an expired session typed is not kept: the draft goes with it. */
SQ(q_ussd_expire, "UPDATE ussd_sessions SET outcome = 'expired', draft = NULL WHERE outcome IS "
                  "NULL AND last_step_at < ?1");

int store_ussd_expire(const char *before)
{
	return sq_run(sq_bind(&q_ussd_expire, "s", before), "ussd expire");
}

SQ(q_ussd_open, "SELECT count(*) FROM ussd_sessions WHERE outcome IS NULL");

int store_ussd_open_count(void)
{
	return (int)sq_int(sq_bind(&q_ussd_open, ""), "ussd open sessions");
}

/* Sessions that got a menu (not those turned away as busy or capped). */
SQ(q_ussd_started, "SELECT count(*) FROM ussd_sessions WHERE phone = ?1 AND started_at >= ?2 AND "
                   "coalesce(outcome, '') NOT IN ('busy', 'capped')");

int store_ussd_started_since(const char *phone, const char *since)
{
	return (int)sq_int(sq_bind(&q_ussd_started, "ss", phone, since), "ussd sessions started");
}

/* Issue 21: a session turned away is counted in its hour (schema 015), not stored as a row. */
SQ(q_ussd_turned_away, "INSERT INTO ussd_turned_away (hour, outcome, count) VALUES "
                       "(substr(?1, 1, 13) || ':00:00', ?2, 1) ON CONFLICT (hour, outcome) DO "
                       "UPDATE SET count = count + 1");

int store_ussd_turned_away(const char *outcome, const char *at)
{
	return sq_run(sq_bind(&q_ussd_turned_away, "ss", at, outcome), "ussd turned away") < 0 ? -1
	                                                                                       : 0;
}

/* A new session is a row; every later step of it updates the row and counts one more step. */
SQ(q_ussd_save,
   "INSERT INTO ussd_sessions (id, phone, service_code, network_code, started_at, last_step_at, "
   "last_step, steps, outcome, tip_id, text, answer, category, draft) VALUES (?1, ?2, ?3, ?4, "
   "?5, ?5, ?6, 1, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO UPDATE SET last_step_at = "
   "excluded.last_step_at, last_step = excluded.last_step, steps = steps + 1, outcome = "
   "excluded.outcome, tip_id = coalesce(excluded.tip_id, tip_id), text = excluded.text, answer "
   "= excluded.answer, category = excluded.category, draft = excluded.draft");

int store_ussd_session_save(const struct store_ussd_save *v)
{
	return sq_run(sq_bind(&q_ussd_save, "sssssssNssis", v->id, v->phone, v->service_code,
	                      v->network_code, v->at, v->last_step, v->outcome, v->tip_id, v->text,
	                      v->answer, v->category, v->draft),
	              "ussd session") < 0
	           ? -1
	           : 0;
}

/*
 * The session that made an anonymous tip (issue 13): its phone becomes STORE_ANONYMOUS in the
 * step's transaction. The session's earlier steps wrote the number into the WAL: the tip's
 * store_tip_insert_anonymous, in the same transaction, has the WAL scrubbed after the commit
 * (test_ussd_menu's anonymous test, with the SMS copy off, fails if that ever stops). Its
 * times stay: without a number they name nobody.
 */
SQ(q_ussd_anonymize, "UPDATE ussd_sessions SET phone = '" STORE_ANONYMOUS "' WHERE id = ?1");

int store_ussd_session_anonymize(const char *id)
{
	return sq_run(sq_bind(&q_ussd_anonymize, "s", id), "ussd session anonymize") < 0 ? -1 : 0;
}

/*
 * A tip's message on the USSD channel: what the SMS path stores for a TIN message, so that
 * the tip joins its inbox row like any other. Its time is the step's (there is no SMSC).
 */
SQ(q_ussd_inbox, "INSERT INTO inbox (sender, smsc_time, received_at, text, coding, parts, "
                 "parts_total, complete, kind, channel, modem_location) VALUES (?1, ?2, ?2, ?3, "
                 "'utf8', 1, 1, 1, 'tip', 'ussd', 'ussd')");

int store_ussd_inbox_insert(const char *phone, const char *text, const char *at, int64_t *id)
{
	if (sq_run(sq_bind(&q_ussd_inbox, "sss", phone, at, text), "ussd inbox") < 0)
		return -1;
	*id = sq_last_id();
	return 0;
}

SQ(q_ussd_tip_channel, "UPDATE tips SET channel = 'ussd' WHERE ref = ?1 RETURNING id");

int store_ussd_tip_channel(const char *ref, int64_t *tip_id)
{
	int64_t v = sq_int(sq_bind(&q_ussd_tip_channel, "s", ref), "ussd tip channel");

	if (v < 0)
		return -1;
	*tip_id = v;
	return 0;
}
