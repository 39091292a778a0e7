/*
 * The modem layer: the only files that include <gammu.h> (src/modem*.c, private header
 * modem_int.h). It knows how to connect, read and delete incoming parts, send a text, run a
 * USSD request and hear network-initiated USSD, read the modem's health, and (for the
 * simulated phone, libGammu's dummy driver) inject and list messages.
 * It knows nothing of tips or SQL, and never lets a GSM_Error out: 0 / -1 / small enums only.
 *
 * A modem is a value: modem_open gives one struct modem per device, and every call takes it.
 * Several may be open in one process; they share nothing (but libGammu's global debug
 * settings). libGammu is not thread-safe and keeps static buffers: call this module, for
 * every modem, from one thread only.
 *
 * Words: "dummy" is the simulated phone (a directory played by libGammu's dummy driver);
 * "SIM" is the card in a modem (its PIN, its SMS slots), never the simulated phone.
 */
#ifndef TIPLINE_MODEM_H
#define TIPLINE_MODEM_H

#include <stddef.h>

struct modem;
struct modem_config;

/* Parts one modem location can hold (libGammu's GSM_MAX_MULTI_SMS). */
#define MODEM_LOCATION_PARTS 50

/* One part of an incoming message, as read from one modem location. */
struct modem_part {
	char sender[64]; /* UTF-8; an alphanumeric one through the GSM 03.38 table */
	char smsc[64];
	char smsc_time[20]; /* UTC 'YYYY-MM-DD HH:MM:SS' */
	const char *coding; /* "gsm7", "ucs2" or "8bit" (then text is hex) */
	int concat_ref;     /* multipart (any type libGammu numbers, ports included): */
	int concat_total;   /* reference, total, 1-based sequence; total 0: one part */
	int concat_seq;
	int status_report; /* 1: a delivery report (then msgref, delivery and status are set) */
	int msgref;
	int delivery; /* 1 delivered, 0 failed for good, -1 not yet: the network still tries */
	int status;   /* TP-Status as the network sent it */
	int folder;   /* where it lies on the modem, for modem_delete */
	int location;
	char text[1024]; /* UTF-8; a part holds at most 160 septets or 140 bytes */
};

/* One device, not connected yet. CFG must outlive it. NULL when out of memory (logged). */
struct modem *modem_open(const struct modem_config *cfg);
/* Disconnects, stops its watchdog and frees M (NULL is fine). */
void modem_close(struct modem *m);

/*
 * modem_open also starts the watchdog thread (unless modem.watchdog is 0): every libGammu call
 * that takes longer than modem.watchdog seconds is aborted and fails as a lost connection; one
 * that still has not returned min(watchdog, 10) s later ends the process with status 3.
 *
 * For the daemon's SIGCHLD handler (async-signal-safe): if the proxy modem process
 * (connection proxyat) exited, the call in progress is aborted and fails as a lost connection
 * instead of hanging in libGammu.
 */
void modem_on_sigchld(void); /* every open modem's */

/*
 * Connect. 0, or -1 with the reason in modem_errmsg(). Disconnecting reaps the proxy modem
 * process libGammu started (it never does so itself).
 */
int modem_connect(struct modem *m);
void modem_disconnect(struct modem *m);
int modem_connected(const struct modem *m);
/* M's last error; M's buffer, valid until M's next call. */
const char *modem_errmsg(const struct modem *m);

/*
 * The SIM at connect (a real modem; the simulated phone is always ready).
 * MODEM_SIM_PIN: it asks for its PIN and none was entered (none set, or the guard said no);
 * a PIN just refused leaves it there too.
 */
enum modem_sim {
	MODEM_SIM_UNKNOWN = 0, /* not asked yet, or the modem cannot tell */
	MODEM_SIM_READY,       /* no code needed, or modem.pin was just accepted */
	MODEM_SIM_PIN,
	MODEM_SIM_PUK,   /* blocked after three wrong PINs: nothing is ever sent to it */
	MODEM_SIM_OTHER, /* another code (phone lock, network lock): nothing is sent */
};

/*
 * Who remembers the PINs entered (the daemon, in its database), so that a PIN the SIM refused
 * is never entered again, in this process or the next: three wrong tries block the SIM.
 * All run inside modem_connect, from the caller's thread, between libGammu calls.
 * before(ARG, PIN, WHY, WHYSZ): the SIM asks for its PIN and modem.pin is PIN. 1: enter it,
 * and it is recorded (durably: a power cut or SIGKILL may come before the SIM's answer, and
 * an entry whose outcome is unknown must count as refused); 0: do not (WHY says why, for
 * modem_errmsg). after(ARG, PIN, OUTCOME): 1 accepted, 0 refused, -1 unknown (the call was
 * aborted or failed). state(ARG, SIM, WHY): what the SIM asked for at this connect (WHY is
 * the error when the connection stops there, else NULL).
 * Without a guard (NULL) the module remembers a refused PIN for its process only.
 */
struct modem_pin_guard {
	int (*before)(void *arg, const char *pin, char *why, size_t whysz);
	void (*after)(void *arg, const char *pin, int outcome);
	void (*state)(void *arg, enum modem_sim sim, const char *why);
	void *arg;
};
/* G (or NULL) is kept, not copied: it must live until replaced. */
void modem_set_pin_guard(struct modem *m, const struct modem_pin_guard *g);

/*
 * Read about MAX incoming parts into PARTS, which must have room for MAX + MODEM_LOCATION_PARTS
 * (a location is read whole) (only inbox folders, only incoming types).
 * A location libGammu cannot decode is logged once and skipped. Returns the number read,
 * or -1 when the modem connection failed (then disconnect and retry later).
 */
int modem_read(struct modem *m, struct modem_part *parts, size_t max);
/*
 * Instant receive. At connect a real modem is asked to announce each message it stores
 * (libGammu's GSM_SetIncomingSMS: AT+CNMI, then +CMTI: "SM",n per message); a modem that
 * refuses, and the simulated phone, which has none, are only polled.
 * modem_announces: 1 while this connection announces.
 * modem_announced: 1 if a message was announced since the last modem_read began (also right
 * after connecting: what arrived meanwhile was announced to nobody, and after a failed
 * modem_wait, so that the next read reports the loss). The caller reads at once.
 * modem_wait: listen to an announcing modem for up to MS milliseconds (libGammu's
 * GSM_ReadDevice, whose read returns as soon as a byte arrives, or after 50 ms): 1 as soon
 * as a message was announced, 0 when MS passed, -1 when the connection failed. On a modem
 * that does not announce it returns 0 at once: the caller sleeps its own way.
 */
int modem_announces(const struct modem *m);
int modem_announced(const struct modem *m);
int modem_wait(struct modem *m, int ms);
/* Delete a part's location. 0 (also when already gone), -1 connection failure. */
int modem_delete(struct modem *m, const struct modem_part *p);

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
enum modem_send_result modem_send(struct modem *m, const char *number, const char *text, int ucs2,
                                  int report, int *parts, int *msgref,
                                  const struct modem_taken *taken);

/*
 * USSD (libGammu's GSM_DialService; answers come through its incoming-USSD callback).
 *
 * modem_ussd sends CODE ("*101#", ASCII) and waits at most TIMEOUT seconds for the network's
 * answer, reading the modem in steps of at most 50 ms: the call returns within TIMEOUT plus
 * one step, plus the cancel below. The AT+CUSD command itself is timed by the watchdog with
 * a deadline of min(modem.watchdog, TIMEOUT): a modem that does not even acknowledge it is
 * aborted, MODEM_USSD_TIMEOUT returned, and the connection is then lost (the next call fails
 * as MODEM_*_LOST; the caller reconnects as after any lost connection).
 * TEXT (TEXTSZ bytes, MODEM_USSD_TEXT is enough for any answer) gets the answer in UTF-8, ""
 * if none; it is always terminated. An answer that asks for more input is returned and the
 * session cancelled (AT+CUSD=2), as is a session that timed out.
 * Presentation of USSD (AT+CUSD=1) is switched on by the first modem_ussd or modem_listen on
 * a connection, or by modem_connect once a notice callback is set.
 *
 * The simulated phone answers from DEVICE/ussd/CODE if that file exists: "STATUS TEXT" on
 * one line, STATUS one of 0 (answered), 1 (more input), 4 (not supported), or "-" for an
 * answer that never comes (then modem_ussd waits out TIMEOUT); without the file libGammu's
 * dummy driver answers "Reply for CODE".
 */
#define MODEM_USSD_TEXT 3200 /* UTF-8 bytes of the longest answer (999 UCS-2 units), + NUL */
enum modem_ussd_result {
	MODEM_USSD_ANSWERED = 0,      /* +CUSD 0 or 2: the answer is in TEXT */
	MODEM_USSD_MORE_INPUT = 1,    /* +CUSD 1: TEXT is the network's question; cancelled */
	MODEM_USSD_NOT_SUPPORTED = 2, /* +CUSD 4: the network does not know the code */
	MODEM_USSD_TIMEOUT = 3,       /* no answer in TIMEOUT seconds (or +CUSD 5) */
	MODEM_USSD_FAILED = 4,        /* the modem refused the request: see modem_errmsg() */
	MODEM_USSD_LOST = -1,         /* the connection failed: reconnect */
};
enum modem_ussd_result modem_ussd(struct modem *m, const char *code, int timeout, char *text,
                                  size_t textsz);
/* "answered", "more-input", "not-supported", "timeout", "failed", "lost". Static. */
const char *modem_ussd_result_name(enum modem_ussd_result r);

/*
 * Network-initiated USSD (a +CUSD line nobody asked for: a top-up notice, a balance
 * warning). libGammu hands it over inside whichever modem call reads it; the module queues it
 * (the last 8) and modem_listen calls FN(ARG, STATUS, TEXT) for each, oldest first, outside
 * any libGammu call, from the caller's thread. STATUS is the network's +CUSD <m> (0 notice,
 * 1 the network asks for input, 2 ended); TEXT is UTF-8 and only valid during the call.
 * FN NULL stops the delivery (queued notices are dropped).
 * AT+CUSD lines carry no request reference: a notice that arrives while a modem_ussd waits
 * is taken for its answer (and the answer that follows becomes a notice).
 */
void modem_set_ussd_notice(struct modem *m, void (*fn)(void *arg, int status, const char *text),
                           void *arg);
/*
 * Read what the modem sends unasked for up to MS milliseconds (returning as soon as a notice
 * was delivered), then deliver queued notices. 0, or -1 when the connection failed.
 */
int modem_listen(struct modem *m, int ms);

/* What modem_health reads (each bit costs AT commands on a real modem). */
enum {
	MODEM_HEALTH_IDENTITY = 1, /* manufacturer, model: cached by libGammu at connect */
	MODEM_HEALTH_NETWORK = 2,  /* operator and registration: 9 AT commands (CREG, COPS...) */
	MODEM_HEALTH_SIGNAL = 4,   /* one AT+CSQ */
	MODEM_HEALTH_SLOTS = 8,    /* one AT+CPMS */
	MODEM_HEALTH_ALL = 15,
};
enum modem_reg {
	MODEM_REG_UNKNOWN = 0,
	MODEM_REG_HOME,
	MODEM_REG_ROAMING,
	MODEM_REG_SEARCHING,
	MODEM_REG_DENIED,
	MODEM_REG_NONE, /* not registered, not searching */
};
/* "unknown", "home", "roaming", "searching", "denied", "none". Static. */
const char *modem_reg_name(enum modem_reg r);
struct modem_health {
	unsigned have;          /* the MODEM_HEALTH_* bits actually read (asked for and answered) */
	char manufacturer[128]; /* UTF-8 */
	char model[128];
	char operator_name[64]; /* as the network names itself, UTF-8; "" unknown */
	char operator_code[16]; /* MCC MNC, "452 04"; "" unknown */
	enum modem_reg reg;
	int signal_percent; /* 0..100, -1 unknown */
	int signal_dbm;     /* -113..-51, 0 unknown */
	int sim_used;       /* SMS on the SIM, -1 unknown */
	int sim_total;      /* the SIM's SMS slots, -1 unknown */
};
/*
 * Read WHAT (MODEM_HEALTH_* bits) into H; a part the modem does not support stays unknown
 * (its bit clear in H->have). 0, or -1 when the connection failed (H is still filled with
 * what was read before).
 */
int modem_health(struct modem *m, unsigned what, struct modem_health *h);
/*
 * 1 if the modem is registered on a network (home or roaming), or cannot say; 0 if it is
 * searching, denied or without one: sending waits. Asks the modem at most once a minute while
 * registered, every 5 s while not; each change of state is logged once.
 */
int modem_registered(struct modem *m);

/*
 * The simulated phone (libGammu's dummy driver on directory DIR), for the CLI's `tipline sim`
 * (no struct modem: the daemon may be polling the same directory meanwhile):
 * modem_dummy_inject writes an incoming message into its inbox (one file per part, as a real
 * modem stores them), 0 or -1 with a message on stderr. SMSC_TIME is 'YYYY-MM-DD HH:MM:SS' UTC
 * or NULL for now. ORDER, if not NULL, lists the 1-based parts to write (others are skipped),
 * so tests can deliver parts out of order and across polls; REF (0-255) sets the
 * concatenation reference, so parts written by two calls belong to one message (-1: any).
 */
int modem_dummy_inject(const char *dir, const char *from, const char *text, const char *smsc_time,
                       const int *order, size_t norder, int ref);
/* A delivery report (delivered) from FROM for network reference MSGREF, into the inbox. */
int modem_dummy_report(const char *dir, const char *from, int msgref);
/* Calls fn for each message the daemon sent through the simulated phone, oldest first. */
int modem_dummy_sent_each(const char *sent_dir,
                          int (*fn)(const char *file, const char *number, const char *text,
                                    int parts, const char *coding, void *arg),
                          void *arg);

#endif
