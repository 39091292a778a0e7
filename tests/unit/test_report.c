/*
 * Reports: counts as officers write them, periods on local dates in two zones, the keyed
 * counts and charts, and every renderer on a fixed report.
 *
 * With "--write DIR" this binary writes the fixed report's renderings (report.html,
 * report.json, report.txt, report.csv) into DIR instead of testing: the browser test
 * (tests/integration/test_report_html.py) renders that HTML and compares its DOM with that JSON.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "csv.h"
#include "parse.h"
#include "report.h"
#include "report_internal.h"
#include "text.h"
#include "ts.h"

static void zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* What a renderer wrote, as one malloc'd string (the caller frees it). */
typedef int (*render_fn)(const struct report *r, FILE *f);

static char *render(render_fn fn, const struct report *r, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rc = fn(r, f);
	fclose(f);
	return buf;
}

static int render_csv(const struct report *r, FILE *f)
{
	return report_csv(r, f, 0);
}

static const char EVIL[] = "Xóm \"Đông\" <b>&</b>";

/* The fixed report: a commune's November 2026 beside its October. */
static void fixture(struct report *r)
{
	struct report_period p, prev;
	struct report_figures *c = &r->cur, *o = &r->previous;
	static const struct {
		const char *week, *cat;
		long long n;
	} weekly[] = {
	    {"2026-10-26", "theft", 1},    {"2026-11-02", "theft", 2}, {"2026-11-02", "drugs", 1},
	    {"2026-11-09", "stranger", 2}, {"2026-11-16", "theft", 1}, {"2026-11-16", "drugs", 2},
	    {"2026-11-16", "other", 1},    {"2026-11-23", "theft", 1}, {"2026-11-30", "", 1},
	};
	static const long long monthly[] = {820, 960, 700,  1020, 1180, 900,
	                                    640, 880, 1300, 990,  1100, 1410};

	report_init(r);
	report_period_month("2026-11", &p);
	report_period_previous(&p, &prev);
	report_set_period(r, &p, &prev);

	c->tips.received = 12;
	c->tips.valuable = 4;
	report_counts_add(&c->tips.by_status, "new", 3);
	report_counts_add(&c->tips.by_status, "checking", 2);
	report_counts_add(&c->tips.by_status, "valuable", 4);
	report_counts_add(&c->tips.by_status, "false", 1);
	report_counts_add(&c->tips.by_status, "closed", 2);
	report_counts_add(&c->tips.by_category, "theft", 5);
	report_counts_add(&c->tips.by_category, "drugs", 3);
	report_counts_add(&c->tips.by_category, "stranger", 2);
	report_counts_add(&c->tips.by_category, "other", 1);
	report_counts_add(&c->tips.by_category, NULL, 1);
	report_counts_add(&c->tips.by_village, "3", 4);
	report_counts_add(&c->tips.by_village, "Thôn 5", 3);
	report_counts_add(&c->tips.by_village, EVIL, 5);
	c->awareness.sessions = 15;
	c->awareness.participants = 1410;
	c->patrols.count = 46;
	c->patrols.member_turns = 230;
	report_counts_add(&c->patrols.by_team, "TQ3", 20);
	report_counts_add(&c->patrols.by_team, "TQ5", 26);
	c->missed_checkins = 2;
	c->mediations.count = 3;
	c->broadcasts.count = 5;
	c->broadcasts.recipients = 1200;
	c->broadcasts.parts = 1350;
	c->sms.received = 1834;
	c->sms.sent = 1502;
	c->sms.parts_sent = 1677;

	o->tips.received = 8;
	o->tips.valuable = 2;
	report_counts_add(&o->tips.by_status, "new", 2);
	report_counts_add(&o->tips.by_status, "checking", 1);
	report_counts_add(&o->tips.by_status, "valuable", 2);
	report_counts_add(&o->tips.by_status, "closed", 3);
	report_counts_add(&o->tips.by_category, "theft", 4);
	report_counts_add(&o->tips.by_category, "drugs", 1);
	report_counts_add(&o->tips.by_category, "fraud", 3); /* only in the previous period */
	report_counts_add(&o->tips.by_village, "3", 2);
	report_counts_add(&o->tips.by_village, "4", 6);
	o->awareness.sessions = 12;
	o->awareness.participants = 1100;
	o->patrols.count = 40;
	o->patrols.member_turns = 200;
	report_counts_add(&o->patrols.by_team, "TQ3", 18);
	report_counts_add(&o->patrols.by_team, "TQ5", 22);
	o->missed_checkins = 1;
	o->mediations.count = 1;
	o->broadcasts.count = 3;
	o->broadcasts.recipients = 900;
	o->broadcasts.parts = 1000;
	o->sms.received = 1500;
	o->sms.sent = 1200;
	o->sms.parts_sent = 1300;

	report_chart_weeks(&r->tips_weekly, &p);
	for (size_t i = 0; i < sizeof weekly / sizeof weekly[0]; i++)
		report_chart_add(&r->tips_weekly, weekly[i].week, weekly[i].cat, weekly[i].n);
	report_chart_add(&r->patrols_by_team, "TQ3", NULL, 20);
	report_chart_add(&r->patrols_by_team, "TQ5", NULL, 26);
	report_chart_months(&r->participants_monthly, "2025-12-01", "2026-11-30");
	for (size_t i = 0; i < r->participants_monthly.n; i++)
		report_chart_add(&r->participants_monthly, r->participants_monthly.v[i].label, NULL,
		                 monthly[i]);
}

/* ---- numbers ---- */

static void t_format_count(void)
{
	static const struct {
		long long n;
		const char *want;
	} rows[] = {
	    {0, "00"},
	    {4, "04"},
	    {9, "09"},
	    {10, "10"},
	    {46, "46"},
	    {100, "100"},
	    {999, "999"},
	    {1000, "1.000"},
	    {1410, "1.410"},
	    {99999, "99.999"},
	    {100000, "100.000"},
	    {1000000, "1.000.000"},
	    {-5, "-05"},
	    {-1410, "-1.410"},
	    {LLONG_MAX, "9.223.372.036.854.775.807"},
	    {LLONG_MIN, "-9.223.372.036.854.775.808"},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char out[32];

		CHECK_STR(report_format_count(rows[i].n, out), rows[i].want);
	}
}

/* ---- periods ---- */

enum how { MONTH, DAYS, WEEK, MTD };

static const struct {
	const char *tz;
	enum how how;
	const char *a, *b; /* MONTH: a; DAYS: a, b; WEEK, MTD: a is "now" as UTC text */
	const char *from, *to, *start_utc, *end_utc;
	int days;
	const char *pfrom, *pto, *pstart_utc, *pend_utc;
} periods[] = {
    {"Asia/Ho_Chi_Minh", MONTH, "2026-11", NULL, "2026-11-01", "2026-11-30", "2026-10-31 17:00:00",
     "2026-11-30 17:00:00", 30, "2026-10-01", "2026-10-31", "2026-09-30 17:00:00",
     "2026-10-31 17:00:00"},
    {"UTC", MONTH, "2026-11", NULL, "2026-11-01", "2026-11-30", "2026-11-01 00:00:00",
     "2026-12-01 00:00:00", 30, "2026-10-01", "2026-10-31", "2026-10-01 00:00:00",
     "2026-11-01 00:00:00"},
    /* A year boundary, then February of a common and of a leap year. */
    {"Asia/Ho_Chi_Minh", MONTH, "2026-01", NULL, "2026-01-01", "2026-01-31", "2025-12-31 17:00:00",
     "2026-01-31 17:00:00", 31, "2025-12-01", "2025-12-31", "2025-11-30 17:00:00",
     "2025-12-31 17:00:00"},
    {"UTC", MONTH, "2026-03", NULL, "2026-03-01", "2026-03-31", "2026-03-01 00:00:00",
     "2026-04-01 00:00:00", 31, "2026-02-01", "2026-02-28", "2026-02-01 00:00:00",
     "2026-03-01 00:00:00"},
    {"Asia/Ho_Chi_Minh", MONTH, "2024-03", NULL, "2024-03-01", "2024-03-31", "2024-02-29 17:00:00",
     "2024-03-31 17:00:00", 31, "2024-02-01", "2024-02-29", "2024-01-31 17:00:00",
     "2024-02-29 17:00:00"},
    {"UTC", MONTH, "2026-12", NULL, "2026-12-01", "2026-12-31", "2026-12-01 00:00:00",
     "2027-01-01 00:00:00", 31, "2026-11-01", "2026-11-30", "2026-11-01 00:00:00",
     "2026-12-01 00:00:00"},
    /* --from --to across a new year; the previous period is the 4 days before. */
    {"Asia/Ho_Chi_Minh", DAYS, "2026-12-30", "2027-01-02", "2026-12-30", "2027-01-02",
     "2026-12-29 17:00:00", "2027-01-02 17:00:00", 4, "2026-12-26", "2026-12-29",
     "2026-12-25 17:00:00", "2026-12-29 17:00:00"},
    {"UTC", DAYS, "2026-12-30", "2027-01-02", "2026-12-30", "2027-01-02", "2026-12-30 00:00:00",
     "2027-01-03 00:00:00", 4, "2026-12-26", "2026-12-29", "2026-12-26 00:00:00",
     "2026-12-30 00:00:00"},
    {"Asia/Ho_Chi_Minh", DAYS, "2026-03-01", "2026-03-01", "2026-03-01", "2026-03-01",
     "2026-02-28 17:00:00", "2026-03-01 17:00:00", 1, "2026-02-28", "2026-02-28",
     "2026-02-27 17:00:00", "2026-02-28 17:00:00"},
    {"UTC", DAYS, "2024-02-01", "2024-03-31", "2024-02-01", "2024-03-31", "2024-02-01 00:00:00",
     "2024-04-01 00:00:00", 60, "2023-12-03", "2024-01-31", "2023-12-03 00:00:00",
     "2024-02-01 00:00:00"},
    /* --week: 18:00 UTC on Monday 30 November is already Tuesday 1 December in Vietnam. */
    {"Asia/Ho_Chi_Minh", WEEK, "2026-11-30 18:00:00", NULL, "2026-11-30", "2026-12-01",
     "2026-11-29 17:00:00", "2026-12-01 17:00:00", 2, "2026-11-23", "2026-11-24",
     "2026-11-22 17:00:00", "2026-11-24 17:00:00"},
    {"UTC", WEEK, "2026-11-30 18:00:00", NULL, "2026-11-30", "2026-11-30", "2026-11-30 00:00:00",
     "2026-12-01 00:00:00", 1, "2026-11-23", "2026-11-23", "2026-11-23 00:00:00",
     "2026-11-24 00:00:00"},
    /* Sunday 3 January 2027 in Vietnam: the week began in 2026. */
    {"Asia/Ho_Chi_Minh", WEEK, "2027-01-02 20:00:00", NULL, "2026-12-28", "2027-01-03",
     "2026-12-27 17:00:00", "2027-01-03 17:00:00", 7, "2026-12-21", "2026-12-27",
     "2026-12-20 17:00:00", "2026-12-27 17:00:00"},
    {"UTC", WEEK, "2027-01-02 20:00:00", NULL, "2026-12-28", "2027-01-02", "2026-12-28 00:00:00",
     "2027-01-03 00:00:00", 6, "2026-12-21", "2026-12-26", "2026-12-21 00:00:00",
     "2026-12-27 00:00:00"},
    /* Month to date: 20:00 UTC on 31 March is 1 April in Vietnam. */
    {"Asia/Ho_Chi_Minh", MTD, "2026-03-31 20:00:00", NULL, "2026-04-01", "2026-04-01",
     "2026-03-31 17:00:00", "2026-04-01 17:00:00", 1, "2026-03-01", "2026-03-01",
     "2026-02-28 17:00:00", "2026-03-01 17:00:00"},
    {"UTC", MTD, "2026-03-31 20:00:00", NULL, "2026-03-01", "2026-03-31", "2026-03-01 00:00:00",
     "2026-04-01 00:00:00", 31, "2026-02-01", "2026-02-28", "2026-02-01 00:00:00",
     "2026-03-01 00:00:00"},
    {"Asia/Ho_Chi_Minh", MTD, "2026-01-15 10:00:00", NULL, "2026-01-01", "2026-01-15",
     "2025-12-31 17:00:00", "2026-01-15 17:00:00", 15, "2025-12-01", "2025-12-15",
     "2025-11-30 17:00:00", "2025-12-15 17:00:00"},
};

static void t_periods(void)
{
	for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
		struct report_period p, prev;
		int64_t now = 0;

		memset(&p, 0, sizeof p);
		zone(periods[i].tz);
		switch (periods[i].how) {
		case MONTH:
			CHECK_INT(report_period_month(periods[i].a, &p), 0);
			break;
		case DAYS:
			CHECK_INT(report_period_days(periods[i].a, periods[i].b, &p), 0);
			break;
		case WEEK:
			CHECK_INT(ts_parse_utc(periods[i].a, &now), 0);
			report_period_week(now, &p);
			break;
		case MTD:
			CHECK_INT(ts_parse_utc(periods[i].a, &now), 0);
			report_period_month_to_date(now, &p);
			break;
		}
		report_period_previous(&p, &prev);
		if (strcmp(p.from, periods[i].from) != 0 ||
		    strcmp(prev.from, periods[i].pfrom) != 0)
			fprintf(stderr, "  row %zu (%s %s)\n", i, periods[i].tz, periods[i].a);
		CHECK_STR(p.from, periods[i].from);
		CHECK_STR(p.to, periods[i].to);
		CHECK_STR(p.start_utc, periods[i].start_utc);
		CHECK_STR(p.end_utc, periods[i].end_utc);
		CHECK_INT(p.days, periods[i].days);
		CHECK_STR(prev.from, periods[i].pfrom);
		CHECK_STR(prev.to, periods[i].pto);
		CHECK_STR(prev.start_utc, periods[i].pstart_utc);
		CHECK_STR(prev.end_utc, periods[i].pend_utc);
		CHECK_INT(prev.span, p.span);
	}
	zone("Asia/Ho_Chi_Minh");
}

static void t_bad_periods(void)
{
	static const char *const months[] = {"2026-13", "2026-00", "2026-1",  "26-11", "2026-11-01",
	                                     "2026/11", "",        "abcd-ef", NULL};
	static const char *const days[][2] = {
	    {"2026-02-29", "2026-03-01"},
	    {"2026-02-30", "2026-03-01"},
	    {"2026-11-31", "2026-12-01"},
	    {"2026-12-02", "2026-12-01"},
	    {"2026-11-01x", "2026-11-02"},
	    {"2026-1-1", "2026-1-2"},
	    {"2026-11-01 00:00", "2026-11-02"},
	    {NULL, "2026-11-02"},
	    {"2026-11-01", ""},
	};
	struct report_period p;
	char out[REPORT_DATE_LEN];

	for (size_t i = 0; i < sizeof months / sizeof months[0]; i++)
		CHECK_INT(report_period_month(months[i], &p), -1);
	for (size_t i = 0; i < sizeof days / sizeof days[0]; i++)
		CHECK_INT(report_period_days(days[i][0], days[i][1], &p), -1);
	CHECK_INT(report_period_days("2024-02-29", "2024-02-29", &p), 0);
	CHECK_INT(report_date_add("2026-02-30", 1, out), -1);
	CHECK_INT(report_week_start("tomorrow", out), -1);
}

static void t_date_arithmetic(void)
{
	static const struct {
		const char *date;
		int add;
		const char *sum, *monday;
	} rows[] = {
	    {"2026-12-31", 1, "2027-01-01", "2026-12-28"},
	    {"2027-01-01", -1, "2026-12-31", "2026-12-28"},
	    {"2024-02-28", 1, "2024-02-29", "2024-02-26"},
	    {"2026-02-28", 1, "2026-03-01", "2026-02-23"},
	    {"2026-11-30", 0, "2026-11-30", "2026-11-30"},   /* a Monday is its own week */
	    {"2026-11-29", 365, "2027-11-29", "2026-11-23"}, /* a Sunday ends the week */
	    {"2000-03-01", -1, "2000-02-29", "2000-02-28"},
	    {"1970-01-01", -1, "1969-12-31", "1969-12-29"},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char out[REPORT_DATE_LEN];

		CHECK_INT(report_date_add(rows[i].date, rows[i].add, out), 0);
		CHECK_STR(out, rows[i].sum);
		CHECK_INT(report_week_start(rows[i].date, out), 0);
		CHECK_STR(out, rows[i].monday);
	}
}

/* ---- counts and charts ---- */

static void t_counts(void)
{
	struct report r;

	report_init(&r);
	CHECK_INT(report_counts_add(&r.cur.tips.by_village, "3", 2), 0);
	CHECK_INT(report_counts_add(&r.cur.tips.by_village, "Thôn 5", 1), 0);
	CHECK_INT(report_counts_add(&r.cur.tips.by_village, "3", 5), 0);
	CHECK_INT(report_counts_add(&r.cur.tips.by_village, NULL, 4), 0);
	CHECK_INT(r.cur.tips.by_village.n, 3);
	CHECK_STR(r.cur.tips.by_village.v[0].name, "3");
	CHECK_INT(r.cur.tips.by_village.v[0].n, 7);
	CHECK_STR(r.cur.tips.by_village.v[2].name, "");
	CHECK_INT(report_counts_get(&r.cur.tips.by_village, NULL), 4);
	CHECK_INT(report_counts_get(&r.cur.tips.by_village, "Thôn 5"), 1);
	CHECK_INT(report_counts_get(&r.cur.tips.by_village, "thôn 5"), 0);
	CHECK_INT(report_counts_total(&r.cur.tips.by_village), 12);
	/* Many names: the array grows. */
	for (int i = 0; i < 100; i++) {
		char name[16];

		snprintf(name, sizeof name, "TQ%d", i);
		CHECK_INT(report_counts_add(&r.cur.patrols.by_team, name, i), 0);
	}
	CHECK_INT(r.cur.patrols.by_team.n, 100);
	CHECK_INT(report_counts_get(&r.cur.patrols.by_team, "TQ99"), 99);
	report_close(&r);
	CHECK_INT(r.cur.tips.by_village.n, 0);
	CHECK(r.cur.patrols.by_team.v == NULL);
	/* A closed report can be filled again. */
	CHECK_INT(report_counts_add(&r.previous.tips.by_status, "new", 1), 0);
	report_close(&r);
}

static void t_charts(void)
{
	struct report r;
	struct report_period p;
	static const char *const weeks[] = {"2026-10-26", "2026-11-02", "2026-11-09",
	                                    "2026-11-16", "2026-11-23", "2026-11-30"};
	static const char *const months[] = {"2025-11", "2025-12", "2026-01", "2026-02"};

	report_init(&r);
	CHECK_INT(report_period_month("2026-11", &p), 0);
	CHECK_INT(report_chart_weeks(&r.tips_weekly, &p), 0);
	CHECK_INT(r.tips_weekly.n, 6);
	for (size_t i = 0; i < r.tips_weekly.n && i < 6; i++) {
		CHECK_STR(r.tips_weekly.v[i].label, weeks[i]);
		CHECK_INT(r.tips_weekly.v[i].parts.n, 0);
	}
	CHECK_INT(report_chart_add(&r.tips_weekly, "2026-11-09", "theft", 2), 0);
	CHECK_INT(report_chart_add(&r.tips_weekly, "2026-11-09", "theft", 1), 0);
	CHECK_INT(report_chart_add(&r.tips_weekly, "2026-11-09", "drugs", 1), 0);
	CHECK_INT(r.tips_weekly.n, 6);
	CHECK_INT(report_counts_get(&r.tips_weekly.v[2].parts, "theft"), 3);
	CHECK_INT(report_counts_total(&r.tips_weekly.v[2].parts), 4);
	CHECK_INT(report_chart_months(&r.participants_monthly, "2025-11-15", "2026-02-01"), 0);
	CHECK_INT(r.participants_monthly.n, 4);
	for (size_t i = 0; i < r.participants_monthly.n && i < 4; i++)
		CHECK_STR(r.participants_monthly.v[i].label, months[i]);
	CHECK_INT(report_chart_months(&r.participants_monthly, "2026-02-30", "2026-03-01"), -1);
	CHECK_INT(report_chart_add(&r.patrols_by_team, "TQ3", NULL, 5), 0);
	CHECK_STR(r.patrols_by_team.v[0].parts.v[0].name, "");
	report_close(&r);
}

/* ---- renderers ---- */

static void t_json(void)
{
	struct report r;
	struct report_period p, prev;
	char *out;
	int rc;

	zone("Asia/Ho_Chi_Minh");
	report_init(&r);
	report_period_days("2026-11-01", "2026-11-07", &p);
	report_period_previous(&p, &prev);
	report_set_period(&r, &p, &prev);
	r.cur.tips.received = 3;
	r.cur.tips.valuable = 1;
	report_counts_add(&r.cur.tips.by_status, "valuable", 1);
	report_counts_add(&r.cur.tips.by_status, "new", 2);
	report_counts_add(&r.cur.tips.by_category, "theft", 3);
	report_counts_add(&r.cur.tips.by_village, "Thôn \"5\"", 3);
	r.cur.awareness.sessions = 2;
	r.cur.awareness.participants = 1410;
	r.cur.patrols.count = 4;
	r.cur.patrols.member_turns = 17;
	report_counts_add(&r.cur.patrols.by_team, "TQ3", 4);
	r.cur.missed_checkins = 1;
	r.cur.mediations.count = 5;
	r.cur.broadcasts.count = 6;
	r.cur.broadcasts.recipients = 7;
	r.cur.broadcasts.parts = 8;
	r.cur.sms.received = 9;
	r.cur.sms.sent = 10;
	r.cur.sms.parts_sent = 11;
	r.previous.tips.received = 2;
	report_counts_add(&r.previous.tips.by_category, "drugs", 2);
	out = render(report_json, &r, &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(out, "{\"from\":\"2026-11-01\",\"to\":\"2026-11-07\","
	               "\"tips\":{\"received\":3,\"valuable\":1,\"alerts\":0,\"escalated\":0,"
	               "\"by_status\":{\"valuable\":1,\"new\":2},\"by_category\":{\"theft\":3},"
	               "\"by_village\":{\"Thôn \\\"5\\\"\":3}},"
	               "\"awareness\":{\"sessions\":2,\"participants\":1410},"
	               "\"patrols\":{\"count\":4,\"member_turns\":17,\"by_team\":{\"TQ3\":4}},"
	               "\"missed_checkins\":1,\"mediations\":{\"count\":5},"
	               "\"broadcasts\":{\"count\":6,\"recipients\":7,\"parts\":8},"
	               "\"sms\":{\"received\":9,\"sent\":10,\"parts_sent\":11},"
	               "\"previous\":{\"from\":\"2026-10-25\",\"to\":\"2026-10-31\","
	               "\"tips\":{\"received\":2,\"valuable\":0,\"alerts\":0,\"escalated\":0,"
	               "\"by_status\":{},\"by_category\":{\"drugs\":2},\"by_village\":{}},"
	               "\"awareness\":{\"sessions\":0,\"participants\":0},"
	               "\"patrols\":{\"count\":0,\"member_turns\":0,\"by_team\":{}},"
	               "\"missed_checkins\":0,\"mediations\":{\"count\":0},"
	               "\"broadcasts\":{\"count\":0,\"recipients\":0,\"parts\":0},"
	               "\"sms\":{\"received\":0,\"sent\":0,\"parts_sent\":0}}}\n");
	free(out);
	report_close(&r);
}

static void t_text(void)
{
	struct report r;
	char *out;
	int rc;
	static const char *const lines[] = {
	    "BÁO CÁO KẾT QUẢ TỪ NGÀY 01/11/2026 ĐẾN NGÀY 30/11/2026\n",
	    "(Số trong ngoặc là kỳ trước, từ ngày 01/10/2026 đến ngày 31/10/2026)\n",
	    "- Tiếp nhận 12 tin báo (08), cung cấp 04 tin có giá trị (02).\n",
	    "- Theo tình trạng: mới: 03 (02); đang xác minh: 02 (01); có giá trị: 04 (02); không "
	    "có cơ sở: 01 (00); đã kết thúc: 02 (03).\n",
	    "- Theo loại: trộm cắp: 05 (04); ma túy: 03 (01); người lạ: 02 (00); khác: 01 (00); "
	    "chưa rõ: 01 (00); lừa đảo: 00 (03).\n",
	    "- Theo thôn: thôn 3: 04 (02); Thôn 5: 03 (00); Xóm \"Đông\" <b>&</b>: 05 (00); thôn "
	    "4: 00 (06).\n",
	    "- 15 đợt / 1.410 lượt người tham gia (12 đợt / 1.100 lượt).\n",
	    "- 46 lượt tuần tra (40), 230 lượt tổ viên tham gia (200).\n",
	    "- Theo tổ: TQ3: 20 (18); TQ5: 26 (22).\n",
	    "- Tuần tra không báo cáo đúng hạn: 02 lần (01).\n",
	    "- Hòa giải 03 vụ (01).\n",
	    "- 05 lượt thông báo (03), 1.200 người nhận (900), 1.350 tin nhắn đã gửi (1.000).\n",
	    "- Nhận 1.834 tin nhắn (1.500), gửi 1.502 tin nhắn (1.200) gồm 1.677 phần tin "
	    "(1.300).\n",
	};

	fixture(&r);
	out = render(report_text, &r, &rc);
	CHECK_INT(rc, 0);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		if (strstr(out, lines[i]) == NULL) {
			fprintf(stderr, "  missing line: %s", lines[i]);
			check_case_failed = 1;
		}
	}
	CHECK(text_utf8_valid(out, strlen(out)));
	free(out);
	/* Nothing at all: every keyed line says so, counts are 00. */
	report_close(&r);
	out = render(report_text, &r, &rc);
	CHECK(strstr(out, "- Theo loại: không có.\n") != NULL);
	CHECK(strstr(out, "- 00 đợt / 00 lượt người tham gia (00 đợt / 00 lượt).\n") != NULL);
	free(out);
}

static void t_csv_report(void)
{
	struct report r;
	char *out, *want;
	int rc;

	fixture(&r);
	out = render(render_csv, &r, &rc);
	CHECK_INT(rc, 0);
	want = "section,name,value,previous\r\n"
	       ",from,2026-11-01,2026-10-01\r\n"
	       ",to,2026-11-30,2026-10-31\r\n"
	       "tips,received,12,8\r\n"
	       "tips,valuable,4,2\r\n"
	       "tips,alerts,0,0\r\n"
	       "tips,escalated,0,0\r\n"
	       "tips.by_status,new,3,2\r\n"
	       "tips.by_status,checking,2,1\r\n"
	       "tips.by_status,valuable,4,2\r\n"
	       "tips.by_status,false,1,0\r\n"
	       "tips.by_status,closed,2,3\r\n"
	       "tips.by_category,theft,5,4\r\n"
	       "tips.by_category,drugs,3,1\r\n"
	       "tips.by_category,stranger,2,0\r\n"
	       "tips.by_category,other,1,0\r\n"
	       "tips.by_category,,1,0\r\n"
	       "tips.by_category,fraud,0,3\r\n"
	       "tips.by_village,3,4,2\r\n"
	       "tips.by_village,Thôn 5,3,0\r\n"
	       "tips.by_village,\"Xóm \"\"Đông\"\" <b>&</b>\",5,0\r\n"
	       "tips.by_village,4,0,6\r\n"
	       "awareness,sessions,15,12\r\n"
	       "awareness,participants,1410,1100\r\n"
	       "patrols,count,46,40\r\n"
	       "patrols,member_turns,230,200\r\n"
	       "patrols.by_team,TQ3,20,18\r\n"
	       "patrols.by_team,TQ5,26,22\r\n"
	       ",missed_checkins,2,1\r\n"
	       "mediations,count,3,1\r\n"
	       "broadcasts,count,5,3\r\n"
	       "broadcasts,recipients,1200,900\r\n"
	       "broadcasts,parts,1350,1000\r\n"
	       "sms,received,1834,1500\r\n"
	       "sms,sent,1502,1200\r\n"
	       "sms,parts_sent,1677,1300\r\n";
	CHECK_STR(out, want);
	free(out);
	report_close(&r);
}

static void t_html(void)
{
	struct report r;
	char *out;
	int rc;
	static const char *const want[] = {
	    "<!DOCTYPE html>",
	    "<meta charset=\"utf-8\">",
	    "@page { size: A4;",
	    "data-figure=\"tips.received\" data-period=\"cur\" data-value=\"12\">12<",
	    "data-figure=\"tips.valuable\" data-period=\"previous\" data-value=\"2\">02<",
	    "data-figure=\"awareness.participants\" data-period=\"cur\" data-value=\"1410\">1.410<",
	    "data-figure=\"tips.by_category\" data-key=\"fraud\" data-period=\"cur\" "
	    "data-value=\"0\">00<",
	    /* A name is escaped in attributes and in text alike. */
	    "data-key=\"Xóm &quot;Đông&quot; &lt;b&gt;&amp;&lt;/b&gt;\"",
	    "<td class=\"k\">Xóm &quot;Đông&quot; &lt;b&gt;&amp;&lt;/b&gt;</td>",
	    "data-figure=\"from\" data-period=\"previous\" data-value=\"2026-10-01\"",
	    ">01/10/2026</time>",
	    "<svg class=\"chart\" id=\"tips_weekly\"",
	    "<svg class=\"chart\" id=\"patrols_by_team\"",
	    "<svg class=\"chart\" id=\"participants_monthly\"",
	    "data-chart=\"tips_weekly\" data-label=\"2026-11-16\" data-series=\"drugs\" "
	    "data-value=\"2\"",
	    "data-chart=\"participants_monthly\" data-label=\"2026-11\" data-series=\"\" "
	    "data-value=\"1410\"",
	    ">16/11</text>",
	    ">11/2026</text>",
	    "</svg>trộm cắp</li>",
	    /* The change column: a rise is "+", a fall "−" (12 tips now, 8 before; fraud 0, 3). */
	    "data-figure=\"tips.received\" data-period=\"previous\" data-value=\"8\">08</td>"
	    "<td class=\"n up\">+4</td>",
	    "data-key=\"fraud\" data-period=\"previous\" data-value=\"3\">03</td>"
	    "<td class=\"n down\">−3</td>",
	};

	fixture(&r);
	out = render(report_html, &r, &rc);
	CHECK_INT(rc, 0);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (strstr(out, want[i]) == NULL) {
			fprintf(stderr, "  missing: %s\n", want[i]);
			check_case_failed = 1;
		}
	}
	/* Self-contained and inert: no script, no link to anything, no raw markup from data. */
	CHECK(strstr(out, "<script") == NULL);
	CHECK(strstr(out, "http") == NULL);
	CHECK(strstr(out, "<link") == NULL);
	CHECK(strstr(out, "url(") == NULL);
	CHECK(strstr(out, "<b>") == NULL);
	CHECK(text_utf8_valid(out, strlen(out)));
	free(out);
	/* An empty report still renders, its charts saying there is nothing. */
	report_close(&r);
	out = render(report_html, &r, &rc);
	CHECK_INT(rc, 0);
	CHECK(strstr(out, "Không có số liệu") != NULL);
	CHECK(strstr(out, "</html>\n") != NULL);
	free(out);
}

static void t_sms(void)
{
	struct report r;
	char out[200];
	int n;

	fixture(&r);
	n = report_sms(&r, out, sizeof out);
	CHECK_INT(n, (int)strlen(out));
	CHECK_STR(out,
	          "BC 01/11-30/11/2026 (ky truoc): Tin bao 12 (08), co gia tri 04 (02); TTPL "
	          "15 dot/1.410 luot (12/1.100); Tuan tra 46 (40); Canh bao TT 02 (01); Hoa giai "
	          "03 (01).");
	CHECK(text_gsm7_units(out, strlen(out)) <= 160);
	CHECK_INT(report_sms(&r, out, 160), -1);
	/* A tip escalated comes right after the tips, before the figures it then leaves out
	 * (the missed check-ins: the mediations still fit); the alerts sent rank lower. */
	r.cur.tips.escalated = 1;
	r.previous.tips.alerts = 6;
	n = report_sms(&r, out, sizeof out);
	CHECK_STR(
	    out, "BC 01/11-30/11/2026 (ky truoc): Tin bao 12 (08), co gia tri 04 (02); Tin qua han "
	         "01 (00); TTPL 15 dot/1.410 luot (12/1.100); Tuan tra 46 (40); Hoa giai 03 (01).");
	CHECK(text_gsm7_units(out, strlen(out)) <= 160);
	r.cur.tips.escalated = r.previous.tips.alerts = 0;

	/* Huge numbers: the least important figures go, the message still fits and says so. */
	r.cur.tips.received = r.previous.tips.received = 123456789012LL;
	r.cur.awareness.participants = r.previous.awareness.participants = 987654321098LL;
	n = report_sms(&r, out, sizeof out);
	CHECK(n > 0);
	CHECK(text_gsm7_units(out, strlen(out)) <= 160);
	CHECK(strncmp(out, "BC 01/11-30/11/2026 (ky truoc): Tin bao 123.456.789.012", 55) == 0);
	for (size_t i = 0; out[i]; i++)
		CHECK((unsigned char)out[i] < 0x80);
	report_close(&r);

	/* A quiet month: both tip-alert figures fit, each only when it is not 0 in both periods. */
	report_init(&r);
	memcpy(r.cur.from, "2026-12-01", REPORT_DATE_LEN);
	memcpy(r.cur.to, "2026-12-07", REPORT_DATE_LEN);
	r.cur.tips.received = 3;
	r.cur.tips.alerts = 3;
	r.cur.tips.escalated = 1;
	n = report_sms(&r, out, sizeof out);
	CHECK_STR(out,
	          "BC 01/12-07/12/2026 (ky truoc): Tin bao 03 (00), co gia tri 00 (00); Tin qua "
	          "han 01 (00); TTPL 00 dot/00 luot (00/00); Tuan tra 00 (00); Canh bao tin 03 "
	          "(00).");
	CHECK(text_gsm7_units(out, strlen(out)) <= 160);
	r.cur.tips.escalated = 0;
	r.previous.tips.alerts = 2;
	r.cur.tips.alerts = 0;
	n = report_sms(&r, out, sizeof out);
	CHECK(strstr(out, "Tin qua han") == NULL);
	CHECK(strstr(out, "Canh bao tin 00 (02);") != NULL);
	report_close(&r);

	/* A period across a year shows both years. */
	report_init(&r);
	memcpy(r.cur.from, "2026-12-28", REPORT_DATE_LEN);
	memcpy(r.cur.to, "2027-01-03", REPORT_DATE_LEN);
	n = report_sms(&r, out, sizeof out);
	CHECK(strncmp(out, "BC 28/12/2026-03/01/2027 (ky truoc): Tin bao 00 (00)", 51) == 0);
	CHECK(text_gsm7_units(out, strlen(out)) <= 160);
	report_close(&r);
}

/* Every default category of the parser is named in Vietnamese, in the text report too; a
 * configured one keeps its name. */
static void t_category_names(void)
{
	static const struct {
		const char *name, *vi;
	} rows[] = {
	    {"drugs", "ma túy"},
	    {"theft", "trộm cắp"},
	    {"fighting", "đánh nhau"},
	    {"gambling", "cờ bạc"},
	    {"traffic", "giao thông"},
	    {"stranger", "người lạ"},
	    {"fraud", "lừa đảo"},
	    {"forest", "phá rừng"},
	    {"weapons", "vũ khí"},
	    {"dispute", "tranh chấp"},
	    {"domestic_violence", "bạo lực gia đình"},
	    {"other", "khác"},
	};
	struct parse_rules *pr = parse_rules_new();
	struct report r;
	const char *want;
	char *out;
	int rc;

	CHECK(pr != NULL);
	if (pr == NULL)
		return;
	CHECK_INT(parse_category_count(pr), (int)(sizeof rows / sizeof rows[0]));
	for (int c = 0; c < parse_category_count(pr); c++) {
		const char *name = parse_category_name(pr, c);

		if (report_category_vi(name) == NULL)
			fprintf(stderr, "  category %s has no Vietnamese name\n", name);
		CHECK(report_category_vi(name) != NULL);
	}
	parse_rules_free(pr);
	CHECK(report_category_vi("cattle") == NULL);
	CHECK(report_category_vi(NULL) == NULL);

	report_init(&r);
	memcpy(r.cur.from, "2026-11-01", REPORT_DATE_LEN);
	memcpy(r.cur.to, "2026-11-30", REPORT_DATE_LEN);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		CHECK_STR(report_category_vi(rows[i].name), rows[i].vi);
		CHECK_INT(
		    report_counts_add(&r.cur.tips.by_category, rows[i].name, (long long)i + 1), 0);
	}
	CHECK_INT(report_counts_add(&r.cur.tips.by_category, "cattle", 20), 0);
	out = render(report_text, &r, &rc);
	CHECK_INT(rc, 0);
	want = "- Theo loại: ma túy: 01 (00); trộm cắp: 02 (00); đánh nhau: 03 (00); cờ "
	       "bạc: 04 (00); giao thông: 05 (00); người lạ: 06 (00); lừa đảo: 07 (00); "
	       "phá rừng: 08 (00); vũ khí: 09 (00); tranh chấp: 10 (00); bạo lực gia "
	       "đình: 11 (00); khác: 12 (00); cattle: 20 (00).\n";
	if (strstr(out, want) == NULL)
		fprintf(stderr, "  text report:\n%s", out);
	CHECK(strstr(out, want) != NULL);
	free(out);
	report_close(&r);
}

/* --write DIR: the fixture's renderings for the browser test. */
static int write_fixture(const char *dir)
{
	static const struct {
		const char *name;
		render_fn fn;
	} files[] = {{"report.html", report_html},
	             {"report.json", report_json},
	             {"report.txt", report_text},
	             {"report.csv", render_csv}};
	struct report r;
	int rc = 0;

	zone("Asia/Ho_Chi_Minh");
	fixture(&r);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
		f = fopen(path, "w");
		if (f == NULL || files[i].fn(&r, f) < 0) {
			perror(path);
			rc = 1;
		}
		if (f != NULL && fclose(f) != 0)
			rc = 1;
	}
	report_close(&r);
	return rc;
}

/* Names from phones are shown escaped in the text and HTML reports, known names translated. */
static void t_display_names(void)
{
	static const struct {
		const char *path, *name, *want;
	} rows[] = {
	    {"tips.by_village", "3", "thôn 3"},
	    {"tips.by_village", "", "chưa rõ"},
	    {"tips.by_village", "Buôn Đôn", "Buôn Đôn"},
	    {"tips.by_village", "x\x1b[2J\r\ny", "x\\x1b[2J\\x0d\\x0ay"},
	    {"patrols.by_team",
	     "TQ\xe2\x80\xae"
	     "3",
	     "TQ\\u202e3"},
	};
	char out[128];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		report_display_name(rows[i].path, rows[i].name, out, sizeof out);
		CHECK_STR(out, rows[i].want);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write") == 0)
		return write_fixture(argv[2]);
	zone("Asia/Ho_Chi_Minh");
	RUN(t_format_count);
	RUN(t_periods);
	RUN(t_bad_periods);
	RUN(t_date_arithmetic);
	RUN(t_counts);
	RUN(t_charts);
	RUN(t_json);
	RUN(t_text);
	RUN(t_csv_report);
	RUN(t_html);
	RUN(t_sms);
	RUN(t_category_names);
	RUN(t_display_names);
	return check_done();
}
