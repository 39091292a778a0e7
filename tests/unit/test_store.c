/* The store on a real SQLite file: migrations, dedupe keys, multipart assembly, outbox states. */
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "fault.h"
#include "store.h"
#include "ts.h"

static char dbpath[64];

static void fresh(void)
{
	struct database_config dc = {NULL, 0, NULL, -1};
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
	if (store_open(&dc) < 0 || store_begin() < 0)
		fprintf(stderr, "  cannot open %s\n", dbpath);
}

/* Each case runs in the transaction fresh() opened; this records a hand-over as outbox.c
 * does, in a transaction of its own, synced or not, and opens the next one. */
static int handover(int64_t id, int sync)
{
	if (store_commit() < 0 || (sync ? store_begin() : store_begin_unsynced()) < 0 ||
	    store_outbox_mark_handover(id) < 0 || store_commit() < 0) {
		fprintf(stderr, "  handover: %s\n", store_errmsg());
		return -1;
	}
	return store_begin();
}

static void t_migrations_are_idempotent(void)
{
	struct database_config dc = {dbpath, 1000, NULL, -1};
	int v;

	fresh();
	v = store_schema_version();
	/* schema/001..009, 011..015, 019, 020, 023, 026, 027, 028, 031, 032, 033: a new migration
	 * changes this on purpose */
	CHECK_INT(v, 33);
	store_close();
	CHECK_INT(store_open(&dc), 0);
	CHECK_INT(store_schema_version(), v);
	/* Issue 13: sorts and temporary tables stay in memory, not in a file under /tmp. */
	CHECK_INT(store_temp_store(), 2);
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
		                      1,
		                      NULL,
		                      NULL};
		int64_t id = 0;

		CHECK_INT(store_inbox_insert(&m, &id), rows[i].want);
	}
	CHECK_INT(store_inbox_count(), 4);
}

/* Issue 13: an anonymous tip keeps no number, and its message read again is a duplicate. */
static void t_anonymous_tip_keeps_no_number(void)
{
	struct store_msg m = {"+84905111444",
	                      "2026-11-26 08:00:00",
	                      "2026-11-26 08:00:02",
	                      "TIN ANDANH a",
	                      "gsm7",
	                      NULL,
	                      1,
	                      1,
	                      1,
	                      NULL,
	                      NULL};
	struct store_msg m2 = {"+84905111444",
	                       "2026-11-26 08:00:05",
	                       "2026-11-26 08:00:06",
	                       "TIN ANDANH b",
	                       "gsm7",
	                       NULL,
	                       1,
	                       1,
	                       1,
	                       NULL,
	                       NULL};
	struct store_tip t;
	char ref[16], ref2[16], secret[8];
	int64_t id = 0, id2 = 0, tip = 0;

	fresh();
	CHECK_INT(store_inbox_insert(&m, &id), 1);
	/* A caller that passes the number with anonymous = 1 (the USSD menu) does not keep it. */
	CHECK_INT(store_tip_insert(id, "+84905111444", 1, NULL, "a", 1, NULL, m.smsc_time,
	                           m.received_at, ref),
	          0);
	CHECK_INT(store_tip_get(ref, &t), 0);
	CHECK_STR(t.sender, STORE_ANONYMOUS);
	CHECK_INT(store_inbox_insert(&m2, &id2), 1);
	CHECK_INT(store_tip_insert_anonymous(id2, NULL, "b", 1, NULL, m2.smsc_time, m2.received_at,
	                                     ref2, secret),
	          0);
	CHECK_INT((int)strlen(secret), 4);
	CHECK_INT(store_tip_find(ref2, "+84905111444", &tip), 0);
	CHECK_INT(store_tip_find_secret(ref2, secret, &tip), 1);
	CHECK_INT(store_tip_find_secret(ref2, "x", &tip), 0);
	/* Read again after a crash, with the real number: the anonymous row is its twin. */
	CHECK_INT(store_inbox_insert(&m2, &id), 0);
	CHECK_INT(store_inbox_count(), 2);
}

/*
 * Issue 20: a burst of messages in one SMSC second. The twin look-up of each insert is a seek
 * (schema 014's partial index), not a walk over the second's rows: its steps for the last
 * message are as few with 1,200 rows of that second (400 of them anonymous, of the text the
 * last one has) as with none. Another person's message of that text still is stored, and a
 * re-read of an anonymous one still is a twin.
 */
static void t_twin_lookup_is_one_seek(void)
{
	struct store_msg m = {
	    NULL, "2026-12-01 08:00:00", "2026-12-01 08:00:01", NULL, "gsm7", NULL, 1, 1, 1, NULL,
	    NULL};
	char sender[32], text[32], loc[16];
	int64_t id = 0, first_anon = 0;
	long alone, crowded;

	fresh();
	m.sender = "+84905000001";
	m.text = "TIN ANDANH burst";
	m.location = "1/9999";
	store_statement_steps("q_inbox_anon_twin");
	CHECK_INT(store_inbox_insert(&m, &id), 1);
	alone = store_statement_steps("q_inbox_anon_twin");
	CHECK(alone > 0);
	fresh();
	for (int i = 0; i < 1200; i++) {
		snprintf(sender, sizeof sender, "+8490510%04d", i);
		snprintf(text, sizeof text, "TIN %d", i);
		snprintf(loc, sizeof loc, "1/%d", i + 1);
		m.sender = sender;
		m.text = i % 3 == 0 ? "TIN ANDANH burst" : text;
		m.location = loc;
		CHECK_INT(store_inbox_insert(&m, &id), 1);
		if (i % 3 == 0) {
			CHECK_INT(store_anonymize_message(id), 0);
			if (first_anon == 0)
				first_anon = id;
		}
	}
	m.sender = "+84905000001";
	m.text = "TIN ANDANH burst";
	m.location = "1/9999";
	store_statement_steps("q_inbox_anon_twin");
	CHECK_INT(store_inbox_insert(&m, &id), 1);
	crowded = store_statement_steps("q_inbox_anon_twin");
	if (crowded > alone + 10)
		fprintf(stderr, "  twin look-up: %ld steps among 1,200 rows, %ld alone\n", crowded,
		        alone);
	CHECK(crowded <= alone + 10);
	/* The first anonymous one, read again at its place with its number: a twin. */
	m.sender = "+84905100000";
	m.location = "1/1";
	CHECK_INT(store_inbox_insert(&m, &id), 0);
	CHECK_INT(store_inbox_count(), 1201);
	CHECK_INT(store_statement_steps("q_no_such_statement"), -1);
}

/* The inbox's senders in id order, joined by spaces, into forgot_senders. */
static char forgot_senders[256];

static int add_sender(const struct store_inbox_row *r, void *arg)
{
	size_t len = strlen(forgot_senders);

	(void)arg;
	snprintf(forgot_senders + len, sizeof forgot_senders - len, "%s%s", len ? " " : "",
	         r->sender);
	return 0;
}

/*
 * Issue 13: forgetting by age and by number. Two forgotten messages of the same time and text
 * do not collide on inbox's UNIQUE key (the marker carries the row id), a second run finds
 * nothing, and a message read again after it was forgotten is still a duplicate.
 */
static void t_forget_keeps_keys_apart(void)
{
	struct store_msg a = {"+84905111444",
	                      "2026-10-01 08:00:00",
	                      "2026-10-01 08:00:02",
	                      "TIN a",
	                      "gsm7",
	                      NULL,
	                      1,
	                      1,
	                      1,
	                      NULL,
	                      NULL};
	struct store_msg b = a, c = a;
	const char *forms[STORE_FORGET_FORMS] = {"+84905333666", "84905333666", "0905333666",
	                                         "905333666", "0084905333666"};
	struct store_forget f;
	int64_t id = 0;

	b.sender = "0905222555"; /* someone else, the same time and text */
	c.sender = "0905333666";
	c.received_at = "2026-11-30 08:00:00"; /* stored later: not old */
	fresh();
	CHECK_INT(store_inbox_insert(&a, &id), 1);
	CHECK_INT(store_inbox_insert(&b, &id), 1);
	CHECK_INT(store_inbox_insert(&c, &id), 1);
	CHECK_INT(store_forget_before("2026-11-01 00:00:00", &f), 0);
	CHECK_INT(f.changed[STORE_FG_INBOX], 2);
	CHECK_INT(f.total, 2);
	forgot_senders[0] = '\0';
	CHECK(store_inbox_each(NULL, NULL, 0, add_sender, NULL) >= 0);
	CHECK_STR(forgot_senders, "forgotten forgotten:2 0905333666");
	CHECK_INT(store_forget_before("2026-11-01 00:00:00", &f), 0);
	CHECK_INT(f.total, 0);
	CHECK_INT(store_inbox_insert(&a, &id), 0); /* read again with the real number */
	/* By number, in the national spelling the network gave. */
	CHECK_INT(store_forget_number(forms, &f), 0);
	CHECK_INT(f.changed[STORE_FG_INBOX], 1);
	CHECK_INT(f.total, 1);
	CHECK_INT(store_inbox_insert(&c, &id), 0);
	CHECK_INT(store_inbox_count(), 3);
}

/* The parts of a forgotten multipart message: erased once joined, and a re-read is a twin. */
static void t_forget_multipart(void)
{
	struct store_part p[2] = {
	    {"0905111444", 7, 2, 1, "2026-10-01 08:00:00", "2026-10-01 08:00:01", "TIN aaa ",
	     "gsm7", NULL},
	    {"0905111444", 7, 2, 2, "2026-10-01 08:00:00", "2026-10-01 08:00:01", "bbb", "gsm7",
	     NULL},
	};
	const char *forms[STORE_FORGET_FORMS] = {"+84905111444", "84905111444", "0905111444",
	                                         "905111444", "0084905111444"};
	struct store_forget f;
	int64_t id = 0;

	fresh();
	CHECK_INT(store_part_insert(&p[0]), 1);
	/* Waiting for the rest: kept, and counted. */
	CHECK_INT(store_forget_number(forms, &f), 0);
	CHECK_INT(f.total, 0);
	CHECK_INT(f.parts_waiting, 1);
	CHECK_INT(store_part_insert(&p[1]), 1);
	CHECK_INT(store_parts_assemble("0905111444", 7, 2, 0, &id), 1);
	CHECK_INT(store_forget_number(forms, &f), 0);
	CHECK_INT(f.changed[STORE_FG_PARTS], 2);
	CHECK_INT(f.changed[STORE_FG_INBOX], 1);
	CHECK_INT(f.parts_waiting, 0);
	/* Read again after a crash, with the real number: both parts are twins. */
	CHECK_INT(store_part_insert(&p[0]), 0);
	CHECK_INT(store_part_insert(&p[1]), 0);
	CHECK_INT(store_inbox_count(), 1);
}

static int64_t assembled_id;
static char assembled_text[256];
static int assembled_complete;

static int grab(const struct store_inbox_row *r, void *arg)
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

static int take(const struct store_outbox_row *r, void *arg)
{
	struct due *d = arg;

	d->id = r->id;
	d->found++;
	snprintf(d->status, sizeof d->status, "%s", r->status);
	return 0;
}

static void t_outbox_states_and_priority(void)
{
	struct store_outbox_new bulk = {"+84900000001", "bulk", 10, "broadcast", 0, NULL, 0};
	struct store_outbox_new ack = {"+84900000002", "ack", 0, "reply", 0, NULL, 0};
	struct store_outbox_new later = {"+84900000003",        "later", 0, "reply", 0,
	                                 "2999-01-01 00:00:00", 0};
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
	CHECK_INT(store_outbox_mark_sending(b), 1);
	/* A crash now: recovery puts it back, to be sent once more at most. */
	CHECK_INT(store_outbox_recover(2, "not sent again", &given_up), 1);
	CHECK_INT(given_up, 0);
	d.found = 0;
	CHECK_INT(store_outbox_next(now, take, &d), 1);
	CHECK_INT(d.id, b);
	CHECK_INT(store_outbox_mark_sending(b), 1);
	CHECK_INT(store_outbox_mark_sending(b), 0); /* no longer queued: not to be sent */
	CHECK_INT(store_outbox_mark_sent(b, 1, 0), 0);
	d.found = 0;
	store_outbox_next(now, take, &d);
	CHECK_INT(d.id, a);
	CHECK_INT(store_outbox_mark_sending(a), 1);
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

static int take_handed(const struct store_outbox_row *r, void *arg)
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
	struct store_outbox_new ack = {"+84900000002", "ack", 0, "reply", 0, NULL, 0};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct handed h = {0};
		int64_t id;
		int given_up = -1, n;

		fresh();
		CHECK_INT(store_outbox_insert(&ack, &id), 0);
		for (const char *a = t[i].attempts; *a != '\0'; a++) {
			CHECK_INT(store_outbox_mark_sending(id), 1);
			CHECK_INT(handover(id, *a == 'r'), 0);
			if (*a == 'r')
				CHECK_INT(store_outbox_mark_error(id, "+CMS ERROR: 38",
				                                  "2000-01-01 00:00:00", 1),
				          0);
			else if (a[1] != '\0') /* a crash, then a restart that sends it again */
				CHECK_INT(store_outbox_recover(99, "not sent again", &given_up), 1);
		}
		if (t[i].attempts[0] == '\0' || t[i].attempts[strlen(t[i].attempts) - 1] == 'r')
			CHECK_INT(store_outbox_mark_sending(id),
			          1); /* and a crash before the modem */
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
	CHECK_INT(store_contact_upsert("+84900000001", "A", "Thôn 3", ROLE_KEEP, NULL, -1), 0);
	CHECK_INT(store_contact_upsert("+84900000002", "B", "3", ROLE_LEADER, "TQ3", -1), 0);
	CHECK_INT(store_contact_upsert("+84900000003", "C", "3", ROLE_KEEP, NULL, 0), 0); /* out */
	CHECK_INT(store_contact_upsert("+84900000004", "D", "Kon Klor", ROLE_KEEP, NULL, -1), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = store_group_count(cases[i].group);

		if (n != cases[i].want)
			fprintf(stderr, "  group %s\n", cases[i].group);
		CHECK_INT(n, cases[i].want);
	}
	CHECK_INT(store_group_count("THON KON KLOR"), 1);
	{
		int n = 0;

		store_list_contacts(NULL, 0, count_rows, &n);
		CHECK_INT(n, 4);
	}
}

static int count_groups(const char *sender, int ref, int total, void *arg)
{
	return 0;
}

/*
 * Regression (issue 9, defect 1): the same 2-part message delivered twice by the network, under
 * another concatenation reference. The second copy is recognised as the stored message: no
 * second row, nothing new reported, and its parts are closed (linked), so that the receive
 * path deletes them from the modem. Before the fix the lookup had no SQL and failed.
 */
static void t_multipart_delivered_twice(void)
{
	int64_t first = 0, second = -1;

	fresh();
	for (int ref = 17; ref <= 18; ref++) {
		for (int seq = 1; seq <= 2; seq++) {
			struct store_part p = {"+84905999111",
			                       ref,
			                       2,
			                       seq,
			                       "2026-12-01 00:30:00",
			                       "2026-12-01 00:30:05",
			                       seq == 1 ? "first half, " : "second half",
			                       "gsm7",
			                       NULL};
			int64_t id = 0;
			int r;

			CHECK_INT(store_part_insert(&p), 1);
			r = store_parts_assemble("+84905999111", ref, 2, 0, &id);
			if (seq == 1) {
				CHECK_INT(r, 0);
			} else if (ref == 17) {
				CHECK_INT(r, 1);
				first = id;
			} else {
				CHECK_INT(r, 0);
				if (r < 0)
					fprintf(stderr, "  %s\n", store_errmsg());
				second = id;
			}
		}
	}
	CHECK_INT(store_inbox_count(), 1);
	CHECK_INT(second, first);
	CHECK_INT(store_parts_stale("2999-01-01 00:00:00", count_groups, NULL), 0);
}

/*
 * Regression (issue 9, defect 2): the last error describes the last failing call, never an
 * older one. A lock held by another process makes BEGIN fail with SQLITE_BUSY (a storage
 * error); after a call that works, a failure of the caller's own (an allocation) must not be
 * taken for that stale BUSY.
 */
static void t_last_error_is_not_stale(void)
{
	struct database_config dc = {dbpath, 50, NULL, -1};
	int go[2], ready[2];
	pid_t pid;
	char c = 0;

	fresh();
	store_close();
	if (pipe(go) < 0 || pipe(ready) < 0) {
		CHECK(0);
		return;
	}
	pid = fork();
	if (pid == 0) { /* holds the write lock until told */
		if (store_open(&dc) < 0 || store_begin() < 0)
			_exit(1);
		(void)!write(ready[1], "r", 1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	CHECK((int)read(ready[0], &c, 1) == 1);
	CHECK_INT(store_open(&dc), 0);
	CHECK_INT(store_begin(), -1);
	CHECK_INT(store_error_is_storage(), 1); /* BUSY */
	CHECK(store_inbox_count() >= 0);        /* a read that works */
	CHECK_INT(store_error_is_storage(), 0);
	CHECK_STR(store_errmsg(), "");
	store_error_nomem("test");
	CHECK_INT(store_error_is_storage(), 1);
	(void)!write(go[1], "g", 1);
	waitpid(pid, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/* The transaction rule (store_int.h): a write outside a transaction is refused, unwritten. */
static void t_write_outside_a_transaction_is_refused(void)
{
	struct store_outbox_new ack = {"+84900000002", "ack", 0, "reply", 0, NULL, 0};
	int64_t id = 0;

	fresh();
	CHECK_INT(store_commit(), 0);
	CHECK_INT(store_outbox_insert(&ack, &id), -1);
	CHECK(strstr(store_errmsg(), "outside a transaction") != NULL);
	CHECK_INT(store_error_is_storage(), 0);
	CHECK(store_inbox_count() == 0); /* reads need none */
	CHECK_INT(store_begin(), 0);
	CHECK_INT(store_outbox_insert(&ack, &id), 0);
	CHECK_INT(store_commit(), 0);
	CHECK_INT(store_begin(), 0);
}

/* Every statement is prepared at open: a broken one would have failed store_open. */
static void t_every_statement_is_prepared_at_open(void)
{
	fresh();
	CHECK_INT(store_statements(), SQ_IN_SOURCES);
	CHECK_INT(store_schema_version(), store_schema_newest());
}

/* The countdown fault: the Nth database call fails with the kind asked, then calls work. */
static void t_countdown_fails_the_nth_call(void)
{
	static const struct {
		const char *spec;
		const char *fails; /* per call 1..6: 'x' fails, '.' works */
		int storage;
	} t[] = {
	    {"3", "..x...", 1},       {"2:2:full", ".xx...", 1}, {"4:0:nomem", "...xxx", 1},
	    {"1:ioerr", "x.....", 1}, {"0", "......", 0},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		fresh();
		fault_countdown_arm(t[i].spec);
		for (int k = 0; k < 6; k++) {
			int64_t n = store_inbox_count();

			CHECK_INT(n < 0, t[i].fails[k] == 'x');
			if (n < 0) {
				CHECK_INT(store_error_is_storage(), t[i].storage);
				CHECK(strstr(store_errmsg(), "injected") != NULL);
			}
		}
		CHECK_INT(fault_countdown_calls(), 6);
		fault_countdown_arm(NULL);
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
	struct database_config dc = {dbpath, 1000, NULL, -1};
	struct store_msg m = {"+84912345678",
	                      "2026-11-26 08:00:00",
	                      "2026-11-26 08:00:02",
	                      "TIN a",
	                      "gsm7",
	                      NULL,
	                      1,
	                      1,
	                      1,
	                      NULL,
	                      NULL};
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
	RUN(t_twin_lookup_is_one_seek);
	RUN(t_inbox_dedupe);
	RUN(t_anonymous_tip_keeps_no_number);
	RUN(t_forget_keeps_keys_apart);
	RUN(t_forget_multipart);
	RUN(t_multipart_any_order);
	RUN(t_multipart_forced_incomplete);
	RUN(t_outbox_states_and_priority);
	RUN(t_outbox_handovers_bound_resends);
	RUN(t_group_names_fold);
	RUN(t_multipart_delivered_twice);
	RUN(t_last_error_is_not_stale);
	RUN(t_write_outside_a_transaction_is_refused);
	RUN(t_every_statement_is_prepared_at_open);
	RUN(t_countdown_fails_the_nth_call);
	RUN(t_read_only_database_is_a_storage_error);
	store_close();
	unlink(dbpath);
	snprintf(p, sizeof p, "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbpath);
	unlink(p);
	return check_done();
}
