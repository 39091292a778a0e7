/*
 * tipline subcommands about teams and their check-ins: patrols (local times, local periods),
 * team set/list (the expected patrol nights the daemon watches) and alerts (what it raised).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "store.h"
#include "ts.h"

/* patrols [--since DATE] [--until DATE] [--json]: local dates, both inclusive, on the start. */
int cli_patrols(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"since", required_argument, NULL, 's'},
	                                     {"until", required_argument, NULL, 'u'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {NULL, 0, NULL, 0}};
	const char *since = NULL, *until = NULL;
	char from[TS_LEN], to[TS_LEN];
	struct cli_listing l = {0, 1};
	int ch;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'u':
			if (cli_check_date(optarg) < 0)
				cli_usage_error("--%s: \"%s\" is not a date (YYYY-MM-DD)",
				                ch == 's' ? "since" : "until", optarg);
			*(ch == 's' ? &since : &until) = optarg;
			break;
		case 'j':
			l.json = 1;
			break;
		default:
			cli_usage();
		}
	}
	if (optind != argc)
		cli_usage_error("patrols: unexpected argument \"%s\"", argv[optind]);
	cli_local_period(since, until, from, to);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (store_list_patrols(since ? from : NULL, until ? to : NULL, 0, cli_listing_row, &l) < 0)
		return cli_store_failed();
	return 0;
}

static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/*
 * "mon,wed,sat" (any case, any order, repeats allowed) into OUT in week order, lowercase;
 * "none" or "" into "". 0, or -1 when a word is not a day's name.
 */
static int parse_nights(const char *s, char *out, size_t sz)
{
	int have[7] = {0};
	size_t n = 0;

	out[0] = '\0';
	if (strcasecmp(s, "none") == 0 || s[0] == '\0')
		return 0;
	for (const char *p = s;;) {
		size_t len = strcspn(p, ",");
		int d;

		for (d = 0; d < 7; d++)
			if (len == 3 && strncasecmp(p, day_names[d], 3) == 0)
				break;
		if (d == 7)
			return -1;
		have[d] = 1;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	for (int d = 0; d < 7; d++)
		if (have[d])
			n += (size_t)snprintf(out + n, sz - n, "%s%s", n ? "," : "", day_names[d]);
	return 0;
}

/* team set CODE [--nights mon,wed,sat|none] [--by HH:MM] | team list [--json] */
int cli_team(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"nights", required_argument, NULL, 'n'},
	                                     {"by", required_argument, NULL, 'b'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {NULL, 0, NULL, 0}};
	const char *nights_arg = NULL, *by = NULL, *sub;
	char nights[32], code[32];
	struct act_who w;
	int json = 0, ch;

	if (argc < 2)
		cli_usage_error("team: say set or list");
	sub = argv[1];
	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (parse_nights(optarg, nights, sizeof nights) < 0)
				cli_usage_error("--nights: \"%s\" is not a list of days such as "
				                "mon,wed,sat (or none)",
				                optarg);
			nights_arg = optarg;
			break;
		case 'b':
			if (act_hhmm(optarg) < 0)
				cli_usage_error(
				    "--by: \"%s\" is not a local time HH:MM such as 21:00", optarg);
			by = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			cli_usage();
		}
	}
	argc -= 1 + optind;
	argv += 1 + optind;
	if (strcmp(sub, "list") == 0) {
		if (argc != 0 || nights_arg != NULL || by != NULL)
			cli_usage_error("team list: takes only --json");
		if (cli_open_store(cfg) < 0)
			return 1;
		return cli_list(store_list_teams, NULL, json);
	}
	if (strcmp(sub, "set") != 0)
		cli_usage_error("team: unknown subcommand \"%s\" (set or list)", sub);
	if (argc != 1)
		cli_usage_error("team set: give one team code, such as TQ3");
	snprintf(code, sizeof code, "%s", argv[0]);
	if (cli_team_code(code) == NULL)
		cli_usage_error("team set: \"%s\" is not a team code such as TQ3", argv[0]);
	if (nights_arg == NULL && by == NULL)
		cli_usage_error("team set: say --nights DAYS and/or --by HH:MM");
	if (json)
		cli_usage_error("team set: --json does not apply");
	if (cli_open_store(cfg) < 0)
		return 1;
	act_who_officer(&w, NULL);
	if (store_begin() < 0 ||
	    act_team_nights(&w, code, nights_arg ? nights : NULL, by) != ACT_OK ||
	    store_commit() < 0) {
		store_rollback();
		return cli_store_failed();
	}
	printf("team %s: nights %s, by %s\n", code,
	       nights_arg ? (nights[0] ? nights : "none") : "unchanged", by ? by : "unchanged");
	return 0;
}

/* alerts [--json]: every alert raised, oldest first, local times. */
int cli_alerts(const struct config *cfg, int argc, char **argv)
{
	int json = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			cli_usage_error("alerts: unexpected argument \"%s\"", argv[i]);
	}
	if (cli_open_store(cfg) < 0)
		return 1;
	return cli_list(store_list_alerts, NULL, json);
}
