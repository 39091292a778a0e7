/*
 * The commune's side of the district (issue 27): what leaves the commune, in which tables,
 * and the sync that pushes the change log (schema 022) to the district's PostgreSQL.
 *
 * A sync reads the pending entries of the change log in order, a batch at a time, with each
 * row as it is now (store_sync_batch: never a phone number, a secret, or a message's text
 * unless sync.tip_text), pushes the batch (sync.batch entries, 500) to the district in one
 * PostgreSQL transaction of upserts by (node, table, id) and deletes (district_push), and only
 * after the district's COMMIT advances the commune's cursor (store_sync_done, its own SQLite
 * transaction). A crash between the two commits sends the batch again: the upserts of rows as they
 * are then and the deletes change nothing the second time.
 *
 * The daemon runs a sync every sync.every seconds as a job of sched.c; each run stops after
 * SYNC_JOB_SECONDS of batches and asks to run again at once (sched_soon) while entries wait,
 * so a commune that was offline for days catches up without holding the modem loop.
 */
#ifndef TIPLINE_SYNC_H
#define TIPLINE_SYNC_H

#include <stddef.h>
#include <stdint.h>

struct config;

#define SYNC_MAX_COLS    12
#define SYNC_JOB_SECONDS 2.0 /* the daemon's job stops after this long; the rest waits */

/* A table the district receives: NAME is the same at both ends of the log (sync_log.tbl) and
 * at the district; COLS[0] is its key; the store reads the columns in this order. */
struct sync_table {
	const char *name;
	int ncols;
	const char *cols[SYNC_MAX_COLS];
	const char *types[SYNC_MAX_COLS]; /* the district's column types */
};
extern const struct sync_table sync_tables[];
extern const int sync_ntables;
/* The table named NAME, or NULL. */
const struct sync_table *sync_table_find(const char *name);

/* One entry of a batch: a row to upsert (its values, in T's column order; NULL: SQL NULL) or
 * a key to delete. Every string is owned by the batch. */
struct sync_change {
	int64_t seq;
	const struct sync_table *t;
	char *key;
	int del;  /* 1: delete the row at the district */
	int gone; /* an upsert whose row is gone since (its delete follows in the log): skipped */
	char *val[SYNC_MAX_COLS];
};

struct sync_batch {
	struct sync_change *v; /* owned */
	size_t n, cap;
	int64_t last_seq; /* the highest seq in the batch: the cursor after its commit */
};

/* Empty the batch, freeing every string (ready to be filled again). */
void sync_batch_clear(struct sync_batch *b);

/* What one run sent. */
struct sync_result {
	long long batches, upserts, deletes;
	long long pending; /* entries still waiting after the run */
	long long by_table[16];
	int64_t cursor; /* the cursor after the run */
};

/*
 * Run a sync with CFG's sync group: batches until nothing waits, or, with BUDGET > 0, until
 * BUDGET seconds have passed. 0, or -1 with the reason in ERR (the district out of reach, a
 * refusal, the database) and recorded in sync_cursor.last_error. RES says what was sent
 * (also on failure: the batches committed before it).
 */
int sync_run(const struct config *cfg, double budget, struct sync_result *res, char *err,
             size_t errsz);

/* The daemon's job: registered when sync.conninfo is set. 0, or -1 when the table is full. */
int sync_init(const struct config *cfg);
void sync_close(void);

#endif
