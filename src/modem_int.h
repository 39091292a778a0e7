/*
 * The modem layer's private header (as SQLite's vdbeInt.h): struct modem, one per device, and
 * what the modem files share. Only src/modem*.c include it, and with it <gammu.h>; the rest of
 * the program sees struct modem as an opaque pointer (modem.h).
 *
 * The files, split where chrony splits its layers:
 *   modem.c          open/close, connect/disconnect, read, delete, send: the real paths
 *   modem_watch.c    the watchdog thread, the proxy modem process and SIGCHLD, the reset
 *   modem_dummy.c    the simulated phone (libGammu's dummy driver): what it needs that a real
 *                    modem does not, and what the CLI writes into it and reads from it
 *   modem_health.c   health (identity, network, signal, slots) and network registration
 *   modem_simcard.c  the SIM card at connect: its state and its PIN, through the guard
 *   modem_ussd.c     USSD requests and network-initiated notices
 * Words: "dummy" is always the simulated phone; "SIM" / "simcard" is always the card in the
 * modem (its PIN, its SMS slots). The CLI's `tipline sim ...` keeps its name for users.
 *
 * Every field below belongs to one struct modem: two modems in one process share nothing but
 * libGammu's global debug settings and the list of open modems the SIGCHLD handler walks.
 */
#ifndef TIPLINE_MODEM_INT_H
#define TIPLINE_MODEM_INT_H

#include <gammu.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "modem.h"

/* Locations already reported as unreadable, so each is logged once, not once per poll. */
#define MODEM_BAD_MAX 64
/* Network-initiated USSD notices kept until modem_listen delivers them. */
#define MODEM_NOTICE_MAX 8

/* Why the current connection was aborted behind the caller's back (watch.aborted). */
enum { MODEM_ABORT_CHILD = 1, MODEM_ABORT_WATCHDOG = 2 };

/*
 * What the watchdog thread and the SIGCHLD handler share with the calls (modem_watch.c): the
 * state machine to abort, the proxy modem process and our end of its stdin, and the deadline
 * of the libGammu call in progress (monotonic ms, 0 = no call) with its number.
 */
struct modem_watch {
	_Atomic(GSM_StateMachine *) live_sm;
	/* Held by the thread while it aborts live_sm, and by modem_disconnect while clearing. */
	pthread_mutex_t live_lock;
	atomic_int child_pid;  /* 0: none known */
	atomic_int child_wfd;  /* libGammu's write end of the child's stdin, -1 none */
	atomic_int child_gone; /* the proxy process exited */
	int devnull_fd;
	atomic_int aborted; /* 0, or MODEM_ABORT_* */
	atomic_llong deadline;
	atomic_int secs; /* the limit of the call timed now, for the log */
	atomic_uint seq;
	atomic_int stop;
	pthread_t thread;
	int running;
	int failed_connects; /* consecutive, for modem.reset_command */
};

/*
 * Where the last full batch stopped on the simulated phone (modem_dummy.c). Each walk of the
 * dummy driver probes every location from 1 with fopen, so restarting at 1 after every batch
 * re-probes all the slots just emptied: about N*N/100 failed opens for a backlog of N (perf:
 * most of the drain). The walk resumes there instead, but only if every location of that
 * batch was deleted (pending back to 0); otherwise, and after the end of the folders, it
 * starts over.
 */
struct modem_resume {
	int valid;
	int folder;
	int location;
	int pending; /* locations read in the last batch and not yet deleted */
};

/* What the incoming-USSD callback saw (modem_ussd.c). */
struct modem_ussd_state {
	int pending; /* a modem_ussd waits for its answer */
	int done;
	int status; /* +CUSD <m>, -1 unknown; -2 "never" (the simulated phone) */
	char text[MODEM_USSD_TEXT];
};

struct modem {
	const struct modem_config *cfg;
	int dummy; /* the simulated phone: libGammu's dummy driver on cfg->device */
	/*
	 * libGammu's big structs live on the heap, allocated once: a GSM_MultiSMSMessage is
	 * 266 KB and a GSM_SMS_Backup 800 KB. gammu-smsd holds one multi-message per location and
	 * reaches 532 MB draining 1,000 messages; reading one location at a time keeps us at a
	 * few megabytes.
	 */
	GSM_StateMachine *sm;
	GSM_MultiSMSMessage *msms;
	GSM_SMS_Backup *backup;
	int connected;
	char errmsg[256];
	struct modem_watch watch;
	struct modem_resume resume;

	/* What the send-status callback reports; it runs inside GSM_SendSMS/ReadDevice. */
	struct {
		int done;
		int status;
		int msgref;
	} send;
	int bad_locs[MODEM_BAD_MAX];
	int nbad;

	/* The hand-over watch (modem.c, modem_send): armed while tk is not NULL. */
	struct {
		const struct modem_taken *tk;
		int sending; /* "Sending SMS" seen: the PDU follows, then Ctrl-Z */
	} handover;
	/* The PDU behind the message GSM_GetNextSMS returns on the AT driver (modem.c). */
	struct {
		int armed;       /* a GSM_GetNextSMS on the AT driver runs */
		int next_is_pdu; /* the marker was seen: the next hex line is the PDU */
		char pdu[400];   /* hex, "" if none was seen; 176 octets at most = 352 digits */
	} pducap;
	/* The simulated phone's record of a sent message: written aside, then renamed. */
	char sent_tmp[1100], sent_final[1100];

	/*
	 * Instant receive (modem.c): the modem announces each message it stores (+CMTI), and
	 * libGammu calls sms_cb from whichever GSM_ReadDevice reads the line.
	 */
	int announces; /* this connection: AT+CNMI was accepted */
	int announced; /* a message was announced (or the link failed) since modem_read began */
	struct {
		int armed; /* a GSM_SetIncomingSMS runs: its AT+CNMI is read from libGammu's log */
		int mt;    /* the <mt> it sent, -1 not seen */
	} cnmi;

	/* USSD (modem_ussd.c). */
	struct modem_ussd_state ussd;
	int ussd_enabled; /* this connection: 0 not yet, 1 AT+CUSD=1 done, -1 refused */
	void (*notice_fn)(void *, int, const char *);
	void *notice_arg;
	struct {
		int status;
		char text[MODEM_USSD_TEXT];
	} notices[MODEM_NOTICE_MAX];
	int notice_first, notice_count;

	/* Registration as modem_registered last saw it, and when (monotonic) (modem_health.c). */
	enum modem_reg last_reg;
	double reg_checked;

	/* The SIM card (modem_simcard.c): the PIN refused when no guard remembers it. */
	char refused_pin[GSM_SECURITY_CODE_LEN + 1];
	const struct modem_pin_guard *guard;
};

/* modem.c */
void modem_set_err(struct modem *m, const char *what, GSM_Error e);
int modem_is_link_error(GSM_Error e);
long long modem_now_ms(void);
void modem_nap_ms(long ms);
/* Split TEXT into parts with libGammu's multipart encoder. 0, or -1 with ERR (ERRSZ) set. */
int modem_encode(const char *text, int ucs2, GSM_MultiSMSMessage *out, char *err, size_t errsz);

/* modem_watch.c: every libGammu call is bracketed by begin/end. */
void modem_watch_begin(struct modem *m);
/* SECONDS is this call's limit: modem.watchdog, or less for a USSD request. */
void modem_watch_begin_s(struct modem *m, int seconds);
void modem_watch_end(struct modem *m);
/* After a libGammu call: 1 (errmsg says why) if a signal handler or the thread aborted it. */
int modem_was_aborted(struct modem *m, const char *what);
/* Open: the thread (unless modem.watchdog is 0) and the SIGCHLD handler's list. 0 or -1. */
int modem_watch_open(struct modem *m);
void modem_watch_close(struct modem *m);
/* A new state machine, about to connect: nothing aborted, no child gone. */
void modem_watch_arm(struct modem *m, GSM_StateMachine *sm);
/* After connecting through a proxy: find its process (proxyat). */
void modem_watch_find_child(struct modem *m);
/* Before the state machine is freed: the handler and the thread let go. The child's pid. */
pid_t modem_watch_release(struct modem *m);
/* After the state machine is freed: reap PID (the proxy modem process) and leftovers. */
void modem_watch_reap(struct modem *m, pid_t pid);
/* A connect failed: count it, and run modem.reset_command when they are enough. */
void modem_watch_connect_failed(struct modem *m);

/* modem_dummy.c: the simulated phone. */
int modem_dummy_prepare(struct modem *m);
int modem_dummy_ussd_file(struct modem *m, const char *code);
/* The walk's start: 1 if it resumes where the last full batch stopped (FIRST positioned). */
int modem_dummy_resume_begin(struct modem *m, GSM_SMSMessage *first);
void modem_dummy_resume_end(struct modem *m, int full, int folder, int location);
/* Sent: what libGammu's dummy driver does not keep, recorded around TAKEN's record. */
void modem_dummy_sent(struct modem *m, const char *number, GSM_MultiSMSMessage *out,
                      const struct modem_taken *taken);

/* modem_ussd.c */
/* At connect: callback on, presentation not yet asked for. */
void modem_ussd_attach(struct modem *m);
/* AT+CUSD=1 once per connection (libGammu drops USSD lines otherwise). 0, -1 lost. */
int modem_ussd_enable(struct modem *m);

/* modem_simcard.c: at connect, 0 the SIM is ready (or cannot tell), -1 not (errmsg). */
int modem_simcard_check(struct modem *m);
/* Tell the guard the SIM's state (the simulated phone has no SIM lock: always ready). */
int modem_simcard_seen(struct modem *m, enum modem_sim st, int rc);

/* modem_health.c: a new connection asks its registration before sending. */
void modem_health_reset(struct modem *m);

#endif
