/*
 * The store: what the daemon watches for the officers — missed check-in alerts (a patrol out
 * too long, an expected night without a patrol) and the status table (clock skew, ...).
 * An alert is one row per (kind, subject): raising it twice is a no-op, which is what makes
 * an alert fire once, across restarts too. Rules in store_int.h.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

STORE_DOMAIN(alerts);

/* Open patrols started at or before ?1 that have no overdue alert yet. */
SQ(q_patrols_overdue, "SELECT p.id, p.team, p.started_at FROM patrols p WHERE p.ended_at IS NULL "
                      "AND p.started_at <= ?1 AND NOT EXISTS (SELECT 1 FROM alerts a WHERE "
                      "a.kind = 'patrol_overdue' AND a.subject = CAST(p.id AS TEXT)) ORDER BY "
                      "p.id LIMIT 64");

int store_patrols_overdue(const char *before,
                          int (*fn)(int64_t id, const char *team, const char *started_at,
                                    void *arg),
                          void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_patrols_overdue, "s", before);
	/* Collected first: FN writes (alerts, outbox), which must not happen mid-scan. */
	struct {
		int64_t id;
		char team[32], started_at[20];
	} rows[64];
	int n = 0, rc = SQLITE_DONE;

	if (s == NULL)
		return -1;
	while (n < 64 && (rc = sq_step(s)) == SQLITE_ROW) {
		rows[n].id = sqlite3_column_int64(s, 0);
		sq_copy(s, 1, rows[n].team, sizeof rows[n].team);
		sq_copy(s, 2, rows[n].started_at, sizeof rows[n].started_at);
		n++;
	}
	if (sq_rows_end(s, rc, "overdue patrols", 0) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (fn(rows[i].id, rows[i].team, rows[i].started_at, arg) != 0)
			return -1;
	return n;
}

SQ(q_alert_raise, "INSERT INTO alerts (kind, subject, raised_at, detail) VALUES (?1, ?2, ?3, ?4) "
                  "ON CONFLICT (kind, subject) DO NOTHING");

int store_alert_raise(const char *kind, const char *subject, const char *detail, const char *now,
                      int64_t *id)
{
	int n = sq_run(sq_bind(&q_alert_raise, "ssss", kind, subject, now, detail), "alert");

	if (n <= 0)
		return n;
	*id = sq_last_id();
	return 1;
}

/*
 * One SMS per recipient, priority 0 (with the replies, before broadcasts): for a patrol
 * (?5 > 0), the team's leaders and whoever started it, and for every alert the officers.
 * UNION: someone who is both gets one. Every contact, subscribed or not: HUY stops broadcasts,
 * not the duty messages of a leader or an officer.
 */
SQ(q_alert_queue, "INSERT INTO outbox (recipient, text, priority, kind, created_at, not_before, "
                  "updated_at, alert_id) SELECT phone, ?2, 0, 'alert', ?3, ?3, ?3, ?1 FROM "
                  "(SELECT phone FROM contacts WHERE ?5 > 0 AND role = 'leader' AND upper(team) "
                  "= upper(?4) UNION SELECT leader FROM patrols WHERE ?5 > 0 AND id = ?5 UNION "
                  "SELECT phone FROM contacts WHERE role = 'officer') ORDER BY phone");
SQ(q_alert_sent, "UPDATE alerts SET sent_at = ?2 WHERE id = ?1");

int store_alert_queue(int64_t alert_id, const char *text, const char *team, int64_t patrol_id,
                      const char *now)
{
	int n = sq_run(sq_bind(&q_alert_queue, "Isssl", alert_id, text, now, team ? team : "",
	                       (long)patrol_id),
	               "alert queue");

	if (n < 0)
		return -1;
	if (n > 0 && sq_run(sq_bind(&q_alert_sent, "Is", alert_id, now), "alert sent") < 0)
		return -1;
	return n;
}

SQ(q_teams_nights, "SELECT code, nights, coalesce(night_by, '21:00') FROM teams WHERE nights IS "
                   "NOT NULL AND nights <> '' ORDER BY code LIMIT 256");

int store_teams_nights(int (*fn)(const char *team, const char *nights, const char *by, void *arg),
                       void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_teams_nights, "");
	/* Collected first, as store_patrols_overdue (26 KB of stack). */
	struct {
		char code[32], nights[64], by[8];
	} rows[256];
	int n = 0, rc = SQLITE_DONE;

	if (s == NULL)
		return -1;
	while (n < 256 && (rc = sq_step(s)) == SQLITE_ROW) {
		sq_copy(s, 0, rows[n].code, sizeof rows[n].code);
		sq_copy(s, 1, rows[n].nights, sizeof rows[n].nights);
		sq_copy(s, 2, rows[n].by, sizeof rows[n].by);
		n++;
	}
	if (sq_rows_end(s, rc, "team nights", 0) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (fn(rows[i].code, rows[i].nights, rows[i].by, arg) != 0)
			return -1;
	return n;
}

SQ(q_alert_exists, "SELECT count(*) FROM alerts WHERE kind = ?1 AND subject = ?2");

int store_alert_exists(const char *kind, const char *subject)
{
	return (int)sq_int(sq_bind(&q_alert_exists, "ss", kind, subject), "alert exists");
}

SQ(q_patrols_started, "SELECT count(*) FROM patrols WHERE upper(team) = upper(?1) AND started_at "
                      ">= ?2 AND started_at <= ?3");

int store_patrols_started(const char *team, const char *from, const char *to)
{
	return (int)sq_int(sq_bind(&q_patrols_started, "sss", team, from, to), "patrols started");
}

/* Times local; recipients and sent counted from the alert's outbox rows. */
SQ(q_list_alerts, "SELECT a.id, a.kind, a.subject, local_time(a.raised_at) AS raised_at, "
                  "local_time(a.sent_at) AS sent_at, count(o.id) AS recipients, "
                  "coalesce(sum(o.status = 'sent'), 0) AS sent, a.detail FROM alerts a LEFT "
                  "JOIN outbox o ON o.alert_id = a.id GROUP BY a.id ORDER BY a.id LIMIT ?1");

int store_list_alerts(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_alerts, "i", limit > 0 ? limit : -1), fn, ctx, "alerts");
}

/* The console's last alerts: newest first, times local. */
SQ(q_list_alerts_recent, "SELECT a.kind, a.subject, local_time(a.raised_at) AS raised_at, "
                         "local_time(a.sent_at) AS sent_at, a.detail FROM alerts a ORDER BY "
                         "a.id DESC LIMIT ?1");

int store_list_alerts_recent(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_alerts_recent, "i", limit > 0 ? limit : -1), fn, ctx,
	                   "alerts recent");
}
