/* tipline contact: add, change and list the registered people. */
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "json.h"
#include "pin.h"
#include "store.h"
#include "text.h"

static const char *check_role(const char *r)
{
	if (store_role_parse(r) == ROLE_KEEP)
		cli_usage_error("--role: \"%s\" is not villager, leader or officer", r);
	return r;
}

/* Team codes are letters then digits (TQ3), stored uppercase like the parser's. */
static const char *check_team(char *t)
{
	if (cli_team_code(t) == NULL)
		cli_usage_error("--team: \"%s\" is not a team code such as TQ3", t);
	return t;
}

int cli_contact(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
	                                     {"village", required_argument, NULL, 'v'},
	                                     {"role", required_argument, NULL, 'r'},
	                                     {"team", required_argument, NULL, 't'},
	                                     {"subscribed", required_argument, NULL, 's'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"pin", required_argument, NULL, 'p'},
	                                     {"tip-alerts", required_argument, NULL, 'a'},
	                                     {NULL, 0, NULL, 0}};
	const char *name = NULL, *village = NULL, *role = NULL, *team = NULL, *pin = NULL;
	const char *tip_alerts = NULL;
	int subscribed = -1, json = 0, ch;
	const char *sub;
	char phone[24], hash[160];
	struct act_contact_in in = {0};
	struct act_who w;
	enum act_status st;

	if (argc < 2)
		cli_usage_error("contact: say add, set or list");
	sub = argv[1];
	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'v':
			village = optarg;
			break;
		case 'r':
			role = check_role(optarg);
			break;
		case 't':
			team = check_team(optarg);
			break;
		case 's':
			if (strcmp(optarg, "yes") == 0)
				subscribed = 1;
			else if (strcmp(optarg, "no") == 0)
				subscribed = 0;
			else
				cli_usage_error("--subscribed: say yes or no, not \"%s\"", optarg);
			break;
		case 'j':
			json = 1;
			break;
		case 'a':
			if (strcmp(optarg, "all") != 0 && strcmp(optarg, "urgent") != 0 &&
			    strcmp(optarg, "none") != 0)
				cli_usage_error("--tip-alerts: say all, urgent or none, not \"%s\"",
				                optarg);
			tip_alerts = optarg;
			break;
		case 'p':
			if (strlen(optarg) < 4 || strlen(optarg) > 15 ||
			    strspn(optarg, "0123456789") != strlen(optarg))
				cli_usage_error("--pin: 4 to 15 digits, please");
			pin = optarg;
			break;
		default:
			cli_usage();
		}
	}
	argc -= 1 + optind;
	argv += 1 + optind;
	if (strcmp(sub, "list") == 0) {
		if (argc != 0 || name || village || team || subscribed >= 0 || tip_alerts)
			cli_usage_error("contact list: takes only --role and --json");
		if (cli_open_store(cfg) < 0)
			return 1;
		return cli_list(store_list_contacts, role, json);
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "set") != 0)
		cli_usage_error("contact: unknown subcommand \"%s\" (add, set or list)", sub);
	if (argc != 1)
		cli_usage_error("contact %s: give one PHONE number", sub);
	if (text_phone_e164(argv[0], cfg->country_code, phone, sizeof phone) < 0)
		cli_usage_error("contact %s: \"%s\" is not a phone number", sub, argv[0]);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (pin != NULL && pin_hash(pin, hash, sizeof hash) < 0) {
		fprintf(stderr, "tipline: cannot hash the PIN\n");
		return 1;
	}
	in.phone = phone;
	in.create = strcmp(sub, "add") == 0;
	in.name = name;
	in.village = village;
	in.team = team;
	in.role = store_role_parse(role);
	in.subscribed = subscribed;
	in.pin_hash = pin != NULL ? hash : NULL;
	in.tip_alerts = tip_alerts;
	act_who_officer(&w, NULL);
	/* The contact and its PIN in one transaction: both or neither. */
	if (store_begin() < 0)
		return cli_store_failed();
	st = act_contact_set(&w, &in);
	if (st != ACT_OK)
		store_rollback();
	else if (store_commit() < 0)
		st = ACT_ERROR;
	if (st == ACT_EXISTS || st == ACT_NO_CONTACT) {
		fprintf(stderr, "tipline: %s %s\n", phone,
		        st == ACT_EXISTS ? "is already a contact (use contact set)"
		                         : "is not a contact (use contact add)");
		return 1;
	}
	if (st != ACT_OK)
		return cli_store_failed();
	printf("%s %s\n", phone, in.create ? "added" : "updated");
	return 0;
}
