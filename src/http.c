/*
 * The HTTP door (see http.h). One thread: libmicrohttpd in external epoll mode, run by
 * http_serve from the caller's loop; the accept policy, the connection notices, the request
 * handlers and the "http" job all run on that thread, so the connection table needs no lock
 * and a file descriptor in it is always still open (libmicrohttpd tells us a connection is
 * closed, in the same MHD_run, before it closes the socket).
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "sched.h"
#include "ts.h"

/* How often the job cuts late connections: a deadline holds to within this. */
#define HTTP_JOB_EVERY 0.25
/* Descriptors kept for the rest of the process (the database, the log, ...). */
#define HTTP_SPARE_FDS 64

/* One open connection. c NULL: a free slot. */
struct conn {
	struct MHD_Connection *c;
	int fd;
	int cut;      /* shut down at its deadline: not again */
	int requests; /* completed on it: a keep-alive connection idle after one is no attack */
	double start; /* monotonic: the connection's start, or its previous request's end */
	struct sockaddr_storage addr;
};

struct http_server {
	struct MHD_Daemon *d;
	struct http_handler h;
	int max_conn, max_per_client;
	double deadline;
	int epoll_fd;
	unsigned port;
	struct conn *conns; /* max_conn slots; owned */
	int used;
	/* The current episode of turned-away clients (in_episode 0: none). */
	int in_episode;
	double ep_start, ep_last;
	long ep_per_client, ep_full, ep_cut;
};

void http_mask_addr(const struct sockaddr *addr, char *out, size_t outsz)
{
	char buf[INET6_ADDRSTRLEN];

	if (addr != NULL && addr->sa_family == AF_INET) {
		struct in_addr a = ((const struct sockaddr_in *)addr)->sin_addr;

		a.s_addr &= htonl(0xffffff00u);
		inet_ntop(AF_INET, &a, buf, sizeof buf);
		snprintf(out, outsz, "%s/24", buf);
	} else if (addr != NULL && addr->sa_family == AF_INET6) {
		struct in6_addr a = ((const struct sockaddr_in6 *)addr)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(&a)) { /* an IPv4 client of an IPv6 socket */
			a.s6_addr[15] = 0;
			inet_ntop(AF_INET, a.s6_addr + 12, buf, sizeof buf);
			snprintf(out, outsz, "%s/24", buf);
			return;
		}
		memset(a.s6_addr + 8, 0, 8);
		inet_ntop(AF_INET6, &a, buf, sizeof buf);
		snprintf(out, outsz, "%s/64", buf);
	} else
		snprintf(out, outsz, "an unknown address");
}

static int same_host(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return 0;
	if (b->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (b->sa_family == AF_INET6) {
		/* One client is one /64 (what one line or host is given), or one mapped IPv4. */
		const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
		const struct in6_addr *y = &((const struct sockaddr_in6 *)b)->sin6_addr;

		return memcmp(x, y, IN6_IS_ADDR_V4MAPPED(y) ? 16 : 8) == 0;
	}
	return 0;
}

/* A client turned away: the episode's first says so in the log, the rest are counted. */
static void turned_away(struct http_server *s, const struct sockaddr *addr, const char *why)
{
	double now = ts_mono();

	if (!s->in_episode) {
		char m[64];

		http_mask_addr(addr, m, sizeof m);
		log_warnx("http: %s: turning clients away: %s (the first from %s)", s->h.name, why,
		          m);
		s->in_episode = 1;
		s->ep_start = now;
		s->ep_per_client = s->ep_full = s->ep_cut = 0;
	}
	s->ep_last = now;
}

static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct http_server *s = cls;
	int same = 0;

	if (s->used >= s->max_conn) {
		turned_away(s, addr, "every one of http.max_connections slots taken");
		s->ep_full++;
		return MHD_NO;
	}
	for (int i = 0; i < s->max_conn; i++)
		if (s->conns[i].c != NULL && same_host(&s->conns[i].addr, addr))
			same++;
	if (same >= s->max_per_client) {
		turned_away(s, addr, "a client over http.max_per_client connections");
		s->ep_per_client++;
		return MHD_NO;
	}
	return MHD_YES;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct conn *k = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (k != NULL) {
			k->c = NULL;
			s->used--;
		}
		*socket_context = NULL;
		return;
	}
	for (int i = 0; i < s->max_conn; i++) {
		const union MHD_ConnectionInfo *fi, *ai;

		if (s->conns[i].c != NULL)
			continue;
		k = &s->conns[i];
		memset(k, 0, sizeof *k);
		fi = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		ai = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		k->c = c;
		k->fd = fi != NULL ? fi->connect_fd : -1;
		k->start = ts_mono();
		if (ai != NULL && ai->client_addr != NULL)
			memcpy(&k->addr, ai->client_addr,
			       ai->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
			                                              : sizeof(struct sockaddr_in));
		s->used++;
		*socket_context = k;
		return;
	}
	/* Not reached: the accept policy keeps used under max_conn. Untracked, it still has
	 * libmicrohttpd's own timeout. */
}

/* The request is over: the handler's cleanup, and the next request's deadline starts now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = ci != NULL ? ci->socket_context : NULL;

	if (s->h.completed != NULL)
		s->h.completed(s->h.cls, c, con_cls, toe);
	if (k != NULL) {
		k->start = ts_mono();
		k->requests++;
	}
}

/*
 * The job: shut down every connection past its deadline (libmicrohttpd then sees the end of
 * the stream and closes it), and end an episode HTTP_QUIET seconds after its last refusal.
 */
static int http_job(void *arg)
{
	struct http_server *s = arg;
	double now = ts_mono();

	for (int i = 0; i < s->max_conn; i++) {
		struct conn *k = &s->conns[i];

		if (k->c == NULL || k->cut || now - k->start < s->deadline)
			continue;
		k->cut = 1;
		shutdown(k->fd, SHUT_RDWR);
		if (k->requests == 0) {
			turned_away(s, (struct sockaddr *)&k->addr,
			            "a request not complete within http.request_deadline");
			s->ep_cut++;
		}
	}
	if (s->in_episode && now - s->ep_last >= HTTP_QUIET) {
		log_info("http: %s: no client turned away for %d s: %ld over http.max_per_client, "
		         "%ld with every slot taken, %ld cut at http.request_deadline, in %.0f s",
		         s->h.name, HTTP_QUIET, s->ep_per_client, s->ep_full, s->ep_cut,
		         s->ep_last - s->ep_start);
		s->in_episode = 0;
	}
	return 0;
}

/*
 * libmicrohttpd's own messages: one per connection closed early, which a flood of slow clients
 * turns into a flood of lines (the episode's line says it once); kept for debugging. Its
 * failures at start are said by http_start's caller.
 */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	if (!log_debug_enabled())
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}

/* Room for MAX connections within the descriptor limit, raising the soft limit if need be. */
static int fit_fd_limit(int max)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max + HTTP_SPARE_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return max;
	if (rl.rlim_cur < want) {
		rl.rlim_cur =
		    rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < want) {
		int fit =
		    rl.rlim_cur > 2 * HTTP_SPARE_FDS ? (int)(rl.rlim_cur - HTTP_SPARE_FDS) : 64;

		log_warnx(
		    "http: http.max_connections %d lowered to %d: the descriptor limit is %lu", max,
		    fit, (unsigned long)rl.rlim_cur);
		return fit;
	}
	return max;
}

struct http_server *http_start(const struct http_config *cfg, const char *listen,
                               const struct http_handler *h, char *err, size_t errsz)
{
	struct http_server *s = calloc(1, sizeof *s);
	struct sockaddr_storage ss;
	char host[64];
	int port;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	/* TLS options only when a certificate is given (MHD_OPTION_ARRAY ends at the first END). */
	struct MHD_OptionItem tls[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)h->tls_cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)h->tls_key},
	    {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"},
	    {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_OptionItem none[] = {{MHD_OPTION_END, 0, NULL}};

	memset(&ss, 0, sizeof ss);
	if (s == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->h = *h;
	s->max_conn = fit_fd_limit(cfg->max_connections);
	s->max_per_client = cfg->max_per_client;
	s->deadline = cfg->request_deadline;
	if (config_listen_parse(listen, host, sizeof host, &port) < 0) {
		snprintf(err, errsz, "%s is not ADDR:PORT", listen);
		goto fail;
	}
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, host, &s6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, host, &s4->sin_addr);
	}
	if (h->tls_cert != NULL)
		flags |= MHD_USE_TLS;
	if (h->suspend)
		flags |= MHD_ALLOW_SUSPEND_RESUME;
	if ((s->conns = calloc((size_t)s->max_conn, sizeof *s->conns)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	/* libmicrohttpd's own limit one over ours, so that ours (which logs) refuses first; its
	 * idle timeout stays as a second line behind the deadline. */
	s->d = MHD_start_daemon(
	    flags, (uint16_t)port, accept_policy, s, h->request, h->cls, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)(s->deadline + 0.999), MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->max_conn + 1,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_ARRAY,
	    h->tls_cert != NULL ? tls : none, MHD_OPTION_END);
	if (s->d == NULL) {
		snprintf(err, errsz, "cannot listen on %s", listen);
		goto fail;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD);
	s->epoll_fd = di != NULL ? di->epoll_fd : -1;
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di != NULL ? di->port : (unsigned)port;
	if (s->epoll_fd < 0 || sched_add("http", HTTP_JOB_EVERY, HTTP_JOB_EVERY, http_job, s) < 0) {
		snprintf(err, errsz, "cannot run the server on %s", listen);
		goto fail;
	}
	return s;
fail:
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	free(s->conns);
	free(s);
	return NULL;
}

unsigned http_port(const struct http_server *s)
{
	return s->port;
}

void http_serve(struct http_server *s, double seconds, const sigset_t *unblocked)
{
	struct pollfd p = {.fd = s->epoll_fd, .events = POLLIN};
	MHD_UNSIGNED_LONG_LONG ms;
	struct timespec ts;

	if (MHD_get_timeout(s->d, &ms) == MHD_YES && (double)ms / 1000.0 < seconds)
		seconds = (double)ms / 1000.0;
	if (seconds < 0)
		seconds = 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	if (ppoll(&p, 1, &ts, unblocked) < 0 && errno != EINTR)
		log_warnx("http: %s: poll: %s", s->h.name, strerror(errno));
	MHD_run(s->d);
}

/* The signal http_signals' handler noted and http_run has not handled (0: none). */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

void http_signals(sigset_t *unblocked)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa;
	sigset_t set;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	pthread_sigmask(SIG_BLOCK, &set, unblocked);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		sigdelset(unblocked, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
}

void http_run(struct http_server *s, const sigset_t *unblocked,
              double (*due)(void *arg, double seconds), void *arg, const char *who, const char *cmd)
{
	for (;;) {
		double wait;

		sched_run();
		wait = sched_next();
		if (due != NULL)
			wait = due(arg, wait);
		http_serve(s, wait, unblocked);
		if (due != NULL)
			due(arg, 0);
		if (got_signal == SIGHUP) {
			got_signal = 0;
			log_info(
			    "%s: SIGHUP ignored: restart `tipline %s` to read the configuration",
			    who, cmd);
		} else if (got_signal != 0)
			break;
	}
	log_info("%s: signal %d: stopping", who, (int)got_signal);
}

void http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->d);
	free(s->conns);
	free(s);
}

enum MHD_Result http_respond(struct MHD_Connection *c, unsigned status, const char *body,
                             const char *const *headers)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;
	int typed = 0;

	if (r == NULL)
		return MHD_NO;
	for (size_t i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL;
	     i += 2) {
		MHD_add_response_header(r, headers[i], headers[i + 1]);
		typed |= strcasecmp(headers[i], "Content-Type") == 0;
	}
	if (!typed)
		MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
	/* Nothing we answer is to be cached, or guessed to be another type than it says. */
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result http_refuse_now(struct MHD_Connection *c, unsigned status, const char *body)
{
	const union MHD_ConnectionInfo *fi =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	const char *reason = MHD_get_reason_phrase_for(status);
	char buf[512];
	int n;

	if (fi == NULL)
		return MHD_NO;
	n = snprintf(buf, sizeof buf,
	             "HTTP/1.1 %u %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	             "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n"
	             "X-Content-Type-Options: nosniff\r\n\r\n%s",
	             status, reason ? reason : "Error", strlen(body), body);
	/* A few hundred bytes into an empty send buffer: taken whole, or the client is gone. */
	if (n > 0 && (size_t)n < sizeof buf)
		(void)!send(fi->connect_fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fi->connect_fd, SHUT_WR);
	return MHD_NO;
}

int http_log_allow(struct http_log_budget *b, const char *what)
{
	double now = ts_mono();

	if (b->start == 0 || now - b->start >= HTTP_LOG_INTERVAL) {
		if (b->unshown > 0)
			log_info("%s: %ld more in %.0f s, not logged one by one", what, b->unshown,
			         now - b->start);
		b->start = now;
		b->shown = 0;
		b->unshown = 0;
	}
	if (b->shown < HTTP_LOG_BURST) {
		b->shown++;
		return 1;
	}
	b->unshown++;
	return 0;
}
