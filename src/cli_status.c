/*
 * tipline status: the CLI's view of the daemon, which owns the modem. It reads what the daemon
 * wrote into the status table, and counts the outbox and alerts.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "json.h"
#include "status.h"
#include "store.h"
#include "ts.h"
#include "ussd_text.h"

#define get cli_status_get

static int keep(const char *key, const char *value, const char *at, void *arg)
{
	struct kv *kv = arg;

	if (kv->n == MAX_KEYS)
		return 1;
	snprintf(kv->e[kv->n].key, sizeof kv->e[0].key, "%s", key);
	snprintf(kv->e[kv->n].value, sizeof kv->e[0].value, "%s", value);
	snprintf(kv->e[kv->n].at, sizeof kv->e[0].at, "%s", at ? at : "");
	kv->n++;
	return 0;
}

/* KEY's value, or NULL. */
const char *cli_status_get(const struct kv *kv, const char *key)
{
	for (int i = 0; i < kv->n; i++)
		if (strcmp(kv->e[i].key, key) == 0)
			return kv->e[i].value;
	return NULL;
}

/* KEY's value as the terminal shows it (the modem, the network and USSD answers wrote it). */
static const char *shown(const struct kv *kv, const char *key)
{
	return cli_safe(get(kv, key));
}

/* When KEY was written (UTC), or NULL. */
static const char *get_at(const struct kv *kv, const char *key)
{
	for (int i = 0; i < kv->n; i++)
		if (strcmp(kv->e[i].key, key) == 0)
			return kv->e[i].at[0] ? kv->e[i].at : NULL;
	return NULL;
}

static int count_one(const char *status, long n, void *arg)
{
	struct counts *c = arg;

	if (c->n == 8)
		return 1;
	snprintf(c->status[c->n], sizeof c->status[0], "%s", status);
	c->count[c->n++] = n;
	return 0;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

int cli_status_gather(const struct config *cfg, struct status_snapshot *rp)
{
	char wal[1100];

	memset(rp, 0, sizeof *rp);
	if ((rp->alive = cli_daemon_alive(rp->heartbeat_at)) < 0 ||
	    store_status_each(keep, &rp->kv) < 0 ||
	    store_outbox_counts(count_one, &rp->outbox) < 0 ||
	    store_outbox_oldest_queued(rp->oldest) < 0 ||
	    (rp->alerts_open = store_alerts_open()) < 0 || store_scrub_state(&rp->scrub) < 0)
		return -1;
	rp->schema = store_schema_version();
	rp->db_bytes = file_size(cfg->database.path);
	snprintf(wal, sizeof wal, "%s-wal", cfg->database.path);
	rp->wal_bytes = file_size(wal);
	/* The sync's state: here, so that `tipline status` and the console's Thiết bị page read
	 * the same; unreadable is shown, not fatal (the sync's own table). */
	rp->sync_on = cfg->sync.conninfo[0] != '\0';
	if (rp->sync_on) {
		rp->sync_ok = store_sync_state(&rp->sync) == 0;
		if (!rp->sync_ok)
			snprintf(rp->sync_unreadable, sizeof rp->sync_unreadable, "%s",
			         store_errmsg());
	}
	return 0;
}

/* A number-valued key as JSON: the number, or null. */
static void json_num(struct json *j, const char *name, const char *v)
{
	if (v == NULL || v[0] == '\0')
		json_key_null(j, name);
	else
		json_key_int(j, name, strtoll(v, NULL, 10));
}

/* UTC text as local time, or "-". BUF holds TS_LEN. */
static const char *local(const char *utc, char *buf)
{
	if (utc == NULL || utc[0] == '\0' || ts_utc_to_local(utc, buf) < 0)
		return "-";
	return buf;
}

/*
 * Issue 25: modem I's row KEY. With several modems each process writes its own rows
 * ("modem.NAME.KEY", store_status_scope); one modem's are the plain keys.
 */
static const char *mget(const struct config *cfg, const struct kv *kv, int i, const char *key)
{
	char k[80];

	if (cfg->nmodems < 2)
		return get(kv, key);
	snprintf(k, sizeof k, "modem.%s.%s", cfg->modems[i].name, key);
	return get(kv, k);
}

int cli_status_balance(const struct config *cfg, const struct kv *kv, const char **value,
                       const char **at, int *low, const char **name)
{
	int best = -1;
	long long least = 0;

	*value = *at = *name = NULL;
	*low = 0;
	/* The plain rows are whichever SIM read last when there are several: never shown then. */
	for (int i = 0; i < (cfg->nmodems < 2 ? 1 : cfg->nmodems); i++) {
		const char *v = mget(cfg, kv, i, "balance");

		if (v == NULL || (best >= 0 && strtoll(v, NULL, 10) >= least))
			continue;
		best = i;
		least = strtoll(v, NULL, 10);
		*value = v;
		*at = mget(cfg, kv, i, "balance_at");
		*low = mget(cfg, kv, i, "balance_low") != NULL &&
		       strcmp(mget(cfg, kv, i, "balance_low"), "1") == 0;
		*name = cfg->nmodems < 2 ? NULL : cfg->modems[i].name;
	}
	return best < 0 ? -1 : 0;
}

/* 1 if modem I's process is running (its heartbeat's deadline not past). */
static int modem_alive(const struct config *cfg, const struct status_snapshot *rp, int i)
{
	const char *hb = mget(cfg, &rp->kv, i, "heartbeat");
	char now[TS_LEN];

	if (cfg->nmodems < 2)
		return rp->alive;
	ts_now(now);
	return hb != NULL && strcmp(hb, now) >= 0;
}

/* "modems": one object per modem of the configuration (issue 25; new fields only). */
static void json_modems(struct json *j, const struct config *cfg, const struct status_snapshot *rp)
{
	const struct kv *kv = &rp->kv;

	json_key_array(j, "modems");
	for (int i = 0; i < cfg->nmodems; i++) {
		const char *st = mget(cfg, kv, i, "modem");
		long sent = 0, sending = 0;

		store_outbox_modem_counts(cfg->modems[i].name, &sent, &sending);
		json_array_object(j);
		json_key_str(j, "name", cfg->modems[i].name);
		json_key_str(j, "network",
		             cfg->modems[i].network[0] ? cfg->modems[i].network : NULL);
		json_key_str(j, "device", cfg->modems[i].device);
		json_key_bool(j, "running", modem_alive(cfg, rp, i));
		json_key_str(j, "state", st);
		json_key_str(j, "connected_at",
		             st && strcmp(st, "connected") == 0
		                 ? mget(cfg, kv, i, "modem_connected_at")
		                 : NULL);
		json_key_str(j, "sim", mget(cfg, kv, i, "sim"));
		json_key_str(j, "operator", mget(cfg, kv, i, "modem_operator"));
		json_key_str(j, "registration", mget(cfg, kv, i, "modem_registration"));
		json_num(j, "signal_percent", mget(cfg, kv, i, "modem_signal_percent"));
		json_key_str(j, "last_poll", mget(cfg, kv, i, "last_poll"));
		json_num(j, "balance", mget(cfg, kv, i, "balance"));
		/* Each SIM's own reading and low state (its process's scoped rows). */
		json_key_str(j, "balance_at", mget(cfg, kv, i, "balance_at"));
		json_key_bool(j, "balance_low",
		              mget(cfg, kv, i, "balance_low") != NULL &&
		                  strcmp(mget(cfg, kv, i, "balance_low"), "1") == 0);
		json_key_int(j, "sent", sent);
		json_key_int(j, "sending", sending);
		json_object_end(j);
	}
	json_array_end(j);
}

/* One line per modem (issue 25). */
static void print_modems(const struct config *cfg, const struct status_snapshot *rp)
{
	const struct kv *kv = &rp->kv;
	char a[TS_LEN];

	for (int i = 0; i < cfg->nmodems; i++) {
		const struct modem_config *m = &cfg->modems[i];
		const char *st = mget(cfg, kv, i, "modem"), *v;
		long sent = 0, sending = 0;

		store_outbox_modem_counts(m->name, &sent, &sending);
		printf("modem %s%s%s%s: ", m->name, m->network[0] ? " (" : "", m->network,
		       m->network[0] ? ")" : "");
		if (!modem_alive(cfg, rp, i))
			printf("not running; ");
		if (st != NULL && strcmp(st, "connected") == 0)
			printf("connected since %s",
			       local(mget(cfg, kv, i, "modem_connected_at"), a));
		else
			printf("%s", st ? cli_safe(st) : "-");
		if ((v = mget(cfg, kv, i, "modem_operator")) != NULL)
			printf(", %s", cli_safe(v));
		if ((v = mget(cfg, kv, i, "modem_signal_percent")) != NULL)
			printf(", signal %s %%", cli_safe(v));
		if ((v = mget(cfg, kv, i, "balance")) != NULL && cfg->nmodems < 2)
			printf(", balance %s", cli_safe(v)); /* its time on the balance: line */
		else if (v != NULL)
			printf(", balance %s (read %s)%s", cli_safe(v),
			       local(mget(cfg, kv, i, "balance_at"), a),
			       mget(cfg, kv, i, "balance_low") != NULL &&
			               strcmp(mget(cfg, kv, i, "balance_low"), "1") == 0
			           ? " LOW"
			           : "");
		printf(", sent %ld", sent);
		if (sending > 0)
			printf(", sending %ld", sending);
		printf("\n");
	}
}

static void print_json(const struct config *cfg, const struct status_snapshot *rp)
{
	const struct kv *kv = &rp->kv;
	const char *bal = get(kv, "balance"), *low = get(kv, "balance_low");
	long age = rp->oldest[0] ? cli_age_of(rp->oldest) : -1;
	struct json j;

	json_begin(&j, stdout);
	json_key_object(&j, "daemon");
	json_key_bool(&j, "running", rp->alive);
	json_num(&j, "pid", get(kv, "pid"));
	json_key_str(&j, "started_at", get(kv, "started_at"));
	json_key_str(&j, "heartbeat_at", rp->heartbeat_at[0] ? rp->heartbeat_at : NULL);
	json_key_str(&j, "stopped_at", get(kv, "stopped_at"));
	json_object_end(&j);
	json_key_object(&j, "modem");
	json_key_str(&j, "state", get(kv, "modem"));
	json_key_str(&j, "connected_since",
	             get(kv, "modem") && strcmp(get(kv, "modem"), "connected") == 0
	                 ? get(kv, "modem_connected_at")
	                 : NULL);
	json_key_str(&j, "manufacturer", get(kv, "modem_manufacturer"));
	json_key_str(&j, "model", get(kv, "modem_model"));
	json_key_str(&j, "operator", get(kv, "modem_operator"));
	json_key_str(&j, "operator_code", get(kv, "modem_operator_code"));
	json_key_str(&j, "registration", get(kv, "modem_registration"));
	json_num(&j, "signal_percent", get(kv, "modem_signal_percent"));
	json_num(&j, "signal_dbm", get(kv, "modem_signal_dbm"));
	json_num(&j, "sim_used", get(kv, "modem_sim_used"));
	json_num(&j, "sim_total", get(kv, "modem_sim_total"));
	json_key_str(&j, "health_at", get(kv, "modem_health_at"));
	json_key_str(&j, "registration_since", get(kv, "modem_registration_since"));
	json_object_end(&j);
	/* The SIM as the daemon last saw it at a connect (src/simcard.h): since when, and the entry
	 * of modem.pin that the SIM refused (never the PIN). */
	json_key_object(&j, "sim");
	json_key_str(&j, "state", get(kv, "sim"));
	json_key_str(&j, "since", get_at(kv, "sim"));
	json_key_str(&j, "pin_refused_at", get(kv, "sim_pin_refused_at"));
	json_key_int(&j, "pins_refused",
	             get(kv, "sim_pins_refused") ? strtoll(get(kv, "sim_pins_refused"), NULL, 10)
	                                         : 0);
	json_object_end(&j);
	json_key_str(&j, "last_poll", get(kv, "last_poll"));
	json_key_object(&j, "outbox");
	for (int i = 0; i < rp->outbox.n; i++)
		json_key_int(&j, rp->outbox.status[i], rp->outbox.count[i]);
	json_key_str(&j, "oldest_queued_at", rp->oldest[0] ? rp->oldest : NULL);
	if (age >= 0)
		json_key_int(&j, "oldest_queued_age_s", age);
	else
		json_key_null(&j, "oldest_queued_age_s");
	json_object_end(&j);
	json_key_object(&j, "balance");
	json_num(&j, "amount", bal);
	json_key_str(&j, "at", get(kv, "balance_at"));
	json_key_bool(&j, "low", low != NULL && strcmp(low, "1") == 0);
	json_key_int(&j, "low_balance", cfg->ussd.low_balance);
	json_object_end(&j);
	json_modems(&j, cfg, rp);
	json_key_int(&j, "alerts_open", rp->alerts_open);
	json_key_object(&j, "database");
	json_key_str(&j, "path", cfg->database.path);
	json_key_int(&j, "size_bytes", rp->db_bytes);
	json_key_int(&j, "wal_bytes", rp->wal_bytes);
	json_key_int(&j, "schema_version", rp->schema);
	/* Issue 21: a WAL scrub a reader holds off, and the last one done. */
	json_key_str(&j, "wal_scrub_pending_since",
	             rp->scrub.pending_since[0] ? rp->scrub.pending_since : NULL);
	json_key_str(&j, "wal_scrub_last_done_at",
	             rp->scrub.last_done_at[0] ? rp->scrub.last_done_at : NULL);
	if (rp->scrub.last_took_ms >= 0)
		json_key_int(&j, "wal_scrub_last_took_ms", rp->scrub.last_took_ms);
	else
		json_key_null(&j, "wal_scrub_last_took_ms");
	json_object_end(&j);
	cli_status_sync_json(cfg, rp, &j);
	json_end(&j);
}

/* The `sim` status values (src/simcard.c) as phrases. */
static const char *sim_text(const char *state)
{
	static const struct {
		const char *state, *text;
	} texts[] = {
	    {"ready", "ready"},
	    {"pin-missing", "asks for its PIN, none configured (set modem.pin)"},
	    {"pin-refused", "PIN refused"},
	    {"pin-unknown", "PIN entry interrupted (the SIM may have counted it)"},
	    {"pin-last-try", "asks for its PIN; two were refused: not entered by the daemon (a "
	                     "third wrong one blocks the SIM): check modem.pin, then run tipline "
	                     "modem pin-retry"},
	    {"pin-not-entered", "asks for its PIN, not entered (see the modem line)"},
	    {"puk", "asks for the PUK (blocked after three wrong PINs): unlock it in a phone"},
	    {"other", "asks for a code other than its PIN: unlock it in a phone"},
	    {"unknown", "state unknown (the modem cannot tell)"},
	};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strcmp(texts[i].state, state) == 0)
			return texts[i].text;
	return state;
}

static void print_sim(const struct kv *kv)
{
	const char *st = get(kv, "sim"), *at = get(kv, "sim_pin_refused_at");
	char a[TS_LEN], b[TS_LEN];

	if (st == NULL) {
		printf("SIM:          unknown (not seen yet)\n");
		return;
	}
	printf("SIM:          %s", sim_text(st));
	if (at != NULL)
		printf(" on %s, not entered again (correct modem.pin and reload, or run tipline "
		       "modem pin-retry)",
		       local(at, a));
	printf(" (since %s)\n", local(get_at(kv, "sim"), b));
}

static void print_text(const struct config *cfg, const struct status_snapshot *rp)
{
	const struct kv *kv = &rp->kv;
	const char *v, *modem = get(kv, "modem"), *bat, *bname;
	char a[TS_LEN], b[TS_LEN];
	int blow;

	if (rp->alive)
		printf("daemon:       running since %s (pid %s), heartbeat %ld s ago\n",
		       local(get(kv, "started_at"), a), get(kv, "pid") ? shown(kv, "pid") : "?",
		       cli_age_of(rp->heartbeat_at));
	else if (rp->heartbeat_at[0] == '\0' && get(kv, "stopped_at"))
		printf("daemon:       not running (stopped at %s)\n",
		       local(get(kv, "stopped_at"), a));
	else if (rp->heartbeat_at[0] == '\0')
		printf("daemon:       not running (never started on this database)\n");
	else
		printf("daemon:       not running (last heartbeat %s, %ld s ago)\n",
		       local(rp->heartbeat_at, a), cli_age_of(rp->heartbeat_at));
	if (modem != NULL && strcmp(modem, "connected") == 0)
		printf("modem:        connected since %s", local(get(kv, "modem_connected_at"), a));
	else
		printf("modem:        %s", modem ? cli_safe(modem) : "-");
	printf("%s\n", rp->alive ? "" : " (when the daemon last ran)");
	printf("device:       %s %s\n",
	       get(kv, "modem_manufacturer") ? shown(kv, "modem_manufacturer") : "-",
	       get(kv, "modem_model") ? shown(kv, "modem_model") : "");
	print_sim(kv);
	printf("network:      %s%s%s%s, %s",
	       get(kv, "modem_operator") ? shown(kv, "modem_operator") : "-",
	       get(kv, "modem_operator_code") ? " (" : "",
	       get(kv, "modem_operator_code") ? shown(kv, "modem_operator_code") : "",
	       get(kv, "modem_operator_code") ? ")" : "",
	       get(kv, "modem_registration") ? get(kv, "modem_registration")
	                                     : "registration unknown");
	if (get(kv, "modem_registration") && get(kv, "modem_registration_since"))
		printf(" since %s (read %s)", local(get(kv, "modem_registration_since"), a),
		       local(get(kv, "modem_health_at"), b));
	printf("\n");
	if (get(kv, "modem_signal_percent"))
		printf("signal:       %s %% (%s dBm)\n", shown(kv, "modem_signal_percent"),
		       get(kv, "modem_signal_dbm") ? shown(kv, "modem_signal_dbm") : "?");
	else
		printf("signal:       unknown\n");
	printf("SIM slots:    %s / %s used\n",
	       get(kv, "modem_sim_used") ? shown(kv, "modem_sim_used") : "?",
	       get(kv, "modem_sim_total") ? shown(kv, "modem_sim_total") : "?");
	printf("health read:  %s (every %d s)\n", local(get(kv, "modem_health_at"), a),
	       cfg->status.every);
	printf("last poll:    %s\n", local(get(kv, "last_poll"), a));
	printf("outbox:      ");
	for (int i = 0; i < rp->outbox.n; i++)
		printf(" %s %ld%s", rp->outbox.status[i], rp->outbox.count[i],
		       i + 1 < rp->outbox.n ? "," : "");
	if (rp->outbox.n == 0)
		printf(" empty");
	if (rp->oldest[0])
		printf("; oldest queued %s (%ld s ago)", local(rp->oldest, b),
		       cli_age_of(rp->oldest));
	printf("\n");
	if (cli_status_balance(cfg, kv, &v, &bat, &blow, &bname) == 0)
		printf("balance:      %s (read %s)%s%s%s%s\n", cli_safe(v), local(bat, a),
		       blow ? " LOW" : "", bname ? " on " : "", bname ? cli_safe(bname) : "",
		       bname ? ", the least of the SIMs" : "");
	else
		printf("balance:      unknown%s\n",
		       cfg->ussd.balance_code[0] ? "" : " (ussd.balance_code is not set)");
	print_modems(cfg, rp);
	printf("alerts open:  %lld\n", rp->alerts_open);
	printf("database:     %s, %lld bytes (+ %lld WAL), schema %d\n", cfg->database.path,
	       rp->db_bytes, rp->wal_bytes, rp->schema);
	/* A redaction's old pages stay in the WAL while a reader (an export, a sqlite3 shell)
	 * holds them: say since when, so the officer knows to close it. */
	if (rp->scrub.pending_since[0])
		printf("WAL scrub:    pending since %s (%ld s): a reader holds the old pages\n",
		       local(rp->scrub.pending_since, a), cli_age_of(rp->scrub.pending_since));
	else if (rp->scrub.last_done_at[0])
		printf("WAL scrub:    done %s (%lld ms after it was asked)\n",
		       local(rp->scrub.last_done_at, a), rp->scrub.last_took_ms);
	cli_status_sync_text(cfg, rp);
}

int cli_status(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
	static struct status_snapshot rp;
	int json = 0, ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else
			cli_usage();
	}
	if (optind != argc)
		cli_usage_error("status: unexpected argument \"%s\"", argv[optind]);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (cli_status_gather(cfg, &rp) < 0)
		return cli_store_failed();
	if (json)
		print_json(cfg, &rp);
	else
		print_text(cfg, &rp);
	return 0;
}
