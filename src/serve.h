/*
 * `tipline serve`: the USSD aggregator's callback server (issue 12), on libmicrohttpd. A
 * program of its own beside the daemon, sharing the database as the CLI does, so that an
 * answer never waits behind a modem call. The menu is menu.c; SMS it causes (a tip's
 * acknowledgement copy) are queued in the outbox for the daemon to send.
 *
 * One request = one step of a session: a POST, application/x-www-form-urlencoded, with
 * sessionId, serviceCode, phoneNumber, networkCode and text (every input so far joined with
 * '*'); the answer is text/plain "CON screen" or "END screen".
 */
#ifndef TIPLINE_SERVE_H
#define TIPLINE_SERVE_H

#include <stddef.h>

struct config;

#define SERVE_MAX_BODY 4096 /* bytes of a request body; more is 413 */

/* The fields of a step, decoded. */
struct serve_form {
	char session_id[65];
	char phone[33];
	char service_code[33];
	char network_code[17];
	char text[SERVE_MAX_BODY + 1];
	int has_session, has_phone, has_service;
};

/*
 * Decode an x-www-form-urlencoded body of LEN bytes into *F (pure). 0, or -1 when it is
 * malformed: a bad %-escape, a field too long for its place, a repeated field, a NUL or
 * invalid UTF-8, or sessionId, phoneNumber or serviceCode missing or empty. Unknown fields
 * are ignored; a missing text is the empty first step.
 */
int serve_form_parse(const char *body, size_t len, struct serve_form *f);

/*
 * Decode LEN bytes of an x-www-form-urlencoded value (+ and %XX) into OUT (SZ bytes with the
 * NUL). 0, or -1 on a bad escape, a NUL, invalid UTF-8 or a value longer than OUT holds. The
 * console's forms are decoded with it too.
 */
int serve_form_decode(const char *s, size_t len, char *out, size_t sz);

/*
 * Serve on LISTEN ("ADDR:PORT"; port 0 takes any free port) until SIGTERM or SIGINT. Prints
 * "tipline serve: listening on ADDR:PORT PATH" on stdout once it accepts connections. The
 * exit status: 0 stopped by a signal, 1 could not start (no secret, a screen too long, the
 * database, the address).
 */
int serve_run(const struct config *cfg, const char *listen);

#endif
