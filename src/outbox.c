#include "outbox.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broadcast.h"
#include "config.h"
#include "fault.h"
#include "log.h"
#include "modem.h"
#include "sched.h"
#include "store.h"
#include "text.h"
#include "ts.h"

/*
 * A message the modem took (PDU and Ctrl-Z written) may go out even if the daemon is killed
 * before the modem answers. After a restart it is sent again, so that it goes out at least
 * once, but only while fewer than this many such cut-short hand-overs are on record: through
 * any number of crashes a reply reaches its recipient at most twice. The cost: a message whose
 * two cut-short hand-overs both failed to leave (the modem lost it with its power, or both kills
 * fell in the milliseconds between the record and the Ctrl-Z) is never sent; its row says so.
 * Failures the daemon lives to see (a refusal, a modem that vanished or hung) are retried as
 * before, up to outbox.max_attempts: there the modem most likely did not send it.
 */
#define MAX_HANDOVERS 2
static const char given_up_note[] =
    "not sent again: the modem took it twice and the daemon stopped before it answered";

/*
 * The outcome of a send that could not be committed (the database failed just after the modem
 * answered). Kept here and committed before anything else is sent: a message the modem took is
 * never left 'sending' for the rest of the daemon's life, and is not sent again unless it
 * crashes first (then the recovery at start counts its hand-over as it should).
 */
static struct outcome {
	int set;
	int64_t id;
	int sent; /* 1 sent, else an error: retry at RETRY, or failed when RETRY is empty */
	int parts, msgref, handed;
	char error[200];
	char retry[TS_LEN];
} pending;

static const struct config *ocfg;
static double next_allowed; /* monotonic seconds: pacing */
static int recovered;       /* rows left 'sending' by a crash are dealt with */
static enum outbox_role orole;
/* Issue 25: ",a,b," every configured modem's name; the networks with a modem up (",x,"). */
static char names[1024], up[1024];

/*
 * Rows left in 'sending' by a crash go back to the queue (or are given up, see
 * MAX_HANDOVERS) before anything is sent. 0, or -1 when the database failed: then
 * outbox_run tries again first, so that a database failing at start does not stop the daemon.
 */
static int recover(void)
{
	int n, given_up = 0;

	/* The main process of several modems sends nothing: it puts back the rows of no modem
	 * (or of one no longer configured) only; a modem's process its own too. */
	const char *mine = orole == OUTBOX_ROLE_ALL     ? NULL
	                   : orole == OUTBOX_ROLE_MODEM ? ocfg->modem.name
	                                                : "";

	if (store_begin() < 0 ||
	    (n = store_outbox_recover_for(MAX_HANDOVERS, given_up_note, &given_up, mine, names)) <
	        0 ||
	    store_commit() < 0) {
		store_rollback();
		return -1;
	}
	recovered = 1;
	if (n > 0)
		log_warnx("outbox: %d message(s) were being sent when the daemon stopped; they "
		          "will be sent again",
		          n);
	if (given_up > 0)
		log_warnx("outbox: %d message(s) were being sent when the daemon stopped and are "
		          "marked sent: %s",
		          given_up, given_up_note);
	return 0;
}

/*
 * The scheduler's job "recur": queue the due rounds of recurring broadcasts for the outbox to
 * send. A cheap query, but a write transaction, so every broadcast.recur_interval seconds, not
 * every cycle.
 */
static int recur(void *arg)
{
	(void)arg;
	if (broadcast_recur(ocfg) < 0) {
		log_warnx("outbox: recurring broadcasts: %s", store_errmsg());
		return -1;
	}
	return 0;
}

int outbox_init(const struct config *cfg, enum outbox_role role)
{
	size_t len = 1;

	ocfg = cfg;
	orole = role;
	next_allowed = 0;
	pending.set = 0;
	recovered = 0;
	snprintf(names, sizeof names, ",");
	for (int i = 0; i < cfg->nmodems && len < sizeof names; i++)
		len +=
		    (size_t)snprintf(names + len, sizeof names - len, "%s,", cfg->modems[i].name);
	if (recover() < 0)
		log_warnx("outbox: cannot recover interrupted sends yet: %s", store_errmsg());
	/* Recurring broadcasts are queued once, by the process that runs the shared jobs. */
	if (role == OUTBOX_ROLE_MODEM)
		return 0;
	return sched_add("recur", cfg->broadcast.recur_interval, 0, recur, NULL);
}

/*
 * Which networks have a modem up now (issue 25): read once per outbox_run from the status
 * rows each modem's process keeps (its link and its heartbeat), not per message.
 */
static void networks_up(void)
{
	char now[TS_LEN];
	size_t len = 1;

	ts_now(now);
	snprintf(up, sizeof up, ",");
	for (int i = 0; i < ocfg->nmodems && len < sizeof up; i++) {
		const struct modem_config *mc = &ocfg->modems[i];

		if (mc->network[0] != '\0' && store_modem_up(mc->name, now) > 0)
			len += (size_t)snprintf(up + len, sizeof up - len, "%s,", mc->network);
	}
}

/* The next due row this process may send: with several modems, on-net routing. */
static int next_due(const char *now, int (*fn)(const struct store_outbox_row *, void *), void *arg)
{
	char patient[TS_LEN];
	struct store_route rt;

	if (orole != OUTBOX_ROLE_MODEM || ocfg->nmodems < 2)
		return store_outbox_next(now, fn, arg);
	ts_utc((int64_t)time(NULL) - ocfg->outbox.on_net_wait, patient);
	rt.modem = ocfg->modem.name;
	rt.network = ocfg->modem.network[0] != '\0' ? ocfg->modem.network : NULL;
	rt.up = up;
	rt.patient_before = patient;
	return store_outbox_next_for(now, &rt, fn, arg);
}

void outbox_close(void)
{
	ocfg = NULL;
}

double outbox_wait(void)
{
	double w = next_allowed - ts_mono();

	return w > 0 ? w : 0;
}

/* Commit outcome O of one message in a transaction of its own. 0 or -1. */
static int commit_outcome(const struct outcome *o)
{
	int r;

	if (store_begin() < 0)
		return -1;
	if (o->sent)
		r = store_outbox_mark_sent(o->id, o->parts, o->handed) < 0 ||
		            (o->msgref >= 0 && store_outbox_set_msgref(o->id, o->msgref) < 0)
		        ? -1
		        : 0;
	else
		r = store_outbox_mark_error(o->id, o->error, o->retry[0] ? o->retry : NULL,
		                            o->handed);
	if (r < 0) {
		store_rollback();
		return -1;
	}
	return store_commit();
}

/* Commit O now, or keep it as the pending outcome when the database fails. 0 or -1. */
static int settle(const struct outcome *o)
{
	if (commit_outcome(o) == 0)
		return 0;
	pending = *o;
	pending.set = 1;
	return -1;
}

struct due {
	int found;
	int64_t id;
	int attempts;
	int recorded; /* the modem took it in this attempt, and that is on record */
	char recipient[64];
	int anonymous; /* an anonymous tipster's: the logs do not name them */
	char *text;
};

static int take(const struct store_outbox_row *r, void *arg)
{
	struct due *d = arg;

	d->found = 1;
	d->id = r->id;
	d->attempts = r->attempts;
	d->anonymous = r->anonymous;
	snprintf(d->recipient, sizeof d->recipient, "%s", r->recipient);
	d->text = strdup(r->text);
	return 1;
}

/*
 * modem_send's hand-over callback: handovers + 1, committed before the modem's answer is read,
 * so a crash from then on finds it counted. One commit per message sent (an fsync when SYNC;
 * without, the commit survives a killed process and the next synced commit makes it durable).
 */
static void record(void *arg, int sync)
{
	struct due *d = arg;

	if ((sync ? store_begin() : store_begin_unsynced()) < 0 ||
	    store_outbox_mark_handover(d->id) < 0 || store_commit() < 0) {
		store_rollback();
		log_warnx("outbox: message %lld: cannot record that the modem took it: %s",
		          (long long)d->id, store_errmsg());
		return;
	}
	d->recorded = 1;
	fault_point("exit-after-handover-recorded");
}

/* Send one due message. */
static enum outbox_result send_one(struct modem *m)
{
	struct due d = {0};
	struct outcome o = {0};
	char now[TS_LEN];
	const char *who;
	int ucs2, marked = 0;
	enum modem_send_result sr;
	enum outbox_result ret = OUTBOX_STORE_FAILED;
	const struct modem_taken tk = {record, &d};

	if (!recovered && recover() < 0)
		goto out;
	if (pending.set) {
		if (commit_outcome(&pending) < 0)
			goto out;
		pending.set = 0;
	}
	ts_now(now);
	if (next_due(now, take, &d) < 0)
		goto out;
	if (!d.found) {
		ret = OUTBOX_IDLE;
		goto out;
	}
	if (d.text == NULL) {
		store_error_nomem("outbox");
		goto out;
	}
	if (store_begin() < 0 ||
	    (marked = store_outbox_mark_sending_by(d.id, ocfg->modem.name)) < 0 ||
	    store_commit() < 0) {
		store_rollback();
		goto out;
	}
	if (marked == 0) { /* cancelled between the read and the mark: not sent */
		ret = OUTBOX_SENT;
		goto out;
	}
	fault_point("exit-after-mark-sending");
	who = d.anonymous ? "an anonymous sender" : d.recipient;
	ucs2 = text_gsm7_units(d.text, strlen(d.text)) < 0;
	o.id = d.id;
	o.msgref = -1;
	sr = modem_send(m, d.recipient, d.text, ucs2, ocfg->broadcast.delivery_reports, &o.parts,
	                &o.msgref, &tk);
	o.handed = d.recorded;
	if (sr == MODEM_SENT) {
		fault_point("exit-after-modem-send");
		o.sent = 1;
		if (ocfg->nmodems > 1)
			log_info("sent message %lld to %s (%d part%s) through %s", (long long)d.id,
			         who, o.parts, o.parts == 1 ? "" : "s", ocfg->modem.name);
		else
			log_info("sent message %lld to %s (%d part%s)", (long long)d.id, who,
			         o.parts, o.parts == 1 ? "" : "s");
		if (ocfg->outbox.rate_per_minute > 0)
			next_allowed = ts_mono() + 60.0 * o.parts / ocfg->outbox.rate_per_minute;
		ret = settle(&o) < 0 ? OUTBOX_STORE_FAILED : OUTBOX_SENT;
		goto out;
	}
	/* Not sent (or not known to be): retry with doubling back-off, up to max_attempts. */
	snprintf(o.error, sizeof o.error, "%s", modem_errmsg(m));
	if (d.attempts + 1 >= ocfg->outbox.max_attempts) {
		log_warnx("outbox: message %lld to %s failed after %d attempts: %s",
		          (long long)d.id, who, d.attempts + 1, o.error);
	} else {
		int64_t delay = (int64_t)ocfg->outbox.retry_base
		                << (d.attempts < 16 ? d.attempts : 16);

		ts_utc((int64_t)time(NULL) + delay, o.retry);
		log_warnx("outbox: message %lld to %s not sent (%s); retrying at %s",
		          (long long)d.id, who, o.error, o.retry);
	}
	if (settle(&o) < 0 && sr != MODEM_SEND_LOST)
		goto out;
	ret = sr == MODEM_SEND_LOST ? OUTBOX_MODEM_LOST : OUTBOX_SENT;
out:
	/* The main loop logs a failing database once per state change; here only in debug. */
	if (ret == OUTBOX_STORE_FAILED)
		log_debug("outbox: %s", store_errmsg());
	free(d.text);
	return ret;
}

enum outbox_result outbox_run(struct modem *m)
{
	enum outbox_result r = OUTBOX_IDLE;

	if (!modem_registered(m))
		return OUTBOX_IDLE; /* the messages wait for the network, their attempts untouched
		                     */
	if (ocfg->nmodems > 1)
		networks_up();
	for (int i = 0; i < ocfg->outbox.batch; i++) {
		if (outbox_wait() > 0)
			return OUTBOX_MORE;
		r = send_one(m);
		if (r == OUTBOX_IDLE && i > 0)
			return OUTBOX_SENT; /* sent some, then nothing more was due */
		if (r != OUTBOX_SENT)
			return r;
	}
	return r == OUTBOX_SENT ? OUTBOX_MORE : r;
}
