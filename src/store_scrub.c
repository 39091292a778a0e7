/*
 * The store: the WAL scrub (issue 13; made non-blocking by issue 21). A change that redacts a
 * number or a secret leaves the old copies of its pages in the WAL's frames until a checkpoint
 * has copied the new ones back and the log starts over (TRUNCATE). A reader on an older
 * snapshot (an officer's export, a sqlite3 shell, a console page) keeps those frames needed:
 * the checkpoint cannot finish before it closes. It used to wait the whole busy_timeout for
 * it, and was tried again after every later commit, so one open reader stalled every write.
 *
 * Now the checkpoint never waits (busy timeout 0 for its call): tried once right after the
 * commit that asked for it, then by the job table (store_scrub_wal, from the daemon's and
 * `tipline serve`'s jobs) until it succeeds, which is as soon as no reader needs the old
 * frames. The request is a row (schema 015) written in the redacting transaction, so a request
 * made by a CLI command that exits before it can be done is done by the daemon; the row says
 * since when it is pending and how long the last one took (`tipline status`). Rules in
 * store_int.h.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "ts.h"

STORE_DOMAIN(scrub);

static int requested; /* this process's transaction asked for a scrub: try after its commit */

/* Wall-clock milliseconds: pending and done may be seen by two processes. */
static int64_t wall_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The first request's time stays: "pending since" is the oldest frame still at risk. */
SQ(q_scrub_mark, "UPDATE wal_scrub SET pending_since = coalesce(pending_since, ?1), pending_ms = "
                 "coalesce(pending_ms, ?2), pending_seq = pending_seq + 1 WHERE id = 1");

void sq_scrub_after_commit(void)
{
	char now[TS_LEN];

	ts_now(now);
	requested = 1;
	/* Should the row not be written, this process still tries after the commit. */
	if (sq_run(sq_bind(&q_scrub_mark, "sI", now, wall_ms()), "wal scrub request") < 0)
		log_warnx("store: %s", store_errmsg());
}

SQ(q_scrub_seq, "SELECT coalesce((SELECT pending_seq FROM wal_scrub WHERE id = 1 AND "
                "pending_since IS NOT NULL), 0)");
/* Only the request seen before the checkpoint is done: one made since (by another process)
 * stays pending. */
SQ(q_scrub_took, "SELECT max(0, ?1 - coalesce(pending_ms, ?1)) FROM wal_scrub WHERE id = 1");
SQ(q_scrub_done, "UPDATE wal_scrub SET pending_since = NULL, pending_ms = NULL, last_done_at = ?1, "
                 "last_took_ms = ?2 WHERE id = 1 AND pending_seq = ?3");

int store_scrub_wal(void)
{
	char now[TS_LEN];
	int64_t seq, took;
	int rc;

	if (store_db == NULL || store_in_transaction())
		return 0;
	requested = 0;
	seq = sq_int(sq_bind(&q_scrub_seq, ""), "wal scrub");
	if (seq <= 0)
		return seq < 0 ? -1 : 0;
	sqlite3_busy_timeout(store_db, 0);
	rc = sqlite3_wal_checkpoint_v2(store_db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_busy_timeout(store_db, sq_busy_timeout());
	if (rc != SQLITE_OK) {
		log_debug("store: WAL scrub pending: %s", sqlite3_errmsg(store_db));
		return 1;
	}
	ts_now(now);
	if (store_begin() < 0)
		return -1;
	if ((took = sq_int(sq_bind(&q_scrub_took, "I", wall_ms()), "wal scrub time")) < 0 ||
	    sq_run(sq_bind(&q_scrub_done, "sII", now, took, seq), "wal scrub done") < 0) {
		store_rollback();
		return -1;
	}
	if (store_commit() < 0)
		return -1;
	if (took >= 1000)
		log_info("store: WAL scrubbed after %lld ms (a reader held the old frames)",
		         (long long)took);
	return 0;
}

void sq_scrub_commit_done(void)
{
	if (requested)
		store_scrub_wal();
}

SQ(q_scrub_state, "SELECT coalesce(pending_since, ''), coalesce(last_done_at, ''), "
                  "coalesce(last_took_ms, -1) FROM wal_scrub WHERE id = 1");

int store_scrub_state(struct store_scrub_state *out)
{
	sqlite3_stmt *s = sq_bind(&q_scrub_state, "");
	int rc;

	memset(out, 0, sizeof *out);
	out->last_took_ms = -1;
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		sq_copy(s, 0, out->pending_since, sizeof out->pending_since);
		sq_copy(s, 1, out->last_done_at, sizeof out->last_done_at);
		out->last_took_ms = sqlite3_column_int64(s, 2);
	}
	return sq_rows_end(s, rc, "wal scrub state", 0);
}
