/*
 * tipline ussd and tipline status: the CLI's view of the daemon, which owns the modem.
 * `ussd` writes a request row and waits for the daemon to answer it; `status` reads what the
 * daemon wrote into the status table, and counts the outbox and alerts; `modem pin-retry`
 * forgets the PINs the SIM refused.
 */
#include <getopt.h>
#include <pwd.h>
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

/* --- the daemon's heartbeat --- */

/*
 * 1 if the daemon's heartbeat deadline (status.h) has not passed, else 0; -1 on a store error.
 * LAST gets when it was written ("" if there is none: never started, or stopped cleanly).
 */
static int daemon_alive(char last[TS_LEN])
{
	char deadline[TS_LEN] = "", now[TS_LEN];
	int r = store_status_get("heartbeat", deadline, sizeof deadline, last);

	if (r <= 0) {
		last[0] = '\0';
		return r;
	}
	ts_now(now);
	return strcmp(now, deadline) <= 0; /* UTC text sorts as time */
}

static long age_of(const char *utc)
{
	int64_t t;

	if (utc == NULL || ts_parse_utc(utc, &t) < 0)
		return -1;
	return (long)((int64_t)time(NULL) - t);
}

static void not_running(const char *last)
{
	char local[TS_LEN], stopped[TS_LEN] = "";

	if (last[0] == '\0' && store_status_get("stopped_at", stopped, sizeof stopped, NULL) > 0 &&
	    ts_utc_to_local(stopped, local) == 0)
		fprintf(stderr, "tipline: the daemon is not running (stopped at %s)\n", local);
	else if (last[0] != '\0' && ts_utc_to_local(last, local) == 0)
		fprintf(stderr,
		        "tipline: the daemon is not running (last heartbeat %s, %ld s ago)\n",
		        local, age_of(last));
	else
		fprintf(stderr,
		        "tipline: the daemon is not running (no heartbeat: start tiplined)\n");
}

/* --- tipline ussd CODE [--timeout S] --- */

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The result of request ID, printed: the exit status. */
static int print_result(const struct store_ussd_result *res, const char *shown, int timeout)
{
	const char *st = res->status;

	if (strcmp(st, "answered") == 0) {
		printf("%s\n", res->answer);
		return 0;
	}
	if (strcmp(st, "more-input") == 0) {
		printf("%s\n", res->answer);
		fprintf(stderr, "tipline: the network asks for more input; the session was "
		                "cancelled (answering is not supported)\n");
		return 0;
	}
	if (strcmp(st, "not-supported") == 0)
		fprintf(stderr, "tipline: %s: the network answered \"not supported\"\n", shown);
	else if (strcmp(st, "timeout") == 0)
		fprintf(stderr, "tipline: %s: no answer from the network in %d s\n", shown,
		        timeout);
	else
		fprintf(stderr, "tipline: %s: %s: %s\n", shown, st[0] ? st : "failed",
		        res->error[0] ? res->error : "the modem failed");
	return 1;
}

static const char *who(char *buf, size_t sz)
{
	struct passwd *pw = getpwuid(geteuid());

	snprintf(buf, sz, "cli:%s", pw != NULL ? pw->pw_name : "?");
	return buf;
}

/* Give up on request ID: 1 expired (the daemon never took it), 0 it runs now, -1 error. */
static int expire(int64_t id, const char *shown, int secret)
{
	int n;

	if (store_begin() < 0)
		return -1;
	n = store_ussd_request_expire(id, shown, secret);
	if (n < 0 || store_commit() < 0) {
		store_rollback();
		return -1;
	}
	return n;
}

/*
 * Wait for request ID: the daemon takes it within a poll or two and the network answers
 * within TIMEOUT; a heartbeat that goes stale meanwhile means the daemon died.
 */
static int wait_answer(const struct config *cfg, int64_t id, const char *shown, int secret,
                       int timeout)
{
	static struct store_ussd_result res;
	double slack = 2 * status_interval(cfg) + 5;
	double deadline = ts_mono() + timeout + slack, next_beat = ts_mono() + 1;
	char last[TS_LEN];
	int extended = 0, r;

	for (;;) {
		memset(&res, 0, sizeof res);
		if (store_ussd_request_get(id, &res) < 0)
			return cli_store_failed();
		if (strcmp(res.request_status, "done") == 0)
			return print_result(&res, shown, timeout);
		if (ts_mono() >= next_beat) {
			next_beat = ts_mono() + 1;
			if ((r = daemon_alive(last)) < 0)
				return cli_store_failed();
			if (r == 0) {
				if (expire(id, shown, secret) < 0)
					return cli_store_failed();
				not_running(last);
				return 1;
			}
		}
		if (ts_mono() >= deadline) {
			if ((r = expire(id, shown, secret)) < 0)
				return cli_store_failed();
			if (r == 1 || extended) {
				fprintf(stderr, "tipline: %s: no answer in %d s (%s)\n", shown,
				        timeout,
				        r == 1 ? "the daemon did not take the request; it is busy"
				               : "the daemon took it and has not answered");
				return 1;
			}
			/* Taken late (the daemon was busy): its own timeout bounds it from now. */
			deadline = ts_mono() + timeout + slack;
			extended = 1;
		}
		nap_ms(50);
	}
}

int cli_ussd(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"timeout", required_argument, NULL, 't'},
	                                     {NULL, 0, NULL, 0}};
	int timeout = cfg->ussd.timeout, ch, r;
	const char *code;
	char shown[64], by[64], last[TS_LEN];
	int64_t id = 0;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 't' && cli_parse_int(optarg, 1, 600, &timeout) == 0)
			continue;
		if (ch == 't')
			cli_usage_error("--timeout: \"%s\" is not a number of seconds (1 to 600)",
			                optarg);
		cli_usage();
	}
	if (optind + 1 != argc)
		cli_usage_error("ussd: give one CODE, such as *101#");
	code = argv[optind];
	if (code[0] == '\0' || strspn(code, "0123456789*#+") != strlen(code) || strlen(code) > 40)
		cli_usage_error("ussd: \"%s\" is not a USSD code (digits, * and #, such as *101#)",
		                code);
	ussd_redact(code, shown, sizeof shown);
	if (cli_open_store(cfg) < 0)
		return 1;
	if ((r = daemon_alive(last)) < 0)
		return cli_store_failed();
	if (r == 0) {
		not_running(last);
		return 1;
	}
	if (store_begin() < 0 ||
	    store_ussd_request_add(code, timeout, who(by, sizeof by), &id) < 0 ||
	    store_commit() < 0) {
		store_rollback();
		return cli_store_failed();
	}
	return wait_answer(cfg, id, shown, strcmp(code, shown) != 0, timeout);
}

/* --- tipline status [--json] --- */

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
	if ((rp->alive = daemon_alive(rp->heartbeat_at)) < 0 ||
	    store_status_each(keep, &rp->kv) < 0 ||
	    store_outbox_counts(count_one, &rp->outbox) < 0 ||
	    store_outbox_oldest_queued(rp->oldest) < 0 ||
	    (rp->alerts_open = store_alerts_open()) < 0)
		return -1;
	rp->schema = store_schema_version();
	rp->db_bytes = file_size(cfg->database.path);
	snprintf(wal, sizeof wal, "%s-wal", cfg->database.path);
	rp->wal_bytes = file_size(wal);
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

static void print_json(const struct config *cfg, const struct status_snapshot *rp)
{
	const struct kv *kv = &rp->kv;
	const char *bal = get(kv, "balance"), *low = get(kv, "balance_low");
	long age = rp->oldest[0] ? age_of(rp->oldest) : -1;
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
	/* The SIM as the daemon last saw it at a connect (src/sim.h): since when, and the entry
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
	json_key_int(&j, "alerts_open", rp->alerts_open);
	json_key_object(&j, "database");
	json_key_str(&j, "path", cfg->database.path);
	json_key_int(&j, "size_bytes", rp->db_bytes);
	json_key_int(&j, "wal_bytes", rp->wal_bytes);
	json_key_int(&j, "schema_version", rp->schema);
	json_object_end(&j);
	json_end(&j);
}

/* UTC text as local time, or "-". BUF holds TS_LEN. */
static const char *local(const char *utc, char *buf)
{
	if (utc == NULL || utc[0] == '\0' || ts_utc_to_local(utc, buf) < 0)
		return "-";
	return buf;
}

/* The `sim` status values (src/sim.c) as phrases. */
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
	const char *v, *modem = get(kv, "modem");
	char a[TS_LEN], b[TS_LEN];

	if (rp->alive)
		printf("daemon:       running since %s (pid %s), heartbeat %ld s ago\n",
		       local(get(kv, "started_at"), a), get(kv, "pid") ? get(kv, "pid") : "?",
		       age_of(rp->heartbeat_at));
	else if (rp->heartbeat_at[0] == '\0' && get(kv, "stopped_at"))
		printf("daemon:       not running (stopped at %s)\n",
		       local(get(kv, "stopped_at"), a));
	else if (rp->heartbeat_at[0] == '\0')
		printf("daemon:       not running (never started on this database)\n");
	else
		printf("daemon:       not running (last heartbeat %s, %ld s ago)\n",
		       local(rp->heartbeat_at, a), age_of(rp->heartbeat_at));
	if (modem != NULL && strcmp(modem, "connected") == 0)
		printf("modem:        connected since %s", local(get(kv, "modem_connected_at"), a));
	else
		printf("modem:        %s", modem ? modem : "-");
	printf("%s\n", rp->alive ? "" : " (when the daemon last ran)");
	printf("device:       %s %s\n",
	       get(kv, "modem_manufacturer") ? get(kv, "modem_manufacturer") : "-",
	       get(kv, "modem_model") ? get(kv, "modem_model") : "");
	print_sim(kv);
	printf("network:      %s%s%s%s, %s",
	       get(kv, "modem_operator") ? get(kv, "modem_operator") : "-",
	       get(kv, "modem_operator_code") ? " (" : "",
	       get(kv, "modem_operator_code") ? get(kv, "modem_operator_code") : "",
	       get(kv, "modem_operator_code") ? ")" : "",
	       get(kv, "modem_registration") ? get(kv, "modem_registration")
	                                     : "registration unknown");
	if (get(kv, "modem_registration") && get(kv, "modem_registration_since"))
		printf(" since %s (read %s)", local(get(kv, "modem_registration_since"), a),
		       local(get(kv, "modem_health_at"), b));
	printf("\n");
	if (get(kv, "modem_signal_percent"))
		printf("signal:       %s %% (%s dBm)\n", get(kv, "modem_signal_percent"),
		       get(kv, "modem_signal_dbm") ? get(kv, "modem_signal_dbm") : "?");
	else
		printf("signal:       unknown\n");
	printf("SIM slots:    %s / %s used\n",
	       get(kv, "modem_sim_used") ? get(kv, "modem_sim_used") : "?",
	       get(kv, "modem_sim_total") ? get(kv, "modem_sim_total") : "?");
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
		printf("; oldest queued %s (%ld s ago)", local(rp->oldest, b), age_of(rp->oldest));
	printf("\n");
	if ((v = get(kv, "balance")) != NULL)
		printf("balance:      %s (read %s)%s\n", v, local(get(kv, "balance_at"), a),
		       get(kv, "balance_low") && strcmp(get(kv, "balance_low"), "1") == 0 ? " LOW"
		                                                                          : "");
	else
		printf("balance:      unknown%s\n",
		       cfg->ussd.balance_code[0] ? "" : " (ussd.balance_code is not set)");
	printf("alerts open:  %lld\n", rp->alerts_open);
	printf("database:     %s, %lld bytes (+ %lld WAL), schema %d\n", cfg->database.path,
	       rp->db_bytes, rp->wal_bytes, rp->schema);
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

/* --- tipline modem pin-retry --- */

/*
 * Forget the PINs the SIM refused (src/sim.h): the daemon enters modem.pin once more at its
 * next connect (within modem.backoff_max seconds). For a SIM unlocked in a phone, or swapped
 * for the one modem.pin belongs to; a changed modem.pin needs no command.
 */
int cli_modem(const struct config *cfg, int argc, char **argv)
{
	int n;

	optind = 0;
	while (getopt_long(argc, argv, "", (const struct option[]){{NULL, 0, NULL, 0}}, NULL) != -1)
		cli_usage();
	if (optind == argc)
		cli_usage_error("modem: give a subcommand (pin-retry)");
	if (strcmp(argv[optind], "pin-retry") != 0)
		cli_usage_error("modem: unknown subcommand \"%s\"", argv[optind]);
	if (optind + 1 != argc)
		cli_usage_error("modem pin-retry: unexpected argument \"%s\"", argv[optind + 1]);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (store_begin() < 0 || (n = store_sim_pin_clear()) < 0 || store_commit() < 0) {
		store_rollback();
		return cli_store_failed();
	}
	if (n == 0)
		printf("no PIN entry recorded: nothing to retry\n");
	else
		printf("forgot %d PIN entr%s the SIM refused; the daemon enters modem.pin once at "
		       "its next connect\n",
		       n, n == 1 ? "y" : "ies");
	return 0;
}
