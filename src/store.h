/*
 * The store: the only user of <sqlite3.h>. Opens the database, applies the schema/NNN-name.sql
 * files in order (tracked with PRAGMA user_version), and offers one function per query, each with
 * bound parameters and a cached prepared statement.
 *
 * Return convention everywhere: 0 (or a count >= 0) on success, -1 on error, after which
 * store_errmsg() says why. Strings in rows handed to callbacks are valid only during the call.
 */
#ifndef TIPLINE_STORE_H
#define TIPLINE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct database_config;

/* Open and upgrade the database. 0, or -1 after logging why. */
int store_open(const struct database_config *cfg);
/* Open without upgrading if already present (for read-only CLI commands too). */
void store_close(void);
const char *store_errmsg(void);
/* 1 if the last error was a full disk, read-only or I/O error: the database cannot take writes. */
int store_error_is_storage(void);
int store_schema_version(void);

int store_begin(void);  /* BEGIN IMMEDIATE: the writer lock now, not at the first write */
int store_commit(void); /* with synchronous=FULL: on disk when this returns 0 */
void store_rollback(void);
/*
 * Inside a transaction: mark a point (store_savepoint), then keep what followed
 * (store_release) or undo it (store_rollback_to_savepoint, which keeps the error message of
 * what failed). One level: receive uses it to keep one message's failure from undoing a batch.
 */
int store_savepoint(void);
int store_release(void);
int store_rollback_to_savepoint(void);

struct store_msg {
	const char *sender;
	const char *smsc_time;
	const char *received_at;
	const char *text;
	const char *coding;
	const char *smsc;
	int parts;
	int parts_total;
	int complete;
};

struct store_part {
	const char *sender;
	int concat_ref;
	int parts_total;
	int seq;
	const char *smsc_time;
	const char *received_at;
	const char *text;
	const char *coding;
	const char *smsc;
};

/* 1 inserted (*id set), 0 already there (a re-read: nothing changes), -1 error. */
int store_inbox_insert(const struct store_msg *m, int64_t *id);
/* 1 inserted, 0 already there, -1 error. */
int store_part_insert(const struct store_part *p);
/*
 * If every part of (sender, ref, total) is stored and not yet assembled, or FORCE is set and at
 * least one is, join them into one inbox row (complete unless forced with parts missing) and
 * link the parts to it. 1 assembled (*id set), 0 nothing to do, -1 error.
 */
int store_parts_assemble(const char *sender, int concat_ref, int parts_total, int force,
                         int64_t *id);
/*
 * Multipart messages whose first part was received before BEFORE and are still incomplete.
 * Calls fn for each (sender, ref, total); stops at fn's first nonzero return. Returns the number
 * of groups seen, or -1.
 */
int store_parts_stale(const char *before,
                      int (*fn)(const char *sender, int ref, int total, void *arg), void *arg);

struct inbox_row {
	int64_t id;
	const char *sender;
	const char *smsc_time;
	const char *received_at;
	const char *text;
	const char *coding;
	int parts;
	int parts_total;
	int complete;
};

int store_inbox_get(int64_t id, int (*fn)(const struct inbox_row *r, void *arg), void *arg);
/* Rows received at or after SINCE (NULL: all), oldest first, at most LIMIT (<= 0: all). */
int store_inbox_each(const char *since, int limit, int (*fn)(const struct inbox_row *r, void *arg),
                     void *arg);
int64_t store_inbox_count(void);

/* Outbox. */
struct outbox_new {
	const char *recipient;
	const char *text;
	int priority;
	const char *kind;
	int64_t inbox_id;       /* 0: none */
	const char *not_before; /* NULL: now */
};
int store_outbox_insert(const struct outbox_new *o, int64_t *id);

struct outbox_row {
	int64_t id;
	const char *recipient;
	const char *text;
	const char *status;
	int priority;
	const char *kind;
	int64_t inbox_id;
	const char *created_at;
	const char *not_before;
	int attempts;
	int parts;
	const char *last_error;
	const char *sent_at;
	int handovers; /* times the modem took it without answering (schema 004) */
};
/* The next due queued message (not_before <= NOW), lowest priority value first. 1 found, 0 none. */
int store_outbox_next(const char *now, int (*fn)(const struct outbox_row *r, void *arg), void *arg);
/* queued -> sending, attempts + 1. Committed on its own: a crash after it means one resend at most.
 */
int store_outbox_mark_sending(int64_t id);
/*
 * sending -> sent. HANDED is 1 when this attempt's hand-over was recorded
 * (store_outbox_mark_handover): the modem has answered it, so it no longer counts.
 */
int store_outbox_mark_sent(int64_t id, int parts, int handed);
/* Back to queued with a due time, or to failed when RETRY_AT is NULL; HANDED as above. */
int store_outbox_mark_error(int64_t id, const char *error, const char *retry_at, int handed);
/*
 * Rows left in 'sending' by a crash: those the modem already took MAX_HANDOVERS times without
 * answering become 'sent' with NOTE in last_error (*GIVEN_UP counts them), the rest go back to
 * 'queued'. One transaction. Returns how many were queued again, or -1.
 */
int store_outbox_recover(int max_handovers, const char *note, int *given_up);
/*
 * handovers + 1: the modem is taking the message and its answer is not read yet. Committed on
 * its own, so that a crash before the answer finds it counted; the mark_sent/mark_error that
 * follow an answer take it back. SYNC 0 writes the commit without fsync (it survives a killed
 * process, not a power cut, until the next commit syncs it).
 */
int store_outbox_mark_handover(int64_t id, int sync);
/* The connection's PRAGMA synchronous (2 = FULL, what every other commit uses), or -1. */
int store_synchronous(void);
int store_outbox_each(const char *status, int limit,
                      int (*fn)(const struct outbox_row *r, void *arg), void *arg);

/* --- keyword records (issue: keyword SMS) --- */

int store_inbox_set_kind(int64_t id, const char *kind);

struct contact {
	int found;
	char name[128];
	char village[128];
	char role[16];
	char team[32];
	int subscribed;
};
/* Fill *c for PHONE (E.164); c->found is 0 when there is no such contact. 0 or -1. */
int store_contact_get(const char *phone, struct contact *c);
/*
 * Create the contact or update the fields given: NULL strings and subscribed < 0 keep what is
 * there (a new contact gets role villager, subscribed 1). A team that does not exist yet is
 * created. 0 or -1.
 */
int store_contact_upsert(const char *phone, const char *name, const char *village, const char *role,
                         const char *team, int subscribed);

/* A tip; its reference ('T' and the row id) is written to ref. 0 or -1. */
int store_tip_insert(int64_t inbox_id, const char *sender, int anonymous, const char *category,
                     const char *text, int structured, char ref[16]);
/* The tip with reference REF sent by SENDER: 1 found (*tip_id set), 0 none, -1 error. */
int store_tip_find(const char *ref, const char *sender, int64_t *tip_id);
int store_tip_supplement(int64_t tip_id, int64_t inbox_id, const char *text);

int store_patrol_start(const char *team, const char *leader, long members, const char *notes,
                       int64_t inbox_id, const char *at);
/* Close TEAM's latest open patrol: 1 closed (*minutes set), 0 none open, -1 error. */
int store_patrol_end(const char *team, const char *notes, int64_t inbox_id, const char *at,
                     long *minutes);
int store_awareness_insert(int64_t inbox_id, const char *reporter, const char *team,
                           long participants, const char *notes, const char *at);
/* A mediation; its reference ('H' and the row id) is written to ref. */
int store_mediation_insert(int64_t inbox_id, const char *reporter, const char *team,
                           const char *notes, const char *at, char ref[16]);
/* Replies queued to RECIPIENT since SINCE (for the per-hour cap), or -1. */
int store_replies_since(const char *recipient, const char *since);

/*
 * Listings for the CLI: each row as parallel arrays of column names and values (NULL for SQL
 * NULL); numeric[i] says the value is a number (for JSON). Valid only during the callback.
 */
#define STORE_MAX_COLS 32
struct store_row {
	int n;
	const char *name[STORE_MAX_COLS];
	const char *val[STORE_MAX_COLS];
	int numeric[STORE_MAX_COLS];
};
enum store_list {
	LIST_CONTACTS,        /* arg: role or NULL */
	LIST_TIPS,            /* arg: since (date) or NULL */
	LIST_TIP,             /* arg: ref */
	LIST_TIP_SUPPLEMENTS, /* arg: ref */
	LIST_PATROLS,         /* arg: since or NULL */
	LIST_BROADCASTS,      /* arg: NULL */
	LIST_BROADCAST,       /* arg: id */
	LIST_GROUP_MEMBERS,   /* arg: group name (any group: derived or named) */
	LIST_GROUPS,          /* arg: NULL; named groups with their sizes */
	LIST_COUNT
};
int store_list(enum store_list which, const char *arg, int limit,
               int (*fn)(const struct store_row *r, void *ctx), void *ctx);

/* --- broadcasts --- */

struct broadcast_new {
	const char *group;
	const char *text;
	const char *sent_text;
	int ucs2;
	int parts;
	const char *created_by;
	const char *scheduled_at; /* UTC; NULL = now */
	const char *every;        /* NULL, "day", "week" or "month" */
	int64_t inbox_id;         /* 0: from the CLI */
};
/*
 * Queue a broadcast: one broadcasts row and one outbox row per subscribed member of the
 * group, in the caller's transaction. *id and *recipients are set. 0 or -1.
 */
int store_broadcast_create(const struct broadcast_new *b, int64_t *id, int *recipients);
/* Subscribed members of GROUP, without queueing anything. Count, or -1. */
int store_group_count(const char *group);
/* Queue the next round of every recurring broadcast due at NOW. Rounds queued, or -1. */
int store_broadcast_recur(const char *now);
/* Cancel: the broadcast stops recurring and its queued messages are dropped. Rows dropped,
 * or -1; -2 if there is no such broadcast. */
int store_broadcast_cancel(int64_t id);
/* 1 while broadcast ID has messages queued or sending, 0 when done, -1 error. */
int store_broadcast_progress(int64_t id, int *queued, int *sent, int *failed, int *total);

int store_group_add(const char *group, const char *phone);
int store_group_remove(const char *group, const char *phone); /* phone NULL: whole group */

/* Officers' PINs. */
struct pin_state {
	int found;
	char hash[160];
	int failures;
	char locked_until[20];
};
int store_pin_get(const char *phone, struct pin_state *st);
int store_pin_set(const char *phone, const char *hash);
/* Record a PIN attempt: success resets the count; a failure adds one and, at LOCK_AT
 * failures, locks the number until LOCK_UNTIL. */
int store_pin_attempt(const char *phone, int ok, int lock_at, const char *lock_until);
/* Redact the stored copy of a message (the PIN of a TB message). */
int store_inbox_redact(int64_t id, const char *text);

/* A delivery report for the last message sent to RECIPIENT with network reference MSGREF.
 * 1 matched, 0 no such message, -1 error. */
int store_outbox_delivery(const char *recipient, int msgref, int delivered, const char *when);
int store_outbox_set_msgref(int64_t id, int msgref);

#endif
