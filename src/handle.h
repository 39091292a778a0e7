/*
 * Message handling: a stored message → parse → rows and queued replies, all inside the
 * receive path's transaction, so a message and what it caused commit together or not at all.
 */
#ifndef TIPLINE_HANDLE_H
#define TIPLINE_HANDLE_H

#include <stddef.h>
#include <stdint.h>

struct config;

int handle_init(const struct config *cfg);
void handle_close(void);
/*
 * Handle inbox row ID (just inserted in the open transaction). RAW is the text as received
 * when the stored copy was redacted, else NULL. 0, or -1 on a store error.
 */
int handle_message(int64_t id, const char *raw);
/*
 * If TEXT holds a secret (the PIN of a TB broadcast command), write a copy with its digits
 * replaced by '*' to OUT and return 1; else return 0. A pure function of the text.
 */
int handle_redact(const char *text, char *out, size_t outsz);
/*
 * 1 if TEXT is an anonymous tip ("TIN ANDANH ...") or a supplement ("BS ...", which may be to
 * an anonymous tip): the receive path then names no sender in its log. A pure function.
 */
int handle_is_anonymous(const char *text);
/*
 * Message ID was stored bare because its handling failed (receive.c): do to the stored row
 * what the handling would have, since nothing retries it. An anonymous tip or a BS loses its
 * number (issue 13); a multipart TB's PIN is redacted. RAW as for handle_message. 0, or -1 on
 * a store error.
 */
int handle_keep_unhandled(int64_t id, const char *raw);
/* A delivery report for the message with network reference MSGREF sent to NUMBER. */
int handle_delivery_report(const char *number, int msgref, int delivery, int status,
                           const char *when);

#endif
