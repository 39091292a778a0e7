/*
 * The store: the officers' web console (issue 23) — accounts on officers' contacts, sessions
 * (only the token's hash is kept), the audit of console changes, and the tip list's page.
 */
#include "store_int.h"

#include <string.h>

STORE_DOMAIN(console);

SQ(q_console_account, "SELECT c.id, c.role, coalesce(c.name, ''), a.password_hash, a.admin, "
                      "a.disabled, a.failed_tries, coalesce(a.locked_until, '') FROM contacts c "
                      "LEFT JOIN console_accounts a ON a.contact_id = c.id WHERE c.phone = ?1");

int store_console_account_get(const char *phone, struct store_console_account *a)
{
	sqlite3_stmt *s = sq_bind(&q_console_account, "s", phone);
	int rc;

	memset(a, 0, sizeof *a);
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		a->contact_found = 1;
		a->contact_id = sqlite3_column_int64(s, 0);
		a->officer = strcmp(sq_text(s, 1) ? sq_text(s, 1) : "", "officer") == 0;
		sq_copy(s, 2, a->name, sizeof a->name);
		a->found = sqlite3_column_type(s, 3) != SQLITE_NULL;
		sq_copy(s, 3, a->hash, sizeof a->hash);
		a->admin = sqlite3_column_int(s, 4);
		a->disabled = sqlite3_column_int(s, 5);
		a->failed_tries = sqlite3_column_int(s, 6);
		sq_copy(s, 7, a->locked_until, sizeof a->locked_until);
	}
	return sq_rows_end(s, rc, "console account", 0);
}

SQ(q_console_password,
   "INSERT INTO console_accounts (contact_id, password_hash, admin, created_at, "
   "updated_at) VALUES (?1, ?2, max(?3, 0), ?4, ?4) ON CONFLICT (contact_id) "
   "DO UPDATE SET password_hash = ?2, admin = CASE WHEN ?3 < 0 THEN admin "
   "ELSE ?3 END, disabled = 0, failed_tries = 0, locked_until = NULL, "
   "updated_at = ?4");
/* A new password ends every session of the account: whoever knew the old one is out. */
SQ(q_console_sessions_of, "DELETE FROM console_sessions WHERE contact_id = ?1");

int store_console_password_set(int64_t contact_id, const char *hash, int admin, const char *at)
{
	if (sq_run(sq_bind(&q_console_password, "Isis", contact_id, hash, admin, at),
	           "console password") < 0)
		return -1;
	if (sq_run(sq_bind(&q_console_sessions_of, "I", contact_id), "console sessions") < 0)
		return -1;
	sq_scrub_after_commit();
	return 0;
}

SQ(q_console_login_ok, "UPDATE console_accounts SET failed_tries = 0, locked_until = NULL WHERE "
                       "contact_id = ?1");
SQ(q_console_login_fail, "UPDATE console_accounts SET failed_tries = CASE WHEN failed_tries + 1 "
                         ">= ?2 THEN 0 ELSE failed_tries + 1 END, locked_until = CASE WHEN "
                         "failed_tries + 1 >= ?2 THEN ?3 ELSE locked_until END WHERE "
                         "contact_id = ?1");

int store_console_login_attempt(int64_t contact_id, int ok, int lock_at, const char *lock_until)
{
	sqlite3_stmt *s =
	    ok ? sq_bind(&q_console_login_ok, "I", contact_id)
	       : sq_bind(&q_console_login_fail, "Iis", contact_id, lock_at, lock_until);

	return sq_run(s, "console login") < 0 ? -1 : 0;
}

SQ(q_console_session_add, "INSERT INTO console_sessions (token_hash, contact_id, csrf, created_at, "
                          "last_seen) VALUES (?1, ?2, ?3, ?4, ?4)");

int store_console_session_add(const char *token_hash, int64_t contact_id, const char *csrf,
                              const char *at)
{
	return sq_run(sq_bind(&q_console_session_add, "sIss", token_hash, contact_id, csrf, at),
	              "console session") < 0
	           ? -1
	           : 0;
}

/* A session counts only while its account is an enabled officer's and it was seen lately. */
SQ(q_console_session_get,
   "SELECT s.contact_id, c.phone, coalesce(c.name, ''), a.admin, s.csrf, s.last_seen FROM "
   "console_sessions s "
   "JOIN contacts c ON c.id = s.contact_id JOIN console_accounts a ON a.contact_id = "
   "s.contact_id WHERE s.token_hash = ?1 AND s.last_seen >= ?2 AND a.disabled = 0 AND c.role = "
   "'officer'");

int store_console_session_get(const char *token_hash, const char *idle_cutoff,
                              struct store_console_session *out)
{
	sqlite3_stmt *s = sq_bind(&q_console_session_get, "ss", token_hash, idle_cutoff);
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW) {
		out->found = 1;
		out->contact_id = sqlite3_column_int64(s, 0);
		sq_copy(s, 1, out->phone, sizeof out->phone);
		sq_copy(s, 2, out->name, sizeof out->name);
		out->admin = sqlite3_column_int(s, 3);
		sq_copy(s, 4, out->csrf, sizeof out->csrf);
		sq_copy(s, 5, out->last_seen, sizeof out->last_seen);
	}
	return sq_rows_end(s, rc, "console session", 0);
}

SQ(q_console_session_touch, "UPDATE console_sessions SET last_seen = ?2 WHERE token_hash = ?1");

int store_console_session_touch(const char *token_hash, const char *at)
{
	return sq_run(sq_bind(&q_console_session_touch, "ss", token_hash, at), "console session") <
	               0
	           ? -1
	           : 0;
}

SQ(q_console_session_end, "DELETE FROM console_sessions WHERE token_hash = ?1");

int store_console_session_end(const char *token_hash)
{
	return sq_run(sq_bind(&q_console_session_end, "s", token_hash), "console logout") < 0 ? -1
	                                                                                      : 0;
}

SQ(q_console_sessions_expire, "DELETE FROM console_sessions WHERE last_seen < ?1");

int store_console_sessions_expire(const char *idle_cutoff)
{
	return sq_run(sq_bind(&q_console_sessions_expire, "s", idle_cutoff), "console sessions");
}

SQ(q_console_audit, "INSERT INTO console_audit (at, by, action, subject, detail) VALUES (?1, ?2, "
                    "?3, ?4, ?5)");

int store_console_audit(const char *at, const char *by, const char *action, const char *subject,
                        const char *detail)
{
	return sq_run(sq_bind(&q_console_audit, "sssss", at, by, action, subject, detail),
	              "console audit") < 0
	           ? -1
	           : 0;
}

SQ(q_console_audit_list, "SELECT at, by, action, subject, detail FROM console_audit WHERE ?1 IS "
                         "NULL OR subject = ?1 OR (?1 = 'accounts' AND (action LIKE 'account%' "
                         "OR action = 'passwd')) ORDER BY id DESC LIMIT ?2");

int store_list_console_audit(const char *subject, int limit, store_row_fn fn, void *ctx)
{
	return sq_each_row(sq_bind(&q_console_audit_list, "si", subject, limit > 0 ? limit : -1),
	                   fn, ctx, "console audit");
}

/*
 * The console's tip list: newest first, filtered as `tipline tips` is, plus a text search in
 * the tip's text and its supplements (those searched once per query, not once per tip; a plain
 * substring, case-insensitive for ASCII; LIKE's own wildcards in the words are escaped), a
 * page of LIMIT rows after OFFSET. An anonymous tip's sender is never selected.
 */
/* The list's filters, ?1 to ?6, shared by the page, its count and the live query. */
#define CONSOLE_TIPS_WHERE                                                                         \
	"(?1 IS NULL OR t.created_at >= ?1) AND (?2 IS NULL OR t.created_at < ?2) AND (?3 IS "     \
	"NULL OR t.status = ?3) AND (?4 IS NULL OR coalesce(t.category, '') = ?4) AND (?5 IS "     \
	"NULL OR fold_key(t.village) = fold_key(?5)) AND (?6 IS NULL OR t.text LIKE ?6 ESCAPE "    \
	"'\\' OR t.id IN (SELECT s.tip_id FROM tip_supplements s WHERE s.text LIKE ?6 "            \
	"ESCAPE '\\'))"
#define CONSOLE_TIPS_COLUMNS                                                                       \
	"SELECT t.ref, t.created_at, t.anonymous, t.category, t.village, t.status, t.text, "       \
	"(SELECT count(*) FROM tip_supplements s WHERE s.tip_id = t.id) AS supplements, t.id "     \
	"FROM tips t WHERE "

SQ(q_console_tips, CONSOLE_TIPS_COLUMNS CONSOLE_TIPS_WHERE
   " ORDER BY t.created_at DESC, t.id DESC LIMIT ?7 OFFSET ?8");
/* The live list: tips filed after tip AFTER_ID, by their id (a range of the rowid: cheap
 * however many tips there are, run every few seconds by each open list). */
SQ(q_console_tips_after,
   CONSOLE_TIPS_COLUMNS "t.id > ?8 AND " CONSOLE_TIPS_WHERE " ORDER BY t.id DESC LIMIT ?7");

/* SEARCH as a LIKE pattern into LIKE[512]: %word%, its own % _ \\ escaped. */
static const char *like_of(const char *search, char like[512])
{
	size_t k = 0;

	if (search == NULL)
		return NULL;
	like[k++] = '%';
	for (const char *p = search; *p != '\0' && k + 4 < 512; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			like[k++] = '\\';
		like[k++] = *p;
	}
	like[k++] = '%';
	like[k] = '\0';
	return like;
}

/*
 * The list by status alone (the overview's new tips, "checking", "valuable"): the shared
 * query's "?3 IS NULL OR status = ?3" is planned once without the value and walks every tip
 * by date; this one walks tips_status_created (023) from the status's newest.
 */
SQ(q_console_tips_status,
   CONSOLE_TIPS_COLUMNS "t.status = ?1 ORDER BY t.created_at DESC, t.id DESC LIMIT ?2 OFFSET ?3");
SQ(q_console_tips_status_count, "SELECT count(*) FROM tips WHERE status = ?1");

/* F filters by status and nothing else, SEARCH none. */
static int status_only(const struct store_tip_filter *f, const char *search)
{
	return f->status != NULL && f->since == NULL && f->until == NULL && f->category == NULL &&
	       f->village == NULL && search == NULL;
}

int store_console_tips(const struct store_tip_filter *f, const char *search, int limit, int offset,
                       store_row_fn fn, void *ctx)
{
	char like[512];

	if (status_only(f, search))
		return sq_each_row(sq_bind(&q_console_tips_status, "sii", f->status, limit, offset),
		                   fn, ctx, "console tips");
	search = like_of(search, like);
	return sq_each_row(sq_bind(&q_console_tips, "ssssssii", f->since, f->until, f->status,
	                           f->category, f->village, search, limit, offset),
	                   fn, ctx, "console tips");
}

int store_console_tips_after(const struct store_tip_filter *f, const char *search, int64_t after_id,
                             int limit, store_row_fn fn, void *ctx)
{
	char like[512];

	search = like_of(search, like);
	return sq_each_row(sq_bind(&q_console_tips_after, "ssssssiI", f->since, f->until, f->status,
	                           f->category, f->village, search, limit, after_id),
	                   fn, ctx, "console tips");
}

SQ(q_console_tip_last, "SELECT coalesce(max(id), 0) FROM tips");

int64_t store_console_tip_last_id(void)
{
	return sq_int(sq_bind(&q_console_tip_last, ""), "last tip");
}

/* One village after the other through tips_village (023): a look-up per village, however many
 * tips name it. */
SQ(q_console_villages,
   "WITH RECURSIVE v(name) AS (SELECT min(village) FROM tips WHERE village > '' UNION ALL "
   "SELECT (SELECT min(village) FROM tips WHERE village > v.name) FROM v WHERE v.name IS NOT "
   "NULL) SELECT name FROM v WHERE name IS NOT NULL LIMIT ?2");

int store_console_villages(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	(void)unused;
	return sq_each_row(sq_bind(&q_console_villages, "si", NULL, limit > 0 ? limit : -1), fn,
	                   ctx, "villages");
}

SQ(q_console_tip_set, "UPDATE tips SET category = coalesce(?2, category), village = CASE WHEN ?3 "
                      "IS NULL THEN village WHEN ?3 = '' THEN NULL ELSE ?3 END WHERE id = ?1");

int store_console_tip_set(int64_t tip_id, const char *category, const char *village)
{
	return sq_run(sq_bind(&q_console_tip_set, "Iss", tip_id, category, village), "tip set");
}

SQ(q_console_tips_count, "SELECT count(*) FROM tips t WHERE " CONSOLE_TIPS_WHERE);

int64_t store_console_tips_count(const struct store_tip_filter *f, const char *search)
{
	char like[512];

	if (status_only(f, search))
		return sq_int(sq_bind(&q_console_tips_status_count, "s", f->status),
		              "console tips count");
	return sq_int(sq_bind(&q_console_tips_count, "ssssss", f->since, f->until, f->status,
	                      f->category, f->village, like_of(search, like)),
	              "console tips count");
}

/* Patrols under way: started, not ended; the oldest first. */
SQ(q_console_patrols_open, "SELECT team, leader, started_at, members, notes FROM patrols WHERE "
                           "ended_at IS NULL ORDER BY started_at LIMIT ?2");

int store_console_patrols_open(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	(void)unused;
	return sq_each_row(sq_bind(&q_console_patrols_open, "si", NULL, limit > 0 ? limit : -1), fn,
	                   ctx, "patrols under way");
}

/* Officers and their console accounts, for the admins' page. */
SQ(q_console_accounts, "SELECT c.phone, coalesce(c.name, '') AS name, a.contact_id IS NOT NULL AS "
                       "has_password, coalesce(a.admin, 0) AS admin, coalesce(a.disabled, 0) AS "
                       "disabled, a.locked_until FROM contacts c LEFT JOIN console_accounts a ON "
                       "a.contact_id = c.id WHERE c.role = 'officer' ORDER BY c.name, c.phone "
                       "LIMIT ?2");

int store_console_accounts(const char *unused, int limit, store_row_fn fn, void *ctx)
{
	(void)unused;
	return sq_each_row(sq_bind(&q_console_accounts, "si", NULL, limit > 0 ? limit : -1), fn,
	                   ctx, "console accounts");
}

SQ(q_console_disable, "UPDATE console_accounts SET disabled = ?2, updated_at = ?3 WHERE "
                      "contact_id = ?1");

int store_console_set_disabled(int64_t contact_id, int disabled, const char *at)
{
	int n =
	    sq_run(sq_bind(&q_console_disable, "Iis", contact_id, disabled, at), "console account");

	if (n > 0 && disabled &&
	    sq_run(sq_bind(&q_console_sessions_of, "I", contact_id), "console sessions") < 0)
		return -1;
	return n;
}

SQ(q_console_admin,
   "UPDATE console_accounts SET admin = ?2, updated_at = ?3 WHERE contact_id = ?1");

int store_console_set_admin(int64_t contact_id, int admin, const char *at)
{
	return sq_run(sq_bind(&q_console_admin, "Iis", contact_id, admin, at), "console account");
}

/*
 * The console's connection reads a year of tips per page: a page cache of 16 MB (not
 * SQLite's 2 MB, which a year's overview overflows, re-reading its pages from the kernel at
 * each request) and the file mapped for reading (no copy per page; writes still go through
 * the WAL). PRAGMAs take no parameters: both values are our constants.
 */
int store_console_tune(void)
{
	if (sqlite3_exec(store_db, "PRAGMA cache_size = -16384", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(store_db, "PRAGMA mmap_size = 268435456", NULL, NULL, NULL) != SQLITE_OK)
		return sq_fail_rc(sqlite3_errcode(store_db), "console", sqlite3_errmsg(store_db));
	return 0;
}
