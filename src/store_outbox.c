/* The store: the outbox, every state change of an outgoing message. Rules in store_int.h. */
#include "store_int.h"

#include "ts.h"

STORE_DOMAIN(outbox);

SQ(q_outbox_insert,
   "INSERT INTO outbox (recipient, text, priority, kind, inbox_id, created_at, "
   "not_before, updated_at, anonymous) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?8)");

int store_outbox_insert(const struct store_outbox_new *o, int64_t *id)
{
	char now[TS_LEN];

	ts_now(now);
	if (sq_run(sq_bind(&q_outbox_insert, "ssisNssi", o->recipient, o->text, o->priority,
	                   o->kind ? o->kind : "reply", o->inbox_id, now,
	                   o->not_before ? o->not_before : now, o->anonymous != 0),
	           "outbox insert") < 0)
		return -1;
	if (id != NULL)
		*id = sq_last_id();
	return 0;
}

static int outbox_rows(sqlite3_stmt *s, int (*fn)(const struct store_outbox_row *, void *),
                       void *arg)
{
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		struct store_outbox_row r = {
		    .id = sqlite3_column_int64(s, 0),
		    .recipient = sq_text(s, 1),
		    .text = sq_text(s, 2),
		    .status = sq_text(s, 3),
		    .priority = sqlite3_column_int(s, 4),
		    .kind = sq_text(s, 5),
		    .inbox_id = sqlite3_column_int64(s, 6),
		    .created_at = sq_text(s, 7),
		    .not_before = sq_text(s, 8),
		    .attempts = sqlite3_column_int(s, 9),
		    .parts = sqlite3_column_int(s, 10),
		    .last_error = sq_text(s, 11),
		    .sent_at = sq_text(s, 12),
		    .handovers = sqlite3_column_int(s, 13),
		    .anonymous = sqlite3_column_int(s, 14),
		};
		n++;
		if (fn(&r, arg) != 0)
			break;
	}
	return sq_rows_end(s, rc, "outbox", n);
}

#define OUTBOX_COLS                                                                                \
	"SELECT id, recipient, text, status, priority, kind, inbox_id, created_at, not_before, "   \
	"attempts, parts, last_error, sent_at, handovers, anonymous FROM outbox "

SQ(q_outbox_next, OUTBOX_COLS "WHERE status = 'queued' AND not_before <= ?1 ORDER BY priority, "
                              "not_before, id LIMIT 1");
/*
 * The next due row for a modem among several (issue 25; ?2, its name, is unused): the rows
 * it may take are those of its own network (?3), of an unknown network, of a network with no
 * modem up (?4 lists those that have one, ",viettel,"), or due since ?5 (on-net modems that
 * fell that far behind lose their claim); replies before broadcasts still, and on-net before
 * off-net within a priority. One modem keeps q_outbox_next, which the index outbox_due
 * answers without a sort.
 */
SQ(q_outbox_next_routed,
   OUTBOX_COLS "WHERE status = 'queued' AND not_before <= ?1 AND (tl_network(recipient) IS "
               "NULL OR tl_network(recipient) = ?3 OR instr(?4, ',' || tl_network(recipient) "
               "|| ',') = 0 OR not_before <= ?5) ORDER BY priority, "
               "tl_network(recipient) IS ?3 DESC, not_before, id LIMIT 1");

int store_outbox_next_for(const char *now, const struct store_route *rt,
                          int (*fn)(const struct store_outbox_row *, void *), void *arg)
{
	if (rt == NULL || rt->modem == NULL)
		return outbox_rows(sq_bind(&q_outbox_next, "s", now), fn, arg);
	return outbox_rows(sq_bind(&q_outbox_next_routed, "sssss", now, rt->modem, rt->network,
	                           rt->up, rt->patient_before),
	                   fn, arg);
}

int store_outbox_next(const char *now, int (*fn)(const struct store_outbox_row *, void *),
                      void *arg)
{
	return store_outbox_next_for(now, NULL, fn, arg);
}

SQ(q_outbox_each, OUTBOX_COLS "WHERE (?1 IS NULL OR status = ?1) ORDER BY id LIMIT ?2");

int store_outbox_each(const char *status, int limit,
                      int (*fn)(const struct store_outbox_row *, void *), void *arg)
{
	return outbox_rows(sq_bind(&q_outbox_each, "si", status, limit > 0 ? limit : -1), fn, arg);
}

SQ(q_outbox_sending, "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at "
                     "= ?2, modem = ?3 WHERE id = ?1 AND status = 'queued'");

int store_outbox_mark_sending_by(int64_t id, const char *modem)
{
	char now[TS_LEN];

	ts_now(now);
	return sq_run(sq_bind(&q_outbox_sending, "Iss", id, now, modem), "outbox sending");
}

int store_outbox_mark_sending(int64_t id)
{
	return store_outbox_mark_sending_by(id, NULL);
}

/*
 * An anonymous tipster's number may stay in the row only until the modem took the message
 * (sent, or given up): then it is erased, and the WAL scrubbed after the commit.
 */
SQ(q_outbox_forget,
   "UPDATE outbox SET recipient = '" STORE_ANONYMOUS "' WHERE id = ?1 AND "
   "anonymous = 1 AND status IN ('sent', 'failed') AND recipient <> '" STORE_ANONYMOUS "'");

static int forget_recipient(int64_t id)
{
	int n = sq_run(sq_bind(&q_outbox_forget, "I", id), "outbox forget");

	if (n > 0)
		sq_scrub_after_commit();
	return n < 0 ? -1 : 0;
}

SQ(q_outbox_sent, "UPDATE outbox SET status = 'sent', parts = ?2, sent_at = ?3, updated_at = "
                  "?3, last_error = NULL, handovers = handovers - ?4 WHERE id = ?1");

int store_outbox_mark_sent(int64_t id, int parts, int handed)
{
	char now[TS_LEN];

	ts_now(now);
	if (sq_run(sq_bind(&q_outbox_sent, "Iisi", id, parts, now, handed), "outbox sent") < 0)
		return -1;
	return forget_recipient(id);
}

SQ(q_outbox_retry, "UPDATE outbox SET status = 'queued', last_error = ?2, not_before = ?3, "
                   "updated_at = ?4, handovers = handovers - ?5 WHERE id = ?1");
SQ(q_outbox_failed, "UPDATE outbox SET status = 'failed', last_error = ?2, updated_at = ?4, "
                    "handovers = handovers - ?5 WHERE id = ?1");

int store_outbox_mark_error(int64_t id, const char *error, const char *retry_at, int handed)
{
	char now[TS_LEN];

	ts_now(now);
	/* ?3 is unused by the 'failed' statement: binding it anyway keeps one argument list. */
	if (sq_run(sq_bind(retry_at ? &q_outbox_retry : &q_outbox_failed, "Isssi", id, error,
	                   retry_at, now, handed),
	           "outbox error") < 0)
		return -1;
	return forget_recipient(id);
}

/*
 * Left in 'sending' by a crash: with a modem (?4), only its own rows, those of no modem and
 * those of a modem no longer configured (not in ?5, ",a,b,"): another modem's process may be
 * sending its row right now. Without (?4 NULL) all of them.
 */
#define RECOVER_WHOSE                                                                              \
	"(?4 IS NULL OR modem IS NULL OR modem = ?4 OR instr(?5, ',' || modem || ',') = 0)"
/* Left in 'sending' by a crash after enough cut-short hand-overs: not sent again. */
SQ(q_outbox_give_up,
   "UPDATE outbox SET status = 'sent', sent_at = ?1, updated_at = ?1, "
   "last_error = ?2 WHERE status = 'sending' AND handovers >= ?3 AND " RECOVER_WHOSE);
SQ(q_outbox_forget_all,
   "UPDATE outbox SET recipient = '" STORE_ANONYMOUS "' WHERE anonymous = "
   "1 AND status IN ('sent', 'failed') AND recipient <> '" STORE_ANONYMOUS "'");
SQ(q_outbox_recover, "UPDATE outbox SET status = 'queued', updated_at = ?1 WHERE status = "
                     "'sending' AND " RECOVER_WHOSE);

int store_outbox_recover_for(int max_handovers, const char *note, int *given_up, const char *modem,
                             const char *names)
{
	char now[TS_LEN];
	int n;

	ts_now(now);
	*given_up = 0;
	n = sq_run(sq_bind(&q_outbox_give_up, "ssiss", now, note, max_handovers, modem,
	                   names ? names : ""),
	           "outbox give up");
	if (n < 0)
		return -1;
	*given_up = n;
	if (n > 0) {
		int f = sq_run(sq_bind(&q_outbox_forget_all, ""), "outbox forget");

		if (f < 0)
			return -1;
		if (f > 0)
			sq_scrub_after_commit();
	}
	return sq_run(sq_bind(&q_outbox_recover, "ssiss", now, note, max_handovers, modem,
	                      names ? names : ""),
	              "outbox recover");
}

int store_outbox_recover(int max_handovers, const char *note, int *given_up)
{
	return store_outbox_recover_for(max_handovers, note, given_up, NULL, NULL);
}

SQ(q_outbox_handover, "UPDATE outbox SET handovers = handovers + 1, updated_at = ?2 WHERE id = "
                      "?1");

int store_outbox_mark_handover(int64_t id)
{
	char now[TS_LEN];

	ts_now(now);
	return sq_run(sq_bind(&q_outbox_handover, "Is", id, now), "outbox handover") < 0 ? -1 : 0;
}

SQ(q_outbox_delivery, "UPDATE outbox SET delivery = ?3, delivered_at = ?4 WHERE id = (SELECT id "
                      "FROM outbox WHERE recipient = ?1 AND msgref = ?2 AND status = 'sent' "
                      "ORDER BY sent_at DESC, id DESC LIMIT 1)");

int store_outbox_delivery(const char *recipient, int msgref, int delivered, const char *when)
{
	return sq_run(sq_bind(&q_outbox_delivery, "siss", recipient, msgref,
	                      delivered ? "delivered" : "failed", when),
	              "delivery");
}

SQ(q_outbox_msgref, "UPDATE outbox SET msgref = ?2 WHERE id = ?1");

int store_outbox_set_msgref(int64_t id, int msgref)
{
	return sq_run(sq_bind(&q_outbox_msgref, "Ii", id, msgref), "msgref") < 0 ? -1 : 0;
}

/* Not the anonymous ones: their recipient goes once sent, so handle.c counts them in memory. */
SQ(q_replies_since, "SELECT count(*) FROM outbox WHERE recipient = ?1 AND kind = 'reply' AND "
                    "created_at >= ?2 AND anonymous = 0");

int store_replies_since(const char *recipient, const char *since)
{
	return (int)sq_int(sq_bind(&q_replies_since, "ss", recipient, since), "replies");
}

SQ(q_modem_up, "SELECT count(*) FROM status a, status b WHERE a.key = 'modem.' || ?1 || "
               "'.modem' AND a.value = 'connected' AND b.key = 'modem.' || ?1 || '.heartbeat' "
               "AND b.value >= ?2");

int store_modem_up(const char *name, const char *now)
{
	return (int)sq_int(sq_bind(&q_modem_up, "ss", name, now), "modem up");
}

/* Issue 25: what went through modem NAME (no index: `tipline status` only). */
SQ(q_outbox_modem_counts, "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER "
                          "(WHERE status = 'sending') FROM outbox WHERE modem = ?1");

int store_outbox_modem_counts(const char *name, long *sent, long *sending)
{
	sqlite3_stmt *s = sq_bind(&q_outbox_modem_counts, "s", name);
	int rc;

	*sent = *sending = 0;
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		*sent = (long)sqlite3_column_int64(s, 0);
		*sending = (long)sqlite3_column_int64(s, 1);
	}
	return sq_rows_end(s, rc, "outbox modem counts", 1) < 0 ? -1 : 0;
}
