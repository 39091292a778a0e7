/*
 * tipline export KIND [--from D] [--to D] [--bom] [--out FILE]: one table as CSV (RFC 4180,
 * UTF-8, a header row, local times) for a spreadsheet. The rows and their columns are the
 * store's (store_export.c); this file only writes them.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "csv.h"
#include "store.h"
#include "ts.h"

static int csv_row(const struct store_row *r, void *ctx)
{
	struct csv *c = ctx;

	for (int i = 0; i < r->n; i++)
		csv_field(c, r->val[i]);
	csv_end_row(c);
	return c->failed; /* a write failed: stop reading rows */
}

int cli_export(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
	                                     {"to", required_argument, NULL, 't'},
	                                     {"bom", no_argument, NULL, 'b'},
	                                     {"out", required_argument, NULL, 'o'},
	                                     {NULL, 0, NULL, 0}};
	const char *from = NULL, *to = NULL, *out = NULL, *kind;
	char from_utc[TS_LEN], to_utc[TS_LEN];
	struct cli_out o;
	struct csv c;
	int bom = 0, ch, n, ok = 0;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
		case 't':
			if (cli_check_date(optarg) < 0)
				cli_usage_error("--%s: \"%s\" is not a date (YYYY-MM-DD)",
				                ch == 'f' ? "from" : "to", optarg);
			*(ch == 'f' ? &from : &to) = optarg;
			break;
		case 'b':
			bom = 1;
			break;
		case 'o':
			if (optarg[0] == '\0')
				cli_usage_error("--out: give a file name");
			out = optarg;
			break;
		default:
			cli_usage();
		}
	}
	if (optind + 1 != argc)
		cli_usage_error("export: say which one: tips, patrols, awareness, mediations, "
		                "inbox or contacts");
	kind = argv[optind];
	if (!store_export_known(kind))
		cli_usage_error(
		    "export: \"%s\" is not tips, patrols, awareness, mediations, inbox or contacts",
		    kind);
	cli_local_period(from, to, from_utc, to_utc);
	if (cli_open_store(cfg) < 0)
		return 1;
	if (cli_out_open(cfg, out, &o) < 0)
		return 1;
	csv_init(&c, o.f, bom ? CSV_BOM : 0);
	n = store_export(kind, from ? from_utc : NULL, to ? to_utc : NULL, csv_row, &c);
	if (csv_close(&c) < 0 || c.failed) {
		fprintf(stderr, "tipline: export: writing %s failed\n", out ? out : "stdout");
		goto done;
	}
	if (n < 0) {
		cli_store_failed();
		goto done;
	}
	ok = 1;
done:
	if (cli_out_close(&o, ok) < 0)
		return 1;
	if (out != NULL)
		fprintf(stderr, "%s: %d row%s\n", out, n, n == 1 ? "" : "s");
	return 0;
}
