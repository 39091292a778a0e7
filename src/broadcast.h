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
 * Held broadcasts. A round whose estimated cost (PARTS x ussd.price_per_part x RECIPIENTS)
 * exceeds the known balance minus ussd.low_balance is held: nothing is queued until
 * `tipline broadcast release`. Without balance checks (ussd.balance_code "") or before the
 * first balance is read, nothing is held. Replies and acknowledgements never pass here.
 *
 * The decision is taken when a round is queued (act_broadcast_queue, and each recurring round in
 * broadcast_recur), not when the outbox sends it: the officer who queues it is told at once
 * (the CLI and the TB reply say "held" and why), the outbox stays a queue that sends what is
 * queued (a held broadcast has no outbox rows, so nothing of it can slip out, and replies
 * are untouched by construction), and the cost is judged once for the whole round rather
 * than message by message against a balance that is only re-read every few hours. The price:
 * a round scheduled for later (--at) is judged against the balance known when it is written.
 *
 * The pure part: 1 and REASON (SZ bytes) filled when held, else 0. BALANCE_KNOWN 0: never.
 */
int broadcast_hold_check(const struct config *cfg, int parts, int recipients, int balance_known,
                         long balance, char *reason, size_t sz);
/* The known balance from the store (status 'balance') for the check: 1 known, 0 not, -1. */
int broadcast_known_balance(const struct config *cfg, long *balance);

/*
 * Issue 25: how a broadcast spreads over the modems, for the dry run. NETS[i] recipients
 * (COUNTS[i] of them) by network name (NULL: a number no prefix names). With on-net routing
 * each modem first takes its own network's recipients (shared evenly among that network's
 * modems), then the recipients no modem is on-net for even out the load; without it every
 * modem takes an equal share of every network. Costs are PARTS x the sending SIM's network's
 * price_on_net or price_off_net (ussd.price_per_part for a modem of no network). A modem
 * whose own share is far larger than the others' hands the rest over after
 * outbox.on_net_wait, which this estimate leaves out: it is the cost when on-net goes as
 * planned.
 */
#define BROADCAST_SPLIT_MAX 16
struct broadcast_split {
	int n;                              /* modems */
	long count[BROADCAST_SPLIT_MAX];    /* recipients through modem i, with on-net routing */
	long on_net[BROADCAST_SPLIT_MAX];   /* of which on-net */
	long long cost_on_net, cost_spread; /* with on-net routing, and spread evenly */
};
void broadcast_split(const struct config *cfg, int parts, const char *const *nets,
                     const long *counts, int nnets, struct broadcast_split *out);

/* Queue (or hold) due rounds of recurring broadcasts, in a transaction of its own. Rounds, or -1.
 */
int broadcast_recur(const struct config *cfg);

#endif
