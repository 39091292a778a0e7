#include "modem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gammu.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fault.h"
#include "log.h"
#include "text.h"
#include "ts.h"

/*
 * libGammu's big structs live on the heap, allocated once: a GSM_MultiSMSMessage is 266 KB and
 * a GSM_SMS_Backup 800 KB. gammu-smsd holds one multi-message per location and reaches 532 MB
 * draining 1,000 messages; reading one location at a time keeps us at a few megabytes.
 */
static GSM_StateMachine *sm;
static GSM_MultiSMSMessage *msms;
static GSM_SMS_Backup *backup;
static const struct modem_config *mcfg;
static int is_dummy;
static int connected;

_Static_assert(MODEM_LOCATION_PARTS >= GSM_MAX_MULTI_SMS,
               "a location holds GSM_MAX_MULTI_SMS parts");

/*
 * Where the last full batch stopped on the simulated phone. Each walk of the dummy driver
 * probes every location from 1 with fopen, so restarting at 1 after every batch re-probes
 * all the slots just emptied: about N*N/100 failed opens for a backlog of N (perf: most of
 * the drain). The walk resumes there instead, but only if every location of that batch was
 * deleted (pending back to 0); otherwise, and after the end of the folders, it starts over.
 */
static struct {
	int valid;
	int folder;
	int location;
	int pending; /* locations read in the last batch and not yet deleted */
} resume;
static char errmsg[256];

/*
 * What the watchdog thread and the SIGCHLD handler share with the calls below: the state
 * machine to abort, the proxy modem process and our end of its stdin.
 *
 * With connection = proxyat libGammu forks the modem command and never reaps it; when that
 * process dies, libGammu 1.42's proxy_write sees EPIPE, but the errno it tests has been
 * overwritten with EAGAIN by its own sigtimedwait() loop, so it retries the write forever.
 * We find the child and the pipe after connecting; when the child dies, SIGCHLD points the
 * pipe at /dev/null (dup2 is async-signal-safe), so writes succeed, and aborts the state
 * machine, so the call in progress returns ERR_ABORTED at once instead of waiting out its
 * timeout (up to 500 s for AT+CMGL).
 */
static _Atomic(GSM_StateMachine *) live_sm;
/* Held by the thread while it aborts live_sm, and by modem_disconnect while clearing it. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int child_pid;      /* 0: none known */
static atomic_int child_wfd = -1; /* libGammu's write end of the child's stdin */
static atomic_int child_gone;     /* the proxy process exited */
static int devnull_fd = -1;
/* Why the current connection was aborted behind the caller's back: 0 not, else ABORT_*. */
static atomic_int aborted;
enum { ABORT_CHILD = 1, ABORT_WATCHDOG = 2 };

/*
 * The watchdog. Every libGammu call is bracketed by watch_begin/watch_end, which publish a
 * deadline (monotonic ms, 0 = no call) and a call number. A thread checks them ten times a
 * second: a call past its deadline is aborted (GSM_AbortOperation sets a flag that libGammu's
 * read loops test), so it fails as a lost connection and the main loop reconnects. A call
 * that ignores the abort (a driver stuck in a write, a kernel that does not return) is given
 * a grace of min(watchdog, 10) s, then the thread ends the process with status 3: systemd's
 * Restart=always brings the daemon back, and all state is on disk.
 * A thread rather than SIGALRM: a signal interrupts libGammu's select() in proxy_read, which
 * then falls into a blocking read() and never sees the abort. The thread blocks every signal
 * and touches nothing of libGammu but the abort flag.
 */
static atomic_llong watch_deadline;
static atomic_int watch_secs; /* the limit of the call timed now, for the log */
static atomic_uint watch_seq;
static atomic_int watch_stop;
static pthread_t watch_thread;
static int watch_running;

/* What the send-status callback reports; the callback runs inside GSM_SendSMS/ReadDevice. */
static struct {
	int done;
	int status;
	int msgref;
} send_state;
/* Locations already reported as unreadable, so each is logged once, not once per poll. */
#define BAD_MAX 64
static int bad_locs[BAD_MAX];
static int nbad;

static void set_err(const char *what, GSM_Error e)
{
	snprintf(errmsg, sizeof errmsg, "%s: %s (%s)", what, GSM_ErrorString(e), GSM_ErrorName(e));
}

const char *modem_errmsg(void)
{
	return errmsg;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SECONDS is this call's limit: modem.watchdog, or less for a USSD request (modem_ussd). */
static void watch_begin_s(int seconds)
{
	if (mcfg->watchdog <= 0)
		return;
	atomic_fetch_add(&watch_seq, 1);
	atomic_store(&watch_secs, seconds);
	atomic_store(&watch_deadline, now_ms() + 1000LL * seconds);
}

static void watch_begin(void)
{
	watch_begin_s(mcfg->watchdog);
}

static void watch_end(void)
{
	atomic_store(&watch_deadline, 0);
}

static void *watchdog_main(void *arg)
{
	static const char exit_msg[] = "tiplined[error]: watchdog: a modem call hung and could "
	                               "not be aborted; exiting so that the service manager "
	                               "restarts the daemon\n";
	const struct timespec tick = {0, 100 * 1000 * 1000};
	long long grace = 1000LL * (mcfg->watchdog < 10 ? mcfg->watchdog : 10), aborted_at = 0;
	unsigned aborted_seq = 0;
	int have_aborted = 0;

	while (!atomic_load(&watch_stop)) {
		long long deadline, now;
		unsigned seq;

		nanosleep(&tick, NULL);
		deadline = atomic_load(&watch_deadline);
		seq = atomic_load(&watch_seq);
		now = now_ms();
		if (deadline == 0 || now < deadline)
			continue;
		if (!have_aborted || seq != aborted_seq) {
			GSM_StateMachine *s;

			have_aborted = 1;
			aborted_seq = seq;
			aborted_at = now;
			atomic_store(&aborted, ABORT_WATCHDOG);
			pthread_mutex_lock(&live_lock);
			s = atomic_load(&live_sm);
			if (s != NULL)
				GSM_AbortOperation(s);
			pthread_mutex_unlock(&live_lock);
			log_warnx("watchdog: a modem call took more than %d s; aborting it",
			          atomic_load(&watch_secs));
		} else if (now - aborted_at >= grace) {
			ssize_t r = write(STDERR_FILENO, exit_msg, sizeof exit_msg - 1);

			(void)r;
			_exit(3);
		}
	}
	return NULL;
}

static int watch_start(void)
{
	sigset_t all, old;
	int e;

	if (mcfg->watchdog <= 0 || watch_running)
		return 0;
	atomic_store(&watch_stop, 0);
	atomic_store(&watch_deadline, 0);
	/* Every signal stays with the main thread: the thread is created with all blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&watch_thread, NULL, watchdog_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		log_warn("modem: cannot start the watchdog thread");
		return -1;
	}
	watch_running = 1;
	return 0;
}

static void watch_shutdown(void)
{
	if (!watch_running)
		return;
	atomic_store(&watch_stop, 1);
	pthread_join(watch_thread, NULL);
	watch_running = 0;
}

/*
 * Runs in the main thread's SIGCHLD handler (the watchdog thread blocks signals), so it
 * interrupts the code that sets live_sm and child_*: it sees them either before or after a
 * change, never half-made, and the state machine is freed only after live_sm is cleared.
 */
void modem_on_sigchld(void)
{
	siginfo_t si;
	pid_t pid = atomic_load(&child_pid);
	GSM_StateMachine *s;
	int wfd, zero = 0;

	if (pid <= 0 || atomic_load(&child_gone))
		return;
	si.si_pid = 0;
	/* WNOWAIT: leave the zombie for modem_disconnect, so its pid cannot be reused while
	 * libGammu still holds it (proxy_close sends it SIGHUP). */
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != pid)
		return;
	atomic_store(&child_gone, 1);
	wfd = atomic_load(&child_wfd);
	if (wfd >= 0 && devnull_fd >= 0)
		dup2(devnull_fd, wfd);
	atomic_compare_exchange_strong(&aborted, &zero, ABORT_CHILD);
	s = atomic_load(&live_sm);
	if (s != NULL)
		GSM_AbortOperation(s);
}

/* After a libGammu call: the reason if a signal handler aborted it. 1 if so, else 0. */
static int was_aborted(const char *what)
{
	if (atomic_load(&aborted) == ABORT_CHILD || atomic_load(&child_gone)) {
		snprintf(errmsg, sizeof errmsg, "%s: the modem process exited", what);
		return 1;
	}
	if (atomic_load(&aborted) == ABORT_WATCHDOG) {
		snprintf(errmsg, sizeof errmsg,
		         "%s: no answer from the modem in %d s (watchdog); call aborted", what,
		         mcfg->watchdog);
		return 1;
	}
	return 0;
}

/* Errors that mean the modem is gone or not answering, rather than one bad message. */
static int is_link_error(GSM_Error e)
{
	switch (e) {
	case ERR_DEVICEOPENERROR:
	case ERR_DEVICELOCKED:
	case ERR_DEVICENOTEXIST:
	case ERR_DEVICEBUSY:
	case ERR_DEVICENOPERMISSION:
	case ERR_DEVICENODRIVER:
	case ERR_DEVICENOTWORK:
	case ERR_DEVICEDTRRTSERROR:
	case ERR_DEVICECHANGESPEEDERROR:
	case ERR_DEVICEWRITEERROR:
	case ERR_DEVICEREADERROR:
	case ERR_DEVICEPARITYERROR:
	case ERR_TIMEOUT:
	case ERR_NOTCONNECTED:
	case ERR_ABORTED:
	case ERR_INSTALL_NOT_FOUND:
		return 1;
	default:
		return 0;
	}
}

/*
 * The hand-over watch. The outbox must record that the modem has a message before the modem
 * can send it, so that a crash never leaves a copy out in the world uncounted (modem_send).
 * libGammu's AT driver writes the PDU, sleeps 500 ms, writes Ctrl-Z -- the byte that makes
 * the modem send -- and returns 100 ms later: marking after GSM_SendSMS returned left a 100 ms
 * window in which a kill made an uncounted copy (the crash test found third copies there).
 * Its log shows every frame just before the frame is written: the first one-byte frame after
 * "Sending SMS" is the Ctrl-Z. Calling the record callback from the log function,
 * synchronously, puts the record on disk before the byte leaves. The log text is libGammu's
 * (1.42); should it ever not match, they run when GSM_SendSMS returns, as before.
 */
static struct {
	const struct modem_taken *tk; /* armed while not NULL */
	int sending;                  /* "Sending SMS" seen: the PDU follows, then Ctrl-Z */
} handover;

static void handover_fire(void)
{
	const struct modem_taken *tk = handover.tk;

	handover.tk = NULL;
	if (tk != NULL)
		tk->record(tk->arg, 1);
}

/*
 * The PDU behind the message GSM_GetNextSMS returns on the AT driver. libGammu 1.42 keeps no
 * trace of the raw PDU in what it returns, and loses an alphanumeric sender after an '@'
 * (septet 0x00 ends its string); but reading from its AT+CMGL cache it logs, at debug level
 * "text", "Getting message from cache" and then the PDU's hex on a line of its own. That line
 * is kept here while a GSM_GetNextSMS runs. A message read with AT+CMGR instead (a modem
 * without AT+CMGL, a PDU too long for the cache) is logged only as a hex dump of the whole
 * frame, which is not read: its sender keeps what the septet table restores (text.h).
 */
static struct {
	int armed;       /* a GSM_GetNextSMS on the AT driver runs */
	int next_is_pdu; /* the marker was seen: the next hex line is the PDU */
	char pdu[400];   /* hex, "" if none was seen; 176 octets at most = 352 digits */
} pducap;

static int all_hex(const char *t)
{
	size_t n = strspn(t, "0123456789ABCDEFabcdef");

	return n >= 2 && (t[n] == '\0' || strcmp(t + n, ",0") == 0);
}

static void pdu_watch(const char *text)
{
	if (pducap.next_is_pdu) {
		if (all_hex(text)) {
			snprintf(pducap.pdu, sizeof pducap.pdu, "%s", text);
			pducap.next_is_pdu = 0;
		} else if (strcmp(text, "\n") != 0 && strstr(text, ": ") == NULL) {
			pducap.next_is_pdu = 0; /* not the PDU line (a date prefix is skipped) */
		}
	} else if (strstr(text, "Getting message from cache") != NULL) {
		pducap.next_is_pdu = 1;
	}
}

static void gammu_log(const char *text, void *data)
{
	(void)data;
	if (mcfg != NULL && mcfg->gammu_debug[0] != '\0')
		fputs(text, stderr);
	if (pducap.armed)
		pdu_watch(text);
	if (handover.tk == NULL)
		return;
	if (!handover.sending)
		handover.sending = strstr(text, "Sending SMS") != NULL;
	else if (strstr(text, "length 0x01/1") != NULL)
		handover_fire();
}

int modem_init(const struct modem_config *cfg)
{
	GSM_Debug_Info *di;

	mcfg = cfg;
	is_dummy = strcmp(cfg->model, "dummy") == 0;
	/* Text conversion must not depend on the caller's locale; we only use the UTF-8 calls. */
	GSM_InitLocales(NULL);
	di = GSM_GetGlobalDebug();
	if (cfg->gammu_debug[0] != '\0') {
		GSM_SetDebugFileDescriptor(stderr, FALSE, di);
		GSM_SetDebugLevel(cfg->gammu_debug, di);
	}
	msms = calloc(1, sizeof *msms);
	backup = calloc(1, sizeof *backup);
	if (msms == NULL || backup == NULL) {
		log_warnx("modem: out of memory");
		modem_close();
		return -1;
	}
	if (devnull_fd < 0)
		devnull_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return watch_start();
}

void modem_close(void)
{
	modem_disconnect();
	watch_shutdown();
	free(msms);
	free(backup);
	msms = NULL;
	backup = NULL;
	if (devnull_fd >= 0)
		close(devnull_fd);
	devnull_fd = -1;
}

/* The "pipe:[inode]" (or other target) an fd link in /proc points to; "" if unreadable. */
static void fd_target(const char *link, char *out, size_t outsz)
{
	ssize_t n = readlink(link, out, outsz - 1);

	out[n > 0 ? n : 0] = '\0';
}

/* Our fd whose /proc link reads TARGET, or -1. */
static int find_own_fd(const char *target)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int fd = -1;

	if (d == NULL)
		return -1;
	while (fd < 0 && (de = readdir(d)) != NULL) {
		char path[300], got[128];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
		fd_target(path, got, sizeof got);
		if (strcmp(got, target) == 0)
			fd = atoi(de->d_name);
	}
	closedir(d);
	return fd;
}

/*
 * Find the proxy modem process libGammu forked (a child of ours whose stdin is a pipe we hold
 * the write end of) and that write end. Linux /proc only; without it the watchdog alone
 * guards against a dead child. Sets child_pid and child_wfd, or leaves them unset.
 */
static void find_proxy_child(void)
{
	DIR *procd;
	struct dirent *de;
	pid_t me = getpid(), zombie = 0;

	procd = opendir("/proc");
	if (procd == NULL)
		return;
	while (child_pid == 0 && (de = readdir(procd)) != NULL) {
		char path[300], buf[512], want[128];
		const char *rp;
		FILE *f;
		int ppid = 0, wfd;
		char state;
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		f = fopen(path, "re");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) == NULL)
			buf[0] = '\0';
		fclose(f);
		/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
		rp = strrchr(buf, ')');
		if (rp == NULL || sscanf(rp + 1, " %c %d", &state, &ppid) != 2 || ppid != me)
			continue;
		snprintf(path, sizeof path, "/proc/%d/fd/0", (int)pid);
		fd_target(path, want, sizeof want);
		wfd = strncmp(want, "pipe:", 5) == 0 ? find_own_fd(want) : -1;
		if (wfd < 0) {
			/* Exited already (no fds left to compare), or not the modem. */
			if (state == 'Z')
				zombie = pid;
			continue;
		}
		child_wfd = wfd;
		/*
		 * proxy_read does select() then read() on a blocking pipe: a signal that
		 * interrupts the select (SIGCHLD) falls into a read() that blocks for good if
		 * the modem says nothing. Non-blocking, that read returns EAGAIN. (The serial
		 * driver opens its tty O_NONBLOCK.)
		 */
		snprintf(path, sizeof path, "/proc/%d/fd/1", (int)pid);
		fd_target(path, want, sizeof want);
		if (strncmp(want, "pipe:", 5) == 0) {
			int rfd = find_own_fd(want);
			int fl = rfd >= 0 ? fcntl(rfd, F_GETFL) : -1;

			if (fl >= 0)
				fcntl(rfd, F_SETFL, fl | O_NONBLOCK);
		}
		child_pid = pid;
	}
	closedir(procd);
	if (child_pid == 0 && zombie != 0) {
		child_gone = 1;
		child_pid = zombie;
	}
}

/* ------------------------------------------------------------------ USSD */

/*
 * What the incoming-USSD callback saw. It runs inside libGammu (GSM_DialService or
 * GSM_ReadDevice, or any other call that reads the modem): while a modem_ussd waits, the
 * first +CUSD is its answer; any other is a network-initiated notice, queued for
 * modem_listen.
 */
static struct {
	int pending; /* a modem_ussd waits for its answer */
	int done;
	int status; /* +CUSD <m>, -1 unknown */
	char text[MODEM_USSD_TEXT];
} ussd_state;
static int ussd_enabled; /* this connection: 0 not yet, 1 AT+CUSD=1 done, -1 refused */
static void (*notice_fn)(void *, int, const char *);
static void *notice_arg;
#define NOTICE_MAX 8
static struct {
	int status;
	char text[MODEM_USSD_TEXT];
} notices[NOTICE_MAX];
static int notice_first, notice_count;

/* libGammu's status as the network's +CUSD <m> (27.007 7.15). */
static int ussd_m(GSM_USSDStatus st)
{
	switch (st) {
	case USSD_NoActionNeeded:
		return 0;
	case USSD_ActionNeeded:
		return 1;
	case USSD_Terminated:
		return 2;
	case USSD_AnotherClient:
		return 3;
	case USSD_NotSupported:
		return 4;
	case USSD_Timeout:
		return 5;
	default:
		return -1;
	}
}

static void ussd_cb(GSM_StateMachine *s, GSM_USSDMessage *u, void *data)
{
	int m = ussd_m(u->Status);

	(void)s;
	(void)data;
	if (ussd_state.pending && !ussd_state.done) {
		ussd_state.done = 1;
		ussd_state.status = m;
		text_ucs2be_to_utf8(u->Text, GSM_MAX_USSD_LENGTH + 1, ussd_state.text,
		                    sizeof ussd_state.text);
		return;
	}
	if (notice_count == NOTICE_MAX) { /* full: the oldest goes */
		log_warnx("modem: USSD notice dropped: %d more came before they were read",
		          NOTICE_MAX);
		notice_first = (notice_first + 1) % NOTICE_MAX;
		notice_count--;
	}
	{
		int i = (notice_first + notice_count) % NOTICE_MAX;

		notices[i].status = m;
		text_ucs2be_to_utf8(u->Text, GSM_MAX_USSD_LENGTH + 1, notices[i].text,
		                    sizeof notices[i].text);
		notice_count++;
	}
}

void modem_set_ussd_notice(void (*fn)(void *arg, int status, const char *text), void *arg)
{
	notice_fn = fn;
	notice_arg = arg;
	if (fn == NULL)
		notice_count = 0;
}

/* AT+CUSD=1 once per connection (libGammu drops USSD lines otherwise). 0, -1 lost. */
static int ussd_enable(void)
{
	GSM_Error e;

	if (ussd_enabled != 0)
		return 0;
	watch_begin();
	e = GSM_SetIncomingUSSD(sm, TRUE);
	watch_end();
	if (was_aborted("ussd"))
		return -1;
	if (e == ERR_NONE) {
		ussd_enabled = 1;
		return 0;
	}
	set_err("ussd: enabling USSD (AT+CUSD=1)", e);
	if (is_link_error(e))
		return -1;
	log_warnx("modem: %s", errmsg);
	ussd_enabled = -1;
	return 0;
}

/* End the network's session: AT+CUSD=2 (and =0), then presentation on again (=1). */
static void ussd_cancel(void)
{
	GSM_Error e;

	watch_begin();
	e = GSM_SetIncomingUSSD(sm, FALSE);
	if (e == ERR_NONE)
		e = GSM_SetIncomingUSSD(sm, TRUE);
	watch_end();
	if (e != ERR_NONE && !was_aborted("ussd"))
		log_warnx("modem: cancelling the USSD session: %s", GSM_ErrorName(e));
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * The simulated phone's answer from DEVICE/ussd/CODE ("STATUS TEXT"). 1 if the file gave one
 * (ussd_state filled; status -2 for "never"), 0 if there is no such file.
 */
static int sim_ussd_file(const char *code)
{
	char path[1200], line[MODEM_USSD_TEXT + 8];
	size_t n;
	FILE *f;

	if (strchr(code, '/') != NULL || code[0] == '.' || code[0] == '\0')
		return 0;
	snprintf(path, sizeof path, "%s/ussd/%s", mcfg->device, code);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	ussd_state.done = 1;
	ussd_state.status = line[0] == '-' ? -2 : atoi(line);
	n = line[0] != '\0' && line[1] == ' ' ? strlen(line + 2) : 0;
	if (n >= sizeof ussd_state.text)
		n = sizeof ussd_state.text - 1;
	memcpy(ussd_state.text, line + 2, n);
	ussd_state.text[n] = '\0';
	return 1;
}

const char *modem_ussd_result_name(enum modem_ussd_result r)
{
	switch (r) {
	case MODEM_USSD_ANSWERED:
		return "answered";
	case MODEM_USSD_MORE_INPUT:
		return "more-input";
	case MODEM_USSD_NOT_SUPPORTED:
		return "not-supported";
	case MODEM_USSD_TIMEOUT:
		return "timeout";
	case MODEM_USSD_FAILED:
		return "failed";
	case MODEM_USSD_LOST:
		return "lost";
	}
	return "?";
}

enum modem_ussd_result modem_ussd(const char *code, int timeout, char *text, size_t textsz)
{
	enum modem_ussd_result r = MODEM_USSD_FAILED;
	char number[GSM_MAX_USSD_LENGTH + 1];
	long long deadline;
	int limit;
	GSM_Error e = ERR_NONE;

	if (textsz > 0)
		text[0] = '\0';
	if (!connected) {
		snprintf(errmsg, sizeof errmsg, "not connected");
		return MODEM_USSD_LOST;
	}
	if (was_aborted("ussd"))
		return MODEM_USSD_LOST;
	if (timeout < 1)
		timeout = 1;
	deadline = now_ms() + 1000LL * timeout;
	limit = mcfg->watchdog > 0 && mcfg->watchdog < timeout ? mcfg->watchdog : timeout;
	ussd_state.pending = 1;
	ussd_state.done = 0;
	ussd_state.status = -1;
	ussd_state.text[0] = '\0';
	if (is_dummy && sim_ussd_file(code)) {
		if (ussd_state.status == -2) { /* "never": wait it out, as for a silent network */
			ussd_state.done = 0;
			nap_ms((long)(deadline - now_ms()));
		}
		goto answered;
	}
	if (ussd_enable() < 0) {
		r = MODEM_USSD_LOST;
		goto out;
	}
	if (ussd_enabled < 0) {
		snprintf(errmsg, sizeof errmsg, "ussd: the modem refuses AT+CUSD=1");
		goto out;
	}
	snprintf(number, sizeof number, "%s", code);
	/* The request itself is timed with the USSD deadline: a modem that holds its OK longer
	 * is aborted, like any hung call (the connection is lost then). */
	watch_begin_s(limit);
	e = GSM_DialService(sm, number);
	watch_end();
	if (was_aborted("ussd")) {
		if (atomic_load(&aborted) == ABORT_WATCHDOG && limit == timeout) {
			snprintf(errmsg, sizeof errmsg,
			         "ussd: the modem did not take the request in %d s (aborted; the "
			         "connection is re-established)",
			         timeout);
			r = MODEM_USSD_TIMEOUT;
		} else {
			r = MODEM_USSD_LOST;
		}
		goto out;
	}
	if (e != ERR_NONE && !ussd_state.done) {
		set_err("ussd", e);
		r = is_link_error(e) ? MODEM_USSD_LOST : MODEM_USSD_FAILED;
		goto out;
	}
	/* The answer comes after the OK: read until it does, in steps of at most 50 ms
	 * (GSM_ReadDevice without waiting does one read; the proxy's select waits 50 ms). */
	while (!ussd_state.done && now_ms() < deadline && !atomic_load(&aborted)) {
		int got;

		watch_begin();
		got = GSM_ReadDevice(sm, FALSE);
		watch_end();
		if (got < 0)
			break;
		if (got == 0)
			nap_ms(5);
	}
	if (was_aborted("ussd")) {
		r = MODEM_USSD_LOST;
		goto out;
	}
answered:
	if (!ussd_state.done) {
		snprintf(errmsg, sizeof errmsg, "ussd: no answer to %s in %d s", code, timeout);
		ussd_cancel();
		r = MODEM_USSD_TIMEOUT;
		goto out;
	}
	if (textsz > 0)
		snprintf(text, textsz, "%s", ussd_state.text);
	switch (ussd_state.status) {
	case 0:
	case 2:
		r = MODEM_USSD_ANSWERED;
		break;
	case 1:
		ussd_cancel();
		r = MODEM_USSD_MORE_INPUT;
		break;
	case 4:
		snprintf(errmsg, sizeof errmsg, "ussd: %s: not supported by the network", code);
		r = MODEM_USSD_NOT_SUPPORTED;
		break;
	case 5:
		snprintf(errmsg, sizeof errmsg, "ussd: %s: the network timed out", code);
		r = MODEM_USSD_TIMEOUT;
		break;
	default:
		snprintf(errmsg, sizeof errmsg, "ussd: %s: answered with status %d", code,
		         ussd_state.status);
		r = MODEM_USSD_FAILED;
		break;
	}
out:
	ussd_state.pending = 0;
	return r;
}

int modem_listen(int ms)
{
	long long deadline = now_ms() + (ms > 0 ? ms : 0);
	char text[MODEM_USSD_TEXT];

	if (!connected) {
		snprintf(errmsg, sizeof errmsg, "not connected");
		return -1;
	}
	if (was_aborted("listen") || ussd_enable() < 0)
		return -1;
	if (is_dummy) {
		if (ms > 0)
			nap_ms(ms); /* the simulated phone says nothing unasked */
	} else {
		do {
			int got;

			watch_begin();
			got = GSM_ReadDevice(sm, FALSE);
			watch_end();
			if (was_aborted("listen"))
				return -1;
			if (got < 0) {
				snprintf(errmsg, sizeof errmsg, "listen: not connected");
				return -1;
			}
			if (notice_count > 0)
				break;
			if (got == 0)
				nap_ms(5);
		} while (now_ms() < deadline);
	}
	/* Delivered outside libGammu: FN may call other modem functions. */
	while (notice_count > 0 && notice_fn != NULL) {
		int st = notices[notice_first].status;

		memcpy(text, notices[notice_first].text, sizeof text);
		notice_first = (notice_first + 1) % NOTICE_MAX;
		notice_count--;
		notice_fn(notice_arg, st, text);
	}
	return 0;
}

/* ------------------------------------------------------------------ health */

const char *modem_reg_name(enum modem_reg r)
{
	switch (r) {
	case MODEM_REG_HOME:
		return "home";
	case MODEM_REG_ROAMING:
		return "roaming";
	case MODEM_REG_SEARCHING:
		return "searching";
	case MODEM_REG_DENIED:
		return "denied";
	case MODEM_REG_NONE:
		return "none";
	case MODEM_REG_UNKNOWN:
		break;
	}
	return "unknown";
}

static enum modem_reg reg_of(GSM_NetworkInfo_State st)
{
	switch (st) {
	case GSM_HomeNetwork:
		return MODEM_REG_HOME;
	case GSM_RoamingNetwork:
		return MODEM_REG_ROAMING;
	case GSM_RequestingNetwork:
		return MODEM_REG_SEARCHING;
	case GSM_RegistrationDenied:
		return MODEM_REG_DENIED;
	case GSM_NoNetwork:
		return MODEM_REG_NONE;
	default:
		return MODEM_REG_UNKNOWN;
	}
}

/* The registration last seen by modem_registered, and when it was asked (monotonic). */
static enum modem_reg last_reg = MODEM_REG_UNKNOWN;
static double reg_checked = -1e9;

/* 1 unless R says the modem has no network to send through. */
static int reg_ok(enum modem_reg r)
{
	return r != MODEM_REG_SEARCHING && r != MODEM_REG_DENIED && r != MODEM_REG_NONE;
}

int modem_registered(void)
{
	/* Registered: asked again a minute later; not: every 5 s, so sending resumes soon. */
	double every = reg_ok(last_reg) ? 60 : 5;
	GSM_NetworkInfo ni;
	enum modem_reg r;
	GSM_Error e;

	if (is_dummy || !connected)
		return 1;
	if (ts_mono() - reg_checked < every)
		return reg_ok(last_reg);
	reg_checked = ts_mono();
	memset(&ni, 0, sizeof ni);
	watch_begin();
	e = GSM_GetNetworkInfo(sm, &ni);
	watch_end();
	if (was_aborted("registration"))
		return 1; /* the send that follows meets the dead link and reconnects */
	/* A modem that cannot say is not held back: the network refuses a send if need be. */
	r = e == ERR_NONE ? reg_of(ni.State) : MODEM_REG_UNKNOWN;
	if (r != last_reg) {
		if (!reg_ok(r))
			log_warnx("modem: not registered on the network (%s); messages wait",
			          modem_reg_name(r));
		else
			log_info("modem: network registration: %s", modem_reg_name(r));
		last_reg = r;
	}
	return reg_ok(r);
}

/* After one health call: 1 to go on (done or not supported), 0 lost (errmsg set). */
static int health_step(const char *what, GSM_Error e, unsigned bit, struct modem_health *h)
{
	if (was_aborted(what))
		return 0;
	if (e == ERR_NONE) {
		h->have |= bit;
		return 1;
	}
	set_err(what, e);
	if (is_link_error(e))
		return 0;
	log_debug("modem: %s", errmsg);
	return 1;
}

int modem_health(unsigned what, struct modem_health *h)
{
	GSM_Error e;

	memset(h, 0, sizeof *h);
	h->reg = MODEM_REG_UNKNOWN;
	h->signal_percent = -1;
	h->sim_used = -1;
	h->sim_total = -1;
	if (!connected) {
		snprintf(errmsg, sizeof errmsg, "not connected");
		return -1;
	}
	if (was_aborted("health"))
		return -1;
	if (what & MODEM_HEALTH_IDENTITY) {
		char buf[GSM_MAX_MANUFACTURER_LENGTH + GSM_MAX_MODEL_LENGTH + 2] = "";

		watch_begin();
		e = GSM_GetManufacturer(sm, buf);
		watch_end();
		snprintf(h->manufacturer, sizeof h->manufacturer, "%s", e == ERR_NONE ? buf : "");
		if (e == ERR_NONE) {
			buf[0] = '\0';
			watch_begin();
			e = GSM_GetModel(sm, buf);
			watch_end();
			snprintf(h->model, sizeof h->model, "%s", e == ERR_NONE ? buf : "");
		}
		if (!health_step("health: identity", e, MODEM_HEALTH_IDENTITY, h))
			return -1;
	}
	if (what & MODEM_HEALTH_NETWORK) {
		GSM_NetworkInfo ni;

		memset(&ni, 0, sizeof ni);
		watch_begin();
		e = GSM_GetNetworkInfo(sm, &ni);
		watch_end();
		if (e == ERR_NONE) {
			h->reg = reg_of(ni.State);
			text_ucs2be_to_utf8(ni.NetworkName, sizeof ni.NetworkName / 2,
			                    h->operator_name, sizeof h->operator_name);
			snprintf(h->operator_code, sizeof h->operator_code, "%.*s",
			         (int)sizeof ni.NetworkCode, ni.NetworkCode);
		}
		if (!health_step("health: network", e, MODEM_HEALTH_NETWORK, h))
			return -1;
	}
	if (what & MODEM_HEALTH_SIGNAL) {
		GSM_SignalQuality q;

		memset(&q, 0, sizeof q);
		watch_begin();
		e = GSM_GetSignalQuality(sm, &q);
		watch_end();
		if (e == ERR_NONE) {
			h->signal_percent = q.SignalPercent;
			h->signal_dbm = q.SignalStrength == -1 ? 0 : q.SignalStrength;
		}
		if (!health_step("health: signal", e, MODEM_HEALTH_SIGNAL, h))
			return -1;
	}
	if (what & MODEM_HEALTH_SLOTS) {
		GSM_SMSMemoryStatus ms;

		memset(&ms, 0, sizeof ms);
		watch_begin();
		e = GSM_GetSMSStatus(sm, &ms);
		watch_end();
		if (e == ERR_NONE) {
			h->sim_used = ms.SIMUsed;
			h->sim_total = ms.SIMSize;
		}
		if (!health_step("health: SIM slots", e, MODEM_HEALTH_SLOTS, h))
			return -1;
	}
	return 0;
}

static void send_status_cb(GSM_StateMachine *s, int status, int ref, void *data)
{
	send_state.done = 1;
	send_state.status = status;
	send_state.msgref = ref;
}

/*
 * The PIN the SIM refused (or that failed to go through), when no guard remembers it
 * (modem_set_pin_guard): never entered again by this process, since three wrong tries block
 * the SIM for good (its PUK is on the card the SIM came on). With a guard the guard decides:
 * it remembers across restarts, and it may be told to try again (tipline modem pin-retry).
 */
static char refused_pin[GSM_SECURITY_CODE_LEN + 1];
static const struct modem_pin_guard *guard;

void modem_set_pin_guard(const struct modem_pin_guard *g)
{
	guard = g;
}

/* Tell the guard what the SIM asked for; RC (0 or -1) is passed through. */
static int sim_seen(enum modem_sim st, int rc)
{
	if (guard != NULL && guard->state != NULL)
		guard->state(guard->arg, st, rc < 0 ? errmsg : NULL);
	return rc;
}

/* May modem.pin be entered now? 1 yes (and the guard recorded it), 0 no (errmsg says why). */
static int pin_may_enter(void)
{
	if (guard == NULL) {
		if (strcmp(refused_pin, mcfg->pin) != 0)
			return 1;
		snprintf(errmsg, sizeof errmsg,
		         "the SIM refused modem.pin: not entered again (three wrong PINs block the "
		         "SIM); correct modem.pin and reload");
		return 0;
	}
	return guard->before(guard->arg, mcfg->pin, errmsg, sizeof errmsg) == 1;
}

/* Enter modem.pin when the SIM asks for it: 0 ready, -1 not (errmsg says why). */
static int pin_check(void)
{
	GSM_SecurityCodeType st = SEC_None;
	GSM_SecurityCode code;
	GSM_Error e;

	watch_begin();
	e = GSM_GetSecurityStatus(sm, &st);
	watch_end();
	if (was_aborted("security status"))
		return -1;
	if (e == ERR_NOTSUPPORTED || e == ERR_NOTIMPLEMENTED) /* try on: SMS commands will say */
		return sim_seen(MODEM_SIM_UNKNOWN, 0);
	if (e != ERR_NONE) {
		set_err("security status", e);
		return -1;
	}
	if (st == SEC_None)
		return sim_seen(MODEM_SIM_READY, 0);
	if (st != SEC_Pin) {
		snprintf(errmsg, sizeof errmsg,
		         "the SIM wants a code other than its PIN (%s: blocked after wrong PINs?); "
		         "unlock it in a phone",
		         st == SEC_Puk ? "PUK" : "security code");
		return sim_seen(st == SEC_Puk ? MODEM_SIM_PUK : MODEM_SIM_OTHER, -1);
	}
	if (mcfg->pin[0] == '\0') {
		snprintf(errmsg, sizeof errmsg, "the SIM asks for its PIN: set modem.pin");
		return sim_seen(MODEM_SIM_PIN, -1);
	}
	if (!pin_may_enter())
		return sim_seen(MODEM_SIM_PIN, -1);
	memset(&code, 0, sizeof code);
	code.Type = SEC_Pin;
	snprintf(code.Code, sizeof code.Code, "%s", mcfg->pin);
	watch_begin();
	e = GSM_EnterSecurityCode(sm, &code);
	watch_end();
	if (e != ERR_NONE || was_aborted("PIN")) {
		/* Refused, or unknown whether it counted: either way not tried again. */
		snprintf(refused_pin, sizeof refused_pin, "%s", mcfg->pin);
		if (guard != NULL && guard->after != NULL)
			guard->after(guard->arg, mcfg->pin, e == ERR_SECURITYERROR ? 0 : -1);
		log_warnx("modem: the SIM did not take modem.pin (%s); it will not be entered "
		          "again until modem.pin changes (or tipline modem pin-retry)",
		          GSM_ErrorName(e));
		snprintf(errmsg, sizeof errmsg,
		         "the SIM refused modem.pin: not entered again (three wrong PINs block the "
		         "SIM); correct modem.pin and reload");
		return sim_seen(MODEM_SIM_PIN, -1);
	}
	if (guard != NULL && guard->after != NULL)
		guard->after(guard->arg, mcfg->pin, 1);
	log_info("modem: SIM PIN accepted");
	return sim_seen(MODEM_SIM_READY, 0);
}

static int connect_once(void)
{
	resume.valid = 0; /* a new connection walks from the start */
	GSM_Config *gc;
	GSM_Error e;

	if (connected)
		return 0;
	if (is_dummy) {
		/* The dummy driver wants its directory to exist, else a misleading permission
		 * error. */
		if (mkdir(mcfg->device, 0755) < 0 && errno != EEXIST) {
			snprintf(errmsg, sizeof errmsg, "%s: %s", mcfg->device, strerror(errno));
			return -1;
		}
	}
	sm = GSM_AllocStateMachine();
	if (sm == NULL) {
		snprintf(errmsg, sizeof errmsg, "out of memory");
		return -1;
	}
	gc = GSM_GetConfig(sm, 0);
	free(gc->Device);
	gc->Device = strdup(mcfg->device);
	free(gc->Connection);
	gc->Connection = strdup(mcfg->connection);
	snprintf(gc->Model, sizeof gc->Model, "%s", mcfg->model);
	gc->LockDevice = FALSE;
	gc->StartInfo = FALSE;
	gc->SyncTime = FALSE;
	/* This connection's log goes through gammu_log (GSM_InitConnection_Log installs it): to
	 * stderr when modem.gammu_debug asks for it, and to the hand-over watch during sends. */
	gc->UseGlobalDebugFile = FALSE;
	snprintf(gc->DebugLevel, sizeof gc->DebugLevel, "%s",
	         mcfg->gammu_debug[0] != '\0' ? mcfg->gammu_debug : "nothing");
	GSM_SetConfigNum(sm, 1);
	atomic_store(&aborted, 0);
	atomic_store(&child_gone, 0);
	atomic_store(&live_sm, sm);
	watch_begin();
	e = GSM_InitConnection_Log(sm, 1, gammu_log, NULL);
	watch_end();
	/* Found whether or not the connection worked: a failed one has a process to reap. */
	if (strncmp(mcfg->connection, "proxy", 5) == 0) {
		find_proxy_child();
		modem_on_sigchld(); /* it may have exited before child_pid was known */
	}
	connected = 1; /* from here on modem_disconnect closes the device */
	if (e != ERR_NONE || was_aborted("connect")) {
		if (!was_aborted("connect"))
			set_err("connect", e);
		/* A connection that failed half-way has its device open (libGammu only closes it
		 * on some errors): close it, or every retry leaks a descriptor, and for proxyat a
		 * live modem process. */
		modem_disconnect();
		return -1;
	}
	/* Callbacks only after InitConnection: it clears them. With none, a send crashes. */
	GSM_SetSendSMSStatusCallback(sm, send_status_cb, NULL);
	GSM_SetIncomingUSSDCallback(sm, ussd_cb, NULL);
	ussd_enabled = 0;
	nbad = 0;
	if (is_dummy)
		sim_seen(MODEM_SIM_READY, 0); /* the simulated phone has no SIM lock */
	else if (pin_check() < 0) {
		modem_disconnect();
		return -1;
	}
	/* Someone listens for network-initiated USSD: presentation on from the start. */
	if (notice_fn != NULL && ussd_enable() < 0) {
		modem_disconnect();
		return -1;
	}
	return 0;
}

/*
 * Reap the proxy modem process. libGammu's proxy_close sent it SIGHUP; one that ignores that
 * gets SIGKILL after a second. Any other child is a leftover (we fork nothing else): reaped.
 */
static void reap_children(pid_t pid)
{
	if (pid > 0) {
		struct timespec nap = {0, 10 * 1000 * 1000};
		int i;

		for (i = 0; i < 100; i++) {
			pid_t r = waitpid(pid, NULL, WNOHANG);

			if (r == pid || (r < 0 && errno != EINTR))
				break;
			nanosleep(&nap, NULL);
		}
		if (i == 100) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

void modem_disconnect(void)
{
	pid_t pid = child_pid;

	if (sm == NULL)
		return;
	/* The handler and the thread let go first: fd, pid and sm are about to be released. */
	pthread_mutex_lock(&live_lock);
	atomic_store(&live_sm, NULL);
	pthread_mutex_unlock(&live_lock);
	atomic_store(&child_wfd, -1);
	atomic_store(&child_pid, 0);
	if (connected) {
		watch_begin();
		GSM_TerminateConnection(sm);
		watch_end();
	}
	GSM_FreeStateMachine(sm);
	sm = NULL;
	connected = 0;
	reap_children(pid);
}

/* Consecutive failed connects, for modem.reset_command. */
static int failed_connects;

/*
 * Run modem.reset_command (/bin/sh -c) and wait for it, up to modem.reset_timeout seconds;
 * then it is killed (its process group: a shell's children too). Logged with how it ended.
 */
static void run_reset(void)
{
	long long deadline = now_ms() + (long long)mcfg->reset_timeout * 1000;
	struct timespec tick = {0, 20 * 1000 * 1000};
	int status = 0;
	pid_t pid, r;

	log_warnx("modem: %d connects failed in a row; running modem.reset_command: %s",
	          failed_connects, mcfg->reset_command);
	pid = fork();
	if (pid < 0) {
		log_warnx("modem: reset_command: fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		sigset_t none;

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none,
		            NULL); /* the daemon's blocked signals are its own */
		execl("/bin/sh", "sh", "-c", mcfg->reset_command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		if (now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			log_warnx("modem: reset_command did not finish within %d s: killed",
			          mcfg->reset_timeout);
			return;
		}
		nanosleep(&tick, NULL);
	}
	if (r < 0)
		log_warnx("modem: reset_command: %s", strerror(errno));
	else if (WIFEXITED(status))
		log_info("modem: reset_command exited with status %d", WEXITSTATUS(status));
	else
		log_warnx("modem: reset_command ended by signal %d", WTERMSIG(status));
}

int modem_connect(void)
{
	if (connect_once() == 0) {
		failed_connects = 0;
		reg_checked = -1e9; /* a new connection: ask its registration before sending */
		return 0;
	}
	if (++failed_connects >= mcfg->reset_after && mcfg->reset_command[0] != '\0' && !is_dummy) {
		char why[sizeof errmsg];

		snprintf(why, sizeof why, "%s", errmsg); /* the connect's error, for the caller */
		run_reset();
		failed_connects = 0;
		snprintf(errmsg, sizeof errmsg, "%s", why);
	}
	return -1;
}

int modem_connected(void)
{
	return connected;
}

static void datetime_utc(const GSM_DateTime *dt, char out[20])
{
	struct tm tm = {0};
	time_t t;

	if (dt->Year == 0) {
		/* No SMSC time (some modems): use now, so the dedupe key still holds per second. */
		t = time(NULL);
	} else {
		tm.tm_year = dt->Year - 1900;
		tm.tm_mon = dt->Month - 1;
		tm.tm_mday = dt->Day;
		tm.tm_hour = dt->Hour;
		tm.tm_min = dt->Minute;
		tm.tm_sec = dt->Second;
		t = timegm(&tm) - dt->Timezone;
	}
	ts_utc((int64_t)t, out);
}

static int bad_seen(int loc)
{
	for (int i = 0; i < nbad; i++)
		if (bad_locs[i] == loc)
			return 1;
	if (nbad < BAD_MAX)
		bad_locs[nbad++] = loc;
	return 0;
}

/*
 * The sender of a message read through the AT driver. libGammu 1.42 unpacks an alphanumeric
 * TP-OA into raw septet values ("VIETTEL_DV" arrives as "VIETTEL\x11DV") and cuts it at a
 * septet 0x00 ('@'). The PDU, when it was seen (pducap), gives the whole name; its decoding
 * is used only if it continues what libGammu gave, so a PDU that is not this message's cannot
 * rename a sender. Otherwise the GSM 03.38 table maps the septets back (numbers map to
 * themselves). The simulated phone's senders are plain text and stay as they are.
 */
static void fix_sender(char *sender, size_t sz, const char *pdu)
{
	char mapped[64], whole[64];

	text_gsm7_sender(sender, mapped, sizeof mapped);
	if (pdu != NULL && pdu[0] != '\0' && text_pdu_alnum_sender(pdu, whole, sizeof whole) == 1 &&
	    strncmp(whole, mapped, strlen(mapped)) == 0)
		snprintf(sender, sz, "%s", whole);
	else
		snprintf(sender, sz, "%s", mapped);
}

/* PDU: the message's PDU in hex if the AT driver showed it (pducap), else NULL. */
static void fill_part(const GSM_SMSMessage *m, struct modem_part *p, const char *pdu)
{
	memset(p, 0, offsetof(struct modem_part, text));
	p->text[0] = '\0';
	text_ucs2be_to_utf8(m->Number, GSM_MAX_NUMBER_LENGTH + 1, p->sender, sizeof p->sender);
	if (!is_dummy)
		fix_sender(p->sender, sizeof p->sender, pdu);
	text_ucs2be_to_utf8(m->SMSC.Number, GSM_MAX_NUMBER_LENGTH + 1, p->smsc, sizeof p->smsc);
	datetime_utc(&m->DateTime, p->smsc_time);
	p->folder = m->Folder;
	p->location = m->Location;
	if (m->PDU == SMS_Status_Report) {
		p->status_report = 1;
		p->msgref = m->MessageReference;
		/* TP-Status (GSM 03.40 9.2.3.15): 0x00-0x1f delivered; 0x20-0x3f a temporary
		 * error, the service centre still trying (more reports follow); 0x40 and above
		 * a permanent error, or a temporary one it no longer retries: failed. */
		p->status = m->DeliveryStatus;
		p->delivery = p->status < 0x20 ? 1 : p->status < 0x40 ? -1 : 0;
		p->coding = "gsm7";
		return;
	}
	switch (m->Coding) {
	case SMS_Coding_Unicode_No_Compression:
	case SMS_Coding_Unicode_Compression:
		p->coding = "ucs2";
		text_ucs2be_to_utf8(m->Text, GSM_MAX_SMS_LENGTH + 1, p->text, sizeof p->text);
		break;
	case SMS_Coding_8bit: {
		/* Binary data has no text: keep it as hex so nothing is lost. */
		static const char hex[] = "0123456789ABCDEF";
		size_t n = 0;

		p->coding = "8bit";
		for (int i = 0; i < m->Length && n + 3 < sizeof p->text; i++) {
			p->text[n++] = hex[m->Text[i] >> 4];
			p->text[n++] = hex[m->Text[i] & 15];
		}
		p->text[n] = '\0';
		break;
	}
	default:
		p->coding = "gsm7";
		text_ucs2be_to_utf8(m->Text, GSM_MAX_SMS_LENGTH + 1, p->text, sizeof p->text);
		break;
	}
	/*
	 * Every multipart type libGammu numbers, not only "concatenated": a header with a port
	 * as well (an MMS indicator, WAP, a ringtone or logo "part 1 of 2") is typed after the
	 * port, and gammu joins those parts too. The 16-bit reference when there is one.
	 */
	if (m->UDH.Type != UDH_NoUDH && m->UDH.AllParts > 1 && m->UDH.PartNumber >= 1 &&
	    m->UDH.PartNumber <= m->UDH.AllParts) {
		p->concat_total = m->UDH.AllParts;
		p->concat_seq = m->UDH.PartNumber;
		p->concat_ref = m->UDH.ID16bit >= 0  ? m->UDH.ID16bit
		                : m->UDH.ID8bit >= 0 ? m->UDH.ID8bit
		                                     : 0;
	}
}

/* libGammu's debug level "text" while on (for pducap), else what modem.gammu_debug says. */
static void debug_text(int on)
{
	if (mcfg->gammu_debug[0] != '\0')
		return; /* the user's level stays; pducap sees it if it is "text" or more */
	GSM_SetDebugLevel(on ? "text" : "nothing", GSM_GetDebug(sm));
}

int modem_read(struct modem_part *parts, size_t max)
{
	size_t n = 0;
	int start = 1, prev_folder = -1, prev_loc = -1, errors = 0;
	int resuming = is_dummy && resume.valid && resume.pending == 0;

	if (!connected) {
		snprintf(errmsg, sizeof errmsg, "not connected");
		return -1;
	}
	if (was_aborted("read"))
		return -1;
	msms->SMS[0].Folder = resuming ? resume.folder : 0;
	msms->SMS[0].Location = resuming ? resume.location : 0;
	start = !resuming;
	resume.valid = 0;
	resume.pending = 0;
	while (n < max) {
		GSM_Error e;

		msms->Number = 0;
		if (!is_dummy) {
			pducap.armed = 1;
			pducap.next_is_pdu = 0;
			pducap.pdu[0] = '\0';
			debug_text(1);
		}
		watch_begin();
		fault_hang("hang-in-modem-read");
		e = GSM_GetNextSMS(sm, msms, start ? TRUE : FALSE);
		watch_end();
		if (!is_dummy) {
			debug_text(0);
			pducap.armed = 0;
		}
		start = 0;
		if (was_aborted("read"))
			return -1;
		if (e == ERR_EMPTY)
			break;
		if (e != ERR_NONE) {
			if (is_link_error(e)) {
				set_err("read", e);
				return -1;
			}
			/*
			 * One unreadable location (a corrupt file, a bad PDU): log it once and
			 * go on to the next, leaving Folder/Location as libGammu set them, or
			 * the walk would start again from the beginning.
			 */
			if (!bad_seen(msms->SMS[0].Folder * 10000 + msms->SMS[0].Location))
				log_warnx(
				    "modem: skipping unreadable message at folder %d location "
				    "%d: %s",
				    msms->SMS[0].Folder, msms->SMS[0].Location, GSM_ErrorName(e));
			if (++errors > 1000)
				break; /* a driver that does not move on: give up this cycle */
			if (msms->SMS[0].Folder == prev_folder && msms->SMS[0].Location == prev_loc)
				break;
			prev_folder = msms->SMS[0].Folder;
			prev_loc = msms->SMS[0].Location;
			continue;
		}
		prev_folder = msms->SMS[0].Folder;
		prev_loc = msms->SMS[0].Location;
		{
			size_t before = n;

			/*
			 * A location is taken whole or not at all: it is deleted after the
			 * commit, so a part left out here would be lost. The caller's buffer has
			 * room for MODEM_LOCATION_PARTS beyond max.
			 */
			for (int i = 0; i < msms->Number && i < MODEM_LOCATION_PARTS; i++) {
				const GSM_SMSMessage *m = &msms->SMS[i];

				/* GetNextSMS walks outbox and templates too: only what was
				 * received. */
				if (!m->InboxFolder ||
				    (m->PDU != SMS_Deliver && m->PDU != SMS_Status_Report))
					continue;
				/* On the AT driver a location is one message: the PDU is its. */
				fill_part(m, &parts[n],
				          msms->Number == 1 && !is_dummy ? pducap.pdu : NULL);
				n++;
			}
			if (n > before)
				resume.pending++;
		}
	}
	if (n >= max) {
		resume.valid = 1;
		resume.folder = prev_folder;
		resume.location = prev_loc;
	}
	return (int)n;
}

int modem_delete(const struct modem_part *p)
{
	GSM_SMSMessage *m;
	GSM_Error e;

	if (!connected) {
		snprintf(errmsg, sizeof errmsg, "not connected");
		return -1;
	}
	m = &msms->SMS[0];
	memset(m, 0, sizeof *m);
	m->Folder = p->folder;
	m->Location = p->location;
	watch_begin();
	e = GSM_DeleteSMS(sm, m);
	watch_end();
	if (was_aborted("delete"))
		return -1;
	if (e == ERR_NONE || e == ERR_EMPTY || e == ERR_INVALIDLOCATION) {
		if (resume.pending > 0)
			resume.pending--;
		return 0;
	}
	set_err("delete", e);
	if (is_link_error(e))
		return -1;
	log_warnx("modem: %s", errmsg);
	return 0;
}

/*
 * Record what the simulated phone sent, since libGammu's dummy driver keeps no trace of it:
 * written aside by record_sent_prepare, made visible (sent) by record_sent_publish. Returns 0,
 * or -1 after logging (then there is nothing to publish).
 */
static char sent_tmp[1100], sent_final[1100];

static int record_sent_prepare(const GSM_MultiSMSMessage *out)
{
	char dir[1024];
	struct timespec ts;
	GSM_Error e;
	int i;

	if (mcfg->sent_dir[0] != '\0')
		snprintf(dir, sizeof dir, "%s", mcfg->sent_dir);
	else
		snprintf(dir, sizeof dir, "%s/sent", mcfg->device);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("modem: %s", dir);
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(sent_final, sizeof sent_final, "%s/%lld%09ld-%d.smsbackup", dir,
	         (long long)ts.tv_sec, ts.tv_nsec, (int)getpid());
	snprintf(sent_tmp, sizeof sent_tmp, "%s/.tmp-%d", dir, (int)getpid());
	unlink(sent_tmp);
	memset(backup->SMS, 0, sizeof backup->SMS[0] * (size_t)(out->Number + 1));
	for (i = 0; i < out->Number; i++)
		backup->SMS[i] = (GSM_SMSMessage *)&out->SMS[i];
	backup->SMS[i] = NULL;
	e = GSM_AddSMSBackupFile(sent_tmp, backup);
	backup->SMS[0] = NULL;
	if (e != ERR_NONE) {
		log_warnx("modem: cannot record sent message in %s", dir);
		return -1;
	}
	return 0;
}

/* The simulated phone's send itself: one rename(). */
static void record_sent_publish(void)
{
	if (rename(sent_tmp, sent_final) < 0)
		log_warn("modem: cannot record sent message as %s", sent_final);
}

/* Split TEXT into parts with libGammu's multipart encoder. 0 or -1. */
static int encode(const char *text, int ucs2, GSM_MultiSMSMessage *out)
{
	GSM_MultiPartSMSInfo info;
	unsigned char *buf;
	size_t units = strlen(text) * 2 + 4;
	GSM_Error e;

	buf = calloc(units + 2, 2);
	if (buf == NULL)
		return -1;
	text_utf8_to_ucs2be(text, buf, units);
	GSM_ClearMultiPartSMSInfo(&info);
	info.Class = -1;
	info.EntriesNum = 1;
	/* With UnicodeCoding off libGammu transliterates silently: the caller decides. */
	info.UnicodeCoding = ucs2 ? TRUE : FALSE;
	info.Entries[0].ID = SMS_ConcatenatedTextLong;
	info.Entries[0].Buffer = buf;
	e = GSM_EncodeMultiPartSMS(GSM_GetGlobalDebug(), &info, out);
	free(buf);
	if (e != ERR_NONE) {
		set_err("encode", e);
		return -1;
	}
	return 0;
}

/* One part: MODEM_SENT, or a failure with errmsg set. */
static enum modem_send_result send_part(GSM_SMSMessage *m, int i, int *msgref,
                                        const struct modem_taken *taken)
{
	time_t deadline = time(NULL) + mcfg->send_timeout;
	GSM_Error e;

	send_state.done = 0;
	send_state.status = -1;
	send_state.msgref = -1;
	if (i == 0 && taken != NULL && !is_dummy) {
		handover.tk = taken;
		handover.sending = 0;
		GSM_SetDebugLevel("text", GSM_GetDebug(sm));
	}
	watch_begin();
	e = GSM_SendSMS(sm, m);
	if (i == 0 && taken != NULL && !is_dummy) {
		GSM_SetDebugLevel(mcfg->gammu_debug[0] != '\0' ? mcfg->gammu_debug : "nothing",
		                  GSM_GetDebug(sm));
		/* Not seen in the log (another libGammu?): the modem has it now in any case. */
		if (e == ERR_NONE)
			handover_fire();
		handover.tk = NULL;
	}
	if (e == ERR_NONE && !is_dummy)
		fault_point("exit-after-modem-took");
	if (e != ERR_NONE) {
		watch_end();
		if (was_aborted("send"))
			return MODEM_SEND_LOST;
		set_err("send", e);
		return is_link_error(e) ? MODEM_SEND_LOST : MODEM_SEND_FAILED;
	}
	/* A modem that never answers leaves the callback silent: our own deadline. */
	while (!send_state.done && time(NULL) < deadline && !atomic_load(&aborted))
		GSM_ReadDevice(sm, TRUE);
	watch_end();
	if (!send_state.done) {
		/* GSM_SendSMS returned once the PDU and its Ctrl-Z were written: the modem has it,
		 * and no word came back of what it did with it (the outbox retries). */
		if (!was_aborted("send"))
			snprintf(errmsg, sizeof errmsg, "send: no answer from the modem in %d s",
			         mcfg->send_timeout);
		return MODEM_SEND_LOST;
	}
	if (send_state.status != 0) {
		snprintf(errmsg, sizeof errmsg, "send: the network refused part %d (error %d)",
		         i + 1, send_state.status);
		return MODEM_SEND_FAILED;
	}
	*msgref = send_state.msgref;
	return MODEM_SENT;
}

enum modem_send_result modem_send(const char *number, const char *text, int ucs2, int report,
                                  int *parts, int *msgref, const struct modem_taken *taken)
{
	*parts = 0;
	if (!connected) {
		snprintf(errmsg, sizeof errmsg, "not connected");
		return MODEM_SEND_LOST;
	}
	if (was_aborted("send"))
		return MODEM_SEND_LOST;
	if (encode(text, ucs2, msms) < 0)
		return MODEM_SEND_FAILED;
	for (int i = 0; i < msms->Number; i++) {
		GSM_SMSMessage *m = &msms->SMS[i];
		enum modem_send_result r;

		m->SMSC.Location = 1;
		m->PDU = report ? SMS_Status_Report : SMS_Submit;
		text_utf8_to_ucs2be(number, m->Number, GSM_MAX_NUMBER_LENGTH);
		r = send_part(m, i, msgref, taken);
		if (r != MODEM_SENT)
			return r; /* parts already sent went out: sending again repeats them */
		(*parts)++;
	}
	/* The simulated phone sends nothing: its sending is this record, which cannot fail
	 * half-way (written aside, then renamed). */
	if (is_dummy) {
		for (int i = 0; i < msms->Number; i++)
			text_utf8_to_ucs2be(number, msms->SMS[i].Number, GSM_MAX_NUMBER_LENGTH);
		/*
		 * The copy is written aside first; then the hand-over record is written (not
		 * fsynced); then one rename() sends it. A SIGKILL can separate record and copy only
		 * in the microseconds between the WAL write and the rename, and then the record
		 * overcounts (the message is sent again), never undercounts. The crash test showed
		 * the other orders failing: a record after the copy let a kill aimed at the new
		 * copy find the gap before the record (a third copy); a record fsynced, or written
		 * before the copy's file, left milliseconds in which a kill keeps the record (the
		 * page cache survives the process) but no copy, twice on one message: an
		 * acknowledgement given up and never sent.
		 */
		if (record_sent_prepare(msms) == 0) {
			if (taken != NULL)
				taken->record(taken->arg, 0);
			record_sent_publish();
		}
		fault_point("exit-after-modem-took");
	}
	return MODEM_SENT;
}

static int parse_utc(const char *s, GSM_DateTime *dt)
{
	struct tm tm = {0};
	int64_t t64 = (int64_t)time(NULL);
	time_t t;

	if (s != NULL && ts_parse_utc(s, &t64) < 0)
		return -1;
	t = (time_t)t64;
	gmtime_r(&t, &tm);
	memset(dt, 0, sizeof *dt);
	dt->Year = tm.tm_year + 1900;
	dt->Month = tm.tm_mon + 1;
	dt->Day = tm.tm_mday;
	dt->Hour = tm.tm_hour;
	dt->Minute = tm.tm_min;
	dt->Second = tm.tm_sec;
	dt->Timezone = 0;
	return 0;
}

int modem_sim_inject(const char *dir, const char *from, const char *text, const char *smsc_time,
                     const int *order, size_t norder, int ref)
{
	GSM_MultiSMSMessage *out = NULL;
	GSM_SMS_Backup *bk = NULL;
	GSM_DateTime dt;
	char inbox[1024], tmp[1100], final[1100];
	int ret = -1, next = 1;

	if (parse_utc(smsc_time, &dt) < 0) {
		fprintf(stderr, "sim: time \"%s\" is not YYYY-MM-DD HH:MM:SS\n", smsc_time);
		return -1;
	}
	out = calloc(1, sizeof *out);
	bk = calloc(1, sizeof *bk);
	if (out == NULL || bk == NULL)
		goto out;
	GSM_InitLocales(NULL);
	if (encode(text, text_gsm7_units(text, strlen(text)) < 0, out) < 0) {
		fprintf(stderr, "sim: %s\n", errmsg);
		goto out;
	}
	snprintf(inbox, sizeof inbox, "%s/sms", dir);
	mkdir(dir, 0755);
	mkdir(inbox, 0755);
	snprintf(inbox, sizeof inbox, "%s/sms/1", dir);
	if (mkdir(inbox, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "sim: %s: %s\n", inbox, strerror(errno));
		goto out;
	}
	for (size_t k = 0; order != NULL && k < norder; k++) {
		if (order[k] < 1 || order[k] > out->Number) {
			fprintf(stderr, "sim: part %d does not exist (the text makes %d)\n",
			        order[k], out->Number);
			goto out;
		}
	}
	for (size_t k = 0; k < (order ? norder : (size_t)out->Number); k++) {
		GSM_SMSMessage *m = &out->SMS[order ? order[k] - 1 : (int)k];

		m->PDU = SMS_Deliver;
		m->State = SMS_UnRead;
		m->Folder = 1;
		m->InboxFolder = TRUE;
		m->DateTime = dt;
		m->SMSCTime = dt;
		text_utf8_to_ucs2be(from, m->Number, GSM_MAX_NUMBER_LENGTH);
		text_utf8_to_ucs2be("+84900000000", m->SMSC.Number, GSM_MAX_NUMBER_LENGTH);
		if (ref >= 0 && m->UDH.Type == UDH_ConcatenatedMessages) {
			m->UDH.ID8bit = ref & 0xff;
			GSM_EncodeUDHHeader(GSM_GetGlobalDebug(), &m->UDH);
		}
		/* One part per file, as a real modem stores them; written aside, then linked in. */
		snprintf(tmp, sizeof tmp, "%s/.inject-%d", inbox, (int)getpid());
		unlink(tmp);
		bk->SMS[0] = m;
		bk->SMS[1] = NULL;
		if (GSM_AddSMSBackupFile(tmp, bk) != ERR_NONE) {
			fprintf(stderr, "sim: cannot write %s\n", tmp);
			goto out;
		}
		/* link() fails if the name is taken, so two writers never overwrite each other. */
		for (;; next++) {
			if (next > 9999) { /* 10000 would make the dummy driver loop forever */
				fprintf(stderr, "sim: the simulated inbox is full\n");
				unlink(tmp);
				goto out;
			}
			snprintf(final, sizeof final, "%s/%d", inbox, next);
			if (link(tmp, final) == 0)
				break;
			if (errno != EEXIST) {
				fprintf(stderr, "sim: %s: %s\n", final, strerror(errno));
				unlink(tmp);
				goto out;
			}
		}
		unlink(tmp);
	}
	ret = 0;
out:
	free(out);
	free(bk);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#include <dirent.h>

int modem_sim_sent_each(const char *sent_dir,
                        int (*fn)(const char *, const char *, const char *, int, const char *,
                                  void *),
                        void *arg)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	GSM_SMS_Backup *bk = NULL;
	char *text = NULL;
	int ret = -1;

	d = opendir(sent_dir);
	if (d == NULL) {
		if (errno == ENOENT)
			return 0; /* nothing sent yet */
		fprintf(stderr, "sim: %s: %s\n", sent_dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
			if (nn == NULL)
				goto out;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto out;
		n++;
	}
	/* qsort's first argument must not be NULL even for n == 0 (UBSan): an
	 * empty sent directory leaves names unallocated. */
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_str);
	bk = calloc(1, sizeof *bk);
	text = malloc(GSM_MAX_MULTI_SMS * 1024);
	if (bk == NULL || text == NULL)
		goto out;
	GSM_InitLocales(NULL);
	for (size_t i = 0; i < n; i++) {
		char path[2048], number[64] = "";
		size_t len = 0;
		int parts = 0;
		const char *coding = "gsm7";

		snprintf(path, sizeof path, "%s/%s", sent_dir, names[i]);
		if (GSM_ReadSMSBackupFile(path, bk) != ERR_NONE) {
			fprintf(stderr, "sim: cannot read %s\n", path);
			continue;
		}
		text[0] = '\0';
		for (int k = 0; bk->SMS[k] != NULL; k++) {
			char piece[1024];

			if (k == 0)
				text_ucs2be_to_utf8(bk->SMS[k]->Number, GSM_MAX_NUMBER_LENGTH + 1,
				                    number, sizeof number);
			if (bk->SMS[k]->Coding == SMS_Coding_Unicode_No_Compression)
				coding = "ucs2";
			text_ucs2be_to_utf8(bk->SMS[k]->Text, GSM_MAX_SMS_LENGTH + 1, piece,
			                    sizeof piece);
			if (len + strlen(piece) + 1 < GSM_MAX_MULTI_SMS * 1024) {
				memcpy(text + len, piece, strlen(piece) + 1);
				len += strlen(piece);
			}
			parts++;
		}
		GSM_FreeSMSBackup(bk);
		if (fn(names[i], number, text, parts, coding, arg) != 0)
			break;
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(bk);
	free(text);
	closedir(d);
	return ret;
}

int modem_sim_report(const char *dir, const char *from, int msgref)
{
	GSM_SMS_Backup *bk = calloc(1, sizeof *bk);
	GSM_SMSMessage *m = calloc(1, sizeof *m);
	char tmp[1100], final[1100];
	int ret = -1;

	if (bk == NULL || m == NULL)
		goto out;
	GSM_InitLocales(NULL);
	GSM_SetDefaultReceivedSMSData(m);
	m->PDU = SMS_Status_Report;
	m->Folder = 1;
	m->InboxFolder = TRUE;
	m->State = SMS_UnRead;
	m->MessageReference = (unsigned char)msgref;
	m->DeliveryStatus = 0; /* delivered: the backup format keeps no other status */
	parse_utc(NULL, &m->DateTime);
	m->SMSCTime = m->DateTime;
	text_utf8_to_ucs2be(from, m->Number, GSM_MAX_NUMBER_LENGTH);
	text_utf8_to_ucs2be("+84900000000", m->SMSC.Number, GSM_MAX_NUMBER_LENGTH);
	snprintf(tmp, sizeof tmp, "%s/sms/1/.report-%d", dir, (int)getpid());
	unlink(tmp);
	bk->SMS[0] = m;
	if (GSM_AddSMSBackupFile(tmp, bk) != ERR_NONE) {
		fprintf(stderr, "sim: cannot write %s\n", tmp);
		goto out;
	}
	for (int next = 1; next <= 9999; next++) {
		snprintf(final, sizeof final, "%s/sms/1/%d", dir, next);
		if (link(tmp, final) == 0) {
			ret = 0;
			break;
		}
		if (errno != EEXIST)
			break;
	}
	unlink(tmp);
	if (ret < 0)
		fprintf(stderr, "sim: cannot place the report in %s/sms/1\n", dir);
out:
	free(bk);
	free(m);
	return ret;
}
