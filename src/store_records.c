/* The store: what team leaders report — patrols, awareness sessions, mediations. */
#include "store_int.h"

STORE_DOMAIN(records);

SQ(q_patrol_start, "INSERT INTO patrols (team, leader, started_at, members, notes, "
                   "start_inbox_id, start_read_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");

int store_patrol_start(const char *team, const char *leader, long members, const char *notes,
                       int64_t inbox_id, const char *at, const char *read_at)
{
	if (sq_team_ensure(team, at) < 0 || sq_run(sq_bind(&q_patrol_start, "sssLsIs", team, leader,
	                                                   at, members, notes, inbox_id, read_at),
	                                           "patrol") < 0)
		return -1;
	return 0;
}

SQ(q_patrol_open, "SELECT id, CAST(round((julianday(?2) - julianday(started_at)) * 1440) AS "
                  "INTEGER) FROM patrols WHERE team = ?1 AND ended_at IS NULL ORDER BY "
                  "started_at DESC, id DESC LIMIT 1");
SQ(q_patrol_end, "UPDATE patrols SET ended_at = ?2, end_notes = ?3, end_inbox_id = ?4, "
                 "end_read_at = ?5 WHERE id = ?1");

int store_patrol_end(const char *team, const char *notes, int64_t inbox_id, const char *at,
                     const char *read_at, long *minutes)
{
	sqlite3_stmt *s = sq_bind(&q_patrol_open, "ss", team, at);
	int64_t id = 0;
	int rc;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		*minutes = (long)sqlite3_column_int64(s, 1);
	}
	if (sq_rows_end(s, rc, "patrol open", 0) < 0)
		return -1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_run(sq_bind(&q_patrol_end, "IssIs", id, at, notes, inbox_id, read_at),
	              "patrol end") < 0
	           ? -1
	           : 1;
}

SQ(q_awareness_insert, "INSERT INTO awareness_sessions (inbox_id, reporter, team, participants, "
                       "notes, held_at, read_at, sessions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                       "?8)");

int store_awareness_insert(int64_t inbox_id, const char *reporter, const char *team, long sessions,
                           long participants, const char *notes, const char *at,
                           const char *read_at)
{
	return sq_run(sq_bind(&q_awareness_insert, "Isslsssl", inbox_id, reporter, team,
	                      participants, notes, at, read_at, sessions),
	              "awareness") < 0
	           ? -1
	           : 0;
}

SQ(q_mediation_insert, "INSERT INTO mediations (inbox_id, reporter, team, notes, created_at, "
                       "read_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
SQ(q_mediation_ref, "UPDATE mediations SET ref = 'H' || id WHERE id = ?1 RETURNING ref");

int store_mediation_insert(int64_t inbox_id, const char *reporter, const char *team,
                           const char *notes, const char *at, const char *read_at, char ref[16])
{
	if (sq_run(sq_bind(&q_mediation_insert, "Isssss", inbox_id, reporter, team, notes, at,
	                   read_at),
	           "mediation") < 0)
		return -1;
	return sq_ref(sq_bind(&q_mediation_ref, "I", sq_last_id()), ref);
}

SQ(q_list_patrols, "SELECT id, team, leader, started_at, ended_at, members, notes, end_notes "
                   "FROM patrols WHERE ?1 IS NULL OR started_at >= ?1 ORDER BY id LIMIT ?2");

int store_list_patrols(const char *since, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_patrols, "si", since, limit > 0 ? limit : -1), fn, ctx,
	                   "patrols");
}
