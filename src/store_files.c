/*
 * The database files' modes and owners (issue 13: a copied SD card, another account on the
 * Pi): the database, its -wal and -shm are 0600, or 0640 and database.group's; and, when a
 * file's permissions stop this process, the plain sentence that says whose the file is and who
 * may open it. Split from store.c, whose connection code calls these (store_int.h).
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static void user_name(uid_t uid, char *out, size_t sz)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(out, sz, "%s", pw->pw_name);
	else
		snprintf(out, sz, "%ld", (long)uid);
}

static void group_name(gid_t gid, char *out, size_t sz)
{
	struct group *gr = getgrgid(gid);

	if (gr != NULL)
		snprintf(out, sz, "%s", gr->gr_name);
	else
		snprintf(out, sz, "%ld", (long)gid);
}

/* The directory of the database file DB_PATH, "." for a bare name. */
static void db_dir(const char *db_path, char *out, size_t sz)
{
	const char *slash = strrchr(db_path, '/');

	if (slash == NULL)
		snprintf(out, sz, ".");
	else if (slash == db_path)
		snprintf(out, sz, "/");
	else
		snprintf(out, sz, "%.*s", (int)(slash - db_path), db_path);
}

/* 1 when this process may not ACCESS PATH because of its permissions (EACCES). */
static int denied(const char *path, int access)
{
	return faccessat(AT_FDCWD, path, access, AT_EACCESS) < 0 && errno == EACCES;
}

/*
 * When the database cannot be opened (WRITE 0) or written (WRITE 1) because of a file's
 * permissions (EACCES: on the file, its directory, its -wal or -shm), the plain answer for a
 * person in errbuf, naming the file's owner and group from stat(2) and who may open it, and 1.
 * 0 when permissions are not the cause (root, whom they do not stop; a missing directory).
 */
int sq_permission_problem(const char *db_path, int write)
{
	static const char *const side[] = {"-wal", "-shm"};
	int amode = write ? R_OK | W_OK : R_OK;
	char dir[SQ_PATH_LEN], side_path[SQ_PATH_LEN + 8], where[SQ_PATH_LEN + 64];
	char user[64], group[64], advice[400];
	const char *culprit = NULL;
	mode_t need = write ? 060 : 040; /* what the group needs of the culprit */
	struct stat st;

	db_dir(db_path, dir, sizeof dir);
	where[0] = '\0';
	if (denied(dir, X_OK) ||
	    (access(db_path, F_OK) < 0 && errno == ENOENT && denied(dir, W_OK | X_OK))) {
		culprit = dir;
		need = denied(dir, X_OK) ? 010 : 030;
		snprintf(where, sizeof where, " on its directory %.4000s", dir);
	} else if (denied(db_path, amode)) {
		culprit = db_path;
	} else {
		for (int i = 0; i < 2 && culprit == NULL; i++) {
			snprintf(side_path, sizeof side_path, "%s%s", db_path, side[i]);
			if (denied(side_path, amode)) {
				culprit = side_path;
				snprintf(where, sizeof where, " on %s", side_path);
			} else if (access(side_path, F_OK) < 0 && errno == ENOENT &&
			           denied(dir, W_OK)) {
				/* A reader of a WAL database needs the -wal and -shm files: with
				 * none there, it must be able to create them. */
				culprit = dir;
				need = 030;
				snprintf(where, sizeof where,
				         " on its directory %.4000s (to create %s)", dir, side[i]);
			}
		}
	}
	if (culprit == NULL || stat(culprit, &st) < 0)
		return 0;
	user_name(st.st_uid, user, sizeof user);
	group_name(st.st_gid, group, sizeof group);
	if ((st.st_mode & need) == need)
		snprintf(advice, sizeof advice,
		         "run as %s or a member of group %s (sudo -u %s %s ...)", user, group, user,
		         program_invocation_short_name);
	else if (write && culprit != dir && (st.st_mode & 040))
		snprintf(
		    advice, sizeof advice,
		    "members of group %s can read it, only %s can write it: run as %s (sudo -u "
		    "%s %s ...)",
		    group, user, user, user, program_invocation_short_name);
	else
		snprintf(advice, sizeof advice, "only %s can: run as %s (sudo -u %s %s ...)", user,
		         user, user, program_invocation_short_name);
	sq_fail_permission("cannot %s %.400s: permission denied%.800s; it belongs to user %.60s, "
	                   "group %.60s (mode %04o): %.320s",
	                   write ? "write" : "open", db_path, where, user, group,
	                   (unsigned)(st.st_mode & 07777), advice);
	return 1;
}

/* The database file and the two SQLite keeps beside it in WAL mode. */
static const char *const db_files[] = {"", "-wal", "-shm"};

void sq_files_note(const char *db_path, int existed[3])
{
	for (int i = 0; i < 3; i++) {
		char p[SQ_PATH_LEN + 8];

		snprintf(p, sizeof p, "%s%s", db_path, db_files[i]);
		existed[i] = access(p, F_OK) == 0;
	}
}

/*
 * The plain line for a file this process may not give to database.group (not root, not a
 * member): a permission problem, which the caller prints once, as permission_problem's.
 */
static int chgrp_failed(const char *p, const char *group, int e)
{
	char user[64];

	user_name(geteuid(), user, sizeof user);
	return sq_fail_permission(
	    "cannot give %.1200s to group %.60s (database.group): %.200s%.60s", p, group,
	    e == EPERM ? "only root or a member of that group can, and this process runs as "
	               : strerror(e),
	    e == EPERM ? user : "");
}

/*
 * The database, its -wal and its -shm: mode 0600, or 0640 and group database.group. SQLite
 * creates -wal and -shm with the database file's mode (and, run as root, its owner and
 * group), so the three follow the database file once it is right; an existing file with
 * another mode or group (a database from before this setting, a group added later) is set
 * right here, and said so once: it is right at the next open. Only the owner (or root) can
 * change a file's mode: anyone else is left with what the owner allows. 0, or -1 (recorded).
 */
int sq_files_fix(const char *db_path, long db_gid, const char *db_group, const int existed[3])
{
	mode_t mode = db_gid >= 0 ? 0640 : 0600;

	for (int i = 0; i < 3; i++) {
		char p[SQ_PATH_LEN + 8], was[64];
		struct stat st;
		int changed = 0;

		snprintf(p, sizeof p, "%s%s", db_path, db_files[i]);
		if (stat(p, &st) < 0 || (st.st_uid != geteuid() && geteuid() != 0))
			continue;
		group_name(st.st_gid, was, sizeof was);
		/* The group first: 0640 is never given to the wrong group. */
		if (db_gid >= 0 && st.st_gid != (gid_t)db_gid) {
			if (chown(p, (uid_t)-1, (gid_t)db_gid) < 0)
				return chgrp_failed(p, db_group, errno);
			changed = 1;
		}
		if ((st.st_mode & 07777) != mode) {
			if (chmod(p, mode) < 0)
				return sq_fail_rc(SQLITE_PERM, p, strerror(errno));
			changed = 1;
		}
		if (changed && existed[i])
			log_info("%s was mode %04o, group %s: now %04o, group %s", p,
			         (unsigned)(st.st_mode & 07777), was, (unsigned)mode,
			         db_gid >= 0 ? db_group : was);
	}
	return 0;
}
