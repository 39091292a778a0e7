#include "ussd.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "modem.h"
#include "sched.h"
#include "status.h"
#include "store.h"
#include "ts.h"
#include "ussd_text.h"

/* Requests run per job at most: each may take ussd.timeout, and the loop must poll again. */
#define REQUESTS_PER_RUN 2

static const struct config *ucfg;
static struct modem *umodem; /* the modem this module asks and listens to */
static regex_t pattern;
static int have_pattern;
static int balance_owed; /* a check fell due while the modem was down: run it once it is up */

/* What one exchange gave, for the store. */
struct exchange {
	const char *code; /* as dialled (may hold a card number: never stored or logged) */
	const char *asked_by;
	int64_t request_id; /* 0: not a CLI request */
	int timeout;
	enum modem_ussd_result result;
	char shown[64]; /* the code redacted */
	char asked_at[TS_LEN], answered_at[TS_LEN];
	char text[MODEM_USSD_TEXT];
	char error[256];
	int has_balance;
	long balance;
};

static const char *result_status(enum modem_ussd_result r)
{
	/* modem_ussd_result_name's names are ussd_log.status's (schema 008). */
	return modem_ussd_result_name(r);
}

static int network_answered(enum modem_ussd_result r)
{
	return r == MODEM_USSD_ANSWERED || r == MODEM_USSD_MORE_INPUT ||
	       r == MODEM_USSD_NOT_SUPPORTED;
}

static int queue_warning(const char *phone, void *arg)
{
	const char *text = arg;
	struct store_outbox_new o = {phone, text, 0, "alert", 0, NULL, 0};

	return store_outbox_insert(&o, NULL) < 0 ? -1 : 0;
}

/*
 * The default balance_low text with several modems: the SIM to top up named ({modem}). A text
 * of one's own (replies.templates) is used as written, {modem} wherever it says; with one
 * modem the default stays word for word what it was.
 */
static const char balance_low_several[] = "Canh bao tipline: tai khoan SIM {modem} con {balance} "
                                          "(duoi {low}). Nap tien de tiep tuc gui tin.";

/* The low-balance warning's text for balance V below LOW, in TEXT (SZ bytes). */
static void balance_low_text(const char *v, const char *low, char *text, size_t sz)
{
	const char *tpl = ucfg->replies.templates[TPL_BALANCE_LOW];
	const char *kv[] = {"balance", v, "low", low, "modem", ucfg->modem.name, NULL};

	if (ucfg->nmodems > 1 && strcmp(tpl, config_tpl_default(TPL_BALANCE_LOW)) == 0)
		tpl = balance_low_several;
	config_render(tpl, kv, text, sz);
}

/*
 * The balance just read, in the exchange's transaction: stored, and compared with
 * low_balance. Crossing below queues one SMS per officer and sets balance_low; coming back
 * above clears it, so the next crossing warns again. With several modems the rows are this
 * modem's (store_status_scope: modem.NAME.balance_low), so each SIM's crossing warns once. 0
 * or -1.
 */
static int record_balance(const struct exchange *x)
{
	char v[24], low[24], state[8] = "", text[480], detail[200], subject[TS_LEN + 48];
	int r, below = x->balance < ucfg->ussd.low_balance;
	int several = ucfg->nmodems > 1;

	snprintf(v, sizeof v, "%ld", x->balance);
	if (store_status_set("balance", v) < 0 ||
	    store_status_set("balance_at", x->answered_at) < 0)
		return -1;
	if (store_status_get("balance_low", state, sizeof state, NULL) < 0)
		return -1;
	if (below == (strcmp(state, "1") == 0))
		return 0;
	if (!below) {
		log_info("ussd: balance %ld is back above %d", x->balance, ucfg->ussd.low_balance);
		return store_status_set("balance_low", "0");
	}
	snprintf(low, sizeof low, "%d", ucfg->ussd.low_balance);
	balance_low_text(v, low, text, sizeof text);
	r = store_officers_each(queue_warning, text);
	if (r < 0)
		return -1;
	/* Several modems: the alert says whose SIM, and its subject too, so two SIMs crossing in
	 * the same second are two alerts (alerts are unique by kind and subject). */
	snprintf(detail, sizeof detail, "%s%s%sbalance %ld below %d; %d officer%s told",
	         several ? "modem " : "", several ? ucfg->modem.name : "", several ? ": " : "",
	         x->balance, ucfg->ussd.low_balance, r, r == 1 ? "" : "s");
	snprintf(subject, sizeof subject, "%s%s%s", several ? ucfg->modem.name : "",
	         several ? " " : "", x->answered_at);
	log_warnx("ussd: %s", detail);
	if (store_alert_sent("balance_low", subject, detail) < 0)
		return -1;
	return store_status_set("balance_low", "1");
}

/* Store exchange X (and its request's result), in one synced transaction. 0 or -1. */
static int record(const struct exchange *x)
{
	struct store_ussd_entry e = {0};
	int64_t log_id = 0;

	e.code = x->shown;
	e.answer = network_answered(x->result) && x->text[0] ? x->text : NULL;
	e.status = result_status(x->result);
	e.network_status = -1;
	e.asked_by = x->asked_by;
	e.asked_at = x->asked_at;
	e.answered_at = network_answered(x->result) ? x->answered_at : NULL;
	e.error = x->result == MODEM_USSD_ANSWERED ? NULL : x->error;
	e.has_balance = x->has_balance;
	e.balance = x->balance;
	e.modem = ucfg->modem.name;
	if (store_begin() < 0 || store_ussd_log(&e, &log_id) < 0 ||
	    (x->has_balance && record_balance(x) < 0) ||
	    (x->request_id > 0 &&
	     store_ussd_request_done(x->request_id, x->shown, strcmp(x->code, x->shown) != 0,
	                             log_id) < 0) ||
	    store_commit() < 0) {
		store_rollback();
		log_warnx("ussd: cannot record the answer to %s: %s", x->shown, store_errmsg());
		return -1;
	}
	return 0;
}

/* Dial X->code, parse a balance answer when BALANCE, and record it all. 0 or -1. */
static int exchange(struct exchange *x, int balance)
{
	ussd_redact(x->code, x->shown, sizeof x->shown);
	ts_now(x->asked_at);
	status_busy(x->timeout); /* the heartbeat must not go stale while we wait */
	x->result = modem_ussd(umodem, x->code, x->timeout, x->text, sizeof x->text);
	ts_now(x->answered_at);
	ussd_redact_answer(x->code, x->text);
	snprintf(x->error, sizeof x->error, "%s",
	         x->result == MODEM_USSD_ANSWERED ? "" : modem_errmsg(umodem));
	if (balance && x->result == MODEM_USSD_ANSWERED)
		x->has_balance =
		    ussd_balance_parse(have_pattern ? &pattern : NULL, x->text, &x->balance);
	if (x->result == MODEM_USSD_ANSWERED || x->result == MODEM_USSD_MORE_INPUT)
		log_info("ussd %s (%s): %s%s", x->shown, x->asked_by, x->text,
		         x->result == MODEM_USSD_MORE_INPUT ? " [asks for more input; cancelled]"
		                                            : "");
	else
		log_warnx("ussd %s (%s): %s: %s", x->shown, x->asked_by, result_status(x->result),
		          x->error);
	if (balance && x->result == MODEM_USSD_ANSWERED && !x->has_balance)
		log_warnx("ussd: no balance found in the answer to %s (ussd.balance_pattern)",
		          x->shown);
	return record(x);
}

static int check_balance(void)
{
	static struct exchange x; /* 3 KB of answer: not on the loop's stack */

	memset(&x, 0, sizeof x);
	x.code = ucfg->ussd.balance_code;
	x.asked_by = "daemon";
	x.timeout = ucfg->ussd.timeout;
	balance_owed = 0;
	return exchange(&x, 1);
}

static int balance_job(void *arg)
{
	if (!modem_connected(umodem)) {
		balance_owed = 1;
		return 0;
	}
	return check_balance();
}

/* A notice the network sent on its own (modem_listen's callback): stored at once. */
static void on_notice(void *arg, int status, const char *text)
{
	struct store_ussd_entry e = {0};
	char now[TS_LEN];

	ts_now(now);
	e.answer = text;
	e.status = "notice";
	e.network_status = status;
	e.asked_by = "network";
	e.asked_at = now;
	e.answered_at = now;
	e.modem = ucfg->modem.name;
	log_info("ussd notice (%d): %s", status, text);
	if (store_begin() < 0 || store_ussd_log(&e, NULL) < 0 || store_commit() < 0) {
		store_rollback();
		log_warnx("ussd: cannot record a notice: %s", store_errmsg());
	}
}

/* A request the modem cannot take now: answered at once, so the CLI need not wait it out. */
static int refuse(const struct store_ussd_request *r, const char *why)
{
	static struct exchange x;

	memset(&x, 0, sizeof x);
	x.code = r->code;
	x.asked_by = r->asked_by;
	x.request_id = r->id;
	x.result = MODEM_USSD_FAILED;
	ussd_redact(r->code, x.shown, sizeof x.shown);
	ts_now(x.asked_at);
	ts_now(x.answered_at);
	snprintf(x.error, sizeof x.error, "%s", why);
	return record(&x);
}

/*
 * Notices: libGammu reads them inside any modem call (the polls read the modem all the time)
 * and the modem module queues them; modem_listen(0) reads once more and delivers the queue.
 * One read costs up to 50 ms on a proxied modem: once per heartbeat interval, not per poll.
 */
static int listen_job(void *arg)
{
	if (modem_connected(umodem) && modem_listen(umodem, 0) < 0)
		return -1; /* lost: the next poll reconnects */
	return 0;
}

/* The CLI's requests, oldest first, and a balance check owed. */
static int requests_job(void *arg)
{
	static struct store_ussd_request r;
	static struct exchange x;

	if (modem_connected(umodem) && balance_owed && check_balance() < 0)
		return -1;
	for (int i = 0; i < REQUESTS_PER_RUN; i++) {
		int n = store_ussd_request_next(&r, ucfg->modem.name,
		                                ucfg->modem.name == ucfg->modems[0].name);

		if (n <= 0)
			return n;
		if (store_begin() < 0 || (n = store_ussd_request_start(r.id)) < 0 ||
		    store_commit() < 0) {
			store_rollback();
			return -1;
		}
		if (n == 0)
			continue; /* the CLI gave up on it first */
		if (!modem_connected(umodem)) {
			if (refuse(&r, "the modem is not connected") < 0)
				return -1;
			continue;
		}
		memset(&x, 0, sizeof x);
		x.code = r.code;
		x.asked_by = r.asked_by;
		x.request_id = r.id;
		x.timeout = r.timeout;
		/* The balance code asked by hand is a balance check like the daemon's own. */
		if (exchange(&x, ucfg->ussd.balance_code[0] &&
		                     strcmp(r.code, ucfg->ussd.balance_code) == 0) < 0)
			return -1;
	}
	return 0;
}

int ussd_init(const struct config *cfg, struct modem *m)
{
	double look = cfg->modem.poll_interval < 2 ? cfg->modem.poll_interval : 2;

	ucfg = cfg;
	umodem = m;
	have_pattern = 0;
	if (cfg->ussd.balance_pattern[0] != '\0') {
		if (regcomp(&pattern, cfg->ussd.balance_pattern, REG_EXTENDED) != 0) {
			log_warnx("ussd: cannot compile ussd.balance_pattern");
			return -1;
		}
		have_pattern = 1;
	}
	modem_set_ussd_notice(umodem, on_notice, NULL);
	balance_owed = 0;
	if (cfg->ussd.balance_code[0] != '\0' &&
	    sched_add("ussd-balance", cfg->ussd.check_every, 0, balance_job, NULL) < 0)
		return -1;
	/* Both every 2 s at most, not every modem poll (30 s by default, only the safety net of
	 * instant receive): a notice the idle loop already read waits in the modem module, and a
	 * request written by the CLI is a cheap read of the database. */
	if (sched_add("ussd-listen", look < 1 ? 1 : look, look < 1 ? 1 : look, listen_job, NULL) <
	    0)
		return -1;
	/* With several modems (issue 25) each modem's process answers the requests naming it
	 * (tipline ussd --modem), the first one's those naming none too. */
	return sched_add("ussd-requests", look, 0, requests_job, NULL);
}

void ussd_close(void)
{
	if (umodem != NULL) /* opened: ussd_init ran */
		modem_set_ussd_notice(umodem, NULL, NULL);
	if (have_pattern)
		regfree(&pattern);
	have_pattern = 0;
	ucfg = NULL;
	umodem = NULL;
}
