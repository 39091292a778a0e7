/*
 * Test-only fault points, in the manner of SQLite's fault injection: the recovery paths of
 * the daemon are proved by tests that stop it exactly where a power cut would.
 * With TIPLINE_FAULT=NAME in the environment, fault_point(NAME) ends the process at once
 * with _exit(99) — no cleanup, no flush, as a crash would; TIPLINE_FAULT=NAME:kill ends it
 * with a real SIGKILL there instead (what the kernel's OOM killer or `kill -9` does).
 * Unset in production: a getenv.
 */
#ifndef TIPLINE_FAULT_H
#define TIPLINE_FAULT_H

void fault_point(const char *name);
/* With TIPLINE_FAULT=NAME, fault_hang(NAME) never returns (signal handlers still run), as a
 * driver stuck in a call that cannot be aborted would: only the watchdog's exit ends it. */
void fault_hang(const char *name);

#endif

/*
 * The countdown fault, as SQLite tests itself: with TIPLINE_FAULT_COUNTDOWN="N[:K][:KIND]" the
 * store's Nth database call (a statement step or an exec, counted from 1) fails, and so do the
 * K-1 calls after it (K defaults to 1, "once"; K = 0 is "from then on"), with KIND full, ioerr
 * (the default) or nomem. fault_countdown() is called once per database call: 0 to go on, else
 * the FAULT_* kind to fail with.
 */
enum { FAULT_NONE, FAULT_IOERR, FAULT_FULL, FAULT_NOMEM };
int fault_countdown(void);
/* Set the countdown from SPEC (the variable's syntax; NULL disarms) and restart the count. */
void fault_countdown_arm(const char *spec);
/* Database calls counted so far, or -1 when no countdown is set. */
long fault_countdown_calls(void);
