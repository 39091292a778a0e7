#include "broadcast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "ts.h"

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

			out->count[mine[j]] += share;
			out->on_net[mine[j]] += share;
			out->cost_on_net +=
			    share * parts * part_price(cfg, &cfg->modems[mine[j]], nets[k]);
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

/* store_broadcast_recur's question for each recurring round. */
static int hold_round(void *arg, int parts, int recipients, char *reason, size_t sz)
{
	const struct config *cfg = arg;
	long balance = 0;
	int known = broadcast_known_balance(cfg, &balance);

	return broadcast_hold_check(cfg, parts, recipients, known > 0, balance, reason, sz);
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
