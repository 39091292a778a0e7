/* tipline outbox: the messages to send and their state, as text or JSON lines. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "store.h"
#include "ts.h"

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
		json_key_str(&j, "created_at", cli_local_time(r->created_at, created));
		json_key_str(&j, "not_before", cli_local_time(r->not_before, due));
		json_key_int(&j, "attempts", r->attempts);
		json_key_int(&j, "handovers", r->handovers);
		if (r->parts > 0)
			json_key_int(&j, "parts", r->parts);
		else
			json_key_null(&j, "parts");
		json_key_str(&j, "last_error", r->last_error);
		json_key_str(&j, "sent_at", cli_local_time(r->sent_at, sent));
		json_end(&j);
	} else {
		printf("%-5lld %-8s %-9s %-14s %s  %s\n", (long long)r->id, r->status, r->kind,
		       cli_safe(r->recipient),
		       cli_local_time(r->sent_at ? r->sent_at : r->not_before, sent),
		       cli_safe(r->text));
	}
	return 0;
}

int cli_outbox(const struct config *cfg, int argc, char **argv)
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
