/*
 * The admins' audit log (console_audit.c, issue 24: Tài khoản): GET /audit, every change made
 * by officers — the console's (console_audit) and every tip's triage and answer (tip_events,
 * whatever the door) — newest first, filtered by who, what, on what and when (local dates),
 * a page at a time; GET /audit.csv the same filtered log as a download. A GET form: the filters
 * work without the script and every filtered view is a link. Admins only (403 for others).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console_int.h"
#include "csv.h"
#include "report.h"
#include "store.h"
#include "ts.h"

#define E(s) report_html_esc(f, (s))

/* What the log calls each action (the names act*.c and the console's doors write). */
static const char *const action_labels[][2] = {
    {"tip_mark", "Xử lý tin báo"},
    {"tip_answer", "Trả lời người báo tin"},
    {"tip_set", "Sửa loại, thôn của tin"},
    {"account_password", "Đặt mật khẩu"},
    {"passwd", "Đặt mật khẩu"},
    {"account_disable", "Khoá tài khoản"},
    {"account_enable", "Mở khoá tài khoản"},
    {"account_admin", "Quyền quản trị"},
    {"contact_add", "Thêm người"},
    {"contact_set", "Sửa người"},
    {"contact_pin", "Đặt mã PIN"},
    {"contact_remove", "Xoá người"},
    {"contacts_import", "Nhập danh bạ"},
    {"group_add", "Thêm vào nhóm"},
    {"group_remove", "Bỏ khỏi nhóm"},
    {"group_delete", "Xoá nhóm"},
    {"team_nights", "Đêm tuần tra của tổ"},
};

/* ACTION's label, or the name itself for one this list does not know. */
static const char *action_label(const char *action)
{
	for (size_t i = 0; action != NULL && i < sizeof action_labels / sizeof action_labels[0];
	     i++)
		if (strcmp(action_labels[i][0], action) == 0)
			return action_labels[i][1];
	return action ? action : "";
}

/* "cli" is the shell on the box (`tipline tip mark`, `tipline passwd`): said so. */
static const char *who_label(const char *by)
{
	return strcmp(by, "cli") == 0 ? "Dòng lệnh (cli)" : by;
}

/* The filters as the query string gives them, checked. */
struct audit_query {
	const char *by, *action, *q, *from, *to;
	const char *e_from, *e_to, *e_q; /* a message beside the field, NULL when fine */
	char since[TS_LEN], until[TS_LEN];
	struct store_audit_filter flt;
};

static const char *const audit_names[] = {"by", "action", "q", "from", "to"};

/* 0, or -1 when a filter is bad (its message set: nothing is listed). */
static int audit_query(const struct console_req *rq, struct audit_query *a)
{
	memset(a, 0, sizeof *a);
	a->by = rq->arg(rq, "by");
	a->action = rq->arg(rq, "action");
	a->q = rq->arg(rq, "q");
	a->from = rq->arg(rq, "from");
	a->to = rq->arg(rq, "to");
	if (a->from != NULL && con_date_bound(a->from, 0, a->since) < 0)
		a->e_from = "Ngày không hợp lệ: hãy chọn một ngày (YYYY-MM-DD).";
	if (a->to != NULL && con_date_bound(a->to, 1, a->until) < 0)
		a->e_to = "Ngày không hợp lệ: hãy chọn một ngày (YYYY-MM-DD).";
	else if (a->to != NULL && a->e_from == NULL && a->from != NULL &&
	         strcmp(a->until, a->since) <= 0)
		a->e_to = "“Đến ngày” phải không trước “Từ ngày”.";
	if (a->q != NULL && strlen(a->q) > 200)
		a->e_q = "Tối đa 200 ký tự.";
	/* An officer or an action longer than any the log holds matches nothing: no error. */
	a->flt.by = a->by;
	a->flt.action = a->action;
	a->flt.subject = a->q;
	a->flt.since = a->from ? a->since : NULL;
	a->flt.until = a->to ? a->until : NULL;
	return a->e_from || a->e_to || a->e_q ? -1 : 0;
}

/* A row's detail as the page and the CSV show it: a triage as "Mới → Có giá trị; the note"
 * (written into BUF, SZ bytes), else the row's own text. Never NULL. */
static const char *row_detail(const struct store_row *r, char *buf, size_t sz)
{
	const char *detail = r->val[4], *from = r->val[5], *to = r->val[6];

	if (from == NULL || to == NULL || strcmp(r->val[2], "tip_answer") == 0)
		return detail ? detail : "";
	snprintf(buf, sz, "%s → %s%s%s", con_status_label(from), con_status_label(to),
	         detail && detail[0] ? "; " : "", detail ? detail : "");
	return buf;
}

struct audit_view {
	FILE *f;
	struct csv *csv; /* the download, else NULL: the page's table */
	int rows, limit; /* the page shows LIMIT; one more says there is a next page */
};

/* at, by, action, subject, detail, from_status, to_status */
static int audit_row(const struct store_row *r, void *ctx)
{
	struct audit_view *v = ctx;
	FILE *f = v->f;
	char buf[TS_LEN], detail[4096];

	if (v->csv != NULL) {
		if (ts_utc_to_local(r->val[0], buf) < 0)
			snprintf(buf, sizeof buf, "%s", r->val[0]);
		csv_field(v->csv, buf);
		csv_field(v->csv, r->val[1]);
		csv_field(v->csv, action_label(r->val[2]));
		csv_field(v->csv, r->val[2]);
		csv_field(v->csv, r->val[3]);
		csv_field(v->csv, row_detail(r, detail, sizeof detail));
		csv_end_row(v->csv);
		return 0;
	}
	if (v->rows++ >= v->limit)
		return 0;
	if (v->rows == 1)
		fputs(
		    "<div class=\"scroll\" tabindex=\"0\"><table id=\"audit\"><caption>Nhật ký, "
		    "mới "
		    "nhất trước (giờ địa phương)</caption><thead><tr><th scope=\"col\">Lúc</th>"
		    "<th scope=\"col\">Người làm</th><th scope=\"col\">Việc</th><th scope=\"col\">"
		    "Đối tượng</th><th scope=\"col\">Chi tiết</th></tr></thead><tbody>",
		    f);
	fputs("<tr><td class=\"time\">", f);
	E(con_local(r->val[0], buf));
	fputs("</td><td><bdi>", f);
	E(who_label(r->val[1] ? r->val[1] : ""));
	fputs("</bdi></td><td data-action=\"", f);
	E(r->val[2] ? r->val[2] : "");
	fputs("\">", f);
	E(action_label(r->val[2]));
	fputs("</td><td><bdi>", f);
	E(r->val[3] ? r->val[3] : "");
	/* The detail keeps its words whole on a phone: the table scrolls sideways instead. */
	fputs("</bdi></td><td class=\"text\"><bdi>", f);
	E(row_detail(r, detail, sizeof detail));
	fputs("</bdi></td></tr>", f);
	return 0;
}

/* The options of a filter's select: struct option_list as store_each's context. */
struct option_list {
	FILE *f;
	const char *selected;
	int found; /* the selected value is among them */
	const char *(*label)(const char *value);
};

static int option_row(const struct store_row *r, void *ctx)
{
	struct option_list *o = ctx;

	if (r->val[0] == NULL)
		return 0;
	if (o->selected != NULL && strcmp(o->selected, r->val[0]) == 0)
		o->found = 1;
	con_option(o->f, r->val[0], o->label(r->val[0]), o->selected);
	return 0;
}

/* A select NAME labelled LABEL, its options from LIST (and SELECTED kept when the log no longer
 * has it: the page says what it filters by). */
static int filter_select(FILE *f, const char *id, const char *name, const char *label,
                         const char *selected, store_lister list,
                         const char *(*label_of)(const char *))
{
	struct option_list o = {f, selected, 0, label_of};

	con_filter_select(f, id, label, name, selected);
	if (list(NULL, 500, option_row, &o) < 0)
		return -1;
	if (selected != NULL && !o.found)
		con_option(f, selected, label_of(selected), selected);
	fputs("</select></p>", f);
	return 0;
}

/* A text or date input with its label, its value, and its error beside it. */
static void filter_input(FILE *f, const char *id, const char *name, const char *type,
                         const char *label, const char *value, const char *err)
{
	con_input(f, id, label, name, type, value ? value : "", err,
	          strcmp(type, "search") == 0 ? " maxlength=\"200\"" : NULL);
}

static void forbidden(const struct console_req *rq, struct console_resp *resp)
{
	console_page_message(rq, resp, 403, "Bị từ chối",
	                     "Chỉ cán bộ quản trị tài khoản mới xem được nhật ký.");
}

/* GET /audit.csv: the log as the page's filters choose it, every row, newest first. */
static int audit_csv(const struct console_req *rq, struct console_resp *resp)
{
	struct audit_query a;
	struct csv c;
	struct audit_view v = {resp->f, &c, 0, 0};
	static const char *const head[] = {
	    "Lúc (giờ địa phương)", "Người làm", "Việc", "Mã việc", "Đối tượng", "Chi tiết"};

	if (audit_query(rq, &a) < 0) {
		console_page_message(rq, resp, 400, "Bộ lọc không hợp lệ",
		                     "Ngày hoặc từ khoá không hợp lệ: không có gì được tải.");
		return 0;
	}
	resp->type = "text/csv; charset=utf-8";
	snprintf(resp->disposition, sizeof resp->disposition,
	         "attachment; filename=\"nhat-ky.csv\"");
	csv_init(&c, resp->f, CSV_BOM);
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		csv_field(&c, head[i]);
	csv_end_row(&c);
	if (store_console_audit_log(&a.flt, 0, 0, audit_row, &v) < 0)
		return -1;
	return csv_close(&c) < 0 ? -1 : 0;
}

int console_page_audit(const struct console_req *rq, struct console_resp *resp, int csv)
{
	struct audit_query a;
	FILE *f = resp->f;
	const char *pg = rq->arg(rq, "page");
	long page = pg ? strtol(pg, NULL, 10) : 1;
	struct audit_view v = {f, NULL, 0, CONSOLE_PAGE_SIZE};
	int bad;

	if (!rq->who->admin) {
		forbidden(rq, resp);
		return 0;
	}
	if (csv)
		return audit_csv(rq, resp);
	if (page < 1 || page > 100000)
		page = 1;
	bad = audit_query(rq, &a) < 0;
	const char *const vals[] = {a.by, a.action, a.q, a.from, a.to};

	con_page_begin(rq, resp, "Nhật ký thay đổi", "/accounts", 0);
	fputs("<p class=\"sub\">Mọi thay đổi của cán bộ: trên bảng điều khiển, và việc xử lý, trả "
	      "lời tin báo (cả qua SMS và dòng lệnh). <a href=\"/accounts\">Về trang tài khoản</a>"
	      "</p><form class=\"filters\" method=\"get\" action=\"/audit\">",
	      f);
	if (filter_select(f, "a-by", "by", "Người làm", a.by, store_console_audit_who, who_label) <
	        0 ||
	    filter_select(f, "a-action", "action", "Việc", a.action, store_console_audit_actions,
	                  action_label) < 0)
		return -1;
	filter_input(f, "a-q", "q", "search", "Đối tượng (mã tin, số điện thoại, nhóm…)", a.q,
	             a.e_q);
	filter_input(f, "a-from", "from", "date", "Từ ngày", a.from, a.e_from);
	filter_input(f, "a-to", "to", "date", "Đến ngày", a.to, a.e_to);
	fputs("<p><button type=\"submit\">Lọc</button> <a href=\"/audit\">Bỏ lọc</a> ", f);
	if (!bad) {
		fputs("<a id=\"audit-csv\" href=\"/audit.csv?", f);
		con_filter_query(f, audit_names, vals, 5);
		fputs("\" download>Tải CSV (đúng bộ lọc này)</a>", f);
	}
	fputs("</p></form>", f);
	if (bad) {
		resp->status = 400;
		fputs(
		    "<p class=\"error\" role=\"alert\">Bộ lọc không hợp lệ (xem bên cạnh ô): không "
		    "liệt kê gì.</p>",
		    f);
		con_page_end(resp);
		return 0;
	}
	if (store_console_audit_log(&a.flt, CONSOLE_PAGE_SIZE + 1,
	                            (int)((page - 1) * CONSOLE_PAGE_SIZE), audit_row, &v) < 0)
		return -1;
	if (v.rows > 0)
		fputs("</tbody></table></div>", f);
	else
		fputs("<p class=\"empty\">Không có thay đổi nào khớp bộ lọc.</p>", f);
	fprintf(f, "<p class=\"sub\" id=\"count\">Trang %ld</p>", page);
	con_pager(f, "/audit", page, v.rows > CONSOLE_PAGE_SIZE, audit_names, vals, 5);
	con_page_end(resp);
	return 0;
}
