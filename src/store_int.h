/*
 * The store's private header (in the manner of SQLite's vdbeInt.h): the connection, the
 * statement cache, the bind and step helpers shared by store.c (the core) and the domain files
 * store_*.c. Nothing outside those files includes it; <sqlite3.h> stays behind it.
 *
 * Statements. Each query is declared with SQ() next to the one function that runs it. SQ puts
 * it in the linker section "tipline_sq"; store_open prepares every statement of that section,
 * so a missing or broken query fails at start (and in make test), never on the rare path.
 * The prepared statements are kept for the connection's life: the receive path runs the same
 * few for every message, and a prepare costs a parse.
 *
 * The transaction rule. The caller owns the transaction: store functions never BEGIN, COMMIT
 * or ROLLBACK (only store_begin/store_commit/store_rollback/store_tx do, and the migrations
 * in store_open). Every statement that writes runs inside a transaction its caller opened;
 * sq_step refuses a write in autocommit mode with an error naming it, so a path that forgets
 * its transaction fails its tests at once instead of committing half of a multi-statement
 * change. Reads may run either way. Savepoints (store_savepoint) nest inside a transaction.
 *
 * Errors. Every failing helper records the SQLite result code and a message (sq_fail); the
 * first helper of each store call (sq_bind) clears them, so store_error_is_storage() and
 * store_errmsg() always describe the call that failed last, never an older one.
 */
#ifndef TIPLINE_STORE_INT_H
#define TIPLINE_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

extern sqlite3 *store_db;

struct sq {
	const char *sql;
	const char *name; /* for error messages: the variable's name */
	sqlite3_stmt *st; /* prepared by store_open, finalized by store_close */
};

/*
 * Declare statement VAR with SQL TEXT. The struct (not a pointer to it) lives in the section:
 * store.c walks __start_tipline_sq..__stop_tipline_sq as an array. Neither GCC nor clang put
 * sanitizer redzones around globals in a named section, so the walk holds under ASan too.
 */
#define SQ(var, text)                                                                              \
	static struct sq var                                                                       \
	    __attribute__((used, section("tipline_sq"), aligned(8))) = {text, #var, NULL}

/* Each domain file says STORE_DOMAIN(name) once; store.c lists them (see there why). */
#define STORE_DOMAIN(name) const char store_domain_##name[] = #name

/*
 * Bind the arguments of Q by a type string and return its statement, reset and with old
 * bindings cleared (NULL on error, recorded): 's' text (NULL → SQL NULL), 'i' int, 'l' long,
 * 'I' int64, 'L' long where a negative value means SQL NULL, 'N' an int64 where 0 means NULL.
 * Clears the last error: the start of a new store call.
 */
sqlite3_stmt *sq_bind(struct sq *q, const char *types, ...);
/* sqlite3_step with the countdown fault and the transaction rule applied. */
int sq_step(sqlite3_stmt *s);
/* Run a statement that returns no rows: changed rows, or -1 (recorded, WHAT names it). */
int sq_run(sqlite3_stmt *s, const char *what);
/* After a row loop ended with step result RC: reset S, return N, or -1 if the step failed. */
int sq_rows_end(sqlite3_stmt *s, int rc, const char *what, int n);
/* One row, one integer column: the value, or -1 (recorded). For counts. */
int64_t sq_int(sqlite3_stmt *s, const char *what);
/* Step a statement that returns one text column (RETURNING ref) into out[16]. 0 or -1. */
int sq_ref(sqlite3_stmt *s, char out[16]);
/* Record an error for WHAT from the connection's state. Always -1. */
int sq_fail(const char *what);
/* Record an error that SQLite did not report (RC is the SQLite code it stands for). -1. */
int sq_fail_rc(int rc, const char *what, const char *msg);
/* A failure that is a file's permissions: MESSAGE (printf) for a person, store_error_is_permission
 * true. -1. */
int sq_fail_permission(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Column I as text, or NULL for SQL NULL; valid until the next step or reset. */
const char *sq_text(sqlite3_stmt *s, int i);
/* Column I copied into out (empty for NULL), truncated to SZ. */
void sq_copy(sqlite3_stmt *s, int i, char *out, size_t sz);
/*
 * Hand each row of S to FN as a struct store_row (column names, values, numeric flags);
 * stops at FN's first nonzero return. Rows seen, or -1.
 */
int sq_each_row(sqlite3_stmt *s, int (*fn)(const struct store_row *r, void *ctx), void *ctx,
                const char *what);
/*
 * Hand each row of S, a (name, count) pair, to FN (the name: SQLite's, valid during the call);
 * stops at FN's first nonzero return. Rows seen, or -1. For the counts by status or network.
 */
int sq_each_count(sqlite3_stmt *s, int (*fn)(const char *name, long n, void *arg), void *arg,
                  const char *what);
/* The id of the row the last INSERT made. */
int64_t sq_last_id(void);
/* sqlite3_changes of the connection. */
int sq_changes(void);

/*
 * Checkpoint and truncate the WAL after this transaction's commit: a change overwrote a secret
 * (a PIN, a number) whose old copy would otherwise stay in the WAL's frames until a checkpoint
 * reuses them. Inside the transaction: marks the scrub pending (table wal_scrub), so that the
 * job table retries it while a reader holds the old frames (store_scrub.c).
 * sq_scrub_commit_done: store_commit's one try, without waiting, after such a commit.
 */
void sq_scrub_after_commit(void);
void sq_scrub_commit_done(void);
/* The connection's busy timeout in milliseconds (database.busy_timeout, or what
 * store_set_busy_timeout set). */
int sq_busy_timeout(void);

/* Create team CODE if it does not exist yet (store_people.c). 0 or -1. */
int sq_team_ensure(const char *code, const char *at);

/*
 * The derived broadcast groups, bound as ?61, ?62, ?63 in the statements that resolve a group
 * name (GROUP_MEMBERS below), so the names live in one place (store.h). Numbered, not named:
 * SQLite gives a named parameter the next free number, which would alias a later ?2.
 */
void sq_bind_groups(sqlite3_stmt *s);

/*
 * FROM and WHERE of the subscribed members of group ?1, by its folded name: the derived
 * groups (everyone, leaders, officers, bound as ?61, ?62, ?63), a team, a village
 * ("thon3" or its own name) and the named groups. Only subscribed contacts get a broadcast.
 */
#define GROUP_MEMBERS                                                                              \
	" FROM contacts c WHERE c.subscribed = 1 AND (fold_key(?1) = ?61 OR (fold_key(?1) = "      \
	"?62 AND c.role = 'leader') OR (fold_key(?1) = ?63 AND c.role = 'officer') OR "            \
	"fold_key(c.team) = fold_key(?1) OR 'thon' || fold_key(c.village) = fold_key(?1) OR "      \
	"fold_key(c.village) = fold_key(?1) OR c.phone IN (SELECT m.phone FROM group_members m "   \
	"WHERE fold_key(m.group_name) = fold_key(?1)))"

/*
 * store_files.c: the database files' modes and owners. sq_files_note records which of DB_PATH,
 * -wal and -shm exist (before SQLite creates any); sq_files_fix gives them mode 0600, or 0640
 * and group GID (named GROUP; -1: none), logging a change to a file that EXISTED: 0, or -1
 * (recorded). sq_permission_problem: when opening (WRITE 0) or writing (WRITE 1) DB_PATH
 * fails because of a file's permissions, records the sentence that says whose it is (1); 0
 * when permissions are not the cause.
 */
#define SQ_PATH_LEN 4096 /* the longest database path store_open keeps */
void sq_files_note(const char *db_path, int existed[3]);
int sq_files_fix(const char *db_path, long gid, const char *group, const int existed[3]);
int sq_permission_problem(const char *db_path, int write);

#endif
