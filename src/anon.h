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

/*
 * Issue 25: a message two SIMs saw, whose row no longer holds its sender (anonymous,
 * forgotten), is known by the mac of (number, SMSC time, text) under a key that exists only in
 * the daemon's memory: the main process makes it and hands it to each modem process through a
 * pipe (anon_key_fd: the pipe's read end, for the child to inherit as ANON_KEY_ENV; -1 on
 * failure; the caller closes it). The key dies with the daemon; per message, the mac links no
 * two messages; without the key nobody can test a number against it (HMAC-SHA-256, GnuTLS).
 * anon_message_mac writes 16 hex digits and a NUL to OUT, or "" when there is no key.
 */
#define ANON_KEY_ENV "TIPLINE_KEY_FD"
#define ANON_MAC_LEN 16
int anon_key_fd(void);
void anon_message_mac(const char *phone, const char *smsc_time, const char *text,
                      char out[ANON_MAC_LEN + 1]);

#endif
