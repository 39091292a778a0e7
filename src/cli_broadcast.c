/* tipline broadcast and group subcommands. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "act.h"
#include "broadcast.h"
#include "cli.h"
#include "config.h"
#include "store.h"
#include "text.h"
#include "ts.h"

/* "YYYY-MM-DD HH:MM[:SS]" in local time (as officers think) → UTC 'YYYY-MM-DD HH:MM:SS'. */
static int local_to_utc(const char *s, char out[TS_LEN])
{
	/* A bare date is refused: a broadcast at midnight is rarely what was meant. */
	return strchr(s, ' ') == NULL ? -1 : ts_local_to_utc(s, out);
}

/*
 * Issue 25: the spread over the modems and what it costs with on-net routing and without.
 * One modem: that line only (its network's prices, else ussd.price_per_part). The "cost:"
 * line above it is the held-broadcast check's (one modem: ussd.price_per_part; several: the
 * shares on-net first, each at its SIM's prices, the same as the "on-net:" line's first).
 */
static void print_split(const struct config *cfg, const struct broadcast_split *sp)
{
	if (cfg->nmodems > 1) {
		printf("modems:     ");
		for (int i = 0; i < sp->n; i++)
			printf(" %s %ld (%ld on-net)%s", cfg->modems[i].name, sp->count[i],
			       sp->on_net[i], i + 1 < sp->n ? "," : "");
		printf("\n");
	}
	printf("on-net:      cost %lld with on-net routing, %lld spread evenly without it\n",
	       sp->cost_on_net, sp->cost_spread);
}

static void print_plan(const struct config *cfg, const struct broadcast_plan *p,
                       const struct act_broadcast_out *q)
{
	int recipients = q->members;
	long total = (long)p->as_sent.parts * recipients;
	double secs = broadcast_estimate(cfg, total);

	printf("recipients:  %d\n", recipients);
	printf("encoding:    %s%s\n", p->as_sent.ucs2 ? "UCS-2" : "GSM-7",
	       p->folded ? " (diacritics folded)" : "");
	printf("as written:  %s, %d part%s per message\n", p->as_is.ucs2 ? "UCS-2" : "GSM-7",
	       p->as_is.parts, p->as_is.parts == 1 ? "" : "s");
	printf("folded:      %s, %d part%s per message\n", p->as_folded.ucs2 ? "UCS-2" : "GSM-7",
	       p->as_folded.parts, p->as_folded.parts == 1 ? "" : "s");
	printf("parts:       %d per message, %ld in all\n", p->as_sent.parts, total);
	printf("estimate:    %.0f %s at %s\n", secs < 120 ? secs : secs / 60.0,
	       secs < 120 ? "s" : "min",
	       cfg->outbox.rate_per_minute > 0 ? "the configured rate"
	                                       : "5 s per part (a typical USB modem)");
	/* The dry run's verdict, by the code the send runs (act_broadcast.c): the console shows it
	 * too. */
	if (cfg->nmodems > 1) {
		/* Several modems: each SIM's share at its prices, against its own balance. */
		printf("cost:        %lld (each modem's share at its network's prices)\n", q->cost);
		if (q->balance_known) {
			printf("balance:    ");
			for (int i = 0; i < q->modems.n; i++) {
				printf(" %s ", cfg->modems[i].name);
				if (q->modems.known[i])
					printf("%ld", q->modems.balance[i]);
				else
					printf("unknown");
				printf("%s", i + 1 < q->modems.n ? "," : ":");
			}
			printf(" %s%s\n", q->held ? "would be held: " : "enough",
			       q->held ? q->reason : "");
		}
	} else {
		printf("cost:        %lld (%d per part)\n", q->cost, cfg->ussd.price_per_part);
		if (q->balance_known)
			printf("balance:     %ld: %s%s\n", q->balance,
			       q->held ? "would be held: " : "enough", q->held ? q->reason : "");
	}
	if (p->folded)
		printf("text sent:   %s\n", cli_safe(p->sent_text));
}

static int show_progress(int64_t id, int bar)
{
	int queued = 0, sent = 0, failed = 0, total = 0, r;

	for (;;) {
		r = store_broadcast_progress(id, &queued, &sent, &failed, &total);
		if (r < 0)
			return cli_store_failed();
		if (bar) {
			int done = sent + failed, width = 40;
			int fill = total > 0 ? done * width / total : width;

			fprintf(stderr, "\r[%.*s%*s] %d/%d sent, %d failed", fill,
			        "########################################", width - fill, "", sent,
			        total, failed);
		}
		if (r == 0)
			break;
		sleep(1); /* a person watching a progress bar, not a test: polling once a second */
	}
	if (bar)
		fputc('\n', stderr);
	return 0;
}

static int print_show(const struct store_row *r, void *ctx)
{
	for (int i = 0; i < r->n; i++)
		printf("%-12s %s\n", r->name[i], r->val[i] ? cli_safe(r->val[i]) : "-");
	return 0;
}

static int print_list(const struct store_row *r, void *ctx)
{
	const int *json = ctx;

	return cli_print_row(r, *json);
}

static int parse_id(const char *s, int64_t *id)
{
	int v;

	if (s[0] == 'B' || s[0] == 'b')
		s++;
	if (cli_parse_int(s, 1, 2000000000, &v) < 0)
		return -1;
	*id = v;
	return 0;
}

/* The options of every broadcast subcommand, parsed once. */
struct bopts {
	const char *group, *every, *at_arg;
	char at[TS_LEN]; /* --at in UTC */
	int dry, wait, json;
};

static int bc_list(const struct config *cfg, const struct bopts *o, int argc, char **argv)
{
	if (argc != 1)
		cli_usage_error("broadcast list: no arguments");
	if (cli_open_store(cfg) < 0)
		return 1;
	return cli_list(store_list_broadcasts, NULL, o->json);
}

/* The broadcast ID (B12 or 12) of "show ID" / "cancel ID", or a usage error. */
static int64_t bc_id(int argc, char **argv)
{
	int64_t id = 0;

	if (argc != 2 || parse_id(argv[1], &id) < 0)
		cli_usage_error("broadcast %s: give one broadcast ID", argv[0]);
	return id;
}

static int bc_show(const struct config *cfg, const struct bopts *o, int argc, char **argv)
{
	int64_t id = bc_id(argc, argv);
	char key[24];
	int n;

	if (cli_open_store(cfg) < 0)
		return 1;
	snprintf(key, sizeof key, "%lld", (long long)id);
	n = store_list_broadcast(key, 1, o->json ? print_list : print_show, (void *)&o->json);
	if (n < 0)
		return cli_store_failed();
	if (n == 0) {
		fprintf(stderr, "tipline: no such broadcast\n");
		return 1;
	}
	return o->wait ? show_progress(id, 1) : 0;
}

/*
 * Cancel and release: ACTION on broadcast ID by the officer "cli", in a transaction of its own
 * (committed when it comes to ACT_OK, else rolled back); *N its count of messages. What the action
 * came to, or ACT_ERROR when the store failed.
 */
static enum act_status bc_act(enum act_status (*action)(struct act_who *, int64_t, int *),
                              int64_t id, int *n)
{
	struct act_who w;
	enum act_status st;

	if (store_begin() < 0)
		return ACT_ERROR;
	act_who_officer(&w, "cli");
	st = action(&w, id, n);
	return store_end(st == ACT_OK) < 0 ? ACT_ERROR : st;
}

static int bc_cancel(const struct config *cfg, const struct bopts *o, int argc, char **argv)
{
	int64_t id = bc_id(argc, argv);
	enum act_status st;
	int n = 0;

	if (cli_open_store(cfg) < 0)
		return 1;
	st = bc_act(act_broadcast_cancel, id, &n);
	if (st == ACT_NOT_FOUND) {
		fprintf(stderr, "tipline: no broadcast %lld\n", (long long)id);
		return 1;
	}
	if (st != ACT_OK)
		return cli_store_failed();
	printf("broadcast %lld cancelled: %d unsent message%s dropped\n", (long long)id, n,
	       n == 1 ? "" : "s");
	return 0;
}

/* broadcast --group G [--at T] [--every E] [--dry-run] [--wait] TEXT */
static int bc_queue(const struct config *cfg, const struct bopts *o, int argc, char **argv)
{
	struct broadcast_plan p;
	struct act_broadcast_in in = {0};
	struct act_broadcast_out q;
	struct act_who w;
	enum act_status st;
	struct broadcast_split sp = {0};

	if (o->group == NULL)
		cli_usage_error(
		    "broadcast: --group G is required (or say list, show ID, cancel ID, "
		    "release ID)");
	if (argc != 1)
		cli_usage_error("broadcast: give the TEXT as one argument (quote it)");
	if (argv[0][0] == '\0' || !text_utf8_valid(argv[0], strlen(argv[0])))
		cli_usage_error("broadcast: the TEXT is empty or not UTF-8");
	if (cli_open_store(cfg) < 0)
		return 1;
	act_who_officer(&w, "cli");
	in.group = o->group;
	in.text = argv[0];
	in.at = o->at_arg ? o->at : NULL;
	in.every = o->every;
	in.dry_run = 1;
	in.need_members = 1;
	in.split = &sp;
	/* The plan first, outside the transaction: what it would cost, and to how many. */
	st = act_broadcast_queue(&w, &in, &q, &p);
	if (st == ACT_ERROR) {
		broadcast_plan_free(&p);
		return cli_store_failed();
	}
	print_plan(cfg, &p, &q);
	broadcast_plan_free(&p);
	if (st == ACT_OK)
		print_split(cfg, &sp);
	if (st == ACT_NOBODY) {
		fprintf(stderr, "tipline: nobody subscribed is in group %s; nothing queued\n",
		        o->group);
		return 1;
	}
	if (o->dry) {
		printf("dry run: nothing queued\n");
		return 0;
	}
	in.dry_run = 0;
	in.need_members = 0;
	in.split = NULL;
	if (store_begin() < 0 || act_broadcast_queue(&w, &in, &q, NULL) != ACT_OK ||
	    store_commit() < 0) {
		store_rollback();
		return cli_store_failed();
	}
	if (q.held) {
		printf("broadcast B%lld held: %s\n"
		       "send it anyway with: tipline broadcast release B%lld\n",
		       (long long)q.id, q.reason, (long long)q.id);
		return 0;
	}
	printf("broadcast B%lld queued: %d recipient%s%s%s%s%s\n", (long long)q.id, q.recipients,
	       q.recipients == 1 ? "" : "s", o->at_arg ? ", at " : "", o->at_arg ? o->at_arg : "",
	       o->every ? ", every " : "", o->every ? o->every : "");
	return o->wait ? show_progress(q.id, 1) : 0;
}

/* broadcast release ID: a held broadcast is queued as it is, whatever the balance. */
static int bc_release(const struct config *cfg, const struct bopts *o, int argc, char **argv)
{
	int64_t id = bc_id(argc, argv);
	enum act_status st;
	int n = 0;

	if (cli_open_store(cfg) < 0)
		return 1;
	st = bc_act(act_broadcast_release, id, &n);
	if (st == ACT_NOT_FOUND || st == ACT_NOT_HELD) {
		fprintf(stderr, "tipline: %s B%lld\n",
		        st == ACT_NOT_FOUND ? "no broadcast" : "nothing to release: not held:",
		        (long long)id);
		return 1;
	}
	if (st != ACT_OK)
		return cli_store_failed();
	printf("broadcast B%lld released: %d message%s queued\n", (long long)id, n,
	       n == 1 ? "" : "s");
	return o->wait ? show_progress(id, 1) : 0;
}

/* Parse the options of every subcommand; the rest of the arguments is left in ARGC, ARGV. */
static void bc_options(struct bopts *o, int *argc, char ***argv)
{
	static const struct option opts[] = {{"group", required_argument, NULL, 'g'},
	                                     {"at", required_argument, NULL, 'a'},
	                                     {"every", required_argument, NULL, 'e'},
	                                     {"dry-run", no_argument, NULL, 'n'},
	                                     {"wait", no_argument, NULL, 'w'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {NULL, 0, NULL, 0}};
	int ch;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(*argc, *argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'g':
			o->group = optarg;
			break;
		case 'a':
			o->at_arg = optarg;
			if (local_to_utc(optarg, o->at) < 0)
				cli_usage_error("--at: \"%s\" is not \"YYYY-MM-DD HH:MM\"", optarg);
			break;
		case 'e':
			if (strcmp(optarg, "day") != 0 && strcmp(optarg, "week") != 0 &&
			    strcmp(optarg, "month") != 0)
				cli_usage_error("--every: say day, week or month, not \"%s\"",
				                optarg);
			o->every = optarg;
			break;
		case 'n':
			o->dry = 1;
			break;
		case 'w':
			o->wait = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		default:
			cli_usage();
		}
	}
	*argc -= optind;
	*argv += optind;
}

int cli_broadcast(const struct config *cfg, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(const struct config *, const struct bopts *, int, char **);
	} subs[] = {
	    {"list", bc_list}, {"show", bc_show}, {"cancel", bc_cancel}, {"release", bc_release}};
	struct bopts o = {0};

	bc_options(&o, &argc, &argv);
	/* A subcommand's name comes first; with --group the words are the text. */
	for (size_t i = 0; o.group == NULL && argc >= 1 && i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[0], subs[i].name) == 0)
			return subs[i].run(cfg, &o, argc, argv);
	return bc_queue(cfg, &o, argc, argv);
}

int cli_group(const struct config *cfg, int argc, char **argv)
{
	int json = 0;
	const char *sub;

	if (argc < 2)
		cli_usage_error("group: say add, rm, list or members");
	sub = argv[1];
	if (argc >= 3 && strcmp(argv[argc - 1], "--json") == 0) {
		json = 1;
		argc--;
	}
	if (strcmp(sub, "list") == 0) {
		if (argc != 2)
			cli_usage_error("group list: no arguments");
		if (cli_open_store(cfg) < 0)
			return 1;
		return cli_list(store_list_groups, NULL, json);
	}
	if (strcmp(sub, "members") == 0) {
		if (argc != 3)
			cli_usage_error("group members: give one GROUP");
		if (cli_open_store(cfg) < 0)
			return 1;
		return cli_list(store_list_group_members, argv[2], json);
	}
	if (strcmp(sub, "add") == 0 || strcmp(sub, "rm") == 0) {
		char phone[24];
		struct act_who w;
		enum act_status rc = ACT_OK;

		if (argc < 3)
			cli_usage_error("group %s: give a GROUP and phone numbers", sub);
		for (int i = 3; i < argc; i++)
			if (text_phone_e164(argv[i], cfg->country_code, phone, sizeof phone) < 0)
				cli_usage_error("group %s: \"%s\" is not a phone number", sub,
				                argv[i]);
		if (strcmp(sub, "add") == 0 && argc == 3)
			cli_usage_error("group add: give the GROUP and at least one phone number");
		if (cli_open_store(cfg) < 0)
			return 1;
		if (store_begin() < 0)
			goto fail;
		act_who_officer(&w, "cli");
		if (strcmp(sub, "rm") == 0 && argc == 3) {
			rc = act_group_remove(&w, argv[2], NULL);
		} else {
			for (int i = 3; i < argc && rc == ACT_OK; i++) {
				text_phone_e164(argv[i], cfg->country_code, phone, sizeof phone);
				rc = strcmp(sub, "add") == 0 ? act_group_add(&w, argv[2], phone)
				                             : act_group_remove(&w, argv[2], phone);
			}
		}
		if (rc != ACT_OK || store_commit() < 0)
			goto fail;
		return 0;
	fail:
		store_rollback();
		return cli_store_failed();
	}
	cli_usage_error("group: unknown subcommand \"%s\" (add, rm, list or members)", sub);
}
