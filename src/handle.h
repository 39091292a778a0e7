/*
 * Message handling: a stored message → parse → rows and queued replies, all inside the
 * receive path's transaction, so a message and what it caused commit together or not at all.
 */
#ifndef TIPLINE_HANDLE_H
#define TIPLINE_HANDLE_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

struct config;

int handle_init(const struct config *cfg);
void handle_close(void);

/*
 * A received message parsed once (handle_parse): storing it (the redacted copy, whether its
 * sender may be logged) and handling it (handle_message) use this one result.
 */
struct handle_parsed {
	struct parse_result p;
	int anonymous; /* an anonymous tip or any supplement (which may be to one): no sender logged
	                  and, stored unhandled, no number kept */
	int redacted;  /* 1: the text holds a PIN (TB, BC); the copy to store was written to RED */
};
/*
 * Parse TEXT once into *HP; when it holds a secret (an officer's PIN), write a copy with its
 * digits replaced by '*' to RED (REDSZ bytes) and set hp->redacted. A pure function of TEXT.
 */
void handle_parse(const char *text, struct handle_parsed *hp, char *red, size_t redsz);

/* A message just stored as inbox row ID, as it was received. The strings are the caller's. */
struct handle_msg {
	int64_t id;
	const char *sender;      /* as the modem gave it */
	const char *sent_at;     /* its SMSC time */
	const char *received_at; /* when it was read */
	const char *text;        /* as sent: a PIN not redacted */
	const struct handle_parsed *parsed;
};
/* Handle IN (stored in the open transaction): rows and replies. 0, or -1 on a store error. */
int handle_message(const struct handle_msg *in);
/*
 * Handle inbox row ID, a message joined from its stored parts: read back, parsed once, its
 * copies redacted when it holds a PIN. 0, or -1.
 */
int handle_stored(int64_t id);
/*
 * Message ID was stored bare because its handling failed (receive.c): do to the stored row
 * what the handling would have, since nothing retries it. An anonymous tip or a BS loses its
 * number (issue 13); a multipart TB's PIN is redacted. PARSED: the message as handle_parse
 * saw it, or NULL for a message joined from stored parts (then read back and parsed). 0, or
 * -1 on a store error.
 */
int handle_keep_unhandled(int64_t id, const struct handle_parsed *parsed);
/* A delivery report for the message with network reference MSGREF sent to NUMBER. */
int handle_delivery_report(const char *number, int msgref, int delivery, int status,
                           const char *when);

#endif
