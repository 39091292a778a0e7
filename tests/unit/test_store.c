/* The store on a real SQLite file: migrations, dedupe keys, multipart assembly, outbox states. */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "store.h"
#include "ts.h"

static char dbpath[64];

static void fresh(void)
{
	struct database_config dc;
	char p[80];

	store_close();
	snprintf(dbpath, sizeof dbpath, "/tmp/tipline-test-store-%d.db", (int)getpid());
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
	dc.path = dbpath;
	dc.busy_timeout = 1000;
	if (store_open(&dc) < 0)
		fprintf(stderr, "  cannot open %s\n", dbpath);
}

static void t_migrations_are_idempotent(void)
{
	struct database_config dc = {dbpath, 1000};
	int v;

	fresh();
	v = store_schema_version();
	CHECK_INT(v, 4); /* schema/001..004: a new migration changes this number on purpose */
	store_close();
	CHECK_INT(store_open(&dc), 0);
	CHECK_INT(store_schema_version(), v);
}

static void t_inbox_dedupe(void)
{
	static const struct {
		const char *sender, *when, *text;
		int want;
	} rows[] = {
	    {"+84912345678", "2026-11-26 08:00:00", "TIN a", 1},
	    {"+84912345678", "2026-11-26 08:00:00", "TIN a", 0}, /* the same message read again */
	    {"+84912345678", "2026-11-26 08:00:01", "TIN a", 1}, /* sent again a second later */
	    {"+84912345679", "2026-11-26 08:00:00", "TIN a", 1}, /* someone else */
	    {"+84912345678", "2026-11-26 08:00:00", "TIN b", 1},
	};

	fresh();
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct store_msg m = {rows[i].sender,
		                      rows[i].when,
		                      "2026-11-26 08:00:02",
		                      rows[i].text,
		                      "gsm7",
		                      NULL,
		                      1,
		                      1,
		                      1};
		int64_t id = 0;

		CHECK_INT(store_inbox_insert(&m, &id), rows[i].want);
	}
	CHECK_INT(store_inbox_count(), 4);
}

static int64_t assembled_id;
static char assembled_text[256];
static int assembled_complete;

static int grab(const struct inbox_row *r, void *arg)
{
	snprintf(assembled_text, sizeof assembled_text, "%s", r->text);
	assembled_complete = r->complete;
	return 0;
}

static void t_multipart_any_order(void)
{
	static const int orders[][3] = {{1, 2, 3}, {3, 2, 1}, {2, 3, 1}, {3, 1, 2}};
	static const char *const texts[] = {"", "aaa ", "bbb ", "ccc"};

	for (size_t o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		fresh();
		for (int k = 0; k < 3; k++) {
			int seq = orders[o][k];
			struct store_part p = {
			    "+84912345678",        42,         3,      seq, "2026-11-26 08:00:00",
			    "2026-11-26 08:00:01", texts[seq], "gsm7", NULL};
			int64_t id = 0;

			CHECK_INT(store_part_insert(&p), 1);
			CHECK_INT(store_part_insert(&p), 0); /* re-read: nothing new */
			CHECK_INT(store_parts_assemble("+84912345678", 42, 3, 0, &id), k == 2);
			if (k == 2)
				assembled_id = id;
		}
		store_inbox_get(assembled_id, grab, NULL);
		CHECK_STR(assembled_text, "aaa bbb ccc");
		CHECK_INT(assembled_complete, 1);
		/* A late duplicate of a part after assembly does not reopen the message. */
		{
			struct store_part p = {
			    "+84912345678",        42,     3,      2,   "2026-11-26 08:00:00",
			    "2026-11-26 08:00:09", "bbb ", "gsm7", NULL};
			int64_t id = 0;

			CHECK_INT(store_part_insert(&p), 0);
			CHECK_INT(store_parts_assemble("+84912345678", 42, 3, 0, &id), 0);
		}
		CHECK_INT(store_inbox_count(), 1);
	}
}

static void t_multipart_forced_incomplete(void)
{
	struct store_part p = {"+84912345678",        7,      3,      3,   "2026-11-26 08:00:00",
	                       "2026-11-26 08:00:01", "tail", "gsm7", NULL};
	int64_t id = 0;

	fresh();
	CHECK_INT(store_part_insert(&p), 1);
	CHECK_INT(store_parts_assemble("+84912345678", 7, 3, 0, &id), 0);
	CHECK_INT(store_parts_assemble("+84912345678", 7, 3, 1, &id), 1);
	store_inbox_get(id, grab, NULL);
	CHECK_STR(assembled_text, "tail");
	CHECK_INT(assembled_complete, 0);
}

struct due {
	int64_t id;
	int found;
	char status[16];
};

static int take(const struct outbox_row *r, void *arg)
{
	struct due *d = arg;

	d->id = r->id;
	d->found++;
	snprintf(d->status, sizeof d->status, "%s", r->status);
	return 0;
}

static void t_outbox_states_and_priority(void)
{
	struct outbox_new bulk = {"+84900000001", "bulk", 10, "broadcast", 0, NULL};
	struct outbox_new ack = {"+84900000002", "ack", 0, "reply", 0, NULL};
	struct outbox_new later = {"+84900000003", "later", 0, "reply", 0, "2999-01-01 00:00:00"};
	struct due d = {0};
	int64_t a, b, c;
	int given_up;
	char now[20];

	fresh();
	ts_now(now);
	CHECK_INT(store_outbox_insert(&bulk, &a), 0);
	CHECK_INT(store_outbox_insert(&ack, &b), 0);
	CHECK_INT(store_outbox_insert(&later, &c), 0);
	CHECK_INT(store_outbox_next(now, take, &d), 1);
	CHECK_INT(d.id, b); /* the reply first, though queued after */
	CHECK_INT(store_outbox_mark_sending(b), 0);
	/* A crash now: recovery puts it back, to be sent once more at most. */
	CHECK_INT(store_outbox_recover(2, "not sent again", &given_up), 1);
	CHECK_INT(given_up, 0);
	d.found = 0;
	CHECK_INT(store_outbox_next(now, take, &d), 1);
	CHECK_INT(d.id, b);
	CHECK_INT(store_outbox_mark_sending(b), 0);
	CHECK_INT(store_outbox_mark_sent(b, 1, 0), 0);
	d.found = 0;
	store_outbox_next(now, take, &d);
	CHECK_INT(d.id, a);
	CHECK_INT(store_outbox_mark_sending(a), 0);
	CHECK_INT(store_outbox_mark_error(a, "+CMS ERROR: 38", "2999-01-01 00:00:00", 0), 0);
	d.found = 0;
	CHECK_INT(store_outbox_next(now, take, &d), 0); /* the retry and "later" are not due */
	CHECK_INT(store_outbox_mark_error(a, "+CMS ERROR: 38", NULL, 0), 0);
	d.found = 0;
	store_outbox_each("failed", 0, take, &d);
	CHECK_INT(d.found, 1);
	CHECK_STR(d.status, "failed");
}

struct handed {
	int64_t id;
	int handovers;
	char status[16];
	char error[128];
};

static int take_handed(const struct outbox_row *r, void *arg)
{
	struct handed *h = arg;

	h->id = r->id;
	h->handovers = r->handovers;
	snprintf(h->status, sizeof h->status, "%s", r->status);
	snprintf(h->error, sizeof h->error, "%s", r->last_error ? r->last_error : "");
	return 1;
}

/* Recovery after crashes during sends: a message the modem took once before a crash is queued
 * again, one it took twice is not sent a third time; a hand-over the modem answered (a
 * refusal here) does not count. */
static void t_outbox_handovers_bound_resends(void)
{
	static const struct {
		const char *attempts; /* per attempt: c = crash after the hand-over, r = refused */
		const char *status;   /* after the recovery at the end */
		int handovers;
	} t[] = {
	    {"", "queued", 0},    {"c", "queued", 1}, {"cc", "sent", 2},  {"rc", "queued", 1},
	    {"rrc", "queued", 1}, {"crc", "sent", 2}, {"ccc", "sent", 3}, {"rr", "queued", 0},
	};
	struct outbox_new ack = {"+84900000002", "ack", 0, "reply", 0, NULL};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct handed h = {0};
		int64_t id;
		int given_up = -1, n;

		fresh();
		CHECK_INT(store_outbox_insert(&ack, &id), 0);
		for (const char *a = t[i].attempts; *a != '\0'; a++) {
			CHECK_INT(store_outbox_mark_sending(id), 0);
			CHECK_INT(store_outbox_mark_handover(id, *a == 'r'), 0);
			if (*a == 'r')
				CHECK_INT(store_outbox_mark_error(id, "+CMS ERROR: 38",
				                                  "2000-01-01 00:00:00", 1),
				          0);
			else if (a[1] != '\0') /* a crash, then a restart that sends it again */
				CHECK_INT(store_outbox_recover(99, "not sent again", &given_up), 1);
		}
		if (t[i].attempts[0] == '\0' || t[i].attempts[strlen(t[i].attempts) - 1] == 'r')
			CHECK_INT(store_outbox_mark_sending(id),
			          0); /* and a crash before the modem */
		n = store_outbox_recover(2, "not sent again", &given_up);
		CHECK_INT(n + given_up, 1);
		CHECK_INT(store_outbox_each(NULL, 0, take_handed, &h), 1);
		CHECK_INT(store_synchronous(), 2); /* an unsynced hand-over leaves FULL behind */
		CHECK_STR(h.status, t[i].status);
		CHECK_INT(h.handovers, t[i].handovers);
		CHECK_INT(strstr(h.error, "not sent again") != NULL,
		          strcmp(t[i].status, "sent") == 0);
	}
}

static int count_rows(const struct store_row *r, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void t_group_names_fold(void)
{
	static const struct {
		const char *group;
		int want;
	} cases[] = {
	    {"THON3", 2}, {"thôn 3", 2}, {"Thon-3", 2},   {"THON4", 0}, {"TQ3", 1},
	    {"tq3", 1},   {"TATCA", 3},  {"totruong", 1}, {"CANBO", 0},
	};

	fresh();
	store_contact_upsert("+84900000001", "A", "Thôn 3", NULL, NULL, -1);
	store_contact_upsert("+84900000002", "B", "3", "leader", "TQ3", -1);
	store_contact_upsert("+84900000003", "C", "3", NULL, NULL, 0); /* opted out */
	store_contact_upsert("+84900000004", "D", "Kon Klor", NULL, NULL, -1);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = store_group_count(cases[i].group);

		if (n != cases[i].want)
			fprintf(stderr, "  group %s\n", cases[i].group);
		CHECK_INT(n, cases[i].want);
	}
	CHECK_INT(store_group_count("THON KON KLOR"), 1);
	{
		int n = 0;

		store_list(LIST_CONTACTS, NULL, 0, count_rows, &n);
		CHECK_INT(n, 4);
	}
}

/* chattr +i (ON) or -i on PATH: 0, or -1 where the file system or the user cannot. */
static int set_immutable(const char *path, int on)
{
	int fd = open(path, O_RDONLY), flags, r = -1;

	if (fd < 0)
		return -1;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
	return r;
}

/*
 * A database file the process cannot write (immutable, or a mode its user cannot write):
 * SQLite opens it read-only, the writer lock is granted, and the first write fails with
 * SQLITE_READONLY. That is the disk's fault, like a full one: receive.c then leaves the whole
 * batch on the modem instead of taking each message for a bad one.
 */
static void t_read_only_database_is_a_storage_error(void)
{
	struct database_config dc = {dbpath, 1000};
	struct store_msg m = {"+84912345678",
	                      "2026-11-26 08:00:00",
	                      "2026-11-26 08:00:02",
	                      "TIN a",
	                      "gsm7",
	                      NULL,
	                      1,
	                      1,
	                      1};
	int64_t id = 0;

	fresh();
	store_close(); /* the last connection: the WAL is checkpointed and removed */
	if (set_immutable(dbpath, 1) < 0) {
		if (geteuid() == 0)
			SKIP("cannot set the immutable attribute here, and root writes any file "
			     "mode");
		CHECK_INT(chmod(dbpath, 0444), 0);
	}
	CHECK_INT(store_open(&dc), 0);
	CHECK_INT(store_begin(), 0);
	CHECK_INT(store_savepoint(), 0);
	CHECK_INT(store_inbox_insert(&m, &id), -1);
	CHECK(strstr(store_errmsg(), "readonly") != NULL);
	CHECK_INT(store_error_is_storage(), 1);
	store_rollback();
	store_close();
	CHECK_INT(set_immutable(dbpath, 0) == 0 || chmod(dbpath, 0644) == 0, 1);
}

int main(void)
{
	char p[80];

	RUN(t_migrations_are_idempotent);
	RUN(t_inbox_dedupe);
	RUN(t_multipart_any_order);
	RUN(t_multipart_forced_incomplete);
	RUN(t_outbox_states_and_priority);
	RUN(t_outbox_handovers_bound_resends);
	RUN(t_group_names_fold);
	RUN(t_read_only_database_is_a_storage_error);
	store_close();
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
	return check_done();
}
