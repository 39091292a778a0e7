/* The commune's sync to the district: see sync.h. */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "district.h"
#include "fault.h"
#include "log.h"
#include "sched.h"
#include "store.h"
#include "ts.h"

#define T "text"
#define I "bigint"

/* What leaves the commune (store_sync.c reads these columns in this order). */
const struct sync_table sync_tables[] = {
    {"teams", 5, {"code", "name", "village", "nights", "night_by"}, {T, T, T, T, T}},
    {"tips",
     12,
     {"id", "ref", "created_at", "updated_at", "read_at", "category", "village", "status",
      "structured", "anonymous", "channel", "text"},
     {I, T, T, T, T, T, T, T, I, I, T, T}},
    {"tip_events",
     6,
     {"id", "tip_id", "at", "by_name", "from_status", "to_status"},
     {I, I, T, T, T, T}},
    {"patrols", 5, {"id", "team", "started_at", "ended_at", "members"}, {I, T, T, T, I}},
    {"awareness_sessions",
     5,
     {"id", "team", "held_at", "sessions", "participants"},
     {I, T, T, I, I}},
    {"mediations", 4, {"id", "ref", "team", "created_at"}, {I, T, T, T}},
    {"broadcasts",
     8,
     {"id", "group_name", "parts", "recipients", "created_at", "scheduled_at", "every", "status"},
     {I, T, I, I, T, T, T, T}},
    {"alerts", 5, {"id", "kind", "subject", "raised_at", "sent_at"}, {I, T, T, T, T}},
    {"messages_in", 3, {"id", "smsc_time", "channel"}, {I, T, T}},
    {"messages_out",
     6,
     {"id", "broadcast_id", "status", "parts", "created_at", "sent_at"},
     {I, I, T, I, T, T}},
};
const int sync_ntables = (int)(sizeof sync_tables / sizeof sync_tables[0]);

const struct sync_table *sync_table_find(const char *name)
{
	for (int i = 0; name != NULL && i < sync_ntables; i++)
		if (strcmp(sync_tables[i].name, name) == 0)
			return &sync_tables[i];
	return NULL;
}

void sync_batch_clear(struct sync_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].key);
		for (int j = 0; j < SYNC_MAX_COLS; j++)
			free(b->v[i].val[j]);
	}
	b->n = 0;
	b->last_seq = 0;
}

static void batch_free(struct sync_batch *b)
{
	sync_batch_clear(b);
	free(b->v);
	b->v = NULL;
	b->cap = 0;
}

/* Record the failure WHY in sync_cursor (its own transaction; a failure to record is only
 * logged: the sync failed anyway). */
static void record_failure(const char *why)
{
	char now[TS_LEN];

	ts_now(now);
	if (store_begin() < 0)
		return;
	if (store_sync_tried(why, now) < 0 || store_commit() < 0)
		store_rollback();
}

/* The batch B committed at the district: its counts into RES. */
static void count(const struct sync_batch *b, struct sync_result *res)
{
	res->batches++;
	for (size_t i = 0; i < b->n; i++) {
		const struct sync_change *c = &b->v[i];

		if (c->gone)
			continue;
		if (c->del)
			res->deletes++;
		else
			res->upserts++;
		res->by_table[c->t - sync_tables]++;
	}
}

int sync_run(const struct config *cfg, double budget, struct sync_result *res, char *err,
             size_t errsz)
{
	struct sync_batch b = {0};
	struct district *d = NULL;
	struct store_sync_state st;
	double start = ts_mono();
	char now[TS_LEN];
	int rc = -1, n;

	memset(res, 0, sizeof *res);
	err[0] = '\0';
	if (cfg->sync.conninfo[0] == '\0') {
		snprintf(err, errsz, "sync is off: no sync.conninfo in %s", cfg->file);
		return -1;
	}
	while ((n = store_sync_batch(cfg->sync.batch, cfg->sync.tip_text, &b)) > 0) {
		if (d == NULL && (d = district_connect(cfg->sync.conninfo, err, errsz)) == NULL)
			goto out;
		if (district_push(d, cfg->sync.node, &b, err, errsz) < 0)
			goto out;
		/* The district committed: a crash from here to our commit sends the batch again. */
		fault_point("exit-after-district-commit");
		ts_now(now);
		if (store_begin() < 0)
			goto out;
		if (store_sync_done(b.last_seq, now) < 0 || store_commit() < 0) {
			store_rollback();
			goto out;
		}
		count(&b, res);
		/* Between two batches: the cursor moved, the next batch not yet read. */
		fault_point("exit-after-sync-batch");
		if (budget > 0 && ts_mono() - start >= budget)
			break;
	}
	rc = n < 0 ? -1 : 0; /* n > 0: the budget ended the run with entries left */
out:
	/* The district's functions say why they failed; a store function's reason is the store's.
	 */
	if (rc < 0 && err[0] == '\0')
		snprintf(err, errsz, "the database: %s", store_errmsg());
	if (rc < 0)
		record_failure(err);
	if (store_sync_state(&st) == 0) {
		res->pending = st.pending;
		res->cursor = st.cursor;
	}
	district_close(d);
	batch_free(&b);
	return rc;
}

/* --- the daemon's job --- */

static const struct config *job_cfg;
static int failing; /* the last run failed: say so once, and when it works again */

static int sync_job(void *arg)
{
	struct sync_result res;
	char err[512];

	(void)arg;
	if (sync_run(job_cfg, SYNC_JOB_SECONDS, &res, err, sizeof err) < 0) {
		if (!failing)
			log_warnx("sync: %s (%lld changes wait; tried again every %d s)", err,
			          res.pending, job_cfg->sync.every);
		failing = 1;
		return -1;
	}
	if (failing)
		log_info("sync: the district is reached again");
	failing = 0;
	if (res.batches > 0)
		log_info("sync: sent %lld changes (%lld deleted) in %lld batches; %lld wait",
		         res.upserts + res.deletes, res.deletes, res.batches, res.pending);
	/* More waits (a commune back after days offline): the next run at the loop's next turn. */
	if (res.pending > 0)
		sched_soon("sync");
	return 0;
}

int sync_init(const struct config *cfg)
{
	job_cfg = cfg;
	failing = 0;
	if (cfg->sync.conninfo[0] == '\0')
		return 0;
	return sched_add("sync", cfg->sync.every, 1, sync_job, NULL);
}

void sync_close(void)
{
	job_cfg = NULL;
}
