/*
 * The console's broadcasts page (Thông báo, issue 24): the list with each broadcast's
 * progress, cancel and release; the composer with its cost as the officer types; a
 * confirmation step; the send. Every figure comes from act_broadcast_queue's dry run, and the
 * send is the same call without dry_run: the cost shown is the cost spent, and a broadcast
 * queued here is the one `tipline broadcast` queues (the same rows, sent by the daemon).
 *
 * Routes (console.c): GET /broadcasts, GET and POST /broadcasts/new (do=preview, edit,
 * send), POST /broadcasts/cost (the script's JSON), POST /broadcasts/ID (do=cancel,
 * release), GET /static/broadcast.js; the rules of the page are in console2.css
 * (console_reports.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "act.h"
#include "broadcast.h"
#include "config.h"
#include "console_int.h"
#include "json.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "text.h"
#include "ts.h"

#define E(s) report_html_esc(f, (s))

#define TEXT_MAX  4096 /* bytes of a broadcast's text: 26 UCS-2 parts */
#define LIST_SIZE 30   /* broadcasts on the list */
#define WORDS     512  /* bytes of one figure's words: several short SIMs named in one */

/* The composer's fields as posted. */
struct draft {
	char group[64], text[TEXT_MAX], when[8], at[32], every[8];
	char at_utc[TS_LEN]; /* AT as UTC, when given and valid */
};

/* What is wrong with a draft, field by field ("" when nothing). */
struct draft_errors {
	char group[160], text[160], at[160];
	int any;
};

/* The dry run's figures (act_broadcast_queue with dry_run), and their words. */
struct cost {
	int done; /* the dry run ran (the text and the group are good enough to count) */
	struct broadcast_plan plan;
	struct act_broadcast_out out;
	struct broadcast_split
	    split; /* issue 25: the spread over the modems (act_broadcast_queue) */
	long total;
	double secs;
};

/*
 * The words of each figure, by the element id the page and the script share. The last two
 * (issue 25) only with several modems: the recipients each modem takes and the cost with
 * on-net routing and without, the CLI's "modems:" and "on-net:" lines.
 */
enum { C_ENC, C_LEFT, C_PARTS, C_MEMBERS, C_TOTAL, C_COST, C_TIME, C_HOLD, C_MODEMS, C_ONNET, C_N };
static const char *const cost_ids[C_N] = {"c-enc",  "c-left", "c-parts", "c-members", "c-total",
                                          "c-cost", "c-time", "c-hold",  "c-modems",  "c-onnet"};
static const char *const cost_labels[C_N] = {
    "Mã hoá",           "Còn lại trong phần tin", "Số phần mỗi tin", "Người nhận",
    "Tổng số phần tin", "Cước ước tính",          "Thời gian gửi",   "Số dư",
    "Chia theo modem",  "Cước gửi cùng mạng"};

/* The figures shown for CFG: the per-modem ones only when there are several modems. */
static int cost_fields(const struct config *cfg)
{
	return cfg->nmodems > 1 ? C_N : C_MODEMS;
}

/* An amount in đồng as officers write it ("1.250 đ"). */
static void dong(long long n, char out[48])
{
	char b[32];

	report_format_count(n, b);
	snprintf(out, 48, "%s đ", n < 10 ? b + (b[0] == '0' && b[1] != '\0') : b);
}

/* Characters (septets, or UTF-16 units) left in the last part of C. */
static int left_in_part(const struct text_sms_count *c)
{
	int one = c->ucs2 ? 70 : 160, per = c->ucs2 ? 67 : 153;

	return c->parts <= 1 ? one - c->units : c->parts * per - c->units;
}

/* "viettel1: 20 (10 cùng mạng), vina1: 20 (10 cùng mạng)" and both costs, from SP. */
static void split_words(const struct config *cfg, const struct broadcast_split *sp,
                        char w[C_N][WORDS])
{
	char a[48], b[48];
	size_t n = 0;

	w[C_MODEMS][0] = '\0';
	for (int i = 0; i < sp->n && n < WORDS; i++)
		n += (size_t)snprintf(w[C_MODEMS] + n, WORDS - n, "%s%s: %ld (%ld cùng mạng)",
		                      i ? ", " : "", cfg->modems[i].name, sp->count[i],
		                      sp->on_net[i]);
	dong(sp->cost_on_net, a);
	dong(sp->cost_spread, b);
	snprintf(w[C_ONNET], WORDS, "%s khi gửi cùng mạng trước, %s nếu chia đều", a, b);
}

/*
 * Several modems: each SIM's share against its own balance (broadcast.h), the short ones
 * named: "không đủ: SIM vina1 cần 3.500 đ, số dư 2.000 đ trừ mức dự phòng 1.000 đ — ...", or
 * "đủ (số dư: viettel1 5.000 đ, vina1 chưa biết)".
 */
static void hold_words_modems(const struct config *cfg, const struct cost *c, char w[WORDS])
{
	const struct broadcast_balances *b = &c->out.modems;
	char a[48], d[48], r[48];
	size_t n = 0;

	dong(cfg->ussd.low_balance, r);
	n += (size_t)snprintf(w, WORDS, "%s", c->out.held ? "không đủ:" : "đủ (số dư:");
	for (int i = 0, k = 0; i < b->n && n < WORDS; i++) {
		if (c->out.held && !b->short_of[i])
			continue;
		dong(b->balance[i], a);
		dong(c->split.cost[i], d);
		if (c->out.held)
			n += (size_t)snprintf(w + n, WORDS - n,
			                      "%s SIM %s cần %s, số dư %s trừ mức dự phòng %s",
			                      k++ ? ";" : "", cfg->modems[i].name, d, a, r);
		else
			n += (size_t)snprintf(w + n, WORDS - n, "%s %s %s", k++ ? "," : "",
			                      cfg->modems[i].name, b->known[i] ? a : "chưa biết");
	}
	if (n < WORDS)
		snprintf(w + n, WORDS - n, "%s",
		         c->out.held ? " — thông báo sẽ bị giữ lại cho đến khi cán bộ cho gửi"
		                     : ")");
}

static void cost_words(const struct config *cfg, const struct cost *c, char w[C_N][WORDS])
{
	const struct broadcast_plan *p = &c->plan;
	char a[48], b[48];

	snprintf(w[C_ENC], WORDS, "%s%s", p->as_sent.ucs2 ? "UCS-2 (có dấu)" : "GSM-7",
	         p->folded ? " — đã bỏ dấu cho rẻ hơn" : "");
	snprintf(w[C_LEFT], WORDS, "%d ký tự", left_in_part(&p->as_sent));
	snprintf(w[C_PARTS], WORDS, "%d như đã viết (%s), %d nếu bỏ dấu (%s)", p->as_is.parts,
	         p->as_is.ucs2 ? "UCS-2" : "GSM-7", p->as_folded.parts,
	         p->as_folded.ucs2 ? "UCS-2" : "GSM-7");
	snprintf(w[C_MEMBERS], WORDS, "%d người", c->out.members);
	snprintf(w[C_TOTAL], WORDS, "%ld phần (%d × %d người)", c->total, p->as_sent.parts,
	         c->out.members);
	dong(c->out.cost, a);
	dong(cfg->ussd.price_per_part, b);
	if (cfg->nmodems > 1)
		snprintf(w[C_COST], WORDS, "%s (phần của mỗi SIM theo giá mạng của SIM đó)", a);
	else
		snprintf(w[C_COST], WORDS, "%s (%s mỗi phần)", a, b);
	if (c->secs < 120)
		snprintf(w[C_TIME], WORDS, "khoảng %.0f giây", c->secs);
	else
		snprintf(w[C_TIME], WORDS, "khoảng %.0f phút", c->secs / 60.0);
	if (!c->out.balance_known)
		snprintf(w[C_HOLD], WORDS, "chưa biết số dư: thông báo sẽ được gửi");
	else if (cfg->nmodems > 1)
		hold_words_modems(cfg, c, w[C_HOLD]);
	else if (c->out.held) {
		dong(c->out.balance, a);
		dong(cfg->ussd.low_balance, b);
		snprintf(w[C_HOLD], WORDS,
		         "không đủ: số dư %s trừ mức dự phòng %s — thông báo sẽ bị giữ lại "
		         "cho đến khi cán bộ cho gửi",
		         a, b);
	} else {
		dong(c->out.balance, a);
		snprintf(w[C_HOLD], WORDS, "đủ (số dư %s)", a);
	}
	split_words(cfg, &c->split, w);
}

/* The draft's fields from the POST; AT checked and converted. */
static void draft_read(const struct console_req *rq, struct draft *d, struct draft_errors *e)
{
	char now[TS_LEN];
	size_t n;

	memset(d, 0, sizeof *d);
	memset(e, 0, sizeof *e);
	if (console_form(rq, "group", d->group, sizeof d->group) < 0)
		d->group[0] = '\0';
	if (console_form(rq, "text", d->text, sizeof d->text) < 0) {
		d->text[0] = '\0';
		snprintf(e->text, sizeof e->text, "Nội dung quá dài (tối đa %d byte).",
		         TEXT_MAX - 1);
	}
	if (console_form(rq, "when", d->when, sizeof d->when) < 1 ||
	    (strcmp(d->when, "at") != 0 && strcmp(d->when, "every") != 0))
		snprintf(d->when, sizeof d->when, "now");
	if (console_form(rq, "at", d->at, sizeof d->at) < 0)
		d->at[0] = '\0';
	if (console_form(rq, "every", d->every, sizeof d->every) < 1 ||
	    (strcmp(d->every, "day") != 0 && strcmp(d->every, "week") != 0 &&
	     strcmp(d->every, "month") != 0))
		snprintf(d->every, sizeof d->every, "week");
	/* Spaces and line ends alone are no text. */
	n = strspn(d->text, " \t\r\n");
	if (e->text[0] == '\0' &&
	    (d->text[n] == '\0' || !text_utf8_valid(d->text, strlen(d->text))))
		snprintf(e->text, sizeof e->text, "Hãy nhập nội dung thông báo.");
	if (d->group[0] == '\0')
		snprintf(e->group, sizeof e->group, "Hãy chọn nhóm nhận tin.");
	if (strcmp(d->when, "at") == 0 || (strcmp(d->when, "every") == 0 && d->at[0] != '\0')) {
		char local[32];

		/* <input type=datetime-local> says 'YYYY-MM-DDTHH:MM'. */
		snprintf(local, sizeof local, "%s", d->at);
		if (strlen(local) >= 11 && local[10] == 'T')
			local[10] = ' ';
		ts_now(now);
		if (d->at[0] == '\0')
			snprintf(e->at, sizeof e->at, "Hãy chọn ngày giờ gửi.");
		else if (strlen(local) < 16 || ts_local_to_utc(local, d->at_utc) < 0)
			snprintf(e->at, sizeof e->at, "Ngày giờ không hợp lệ.");
		else if (strcmp(d->at_utc, now) <= 0)
			snprintf(e->at, sizeof e->at,
			         "Thời điểm này đã qua: hãy chọn một lúc sau.");
	}
	e->any = e->group[0] || e->text[0] || e->at[0];
}

/* The action's input for D (pointers into D). */
static void draft_in(const struct draft *d, struct act_broadcast_in *in)
{
	memset(in, 0, sizeof *in);
	in->group = d->group;
	in->text = d->text;
	in->at = d->at_utc[0] ? d->at_utc : NULL;
	in->every = strcmp(d->when, "every") == 0 ? d->every : NULL;
	in->need_members = 1;
}

/*
 * The dry run of D into C (C->done when it ran); nobody in the group is an error beside the
 * group. 0, or -1 on a store error. The caller frees C->plan.
 */
static int draft_cost(const struct console_req *rq, const struct draft *d, struct draft_errors *e,
                      struct cost *c)
{
	struct act_broadcast_in in;
	struct act_who w;
	enum act_status st;

	memset(c, 0, sizeof *c);
	if (e->text[0] || e->group[0])
		return 0;
	draft_in(d, &in);
	in.dry_run = 1;
	in.split = &c->split;
	act_who_officer(&w, rq->who->phone);
	st = act_broadcast_queue(&w, &in, &c->out, &c->plan);
	if (st == ACT_ERROR)
		return -1;
	if (st == ACT_NOBODY) {
		snprintf(e->group, sizeof e->group,
		         "Không ai trong nhóm này đăng ký nhận tin: không có người nhận.");
		e->any = 1;
		return 0;
	}
	c->done = st == ACT_OK;
	c->total = (long)c->plan.as_sent.parts * c->out.members;
	c->secs = broadcast_estimate(rq->cfg, c->total);
	return 0;
}

/* --- the group chooser --- */

struct chooser {
	FILE *f;
	const char *selected;
};

static int group_option(const char *name, const char *kind, const char *label, int members,
                        void *ctx)
{
	struct chooser *ch = ctx;
	FILE *f = ch->f;
	char text[300];

	if (strcmp(kind, "all") == 0)
		snprintf(text, sizeof text, "Tất cả người đăng ký");
	else if (strcmp(kind, "leaders") == 0)
		snprintf(text, sizeof text, "Các tổ trưởng");
	else if (strcmp(kind, "officers") == 0)
		snprintf(text, sizeof text, "Cán bộ");
	else if (strcmp(kind, "village") == 0)
		snprintf(text, sizeof text, "%s%s",
		         strspn(label, "0123456789") == strlen(label) ? "Thôn " : "", label);
	else if (strcmp(kind, "team") == 0)
		snprintf(text, sizeof text, "Tổ %s", label);
	else
		snprintf(text, sizeof text, "Nhóm %s", label);
	snprintf(text + strlen(text), sizeof text - strlen(text), " (%s): %d người nhận", name,
	         members);
	con_option(f, name, text, ch->selected);
	return 0;
}

/* --- pages --- */

static void field_error(FILE *f, const char *id, const char *msg)
{
	if (msg[0] == '\0')
		return;
	fprintf(f, "<p class=\"error\" id=\"%s\">", id);
	E(msg);
	fputs("</p>", f);
}

/* The cost box: filled from C when the dry run ran, else empty (the script fills it). */
static void cost_box(const struct console_req *rq, FILE *f, const struct cost *c)
{
	char w[C_N][WORDS];

	if (c != NULL && c->done)
		cost_words(rq->cfg, c, w);
	fprintf(f,
	        "<section class=\"card\" id=\"cost\" aria-live=\"polite\"%s>"
	        "<h2>Chi phí ước tính</h2><dl class=\"kv\">",
	        c != NULL && c->done ? "" : " hidden");
	for (int i = 0; i < cost_fields(rq->cfg); i++) {
		fputs("<dt>", f);
		E(cost_labels[i]);
		fprintf(f, "</dt><dd id=\"%s\">", cost_ids[i]);
		if (c != NULL && c->done)
			E(w[i]);
		fputs("</dd>", f);
	}
	fputs("</dl></section>", f);
}

/* The composer, filled with D (NULL: empty), errors E beside their fields. STATUS 200 or 400. */
static int composer(const struct console_req *rq, struct console_resp *resp, const struct draft *d,
                    const struct draft_errors *e, const struct cost *c)
{
	static const struct draft empty = {.when = "now", .every = "week"};
	static const struct draft_errors none;
	FILE *f = resp->f;
	struct chooser ch = {f, NULL};

	if (d == NULL)
		d = &empty;
	if (e == NULL)
		e = &none;
	ch.selected = d->group;
	resp->status = e->any ? 400 : 200;
	con_page_begin(rq, resp, "Soạn thông báo", "/broadcasts", 0);
	fputs("<link rel=\"stylesheet\" href=\"/static/console2.css\">", resp->f);
	fputs("<script src=\"/static/broadcast.js\" defer></script>", f);
	if (e->any)
		fputs("<p class=\"error\" role=\"alert\">Chưa gửi: hãy sửa các ô được đánh "
		      "dấu.</p>",
		      f);
	fputs("<form method=\"post\" action=\"/broadcasts/new\" id=\"composer\" "
	      "class=\"composer\">",
	      f);
	con_csrf_field(rq, f);
	fprintf(
	    f, "<p><label for=\"group\">Gửi đến nhóm</label><select id=\"group\" name=\"group\"%s>",
	    e->group[0] ? " aria-invalid=\"true\" aria-describedby=\"group-error\"" : "");
	con_option(f, "", "— chọn nhóm —", d->group);
	if (store_broadcast_groups(group_option, &ch) < 0)
		return -1;
	fputs("</select>", f);
	field_error(f, "group-error", e->group);
	/* The newline after <textarea>: the parser drops it, and not the text's own first. */
	fprintf(f,
	        "</p><p><label for=\"text\">Nội dung</label><textarea id=\"text\" name=\"text\" "
	        "rows=\"5\" maxlength=\"%d\"%s>\n",
	        TEXT_MAX / 4,
	        e->text[0] ? " aria-invalid=\"true\" aria-describedby=\"text-error\"" : "");
	E(d->text);
	fputs("</textarea>", f);
	field_error(f, "text-error", e->text);
	fputs("</p><fieldset><legend>Khi nào gửi</legend>", f);
	con_radio(f, "when", "now", "Gửi ngay", d->when);
	con_radio(f, "when", "at", "Vào lúc (ngày giờ bên dưới)", d->when);
	con_radio(f, "when", "every", "Lặp lại (lần đầu vào ngày giờ bên dưới, hoặc ngay)",
	          d->when);
	fprintf(f, "<p><label for=\"at\">Ngày giờ</label><input type=\"datetime-local\" id=\"at\" "
	           "name=\"at\" value=\"");
	E(d->at);
	fprintf(f, "\"%s>", e->at[0] ? " aria-invalid=\"true\" aria-describedby=\"at-error\"" : "");
	field_error(f, "at-error", e->at);
	fputs("</p><p><label for=\"every\">Lặp lại mỗi</label><select id=\"every\" name=\"every\">",
	      f);
	con_option(f, "day", "ngày", d->every);
	con_option(f, "week", "tuần", d->every);
	con_option(f, "month", "tháng", d->every);
	fputs("</select></p></fieldset>", f);
	cost_box(rq, f, c);
	fputs("<p class=\"buttons\"><button type=\"submit\" name=\"do\" value=\"preview\" "
	      "id=\"preview\">Xem trước và xác nhận</button> <a href=\"/broadcasts\">Huỷ</a></p>"
	      "</form>",
	      f);
	con_page_end(resp);
	return 0;
}

/* The confirmation step: the draft, its cost, and the buttons that send or go back. */
static void confirm_page(const struct console_req *rq, struct console_resp *resp,
                         const struct draft *d, const struct cost *c)
{
	FILE *f = resp->f;
	static const char *const fields[] = {"group", "text", "when", "at", "every"};
	const char *vals[] = {d->group, d->text, d->when, d->at, d->every};
	char local[TS_LEN];

	con_page_begin(rq, resp, "Xác nhận gửi thông báo", "/broadcasts", 0);
	fputs("<link rel=\"stylesheet\" href=\"/static/console2.css\">", resp->f);
	fputs("<form method=\"post\" action=\"/broadcasts/new\" id=\"confirm\">", f);
	con_csrf_field(rq, f);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		fprintf(f, "<input type=\"hidden\" name=\"%s\" value=\"", fields[i]);
		E(vals[i]);
		fputs("\">", f);
	}
	fputs("<dl class=\"kv card\" id=\"summary\"><dt>Nhóm</dt><dd><bdi>", f);
	E(d->group);
	fputs("</bdi></dd><dt>Nội dung</dt><dd class=\"text\" id=\"confirm-text\">", f);
	E(d->text);
	fputs("</dd>", f);
	if (c->plan.folded) {
		fputs("<dt>Sẽ gửi (đã bỏ dấu)</dt><dd class=\"text\">", f);
		E(c->plan.sent_text);
		fputs("</dd>", f);
	}
	fputs("<dt>Khi nào</dt><dd>", f);
	if (d->at_utc[0]) {
		fputs("lúc ", f);
		E(con_local(d->at_utc, local));
	} else
		fputs("ngay", f);
	if (strcmp(d->when, "every") == 0)
		fprintf(f, ", rồi lặp lại mỗi %s",
		        strcmp(d->every, "day") == 0    ? "ngày"
		        : strcmp(d->every, "week") == 0 ? "tuần"
		                                        : "tháng");
	fputs("</dd></dl>", f);
	cost_box(rq, f, c);
	if (c->out.held)
		fputs("<p class=\"error\">Số dư không đủ: thông báo sẽ được lưu nhưng bị giữ lại, "
		      "chưa gửi, cho đến khi cán bộ bấm «Cho gửi» trong danh sách.</p>",
		      f);
	fputs("<p class=\"buttons\"><button type=\"submit\" name=\"do\" value=\"send\" "
	      "id=\"send\">",
	      f);
	fputs(d->at_utc[0] ? "Xác nhận đặt lịch" : "Xác nhận gửi", f);
	fputs("</button> <button type=\"submit\" name=\"do\" value=\"edit\" class=\"secondary\">"
	      "Sửa lại</button></p></form>",
	      f);
	con_page_end(resp);
}

int console_page_broadcast_new(const struct console_req *rq, struct console_resp *resp)
{
	return composer(rq, resp, NULL, NULL, NULL);
}

/* POST /broadcasts/new: do=preview (the confirmation), edit (back), send (queued). */
int console_post_broadcast_new(const struct console_req *rq, struct console_resp *resp)
{
	static struct draft d; /* 4 KB of text: not on the stack of a request */
	struct draft_errors e;
	struct cost c;
	struct act_broadcast_in in;
	struct act_broadcast_out q;
	struct act_who w;
	char what[16];
	int rc = -1;

	draft_read(rq, &d, &e);
	if (console_form(rq, "do", what, sizeof what) < 1)
		snprintf(what, sizeof what, "preview");
	if (draft_cost(rq, &d, &e, &c) < 0)
		goto out;
	if (strcmp(what, "edit") == 0 || e.any || !c.done) {
		rc = composer(rq, resp, &d, &e, c.done ? &c : NULL);
		goto out;
	}
	if (strcmp(what, "send") != 0) {
		confirm_page(rq, resp, &d, &c);
		rc = 0;
		goto out;
	}
	/* The send: the same call as the dry run, in one transaction. */
	draft_in(&d, &in);
	act_who_officer(&w, rq->who->phone);
	if (store_begin() < 0)
		goto out;
	switch (act_broadcast_queue(&w, &in, &q, NULL)) {
	case ACT_OK:
		break;
	case ACT_NOBODY: /* everyone unsubscribed since the preview */
		store_rollback();
		snprintf(e.group, sizeof e.group,
		         "Không ai trong nhóm này đăng ký nhận tin: không có người nhận.");
		e.any = 1;
		rc = composer(rq, resp, &d, &e, NULL);
		goto out;
	default:
		store_rollback();
		goto out;
	}
	if (store_commit() < 0) {
		store_rollback();
		goto out;
	}
	log_info("console: %s queued broadcast B%lld to %s (%d recipients%s)", rq->who->phone,
	         (long long)q.id, d.group, q.recipients, q.held ? ", held" : "");
	resp->status = 303;
	snprintf(resp->location, sizeof resp->location, "/broadcasts?ok=%s&id=%lld",
	         q.held ? "held" : "queued", (long long)q.id);
	rc = 0;
out:
	broadcast_plan_free(&c.plan);
	return rc;
}

/* POST /broadcasts/cost: the dry run's words as JSON, for the composer's script. */
int console_post_broadcast_cost(const struct console_req *rq, struct console_resp *resp)
{
	static struct draft d;
	struct draft_errors e;
	struct cost c;
	struct json j;
	char w[C_N][WORDS];

	draft_read(rq, &d, &e);
	if (draft_cost(rq, &d, &e, &c) < 0) {
		broadcast_plan_free(&c.plan);
		return -1;
	}
	resp->type = "application/json";
	json_begin(&j, resp->f);
	json_key_bool(&j, "ok", c.done);
	if (c.done) {
		cost_words(rq->cfg, &c, w);
		json_key_object(&j, "fields");
		for (int i = 0; i < cost_fields(rq->cfg); i++)
			json_key_str(&j, cost_ids[i], w[i]);
		json_object_end(&j);
		if (rq->cfg->nmodems > 1) {
			json_key_array(&j, "modems");
			for (int i = 0; i < c.split.n; i++) {
				json_array_object(&j);
				json_key_str(&j, "name", rq->cfg->modems[i].name);
				json_key_int(&j, "recipients", c.split.count[i]);
				json_key_int(&j, "on_net", c.split.on_net[i]);
				json_object_end(&j);
			}
			json_array_end(&j);
			/* Each SIM's share against its balance (null: unknown), new fields only. */
			json_key_array(&j, "modem_balances");
			for (int i = 0; i < c.split.n; i++) {
				const struct broadcast_balances *b = &c.out.modems;

				json_array_object(&j);
				json_key_str(&j, "name", rq->cfg->modems[i].name);
				json_key_int(&j, "cost", c.split.cost[i]);
				if (i < b->n && b->known[i])
					json_key_int(&j, "balance", b->balance[i]);
				else
					json_key_null(&j, "balance");
				json_key_bool(&j, "short", i < b->n && b->short_of[i]);
				json_object_end(&j);
			}
			json_array_end(&j);
			json_key_int(&j, "cost_on_net", c.split.cost_on_net);
			json_key_int(&j, "cost_spread", c.split.cost_spread);
		}
		json_key_int(&j, "parts", c.plan.as_sent.parts);
		json_key_int(&j, "members", c.out.members);
		json_key_int(&j, "cost", c.out.cost);
		json_key_bool(&j, "held", c.out.held);
		json_key_str(&j, "reason", c.out.held ? c.out.reason : NULL);
	}
	json_key_object(&j, "errors");
	json_key_str(&j, "group", e.group[0] ? e.group : NULL);
	json_key_str(&j, "text", e.text[0] ? e.text : NULL);
	json_key_str(&j, "at", e.at[0] ? e.at : NULL);
	json_object_end(&j);
	json_end(&j);
	broadcast_plan_free(&c.plan);
	return 0;
}

/* --- the list --- */

struct list {
	FILE *f;
	const struct console_req *rq;
	int rows, busy;
	int64_t highlight;
};

static const char *every_word(const char *every)
{
	return every == NULL                ? ""
	       : strcmp(every, "day") == 0  ? "mỗi ngày"
	       : strcmp(every, "week") == 0 ? "mỗi tuần"
	                                    : "mỗi tháng";
}

static int list_row(const struct store_broadcast_row *b, void *ctx)
{
	struct list *l = ctx;
	FILE *f = l->f;
	char buf[TS_LEN], now[TS_LEN];
	int done = b->sent + b->failed, held = strcmp(b->status, "held") == 0;
	int cancelled = strcmp(b->status, "cancelled") == 0;
	int future = b->scheduled_at != NULL && (ts_now(now), strcmp(b->scheduled_at, now) > 0);
	const char *state;

	if (l->rows++ == 0)
		fputs(
		    "<div class=\"scroll\" tabindex=\"0\"><table class=\"broadcasts\"><thead><tr>"
		    "<th scope=\"col\">#</th><th scope=\"col\">Nhóm</th><th scope=\"col\">Nội "
		    "dung</th><th scope=\"col\">Lịch gửi</th><th scope=\"col\">Trạng thái</th>"
		    "<th scope=\"col\">Tiến độ</th><th scope=\"col\">Việc</th></tr></thead><tbody>",
		    f);
	if (held)
		state = "Bị giữ lại";
	else if (cancelled)
		state = "Đã huỷ";
	else if (b->queued > 0 && future)
		state = "Đã lên lịch";
	else if (b->queued > 0)
		state = "Đang gửi";
	else if (b->every != NULL)
		state = "Lặp lại";
	else
		state = "Đã xong";
	/* Being sent now: the list reloads itself (not for a round due tomorrow). */
	if (!held && !cancelled && b->queued > 0 && !future)
		l->busy = 1;
	fprintf(f, "<tr id=\"b%lld\"%s><td>B%lld</td><td><bdi>", (long long)b->id,
	        b->id == l->highlight ? " class=\"new\"" : "", (long long)b->id);
	E(b->group);
	fputs("</bdi></td><td class=\"text\">", f);
	con_excerpt(f, b->text ? b->text : "", 120);
	fputs("</td><td class=\"time\">", f);
	E(con_local(b->scheduled_at, buf));
	if (b->every != NULL) {
		fputs("<br>", f);
		E(every_word(b->every));
		if (b->next_run != NULL && !cancelled) {
			fputs(", lần sau ", f);
			E(con_local(b->next_run, buf));
		}
	}
	fputs("</td><td class=\"state\">", f);
	E(state);
	if (held && b->held_reason != NULL) {
		fputs("<br><span class=\"sub\">", f);
		E(b->held_reason);
		fputs("</span>", f);
	}
	fprintf(f,
	        "</td><td class=\"progress\"><progress max=\"%d\" value=\"%d\" "
	        "aria-label=\"Tiến độ B%lld\"></progress> <span class=\"count\">%d/%d</span>"
	        "<br><span class=\"sub\">%d đã gửi · %d đã nhận · %d lỗi%s</span></td><td>",
	        b->recipients > 0 ? b->recipients : 1, done > b->recipients ? b->recipients : done,
	        (long long)b->id, done, b->recipients, b->sent, b->delivered, b->failed,
	        b->cancelled ? " · có tin đã huỷ" : "");
	if (held || (!cancelled && (b->queued > 0 || (b->every != NULL && b->next_run != NULL)))) {
		fprintf(f, "<form method=\"post\" action=\"/broadcasts/%lld\" class=\"buttons\">",
		        (long long)b->id);
		con_csrf_field(l->rq, f);
		if (held)
			fprintf(f,
			        "<button type=\"submit\" name=\"do\" value=\"release\" "
			        "id=\"release-%lld\">Cho gửi</button>",
			        (long long)b->id);
		fprintf(f,
		        "<button type=\"submit\" name=\"do\" value=\"cancel\" "
		        "id=\"cancel-%lld\" class=\"secondary\">Huỷ B%lld</button></form>",
		        (long long)b->id, (long long)b->id);
	}
	fputs("</td></tr>", f);
	return 0;
}

int console_page_broadcasts(const struct console_req *rq, struct console_resp *resp)
{
	static const struct {
		const char *ok, *text;
	} oks[] = {
	    {"queued", "Đã xếp hàng gửi thông báo"},
	    {"held", "Thông báo đã lưu nhưng bị giữ lại vì số dư không đủ"},
	    {"cancelled", "Đã huỷ thông báo"},
	    {"released", "Đã cho gửi thông báo bị giữ lại"},
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = resp->f, *body = open_memstream(&buf, &len);
	struct list l = {body, rq, 0, 0, 0};
	const char *ok = rq->arg(rq, "ok"), *id = rq->arg(rq, "id");
	int rc = -1;

	if (body == NULL)
		return -1;
	if (id != NULL)
		l.highlight = strtoll(id, NULL, 10);
	/* The list first, into its own buffer: whether anything is being sent decides whether
	 * the page refreshes itself (the head comes before it). */
	if (store_broadcasts_recent(LIST_SIZE, list_row, &l) < 0) {
		fclose(body);
		goto out;
	}
	if (l.rows > 0)
		fputs("</tbody></table></div>", body);
	else
		fputs("<p class=\"empty\">Chưa có thông báo nào.</p>", body);
	fclose(body);
	con_page_begin(rq, resp, "Thông báo", "/broadcasts", l.busy ? 3 : 0);
	fputs("<link rel=\"stylesheet\" href=\"/static/console2.css\">", resp->f);
	for (size_t i = 0; ok != NULL && i < sizeof oks / sizeof oks[0]; i++)
		if (strcmp(ok, oks[i].ok) == 0) {
			fputs("<p class=\"ok\" role=\"status\">", f);
			E(oks[i].text);
			if (l.highlight > 0)
				fprintf(f, " B%lld", (long long)l.highlight);
			fputs(".</p>", f);
		}
	if (rq->arg(rq, "err") != NULL)
		fputs("<p class=\"error\" role=\"alert\">Không làm được: thông báo không còn ở "
		      "trạng thái đó.</p>",
		      f);
	fputs("<p><a class=\"button\" href=\"/broadcasts/new\" id=\"compose\">Soạn thông báo "
	      "mới</a></p><h2>Các thông báo gần đây</h2>",
	      f);
	fwrite(buf, 1, len, f);
	con_page_end(resp);
	rc = 0;
out:
	free(buf);
	return rc;
}

/* POST /broadcasts/ID: do=cancel or release. */
int console_post_broadcast(const struct console_req *rq, struct console_resp *resp, int64_t id)
{
	struct act_who w;
	enum act_status st;
	char what[16];
	int n = 0, cancel;

	if (console_form(rq, "do", what, sizeof what) < 1 ||
	    (strcmp(what, "cancel") != 0 && strcmp(what, "release") != 0)) {
		console_page_message(rq, resp, 400, "Yêu cầu sai", "Không rõ việc cần làm.");
		return 0;
	}
	cancel = what[0] == 'c';
	act_who_officer(&w, rq->who->phone);
	if (store_begin() < 0)
		return -1;
	st = cancel ? act_broadcast_cancel(&w, id, &n) : act_broadcast_release(&w, id, &n);
	if (st == ACT_ERROR || (st == ACT_OK && store_commit() < 0)) {
		store_rollback();
		return -1;
	}
	if (st != ACT_OK) {
		store_rollback();
		if (st == ACT_NOT_FOUND) {
			console_page_message(rq, resp, 404, "Không tìm thấy",
			                     "Không có thông báo này.");
			return 0;
		}
		resp->status = 303;
		snprintf(resp->location, sizeof resp->location, "/broadcasts?err=state&id=%lld",
		         (long long)id);
		return 0;
	}
	log_info("console: %s %s broadcast B%lld (%d messages)", rq->who->phone,
	         cancel ? "cancelled" : "released", (long long)id, n);
	resp->status = 303;
	snprintf(resp->location, sizeof resp->location, "/broadcasts?ok=%s&id=%lld",
	         cancel ? "cancelled" : "released", (long long)id);
	return 0;
}

/* The composer's script: the cost as the officer types, from POST /broadcasts/cost (the
 * server's dry run, not a copy of its rules in JavaScript). */
const char console_broadcast_js[] =
    "'use strict';\n"
    "(function () {\n"
    "  var f = document.getElementById('composer');\n"
    "  if (!f) return;\n"
    "  var box = document.getElementById('cost'), t = null, seq = 0;\n"
    "  function update() {\n"
    "    var my = ++seq, body = new URLSearchParams(new FormData(f));\n"
    "    fetch('/broadcasts/cost', {method: 'POST', body: body, credentials: 'same-origin'})\n"
    "      .then(function (r) { return r.ok ? r.json() : null; })\n"
    "      .then(function (j) {\n"
    "        if (!j || my !== seq) return;\n"
    "        if (!j.ok) { box.hidden = true; return; }\n"
    "        Object.keys(j.fields).forEach(function (k) {\n"
    "          var e = document.getElementById(k);\n"
    "          if (e) e.textContent = j.fields[k];\n"
    "        });\n"
    "        box.hidden = false;\n"
    "      }).catch(function () {});\n"
    "  }\n"
    "  function later() { clearTimeout(t); t = setTimeout(update, 200); }\n"
    "  f.addEventListener('input', later);\n"
    "  f.addEventListener('change', later);\n"
    "  if (document.getElementById('text').value) update();\n"
    "})();\n";
