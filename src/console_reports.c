/*
 * The console's reports page (Báo cáo, issue 24): a period chooser, the report as
 * report_html_body draws it (summary cards with the previous period beside each figure, the
 * inline SVG charts, the table of both periods), and downloads in HTML, CSV and JSON by the
 * renderers `tipline report --format` uses, from the same store_report_fill. Printing: the
 * stylesheet below drops the header, navigation, chooser and links, and keeps each chart and
 * table row whole on the page (A4).
 *
 * Routes (console.c): GET /reports, /reports.html, /reports.csv, /reports.json (the same query:
 * period=week|month|ym|days, month=YYYY-MM, from, to), GET /static/console2.css.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "console_int.h"
#include "report.h"
#include "store.h"
#include "ts.h"

#define E(s) report_html_esc(f, (s))

/*
 * The period the query asks for into P (this month to date when it asks nothing); WHAT the
 * chooser's value. 0, or -1 with WHY filled (a bad month or dates: the page says so).
 */
static int period_of(const struct console_req *rq, struct report_period *p, const char **what,
                     char *why, size_t sz)
{
	const char *k = rq->arg(rq, "period"), *m = rq->arg(rq, "month");
	const char *from = rq->arg(rq, "from"), *to = rq->arg(rq, "to");
	int64_t now = (int64_t)time(NULL);

	*what = k != NULL ? k : "month";
	if (k == NULL || strcmp(k, "month") == 0) {
		*what = "month";
		report_period_month_to_date(now, p);
	} else if (strcmp(k, "week") == 0) {
		report_period_week(now, p);
	} else if (strcmp(k, "ym") == 0) {
		if (m == NULL || report_period_month(m, p) < 0) {
			snprintf(why, sz, "Hãy chọn một tháng (năm-tháng).");
			return -1;
		}
	} else if (strcmp(k, "days") == 0) {
		if (from == NULL || to == NULL || report_period_days(from, to, p) < 0) {
			snprintf(why, sz,
			         "Hãy chọn ngày bắt đầu và ngày kết thúc (ngày bắt đầu "
			         "không sau ngày kết thúc).");
			return -1;
		}
	} else {
		snprintf(why, sz, "Không rõ kỳ báo cáo.");
		return -1;
	}
	return 0;
}

/* The report of P, filled from the store (the caller closes it). 0 or -1. */
static int fill(const struct report_period *p, struct report *r)
{
	report_init(r);
	return store_report_fill(r, p);
}

/* The query string of the period the page shows (for the download links), escaped. */
static void period_query(FILE *f, const char *what, const struct report_period *p)
{
	fprintf(f, "?period=%s",
	        strcmp(what, "week") == 0   ? "week"
	        : strcmp(what, "ym") == 0   ? "ym"
	        : strcmp(what, "days") == 0 ? "days"
	                                    : "month");
	if (strcmp(what, "ym") == 0)
		fprintf(f, "&amp;month=%.7s", p->from);
	if (strcmp(what, "days") == 0)
		fprintf(f, "&amp;from=%s&amp;to=%s", p->from, p->to);
}

int console_page_reports(const struct console_req *rq, struct console_resp *resp)
{
	FILE *f = resp->f;
	struct report_period p, prev;
	struct report r;
	const char *what, *m = rq->arg(rq, "month"), *from = rq->arg(rq, "from"),
	                  *to = rq->arg(rq, "to");
	char why[160] = "", ym[8];
	int bad, rc = -1;

	bad = period_of(rq, &p, &what, why, sizeof why) < 0;
	if (bad) {
		resp->status = 400;
		report_period_month_to_date((int64_t)time(NULL), &p);
	}
	report_period_previous(&p, &prev);
	if (fill(&p, &r) < 0)
		goto out;
	con_page_begin(rq, resp, "Báo cáo", "/reports", 0);
	fputs("<link rel=\"stylesheet\" href=\"/static/console2.css\">", f);
	fputs("<form method=\"get\" action=\"/reports\" class=\"filters periods\" id=\"periods\">"
	      "<fieldset><legend>Kỳ báo cáo</legend>",
	      f);
	con_radio(f, "period", "week", "Tuần này", what);
	con_radio(f, "period", "month", "Tháng này", what);
	con_radio(f, "period", "ym", "Một tháng", what);
	con_radio(f, "period", "days", "Từ ngày … đến ngày", what);
	fputs("</fieldset><p><label for=\"month\">Tháng</label><input type=\"month\" id=\"month\" "
	      "name=\"month\" value=\"",
	      f);
	snprintf(ym, sizeof ym, "%.7s", p.from);
	E(m != NULL ? m : ym);
	fputs("\"></p><p><label for=\"from\">Từ ngày</label><input type=\"date\" id=\"from\" "
	      "name=\"from\" value=\"",
	      f);
	E(from != NULL ? from : p.from);
	fputs("\"></p><p><label for=\"to\">Đến ngày</label><input type=\"date\" id=\"to\" "
	      "name=\"to\" value=\"",
	      f);
	E(to != NULL ? to : p.to);
	fputs("\"></p><p><button type=\"submit\" id=\"show\">Xem báo cáo</button></p></form>", f);
	if (bad) {
		fputs("<p class=\"error\" role=\"alert\" id=\"period-error\">", f);
		E(why);
		fputs("</p>", f);
	}
	fputs("<p class=\"downloads\">Tải về: ", f);
	for (int i = 0; i < 3; i++) {
		static const char *const ext[] = {"html", "csv", "json"}, *const label[] = {"HTML",
		                                                                            "CSV",
		                                                                            "JSON"};

		fprintf(f, "%s<a href=\"/reports.%s", i ? " · " : "", ext[i]);
		period_query(f, what, &p);
		fprintf(f, "\" id=\"dl-%s\" download>%s</a>", ext[i], label[i]);
	}
	fputs(" · kỳ trước: ", f);
	E(prev.from);
	fputs(" – ", f);
	E(prev.to);
	fputs("</p><article class=\"report\" id=\"report\" aria-label=\"Báo cáo\">", f);
	if (report_html_body(&r, f) < 0)
		goto out;
	fputs("</article>", f);
	con_page_end(resp);
	rc = 0;
out:
	report_close(&r);
	return rc;
}

int console_report_download(const struct console_req *rq, struct console_resp *resp,
                            const char *ext)
{
	struct report_period p;
	struct report r;
	const char *what;
	char why[160], name[96];
	int rc = -1;

	if (period_of(rq, &p, &what, why, sizeof why) < 0) {
		console_page_message(rq, resp, 400, "Kỳ báo cáo sai", why);
		return 0;
	}
	if (fill(&p, &r) < 0)
		goto out;
	snprintf(name, sizeof name, "bao-cao-%s-%s.%s", p.from, p.to, ext);
	snprintf(resp->disposition, sizeof resp->disposition, "attachment; filename=\"%s\"", name);
	if (strcmp(ext, "csv") == 0) {
		resp->type = "text/csv; charset=utf-8";
		rc = report_csv(&r, resp->f, 0);
	} else if (strcmp(ext, "json") == 0) {
		resp->type = "application/json";
		rc = report_json(&r, resp->f);
	} else {
		rc = report_html(&r, resp->f);
	}
out:
	report_close(&r);
	return rc;
}

/*
 * The rules of the pages of issue 24 (/static/console2.css, linked by each of them): the
 * report's inside the console's page (report_html.c's own, scoped under .report), the page on
 * paper (no header, navigation, chooser or links; charts and rows whole), the composer and
 * the broadcasts' list (a block per broadcast on a phone).
 */
const char console2_css[] =
    "fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 1rem;padding:.25rem "
    "1rem .5rem}legend{font-weight:bold}\n"
    ".check{margin:.35rem 0}.check input{margin:0}\n"
    "a.button{display:inline-block;padding:.5rem .9rem;border-radius:4px;background:#0b5394;"
    "color:#fff;text-decoration:none;min-height:2.75rem;line-height:1.8}\n"
    "button.secondary{background:#fff;color:#0b3d6b}\n"
    "progress{width:8rem;max-width:100%;height:1rem;vertical-align:middle}\n"
    "tr.new{background:#fffbe6}.broadcasts form{margin:0}\n"
    "@media (max-width:40rem){table.broadcasts thead{position:absolute;left:-999px}"
    "table.broadcasts,table.broadcasts tbody,table.broadcasts tr,table.broadcasts td"
    "{display:block;width:100%}table.broadcasts tr{border-bottom:1px solid var(--line);"
    "padding:.4rem 0}table.broadcasts td{border:0;padding:.1rem .25rem}"
    "table.broadcasts td:nth-child(-n+2){display:inline-block;width:auto;font-weight:bold}}\n"
    ".periods fieldset{border:0;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem "
    "1rem}.periods legend{font-weight:bold;padding:0}\n"
    ".report{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem;"
    "min-width:0}\n"
    ".report header{border-bottom:3px solid #b71c1c;padding-bottom:6px;margin-bottom:10px}\n"
    ".report h1{font-size:1.3rem;margin:0 0 3px;color:#b71c1c;text-transform:uppercase}\n"
    ".report .period{margin:0;color:#444}\n"
    ".report .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));"
    "gap:8px;margin:8px 0}\n"
    ".report .card{border:1px solid #ddd;border-left:4px solid #b71c1c;border-radius:4px;"
    "padding:6px 9px;background:#fafafa;margin:0;break-inside:avoid}\n"
    ".report .card .v{font-size:1.6rem;font-weight:bold;color:#b71c1c;white-space:nowrap}\n"
    ".report .card .v small{font-size:1rem;font-weight:normal;color:#555}\n"
    ".report .card .l{font-size:.85rem;color:#444}.report .card .p{font-size:.8rem;color:#555}\n"
    ".report figure{margin:0 0 6px;break-inside:avoid}\n"
    ".report svg.chart{width:100%;height:auto;display:block}\n"
    ".report .legend{list-style:none;padding:0;margin:2px 0 0 40px;font-size:.85rem}\n"
    ".report .legend li{display:inline-block;margin-right:14px}\n"
    ".report .legend svg{vertical-align:-1px;margin-right:4px}\n"
    ".report table{font-size:.9rem}.report th,.report td{border:1px solid #ccc;padding:3px 7px}\n"
    ".report th.n,.report td.n{text-align:right;white-space:nowrap}\n"
    ".report thead th{background:#f3e3e3}.report tr{break-inside:avoid}\n"
    ".report tr.group td{background:#eee;font-weight:bold}\n"
    ".report tr.sub td{color:#444;font-style:italic}.report td.k{padding-left:22px}\n"
    ".report .up{color:#1b5e20}.report .down{color:#b71c1c}\n"
    ".report footer{margin-top:10px;font-size:.8rem;color:#555}\n"
    "@media print{@page{size:A4;margin:14mm 12mm}"
    "html{background:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "header.top,nav,.skip,form.periods,.downloads,main>h1{display:none!important}"
    "main{max-width:none;padding:0}.report{border:0;padding:0}"
    ".report .cards{grid-template-columns:repeat(4,1fr)}"
    "figure,svg.chart,tr,.card{break-inside:avoid}}\n";
