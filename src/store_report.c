/*
 * The store: period reports (issue 10). Fills a struct report (report.h) from the tables, each
 * figure counted by its event's own time against the period's UTC bounds [start, end):
 * tips.created_at, awareness_sessions.held_at, patrols.started_at, mediations.created_at and
 * inbox.smsc_time are the SMSC times of the messages that reported them; alerts count by
 * raised_at, broadcasts by when their round was queued, sent SMS by sent_at (the daemon's own
 * acts, on its own clock). Every query is a range on an index (schema 005 and 006), so a
 * year's report reads only the year's rows.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#include "report.h"

STORE_DOMAIN(report);

/* Up to N integer columns of the one row that Q returns for the bounds [A, B). 0 or -1. */
static int row_ints(struct sq *q, const char *a, const char *b, long long *out, int n,
                    const char *what)
{
	sqlite3_stmt *s = sq_bind(q, "ss", a, b);
	int rc;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			out[i] = sqlite3_column_int64(s, i);
	} else if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return sq_fail_rc(SQLITE_ERROR, what, "no row");
	}
	return sq_rows_end(s, rc, what, 0);
}

/* Rows (name, count) of Q for [A, B), added to C; into the chart bar LABEL instead when CH. */
static int keyed(struct sq *q, const char *a, const char *b, struct report_counts *c,
                 struct report_chart *ch, const char *label, const char *what)
{
	sqlite3_stmt *s = sq_bind(q, "ss", a, b);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		const char *name = sq_text(s, 0);
		long long n = sqlite3_column_int64(s, 1);
		int r = ch != NULL ? report_chart_add(ch, label, name, n)
		                   : report_counts_add(c, name ? name : "", n);

		if (r < 0) {
			sqlite3_reset(s);
			store_error_nomem(what);
			return -1;
		}
	}
	return sq_rows_end(s, rc, what, 0);
}

SQ(q_rep_tips, "SELECT count(*), coalesce(sum(status = 'valuable'), 0) FROM tips WHERE "
               "created_at >= ?1 AND created_at < ?2");
/* Statuses in their triage order; the other keyed counts largest first. */
SQ(q_rep_tips_status, "SELECT status, count(*) FROM tips WHERE created_at >= ?1 AND created_at "
                      "< ?2 GROUP BY status ORDER BY CASE status WHEN 'new' THEN 0 WHEN "
                      "'checking' THEN 1 WHEN 'valuable' THEN 2 WHEN 'false' THEN 3 ELSE 4 END");
SQ(q_rep_tips_category, "SELECT coalesce(category, ''), count(*) FROM tips WHERE created_at >= "
                        "?1 AND created_at < ?2 GROUP BY 1 ORDER BY 2 DESC, 1");
SQ(q_rep_tips_village, "SELECT coalesce(village, ''), count(*) FROM tips WHERE created_at >= ?1 "
                       "AND created_at < ?2 GROUP BY 1 ORDER BY 2 DESC, 1");
SQ(q_rep_awareness, "SELECT coalesce(sum(sessions), 0), coalesce(sum(participants), 0) FROM "
                    "awareness_sessions WHERE held_at >= ?1 AND held_at < ?2");
SQ(q_rep_patrols, "SELECT count(*), coalesce(sum(members), 0) FROM patrols WHERE started_at >= "
                  "?1 AND started_at < ?2");
SQ(q_rep_patrols_team, "SELECT team, count(*) FROM patrols WHERE started_at >= ?1 AND "
                       "started_at < ?2 GROUP BY team ORDER BY 2 DESC, 1");
SQ(q_rep_missed, "SELECT count(*) FROM alerts WHERE kind IN ('patrol_overdue', 'night_missed') "
                 "AND raised_at >= ?1 AND raised_at < ?2");
SQ(q_rep_tip_alerts, "SELECT coalesce(sum(kind = 'tip_new'), 0), coalesce(sum(kind = "
                     "'tip_escalated'), 0) FROM alerts WHERE kind IN ('tip_new', "
                     "'tip_escalated') AND raised_at >= ?1 AND raised_at < ?2");
SQ(q_rep_mediations, "SELECT count(*) FROM mediations WHERE created_at >= ?1 AND created_at < ?2");
/* A broadcast counts in the period its round was queued in (a recurring one once a period). */
SQ(q_rep_broadcasts, "SELECT count(DISTINCT broadcast_id), count(*), coalesce(sum(CASE WHEN "
                     "status = 'sent' THEN parts END), 0) FROM outbox WHERE broadcast_id IS NOT "
                     "NULL AND created_at >= ?1 AND created_at < ?2");
/* SMS only: a USSD menu tip has an inbox row too (channel ussd), counted with the tips. */
SQ(q_rep_sms_in, "SELECT count(*) FROM inbox WHERE smsc_time >= ?1 AND smsc_time < ?2 AND "
                 "channel = 'sms'");
SQ(q_rep_sms_out, "SELECT count(*), coalesce(sum(parts), 0) FROM outbox WHERE status = 'sent' "
                  "AND sent_at >= ?1 AND sent_at < ?2");

/* One period's figures into F (from/to already set). 0 or -1. */
static int figures(struct report_figures *f, const struct report_period *p)
{
	const char *a = p->start_utc, *b = p->end_utc;
	long long v[3];

	if (row_ints(&q_rep_tips, a, b, v, 2, "report tips") < 0)
		return -1;
	f->tips.received = v[0];
	f->tips.valuable = v[1];
	if (keyed(&q_rep_tips_status, a, b, &f->tips.by_status, NULL, NULL, "report status") < 0 ||
	    keyed(&q_rep_tips_category, a, b, &f->tips.by_category, NULL, NULL, "report category") <
	        0 ||
	    keyed(&q_rep_tips_village, a, b, &f->tips.by_village, NULL, NULL, "report village") < 0)
		return -1;
	if (row_ints(&q_rep_awareness, a, b, v, 2, "report awareness") < 0)
		return -1;
	f->awareness.sessions = v[0];
	f->awareness.participants = v[1];
	if (row_ints(&q_rep_patrols, a, b, v, 2, "report patrols") < 0)
		return -1;
	f->patrols.count = v[0];
	f->patrols.member_turns = v[1];
	if (keyed(&q_rep_patrols_team, a, b, &f->patrols.by_team, NULL, NULL, "report teams") < 0)
		return -1;
	if (row_ints(&q_rep_missed, a, b, v, 1, "report missed check-ins") < 0)
		return -1;
	f->missed_checkins = v[0];
	if (row_ints(&q_rep_tip_alerts, a, b, v, 2, "report tip alerts") < 0)
		return -1;
	f->tips.alerts = v[0];
	f->tips.escalated = v[1];
	if (row_ints(&q_rep_mediations, a, b, v, 1, "report mediations") < 0)
		return -1;
	f->mediations.count = v[0];
	if (row_ints(&q_rep_broadcasts, a, b, v, 3, "report broadcasts") < 0)
		return -1;
	f->broadcasts.count = v[0];
	f->broadcasts.recipients = v[1];
	f->broadcasts.parts = v[2];
	if (row_ints(&q_rep_sms_in, a, b, v, 1, "report sms received") < 0)
		return -1;
	f->sms.received = v[0];
	if (row_ints(&q_rep_sms_out, a, b, v, 2, "report sms sent") < 0)
		return -1;
	f->sms.sent = v[0];
	f->sms.parts_sent = v[1];
	return 0;
}

/* Tips per week (its Monday) by category, each week cut to P: the bars sum to by_category. */
static int chart_tips_weekly(struct report *r, const struct report_period *p)
{
	if (report_chart_weeks(&r->tips_weekly, p) < 0) {
		store_error_nomem("report chart");
		return -1;
	}
	for (size_t i = 0; i < r->tips_weekly.n; i++) {
		const char *monday = r->tips_weekly.v[i].label;
		char from[REPORT_DATE_LEN], to[REPORT_DATE_LEN];
		struct report_period w;

		if (report_date_add(monday, 6, to) < 0)
			return sq_fail_rc(SQLITE_ERROR, "report chart", "bad week");
		snprintf(from, sizeof from, "%s", strcmp(monday, p->from) < 0 ? p->from : monday);
		if (strcmp(to, p->to) > 0)
			snprintf(to, sizeof to, "%s", p->to);
		if (report_period_days(from, to, &w) < 0)
			return sq_fail_rc(SQLITE_ERROR, "report chart", "bad week");
		if (keyed(&q_rep_tips_category, w.start_utc, w.end_utc, NULL, &r->tips_weekly,
		          monday, "report chart tips") < 0)
			return -1;
	}
	return 0;
}

/* Participants per month for the 12 months up to P's end (the last one cut at P's end). */
static int chart_participants(struct report *r, const struct report_period *p)
{
	int y, m;
	char first[32];

	if (sscanf(p->to, "%4d-%2d", &y, &m) != 2)
		return sq_fail_rc(SQLITE_ERROR, "report chart", "bad date");
	m -= 11;
	if (m < 1) {
		m += 12;
		y--;
	}
	snprintf(first, sizeof first, "%04d-%02d-01", y, m);
	if (report_chart_months(&r->participants_monthly, first, p->to) < 0) {
		store_error_nomem("report chart");
		return -1;
	}
	for (size_t i = 0; i < r->participants_monthly.n; i++) {
		struct report_period mp;
		long long v[2];

		if (report_period_month(r->participants_monthly.v[i].label, &mp) < 0)
			return sq_fail_rc(SQLITE_ERROR, "report chart", "bad month");
		if (strcmp(mp.end_utc, p->end_utc) > 0)
			snprintf(mp.end_utc, sizeof mp.end_utc, "%s", p->end_utc);
		if (row_ints(&q_rep_awareness, mp.start_utc, mp.end_utc, v, 2,
		             "report chart participants") < 0)
			return -1;
		if (report_chart_add(&r->participants_monthly, r->participants_monthly.v[i].label,
		                     NULL, v[1]) < 0) {
			store_error_nomem("report chart");
			return -1;
		}
	}
	return 0;
}

int store_report_figures(struct report *r, const struct report_period *p)
{
	struct report_period prev;

	report_period_previous(p, &prev);
	report_set_period(r, p, &prev);
	return figures(&r->cur, p) < 0 || figures(&r->previous, &prev) < 0 ? -1 : 0;
}

int store_report_fill(struct report *r, const struct report_period *p)
{
	struct report_period prev;

	report_period_previous(p, &prev);
	report_set_period(r, p, &prev);
	if (figures(&r->cur, p) < 0 || figures(&r->previous, &prev) < 0 ||
	    chart_tips_weekly(r, p) < 0 || chart_participants(r, p) < 0)
		return -1;
	for (size_t i = 0; i < r->cur.patrols.by_team.n; i++) {
		const struct report_count *c = &r->cur.patrols.by_team.v[i];

		if (report_chart_add(&r->patrols_by_team, c->name, NULL, c->n) < 0) {
			store_error_nomem("report chart");
			return -1;
		}
	}
	return 0;
}
