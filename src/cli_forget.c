/*
 * `tipline forget NUMBER [--yes]` (issue 13): erase a number from every table but a
 * registered contact's own row and group memberships. Without --yes the same changes run in a
 * transaction that is rolled back, so what it prints is exactly what --yes would change.
 *
 * Exit status: 0 forgotten (or no row holds the number), 1 the database failed, 2 bad
 * arguments, 3 without --yes: nothing changed, the rows listed need --yes.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "store.h"
#include "text.h"

#define FORGET_NEEDS_YES 3

/*
 * The spellings of E164 ("+84905111444") a sender column may hold: as given, without the '+',
 * national with the trunk 0, bare national digits, and with the international prefix 00.
 * A number of another country (not +CC...) has no national forms: its slots repeat E164.
 */
static void number_forms(const char *e164, const char *cc, char buf[STORE_FORGET_FORMS][40],
                         const char *forms[STORE_FORGET_FORMS])
{
	size_t ccl = strlen(cc);
	const char *digits = e164 + 1;

	for (int i = 0; i < STORE_FORGET_FORMS; i++)
		snprintf(buf[i], sizeof buf[i], "%s", e164);
	snprintf(buf[1], sizeof buf[1], "%s", digits);
	snprintf(buf[4], sizeof buf[4], "00%s", digits);
	if (strncmp(digits, cc, ccl) == 0 && digits[ccl] != '\0') {
		snprintf(buf[2], sizeof buf[2], "0%s", digits + ccl);
		snprintf(buf[3], sizeof buf[3], "%s", digits + ccl);
	}
	for (int i = 0; i < STORE_FORGET_FORMS; i++)
		forms[i] = buf[i];
}

static void print_counts(const struct store_forget *f)
{
	for (int t = 0; t < STORE_FG_COUNT; t++)
		if (f->changed[t] > 0)
			printf("  %-20s %d\n", store_forget_table_name((enum store_forget_table)t),
			       f->changed[t]);
}

/* What keeps the number because it is still in use; printed either way. */
static void print_kept(const char *phone, const struct store_contact *c,
                       const struct store_forget *f)
{
	if (c->found)
		printf("%s is a registered contact%s%s%s: its contact row and group memberships "
		       "are kept (they registered)\n",
		       phone, c->name[0] ? " (" : "", cli_safe(c->name), c->name[0] ? ")" : "");
	if (f->outbox_waiting > 0)
		printf("kept: %d outbox message%s still to be sent (run forget again once sent)\n",
		       f->outbox_waiting, f->outbox_waiting == 1 ? "" : "s");
	if (f->parts_waiting > 0)
		printf("kept: %d part%s of a message still waiting for the rest\n",
		       f->parts_waiting, f->parts_waiting == 1 ? "" : "s");
	if (f->ussd_open > 0)
		printf("kept: %d USSD session%s still open\n", f->ussd_open,
		       f->ussd_open == 1 ? "" : "s");
}

int cli_forget(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"yes", no_argument, NULL, 'y'}, {NULL, 0, NULL, 0}};
	char phone[32], buf[STORE_FORGET_FORMS][40];
	const char *forms[STORE_FORGET_FORMS];
	struct store_contact c;
	struct store_forget f;
	struct act_who w;
	int yes = 0, ch;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'y')
			cli_usage();
		yes = 1;
	}
	if (argc - optind != 1)
		cli_usage_error("forget: give one phone NUMBER");
	if (text_phone_e164(argv[optind], cfg->country_code, phone, sizeof phone) < 0)
		cli_usage_error("forget: \"%s\" is not a phone number", argv[optind]);
	number_forms(phone, cfg->country_code, buf, forms);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (store_begin() < 0)
		return cli_store_failed();
	act_who_officer(&w, NULL);
	if (store_contact_get(phone, &c) < 0 || act_forget_number(&w, forms, &f) != ACT_OK) {
		store_rollback();
		return cli_store_failed();
	}
	if (!yes || f.total == 0) {
		store_rollback();
		if (f.total == 0 && f.outbox_waiting + f.parts_waiting + f.ussd_open == 0)
			printf("no row holds %s: nothing to forget\n", phone);
		else if (f.total == 0)
			printf("nothing to forget for %s now\n", phone);
		else {
			printf("forget %s would erase the number from:\n", phone);
			print_counts(&f);
		}
		print_kept(phone, &c, &f);
		if (f.total == 0)
			return 0;
		printf("nothing changed: run tipline forget %s --yes to erase it\n", phone);
		return FORGET_NEEDS_YES;
	}
	if (store_commit() < 0)
		return cli_store_failed();
	printf("forgot %s: %d row%s changed\n", phone, f.total, f.total == 1 ? "" : "s");
	print_counts(&f);
	print_kept(phone, &c, &f);
	return 0;
}
