/*
 * The console's pages (see console_int.h): server-rendered HTML in Vietnamese, local time,
 * forms that work without JavaScript. Every text from the database goes through the one
 * escaper (report_html_esc), texts people sent inside <bdi> so that a right-to-left override
 * in one cannot turn the page around it. An anonymous tip's sender is never selected, so no
 * page can show it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "console.h"
#include "console_int.h"
#include "act.h"
#include "broadcast.h"
#include "csv.h"
#include "json.h"
#include "log.h"
#include "outbox.h"
#include "parse.h"
#include "report.h"
#include "store.h"
#include "text.h"
#include "ts.h"

#define E(s) report_html_esc(f, (s))

/* --- login --- */

int console_page_login(const struct console_req *rq, struct console_resp *resp, const char *error)
{
	FILE *f = resp->f;

	con_page_begin(rq, resp, "Đăng nhập", NULL, 0);
	if (error != NULL) {
		resp->status = 200;
		fputs("<p class=\"error\" role=\"alert\">", f);
		E(error);
		fputs("</p>", f);
	}
	fputs("<form class=\"login\" method=\"post\" action=\"/login\">"
	      "<p><label for=\"phone\">Số điện thoại</label>"
	      "<input id=\"phone\" name=\"phone\" type=\"tel\" autocomplete=\"username\" required>"
	      "</p><p><label for=\"password\">Mật khẩu</label>"
	      "<input id=\"password\" name=\"password\" type=\"password\" "
	      "autocomplete=\"current-password\" required></p>"
	      "<p><button type=\"submit\">Đăng nhập</button></p></form>",
	      f);
	con_page_end(resp);
	return 0;
}

/* --- the tip list's rows --- */

struct tips_list {
	FILE *f;
	int rows;
	const struct config *cfg;
	int fragment;   /* 1: the rows only (the live answer), the table is the page's */
	char refs[200]; /* the live answer: the rows' references, for the announcement */
};

/* The table's head; HIDDEN for a live list that has no row yet (console.js shows it). */
static void tips_table_open(FILE *f, int hidden)
{
	fprintf(f,
	        "<div class=\"scroll\" tabindex=\"0\"%s><table class=\"tips\"><thead><tr><th "
	        "scope=\"col\">Mã</th>"
	        "<th scope=\"col\">Thời gian</th><th scope=\"col\">Trạng thái</th>"
	        "<th scope=\"col\" class=\"wide\">Loại</th><th scope=\"col\" "
	        "class=\"wide\">Thôn"
	        "</th><th scope=\"col\">Nội dung</th></tr></thead><tbody>",
	        hidden ? " hidden" : "");
}

/* A row of store_console_tips: ref, created_at, anonymous, category, village, status, text,
 * supplements, id. */
static int tip_row(const struct store_row *r, void *ctx)
{
	struct tips_list *l = ctx;
	FILE *f = l->f;
	char buf[TS_LEN];

	if (l->rows++ == 0 && !l->fragment)
		tips_table_open(f, 0);
	if (l->fragment && r->val[0] != NULL &&
	    strlen(l->refs) + strlen(r->val[0]) + 3 < sizeof l->refs)
		snprintf(l->refs + strlen(l->refs), sizeof l->refs - strlen(l->refs), "%s%s",
		         l->refs[0] ? ", " : "", r->val[0]);
	fputs("<tr data-id=\"", f);
	E(r->val[8] ? r->val[8] : "0");
	fputs("\"><td><a href=\"/tips/", f);
	E(r->val[0]);
	fputs("\">", f);
	E(r->val[0]);
	fputs("</a>", f);
	if (r->val[2] != NULL && strcmp(r->val[2], "1") == 0)
		fputs(" <span class=\"tag\">ẩn danh</span>", f);
	fputs("</td><td>", f);
	E(con_local(r->val[1], buf));
	fprintf(f, "</td><td><span class=\"st st-%s\">", r->val[5] ? r->val[5] : "");
	E(con_status_label(r->val[5]));
	fputs("</span></td><td class=\"wide\"><bdi>", f);
	E(con_category_label(l->cfg, r->val[3]));
	fputs("</bdi></td><td class=\"wide\"><bdi>", f);
	E(r->val[4] ? r->val[4] : "");
	fputs("</bdi></td><td class=\"text\"><bdi>", f);
	con_excerpt(f, r->val[6] ? r->val[6] : "", 160);
	fputs("</bdi>", f);
	if (r->val[7] != NULL && strcmp(r->val[7], "0") != 0) {
		fputs(" <span class=\"tag\">+", f);
		E(r->val[7]);
		fputs(" bổ sung</span>", f);
	}
	fputs("</td></tr>", f);
	return 0;
}

/*
 * The end of the list, or EMPTY as a sentence when it had no row. LIVE: the list takes new
 * tips without a reload (console.js): an empty one still has its hidden table to fill, and
 * the polite announcement of what came in.
 */
static void tips_list_end(struct tips_list *l, const char *empty, int live)
{
	if (l->rows == 0 && live)
		tips_table_open(l->f, 1);
	if (l->rows > 0 || live)
		fputs("</tbody></table></div>", l->f);
	if (l->rows == 0) {
		fputs("<p class=\"empty\">", l->f);
		report_html_esc(l->f, empty);
		fputs("</p>", l->f);
	}
	if (live)
		fputs("<p class=\"sub live-note\" role=\"status\" aria-live=\"polite\"></p></div>",
		      l->f);
}

/*
 * The opening of a live list: console.js asks /tips/live?after=ID&... (the list's filters,
 * FILTERS as con_filter_query writes them) every few seconds and puts what came in on top,
 * keeping at most MAX rows. -1: store.
 */
static int tips_live_open(FILE *f, int max, const char *const names[], const char *const vals[],
                          int n)
{
	int64_t last = store_console_tip_last_id();

	if (last < 0)
		return -1;
	fprintf(f,
	        "<div class=\"live\" data-after=\"%lld\" data-max=\"%d\" "
	        "data-live=\"/tips/live?limit=%d",
	        (long long)last, max, max);
	con_filter_query(f, names, vals, n);
	fputs("\">", f);
	return 0;
}

/* --- Tổng quan --- */

static void figure_row(FILE *f, const char *label, long long cur, long long prev)
{
	char a[32], b[32];

	fputs("<tr><th scope=\"row\">", f);
	E(label);
	fprintf(f, "</th><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>",
	        report_format_count(cur, a), report_format_count(prev, b));
}

/* CTX: a struct con_table (its f and rows; utc unused), as the tables' rows count theirs. */
static int open_patrol_row(const struct store_row *r, void *ctx)
{
	struct con_table *o = ctx;
	FILE *f = o->f;
	char buf[TS_LEN];
	int64_t t;
	long mins = -1;

	if (o->rows++ == 0)
		fputs("<ul class=\"patrols\">", f);
	if (r->val[2] != NULL && ts_parse_utc(r->val[2], &t) == 0)
		mins = (long)(((int64_t)time(NULL) - t) / 60);
	fputs("<li>Tổ <bdi>", f);
	E(r->val[0] ? r->val[0] : "?");
	fputs("</bdi>, từ ", f);
	E(con_local(r->val[2], buf));
	if (mins >= 0)
		fprintf(f, " (%ld giờ %02ld phút)", mins / 60, mins % 60);
	if (r->val[3] != NULL) {
		fputs(", ", f);
		E(r->val[3]);
		fputs(" người", f);
	}
	fputs("</li>", f);
	return 0;
}

/*
 * The patrols under way (at most LIMIT), for the overview and the patrols page: a list, or a
 * sentence that there are none. 0, or -1 when the store failed (the page is cut short).
 */
static int open_patrols(FILE *f, int limit)
{
	struct con_table o = {f, 0, 0};

	if (store_console_patrols_open(NULL, limit, open_patrol_row, &o) < 0)
		return -1;
	if (o.rows > 0)
		fputs("</ul>", f);
	else
		fputs("<p class=\"empty\">Không có tổ nào đang tuần tra.</p>", f);
	return 0;
}

int console_page_overview(const struct console_req *rq, struct console_resp *resp)
{
	static struct status_snapshot st;
	struct store_tip_filter nf = {.status = "new"};
	struct report_period p;
	struct report r;
	struct tips_list tl = {resp->f, 0, rq->cfg, 0, ""};
	FILE *f = resp->f;
	const struct kv *kv = &st.kv;
	const char *v, *bat, *bname;
	int blow;
	char buf[TS_LEN], n1[32];
	int64_t fresh;
	int rc = -1;

	report_init(&r);
	report_period_month_to_date((int64_t)time(NULL), &p);
	if ((fresh = store_console_tips_count(&nf, NULL)) < 0 || store_report_figures(&r, &p) < 0 ||
	    cli_status_gather(rq->cfg, &st) < 0)
		goto out;
	con_page_begin(rq, resp, "Tổng quan", "/", 60);
	fputs("<div class=\"cards\"><section class=\"card\" aria-labelledby=\"h-new\">"
	      "<h2 id=\"h-new\">Tin mới chờ xử lý</h2>",
	      f);
	fprintf(f, "<p class=\"big\"><a href=\"/tips?status=new\" data-total>%s</a></p>",
	        report_format_count(fresh, n1));
	{
		static const char *const names[] = {"status"};
		static const char *const vals[] = {"new"};

		if (tips_live_open(f, 5, names, vals, 1) < 0 ||
		    store_console_tips(&nf, NULL, 5, 0, tip_row, &tl) < 0)
			goto out;
	}
	tips_list_end(&tl, "Không có tin mới.", 1);
	fputs("</section><section class=\"card\" aria-labelledby=\"h-month\"><h2 id=\"h-month\">"
	      "Tháng này so với tháng trước</h2>",
	      f);
	fprintf(f, "<p class=\"sub\">%s → %s, so với %s → %s</p>", r.cur.from, r.cur.to,
	        r.previous.from, r.previous.to);
	fputs(
	    "<div class=\"scroll\" tabindex=\"0\"><table><thead><tr><th scope=\"col\">Số liệu</th>"
	    "<th scope=\"col\">Tháng này</th><th scope=\"col\">Tháng trước</th></tr></thead>"
	    "<tbody>",
	    f);
	figure_row(f, "Tin báo nhận được", r.cur.tips.received, r.previous.tips.received);
	figure_row(f, "Tin có giá trị", r.cur.tips.valuable, r.previous.tips.valuable);
	figure_row(f, "Ca tuần tra", r.cur.patrols.count, r.previous.patrols.count);
	figure_row(f, "Bỏ lỡ điểm danh tuần tra", r.cur.missed_checkins,
	           r.previous.missed_checkins);
	figure_row(f, "Buổi tuyên truyền", r.cur.awareness.sessions, r.previous.awareness.sessions);
	figure_row(f, "Lượt người nghe", r.cur.awareness.participants,
	           r.previous.awareness.participants);
	figure_row(f, "Vụ hoà giải", r.cur.mediations.count, r.previous.mediations.count);
	figure_row(f, "Tin nhắn nhận", r.cur.sms.received, r.previous.sms.received);
	figure_row(f, "Tin nhắn gửi", r.cur.sms.sent, r.previous.sms.sent);
	fputs("</tbody></table></div></section>", f);

	fputs("<section class=\"card\" aria-labelledby=\"h-patrols\"><h2 id=\"h-patrols\">"
	      "Tuần tra đang diễn ra</h2>",
	      f);
	if (open_patrols(f, 50) < 0)
		goto out;
	fprintf(f, "<p>Cảnh báo đang mở: <a href=\"/patrols#alerts\"><strong>%lld</strong></a></p>",
	        st.alerts_open);
	fputs("</section>", f);

	fputs("<section class=\"card\" aria-labelledby=\"h-sys\"><h2 id=\"h-sys\">Hệ thống</h2>"
	      "<dl class=\"kv\">",
	      f);
	fputs("<dt>Chương trình</dt><dd>", f);
	if (st.alive)
		fputs("đang chạy", f);
	else
		fputs("<strong class=\"bad\">không chạy</strong>", f);
	fputs("</dd><dt>Modem</dt><dd>", f);
	E((v = cli_status_get(kv, "modem")) ? v : "chưa rõ");
	fputs("</dd><dt>SIM</dt><dd>", f);
	E((v = cli_status_get(kv, "sim")) ? v : "chưa rõ");
	fputs("</dd><dt>Mạng</dt><dd>", f);
	E((v = cli_status_get(kv, "modem_operator")) ? v : "chưa rõ");
	if ((v = cli_status_get(kv, "modem_registration")) != NULL) {
		fputs(" (", f);
		E(v);
		fputs(")", f);
	}
	fputs("</dd><dt>Sóng</dt><dd>", f);
	if ((v = cli_status_get(kv, "modem_signal_percent")) != NULL) {
		E(v);
		fputs(" %", f);
	} else
		fputs("chưa rõ", f);
	fputs("</dd><dt>Tài khoản SIM</dt><dd>", f);
	if (cli_status_balance(rq->cfg, kv, &v, &bat, &blow, &bname) == 0) {
		E(v);
		fputs(" đ (đọc lúc ", f);
		E(con_local(bat, buf));
		fputs(")", f);
		if (bname != NULL) { /* several SIMs: the one that runs dry first */
			fputs(", SIM <bdi>", f);
			E(bname);
			fputs("</bdi> (ít nhất)", f);
		}
		if (blow)
			fputs(" <strong class=\"bad\">sắp hết</strong>", f);
	} else
		fputs("chưa rõ", f);
	fputs("</dd><dt>Tin chờ gửi</dt><dd>", f);
	{
		long queued = 0;

		for (int i = 0; i < st.outbox.n; i++)
			if (strcmp(st.outbox.status[i], "queued") == 0 ||
			    strcmp(st.outbox.status[i], "sending") == 0)
				queued += st.outbox.count[i];
		fprintf(f, "%ld", queued);
		if (st.oldest[0]) {
			fputs(" (cũ nhất từ ", f);
			E(con_local(st.oldest, buf));
			fputs(")", f);
		}
	}
	fputs("</dd></dl></section></div>", f);
	con_page_end(resp);
	rc = 0;
out:
	report_close(&r);
	return rc;
}

/* --- Tin báo: the list --- */

struct villages {
	FILE *f;
	const char *selected;
};

static int village_option(const struct store_row *r, void *ctx)
{
	struct villages *v = ctx;

	if (r->val[0] != NULL)
		con_option(v->f, r->val[0], r->val[0], v->selected);
	return 0;
}

/* The list's filters from the query, as the page and its live answer read them. */
struct tips_query {
	const char *status, *category, *village, *since, *until, *q;
	struct store_tip_filter flt;
	char s_utc[TS_LEN], u_utc[TS_LEN];
	const char *bad; /* a filter left out, and why (NULL: none) */
};

static void tips_query(const struct console_req *rq, struct tips_query *t)
{
	const struct config *cfg = rq->cfg;
	int ncat = parse_category_count(cfg->rules), k;

	memset(t, 0, sizeof *t);
	t->status = rq->arg(rq, "status");
	t->category = rq->arg(rq, "category");
	t->village = rq->arg(rq, "village");
	t->since = rq->arg(rq, "since");
	t->until = rq->arg(rq, "until");
	t->q = rq->arg(rq, "q");
	if (t->status != NULL && strcmp(con_status_label(t->status), t->status) == 0)
		t->status = NULL, t->bad = "Trạng thái không hợp lệ: bỏ qua.";
	for (k = 0; t->category != NULL && k < ncat; k++)
		if (strcmp(parse_category_name(cfg->rules, k), t->category) == 0)
			break;
	if (t->category != NULL && k == ncat)
		t->category = NULL, t->bad = "Loại tin không hợp lệ: bỏ qua.";
	if (t->since != NULL && con_date_bound(t->since, 0, t->s_utc) < 0)
		t->since = NULL, t->bad = "Ngày không hợp lệ (YYYY-MM-DD): bỏ qua.";
	if (t->until != NULL && con_date_bound(t->until, 1, t->u_utc) < 0)
		t->until = NULL, t->bad = "Ngày không hợp lệ (YYYY-MM-DD): bỏ qua.";
	if (t->village != NULL && strlen(t->village) > 120)
		t->village = NULL;
	if (t->q != NULL && strlen(t->q) > 200)
		t->q = NULL, t->bad = "Từ khoá quá dài: bỏ qua.";
	t->flt.status = t->status;
	t->flt.category = t->category;
	t->flt.village = t->village;
	t->flt.since = t->since ? t->s_utc : NULL;
	t->flt.until = t->until ? t->u_utc : NULL;
}

static const char *const tips_names[] = {"status", "category", "village", "since", "until", "q"};

int console_page_tips(const struct console_req *rq, struct console_resp *resp)
{
	const struct config *cfg = rq->cfg;
	struct tips_query tq;
	const char *pg = rq->arg(rq, "page");
	struct tips_list tl = {resp->f, 0, rq->cfg, 0, ""};
	struct villages vs = {resp->f, NULL};
	FILE *f = resp->f;
	int64_t total;
	char num[32];
	long page = pg ? strtol(pg, NULL, 10) : 1, pages;
	int ncat = parse_category_count(cfg->rules), k;

	tips_query(rq, &tq);
	const char *status = tq.status, *category = tq.category, *village = tq.village;
	const char *since = tq.since, *until = tq.until, *q = tq.q, *bad = tq.bad;
	const char *vals[] = {status, category, village, since, until, q};
	struct store_tip_filter flt = tq.flt;

	if ((total = store_console_tips_count(&flt, q)) < 0)
		return -1;
	pages = con_pages(total, &page);
	/* The first page takes new tips as they come (console.js): no reload of the whole. */
	con_page_begin(rq, resp, "Tin báo", "/tips", page == 1 ? 0 : 60);
	if (bad != NULL) {
		fputs("<p class=\"error\" role=\"alert\">", f);
		E(bad);
		fputs("</p>", f);
	}
	fputs("<form class=\"filters\" method=\"get\" action=\"/tips\">", f);
	con_input(f, "f-q", "Tìm", "q", "search", q ? q : "", NULL, NULL);
	con_filter_select(f, "f-status", "Trạng thái", "status", status);
	for (size_t i = 0; i < con_nstatuses; i++)
		con_option(f, con_statuses[i].name, con_statuses[i].label, status);
	fputs("</select></p>", f);
	con_filter_select(f, "f-cat", "Loại", "category", category);
	for (k = 0; k < ncat; k++)
		con_option(f, parse_category_name(cfg->rules, k),
		           con_category_label(cfg, parse_category_name(cfg->rules, k)), category);
	fputs("</select></p>", f);
	con_filter_select(f, "f-vil", "Thôn", "village", village);
	vs.selected = village;
	if (store_console_villages(NULL, 200, village_option, &vs) < 0)
		return -1;
	fputs("</select></p>", f);
	con_input(f, "f-since", "Từ ngày", "since", "date", since ? since : "", NULL, NULL);
	con_input(f, "f-until", "Đến ngày", "until", "date", until ? until : "", NULL, NULL);
	fputs("<p><button type=\"submit\">Lọc</button> <a href=\"/tips\">Bỏ lọc</a> "
	      "<a href=\"/tips.csv\" download>Tải CSV</a></p></form>",
	      f);
	/* Counted as the overview and the live answer count: 1.234, 05. */
	fprintf(f,
	        "<p class=\"sub\" id=\"count\"><span data-total>%s</span> tin, trang %ld / %ld</p>",
	        report_format_count(total, num), page, pages);
	/* No tip counted, no page to look for: a search that finds nothing scans the year once. */
	if ((page == 1 && tips_live_open(f, CONSOLE_PAGE_SIZE, tips_names, vals, 6) < 0) ||
	    (total > 0 &&
	     store_console_tips(&flt, q, CONSOLE_PAGE_SIZE, (int)((page - 1) * CONSOLE_PAGE_SIZE),
	                        tip_row, &tl) < 0))
		return -1;
	tips_list_end(&tl, "Không có tin nào.", page == 1);
	con_pager(f, "/tips", page, page < pages, tips_names, vals, 6);
	con_page_end(resp);
	return 0;
}

int console_tips_live(const struct console_req *rq, struct console_resp *resp)
{
	struct tips_query tq;
	const char *after = rq->arg(rq, "after"), *lim = rq->arg(rq, "limit");
	long long a = after ? strtoll(after, NULL, 10) : 0;
	long limit = lim ? strtol(lim, NULL, 10) : CONSOLE_PAGE_SIZE;
	char *rows = NULL, num[32];
	size_t len = 0;
	struct tips_list tl = {NULL, 0, rq->cfg, 1, ""};
	struct json j;
	int64_t total = -1, last;
	int rc = -1;

	if (a < 0)
		a = 0;
	if (limit < 1 || limit > CONSOLE_PAGE_SIZE)
		limit = CONSOLE_PAGE_SIZE;
	tips_query(rq, &tq);
	if ((tl.f = open_memstream(&rows, &len)) == NULL)
		return -1;
	if ((last = store_console_tip_last_id()) < 0)
		goto out;
	/* Nothing filed since: the answer costs one look at the rowid's end. */
	if (last > a && store_console_tips_after(&tq.flt, tq.q, a, (int)limit, tip_row, &tl) < 0)
		goto out;
	if (tl.rows > 0 && (total = store_console_tips_count(&tq.flt, tq.q)) < 0)
		goto out;
	if (fclose(tl.f) != 0) {
		tl.f = NULL;
		goto out;
	}
	tl.f = NULL;
	resp->type = "application/json";
	json_begin(&j, resp->f);
	/* Where the next question starts: the last tip, whether or not it matched the filters. */
	json_key_int(&j, "after", last > a ? last : a);
	json_key_int(&j, "n", tl.rows);
	json_key_str(&j, "refs", tl.refs);
	if (total >= 0)
		json_key_str(&j, "total", report_format_count(total, num));
	json_key_strn(&j, "rows", rows ? rows : "", len);
	json_end(&j);
	rc = 0;
out:
	if (tl.f != NULL)
		fclose(tl.f);
	free(rows);
	return rc;
}

/* --- Tin báo: one tip --- */

struct tip_view {
	FILE *f;
	const struct config *cfg;
	int anonymous, has_number;
	char status[16], category[64], village[128];
};

/* store_list_tip's row: ref, created_at, read_at, sender, anonymous, category, village,
 * structured, status, text, message. */
static int tip_fields(const struct store_row *r, void *ctx)
{
	struct tip_view *tv = ctx;
	FILE *f = tv->f;
	char buf[TS_LEN];

	tv->anonymous = r->val[4] != NULL && strcmp(r->val[4], "1") == 0;
	tv->has_number = !tv->anonymous && r->val[3] != NULL && r->val[3][0] == '+';
	snprintf(tv->status, sizeof tv->status, "%s", r->val[8] ? r->val[8] : "");
	snprintf(tv->category, sizeof tv->category, "%s", r->val[5] ? r->val[5] : "");
	snprintf(tv->village, sizeof tv->village, "%s", r->val[6] ? r->val[6] : "");
	fputs("<dl class=\"kv tip\"><dt>Thời gian gửi</dt><dd>", f);
	E(con_local(r->val[1], buf));
	fputs("</dd><dt>Người gửi</dt><dd>", f);
	if (tv->anonymous)
		fputs("<span class=\"tag\">ẩn danh</span>", f);
	else {
		fputs("<bdi>", f);
		E(r->val[3] ? r->val[3] : "");
		fputs("</bdi>", f);
	}
	fprintf(f, "</dd><dt>Trạng thái</dt><dd><span class=\"st st-%s\" id=\"status\">",
	        tv->status);
	E(con_status_label(tv->status));
	fputs("</span></dd><dt>Loại</dt><dd><bdi>", f);
	E(con_category_label(tv->cfg, tv->category));
	fputs("</bdi></dd><dt>Thôn</dt><dd><bdi>", f);
	E(tv->village);
	fputs("</bdi></dd></dl><h2>Nội dung</h2><p class=\"text\" id=\"tip-text\"><bdi>", f);
	E(r->val[9] ? r->val[9] : "");
	fputs("</bdi></p>", f);
	if (r->val[10] != NULL && (r->val[9] == NULL || strcmp(r->val[9], r->val[10]) != 0)) {
		fputs("<details><summary>Tin nhắn gốc</summary><p class=\"text\"><bdi>", f);
		E(r->val[10]);
		fputs("</bdi></p></details>", f);
	}
	return 0;
}

/*
 * The start of one line of a tip's history lists (supplements, events, audit), for their store
 * callbacks (ctx: the page's FILE): the row's first two columns, when (UTC, shown in local time)
 * and who or what, as "<li><time>WHEN</time> <bdi>WHO</bdi>", then `after`. Returns the FILE
 * (the page's, not to be closed) for the caller to write the rest of the line.
 */
static FILE *item_head(void *ctx, const struct store_row *r, const char *after)
{
	FILE *f = ctx;
	char buf[TS_LEN];

	fputs("<li><time>", f);
	E(con_local(r->val[0], buf));
	fputs("</time> <bdi>", f);
	E(r->val[1]);
	fputs("</bdi>", f);
	fputs(after, f);
	return f;
}

static int supplement_item(const struct store_row *r, void *ctx)
{
	item_head(ctx, r, "</li>");
	return 0;
}

/* at, by, from_status, to_status, note, answer, given_at */
static int event_item(const struct store_row *r, void *ctx)
{
	FILE *f = item_head(ctx, r, ": ");

	/* An answer to the tipster (act_tip_answer): given, or waiting for TT or BS. */
	if (r->n > 6 && r->val[5] != NULL && strcmp(r->val[5], "1") == 0) {
		fputs(r->val[6] ? "trả lời người báo tin: <bdi class=\"answer\">"
		                : "trả lời (chờ người báo tin hỏi TT/BS): <bdi class=\"answer\">",
		      f);
		E(r->val[4] ? r->val[4] : "");
		fputs("</bdi></li>", f);
		return 0;
	}
	E(con_status_label(r->val[2]));
	fputs(" → <strong>", f);
	E(con_status_label(r->val[3]));
	fputs("</strong>", f);
	if (r->val[4] != NULL && r->val[4][0] != '\0') {
		fputs(" — <bdi class=\"note\">", f);
		E(r->val[4]);
		fputs("</bdi>", f);
	}
	fputs("</li>", f);
	return 0;
}

/* at, by, action, subject, detail */
static int audit_item(const struct store_row *r, void *ctx)
{
	FILE *f = item_head(ctx, r, ": ");

	if (r->val[2] != NULL && strcmp(r->val[2], "tip_reply") == 0)
		fputs("trả lời người báo tin: ", f);
	fputs("<bdi>", f);
	E(r->val[4] ? r->val[4] : r->val[2]);
	fputs("</bdi></li>", f);
	return 0;
}

/*
 * The reply's preview: act_tip_answer's dry run — what will go out (the template tip_answer,
 * diacritics folded when broadcast.fold_diacritics makes it cheaper), its parts and estimated
 * cost, or that it waits for the tipster's TT or BS (an anonymous tip) — and the form that
 * sends it.
 */
static int reply_preview(const struct console_req *rq, FILE *f, const char *upref, const char *text)
{
	struct act_who w;
	struct act_answer_out out;
	enum act_status st;
	char cost[32];

	act_who_officer(&w, rq->who->phone);
	if (store_begin() < 0)
		return -1;
	st = act_tip_answer(&w, upref, text, 1, &out);
	store_rollback();
	if (st == ACT_ERROR)
		return -1;
	if (st != ACT_OK)
		return 0;
	fputs("<section class=\"card\" aria-labelledby=\"h-preview\"><h2 id=\"h-preview\">"
	      "Xem trước tin trả lời</h2><p id=\"reply-cost\">",
	      f);
	if (out.waits)
		fputs("Tin ẩn danh: không biết số người báo tin. Câu trả lời được giữ lại và gửi "
		      "khi người báo tin hỏi bằng TT hoặc BS kèm mã bí mật.",
		      f);
	else
		fprintf(
		    f, "%d phần tin (%s), khoảng %s đ.%s", out.parts,
		    out.ucs2 ? "UCS-2, có dấu" : "GSM-7",
		    report_format_count((long long)out.parts * rq->cfg->ussd.price_per_part, cost),
		    out.folded ? " Bỏ dấu để rẻ hơn." : "");
	fputs("</p><p class=\"text\" id=\"reply-text\"><bdi>", f);
	E(out.text);
	fputs("</bdi></p><form method=\"post\" action=\"/tips/", f);
	E(upref);
	fputs("\">", f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"reply\"><input type=\"hidden\" "
	      "name=\"reply\" value=\"",
	      f);
	E(text);
	fputs("\"><p><button type=\"submit\" id=\"send-reply\">Gửi</button></p></form></section>",
	      f);
	return 0;
}

int console_page_tip(const struct console_req *rq, struct console_resp *resp, const char *ref,
                     const char *preview)
{
	const char *message = NULL;
	const struct config *cfg = rq->cfg;
	struct tip_view tv = {resp->f, cfg, 0, 0, "", "", ""};
	struct store_tip t;
	FILE *f = resp->f;
	char title[40], upref[16];
	const char *ok = rq->arg(rq, "ok"), *err = rq->arg(rq, "err");
	int ncat = parse_category_count(cfg->rules);

	if (store_tip_get(ref, &t) < 0)
		return -1;
	if (!t.found) {
		console_page_message(rq, resp, 404, "Không tìm thấy", "Không có tin báo này.");
		return 0;
	}
	act_tip_ref_shown(ref, upref);
	snprintf(title, sizeof title, "Tin báo %s", upref);
	con_page_begin(rq, resp, title, "/tips", 0);
	if (message == NULL && ok != NULL)
		message = strcmp(ok, "thanked") == 0 ? "Đã lưu. Tin cảm ơn đã được xếp hàng gửi."
		          : strcmp(ok, "replied") == 0 ? "Tin trả lời đã được xếp hàng gửi."
		          : strcmp(ok, "waits") == 0
		              ? "Đã lưu câu trả lời: gửi khi người báo tin hỏi TT hoặc BS."
		              : "Đã lưu.";
	if (message == NULL && err != NULL)
		message =
		    strcmp(err, "same") == 0 ? "Tin đã ở trạng thái này: không có gì thay đổi."
		    : strcmp(err, "nonum") == 0 ? "Không biết số của người báo tin (tin ẩn danh): "
		                                  "không gửi cảm ơn, không có gì thay đổi."
		                                : "Giá trị không hợp lệ: không có gì thay đổi.";
	if (message != NULL) {
		fprintf(f, "<p class=\"%s\" role=\"status\">", err ? "error" : "ok");
		E(message);
		fputs("</p>", f);
	}
	if (store_list_tip(ref, 1, tip_fields, &tv) < 0)
		return -1;
	{
		int n1, n2, n3;

		fputs("<h2>Bổ sung</h2><ul class=\"items\" id=\"supplements\">", f);
		if ((n1 = store_list_tip_supplements(ref, 0, supplement_item, f)) < 0)
			return -1;
		fputs(n1 ? "</ul>" : "</ul><p class=\"empty\">Chưa có.</p>", f);
		fputs("<h2>Lịch sử</h2><ul class=\"items\" id=\"history\">", f);
		if ((n2 = store_list_tip_events(ref, 0, event_item, f)) < 0 ||
		    (n3 = store_list_console_audit(upref, 50, audit_item, f)) < 0)
			return -1;
		fputs(n2 + n3 ? "</ul>" : "</ul><p class=\"empty\">Chưa xử lý.</p>", f);
	}

	fputs("<section class=\"card\" aria-labelledby=\"h-triage\"><h2 id=\"h-triage\">Xử lý</h2>"
	      "<form method=\"post\" action=\"/tips/",
	      f);
	E(upref);
	fputs("\">", f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"mark\"><p><label for=\"note\">Ghi chú"
	      "</label><textarea id=\"note\" name=\"note\" rows=\"3\" maxlength=\"500\">"
	      "</textarea></p>",
	      f);
	if (tv.has_number)
		fputs("<p class=\"check\"><input type=\"checkbox\" id=\"notify\" name=\"notify\" "
		      "value=\"1\"><label for=\"notify\">Gửi tin cảm ơn người báo tin</label></p>",
		      f);
	fputs("<p class=\"buttons\">", f);
	for (size_t i = 1; i < con_nstatuses; i++) {
		fprintf(f, "<button type=\"submit\" name=\"status\" value=\"%s\"%s>",
		        con_statuses[i].name,
		        strcmp(tv.status, con_statuses[i].name) == 0 ? " disabled" : "");
		E(con_statuses[i].label);
		fputs("</button> ", f);
	}
	fputs("</p></form></section>", f);

	{ /* every tip: an anonymous tipster gets the answer with TT or BS (act_tip_answer) */
		fputs("<section class=\"card\" aria-labelledby=\"h-reply\"><h2 id=\"h-reply\">"
		      "Trả lời người báo tin</h2><form method=\"post\" action=\"/tips/",
		      f);
		E(upref);
		fputs("\">", f);
		con_csrf_field(rq, f);
		fputs("<input type=\"hidden\" name=\"do\" value=\"preview\"><p><label "
		      "for=\"reply\">Nội dung</label><textarea id=\"reply\" name=\"reply\" "
		      "rows=\"3\" "
		      "maxlength=\"600\" required>",
		      f);
		E(preview ? preview : "");
		fputs("</textarea></p><p><button type=\"submit\">Xem trước</button></p></form>"
		      "</section>",
		      f);
		if (preview != NULL && reply_preview(rq, f, upref, preview) < 0)
			return -1;
	}

	fputs("<section class=\"card\" aria-labelledby=\"h-set\"><h2 id=\"h-set\">Loại và thôn</h2>"
	      "<form method=\"post\" action=\"/tips/",
	      f);
	E(upref);
	fputs("\">", f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"set\"><p><label for=\"category\">Loại"
	      "</label><select id=\"category\" name=\"category\">",
	      f);
	for (int k = 0; k < ncat; k++)
		con_option(f, parse_category_name(cfg->rules, k),
		           con_category_label(cfg, parse_category_name(cfg->rules, k)),
		           tv.category);
	fputs("</select></p><p><label for=\"village\">Thôn</label><input id=\"village\" "
	      "name=\"village\" maxlength=\"120\" value=\"",
	      f);
	E(tv.village);
	fputs("\"></p><p><button type=\"submit\">Lưu</button></p></form></section>", f);
	con_page_end(resp);
	return 0;
}

/* --- actions: the console is a door onto src/act*.c (issue 20): each change is an action
 * run in its own short transaction here. --- */

enum mark_result { MARK_OK, MARK_NOT_FOUND, MARK_SAME, MARK_NO_NUMBER, MARK_STORE };

/* act_tip_mark in its own transaction, as `tipline tip mark` calls it. */
static enum mark_result tip_mark(const char *ref, const char *to, const char *note, const char *by,
                                 int notify)
{
	struct act_who w;
	struct act_mark_out out;
	enum act_status st;

	act_who_officer(&w, by);
	if (store_begin() < 0)
		return MARK_STORE;
	st = act_tip_mark(&w, ref, to, note, notify, &out);
	if (store_end(st == ACT_OK) < 0)
		st = ACT_ERROR;
	if (st != ACT_OK)
		return st == ACT_NOT_FOUND   ? MARK_NOT_FOUND
		       : st == ACT_UNCHANGED ? MARK_SAME
		       : st == ACT_NO_NUMBER ? MARK_NO_NUMBER
		                             : MARK_STORE;
	log_info("console: tip %s: %s -> %s by %s%s", ref, out.from, to, by,
	         out.notified ? " (thank-you queued)" : "");
	return MARK_OK;
}

/* act_tip_set in its own transaction: MARK_OK, MARK_NOT_FOUND or MARK_STORE. */
static enum mark_result tip_set(const char *ref, const char *category, const char *village,
                                const char *by)
{
	struct act_who w;
	enum act_status st;

	act_who_officer(&w, by);
	if (store_begin() < 0)
		return MARK_STORE;
	st = act_tip_set(&w, ref, category, village);
	if (store_end(st == ACT_OK) < 0)
		st = ACT_ERROR;
	if (st != ACT_OK)
		return st == ACT_NOT_FOUND ? MARK_NOT_FOUND : MARK_STORE;
	log_info("console: tip %s: category and village set by %s", ref, by);
	return MARK_OK;
}

/* act_tip_answer in its own transaction, as `tipline tip answer` calls it: *WAITS set when the
 * tipster cannot be reached (the answer waits for TT or BS). */
static enum mark_result tip_answer(const char *ref, const char *text, const char *by, int *waits)
{
	struct act_who w;
	struct act_answer_out out;
	enum act_status st;

	act_who_officer(&w, by);
	if (store_begin() < 0)
		return MARK_STORE;
	st = act_tip_answer(&w, ref, text, 0, &out);
	if (store_end(st == ACT_OK) < 0)
		st = ACT_ERROR;
	if (st != ACT_OK)
		return st == ACT_NOT_FOUND ? MARK_NOT_FOUND : MARK_STORE;
	*waits = out.waits;
	log_info("console: answer to the tipster of %s by %s: %s", ref, by,
	         out.waits ? "waits for TT or BS" : "queued");
	return MARK_OK;
}

int console_post_tip(const struct console_req *rq, struct console_resp *resp, const char *ref)
{
	char what[16], status[16], note[2048], notify[8], category[64], village[128], by[200];
	char upref[16];
	const char *q = "err=bad";
	enum mark_result r = MARK_OK;
	int k, ncat = parse_category_count(rq->cfg->rules);

	act_tip_ref_shown(ref, upref);
	con_by(rq, by, sizeof by);
	if (console_form(rq, "do", what, sizeof what) < 1)
		goto answer;
	if (strcmp(what, "mark") == 0) {
		if (console_form(rq, "status", status, sizeof status) < 1 ||
		    strcmp(status, "new") == 0 || strcmp(con_status_label(status), status) == 0 ||
		    console_form(rq, "note", note, sizeof note) < 0 || strlen(note) > 1500 ||
		    console_form(rq, "notify", notify, sizeof notify) < 0)
			goto answer;
		r = tip_mark(upref, status, note[0] ? note : NULL, by, strcmp(notify, "1") == 0);
		q = r == MARK_SAME        ? "err=same"
		    : r == MARK_NO_NUMBER ? "err=nonum"
		    : notify[0]           ? "ok=thanked"
		                          : "ok=marked";
	} else if (strcmp(what, "preview") == 0 || strcmp(what, "reply") == 0) {
		int waits = 0;

		if (console_form(rq, "reply", note, sizeof note) < 1 || note[0] == '\0' ||
		    strlen(note) > ACT_ANSWER_MAX)
			goto answer;
		if (what[0] == 'p') /* the preview is a page of its own: nothing changes */
			return console_page_tip(rq, resp, upref, note);
		r = tip_answer(upref, note, by, &waits);
		q = waits ? "ok=waits" : "ok=replied";
	} else if (strcmp(what, "set") == 0) {
		if (console_form(rq, "category", category, sizeof category) < 1 ||
		    console_form(rq, "village", village, sizeof village) < 0)
			goto answer;
		for (k = 0; k < ncat; k++)
			if (strcmp(parse_category_name(rq->cfg->rules, k), category) == 0)
				break;
		if (k == ncat)
			goto answer;
		r = tip_set(upref, category, village, by);
		q = "ok=set";
	}
	if (r == MARK_STORE)
		return -1;
	if (r == MARK_NOT_FOUND) {
		console_page_message(rq, resp, 404, "Không tìm thấy", "Không có tin báo này.");
		return 0;
	}
answer:
	resp->status = 303;
	snprintf(resp->location, sizeof resp->location, "/tips/%s?%s", upref, q);
	return 0;
}

/* --- Tuần tra --- */

int console_page_patrols(const struct console_req *rq, struct console_resp *resp)
{
	struct con_table t = {resp->f, 0, 0};
	FILE *f = resp->f;
	char since[TS_LEN];

	con_page_begin(rq, resp, "Tuần tra", "/patrols", 60);
	fputs("<p><a href=\"/patrols.csv\" download>Tải CSV</a></p><h2>Đang diễn ra</h2>", f);
	if (open_patrols(f, 100) < 0)
		return -1;
	fputs("<h2>30 ngày qua</h2>", f);
	ts_utc((int64_t)time(NULL) - 30 * 86400, since);
	if (store_list_patrols(since, NULL, 500, con_table_row, &t) < 0)
		return -1;
	con_table_end(&t, "Không có ca tuần tra nào.");
	fputs("<h2>Các tổ và đêm tuần tra</h2>", f);
	t.rows = 0;
	if (store_list_teams(NULL, 200, con_table_row, &t) < 0)
		return -1;
	con_table_end(&t, "Chưa có tổ nào (tipline team set).");
	fputs("<h2 id=\"alerts\">Cảnh báo (quá giờ, bỏ đêm tuần tra)</h2>", f);
	t.rows = 0;
	if (store_list_alerts(NULL, 200, con_table_row, &t) < 0)
		return -1;
	con_table_end(&t, "Không có cảnh báo nào.");
	con_page_end(resp);
	return 0;
}

/* --- CSV --- */

static int csv_row(const struct store_row *r, void *ctx)
{
	struct csv *c = ctx;

	for (int i = 0; i < r->n; i++)
		csv_field(c, r->val[i]);
	csv_end_row(c);
	return 0;
}

int console_export(const struct console_req *rq, struct console_resp *resp, const char *kind)
{
	struct csv c;

	resp->type = "text/csv; charset=utf-8";
	snprintf(resp->disposition, sizeof resp->disposition, "attachment; filename=\"%s.csv\"",
	         strcmp(kind, "tips") == 0       ? "tin-bao"
	         : strcmp(kind, "contacts") == 0 ? "danh-ba"
	                                         : "tuan-tra");
	csv_init(&c, resp->f, CSV_BOM);
	if (store_export(kind, NULL, NULL, csv_row, &c) < 0)
		return -1;
	return csv_close(&c) < 0 ? -1 : 0;
}

/* --- Tài khoản: the admins' page (add a password, reset one, disable, enable) --- */

struct accounts_view {
	struct con_table t; /* the page and the rows so far (utc unused) */
	const struct console_req *rq;
};

/* phone, name, has_password, admin, disabled, locked_until */
static int account_row(const struct store_row *r, void *ctx)
{
	struct accounts_view *av = ctx;
	FILE *f = av->t.f;
	int has = r->val[2] && strcmp(r->val[2], "1") == 0;
	int disabled = r->val[4] && strcmp(r->val[4], "1") == 0;
	int admin = r->val[3] && strcmp(r->val[3], "1") == 0;
	char buf[TS_LEN], now[TS_LEN];

	if (av->t.rows++ == 0)
		fputs(
		    "<div class=\"scroll\" tabindex=\"0\"><table><thead><tr><th scope=\"col\">Cán "
		    "bộ</th>"
		    "<th scope=\"col\">Trạng thái</th><th scope=\"col\">Thao tác</th></tr></thead>"
		    "<tbody>",
		    f);
	fputs("<tr><td><bdi>", f);
	E(r->val[1] && r->val[1][0] ? r->val[1] : "");
	fputs("</bdi> <bdi>", f);
	E(r->val[0]);
	fputs("</bdi></td><td>", f);
	ts_now(now);
	fputs(!has ? "chưa có mật khẩu" : disabled ? "đã khoá bởi quản trị" : "hoạt động", f);
	if (has && admin)
		fputs(", quản trị", f);
	if (r->val[5] != NULL && strcmp(r->val[5], now) > 0) {
		fputs(", tạm khoá đến ", f);
		E(con_local(r->val[5], buf));
	}
	fputs("</td><td>", f);
	if (has && strcmp(r->val[0], av->rq->who->phone) != 0) {
		fputs("<form method=\"post\" action=\"/accounts\">", f);
		con_csrf_field(av->rq, f);
		fprintf(f, "<input type=\"hidden\" name=\"do\" value=\"%s\">",
		        disabled ? "enable" : "disable");
		fputs("<input type=\"hidden\" name=\"phone\" value=\"", f);
		E(r->val[0]);
		fprintf(f, "\"><button type=\"submit\">%s</button></form>",
		        disabled ? "Mở khoá" : "Khoá tài khoản");
		/* Making another officer an account admin (or no longer one). */
		fputs("<form method=\"post\" action=\"/accounts\">", f);
		con_csrf_field(av->rq, f);
		fprintf(f, "<input type=\"hidden\" name=\"do\" value=\"%s\">",
		        admin ? "unadmin" : "admin");
		fputs("<input type=\"hidden\" name=\"phone\" value=\"", f);
		E(r->val[0]);
		fprintf(f, "\"><button type=\"submit\">%s</button></form>",
		        admin ? "Bỏ quyền quản trị" : "Cho quyền quản trị");
	}
	fputs("</td></tr>", f);
	return 0;
}

int console_page_accounts(const struct console_req *rq, struct console_resp *resp)
{
	struct accounts_view av = {{resp->f, 0, 0}, rq};
	struct con_table t = {resp->f, 0, 1};
	FILE *f = resp->f;
	const char *ok = rq->arg(rq, "ok"), *err = rq->arg(rq, "err");

	if (!rq->who->admin) {
		console_page_message(rq, resp, 403, "Bị từ chối",
		                     "Chỉ cán bộ quản trị tài khoản mới xem được trang này.");
		return 0;
	}
	con_page_begin(rq, resp, "Tài khoản", "/accounts", 0);
	if (ok != NULL || err != NULL) {
		fprintf(f, "<p class=\"%s\" role=\"status\">", err ? "error" : "ok");
		E(err == NULL                    ? "Đã lưu."
		  : strcmp(err, "password") == 0 ? "Mật khẩu phải có ít nhất 8 ký tự và hai lần "
		                                   "nhập phải giống nhau: không có gì thay đổi."
		  : strcmp(err, "officer") == 0 ? "Số này không phải của cán bộ: không có gì thay "
		                                  "đổi."
		                                : "Giá trị không hợp lệ: không có gì thay đổi.");
		fputs("</p>", f);
	}
	if (store_console_accounts(NULL, 500, account_row, &av) < 0)
		return -1;
	con_table_end(&av.t, "Chưa có cán bộ nào (tipline contact set SĐT --role officer).");
	fputs("<section class=\"card\" aria-labelledby=\"h-pw\"><h2 id=\"h-pw\">Đặt mật khẩu"
	      "</h2><form method=\"post\" action=\"/accounts\">",
	      f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"password\">"
	      "<p><label for=\"a-phone\">Số điện thoại của cán bộ</label><input id=\"a-phone\" "
	      "name=\"phone\" type=\"tel\" required></p><p><label for=\"a-pw\">Mật khẩu mới (ít "
	      "nhất 8 ký tự)</label><input id=\"a-pw\" name=\"password\" type=\"password\" "
	      "autocomplete=\"new-password\" minlength=\"8\" required></p><p><label "
	      "for=\"a-pw2\">Nhập lại</label><input id=\"a-pw2\" name=\"password2\" "
	      "type=\"password\" autocomplete=\"new-password\" minlength=\"8\" required></p>"
	      "<p><button type=\"submit\">Lưu mật khẩu</button></p></form></section>",
	      f);
	fputs("<h2>Thay đổi gần đây</h2><p><a href=\"/audit\">Nhật ký thay đổi: lọc theo người, "
	      "việc, ngày; tải CSV</a></p>",
	      f);
	if (store_list_console_audit("accounts", 30, con_table_row, &t) < 0)
		return -1;
	con_table_end(&t, "Chưa có.");
	con_page_end(resp);
	return 0;
}

int console_post_accounts(const struct console_req *rq, struct console_resp *resp)
{
	static const struct {
		const char *name;
		enum act_account_op op;
		int admin;
	} ops[] = {{"password", ACT_ACCOUNT_PASSWORD, -1},
	           {"disable", ACT_ACCOUNT_DISABLE, -1},
	           {"enable", ACT_ACCOUNT_ENABLE, -1},
	           {"admin", ACT_ACCOUNT_ADMIN, 1},
	           {"unadmin", ACT_ACCOUNT_ADMIN, 0}};
	const struct store_console_session *me = rq->who;
	struct act_account_in in = {0};
	struct act_account_out out;
	struct act_who w;
	enum act_status st;
	char what[16], phone_in[64], phone[24], pw[256], pw2[256], by[200];
	const char *q = "err=bad";
	size_t i;
	int rc = 0;

	pw[0] = pw2[0] = '\0';
	if (!me->admin) {
		console_page_message(rq, resp, 403, "Bị từ chối",
		                     "Chỉ cán bộ quản trị tài khoản mới thay đổi được tài khoản.");
		return 0;
	}
	con_by(rq, by, sizeof by);
	if (console_form(rq, "do", what, sizeof what) < 1 ||
	    console_form(rq, "phone", phone_in, sizeof phone_in) < 1 ||
	    text_phone_e164(phone_in, rq->cfg->country_code, phone, sizeof phone) < 0)
		goto answer;
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(what, ops[i].name) == 0)
			break;
	if (i == sizeof ops / sizeof ops[0])
		goto answer;
	in.op = ops[i].op;
	in.admin = ops[i].admin;
	in.phone = phone;
	if (in.op == ACT_ACCOUNT_PASSWORD) {
		if (console_form(rq, "password", pw, sizeof pw) < 1 ||
		    console_form(rq, "password2", pw2, sizeof pw2) < 1 || strcmp(pw, pw2) != 0) {
			q = "err=password";
			goto answer;
		}
		in.password = pw;
	}
	/* The admin acts as their phone: the action checks they are an enabled admin. */
	if (act_who_phone(&w, me->phone) < 0 || store_begin() < 0) {
		rc = -1;
		goto answer;
	}
	w.by = by;
	st = act_account(&w, &in, &out);
	if (st != ACT_OK) {
		store_rollback();
		if (st == ACT_ERROR)
			rc = -1;
		q = st == ACT_REFUSED      ? "err=password"
		    : st == ACT_NO_CONTACT ? "err=officer"
		    : st == ACT_UNCHANGED  ? "ok=1"
		                           : "err=bad";
		goto answer;
	}
	if (store_commit() < 0) {
		rc = -1;
		goto answer;
	}
	log_info("console: %s: %s by %s", phone, what, by);
	q = "ok=1";
answer:
	explicit_bzero(pw, sizeof pw);
	explicit_bzero(pw2, sizeof pw2);
	if (rc < 0)
		return -1;
	resp->status = 303;
	snprintf(resp->location, sizeof resp->location, "/accounts?%s", q);
	return 0;
}
