#include "store.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "schema.h"
#include "text.h"
#include "ts.h"

static sqlite3 *db;
static char errbuf[256];
static int last_rc;

/*
 * Every query the program runs, prepared once on first use and kept: a prepared statement
 * costs a parse, and the receive path runs the same few queries for every message.
 */
enum q {
	Q_INBOX_INSERT,
	Q_PART_INSERT,
	Q_PARTS_OPEN,
	Q_PARTS_LINK,
	Q_PARTS_STALE,
	Q_INBOX_GET,
	Q_INBOX_SINCE,
	Q_INBOX_COUNT,
	Q_INBOX_FIND,
	Q_OUTBOX_INSERT,
	Q_OUTBOX_NEXT,
	Q_OUTBOX_SENDING,
	Q_OUTBOX_SENT,
	Q_OUTBOX_RETRY,
	Q_OUTBOX_FAILED,
	Q_OUTBOX_RECOVER,
	Q_OUTBOX_EACH,
	Q_INBOX_KIND,
	Q_CONTACT_GET,
	Q_CONTACT_INSERT,
	Q_TEAM_ENSURE,
	Q_TIP_INSERT,
	Q_TIP_REF,
	Q_TIP_FIND,
	Q_TIP_SUPPLEMENT,
	Q_TIP_TOUCH,
	Q_PATROL_START,
	Q_PATROL_OPEN,
	Q_PATROL_END,
	Q_AWARENESS_INSERT,
	Q_MEDIATION_INSERT,
	Q_MEDIATION_REF,
	Q_REPLIES_SINCE,
	Q_LIST_CONTACTS,
	Q_LIST_TIPS,
	Q_LIST_TIP,
	Q_LIST_TIP_SUPPLEMENTS,
	Q_LIST_PATROLS,
	Q_LIST_BROADCASTS,
	Q_LIST_BROADCAST,
	Q_LIST_GROUP_MEMBERS,
	Q_LIST_GROUPS,
	Q_BROADCAST_INSERT,
	Q_BROADCAST_QUEUE,
	Q_BROADCAST_SET_COUNT,
	Q_GROUP_COUNT,
	Q_BROADCAST_DUE,
	Q_BROADCAST_ADVANCE,
	Q_BROADCAST_CANCEL,
	Q_BROADCAST_DROP,
	Q_BROADCAST_PROGRESS,
	Q_GROUP_ENSURE,
	Q_GROUP_MEMBER_ADD,
	Q_GROUP_MEMBER_RM,
	Q_GROUP_RM,
	Q_PIN_GET,
	Q_PIN_SET,
	Q_PIN_OK,
	Q_PIN_FAIL,
	Q_INBOX_REDACT,
	Q_PARTS_REDACT,
	Q_OUTBOX_DELIVERY,
	Q_OUTBOX_MSGREF,
	Q_OUTBOX_HANDOVER,
	Q_OUTBOX_GIVE_UP,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_COUNT
};

static const char *const sql[Q_INBOX_KIND] = {
    [Q_INBOX_INSERT] = "INSERT INTO inbox (sender, smsc_time, received_at, text, coding, smsc, "
                       "parts, parts_total, complete) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                       "ON CONFLICT DO NOTHING",
    [Q_PART_INSERT] =
        "INSERT INTO inbox_parts (sender, concat_ref, parts_total, seq, smsc_time, "
        "received_at, text, coding, smsc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
        "ON CONFLICT DO NOTHING",
    [Q_PARTS_OPEN] =
        "SELECT seq, smsc_time, text, coding, smsc FROM inbox_parts WHERE sender = ?1 "
        "AND concat_ref = ?2 AND parts_total = ?3 AND inbox_id IS NULL ORDER BY seq, id",
    [Q_PARTS_LINK] = "UPDATE inbox_parts SET inbox_id = ?4 WHERE sender = ?1 AND concat_ref = ?2 "
                     "AND parts_total = ?3 AND inbox_id IS NULL",
    [Q_PARTS_STALE] = "SELECT sender, concat_ref, parts_total FROM inbox_parts WHERE inbox_id IS "
                      "NULL GROUP BY sender, concat_ref, parts_total HAVING min(received_at) < ?1",
    [Q_INBOX_GET] = "SELECT id, sender, smsc_time, received_at, text, coding, parts, parts_total, "
                    "complete FROM inbox WHERE id = ?1",
    [Q_INBOX_SINCE] = "SELECT id, sender, smsc_time, received_at, text, coding, parts, "
                      "parts_total, complete FROM inbox WHERE received_at >= ?1 ORDER BY id "
                      "LIMIT ?2",
    [Q_INBOX_COUNT] = "SELECT count(*) FROM inbox",
    [Q_OUTBOX_INSERT] = "INSERT INTO outbox (recipient, text, priority, kind, inbox_id, "
                        "created_at, not_before, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                        "?6)",
    [Q_OUTBOX_NEXT] =
        "SELECT id, recipient, text, status, priority, kind, inbox_id, created_at, "
        "not_before, attempts, parts, last_error, sent_at, handovers FROM outbox "
        "WHERE status = 'queued' AND not_before <= ?1 ORDER BY priority, not_before, id LIMIT 1",
    [Q_OUTBOX_SENDING] = "UPDATE outbox SET status = 'sending', attempts = attempts + 1, "
                         "updated_at = ?2 WHERE id = ?1 AND status = 'queued'",
    [Q_OUTBOX_SENT] = "UPDATE outbox SET status = 'sent', parts = ?2, sent_at = ?3, updated_at = "
                      "?3, last_error = NULL, handovers = handovers - ?4 WHERE id = ?1",
    [Q_OUTBOX_RETRY] = "UPDATE outbox SET status = 'queued', last_error = ?2, not_before = ?3, "
                       "updated_at = ?4, handovers = handovers - ?5 WHERE id = ?1",
    [Q_OUTBOX_FAILED] = "UPDATE outbox SET status = 'failed', last_error = ?2, updated_at = ?4, "
                        "handovers = handovers - ?5 WHERE id = ?1",
    [Q_OUTBOX_RECOVER] = "UPDATE outbox SET status = 'queued', updated_at = ?1 WHERE status = "
                         "'sending'",
    [Q_OUTBOX_EACH] = "SELECT id, recipient, text, status, priority, kind, inbox_id, created_at, "
                      "not_before, attempts, parts, last_error, sent_at, handovers FROM outbox "
                      "WHERE (?1 IS NULL OR status = ?1) ORDER BY id LIMIT ?2",
};

static const char *const sql2[Q_LIST_BROADCASTS] = {
    [Q_INBOX_KIND] = "UPDATE inbox SET kind = ?2 WHERE id = ?1",
    [Q_CONTACT_GET] = "SELECT name, village, role, team, subscribed FROM contacts WHERE phone = ?1",
    [Q_CONTACT_INSERT] =
        "INSERT INTO contacts (phone, name, village, role, team, subscribed, "
        "created_at, updated_at) VALUES (?1, ?2, ?3, coalesce(?4, 'villager'), ?5, "
        "coalesce(?6, 1), ?7, ?7) ON CONFLICT (phone) DO UPDATE SET name = "
        "coalesce(?2, name), village = coalesce(?3, village), role = coalesce(?4, "
        "role), team = coalesce(?5, team), subscribed = coalesce(?6, subscribed), "
        "updated_at = ?7",
    [Q_TEAM_ENSURE] = "INSERT INTO teams (code, created_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    [Q_TIP_INSERT] = "INSERT INTO tips (inbox_id, sender, anonymous, category, text, structured, "
                     "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    [Q_TIP_REF] = "UPDATE tips SET ref = 'T' || id WHERE id = ?1 RETURNING ref",
    [Q_TIP_FIND] = "SELECT id FROM tips WHERE ref = ?1 AND sender = ?2",
    [Q_TIP_SUPPLEMENT] = "INSERT INTO tip_supplements (tip_id, inbox_id, text, created_at) VALUES "
                         "(?1, ?2, ?3, ?4)",
    [Q_TIP_TOUCH] = "UPDATE tips SET updated_at = ?2 WHERE id = ?1",
    [Q_PATROL_START] = "INSERT INTO patrols (team, leader, started_at, members, notes, "
                       "start_inbox_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_PATROL_OPEN] = "SELECT id, CAST(round((julianday(?2) - julianday(started_at)) * 1440) AS "
                      "INTEGER) FROM patrols WHERE team = ?1 AND ended_at IS NULL ORDER BY "
                      "started_at DESC, id DESC LIMIT 1",
    [Q_PATROL_END] = "UPDATE patrols SET ended_at = ?2, end_notes = ?3, end_inbox_id = ?4 WHERE "
                     "id = ?1",
    [Q_AWARENESS_INSERT] = "INSERT INTO awareness_sessions (inbox_id, reporter, team, "
                           "participants, notes, held_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_MEDIATION_INSERT] = "INSERT INTO mediations (inbox_id, reporter, team, notes, created_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_MEDIATION_REF] = "UPDATE mediations SET ref = 'H' || id WHERE id = ?1 RETURNING ref",
    [Q_REPLIES_SINCE] = "SELECT count(*) FROM outbox WHERE recipient = ?1 AND kind = 'reply' AND "
                        "created_at >= ?2",
    [Q_LIST_CONTACTS] = "SELECT phone, name, village, role, team, subscribed, created_at FROM "
                        "contacts WHERE ?1 IS NULL OR role = ?1 ORDER BY village, name, phone "
                        "LIMIT ?2",
    [Q_LIST_TIPS] = "SELECT t.ref, t.created_at, CASE WHEN t.anonymous THEN NULL ELSE t.sender END "
                    "AS sender, t.anonymous, t.category, t.structured, t.status, t.text, (SELECT "
                    "count(*) FROM tip_supplements s WHERE s.tip_id = t.id) AS supplements FROM "
                    "tips t WHERE ?1 IS NULL OR t.created_at >= ?1 ORDER BY t.id LIMIT ?2",
    [Q_LIST_TIP] = "SELECT t.ref, t.created_at, CASE WHEN t.anonymous THEN NULL ELSE t.sender END "
                   "AS sender, t.anonymous, t.category, t.structured, t.status, t.text, i.text AS "
                   "message, i.smsc_time FROM tips t JOIN inbox i ON i.id = t.inbox_id WHERE "
                   "t.ref = upper(?1) LIMIT ?2",
    [Q_LIST_TIP_SUPPLEMENTS] = "SELECT s.created_at, s.text FROM tip_supplements s JOIN tips t ON "
                               "t.id = s.tip_id WHERE t.ref = upper(?1) ORDER BY s.id LIMIT ?2",
    [Q_LIST_PATROLS] = "SELECT id, team, leader, started_at, ended_at, members, notes, end_notes "
                       "FROM patrols WHERE ?1 IS NULL OR started_at >= ?1 ORDER BY id LIMIT ?2",
};

/*
 * Who is in a group, by its folded name (?1): the derived groups (everyone, leaders, officers,
 * a team, a village) and the named ones. Only subscribed contacts ever get a broadcast.
 */
#define GROUP_MEMBERS                                                                              \
	" FROM contacts c WHERE c.subscribed = 1 AND (fold_key(?1) = 'tatca' OR (fold_key(?1) = "  \
	"'totruong' AND c.role = 'leader') OR (fold_key(?1) = 'canbo' AND c.role = 'officer') OR " \
	"fold_key(c.team) = fold_key(?1) OR 'thon' || fold_key(c.village) = fold_key(?1) OR "      \
	"fold_key(c.village) = fold_key(?1) OR c.phone IN (SELECT m.phone FROM group_members m "   \
	"WHERE fold_key(m.group_name) = fold_key(?1)))"

static const char *const sql3[] = {
    [Q_LIST_BROADCASTS] =
        "SELECT b.id, b.group_name AS \"group\", b.created_at, b.scheduled_at, "
        "b.every, b.next_run, b.status, b.parts, b.recipients, sum(o.status = "
        "'queued') AS queued, sum(o.status = 'sent') AS sent, sum(o.status = "
        "'failed') AS failed, sum(o.delivery = 'delivered') AS delivered, b.text "
        "FROM broadcasts b LEFT JOIN outbox o ON o.broadcast_id = b.id WHERE ?1 IS "
        "NULL OR ?1 IS NOT NULL GROUP BY b.id ORDER BY b.id LIMIT ?2",
    [Q_LIST_BROADCAST] =
        "SELECT b.id, b.group_name AS \"group\", b.created_by, b.created_at, "
        "b.scheduled_at, b.every, b.next_run, b.status, b.ucs2, b.parts, "
        "b.recipients, count(o.id) AS messages, sum(o.status = 'queued') AS "
        "queued, sum(o.status = 'sending') AS sending, sum(o.status = 'sent') AS "
        "sent, sum(o.status = 'failed') AS failed, sum(o.status = 'cancelled') AS "
        "cancelled, sum(o.delivery = 'delivered') AS delivered, sum(o.delivery = "
        "'failed') AS undelivered, b.text, b.sent_text FROM broadcasts b LEFT JOIN "
        "outbox o ON o.broadcast_id = b.id WHERE b.id = ?1 GROUP BY b.id LIMIT ?2",
    [Q_LIST_GROUP_MEMBERS] = "SELECT c.phone, c.name, c.village, c.role, c.team" GROUP_MEMBERS
                             " ORDER BY c.phone LIMIT ?2",
    [Q_LIST_GROUPS] = "SELECT g.name, count(m.phone) AS members FROM groups g LEFT JOIN "
                      "group_members m ON m.group_name = g.name WHERE ?1 IS NULL OR ?1 IS NOT NULL "
                      "GROUP BY g.name ORDER BY g.name LIMIT ?2",
    [Q_BROADCAST_INSERT] = "INSERT INTO broadcasts (group_name, text, sent_text, ucs2, parts, "
                           "recipients, created_by, created_at, scheduled_at, every, next_run, "
                           "inbox_id) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9, CASE ?9 WHEN "
                           "'day' THEN datetime(?8, '+1 day') WHEN 'week' THEN datetime(?8, '+7 "
                           "days') WHEN 'month' THEN datetime(?8, '+1 month') END, ?10)",
    [Q_BROADCAST_QUEUE] = "INSERT INTO outbox (recipient, text, priority, kind, created_at, "
                          "not_before, updated_at, broadcast_id) SELECT c.phone, ?2, 10, "
                          "'broadcast', ?3, ?4, ?3, ?5" GROUP_MEMBERS,
    [Q_BROADCAST_SET_COUNT] = "UPDATE broadcasts SET recipients = ?2 WHERE id = ?1",
    [Q_GROUP_COUNT] = "SELECT count(*)" GROUP_MEMBERS,
    [Q_BROADCAST_DUE] = "SELECT id, group_name, sent_text, next_run FROM broadcasts WHERE status "
                        "= 'active' AND next_run IS NOT NULL AND next_run <= ?1 ORDER BY id",
    [Q_BROADCAST_ADVANCE] = "UPDATE broadcasts SET next_run = CASE every WHEN 'day' THEN "
                            "datetime(next_run, '+1 day') WHEN 'week' THEN datetime(next_run, '+7 "
                            "days') ELSE datetime(next_run, '+1 month') END WHERE id = ?1",
    [Q_BROADCAST_CANCEL] = "UPDATE broadcasts SET status = 'cancelled', next_run = NULL WHERE id "
                           "= ?1",
    [Q_BROADCAST_DROP] = "UPDATE outbox SET status = 'cancelled', updated_at = ?2 WHERE "
                         "broadcast_id = ?1 AND status = 'queued'",
    [Q_BROADCAST_PROGRESS] = "SELECT count(*), sum(status IN ('queued', 'sending')), sum(status = "
                             "'sent'), sum(status = 'failed') FROM outbox WHERE broadcast_id = ?1",
    [Q_GROUP_ENSURE] = "INSERT INTO groups (name, created_at) VALUES (upper(?1), ?2) ON CONFLICT "
                       "DO NOTHING",
    [Q_GROUP_MEMBER_ADD] = "INSERT INTO group_members (group_name, phone) VALUES (upper(?1), ?2) "
                           "ON CONFLICT DO NOTHING",
    [Q_GROUP_MEMBER_RM] = "DELETE FROM group_members WHERE group_name = upper(?1) AND phone = ?2",
    [Q_GROUP_RM] = "DELETE FROM groups WHERE name = upper(?1)",
    [Q_PIN_GET] = "SELECT pin_hash, pin_failures, locked_until FROM contacts WHERE phone = ?1",
    [Q_PIN_SET] = "UPDATE contacts SET pin_hash = ?2, pin_failures = 0, locked_until = NULL, "
                  "updated_at = ?3 WHERE phone = ?1",
    [Q_PIN_OK] = "UPDATE contacts SET pin_failures = 0, locked_until = NULL WHERE phone = ?1",
    [Q_PIN_FAIL] = "UPDATE contacts SET pin_failures = pin_failures + 1, locked_until = CASE WHEN "
                   "pin_failures + 1 >= ?2 THEN ?3 ELSE locked_until END WHERE phone = ?1",
    [Q_INBOX_REDACT] = "UPDATE inbox SET text = ?2 WHERE id = ?1",
    [Q_PARTS_REDACT] = "UPDATE inbox_parts SET text = '[redacted]' WHERE inbox_id = ?1",
    [Q_OUTBOX_DELIVERY] = "UPDATE outbox SET delivery = ?3, delivered_at = ?4 WHERE id = (SELECT "
                          "id FROM outbox WHERE recipient = ?1 AND msgref = ?2 AND status = 'sent' "
                          "ORDER BY sent_at DESC, id DESC LIMIT 1)",
    [Q_OUTBOX_MSGREF] = "UPDATE outbox SET msgref = ?2 WHERE id = ?1",
    [Q_OUTBOX_HANDOVER] = "UPDATE outbox SET handovers = handovers + 1, updated_at = ?2 WHERE id = "
                          "?1",
    /* Left in 'sending' by a crash after enough cut-short hand-overs: not sent again. */
    [Q_OUTBOX_GIVE_UP] = "UPDATE outbox SET status = 'sent', sent_at = ?1, updated_at = ?1, "
                         "last_error = ?2 WHERE status = 'sending' AND handovers >= ?3",
    /* Prepared once like the rest: receive marks one per message. */
    [Q_SAVEPOINT] = "SAVEPOINT one",
    [Q_RELEASE] = "RELEASE one",
};

static sqlite3_stmt *stmts[Q_COUNT];

static int fail(const char *what)
{
	last_rc = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
	snprintf(errbuf, sizeof errbuf, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
	return -1;
}

const char *store_errmsg(void)
{
	return errbuf;
}

int store_error_is_storage(void)
{
	switch (last_rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return 1;
	default:
		return 0;
	}
}

/* The cached statement for Q, reset and with bindings cleared; NULL on error. */
static sqlite3_stmt *stmt(enum q q)
{
	if (stmts[q] == NULL) {
		const char *text = q < Q_INBOX_KIND        ? sql[q]
		                   : q < Q_LIST_BROADCASTS ? sql2[q]
		                                           : sql3[q];

		if (sqlite3_prepare_v3(db, text, -1, SQLITE_PREPARE_PERSISTENT, &stmts[q], NULL) !=
		    SQLITE_OK) {
			fail("prepare");
			return NULL;
		}
	}
	sqlite3_reset(stmts[q]);
	sqlite3_clear_bindings(stmts[q]);
	return stmts[q];
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int exec(const char *q)
{
	char *msg = NULL;

	if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK) {
		last_rc = sqlite3_extended_errcode(db);
		snprintf(errbuf, sizeof errbuf, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* After a loop of sqlite3_step: reset S and return N, or -1 (error kept) if the last step
 * failed. RC is that step's result; SQLITE_ROW means the caller stopped early. */
static int rows_end(sqlite3_stmt *s, int rc, const char *what, int n)
{
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : fail(what);
}

/* Run a statement that returns no rows. Returns the number of changed rows, or -1. */
static int run(sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		fail(what);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return sqlite3_changes(db);
}

static int user_version(void)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	else
		fail("user_version");
	sqlite3_finalize(s);
	return v;
}

int store_schema_version(void)
{
	return user_version();
}

/*
 * Apply the schema steps above PRAGMA user_version, each in its own transaction. The version
 * is read again inside the write lock: the daemon and the CLI may both start on a new file.
 */
static int migrate(void)
{
	int newest = schema_nsteps > 0 ? schema_steps[schema_nsteps - 1].version : 0;

	for (int i = 0; i < schema_nsteps; i++) {
		const struct schema_step *st = &schema_steps[i];
		char pragma[48];
		int have;

		if (exec("BEGIN IMMEDIATE") < 0)
			return -1;
		have = user_version();
		if (have < 0 || have > newest) {
			if (have > newest)
				snprintf(errbuf, sizeof errbuf,
				         "the database has schema version %d, newer than this "
				         "program's %d",
				         have, newest);
			exec("ROLLBACK");
			return -1;
		}
		if (st->version <= have) {
			exec("COMMIT");
			continue;
		}
		/* PRAGMA takes no bound parameters; the number is our own compiled-in constant. */
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", st->version);
		if (exec(st->sql) < 0 || exec(pragma) < 0) {
			char why[256];

			snprintf(why, sizeof why, "%s", errbuf);
			snprintf(errbuf, sizeof errbuf, "schema %.40s: %.200s", st->name, why);
			exec("ROLLBACK");
			return -1;
		}
		if (exec("COMMIT") < 0)
			return -1;
		log_info("database upgraded to schema %s", st->name);
	}
	return 0;
}

/*
 * fold_key(x): x folded (case, Vietnamese diacritics, đ → d) with everything but letters and
 * digits dropped, so "Thôn 3", "THON3" and "thon-3" are one group name. NULL stays NULL.
 */
static void fold_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *in = (const char *)sqlite3_value_text(argv[0]);
	char buf[256];
	size_t n, k = 0;

	if (in == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	n = text_fold(in, (size_t)sqlite3_value_bytes(argv[0]), buf, sizeof buf);
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (unsigned char)c >= 0x80)
			buf[k++] = c;
	}
	sqlite3_result_text(ctx, buf, (int)k, SQLITE_TRANSIENT);
}

/*
 * Switch to WAL. Changing the journal mode needs an exclusive lock, and SQLite does not call
 * the busy handler for it, so when the daemon and the CLI open a new file at the same moment
 * one of them gets SQLITE_BUSY at once: retry for up to the busy timeout.
 */
static int set_wal(int timeout_ms)
{
	struct timespec pause = {0, 10 * 1000 * 1000};

	for (int waited = 0;; waited += 10) {
		if (exec("PRAGMA journal_mode = WAL") == 0)
			return 0;
		if ((last_rc & 0xff) != SQLITE_BUSY || waited >= timeout_ms)
			return -1;
		nanosleep(&pause, NULL);
	}
}

int store_open(const struct database_config *cfg)
{
	if (sqlite3_open_v2(cfg->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fail(cfg->path);
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, cfg->busy_timeout);
	sqlite3_create_function(db, "fold_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                        fold_key_fn, NULL, NULL);
	/*
	 * WAL lets the CLI read while the daemon writes; synchronous=FULL makes every commit
	 * durable before we delete the message from the modem (NORMAL could lose the last
	 * commits on power loss, which is exactly when a message would be lost).
	 */
	if (set_wal(cfg->busy_timeout) < 0 || exec("PRAGMA synchronous = FULL") < 0 ||
	    exec("PRAGMA foreign_keys = ON") < 0)
		goto fail;
	if (migrate() < 0)
		goto fail;
	return 0;
fail:
	log_warnx("database %s: %s", cfg->path, errbuf);
	store_close();
	return -1;
}

void store_close(void)
{
	for (int i = 0; i < Q_COUNT; i++) {
		sqlite3_finalize(stmts[i]);
		stmts[i] = NULL;
	}
	if (db != NULL)
		sqlite3_close(db);
	db = NULL;
}

int store_begin(void)
{
	return exec("BEGIN IMMEDIATE");
}

int store_commit(void)
{
	if (exec("COMMIT") < 0) {
		store_rollback();
		return -1;
	}
	return 0;
}

int store_savepoint(void)
{
	return run(stmt(Q_SAVEPOINT), "savepoint") < 0 ? -1 : 0;
}

int store_release(void)
{
	return run(stmt(Q_RELEASE), "release") < 0 ? -1 : 0;
}

int store_rollback_to_savepoint(void)
{
	/* ROLLBACK TO keeps the savepoint open: release it too, leaving the transaction as it
	 * was before store_savepoint(). The error of the failed statement is kept for callers. */
	int saved = last_rc, ret = 0;
	char keep[sizeof errbuf];

	memcpy(keep, errbuf, sizeof keep);
	if (exec("ROLLBACK TO one") < 0 || exec("RELEASE one") < 0)
		ret = -1;
	if (ret == 0) {
		last_rc = saved;
		memcpy(errbuf, keep, sizeof keep);
	}
	return ret;
}

void store_rollback(void)
{
	if (db != NULL && !sqlite3_get_autocommit(db)) {
		int saved = last_rc;
		char keep[sizeof errbuf];

		memcpy(keep, errbuf, sizeof keep);
		exec("ROLLBACK");
		last_rc = saved;
		memcpy(errbuf, keep, sizeof keep);
	}
}

static sqlite3_stmt *bindv(enum q q, const char *types, ...);

int store_inbox_insert(const struct store_msg *m, int64_t *id)
{
	sqlite3_stmt *s =
	    bindv(Q_INBOX_INSERT, "ssssssiii", m->sender, m->smsc_time, m->received_at, m->text,
	          m->coding, m->smsc, m->parts, m->parts_total, m->complete);
	int n;

	if (s == NULL || (n = run(s, "inbox insert")) < 0)
		return -1;
	if (n == 0)
		return 0;
	*id = sqlite3_last_insert_rowid(db);
	return 1;
}

int store_part_insert(const struct store_part *p)
{
	sqlite3_stmt *s =
	    bindv(Q_PART_INSERT, "siiisssss", p->sender, p->concat_ref, p->parts_total, p->seq,
	          p->smsc_time, p->received_at, p->text, p->coding, p->smsc);
	int n;

	if (s == NULL || (n = run(s, "part insert")) < 0)
		return -1;
	return n > 0;
}

static int inbox_find(const char *sender, const char *smsc_time, const char *text, int64_t *id)
{
	sqlite3_stmt *s = stmt(Q_INBOX_FIND);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, sender);
	bind_text(s, 2, smsc_time);
	bind_text(s, 3, text);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return fail("inbox find");
	return 0;
}

int store_parts_assemble(const char *sender, int ref, int total, int force, int64_t *id)
{
	sqlite3_stmt *s = stmt(Q_PARTS_OPEN);
	char *text = NULL, *first_time = NULL, *coding = NULL, *smsc = NULL;
	size_t len = 0, cap = 0;
	int have = 0, last_seq = 0, rc, ret = -1;
	char now[20];

	if (s == NULL)
		return -1;
	bind_text(s, 1, sender);
	sqlite3_bind_int(s, 2, ref);
	sqlite3_bind_int(s, 3, total);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int seq = sqlite3_column_int(s, 0);
		const char *t = (const char *)sqlite3_column_text(s, 2);
		size_t tl = (size_t)sqlite3_column_bytes(s, 2);

		if (seq == last_seq) /* the same part twice (a different SMSC time): keep one */
			continue;
		last_seq = seq;
		if (first_time == NULL) {
			first_time = strdup((const char *)sqlite3_column_text(s, 1));
			coding = strdup((const char *)sqlite3_column_text(s, 3));
			smsc = sqlite3_column_type(s, 4) == SQLITE_NULL
			           ? NULL
			           : strdup((const char *)sqlite3_column_text(s, 4));
			if (first_time == NULL || coding == NULL) {
				snprintf(errbuf, sizeof errbuf, "out of memory");
				goto out;
			}
		}
		if (len + tl + 1 > cap) {
			size_t ncap = (len + tl + 1) * 2;
			char *nt = realloc(text, ncap);

			if (nt == NULL) {
				snprintf(errbuf, sizeof errbuf, "out of memory");
				goto out;
			}
			text = nt;
			cap = ncap;
		}
		if (tl > 0)
			memcpy(text + len, t, tl);
		len += tl;
		text[len] = '\0';
		have++;
	}
	if (rc != SQLITE_DONE) {
		fail("parts");
		goto out;
	}
	sqlite3_reset(s);
	if (have == 0 || (have < total && !force)) {
		ret = 0;
		goto out;
	}
	ts_now(now);
	{
		struct store_msg m = {sender, first_time, now,   text,         coding,
		                      smsc,   have,       total, have >= total};
		int64_t link_id = 0;
		int r = store_inbox_insert(&m, &link_id);

		if (r < 0)
			goto out;
		if (r == 0) {
			/*
			 * The same text from the same sender with the same time is already a row:
			 * link the parts to it so that the group is closed, and report nothing new.
			 */
			if (inbox_find(sender, first_time, text, &link_id) < 0)
				goto out;
		}
		s = stmt(Q_PARTS_LINK);
		if (s == NULL)
			goto out;
		bind_text(s, 1, sender);
		sqlite3_bind_int(s, 2, ref);
		sqlite3_bind_int(s, 3, total);
		sqlite3_bind_int64(s, 4, link_id);
		if (run(s, "parts link") < 0)
			goto out;
		*id = link_id;
		ret = r;
	}
out:
	sqlite3_reset(stmts[Q_PARTS_OPEN]);
	free(text);
	free(first_time);
	free(coding);
	free(smsc);
	return ret;
}

int store_parts_stale(const char *before, int (*fn)(const char *, int, int, void *), void *arg)
{
	sqlite3_stmt *s = stmt(Q_PARTS_STALE);
	int rc, n = 0;

	if (s == NULL)
		return -1;
	bind_text(s, 1, before);
	/* Collect first: fn writes to the same table, which must not happen mid-scan. */
	struct group {
		char sender[64];
		int ref, total;
	} groups[64];
	int ng = 0;

	while (ng < 64 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		snprintf(groups[ng].sender, sizeof groups[ng].sender, "%s",
		         (const char *)sqlite3_column_text(s, 0));
		groups[ng].ref = sqlite3_column_int(s, 1);
		groups[ng].total = sqlite3_column_int(s, 2);
		ng++;
	}
	if (ng < 64 && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		return fail("stale parts");
	}
	sqlite3_reset(s);
	for (int i = 0; i < ng; i++) {
		n++;
		if (fn(groups[i].sender, groups[i].ref, groups[i].total, arg) != 0)
			break;
	}
	return n;
}

static int inbox_rows(sqlite3_stmt *s, int (*fn)(const struct inbox_row *, void *), void *arg)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct inbox_row r = {
		    .id = sqlite3_column_int64(s, 0),
		    .sender = (const char *)sqlite3_column_text(s, 1),
		    .smsc_time = (const char *)sqlite3_column_text(s, 2),
		    .received_at = (const char *)sqlite3_column_text(s, 3),
		    .text = (const char *)sqlite3_column_text(s, 4),
		    .coding = (const char *)sqlite3_column_text(s, 5),
		    .parts = sqlite3_column_int(s, 6),
		    .parts_total = sqlite3_column_int(s, 7),
		    .complete = sqlite3_column_int(s, 8),
		};
		n++;
		if (fn(&r, arg) != 0)
			break;
	}
	return rows_end(s, rc, "inbox", n);
}

int store_inbox_get(int64_t id, int (*fn)(const struct inbox_row *, void *), void *arg)
{
	sqlite3_stmt *s = bindv(Q_INBOX_GET, "I", id);

	return s == NULL ? -1 : inbox_rows(s, fn, arg);
}

int store_inbox_each(const char *since, int limit, int (*fn)(const struct inbox_row *, void *),
                     void *arg)
{
	sqlite3_stmt *s = bindv(Q_INBOX_SINCE, "si", since ? since : "", limit > 0 ? limit : -1);

	return s == NULL ? -1 : inbox_rows(s, fn, arg);
}

int64_t store_inbox_count(void)
{
	sqlite3_stmt *s = stmt(Q_INBOX_COUNT);
	int64_t n = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	else
		fail("inbox count");
	sqlite3_reset(s);
	return n;
}

int store_outbox_insert(const struct outbox_new *o, int64_t *id)
{
	sqlite3_stmt *s = stmt(Q_OUTBOX_INSERT);
	char now[20];

	if (s == NULL)
		return -1;
	ts_now(now);
	bind_text(s, 1, o->recipient);
	bind_text(s, 2, o->text);
	sqlite3_bind_int(s, 3, o->priority);
	bind_text(s, 4, o->kind ? o->kind : "reply");
	if (o->inbox_id > 0)
		sqlite3_bind_int64(s, 5, o->inbox_id);
	bind_text(s, 6, now);
	bind_text(s, 7, o->not_before ? o->not_before : now);
	if (run(s, "outbox insert") < 0)
		return -1;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(db);
	return 0;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NULL
	                                                : (const char *)sqlite3_column_text(s, i);
}

static int outbox_rows(sqlite3_stmt *s, int (*fn)(const struct outbox_row *, void *), void *arg)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct outbox_row r = {
		    .id = sqlite3_column_int64(s, 0),
		    .recipient = col_text(s, 1),
		    .text = col_text(s, 2),
		    .status = col_text(s, 3),
		    .priority = sqlite3_column_int(s, 4),
		    .kind = col_text(s, 5),
		    .inbox_id = sqlite3_column_int64(s, 6),
		    .created_at = col_text(s, 7),
		    .not_before = col_text(s, 8),
		    .attempts = sqlite3_column_int(s, 9),
		    .parts = sqlite3_column_int(s, 10),
		    .last_error = col_text(s, 11),
		    .sent_at = col_text(s, 12),
		    .handovers = sqlite3_column_int(s, 13),
		};
		n++;
		if (fn(&r, arg) != 0)
			break;
	}
	return rows_end(s, rc, "outbox", n);
}

int store_outbox_next(const char *now, int (*fn)(const struct outbox_row *, void *), void *arg)
{
	sqlite3_stmt *s = bindv(Q_OUTBOX_NEXT, "s", now);

	return s == NULL ? -1 : outbox_rows(s, fn, arg);
}

int store_outbox_each(const char *status, int limit, int (*fn)(const struct outbox_row *, void *),
                      void *arg)
{
	sqlite3_stmt *s = bindv(Q_OUTBOX_EACH, "si", status, limit > 0 ? limit : -1);

	return s == NULL ? -1 : outbox_rows(s, fn, arg);
}

int store_outbox_mark_sending(int64_t id)
{
	sqlite3_stmt *s = stmt(Q_OUTBOX_SENDING);
	char now[20];

	if (s == NULL)
		return -1;
	ts_now(now);
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, now);
	return run(s, "outbox sending") < 0 ? -1 : 0;
}

int store_outbox_mark_sent(int64_t id, int parts, int handed)
{
	char now[20];

	ts_now(now);
	return run(bindv(Q_OUTBOX_SENT, "Iisi", id, parts, now, handed), "outbox sent") < 0 ? -1
	                                                                                    : 0;
}

int store_outbox_mark_error(int64_t id, const char *error, const char *retry_at, int handed)
{
	char now[20];

	ts_now(now);
	/* ?3 is unused by the 'failed' statement: binding it anyway keeps one argument list. */
	return run(bindv(retry_at ? Q_OUTBOX_RETRY : Q_OUTBOX_FAILED, "Isssi", id, error, retry_at,
	                 now, handed),
	           "outbox error") < 0
	           ? -1
	           : 0;
}

int store_outbox_recover(int max_handovers, const char *note, int *given_up)
{
	char now[20];
	int n;

	ts_now(now);
	*given_up = 0;
	if (store_begin() < 0)
		return -1;
	n = run(bindv(Q_OUTBOX_GIVE_UP, "ssi", now, note, max_handovers), "outbox give up");
	if (n < 0)
		goto fail;
	*given_up = n;
	n = run(bindv(Q_OUTBOX_RECOVER, "s", now), "outbox recover");
	if (n < 0 || store_commit() < 0)
		goto fail;
	return n;
fail:
	store_rollback();
	return -1;
}

int store_synchronous(void)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (db != NULL && sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int store_outbox_mark_handover(int64_t id, int sync)
{
	char now[20];
	int r;

	ts_now(now);
	/* synchronous = OFF for this one statement: the WAL frame is written but not fsynced. A
	 * killed process leaves it in the page cache for the next one; the next FULL commit syncs
	 * it along with its own. */
	if (!sync && exec("PRAGMA synchronous = OFF") < 0)
		return -1;
	r = run(bindv(Q_OUTBOX_HANDOVER, "Is", id, now), "outbox handover");
	if (!sync && exec("PRAGMA synchronous = FULL") < 0)
		r = -1;
	return r < 0 ? -1 : 0;
}

/*
 * Bind arguments by a type string: 's' text (NULL → SQL NULL), 'i' int, 'l' long,
 * 'I' int64, 'L' long where a negative value means SQL NULL. Returns the statement or NULL.
 */
static sqlite3_stmt *bindv(enum q q, const char *types, ...)
{
	sqlite3_stmt *s = stmt(q);
	va_list ap;
	int i = 1;

	if (s == NULL)
		return NULL;
	va_start(ap, types);
	for (const char *t = types; *t != '\0'; t++, i++) {
		switch (*t) {
		case 's':
			bind_text(s, i, va_arg(ap, const char *));
			break;
		case 'i':
			sqlite3_bind_int(s, i, va_arg(ap, int));
			break;
		case 'l':
			sqlite3_bind_int64(s, i, va_arg(ap, long));
			break;
		case 'L': {
			long v = va_arg(ap, long);

			if (v < 0)
				sqlite3_bind_null(s, i);
			else
				sqlite3_bind_int64(s, i, v);
			break;
		}
		case 'I':
			sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		default:
			break;
		}
	}
	va_end(ap);
	return s;
}

/* Step a statement that returns one text column (RETURNING ref) into out. */
static int returning_ref(sqlite3_stmt *s, char out[16])
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		snprintf(out, 16, "%s", (const char *)sqlite3_column_text(s, 0));
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return fail("ref");
	return 0;
}

int store_inbox_set_kind(int64_t id, const char *kind)
{
	sqlite3_stmt *s = bindv(Q_INBOX_KIND, "Is", id, kind);

	return s == NULL || run(s, "inbox kind") < 0 ? -1 : 0;
}

static void copy_col(sqlite3_stmt *s, int i, char *out, size_t sz)
{
	const char *v = col_text(s, i);

	snprintf(out, sz, "%s", v ? v : "");
}

int store_contact_get(const char *phone, struct contact *c)
{
	sqlite3_stmt *s = bindv(Q_CONTACT_GET, "s", phone);
	int rc;

	memset(c, 0, sizeof *c);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->found = 1;
		copy_col(s, 0, c->name, sizeof c->name);
		copy_col(s, 1, c->village, sizeof c->village);
		copy_col(s, 2, c->role, sizeof c->role);
		copy_col(s, 3, c->team, sizeof c->team);
		c->subscribed = sqlite3_column_int(s, 4);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail("contact");
	return 0;
}

int store_contact_upsert(const char *phone, const char *name, const char *village, const char *role,
                         const char *team, int subscribed)
{
	sqlite3_stmt *s;
	char now[20];

	ts_now(now);
	if (team != NULL && team[0] != '\0') {
		s = bindv(Q_TEAM_ENSURE, "ss", team, now);
		if (s == NULL || run(s, "team") < 0)
			return -1;
	}
	s = bindv(Q_CONTACT_INSERT, "sssssLs", phone, name, village, role, team, (long)subscribed,
	          now);
	return s == NULL || run(s, "contact") < 0 ? -1 : 0;
}

int store_tip_insert(int64_t inbox_id, const char *sender, int anonymous, const char *category,
                     const char *text, int structured, char ref[16])
{
	char now[20];
	sqlite3_stmt *s;

	ts_now(now);
	s = bindv(Q_TIP_INSERT, "Isissis", inbox_id, sender, anonymous, category, text, structured,
	          now);
	if (s == NULL || run(s, "tip") < 0)
		return -1;
	s = bindv(Q_TIP_REF, "I", (int64_t)sqlite3_last_insert_rowid(db));
	return s == NULL ? -1 : returning_ref(s, ref);
}

int store_tip_find(const char *ref, const char *sender, int64_t *tip_id)
{
	sqlite3_stmt *s = bindv(Q_TIP_FIND, "ss", ref, sender);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*tip_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail("tip find");
	return rc == SQLITE_ROW;
}

int store_tip_supplement(int64_t tip_id, int64_t inbox_id, const char *text)
{
	char now[20];
	sqlite3_stmt *s;

	ts_now(now);
	s = bindv(Q_TIP_SUPPLEMENT, "IIss", tip_id, inbox_id, text, now);
	if (s == NULL || run(s, "supplement") < 0)
		return -1;
	s = bindv(Q_TIP_TOUCH, "Is", tip_id, now);
	return s == NULL || run(s, "tip touch") < 0 ? -1 : 0;
}

int store_patrol_start(const char *team, const char *leader, long members, const char *notes,
                       int64_t inbox_id, const char *at)
{
	sqlite3_stmt *s = bindv(Q_TEAM_ENSURE, "ss", team, at);

	if (s == NULL || run(s, "team") < 0)
		return -1;
	s = bindv(Q_PATROL_START, "sssLsI", team, leader, at, members, notes, inbox_id);
	return s == NULL || run(s, "patrol") < 0 ? -1 : 0;
}

int store_patrol_end(const char *team, const char *notes, int64_t inbox_id, const char *at,
                     long *minutes)
{
	sqlite3_stmt *s = bindv(Q_PATROL_OPEN, "ss", team, at);
	int64_t id = 0;
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		*minutes = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return fail("patrol open");
	s = bindv(Q_PATROL_END, "IssI", id, at, notes, inbox_id);
	return s == NULL || run(s, "patrol end") < 0 ? -1 : 1;
}

int store_awareness_insert(int64_t inbox_id, const char *reporter, const char *team,
                           long participants, const char *notes, const char *at)
{
	sqlite3_stmt *s =
	    bindv(Q_AWARENESS_INSERT, "Isslss", inbox_id, reporter, team, participants, notes, at);

	return s == NULL || run(s, "awareness") < 0 ? -1 : 0;
}

int store_mediation_insert(int64_t inbox_id, const char *reporter, const char *team,
                           const char *notes, const char *at, char ref[16])
{
	sqlite3_stmt *s = bindv(Q_MEDIATION_INSERT, "Issss", inbox_id, reporter, team, notes, at);

	if (s == NULL || run(s, "mediation") < 0)
		return -1;
	s = bindv(Q_MEDIATION_REF, "I", (int64_t)sqlite3_last_insert_rowid(db));
	return s == NULL ? -1 : returning_ref(s, ref);
}

int store_replies_since(const char *recipient, const char *since)
{
	sqlite3_stmt *s = bindv(Q_REPLIES_SINCE, "ss", recipient, since);
	int n = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	else
		fail("replies");
	sqlite3_reset(s);
	return n;
}

int store_list(enum store_list which, const char *arg, int limit,
               int (*fn)(const struct store_row *r, void *ctx), void *ctx)
{
	static const enum q qs[LIST_COUNT] = {
	    [LIST_CONTACTS] = Q_LIST_CONTACTS,
	    [LIST_TIPS] = Q_LIST_TIPS,
	    [LIST_TIP] = Q_LIST_TIP,
	    [LIST_TIP_SUPPLEMENTS] = Q_LIST_TIP_SUPPLEMENTS,
	    [LIST_PATROLS] = Q_LIST_PATROLS,
	    [LIST_BROADCASTS] = Q_LIST_BROADCASTS,
	    [LIST_BROADCAST] = Q_LIST_BROADCAST,
	    [LIST_GROUP_MEMBERS] = Q_LIST_GROUP_MEMBERS,
	    [LIST_GROUPS] = Q_LIST_GROUPS,
	};
	sqlite3_stmt *s = bindv(qs[which], "si", arg, limit > 0 ? limit : -1);
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_row r;

		r.n = sqlite3_column_count(s);
		if (r.n > STORE_MAX_COLS)
			r.n = STORE_MAX_COLS;
		for (int i = 0; i < r.n; i++) {
			int t = sqlite3_column_type(s, i);

			r.name[i] = sqlite3_column_name(s, i);
			r.val[i] =
			    t == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(s, i);
			r.numeric[i] = t == SQLITE_INTEGER || t == SQLITE_FLOAT;
		}
		n++;
		if (fn(&r, ctx) != 0)
			break;
	}
	return rows_end(s, rc, "list", n);
}

int store_broadcast_create(const struct broadcast_new *b, int64_t *id, int *recipients)
{
	char now[20];
	const char *at;
	sqlite3_stmt *s;
	int n;

	ts_now(now);
	at = b->scheduled_at ? b->scheduled_at : now;
	s = bindv(Q_BROADCAST_INSERT, "sssiisssss", b->group, b->text, b->sent_text, b->ucs2,
	          b->parts, b->created_by, now, at, b->every, NULL);
	if (s == NULL)
		return -1;
	if (b->inbox_id > 0)
		sqlite3_bind_int64(s, 10, b->inbox_id);
	if (run(s, "broadcast") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(db);
	s = bindv(Q_BROADCAST_QUEUE, "ssssI", b->group, b->sent_text, now, at, *id);
	if (s == NULL || (n = run(s, "broadcast queue")) < 0)
		return -1;
	*recipients = n;
	s = bindv(Q_BROADCAST_SET_COUNT, "Ii", *id, n);
	return s == NULL || run(s, "broadcast count") < 0 ? -1 : 0;
}

int store_group_count(const char *group)
{
	sqlite3_stmt *s = bindv(Q_GROUP_COUNT, "s", group);
	int n = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	else
		fail("group count");
	sqlite3_reset(s);
	return n;
}

int store_broadcast_recur(const char *now)
{
	sqlite3_stmt *s = bindv(Q_BROADCAST_DUE, "s", now);
	struct due {
		int64_t id;
		char group[64];
		char *text;
		char at[20];
	} due[16];
	int nd = 0, rc, rounds = 0;

	if (s == NULL)
		return -1;
	while (nd < 16 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		due[nd].id = sqlite3_column_int64(s, 0);
		copy_col(s, 1, due[nd].group, sizeof due[nd].group);
		due[nd].text = strdup((const char *)sqlite3_column_text(s, 2));
		copy_col(s, 3, due[nd].at, sizeof due[nd].at);
		nd++;
	}
	sqlite3_reset(s);
	for (int i = 0; i < nd; i++) {
		int n;

		if (due[i].text == NULL)
			goto fail;
		s = bindv(Q_BROADCAST_QUEUE, "ssssI", due[i].group, due[i].text, now, due[i].at,
		          due[i].id);
		if (s == NULL || (n = run(s, "broadcast round")) < 0)
			goto fail;
		s = bindv(Q_BROADCAST_SET_COUNT, "Ii", due[i].id, n);
		if (s == NULL || run(s, "broadcast count") < 0)
			goto fail;
		s = bindv(Q_BROADCAST_ADVANCE, "I", due[i].id);
		if (s == NULL || run(s, "broadcast advance") < 0)
			goto fail;
		rounds++;
	}
	for (int i = 0; i < nd; i++)
		free(due[i].text);
	return rounds;
fail:
	for (int i = 0; i < nd; i++)
		free(due[i].text);
	return -1;
}

int store_broadcast_cancel(int64_t id)
{
	char now[20];
	sqlite3_stmt *s = bindv(Q_BROADCAST_CANCEL, "I", id);
	int n;

	if (s == NULL || (n = run(s, "broadcast cancel")) < 0)
		return -1;
	if (n == 0)
		return -2;
	ts_now(now);
	s = bindv(Q_BROADCAST_DROP, "Is", id, now);
	return s == NULL ? -1 : run(s, "broadcast drop");
}

int store_broadcast_progress(int64_t id, int *queued, int *sent, int *failed, int *total)
{
	sqlite3_stmt *s = bindv(Q_BROADCAST_PROGRESS, "I", id);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*total = sqlite3_column_int(s, 0);
		*queued = sqlite3_column_int(s, 1);
		*sent = sqlite3_column_int(s, 2);
		*failed = sqlite3_column_int(s, 3);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return fail("progress");
	return *queued > 0;
}

int store_group_add(const char *group, const char *phone)
{
	char now[20];
	sqlite3_stmt *s;

	ts_now(now);
	s = bindv(Q_GROUP_ENSURE, "ss", group, now);
	if (s == NULL || run(s, "group") < 0)
		return -1;
	if (phone == NULL)
		return 0;
	s = bindv(Q_GROUP_MEMBER_ADD, "ss", group, phone);
	return s == NULL ? -1 : run(s, "group member");
}

int store_group_remove(const char *group, const char *phone)
{
	sqlite3_stmt *s =
	    phone ? bindv(Q_GROUP_MEMBER_RM, "ss", group, phone) : bindv(Q_GROUP_RM, "s", group);

	return s == NULL ? -1 : run(s, "group remove");
}

int store_pin_get(const char *phone, struct pin_state *st)
{
	sqlite3_stmt *s = bindv(Q_PIN_GET, "s", phone);
	int rc;

	memset(st, 0, sizeof *st);
	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		st->found = 1;
		copy_col(s, 0, st->hash, sizeof st->hash);
		st->failures = sqlite3_column_int(s, 1);
		copy_col(s, 2, st->locked_until, sizeof st->locked_until);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail("pin");
	return 0;
}

int store_pin_set(const char *phone, const char *hash)
{
	char now[20];
	sqlite3_stmt *s;

	ts_now(now);
	s = bindv(Q_PIN_SET, "sss", phone, hash, now);
	return s == NULL ? -1 : run(s, "pin set");
}

int store_pin_attempt(const char *phone, int ok, int lock_at, const char *lock_until)
{
	sqlite3_stmt *s =
	    ok ? bindv(Q_PIN_OK, "s", phone) : bindv(Q_PIN_FAIL, "sis", phone, lock_at, lock_until);

	return s == NULL || run(s, "pin attempt") < 0 ? -1 : 0;
}

int store_inbox_redact(int64_t id, const char *text)
{
	sqlite3_stmt *s = bindv(Q_INBOX_REDACT, "Is", id, text);

	if (s == NULL || run(s, "redact") < 0)
		return -1;
	s = bindv(Q_PARTS_REDACT, "I", id);
	return s == NULL || run(s, "redact parts") < 0 ? -1 : 0;
}

int store_outbox_delivery(const char *recipient, int msgref, int delivered, const char *when)
{
	sqlite3_stmt *s = bindv(Q_OUTBOX_DELIVERY, "siss", recipient, msgref,
	                        delivered ? "delivered" : "failed", when);

	return s == NULL ? -1 : run(s, "delivery");
}

int store_outbox_set_msgref(int64_t id, int msgref)
{
	sqlite3_stmt *s = bindv(Q_OUTBOX_MSGREF, "Ii", id, msgref);

	return s == NULL || run(s, "msgref") < 0 ? -1 : 0;
}
