/*
 * Periodic jobs of the daemon, in one table run by the main loop between polls (after
 * chrony's sched.c, reduced to what a single-threaded poll loop needs): a job is a function
 * and an interval on the monotonic clock. Modules register their jobs in their init; main()
 * calls sched_run() once per cycle and naps no longer than sched_next(). A job runs on the
 * loop's thread, so it may use the store and the modem like the rest of the loop; it should
 * return quickly (a job that must wait, such as a USSD answer, bounds its own wait).
 */
#ifndef TIPLINE_SCHED_H
#define TIPLINE_SCHED_H

#define SCHED_MAX 16

/* A job: returns 0, or -1 after logging why (it runs again at its next time either way). */
typedef int (*sched_fn)(void *arg);

/*
 * Register FN(ARG) to run every EVERY seconds, the first time FIRST seconds from now (0: at
 * the next sched_run). NAME is for the log; it must outlive the job (a string literal).
 * 0, or -1 when the table is full.
 */
int sched_add(const char *name, double every, double first, sched_fn fn, void *arg);
/* Run every job that is due, once each. The number run. */
int sched_run(void);
/* Seconds until the next job is due (0 if one is due now; a large number if none). */
double sched_next(void);
/* Run the job named NAME at the next sched_run (e.g. a request written by the CLI). */
void sched_soon(const char *name);
/* Forget every job (before a reload registers them again). */
void sched_close(void);

#endif
