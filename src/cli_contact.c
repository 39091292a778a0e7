/* tipline contact: add, change, remove, list and import the registered people. */
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

/* The words a line's outcome is printed with. */
static const char *const import_words[] = {
    [ACT_IMPORT_ADD] = "added",
    [ACT_IMPORT_CHANGE] = "changed",
    [ACT_IMPORT_SAME] = "same",
    [ACT_IMPORT_REFUSED] = "refused",
};

/* A line of the import that changes something or is refused: "line N: what PHONE NAME: why". */
static int import_print(const struct act_import_line *l, void *ctx)
{
	(void)ctx;
	if (l->what == ACT_IMPORT_SAME)
		return 0;
	printf("line %d: %s %s %s%s%s\n", l->line, import_words[l->what], cli_safe(l->phone),
	       cli_safe(l->name), l->why[0] ? ": " : "", cli_safe(l->why));
	return 0;
}

/* contact rm PHONE */
static int contact_remove(const char *phone)
{
	struct act_who w;
	enum act_status st;

	act_who_officer(&w, NULL);
	if (store_begin() < 0)
		return cli_store_failed();
	st = act_contact_remove(&w, phone);
	if (st != ACT_OK)
		store_rollback();
	else if (store_commit() < 0)
		st = ACT_ERROR;
	if (st == ACT_NO_CONTACT || st == ACT_IN_USE) {
		fprintf(stderr, "tipline: %s %s\n", phone,
		        st == ACT_NO_CONTACT ? "is not a contact"
		                             : "has a console account: disable it instead");
		return 1;
	}
	if (st != ACT_OK)
		return cli_store_failed();
	printf("%s removed\n", phone);
	return 0;
}

/* contact import FILE [--dry-run]: every good line in one transaction (none with --dry-run). */
static int contact_import(const char *path, int dry_run)
{
	struct act_import_in in = {0};
	struct act_import_out out;
	struct act_who w;
	enum act_status st;
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "rb"), *m = NULL;
	int rc = 1;

	if (f == NULL) {
		fprintf(stderr, "tipline: %s: %m\n", path);
		return 1;
	}
	if ((m = open_memstream(&text, &len)) == NULL)
		goto out;
	for (char b[65536];;) {
		size_t n = fread(b, 1, sizeof b, f);

		if (n > 0 && fwrite(b, 1, n, m) != n)
			goto out;
		if (n < sizeof b)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "tipline: %s: %m\n", path);
		goto out;
	}
	fclose(m);
	m = NULL;
	in.text = text;
	in.len = len;
	in.dry_run = dry_run;
	in.line_fn = import_print;
	act_who_officer(&w, NULL);
	if (store_begin() < 0) {
		rc = cli_store_failed();
		goto out;
	}
	st = act_contacts_import(&w, &in, &out);
	if (st != ACT_OK || dry_run)
		store_rollback();
	else if (store_commit() < 0)
		st = ACT_ERROR;
	if (st == ACT_BAD_INPUT) {
		fprintf(stderr, "tipline: %s: %s\n", path, out.error);
		goto out;
	}
	if (st != ACT_OK) {
		rc = cli_store_failed();
		goto out;
	}
	printf("%d added, %d changed, %d the same, %d refused%s\n", out.added, out.changed,
	       out.same, out.refused, dry_run ? " (dry run: nothing written)" : "");
	rc = 0;
out:
	if (m != NULL)
		fclose(m);
	fclose(f);
	free(text);
	return rc;
}

int cli_contact(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},       {"village", required_argument, NULL, 'v'},
	    {"role", required_argument, NULL, 'r'},       {"team", required_argument, NULL, 't'},
	    {"subscribed", required_argument, NULL, 's'}, {"json", no_argument, NULL, 'j'},
	    {"pin", required_argument, NULL, 'p'},        {"dry-run", no_argument, NULL, 'd'},
	    {"tip-alerts", required_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
	const char *name = NULL, *village = NULL, *role = NULL, *team = NULL, *pin = NULL;
	const char *tip_alerts = NULL;
	int subscribed = -1, json = 0, dry_run = 0, ch;
	const char *sub;
	char phone[24], hash[160];
	struct act_contact_in in = {0};
	struct act_who w;
	enum act_status st;

	if (argc < 2)
		cli_usage_error("contact: say add, set, rm, list or import");
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
		case 'd':
			dry_run = 1;
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
	if (dry_run && strcmp(sub, "import") != 0)
		cli_usage_error("contact %s: --dry-run is for import", sub);
	if (strcmp(sub, "import") == 0) {
		if (argc != 1 || name || village || role || team || subscribed >= 0 || pin ||
		    json || tip_alerts)
			cli_usage_error("contact import: give one FILE (and --dry-run)");
		if (cli_open_store(cfg) < 0)
			return 1;
		return contact_import(argv[0], dry_run);
	}
	if (strcmp(sub, "list") == 0) {
		if (argc != 0 || name || village || team || subscribed >= 0 || tip_alerts)
			cli_usage_error("contact list: takes only --role and --json");
		if (cli_open_store(cfg) < 0)
			return 1;
		return cli_list(store_list_contacts, role, json);
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "set") != 0 && strcmp(sub, "rm") != 0)
		cli_usage_error("contact: unknown subcommand \"%s\" (add, set, rm, list or import)",
		                sub);
	if (argc != 1)
		cli_usage_error("contact %s: give one PHONE number", sub);
	if (text_phone_e164(argv[0], cfg->country_code, phone, sizeof phone) < 0)
		cli_usage_error("contact %s: \"%s\" is not a phone number", sub, argv[0]);
	if (strcmp(sub, "rm") == 0 &&
	    (name || village || role || team || subscribed >= 0 || pin || tip_alerts))
		cli_usage_error("contact rm: give only the PHONE");
	if (cli_open_store(cfg) < 0)
		return 1;
	if (strcmp(sub, "rm") == 0)
		return contact_remove(phone);
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
