/* Forgetting old numbers: see privacy.h. */
#include "privacy.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "sched.h"
#include "store.h"
#include "ts.h"

#define PRIVACY_EVERY 3600 /* seconds between runs: a number outlives its days by an hour */

static int forget_after; /* days, from the configuration */
static int failing;      /* the last run failed: say so once, and when it works again */

/* The rows changed per table, "tips 2, inbox 3" (tables with none left out), into BUF. */
static void counts_text(const struct store_forget *f, char *buf, size_t sz)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int t = 0; t < STORE_FG_COUNT && len < sz; t++) {
		int n;

		if (f->changed[t] == 0)
			continue;
		n = snprintf(buf + len, sz - len, "%s%s %d", len ? ", " : "",
		             store_forget_table_name((enum store_forget_table)t), f->changed[t]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

/* The job: one transaction, so a crash leaves every number or none of one run erased. */
static int forget_old(void *arg)
{
	struct store_forget f;
	char before[TS_LEN], what[512];

	(void)arg;
	ts_utc((int64_t)time(NULL) - (int64_t)forget_after * 86400, before);
	if (store_begin() < 0)
		goto fail;
	if (store_forget_before(before, &f) < 0) {
		store_rollback();
		goto fail;
	}
	if (store_commit() < 0)
		goto fail;
	if (failing)
		log_info("privacy: forgetting old numbers again");
	failing = 0;
	if (f.total > 0) {
		counts_text(&f, what, sizeof what);
		log_info("privacy: forgot the numbers of %d rows older than %d days (%s)", f.total,
		         forget_after, what);
	} else {
		log_debug("privacy: no numbers older than %d days", forget_after);
	}
	return 0;
fail:
	if (!failing)
		log_warnx("privacy: cannot forget old numbers: %s", store_errmsg());
	failing = 1;
	return -1;
}

/* The WAL scrub a reader put off (store_scrub.c): retried here, never by every commit. */
static int scrub_wal(void *arg)
{
	return store_scrub_wal() < 0 ? -1 : 0;
}

int privacy_init(const struct config *cfg)
{
	forget_after = cfg->privacy.forget_after;
	failing = 0;
	/* At start too: a request left by a CLI command, or before a restart. */
	if (sched_add("wal scrub", STORE_SCRUB_EVERY, 0, scrub_wal, NULL) < 0) {
		log_warnx("privacy: cannot schedule the WAL scrub (too many jobs)");
		return -1;
	}
	if (forget_after <= 0)
		return 0;
	/* The first run at start: a daemon that was down for days catches up at once. */
	if (sched_add("privacy", PRIVACY_EVERY, 0, forget_old, NULL) < 0) {
		log_warnx("privacy: cannot schedule forgetting old numbers (too many jobs)");
		return -1;
	}
	return 0;
}

void privacy_close(void)
{
	forget_after = 0;
}
