#include "sched.h"

#include <string.h>

#include "log.h"
#include "ts.h"

static struct job {
	const char *name;
	double every, due; /* seconds; due on the monotonic clock */
	sched_fn fn;
	void *arg;
} jobs[SCHED_MAX];
static int njobs;

int sched_add(const char *name, double every, double first, sched_fn fn, void *arg)
{
	if (njobs == SCHED_MAX) {
		log_warnx("sched: no room for job %s", name);
		return -1;
	}
	jobs[njobs].name = name;
	jobs[njobs].every = every;
	jobs[njobs].due = ts_mono() + first;
	jobs[njobs].fn = fn;
	jobs[njobs].arg = arg;
	njobs++;
	return 0;
}

int sched_run(void)
{
	int n = 0;

	for (int i = 0; i < njobs; i++) {
		double now = ts_mono();

		if (now < jobs[i].due)
			continue;
		/* The next time counts from now, not from the missed one: a daemon that was busy
		 * (or suspended) runs a job once, not once per interval missed. */
		jobs[i].due = now + jobs[i].every;
		if (jobs[i].fn(jobs[i].arg) < 0)
			log_debug("sched: job %s failed", jobs[i].name);
		n++;
	}
	return n;
}

double sched_next(void)
{
	double now = ts_mono(), next = 1e9;

	for (int i = 0; i < njobs; i++) {
		double w = jobs[i].due - now;

		if (w < next)
			next = w;
	}
	return next > 0 ? next : 0;
}

void sched_soon(const char *name)
{
	for (int i = 0; i < njobs; i++)
		if (strcmp(jobs[i].name, name) == 0)
			jobs[i].due = 0;
}

void sched_close(void)
{
	njobs = 0;
}
