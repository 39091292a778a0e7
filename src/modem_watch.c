/*
 * The watchdog of a modem: a thread per modem that aborts a libGammu call past its deadline,
 * the proxy modem process (connection proxyat) and the SIGCHLD handler that aborts a call
 * stuck on its death, and modem.reset_command after failed connects. Part of the modem layer
 * (modem_int.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "modem_int.h"

/*
 * The open modems, for the SIGCHLD handler (it cannot be given an argument) and for telling
 * one modem's proxy process from another's. Changed only with SIGCHLD blocked, so the
 * handler never sees a modem being freed.
 */
#define OPEN_MAX 16
static _Atomic(struct modem *) open_modems[OPEN_MAX];

/*
 * The watchdog. Every libGammu call is bracketed by modem_watch_begin/end, which publish a
 * deadline (monotonic ms, 0 = no call) and a call number. A thread per modem checks them ten
 * times a second: a call past its deadline is aborted (GSM_AbortOperation sets a flag that
 * libGammu's read loops test), so it fails as a lost connection and the main loop reconnects.
 * A call that ignores the abort (a driver stuck in a write, a kernel that does not return) is
 * given a grace of min(watchdog, 10) s, then the thread ends the process with status 3:
 * systemd's Restart=always brings the daemon back, and all state is on disk.
 * A thread rather than SIGALRM: a signal interrupts libGammu's select() in proxy_read, which
 * then falls into a blocking read() and never sees the abort. The thread blocks every signal
 * and touches nothing of libGammu but the abort flag.
 */
void modem_watch_begin_s(struct modem *m, int seconds)
{
	if (m->cfg->watchdog <= 0)
		return;
	atomic_fetch_add(&m->watch.seq, 1);
	atomic_store(&m->watch.secs, seconds);
	atomic_store(&m->watch.deadline, modem_now_ms() + 1000LL * seconds);
}

void modem_watch_begin(struct modem *m)
{
	modem_watch_begin_s(m, m->cfg->watchdog);
}

void modem_watch_end(struct modem *m)
{
	atomic_store(&m->watch.deadline, 0);
}

static void *watchdog_main(void *arg)
{
	static const char exit_msg[] = "tiplined[error]: watchdog: a modem call hung and could "
	                               "not be aborted; exiting so that the service manager "
	                               "restarts the daemon\n";
	struct modem *m = arg;
	struct modem_watch *w = &m->watch;
	const struct timespec tick = {0, 100 * 1000 * 1000};
	long long grace = 1000LL * (m->cfg->watchdog < 10 ? m->cfg->watchdog : 10), aborted_at = 0;
	unsigned aborted_seq = 0;
	int have_aborted = 0;

	while (!atomic_load(&w->stop)) {
		long long deadline, now;
		unsigned seq;

		nanosleep(&tick, NULL);
		deadline = atomic_load(&w->deadline);
		seq = atomic_load(&w->seq);
		now = modem_now_ms();
		if (deadline == 0 || now < deadline)
			continue;
		if (!have_aborted || seq != aborted_seq) {
			GSM_StateMachine *s;

			have_aborted = 1;
			aborted_seq = seq;
			aborted_at = now;
			atomic_store(&w->aborted, MODEM_ABORT_WATCHDOG);
			pthread_mutex_lock(&w->live_lock);
			s = atomic_load(&w->live_sm);
			if (s != NULL)
				GSM_AbortOperation(s);
			pthread_mutex_unlock(&w->live_lock);
			log_warnx("watchdog: a modem call took more than %d s; aborting it",
			          atomic_load(&w->secs));
		} else if (now - aborted_at >= grace) {
			ssize_t r = write(STDERR_FILENO, exit_msg, sizeof exit_msg - 1);

			(void)r;
			_exit(3);
		}
	}
	return NULL;
}

static int thread_start(struct modem *m)
{
	sigset_t all, old;
	int e;

	if (m->cfg->watchdog <= 0 || m->watch.running)
		return 0;
	atomic_store(&m->watch.stop, 0);
	atomic_store(&m->watch.deadline, 0);
	/* Every signal stays with the main thread: the thread is created with all blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&m->watch.thread, NULL, watchdog_main, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		log_warn("modem: cannot start the watchdog thread");
		return -1;
	}
	m->watch.running = 1;
	return 0;
}

/* The list of open modems changes with SIGCHLD blocked (see open_modems). */
static int list_change(struct modem *add, struct modem *remove)
{
	sigset_t chld, old;
	int ret = add == NULL ? 0 : -1;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, &old);
	for (int i = 0; i < OPEN_MAX; i++) {
		struct modem *o = atomic_load(&open_modems[i]);

		if (add != NULL && o == NULL && ret < 0) {
			atomic_store(&open_modems[i], add);
			ret = 0;
		} else if (remove != NULL && o == remove) {
			atomic_store(&open_modems[i], NULL);
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int modem_watch_open(struct modem *m)
{
	pthread_mutex_init(&m->watch.live_lock, NULL);
	atomic_store(&m->watch.child_wfd, -1);
	m->watch.devnull_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (list_change(m, NULL) < 0) {
		log_warnx("modem: more than %d modems open", OPEN_MAX);
		return -1;
	}
	return thread_start(m);
}

void modem_watch_close(struct modem *m)
{
	if (m->watch.running) {
		atomic_store(&m->watch.stop, 1);
		pthread_join(m->watch.thread, NULL);
		m->watch.running = 0;
	}
	list_change(NULL, m);
	if (m->watch.devnull_fd >= 0)
		close(m->watch.devnull_fd);
	m->watch.devnull_fd = -1;
	pthread_mutex_destroy(&m->watch.live_lock);
}

/*
 * Runs in the main thread's SIGCHLD handler (the watchdog threads block signals), so it
 * interrupts the code that sets live_sm and child_*: it sees them either before or after a
 * change, never half-made, and the state machine is freed only after live_sm is cleared.
 */
static void sigchld_one(struct modem *m)
{
	struct modem_watch *w = &m->watch;
	siginfo_t si;
	pid_t pid = atomic_load(&w->child_pid);
	GSM_StateMachine *s;
	int wfd, zero = 0;

	if (pid <= 0 || atomic_load(&w->child_gone))
		return;
	si.si_pid = 0;
	/* WNOWAIT: leave the zombie for modem_disconnect, so its pid cannot be reused while
	 * libGammu still holds it (proxy_close sends it SIGHUP). */
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != pid)
		return;
	atomic_store(&w->child_gone, 1);
	wfd = atomic_load(&w->child_wfd);
	if (wfd >= 0 && w->devnull_fd >= 0)
		dup2(w->devnull_fd, wfd);
	atomic_compare_exchange_strong(&w->aborted, &zero, MODEM_ABORT_CHILD);
	s = atomic_load(&w->live_sm);
	if (s != NULL)
		GSM_AbortOperation(s);
}

void modem_on_sigchld(void)
{
	for (int i = 0; i < OPEN_MAX; i++) {
		struct modem *m = atomic_load(&open_modems[i]);

		if (m != NULL)
			sigchld_one(m);
	}
}

int modem_was_aborted(struct modem *m, const char *what)
{
	if (atomic_load(&m->watch.aborted) == MODEM_ABORT_CHILD ||
	    atomic_load(&m->watch.child_gone)) {
		snprintf(m->errmsg, sizeof m->errmsg, "%s: the modem process exited", what);
		return 1;
	}
	if (atomic_load(&m->watch.aborted) == MODEM_ABORT_WATCHDOG) {
		snprintf(m->errmsg, sizeof m->errmsg,
		         "%s: no answer from the modem in %d s (watchdog); call aborted", what,
		         m->cfg->watchdog);
		return 1;
	}
	return 0;
}

void modem_watch_arm(struct modem *m, GSM_StateMachine *sm)
{
	atomic_store(&m->watch.aborted, 0);
	atomic_store(&m->watch.child_gone, 0);
	atomic_store(&m->watch.live_sm, sm);
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
 * The state letter and the parent of process PID, from /proc/PID/stat: 0, or -1 when the process
 * is gone or its line unreadable. For the watch's search for its child and the reaping.
 */
static int proc_stat(pid_t pid, char *state, int *ppid)
{
	char path[64], buf[512];
	const char *rp;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
	rp = strrchr(buf, ')');
	return rp != NULL && sscanf(rp + 1, " %c %d", state, ppid) == 2 ? 0 : -1;
}

/* 1 if PID is the proxy process of another open modem than M. */
static int others_child(const struct modem *m, pid_t pid)
{
	for (int i = 0; i < OPEN_MAX; i++) {
		struct modem *o = atomic_load(&open_modems[i]);

		if (o != NULL && o != m && atomic_load(&o->watch.child_pid) == pid)
			return 1;
	}
	return 0;
}

/*
 * With connection = proxyat libGammu forks the modem command and never reaps it; when that
 * process dies, libGammu 1.42's proxy_write sees EPIPE, but the errno it tests has been
 * overwritten with EAGAIN by its own sigtimedwait() loop, so it retries the write forever.
 * We find the child and the pipe after connecting; when the child dies, SIGCHLD points the
 * pipe at /dev/null (dup2 is async-signal-safe), so writes succeed, and aborts the state
 * machine, so the call in progress returns ERR_ABORTED at once instead of waiting out its
 * timeout (up to 500 s for AT+CMGL).
 *
 * The child is a child of ours whose stdin is a pipe we hold the write end of, and not
 * another open modem's. Linux /proc only; without it the watchdog alone guards against a
 * dead child. Sets child_pid and child_wfd, or leaves them unset.
 */
static void find_proxy_child(struct modem *m)
{
	struct modem_watch *w = &m->watch;
	DIR *procd;
	struct dirent *de;
	pid_t me = getpid(), zombie = 0;

	procd = opendir("/proc");
	if (procd == NULL)
		return;
	while (atomic_load(&w->child_pid) == 0 && (de = readdir(procd)) != NULL) {
		char path[300], want[128];
		int ppid = 0, wfd;
		char state;
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (others_child(m, pid))
			continue;
		if (proc_stat(pid, &state, &ppid) < 0 || ppid != me)
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
		atomic_store(&w->child_wfd, wfd);
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
		atomic_store(&w->child_pid, pid);
	}
	closedir(procd);
	if (atomic_load(&w->child_pid) == 0 && zombie != 0) {
		atomic_store(&w->child_gone, 1);
		atomic_store(&w->child_pid, zombie);
	}
}

void modem_watch_find_child(struct modem *m)
{
	find_proxy_child(m);
	sigchld_one(m); /* it may have exited before child_pid was known */
}

pid_t modem_watch_release(struct modem *m)
{
	pid_t pid = atomic_load(&m->watch.child_pid);

	pthread_mutex_lock(&m->watch.live_lock);
	atomic_store(&m->watch.live_sm, NULL);
	pthread_mutex_unlock(&m->watch.live_lock);
	atomic_store(&m->watch.child_wfd, -1);
	atomic_store(&m->watch.child_pid, 0);
	return pid;
}

/*
 * Reap our zombie children that no other open modem owns: leftovers of M's own connects (a
 * proxy process that died before find_proxy_child saw it). Not waitpid(-1): in a process
 * with several modems that would take another modem's dead child, whose SIGCHLD handling
 * (waitid on its pid) then never sees it die; and the daemon's main process has children of
 * its own (issue 25), which are not the modem layer's to reap.
 */
static void reap_leftovers(const struct modem *m)
{
	DIR *procd = opendir("/proc");
	struct dirent *de;
	pid_t me = getpid();

	if (procd == NULL)
		return;
	while ((de = readdir(procd)) != NULL) {
		char state;
		int ppid = 0;
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (proc_stat(pid, &state, &ppid) == 0 && ppid == me && state == 'Z' &&
		    !others_child(m, pid))
			waitpid(pid, NULL, WNOHANG);
	}
	closedir(procd);
}

/*
 * Reap M's proxy modem process PID. libGammu's proxy_close sent it SIGHUP; one that ignores
 * that gets SIGKILL after a second. Then M's leftovers (reap_leftovers).
 */
void modem_watch_reap(struct modem *m, pid_t pid)
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
	reap_leftovers(m);
}

/*
 * Run modem.reset_command (/bin/sh -c) and wait for it, up to modem.reset_timeout seconds;
 * then it is killed (its process group: a shell's children too). Logged with how it ended.
 */
static void run_reset(struct modem *m)
{
	const struct modem_config *c = m->cfg;
	long long deadline = modem_now_ms() + (long long)c->reset_timeout * 1000;
	struct timespec tick = {0, 20 * 1000 * 1000};
	int status = 0;
	pid_t pid, r;

	log_warnx("modem: %d connects failed in a row; running modem.reset_command: %s",
	          m->watch.failed_connects, c->reset_command);
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
		execl("/bin/sh", "sh", "-c", c->reset_command, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		if (modem_now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			log_warnx("modem: reset_command did not finish within %d s: killed",
			          c->reset_timeout);
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

void modem_watch_connect_failed(struct modem *m)
{
	if (++m->watch.failed_connects >= m->cfg->reset_after && m->cfg->reset_command[0] != '\0' &&
	    !m->dummy) {
		char why[sizeof m->errmsg];

		snprintf(why, sizeof why, "%s",
		         m->errmsg); /* the connect's error, for the caller */
		run_reset(m);
		m->watch.failed_connects = 0;
		snprintf(m->errmsg, sizeof m->errmsg, "%s", why);
	}
}
