/*
 * tipline report: the figures of a period and of the period before it, from the store
 * (store_report_fill), rendered by report.h as text, CSV, JSON or HTML; with --district, from
 * the district's PostgreSQL (district_report_fill): the totals and every commune side by side
 * (report_district.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "district.h"
#include "report.h"
#include "report_district.h"
#include "store.h"

enum format { F_TEXT, F_CSV, F_JSON, F_HTML };

static int render(const struct report *r, enum format fmt, FILE *f)
{
	switch (fmt) {
	case F_CSV:
		return report_csv(r, f, 0);
	case F_JSON:
		return report_json(r, f);
	case F_HTML:
		return report_html(r, f);
	case F_TEXT:
	default:
		return report_text(r, f);
	}
}

/*
 * Write the report to OUT (NULL: stdout). A file is written aside and renamed into place, so
 * a reader never finds half a report and a failed write leaves any older one. 0 or -1.
 */
static int write_out(const struct config *cfg, const struct report *r, enum format fmt,
                     const char *out)
{
	struct cli_out o;

	/* What the database holds: the database's modes (cli_create_private). */
	if (cli_out_open(cfg, out, &o) < 0)
		return -1;
	return cli_out_close(&o, render(r, fmt, o.f) == 0);
}

static int render_district(const struct report_district *d, enum format fmt, FILE *f)
{
	switch (fmt) {
	case F_CSV:
		return report_district_csv(d, f, 0);
	case F_JSON:
		return report_district_json(d, f);
	case F_HTML:
		return report_district_html(d, f);
	case F_TEXT:
	default:
		return report_district_text(d, f);
	}
}

/* The district's report of P from CONNINFO (NODE: that commune only) to OUT. Exit status. */
static int district_report(const struct config *cfg, const char *conninfo, const char *node,
                           const struct report_period *p, enum format fmt, const char *out)
{
	struct report_district rd = {0};
	struct district *d;
	struct cli_out o;
	struct report **ptrs = NULL;
	char err[512] = "", **names = NULL;
	int n = 0, rc = 1;

	report_init(&rd.total);
	if ((d = district_connect(conninfo, err, sizeof err)) == NULL ||
	    (n = district_nodes(d, &names, err, sizeof err)) < 0)
		goto done;
	rd.names = names;
	rd.n = (size_t)n;
	if (node != NULL) {
		/* That commune alone: its name first (the array still owns them all). */
		int i;

		for (i = 0; i < n && strcmp(names[i], node) != 0; i++)
			;
		if (i == n) {
			snprintf(err, sizeof err, "no node \"%s\" at the district", node);
			goto done;
		}
		rd.names = names + i;
		rd.n = 1;
	}
	rd.nodes = calloc(rd.n + 1, sizeof *rd.nodes);
	if (rd.nodes == NULL) {
		snprintf(err, sizeof err, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < rd.n; i++)
		report_init(&rd.nodes[i]);
	ptrs = calloc(rd.n + 1, sizeof *ptrs);
	if (ptrs == NULL) {
		snprintf(err, sizeof err, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < rd.n; i++)
		ptrs[i] = &rd.nodes[i];
	if (district_report_fill(d, node, &rd.total, ptrs, (const char *const *)rd.names, rd.n, p,
	                         err, sizeof err) < 0)
		goto done;
	/* cli_out_open and cli_out_close print their own causes. */
	if (cli_out_open(cfg, out, &o) < 0)
		goto done;
	if (cli_out_close(&o, render_district(&rd, fmt, o.f) == 0) < 0) {
		fprintf(stderr, "tipline: cannot write the report%s%s\n", out ? " to " : "",
		        out ? out : "");
		goto done;
	}
	rc = 0;
done:
	if (rc != 0 && err[0] != '\0')
		fprintf(stderr, "tipline: report --district: %s\n", err);
	district_close(d);
	for (size_t i = 0; rd.nodes != NULL && i < rd.n; i++)
		report_close(&rd.nodes[i]);
	free(rd.nodes);
	free(ptrs);
	for (int i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	report_close(&rd.total);
	return rc;
}

int cli_report(const struct config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
	                                     {"to", required_argument, NULL, 't'},
	                                     {"month", required_argument, NULL, 'm'},
	                                     {"week", no_argument, NULL, 'w'},
	                                     {"format", required_argument, NULL, 'F'},
	                                     {"out", required_argument, NULL, 'o'},
	                                     {"district", required_argument, NULL, 'd'},
	                                     {"node", required_argument, NULL, 'n'},
	                                     {NULL, 0, NULL, 0}};
	static const char *const formats[] = {
	    [F_TEXT] = "text", [F_CSV] = "csv", [F_JSON] = "json", [F_HTML] = "html"};
	const char *from = NULL, *to = NULL, *month = NULL, *out = NULL, *district = NULL,
	           *node = NULL;
	struct report_period p;
	struct report r;
	enum format fmt = F_TEXT;
	int week = 0, ch, rc;

	optind = 0; /* 0, not 1: glibc then re-reads the option string and permutes again */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'm':
			month = optarg;
			break;
		case 'w':
			week = 1;
			break;
		case 'F': {
			size_t i;

			for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
				if (strcmp(formats[i], optarg) == 0)
					break;
			if (i == sizeof formats / sizeof formats[0])
				cli_usage_error("--format: \"%s\" is not text, csv, json or html",
				                optarg);
			fmt = (enum format)i;
			break;
		}
		case 'o':
			if (optarg[0] == '\0')
				cli_usage_error("--out: give a file name");
			out = optarg;
			break;
		case 'd':
			if (optarg[0] == '\0')
				cli_usage_error(
				    "--district: give the district's connection string");
			district = optarg;
			break;
		case 'n':
			if (!config_node_name_ok(optarg))
				cli_usage_error("--node: \"%s\" is not a node name", optarg);
			node = optarg;
			break;
		default:
			cli_usage();
		}
	}
	if (node != NULL && district == NULL)
		cli_usage_error("report: --node goes with --district");
	if (optind != argc)
		cli_usage_error("report: unexpected argument \"%s\"", argv[optind]);
	if ((from != NULL) != (to != NULL))
		cli_usage_error("report: --from and --to go together");
	if ((from != NULL) + (month != NULL) + week > 1)
		cli_usage_error("report: give one period: --from/--to, --month or --week");
	if (from != NULL) {
		if (report_period_days(from, to, &p) < 0)
			cli_usage_error("report: --from %s --to %s is not a period (YYYY-MM-DD, "
			                "the first on or before the last)",
			                from, to);
	} else if (month != NULL) {
		if (report_period_month(month, &p) < 0)
			cli_usage_error("--month: \"%s\" is not a month (YYYY-MM)", month);
	} else if (week) {
		report_period_week((int64_t)time(NULL), &p);
	} else {
		report_period_month_to_date((int64_t)time(NULL), &p);
	}
	if (district != NULL)
		return district_report(cfg, district, node, &p, fmt, out);
	if (cli_open_store(cfg) < 0)
		return 1;
	report_init(&r);
	rc = store_report_fill(&r, &p);
	if (rc < 0) {
		report_close(&r);
		return cli_store_failed();
	}
	rc = write_out(cfg, &r, fmt, out);
	report_close(&r);
	if (rc < 0) {
		fprintf(stderr, "tipline: cannot write the report%s%s\n", out ? " to " : "",
		        out ? out : "");
		return 1;
	}
	return 0;
}
