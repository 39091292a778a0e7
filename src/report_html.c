/*
 * The HTML report: one self-contained page (inline CSS and SVG, no scripts, no external
 * resources) that prints on A4. The charts are drawn here, as SVG rectangles with integer
 * coordinates (printed with %d, so no locale can turn a decimal point into a comma).
 * Every figure shown is marked with data-* attributes so a test can read it from the DOM.
 */
#include <string.h>

#include "report.h"
#include "report_internal.h"
#include "text.h"

/* ---- escaping ---- */

/*
 * Text or attribute value: & < > " ' escaped; invalid UTF-8, controls, C1 controls and the
 * BiDi overrides and isolates (which would reorder the page's text) as U+FFFD. Names from
 * phones reach the visible text through report_display_name(), already text_safe()'d. The
 * one HTML escaper (report.h): the console's pages use it too.
 */
void report_html_esc(FILE *f, const char *s)
{
	size_t n = s ? strlen(s) : 0, i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = text_utf8_next(s + i, n - i, &cp);

		switch (cp) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f ||
			    cp == TEXT_REPLACEMENT || text_unsafe_cp(cp))
				fputs("\xef\xbf\xbd", f);
			else
				fwrite(s + i, 1, len, f);
			break;
		}
		i += len;
	}
}

#define esc report_html_esc

/* ---- page ---- */

static const char style[] =
    "@page { size: A4; margin: 14mm 12mm; }\n"
    "* { box-sizing: border-box; }\n"
    "html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
    "body { font-family: \"DejaVu Sans\", \"Liberation Sans\", Arial, sans-serif; color: #1a1a1a;"
    " background: #fff; margin: 0 auto; padding: 18px; max-width: 190mm; font-size: 10.5pt;"
    " line-height: 1.35; }\n"
    "header { border-bottom: 3px solid #b71c1c; padding-bottom: 6px; margin-bottom: 10px; }\n"
    "h1 { font-size: 16pt; margin: 0 0 3px; color: #b71c1c; text-transform: uppercase; }\n"
    "h2 { font-size: 11.5pt; margin: 12px 0 4px; color: #333; }\n"
    ".period { margin: 0; color: #444; }\n"
    ".cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 8px 0; }\n"
    ".card { border: 1px solid #ddd; border-left: 4px solid #b71c1c; border-radius: 4px;"
    " padding: 6px 9px; background: #fafafa; break-inside: avoid; }\n"
    ".card .v { font-size: 18pt; font-weight: bold; color: #b71c1c; white-space: nowrap; }\n"
    ".card .v small { font-size: 11pt; font-weight: normal; color: #555; }\n"
    ".card .l { font-size: 9pt; color: #444; }\n"
    ".card .p { font-size: 8.5pt; color: #777; }\n"
    "figure { margin: 0 0 6px; break-inside: avoid; }\n"
    "svg.chart { width: 100%; height: auto; display: block; }\n"
    ".legend { list-style: none; padding: 0; margin: 2px 0 0 40px; font-size: 9pt; }\n"
    ".legend li { display: inline-block; margin-right: 14px; }\n"
    ".legend svg { vertical-align: -1px; margin-right: 4px; }\n"
    ".table { break-before: page; }\n"
    "table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }\n"
    "th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; }\n"
    "th.n, td.n { text-align: right; white-space: nowrap; }\n"
    "thead th { background: #f3e3e3; }\n"
    "tr { break-inside: avoid; }\n"
    "tr.group td { background: #eee; font-weight: bold; }\n"
    "tr.sub td { color: #444; font-style: italic; }\n"
    "td.k { padding-left: 22px; }\n"
    ".up { color: #1b5e20; } .down { color: #b71c1c; }\n"
    "footer { margin-top: 10px; font-size: 8pt; color: #777; }\n"
    "@media print { body { padding: 0; max-width: none; } }\n";

/* Distinct in colour and in grey, for a printer without colour. */
static const char *const palette[] = {"#1565c0", "#c62828", "#2e7d32", "#ef6c00",
                                      "#6a1b9a", "#00838f", "#8d6e63", "#ad1457"};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* An element's figure attributes. */
static void figure_attrs(FILE *f, const char *path, const char *key, const char *period,
                         long long v)
{
	fputs(" data-figure=\"", f);
	esc(f, path);
	fputc('"', f);
	if (key != NULL) {
		fputs(" data-key=\"", f);
		esc(f, key);
		fputc('"', f);
	}
	fprintf(f, " data-period=\"%s\" data-value=\"%lld\"", period, v);
}

/* A figure inline: <span data-...>04</span>. */
static void figure_span(FILE *f, const char *path, const char *period, long long v)
{
	char n[32];

	fputs("<span", f);
	figure_attrs(f, path, NULL, period, v);
	fprintf(f, ">%s</span>", report_format_count(v, n));
}

static void card(FILE *f, const char *label, const char *path, long long cur, long long prev,
                 const char *unit)
{
	fputs("<div class=\"card\"><div class=\"v\">", f);
	figure_span(f, path, "cur", cur);
	if (unit)
		fprintf(f, " <small>%s</small>", unit);
	fprintf(f, "</div><div class=\"l\">%s</div><div class=\"p\">kỳ trước: ", label);
	figure_span(f, path, "previous", prev);
	fputs("</div></div>\n", f);
}

static void cards(FILE *f, const struct report *r)
{
	const struct report_figures *c = &r->cur, *p = &r->previous;

	fputs("<div class=\"cards\">\n", f);
	card(f, "tin báo tiếp nhận", "tips.received", c->tips.received, p->tips.received, NULL);
	card(f, "tin có giá trị", "tips.valuable", c->tips.valuable, p->tips.valuable, NULL);
	card(f, "lượt người tham gia tuyên truyền", "awareness.participants",
	     c->awareness.participants, p->awareness.participants, NULL);
	card(f, "lượt tuần tra", "patrols.count", c->patrols.count, p->patrols.count, NULL);
	fputs("</div>\n", f);
}

/* ---- charts ---- */

#define CW     720 /* viewBox width */
#define CLEFT  44
#define CRIGHT 10
#define CTOP   20
#define MAXSER 32

/* A bar's label as shown: a week's Monday as DD/MM, a month as MM/YYYY, else as it is. */
static void bar_label(const char *label, char *out, size_t outsz)
{
	size_t n = strlen(label);

	if (n == 10 && label[4] == '-' && label[7] == '-')
		snprintf(out, outsz, "%.2s/%.2s", label + 8, label + 5);
	else if (n == 7 && label[4] == '-')
		snprintf(out, outsz, "%.2s/%.4s", label + 5, label);
	else
		snprintf(out, outsz, "%s", label);
}

/* The series of a chart, in first-appearance order; at most MAXSER (more share colours). */
static size_t chart_series(const struct report_chart *ch, const char **ser)
{
	size_t ns = 0;

	for (size_t i = 0; i < ch->n; i++) {
		for (size_t k = 0; k < ch->v[i].parts.n; k++) {
			const char *name = ch->v[i].parts.v[k].name;
			size_t s;

			for (s = 0; s < ns && strcmp(ser[s], name) != 0; s++)
				;
			if (s == ns && ns < MAXSER)
				ser[ns++] = name;
		}
	}
	return ns;
}

static size_t series_index(const char **ser, size_t ns, const char *name)
{
	for (size_t s = 0; s < ns; s++)
		if (strcmp(ser[s], name) == 0)
			return s;
	return ns; /* beyond MAXSER: shares a colour */
}

/* A round step for about four grid lines up to MAX: 1, 2, 5, 10, 20, 50, ... */
static long long axis_step(long long max)
{
	static const int m[] = {1, 2, 5};

	for (long long mag = 1;; mag *= 10)
		for (int i = 0; i < 3; i++)
			if (m[i] * mag * 4 >= max)
				return m[i] * mag;
}

static void chart(FILE *f, const char *id, const char *title, const char *series_path,
                  const struct report_chart *ch)
{
	const char *ser[MAXSER];
	size_t ns = chart_series(ch, ser);
	long long max = 0, step, top;
	int rotate = ch->n > 12, bottom = rotate ? 50 : 28, height = 230;
	int plot_w = CW - CLEFT - CRIGHT, plot_h = height - CTOP - bottom;
	char n[32], lab[64], name[128];

	for (size_t i = 0; i < ch->n; i++) {
		long long t = report_counts_total(&ch->v[i].parts);

		if (t > max)
			max = t;
	}
	step = axis_step(max);
	top = max > 0 ? (max + step - 1) / step * step : 4 * step;

	fprintf(f, "<figure>\n<h2>");
	esc(f, title);
	fprintf(f,
	        "</h2>\n<svg class=\"chart\" id=\"%s\" "
	        "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
	        id, CW, height);
	esc(f, title);
	fputs("\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"11\">\n", f);

	/* Grid and its labels. */
	for (long long v = 0; v <= top; v += step) {
		int y = CTOP + plot_h - (int)(v * plot_h / top);

		fprintf(f,
		        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		        "stroke-width=\"1\"/>\n",
		        CLEFT, y, CW - CRIGHT, y, v == 0 ? "#555" : "#ddd");
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
		        CLEFT - 6, y + 4, report_format_number(v, 0, n));
	}
	if (ch->n == 0)
		fprintf(f,
		        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#777\">Không có số "
		        "liệu</text>\n",
		        CLEFT + plot_w / 2, CTOP + plot_h / 2);

	for (size_t i = 0; i < ch->n; i++) {
		const struct report_bar *b = &ch->v[i];
		int slot = plot_w / (int)ch->n;
		int bw = slot * 68 / 100 > 64 ? 64 : slot * 68 / 100;
		int x = CLEFT + (int)i * slot + (slot - bw) / 2, base = CTOP + plot_h;
		long long acc = 0, total = report_counts_total(&b->parts);

		if (bw < 2)
			bw = 2;
		fputs("<g>", f);
		/* Stack parts in series order so that colours line up from bar to bar. */
		for (size_t s = 0; s <= ns; s++) {
			for (size_t k = 0; k < b->parts.n; k++) {
				const struct report_count *pc = &b->parts.v[k];
				int y0, y1;

				if (series_index(ser, ns, pc->name) != s || pc->n <= 0)
					continue;
				y0 = base - (int)(acc * plot_h / top);
				acc += pc->n;
				y1 = base - (int)(acc * plot_h / top);
				fprintf(f,
				        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				        "fill=\"%s\" data-chart=\"%s\" data-label=\"",
				        x, y1, bw, y0 - y1, palette[s % NPALETTE], id);
				esc(f, b->label);
				fputs("\" data-series=\"", f);
				esc(f, pc->name);
				fprintf(f, "\" data-value=\"%lld\"><title>", pc->n);
				bar_label(b->label, lab, sizeof lab);
				esc(f, lab);
				if (pc->name[0] != '\0') {
					report_display_name(series_path, pc->name, name,
					                    sizeof name);
					fputs(" · ", f);
					esc(f, name);
				}
				fprintf(f, ": %s</title></rect>", report_format_count(pc->n, n));
			}
		}
		if (total > 0)
			fprintf(
			    f,
			    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\" "
			    "fill=\"#222\">%s</text>",
			    x + bw / 2, base - (int)(total * plot_h / top) - 4,
			    report_format_count(total, n));
		bar_label(b->label, lab, sizeof lab);
		if (rotate)
			fprintf(f,
			        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"10\" "
			        "fill=\"#333\" transform=\"rotate(-40 %d %d)\">",
			        x + bw / 2, base + 14, x + bw / 2, base + 14);
		else
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">",
			        x + bw / 2, base + 16);
		esc(f, lab);
		fputs("</text></g>\n", f);
	}
	fputs("</svg>\n", f);

	if (ns > 1 || (ns == 1 && ser[0][0] != '\0')) {
		fputs("<ul class=\"legend\">", f);
		for (size_t s = 0; s < ns; s++) {
			report_display_name(series_path, ser[s], name, sizeof name);
			fprintf(f,
			        "<li><svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\"><rect "
			        "width=\"10\" height=\"10\" fill=\"%s\"/></svg>",
			        palette[s % NPALETTE]);
			esc(f, name);
			fputs("</li>", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("</figure>\n", f);
}

/* ---- the figures table ---- */

struct table {
	FILE *f;
	const char *group; /* the group heading written last */
	const char *sub;   /* the keyed-count heading written last */
};

/* Which heading a figure's row goes under. */
static const char *group_of(const char *path)
{
	if (strncmp(path, "tips.", 5) == 0)
		return "Tin báo";
	if (strncmp(path, "awareness.", 10) == 0)
		return "Tuyên truyền, phổ biến pháp luật";
	if (strncmp(path, "patrols.", 8) == 0 || strcmp(path, "missed_checkins") == 0)
		return "Tuần tra";
	if (strncmp(path, "mediations.", 11) == 0)
		return "Hòa giải";
	if (strncmp(path, "broadcasts.", 11) == 0)
		return "Thông báo qua tin nhắn";
	return "Tin nhắn SMS";
}

static void table_row(void *arg, const char *path, const char *key, long long cur, long long prev)
{
	struct table *t = arg;
	FILE *f = t->f;
	const char *g = group_of(path);
	char n[32], name[128];
	long long d = cur - prev;

	if (t->group == NULL || strcmp(t->group, g) != 0) {
		fprintf(f, "<tr class=\"group\"><td colspan=\"4\">%s</td></tr>\n", g);
		t->group = g;
		t->sub = NULL;
	}
	if (key != NULL && (t->sub == NULL || strcmp(t->sub, path) != 0)) {
		fprintf(f, "<tr class=\"sub\"><td colspan=\"4\">%s</td></tr>\n",
		        report_figure_label(path));
		t->sub = path;
	} else if (key == NULL) {
		t->sub = NULL;
	}
	if (key != NULL) {
		report_display_name(path, key, name, sizeof name);
		fputs("<tr><td class=\"k\">", f);
		esc(f, name);
	} else {
		fprintf(f, "<tr><td>%s", report_figure_label(path));
	}
	fputs("</td><td class=\"n\"", f);
	figure_attrs(f, path, key, "cur", cur);
	fprintf(f, ">%s</td><td class=\"n\"", report_format_count(cur, n));
	figure_attrs(f, path, key, "previous", prev);
	fprintf(f, ">%s</td>", report_format_count(prev, n));
	fprintf(f, "<td class=\"n%s\">%s%s</td></tr>\n",
	        d > 0   ? " up"
	        : d < 0 ? " down"
	                : "",
	        d > 0   ? "+"
	        : d < 0 ? "−"
	                : "",
	        report_format_number(d < 0 ? -d : d, 0, n));
}

static void date_span(FILE *f, const char *path, const char *period, const char *date)
{
	char d[REPORT_DATE_LEN];

	report_format_date(date, d);
	fprintf(f, "<time data-figure=\"%s\" data-period=\"%s\" data-value=\"", path, period);
	esc(f, date);
	fputs("\" datetime=\"", f);
	esc(f, date);
	fputs("\">", f);
	esc(f, d);
	fputs("</time>", f);
}

int report_html_body(const struct report *r, FILE *f)
{
	struct table t = {f, NULL, NULL};

	fputs("<header>\n<h1>Báo cáo kết quả</h1>\n<p class=\"period\">Từ ngày ", f);
	date_span(f, "from", "cur", r->cur.from);
	fputs(" đến ngày ", f);
	date_span(f, "to", "cur", r->cur.to);
	fputs(" · so với kỳ trước, từ ngày ", f);
	date_span(f, "from", "previous", r->previous.from);
	fputs(" đến ngày ", f);
	date_span(f, "to", "previous", r->previous.to);
	fputs("</p>\n</header>\n", f);

	cards(f, r);
	chart(f, "tips_weekly", "Tin báo theo tuần và loại", "tips.by_category", &r->tips_weekly);
	chart(f, "patrols_by_team", "Lượt tuần tra theo tổ", "patrols.by_team",
	      &r->patrols_by_team);
	chart(f, "participants_monthly", "Lượt người tham gia tuyên truyền theo tháng",
	      "awareness.participants", &r->participants_monthly);

	fputs("<section class=\"table\">\n<h2>Bảng số liệu</h2>\n<table>\n<thead><tr><th>Nội "
	      "dung</th><th class=\"n\">Kỳ này</th><th class=\"n\">Kỳ trước</th><th "
	      "class=\"n\">Tăng/giảm</th></tr></thead>\n<tbody>\n",
	      f);
	report_each_figure(r, table_row, &t);
	fputs("</tbody>\n</table>\n</section>\n", f);
	fputs("<footer>Lập bởi tipline từ các tin nhắn đã nhận và đã gửi.</footer>\n", f);
	return ferror(f) ? -1 : 0;
}

int report_html(const struct report *r, FILE *f)
{
	char d1[REPORT_DATE_LEN], d2[REPORT_DATE_LEN];

	report_format_date(r->cur.from, d1);
	report_format_date(r->cur.to, d2);
	fputs("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", f);
	fputs("<title>Báo cáo kết quả ", f);
	esc(f, d1);
	fputs(" – ", f);
	esc(f, d2);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	report_html_body(r, f);
	fputs("</body>\n</html>\n", f);
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}
