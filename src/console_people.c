/*
 * The console's Danh bạ (people, see console_int.h): the contacts with a search, filters and
 * pages; a person added, changed or removed, an officer's SMS PIN set (never shown); a
 * spreadsheet's CSV imported (a preview that is the import's dry run, then one transaction);
 * the contacts as CSV. Every change goes through the action the CLI calls (act_contact_set,
 * act_contact_remove, act_contacts_import), in one transaction with its console_audit row. A
 * form's bad field is said beside the field, the page answered 400, nothing changed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "config.h"
#include "console_int.h"
#include "log.h"
#include "pin.h"
#include "report.h"
#include "store.h"
#include "text.h"
#include "ts.h"

#define E(s) report_html_esc(f, (s))

static const struct {
	const char *name, *label;
} roles[] = {{"villager", "Người dân"}, {"leader", "Tổ trưởng"}, {"officer", "Cán bộ"}};

static const char *role_label(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(roles[i].name, name) == 0)
			return roles[i].label;
	return name ? name : "";
}

/* The page of person PHONE (E.164) into BUF: /people/ and its digits. */
static const char *person_href(const char *phone, char buf[40])
{
	snprintf(buf, 40, "/people/%.24s", phone[0] == '+' ? phone + 1 : phone);
	return buf;
}

/* A message line: role=status for ok, alert for an error. */
static void say(FILE *f, int error, const char *text)
{
	fprintf(f, "<p class=\"%s\" role=\"%s\">", error ? "error" : "ok",
	        error ? "alert" : "status");
	E(text);
	fputs("</p>", f);
}

/* --- the list --- */

/* phone, name, village, role, team, subscribed, has_pin; CTX: a struct con_table (utc unused) */
static int person_row(const struct store_row *r, void *ctx)
{
	struct con_table *l = ctx;
	FILE *f = l->f;
	char href[40];

	if (l->rows++ == 0)
		fputs(
		    "<div class=\"scroll\" tabindex=\"0\"><table class=\"people\"><thead><tr>"
		    "<th scope=\"col\">Họ tên</th><th scope=\"col\">Số điện thoại</th>"
		    "<th scope=\"col\">Thôn</th><th scope=\"col\">Vai trò</th>"
		    "<th scope=\"col\">Tổ</th><th scope=\"col\">Nhận tin</th></tr></thead><tbody>",
		    f);
	fprintf(f, "<tr><td><a href=\"%s\"><bdi>", person_href(r->val[0], href));
	E(r->val[1] && r->val[1][0] ? r->val[1] : "(chưa có tên)");
	fputs("</bdi></a></td><td><bdi>", f);
	E(r->val[0]);
	fputs("</bdi></td><td><bdi>", f);
	E(r->val[2] ? r->val[2] : "");
	fputs("</bdi></td><td>", f);
	E(role_label(r->val[3]));
	if (r->val[6] != NULL && strcmp(r->val[6], "1") == 0)
		fputs(" <span class=\"tag\">có PIN</span>", f);
	fputs("</td><td>", f);
	E(r->val[4] ? r->val[4] : "");
	fprintf(f, "</td><td>%s</td></tr>",
	        r->val[5] && strcmp(r->val[5], "1") == 0 ? "Có" : "Không");
	return 0;
}

/* <option>s of a listing's first column (CTX: the selected value). */
struct options {
	FILE *f;
	const char *selected;
};

static int first_column_option(const struct store_row *r, void *ctx)
{
	struct options *o = ctx;

	if (r->val[0] != NULL && r->val[0][0] != '\0')
		con_option(o->f, r->val[0], r->val[0], o->selected);
	return 0;
}

int console_page_people(const struct console_req *rq, struct console_resp *resp)
{
	const char *q = rq->arg(rq, "q"), *role = rq->arg(rq, "role"), *team = rq->arg(rq, "team");
	const char *village = rq->arg(rq, "village"), *sub = rq->arg(rq, "sub");
	const char *pg = rq->arg(rq, "page"), *ok = rq->arg(rq, "ok");
	struct store_people_filter flt = {NULL, NULL, NULL, NULL, -1};
	struct con_table pl = {resp->f, 0, 0};
	struct options o = {resp->f, NULL};
	FILE *f = resp->f;
	long page = pg ? strtol(pg, NULL, 10) : 1, pages;
	int64_t total;

	if (role != NULL && strcmp(role_label(role), role) == 0)
		role = NULL;
	if (sub != NULL && strcmp(sub, "1") != 0 && strcmp(sub, "0") != 0)
		sub = NULL;
	if (q != NULL && strlen(q) > 200)
		q = NULL;
	if (team != NULL && strlen(team) > 15)
		team = NULL;
	if (village != NULL && strlen(village) > 127)
		village = NULL;
	flt.search = q;
	flt.role = role;
	flt.team = team;
	flt.village = village;
	flt.subscribed = sub ? sub[0] - '0' : -1;
	if ((total = store_people_count(&flt)) < 0)
		return -1;
	pages = con_pages(total, &page);
	con_page_begin(rq, resp, "Danh bạ", "/people", 0);
	if (ok != NULL) {
		char line[200];
		const char *a = rq->arg(rq, "a"), *c = rq->arg(rq, "c"), *x = rq->arg(rq, "x");

		if (strcmp(ok, "imported") == 0)
			snprintf(line, sizeof line,
			         "Đã nhập: %s người mới, %s người thay đổi, %s dòng bị từ chối.",
			         a ? a : "0", c ? c : "0", x ? x : "0");
		else
			snprintf(line, sizeof line, "%s",
			         strcmp(ok, "removed") == 0 ? "Đã xoá khỏi danh bạ." : "Đã lưu.");
		say(f, 0, line);
	}
	fputs("<p class=\"buttons\"><a href=\"/people/new\">Thêm người</a> "
	      "<a href=\"/people/import\">Nhập từ bảng tính (CSV)</a> "
	      "<a href=\"/people.csv\" download>Tải CSV</a></p>",
	      f);
	fputs("<form class=\"filters\" method=\"get\" action=\"/people\">", f);
	con_input(f, "f-q", "Tìm (tên, số)", "q", "search", q ? q : "", NULL, NULL);
	con_filter_select(f, "f-role", "Vai trò", "role", role);
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		con_option(f, roles[i].name, roles[i].label, role);
	fputs("</select></p>", f);
	con_filter_select(f, "f-team", "Tổ", "team", team);
	o.selected = team;
	if (store_list_teams(NULL, 500, first_column_option, &o) < 0)
		return -1;
	fputs("</select></p>", f);
	con_filter_select(f, "f-vil", "Thôn", "village", village);
	o.selected = village;
	if (store_list_contact_villages(NULL, 500, first_column_option, &o) < 0)
		return -1;
	fputs("</select></p>", f);
	con_filter_select(f, "f-sub", "Nhận tin", "sub", sub);
	con_option(f, "1", "Có", sub);
	con_option(f, "0", "Không (đã huỷ)", sub);
	fputs("</select></p><p><button type=\"submit\">Lọc</button> <a href=\"/people\">Bỏ "
	      "lọc</a></p></form>",
	      f);
	fprintf(f, "<p class=\"sub\" id=\"count\">%lld người, trang %ld / %ld</p>",
	        (long long)total, page, pages);
	if (store_list_people(&flt, CONSOLE_PAGE_SIZE, (int)((page - 1) * CONSOLE_PAGE_SIZE),
	                      person_row, &pl) < 0)
		return -1;
	con_table_end(&pl, "Không có ai.");
	{
		static const char *const names[] = {"q", "role", "team", "village", "sub"};
		const char *vals[] = {q, role, team, village, sub};

		con_pager(f, "/people", page, page < pages, names, vals, 5);
	}
	con_page_end(resp);
	return 0;
}

/* --- a person's form: add (/people/new) and change (/people/DIGITS) --- */

/* The form's values as typed, and what is wrong with each ("" when nothing). */
struct person_form {
	char phone[64], name[256], village[256], role[16], team[32];
	int subscribed;
	const char *e_phone, *e_name, *e_village, *e_team, *e_role;
};

static void person_form_write(const struct console_req *rq, FILE *f, const struct person_form *v,
                              const char *action, int create)
{
	fprintf(f, "<form method=\"post\" action=\"%s\" class=\"card\">", action);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"save\">", f);
	if (create)
		con_input(f, "p-phone", "Số điện thoại", "phone", "tel", v->phone, v->e_phone,
		          " required autocomplete=\"off\"");
	con_input(f, "p-name", "Họ tên", "name", "text", v->name, v->e_name, " required");
	con_input(f, "p-village", "Thôn", "village", "text", v->village, v->e_village, NULL);
	fputs("<p><label for=\"p-role\">Vai trò</label><select id=\"p-role\" name=\"role\"", f);
	if (v->e_role)
		fputs(" aria-invalid=\"true\" aria-describedby=\"p-role-err\"", f);
	fputs(">", f);
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		con_option(f, roles[i].name, roles[i].label, v->role);
	fputs("</select>", f);
	if (v->e_role) {
		fputs("<span class=\"error\" id=\"p-role-err\">", f);
		E(v->e_role);
		fputs("</span>", f);
	}
	fputs("</p>", f);
	con_input(f, "p-team", "Tổ (mã như TQ3; để trống: không)", "team", "text", v->team,
	          v->e_team, NULL);
	fprintf(f,
	        "<p class=\"check\"><input id=\"p-sub\" name=\"subscribed\" type=\"checkbox\" "
	        "value=\"1\"%s><label for=\"p-sub\">Nhận tin thông báo</label></p>"
	        "<p><button type=\"submit\">%s</button></p></form>",
	        v->subscribed ? " checked" : "", create ? "Thêm vào danh bạ" : "Lưu");
}

/*
 * The form of RQ into V, checked: 0 good (V's fields cleaned: team uppercased, the phone
 * E.164 when CREATE), -1 with V's errors set. WAS: the contact's role (ROLE_KEEP: a new one);
 * making or unmaking an officer is an account admin's, and nobody unmakes themselves (SELF).
 */
static int person_form_read(const struct console_req *rq, struct person_form *v, int create,
                            enum role was, int self)
{
	char sub[8], e164[24];
	int bad = 0;

	memset(v, 0, sizeof *v);
	if (console_form(rq, "name", v->name, sizeof v->name) < 0 ||
	    !text_utf8_valid(v->name, strlen(v->name)))
		v->name[0] = '\0', v->e_name = "Tên không đọc được.";
	else if (v->name[strspn(v->name, " ")] == '\0')
		v->e_name = "Hãy nhập họ tên.";
	else if (strlen(v->name) > 127)
		v->e_name = "Tên dài quá 127 byte.";
	if (console_form(rq, "village", v->village, sizeof v->village) < 0 ||
	    !text_utf8_valid(v->village, strlen(v->village)) || strlen(v->village) > 127)
		v->village[0] = '\0', v->e_village = "Tên thôn dài quá 127 byte.";
	if (console_form(rq, "role", v->role, sizeof v->role) < 1 ||
	    strcmp(role_label(v->role), v->role) == 0)
		v->e_role = "Hãy chọn một vai trò.", snprintf(v->role, sizeof v->role, "villager");
	if (console_form(rq, "team", v->team, sizeof v->team) < 0)
		v->team[0] = '\0', v->e_team = "Mã tổ không hợp lệ.";
	else if (v->team[0] != '\0' && act_team_code(v->team) < 0)
		v->e_team = "Mã tổ là chữ rồi số, như TQ3.";
	if (v->e_role == NULL) {
		enum role to = store_role_parse(v->role);

		if (self && to != ROLE_OFFICER)
			v->e_role = "Không thể bỏ vai trò cán bộ của chính mình.";
		else if (!rq->who->admin && to != was &&
		         (to == ROLE_OFFICER || was == ROLE_OFFICER))
			v->e_role =
			    "Chỉ cán bộ quản trị tài khoản mới thêm hoặc bỏ vai trò cán bộ.";
	}
	v->subscribed = console_form(rq, "subscribed", sub, sizeof sub) == 1 && sub[0] == '1';
	if (create) {
		if (console_form(rq, "phone", v->phone, sizeof v->phone) < 0)
			v->phone[0] = '\0';
		if (text_phone_e164(v->phone, rq->cfg->country_code, e164, sizeof e164) < 0)
			v->e_phone =
			    v->phone[0] ? "Số điện thoại không hợp lệ." : "Hãy nhập số điện thoại.";
		else
			snprintf(v->phone, sizeof v->phone, "%s", e164);
	}
	bad = v->e_name || v->e_village || v->e_role || v->e_team || v->e_phone;
	return bad ? -1 : 0;
}

/*
 * An action on a contact in one transaction with its audit row (ACTION on PHONE, DETAIL).
 * IN: act_contact_set; else act_contact_remove. The action's status (ACT_ERROR: store).
 */
struct contact_change {
	const struct act_contact_in *in;
	const char *phone;
};

static enum act_status contact_run(struct act_who *w, void *arg)
{
	const struct contact_change *c = arg;

	return c->in != NULL ? act_contact_set(w, c->in) : act_contact_remove(w, c->phone);
}

static enum act_status contact_change(const struct console_req *rq, const struct act_contact_in *in,
                                      const char *phone, const char *action, const char *detail)
{
	struct contact_change c = {in, phone};

	return con_change(rq, contact_run, &c, action, phone, detail);
}

/*
 * The contact action's input IN for PHONE from the form V (the add and the change of a person;
 * IN points into V and PHONE, which must outlive it), and the audit's DETAIL of its fields.
 */
static void person_in(const struct person_form *v, const char *phone, struct act_contact_in *in,
                      char *detail, size_t sz)
{
	in->phone = phone;
	in->name = v->name;
	in->village = v->village;
	in->team = v->team;
	in->role = store_role_parse(v->role);
	in->subscribed = v->subscribed;
	snprintf(detail, sz, "%s; thôn: %s; %s; tổ: %s; nhận tin: %s", v->name,
	         v->village[0] ? v->village : "-", v->role, v->team[0] ? v->team : "-",
	         v->subscribed ? "có" : "không");
}

int console_page_person_new(const struct console_req *rq, struct console_resp *resp)
{
	struct person_form v;
	int post = strcmp(rq->method, "POST") == 0;

	if (post && person_form_read(rq, &v, 1, ROLE_KEEP, 0) == 0) {
		struct act_contact_in in = {0};
		char detail[700], href[40];
		enum act_status st;

		person_in(&v, v.phone, &in, detail, sizeof detail);
		in.create = 1;
		st = contact_change(rq, &in, v.phone, "contact_add", detail);
		if (st == ACT_ERROR)
			return -1;
		if (st == ACT_OK) {
			resp->status = 303;
			snprintf(resp->location, sizeof resp->location, "%s?ok=added",
			         person_href(v.phone, href));
			return 0;
		}
		v.e_phone = "Số này đã có trong danh bạ: hãy sửa người đó.";
	}
	if (!post) {
		memset(&v, 0, sizeof v);
		v.subscribed = 1;
		snprintf(v.role, sizeof v.role, "villager");
	}
	if (post)
		resp->status = 400;
	con_page_begin(rq, resp, "Thêm người", "/people", 0);
	if (post)
		say(resp->f, 1, "Chưa lưu: hãy sửa các ô có lỗi.");
	person_form_write(rq, resp->f, &v, "/people/new", 1);
	fputs("<p><a href=\"/people\">← Danh bạ</a></p>", resp->f);
	con_page_end(resp);
	return 0;
}

/* A person's page: the form (V, NULL: from the contact), the PIN, the removal, the audit. */
static int person_page(const struct console_req *rq, struct console_resp *resp, const char *phone,
                       const struct store_contact *c, const struct person_form *v, const char *msg,
                       int msg_error, const char *e_pin)
{
	struct person_form from = {0};
	struct store_pin pin;
	struct con_table t = {resp->f, 0, 1};
	FILE *f = resp->f;
	char href[40];

	if (store_pin_get(phone, &pin) < 0)
		return -1;
	if (v == NULL) {
		snprintf(from.name, sizeof from.name, "%s", c->name);
		snprintf(from.village, sizeof from.village, "%s", c->village);
		snprintf(from.role, sizeof from.role, "%s", store_role_name(c->role));
		snprintf(from.team, sizeof from.team, "%s", c->team);
		from.subscribed = c->subscribed;
		v = &from;
	}
	con_page_begin(rq, resp, c->name[0] ? c->name : phone, "/people", 0);
	fputs("<p class=\"sub\">Số điện thoại: <bdi>", f);
	E(phone);
	fputs("</bdi></p>", f);
	if (msg != NULL)
		say(f, msg_error, msg);
	person_form_write(rq, f, v, person_href(phone, href), 0);
	if (c->role == ROLE_OFFICER) {
		fputs("<section class=\"card\" aria-labelledby=\"h-pin\"><h2 id=\"h-pin\">Mã PIN "
		      "nhắn tin</h2><p>",
		      f);
		fputs(pin.hash[0] ? "Đã đặt PIN (không hiển thị)." : "Chưa đặt PIN.", f);
		if (!rq->who->admin && strcmp(phone, rq->who->phone) != 0) {
			/* Another officer's PIN signs broadcasts as them: an admin's to set. */
			fputs(" Chỉ cán bộ quản trị tài khoản mới đặt PIN cho người "
			      "khác.</p></section>",
			      f);
			goto pin_done;
		}
		fprintf(f, "</p><form method=\"post\" action=\"%s\">", href);
		con_csrf_field(rq, f);
		fputs("<input type=\"hidden\" name=\"do\" value=\"pin\">", f);
		con_input(f, "p-pin",
		          pin.hash[0] ? "PIN mới (4 đến 15 chữ số)" : "PIN (4 đến 15 chữ số)",
		          "pin", "password", "", e_pin,
		          " inputmode=\"numeric\" autocomplete=\"new-password\" required");
		fprintf(f, "<p><button type=\"submit\">%s</button></p></form></section>",
		        pin.hash[0] ? "Đặt lại PIN" : "Đặt PIN");
	}
pin_done:
	fputs("<section class=\"card\" aria-labelledby=\"h-rm\"><h2 id=\"h-rm\">Xoá khỏi danh bạ"
	      "</h2>",
	      f);
	fprintf(f, "<form method=\"post\" action=\"%s\">", href);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"remove\"><p class=\"check\"><input "
	      "id=\"p-rm\" name=\"sure\" type=\"checkbox\" value=\"1\" required><label "
	      "for=\"p-rm\">Tôi chắc chắn muốn xoá người này (cả khỏi các nhóm)</label></p>"
	      "<p><button type=\"submit\">Xoá</button></p></form></section>",
	      f);
	fputs("<h2>Thay đổi gần đây</h2>", f);
	if (store_list_console_audit(phone, 20, con_table_row, &t) < 0)
		return -1;
	con_table_end(&t, "Chưa có thay đổi nào trên bảng điều khiển.");
	fputs("<p><a href=\"/people\">← Danh bạ</a></p>", f);
	con_page_end(resp);
	return 0;
}

int console_page_person(const struct console_req *rq, struct console_resp *resp, const char *digits)
{
	struct store_contact c;
	struct person_form v;
	char phone[24], what[16], detail[700];
	const char *ok = rq->arg(rq, "ok");
	enum act_status st;

	if (strlen(digits) > 20 || strspn(digits, "0123456789") != strlen(digits)) {
		console_page_message(rq, resp, 404, "Không tìm thấy", "Không có người này.");
		return 0;
	}
	snprintf(phone, sizeof phone, "+%s", digits);
	if (store_contact_get(phone, &c) < 0)
		return -1;
	if (!c.found) {
		console_page_message(rq, resp, 404, "Không tìm thấy", "Không có người này.");
		return 0;
	}
	if (strcmp(rq->method, "POST") != 0)
		return person_page(rq, resp, phone, &c, NULL,
		                   ok == NULL                 ? NULL
		                   : strcmp(ok, "added") == 0 ? "Đã thêm vào danh bạ."
		                   : strcmp(ok, "pin") == 0   ? "Đã đặt PIN."
		                                              : "Đã lưu.",
		                   0, NULL);
	if (console_form(rq, "do", what, sizeof what) < 1)
		what[0] = '\0';
	if (strcmp(what, "save") == 0) {
		struct act_contact_in in = {0};

		if (person_form_read(rq, &v, 0, c.role, strcmp(phone, rq->who->phone) == 0) < 0) {
			resp->status = 400;
			return person_page(rq, resp, phone, &c, &v,
			                   "Chưa lưu: hãy sửa các ô có lỗi.", 1, NULL);
		}
		person_in(&v, phone, &in, detail, sizeof detail);
		if ((st = contact_change(rq, &in, phone, "contact_set", detail)) == ACT_ERROR)
			return -1;
	} else if (strcmp(what, "pin") == 0) {
		struct act_contact_in in = {0};
		char pin[32], hash[160];
		int r = console_form(rq, "pin", pin, sizeof pin);

		int mine = strcmp(phone, rq->who->phone) == 0;

		if (c.role != ROLE_OFFICER || (!mine && !rq->who->admin) || r < 1 ||
		    strlen(pin) < 4 || strlen(pin) > 15 ||
		    strspn(pin, "0123456789") != strlen(pin)) {
			explicit_bzero(pin, sizeof pin);
			resp->status = 400;
			return person_page(
			    rq, resp, phone, &c, NULL,
			    c.role != ROLE_OFFICER ? "Chỉ cán bộ mới có PIN."
			    : !mine && !rq->who->admin
			        ? "Chỉ cán bộ quản trị tài khoản mới đặt PIN cho người khác."
			        : "Chưa đặt PIN: xem ô PIN.",
			    1, "PIN là 4 đến 15 chữ số.");
		}
		r = pin_hash(pin, hash, sizeof hash);
		explicit_bzero(pin, sizeof pin);
		if (r < 0)
			return -1;
		in.phone = phone;
		in.role = ROLE_KEEP;
		in.subscribed = -1;
		in.pin_hash = hash;
		/* The audit says a PIN was set, never what it is. */
		if ((st = contact_change(rq, &in, phone, "contact_pin", NULL)) == ACT_ERROR)
			return -1;
		if (st == ACT_OK) {
			char href[40];

			resp->status = 303;
			snprintf(resp->location, sizeof resp->location, "%s?ok=pin",
			         person_href(phone, href));
			return 0;
		}
	} else if (strcmp(what, "remove") == 0) {
		char sure[8];

		if (console_form(rq, "sure", sure, sizeof sure) < 1 || strcmp(sure, "1") != 0) {
			resp->status = 400;
			return person_page(rq, resp, phone, &c, NULL,
			                   "Chưa xoá: hãy đánh dấu ô xác nhận.", 1, NULL);
		}
		if ((st = contact_change(rq, NULL, phone, "contact_remove", c.name)) == ACT_ERROR)
			return -1;
		if (st == ACT_IN_USE) {
			resp->status = 409;
			return person_page(rq, resp, phone, &c, NULL,
			                   "Không xoá được: người này có tài khoản bảng điều khiển "
			                   "(hãy khoá tài khoản).",
			                   1, NULL);
		}
		if (st == ACT_OK) {
			resp->status = 303;
			snprintf(resp->location, sizeof resp->location, "/people?ok=removed");
			return 0;
		}
	} else {
		console_page_message(rq, resp, 400, "Không hợp lệ", "Yêu cầu không hợp lệ.");
		return 0;
	}
	if (st != ACT_OK) {
		console_page_message(rq, resp, 404, "Không tìm thấy", "Không có người này.");
		return 0;
	}
	{
		char href[40];

		resp->status = 303;
		snprintf(resp->location, sizeof resp->location, "%s?ok=saved",
		         person_href(phone, href));
	}
	return 0;
}

/* --- the import from a spreadsheet --- */

/* The preview's two tables, written aside while the file is read: [0] the lines refused,
 * [1] those that add or change someone (the same ones are only counted). */
struct import_view {
	FILE *f[2];
	int rows[2];
};

static int import_row(const struct act_import_line *l, void *ctx)
{
	static const char *const what[][2] = {
	    [ACT_IMPORT_ADD] = {"st-valuable", "Thêm"},
	    [ACT_IMPORT_CHANGE] = {"st-checking", "Thay đổi"},
	    [ACT_IMPORT_SAME] = {"st-closed", "Như cũ"},
	    [ACT_IMPORT_REFUSED] = {"st-false", "Từ chối"},
	};
	struct import_view *iv = ctx;
	int k = l->what != ACT_IMPORT_REFUSED;
	FILE *f = iv->f[k];

	if (l->what == ACT_IMPORT_SAME)
		return 0;
	if (iv->rows[k]++ == 0)
		fputs("<div class=\"scroll\" tabindex=\"0\"><table class=\"import\"><thead><tr>"
		      "<th scope=\"col\">Dòng</th><th scope=\"col\">Kết quả</th>"
		      "<th scope=\"col\">Số điện thoại</th><th scope=\"col\">Họ tên</th>"
		      "<th scope=\"col\">Lý do</th></tr></thead><tbody>",
		      f);
	fprintf(f,
	        "<tr class=\"line-%s\"><td class=\"num\">%d</td><td><span class=\"st %s\">%s"
	        "</span></td><td><bdi>",
	        l->what == ACT_IMPORT_REFUSED ? "refused" : "ok", l->line, what[l->what][0],
	        what[l->what][1]);
	E(l->phone);
	fputs("</bdi></td><td><bdi>", f);
	E(l->name);
	fputs("</bdi></td><td>", f);
	E(l->why);
	fputs("</td></tr>", f);
	return 0;
}

/*
 * The file as a textarea's text, byte for byte but for what HTML would change: & < > "
 * escaped, line ends as LF (the browser sends them back as CRLF). report_html_esc is not used:
 * it shows a CR as U+FFFD, which would change the file's last column.
 */
static void textarea_text(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\r') {
			if (i + 1 >= n || s[i + 1] != '\n')
				fputc('\n', f);
		} else
			fputc(c, f);
	}
}

/* The upload form; ERR beside the file field. */
static void import_form(const struct console_req *rq, FILE *f, const char *err)
{
	fputs("<section class=\"card\" aria-labelledby=\"h-up\"><h2 id=\"h-up\">Chọn tệp</h2>"
	      "<p>Tệp CSV (UTF-8, dấu phẩy hoặc chấm phẩy), dòng đầu là tên cột: <b>Họ tên</b>, "
	      "<b>Số điện thoại</b> (bắt buộc), <b>Thôn</b>, <b>Vai trò</b> (để trống: người "
	      "dân; tổ trưởng; cán bộ), <b>Tổ</b>, <b>Đăng ký</b> (có/không). Có dấu hay không, "
	      "hoa hay thường đều được; tên tiếng Anh (name, phone, village, role, team) cũng "
	      "được. Bước sau là xem trước: chưa có gì thay đổi.</p>"
	      "<form method=\"post\" action=\"/people/import\" enctype=\"multipart/form-data\">",
	      f);
	con_csrf_field(rq, f);
	fputs("<input type=\"hidden\" name=\"do\" value=\"preview\"><p><label for=\"i-file\">Tệp "
	      "CSV</label><input id=\"i-file\" name=\"file\" type=\"file\" "
	      "accept=\".csv,text/csv,text/plain\" required",
	      f);
	if (err != NULL) {
		fputs(
		    " aria-invalid=\"true\" aria-describedby=\"i-file-err\"><span class=\"error\" "
		    "id=\"i-file-err\">",
		    f);
		E(err);
		fputs("</span>", f);
	} else
		fputs(">", f);
	fputs("</p><p><button type=\"submit\">Xem trước</button></p></form></section>", f);
}

/*
 * The import of RQ's upload: DRY_RUN (the preview) or for real, in one transaction with its
 * audit row, by the same action. IV's rows written as they are judged. ACT_BAD_INPUT (OUT's
 * error), ACT_OK, ACT_ERROR.
 */
static enum act_status import_run(const struct console_req *rq, int dry_run, struct import_view *iv,
                                  struct act_import_out *out)
{
	struct act_import_in in = {rq->upload,      rq->upload_len, dry_run,
	                           !rq->who->admin, import_row,     iv};
	struct act_who w;
	enum act_status st;
	char by[200], detail[160];

	con_by(rq, by, sizeof by);
	act_who_officer(&w, by);
	if (store_begin() < 0)
		return ACT_ERROR;
	st = act_contacts_import(&w, &in, out);
	if (st == ACT_OK && !dry_run) {
		snprintf(detail, sizeof detail, "%d thêm, %d thay đổi, %d như cũ, %d từ chối",
		         out->added, out->changed, out->same, out->refused);
		if (act_audit(&w, "contacts_import", "contacts", detail) < 0)
			st = ACT_ERROR;
	}
	if (st != ACT_OK || dry_run) {
		store_rollback();
		return st;
	}
	if (store_commit() < 0)
		return ACT_ERROR;
	log_info("console: contacts imported by %s: %d added, %d changed, %d refused", by,
	         out->added, out->changed, out->refused);
	return ACT_OK;
}

int console_page_import(const struct console_req *rq, struct console_resp *resp)
{
	struct import_view iv = {{NULL, NULL}, {0, 0}};
	struct act_import_out out;
	enum act_status st;
	char what[16], *table[2] = {NULL, NULL};
	size_t tablen[2] = {0, 0};
	FILE *f = resp->f;

	if (strcmp(rq->method, "POST") != 0) {
		con_page_begin(rq, resp, "Nhập danh bạ từ bảng tính", "/people", 0);
		import_form(rq, f, NULL);
		fputs("<p><a href=\"/people\">← Danh bạ</a></p>", f);
		con_page_end(resp);
		return 0;
	}
	if (console_form(rq, "do", what, sizeof what) < 1 ||
	    (strcmp(what, "preview") != 0 && strcmp(what, "import") != 0)) {
		console_page_message(rq, resp, 400, "Không hợp lệ", "Yêu cầu không hợp lệ.");
		return 0;
	}
	if (rq->upload == NULL || rq->upload_len == 0) {
		resp->status = 400;
		con_page_begin(rq, resp, "Nhập danh bạ từ bảng tính", "/people", 0);
		import_form(rq, f, "Hãy chọn một tệp CSV (tệp này trống).");
		con_page_end(resp);
		return 0;
	}
	/* The lines' tables are written aside: the page's head says the totals first. */
	for (int k = 0; k < 2; k++)
		if ((iv.f[k] = open_memstream(&table[k], &tablen[k])) == NULL) {
			if (k == 1)
				fclose(iv.f[0]), free(table[0]);
			return -1;
		}
	st = import_run(rq, what[0] == 'p', &iv, &out);
	for (int k = 0; k < 2; k++) {
		if (iv.rows[k] > 0)
			fputs("</tbody></table></div>", iv.f[k]);
		fclose(iv.f[k]);
	}
	if (st == ACT_ERROR) {
		free(table[0]);
		free(table[1]);
		return -1;
	}
	if (st == ACT_BAD_INPUT) {
		resp->status = 400;
		con_page_begin(rq, resp, "Nhập danh bạ từ bảng tính", "/people", 0);
		import_form(rq, f, out.error);
		con_page_end(resp);
		free(table[0]);
		free(table[1]);
		return 0;
	}
	if (what[0] == 'i') {
		free(table[0]);
		free(table[1]);
		resp->status = 303;
		snprintf(resp->location, sizeof resp->location,
		         "/people?ok=imported&a=%d&c=%d&x=%d", out.added, out.changed, out.refused);
		return 0;
	}
	con_page_begin(rq, resp, "Xem trước: nhập danh bạ", "/people", 0);
	fprintf(f,
	        "<p id=\"summary\" role=\"status\">Sẽ thêm <b>%d</b> người, thay đổi <b>%d</b>, "
	        "<b>%d</b> như cũ; <b>%d</b> dòng bị từ chối (không nhập). Chưa có gì thay "
	        "đổi.</p>",
	        out.added, out.changed, out.same, out.refused);
	if (iv.rows[0] > 0) {
		fprintf(f,
		        "<h2 id=\"refused\">%d dòng bị từ chối (sửa trong bảng tính rồi nhập lại)"
		        "</h2>",
		        iv.rows[0]);
		fwrite(table[0], 1, tablen[0], f);
	}
	if (iv.rows[1] > 0) {
		fputs("<h2 id=\"changes\">Sẽ thêm hoặc thay đổi</h2>", f);
		fwrite(table[1], 1, tablen[1], f);
	}
	free(table[0]);
	free(table[1]);
	if (out.added + out.changed > 0) {
		/* The same file again, for the import itself: nothing kept on the server between.
		 */
		fputs("<form method=\"post\" action=\"/people/import\" "
		      "enctype=\"multipart/form-data\">",
		      f);
		con_csrf_field(rq, f);
		fputs("<input type=\"hidden\" name=\"do\" value=\"import\"><textarea name=\"csv\" "
		      "hidden aria-hidden=\"true\" tabindex=\"-1\">\n",
		      f);
		textarea_text(f, rq->upload, rq->upload_len);
		fprintf(f,
		        "</textarea><p><button type=\"submit\">Nhập %d người (một lần, tất cả "
		        "hoặc không)</button> <a href=\"/people/import\">Chọn tệp khác</a></p>"
		        "</form>",
		        out.added + out.changed);
	} else
		fputs("<p>Không có gì để nhập. <a href=\"/people/import\">Chọn tệp khác</a></p>",
		      f);
	con_page_end(resp);
	return 0;
}
