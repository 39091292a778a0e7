/*
 * What the daemon measures about itself, written to the `status` table for `tipline status`:
 * a heartbeat (every poll interval), when it started, the modem's link and health (every
 * status.every seconds, through modem_health: two AT commands for signal and slots, the
 * network's name and registration, the identity libGammu cached at connect).
 *
 * The heartbeat's value is a deadline (UTC text): the time by which the daemon promises its
 * next heartbeat, two poll intervals on (at least a second each); a daemon about to spend up
 * to S seconds in one call (a USSD exchange) pushes it S further first (status_busy). The CLI
 * takes a deadline in the past, or no heartbeat row, as "not running". A clean stop deletes
 * the row and records stopped_at.
 */
#ifndef TIPLINE_STATUS_H
#define TIPLINE_STATUS_H

struct config;
struct modem;

/* Seconds between heartbeats, and how stale one may get: shared by the daemon and the CLI. */
double status_interval(const struct config *cfg);

/* M: the modem whose link and health it records, until status_close. */
int status_init(const struct config *cfg, struct modem *m);
void status_close(void);
/* The modem connected (UP 1) or was lost (0, WHY says why); main.c's loop tells us. */
void status_link(int up, const char *why);
/* About to be busy for up to SECONDS in one call: the heartbeat's deadline moves first. */
void status_busy(int seconds);
/* The daemon stops (SIGTERM, not a reload): heartbeat gone, stopped_at recorded. */
void status_stop(void);

#endif
