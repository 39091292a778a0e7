/*
 * tipline: the officers' command-line tool. This file only dispatches: each command lives in
 * its cli_<family>.c (cli.h). Every subcommand works on the store (or, for `sim`, on the
 * simulated phone's directory); none of them talks to a real modem.
 *
 * Exit status: 0 done, 1 failed (database, files), 2 bad arguments (after printing usage);
 * forget without --yes: 3 (nothing changed).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "log.h"
#include "store.h"
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
    "  sim send --from NUMBER [--time T] [--parts 2,1] [--ref N] [--modem NAME] TEXT\n"
    "                                              put an SMS into the simulated phone\n"
    "  sim sent [--json] [--modem NAME]            what the daemon sent through it\n"
    "  sim report --from NUMBER --ref N [--modem NAME]\n"
    "                                              a delivery report into the simulated "
    "phone\n" CLI_USAGE_MORE "\n"
    "  help [COMMAND]                              this summary, or one command's usage\n"
    "\n"
    "  -c file   configuration (default " DEFAULT_CONF ")\n"
    "  -h        this summary (COMMAND --help: that command's usage)\n"
    "  -V        the version\n";

static const struct {
	const char *name;
	int (*fn)(const struct config *, int, char **);
} commands[] = {
    {"inbox", cli_inbox},   {"outbox", cli_outbox},     {"parse", cli_parse},
    {"sim", cli_sim},       {"contact", cli_contact},   {"tips", cli_tips},
    {"tip", cli_tip},       {"patrols", cli_patrols},   {"broadcast", cli_broadcast},
    {"group", cli_group},   {"team", cli_team},         {"alerts", cli_alerts},
    {"export", cli_export}, {"report", cli_report},     {"ussd", cli_ussd},
    {"status", cli_status}, {"serve", cli_serve},       {"forget", cli_forget},
    {"modem", cli_modem},   {"passwd", cli_passwd},     {"console", cli_console},
    {"sync", cli_sync},     {"district", cli_district},
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
		cli_print_usage(stdout, NULL);
		return 0;
	}
	if (find_command(argv[1]) < 0 && strcmp(argv[1], "help") != 0)
		cli_usage_error("help: unknown command \"%s\"", argv[1]);
	cli_print_usage(stdout, argv[1]);
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
	cli_set_usage(usage_text);
	/* "+": stop at the command name; its own options are parsed by the command. */
	while ((ch = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'h':
			cli_print_usage(stdout, NULL);
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
		cli_set_command("help");
		return help(argc, argv);
	}
	i = find_command(argv[0]);
	if (i < 0)
		cli_usage_error("unknown command \"%s\"", argv[0]);
	cli_set_command(commands[i].name);
	if (wants_help(argc, argv)) {
		cli_print_usage(stdout, commands[i].name);
		return 0;
	}
	/* The district's server has no commune's configuration: district needs none. */
	if (commands[i].fn == cli_district)
		return cli_district(NULL, argc, argv);
	cfg = config_load(file);
	if (cfg == NULL)
		return 1;
	/* The actions (act.h): every command that changes something goes through them. */
	if (act_init(cfg) < 0) {
		config_free(cfg);
		return 1;
	}
	rc = commands[i].fn(cfg, argc, argv);
	store_close();
	act_close();
	config_free(cfg);
	return rc;
}
