/*
 * tipline: the officers' command-line tool. Every subcommand works on the store (or, for
 * `sim`, on the simulated phone's directory); none of them talks to a real modem.
 *
 * Exit status: 0 done, 1 failed (database, files), 2 bad arguments (after printing usage);
 * forget without --yes: 3 (nothing changed).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "modem.h"
#include "parse.h"
#include "store.h"
#include "ts.h"
#include "version.h"

#ifndef DEFAULT_CONF /* make install compiles the installed path in */
#define DEFAULT_CONF "conf/tipline.conf"
#endif

static const char usage_text[] =
    "usage: tipline [-c file] command [arguments]\n"
    "\n"
    "  inbox [--json] [--since DATE] [--until DATE] [--limit N]\n"
    "                                              received messages (local dates, inclusive)\n"
    "  outbox [--json] [--status STATUS]           messages to send and their state\n"
    "  parse [TEXT]                                how TEXT (or each stdin line) parses, as JSON\n"
    "  sim send --from NUMBER [--time T] [--parts 2,1] [--ref N] TEXT\n"
    "                                              put an SMS into the simulated phone\n"
    "  sim sent [--json]                           what the daemon sent through it\n"
    "  sim report --from NUMBER --ref N            a delivery report into the simulated "
    "phone\n" CLI_USAGE_MORE "\n"
    "  help [COMMAND]                              this summary, or one command's usage\n"
    "\n"
    "  -c file   configuration (default " DEFAULT_CONF ")\n"
    "  -h        this summary (COMMAND --help: that command's usage)\n"
    "  -V        the version\n";

/* The command being run (set by main before it dispatches), for cli_usage: NULL, none yet. */
static const char *current;

/*
 * The usage lines of command CMD, taken from the summary (lines "  CMD ..." and the more
 * indented lines that continue them), so one text stays the truth for both; all of the summary
 * when CMD is NULL. 0, or -1 when the summary has no lines for CMD.
 */
static int print_usage(FILE *out, const char *cmd)
{
	const char *line = usage_text, *end;
	size_t n = cmd ? strlen(cmd) : 0;
	int in = 0, found = 0;

	if (cmd == NULL) {
		fputs(usage_text, out);
		return 0;
	}
	for (; *line != '\0'; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if (strncmp(line, "  ", 2) == 0 && line[2] != ' ' && line[2] != '-')
			in = strncmp(line + 2, cmd, n) == 0 &&
			     (line[2 + n] == ' ' || line + 2 + n == end);
		else if (strncmp(line, "   ", 3) != 0)
			in = 0;
		if (!in)
			continue;
		if (line[2] != ' ')
			fprintf(out, "%s%.*s\n", found++ ? "       tipline " : "usage: tipline ",
			        (int)(end - line - 2), line + 2);
		else
			fprintf(out, "%.*s\n", (int)(end - line), line);
	}
	return found ? 0 : -1;
}

void cli_usage(void)
{
	print_usage(stderr, current);
	exit(2);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tipline: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage();
}

int cli_open_store(const struct config *cfg)
{
	if (store_open(&cfg->database) < 0) {
		if (store_error_is_permission())
			fprintf(stderr, "tipline: %s\n", store_errmsg());
		else
			fprintf(stderr, "tipline: cannot open the database %s\n",
			        cfg->database.path);
		return -1;
	}
	return 0;
}

/* --- inbox --- */

struct inbox_opts {
	int json;
};

/*
 * UTC text from the database as local time for a person (the system's time zone), into OUT;
 * NULL stays NULL. Returns OUT or NULL.
 */
static const char *local(const char *utc, char out[TS_LEN])
{
	if (utc == NULL)
		return NULL;
	if (ts_utc_to_local(utc, out) < 0)
		snprintf(out, TS_LEN, "%s", utc);
	return out;
}

static int print_inbox(const struct store_inbox_row *r, void *arg)
{
	const struct inbox_opts *o = arg;
	char sent[TS_LEN], read[TS_LEN];

	local(r->smsc_time, sent);
	local(r->received_at, read);
	if (o->json) {
		struct json j;

		json_begin(&j, stdout);
		json_key_int(&j, "id", r->id);
		json_key_str(&j, "sender", r->sender);
		json_key_str(&j, "smsc_time", r->smsc_time ? sent : NULL);
		json_key_str(&j, "received_at", read);
		json_key_str(&j, "text", r->text);
		json_key_str(&j, "coding", r->coding);
		json_key_int(&j, "parts", r->parts);
		json_key_int(&j, "parts_total", r->parts_total);
		json_key_bool(&j, "complete", r->complete);
		json_end(&j);
	} else {
		printf("%-5lld %s  %-14s %s%s\n", (long long)r->id, read, r->sender,
		       r->complete ? "" : "[incomplete] ", r->text);
	}
	return 0;
}

static int cmd_inbox(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
	                                     {"since", required_argument, NULL, 's'},
	                                     {"until", required_argument, NULL, 'u'},
	                                     {"limit", required_argument, NULL, 'l'},
	                                     {NULL, 0, NULL, 0}};
	struct inbox_opts o = {0};
	const char *since = NULL, *until = NULL;
	char from_utc[TS_LEN], to_utc[TS_LEN];
	int limit = 0, ch;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o.json = 1;
			break;
		case 's':
			since = optarg;
			if (cli_check_date(since) < 0)
				cli_usage_error("--since: \"%s\" is not a date (YYYY-MM-DD)",
				                since);
			break;
		case 'u':
			until = optarg;
			if (cli_check_date(until) < 0)
				cli_usage_error("--until: \"%s\" is not a date (YYYY-MM-DD)",
				                until);
			break;
		case 'l':
			if (cli_parse_int(optarg, 1, 1000000, &limit) < 0)
				cli_usage_error("--limit: \"%s\" is not a positive number", optarg);
			break;
		default:
			cli_usage();
		}
	}
	if (optind != argc)
		cli_usage_error("inbox: unexpected argument \"%s\"", argv[optind]);
	/* Local dates, both inclusive, as UTC bounds on the time each message was read. */
	cli_local_period(since, until, from_utc, to_utc);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (store_inbox_each(since ? from_utc : NULL, until ? to_utc : NULL, limit, print_inbox,
	                     &o) < 0)
		return cli_store_failed();
	return 0;
}

/* --- outbox --- */

static int print_outbox(const struct store_outbox_row *r, void *arg)
{
	const int *json = arg;
	char created[TS_LEN], due[TS_LEN], sent[TS_LEN];

	if (*json) {
		struct json j;

		json_begin(&j, stdout);
		json_key_int(&j, "id", r->id);
		json_key_str(&j, "recipient", r->recipient);
		json_key_str(&j, "text", r->text);
		json_key_str(&j, "status", r->status);
		json_key_str(&j, "kind", r->kind);
		json_key_int(&j, "priority", r->priority);
		if (r->inbox_id > 0)
			json_key_int(&j, "inbox_id", r->inbox_id);
		else
			json_key_null(&j, "inbox_id");
		json_key_str(&j, "created_at", local(r->created_at, created));
		json_key_str(&j, "not_before", local(r->not_before, due));
		json_key_int(&j, "attempts", r->attempts);
		json_key_int(&j, "handovers", r->handovers);
		if (r->parts > 0)
			json_key_int(&j, "parts", r->parts);
		else
			json_key_null(&j, "parts");
		json_key_str(&j, "last_error", r->last_error);
		json_key_str(&j, "sent_at", local(r->sent_at, sent));
		json_end(&j);
	} else {
		printf("%-5lld %-8s %-9s %-14s %s  %s\n", (long long)r->id, r->status, r->kind,
		       r->recipient, local(r->sent_at ? r->sent_at : r->not_before, sent), r->text);
	}
	return 0;
}

static int cmd_outbox(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
	                                     {"status", required_argument, NULL, 's'},
	                                     {NULL, 0, NULL, 0}};
	static const char *const statuses[] = {"queued", "sending", "sent", "failed", "cancelled"};
	const char *status = NULL;
	int json = 0, ch;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's': {
			size_t i;

			for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
				if (strcmp(statuses[i], optarg) == 0)
					break;
			if (i == sizeof statuses / sizeof statuses[0])
				cli_usage_error(
				    "--status: \"%s\" is not one of queued, sending, sent, "
				    "failed, cancelled",
				    optarg);
			status = optarg;
			break;
		}
		default:
			cli_usage();
		}
	}
	if (optind != argc)
		cli_usage_error("outbox: unexpected argument \"%s\"", argv[optind]);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (store_outbox_each(status, 0, print_outbox, &json) < 0)
		return cli_store_failed();
	return 0;
}

/* --- parse --- */

static int cmd_parse(const struct config *cfg, int argc, char **argv)
{
	struct parse_result res;

	if (argc > 2)
		cli_usage_error(
		    "parse: give one TEXT (quote it), or none to read lines from stdin");
	if (argc == 2) {
		parse_message(cfg->rules, argv[1], strlen(argv[1]), &res);
		parse_print_json(cfg->rules, argv[1], strlen(argv[1]), &res, stdout);
		return 0;
	}
	{
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;

		while ((len = getline(&line, &cap, stdin)) >= 0) {
			if (len > 0 && line[len - 1] == '\n')
				len--;
			if (len > 0 && line[len - 1] == '\r')
				len--;
			parse_message(cfg->rules, line, (size_t)len, &res);
			parse_print_json(cfg->rules, line, (size_t)len, &res, stdout);
		}
		free(line);
	}
	return 0;
}

/* --- sim --- */

static int print_sent(const char *file, const char *number, const char *text, int parts,
                      const char *coding, void *arg)
{
	const int *json = arg;

	if (*json) {
		struct json j;

		json_begin(&j, stdout);
		json_key_str(&j, "file", file);
		json_key_str(&j, "to", number);
		json_key_str(&j, "text", text);
		json_key_int(&j, "parts", parts);
		json_key_str(&j, "coding", coding);
		json_end(&j);
	} else {
		printf("%-14s (%d %s part%s) %s\n", number, parts, coding, parts == 1 ? "" : "s",
		       text);
	}
	return 0;
}

static int cmd_sim(const struct config *cfg, int argc, char **argv)
{
	if (strcmp(cfg->modem.model, "dummy") != 0) {
		fprintf(stderr,
		        "tipline: sim works only with the simulated modem (model = "
		        "\"dummy\"); %s uses model \"%s\"\n",
		        cfg->file, cfg->modem.model);
		return 1;
	}
	if (argc < 2)
		cli_usage_error("sim: say send, sent or report");
	if (strcmp(argv[1], "send") == 0) {
		static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
		                                     {"time", required_argument, NULL, 't'},
		                                     {"parts", required_argument, NULL, 'p'},
		                                     {"ref", required_argument, NULL, 'r'},
		                                     {NULL, 0, NULL, 0}};
		const char *from = NULL, *when = NULL;
		int order[64], norder = 0, ref = -1, ch;

		optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			switch (ch) {
			case 'f':
				from = optarg;
				break;
			case 't':
				when = optarg;
				if (cli_check_datetime(when) < 0)
					cli_usage_error("--time: \"%s\" is not YYYY-MM-DD HH:MM:SS",
					                when);
				break;
			case 'r':
				if (cli_parse_int(optarg, 0, 255, &ref) < 0)
					cli_usage_error("--ref: \"%s\" is not 0 to 255", optarg);
				break;
			case 'p': {
				char *s = optarg, *end;

				while (*s != '\0' && norder < 64) {
					long v = strtol(s, &end, 10);

					if (end == s || v < 1 || v > 255)
						cli_usage_error(
						    "--parts: \"%s\" is not a list of part "
						    "numbers such as 2,1,3",
						    optarg);
					order[norder++] = (int)v;
					s = *end == ',' ? end + 1 : end;
					if (*end != ',' && *end != '\0')
						cli_usage_error("--parts: \"%s\" is not a list of "
						                "part numbers such as 2,1,3",
						                optarg);
				}
				break;
			}
			default:
				cli_usage();
			}
		}
		if (from == NULL || from[0] == '\0')
			cli_usage_error("sim send: --from NUMBER is required");
		if (optind + 1 != argc - 1)
			cli_usage_error("sim send: give the TEXT as one argument (quote it)");
		return modem_sim_inject(cfg->modem.device, from, argv[argc - 1], when,
		                        norder ? order : NULL, (size_t)norder, ref) < 0;
	}
	if (strcmp(argv[1], "report") == 0) {
		static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
		                                     {"ref", required_argument, NULL, 'r'},
		                                     {NULL, 0, NULL, 0}};
		const char *from = NULL;
		int ref = -1, ch;

		optind = 0;
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			if (ch == 'f')
				from = optarg;
			else if (ch == 'r' && cli_parse_int(optarg, 0, 255, &ref) == 0)
				continue;
			else
				cli_usage_error("sim report: --from NUMBER --ref 0-255");
		}
		if (from == NULL || ref < 0 || optind != argc - 1)
			cli_usage_error("sim report: --from NUMBER --ref 0-255");
		return modem_sim_report(cfg->modem.device, from, ref) < 0;
	}
	if (strcmp(argv[1], "sent") == 0) {
		static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
		                                     {NULL, 0, NULL, 0}};
		char dir[1024];
		int json = 0, ch;

		optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
		while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
			if (ch == 'j')
				json = 1;
			else
				cli_usage();
		}
		if (optind != argc - 1)
			cli_usage_error("sim sent: unexpected argument \"%s\"", argv[optind + 1]);
		if (cfg->modem.sent_dir[0] != '\0')
			snprintf(dir, sizeof dir, "%s", cfg->modem.sent_dir);
		else
			snprintf(dir, sizeof dir, "%s/sent", cfg->modem.device);
		return modem_sim_sent_each(dir, print_sent, &json) < 0;
	}
	cli_usage_error("sim: unknown subcommand \"%s\" (send, sent or report)", argv[1]);
	return 2;
}

static const struct {
	const char *name;
	int (*fn)(const struct config *, int, char **);
} commands[] = {
    {"inbox", cmd_inbox},   {"outbox", cmd_outbox},   {"parse", cmd_parse},
    {"sim", cmd_sim},       {"contact", cli_contact}, {"tips", cli_tips},
    {"tip", cli_tip},       {"patrols", cli_patrols}, {"broadcast", cli_broadcast},
    {"group", cli_group},   {"team", cli_team},       {"alerts", cli_alerts},
    {"export", cli_export}, {"report", cli_report},   {"ussd", cli_ussd},
    {"status", cli_status}, {"serve", cli_serve},     {"forget", cli_forget},
    {"modem", cli_modem},   {"passwd", cli_passwd},   {"console", cli_console},
};

/* The index of command NAME in commands[], or -1. */
static int find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(commands[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* `tipline help [COMMAND]`: the summary or one command's usage, on stdout. */
static int help(int argc, char **argv)
{
	if (argc > 2)
		cli_usage_error("help: give one command at most");
	if (argc == 1) {
		print_usage(stdout, NULL);
		return 0;
	}
	if (find_command(argv[1]) < 0 && strcmp(argv[1], "help") != 0)
		cli_usage_error("help: unknown command \"%s\"", argv[1]);
	print_usage(stdout, argv[1]);
	return 0;
}

/* 1 if the command's arguments ask for its usage (-h or --help before any "--"). */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"version", no_argument, NULL, 'V'},
	                                     {NULL, 0, NULL, 0}};
	const char *file = DEFAULT_CONF;
	struct config *cfg;
	int ch, rc = 2, i;

	log_init("tipline", LOG_LEVEL_WARN);
	/* "+": stop at the command name; its own options are parsed by the command. */
	while ((ch = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'h':
			print_usage(stdout, NULL);
			return 0;
		case 'V':
			printf("tipline %s\n", TIPLINE_VERSION);
			return 0;
		default: /* getopt printed the one error line */
			cli_usage();
		}
	}
	if (optind >= argc)
		cli_usage();
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "help") == 0) {
		current = "help";
		return help(argc, argv);
	}
	i = find_command(argv[0]);
	if (i < 0)
		cli_usage_error("unknown command \"%s\"", argv[0]);
	current = commands[i].name;
	if (wants_help(argc, argv)) {
		print_usage(stdout, current);
		return 0;
	}
	cfg = config_load(file);
	if (cfg == NULL)
		return 1;
	rc = commands[i].fn(cfg, argc, argv);
	store_close();
	config_free(cfg);
	return rc;
}
