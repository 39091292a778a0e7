/*
 * modem_pair: two struct modem values in one process (issue 20: "a modem is a value"), each
 * on its own device, driven step by step from stdin, for tests/integration/test_modem_pair.py.
 * Not installed.
 *
 *   modem_pair [-w WATCHDOG] CONNECTION MODEL DEVICE_A DEVICE_B
 *
 * Opens both modems (not connected), then reads one step per line on stdin and answers each
 * with JSON lines on stdout, the last of which has the step's "op" (flushed at once, so the
 * test can change an emulator's faults between steps). X is a or b:
 *   connect X           {"op":"connect","m","rc","error"}
 *   disconnect X        {"op":"disconnect","m"}
 *   state X             {"op":"state","m","connected","error"}
 *   read X              one {"op":"part","m","sender","text","folder","location"} per part,
 *                       then {"op":"read","m","rc","error"}
 *   delete X            deletes what the last read on X returned: {"op":"delete","m","rc"}
 *   send X NUMBER TEXT  {"op":"send","m","rc","parts","msgref","error"} (TEXT: the rest)
 *   ussd X CODE T       {"op":"ussd","m","result","text","error"}
 *   health X            {"op":"health","m","rc","operator_name","operator_code","reg"}
 * End of input closes both. Exit 0, or 2 for bad arguments, 1 if a modem cannot be opened.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "log.h"
#include "modem.h"

enum { MAX = 50 };

/* One side: its modem and what its last read returned (for delete). */
struct side {
	const char *name;
	struct modem *m;
	struct modem_part *parts;
	int nparts;
};

static void on_child(int sig)
{
	(void)sig;
	modem_on_sigchld();
}

static void usage(void)
{
	fprintf(stderr, "usage: modem_pair [-w WATCHDOG] CONNECTION MODEL DEVICE_A DEVICE_B\n");
	exit(2);
}

static void head(struct json *j, const char *op, const struct side *s)
{
	json_begin(j, stdout);
	json_key_str(j, "op", op);
	json_key_str(j, "m", s->name);
}

static void step_read(struct side *s)
{
	struct json j;
	int n = modem_read(s->m, s->parts, MAX);

	s->nparts = n > 0 ? n : 0;
	for (int i = 0; i < s->nparts; i++) {
		head(&j, "part", s);
		json_key_str(&j, "sender", s->parts[i].sender);
		json_key_str(&j, "text", s->parts[i].text);
		json_key_int(&j, "folder", s->parts[i].folder);
		json_key_int(&j, "location", s->parts[i].location);
		json_end(&j);
	}
	head(&j, "read", s);
	json_key_int(&j, "rc", n);
	json_key_str(&j, "error", n < 0 ? modem_errmsg(s->m) : "");
	json_end(&j);
}

static void step_delete(struct side *s)
{
	struct json j;
	int rc = 0;

	for (int i = 0; i < s->nparts && rc == 0; i++)
		rc = modem_delete(s->m, &s->parts[i]);
	s->nparts = 0;
	head(&j, "delete", s);
	json_key_int(&j, "rc", rc);
	json_end(&j);
}

static void step_send(struct side *s, const char *number, const char *text)
{
	struct json j;
	int parts = 0, msgref = -1;
	enum modem_send_result r = modem_send(s->m, number, text, 0, 0, &parts, &msgref, NULL);

	head(&j, "send", s);
	json_key_int(&j, "rc", r);
	json_key_int(&j, "parts", parts);
	json_key_int(&j, "msgref", msgref);
	json_key_str(&j, "error", r == MODEM_SENT ? "" : modem_errmsg(s->m));
	json_end(&j);
}

static void step_ussd(struct side *s, const char *code, int timeout)
{
	static char text[MODEM_USSD_TEXT];
	enum modem_ussd_result r = modem_ussd(s->m, code, timeout, text, sizeof text);
	struct json j;

	head(&j, "ussd", s);
	json_key_str(&j, "result", modem_ussd_result_name(r));
	json_key_str(&j, "text", text);
	json_key_str(&j, "error", r == MODEM_USSD_ANSWERED ? "" : modem_errmsg(s->m));
	json_end(&j);
}

static void step_health(struct side *s)
{
	struct modem_health h;
	int rc = modem_health(s->m, MODEM_HEALTH_NETWORK, &h);
	struct json j;

	head(&j, "health", s);
	json_key_int(&j, "rc", rc);
	json_key_str(&j, "operator_name", h.operator_name);
	json_key_str(&j, "operator_code", h.operator_code);
	json_key_str(&j, "reg", modem_reg_name(h.reg));
	json_end(&j);
}

/* One line of stdin: 0 done, -1 not understood. */
static int step(struct side *sides, char *line)
{
	char *op = strtok(line, " \n"), *who = strtok(NULL, " \n");
	struct side *s;
	struct json j;

	if (op == NULL || who == NULL || (strcmp(who, "a") != 0 && strcmp(who, "b") != 0))
		return -1;
	s = &sides[who[0] == 'a' ? 0 : 1];
	if (strcmp(op, "connect") == 0) {
		int rc = modem_connect(s->m);

		head(&j, "connect", s);
		json_key_int(&j, "rc", rc);
		json_key_str(&j, "error", rc < 0 ? modem_errmsg(s->m) : "");
		json_end(&j);
	} else if (strcmp(op, "disconnect") == 0) {
		modem_disconnect(s->m);
		head(&j, "disconnect", s);
		json_end(&j);
	} else if (strcmp(op, "state") == 0) {
		head(&j, "state", s);
		json_key_int(&j, "connected", modem_connected(s->m));
		json_key_str(&j, "error", modem_errmsg(s->m));
		json_end(&j);
	} else if (strcmp(op, "read") == 0) {
		step_read(s);
	} else if (strcmp(op, "delete") == 0) {
		step_delete(s);
	} else if (strcmp(op, "send") == 0) {
		char *number = strtok(NULL, " \n"), *text = strtok(NULL, "\n");

		if (number == NULL || text == NULL)
			return -1;
		step_send(s, number, text);
	} else if (strcmp(op, "ussd") == 0) {
		char *code = strtok(NULL, " \n"), *t = strtok(NULL, " \n");

		if (code == NULL || t == NULL)
			return -1;
		step_ussd(s, code, atoi(t));
	} else if (strcmp(op, "health") == 0) {
		step_health(s);
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct modem_config mc[2];
	struct side sides[2] = {{"a", NULL, NULL, 0}, {"b", NULL, NULL, 0}};
	struct sigaction sa;
	char line[2048];
	int ch, watchdog = 120, ret = 0;

	while ((ch = getopt(argc, argv, "w:")) != -1) {
		if (ch == 'w')
			watchdog = atoi(optarg);
		else
			usage();
	}
	if (argc - optind != 4)
		usage();
	log_init("modem_pair", LOG_LEVEL_INFO);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 2; i++) {
		memset(&mc[i], 0, sizeof mc[i]);
		mc[i].connection = argv[optind];
		mc[i].model = argv[optind + 1];
		mc[i].device = argv[optind + 2 + i];
		mc[i].watchdog = watchdog;
		mc[i].send_timeout = 30;
		mc[i].sent_dir = "";
		mc[i].pin = "";
		mc[i].reset_command = "";
		mc[i].gammu_debug = getenv("MODEM_PROBE_DEBUG") ? getenv("MODEM_PROBE_DEBUG") : "";
		sides[i].m = modem_open(&mc[i]);
		sides[i].parts = calloc(MAX + MODEM_LOCATION_PARTS, sizeof *sides[i].parts);
		if (sides[i].m == NULL || sides[i].parts == NULL) {
			ret = 1;
			goto out;
		}
	}
	while (fgets(line, sizeof line, stdin) != NULL) {
		if (step(sides, line) < 0) {
			fprintf(stderr, "modem_pair: cannot run step \"%s\"\n", line);
			ret = 2;
			break;
		}
		fflush(stdout);
	}
out:
	for (int i = 0; i < 2; i++) {
		modem_close(sides[i].m);
		free(sides[i].parts);
	}
	return ret;
}
