/*
 * Forgetting old numbers (issue 13), a periodic job of the daemon (sched.h): with
 * privacy.forget_after = N days (0: numbers are kept), at start and then hourly, the numbers
 * of the rows stored more than N days ago are erased (store_forget_before: tips, inbox, parts,
 * finished outbox rows, USSD sessions, and the unregistered numbers in people's records); the
 * log says how many rows changed, never a number.
 */
#ifndef TIPLINE_PRIVACY_H
#define TIPLINE_PRIVACY_H

struct config;

/* Register the job (none when forget_after is 0). 0, or -1 after logging why. */
int privacy_init(const struct config *cfg);
void privacy_close(void);

#endif
