/*
 * The modem layer: the only file that includes <gammu.h>. It knows how to connect, read and
 * delete incoming parts, send a text, and (for the simulated phone) inject and list messages.
 * It knows nothing of tips or SQL, and never lets a GSM_Error out: 0 / -1 / small enums only.
 *
 * libGammu is not thread-safe and keeps static buffers: call this module from one thread only.
 */
#ifndef TIPLINE_MODEM_H
#define TIPLINE_MODEM_H

#include <stddef.h>

struct modem_config;

/* Parts one modem location can hold (libGammu's GSM_MAX_MULTI_SMS). */
#define MODEM_LOCATION_PARTS 50

/* One part of an incoming message, as read from one modem location. */
struct modem_part {
	char sender[64]; /* UTF-8, as the network gave it */
	char smsc[64];
	char smsc_time[20]; /* UTC 'YYYY-MM-DD HH:MM:SS' */
	const char *coding; /* "gsm7", "ucs2" or "8bit" (then text is hex) */
	int concat_ref;     /* concatenation: reference, total and 1-based sequence; */
	int concat_total;   /* concat_total 0 means a single-part message */
	int concat_seq;
	int status_report; /* 1: a delivery report (then msgref, delivery and status are set) */
	int msgref;
	int delivery; /* 1 delivered, 0 failed for good, -1 not yet: the network still tries */
	int status;   /* TP-Status as the network sent it */
	int folder;   /* where it lies on the modem, for modem_delete */
	int location;
	char text[1024]; /* UTF-8; a part holds at most 160 septets or 140 bytes */
};

int modem_init(const struct modem_config *cfg);
void modem_close(void);

/*
 * modem_init also starts the watchdog thread (unless modem.watchdog is 0): every libGammu call
 * that takes longer than modem.watchdog seconds is aborted and fails as a lost connection; one
 * that still has not returned min(watchdog, 10) s later ends the process with status 3.
 *
 * For the daemon's SIGCHLD handler (async-signal-safe): if the proxy modem process
 * (connection proxyat) exited, the call in progress is aborted and fails as a lost connection
 * instead of hanging in libGammu.
 */
void modem_on_sigchld(void);

/*
 * Connect. 0, or -1 with the reason in modem_errmsg(). Disconnecting reaps the proxy modem
 * process libGammu started (it never does so itself).
 */
int modem_connect(void);
void modem_disconnect(void);
int modem_connected(void);
const char *modem_errmsg(void);

/*
 * Read about MAX incoming parts into PARTS, which must have room for MAX + MODEM_LOCATION_PARTS
 * (a location is read whole) (only inbox folders, only incoming types).
 * A location libGammu cannot decode is logged once and skipped. Returns the number read,
 * or -1 when the modem connection failed (then disconnect and retry later).
 */
int modem_read(struct modem_part *parts, size_t max);
/* Delete a part's location. 0 (also when already gone), -1 connection failure. */
int modem_delete(const struct modem_part *p);

enum modem_send_result {
	MODEM_SENT = 0,
	MODEM_SEND_FAILED = -1, /* the network or modem refused this message: retry later */
	MODEM_SEND_LOST = -2,   /* the connection failed: reconnect */
};
/*
 * Send TEXT (UTF-8) to NUMBER, as UCS-2 when UCS2 is set (else GSM-7; libGammu would
 * transliterate what does not fit, so the caller decides), split into concatenated parts.
 * REPORT requests a delivery report. *parts gets the number of parts sent; *msgref the
 * network's reference of the last part.
 */
/*
 * The moment the modem is committed to a message (the first part), for whoever must record it:
 * RECORD(ARG, SYNC) runs just before, and the modem waits until it returns. On a real modem
 * that is just before libGammu writes the Ctrl-Z that ends the PDU (from then on the network
 * may send it, whatever happens to this process), with SYNC 1: the record must be on disk,
 * since a power cut takes the daemon and may leave the modem's send done. On the simulated
 * phone the copy is first written aside (a hidden file), then RECORD runs with SYNC 0 (the
 * record need only be written: a killed process leaves it to the next), then one rename()
 * sends the copy. From then until the modem's answer the outcome is unknown to us.
 */
struct modem_taken {
	void (*record)(void *arg, int sync);
	void *arg;
};
/* TAKEN may be NULL. */
enum modem_send_result modem_send(const char *number, const char *text, int ucs2, int report,
                                  int *parts, int *msgref, const struct modem_taken *taken);

/*
 * The simulated phone (libGammu's dummy driver on directory DIR):
 * modem_sim_inject writes an incoming message into its inbox (one file per part, as a real
 * modem stores them), 0 or -1 with a message on stderr. SMSC_TIME is 'YYYY-MM-DD HH:MM:SS' UTC
 * or NULL for now. ORDER, if not NULL, lists the 1-based parts to write (others are skipped),
 * so tests can deliver parts out of order and across polls; REF (0-255) sets the
 * concatenation reference, so parts written by two calls belong to one message (-1: any).
 */
int modem_sim_inject(const char *dir, const char *from, const char *text, const char *smsc_time,
                     const int *order, size_t norder, int ref);
/* A delivery report (delivered) from FROM for network reference MSGREF, into the inbox. */
int modem_sim_report(const char *dir, const char *from, int msgref);
/* Calls fn for each message the daemon sent through the simulated phone, oldest first. */
int modem_sim_sent_each(const char *sent_dir,
                        int (*fn)(const char *file, const char *number, const char *text, int parts,
                                  const char *coding, void *arg),
                        void *arg);

#endif
