/*
 * Time text, in one place. The database keeps UTC as 'YYYY-MM-DD HH:MM:SS' (TS_LEN bytes with
 * the NUL), which sorts as text; a person reads and types local time (the system's time zone,
 * Asia/Ho_Chi_Minh on a commune's Pi). Every conversion between the two goes through here.
 * Nothing here allocates; out buffers are the caller's.
 */
#ifndef TIPLINE_TS_H
#define TIPLINE_TS_H

#include <stdint.h>

#define TS_LEN 20

/* T (seconds since the epoch) as UTC text. */
void ts_utc(int64_t t, char out[TS_LEN]);
/* Now as UTC text. */
void ts_now(char out[TS_LEN]);
/* T as local time text. */
void ts_local(int64_t t, char out[TS_LEN]);
/*
 * Parse UTC text: 'YYYY-MM-DD HH:MM:SS', or 'YYYY-MM-DD' (midnight). 0 and *t set, or -1
 * when S is not one of those, whole.
 */
int ts_parse_utc(const char *s, int64_t *t);
/*
 * Parse local text: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS', whole. 0 and
 * *t set (through mktime, so a date the zone skips still gives one instant), or -1.
 */
int ts_parse_local(const char *s, int64_t *t);
/* Local text S → UTC text; 0, or -1 when S does not parse (ts_parse_local). */
int ts_local_to_utc(const char *s, char out[TS_LEN]);
/* UTC text S → local text; 0, or -1 when S does not parse (ts_parse_utc). */
int ts_utc_to_local(const char *s, char out[TS_LEN]);
/* Seconds on the monotonic clock: for intervals, immune to the wall clock being set. */
double ts_mono(void);

#endif
