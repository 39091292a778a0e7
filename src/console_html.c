/*
 * The frame every console page shares (console_html.c; see console_int.h): labels, the page's
 * header and navigation, tables of store rows, form bits. Every text from the database goes
 * through the one escaper (report_html_esc).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "config.h"
#include "console_int.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "text.h"
#include "ts.h"

#define E(s) report_html_esc(f, (s))

const struct con_status con_statuses[] = {
    {"new", "Mới"},
    {"checking", "Đang xác minh"},
    {"valuable", "Có giá trị"},
    {"false", "Không đúng sự thật"},
    {"closed", "Đã đóng"},
};
const size_t con_nstatuses = sizeof con_statuses / sizeof con_statuses[0];

const char *con_status_label(const char *s)
{
	for (size_t i = 0; s != NULL && i < con_nstatuses; i++)
		if (strcmp(con_statuses[i].name, s) == 0)
			return con_statuses[i].label;
	return s ? s : "";
}

/*
 * What the pages call category NAME: the default categories in Vietnamese with diacritics
 * (the USSD menu's labels have none: a USSD screen is GSM-7), else ussd.category_labels'
 * label, else the name itself.
 */
const char *con_category_label(const struct config *cfg, const char *name)
{
	static const char *const labels[][2] = {
	    {"drugs", "Ma tuý"},
	    {"theft", "Trộm cắp"},
	    {"fighting", "Đánh nhau"},
	    {"gambling", "Cờ bạc"},
	    {"traffic", "Giao thông"},
	    {"stranger", "Người lạ"},
	    {"fraud", "Lừa đảo"},
	    {"forest", "Phá rừng"},
	    {"weapons", "Vũ khí"},
	    {"dispute", "Tranh chấp"},
	    {"domestic_violence", "Bạo lực gia đình"},
	    {"other", "Khác"},
	};

	if (name == NULL || name[0] == '\0')
		return "";
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i][0], name) == 0)
			return labels[i][1];
	return config_ussd_label(&cfg->ussd_menu, name);
}

/* At most MAX characters of S (UTF-8) escaped into F, "…" when cut. */
void con_excerpt(FILE *f, const char *s, int max)
{
	size_t n = strlen(s), i = 0;
	int chars = 0;
	char *cut;

	while (i < n && chars < max) {
		uint32_t cp;

		i += text_utf8_next(s + i, n - i, &cp);
		chars++;
	}
	if (i >= n) {
		report_html_esc(f, s);
		return;
	}
	if ((cut = strndup(s, i)) == NULL)
		return;
	report_html_esc(f, cut);
	fputs("…", f);
	free(cut);
}

/* UTC text as local time "YYYY-MM-DD HH:MM" into BUF[TS_LEN]; "" for NULL. */
const char *con_local(const char *utc, char buf[TS_LEN])
{
	if (utc == NULL || utc[0] == '\0' || ts_utc_to_local(utc, buf) < 0)
		return utc ? utc : "";
	buf[16] = '\0';
	return buf;
}

/* --- the frame of every page --- */

void con_page_begin(const struct console_req *rq, struct console_resp *resp, const char *title,
                    const char *current, int refresh)
{
	static const struct {
		const char *href, *label;
	} nav[] = {
	    {"/", "Tổng quan"},           {"/tips", "Tin báo"},    {"/patrols", "Tuần tra"},
	    {"/broadcasts", "Thông báo"}, {"/reports", "Báo cáo"}, {"/modem", "Thiết bị"},
	    {"/people", "Danh bạ"},       {"/groups", "Nhóm, tổ"},
	};
	FILE *f = resp->f;

	fputs("<!doctype html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
	      f);
	fputs("<title>", f);
	E(title);
	fputs(" · tipline</title><link rel=\"stylesheet\" href=\"/static/console.css\">"
	      "<script src=\"/static/console.js\" defer></script></head>",
	      f);
	if (refresh > 0)
		fprintf(f, "<body data-refresh=\"%d\">", refresh);
	else
		fputs("<body>", f);
	fputs("<a class=\"skip\" href=\"#main\">Bỏ qua menu</a><header class=\"top\">"
	      "<span class=\"brand\">tipline</span>",
	      f);
	if (rq->who != NULL) {
		fputs("<nav aria-label=\"Mục chính\"><ul>", f);
		for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
			fprintf(f, "<li><a href=\"%s\"%s>", nav[i].href,
			        current && strcmp(current, nav[i].href) == 0
			            ? " aria-current=\"page\""
			            : "");
			E(nav[i].label);
			fputs("</a></li>", f);
		}
		if (rq->who->admin)
			fprintf(f, "<li><a href=\"/accounts\"%s>Tài khoản</a></li>",
			        current && strcmp(current, "/accounts") == 0
			            ? " aria-current=\"page\""
			            : "");
		fputs("</ul></nav><form class=\"logout\" method=\"post\" action=\"/logout\">"
		      "<input type=\"hidden\" name=\"csrf\" value=\"",
		      f);
		E(rq->who->csrf);
		fputs("\"><span class=\"who\">", f);
		E(rq->who->name[0] ? rq->who->name : rq->who->phone);
		fputs("</span> <button type=\"submit\">Đăng xuất</button></form>", f);
	}
	fputs("</header><main id=\"main\"><h1>", f);
	E(title);
	fputs("</h1>", f);
}

void con_page_end(struct console_resp *resp)
{
	fputs("</main></body></html>\n", resp->f);
}

void console_page_message(const struct console_req *rq, struct console_resp *resp, unsigned status,
                          const char *title, const char *text)
{
	resp->status = status;
	con_page_begin(rq, resp, title, NULL, 0);
	fputs("<p class=\"msg\">", resp->f);
	report_html_esc(resp->f, text);
	fputs("</p>", resp->f);
	if (rq->who != NULL)
		fputs("<p><a href=\"/\">Về trang tổng quan</a></p>", resp->f);
	else
		fputs("<p><a href=\"/login\">Đăng nhập</a></p>", resp->f);
	con_page_end(resp);
}

void con_by(const struct console_req *rq, char *by, size_t sz)
{
	if (rq->who->name[0])
		snprintf(by, sz, "%s (%s)", rq->who->name, rq->who->phone);
	else
		snprintf(by, sz, "%s", rq->who->phone);
}

enum act_status con_change(const struct console_req *rq,
                           enum act_status (*run)(struct act_who *w, void *arg), void *arg,
                           const char *action, const char *subject, const char *detail)
{
	struct act_who w;
	enum act_status st;
	char by[200];

	con_by(rq, by, sizeof by);
	act_who_officer(&w, by);
	if (store_begin() < 0)
		return ACT_ERROR;
	st = run(&w, arg);
	if (st == ACT_OK && act_audit(&w, action, subject, detail) < 0)
		st = ACT_ERROR;
	if (store_end(st == ACT_OK) < 0)
		return ACT_ERROR;
	if (st == ACT_OK)
		log_info("console: %s %s by %s", action, subject, by);
	return st;
}

void con_csrf_field(const struct console_req *rq, FILE *f)
{
	fputs("<input type=\"hidden\" name=\"csrf\" value=\"", f);
	E(rq->who->csrf);
	fputs("\">", f);
}

/* --- tables of store rows --- */

static const char *con_column_label(const char *name)
{
	static const char *const labels[][2] = {
	    {"id", "#"},
	    {"team", "Tổ"},
	    {"leader", "Tổ trưởng"},
	    {"started_at", "Bắt đầu"},
	    {"ended_at", "Kết thúc"},
	    {"members", "Số người"},
	    {"notes", "Ghi chú"},
	    {"end_notes", "Ghi chú kết thúc"},
	    {"kind", "Loại"},
	    {"subject", "Đối tượng"},
	    {"raised_at", "Lúc báo"},
	    {"sent_at", "Lúc gửi"},
	    {"recipients", "Người nhận"},
	    {"sent", "Đã gửi"},
	    {"detail", "Chi tiết"},
	    {"under_way", "Đã đi"},
	    {"code", "Tổ"},
	    {"nights", "Đêm tuần tra"},
	    {"night_by", "Bắt đầu trước"},
	    {"leaders", "Tổ trưởng"},
	    {"out_since", "Đang đi từ"},
	    {"at", "Lúc"},
	    {"by", "Người làm"},
	    {"action", "Việc"},
	};

	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i][0], name) == 0)
			return labels[i][1];
	return name;
}

int con_table_row(const struct store_row *r, void *ctx)
{
	struct con_table *t = ctx;
	FILE *f = t->f;
	char buf[TS_LEN];

	if (t->rows++ == 0) {
		fputs("<div class=\"scroll\" tabindex=\"0\"><table><thead><tr>", f);
		for (int i = 0; i < r->n; i++) {
			fputs("<th scope=\"col\">", f);
			E(con_column_label(r->name[i]));
			fputs("</th>", f);
		}
		fputs("</tr></thead><tbody>", f);
	}
	fputs("<tr>", f);
	for (int i = 0; i < r->n; i++) {
		size_t n = strlen(r->name[i]);
		int at = strcmp(r->name[i], "at") == 0 ||
		         (n > 3 && strcmp(r->name[i] + n - 3, "_at") == 0);

		fputs(r->numeric[i] ? "<td class=\"num\">"
		      : at          ? "<td class=\"time\"><bdi>"
		                    : "<td><bdi>",
		      f);
		if (at && t->utc)
			E(con_local(r->val[i], buf));
		else if (at && r->val[i] != NULL && strlen(r->val[i]) >= 16)
			fprintf(f, "%.16s", r->val[i]);
		else
			E(r->val[i] ? r->val[i] : "");
		fputs(r->numeric[i] ? "</td>" : "</bdi></td>", f);
	}
	fputs("</tr>", f);
	return 0;
}

void con_table_end(struct con_table *t, const char *empty)
{
	if (t->rows > 0)
		fputs("</tbody></table></div>", t->f);
	else {
		fputs("<p class=\"empty\">", t->f);
		report_html_esc(t->f, empty);
		fputs("</p>", t->f);
	}
}

/* A query date 'YYYY-MM-DD' as the UTC bound of its day (start, or end when END). */
int con_date_bound(const char *d, int end, char out[TS_LEN])
{
	struct report_period p;

	if (d == NULL || report_period_days(d, d, &p) < 0)
		return -1;
	snprintf(out, TS_LEN, "%s", end ? p.end_utc : p.start_utc);
	return 0;
}

void con_filter_select(FILE *f, const char *id, const char *label, const char *name,
                       const char *selected)
{
	fprintf(f, "<p><label for=\"%s\">", id);
	E(label);
	fprintf(f, "</label><select id=\"%s\" name=\"%s\">", id, name);
	con_option(f, "", "Tất cả", selected);
}

void con_input(FILE *f, const char *id, const char *label, const char *name, const char *type,
               const char *value, const char *err, const char *extra)
{
	fprintf(f, "<p><label for=\"%s\">", id);
	E(label);
	fprintf(f, "</label><input id=\"%s\" name=\"%s\" type=\"%s\" value=\"", id, name, type);
	E(value);
	fprintf(f, "\"%s", extra ? extra : "");
	if (err != NULL) {
		fprintf(f,
		        " aria-invalid=\"true\" aria-describedby=\"%s-err\"><span class=\"error\" "
		        "id=\"%s-err\">",
		        id, id);
		E(err);
		fputs("</span>", f);
	} else
		fputs(">", f);
	fputs("</p>", f);
}

void con_radio(FILE *f, const char *name, const char *value, const char *label, const char *checked)
{
	fprintf(f,
	        "<div class=\"check\"><input type=\"radio\" name=\"%s\" id=\"%s-%s\" "
	        "value=\"%s\"%s><label for=\"%s-%s\">",
	        name, name, value, value, strcmp(value, checked) == 0 ? " checked" : "", name,
	        value);
	E(label);
	fputs("</label></div>", f);
}

void con_option(FILE *f, const char *value, const char *label, const char *selected)
{
	fputs("<option value=\"", f);
	E(value);
	fputs("\"", f);
	if (selected != NULL && strcmp(selected, value) == 0)
		fputs(" selected", f);
	fputs(">", f);
	E(label);
	fputs("</option>", f);
}

/* The query string of the list's filters (for the pages' links), escaped into F. */
void con_filter_query(FILE *f, const char *const names[], const char *const vals[], int n)
{
	for (int i = 0; i < n; i++) {
		if (vals[i] == NULL)
			continue;
		fprintf(f, "&amp;%s=", names[i]);
		for (const unsigned char *p = (const unsigned char *)vals[i]; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.')
				fputc(*p, f);
			else
				fprintf(f, "%%%02X", *p);
		}
	}
}

long con_pages(int64_t total, long *page)
{
	long pages = total > 0 ? (long)((total + CONSOLE_PAGE_SIZE - 1) / CONSOLE_PAGE_SIZE) : 1;

	if (*page < 1)
		*page = 1;
	if (*page > pages)
		*page = pages;
	return pages;
}

void con_pager(FILE *f, const char *path, long page, int more, const char *const names[],
               const char *const vals[], int n)
{
	if (page <= 1 && !more)
		return;
	fputs("<nav class=\"pages\" aria-label=\"Trang\">", f);
	if (page > 1) {
		fprintf(f, "<a rel=\"prev\" href=\"%s?page=%ld", path, page - 1);
		con_filter_query(f, names, vals, n);
		fputs("\">← Trang trước</a> ", f);
	}
	if (more) {
		fprintf(f, "<a rel=\"next\" href=\"%s?page=%ld", path, page + 1);
		con_filter_query(f, names, vals, n);
		fputs("\">Trang sau →</a>", f);
	}
	fputs("</nav>", f);
}
