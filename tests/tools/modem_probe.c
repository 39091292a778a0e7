/*
 * modem_probe: drives the modem layer (src/modem.c) against a real libGammu connection, for
 * the integration tests (tests/integration/test_ussd_modem.py) until the daemon and the CLI
 * use modem_ussd and modem_health themselves. Not installed.
 *
 *   modem_probe [-n] [-w WATCHDOG] DEVICE CONNECTION MODEL STEP...
 *
 * Connects, then runs each STEP in order and prints one JSON object per line on stdout:
 *   ussd CODE TIMEOUT   {"op":"ussd","code","result","text","ms","error"}
 *   health              {"op":"health","have","manufacturer","model","operator_name",
 *                        "operator_code","reg","signal_percent","signal_dbm","sim_used",
 *                        "sim_total","ms"}
 *   listen MS           one {"op":"notice","status","text"} per notice, then
 *                       {"op":"listen","rc","ms"}
 *   read                one {"op":"part","sender","text","coding","ref","total","seq"} per
 *                       part read (the parts are not deleted)
 * -n sets a notice callback before connecting (presentation on from the start; notices are
 * printed as they are delivered). -w is modem.watchdog (default 120). Exit 0 if every step
 * ran (whatever its result), 1 if the connection failed, 2 for bad arguments.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "log.h"
#include "modem.h"

static struct modem *modem;

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_child(int sig)
{
	(void)sig;
	modem_on_sigchld();
}

static void on_notice(void *arg, int status, const char *text)
{
	struct json j;

	(void)arg;
	json_begin(&j, stdout);
	json_key_str(&j, "op", "notice");
	json_key_int(&j, "status", status);
	json_key_str(&j, "text", text);
	json_end(&j);
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr, "usage: modem_probe [-n] [-w WATCHDOG] DEVICE CONNECTION MODEL "
	                "STEP...\n"
	                "  steps: ussd CODE TIMEOUT | health | listen MS | read\n");
	exit(2);
}

static void step_ussd(const char *code, int timeout)
{
	static char text[MODEM_USSD_TEXT];
	long long t0 = ms_now();
	enum modem_ussd_result r = modem_ussd(modem, code, timeout, text, sizeof text);
	struct json j;

	json_begin(&j, stdout);
	json_key_str(&j, "op", "ussd");
	json_key_str(&j, "code", code);
	json_key_str(&j, "result", modem_ussd_result_name(r));
	json_key_str(&j, "text", text);
	json_key_int(&j, "ms", ms_now() - t0);
	json_key_str(&j, "error",
	             r == MODEM_USSD_ANSWERED || r == MODEM_USSD_MORE_INPUT ? ""
	                                                                    : modem_errmsg(modem));
	json_end(&j);
}

static void step_health(void)
{
	struct modem_health h;
	long long t0 = ms_now();
	int rc = modem_health(modem, MODEM_HEALTH_ALL, &h);
	struct json j;

	json_begin(&j, stdout);
	json_key_str(&j, "op", "health");
	json_key_int(&j, "rc", rc);
	json_key_int(&j, "have", h.have);
	json_key_str(&j, "manufacturer", h.manufacturer);
	json_key_str(&j, "model", h.model);
	json_key_str(&j, "operator_name", h.operator_name);
	json_key_str(&j, "operator_code", h.operator_code);
	json_key_str(&j, "reg", modem_reg_name(h.reg));
	json_key_int(&j, "signal_percent", h.signal_percent);
	json_key_int(&j, "signal_dbm", h.signal_dbm);
	json_key_int(&j, "sim_used", h.sim_used);
	json_key_int(&j, "sim_total", h.sim_total);
	json_key_int(&j, "ms", ms_now() - t0);
	json_end(&j);
}

static void step_listen(int ms)
{
	long long t0 = ms_now();
	int rc = modem_listen(modem, ms);
	struct json j;

	json_begin(&j, stdout);
	json_key_str(&j, "op", "listen");
	json_key_int(&j, "rc", rc);
	json_key_int(&j, "ms", ms_now() - t0);
	json_end(&j);
}

static void step_read(void)
{
	enum { MAX = 50 };
	struct modem_part *parts = calloc(MAX + MODEM_LOCATION_PARTS, sizeof *parts);
	int n = parts != NULL ? modem_read(modem, parts, MAX) : -1;

	for (int i = 0; i < n; i++) {
		struct json j;

		json_begin(&j, stdout);
		json_key_str(&j, "op", "part");
		json_key_str(&j, "sender", parts[i].sender);
		json_key_str(&j, "text", parts[i].text);
		json_key_str(&j, "coding", parts[i].coding);
		json_key_int(&j, "ref", parts[i].concat_ref);
		json_key_int(&j, "total", parts[i].concat_total);
		json_key_int(&j, "seq", parts[i].concat_seq);
		json_end(&j);
	}
	if (n < 0)
		printf("{\"op\":\"read\",\"rc\":-1}\n");
	free(parts);
}

int main(int argc, char **argv)
{
	struct modem_config mc;
	struct sigaction sa;
	int ch, notify = 0, i, ret = 0;

	memset(&mc, 0, sizeof mc);
	mc.watchdog = 120;
	mc.send_timeout = 30;
	mc.sent_dir = "";
	mc.pin = "";
	mc.reset_command = ""; /* read after a failed connect */
	mc.gammu_debug = getenv("MODEM_PROBE_DEBUG") ? getenv("MODEM_PROBE_DEBUG") : "";
	while ((ch = getopt(argc, argv, "nw:")) != -1) {
		switch (ch) {
		case 'n':
			notify = 1;
			break;
		case 'w':
			mc.watchdog = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 3)
		usage();
	mc.device = argv[optind];
	mc.connection = argv[optind + 1];
	mc.model = argv[optind + 2];
	log_init("modem_probe", LOG_LEVEL_INFO);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	modem = modem_open(&mc);
	if (modem == NULL)
		return 1;
	if (notify)
		modem_set_ussd_notice(modem, on_notice, NULL);
	if (modem_connect(modem) < 0) {
		fprintf(stderr, "modem_probe: %s\n", modem_errmsg(modem));
		modem_close(modem);
		return 1;
	}
	for (i = optind + 3; i < argc && ret == 0; i++) {
		if (strcmp(argv[i], "ussd") == 0 && i + 2 < argc) {
			step_ussd(argv[i + 1], atoi(argv[i + 2]));
			i += 2;
		} else if (strcmp(argv[i], "health") == 0) {
			step_health();
		} else if (strcmp(argv[i], "listen") == 0 && i + 1 < argc) {
			if (!notify)
				modem_set_ussd_notice(modem, on_notice, NULL);
			step_listen(atoi(argv[++i]));
		} else if (strcmp(argv[i], "read") == 0) {
			step_read();
		} else {
			fprintf(stderr, "modem_probe: unknown step \"%s\"\n", argv[i]);
			ret = 2;
		}
		fflush(stdout);
	}
	modem_close(modem);
	return ret;
}
