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
 * With several modems each SIM pays its own share: the round is split as broadcast_split
 * splits it (on-net first), each modem's share is costed at its network's prices, and the
 * round is held when any modem whose balance is known (its process's modem.NAME.balance row)
 * cannot pay its share minus ussd.low_balance; the reason names each such modem with its
 * figures. A modem whose balance is unknown holds nothing. Judging the total against the sum
 * of the balances would let one SIM run dry mid-round while another still had credit, and the
 * outbox would then hand that SIM's recipients to the others only after on_net_wait.
 *
 * The decision is taken when a round is queued (act_broadcast_queue, and each recurring round in
 * broadcast_recur), not when the outbox sends it: the officer who queues it is told at once
 * (the CLI and the TB reply say "held" and why), the outbox stays a queue that sends what is
 * queued (a held broadcast has no outbox rows, so nothing of it can slip out, and replies
 * are untouched by construction), and the cost is judged once for the whole round rather
 * than message by message against a balance that is only re-read every few hours. The price:
 * a round scheduled for later (--at) is judged against the balance known when it is written.
 *
 * The pure part for one modem: 1 and REASON (SZ bytes) filled when held, else 0.
 * BALANCE_KNOWN 0: never.
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
	int n;                               /* modems */
	long count[BROADCAST_SPLIT_MAX];     /* recipients through modem i, with on-net routing */
	long on_net[BROADCAST_SPLIT_MAX];    /* of which on-net */
	long long cost[BROADCAST_SPLIT_MAX]; /* what modem i's share costs, at its prices */
	long long cost_on_net, cost_spread;  /* with on-net routing, and spread evenly */
};
void broadcast_split(const struct config *cfg, int parts, const char *const *nets,
                     const long *counts, int nnets, struct broadcast_split *out);
/* The split of a round of PARTS parts to GROUP's subscribed members, from the store. 0 or -1. */
int broadcast_split_group(const struct config *cfg, const char *group, int parts,
                          struct broadcast_split *out);

/* Several modems: each one's balance and whether it can pay its share (held broadcasts). */
struct broadcast_balances {
	int n;                             /* modems judged; 0 with one modem */
	int known[BROADCAST_SPLIT_MAX];    /* 1: modem i's balance has been read */
	long balance[BROADCAST_SPLIT_MAX]; /* its modem.NAME.balance row */
	int short_of[BROADCAST_SPLIT_MAX]; /* 1: it cannot pay its share minus ussd.low_balance */
};
/* Every modem's known balance (none without ussd.balance_code). 0 or -1. */
int broadcast_known_balances(const struct config *cfg, struct broadcast_balances *b);
/* The pure part for several modems: B->short_of set; 1 and REASON filled when held, else 0. */
int broadcast_hold_modems(const struct config *cfg, const struct broadcast_split *sp,
                          struct broadcast_balances *b, char *reason, size_t sz);

/* What a round costs and whether it is held: broadcast_judge's verdict. */
#define BROADCAST_REASON 400 /* STORE_HOLD_REASON: broadcasts.held_reason as written */
struct broadcast_verdict {
	int held;
	char reason[BROADCAST_REASON];
	/* One modem: PARTS x ussd.price_per_part x RECIPIENTS and its balance; several: the
	 * split's cost_on_net and the sum of the balances known. */
	long long cost;
	long balance;
	int balance_known;                /* 0: no balance read (nothing is held) */
	struct broadcast_balances modems; /* several modems: each one's */
};
/*
 * The one judgement of a round of PARTS parts to RECIPIENTS of GROUP (the dry runs of the CLI
 * and the console, the send, each recurring round). SP (may be NULL) is filled with the
 * split: with several modems always (the hold needs it), with one only when SP is given.
 * 0 or -1.
 */
int broadcast_judge(const struct config *cfg, const char *group, int parts, int recipients,
                    struct broadcast_split *sp, struct broadcast_verdict *v);

/* Queue (or hold) due rounds of recurring broadcasts, in a transaction of its own. Rounds, or -1.
 */
int broadcast_recur(const struct config *cfg);

#endif
