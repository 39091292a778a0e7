/*
 * The HTTP door (issue 21), shared by `tipline serve` (the USSD aggregator's callback) and the
 * officers' web console: libmicrohttpd started with our limits and driven from the caller's
 * loop on one thread (MHD_USE_EPOLL, no thread of its own), so handlers may use the store.
 *
 * What it holds for every server:
 * - a slot count (http.max_connections) and a count per client address (http.max_per_client),
 *   checked by the accept policy: a client over either is refused at once;
 * - a deadline per request (http.request_deadline), from the connection's start or the end of
 *   its previous request, that trickled bytes do not extend (libmicrohttpd's own timeout
 *   restarts at every byte): a connection past it is shut down;
 * - one log line when clients start being turned away, the client address masked, and one
 *   when the episode is over (HTTP_QUIET seconds without a refusal), with the counts;
 * - the standard headers on every answer (http_respond).
 * Each server registers a job "http" (src/sched.c) that cuts late connections and ends episodes.
 */
#ifndef TIPLINE_HTTP_H
#define TIPLINE_HTTP_H

#include <microhttpd.h>
#include <signal.h>
#include <stddef.h>

struct http_config;

/* Seconds without a refusal that end an episode of turned-away clients. */
#define HTTP_QUIET 60

/* A started server; http_stop frees it. */
struct http_server;

struct http_handler {
	const char *name; /* for the log: "ussd" */
	MHD_AccessHandlerCallback request;
	MHD_RequestCompletedCallback completed; /* frees the request's *con_cls */
	void *cls;
	/* The console (issue 23): HTTPS with this PEM certificate and key (libmicrohttpd's own TLS,
	 * GnuTLS); NULL: plain HTTP. SUSPEND: handlers may MHD_suspend_connection (on this thread;
	 * MHD_resume_connection from the caller's loop). */
	const char *tls_cert, *tls_key;
	int suspend;
};

/*
 * Listen on LISTEN ("ADDR:PORT", numeric) with CFG's limits and H's handlers. The server, or
 * NULL with ERR (ERRSZ bytes) saying why, for the caller to print.
 */
struct http_server *http_start(const struct http_config *cfg, const char *listen,
                               const struct http_handler *h, char *err, size_t errsz);
/* The port it listens on (the one chosen when LISTEN said port 0). */
unsigned http_port(const struct http_server *s);
/*
 * Wait up to SECONDS for connections and data, with UNBLOCKED as the signal mask during the
 * wait (ppoll: a signal ends it), then serve what is ready: handlers run here.
 */
void http_serve(struct http_server *s, double seconds, const sigset_t *unblocked);
/*
 * SIGTERM, SIGINT and SIGHUP blocked but while http_serve waits (UNBLOCKED: the mask to wait
 * with): a signal never lands inside a request; the handler only notes it for http_run. For
 * `tipline serve` and `tipline console` alike.
 */
void http_signals(sigset_t *unblocked);
/*
 * The serving loop of `tipline serve` and `tipline console`, after http_signals: the periodic
 * jobs due run (sched.c), then S serves (http_serve) until the next is due, or as long as DUE
 * says (NULL: none; DUE(ARG, those seconds) returns the seconds to wait, and is called again
 * with 0 after each serve). Until SIGTERM or SIGINT; a SIGHUP is logged as ignored (restart
 * `tipline CMD` to read the configuration). WHO begins the log lines ("ussd", "console").
 */
void http_run(struct http_server *s, const sigset_t *unblocked,
              double (*due)(void *arg, double seconds), void *arg, const char *who,
              const char *cmd);
void http_stop(struct http_server *s);

/*
 * Queue STATUS with BODY (text/plain, copied) and the standard headers, plus HEADERS (name,
 * value, ..., NULL; may be NULL). MHD_NO on failure, as MHD_queue_response.
 */
enum MHD_Result http_respond(struct MHD_Connection *c, unsigned status, const char *body,
                             const char *const *headers);
/*
 * Answer STATUS with BODY while the request's body is still being read, and close: for a body
 * over its limit. libmicrohttpd 0.9 queues no response before the whole request is in, so the
 * answer is written to the socket here and the connection shut; the handler returns what this
 * returns (MHD_NO: libmicrohttpd drops the connection).
 */
enum MHD_Result http_refuse_now(struct MHD_Connection *c, unsigned status, const char *body);

/*
 * A bound on log lines of one kind (a 403, a 404, a turned-away session): HTTP_LOG_BURST lines
 * per HTTP_LOG_INTERVAL seconds, then a count. http_log_allow: 1 if this event may be logged;
 * when an interval ends with events not logged, says how many first (one line, with WHAT).
 * Zero-initialised.
 */
#define HTTP_LOG_BURST    5
#define HTTP_LOG_INTERVAL 60.0
struct http_log_budget {
	double start; /* the interval's start, monotonic */
	int shown;
	long unshown;
};
int http_log_allow(struct http_log_budget *b, const char *what);

/* ADDR as text with its host part masked (192.0.2.0/24, 2001:db8:1:2::/64) into OUT. */
void http_mask_addr(const struct sockaddr *addr, char *out, size_t outsz);

#endif
