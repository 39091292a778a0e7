#include "simcard.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "modem.h"
#include "pin.h"
#include "store.h"
#include "ts.h"

/*
 * What identifies "the same PIN" across restarts: crypt(3) of it, salted (libcrypt's default,
 * yescrypt on Debian 12), never the PIN itself. libGammu 1.42 has no call that reads the SIM's
 * ICCID before the PIN is entered (GSM_GetSIMIMSI needs the PIN), so the record cannot be
 * keyed by the card: a refusal holds for whatever SIM is in the modem, and a swapped SIM whose
 * PIN modem.pin was all along needs `tipline modem pin-retry`.
 * The cost: a 4 to 8 digit PIN has at most 10^8 values, so anyone who can read the database
 * can find it from the hash by trying them (yescrypt: about 20 ms a try here, a 4-digit PIN in
 * some 3 minutes, an 8-digit one in weeks). Acceptable because the PINs kept are ones the SIM
 * did not take (wrong ones, or ones whose answer a crash cut off; all forgotten once a PIN is
 * accepted), and whoever reads the database (root and the tipline group, database.group) can
 * read tipline.conf (0640 root:tipline) too, where the right PIN is in clear anyway; the hash
 * keeps the digits out of `tipline status`, listings, dumps and backups of the database.
 */
static const struct config *scfg;
static struct modem *guarded; /* the modem whose PIN this guards */

/* This connect's PIN outcome, for the state callback that follows (reset by it). */
static const char *pin_state; /* "pin-refused", "pin-unknown", "pin-last-try"... */
static char pin_at[TS_LEN];   /* when the PIN in question was entered (UTC) */
static int64_t entry_id;      /* the row of the entry in progress */
static char entry_hash[256];  /* and its hash */

struct lookup {
	const char *pin;
	int found;
	char at[TS_LEN];
	char outcome[16];
};

static int lookup_one(const char *hash, const char *at, const char *outcome, void *arg)
{
	struct lookup *l = arg;

	if (!l->found && pin_verify(l->pin, hash)) {
		l->found = 1;
		snprintf(l->at, sizeof l->at, "%s", at ? at : "");
		snprintf(l->outcome, sizeof l->outcome, "%s", outcome ? outcome : "");
	}
	return 0; /* every row: the count is wanted too */
}

static int guard_before(void *arg, const char *pin, char *why, size_t whysz)
{
	struct lookup l;
	char local[TS_LEN];
	int n;

	memset(&l, 0, sizeof l);
	l.pin = pin;
	pin_state = "pin-not-entered";
	if ((n = store_sim_pin_each(lookup_one, &l)) < 0) {
		snprintf(why, whysz,
		         "cannot read the PINs entered before (%s): modem.pin is not entered",
		         store_errmsg());
		return 0;
	}
	if (l.found) {
		pin_state = strcmp(l.outcome, "refused") == 0 ? "pin-refused" : "pin-unknown";
		snprintf(pin_at, sizeof pin_at, "%s", l.at);
		snprintf(why, whysz,
		         "%s on %s: not entered again (three wrong PINs block the SIM); correct "
		         "modem.pin and reload, or run tipline modem pin-retry",
		         strcmp(l.outcome, "refused") == 0
		             ? "the SIM refused modem.pin"
		             : "the entry of modem.pin was cut off (the SIM may have counted it)",
		         ts_utc_to_local(l.at, local) == 0 ? local : l.at);
		return 0;
	}
	if (n >= 2) {
		pin_state = "pin-last-try";
		snprintf(why, whysz,
		         "the SIM refused %d PINs since it last took one: a third wrong one blocks "
		         "it, so modem.pin is not entered by itself; check it, then run tipline "
		         "modem pin-retry",
		         n);
		return 0;
	}
	/* Synced before the PIN goes out: a power cut right after must find it. */
	if (pin_hash(pin, entry_hash, sizeof entry_hash) < 0) {
		snprintf(why, whysz, "cannot hash modem.pin: not entered");
		return 0;
	}
	if (store_begin() < 0 || store_sim_pin_add(entry_hash, &entry_id) < 0 ||
	    store_commit() < 0) {
		store_rollback();
		snprintf(why, whysz, "cannot record the PIN entry (%s): modem.pin is not entered",
		         store_errmsg());
		return 0;
	}
	pin_state = NULL;
	return 1;
}

static void guard_after(void *arg, const char *pin, int outcome)
{
	int rc;

	if (store_begin() < 0)
		rc = -1;
	else if (outcome == 1)
		rc = store_sim_pin_clear() < 0 ? -1 : 0;
	else if (outcome == 0) {
		/* 0 rows: `tipline modem pin-retry` forgot the entry while the SIM was answering;
		 * the refusal it now knows of is recorded anew. */
		rc = store_sim_pin_refused(entry_id);
		if (rc == 0 && (store_sim_pin_add(entry_hash, &entry_id) < 0 ||
		                store_sim_pin_refused(entry_id) < 0))
			rc = -1;
	} else
		rc = 0; /* unknown: the row stays 'pending', which counts as refused */
	if (rc < 0 || store_commit() < 0) {
		store_rollback();
		/* A refusal not recorded stays 'pending': still never entered again. */
		log_warnx("sim: cannot record the SIM's answer to the PIN: %s", store_errmsg());
	}
	if (outcome != 1) {
		pin_state = outcome == 0 ? "pin-refused" : "pin-unknown";
		ts_now(pin_at);
	}
}

/* The status rows, rewritten only when they change: the `sim` row's time is its "since". */
static void guard_state(void *arg, enum modem_sim st, const char *why)
{
	const char *state = pin_state;
	char old[64] = "", n[24], oldn[24];
	int count, refused;

	pin_state = NULL;
	switch (st) {
	case MODEM_SIM_READY:
		state = "ready";
		break;
	case MODEM_SIM_PUK:
		state = "puk";
		break;
	case MODEM_SIM_OTHER:
		state = "other";
		break;
	case MODEM_SIM_PIN:
		if (state == NULL)
			state = scfg->modem.pin[0] == '\0' ? "pin-missing" : "pin-not-entered";
		break;
	case MODEM_SIM_UNKNOWN:
		state = "unknown";
		break;
	}
	if ((count = store_sim_pin_each(NULL, NULL)) < 0)
		count = 0;
	snprintf(n, sizeof n, "%d", count);
	refused = strcmp(state, "pin-refused") == 0 || strcmp(state, "pin-unknown") == 0;
	if (store_status_get("sim", old, sizeof old, NULL) < 0)
		old[0] = '\0';
	if (store_status_get("sim_pins_refused", oldn, sizeof oldn, NULL) <= 0)
		snprintf(oldn, sizeof oldn, "0");
	if (strcmp(old, state) == 0 && strcmp(oldn, n) == 0 && !refused)
		return; /* nothing new: a connect on a ready SIM writes nothing */
	/* Unsynced: these rows only describe; the PIN entries above are synced. */
	if (store_begin_unsynced() < 0 ||
	    (strcmp(old, state) != 0 && store_status_set("sim", state) < 0) ||
	    (refused ? store_status_set("sim_pin_refused_at", pin_at)
	             : store_status_delete("sim_pin_refused_at")) < 0 ||
	    (count > 0 ? store_status_set("sim_pins_refused", n)
	               : store_status_delete("sim_pins_refused")) < 0 ||
	    store_commit() < 0) {
		store_rollback();
		log_warnx("sim: cannot record the SIM's state: %s", store_errmsg());
	}
	if (strcmp(old, state) != 0)
		log_debug("sim: %s%s%s", state, why ? ": " : "", why ? why : "");
}

static const struct modem_pin_guard sim_guard = {guard_before, guard_after, guard_state, NULL};

int simcard_init(const struct config *cfg, struct modem *m)
{
	scfg = cfg;
	pin_state = NULL;
	guarded = m;
	modem_set_pin_guard(m, &sim_guard);
	return 0;
}

void simcard_close(void)
{
	if (guarded != NULL)
		modem_set_pin_guard(guarded, NULL);
	guarded = NULL;
	scfg = NULL;
}
