/*
 * tipline ussd CODE [--timeout S] [--modem NAME]: the daemon owns the modem, so this writes a
 * request row and waits for the daemon to answer it (with several modems, the process of the
 * modem the row names: the first one when none is named, as balance checks are).
 * tipline ussd --log [--json]: the exchanges stored (ussd_log), newest first, each with the
 * modem whose SIM answered (schema 033).
 */
#include <getopt.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "status.h"
#include "store.h"
#include "ts.h"
#include "ussd_text.h"

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
		printf("%s\n", cli_safe(res->answer));
		return 0;
	}
	if (strcmp(st, "more-input") == 0) {
		printf("%s\n", cli_safe(res->answer));
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
		        res->error[0] ? cli_safe(res->error) : "the modem failed");
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
	struct act_who w;
	int n = 0;

	act_who_officer(&w, NULL);
	if (store_begin() < 0)
		return -1;
	if (act_ussd_request_expire(&w, id, shown, secret, &n) != ACT_OK || store_commit() < 0) {
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
			if ((r = cli_daemon_alive(last)) < 0)
				return cli_store_failed();
			if (r == 0) {
				if (expire(id, shown, secret) < 0)
					return cli_store_failed();
				cli_daemon_not_running(last);
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
	                                     {"modem", required_argument, NULL, 'm'},
	                                     {"log", no_argument, NULL, 'l'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {NULL, 0, NULL, 0}};
	int timeout = cfg->ussd.timeout, ch, r, log = 0, json = 0;
	const char *code, *modem = NULL;
	char shown[64], by[64], last[TS_LEN];
	struct act_who w;
	int64_t id = 0;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'm') {
			modem = cli_modem_arg(cfg, optarg, "ussd");
			continue;
		}
		if (ch == 't' && cli_parse_int(optarg, 1, 600, &timeout) == 0)
			continue;
		if (ch == 'l' || ch == 'j') {
			*(ch == 'l' ? &log : &json) = 1;
			continue;
		}
		if (ch == 't')
			cli_usage_error("--timeout: \"%s\" is not a number of seconds (1 to 600)",
			                optarg);
		cli_usage();
	}
	if (log) {
		if (optind != argc)
			cli_usage_error("ussd --log: no CODE (it lists what was asked)");
		if (cli_open_store(cfg) < 0)
			return 1;
		return cli_list(store_list_ussd_log, NULL, json);
	}
	if (json)
		cli_usage_error("ussd: --json goes with --log");
	if (optind + 1 != argc)
		cli_usage_error("ussd: give one CODE, such as *101#");
	code = argv[optind];
	if (code[0] == '\0' || strspn(code, "0123456789*#+") != strlen(code) || strlen(code) > 40)
		cli_usage_error("ussd: \"%s\" is not a USSD code (digits, * and #, such as *101#)",
		                code);
	ussd_redact(code, shown, sizeof shown);
	if (cli_open_store(cfg) < 0)
		return 1;
	if ((r = cli_daemon_alive(last)) < 0)
		return cli_store_failed();
	if (r == 0) {
		cli_daemon_not_running(last);
		return 1;
	}
	act_who_officer(&w, who(by, sizeof by));
	if (store_begin() < 0 || act_ussd_request(&w, code, timeout, modem, &id) != ACT_OK ||
	    store_commit() < 0) {
		store_rollback();
		return cli_store_failed();
	}
	return wait_answer(cfg, id, shown, strcmp(code, shown) != 0, timeout);
}
