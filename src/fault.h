/*
 * Test-only fault points, in the manner of SQLite's fault injection: the recovery paths of
 * the daemon are proved by tests that stop it exactly where a power cut would.
 * With TIPLINE_FAULT=NAME in the environment, fault_point(NAME) ends the process at once
 * with _exit(99) — no cleanup, no flush, as a crash would. Unset in production: a getenv.
 */
#ifndef TIPLINE_FAULT_H
#define TIPLINE_FAULT_H

void fault_point(const char *name);
/* With TIPLINE_FAULT=NAME, fault_hang(NAME) never returns (signal handlers still run), as a
 * driver stuck in a call that cannot be aborted would: only the watchdog's exit ends it. */
void fault_hang(const char *name);

#endif
