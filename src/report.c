/*
 * Report figures, periods, and the JSON, text, CSV and SMS renderings (the HTML one is in
 * report_html.c). See report.h.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "json.h"
#include "report_internal.h"
#include "text.h"

/* ---- civil dates: days since 1970-01-01 in the proleptic Gregorian calendar ---- */

/* H. Hinnant's days_from_civil: exact for any year we meet, no time zone involved. */
static long days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* N ASCII digits at S as a number, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* 'YYYY-MM' (and '-DD' when WANT_DAY) exactly, a real date, years 1900..9999. */
static int parse_ymd(const char *s, int want_day, int *y, int *m, int *d)
{
	size_t len = want_day ? 10 : 7;

	if (s == NULL || strlen(s) != len || s[4] != '-' || (want_day && s[7] != '-'))
		return -1;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = want_day ? digits(s + 8, 2) : 1;
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

static int parse_day(const char *s, long *day)
{
	int y, m, d;

	if (parse_ymd(s, 1, &y, &m, &d) < 0)
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

/* N decimal digits of V at OUT (by hand: snprintf cannot prove to gcc that they fit). */
static void put_digits(char *out, int n, int v)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
}

/* 'YYYY-MM-DD' into OUT; M and D are 1..31, Y is kept to four digits. */
static void format_ymd(int y, int m, int d, char out[REPORT_DATE_LEN])
{
	put_digits(out, 4, ((y % 10000) + 10000) % 10000);
	out[4] = '-';
	put_digits(out + 5, 2, m);
	out[7] = '-';
	put_digits(out + 8, 2, d);
	out[10] = '\0';
}

static void format_day(long day, char out[REPORT_DATE_LEN])
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	format_ymd(y, m, d, out);
}

/* Today's local date as a day number. */
static long local_day(int64_t now)
{
	char s[TS_LEN];
	long day = 0;

	ts_local(now, s);
	s[10] = '\0';
	parse_day(s, &day);
	return day;
}

int report_date_add(const char *date, int days, char out[REPORT_DATE_LEN])
{
	long day;

	if (parse_day(date, &day) < 0)
		return -1;
	format_day(day + days, out);
	return 0;
}

/* Monday is 0: 1970-01-01 was a Thursday (3). */
static int weekday(long day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

int report_week_start(const char *date, char out[REPORT_DATE_LEN])
{
	long day;

	if (parse_day(date, &day) < 0)
		return -1;
	format_day(day - weekday(day), out);
	return 0;
}

/*
 * Fills P from day numbers. The UTC bounds are local midnights through ts.h, so a zone's
 * offset (and any DST it has) is the system's, as everywhere else.
 */
static void set_days(struct report_period *p, enum report_span span, long from, long to)
{
	char next[REPORT_DATE_LEN];

	p->span = span;
	format_day(from, p->from);
	format_day(to, p->to);
	format_day(to + 1, next);
	p->days = (int)(to - from + 1);
	if (ts_local_to_utc(p->from, p->start_utc) < 0)
		p->start_utc[0] = '\0';
	if (ts_local_to_utc(next, p->end_utc) < 0)
		p->end_utc[0] = '\0';
}

int report_period_days(const char *from, const char *to, struct report_period *p)
{
	long a, b;

	if (parse_day(from, &a) < 0 || parse_day(to, &b) < 0 || a > b)
		return -1;
	set_days(p, REPORT_DAYS, a, b);
	return 0;
}

int report_period_month(const char *ym, struct report_period *p)
{
	int y, m, d;

	if (parse_ymd(ym, 0, &y, &m, &d) < 0)
		return -1;
	set_days(p, REPORT_MONTH, days_from_civil(y, m, 1),
	         days_from_civil(y, m, days_in_month(y, m)));
	return 0;
}

void report_period_week(int64_t now, struct report_period *p)
{
	long today = local_day(now);

	set_days(p, REPORT_WEEK_TO_DATE, today - weekday(today), today);
}

void report_period_month_to_date(int64_t now, struct report_period *p)
{
	long today = local_day(now);
	int y, m, d;

	civil_from_days(today, &y, &m, &d);
	set_days(p, REPORT_MONTH_TO_DATE, days_from_civil(y, m, 1), today);
}

void report_period_previous(const struct report_period *p, struct report_period *prev)
{
	long from = 0, to = 0;
	int y, m, d, last;

	parse_day(p->from, &from);
	parse_day(p->to, &to);
	switch (p->span) {
	case REPORT_MONTH:
	case REPORT_MONTH_TO_DATE:
		civil_from_days(from, &y, &m, &d);
		if (--m == 0) {
			m = 12;
			y--;
		}
		last = days_in_month(y, m);
		if (p->span == REPORT_MONTH) {
			set_days(prev, p->span, days_from_civil(y, m, 1),
			         days_from_civil(y, m, last));
		} else {
			d = (int)(to - from + 1);
			set_days(prev, p->span, days_from_civil(y, m, 1),
			         days_from_civil(y, m, d < last ? d : last));
		}
		break;
	case REPORT_WEEK_TO_DATE:
		set_days(prev, p->span, from - 7, to - 7);
		break;
	case REPORT_DAYS:
	default:
		set_days(prev, REPORT_DAYS, from - (to - from + 1), from - 1);
		break;
	}
}

/* ---- the struct ---- */

void report_init(struct report *r)
{
	memset(r, 0, sizeof *r);
}

static void counts_free(struct report_counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	memset(c, 0, sizeof *c);
}

static void figures_free(struct report_figures *f)
{
	counts_free(&f->tips.by_status);
	counts_free(&f->tips.by_category);
	counts_free(&f->tips.by_village);
	counts_free(&f->patrols.by_team);
}

static void chart_free(struct report_chart *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		free(ch->v[i].label);
		counts_free(&ch->v[i].parts);
	}
	free(ch->v);
	memset(ch, 0, sizeof *ch);
}

void report_close(struct report *r)
{
	figures_free(&r->cur);
	figures_free(&r->previous);
	chart_free(&r->tips_weekly);
	chart_free(&r->patrols_by_team);
	chart_free(&r->participants_monthly);
	report_init(r);
}

void report_set_period(struct report *r, const struct report_period *p,
                       const struct report_period *prev)
{
	memcpy(r->cur.from, p->from, REPORT_DATE_LEN);
	memcpy(r->cur.to, p->to, REPORT_DATE_LEN);
	memcpy(r->previous.from, prev->from, REPORT_DATE_LEN);
	memcpy(r->previous.to, prev->to, REPORT_DATE_LEN);
}

/* Room for one more element of SIZE bytes in *V (N used, *CAP allocated); 0 or -1. */
static int grow(void **v, size_t n, size_t *cap, size_t size)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

static struct report_count *counts_find(const struct report_counts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

int report_counts_add(struct report_counts *c, const char *name, long long n)
{
	struct report_count *e;
	char *copy;

	if (name == NULL)
		name = "";
	e = counts_find(c, name);
	if (e != NULL) {
		e->n += n;
		return 0;
	}
	if (grow((void **)&c->v, c->n, &c->cap, sizeof *c->v) < 0)
		return -1;
	copy = strdup(name);
	if (copy == NULL)
		return -1;
	c->v[c->n].name = copy;
	c->v[c->n].n = n;
	c->n++;
	return 0;
}

long long report_counts_get(const struct report_counts *c, const char *name)
{
	const struct report_count *e = counts_find(c, name ? name : "");

	return e ? e->n : 0;
}

long long report_counts_total(const struct report_counts *c)
{
	long long t = 0;

	for (size_t i = 0; i < c->n; i++)
		t += c->v[i].n;
	return t;
}

/* The bar LABEL, appended (empty) when new; NULL out of memory. */
static struct report_bar *chart_bar(struct report_chart *ch, const char *label)
{
	struct report_bar *b;

	for (size_t i = 0; i < ch->n; i++)
		if (strcmp(ch->v[i].label, label) == 0)
			return &ch->v[i];
	if (grow((void **)&ch->v, ch->n, &ch->cap, sizeof *ch->v) < 0)
		return NULL;
	b = &ch->v[ch->n];
	memset(b, 0, sizeof *b);
	b->label = strdup(label);
	if (b->label == NULL)
		return NULL;
	ch->n++;
	return b;
}

int report_chart_add(struct report_chart *ch, const char *label, const char *series, long long n)
{
	struct report_bar *b = chart_bar(ch, label ? label : "");

	if (b == NULL)
		return -1;
	return report_counts_add(&b->parts, series, n);
}

int report_chart_weeks(struct report_chart *ch, const struct report_period *p)
{
	long from, to;
	char label[REPORT_DATE_LEN];

	if (parse_day(p->from, &from) < 0 || parse_day(p->to, &to) < 0)
		return -1;
	for (long d = from - weekday(from); d <= to; d += 7) {
		format_day(d, label);
		if (chart_bar(ch, label) == NULL)
			return -1;
	}
	return 0;
}

int report_chart_months(struct report_chart *ch, const char *from, const char *to)
{
	int y, m, d, ty, tm, td;
	char label[8];

	if (parse_ymd(from, 1, &y, &m, &d) < 0 || parse_ymd(to, 1, &ty, &tm, &td) < 0)
		return -1;
	while (y * 12 + m <= ty * 12 + tm) {
		snprintf(label, sizeof label, "%04d-%02d", y, m);
		if (chart_bar(ch, label) == NULL)
			return -1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return 0;
}

/* ---- numbers ---- */

char *report_format_number(long long n, int pad, char out[32])
{
	char rev[32];
	size_t k = 0, o = 0;
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	int nd = 0;

	do {
		if (nd > 0 && nd % 3 == 0)
			rev[k++] = '.';
		rev[k++] = (char)('0' + u % 10);
		u /= 10;
		nd++;
	} while (u > 0);
	if (nd == 1 && pad)
		rev[k++] = '0'; /* the officers' habit: 04, not 4 */
	if (n < 0)
		out[o++] = '-';
	while (k > 0)
		out[o++] = rev[--k];
	out[o] = '\0';
	return out;
}

char *report_format_count(long long n, char out[32])
{
	return report_format_number(n, 1, out);
}

/* ---- JSON ---- */

static void json_counts(struct json *j, const char *key, const struct report_counts *c)
{
	json_key_object(j, key);
	for (size_t i = 0; i < c->n; i++)
		json_key_int(j, c->v[i].name, c->v[i].n);
	json_object_end(j);
}

static void json_figures(struct json *j, const struct report_figures *f)
{
	json_key_str(j, "from", f->from);
	json_key_str(j, "to", f->to);
	json_key_object(j, "tips");
	json_key_int(j, "received", f->tips.received);
	json_key_int(j, "valuable", f->tips.valuable);
	json_key_int(j, "alerts", f->tips.alerts);
	json_key_int(j, "escalated", f->tips.escalated);
	json_counts(j, "by_status", &f->tips.by_status);
	json_counts(j, "by_category", &f->tips.by_category);
	json_counts(j, "by_village", &f->tips.by_village);
	json_object_end(j);
	json_key_object(j, "awareness");
	json_key_int(j, "sessions", f->awareness.sessions);
	json_key_int(j, "participants", f->awareness.participants);
	json_object_end(j);
	json_key_object(j, "patrols");
	json_key_int(j, "count", f->patrols.count);
	json_key_int(j, "member_turns", f->patrols.member_turns);
	json_counts(j, "by_team", &f->patrols.by_team);
	json_object_end(j);
	json_key_int(j, "missed_checkins", f->missed_checkins);
	json_key_object(j, "mediations");
	json_key_int(j, "count", f->mediations.count);
	json_object_end(j);
	json_key_object(j, "broadcasts");
	json_key_int(j, "count", f->broadcasts.count);
	json_key_int(j, "recipients", f->broadcasts.recipients);
	json_key_int(j, "parts", f->broadcasts.parts);
	json_object_end(j);
	json_key_object(j, "sms");
	json_key_int(j, "received", f->sms.received);
	json_key_int(j, "sent", f->sms.sent);
	json_key_int(j, "parts_sent", f->sms.parts_sent);
	json_object_end(j);
}

static int finish(FILE *f)
{
	return fflush(f) != 0 || ferror(f) ? -1 : 0;
}

int report_json(const struct report *r, FILE *f)
{
	struct json j;

	json_begin(&j, f);
	json_figures(&j, &r->cur);
	json_key_object(&j, "previous");
	json_figures(&j, &r->previous);
	json_object_end(&j);
	json_end(&j);
	return finish(f);
}

/* ---- the figure list shared by text, CSV and HTML ---- */

/* Calls FN for every scalar figure of both periods, in the JSON's order. */
void report_each_figure(const struct report *r, report_figure_fn fn, void *arg)
{
	const struct report_figures *c = &r->cur, *p = &r->previous;

#define SCALAR(path, field) fn(arg, path, NULL, c->field, p->field)
	SCALAR("tips.received", tips.received);
	SCALAR("tips.valuable", tips.valuable);
	SCALAR("tips.alerts", tips.alerts);
	SCALAR("tips.escalated", tips.escalated);
	report_each_key("tips.by_status", &c->tips.by_status, &p->tips.by_status, fn, arg);
	report_each_key("tips.by_category", &c->tips.by_category, &p->tips.by_category, fn, arg);
	report_each_key("tips.by_village", &c->tips.by_village, &p->tips.by_village, fn, arg);
	SCALAR("awareness.sessions", awareness.sessions);
	SCALAR("awareness.participants", awareness.participants);
	SCALAR("patrols.count", patrols.count);
	SCALAR("patrols.member_turns", patrols.member_turns);
	report_each_key("patrols.by_team", &c->patrols.by_team, &p->patrols.by_team, fn, arg);
	SCALAR("missed_checkins", missed_checkins);
	SCALAR("mediations.count", mediations.count);
	SCALAR("broadcasts.count", broadcasts.count);
	SCALAR("broadcasts.recipients", broadcasts.recipients);
	SCALAR("broadcasts.parts", broadcasts.parts);
	SCALAR("sms.received", sms.received);
	SCALAR("sms.sent", sms.sent);
	SCALAR("sms.parts_sent", sms.parts_sent);
#undef SCALAR
}

void report_each_key(const char *path, const struct report_counts *cur,
                     const struct report_counts *prev, report_figure_fn fn, void *arg)
{
	for (size_t i = 0; i < cur->n; i++)
		fn(arg, path, cur->v[i].name, cur->v[i].n, report_counts_get(prev, cur->v[i].name));
	for (size_t i = 0; i < prev->n; i++)
		if (counts_find(cur, prev->v[i].name) == NULL)
			fn(arg, path, prev->v[i].name, 0, prev->v[i].n);
}

/* ---- CSV ---- */

static void csv_row(void *arg, const char *path, const char *key, long long cur, long long prev)
{
	struct csv *c = arg;
	const char *dot = strrchr(path, '.');

	if (key != NULL) {
		csv_field(c, path);
		csv_field(c, key);
	} else if (dot != NULL) {
		csv_fieldn(c, path, (size_t)(dot - path));
		csv_field(c, dot + 1);
	} else {
		csv_field(c, "");
		csv_field(c, path);
	}
	csv_field_int(c, cur);
	csv_field_int(c, prev);
	csv_end_row(c);
}

int report_csv(const struct report *r, FILE *f, int csv_flags)
{
	struct csv c;
	static const char *const head[] = {"section", "name", "value", "previous"};

	csv_init(&c, f, csv_flags);
	for (size_t i = 0; i < 4; i++)
		csv_field(&c, head[i]);
	csv_end_row(&c);
	csv_field(&c, "");
	csv_field(&c, "from");
	csv_field(&c, r->cur.from);
	csv_field(&c, r->previous.from);
	csv_end_row(&c);
	csv_field(&c, "");
	csv_field(&c, "to");
	csv_field(&c, r->cur.to);
	csv_field(&c, r->previous.to);
	csv_end_row(&c);
	report_each_figure(r, csv_row, &c);
	return csv_close(&c);
}

/* ---- text ---- */

/* 'YYYY-MM-DD' as 'DD/MM/YYYY' into OUT; anything else is copied. */
void report_format_date(const char *date, char out[REPORT_DATE_LEN])
{
	int y, m, d;

	if (parse_ymd(date, 1, &y, &m, &d) == 0) {
		put_digits(out, 2, d);
		out[2] = '/';
		put_digits(out + 3, 2, m);
		out[5] = '/';
		put_digits(out + 6, 4, y);
		out[10] = '\0';
	} else
		snprintf(out, REPORT_DATE_LEN, "%s", date ? date : "");
}

/* "a 04 (kỳ trước: 02)" style: NAME, then N, then the previous one in parentheses. */
static void keyed_line(FILE *f, const char *title, const char *path, const struct report_counts *c,
                       const struct report_counts *p)
{
	char a[32], b[32], name[128];
	size_t shown = 0;

	fprintf(f, "- %s: ", title);
	for (size_t i = 0; i < c->n; i++) {
		report_display_name(path, c->v[i].name, name, sizeof name);
		fprintf(f, "%s%s: %s (%s)", shown++ ? "; " : "", name,
		        report_format_count(c->v[i].n, a),
		        report_format_count(report_counts_get(p, c->v[i].name), b));
	}
	for (size_t i = 0; i < p->n; i++) {
		if (counts_find(c, p->v[i].name) != NULL)
			continue;
		report_display_name(path, p->v[i].name, name, sizeof name);
		fprintf(f, "%s%s: %s (%s)", shown++ ? "; " : "", name, report_format_count(0, a),
		        report_format_count(p->v[i].n, b));
	}
	fputs(shown ? ".\n" : "không có.\n", f);
}

int report_text(const struct report *r, FILE *f)
{
	const struct report_figures *c = &r->cur, *p = &r->previous;
	char d1[REPORT_DATE_LEN], d2[REPORT_DATE_LEN], d3[REPORT_DATE_LEN], d4[REPORT_DATE_LEN];
	char a[32], b[32], x[32], y[32], z[32], w[32];

	report_format_date(c->from, d1);
	report_format_date(c->to, d2);
	report_format_date(p->from, d3);
	report_format_date(p->to, d4);
	fprintf(f, "BÁO CÁO KẾT QUẢ TỪ NGÀY %s ĐẾN NGÀY %s\n", d1, d2);
	fprintf(f, "(Số trong ngoặc là kỳ trước, từ ngày %s đến ngày %s)\n\n", d3, d4);

	fputs("1. Tin báo\n", f);
	fprintf(f, "- Tiếp nhận %s tin báo (%s), cung cấp %s tin có giá trị (%s).\n",
	        report_format_count(c->tips.received, a), report_format_count(p->tips.received, b),
	        report_format_count(c->tips.valuable, x), report_format_count(p->tips.valuable, y));
	keyed_line(f, "Theo tình trạng", "tips.by_status", &c->tips.by_status, &p->tips.by_status);
	keyed_line(f, "Theo loại", "tips.by_category", &c->tips.by_category, &p->tips.by_category);
	keyed_line(f, "Theo thôn", "tips.by_village", &c->tips.by_village, &p->tips.by_village);
	fprintf(f, "- Cảnh báo tin báo mới: %s (%s); tin quá hạn chưa xử lý: %s (%s).\n",
	        report_format_count(c->tips.alerts, a), report_format_count(p->tips.alerts, b),
	        report_format_count(c->tips.escalated, x),
	        report_format_count(p->tips.escalated, y));

	fputs("2. Tuyên truyền, phổ biến pháp luật\n", f);
	fprintf(f, "- %s đợt / %s lượt người tham gia (%s đợt / %s lượt).\n",
	        report_format_count(c->awareness.sessions, a),
	        report_format_count(c->awareness.participants, b),
	        report_format_count(p->awareness.sessions, x),
	        report_format_count(p->awareness.participants, y));

	fputs("3. Tuần tra\n", f);
	fprintf(f, "- %s lượt tuần tra (%s), %s lượt tổ viên tham gia (%s).\n",
	        report_format_count(c->patrols.count, a), report_format_count(p->patrols.count, b),
	        report_format_count(c->patrols.member_turns, x),
	        report_format_count(p->patrols.member_turns, y));
	keyed_line(f, "Theo tổ", "patrols.by_team", &c->patrols.by_team, &p->patrols.by_team);
	fprintf(f, "- Tuần tra không báo cáo đúng hạn: %s lần (%s).\n",
	        report_format_count(c->missed_checkins, a),
	        report_format_count(p->missed_checkins, b));

	fputs("4. Hòa giải\n", f);
	fprintf(f, "- Hòa giải %s vụ (%s).\n", report_format_count(c->mediations.count, a),
	        report_format_count(p->mediations.count, b));

	fputs("5. Thông báo qua tin nhắn\n", f);
	fprintf(f, "- %s lượt thông báo (%s), %s người nhận (%s), %s tin nhắn đã gửi (%s).\n",
	        report_format_count(c->broadcasts.count, a),
	        report_format_count(p->broadcasts.count, b),
	        report_format_count(c->broadcasts.recipients, x),
	        report_format_count(p->broadcasts.recipients, y),
	        report_format_count(c->broadcasts.parts, z),
	        report_format_count(p->broadcasts.parts, w));

	fputs("6. Tin nhắn SMS\n", f);
	fprintf(f, "- Nhận %s tin nhắn (%s), gửi %s tin nhắn (%s)",
	        report_format_count(c->sms.received, a), report_format_count(p->sms.received, b),
	        report_format_count(c->sms.sent, x), report_format_count(p->sms.sent, y));
	fprintf(f, " gồm %s phần tin (%s).\n", report_format_count(c->sms.parts_sent, z),
	        report_format_count(p->sms.parts_sent, w));
	return finish(f);
}

/* ---- one SMS ---- */

/* Appends SEG to OUT (length *LEN) when the whole stays within 160 GSM-7 septets. */
static int sms_try(char *out, size_t outsz, size_t *len, const char *seg)
{
	size_t n = strlen(seg);
	int units;

	if (*len + n >= outsz)
		return 0;
	memcpy(out + *len, seg, n + 1);
	units = text_gsm7_units(out, *len + n);
	if (units < 0 || units > 160) {
		out[*len] = '\0';
		return 0;
	}
	*len += n;
	return 1;
}

int report_sms(const struct report *r, char *out, size_t outsz)
{
	const struct report_figures *c = &r->cur, *p = &r->previous;
	char viet[256], seg[256];
	char a[32], b[32], x[32], y[32];
	char d1[REPORT_DATE_LEN], d2[REPORT_DATE_LEN];
	size_t len = 0;

	if (outsz < 161)
		return -1;
	out[0] = '\0';
	report_format_date(c->from, d1);
	report_format_date(c->to, d2);
	/* Same year: "BC 01/11-30/11/2026"; the year once. */
	if (strcmp(d1 + 6, d2 + 6) == 0)
		d1[5] = '\0';
	snprintf(seg, sizeof seg, "BC %s-%s (ky truoc):", d1, d2);
	sms_try(out, outsz, &len, seg);

	/*
	 * In priority order; each is written in Vietnamese and sent without diacritics. The two
	 * tip-alert figures are there only when the period or the one before has any: most
	 * communes have neither (alerts are off unless an officer asks, an escalation is a lapse),
	 * and "00 (00)" would push a figure out of the one SMS for nothing. Tips left new past
	 * tips.escalate_after follow the tips (a lapse to act on); the new-tip alerts sent come
	 * after the patrols, so that they never push awareness or patrols out.
	 */
	for (int i = 0; i < 9; i++) {
		viet[0] = '\0';
		switch (i) {
		case 0:
			snprintf(viet, sizeof viet, " Tin báo %s (%s), có giá trị %s (%s);",
			         report_format_count(c->tips.received, a),
			         report_format_count(p->tips.received, b),
			         report_format_count(c->tips.valuable, x),
			         report_format_count(p->tips.valuable, y));
			break;
		case 1:
			if (c->tips.escalated != 0 || p->tips.escalated != 0)
				snprintf(viet, sizeof viet, " Tin quá hạn %s (%s);",
				         report_format_count(c->tips.escalated, a),
				         report_format_count(p->tips.escalated, b));
			break;
		case 2:
			snprintf(viet, sizeof viet, " TTPL %s đợt/%s lượt (%s/%s);",
			         report_format_count(c->awareness.sessions, a),
			         report_format_count(c->awareness.participants, b),
			         report_format_count(p->awareness.sessions, x),
			         report_format_count(p->awareness.participants, y));
			break;
		case 3:
			snprintf(viet, sizeof viet, " Tuần tra %s (%s);",
			         report_format_count(c->patrols.count, a),
			         report_format_count(p->patrols.count, b));
			break;
		case 4:
			if (c->tips.alerts != 0 || p->tips.alerts != 0)
				snprintf(viet, sizeof viet, " Cảnh báo tin %s (%s);",
				         report_format_count(c->tips.alerts, a),
				         report_format_count(p->tips.alerts, b));
			break;
		case 5:
			snprintf(viet, sizeof viet, " Cảnh báo TT %s (%s);",
			         report_format_count(c->missed_checkins, a),
			         report_format_count(p->missed_checkins, b));
			break;
		case 6:
			snprintf(viet, sizeof viet, " Hòa giải %s (%s);",
			         report_format_count(c->mediations.count, a),
			         report_format_count(p->mediations.count, b));
			break;
		case 7:
			snprintf(viet, sizeof viet, " Thông báo %s (%s);",
			         report_format_count(c->broadcasts.count, a),
			         report_format_count(p->broadcasts.count, b));
			break;
		default:
			snprintf(viet, sizeof viet, " SMS nhận %s (%s);",
			         report_format_count(c->sms.received, a),
			         report_format_count(p->sms.received, b));
			break;
		}
		if (viet[0] == '\0')
			continue;
		text_transliterate(viet, strlen(viet), seg, sizeof seg);
		sms_try(out, outsz, &len, seg);
	}
	/* The last separator reads better as a full stop. */
	if (len > 0 && out[len - 1] == ';')
		out[len - 1] = '.';
	return (int)len;
}

/* ---- names a person reads ---- */

static const struct {
	const char *path, *name, *shown;
} names[] = {
    {"tips.by_status", "new", "mới"},
    {"tips.by_status", "checking", "đang xác minh"},
    {"tips.by_status", "valuable", "có giá trị"},
    {"tips.by_status", "false", "không có cơ sở"},
    {"tips.by_status", "closed", "đã kết thúc"},
    /* Every default category of the parser (parse.c), as the commune police name them. */
    {"tips.by_category", "drugs", "ma túy"},
    {"tips.by_category", "theft", "trộm cắp"},
    {"tips.by_category", "fighting", "đánh nhau"},
    {"tips.by_category", "gambling", "cờ bạc"},
    {"tips.by_category", "traffic", "giao thông"},
    {"tips.by_category", "stranger", "người lạ"},
    {"tips.by_category", "fraud", "lừa đảo"},
    {"tips.by_category", "forest", "phá rừng"},
    {"tips.by_category", "weapons", "vũ khí"},
    {"tips.by_category", "dispute", "tranh chấp"},
    {"tips.by_category", "domestic_violence", "bạo lực gia đình"},
    {"tips.by_category", "other", "khác"},
};

const char *report_category_vi(const char *category)
{
	for (size_t i = 0; category != NULL && i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(names[i].path, "tips.by_category") == 0 &&
		    strcmp(names[i].name, category) == 0)
			return names[i].shown;
	}
	return NULL;
}

void report_display_name(const char *path, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name);

	if (n == 0) {
		snprintf(out, outsz, "chưa rõ");
		return;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(names[i].path, path) == 0 && strcmp(names[i].name, name) == 0) {
			snprintf(out, outsz, "%s", names[i].shown);
			return;
		}
	}
	if (strcmp(path, "tips.by_village") == 0 && strspn(name, "0123456789") == n) {
		snprintf(out, outsz, "thôn %s", name);
		return;
	}
	/* A village or team name came from a phone: shown escaped (text_safe), never obeyed. */
	text_safe(name, n, out, outsz);
}

const char *report_figure_label(const char *path)
{
	static const struct {
		const char *path, *label;
	} labels[] = {
	    {"tips.received", "Tin báo tiếp nhận"},
	    {"tips.valuable", "Tin có giá trị"},
	    {"tips.alerts", "Cảnh báo tin báo mới"},
	    {"tips.escalated", "Tin quá hạn chưa xử lý"},
	    {"tips.by_status", "Tin báo theo tình trạng"},
	    {"tips.by_category", "Tin báo theo loại"},
	    {"tips.by_village", "Tin báo theo thôn"},
	    {"awareness.sessions", "Đợt tuyên truyền pháp luật"},
	    {"awareness.participants", "Lượt người tham gia tuyên truyền"},
	    {"patrols.count", "Lượt tuần tra"},
	    {"patrols.member_turns", "Lượt tổ viên tham gia tuần tra"},
	    {"patrols.by_team", "Lượt tuần tra theo tổ"},
	    {"missed_checkins", "Tuần tra không báo cáo đúng hạn"},
	    {"mediations.count", "Vụ hòa giải"},
	    {"broadcasts.count", "Lượt thông báo"},
	    {"broadcasts.recipients", "Người nhận thông báo"},
	    {"broadcasts.parts", "Tin nhắn thông báo đã gửi"},
	    {"sms.received", "Tin nhắn SMS nhận"},
	    {"sms.sent", "Tin nhắn SMS gửi"},
	    {"sms.parts_sent", "Phần tin SMS đã gửi"},
	};

	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].path, path) == 0)
			return labels[i].label;
	return path;
}
