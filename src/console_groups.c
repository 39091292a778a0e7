/*
 * The console's Nhóm, tổ (groups and teams, see console_int.h): the named broadcast groups
 * and their members (`tipline group add/rm`), the teams with their leaders, members and
 * expected patrol nights (`tipline team set`). Every change through the CLI's action
 * (act_group_add, act_group_remove, act_team_nights) in one transaction with its audit row;
 * a bad field is said beside it, nothing changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "act.h"
#include "config.h"
#include "console_int.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "text.h"
#include "ts.h"

#define E(s) report_html_esc(f, (s))

#define MAX_GROUPS 200
#define MAX_TEAMS  200

static const char *const days[7][2] = {{"mon", "T2"}, {"tue", "T3"}, {"wed", "T4"}, {"thu", "T5"},
                                       {"fri", "T6"}, {"sat", "T7"}, {"sun", "CN"}};

/* What a POST got wrong, said beside its field: the form's id and the sentence. */
struct bad {
	char form[80]; /* "g-NAME", "t-CODE", "new-group", "new-team" */
	const char *text;
};

/* --- reading the lists --- */

struct names {
	char name[MAX_GROUPS][32];
	int n;
};

static int group_name_row(const struct store_row *r, void *ctx)
{
	struct names *g = ctx;

	if (g->n < MAX_GROUPS && r->val[0] != NULL)
		snprintf(g->name[g->n++], sizeof g->name[0], "%s", r->val[0]);
	return 0;
}

struct team {
	char code[32], nights[40], by[8], leaders[400];
	long members;
};
struct teams {
	struct team *t;
	int n;
};

/* code, nights, night_by, leaders, members, out_since */
static int team_row(const struct store_row *r, void *ctx)
{
	struct teams *ts = ctx;
	struct team *t;

	if (ts->n >= MAX_TEAMS)
		return 1;
	t = &ts->t[ts->n++];
	snprintf(t->code, sizeof t->code, "%s", r->val[0] ? r->val[0] : "");
	snprintf(t->nights, sizeof t->nights, "%s", r->val[1] ? r->val[1] : "");
	snprintf(t->by, sizeof t->by, "%s", r->val[2] ? r->val[2] : "");
	snprintf(t->leaders, sizeof t->leaders, "%s", r->val[3] ? r->val[3] : "");
	t->members = r->val[4] ? strtol(r->val[4], NULL, 10) : 0;
	return 0;
}

/* --- pieces of the page --- */

/* The error of form ID, beside its field (ERR_ID, for aria-describedby), if BAD is about it. */
static const char *bad_for(const struct bad *bad, const char *id)
{
	return bad != NULL && bad->text != NULL && strcmp(bad->form, id) == 0 ? bad->text : NULL;
}

struct members_view {
	const struct console_req *rq;
	FILE *f;
	const char *group, *id;
	int rows;
};

/* phone, name, village, subscribed */
static int member_row(const struct store_row *r, void *ctx)
{
	struct members_view *mv = ctx;
	FILE *f = mv->f;

	if (mv->rows++ == 0)
		fputs("<ul class=\"items\">", f);
	fputs("<li><form method=\"post\" action=\"/groups\" class=\"inline\">", f);
	con_csrf_field(mv->rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"member_rm\"><input type=\"hidden\" "
	      "name=\"group\" value=\"",
	      f);
	E(mv->group);
	fputs("\"><input type=\"hidden\" name=\"phone\" value=\"", f);
	E(r->val[0]);
	fputs("\"><bdi>", f);
	E(r->val[1] && r->val[1][0] ? r->val[1] : "(không có trong danh bạ)");
	fputs("</bdi> <bdi>", f);
	E(r->val[0]);
	fputs("</bdi>", f);
	if (r->val[3] != NULL && strcmp(r->val[3], "0") == 0)
		fputs(" <span class=\"tag\">đã huỷ nhận tin</span>", f);
	fputs(" <button type=\"submit\" aria-label=\"Bỏ khỏi nhóm ", f);
	E(mv->group);
	fputs(": ", f);
	E(r->val[0]);
	fputs("\">Bỏ khỏi nhóm</button></form></li>", f);
	return 0;
}

static int group_card(const struct console_req *rq, FILE *f, const char *name,
                      const struct bad *bad)
{
	struct members_view mv = {rq, f, name, NULL, 0};
	char id[48];
	const char *err;
	int subscribed;

	snprintf(id, sizeof id, "g-%s", name);
	err = bad_for(bad, id);
	if ((subscribed = store_group_count(name)) < 0)
		return -1;
	fprintf(f, "<section class=\"card group\" aria-labelledby=\"h-%s\"><h3 id=\"h-%s\">", id,
	        id);
	E(name);
	fprintf(f, "</h3><p class=\"sub\">%d người nhận tin</p>", subscribed);
	if (store_list_named_group_members(name, 1000, member_row, &mv) < 0)
		return -1;
	fputs(mv.rows > 0 ? "</ul>" : "<p class=\"empty\">Nhóm chưa có ai.</p>", f);
	fputs("<form method=\"post\" action=\"/groups\">", f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"member_add\"><input type=\"hidden\" "
	      "name=\"group\" value=\"",
	      f);
	E(name);
	fputs("\">", f);
	{
		char in_id[64];

		snprintf(in_id, sizeof in_id, "%s-phone", id);
		con_input(f, in_id, "Thêm số điện thoại vào nhóm", "phone", "tel", "", err,
		          " required");
	}
	fputs("<p><button type=\"submit\">Thêm vào nhóm</button></p></form>", f);
	fputs("<form method=\"post\" action=\"/groups\">", f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"group_rm\"><input type=\"hidden\" "
	      "name=\"group\" value=\"",
	      f);
	E(name);
	fprintf(f,
	        "\"><p class=\"check\"><input id=\"%s-rm\" name=\"sure\" type=\"checkbox\" "
	        "value=\"1\" required><label for=\"%s-rm\">Xoá cả nhóm ",
	        id, id);
	E(name);
	fputs("</label></p><p><button type=\"submit\">Xoá nhóm</button></p></form></section>", f);
	return 0;
}

/* The nights' checkboxes of form ID, ticked from NIGHTS ("mon,wed"). */
static void nights_boxes(FILE *f, const char *id, const char *nights)
{
	fputs("<fieldset><legend>Đêm tuần tra</legend>", f);
	for (int d = 0; d < 7; d++)
		fprintf(
		    f,
		    "<span class=\"check\"><input id=\"%s-%s\" name=\"night_%s\" type=\"checkbox\" "
		    "value=\"1\"%s><label for=\"%s-%s\">%s</label></span> ",
		    id, days[d][0], days[d][0], strstr(nights, days[d][0]) ? " checked" : "", id,
		    days[d][0], days[d][1]);
	fputs("</fieldset>", f);
}

static void team_card(const struct console_req *rq, FILE *f, const struct team *t,
                      const struct bad *bad)
{
	char id[48], by_id[64];
	const char *err;

	snprintf(id, sizeof id, "t-%s", t->code);
	snprintf(by_id, sizeof by_id, "%s-by", id);
	err = bad_for(bad, id);
	fprintf(f, "<section class=\"card team\" aria-labelledby=\"h-%s\"><h3 id=\"h-%s\">Tổ ", id,
	        id);
	E(t->code);
	fprintf(f, "</h3><p>%ld người trong tổ. Tổ trưởng: ", t->members);
	if (t->leaders[0] == '\0')
		fputs("chưa có (đặt ở Danh bạ: vai trò tổ trưởng, tổ ", f), E(t->code),
		    fputs(")", f);
	else {
		char copy[400], *save = NULL;
		int k = 0;

		snprintf(copy, sizeof copy, "%s", t->leaders);
		for (char *p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
			fprintf(f, "%s<a href=\"/people/%s\"><bdi>", k++ ? ", " : "",
			        p[0] == '+' ? p + 1 : p);
			E(p);
			fputs("</bdi></a>", f);
		}
	}
	fputs(".</p><form method=\"post\" action=\"/groups\">", f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"team\"><input type=\"hidden\" "
	      "name=\"team\" value=\"",
	      f);
	E(t->code);
	fputs("\">", f);
	nights_boxes(f, id, t->nights);
	con_input(f, by_id, "Bắt đầu trước (giờ địa phương)", "by", "time",
	          t->by[0] ? t->by : "21:00", err, " required");
	fputs("<p><button type=\"submit\">Lưu đêm tuần tra</button></p></form></section>", f);
}

static int groups_page(const struct console_req *rq, struct console_resp *resp,
                       const struct bad *bad, const char *ok)
{
	struct names *g = calloc(1, sizeof *g);
	struct teams ts = {calloc(MAX_TEAMS, sizeof *ts.t), 0};
	FILE *f = resp->f;
	int rc = -1;

	if (g == NULL || ts.t == NULL)
		goto out;
	if (store_list_groups(NULL, MAX_GROUPS, group_name_row, g) < 0 ||
	    store_list_teams(NULL, MAX_TEAMS, team_row, &ts) < 0)
		goto out;
	con_page_begin(rq, resp, "Nhóm, tổ", "/groups", 0);
	if (bad != NULL && bad->text != NULL) {
		fputs("<p class=\"error\" role=\"alert\">Chưa lưu: ", f);
		E(bad->text);
		fputs("</p>", f);
	} else if (ok != NULL)
		fputs("<p class=\"ok\" role=\"status\">Đã lưu.</p>", f);
	fputs("<h2>Nhóm nhận thông báo</h2><p class=\"sub\">Ngoài các nhóm có sẵn (TATCA, "
	      "TOTRUONG, CANBO, mỗi thôn, mỗi tổ), cán bộ lập nhóm riêng để gửi thông báo.</p>",
	      f);
	for (int i = 0; i < g->n; i++)
		if (group_card(rq, f, g->name[i], bad) < 0)
			goto out;
	if (g->n == 0)
		fputs("<p class=\"empty\">Chưa có nhóm riêng nào.</p>", f);
	fputs("<section class=\"card\" aria-labelledby=\"h-new-group\"><h3 id=\"h-new-group\">"
	      "Lập nhóm mới</h3><form method=\"post\" action=\"/groups\">",
	      f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"group_add\">", f);
	con_input(f, "new-group", "Tên nhóm (chữ và số, như DOANTN)", "group", "text", "",
	          bad_for(bad, "new-group"), " required maxlength=\"31\"");
	con_input(f, "new-group-phone", "Số điện thoại đầu tiên (có thể để trống)", "phone", "tel",
	          "", bad_for(bad, "new-group-phone"), NULL);
	fputs("<p><button type=\"submit\">Lập nhóm</button></p></form></section>", f);
	fputs("<h2>Tổ tuần tra</h2>", f);
	for (int i = 0; i < ts.n; i++)
		team_card(rq, f, &ts.t[i], bad);
	if (ts.n == 0)
		fputs("<p class=\"empty\">Chưa có tổ nào.</p>", f);
	fputs("<section class=\"card\" aria-labelledby=\"h-new-team\"><h3 id=\"h-new-team\">"
	      "Thêm tổ</h3><form method=\"post\" action=\"/groups\">",
	      f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"team\"><input type=\"hidden\" "
	      "name=\"new\" value=\"1\">",
	      f);
	con_input(f, "new-team", "Mã tổ (như TQ3)", "team", "text", "", bad_for(bad, "new-team"),
	          " required maxlength=\"15\"");
	nights_boxes(f, "new-team", "");
	con_input(f, "new-team-by", "Bắt đầu trước (giờ địa phương)", "by", "time", "21:00",
	          bad_for(bad, "new-team-by"), " required");
	fputs("<p><button type=\"submit\">Thêm tổ</button></p></form></section>", f);
	con_page_end(resp);
	rc = 0;
out:
	free(g);
	free(ts.t);
	return rc;
}

int console_page_groups(const struct console_req *rq, struct console_resp *resp)
{
	return groups_page(rq, resp, NULL, rq->arg(rq, "ok"));
}

/* --- changes --- */

/* A group's name: letters, digits and '_', 1 to 31, not one of the derived groups'. */
static int group_name_ok(const char *g)
{
	size_t n = strlen(g);

	if (n == 0 || n > 31 ||
	    strspn(g, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return 0;
	return strcasecmp(g, STORE_GROUP_ALL) != 0 && strcasecmp(g, STORE_GROUP_LEADERS) != 0 &&
	       strcasecmp(g, STORE_GROUP_OFFICERS) != 0;
}

enum change { ADD, REMOVE, REMOVE_GROUP, NIGHTS };

struct group_change {
	enum change what;
	const char *a, *b, *c;
};

static enum act_status group_run(struct act_who *w, void *arg)
{
	const struct group_change *g = arg;

	return g->what == ADD            ? act_group_add(w, g->a, g->b)
	       : g->what == REMOVE       ? act_group_remove(w, g->a, g->b)
	       : g->what == REMOVE_GROUP ? act_group_remove(w, g->a, NULL)
	                                 : act_team_nights(w, g->a, g->b, g->c);
}

/* One change through its action, with the audit row, in one transaction. ACT_ERROR: store. */
static enum act_status change(const struct console_req *rq, enum change what, const char *a,
                              const char *b, const char *c)
{
	static const char *const actions[] = {"group_add", "group_remove", "group_delete",
	                                      "team_nights"};
	struct group_change g = {what, a, b, c};
	char detail[120];

	if (what == NIGHTS)
		snprintf(detail, sizeof detail, "đêm: %s; trước %s", b[0] ? b : "không", c);
	else
		snprintf(detail, sizeof detail, "%s", b ? b : "");
	return con_change(rq, group_run, &g, actions[what], a, detail);
}

int console_post_groups(const struct console_req *rq, struct console_resp *resp)
{
	struct bad bad = {"", NULL};
	char what[16], group[64], phone_in[64], phone[24], team[32], by[16], nights[40];
	enum act_status st = ACT_OK;

	if (console_form(rq, "do", what, sizeof what) < 1) {
		console_page_message(rq, resp, 400, "Không hợp lệ", "Yêu cầu không hợp lệ.");
		return 0;
	}
	if (strcmp(what, "group_add") == 0 || strcmp(what, "member_add") == 0 ||
	    strcmp(what, "member_rm") == 0 || strcmp(what, "group_rm") == 0) {
		int named = strcmp(what, "group_add") != 0;
		int r = console_form(rq, "group", group, sizeof group);

		snprintf(bad.form, sizeof bad.form, named ? "g-%s" : "new-group",
		         r == 1 ? group : "");
		if (r < 1 || !group_name_ok(group)) {
			bad.text =
			    "Tên nhóm là chữ và số (không dấu, không khoảng trắng), không trùng "
			    "TATCA, TOTRUONG, CANBO.";
			goto bad;
		}
		for (char *p = group; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (strcmp(what, "group_rm") == 0) {
			char sure[8];

			if (console_form(rq, "sure", sure, sizeof sure) < 1) {
				bad.text = "Hãy đánh dấu ô xác nhận để xoá nhóm.";
				goto bad;
			}
			st = change(rq, REMOVE_GROUP, group, NULL, NULL);
			goto done;
		}
		if (console_form(rq, "phone", phone_in, sizeof phone_in) < 0)
			phone_in[0] = '\0';
		if (!named && phone_in[0] == '\0') {
			st = change(rq, ADD, group, NULL, NULL);
			goto done;
		}
		if (text_phone_e164(phone_in, rq->cfg->country_code, phone, sizeof phone) < 0) {
			if (!named)
				snprintf(bad.form, sizeof bad.form, "new-group-phone");
			bad.text =
			    phone_in[0] ? "Số điện thoại không hợp lệ." : "Hãy nhập số điện thoại.";
			goto bad;
		}
		st = change(rq, strcmp(what, "member_rm") == 0 ? REMOVE : ADD, group, phone, NULL);
		goto done;
	}
	if (strcmp(what, "team") == 0) {
		size_t n = 0;
		int r = console_form(rq, "team", team, sizeof team);

		snprintf(bad.form, sizeof bad.form, "new-team");
		if (r < 1 || team[0] == '\0' || strlen(team) > 15) {
			bad.text = "Mã tổ là chữ rồi số, như TQ3.";
			goto bad;
		}
		if (act_team_code(team) < 0) {
			bad.text = "Mã tổ là chữ rồi số, như TQ3.";
			goto bad;
		}
		nights[0] = '\0';
		for (int d = 0; d < 7; d++) {
			char name[16], v[8];

			snprintf(name, sizeof name, "night_%s", days[d][0]);
			if (console_form(rq, name, v, sizeof v) == 1 && strcmp(v, "1") == 0)
				n += (size_t)snprintf(nights + n, sizeof nights - n, "%s%s",
				                      n ? "," : "", days[d][0]);
		}
		if (console_form(rq, "by", by, sizeof by) < 1 || act_hhmm(by) < 0) {
			char isnew[4];

			/* Beside the hour of the form it came from: a team's, or the new team's. */
			if (console_form(rq, "new", isnew, sizeof isnew) == 1)
				snprintf(bad.form, sizeof bad.form, "new-team-by");
			else
				snprintf(bad.form, sizeof bad.form, "t-%s", team);
			bad.text = "Giờ là HH:MM, như 21:00.";
			goto bad;
		}
		st = change(rq, NIGHTS, team, nights, by);
		goto done;
	}
	console_page_message(rq, resp, 400, "Không hợp lệ", "Yêu cầu không hợp lệ.");
	return 0;
done:
	if (st == ACT_ERROR)
		return -1;
	resp->status = 303;
	snprintf(resp->location, sizeof resp->location, "/groups?ok=1");
	return 0;
bad:
	resp->status = 400;
	return groups_page(rq, resp, &bad, NULL);
}
