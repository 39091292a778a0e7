/* The job table: due jobs run once per sched_run, sched_soon brings one forward. */
#include "check.h"
#include "sched.h"

static int runs[3];

static int job(void *arg)
{
	runs[*(int *)arg]++;
	return *(int *)arg == 2 ? -1 : 0; /* a failing job runs again at its time all the same */
}

static void t_due_jobs_run_once(void)
{
	static int a = 0, b = 1, c = 2;

	sched_close();
	CHECK_INT(sched_add("a", 1000, 0, job, &a), 0);
	CHECK_INT(sched_add("b", 1000, 500, job, &b), 0);
	CHECK_INT(sched_add("c", 0, 0, job, &c), 0);
	CHECK_INT(sched_run(), 2); /* a and c; b not yet */
	CHECK_INT(sched_run(), 1); /* c again: every 0 s */
	CHECK_INT(runs[0], 1);
	CHECK_INT(runs[1], 0);
	CHECK_INT(runs[2], 2);
	CHECK(sched_next() == 0); /* c is always due */
	sched_close();
	CHECK_INT(sched_add("a", 1000, 0, job, &a), 0);
	CHECK_INT(sched_add("b", 1000, 500, job, &b), 0);
	sched_run();
	CHECK(sched_next() > 400 && sched_next() <= 500);
	sched_soon("b");
	CHECK(sched_next() == 0);
	CHECK_INT(sched_run(), 1);
	CHECK_INT(runs[1], 1);
	sched_close();
	CHECK(sched_next() >= 1e8);
}

static void t_table_is_bounded(void)
{
	static int a = 0;

	sched_close();
	for (int i = 0; i < SCHED_MAX; i++)
		CHECK_INT(sched_add("a", 1, 1, job, &a), 0);
	CHECK_INT(sched_add("a", 1, 1, job, &a), -1);
	sched_close();
}

int main(void)
{
	RUN(t_due_jobs_run_once);
	RUN(t_table_is_bounded);
	return check_done();
}
