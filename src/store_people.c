/* The store: people — contacts and their roles, teams, officers' PINs, broadcast groups. */
#include "store_int.h"

#include <string.h>

#include "ts.h"

static const char *const role_names[] = {
    [ROLE_VILLAGER] = "villager",
    [ROLE_LEADER] = "leader",
    [ROLE_OFFICER] = "officer",
};

const char *store_role_name(enum role r)
{
	return r >= ROLE_VILLAGER && r <= ROLE_OFFICER ? role_names[r] : NULL;
}

enum role store_role_parse(const char *s)
{
	for (int r = ROLE_VILLAGER; s != NULL && r <= ROLE_OFFICER; r++)
		if (strcmp(s, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_KEEP;
}

STORE_DOMAIN(people);

SQ(q_contact_get, "SELECT name, village, role, team, subscribed FROM contacts WHERE phone = ?1");

int store_contact_get(const char *phone, struct store_contact *c)
{
	sqlite3_stmt *s = sq_bind(&q_contact_get, "s", phone);
	int rc;

	memset(c, 0, sizeof *c);
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		c->found = 1;
		sq_copy(s, 0, c->name, sizeof c->name);
		sq_copy(s, 1, c->village, sizeof c->village);
		c->role = store_role_parse(sq_text(s, 2));
		if (c->role == ROLE_KEEP)
			c->role = ROLE_VILLAGER;
		sq_copy(s, 3, c->team, sizeof c->team);
		c->subscribed = sqlite3_column_int(s, 4);
	}
	return sq_rows_end(s, rc, "contact", 0);
}

SQ(q_team_ensure, "INSERT INTO teams (code, created_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING");

int sq_team_ensure(const char *code, const char *at)
{
	return sq_run(sq_bind(&q_team_ensure, "ss", code, at), "team") < 0 ? -1 : 0;
}

SQ(q_contact_upsert, "INSERT INTO contacts (phone, name, village, role, team, subscribed, "
                     "created_at, updated_at) VALUES (?1, ?2, nullif(?3, ''), coalesce(?4, "
                     "'villager'), nullif(?5, ''), "
                     "coalesce(?6, 1), ?7, ?7) ON CONFLICT (phone) DO UPDATE SET name = "
                     "coalesce(?2, name), village = CASE WHEN ?3 IS NULL THEN village ELSE "
                     "nullif(?3, '') END, role = coalesce(?4, role), team = CASE WHEN ?5 IS "
                     "NULL THEN team ELSE nullif(?5, '') END, subscribed = coalesce(?6, "
                     "subscribed), updated_at = ?7");

int store_contact_upsert(const char *phone, const char *name, const char *village, enum role role,
                         const char *team, int subscribed)
{
	char now[TS_LEN];

	ts_now(now);
	if (team != NULL && team[0] != '\0' && sq_team_ensure(team, now) < 0)
		return -1;
	return sq_run(sq_bind(&q_contact_upsert, "sssssLs", phone, name, village,
	                      store_role_name(role), team, (long)subscribed, now),
	              "contact") < 0
	           ? -1
	           : 0;
}

/* Its memberships of named groups go with it: they were given for this person. */
SQ(q_contact_rm, "DELETE FROM contacts WHERE phone = ?1");
SQ(q_contact_rm_groups, "DELETE FROM group_members WHERE phone = ?1");

int store_contact_remove(const char *phone)
{
	int n = sq_run(sq_bind(&q_contact_rm, "s", phone), "contact remove");

	if (n < 0 || sq_run(sq_bind(&q_contact_rm_groups, "s", phone), "contact groups") < 0)
		return -1;
	return n;
}

SQ(q_pin_get, "SELECT pin_hash, pin_failures, locked_until FROM contacts WHERE phone = ?1");

int store_pin_get(const char *phone, struct store_pin *st)
{
	sqlite3_stmt *s = sq_bind(&q_pin_get, "s", phone);
	int rc;

	memset(st, 0, sizeof *st);
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		st->found = 1;
		sq_copy(s, 0, st->hash, sizeof st->hash);
		st->failures = sqlite3_column_int(s, 1);
		sq_copy(s, 2, st->locked_until, sizeof st->locked_until);
	}
	return sq_rows_end(s, rc, "pin", 0);
}

SQ(q_pin_set, "UPDATE contacts SET pin_hash = ?2, pin_failures = 0, locked_until = NULL, "
              "updated_at = ?3 WHERE phone = ?1");

int store_pin_set(const char *phone, const char *hash)
{
	char now[TS_LEN];

	ts_now(now);
	return sq_run(sq_bind(&q_pin_set, "sss", phone, hash, now), "pin set");
}

SQ(q_pin_ok, "UPDATE contacts SET pin_failures = 0, locked_until = NULL WHERE phone = ?1");
SQ(q_pin_fail, "UPDATE contacts SET pin_failures = pin_failures + 1, locked_until = CASE WHEN "
               "pin_failures + 1 >= ?2 THEN ?3 ELSE locked_until END WHERE phone = ?1");

int store_pin_attempt(const char *phone, int ok, int lock_at, const char *lock_until)
{
	sqlite3_stmt *s = ok ? sq_bind(&q_pin_ok, "s", phone)
	                     : sq_bind(&q_pin_fail, "sis", phone, lock_at, lock_until);

	return sq_run(s, "pin attempt") < 0 ? -1 : 0;
}

/* Who is in group ?1, by its folded name: see GROUP_MEMBERS in store_int.h. */
SQ(q_group_count, "SELECT count(*)" GROUP_MEMBERS);

int store_group_count(const char *group)
{
	return (int)sq_int(sq_bind(&q_group_count, "s", group), "group count");
}

SQ(q_group_ensure, "INSERT INTO groups (name, created_at) VALUES (upper(?1), ?2) ON CONFLICT DO "
                   "NOTHING");
SQ(q_group_member_add, "INSERT INTO group_members (group_name, phone) VALUES (upper(?1), ?2) ON "
                       "CONFLICT DO NOTHING");

int store_group_add(const char *group, const char *phone)
{
	char now[TS_LEN];

	ts_now(now);
	if (sq_run(sq_bind(&q_group_ensure, "ss", group, now), "group") < 0)
		return -1;
	if (phone == NULL)
		return 0;
	return sq_run(sq_bind(&q_group_member_add, "ss", group, phone), "group member");
}

SQ(q_group_member_rm, "DELETE FROM group_members WHERE group_name = upper(?1) AND phone = ?2");
SQ(q_group_rm, "DELETE FROM groups WHERE name = upper(?1)");

int store_group_remove(const char *group, const char *phone)
{
	return sq_run(phone ? sq_bind(&q_group_member_rm, "ss", group, phone)
	                    : sq_bind(&q_group_rm, "s", group),
	              "group remove");
}

/* Times in local time (local_time, store.c), as every listing a person reads. */
SQ(q_list_contacts,
   "SELECT phone, name, village, role, team, subscribed, local_time(created_at) "
   "AS created_at, tip_alerts FROM contacts WHERE ?1 IS NULL OR role = ?1 ORDER BY village, "
   "name, phone LIMIT ?2");

int store_list_contacts(const char *role, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_contacts, "si", role, limit > 0 ? limit : -1), fn, ctx,
	                   "contacts");
}

SQ(q_list_group_members,
   "SELECT c.phone, c.name, c.village, c.role, c.team" GROUP_MEMBERS " ORDER BY c.phone LIMIT ?2");

int store_list_group_members(const char *group, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_group_members, "si", group, limit > 0 ? limit : -1), fn,
	                   ctx, "group members");
}

SQ(q_list_groups, "SELECT g.name, count(m.phone) AS members FROM groups g LEFT JOIN group_members "
                  "m ON m.group_name = g.name GROUP BY g.name ORDER BY g.name LIMIT ?1");

int store_list_groups(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_groups, "i", limit > 0 ? limit : -1), fn, ctx, "groups");
}

SQ(q_team_nights, "UPDATE teams SET nights = CASE WHEN ?4 THEN nights ELSE ?2 END, night_by = "
                  "coalesce(?3, night_by, '21:00') WHERE code = ?1");

int store_team_set_nights(const char *team, const char *nights, const char *by, int keep_nights)
{
	char now[TS_LEN];

	ts_now(now);
	if (sq_team_ensure(team, now) < 0)
		return -1;
	return sq_run(sq_bind(&q_team_nights, "sssi", team,
	                      nights != NULL && nights[0] != '\0' ? nights : NULL, by, keep_nights),
	              "team nights") < 0
	           ? -1
	           : 0;
}

/* Leaders and members from the contacts; an open patrol's start in local time. */
SQ(q_list_teams, "SELECT t.code, t.nights, t.night_by, (SELECT group_concat(c.phone, ' ') FROM "
                 "contacts c WHERE upper(c.team) = t.code AND c.role = 'leader') AS leaders, "
                 "(SELECT count(*) FROM contacts c WHERE upper(c.team) = t.code) AS members, "
                 "(SELECT local_time(max(p.started_at)) FROM patrols p WHERE p.team = t.code AND "
                 "p.ended_at IS NULL) AS out_since FROM teams t ORDER BY t.code LIMIT ?1");

int store_list_teams(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_list_teams, "i", limit > 0 ? limit : -1), fn, ctx, "teams");
}

/*
 * The console's people: a search in the name (folded, as fold_key: "nguyen van" finds "Nguyễn
 * Văn A") or the number (without its leading + or 0: "0912" finds +84912...), and filters.
 */
#define PEOPLE_WHERE                                                                               \
	" FROM contacts c WHERE (?1 IS NULL OR instr(fold_key(c.name), fold_key(?1)) > 0 OR "      \
	"instr(c.phone, ltrim(?1, '+0')) > 0) AND (?2 IS NULL OR c.role = ?2) AND (?3 IS NULL OR " \
	"upper(c.team) = upper(?3)) AND (?4 IS NULL OR fold_key(c.village) = fold_key(?4)) AND "   \
	"(?5 < 0 OR c.subscribed = ?5)"

SQ(q_people, "SELECT c.phone, c.name, c.village, c.role, c.team, c.subscribed, c.pin_hash IS "
             "NOT NULL AS has_pin" PEOPLE_WHERE " ORDER BY c.village, c.name, c.phone LIMIT ?6 "
             "OFFSET ?7");
SQ(q_people_count, "SELECT count(*)" PEOPLE_WHERE);

int store_list_people(const struct store_people_filter *f, int limit, int offset, store_row_fn fn,
                      void *ctx)
{
	return sq_each_row(sq_bind(&q_people, "ssssiii", f->search, f->role, f->team, f->village,
	                           f->subscribed, limit > 0 ? limit : -1, offset),
	                   fn, ctx, "people");
}

int64_t store_people_count(const struct store_people_filter *f)
{
	return sq_int(sq_bind(&q_people_count, "ssssi", f->search, f->role, f->team, f->village,
	                      f->subscribed),
	              "people count");
}

SQ(q_contact_villages, "SELECT village, count(*) AS people FROM contacts WHERE village IS NOT "
                       "NULL AND village <> '' GROUP BY village ORDER BY village LIMIT ?1");

int store_list_contact_villages(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_contact_villages, "i", limit > 0 ? limit : -1), fn, ctx,
	                   "villages");
}

/* A named group's own rows, whoever they are (not only subscribed contacts): the console's
 * list to take members out of. */
SQ(q_named_group_members, "SELECT m.phone, c.name, c.village, c.subscribed FROM group_members m "
                          "LEFT JOIN contacts c ON c.phone = m.phone WHERE m.group_name = "
                          "upper(?1) ORDER BY c.name, m.phone LIMIT ?2");

int store_list_named_group_members(const char *group, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_named_group_members, "si", group, limit > 0 ? limit : -1), fn,
	                   ctx, "named group members");
}

SQ(q_contact_tip_alerts, "UPDATE contacts SET tip_alerts = ?2, updated_at = ?3 WHERE phone = ?1");

int store_contact_tip_alerts(const char *phone, const char *which, const char *now)
{
	return sq_run(sq_bind(&q_contact_tip_alerts, "sss", phone, which, now), "tip alerts") < 0
	           ? -1
	           : 0;
}
