#include "receive.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anon.h"
#include "config.h"
#include "fault.h"
#include "handle.h"
#include "log.h"
#include "modem.h"
#include "skew.h"
#include "store.h"
#include "ts.h"

static const struct modem_config *rcfg;
static int rseveral;             /* one modem of several: its places are named "NAME:F/L" */
static struct modem_part *parts; /* read_batch parts, about 1.2 KB each */
static unsigned char *unstored;  /* per part: could not be stored at all, stays on the modem */
/* Why the handling of the message being stored again, unhandled, failed (for its warning):
 * the store's own message is gone by then, cleared by the calls that store it bare. */
static char unhandled_why[256];
static double next_read; /* monotonic: the next poll of a modem that announced nothing */
static int again;        /* the last read left work: read at the next cycle */

/* Undo the savepoint after a failure that is not the disk's, keeping why for the warning. */
static int undo_handling(void)
{
	snprintf(unhandled_why, sizeof unhandled_why, "%s", store_errmsg());
	return store_rollback_to_savepoint();
}

int receive_init(const struct modem_config *cfg, int several)
{
	rcfg = cfg;
	rseveral = several;
	next_read = 0;
	again = 0;
	/* A batch ends after the location that filled it, which may hold several parts. */
	parts = calloc((size_t)cfg->read_batch + MODEM_LOCATION_PARTS, sizeof *parts);
	unstored = calloc((size_t)cfg->read_batch + MODEM_LOCATION_PARTS, 1);
	if (parts == NULL || unstored == NULL) {
		free(parts);
		free(unstored);
		parts = NULL;
		unstored = NULL;
		log_warnx("receive: out of memory");
		return -1;
	}
	return 0;
}

void receive_close(void)
{
	free(parts);
	free(unstored);
	parts = NULL;
	unstored = NULL;
}

/*
 * Hand a newly stored message to the handler, in the same transaction: M as received and
 * parsed, or NULL for a message joined from stored parts (the handler reads it back).
 */
static int deliver(int64_t id, const struct handle_msg *m, int handle)
{
	if (!handle) {
		log_warnx("message %lld stored without handling it: %s", (long long)id,
		          unhandled_why);
		return handle_keep_unhandled(id, m != NULL ? m->parsed : NULL);
	}
	return m != NULL ? handle_message(m) : handle_stored(id);
}

/* A single-part message parsed once (handle_parse), for storing and handling alike. */
struct parsed {
	struct handle_parsed hp;
	char redacted[sizeof((struct modem_part *)0)->text];
};

/*
 * Store one part, and hand the message it completes to the handler when HANDLE is set. PM:
 * the part parsed when it is a whole message (not a status report nor a part of several).
 */
static int store_one(const struct modem_part *p, const struct parsed *pm, const char *now,
                     int handle)
{
	int64_t id = 0;
	int r;

	if (p->status_report) {
		if (handle)
			return handle_delivery_report(p->sender, p->msgref, p->delivery, p->status,
			                              p->smsc_time);
		log_warnx("delivery report from %s (reference %d) dropped: %s", p->sender,
		          p->msgref, unhandled_why);
		return 0;
	}
	if (p->concat_total > 1) {
		struct store_part sp = {p->sender,     p->concat_ref, p->concat_total,
		                        p->concat_seq, p->smsc_time,  now,
		                        p->text,       p->coding,     p->smsc};

		r = store_part_insert(&sp);
		if (r <= 0)
			return r; /* 0: a part read again; nothing new */
		r = store_parts_assemble(p->sender, p->concat_ref, p->concat_total, 0, &id);
		if (r < 0)
			return -1;
		if (r == 1) {
			/* Its sender is not named: it may be an anonymous tip (issue 13). */
			log_info("received %d-part message %lld", p->concat_total, (long long)id);
			return deliver(id, NULL, handle);
		}
		log_debug("stored part %d/%d of ref %d from %s", p->concat_seq, p->concat_total,
		          p->concat_ref, p->sender);
		return 0;
	}
	{
		/*
		 * Secrets (an officer's PIN) are redacted before the insert, not after: the
		 * redaction is a function of the text, so a re-read after a crash yields the
		 * same stored text and the dedupe key still matches.
		 */
		char where[96], mac[ANON_MAC_LEN + 1];
		const char *text = pm->hp.redacted ? pm->redacted : p->text;
		struct store_msg m = {p->sender, p->smsc_time, now, text, p->coding, p->smsc, 1, 1,
		                      1,         where,        mac};

		/*
		 * Where it lies tells a re-read after a crash from another person's message of the
		 * same text in the same second; the mac tells the same message seen on another SIM
		 * (anon.h; store_inbox.c has the rule).
		 */
		if (rseveral)
			snprintf(where, sizeof where, "%s:%d/%d", rcfg->name, p->folder,
			         p->location);
		else
			snprintf(where, sizeof where, "%d/%d", p->folder, p->location);
		anon_message_mac(p->sender, p->smsc_time, text, mac);

		r = store_inbox_insert(&m, &id);
		if (r == 1) {
			struct handle_msg hm = {id, p->sender, p->smsc_time, now, p->text, &pm->hp};

			log_info("received message %lld from %s", (long long)id,
			         pm->hp.anonymous ? "a sender not named (anonymous tip or BS)"
			                          : p->sender);
			return deliver(id, &hm, handle);
		}
	}
	if (r < 0)
		return -1;
	if (r == 0) {
		log_debug("message from %s at %s was already stored", p->sender, p->smsc_time);
		return 0;
	}
	return -1;
}

/*
 * Handle stored message ID in a savepoint: a failure that is not the disk's (a bug, a
 * constraint) undoes only the handling and leaves the message stored unhandled, as
 * receive_poll does for new messages. 0, or -1 when the database cannot take writes.
 */
static int deliver_isolated(int64_t id)
{
	if (store_savepoint() < 0)
		return -1;
	if (deliver(id, NULL, 1) == 0)
		return store_release();
	if (store_error_is_storage() || undo_handling() < 0)
		return -1;
	return deliver(id, NULL, 0);
}

static int expire_one(const char *sender, int ref, int total, void *arg)
{
	int64_t id = 0;
	int r = store_parts_assemble(sender, ref, total, 1, &id);

	*(int *)arg = r;
	if (r < 0)
		return 1;
	if (r == 1) {
		log_warnx("multipart message %lld from %s kept incomplete after %d s",
		          (long long)id, sender, rcfg->multipart_timeout);
		if (deliver_isolated(id) < 0) {
			*(int *)arg = -1;
			return 1;
		}
	}
	return 0;
}

/* Multipart messages whose parts stopped coming are kept as they are, flagged incomplete. */
static int expire_parts(void)
{
	char before[20];
	int r = 0;

	ts_utc((int64_t)time(NULL) - rcfg->multipart_timeout, before);
	if (store_parts_stale(before, expire_one, &r) < 0)
		return -1;
	return r < 0 ? -1 : 0;
}

/*
 * store_one in a savepoint. A full or read-only disk fails every message alike: -1, and the
 * batch waits on the modem. Anything else is this message breaking the handler or the store
 * (a bug, a constraint): what it did is undone and 1 returned, so that one bad message
 * neither blocks its batch at every poll nor takes the others down with it. 0: stored.
 */
static int store_isolated(const struct modem_part *p, const struct parsed *pm, const char *now,
                          int handle)
{
	if (store_savepoint() < 0)
		return -1;
	if (store_one(p, pm, now, handle) == 0)
		return store_release() < 0 ? -1 : 0;
	if (store_error_is_storage() || undo_handling() < 0)
		return -1;
	return 1;
}

/*
 * 1 if P was already reported as unstorable: it is read again at every poll, and one warning
 * is enough. Remembers the last few (a handful of such messages is already a bug to fix).
 */
static int warned_before(const struct modem_part *p)
{
	static char seen[8][96];
	static unsigned next;
	char key[96];

	snprintf(key, sizeof key, "%s|%s|%d", p->sender, p->smsc_time, p->concat_seq);
	for (unsigned i = 0; i < 8; i++)
		if (strcmp(seen[i], key) == 0)
			return 1;
	memcpy(seen[next++ % 8], key, sizeof key);
	return 0;
}

/* How " 3 h 05 min" a skew of SECS is, for a person. */
static void skew_text(long secs, char *out, size_t sz)
{
	long a = labs(secs);

	if (a >= 86400)
		snprintf(out, sz, "%ld d %ld h", a / 86400, a % 86400 / 3600);
	else
		snprintf(out, sz, "%ld h %02ld min", a / 3600, a % 3600 / 60);
}

/*
 * Measure the clock skew on this batch (skew.h says how), keep it in the status table in the
 * batch's transaction, and log it once per change: beyond SKEW_LIMIT, a new amount, or back
 * within. The state is the process's own: a restarted daemon says it again.
 */
static int watch_clock(int n, int64_t t, const char *now)
{
	static struct skew_state st;
	char value[24], how[32];
	long skew;

	if (!skew_measure(parts, n, t, &skew))
		return 0;
	snprintf(value, sizeof value, "%ld", skew);
	if (store_status_set("clock_skew", value) < 0)
		return -1;
	skew_text(skew, how, sizeof how);
	switch (skew_update(&st, skew)) {
	case SKEW_BEYOND:
	case SKEW_CHANGED:
		log_warnx("clock: the SMSC times of fresh messages are %s %s the system clock "
		          "(%+ld s); event times follow the SMSC",
		          how, skew > 0 ? "ahead of" : "behind", skew);
		break;
	case SKEW_BACK:
		log_info("clock: the system clock agrees with the SMSC again (%+ld s, within %d "
		         "minutes)",
		         skew, SKEW_LIMIT / 60);
		break;
	case SKEW_SAME:
		break;
	}
	return 0;
}

static enum receive_result receive_read(struct modem *m)
{
	char now[20];
	int64_t t;
	int n;

	n = modem_read(m, parts, (size_t)rcfg->read_batch);
	if (n < 0)
		return RECEIVE_MODEM_LOST;
	t = (int64_t)time(NULL);
	ts_utc(t, now);
	if (store_begin() < 0)
		goto store_failed;
	memset(unstored, 0, (size_t)n);
	for (int i = 0; i < n; i++) {
		struct parsed pm;
		int r;

		/* Parsed once, here: storing (the redacted copy) and handling use the result. */
		if (!parts[i].status_report && parts[i].concat_total <= 1)
			handle_parse(parts[i].text, &pm.hp, pm.redacted, sizeof pm.redacted);
		r = store_isolated(&parts[i], &pm, now, 1);
		if (r == 1) /* its handling broke: keep the message itself, unhandled */
			r = store_isolated(&parts[i], &pm, now, 0);
		if (r < 0)
			goto store_failed;
		if (r == 1) {
			/* Not even the bare message can be stored: it stays on the modem. */
			if (!warned_before(&parts[i]))
				log_warnx(
				    "message from %s at %s cannot be stored (%s); left on the "
				    "modem",
				    parts[i].sender, parts[i].smsc_time, store_errmsg());
			unstored[i] = 1;
		}
	}
	if (watch_clock(n, t, now) < 0 || expire_parts() < 0)
		goto store_failed;
	if (n > 0)
		fault_point("exit-before-commit");
	if (store_commit() < 0)
		goto store_failed;
	if (n > 0)
		fault_point("exit-after-commit");
	/* Only now, with the transaction on disk, may the modem forget these messages. */
	for (int i = 0, j; i < n; i = j) {
		int keep = 0;

		/* Several parts in one location: deleted once, and only if every one is stored. */
		for (j = i; j < n && parts[j].folder == parts[i].folder &&
		            parts[j].location == parts[i].location;
		     j++)
			keep |= unstored[j];
		if (!keep && modem_delete(m, &parts[i]) < 0)
			return RECEIVE_MODEM_LOST;
	}
	if (n == 0)
		return RECEIVE_IDLE;
	return n >= rcfg->read_batch ? RECEIVE_FULL : RECEIVE_SOME;
store_failed:
	store_rollback();
	return RECEIVE_STORE_FAILED;
}

/*
 * When the modem is read: at once when it announced a message (or just connected), when the
 * last read left work (a full batch, or a store that failed), else every modem.poll_interval,
 * the safety net for announcements a modem drops, and the simulated phone's only way.
 */
static int read_due(struct modem *m)
{
	double mono = ts_mono();

	if (!modem_announced(m) && !again && mono < next_read)
		return 0;
	next_read = mono + rcfg->poll_interval;
	return 1;
}

enum receive_result receive_poll(struct modem *m)
{
	enum receive_result r = read_due(m) ? receive_read(m) : RECEIVE_IDLE;

	again = r == RECEIVE_FULL || r == RECEIVE_STORE_FAILED;
	return r;
}
