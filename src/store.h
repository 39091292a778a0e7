/*
 * The store: the only user of <sqlite3.h>. Opens the database, applies the schema/NNN-name.sql
 * files in order (tracked with PRAGMA user_version), and offers one function per query, each
 * with bound parameters and a statement prepared at open. The core is store.c; each domain has
 * its file (store_inbox.c, store_outbox.c, store_people.c, store_records.c, store_tips.c,
 * store_broadcast.c), and store_int.h, their private header, writes down the rules.
 *
 * Return convention everywhere: 0 (or a count >= 0) on success, -1 on error, after which
 * store_errmsg() says why. Strings in rows handed to callbacks are valid only during the call.
 *
 * Transactions: the caller owns them. A function that writes needs a transaction open
 * (store_begin … store_commit, or store_tx); called outside one it fails ("outside a
 * transaction") without writing. Reads need none.
 */
#ifndef TIPLINE_STORE_H
#define TIPLINE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct database_config;

/*
 * Open and upgrade the database, and prepare every statement. 0, or -1 after logging why;
 * except when the cause is a file's permissions (store_error_is_permission): then nothing is
 * logged and store_errmsg() is the one plain line for a person, which the caller prints.
 * The database, -wal and -shm are made mode 0600, or 0640 and group database.group (issue 13).
 */
int store_open(const struct database_config *cfg);
/*
 * For the programs that must write (the daemon, `tipline serve`): -1 when the open connection
 * is read-only because of the file's permissions (store_errmsg says whose it is), else 0.
 */
int store_check_writable(void);
/*
 * How long a statement waits for a lock another connection holds, in milliseconds, from now
 * on (store_open sets database.busy_timeout; `tipline serve` sets ussd.db_wait, shorter than
 * the aggregator's patience).
 */
void store_set_busy_timeout(int ms);
/*
 * The WAL scrub (store_scrub.c): checkpoint and truncate the WAL if a redaction asked for it,
 * without waiting for readers. 0 when done or nothing is pending, 1 when a reader still holds
 * the old frames (tried again later: the daemon's and `tipline serve`'s job tables call this
 * every STORE_SCRUB_EVERY seconds), -1 on a store error. Not inside a transaction (0).
 */
#define STORE_SCRUB_EVERY 1.0
int store_scrub_wal(void);
/* For `tipline status`: since when a scrub is pending ("" if none), the last one done, and how
 * long it had been pending (ms, -1 never). */
struct store_scrub_state {
	char pending_since[20];
	char last_done_at[20];
	long long last_took_ms;
};
int store_scrub_state(struct store_scrub_state *out);
/* 1 if the last failure is a file's permissions (EACCES); store_errmsg says who can. */
int store_error_is_permission(void);
void store_close(void);
const char *store_errmsg(void);
/*
 * 1 if the last failure says nothing about the message at hand: the database cannot take
 * writes now (full disk, read-only, I/O error, locked) or memory ran out. The receive path
 * then leaves its batch on the modem for the next poll. Describes the last failing call only.
 */
int store_error_is_storage(void);
/* Record an allocation failure of the caller's own (not SQLite's) as the last error. */
void store_error_nomem(const char *what);
int store_schema_version(void);
/* The newest schema version this program knows (what store_open upgrades to). */
int store_schema_newest(void);
/* How many statements store_open prepares (every SQ() of the store files). */
int store_statements(void);
/*
 * The virtual machine steps statement NAME (its q_ name) has run since the last call for it
 * (SQLite's SQLITE_STMTSTATUS_VM_STEP, reset by this call), or -1 if there is none: for
 * tests that a look-up is a seek, not a walk over rows that grow in number.
 */
long store_statement_steps(const char *name);

int store_begin(void); /* BEGIN IMMEDIATE: the writer lock now, not at the first write */
int store_commit(
    void); /* with synchronous=FULL: on disk when this returns 0; rolls back on error */
/*
 * BEGIN a transaction whose store_commit does not fsync: it survives a killed process, not a
 * power cut, until the next synced commit makes it durable with its own.
 */
int store_begin_unsynced(void);
void store_rollback(void);
/* BEGIN, FN(ARG), COMMIT (ROLLBACK when FN returns < 0). FN's result, or -1. */
int store_tx(int (*fn)(void *arg), void *arg);
/*
 * The end of the transaction a door began around an action: COMMIT when KEEP (the action came
 * to ACT_OK), else ROLLBACK. 0, or -1 when the commit failed (then rolled back).
 */
int store_end(int keep);
int store_in_transaction(void);
/*
 * Inside a transaction: mark a point (store_savepoint), then keep what followed
 * (store_release) or undo it (store_rollback_to_savepoint, which keeps the error message of
 * what failed). One level: receive uses it to keep one message's failure from undoing a batch.
 */
int store_savepoint(void);
int store_release(void);
int store_rollback_to_savepoint(void);
/* The connection's PRAGMA synchronous (2 = FULL, what every commit but an unsynced one uses). */
int store_synchronous(void);
/* The connection's PRAGMA temp_store (2 = MEMORY: no temporary file holds rows, issue 13). */
int store_temp_store(void);

/* --- inbox and parts (store_inbox.c) --- */

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
	const char *location; /* where it lay on the modem ("1/5"), or NULL (schema 013) */
	const char *mac;      /* anon_message_mac's, or NULL or "" (none; schema 029) */
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
 * link the parts to it. 1 assembled into a new row (*id set), 0 nothing new: not all parts
 * yet, or the joined message is already stored (the network delivered it twice under another
 * reference; the parts are linked to the stored row and *id set to it). -1 error.
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

struct store_inbox_row {
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

int store_inbox_get(int64_t id, int (*fn)(const struct store_inbox_row *r, void *arg), void *arg);
/*
 * Rows received at or after SINCE and before UNTIL (UTC; NULL: no bound), oldest first, at
 * most LIMIT (<= 0: all).
 */
int store_inbox_each(const char *since, const char *until, int limit,
                     int (*fn)(const struct store_inbox_row *r, void *arg), void *arg);
int64_t store_inbox_count(void);
int store_inbox_set_kind(int64_t id, const char *kind);
/* Redact the stored copy of a message and of its parts (the PIN of a TB message). */
int store_inbox_redact(int64_t id, const char *text);

/* --- outbox (store_outbox.c) --- */

struct store_outbox_new {
	const char *recipient;
	const char *text;
	int priority;
	const char *kind;
	int64_t inbox_id;       /* 0: none */
	const char *not_before; /* NULL: now */
	int anonymous;          /* 1: the recipient is erased once the modem took it */
};
int store_outbox_insert(const struct store_outbox_new *o, int64_t *id);

struct store_outbox_row {
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
	int anonymous; /* an anonymous tipster's: not named in logs (schema 011) */
};
/* The next due queued message (not_before <= NOW), lowest priority value first. 1 found, 0 none. */
int store_outbox_next(const char *now, int (*fn)(const struct store_outbox_row *r, void *arg),
                      void *arg);
/*
 * Issue 25: the next due row modem RT->modem may take (on-net routing: store_outbox.c,
 * q_outbox_next). RT NULL: as store_outbox_next.
 */
struct store_route {
	const char *modem;          /* its name; NULL: no routing */
	const char *network;        /* its network, NULL if not said */
	const char *up;             /* ",viettel,mobifone,": the networks with a modem up */
	const char *patient_before; /* rows due before this (UTC text) may go through any modem */
};
int store_outbox_next_for(const char *now, const struct store_route *rt,
                          int (*fn)(const struct store_outbox_row *r, void *arg), void *arg);
/* FN(NETWORK or NULL, MEMBERS, ARG) for each network among group GROUP's subscribed members
 * (issue 25, by store_set_networks's table). Networks seen, or -1. */
int store_group_networks(const char *group, int (*fn)(const char *net, long n, void *arg),
                         void *arg);
/* Rows modem NAME sent, and is sending now. 0 or -1. */
int store_outbox_modem_counts(const char *name, long *sent, long *sending);
/* As store_outbox_mark_sending, recording MODEM (NULL: none) as the one that takes it. */
int store_outbox_mark_sending_by(int64_t id, const char *modem);
/* As store_outbox_recover, but only MODEM's rows (and those of no modem, or of one not in
 * NAMES, ",a,b,"); MODEM NULL: all. */
int store_outbox_recover_for(int max_handovers, const char *note, int *given_up, const char *modem,
                             const char *names);
int store_outbox_each(const char *status, int limit,
                      int (*fn)(const struct store_outbox_row *r, void *arg), void *arg);
/*
 * queued -> sending, attempts + 1. Commit it before the send: a crash then means one resend.
 * 1 marked, 0 no longer queued (cancelled since it was read: not to be sent), -1 error.
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
 * 'queued'. Returns how many were queued again, or -1.
 */
int store_outbox_recover(int max_handovers, const char *note, int *given_up);
/*
 * handovers + 1: the modem is taking the message and its answer is not read yet. Commit it
 * before the answer, so that a crash finds it counted; the mark_sent/mark_error that follow an
 * answer take it back.
 */
int store_outbox_mark_handover(int64_t id);
/* A delivery report for the last message sent to RECIPIENT with network reference MSGREF.
 * 1 matched, 0 no such message, -1 error. */
int store_outbox_delivery(const char *recipient, int msgref, int delivered, const char *when);
int store_outbox_set_msgref(int64_t id, int msgref);
/* Replies queued to RECIPIENT since SINCE (for the per-hour cap), or -1. */
int store_replies_since(const char *recipient, const char *since);

/* --- people: contacts, teams, PINs, groups (store_people.c) --- */

enum role { ROLE_KEEP = -1, ROLE_VILLAGER, ROLE_LEADER, ROLE_OFFICER };
/* "villager", "leader", "officer" (what contacts.role holds). */
const char *store_role_name(enum role r);
/* The role named S, or ROLE_KEEP when S names none. */
enum role store_role_parse(const char *s);

struct store_contact {
	int found;
	char name[128];
	char village[128];
	enum role role;
	char team[32];
	int subscribed;
};
/* Fill *c for PHONE (E.164); c->found is 0 when there is no such contact. 0 or -1. */
int store_contact_get(const char *phone, struct store_contact *c);
/*
 * Create the contact or update the fields given: NULL strings, ROLE_KEEP and subscribed < 0
 * keep what is there (a new contact gets role villager, subscribed 1). A team that does not
 * exist yet is created. 0 or -1.
 */
int store_contact_upsert(const char *phone, const char *name, const char *village, enum role role,
                         const char *team, int subscribed);
/* Which new tips contact PHONE is told of: WHICH "all", "urgent" or "none" (issue 26). 0/-1. */
int store_contact_tip_alerts(const char *phone, const char *which, const char *now);

/* Delete contact PHONE and its named groups' memberships. Rows deleted (0: none), or -1. */
int store_contact_remove(const char *phone);

/* Officers' PINs. */
struct store_pin {
	int found;
	char hash[160];
	int failures;
	char locked_until[20];
};
int store_pin_get(const char *phone, struct store_pin *st);
int store_pin_set(const char *phone, const char *hash);
/* Record a PIN attempt: success resets the count; a failure adds one and, at LOCK_AT
 * failures, locks the number until LOCK_UNTIL. */
int store_pin_attempt(const char *phone, int ok, int lock_at, const char *lock_until);

/*
 * The derived broadcast groups, by folded name: everyone subscribed, the team leaders, the
 * officers. Any other name is a team, a village ("thon3" or the village's own name) or a named
 * group (store_group_add).
 */
#define STORE_GROUP_ALL      "tatca"
#define STORE_GROUP_LEADERS  "totruong"
#define STORE_GROUP_OFFICERS "canbo"
/* Subscribed members of GROUP, without queueing anything. Count, or -1. */
int store_group_count(const char *group);
int store_group_add(const char *group, const char *phone);
int store_group_remove(const char *group, const char *phone); /* phone NULL: whole group */

/*
 * Teams' expected patrol nights (local time): NIGHTS 'mon,wed,sat' ("" or NULL: none; kept as
 * they are with KEEP_NIGHTS), BY the local hour 'HH:MM' by which a patrol should have started
 * (NULL: keep; none yet: 21:00). The team is created if it does not exist. 0 or -1.
 */
int store_team_set_nights(const char *team, const char *nights, const char *by, int keep_nights);

/* --- alerts and the daemon's status (store_alerts.c) --- */

/*
 * Open patrols started at or before BEFORE (UTC) without a 'patrol_overdue' alert yet, at most
 * 64 a call: FN for each (nonzero stops, and the call returns -1). Patrols seen, or -1.
 */
int store_patrols_overdue(const char *before,
                          int (*fn)(int64_t id, const char *team, const char *started_at,
                                    void *arg),
                          void *arg);
/*
 * Record alert (KIND, SUBJECT) raised at NOW: 1 new (*id set), 0 it was raised before (the
 * UNIQUE (kind, subject) of the alerts table: once only, across restarts), -1 error.
 */
int store_alert_raise(const char *kind, const char *subject, const char *detail, const char *now,
                      int64_t *id);
/* 1 if alert (KIND, SUBJECT) exists, 0 if not, -1 error. */
int store_alert_exists(const char *kind, const char *subject);
/*
 * Queue TEXT to the alert's recipients, one SMS each: every officer and, for a patrol
 * (PATROL_ID > 0), the leaders of TEAM and whoever started the patrol. Sets the alert's
 * sent_at when one was queued. Recipients, or -1.
 */
int store_alert_queue(int64_t alert_id, const char *text, const char *team, int64_t patrol_id,
                      const char *now);
/* Teams with expected nights: FN(code, nights, by) for each (nonzero stops: -1). Count, or -1. */
int store_teams_nights(int (*fn)(const char *team, const char *nights, const char *by, void *arg),
                       void *arg);
/* Patrols of TEAM started from FROM to TO (UTC, both inclusive), or -1. */
int store_patrols_started(const char *team, const char *from, const char *to);

/* --- records: patrols, awareness sessions, mediations (store_records.c) --- */

/*
 * Every record has two times: AT, when its sender sent it (the SMSC time of the message that
 * reported it, the event's time in every listing and report), and READ_AT, when the daemon read
 * it. A modem down for two hours moves the second, never the first.
 */
int store_patrol_start(const char *team, const char *leader, long members, const char *notes,
                       int64_t inbox_id, const char *at, const char *read_at);
/* Close TEAM's latest open patrol: 1 closed (*minutes set), 0 none open, -1 error. */
int store_patrol_end(const char *team, const char *notes, int64_t inbox_id, const char *at,
                     const char *read_at, long *minutes);
/* SESSIONS held (a TTPL message is one unless it says more) with PARTICIPANTS in all. */
int store_awareness_insert(int64_t inbox_id, const char *reporter, const char *team, long sessions,
                           long participants, const char *notes, const char *at,
                           const char *read_at);
/* A mediation; its reference ('H' and the row id) is written to ref. */
int store_mediation_insert(int64_t inbox_id, const char *reporter, const char *team,
                           const char *notes, const char *at, const char *read_at, char ref[16]);

/* --- tips (store_tips.c) --- */

/* What an anonymous message's or tip's sender column holds instead of the number. */
#define STORE_ANONYMOUS "anonymous"
/*
 * Erase the number of inbox row INBOX_ID and of its stored parts (an anonymous tip, or a
 * supplement to one): the sender becomes STORE_ANONYMOUS, and the WAL is checkpointed and
 * truncated after the commit so that no old copy survives there. A re-read of the message
 * after a crash is still a duplicate (store_inbox_insert, store_part_insert). 0 or -1.
 */
int store_anonymize_message(int64_t inbox_id);

/*
 * A tip sent at AT, read at READ_AT, about VILLAGE (NULL: not known); its reference ('T' and
 * the row id) is written to ref.
 */
int store_tip_insert(int64_t inbox_id, const char *sender, int anonymous, const char *category,
                     const char *text, int structured, const char *village, const char *at,
                     const char *read_at, char ref[16]);
/*
 * An anonymous tip (issue 13): stored with the sender STORE_ANONYMOUS and a fresh secret of
 * four digits (written to secret[8]) that the acknowledgement carries after the reference
 * ("T12-4821"); the inbox row INBOX_ID (0: none, e.g. from the USSD menu) and its parts lose
 * their number too (store_anonymize_message). 0 or -1.
 */
int store_tip_insert_anonymous(int64_t inbox_id, const char *category, const char *text,
                               int structured, const char *village, const char *at,
                               const char *read_at, char ref[16], char secret[8]);
/* The anonymous tip REF whose secret is SECRET: 1 found (*tip_id set), 0 none, -1 error. */
int store_tip_find_secret(const char *ref, const char *secret, int64_t *tip_id);
/*
 * The tip with reference REF sent by SENDER, never an anonymous one: 1 found (*tip_id set),
 * 0 none, -1 error.
 */
int store_tip_find(const char *ref, const char *sender, int64_t *tip_id);
int store_tip_supplement(int64_t tip_id, int64_t inbox_id, const char *text, const char *at,
                         const char *read_at);

/* Triage statuses, in their order: new -> checking -> valuable | false | closed. */
#define STORE_TIP_STATUSES "new", "checking", "valuable", "false", "closed"

struct store_tip {
	int found;
	int64_t id;
	char status[16];
	char sender[64]; /* the number it came from (also of an anonymous tip: never shown) */
	int anonymous;
};
/* Fill *t for the tip REF (case-insensitive); t->found is 0 when there is none. 0 or -1. */
int store_tip_get(const char *ref, struct store_tip *t);
/*
 * Change a tip's status from FROM to TO and record it in tip_events (AT, BY, NOTE may be
 * NULL). 1 changed, 0 the tip's status is no longer FROM (nothing written), -1 error.
 */
int store_tip_set_status(int64_t tip_id, const char *from, const char *to, const char *by,
                         const char *note, const char *at);

/*
 * Answers to tipsters (issue 26): a tip_events row (answer 1, from = to = the tip's status) by
 * BY with TEXT at AT; GIVEN_AT the time it was queued to the tipster, NULL while it waits (an
 * anonymous tip: for the next TT or BS with the secret). 0 or -1.
 */
int store_tip_answer_add(int64_t tip_id, const char *by, const char *text, const char *at,
                         const char *given_at);
/*
 * The latest answer to tip TIP_ID (WAITING_ONLY: only one not given yet) into TEXT (SZ bytes),
 * marked given at NOW. 1 found, 0 none (TEXT ""), -1 error.
 */
int store_tip_answer_take(int64_t tip_id, int waiting_only, const char *now, char *text, size_t sz);

/* What an alert says of a tip (never its sender). */
struct store_tip_brief {
	int found;
	char ref[16];
	char category[64]; /* "" none */
	char village[128]; /* "" none */
	char text[700];
	int anonymous;
	int64_t inbox_id;
};
int store_tip_brief(int64_t tip_id, struct store_tip_brief *b);
/* Officers who want an alert of a new tip (URGENT: its category is urgent). Count, or -1. */
int store_tip_alert_count(int urgent);
/* Queue alert ALERT_ID's TEXT to them (as store_alert_queue). Messages queued, or -1. */
int store_tip_alert_queue(int64_t alert_id, const char *text, int urgent, const char *now);
/* FN for each tip (at most 64) still new that arrived from AFTER to BEFORE (UTC text,
 * inclusive) and has no 'tip_escalated' alert. Count, or -1 (also when FN returns non-zero). */
int store_tips_stale(const char *after, const char *before, int (*fn)(int64_t tip_id, void *arg),
                     void *arg);

/* --- period reports (store_report.c) --- */

struct report;
struct report_period;
/*
 * Fill R (report_init'ed, empty) with the figures of period P and of the period before it
 * (report_period_previous), and the charts: tips per week by category over P, patrols per
 * team over P, participants per month for the 12 months up to P's end. Events count by their
 * own time (the SMSC time of the message that reported them; an SMS sent by when it was
 * sent). 0, or -1 (R then holds what was filled; report_close frees it).
 */
int store_report_fill(struct report *r, const struct report_period *p);
/* The figures of P and of the period before it as store_report_fill counts them, without
 * the charts (the console's overview). 0 or -1. */
int store_report_figures(struct report *r, const struct report_period *p);

/* --- the USSD menu's sessions (store_ussd_menu.c; `tipline serve`, issue 12) --- */

struct store_ussd_session {
	int found;
	char phone[24];
	char outcome[16]; /* "" while open */
	char text[4200];  /* the aggregator's text of the last step */
	char answer[800]; /* the last answer, "CON ..." or "END ..." */
	char last_step[16];
	int category;
	char draft[512];
	char last_step_at[20];
	int steps;
};
/* Session ID into *OUT (out->found 0 when there is none). 0 or -1. */
int store_ussd_session_get(const char *id, struct store_ussd_session *out);
/* Open sessions whose last step is before BEFORE become 'expired'. How many, or -1. */
int store_ussd_expire(const char *before);
int store_ussd_open_count(void);
/* Sessions PHONE started since SINCE that got a menu (not turned away). Count, or -1. */
int store_ussd_started_since(const char *phone, const char *since);
/* One more session turned away as OUTCOME ("busy", "capped") in the hour of AT (UTC text),
 * in table ussd_turned_away: counts, no row per attempt and no number. 0 or -1. */
int store_ussd_turned_away(const char *outcome, const char *at);

struct store_ussd_save {
	const char *id, *phone, *service_code, *network_code; /* network_code may be NULL */
	const char *at;                                       /* the step's time */
	const char *last_step;                                /* the screen shown */
	const char *outcome;                                  /* NULL while open */
	int64_t tip_id;                                       /* 0: none */
	const char *text, *answer;
	int category;
	const char *draft; /* NULL: none */
};
/* Create the session (1 step) or record one more step of it. 0 or -1. */
int store_ussd_session_save(const struct store_ussd_save *v);
/* The session ID made an anonymous tip: its phone is erased (STORE_ANONYMOUS). */
int store_ussd_session_anonymize(const char *id);
/* A tip's message on the USSD channel (inbox.channel = 'ussd', kind 'tip'). 0 or -1. */
int store_ussd_inbox_insert(const char *phone, const char *text, const char *at, int64_t *id);
/* Mark tip REF as come by USSD; *TIP_ID set. 0 or -1. */
int store_ussd_tip_channel(const char *ref, int64_t *tip_id);

/* --- broadcasts (store_broadcast.c) --- */

struct store_broadcast_new {
	const char *group;
	const char *text;
	const char *sent_text;
	int ucs2;
	int parts;
	const char *created_by;
	const char *scheduled_at; /* UTC; NULL = now */
	const char *every;        /* NULL, "day", "week" or "month" */
	int64_t inbox_id;         /* 0: from the CLI */
	const char *held_reason;  /* not NULL: held (status 'held'), nothing queued */
};
/*
 * Queue a broadcast: one broadcasts row and one outbox row per subscribed member of the
 * group. *id and *recipients are set. 0 or -1.
 */
int store_broadcast_create(const struct store_broadcast_new *b, int64_t *id, int *recipients);
/*
 * Whether a round of PARTS parts to RECIPIENTS of GROUP is held: 1 (REASON filled), 0 send it. The
 * decision is the caller's (broadcast.c); the store only asks at the moment it queues.
 */
#define STORE_HOLD_REASON 400 /* several modems: each short one named with its figures */
typedef int (*store_hold_fn)(void *arg, const char *group, int parts, int recipients, char *reason,
                             size_t sz);
/*
 * Queue the next round of every recurring broadcast due at NOW, or hold it when HOLD (may be
 * NULL) says so (then the broadcast stops recurring until released). Rounds due, or -1.
 */
int store_broadcast_recur(const char *now, store_hold_fn hold, void *arg);
/*
 * Release a held broadcast: its round is queued (due when it was), it is active again.
 * Recipients queued, -2 no such broadcast, -3 not held, -1 error.
 */
int store_broadcast_release(int64_t id, int *recipients);
/* Cancel: the broadcast stops recurring and its queued messages are dropped. Rows dropped,
 * or -1; -2 if there is no such broadcast. */
int store_broadcast_cancel(int64_t id);
/* 1 while broadcast ID has messages queued or sending, 0 when done, -1 error. */
int store_broadcast_progress(int64_t id, int *queued, int *sent, int *failed, int *total);
/*
 * The groups a broadcast can go to, for a chooser: the derived ones (KIND all, leaders,
 * officers), each village by its CLI name THON<village> (LABEL the village as written), the
 * teams, the named groups; MEMBERS as store_group_count counts them (who a send would reach).
 * FN stops at nonzero. Groups, or -1.
 */
int store_broadcast_groups(int (*fn)(const char *name, const char *kind, const char *label,
                                     int members, void *ctx),
                           void *ctx);
/* One broadcast with its outbox rows counted (store_broadcasts_recent); times UTC; strings
 * valid during the callback only. QUEUED counts queued and sending. */
struct store_broadcast_row {
	int64_t id;
	const char *group, *created_by, *created_at, *scheduled_at, *every, *next_run, *status;
	const char *held_reason, *text;
	int parts, recipients, queued, sent, failed, delivered, cancelled;
};
/* The LIMIT newest broadcasts, newest first. Rows, or -1. */
int store_broadcasts_recent(int limit, int (*fn)(const struct store_broadcast_row *b, void *ctx),
                            void *ctx);

/* --- the SIM PINs entered and not known to be accepted (store_simcard.c, schema 012) --- */

/* A PIN (its crypt(3) hash) is about to be entered: a 'pending' row, *ID its id. 0 or -1. */
int store_sim_pin_add(const char *pin_hash, int64_t *id);
/* The SIM refused entry ID. Rows changed (0: the entry is gone, forgotten meanwhile), or -1. */
int store_sim_pin_refused(int64_t id);
/* Forget every entry (a PIN was accepted, or the operator said so): rows deleted, or -1. */
int store_sim_pin_clear(void);
/* `tipline modem pin-retry`: forget modem MODEM's entries (NULL: every modem's), whatever this
 * process's scope; the number forgotten, or -1. */
int store_sim_pin_retry(const char *modem);
/* FN (NULL: just count) for each entry, oldest first (OUTCOME 'pending' or 'refused');
 * stops at FN's nonzero. Rows seen, or -1. */
int store_sim_pin_each(int (*fn)(const char *pin_hash, const char *entered_at, const char *outcome,
                                 void *arg),
                       void *arg);

/* --- status, USSD (store_ussd.c) --- */

/*
 * The daemon's `status` rows (key, value, updated_at): heartbeat, modem health, balance.
 * store_status_get: 1 found (VALUE and, if not NULL, UPDATED_AT filled), 0 none, -1 error.
 */
int store_status_set(const char *key, const char *value);
/*
 * Issue 25: from now on this process's status rows are modem NAME's ("modem.NAME.KEY"; reads
 * too); PLAIN 1 writes the plain KEY as well, 2 all but the process keys (pid, started_at,
 * stopped_at, heartbeat), 0 none. NAME NULL: plain keys only (the default).
 */
void store_status_scope(const char *name, int plain);
/* Issue 25: this process guards modem NAME's SIM (sim_pins.modem); NULL: every entry. */
void store_sim_scope(const char *name);
/*
 * Issue 25: FN(NUMBER, ARG) names a recipient's network (a static string, or NULL), for the
 * SQL function tl_network the outbox's queries use. Kept; NULL: every network unknown.
 */
void store_set_networks(const char *(*fn)(const char *number, void *arg), void *arg);
/* 1 if modem NAME's process says its modem is connected and its heartbeat is not past NOW. */
int store_modem_up(const char *name, const char *now);
int store_status_delete(const char *key);
int store_status_get(const char *key, char *value, size_t valuesz, char updated_at[20]);
/* Modem MODEM's row KEY ("modem.MODEM.KEY"; MODEM NULL: the plain KEY), whatever this
 * process's scope: 1 found, 0 none, -1 error. */
int store_status_get_modem(const char *modem, const char *key, char *value, size_t valuesz);
/* Every status row, by key. Rows seen, or -1. */
int store_status_each(int (*fn)(const char *key, const char *value, const char *at, void *arg),
                      void *arg);

/* One USSD exchange (ussd_log). CODE NULL: a network-initiated notice. */
struct store_ussd_entry {
	const char *code; /* secrets already redacted */
	const char *answer;
	const char *status; /* answered, more-input, not-supported, timeout, failed, lost, notice */
	int network_status; /* a notice's +CUSD <m>; -1: none */
	const char *asked_by;
	const char *asked_at;
	const char *answered_at; /* NULL: no answer */
	const char *error;       /* NULL: none */
	int has_balance;
	long balance;
	const char *modem; /* schema 033: the name of the modem whose SIM answered (NULL: none) */
};
int store_ussd_log(const struct store_ussd_entry *e, int64_t *id);

/* A `tipline ussd` request (ussd_requests). */
struct store_ussd_request {
	int64_t id;
	char code[64];
	int timeout;
	char asked_by[64];
};
/* MODEM: the modem whose process answers it (schema 031), NULL: the first modem's. */
int store_ussd_request_add(const char *code, int timeout, const char *asked_by, const char *modem,
                           int64_t *id);
/* The oldest queued request for modem MODEM into *R (FIRST: MODEM is the first modem, which
 * answers those of no modem too): 1 found, 0 none, -1 error. */
int store_ussd_request_next(struct store_ussd_request *r, const char *modem, int first);
/* queued -> running: 1, or 0 when the CLI gave up on it first (expired). -1 error. */
int store_ussd_request_start(int64_t id);
/*
 * running -> done, the code replaced by its redacted copy, the result linked. SECRET: the
 * code held a card number; the WAL is checkpointed and truncated after the commit, so that
 * the old copy leaves the disk (sq_scrub_after_commit).
 */
int store_ussd_request_done(int64_t id, const char *code, int secret, int64_t log_id);
/* queued -> expired (the CLI stopped waiting): 1, or 0 when the daemon already took it. */
int store_ussd_request_expire(int64_t id, const char *code, int secret);
struct store_ussd_result {
	char request_status[16]; /* queued, running, done, expired */
	char status[16];         /* the exchange's (ussd_log.status), "" until done */
	char answer[3200];
	char answered_at[20];
	char error[256];
	char modem[48]; /* schema 033: the modem whose SIM answered ("" unknown) */
};
/* 1 found, 0 no such request, -1 error. */
int store_ussd_request_get(int64_t id, struct store_ussd_result *out);
/* Phones of every contact with role officer. Count, or -1. */
int store_officers_each(int (*fn)(const char *phone, void *arg), void *arg);
/* An alert raised and sent at once (its messages queued in this transaction). 1, 0 known. */
int store_alert_sent(const char *kind, const char *subject, const char *detail);
/* Outbox rows by status; FN for each (status, count). Statuses seen, or -1. */
int store_outbox_counts(int (*fn)(const char *status, long n, void *arg), void *arg);
/* created_at of the oldest queued message: 1 (OUT set), 0 none queued, -1 error. */
int store_outbox_oldest_queued(char out[20]);
/* Alerts raised whose messages are not queued yet (alerts.sent_at NULL), or -1. */
int64_t store_alerts_open(void);

/*
 * Listings for the CLI: each row as parallel arrays of column names and values (NULL for SQL
 * NULL); numeric[i] says the value is a number (for JSON). Valid only during the callback.
 * Every lister has one shape: ARG (what it says, may be NULL where optional), at most LIMIT
 * rows (<= 0: all), FN for each row until it returns nonzero. Rows seen, or -1.
 */
#define STORE_MAX_COLS 32
struct store_row {
	int n;
	const char *name[STORE_MAX_COLS];
	const char *val[STORE_MAX_COLS];
	int numeric[STORE_MAX_COLS];
};
typedef int (*store_row_fn)(const struct store_row *r, void *ctx);
typedef int (*store_lister)(const char *arg, int limit, store_row_fn fn, void *ctx);

int store_list_contacts(const char *role, int limit, store_row_fn fn, void *ctx);
/* Tips in the order they were sent; each filter NULL for any. SINCE/UNTIL: UTC, [since, until). */
struct store_tip_filter {
	const char *since, *until, *status, *category, *village;
};
int store_list_tips(const struct store_tip_filter *f, store_row_fn fn, void *ctx);
int store_list_tip(const char *ref, int limit, store_row_fn fn, void *ctx);
int store_list_tip_supplements(const char *ref, int limit, store_row_fn fn, void *ctx);
/* A tip's status changes, oldest first: at, by, from_status, to_status, note. */
int store_list_tip_events(const char *ref, int limit, store_row_fn fn, void *ctx);
/* Patrols started at or after FROM and before TO (UTC; NULL: no bound), times local. */
int store_list_patrols(const char *from, const char *to, int limit, store_row_fn fn, void *ctx);
int store_list_broadcasts(const char *unused, int limit, store_row_fn fn, void *ctx);
int store_list_broadcast(const char *id, int limit, store_row_fn fn, void *ctx);
int store_list_group_members(const char *group, int limit, store_row_fn fn, void *ctx);
int store_list_groups(const char *unused, int limit, store_row_fn fn, void *ctx);
int store_list_teams(const char *unused, int limit, store_row_fn fn, void *ctx);
/* The console's people (store_people.c): each filter NULL (SUBSCRIBED -1) for any. */
struct store_people_filter {
	const char *search; /* in the name (folded) or the number */
	const char *role, *team, *village;
	int subscribed;
};
/* phone, name, village, role, team, subscribed, has_pin; a page of LIMIT after OFFSET. */
int store_list_people(const struct store_people_filter *f, int limit, int offset, store_row_fn fn,
                      void *ctx);
int64_t store_people_count(const struct store_people_filter *f);
/* Named group GROUP's rows: phone, name, village, subscribed (NULL: not a contact). */
int store_list_named_group_members(const char *group, int limit, store_row_fn fn, void *ctx);
/* The villages contacts name, with how many: village, people. */
int store_list_contact_villages(const char *unused, int limit, store_row_fn fn, void *ctx);

/* --- privacy: forgetting numbers (store_privacy.c, issue 13) --- */

/*
 * What a forgotten number's column holds instead. In inbox and inbox_parts, whose UNIQUE keys
 * include the sender, a row that would collide with another forgotten one (the same time and
 * text) gets STORE_FORGOTTEN ":" and its row id. A re-read of a forgotten message after a crash
 * is still a duplicate (store_inbox_insert, store_part_insert).
 */
#define STORE_FORGOTTEN "forgotten"

/* The tables (columns) forgetting changes, in the order of the counts below. */
enum store_forget_table {
	STORE_FG_TIPS,       /* tips.sender */
	STORE_FG_INBOX,      /* inbox.sender */
	STORE_FG_PARTS,      /* inbox_parts.sender, parts joined into a message */
	STORE_FG_OUTBOX,     /* outbox.recipient, finished rows: sent, failed, cancelled */
	STORE_FG_USSD,       /* ussd_sessions.phone */
	STORE_FG_PATROLS,    /* patrols.leader */
	STORE_FG_AWARENESS,  /* awareness_sessions.reporter */
	STORE_FG_MEDIATIONS, /* mediations.reporter */
	STORE_FG_BROADCASTS, /* broadcasts.created_by */
	STORE_FG_EVENTS,     /* tip_events.by */
	STORE_FG_GROUPS,     /* group_members rows deleted (a number not registered) */
	STORE_FG_AUDIT,      /* console_audit.subject (a contact changed in the console), .by */
	STORE_FG_COUNT
};

/* The name an officer reads for table T ("inbox_parts"). */
const char *store_forget_table_name(enum store_forget_table t);

struct store_forget {
	int changed[STORE_FG_COUNT]; /* rows changed, per table */
	int total;                   /* their sum */
	/* Kept by store_forget_number because they are still in use (they keep the number): */
	int outbox_waiting; /* outbox rows queued or being sent */
	int parts_waiting;  /* parts waiting for the rest of their message */
	int ussd_open;      /* USSD sessions not ended */
};

/* How many spellings of one number store_forget_number matches (+84..., 84..., 0..., ...). */
#define STORE_FORGET_FORMS 5

/*
 * Erase the numbers of the rows stored before BEFORE (UTC): tips, inbox, joined parts,
 * finished outbox rows, USSD sessions, whatever their number; and in the records of people
 * (patrols, awareness sessions, mediations, broadcasts' creator, tip events' author) a phone
 * number that is not a registered contact's (a contact's own records are kept: they
 * registered). Rows still in use (outbox rows to send, parts awaiting the rest, open patrols)
 * are not touched. The WAL is scrubbed after the commit when anything changed. Inside a
 * transaction. The counts go to *out; 0 or -1.
 */
int store_forget_before(const char *before, struct store_forget *out);
/*
 * Erase the number spelt FORMS[0..STORE_FORGET_FORMS-1] (duplicates allowed) from every
 * table but contacts: a registered contact keeps its contact row and its group memberships;
 * a number that is not a contact is also deleted from named groups. Rows still in use are
 * kept and counted in *out. Inside a transaction: the caller may roll it back to show what
 * it would change. 0 or -1.
 */
int store_forget_number(const char *const forms[STORE_FORGET_FORMS], struct store_forget *out);

/* --- exports (store_export.c) --- */

/* 1 if KIND names an export: tips, patrols, awareness, mediations, inbox (no database needed). */
int store_export_known(const char *kind);
/*
 * The rows of export KIND whose event time is in [FROM, TO) (UTC; NULL: no bound), oldest
 * first, times local. FN's first call is the header: val[i] is column i's name. FN for each
 * row after it until it returns nonzero. Rows (without the header), or -1.
 */
int store_export(const char *kind, const char *from, const char *to, store_row_fn fn, void *ctx);
int store_list_alerts(const char *unused, int limit, store_row_fn fn, void *ctx);
/* The LIMIT newest alerts, newest first: kind, subject, raised_at, sent_at, detail. */
int store_list_alerts_recent(const char *unused, int limit, store_row_fn fn, void *ctx);
/* The USSD log, newest first. */
int store_list_ussd_log(const char *unused, int limit, store_row_fn fn, void *ctx);

/* --- the officers' web console (store_console.c, issue 23) --- */

/* A contact by phone and its console account (found 0: the contact has none). */
struct store_console_account {
	int contact_found, officer, found, admin, disabled, failed_tries;
	int64_t contact_id;
	char name[128];
	char hash[160];
	char locked_until[20]; /* UTC text, "" when not locked */
};
int store_console_account_get(const char *phone, struct store_console_account *a);
/* Set the account's password HASH (creating it); ADMIN 0/1, or -1 to keep (0 for a new one).
 * Clears the lock and the wrong tries, enables it and ends its sessions. 0 or -1. */
int store_console_password_set(int64_t contact_id, const char *hash, int admin, const char *at);
/* A login's outcome: OK resets the tries; a wrong password adds one and, at LOCK_AT, locks
 * the account until LOCK_UNTIL (and counts again from 0). 0 or -1. */
int store_console_login_attempt(int64_t contact_id, int ok, int lock_at, const char *lock_until);

/* A live session, by the hash of its token. */
struct store_console_session {
	int found, admin;
	int64_t contact_id;
	char phone[64];
	char name[128];
	char csrf[72];
	char last_seen[20]; /* UTC text */
};
int store_console_session_add(const char *token_hash, int64_t contact_id, const char *csrf,
                              const char *at);
/* The session whose token hashes to TOKEN_HASH, seen at or after IDLE_CUTOFF (UTC), of an
 * enabled officer's account; out->found 0 otherwise. 0 or -1. */
int store_console_session_get(const char *token_hash, const char *idle_cutoff,
                              struct store_console_session *out);
int store_console_session_touch(const char *token_hash, const char *at);
int store_console_session_end(const char *token_hash);
/* Delete the sessions not seen since IDLE_CUTOFF: how many, or -1. */
int store_console_sessions_expire(const char *idle_cutoff);
/* Record a console change (not a tip's status: tip_events has those). 0 or -1. */
int store_console_audit(const char *at, const char *by, const char *action, const char *subject,
                        const char *detail);
/* The audit, newest first: SUBJECT's rows (a tip's ref, an officer's number), "accounts" for
 * the account changes, NULL for all. */
int store_list_console_audit(const char *subject, int limit, store_row_fn fn, void *ctx);
/* The admins' audit log (console_audit and tip_events as one list): each filter NULL for any;
 * SUBJECT a substring; [SINCE, UNTIL) UTC. */
struct store_audit_filter {
	const char *by, *action, *subject, *since, *until;
};
/* Rows at, by, action, subject, detail, from_status, to_status (NULL but for tip_events'
 * "tip_mark" and "tip_answer"), newest first, LIMIT after OFFSET. 0 or -1. */
int store_console_audit_log(const struct store_audit_filter *f, int limit, int offset,
                            store_row_fn fn, void *ctx);
/* The log's distinct "by" (rows: by), and its distinct actions (rows: action), sorted. */
int store_console_audit_who(const char *unused, int limit, store_row_fn fn, void *ctx);
int store_console_audit_actions(const char *unused, int limit, store_row_fn fn, void *ctx);
/* Officers and their accounts: phone, name, has_password, admin, disabled, locked_until. */
int store_console_accounts(const char *unused, int limit, store_row_fn fn, void *ctx);
/* Disable (ending its sessions) or enable an account. Rows changed (0: no account), or -1. */
int store_console_set_disabled(int64_t contact_id, int disabled, const char *at);
/* Make (1) or unmake (0) an account admin. Rows changed (0: no account), or -1. */
int store_console_set_admin(int64_t contact_id, int admin, const char *at);
/* A page of tips, newest first: F's filters, SEARCH (NULL: none) in the text and supplements.
 * Rows: ref, created_at, anonymous, category, village, status, text, supplements, id. */
int store_console_tips(const struct store_tip_filter *f, const char *search, int limit, int offset,
                       store_row_fn fn, void *ctx);
/* The same list's tips filed after tip AFTER_ID (at most LIMIT, the newest first), for the
 * list's live refresh. Rows as store_console_tips's. */
int store_console_tips_after(const struct store_tip_filter *f, const char *search, int64_t after_id,
                             int limit, store_row_fn fn, void *ctx);
/* The id of the last tip filed (0: none), or -1: where the live list starts. */
int64_t store_console_tip_last_id(void);
/* How many tips store_console_tips would list without its LIMIT: the count, or -1. */
int64_t store_console_tips_count(const struct store_tip_filter *f, const char *search);
/* Patrols started and not ended (team, leader, started_at UTC, members, notes), oldest first. */
int store_console_patrols_open(const char *unused, int limit, store_row_fn fn, void *ctx);
/* The villages tips are about, for the list's filter. */
int store_console_villages(const char *unused, int limit, store_row_fn fn, void *ctx);
/* The console's reading connection: a larger page cache, the file mapped. 0 or -1. */
int store_console_tune(void);
/* Set a tip's CATEGORY and/or VILLAGE (NULL: keep; VILLAGE "": none). Rows changed, or -1. */
int store_console_tip_set(int64_t tip_id, const char *category, const char *village);

/* --- the change log for the district (issue 27, schema 022; store_sync.c) --- */
struct sync_batch;
/*
 * Up to LIMIT pending entries of the change log (after the cursor) in order into B (emptied
 * first), each upsert with its row as it is now: the columns of its sync_table, a phone-like
 * name replaced, a tip's text only with TIP_TEXT. Entries read, or -1.
 */
int store_sync_batch(int limit, int tip_text, struct sync_batch *b);
/* In a transaction: the district committed every entry up to SEQ at NOW: the cursor moves
 * there and those entries go. 0 or -1. */
int store_sync_done(int64_t seq, const char *now);
/* In a transaction: an attempt at NOW failed for WHY (NULL: it did not fail). 0 or -1. */
int store_sync_tried(const char *why, const char *now);
struct store_sync_state {
	int64_t cursor, pending;
	char synced_at[32], tried_at[32], last_error[256]; /* "" when none */
};
int store_sync_state(struct store_sync_state *st);

#endif
