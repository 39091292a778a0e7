/*
 * People: registration and opting out, contacts and their import from a spreadsheet, teams'
 * nights, named groups (act.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act_int.h"
#include "config.h"
#include "csv.h"
#include "store.h"
#include "text.h"
#include "ts.h"

enum act_status act_register(struct act_who *w, const char *name, const char *village)
{
	/* As DK does by SMS and the menu alike: subscribed; the role stays what it was. */
	if (store_contact_upsert(w->phone, name, village, ROLE_KEEP, NULL, 1) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_optout(struct act_who *w, int *was_in)
{
	*was_in = !w->contact.found || w->contact.subscribed;
	if (store_contact_upsert(w->phone, NULL, NULL, ROLE_KEEP, NULL, 0) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_contact_set(struct act_who *w, const struct act_contact_in *in)
{
	struct store_contact c;

	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	if (store_contact_get(in->phone, &c) < 0)
		return ACT_ERROR;
	if (in->create && c.found)
		return ACT_EXISTS;
	if (!in->create && !c.found)
		return ACT_NO_CONTACT;
	/* The contact and its PIN in the caller's one transaction: both or neither. */
	if (store_contact_upsert(in->phone, in->name, in->village, in->role, in->team,
	                         in->subscribed) < 0 ||
	    (in->pin_hash != NULL && store_pin_set(in->phone, in->pin_hash) < 0))
		return ACT_ERROR;
	if (in->tip_alerts != NULL) {
		char now[TS_LEN];

		ts_now(now);
		if (store_contact_tip_alerts(in->phone, in->tip_alerts, now) < 0)
			return ACT_ERROR;
	}
	return ACT_OK;
}

enum act_status act_contact_remove(struct act_who *w, const char *phone)
{
	struct store_console_account a;
	int n;

	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	if (store_console_account_get(phone, &a) < 0)
		return ACT_ERROR;
	if (!a.contact_found)
		return ACT_NO_CONTACT;
	/* Its sessions and audit name it: an account is disabled, never removed. */
	if (a.found)
		return ACT_IN_USE;
	if ((n = store_contact_remove(phone)) < 0)
		return ACT_ERROR;
	return n == 0 ? ACT_NO_CONTACT : ACT_OK;
}

/* --- the import from a spreadsheet --- */

enum col { COL_NAME, COL_PHONE, COL_VILLAGE, COL_ROLE, COL_TEAM, COL_SUB, NCOLS };

/* Header names, folded with every run of other characters one space (norm). */
static const char *const col_names[NCOLS][9] = {
    [COL_NAME] = {"ten", "ho ten", "ho va ten", "name", "full name", NULL},
    [COL_PHONE] = {"so dien thoai", "sdt", "so dt", "dien thoai", "dt", "phone", "phone number",
                   "mobile", NULL},
    [COL_VILLAGE] = {"thon", "xom", "thon xom", "village", NULL},
    [COL_ROLE] = {"vai tro", "role", "chuc vu", NULL},
    [COL_TEAM] = {"to", "team", "ma to", "to tuan tra", NULL},
    [COL_SUB] = {"dang ky", "subscribed", "nhan tin", "nhan thong bao", NULL},
};

/* S folded (text_fold), every run of characters other than letters and digits one space,
 * trimmed, into OUT. */
static void norm(const char *s, char *out, size_t sz)
{
	char f[256];
	size_t n = text_fold(s, strlen(s), f, sizeof f), o = 0;

	for (size_t i = 0; i < n && o + 1 < sz; i++) {
		unsigned char c = (unsigned char)f[i];
		int word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;

		if (word)
			out[o++] = (char)c;
		else if (o > 0 && out[o - 1] != ' ')
			out[o++] = ' ';
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* The role a cell names (folded): empty is a villager; ROLE_KEEP when it names none. */
static enum role role_of(const char *cell)
{
	static const struct {
		const char *word;
		enum role r;
	} roles[] = {{"", ROLE_VILLAGER},       {"villager", ROLE_VILLAGER},
	             {"dan", ROLE_VILLAGER},    {"nguoi dan", ROLE_VILLAGER},
	             {"leader", ROLE_LEADER},   {"to truong", ROLE_LEADER},
	             {"totruong", ROLE_LEADER}, {"officer", ROLE_OFFICER},
	             {"can bo", ROLE_OFFICER},  {"canbo", ROLE_OFFICER}};
	char n[64];

	norm(cell, n, sizeof n);
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(n, roles[i].word) == 0)
			return roles[i].r;
	return ROLE_KEEP;
}

/* 1 yes, 0 no, -1 empty (keep), -2 neither. */
static int yes_no(const char *cell)
{
	static const char *const yes[] = {"1", "yes", "y", "x", "co", "true", "dang ky"};
	static const char *const no[] = {"0", "no", "n", "khong", "false", "huy"};
	char n[32];

	norm(cell, n, sizeof n);
	if (n[0] == '\0')
		return -1;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strcmp(n, yes[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (strcmp(n, no[i]) == 0)
			return 0;
	return -2;
}

int act_team_code(char *t)
{
	size_t i = 0, n = strlen(t);

	while (i < n && ((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
		i++;
	if (i == 0 || n > 15)
		return -1;
	while (i < n && t[i] >= '0' && t[i] <= '9')
		i++;
	if (i != n)
		return -1;
	for (i = 0; i < n; i++)
		if (t[i] >= 'a' && t[i] <= 'z')
			t[i] = (char)(t[i] - 'a' + 'A');
	return 0;
}

int act_hhmm(const char *s)
{
	return strlen(s) == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' &&
	               s[2] == ':' && s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9' &&
	               (s[0] - '0') * 10 + (s[1] - '0') < 24
	           ? 0
	           : -1;
}

/* CELL without the spaces around it, copied into OUT (SZ bytes): 0, or -1 when too long. */
static int trimmed(const char *cell, char *out, size_t sz)
{
	size_t n;

	while (*cell == ' ' || *cell == '\t')
		cell++;
	n = strlen(cell);
	while (n > 0 && (cell[n - 1] == ' ' || cell[n - 1] == '\t'))
		n--;
	if (n >= sz)
		return -1;
	memcpy(out, cell, n);
	out[n] = '\0';
	return 0;
}

/* The numbers seen in the file and their lines: open addressing, for the duplicates. */
struct seen {
	struct seen_slot {
		char phone[24];
		int line;
	} * slot;
	size_t cap;
};

/* The line PHONE was first seen on, or 0 after noting it on LINE. */
static int seen_note(struct seen *s, const char *phone, int line)
{
	uint32_t h = 2166136261u;

	for (const char *p = phone; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i].line == 0) {
			snprintf(s->slot[i].phone, sizeof s->slot[i].phone, "%s", phone);
			s->slot[i].line = line;
			return 0;
		}
		if (strcmp(s->slot[i].phone, phone) == 0)
			return s->slot[i].line;
	}
}

/* The header's columns into COL (-1: absent). 0, or -1 with OUT->error said. */
static int header(const struct csv_record *r, int col[NCOLS], struct act_import_out *out)
{
	char n[128];

	for (int c = 0; c < NCOLS; c++)
		col[c] = -1;
	for (int i = 0; i < r->n; i++) {
		norm(r->f[i], n, sizeof n);
		for (int c = 0; c < NCOLS; c++)
			for (int k = 0; col_names[c][k] != NULL; k++) {
				if (strcmp(n, col_names[c][k]) != 0)
					continue;
				if (col[c] >= 0) {
					snprintf(out->error, sizeof out->error,
					         "Dòng tiêu đề có hai cột \"%s\".",
					         col_names[c][0]);
					return -1;
				}
				col[c] = i;
			}
	}
	if (col[COL_NAME] < 0 || col[COL_PHONE] < 0) {
		snprintf(out->error, sizeof out->error,
		         "Dòng đầu phải có tên các cột, ít nhất \"Họ tên\" và \"Số điện thoại\" "
		         "(hoặc name, phone).");
		return -1;
	}
	return 0;
}

/* Refuse line L: WHY. */
#define REFUSE(...) (snprintf(l.why, sizeof l.why, __VA_ARGS__), l.what = ACT_IMPORT_REFUSED)

/*
 * One data record R (line L.line) judged against the contacts, and written unless IN's
 * dry_run.
 * L's what, phone, name and why are set. 0, or -1 on a store error.
 */
static int import_line(const struct csv_record *r, const int col[NCOLS], struct seen *seen,
                       const struct act_import_in *in, struct act_import_line *lp)
{
	struct act_import_line l = *lp;
	struct store_contact c;
	char phone_in[24], village[128], team[32], role_cell[64], sub_cell[32];
	const char *cell[NCOLS];
	enum role role = ROLE_KEEP;
	int sub = -1, first;

	for (int k = 0; k < NCOLS; k++)
		cell[k] = col[k] >= 0 && col[k] < r->n ? r->f[col[k]] : (col[k] >= 0 ? "" : NULL);
	l.what = ACT_IMPORT_ADD;
	l.why[0] = '\0';
	if (trimmed(cell[COL_NAME], l.name, sizeof l.name) < 0) {
		snprintf(l.name, sizeof l.name, "%.60s…", cell[COL_NAME]);
		REFUSE("tên dài quá %zu byte", sizeof l.name - 1);
	}
	if (l.what == ACT_IMPORT_REFUSED)
		goto out;
	if (trimmed(cell[COL_PHONE], phone_in, sizeof phone_in) < 0) {
		snprintf(l.phone, sizeof l.phone, "%.16s…", cell[COL_PHONE]);
		REFUSE("số điện thoại không hợp lệ");
		goto out;
	}
	snprintf(l.phone, sizeof l.phone, "%s", phone_in);
	if (phone_in[0] == '\0') {
		REFUSE("thiếu số điện thoại");
		goto out;
	}
	if (text_phone_e164(phone_in, act_cfg->country_code, l.phone, sizeof l.phone) < 0) {
		snprintf(l.phone, sizeof l.phone, "%s", phone_in);
		REFUSE("số điện thoại không hợp lệ");
		goto out;
	}
	if (l.name[0] == '\0') {
		REFUSE("thiếu tên");
		goto out;
	}
	if (cell[COL_VILLAGE] != NULL && trimmed(cell[COL_VILLAGE], village, sizeof village) < 0) {
		REFUSE("tên thôn dài quá");
		goto out;
	}
	if (cell[COL_ROLE] != NULL) {
		snprintf(role_cell, sizeof role_cell, "%s", cell[COL_ROLE]);
		if ((role = role_of(role_cell)) == ROLE_KEEP) {
			REFUSE(
			    "vai trò \"%.40s\" không rõ (để trống: người dân; tổ trưởng; cán bộ)",
			    role_cell);
			goto out;
		}
	}
	if (cell[COL_TEAM] != NULL) {
		if (trimmed(cell[COL_TEAM], team, sizeof team) < 0 ||
		    (team[0] != '\0' && act_team_code(team) < 0)) {
			REFUSE("mã tổ \"%.20s\" không hợp lệ (như TQ3)", cell[COL_TEAM]);
			goto out;
		}
	}
	if (cell[COL_SUB] != NULL) {
		snprintf(sub_cell, sizeof sub_cell, "%s", cell[COL_SUB]);
		if ((sub = yes_no(sub_cell)) == -2) {
			REFUSE("cột đăng ký: \"%.20s\" không phải có hay không", sub_cell);
			goto out;
		}
	}
	if ((first = seen_note(seen, l.phone, l.line)) != 0) {
		REFUSE("số này đã có ở dòng %d", first);
		goto out;
	}
	if (store_contact_get(l.phone, &c) < 0)
		return -1;
	if (c.found && c.role == ROLE_OFFICER && role != ROLE_KEEP && role != ROLE_OFFICER) {
		/* A spreadsheet's empty cell must not take an officer's console away. */
		REFUSE("là cán bộ: đổi vai trò ở trang sửa của người này");
		goto out;
	}
	if (in->no_officers && role == ROLE_OFFICER && !(c.found && c.role == ROLE_OFFICER)) {
		REFUSE("chỉ cán bộ quản trị mới thêm được cán bộ");
		goto out;
	}
	if (c.found) {
		int same = strcmp(c.name, l.name) == 0 &&
		           (cell[COL_VILLAGE] == NULL || strcmp(c.village, village) == 0) &&
		           (role == ROLE_KEEP || c.role == role) &&
		           (cell[COL_TEAM] == NULL || strcmp(c.team, team) == 0) &&
		           (sub < 0 || c.subscribed == sub);

		l.what = same ? ACT_IMPORT_SAME : ACT_IMPORT_CHANGE;
	}
	if (!in->dry_run && l.what != ACT_IMPORT_SAME &&
	    store_contact_upsert(l.phone, l.name, cell[COL_VILLAGE] ? village : NULL, role,
	                         cell[COL_TEAM] ? team : NULL, sub) < 0)
		return -1;
out:
	*lp = l;
	return 0;
}

enum act_status act_contacts_import(struct act_who *w, const struct act_import_in *in,
                                    struct act_import_out *out)
{
	struct seen seen = {NULL, 0};
	struct csv_record r;
	const char *text = in->text;
	size_t len = in->len, pos = 0, lines = 1;
	char buf[4096], sep;
	int col[NCOLS], line = 1, rc;
	enum act_status st = ACT_BAD_INPUT;

	memset(out, 0, sizeof *out);
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3, len -= 3;
	if (!text_utf8_valid(text, len)) {
		snprintf(out->error, sizeof out->error,
		         "Tệp không phải UTF-8: trong bảng tính, hãy lưu thành \"CSV UTF-8\".");
		return ACT_BAD_INPUT;
	}
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	for (seen.cap = 64; seen.cap < 2 * lines; seen.cap *= 2)
		;
	if ((seen.slot = calloc(seen.cap, sizeof *seen.slot)) == NULL) {
		snprintf(out->error, sizeof out->error, "Tệp quá lớn.");
		return ACT_BAD_INPUT;
	}
	sep = csv_sniff(text, len);
	do { /* the header: the first line that is not blank */
		rc = csv_read(text, len, &pos, sep, buf, sizeof buf, &r);
		line += rc > 0 ? r.lines : 0;
	} while (rc > 0 && r.n == 1 && r.f[0][0] == '\0');
	if (rc <= 0) {
		snprintf(out->error, sizeof out->error, "Tệp trống.");
		goto out;
	}
	if (header(&r, col, out) < 0)
		goto out;
	st = ACT_OK;
	for (;;) {
		struct act_import_line l = {.line = line};
		int blank = 1;

		if ((rc = csv_read(text, len, &pos, sep, buf, sizeof buf, &r)) == 0)
			break;
		line += r.lines;
		for (int i = 0; rc > 0 && i < r.n; i++)
			blank &= strspn(r.f[i], " \t") == strlen(r.f[i]);
		if (rc > 0 && blank)
			continue;
		if (rc < 0) {
			l.what = ACT_IMPORT_REFUSED;
			snprintf(l.why, sizeof l.why, "dòng quá dài hoặc thiếu dấu \" đóng");
		} else if (import_line(&r, col, &seen, in, &l) < 0) {
			st = ACT_ERROR;
			goto out;
		}
		out->added += l.what == ACT_IMPORT_ADD;
		out->changed += l.what == ACT_IMPORT_CHANGE;
		out->same += l.what == ACT_IMPORT_SAME;
		out->refused += l.what == ACT_IMPORT_REFUSED;
		if (in->line_fn != NULL && in->line_fn(&l, in->ctx) != 0) {
			snprintf(out->error, sizeof out->error, "Dừng giữa chừng.");
			st = ACT_BAD_INPUT;
			goto out;
		}
	}
out:
	free(seen.slot);
	return st;
}

enum act_status act_team_nights(struct act_who *w, const char *team, const char *nights,
                                const char *by)
{
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	/* No NIGHTS keeps them: read back through the same statement's coalesce. */
	if (store_team_set_nights(team, nights, by, nights == NULL) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_group_add(struct act_who *w, const char *group, const char *phone)
{
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	return store_group_add(group, phone) < 0 ? ACT_ERROR : ACT_OK;
}

enum act_status act_group_remove(struct act_who *w, const char *group, const char *phone)
{
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	return store_group_remove(group, phone) < 0 ? ACT_ERROR : ACT_OK;
}
