/*
 * tipline subcommands over tips: the filtered listing (`tips`), one tip with its supplements
 * and history (`tip REF`), triage (`tip mark REF STATUS`) and answers to the tipster
 * (`tip answer REF TEXT`). Times are shown in local time;
 * dates typed are local dates, inclusive.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "act.h"
#include "cli.h"
#include "config.h"
#include "json.h"
#include "parse.h"
#include "report.h"
#include "store.h"
#include "ts.h"

static const char *const statuses[] = {STORE_TIP_STATUSES};
#define NSTATUSES (sizeof statuses / sizeof statuses[0])

static const char *check_status(const char *s)
{
	for (size_t i = 0; i < NSTATUSES; i++)
		if (strcmp(statuses[i], s) == 0)
			return s;
	cli_usage_error("\"%s\" is not a tip status (new, checking, valuable, false, closed)", s);
}

/*
 * R with its UTC time columns (*_at, at) in local time, into OUT; the texts live in BUF.
 * Valid as long as R and BUF are.
 */
static void local_row(const struct store_row *r, struct store_row *out,
                      char buf[STORE_MAX_COLS][TS_LEN])
{
	*out = *r;
	for (int i = 0; i < r->n; i++) {
		size_t n = strlen(r->name[i]);

		if (r->val[i] == NULL || !(strcmp(r->name[i], "at") == 0 ||
		                           (n > 3 && strcmp(r->name[i] + n - 3, "_at") == 0)))
			continue;
		if (ts_utc_to_local(r->val[i], buf[i]) == 0)
			out->val[i] = buf[i];
	}
}

struct listing {
	int json;
	int header; /* the header line is still to print (text) */
};

static int print_tip_row(const struct store_row *r, void *ctx)
{
	struct listing *l = ctx;
	char buf[STORE_MAX_COLS][TS_LEN];
	struct store_row lr;

	local_row(r, &lr, buf);
	if (!l->json && l->header) {
		for (int i = 0; i < lr.n; i++)
			printf("%s%s", i ? "\t" : "", lr.name[i]);
		putchar('\n');
		l->header = 0;
	}
	return cli_print_row(&lr, l->json);
}

int cli_tips(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"status", required_argument, NULL, 's'},
	                                     {"category", required_argument, NULL, 'c'},
	                                     {"village", required_argument, NULL, 'v'},
	                                     {"since", required_argument, NULL, 'S'},
	                                     {"until", required_argument, NULL, 'U'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {NULL, 0, NULL, 0}};
	struct store_tip_filter f = {0};
	struct listing l = {0, 1};
	struct report_period since, until;
	const char *since_d = NULL, *until_d = NULL;
	int ch;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			f.status = check_status(optarg);
			break;
		case 'c': {
			int k, n = parse_category_count(cfg->rules);

			for (k = 0; k < n; k++)
				if (strcmp(parse_category_name(cfg->rules, k), optarg) == 0)
					break;
			if (k == n)
				cli_usage_error("--category: \"%s\" is not a configured category",
				                optarg);
			f.category = optarg;
			break;
		}
		case 'v':
			if (optarg[0] == '\0')
				cli_usage_error("--village: give a village");
			f.village = optarg;
			break;
		case 'S':
		case 'U':
			/* A local date: its day's UTC bounds. */
			if (report_period_days(optarg, optarg, ch == 'S' ? &since : &until) < 0)
				cli_usage_error("--%s: \"%s\" is not a date (YYYY-MM-DD)",
				                ch == 'S' ? "since" : "until", optarg);
			if (ch == 'S') {
				since_d = optarg;
				f.since = since.start_utc;
			} else {
				until_d = optarg;
				f.until = until.end_utc;
			}
			break;
		case 'j':
			l.json = 1;
			break;
		default:
			cli_usage();
		}
	}
	if (optind != argc)
		cli_usage_error("tips: unexpected argument \"%s\"", argv[optind]);
	if (since_d != NULL && until_d != NULL && strcmp(since_d, until_d) > 0)
		cli_usage_error("tips: --since %s is after --until %s", since_d, until_d);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (store_list_tips(&f, print_tip_row, &l) < 0)
		return cli_store_failed();
	return 0;
}

/* ---- tip REF ---- */

struct show {
	struct json j;
	int json;
};

/* R's columns as members of the JSON object being written. */
static void json_members(struct json *j, const struct store_row *r)
{
	for (int i = 0; i < r->n; i++) {
		if (r->val[i] == NULL)
			json_key_null(j, r->name[i]);
		else if (r->numeric[i])
			json_key_int(j, r->name[i], strtoll(r->val[i], NULL, 10));
		else
			json_key_str(j, r->name[i], r->val[i]);
	}
}

/* The tip's own row: JSON members of the one object, or "name  value" lines. */
static int show_tip(const struct store_row *r, void *ctx)
{
	struct show *sh = ctx;
	char buf[STORE_MAX_COLS][TS_LEN];
	struct store_row lr;

	local_row(r, &lr, buf);
	if (sh->json) {
		json_members(&sh->j, &lr);
		return 0;
	}
	for (int i = 0; i < lr.n; i++)
		printf("%-12s %s\n", lr.name[i], lr.val[i] ? cli_safe(lr.val[i]) : "-");
	return 0;
}

/* A supplement or an event: an element of the JSON array, or one line after LABEL. */
static int show_item(const struct store_row *r, struct show *sh, const char *label)
{
	char buf[STORE_MAX_COLS][TS_LEN];
	struct store_row lr;

	local_row(r, &lr, buf);
	if (sh->json) {
		json_array_object(&sh->j);
		json_members(&sh->j, &lr);
		json_object_end(&sh->j);
		return 0;
	}
	printf("%-12s", label);
	for (int i = 0; i < lr.n; i++)
		printf(" %s", lr.val[i] ? cli_safe(lr.val[i]) : "-");
	putchar('\n');
	return 0;
}

static int show_supplement(const struct store_row *r, void *ctx)
{
	return show_item(r, ctx, "supplement");
}

/* "at by from to note": the text form says "from -> to". */
static int show_event(const struct store_row *r, void *ctx)
{
	struct show *sh = ctx;
	char at[TS_LEN];

	if (sh->json)
		return show_item(r, sh, "history");
	if (r->n < 5 || ts_utc_to_local(r->val[0], at) < 0)
		snprintf(at, sizeof at, "%s", r->val[0] ? r->val[0] : "-");
	if (r->n > 6 && r->val[5] != NULL && strcmp(r->val[5], "1") == 0) {
		printf("%-12s %s  %s  %s: %s\n", "answer", at, cli_safe(r->val[1]),
		       r->val[6] ? "given" : "waiting", r->val[4] ? cli_safe(r->val[4]) : "");
		return 0;
	}
	printf("%-12s %s  %s  %s -> %s%s%s\n", "history", at, cli_safe(r->val[1]),
	       cli_safe(r->val[2]), cli_safe(r->val[3]), r->val[4] ? "  " : "",
	       r->val[4] ? cli_safe(r->val[4]) : "");
	return 0;
}

static int tip_show(const struct config *cfg, const char *ref, int json)
{
	struct show sh = {{0}, json};
	struct store_tip t;
	int rc = 1;

	if (cli_open_store(cfg) < 0)
		return 1;
	if (store_tip_get(ref, &t) < 0)
		return cli_store_failed();
	if (!t.found) {
		fprintf(stderr, "tipline: no tip %s\n", ref);
		return 1;
	}
	if (json)
		json_begin(&sh.j, stdout);
	if (store_list_tip(ref, 1, show_tip, &sh) < 0)
		goto out;
	if (json)
		json_key_array(&sh.j, "supplements");
	if (store_list_tip_supplements(ref, 0, show_supplement, &sh) < 0)
		goto out;
	if (json) {
		json_array_end(&sh.j);
		json_key_array(&sh.j, "history");
	}
	if (store_list_tip_events(ref, 0, show_event, &sh) < 0)
		goto out;
	if (json) {
		json_array_end(&sh.j);
		json_end(&sh.j);
	}
	rc = 0;
out:
	return rc == 0 ? 0 : cli_store_failed();
}

/* ---- tip mark REF STATUS ---- */

/* Who is marking: the login name (getlogin, then $USER, then the password entry). */
static const char *login_name(void)
{
	const char *s = getlogin();
	struct passwd *pw;

	if (s != NULL && s[0] != '\0')
		return s;
	s = getenv("USER");
	if (s != NULL && s[0] != '\0')
		return s;
	pw = getpwuid(getuid());
	return pw != NULL && pw->pw_name[0] != '\0' ? pw->pw_name : "unknown";
}

/*
 * The options of tip mark and tip answer: --note TEXT into *NOTE (tip mark's: NOTE NULL for a
 * command without it), --by NAME into *BY (login_name() when not given), and the command's one
 * flag --FLAG (--notify, --dry-run) into *FLAGP. Then exactly two operands, else the usage with
 * NEED. Returns them (ARGV's strings: the caller's; so are *NOTE and *BY unless login_name()'s).
 */
static char **tip_options(int argc, char **argv, const char **note, const char **by,
                          const char *flag, int *flagp, const char *need)
{
	struct option opts[4] = {{0}};
	int n = 0, ch;

	/* In the order each command always listed them: getopt's messages name them so. */
	if (note != NULL)
		opts[n++] = (struct option){"note", required_argument, NULL, 'n'};
	opts[n++] = (struct option){"by", required_argument, NULL, 'b'};
	opts[n++] = (struct option){flag, no_argument, NULL, 'f'};
	*by = NULL;
	*flagp = 0;
	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			*note = optarg;
			break;
		case 'b':
			if (optarg[0] == '\0')
				cli_usage_error("--by: give a name");
			*by = optarg;
			break;
		case 'f':
			*flagp = 1;
			break;
		default:
			cli_usage();
		}
	}
	if (argc - optind != 2)
		cli_usage_error("%s", need);
	if (*by == NULL)
		*by = login_name();
	return argv + optind;
}

static int tip_mark(const struct config *cfg, int argc, char **argv)
{
	const char *note = NULL, *by, *ref, *to;
	struct act_who w;
	struct act_mark_out out;
	enum act_status st;
	int notify;
	char **arg = tip_options(argc, argv, &note, &by, "notify", &notify,
	                         "tip mark: give a reference and a status, such as T12 checking");

	ref = arg[0];
	to = check_status(arg[1]);
	if (cli_open_store(cfg) < 0)
		return 1;
	act_who_officer(&w, by);
	/* Read and write in one transaction: the "from" recorded is the status changed. */
	if (store_begin() < 0)
		return cli_store_failed();
	st = act_tip_mark(&w, ref, to, note, notify, &out);
	if (store_end(st == ACT_OK) < 0)
		st = ACT_ERROR;
	if (st == ACT_ERROR)
		return cli_store_failed();
	if (st != ACT_OK) {
		if (st == ACT_NOT_FOUND)
			fprintf(stderr, "tipline: no tip %s\n", ref);
		else if (st == ACT_UNCHANGED)
			fprintf(stderr, "tipline: tip %s is already %s: nothing changed\n", ref,
			        to);
		else
			fprintf(stderr,
			        "tipline: tip %s: the tipster's number is not known (%s): no "
			        "thank-you sent, nothing changed\n",
			        ref, out.anonymous ? "an anonymous tip" : "not a phone number");
		return 1;
	}
	printf("%s: %s -> %s%s\n", ref, out.from, to, out.notified ? " (thank-you queued)" : "");
	return 0;
}

/* ---- tip answer REF TEXT ---- */

static int tip_answer(const struct config *cfg, int argc, char **argv)
{
	const char *by, *ref, *text;
	struct act_who w;
	struct act_answer_out out;
	enum act_status st;
	int dry_run;
	char **arg =
	    tip_options(argc, argv, NULL, &by, "dry-run", &dry_run,
	                "tip answer: give a reference and the answer, such as T12 \"...\"");

	ref = arg[0];
	text = arg[1];
	if (text[0] == '\0')
		cli_usage_error("tip answer: the answer is empty");
	if (strlen(text) > ACT_ANSWER_MAX)
		cli_usage_error("tip answer: the answer is %zu bytes, more than %d", strlen(text),
		                ACT_ANSWER_MAX);
	if (cli_open_store(cfg) < 0)
		return 1;
	act_who_officer(&w, by);
	if (store_begin() < 0)
		return cli_store_failed();
	st = act_tip_answer(&w, ref, text, dry_run, &out);
	if (st != ACT_OK || dry_run) {
		store_rollback();
		if (st == ACT_NOT_FOUND) {
			fprintf(stderr, "tipline: no tip %s\n", ref);
			return 1;
		}
		if (st != ACT_OK)
			return cli_store_failed();
	} else if (store_commit() < 0) {
		return cli_store_failed();
	}
	if (out.waits)
		printf("%s: %s: the answer waits for the tipster's next TT or BS with the tip's "
		       "secret%s\n",
		       ref, out.anonymous ? "an anonymous tip" : "not a phone number",
		       dry_run ? " (dry run: nothing written)" : "");
	else
		printf("%s: %s %d part%s (%s%s), about %lld: %s\n", ref,
		       dry_run ? "would send" : "queued", out.parts, out.parts == 1 ? "" : "s",
		       out.ucs2 ? "UCS-2" : "GSM-7", out.folded ? ", diacritics folded" : "",
		       (long long)out.parts * cfg->ussd.price_per_part, cli_safe(out.text));
	return 0;
}

int cli_tip(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
	int json = 0, ch;

	if (argc >= 2 && strcmp(argv[1], "mark") == 0)
		return tip_mark(cfg, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "answer") == 0)
		return tip_answer(cfg, argc - 1, argv + 1);
	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else
			cli_usage();
	}
	if (argc - optind != 1)
		cli_usage_error("tip: give one reference, such as T12 (or: tip mark REF STATUS)");
	return tip_show(cfg, argv[optind], json);
}
