/*
 * The district's report (issue 27): the district's totals rendered as a commune's report is
 * (report.c, report_html.c: the same figures, the same charts), and every commune's figures
 * side by side with the totals. Nothing here touches a database: district.c fills the
 * reports (one per node and one of all nodes), these functions render them.
 */
#include "report_district.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "report_internal.h"

/* A figure of one report, found by its JSON path and key. */
struct find {
	const char *path, *key;
	long long cur, prev;
	int found;
};

static void find_fn(void *arg, const char *path, const char *key, long long cur, long long prev)
{
	struct find *f = arg;

	if (f->found || strcmp(path, f->path) != 0 || (key == NULL) != (f->key == NULL) ||
	    (key != NULL && strcmp(key, f->key) != 0))
		return;
	f->cur = cur;
	f->prev = prev;
	f->found = 1;
}

/* NODE's value of figure PATH/KEY (0 where the commune has none) for PREVIOUS or current. */
static long long node_value(const struct report *r, const char *path, const char *key, int previous)
{
	struct find f = {path, key, 0, 0, 0};

	report_each_figure(r, find_fn, &f);
	return previous ? f.prev : f.cur;
}

/* The row label of a figure: its Vietnamese name, and a keyed count's name after it. */
static void label(const char *path, const char *key, char *out, size_t sz)
{
	char name[256];

	if (key == NULL) {
		snprintf(out, sz, "%s", report_figure_label(path));
		return;
	}
	report_display_name(path, key, name, sizeof name);
	snprintf(out, sz, "%s: %s", report_figure_label(path), name);
}

struct grid {
	const struct report_district *d;
	FILE *f;
	struct csv *csv;
	int previous; /* the CSV's second pass */
	int err;
};

static void text_row(void *arg, const char *path, const char *key, long long cur, long long prev)
{
	struct grid *g = arg;
	char l[512], n[32];

	label(path, key, l, sizeof l);
	if (fprintf(g->f, "%-44s %10s", l, report_format_count(cur, n)) < 0)
		g->err = 1;
	for (size_t i = 0; i < g->d->n; i++)
		fprintf(g->f, " %10s",
		        report_format_count(node_value(&g->d->nodes[i], path, key, 0), n));
	if (fputc('\n', g->f) == EOF)
		g->err = 1;
	(void)prev;
}

int report_district_text(const struct report_district *d, FILE *f)
{
	struct grid g = {d, f, NULL, 0, 0};
	char from[REPORT_DATE_LEN], to[REPORT_DATE_LEN];

	if (report_text(&d->total, f) < 0)
		return -1;
	report_format_date(d->total.cur.from, from);
	report_format_date(d->total.cur.to, to);
	fprintf(f, "\nCác xã (%s - %s)\n%-44s %10s", from, to, "", "Toàn huyện");
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, " %10.10s", d->names[i]);
	fputc('\n', f);
	report_each_figure(&d->total, text_row, &g);
	return g.err || ferror(f) ? -1 : 0;
}

static void csv_row(void *arg, const char *path, const char *key, long long cur, long long prev)
{
	struct grid *g = arg;
	const char *dot = strchr(path, '.');
	char section[64];
	struct csv *c = g->csv;

	snprintf(section, sizeof section, "%.*s", dot ? (int)(dot - path) : 0, path);
	csv_field(c, section);
	csv_field(c, key ? key : dot ? dot + 1 : path);
	csv_field(c, g->previous ? "previous" : "cur");
	csv_field_int(c, g->previous ? prev : cur);
	for (size_t i = 0; i < g->d->n; i++)
		csv_field_int(c, node_value(&g->d->nodes[i], path, key, g->previous));
	csv_end_row(c);
}

int report_district_csv(const struct report_district *d, FILE *f, int csv_flags)
{
	struct csv c;
	struct grid g = {d, f, &c, 0, 0};

	csv_init(&c, f, csv_flags);
	csv_field(&c, "section");
	csv_field(&c, "name");
	csv_field(&c, "period");
	csv_field(&c, "district");
	for (size_t i = 0; i < d->n; i++)
		csv_field(&c, d->names[i]);
	csv_end_row(&c);
	report_each_figure(&d->total, csv_row, &g);
	g.previous = 1;
	report_each_figure(&d->total, csv_row, &g);
	return csv_close(&c);
}

/* R's JSON object, without its final newline, written to F. 0 or -1. */
static int json_object(const struct report *r, FILE *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc = -1;

	if (m == NULL)
		return -1;
	if (report_json(r, m) == 0 && fclose(m) == 0) {
		while (len > 0 && buf[len - 1] == '\n')
			len--;
		rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
	} else {
		fclose(m);
	}
	free(buf);
	return rc;
}

int report_district_json(const struct report_district *d, FILE *f)
{
	fputs("{\"district\":", f);
	if (json_object(&d->total, f) < 0)
		return -1;
	fputs(",\"nodes\":{", f);
	for (size_t i = 0; i < d->n; i++) {
		fputs(i ? "," : "", f);
		json_write_string(f, d->names[i], strlen(d->names[i]));
		fputc(':', f);
		if (json_object(&d->nodes[i], f) < 0)
			return -1;
	}
	fputs("}}\n", f);
	return ferror(f) ? -1 : 0;
}

static void html_row(void *arg, const char *path, const char *key, long long cur, long long prev)
{
	struct grid *g = arg;
	char l[512], n[32];

	label(path, key, l, sizeof l);
	fputs("<tr><th scope=\"row\">", g->f);
	report_html_esc(g->f, l);
	fputs("</th>", g->f);
	for (size_t i = 0; i <= g->d->n; i++) {
		long long v = i == 0 ? cur : node_value(&g->d->nodes[i - 1], path, key, 0);

		fputs("<td data-figure=\"", g->f);
		report_html_esc(g->f, path);
		fputs("\"", g->f);
		if (key != NULL) {
			fputs(" data-key=\"", g->f);
			report_html_esc(g->f, key);
			fputs("\"", g->f);
		}
		fputs(" data-node=\"", g->f);
		report_html_esc(g->f, i == 0 ? "" : g->d->names[i - 1]);
		fprintf(g->f, "\" data-value=\"%lld\">%s</td>", v, report_format_count(v, n));
	}
	if (fputs("</tr>\n", g->f) == EOF)
		g->err = 1;
	(void)prev;
}

int report_district_html(const struct report_district *d, FILE *f)
{
	struct grid g = {d, f, NULL, 0, 0};
	char *buf = NULL, *end;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc = -1, html_rc;

	if (m == NULL)
		return -1;
	/* fclose always closes the stream, whether the page was written or not. */
	html_rc = report_html(&d->total, m);
	if (fclose(m) != 0 || html_rc < 0)
		goto done;
	/* The communes' table goes into the district's page, before its footer. */
	end = strstr(buf, "<footer");
	if (end == NULL)
		end = strstr(buf, "</body>");
	if (end == NULL)
		goto done;
	fwrite(buf, 1, (size_t)(end - buf), f);
	fputs("<section class=\"nodes\"><h2>Các xã</h2>\n<table data-district=\"nodes\"><thead><tr>"
	      "<th></th><th>Toàn huyện</th>",
	      f);
	for (size_t i = 0; i < d->n; i++) {
		fputs("<th>", f);
		report_html_esc(f, d->names[i]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	report_each_figure(&d->total, html_row, &g);
	fputs("</tbody></table></section>\n", f);
	fputs(end, f);
	rc = g.err || ferror(f) ? -1 : 0;
done:
	free(buf);
	return rc;
}

/* The triage order of store_report.c's by_status (then any other name, as its ELSE). */
static int status_rank(const char *s)
{
	static const char *const order[] = {"new", "checking", "valuable", "false"};

	for (int i = 0; i < 4; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 4;
}

static int by_status(const void *a, const void *b)
{
	const struct report_count *x = a, *y = b;

	return status_rank(x->name) - status_rank(y->name);
}

/* Largest first, then by name as SQLite's BINARY collation sorts: store_report.c's order. */
static int by_count(const void *a, const void *b)
{
	const struct report_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Each node's keyed counts added into TO, then sorted with CMP. 0 or -1. */
static int sum_counts(struct report_counts *to, struct report *const *nodes, size_t n, size_t off,
                      int (*cmp)(const void *, const void *))
{
	for (size_t k = 0; k < n; k++) {
		const struct report_counts *c = (const void *)((const char *)nodes[k] + off);

		for (size_t i = 0; i < c->n; i++)
			if (report_counts_add(to, c->v[i].name, c->v[i].n) < 0)
				return -1;
	}
	if (to->n > 1)
		qsort(to->v, to->n, sizeof *to->v, cmp);
	return 0;
}

/* One period's figures (at OFF in struct report: cur or previous) summed into TOTAL. */
static int sum_figures(struct report *total, struct report *const *nodes, size_t n, size_t off)
{
	struct report_figures *t = (void *)((char *)total + off);

	for (size_t k = 0; k < n; k++) {
		const struct report_figures *f = (const void *)((const char *)nodes[k] + off);

		t->tips.received += f->tips.received;
		t->tips.valuable += f->tips.valuable;
		t->tips.alerts += f->tips.alerts;
		t->tips.escalated += f->tips.escalated;
		t->awareness.sessions += f->awareness.sessions;
		t->awareness.participants += f->awareness.participants;
		t->patrols.count += f->patrols.count;
		t->patrols.member_turns += f->patrols.member_turns;
		t->missed_checkins += f->missed_checkins;
		t->mediations.count += f->mediations.count;
		t->broadcasts.count += f->broadcasts.count;
		t->broadcasts.recipients += f->broadcasts.recipients;
		t->broadcasts.parts += f->broadcasts.parts;
		t->sms.received += f->sms.received;
		t->sms.sent += f->sms.sent;
		t->sms.parts_sent += f->sms.parts_sent;
	}
	if (sum_counts(&t->tips.by_status, nodes, n,
	               off + offsetof(struct report_figures, tips.by_status), by_status) < 0 ||
	    sum_counts(&t->tips.by_category, nodes, n,
	               off + offsetof(struct report_figures, tips.by_category), by_count) < 0 ||
	    sum_counts(&t->tips.by_village, nodes, n,
	               off + offsetof(struct report_figures, tips.by_village), by_count) < 0 ||
	    sum_counts(&t->patrols.by_team, nodes, n,
	               off + offsetof(struct report_figures, patrols.by_team), by_count) < 0)
		return -1;
	return 0;
}

int report_district_sum(struct report *total, struct report *const *nodes, size_t n,
                        const struct report_period *p)
{
	struct report_period prev;
	char first[32];
	int y, m;

	report_period_previous(p, &prev);
	report_set_period(total, p, &prev);
	if (sum_figures(total, nodes, n, offsetof(struct report, cur)) < 0 ||
	    sum_figures(total, nodes, n, offsetof(struct report, previous)) < 0 ||
	    report_chart_weeks(&total->tips_weekly, p) < 0)
		return -1;
	/* Every node has the same bars (the period's weeks and months), in the same order. */
	for (size_t i = 0; i < total->tips_weekly.n; i++) {
		struct report_bar *bar = &total->tips_weekly.v[i];

		for (size_t k = 0; k < n; k++) {
			const struct report_counts *parts = &nodes[k]->tips_weekly.v[i].parts;

			for (size_t j = 0; j < parts->n; j++)
				if (report_chart_add(&total->tips_weekly, bar->label,
				                     parts->v[j].name, parts->v[j].n) < 0)
					return -1;
		}
		if (bar->parts.n > 1)
			qsort(bar->parts.v, bar->parts.n, sizeof *bar->parts.v, by_count);
	}
	if (sscanf(p->to, "%4d-%2d", &y, &m) != 2)
		return -1;
	m -= 11;
	if (m < 1) {
		m += 12;
		y--;
	}
	snprintf(first, sizeof first, "%04d-%02d-01", y, m);
	if (report_chart_months(&total->participants_monthly, first, p->to) < 0)
		return -1;
	for (size_t i = 0; i < total->participants_monthly.n; i++) {
		long long sum = 0;

		for (size_t k = 0; k < n; k++)
			sum += report_counts_total(&nodes[k]->participants_monthly.v[i].parts);
		if (report_chart_add(&total->participants_monthly,
		                     total->participants_monthly.v[i].label, NULL, sum) < 0)
			return -1;
	}
	for (size_t i = 0; i < total->cur.patrols.by_team.n; i++) {
		const struct report_count *c = &total->cur.patrols.by_team.v[i];

		if (report_chart_add(&total->patrols_by_team, c->name, NULL, c->n) < 0)
			return -1;
	}
	return 0;
}
