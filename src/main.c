/*
 * tiplined: the daemon. Polls the modem, stores and handles what arrives, sends the outbox.
 *
 * Modules are opened in dependency order here and nowhere else: config → log → store →
 * handle → receive → outbox → alerts → modem → simcard → status → ussd. Signal handlers only
 * set flags, but for SIGCHLD, which lets the modem module abort a call stuck on a dead modem
 * process; the loop does the work.
 *
 * Several modems (issue 25, `modems`): the daemon runs one process per modem, each this same
 * program started with -m NAME, and stays as their main process (docs/design.md, "Several
 * modems", says why). A modem's process drives its modem alone (receive, outbox, USSD, SIM,
 * health); the main process runs the shared jobs (alerts, recurring broadcasts, privacy),
 * restarts a modem's process that died, and stops them all on SIGTERM, and on SIGHUP starts
 * them afresh with the new configuration. One modem: one process, as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act.h"
#include "alerts.h"
#include "anon.h"
#include "config.h"
#include "handle.h"
#include "log.h"
#include "modem.h"
#include "notify.h"
#include "outbox.h"
#include "privacy.h"
#include "receive.h"
#include "sched.h"
#include "sync.h"
#include "simcard.h"
#include "status.h"
#include "store.h"
#include "ts.h"
#include "ussd.h"
#include "version.h"

#ifndef DEFAULT_CONF /* make install compiles the installed path in */
#define DEFAULT_CONF "conf/tipline.conf"
#endif

static volatile sig_atomic_t quit;
static volatile sig_atomic_t reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		quit = 1;
}

/*
 * A proxy modem process (connection proxyat) that exits must not leave libGammu hanging: the
 * modem module aborts the call in progress (async-signal-safe calls only).
 * The watchdog lives in the modem module too, a thread timing every libGammu call
 * (modem.watchdog seconds): a hung call is aborted and the modem reconnected; one that cannot
 * be aborted ends the process with status 3, for systemd's Restart=always to bring it back.
 */
static void on_child(int sig)
{
	int saved = errno;

	modem_on_sigchld();
	errno = saved;
}

/* The usage, on OUT; exit STATUS (0 for -h, on stdout; 2 for a bad argument, on stderr). */
static void usage(FILE *out, int status) __attribute__((noreturn));
static void usage(FILE *out, int status)
{
	fprintf(out, "usage: tiplined [-hnV] [-c file] [-m name]\n"
	             "  -c file  configuration (default " DEFAULT_CONF ")\n"
	             "  -m name  drive only modem NAME of `modems` (the daemon starts one\n"
	             "           such process per modem itself)\n"
	             "  -n       check the configuration and exit\n"
	             "  -h       this help\n"
	             "  -V       the version\n");
	exit(status);
}

/* The modem this process drives; NULL in the main process of several. */
static struct modem *modem;
/* Issue 25: the index in cfg->modems of this process's modem, -1 in the main process of
 * several; 0 with one modem (one process does everything). */
static int own;

static int open_modules(struct config *cfg)
{
	int several = cfg->nmodems > 1, shared = own < 0 || !several;

	log_set_level(cfg->log_level);
	if (own >= 0)
		cfg->modem = cfg->modems[own];
	/* A modem's rows in `status` are its own; the first one's also under the old keys. */
	store_status_scope(several && own >= 0 ? cfg->modem.name : NULL, own == 0 ? 2 : 0);
	store_sim_scope(several && own >= 0 ? cfg->modem.name : NULL);
	store_set_networks(config_network_name, cfg);
	if (store_open(&cfg->database) < 0 || store_check_writable() < 0) {
		if (store_error_is_permission())
			log_warnx("%s", store_errmsg());
		return -1;
	}
	if (act_init(cfg) < 0 || handle_init(cfg) < 0 ||
	    outbox_init(cfg, !several  ? OUTBOX_ROLE_ALL
	                     : own < 0 ? OUTBOX_ROLE_MAIN
	                               : OUTBOX_ROLE_MODEM) < 0 ||
	    (shared && (alerts_init(cfg) < 0 || notify_init() < 0 || privacy_init(cfg) < 0 ||
	                sync_init(cfg) < 0)))
		return -1;
	if (own < 0)
		return status_init(cfg, NULL);
	if (receive_init(&cfg->modem, several) < 0 || (modem = modem_open(&cfg->modem)) == NULL ||
	    simcard_init(cfg, modem) < 0 || status_init(cfg, modem) < 0 ||
	    ussd_init(cfg, modem) < 0)
		return -1;
	return 0;
}

static void close_modules(void)
{
	sched_close();
	sync_close();
	privacy_close();
	notify_close();
	ussd_close();
	status_close();
	simcard_close();
	modem_close(modem);
	modem = NULL;
	alerts_close();
	outbox_close();
	receive_close();
	handle_close();
	act_close();
	store_close();
}

/*
 * Wait up to SECONDS, or less if a signal arrives: the mask is swapped atomically by ppoll.
 * SECONDS 0 still calls ppoll: a loop that always has work due (a backlog, jobs back to back)
 * must still take a pending SIGTERM, which is delivered only while unblocked here.
 */
static void nap(double seconds, const sigset_t *unblocked)
{
	struct timespec ts;

	if (quit || reload)
		return;
	if (seconds < 0)
		seconds = 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	ppoll(NULL, 0, &ts, unblocked);
}

/*
 * Wait like nap, but on a modem that announces its messages, listen to it meanwhile (in steps
 * of at most 0.1 s, so that a signal is taken between them) and end the wait at once when one
 * is announced: instant receive, with modem.poll_interval only as the safety net.
 */
static void idle(double seconds, const sigset_t *unblocked)
{
	double end = ts_mono() + seconds, left;

	if (!modem_announces(modem)) {
		nap(seconds, unblocked);
		return;
	}
	do {
		nap(0, unblocked);
		left = end - ts_mono();
	} while (!quit && !reload && left > 0 &&
	         modem_wait(modem, left < 0.1 ? 1 + (int)(left * 1e3) : 100) == 0);
}

struct link_state {
	int up;          /* -1 unknown, 0 down, 1 up */
	double backoff;  /* seconds */
	double next_try; /* monotonic */
	int store_ok;    /* the last write to the database worked */
};

static void modem_down(struct link_state *ls, const struct config *cfg, const char *why)
{
	if (ls->up != 0) {
		log_warnx("modem: %s; retrying with back-off up to %d s", why,
		          cfg->modem.backoff_max);
		status_link(0, why);
	}
	modem_disconnect(modem);
	/* Every retry in debug (the warning above is once per state change): the back-off can be
	 * followed, and tested, from the log. */
	log_debug("modem: next try in %.0f s", ls->backoff);
	ls->up = 0;
	ls->next_try = ts_mono() + ls->backoff;
	ls->backoff =
	    ls->backoff * 2 > cfg->modem.backoff_max ? cfg->modem.backoff_max : ls->backoff * 2;
}

/*
 * The database could (OK = 1) or could not (0) take the last write of the receive path or the
 * outbox: logged once per change, not once per poll, for as long as a disk stays full. A poll
 * that wrote nothing (nothing received, nothing due) says nothing either way.
 */
static void store_state(struct link_state *ls, int ok)
{
	if (!ok && ls->store_ok)
		log_warnx("database: %s; messages stay on the modem and replies wait until it can "
		          "be written",
		          store_errmsg());
	else if (ok && !ls->store_ok)
		log_info("database: writable again");
	ls->store_ok = ok;
}

/* Connect the modem if it is not, when its back-off allows: 0 connected, -1 not (yet). */
static int bring_up(struct link_state *ls, const struct config *cfg, const sigset_t *unblocked)
{
	if (modem_connected(modem))
		return 0;
	if (ts_mono() < ls->next_try) {
		double w = ls->next_try - ts_mono();

		nap(sched_next() < w ? sched_next() : w, unblocked); /* jobs keep their times */
		return -1;
	}
	if (modem_connect(modem) < 0) {
		modem_down(ls, cfg, modem_errmsg(modem));
		return -1;
	}
	log_info("modem: connected (%s, %s)", cfg->modem.connection, cfg->modem.device);
	ls->up = 1;
	ls->backoff = 1;
	status_link(1, NULL);
	return 0;
}

/*
 * The main process of several modems (issue 25): one process per modem, this program with
 * -m NAME (exec'd, so that no SQLite connection crosses the fork). Each dies with the main
 * process (PR_SET_PDEATHSIG: a SIGKILLed daemon leaves no modem process behind to send beside
 * the next one); one that dies alone is started again, after 1 s doubling to
 * modem.backoff_max while it keeps dying within a minute.
 */
#define WORKERS_MAX 16
static struct worker {
	pid_t pid;
	double started, next_start, backoff;
} workers[WORKERS_MAX];
static const char *self_conf;
static char progname[48];

static void worker_start(const struct config *cfg, int i)
{
	struct worker *w = &workers[i];
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	pid_t parent = getpid(), pid;
	/* The message key (anon.h), inherited through a pipe: never in argv nor on disk. */
	int kfd = anon_key_fd();

	/* By its path, so that ps names it tiplined; /proc/self/exe if that is gone (an
	 * upgrade replaced the file: the running program's image is still there). */
	exe[n > 0 ? n : 0] = '\0';
	pid = fork();

	if (pid != 0 && kfd >= 0)
		close(kfd);
	if (pid < 0) {
		log_warn("modem %s: cannot start its process", cfg->modems[i].name);
		w->next_start = ts_mono() + 1;
		return;
	}
	if (pid == 0) {
		sigset_t none;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1); /* the main process died before the line above */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		unsetenv("NOTIFY_SOCKET"); /* systemd hears the main process only */
		if (kfd >= 0 && fcntl(kfd, F_SETFD, 0) == 0) {
			char fd[16];

			snprintf(fd, sizeof fd, "%d", kfd);
			setenv(ANON_KEY_ENV, fd, 1);
		}
		if (exe[0] != '\0')
			execl(exe, "tiplined", "-c", self_conf, "-m", cfg->modems[i].name,
			      (char *)NULL);
		execl("/proc/self/exe", "tiplined", "-c", self_conf, "-m", cfg->modems[i].name,
		      (char *)NULL);
		_exit(127);
	}
	w->pid = pid;
	w->started = ts_mono();
	log_info("modem %s: process %ld started", cfg->modems[i].name, (long)pid);
}

/* Reap the modem processes that ended; start those due. */
static void supervise(const struct config *cfg, const sigset_t *unblocked)
{
	double wait = 1.0;

	for (int i = 0; i < cfg->nmodems && i < WORKERS_MAX; i++) {
		struct worker *w = &workers[i];
		int st;

		if (w->pid > 0 && waitpid(w->pid, &st, WNOHANG) == w->pid) {
			w->backoff = ts_mono() - w->started > 60 || w->backoff < 1 ? 1
			             : w->backoff * 2 > cfg->modem.backoff_max
			                 ? cfg->modem.backoff_max
			                 : w->backoff * 2;
			log_warnx("modem %s: its process %ld ended (%s %d); starting it again in "
			          "%.0f s",
			          cfg->modems[i].name, (long)w->pid,
			          WIFEXITED(st) ? "status" : "signal",
			          WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), w->backoff);
			w->pid = 0;
			w->next_start = ts_mono() + w->backoff;
		}
		if (w->pid == 0 && !quit && !reload && ts_mono() >= w->next_start)
			worker_start(cfg, i);
	}
	nap(sched_next() < wait ? sched_next() : wait, unblocked);
}

/* SIGTERM every modem process and wait for them (a send in progress is finished). */
static void workers_stop(void)
{
	for (int i = 0; i < WORKERS_MAX; i++)
		if (workers[i].pid > 0)
			kill(workers[i].pid, SIGTERM);
	for (int i = 0; i < WORKERS_MAX; i++) {
		while (workers[i].pid > 0 && waitpid(workers[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
		workers[i] = (struct worker){0};
	}
}

/* What a step of the loop says of the database: FAILED a store error, WORKED a commit. */
static void store_result(struct link_state *ls, int failed, int worked)
{
	if (failed)
		store_state(ls, 0);
	else if (worked)
		store_state(ls, 1);
}

static void cycle(struct link_state *ls, const struct config *cfg, const sigset_t *unblocked)
{
	enum receive_result rr;
	enum outbox_result orr;
	/* The outbox also takes rows other processes queue (the CLI, the console): looked at
	 * every 2 s at most; receive_poll reads the modem only when a read is due. */
	double wait = cfg->modem.poll_interval < 2 ? cfg->modem.poll_interval : 2;

	/* Periodic jobs (alerts, checks, status) run with the modem down too: each job that
	 * needs the modem asks modem_connected() itself. */
	sched_run();
	if (own < 0) {
		supervise(cfg, unblocked);
		return;
	}
	if (bring_up(ls, cfg, unblocked) < 0)
		return;
	rr = receive_poll(modem);
	if (rr == RECEIVE_MODEM_LOST) {
		modem_down(ls, cfg, modem_errmsg(modem));
		return;
	}
	store_result(ls, rr == RECEIVE_STORE_FAILED, rr == RECEIVE_SOME || rr == RECEIVE_FULL);
	if (quit)
		return;
	orr = outbox_run(modem);
	if (orr == OUTBOX_MODEM_LOST) {
		modem_down(ls, cfg, modem_errmsg(modem));
		return;
	}
	store_result(ls, orr == OUTBOX_STORE_FAILED, orr == OUTBOX_SENT || orr == OUTBOX_MORE);
	if (rr == RECEIVE_FULL)
		wait = 0; /* a backlog: keep draining */
	else if (orr == OUTBOX_MORE)
		wait = outbox_wait() < wait ? outbox_wait() : wait;
	idle(sched_next() < wait ? sched_next() : wait, unblocked);
}

int main(int argc, char **argv)
{
	const char *file = DEFAULT_CONF, *only = NULL;
	int check = 0, ch;
	struct config *cfg;
	struct sigaction sa;
	sigset_t block, unblocked;
	struct link_state ls = {-1, 1, 0, 1};

	log_init("tiplined", LOG_LEVEL_INFO);
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {NULL, 0, NULL, 0}};

	while ((ch = getopt_long(argc, argv, "c:m:nhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'm':
			only = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("tiplined %s\n", TIPLINE_VERSION);
			return 0;
		default: /* getopt printed the one error line */
			usage(stderr, 2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tiplined: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr, 2);
	}
	cfg = config_load(file);
	if (cfg == NULL)
		return 1;
	if (check) {
		fprintf(stderr, "%s: configuration OK\n", file);
		config_free(cfg);
		return 0;
	}
	self_conf = file;
	own = cfg->nmodems > 1 ? -1 : 0;
	if (only != NULL) {
		for (own = 0; own < cfg->nmodems && strcmp(cfg->modems[own].name, only) != 0; own++)
			;
		if (own == cfg->nmodems || cfg->nmodems < 2) {
			fprintf(stderr, "tiplined: -m %s: no such modem in the `modems` of %s\n",
			        only, file);
			config_free(cfg);
			usage(stderr, 2);
		}
		/* Its lines say which modem: "tiplined/viettel1: modem: connected". */
		snprintf(progname, sizeof progname, "tiplined/%s", cfg->modems[own].name);
		log_init(progname, LOG_LEVEL_INFO);
	} else if (cfg->nmodems > WORKERS_MAX) {
		fprintf(stderr, "%s: at most %d modems\n", file, WORKERS_MAX);
		config_free(cfg);
		return 1;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_flags = 0;
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit (ulimit -f, systemd's LimitFSIZE=) must not kill the daemon: the
	 * write fails with EFBIG instead, the store reports it, the messages stay on the modem. */
	signal(SIGXFSZ, SIG_IGN);
	/* Signals are blocked except while napping, so a flag set just before ppoll is not lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &unblocked);

	if (open_modules(cfg) < 0) {
		close_modules();
		config_free(cfg);
		return 1;
	}
	notify_state("READY=1"); /* the database is open */
	log_info("started (config %s, database %s)", file, cfg->database.path);
	while (!quit) {
		if (reload) {
			struct config *fresh;

			reload = 0;
			notify_state("RELOADING=1");
			fresh = config_load(file);
			if (fresh == NULL) {
				log_warnx(
				    "reload: %s has errors; keeping the running configuration",
				    file);
			} else if (only != NULL) {
				/* A modem's process keeps its configuration: the main process
				 * starts it afresh with the new one. */
				config_free(fresh);
			} else {
				workers_stop();
				close_modules();
				config_free(cfg);
				cfg = fresh;
				own = cfg->nmodems > 1 ? -1 : 0;
				if (open_modules(cfg) < 0)
					fatalx("reload: cannot start with the new configuration");
				ls.up = -1;
				ls.backoff = 1;
				ls.next_try = 0;
				log_info("reloaded configuration from %s", file);
			}
			notify_state("READY=1");
		}
		cycle(&ls, cfg, &unblocked);
	}
	log_info("stopping");
	notify_state("STOPPING=1");
	workers_stop();
	status_stop();
	close_modules();
	config_free(cfg);
	return 0;
}
