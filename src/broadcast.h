/*
 * Broadcasts: choosing the cheapest encoding for a text, queueing it to a group, recurring
 * rounds, and officers' PINs. Shared by the CLI (`tipline broadcast`) and the daemon (TB by SMS).
 */
#ifndef TIPLINE_BROADCAST_H
#define TIPLINE_BROADCAST_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

struct config;

struct broadcast_plan {
	char *sent_text;                 /* owned: free with broadcast_plan_free */
	int folded;                      /* 1 if sent_text is the text with diacritics folded */
	struct text_sms_count as_is;     /* the text as written */
	struct text_sms_count as_sent;   /* what will go out */
	struct text_sms_count as_folded; /* the folded text (same as as_is when nothing folds) */
};

/*
 * Decide how TEXT goes out. With broadcast.fold_diacritics, Vietnamese letters are
 * transliterated when that makes the message cheaper (GSM-7 instead of UCS-2: a 300-character
 * text is 2 parts instead of 5). 0, or -1 out of memory.
 */
int broadcast_plan(const struct config *cfg, const char *text, struct broadcast_plan *p);
void broadcast_plan_free(struct broadcast_plan *p);

/* Seconds to send TOTAL_PARTS at the configured rate (rate 0: a typical USB modem, 5 s/part). */
double broadcast_estimate(const struct config *cfg, long total_parts);

/*
 * Queue a broadcast of TEXT to GROUP in the caller's transaction (see store_broadcast_create).
 * AT: UTC 'YYYY-MM-DD HH:MM:SS' or NULL (now); EVERY: NULL, "day", "week", "month".
 * 0 or -1.
 */
int broadcast_queue(const struct config *cfg, const char *group, const char *text, const char *at,
                    const char *every, const char *created_by, int64_t inbox_id, int64_t *id,
                    int *recipients);

/* Queue due rounds of recurring broadcasts, in a transaction of its own. Rounds, or -1. */
int broadcast_recur(void);

/* A salted slow hash of PIN (libcrypt's default, yescrypt on Debian 12) into OUT. 0 or -1. */
int broadcast_pin_hash(const char *pin, char *out, size_t outsz);
/* 1 if PIN matches HASH, else 0. */
int broadcast_pin_verify(const char *pin, const char *hash);

#endif
