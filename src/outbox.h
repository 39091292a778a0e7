/*
 * The outbox: picks due messages (replies before broadcasts), paces them, sends them through
 * the modem and records every state change durably: queued → sending → sent | failed.
 *
 * 'sending' is committed before the modem is asked, so a crash mid-send leaves a row in
 * 'sending', which outbox_init puts back to 'queued': at most one resend, never a silent loss.
 */
#ifndef TIPLINE_OUTBOX_H
#define TIPLINE_OUTBOX_H

struct config;
struct modem;

enum outbox_result {
	OUTBOX_IDLE = 0,        /* nothing due */
	OUTBOX_SENT = 1,        /* sent what was due (or what the batch and pacing allowed) */
	OUTBOX_MORE = 2,        /* more is due right now */
	OUTBOX_MODEM_LOST = -1, /* the modem failed mid-send: reconnect */
	OUTBOX_STORE_FAILED = -2,
};

/*
 * Issue 25: ALL, the one process of one modem (sends, recurring broadcasts); MAIN, the main
 * process of several (recurring broadcasts only); MODEM, one modem's process among several
 * (sends through cfg->modem, with on-net routing; puts back only its own interrupted sends).
 */
enum outbox_role { OUTBOX_ROLE_ALL, OUTBOX_ROLE_MAIN, OUTBOX_ROLE_MODEM };
int outbox_init(const struct config *cfg, enum outbox_role role);
void outbox_close(void);
enum outbox_result outbox_run(struct modem *m);
/* Seconds until pacing allows the next part (0: now). */
double outbox_wait(void);

#endif
