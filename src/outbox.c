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

static const struct config *ocfg;
static double next_allowed; /* monotonic seconds: pacing */
static double next_recur;   /* monotonic seconds: next look for due recurring broadcasts */

int outbox_init(const struct config *cfg)
{
	int n, given_up;

	ocfg = cfg;
	next_allowed = 0;
	n = store_outbox_recover(MAX_HANDOVERS, given_up_note, &given_up);
	if (n < 0) {
		log_warnx("outbox: %s", store_errmsg());
		return -1;
	}
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

void outbox_close(void)
{
	ocfg = NULL;
}

double outbox_wait(void)
{
	double w = next_allowed - ts_mono();

	return w > 0 ? w : 0;
}

struct due {
	int found;
	int64_t id;
	int attempts;
	int recorded; /* the modem took it in this attempt, and that is on record */
	char recipient[64];
	char *text;
};

static int take(const struct outbox_row *r, void *arg)
{
	struct due *d = arg;

	d->found = 1;
	d->id = r->id;
	d->attempts = r->attempts;
	snprintf(d->recipient, sizeof d->recipient, "%s", r->recipient);
	d->text = strdup(r->text);
	return 1;
}

/*
 * modem_send's hand-over callback: handovers + 1, committed before the modem's answer is read,
 * so a crash from then on finds it counted. One commit per message sent (an fsync when SYNC).
 */
static void record(void *arg, int sync)
{
	struct due *d = arg;

	if (store_outbox_mark_handover(d->id, sync) < 0) {
		log_warnx("outbox: message %lld: cannot record that the modem took it: %s",
		          (long long)d->id, store_errmsg());
		return;
	}
	d->recorded = 1;
	fault_point("exit-after-handover-recorded");
}

/* Send one due message. */
static enum outbox_result send_one(void)
{
	struct due d = {0};
	char now[20], retry[20];
	int parts = 0, msgref = -1, ucs2;
	enum modem_send_result sr;
	enum outbox_result ret = OUTBOX_STORE_FAILED;
	const struct modem_taken tk = {record, &d};

	ts_now(now);
	if (store_outbox_next(now, take, &d) < 0)
		goto out;
	if (!d.found) {
		ret = OUTBOX_IDLE;
		goto out;
	}
	if (d.text == NULL)
		goto out;
	if (store_outbox_mark_sending(d.id) < 0)
		goto out;
	fault_point("exit-after-mark-sending");
	ucs2 = text_gsm7_units(d.text, strlen(d.text)) < 0;
	sr = modem_send(d.recipient, d.text, ucs2, ocfg->broadcast.delivery_reports, &parts,
	                &msgref, &tk);
	if (sr == MODEM_SENT) {
		fault_point("exit-after-modem-send");
		if (store_outbox_mark_sent(d.id, parts, d.recorded) < 0 ||
		    (msgref >= 0 && store_outbox_set_msgref(d.id, msgref) < 0))
			goto out;
		log_info("sent message %lld to %s (%d part%s)", (long long)d.id, d.recipient, parts,
		         parts == 1 ? "" : "s");
		if (ocfg->outbox.rate_per_minute > 0)
			next_allowed = ts_mono() + 60.0 * parts / ocfg->outbox.rate_per_minute;
		ret = OUTBOX_SENT;
		goto out;
	}
	/* Not sent (or not known to be): retry with doubling back-off, up to max_attempts. */
	if (d.attempts + 1 >= ocfg->outbox.max_attempts) {
		log_warnx("outbox: message %lld to %s failed after %d attempts: %s",
		          (long long)d.id, d.recipient, d.attempts + 1, modem_errmsg());
		if (store_outbox_mark_error(d.id, modem_errmsg(), NULL, d.recorded) < 0)
			goto out;
	} else {
		int64_t delay = (int64_t)ocfg->outbox.retry_base
		                << (d.attempts < 16 ? d.attempts : 16);

		ts_utc((int64_t)time(NULL) + delay, retry);
		log_warnx("outbox: message %lld to %s not sent (%s); retrying at %s",
		          (long long)d.id, d.recipient, modem_errmsg(), retry);
		if (store_outbox_mark_error(d.id, modem_errmsg(), retry, d.recorded) < 0)
			goto out;
	}
	ret = sr == MODEM_SEND_LOST ? OUTBOX_MODEM_LOST : OUTBOX_SENT;
out:
	/* The main loop logs a failing database once per state change; here only in debug. */
	if (ret == OUTBOX_STORE_FAILED)
		log_debug("outbox: %s", store_errmsg());
	free(d.text);
	return ret;
}

enum outbox_result outbox_run(void)
{
	enum outbox_result r = OUTBOX_IDLE;

	/* Recurring broadcasts: a cheap query, but a write transaction, so not every cycle. */
	if (ts_mono() >= next_recur) {
		next_recur = ts_mono() + ocfg->broadcast.recur_interval;
		if (broadcast_recur() < 0)
			log_warnx("outbox: recurring broadcasts: %s", store_errmsg());
	}

	for (int i = 0; i < ocfg->outbox.batch; i++) {
		if (outbox_wait() > 0)
			return OUTBOX_MORE;
		r = send_one();
		if (r == OUTBOX_IDLE && i > 0)
			return OUTBOX_SENT; /* sent some, then nothing more was due */
		if (r != OUTBOX_SENT)
			return r;
	}
	return r == OUTBOX_SENT ? OUTBOX_MORE : r;
}
