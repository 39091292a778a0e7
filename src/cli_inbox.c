/* tipline inbox: the received messages, as text or JSON lines (local times). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "json.h"
#include "store.h"
#include "ts.h"

struct inbox_opts {
	int json;
};

static int print_inbox(const struct store_inbox_row *r, void *arg)
{
	const struct inbox_opts *o = arg;
	char sent[TS_LEN], read[TS_LEN];

	cli_local_time(r->smsc_time, sent);
	cli_local_time(r->received_at, read);
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
		printf("%-5lld %s  %-14s %s%s\n", (long long)r->id, read, cli_safe(r->sender),
		       r->complete ? "" : "[incomplete] ", cli_safe(r->text));
	}
	return 0;
}

int cli_inbox(const struct config *cfg, int argc, char **argv)
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
