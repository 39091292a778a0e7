/*
 * The district's report (issue 27): the totals of every commune and each commune's figures,
 * filled by district.c (district_report_fill), rendered here in the formats of report.h.
 * Ownership: a struct report_district owns its reports and names (report_district_close).
 */
#ifndef TIPLINE_REPORT_DISTRICT_H
#define TIPLINE_REPORT_DISTRICT_H

#include <stddef.h>
#include <stdio.h>

#include "report.h"

struct report_district {
	struct report total;  /* every node's rows together */
	struct report *nodes; /* one per name, in NAMES' order */
	char **names;         /* the nodes, by name */
	size_t n;
};

/* Each writes the whole document to F: 0, or -1 when a write failed. */
/* The district's text report, then a table: a figure a row, the district and each commune. */
int report_district_text(const struct report_district *d, FILE *f);
/* Rows "section,name,period,district,<node>..." for the current period, then the previous. */
int report_district_csv(const struct report_district *d, FILE *f, int csv_flags);
/* {"district": the totals' report object, "nodes": {name: its report object, ...}} */
int report_district_json(const struct report_district *d, FILE *f);
/* The district's HTML report (its charts), with the communes' table (data-node on each cell). */
int report_district_html(const struct report_district *d, FILE *f);

/*
 * The district's totals summed from the N communes' reports (filled for period P): every
 * figure added, keyed counts and chart parts ordered as store_report.c orders them, so that
 * TOTAL is what one report over every commune's rows gives, without reading those rows again.
 * TOTAL is empty (report_init). 0, or -1 out of memory or a bad period.
 */
int report_district_sum(struct report *total, struct report *const *nodes, size_t n,
                        const struct report_period *p);

#endif
