/*
 * The daemon's USSD: the airtime balance watch (ussd.balance_code every ussd.check_every
 * seconds, and once at start), the requests `tipline ussd` writes into ussd_requests, and the
 * notices the network sends on its own. Every exchange goes to ussd_log. Below
 * ussd.low_balance each officer gets one SMS per crossing; the state (status 'balance_low')
 * is in the database, so a restart neither repeats nor forgets it.
 *
 * Runs through two sched jobs on the loop's thread; a USSD exchange blocks the loop for at
 * most ussd.timeout (modem_ussd's bound; the watchdog covers the AT command).
 */
#ifndef TIPLINE_USSD_H
#define TIPLINE_USSD_H

struct config;
struct modem;

/* After modem_open and status_init; M is the modem it uses until ussd_close. 0, or -1 (a bad
 * pattern was refused by config_load). */
int ussd_init(const struct config *cfg, struct modem *m);
void ussd_close(void);

#endif
