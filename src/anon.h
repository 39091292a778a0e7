/*
 * The flood cap for anonymous tipsters (issue 13). Their replies' outbox rows lose the number
 * once sent, so the store cannot count them: this module counts them in the daemon's memory
 * only, keyed by a hash of the number under a random key made at start and never written
 * anywhere. A restart forgets the counts (and the key): the cost of keeping nothing on disk.
 */
#ifndef TIPLINE_ANON_H
#define TIPLINE_ANON_H

#include <stdint.h>

/* A fresh key from the OS. 0, or -1 (logged) when it has none. */
int anon_init(void);
void anon_close(void);
/* Note a reply to PHONE at T (seconds since the epoch). */
void anon_note(const char *phone, int64_t t);
/* Replies noted for PHONE at or after SINCE. */
int anon_count(const char *phone, int64_t since);
/*
 * The USSD menu's anonymous sessions (issue 21): their rows forget the number, yet a retry of
 * the last step (which shows the tip's reference and secret) must be answered only to the
 * number that made it. Note that PHONE ended session ID at T; anon_session_is: 1 if it did so
 * at or after SINCE. Memory only, as the counts: after a restart a retry gets no answer.
 */
void anon_session_note(const char *id, const char *phone, int64_t t);
int anon_session_is(const char *id, const char *phone, int64_t since);

#endif
