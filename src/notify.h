/*
 * The daemon's messages to systemd (sd_notify, Type=notify): READY=1 once the database is
 * open, RELOADING=1/READY=1 around a SIGHUP reload, STOPPING=1, and WATCHDOG=1 from a sched
 * job, so that a main loop stuck anywhere (not only in libGammu, which the modem module's own
 * watchdog covers) misses its keep-alive and systemd restarts it (WatchdogSec=).
 * Without systemd (no NOTIFY_SOCKET) every call does nothing.
 */
#ifndef TIPLINE_NOTIFY_H
#define TIPLINE_NOTIFY_H

/* Register the keep-alive job when systemd asked for one (WATCHDOG_USEC); 0, or -1. */
int notify_init(void);
/* Say STATE ("READY=1", "STOPPING=1", ...) to systemd, if it listens. */
void notify_state(const char *state);
void notify_close(void);

#endif
