/*
 * `tipline console`: the officers' web console (issue 23), a program of its own beside the
 * daemon and `tipline serve`, over the same database. libmicrohttpd with its own TLS (GnuTLS):
 * console.tls_cert/tls_key, or a self-signed pair made at the first start beside the database
 * (console_tls.c); plain HTTP only on a loopback address. Server-rendered pages in Vietnamese
 * (console_pages.c), sessions in the database (only the token's SHA-256 kept), a CSRF token
 * in every form, the same security headers on every answer.
 */
#ifndef TIPLINE_CONSOLE_H
#define TIPLINE_CONSOLE_H

#include <stddef.h>

struct config;

/*
 * `tipline console --make-cert` (the package's postinst, `make install`): make the
 * self-signed certificate and key the console would make at its first start, when TLS is on,
 * no console.tls_cert is set and neither file exists (else say so and keep them). Prints what
 * it did on stdout. Exit status 0, or 1 after a line on stderr.
 */
int console_make_cert(const struct config *cfg);

/*
 * Serve the console on LISTEN (NULL: console.listen) until SIGTERM or SIGINT. Prints
 * "tipline console: listening on https://ADDR:PORT/" (or http://) on stdout once it accepts
 * connections. 0 stopped by a signal, 1 could not start.
 */
int console_run(const struct config *cfg, const char *listen);

#endif
