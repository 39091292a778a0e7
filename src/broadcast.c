#include "broadcast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "ts.h"

_Static_assert(BROADCAST_REASON <= STORE_HOLD_REASON, "a held reason fits broadcasts.held_reason");

int broadcast_plan(const struct config *cfg, const char *text, struct broadcast_plan *p)
{
	size_t len = strlen(text);
	char *folded = NULL;

	memset(p, 0, sizeof *p);
	text_sms_count(text, len, &p->as_is);
	p->as_folded = p->as_is;
	if (cfg->broadcast.fold_diacritics && p->as_is.ucs2) {
		/* Transliteration never makes a text longer: one letter stays one letter. */
		folded = malloc(len + 1);
		if (folded == NULL)
			return -1;
		text_transliterate(text, len, folded, len + 1);
		text_sms_count(folded, strlen(folded), &p->as_folded);
		if (p->as_folded.parts < p->as_is.parts) {
			p->sent_text = folded;
			p->folded = 1;
			p->as_sent = p->as_folded;
			return 0;
		}
		free(folded);
	}
	p->sent_text = strdup(text);
	p->as_sent = p->as_is;
	return p->sent_text == NULL ? -1 : 0;
}

void broadcast_plan_free(struct broadcast_plan *p)
{
	free(p->sent_text);
	p->sent_text = NULL;
}

double broadcast_estimate(const struct config *cfg, long total_parts)
{
	if (cfg->outbox.rate_per_minute > 0)
		return 60.0 * (double)total_parts / cfg->outbox.rate_per_minute;
	return 5.0 * (double)total_parts;
}

/* What a part from modem M to a recipient of network NET costs. */
static long long part_price(const struct config *cfg, const struct modem_config *m, const char *net)
{
	const struct network_config *own =
	    m->network[0] != '\0' ? config_network(cfg, m->network) : NULL;

	if (own == NULL)
		return cfg->ussd.price_per_part;
	return net != NULL && strcmp(net, m->network) == 0 ? own->price_on_net : own->price_off_net;
}

void broadcast_split(const struct config *cfg, int parts, const char *const *nets,
                     const long *counts, int nnets, struct broadcast_split *out)
{
	int nm = cfg->nmodems < BROADCAST_SPLIT_MAX ? cfg->nmodems : BROADCAST_SPLIT_MAX;
	long pool = 0;

	memset(out, 0, sizeof *out);
	out->n = nm;
	for (int k = 0; k < nnets; k++) {
		int mine[BROADCAST_SPLIT_MAX], nmine = 0;

		for (int i = 0; i < nm; i++) {
			/* Spread evenly: each modem's share of this network, at its price. */
			long share = counts[k] / nm + (i < counts[k] % nm);

			out->cost_spread +=
			    share * parts * part_price(cfg, &cfg->modems[i], nets[k]);
			if (nets[k] != NULL && strcmp(cfg->modems[i].network, nets[k]) == 0)
				mine[nmine++] = i;
		}
		if (nmine == 0) {
			pool += counts[k];
			continue;
		}
		for (int j = 0; j < nmine; j++) {
			long share = counts[k] / nmine + (j < counts[k] % nmine);
			long long cost =
			    share * parts * part_price(cfg, &cfg->modems[mine[j]], nets[k]);

			out->count[mine[j]] += share;
			out->on_net[mine[j]] += share;
			out->cost[mine[j]] += cost;
			out->cost_on_net += cost;
		}
	}
	/* The rest, one by one to the least loaded modem: whoever is free takes the next. The
	 * cost of these is off-net wherever they go (no modem is on-net for them). */
	for (; pool > 0; pool--) {
		int least = 0;

		for (int i = 1; i < nm; i++)
			if (out->count[i] < out->count[least])
				least = i;
		out->count[least]++;
		out->cost[least] += parts * part_price(cfg, &cfg->modems[least], NULL);
		out->cost_on_net += parts * part_price(cfg, &cfg->modems[least], NULL);
	}
}

int broadcast_hold_check(const struct config *cfg, int parts, int recipients, int balance_known,
                         long balance, char *reason, size_t sz)
{
	long long cost = (long long)parts * cfg->ussd.price_per_part * recipients;
	long long spendable = (long long)balance - cfg->ussd.low_balance;

	if (!balance_known || cost <= spendable)
		return 0;
	snprintf(reason, sz,
	         "estimated cost %lld (%d part%s x %d x %d recipient%s) exceeds the balance %ld "
	         "minus the reserve %d",
	         cost, parts, parts == 1 ? "" : "s", cfg->ussd.price_per_part, recipients,
	         recipients == 1 ? "" : "s", balance, cfg->ussd.low_balance);
	return 1;
}

int broadcast_known_balance(const struct config *cfg, long *balance)
{
	char v[32];
	int r;

	if (cfg->ussd.balance_code[0] == '\0')
		return 0;
	r = store_status_get("balance", v, sizeof v, NULL);
	if (r <= 0)
		return r;
	*balance = strtol(v, NULL, 10);
	return 1;
}

/* The group's members by network, gathered for broadcast_split. */
#define SPLIT_NETS 32
struct nets {
	int n;
	char name[SPLIT_NETS][40];
	const char *names[SPLIT_NETS];
	long count[SPLIT_NETS];
};

static int net_count(const char *net, long n, void *arg)
{
	struct nets *x = arg;

	if (x->n == SPLIT_NETS)
		return 1;
	snprintf(x->name[x->n], sizeof x->name[0], "%s", net != NULL ? net : "");
	x->names[x->n] = net != NULL ? x->name[x->n] : NULL;
	x->count[x->n++] = n;
	return 0;
}

int broadcast_split_group(const struct config *cfg, const char *group, int parts,
                          struct broadcast_split *out)
{
	struct nets x = {0};

	if (store_group_networks(group, net_count, &x) < 0)
		return -1;
	broadcast_split(cfg, parts, x.names, x.count, x.n, out);
	return 0;
}

int broadcast_known_balances(const struct config *cfg, struct broadcast_balances *b)
{
	char v[32];

	memset(b, 0, sizeof *b);
	b->n = cfg->nmodems < BROADCAST_SPLIT_MAX ? cfg->nmodems : BROADCAST_SPLIT_MAX;
	if (cfg->ussd.balance_code[0] == '\0')
		return 0;
	for (int i = 0; i < b->n; i++) {
		/* Each modem's process writes its own SIM's row (store_status_scope); the plain
		 * `balance` is whichever read last, so it is not read here. */
		int r = store_status_get_modem(cfg->modems[i].name, "balance", v, sizeof v);

		if (r < 0)
			return -1;
		b->known[i] = r;
		b->balance[i] = r ? strtol(v, NULL, 10) : 0;
	}
	return 0;
}

int broadcast_hold_modems(const struct config *cfg, const struct broadcast_split *sp,
                          struct broadcast_balances *b, char *reason, size_t sz)
{
	size_t n = 0;
	int held = 0;

	for (int i = 0; i < b->n && i < sp->n; i++) {
		long long spendable = (long long)b->balance[i] - cfg->ussd.low_balance;

		b->short_of[i] = b->known[i] && sp->cost[i] > spendable;
		if (!b->short_of[i])
			continue;
		if (n < sz)
			n += (size_t)snprintf(
			    reason + n, sz - n,
			    "%smodem %s: its share %lld (%ld recipient%s) exceeds its balance %ld "
			    "minus the reserve %d",
			    held ? "; " : "", cfg->modems[i].name, sp->cost[i], sp->count[i],
			    sp->count[i] == 1 ? "" : "s", b->balance[i], cfg->ussd.low_balance);
		held = 1;
	}
	return held;
}

int broadcast_judge(const struct config *cfg, const char *group, int parts, int recipients,
                    struct broadcast_split *sp, struct broadcast_verdict *v)
{
	struct broadcast_split own;
	long balance = 0;
	int known;

	memset(v, 0, sizeof *v);
	if (cfg->nmodems < 2) {
		/* One modem: the plain balance at ussd.price_per_part, as before several modems. */
		if ((known = broadcast_known_balance(cfg, &balance)) < 0)
			return -1;
		if (sp != NULL && broadcast_split_group(cfg, group, parts, sp) < 0)
			return -1;
		v->held = broadcast_hold_check(cfg, parts, recipients, known, balance, v->reason,
		                               sizeof v->reason);
		v->cost = (long long)parts * cfg->ussd.price_per_part * recipients;
		v->balance = balance;
		v->balance_known = known;
		return 0;
	}
	if (sp == NULL)
		sp = &own;
	if (broadcast_split_group(cfg, group, parts, sp) < 0 ||
	    broadcast_known_balances(cfg, &v->modems) < 0)
		return -1;
	v->held = broadcast_hold_modems(cfg, sp, &v->modems, v->reason, sizeof v->reason);
	v->cost = sp->cost_on_net;
	for (int i = 0; i < v->modems.n; i++)
		if (v->modems.known[i]) {
			v->balance += v->modems.balance[i];
			v->balance_known = 1;
		}
	return 0;
}

/* store_broadcast_recur's question for each recurring round: broadcast_judge's. */
static int hold_round(void *arg, const char *group, int parts, int recipients, char *reason,
                      size_t sz)
{
	static struct broadcast_verdict v; /* not on the loop's stack */

	if (broadcast_judge(arg, group, parts, recipients, NULL, &v) < 0) {
		/* As with no balance known: a round is never lost to a failed estimate. */
		log_warnx("broadcast: cannot judge a round to %s: %s", group, store_errmsg());
		return 0;
	}
	snprintf(reason, sz, "%s", v.reason);
	return v.held;
}

int broadcast_recur(const struct config *cfg)
{
	char now[20];
	int n;

	ts_now(now);
	if (store_begin() < 0)
		return -1;
	n = store_broadcast_recur(now, hold_round, (void *)cfg);
	if (n < 0 || store_commit() < 0) {
		store_rollback();
		return -1;
	}
	if (n > 0)
		log_info("queued %d recurring broadcast round%s", n, n == 1 ? "" : "s");
	return n;
}
