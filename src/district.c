/*
 * The district's PostgreSQL: see district.h. <libpq-fe.h> stays in this file, as <sqlite3.h>
 * stays in the store. Every value goes as a bound parameter; identifiers (tables, columns)
 * come from sync.h's fixed list, and a role's name and password, which PostgreSQL cannot take
 * as parameters in CREATE ROLE, are quoted by libpq (PQescapeIdentifier, PQescapeLiteral).
 */
#include "district.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "config.h"
#include "report.h"
#include "report_district.h"
#include "sync.h"

struct district {
	PGconn *conn;
	int prepared; /* the push statements are prepared on this connection */
};

/* ERR = the printf text, then ": " and the connection's last error (its first line). -1. */
static int fail(struct district *d, char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct district *d, char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	if (d != NULL && d->conn != NULL && PQerrorMessage(d->conn)[0] != '\0') {
		n = strlen(err);
		snprintf(err + n, errsz - n, ": %s", PQerrorMessage(d->conn));
	}
	n = strcspn(err, "\n");
	err[n] = '\0';
	return -1;
}

struct district *district_connect(const char *conninfo, char *err, size_t errsz)
{
	/* Our defaults first: the connection string, expanded after them, may override them.
	 * tcp_user_timeout: a 3G link that drops silently fails a send in 30 s, not in 15 min. */
	const char *keys[] = {"connect_timeout", "tcp_user_timeout", "dbname", NULL};
	const char *vals[] = {"5", "30000", conninfo, NULL};
	struct district *d = calloc(1, sizeof *d);
	PGresult *res;

	if (d == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK) {
		fail(d, err, errsz, "cannot reach the district");
		goto fail;
	}
	/* A statement that hangs (a lock held at the district) must not hold the commune's loop. */
	res = PQexec(d->conn, "SET statement_timeout = '30s'; SET client_min_messages = warning");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		fail(d, err, errsz, "the district refused the session");
		goto fail;
	}
	PQclear(res);
	return d;
fail:
	district_close(d);
	return NULL;
}

void district_close(struct district *d)
{
	if (d == NULL)
		return;
	if (d->conn != NULL)
		PQfinish(d->conn);
	free(d);
}

/* Run SQL (no parameters, no rows). 0, or -1 with ERR "WHAT: why". */
static int exec(struct district *d, const char *sql, const char *what, char *err, size_t errsz)
{
	PGresult *res = PQexec(d->conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

	PQclear(res);
	return ok ? 0 : fail(d, err, errsz, "%s", what);
}

/* --- push --- */

/* The statement for C into BUF: an upsert keyed by (node, first column) or a delete. */
static void change_sql(const struct sync_change *c, char *buf, size_t sz)
{
	const struct sync_table *t = c->t;
	size_t n;

	if (c->del) {
		snprintf(buf, sz, "DELETE FROM tipline.%s WHERE node = $1 AND %s = $2", t->name,
		         t->cols[0]);
		return;
	}
	n = (size_t)snprintf(buf, sz, "INSERT INTO tipline.%s (node", t->name);
	for (int i = 0; i < t->ncols && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, ", %s", t->cols[i]);
	n += (size_t)snprintf(buf + n, sz - n, ") VALUES ($1");
	for (int i = 0; i < t->ncols && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, ", $%d", i + 2);
	n += (size_t)snprintf(buf + n, sz - n, ") ON CONFLICT (node, %s) DO UPDATE SET ",
	                      t->cols[0]);
	for (int i = 1; i < t->ncols && n < sz; i++)
		n += (size_t)snprintf(buf + n, sz - n, "%s%s = EXCLUDED.%s", i > 1 ? ", " : "",
		                      t->cols[i], t->cols[i]);
}

/* Prepare every table's upsert ("u_TABLE") and delete ("d_TABLE") once per connection: a
 * year's first sync is 160,000 statements, and a parse and plan each is most of its time. */
static int prepare(struct district *d, char *err, size_t errsz)
{
	char sql[2048], name[64];

	for (int i = 0; i < sync_ntables && !d->prepared; i++)
		for (int del = 0; del <= 1; del++) {
			struct sync_change c = {.t = &sync_tables[i], .del = del};
			PGresult *res;
			int ok;

			change_sql(&c, sql, sizeof sql);
			snprintf(name, sizeof name, "%c_%s", del ? 'd' : 'u', sync_tables[i].name);
			res = PQprepare(d->conn, name, sql, 0, NULL);
			ok = PQresultStatus(res) == PGRES_COMMAND_OK;
			PQclear(res);
			if (!ok)
				return fail(d, err, errsz,
				            "the district's tables (has `tipline district "
				            "init` run?)");
		}
	d->prepared = 1;
	return 0;
}

int district_push(struct district *d, const char *node, const struct sync_batch *b, char *err,
                  size_t errsz)
{
	char name[64], seq[32], first_error[512] = "";
	const char *params[SYNC_MAX_COLS + 1];
	int failed = 0, rc = -1;

	if (prepare(d, err, errsz) < 0)
		return -1;
	if (PQenterPipelineMode(d->conn) != 1)
		return fail(d, err, errsz, "the district's connection");
	if (PQsendQueryParams(d->conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1)
		goto send_failed;
	for (size_t i = 0; i < b->n; i++) {
		const struct sync_change *c = &b->v[i];
		int n;

		if (c->gone)
			continue; /* its delete comes later in the log */
		snprintf(name, sizeof name, "%c_%s", c->del ? 'd' : 'u', c->t->name);
		params[0] = node;
		if (c->del) {
			params[1] = c->key;
			n = 2;
		} else {
			for (int j = 0; j < c->t->ncols; j++)
				params[j + 1] = c->val[j];
			n = c->t->ncols + 1;
		}
		if (PQsendQueryPrepared(d->conn, name, n, params, NULL, NULL, 0) != 1)
			goto send_failed;
	}
	snprintf(seq, sizeof seq, "%lld", (long long)b->last_seq);
	params[0] = node;
	params[1] = seq;
	if (PQsendQueryParams(
	        d->conn,
	        "INSERT INTO tipline.node_sync (node, seq, synced_at) VALUES ($1, $2, "
	        "now()) ON CONFLICT (node) DO UPDATE SET seq = EXCLUDED.seq, synced_at "
	        "= EXCLUDED.synced_at",
	        2, NULL, params, NULL, NULL, 0) != 1 ||
	    PQsendQueryParams(d->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(d->conn) != 1)
		goto send_failed;
	/* The first error of the pipeline is the one that says why (the rest are "aborted"). */
	for (;;) {
		PGresult *res = PQgetResult(d->conn);
		ExecStatusType st;

		if (res == NULL) {
			if (PQstatus(d->conn) == CONNECTION_BAD)
				break;
			continue;
		}
		st = PQresultStatus(res);
		if (st == PGRES_FATAL_ERROR && first_error[0] == '\0')
			snprintf(first_error, sizeof first_error, "%s", PQresultErrorMessage(res));
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_PIPELINE_SYNC)
			failed = 1;
		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC) {
			rc = failed ? -1 : 0;
			break;
		}
	}
	if (rc < 0) {
		first_error[strcspn(first_error, "\n")] = '\0';
		snprintf(err, errsz, "the district refused the batch: %s",
		         first_error[0] ? first_error : PQerrorMessage(d->conn));
		err[strcspn(err, "\n")] = '\0';
		/* The transaction was not committed; the connection is not reused. */
		PQfinish(d->conn);
		d->conn = NULL;
		return -1;
	}
	PQexitPipelineMode(d->conn);
	return 0;
send_failed:
	fail(d, err, errsz, "cannot send to the district");
	PQfinish(d->conn);
	d->conn = NULL;
	return -1;
}

/* --- the district's schema and roles --- */

/* Before the tables: the schema, the two group roles, the node lookup of the policies. */
static const char init_sql[] =
    "CREATE SCHEMA IF NOT EXISTS tipline;"
    "DO $$ BEGIN"
    " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tipline_node') THEN"
    "  CREATE ROLE tipline_node NOLOGIN; END IF;"
    " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tipline_report') THEN"
    "  CREATE ROLE tipline_report NOLOGIN; END IF;"
    " END $$;"
    "CREATE TABLE IF NOT EXISTS tipline.nodes (name text PRIMARY KEY, role name NOT NULL UNIQUE,"
    " created_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS tipline.node_sync (node text PRIMARY KEY, seq bigint NOT NULL,"
    " synced_at timestamptz NOT NULL);"
    /* session_user: inside a SECURITY DEFINER function current_user is the owner. */
    "CREATE OR REPLACE FUNCTION tipline.my_node() RETURNS text LANGUAGE sql STABLE"
    " SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS"
    " $$ SELECT name FROM tipline.nodes WHERE role = session_user $$;"
    "GRANT USAGE ON SCHEMA tipline TO tipline_node, tipline_report;";

/* After each table T: its policies and grants (T substituted for every %1$s). */
static const char table_sql[] =
    "ALTER TABLE tipline.%1$s ENABLE ROW LEVEL SECURITY;"
    "DROP POLICY IF EXISTS own_rows ON tipline.%1$s;"
    "CREATE POLICY own_rows ON tipline.%1$s TO tipline_node USING (node = tipline.my_node())"
    " WITH CHECK (node = tipline.my_node());"
    "DROP POLICY IF EXISTS read_all ON tipline.%1$s;"
    "CREATE POLICY read_all ON tipline.%1$s FOR SELECT TO tipline_report USING (true);"
    "GRANT SELECT, INSERT, UPDATE, DELETE ON tipline.%1$s TO tipline_node;"
    "GRANT SELECT ON tipline.%1$s TO tipline_report;";

/* The report's time columns (store_report.c's indexes, district side). */
static const char index_sql[] =
    "CREATE INDEX IF NOT EXISTS tips_created ON tipline.tips (created_at);"
    "CREATE INDEX IF NOT EXISTS patrols_started ON tipline.patrols (started_at);"
    "CREATE INDEX IF NOT EXISTS awareness_held ON tipline.awareness_sessions (held_at);"
    "CREATE INDEX IF NOT EXISTS mediations_created ON tipline.mediations (created_at);"
    "CREATE INDEX IF NOT EXISTS alerts_raised ON tipline.alerts (raised_at);"
    "CREATE INDEX IF NOT EXISTS messages_in_smsc ON tipline.messages_in (smsc_time);"
    "CREATE INDEX IF NOT EXISTS messages_out_created ON tipline.messages_out (created_at)"
    " WHERE broadcast_id IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS messages_out_sent ON tipline.messages_out (sent_at)"
    " WHERE status = 'sent';"
    /* One commune's figures (report --district, a column each): its own rows only. */
    "CREATE INDEX IF NOT EXISTS tips_node_created ON tipline.tips (node, created_at);"
    "CREATE INDEX IF NOT EXISTS patrols_node_started ON tipline.patrols (node, started_at);"
    "CREATE INDEX IF NOT EXISTS awareness_node_held ON tipline.awareness_sessions (node, held_at);"
    "CREATE INDEX IF NOT EXISTS mediations_node_created ON tipline.mediations (node, created_at);"
    "CREATE INDEX IF NOT EXISTS alerts_node_raised ON tipline.alerts (node, raised_at);"
    "CREATE INDEX IF NOT EXISTS messages_in_node_smsc ON tipline.messages_in (node, smsc_time);"
    "CREATE INDEX IF NOT EXISTS messages_out_node_created ON tipline.messages_out (node, "
    "created_at)"
    " WHERE broadcast_id IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS messages_out_node_sent ON tipline.messages_out (node, sent_at)"
    " WHERE status = 'sent';"
    "GRANT SELECT ON tipline.nodes TO tipline_report;"
    "DO $$ BEGIN"
    " IF NOT EXISTS (SELECT FROM pg_publication WHERE pubname = 'tipline') THEN"
    "  CREATE PUBLICATION tipline FOR TABLES IN SCHEMA tipline; END IF;"
    " END $$;";

int district_init(struct district *d, char *err, size_t errsz)
{
	char sql[4096];

	if (exec(d, "BEGIN", "begin", err, errsz) < 0 ||
	    exec(d, init_sql, "create the schema", err, errsz) < 0)
		return -1;
	for (int i = -1; i < sync_ntables; i++) {
		const struct sync_table *t = i < 0 ? NULL : &sync_tables[i];
		const char *name = t ? t->name : "node_sync";

		if (t != NULL) {
			/* A new column of a later version is added to an older district. */
			size_t n =
			    (size_t)snprintf(sql, sizeof sql,
			                     "CREATE TABLE IF NOT EXISTS tipline.%s (node text NOT "
			                     "NULL, %s %s NOT NULL, PRIMARY KEY (node, %s));",
			                     name, t->cols[0], t->types[0], t->cols[0]);

			for (int j = 1; j < t->ncols && n < sizeof sql; j++)
				n += (size_t)snprintf(
				    sql + n, sizeof sql - n,
				    "ALTER TABLE tipline.%s ADD COLUMN IF NOT EXISTS "
				    "%s %s;",
				    name, t->cols[j], t->types[j]);
			if (exec(d, sql, "create a table", err, errsz) < 0)
				return -1;
		}
		snprintf(sql, sizeof sql, table_sql, name);
		if (exec(d, sql, "set a table's policies", err, errsz) < 0)
			return -1;
	}
	if (exec(d, index_sql, "create the indexes and the publication", err, errsz) < 0 ||
	    exec(d, "COMMIT", "commit", err, errsz) < 0)
		return -1;
	return 0;
}

/* ' and \ escaped for a conninfo value in single quotes, appended to OUT. */
static void conninfo_add(char *out, size_t sz, const char *key, const char *val)
{
	size_t n = strlen(out);

	n += (size_t)snprintf(out + n, n < sz ? sz - n : 0, "%s%s='", n ? " " : "", key);
	for (; *val && n + 3 < sz; val++) {
		if (*val == '\'' || *val == '\\')
			out[n++] = '\\';
		out[n++] = *val;
	}
	if (n + 2 <= sz) {
		out[n++] = '\'';
		out[n] = '\0';
	}
}

int district_add_node(struct district *d, const char *admin_conninfo, const char *name, char *out,
                      size_t outsz, char *err, size_t errsz)
{
	PQconninfoOption *opts = NULL;
	unsigned char rnd[18];
	char role[64], password[40], sql[1024], *id = NULL, *lit = NULL, *perr = NULL;
	const char *params[2];
	PGresult *res = NULL;
	int rc = -1;

	if (!config_node_name_ok(name)) {
		snprintf(err, errsz, "\"%s\" is not a node name: 1 to 40 of a-z, 0-9 and -", name);
		return -1;
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		snprintf(err, errsz, "no random bytes for a password");
		return -1;
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(password + 2 * i, 3, "%02x", rnd[i]);
	snprintf(role, sizeof role, "tipline_node_%s", name);
	id = PQescapeIdentifier(d->conn, role, strlen(role));
	lit = PQescapeLiteral(d->conn, password, strlen(password));
	if (id == NULL || lit == NULL) {
		fail(d, err, errsz, "quote the role");
		goto done;
	}
	if (exec(d, "BEGIN", "begin", err, errsz) < 0)
		goto done;
	params[0] = role;
	res = PQexecParams(d->conn, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, NULL, params,
	                   NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail(d, err, errsz, "look for the role");
		goto done;
	}
	/* Run again, add-node gives the role a new password (a commune's Pi lost or replaced). */
	snprintf(sql, sizeof sql, "%s ROLE %s LOGIN PASSWORD %s",
	         PQntuples(res) ? "ALTER" : "CREATE", id, lit);
	if (exec(d, sql, "create the node's role", err, errsz) < 0)
		goto done;
	snprintf(sql, sizeof sql, "GRANT tipline_node TO %s", id);
	if (exec(d, sql, "grant the node's role", err, errsz) < 0)
		goto done;
	PQclear(res);
	params[0] = name;
	params[1] = role;
	res = PQexecParams(d->conn,
	                   "INSERT INTO tipline.nodes (name, role) VALUES ($1, $2) ON CONFLICT "
	                   "(name) DO UPDATE SET role = EXCLUDED.role",
	                   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fail(d, err, errsz, "register the node (has `tipline district init` run?)");
		goto done;
	}
	if (exec(d, "COMMIT", "commit", err, errsz) < 0)
		goto done;
	/* The commune's string: the admin's host, port, database and TLS, the node's user. */
	opts = PQconninfoParse(admin_conninfo, &perr);
	if (opts == NULL) {
		snprintf(err, errsz, "the connection string: %s", perr ? perr : "out of memory");
		goto done;
	}
	out[0] = '\0';
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (o->val != NULL && o->val[0] != '\0' && strcmp(o->keyword, "user") != 0 &&
		    strcmp(o->keyword, "password") != 0 && strcmp(o->keyword, "passfile") != 0)
			conninfo_add(out, outsz, o->keyword, o->val);
	conninfo_add(out, outsz, "user", role);
	conninfo_add(out, outsz, "password", password);
	rc = 0;
done:
	PQclear(res);
	PQfreemem(id);
	PQfreemem(lit);
	PQfreemem(perr);
	PQconninfoFree(opts);
	return rc;
}

/* --- the report: store_report.c's figures, from every node's rows --- */

/*
 * Each query is the twin of store_report.c's of the same name, grouped by node: every
 * commune's column at once, so the report's cost does not grow with the number of communes
 * (the district's totals are summed from the columns: report_district_sum). $1, $2: the
 * period's UTC bounds [start, end); $3: one node, or NULL for all. A broadcast is (node, id),
 * ids being each commune's own. Names are ordered as SQLite orders them (COLLATE "C").
 */
#define NODE           " AND ($3::text IS NULL OR node = $3)"
#define Q2(cols, from) "SELECT node, " cols " FROM " from NODE " GROUP BY node"
#define K2(key, from, order)                                                                       \
	"SELECT node, " key ", count(*) FROM " from NODE " GROUP BY 1, 2 ORDER BY node, " order
#define TIPS          "tipline.tips WHERE created_at >= $1 AND created_at < $2"
#define BY_COUNT(key) "count(*) DESC, " key " COLLATE \"C\""

static const char pg_rep_tips[] = Q2("count(*), count(*) FILTER (WHERE status = 'valuable')", TIPS);
static const char pg_rep_tips_status[] =
    K2("status", TIPS,
       "CASE status WHEN 'new' THEN 0 WHEN 'checking' THEN 1 WHEN 'valuable' THEN 2 WHEN "
       "'false' THEN 3 ELSE 4 END");
static const char pg_rep_tips_category[] =
    K2("coalesce(category, '')", TIPS, BY_COUNT("coalesce(category, '')"));
static const char pg_rep_tips_village[] =
    K2("coalesce(village, '')", TIPS, BY_COUNT("coalesce(village, '')"));
static const char pg_rep_awareness[] =
    Q2("coalesce(sum(sessions), 0), coalesce(sum(participants), 0)",
       "tipline.awareness_sessions WHERE held_at >= $1 AND held_at < $2");
static const char pg_rep_patrols[] =
    Q2("count(*), coalesce(sum(members), 0)",
       "tipline.patrols WHERE started_at >= $1 AND started_at < $2");
static const char pg_rep_patrols_team[] =
    K2("coalesce(team, '')", "tipline.patrols WHERE started_at >= $1 AND started_at < $2",
       BY_COUNT("coalesce(team, '')"));
static const char pg_rep_missed[] =
    Q2("count(*)", "tipline.alerts WHERE kind IN ('patrol_overdue', 'night_missed') AND "
                   "raised_at >= $1 AND raised_at < $2");
static const char pg_rep_tip_alerts[] =
    Q2("count(*) FILTER (WHERE kind = 'tip_new'), count(*) FILTER (WHERE kind = "
       "'tip_escalated')",
       "tipline.alerts WHERE kind IN ('tip_new', 'tip_escalated') AND raised_at >= $1 AND "
       "raised_at < $2");
static const char pg_rep_mediations[] =
    Q2("count(*)", "tipline.mediations WHERE created_at >= $1 AND created_at < $2");
static const char pg_rep_broadcasts[] =
    Q2("count(DISTINCT (node, broadcast_id)), count(*), coalesce(sum(CASE WHEN status = 'sent' "
       "THEN parts END), 0)",
       "tipline.messages_out WHERE broadcast_id IS NOT NULL AND created_at >= $1 AND created_at "
       "< $2");
static const char pg_rep_sms_in[] =
    Q2("count(*)", "tipline.messages_in WHERE smsc_time >= $1 AND smsc_time < $2 AND channel = "
                   "'sms'");
static const char pg_rep_sms_out[] =
    Q2("count(*), coalesce(sum(parts), 0)",
       "tipline.messages_out WHERE status = 'sent' AND sent_at >= $1 AND sent_at < $2");

/* The reports a query fills: one per node, NAMES sorted as strcmp sorts (COLLATE "C"). */
struct rq {
	struct district *d;
	const char *node;
	struct report **rs;
	const char *const *names;
	size_t n;
	char *err;
	size_t errsz;
};

/* What to do with one row (its values from column COL on) for report R. 0, or -1 (ERR set). */
typedef int (*rq_row_fn)(struct rq *q, struct report *r, PGresult *res, int row, int col,
                         void *arg);

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* Run SQL for [A, B) and hand each row to FN with its node's report. 0 or -1. */
static int rq_each(struct rq *q, const char *sql, const char *a, const char *b, rq_row_fn fn,
                   void *arg)
{
	const char *params[3] = {a, b, q->node};
	PGresult *res = PQexecParams(q->d->conn, sql, 3, NULL, params, NULL, NULL, 0);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return fail(q->d, q->err, q->errsz, "the report's query");
	}
	for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
		const char *const *at =
		    bsearch(PQgetvalue(res, i, 0), q->names, q->n, sizeof *q->names, by_name);

		/* A node not asked for (--node, or one added since the list was read): skipped. */
		if (at != NULL)
			rc = fn(q, q->rs[at - q->names], res, i, 1, arg);
	}
	PQclear(res);
	return rc;
}

/* Integer columns into the report's fields at the offsets ARG lists (-1 ends the list). */
static int set_ints(struct rq *q, struct report *r, PGresult *res, int row, int col, void *arg)
{
	const size_t *off = arg;

	(void)q;
	for (int i = 0; off[i] != (size_t)-1; i++)
		*(long long *)(void *)((char *)r + off[i]) =
		    strtoll(PQgetvalue(res, row, col + i), NULL, 10);
	return 0;
}

/* A (name, count) row into the report_counts at offset *ARG. */
static int add_count(struct rq *q, struct report *r, PGresult *res, int row, int col, void *arg)
{
	struct report_counts *c = (void *)((char *)r + *(const size_t *)arg);

	if (report_counts_add(c, PQgetvalue(res, row, col),
	                      strtoll(PQgetvalue(res, row, col + 1), NULL, 10)) < 0) {
		snprintf(q->err, q->errsz, "out of memory");
		return -1;
	}
	return 0;
}

/* A (series, count) row into the weekly tips chart's bar ARG (its label). */
static int add_week(struct rq *q, struct report *r, PGresult *res, int row, int col, void *arg)
{
	if (report_chart_add(&r->tips_weekly, arg, PQgetvalue(res, row, col),
	                     strtoll(PQgetvalue(res, row, col + 1), NULL, 10)) < 0) {
		snprintf(q->err, q->errsz, "out of memory");
		return -1;
	}
	return 0;
}

/* An awareness row's participants into the monthly chart's bar ARG (its label). */
static int add_month(struct rq *q, struct report *r, PGresult *res, int row, int col, void *arg)
{
	if (report_chart_add(&r->participants_monthly, arg, NULL,
	                     strtoll(PQgetvalue(res, row, col + 1), NULL, 10)) < 0) {
		snprintf(q->err, q->errsz, "out of memory");
		return -1;
	}
	return 0;
}

#define F(path) offsetof(struct report_figures, path)
#define END     ((size_t)-1)

/* One period's figures: into each report's cur (PREV 0) or previous (PREV 1). 0 or -1. */
static int figures(struct rq *q, int prev, const struct report_period *p)
{
	const char *a = p->start_utc, *b = p->end_utc;
	size_t base = prev ? offsetof(struct report, previous) : offsetof(struct report, cur);
	size_t tips[] = {base + F(tips.received), base + F(tips.valuable), END};
	size_t aw[] = {base + F(awareness.sessions), base + F(awareness.participants), END};
	size_t pat[] = {base + F(patrols.count), base + F(patrols.member_turns), END};
	size_t missed[] = {base + F(missed_checkins), END};
	size_t tip_alerts[] = {base + F(tips.alerts), base + F(tips.escalated), END};
	size_t med[] = {base + F(mediations.count), END};
	size_t bc[] = {base + F(broadcasts.count), base + F(broadcasts.recipients),
	               base + F(broadcasts.parts), END};
	size_t in[] = {base + F(sms.received), END};
	size_t out[] = {base + F(sms.sent), base + F(sms.parts_sent), END};
	size_t status = base + F(tips.by_status), category = base + F(tips.by_category),
	       village = base + F(tips.by_village), team = base + F(patrols.by_team);

	if (rq_each(q, pg_rep_tips, a, b, set_ints, tips) < 0 ||
	    rq_each(q, pg_rep_tips_status, a, b, add_count, &status) < 0 ||
	    rq_each(q, pg_rep_tips_category, a, b, add_count, &category) < 0 ||
	    rq_each(q, pg_rep_tips_village, a, b, add_count, &village) < 0 ||
	    rq_each(q, pg_rep_awareness, a, b, set_ints, aw) < 0 ||
	    rq_each(q, pg_rep_patrols, a, b, set_ints, pat) < 0 ||
	    rq_each(q, pg_rep_patrols_team, a, b, add_count, &team) < 0 ||
	    rq_each(q, pg_rep_missed, a, b, set_ints, missed) < 0 ||
	    rq_each(q, pg_rep_tip_alerts, a, b, set_ints, tip_alerts) < 0 ||
	    rq_each(q, pg_rep_mediations, a, b, set_ints, med) < 0 ||
	    rq_each(q, pg_rep_broadcasts, a, b, set_ints, bc) < 0 ||
	    rq_each(q, pg_rep_sms_in, a, b, set_ints, in) < 0 ||
	    rq_each(q, pg_rep_sms_out, a, b, set_ints, out) < 0)
		return -1;
	return 0;
}

/* A period the report's date functions refuse (not from the CLI's checked dates). -1. */
static int bad_period(struct rq *q)
{
	snprintf(q->err, q->errsz, "the report's period");
	return -1;
}

/* The charts as store_report.c draws them (its chart_tips_weekly, chart_participants), for
 * every report of Q. The bars are the same for all: the first report's are walked. */
static int charts(struct rq *q, const struct report_period *p)
{
	struct report *r0 = q->rs[0];
	char first[32];
	int y, m;

	for (size_t k = 0; k < q->n; k++)
		if (report_chart_weeks(&q->rs[k]->tips_weekly, p) < 0)
			goto nomem;
	for (size_t i = 0; i < r0->tips_weekly.n; i++) {
		const char *monday = r0->tips_weekly.v[i].label;
		char from[REPORT_DATE_LEN], to[REPORT_DATE_LEN];
		struct report_period w;

		if (report_date_add(monday, 6, to) < 0)
			return bad_period(q);
		snprintf(from, sizeof from, "%s", strcmp(monday, p->from) < 0 ? p->from : monday);
		if (strcmp(to, p->to) > 0)
			snprintf(to, sizeof to, "%s", p->to);
		if (report_period_days(from, to, &w) < 0)
			return bad_period(q);
		if (rq_each(q, pg_rep_tips_category, w.start_utc, w.end_utc, add_week,
		            (void *)monday) < 0)
			return -1;
	}
	if (sscanf(p->to, "%4d-%2d", &y, &m) != 2)
		return bad_period(q);
	m -= 11;
	if (m < 1) {
		m += 12;
		y--;
	}
	snprintf(first, sizeof first, "%04d-%02d-01", y, m);
	for (size_t k = 0; k < q->n; k++)
		if (report_chart_months(&q->rs[k]->participants_monthly, first, p->to) < 0)
			goto nomem;
	for (size_t i = 0; i < r0->participants_monthly.n; i++) {
		const char *label = r0->participants_monthly.v[i].label;
		struct report_period mp;

		if (report_period_month(label, &mp) < 0)
			return bad_period(q);
		if (strcmp(mp.end_utc, p->end_utc) > 0)
			snprintf(mp.end_utc, sizeof mp.end_utc, "%s", p->end_utc);
		/* store_report.c adds the month's figure, 0 too: a commune without a row here the
		 * same. */
		for (size_t k = 0; k < q->n; k++)
			if (report_chart_add(&q->rs[k]->participants_monthly, label, NULL, 0) < 0)
				goto nomem;
		if (rq_each(q, pg_rep_awareness, mp.start_utc, mp.end_utc, add_month,
		            (void *)label) < 0)
			return -1;
	}
	for (size_t k = 0; k < q->n; k++)
		for (size_t i = 0; i < q->rs[k]->cur.patrols.by_team.n; i++) {
			const struct report_count *c = &q->rs[k]->cur.patrols.by_team.v[i];

			if (report_chart_add(&q->rs[k]->patrols_by_team, c->name, NULL, c->n) < 0)
				goto nomem;
		}
	return 0;
nomem:
	snprintf(q->err, q->errsz, "out of memory");
	return -1;
}

/* Q's reports for P: periods, figures of both periods, charts. 0 or -1. */
static int fill(struct rq *q, const struct report_period *p)
{
	struct report_period prev;

	report_period_previous(p, &prev);
	for (size_t k = 0; k < q->n; k++)
		report_set_period(q->rs[k], p, &prev);
	if (q->n == 0) /* no commune: nothing to read, the totals are empty */
		return 0;
	return figures(q, 0, p) < 0 || figures(q, 1, &prev) < 0 || charts(q, p) < 0 ? -1 : 0;
}

int district_report_fill(struct district *d, const char *node, struct report *total,
                         struct report **nodes, const char *const *names, size_t n,
                         const struct report_period *p, char *err, size_t errsz)
{
	struct rq each = {d, node, nodes, names, n, err, errsz};

	/* One snapshot for every figure, as a report from one SQLite read would be. */
	if (exec(d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin", err, errsz) < 0)
		return -1;
	if (fill(&each, p) < 0) {
		PQclear(PQexec(d->conn, "ROLLBACK"));
		return -1;
	}
	if (exec(d, "COMMIT", "commit", err, errsz) < 0)
		return -1;
	/* The totals from the communes' columns: the rows are read once. */
	if (report_district_sum(total, nodes, n, p) < 0) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

int district_nodes(struct district *d, char ***names, char *err, size_t errsz)
{
	PGresult *res =
	    PQexec(d->conn, "SELECT n FROM (SELECT name FROM tipline.nodes UNION SELECT "
	                    "node FROM tipline.node_sync) AS x (n) ORDER BY n COLLATE "
	                    "\"C\"");
	char **v;
	int n;

	*names = NULL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return fail(d, err, errsz, "list the nodes (has `tipline district init` run?)");
	}
	n = PQntuples(res);
	v = calloc((size_t)n + 1, sizeof *v);
	for (int i = 0; v != NULL && i < n; i++)
		if ((v[i] = strdup(PQgetvalue(res, i, 0))) == NULL) {
			for (int j = 0; j < i; j++)
				free(v[j]);
			free(v);
			v = NULL;
		}
	PQclear(res);
	if (v == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	*names = v;
	return n;
}
