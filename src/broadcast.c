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
