/*
 * The receive path: modem parts → one committed transaction in the store → delete from modem.
 *
 * Order is the whole point: nothing is deleted from the modem before the transaction that
 * holds it has committed (synchronous=FULL). A crash between the commit and the delete means
 * the message is read again, and the store's unique keys turn that re-read into a no-op.
 */
#ifndef TIPLINE_RECEIVE_H
#define TIPLINE_RECEIVE_H

struct modem;
struct modem_config;

enum receive_result {
	RECEIVE_IDLE = 0, /* nothing on the modem */
	RECEIVE_SOME = 1, /* stored and deleted some parts; maybe more are waiting */
	RECEIVE_FULL = 2, /* read a full batch: poll again at once */
	RECEIVE_MODEM_LOST = -1,
	RECEIVE_STORE_FAILED = -2, /* nothing deleted; the messages wait on the modem */
};

/* SEVERAL: this is one modem of several (issue 25), so the place a message lay in names the
 * modem ("vina1:1/5"): another SIM's slot 5 is another message. */
int receive_init(const struct modem_config *cfg, int several);
void receive_close(void);
/*
 * Read the modem when a read is due (an announcement, a connect, work left by the last read,
 * or modem.poll_interval since the last), store, hand over, delete. RECEIVE_IDLE when none was.
 */
enum receive_result receive_poll(struct modem *m);

#endif
