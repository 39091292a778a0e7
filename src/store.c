/*
 * The store's core: the connection, WAL, migrations, transactions and savepoints, the
 * statement cache and the helpers every domain file (store_*.c) uses. The rules the domain
 * files follow (statements, transactions, errors) are written in store_int.h.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "fault.h"
#include "log.h"
#include "schema.h"
#include "text.h"
#include "ts.h"

sqlite3 *store_db;
static char errbuf[2048]; /* room for the permission message's paths */
static int last_rc;       /* the SQLite code of the last failure; SQLITE_OK after a success */
static int perm_denied;   /* the last failure is a file's permissions: errbuf says whose */

/* Every SQ() of every store file; the linker provides these two symbols for the section. */
extern struct sq __start_tipline_sq[];
extern struct sq __stop_tipline_sq[];

/*
 * One symbol of each domain file (STORE_DOMAIN in store_int.h), referenced from this table so
 * that the linker takes every store file from the library with this one: a program that opens
 * the store prepares every statement, whether it calls that domain or not.
 */
extern const char store_domain_inbox[], store_domain_outbox[], store_domain_people[],
    store_domain_records[], store_domain_tips[], store_domain_broadcast[], store_domain_report[],
    store_domain_alerts[], store_domain_export[], store_domain_ussd[], store_domain_ussd_menu[],
    store_domain_privacy[], store_domain_sim[], store_domain_console[], store_domain_sync[];
static const char *const domains[] __attribute__((used)) = {
    store_domain_inbox,  store_domain_outbox,    store_domain_people,    store_domain_records,
    store_domain_tips,   store_domain_broadcast, store_domain_report,    store_domain_alerts,
    store_domain_export, store_domain_ussd,      store_domain_ussd_menu, store_domain_privacy,
    store_domain_sim,    store_domain_console,   store_domain_sync,
};

SQ(q_savepoint, "SAVEPOINT one");
SQ(q_release, "RELEASE one");
SQ(q_user_version, "PRAGMA user_version");

int sq_fail(const char *what)
{
	last_rc = store_db ? sqlite3_extended_errcode(store_db) : SQLITE_ERROR;
	if (last_rc == SQLITE_OK)
		last_rc = SQLITE_ERROR;
	snprintf(errbuf, sizeof errbuf, "%s: %s", what,
	         store_db ? sqlite3_errmsg(store_db) : "no database");
	return -1;
}

int sq_fail_rc(int rc, const char *what, const char *msg)
{
	last_rc = rc;
	snprintf(errbuf, sizeof errbuf, "%.1024s: %.400s", what, msg);
	return -1;
}

int sq_fail_permission(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof errbuf, fmt, ap);
	va_end(ap);
	last_rc = SQLITE_PERM;
	perm_denied = 1;
	return -1;
}

/* The database as opened last (store_open), for reopening and for the files' modes. */
static char db_path[SQ_PATH_LEN];
static int db_timeout;
static long db_gid = -1;  /* database.group's gid; -1: no group, the files are 0600 */
static char db_group[64]; /* its name, for messages */

static int permission_problem(int write)
{
	return sq_permission_problem(db_path, write);
}

/*
 * SQLite opens a file this process may only read read-only, and says so at the first write
 * ("attempt to write a readonly database"): when the cause is the file's permissions, the
 * error becomes the plain one of permission_problem, naming whose the file is.
 */
static void explain_readonly(void)
{
	if ((last_rc & 0xff) == SQLITE_READONLY)
		permission_problem(1);
}

static void clear_error(void)
{
	last_rc = SQLITE_OK;
	perm_denied = 0;
	errbuf[0] = '\0';
}

const char *store_errmsg(void)
{
	return errbuf;
}

int store_error_is_permission(void)
{
	return perm_denied;
}

int store_error_is_storage(void)
{
	switch (last_rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_NOMEM:
		return 1;
	default:
		return 0;
	}
}

void store_error_nomem(const char *what)
{
	sq_fail_rc(SQLITE_NOMEM, what, "out of memory");
}

/*
 * The countdown fault (tests only; see fault.h): the Nth database call fails as the
 * environment says. Checked before every step and every exec, the two ways a call reaches the
 * disk. Returns the SQLite code to fail with, or SQLITE_OK.
 */
static int opening; /* store_open counts no calls: the countdown is the running program's */

static int injected(void)
{
	int rc = opening ? 0 : fault_countdown();

	if (rc == 0)
		return SQLITE_OK;
	rc = rc == FAULT_FULL ? SQLITE_FULL : rc == FAULT_NOMEM ? SQLITE_NOMEM : SQLITE_IOERR;
	last_rc = rc;
	snprintf(errbuf, sizeof errbuf, "injected fault (%s)", sqlite3_errstr(rc));
	return rc;
}

int sq_step(sqlite3_stmt *s)
{
	int rc = injected();

	if (rc != SQLITE_OK)
		return rc;
	if (sqlite3_get_autocommit(store_db) && !sqlite3_stmt_readonly(s)) {
		const char *sql = sqlite3_sql(s);

		sq_fail_rc(SQLITE_MISUSE, "outside a transaction", sql ? sql : "?");
		return SQLITE_MISUSE;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		/* The bare message: sq_rows_end puts the query's name before it. */
		last_rc = sqlite3_extended_errcode(store_db);
		snprintf(errbuf, sizeof errbuf, "%s", sqlite3_errmsg(store_db));
	}
	return rc;
}

static int exec(const char *q)
{
	char *msg = NULL;

	if (injected() != SQLITE_OK)
		return -1;
	if (sqlite3_exec(store_db, q, NULL, NULL, &msg) != SQLITE_OK) {
		last_rc = sqlite3_extended_errcode(store_db);
		snprintf(errbuf, sizeof errbuf, "%s", msg ? msg : sqlite3_errmsg(store_db));
		sqlite3_free(msg);
		explain_readonly();
		return -1;
	}
	return 0;
}

sqlite3_stmt *sq_bind(struct sq *q, const char *types, ...)
{
	sqlite3_stmt *s = q->st;
	va_list ap;
	int i = 1;

	clear_error();
	if (s == NULL) {
		sq_fail_rc(SQLITE_MISUSE, q->name, "not prepared (is the store open?)");
		return NULL;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	va_start(ap, types);
	for (const char *t = types; *t != '\0'; t++, i++) {
		switch (*t) {
		case 's': {
			const char *v = va_arg(ap, const char *);

			if (v == NULL)
				sqlite3_bind_null(s, i);
			else
				sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
			break;
		}
		case 'i':
			sqlite3_bind_int(s, i, va_arg(ap, int));
			break;
		case 'l':
			sqlite3_bind_int64(s, i, va_arg(ap, long));
			break;
		case 'L': {
			long v = va_arg(ap, long);

			if (v < 0)
				sqlite3_bind_null(s, i);
			else
				sqlite3_bind_int64(s, i, v);
			break;
		}
		case 'I':
			sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		case 'N': {
			int64_t v = va_arg(ap, int64_t);

			if (v == 0)
				sqlite3_bind_null(s, i);
			else
				sqlite3_bind_int64(s, i, v);
			break;
		}
		default:
			break;
		}
	}
	va_end(ap);
	sq_bind_groups(s);
	return s;
}

void sq_bind_groups(sqlite3_stmt *s)
{
	static const char *const names[] = {STORE_GROUP_ALL, STORE_GROUP_LEADERS,
	                                    STORE_GROUP_OFFICERS};

	if (sqlite3_bind_parameter_count(s) < 63)
		return;
	for (int i = 0; i < 3; i++)
		sqlite3_bind_text(s, 61 + i, names[i], -1, SQLITE_STATIC);
}

int sq_rows_end(sqlite3_stmt *s, int rc, const char *what, int n)
{
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return n;
	/* sq_step recorded the cause; say which query it was. */
	{
		char why[sizeof errbuf];

		snprintf(why, sizeof why, "%s", errbuf);
		snprintf(errbuf, sizeof errbuf, "%s: %.1900s", what, why);
	}
	explain_readonly();
	return -1;
}

int sq_run(sqlite3_stmt *s, const char *what)
{
	int rc;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_rows_end(s, rc, what, -1);
	sqlite3_reset(s);
	return sqlite3_changes(store_db);
}

int64_t sq_int(sqlite3_stmt *s, const char *what)
{
	int64_t v = -1;
	int rc;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else if (rc == SQLITE_DONE)
		sq_fail_rc(SQLITE_ERROR, what, "no row");
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			sq_rows_end(s, rc, what, -1);
		return -1;
	}
	return v;
}

int sq_ref(sqlite3_stmt *s, char out[16])
{
	int rc;

	if (s == NULL)
		return -1;
	rc = sq_step(s);
	if (rc == SQLITE_ROW)
		snprintf(out, 16, "%s", (const char *)sqlite3_column_text(s, 0));
	while (rc == SQLITE_ROW)
		rc = sq_step(s);
	return sq_rows_end(s, rc, "ref", 0);
}

const char *sq_text(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NULL
	                                                : (const char *)sqlite3_column_text(s, i);
}

void sq_copy(sqlite3_stmt *s, int i, char *out, size_t sz)
{
	const char *v = sq_text(s, i);

	snprintf(out, sz, "%s", v ? v : "");
}

int sq_each_row(sqlite3_stmt *s, int (*fn)(const struct store_row *r, void *ctx), void *ctx,
                const char *what)
{
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		struct store_row r;

		r.n = sqlite3_column_count(s);
		if (r.n > STORE_MAX_COLS)
			r.n = STORE_MAX_COLS;
		for (int i = 0; i < r.n; i++) {
			int t = sqlite3_column_type(s, i);

			r.name[i] = sqlite3_column_name(s, i);
			r.val[i] =
			    t == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(s, i);
			r.numeric[i] = t == SQLITE_INTEGER || t == SQLITE_FLOAT;
		}
		n++;
		if (fn(&r, ctx) != 0)
			break;
	}
	return sq_rows_end(s, rc, what, n);
}

int sq_each_count(sqlite3_stmt *s, int (*fn)(const char *name, long n, void *arg), void *arg,
                  const char *what)
{
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		n++;
		if (fn(sq_text(s, 0), (long)sqlite3_column_int64(s, 1), arg) != 0)
			break;
	}
	return sq_rows_end(s, rc, what, n);
}

int64_t sq_last_id(void)
{
	return sqlite3_last_insert_rowid(store_db);
}

int sq_changes(void)
{
	return sqlite3_changes(store_db);
}

static int user_version(void)
{
	return (int)sq_int(sq_bind(&q_user_version, ""), "user_version");
}

int store_schema_version(void)
{
	return user_version();
}

int store_schema_newest(void)
{
	return schema_nsteps > 0 ? schema_steps[schema_nsteps - 1].version : 0;
}

/*
 * Apply the schema steps above PRAGMA user_version, all in one transaction: one commit (one
 * sync of the WAL) for a fresh database rather than one per step, which was most of a new
 * daemon's start (issue 20: 13 steps, 130-230 ms on a loaded machine); a step that fails
 * leaves the database as it was. The version is read again inside the write lock: the daemon
 * and the CLI may both start on a new file. Runs before the statements are prepared (they
 * name tables the steps create), so it reads the version with a statement of its own.
 */
static int read_version(void)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(store_db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	else
		sq_fail("user_version");
	sqlite3_finalize(s);
	return v;
}

static int migrate(void)
{
	int newest = store_schema_newest(), have;

	/* Already current (every open but the first): no write lock, so that a CLI listing
	 * opens while the daemon holds a long transaction. */
	if (read_version() == newest)
		return 0;
	if (exec("BEGIN IMMEDIATE") < 0)
		return -1;
	have = read_version();
	if (have < 0 || have > newest) {
		if (have > newest)
			snprintf(errbuf, sizeof errbuf,
			         "the database has schema version %d, newer than this program's %d",
			         have, newest);
		store_rollback();
		return -1;
	}
	for (int i = 0; i < schema_nsteps; i++) {
		const struct schema_step *st = &schema_steps[i];
		char pragma[48];

		if (st->version <= have)
			continue;
		/* PRAGMA takes no bound parameters; the number is our own compiled-in constant. */
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", st->version);
		if (exec(st->sql) < 0 || exec(pragma) < 0) {
			char why[sizeof errbuf];

			snprintf(why, sizeof why, "%s", errbuf);
			snprintf(errbuf, sizeof errbuf, "schema %.40s: %.1900s", st->name, why);
			store_rollback();
			return -1;
		}
	}
	if (store_commit() < 0)
		return -1;
	for (int i = 0; i < schema_nsteps; i++)
		if (schema_steps[i].version > have)
			log_info("database upgraded to schema %s", schema_steps[i].name);
	return 0;
}

/* Prepare every SQ() statement of every store file. 0, or -1 naming the first that fails. */
static int prepare_all(void)
{
	for (struct sq *q = __start_tipline_sq; q < __stop_tipline_sq; q++) {
		if (sqlite3_prepare_v3(store_db, q->sql, -1, SQLITE_PREPARE_PERSISTENT, &q->st,
		                       NULL) != SQLITE_OK) {
			sq_fail(q->name);
			return -1;
		}
	}
	return 0;
}

int store_statements(void)
{
	return (int)(__stop_tipline_sq - __start_tipline_sq);
}

long store_statement_steps(const char *name)
{
	for (struct sq *q = __start_tipline_sq; q < __stop_tipline_sq; q++)
		if (q->st != NULL && strcmp(q->name, name) == 0)
			return sqlite3_stmt_status(q->st, SQLITE_STMTSTATUS_VM_STEP, 1);
	return -1;
}

/*
 * fold_key(x): x folded (case, Vietnamese diacritics, đ → d) with everything but letters and
 * digits dropped, so "Thôn 3", "THON3" and "thon-3" are one group name. NULL stays NULL.
 */
static void fold_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *in = (const char *)sqlite3_value_text(argv[0]);
	char buf[256];
	size_t n, k = 0;

	if (in == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	n = text_fold(in, (size_t)sqlite3_value_bytes(argv[0]), buf, sizeof buf);
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (unsigned char)c >= 0x80)
			buf[k++] = c;
	}
	sqlite3_result_text(ctx, buf, (int)k, SQLITE_TRANSIENT);
}

/*
 * local_time(x): UTC text x ('YYYY-MM-DD HH:MM:SS', what the database keeps) as local time
 * text in the same shape, for listings a person reads (the system's time zone, TZ). NULL stays
 * NULL; text that is not a UTC time is returned as it is.
 */
static void local_time_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *in = (const char *)sqlite3_value_text(argv[0]);
	char out[TS_LEN];

	if (in == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (ts_utc_to_local(in, out) < 0) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/*
 * Switch to WAL. Changing the journal mode needs an exclusive lock, and SQLite does not call
 * the busy handler for it, so when the daemon and the CLI open a new file at the same moment
 * one of them gets SQLITE_BUSY at once: retry for up to the busy timeout.
 */
static int set_wal(int timeout_ms)
{
	struct timespec pause = {0, 10 * 1000 * 1000};

	for (int waited = 0;; waited += 10) {
		if (exec("PRAGMA journal_mode = WAL") == 0)
			return 0;
		if ((last_rc & 0xff) != SQLITE_BUSY || waited >= timeout_ms)
			return -1;
		nanosleep(&pause, NULL);
	}
}

/*
 * tl_network(NUMBER): the network of a recipient by its prefix (issue 25), for the outbox's
 * choice of a modem; NULL when the program gave no table (store_set_networks) or none matches.
 * Not deterministic: the table is the configuration's, which a reload may change.
 */
static const char *(*network_of)(const char *number, void *arg);
static void *network_arg;

void store_set_networks(const char *(*fn)(const char *number, void *arg), void *arg)
{
	network_of = fn;
	network_arg = arg;
}

static void network_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *n = sqlite3_value_text(argv[0]);
	const char *net =
	    n != NULL && network_of != NULL ? network_of((const char *)n, network_arg) : NULL;

	(void)argc;
	if (net == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, net, -1, SQLITE_TRANSIENT);
}

/* Open the connection on db_path: pragmas, migrations, every statement. 0, or -1 (recorded). */
static int connect_db(void)
{
	/*
	 * Every file SQLite creates for this connection is created 0600 (umask 077), the database
	 * file at the open, its -wal and -shm at the first read: never readable by others, not for
	 * a moment. fix_modes then gives the group its read. Set back when the connection is made,
	 * so the files the program writes otherwise keep the umask it was started with.
	 */
	mode_t old_umask = umask(077);
	int r = -1, existed[3];

	sq_files_note(db_path, existed);
	opening = 1;
	if (sqlite3_open_v2(db_path, &store_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		sq_fail(db_path);
		goto out;
	}
	sqlite3_extended_result_codes(store_db, 1);
	sqlite3_busy_timeout(store_db, db_timeout);
	sqlite3_create_function(store_db, "fold_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                        fold_key_fn, NULL, NULL);
	sqlite3_create_function(store_db, "tl_network", 1, SQLITE_UTF8, NULL, network_fn, NULL,
	                        NULL);
	/* Not deterministic: the answer depends on the time zone of the process. */
	sqlite3_create_function(store_db, "local_time", 1, SQLITE_UTF8, NULL, local_time_fn, NULL,
	                        NULL);
	/*
	 * With a group, its members read while nobody writes: a reader of a WAL database needs
	 * -wal and -shm, which it cannot create in a directory it may not write. They are kept
	 * when the last connection closes (PERSIST_WAL), the -wal emptied (journal_size_limit 0)
	 * so that no old page stays in it.
	 */
	if (db_gid >= 0) {
		int on = 1;

		sqlite3_file_control(store_db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
		if (exec("PRAGMA journal_size_limit = 0") < 0)
			goto out;
	}
	/*
	 * WAL lets the CLI read while the daemon writes; synchronous=FULL makes every commit
	 * durable before we delete the message from the modem (NORMAL could lose the last
	 * commits on power loss, which is exactly when a message would be lost). secure_delete
	 * overwrites what a change frees (a redacted PIN) instead of leaving it in free space;
	 * Debian builds SQLite with it on, and a program that promises it should not rely on that.
	 * temp_store = MEMORY: a sort or a temporary index too big for the cache would otherwise
	 * go to a temporary file in /tmp with the rows (and numbers) it sorts.
	 */
	if (set_wal(db_timeout) < 0 || exec("PRAGMA synchronous = FULL") < 0 ||
	    exec("PRAGMA foreign_keys = ON") < 0 || exec("PRAGMA secure_delete = ON") < 0 ||
	    exec("PRAGMA temp_store = MEMORY") < 0)
		goto out;
	if (migrate() < 0 || prepare_all() < 0 ||
	    sq_files_fix(db_path, db_gid, db_group, existed) < 0)
		goto out;
	r = 0;
out:
	umask(old_umask);
	opening = 0;
	return r;
}

/* Finalize every statement and close the connection. */
static void disconnect_db(void)
{
	for (struct sq *q = __start_tipline_sq; q < __stop_tipline_sq; q++) {
		sqlite3_finalize(q->st);
		q->st = NULL;
	}
	if (store_db != NULL)
		sqlite3_close(store_db);
	store_db = NULL;
}

/*
 * SQLite opens a file it cannot write read-only, and the connection stays so when the file
 * becomes writable again (an immutable flag removed, a remount). Before a transaction, such a
 * connection (or one a failed reopen left closed) is opened again, so that a daemon started on
 * a read-only database writes as soon as it can, as after a full disk, without a restart.
 * Costs an open and the statements' prepare per transaction while the file stays read-only.
 */
static int reopen_if_read_only(void)
{
	if (db_path[0] == '\0' || (store_db != NULL && sqlite3_db_readonly(store_db, "main") != 1))
		return 0;
	disconnect_db();
	if (connect_db() < 0) {
		int rc = last_rc;
		char why[sizeof errbuf];

		snprintf(why, sizeof why, "%s", errbuf);
		disconnect_db();
		sq_fail_rc(rc == SQLITE_OK ? SQLITE_CANTOPEN : rc, "reopen", why);
		return -1;
	}
	return 0;
}

int store_open(const struct database_config *cfg)
{
	clear_error();
	snprintf(db_path, sizeof db_path, "%s", cfg->path);
	db_timeout = cfg->busy_timeout;
	/* Zero-initialised settings (tests, tools) mean no group, not gid 0. */
	db_gid = cfg->group != NULL && cfg->group[0] != '\0' ? cfg->group_gid : -1;
	snprintf(db_group, sizeof db_group, "%s", cfg->group ? cfg->group : "");
	if (connect_db() < 0) {
		/* A permission problem is the caller's to say, in its own words, once. */
		if (!perm_denied && !permission_problem(0))
			log_warnx("database %s: %s", cfg->path, errbuf);
		store_close();
		return -1;
	}
	return 0;
}

void store_set_busy_timeout(int ms)
{
	db_timeout = ms;
	if (store_db != NULL)
		sqlite3_busy_timeout(store_db, ms);
}

int sq_busy_timeout(void)
{
	return db_timeout;
}

int store_check_writable(void)
{
	if (store_db == NULL || sqlite3_db_readonly(store_db, "main") != 1)
		return 0;
	return permission_problem(1) ? -1 : 0;
}

/* A write refused on a connection SQLite opened read-only: say whose file it is. */
static int begin_failed(void)
{
	if ((last_rc & 0xff) == SQLITE_READONLY || (last_rc & 0xff) == SQLITE_CANTOPEN)
		permission_problem(1);
	return -1;
}

void store_close(void)
{
	long calls = fault_countdown_calls();

	if (calls >= 0)
		log_info("fault countdown: %ld database calls made", calls);
	disconnect_db();
	db_path[0] = '\0';
}

/* Back to synchronous = FULL after an unsynced transaction. A failure is recorded: every
 * commit after it would be unsynced, which callers must hear of. */
static int unsynced;

static int resync(void)
{
	if (!unsynced)
		return 0;
	if (sqlite3_exec(store_db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)
		return sq_fail("synchronous = FULL");
	unsynced = 0;
	return 0;
}

int store_begin(void)
{
	clear_error();
	if (reopen_if_read_only() < 0 || exec("BEGIN IMMEDIATE") < 0)
		return begin_failed();
	return 0;
}

int store_commit(void)
{
	clear_error();
	if (exec("COMMIT") < 0) {
		store_rollback();
		return -1;
	}
	/* The WAL scrub this transaction asked for, tried once now, without waiting
	 * (store_scrub.c); later tries are the job table's, not every commit's. */
	if (resync() < 0)
		return -1;
	sq_scrub_commit_done();
	return 0;
}

int store_begin_unsynced(void)
{
	/* SQLite refuses a change of synchronous inside a transaction: it is set before BEGIN
	 * and set back by the commit or rollback that ends this transaction. */
	clear_error();
	if (reopen_if_read_only() < 0 || exec("PRAGMA synchronous = OFF") < 0)
		return begin_failed();
	unsynced = 1;
	if (exec("BEGIN IMMEDIATE") < 0) {
		resync();
		return begin_failed();
	}
	return 0;
}

void store_rollback(void)
{
	if (store_db != NULL && !sqlite3_get_autocommit(store_db)) {
		int saved = last_rc;
		char keep[sizeof errbuf];

		memcpy(keep, errbuf, sizeof keep);
		/* Not through exec: a rollback must not meet the countdown fault. */
		sqlite3_exec(store_db, "ROLLBACK", NULL, NULL, NULL);
		last_rc = saved;
		memcpy(errbuf, keep, sizeof keep);
	}
	if (store_db != NULL)
		resync();
}

int store_tx(int (*fn)(void *arg), void *arg)
{
	int r;

	if (store_begin() < 0)
		return -1;
	r = fn(arg);
	if (r < 0) {
		store_rollback();
		return r;
	}
	return store_commit() < 0 ? -1 : r;
}

int store_end(int keep)
{
	if (!keep) {
		store_rollback();
		return 0;
	}
	return store_commit();
}

int store_in_transaction(void)
{
	return store_db != NULL && !sqlite3_get_autocommit(store_db);
}

int store_savepoint(void)
{
	return sq_run(sq_bind(&q_savepoint, ""), "savepoint") < 0 ? -1 : 0;
}

int store_release(void)
{
	return sq_run(sq_bind(&q_release, ""), "release") < 0 ? -1 : 0;
}

int store_rollback_to_savepoint(void)
{
	/* ROLLBACK TO keeps the savepoint open: release it too, leaving the transaction as it
	 * was before store_savepoint(). The error of the failed statement is kept for callers;
	 * like store_rollback, this undo does not meet the countdown fault. */
	int saved = last_rc, ret = 0;
	char keep[sizeof errbuf];

	memcpy(keep, errbuf, sizeof keep);
	if (sqlite3_exec(store_db, "ROLLBACK TO one; RELEASE one", NULL, NULL, NULL) != SQLITE_OK)
		ret = sq_fail("rollback to savepoint");
	if (ret == 0) {
		last_rc = saved;
		memcpy(errbuf, keep, sizeof keep);
	}
	return ret;
}

int store_synchronous(void)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (store_db != NULL &&
	    sqlite3_prepare_v2(store_db, "PRAGMA synchronous", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int store_temp_store(void)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (store_db != NULL &&
	    sqlite3_prepare_v2(store_db, "PRAGMA temp_store", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}
