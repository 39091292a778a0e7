/* The store: the inbox and the parts of multipart messages. Rules in store_int.h. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ts.h"

STORE_DOMAIN(inbox);

/*
 * An anonymous message's row keeps 'anonymous' for its sender (store_anonymize_message), a
 * forgotten one 'forgotten' or, where that would have collided, 'forgotten:ID'
 * (store_privacy.c), or 'anonymous:ID' likewise (store_anonymize_message), so a re-read of it
 * after a crash (same SMSC time, same text, the real number) would not meet the dedupe key:
 * it meets this twin instead, and is a no-op too. The
 * twin lay where the re-read one lies on the modem (schema 013; rows from before it: anywhere):
 * another person's message of the same text in the same second lies elsewhere, and is stored.
 * One seek each for the place and for "anywhere" (NULL) through inbox_erased_twin (schema 014,
 * whose WHERE is ERASED_SENDER word for word: SQLite uses a partial index only when the query
 * repeats its condition), so a burst of messages in one second costs no walk over that
 * second's rows (issue 20), nor do the keyed markers' ranges.
 */
#define ERASED_SENDER                                                                              \
	"(sender IN ('" STORE_ANONYMOUS "', '" STORE_FORGOTTEN                                     \
	"') OR sender GLOB '" STORE_FORGOTTEN ":*' OR sender GLOB '" STORE_ANONYMOUS ":*')"
#define TWIN_AT(loc)                                                                               \
	"EXISTS (SELECT 1 FROM inbox WHERE " ERASED_SENDER                                         \
	" AND smsc_time = ?1 AND text = ?2 AND "                                                   \
	"modem_location " loc ")"
/*
 * Issue 25: the same message seen on another SIM lies in another place (and, with several
 * modems, the places name their modem: "vina1:1/5"), so the place does not find its twin; its
 * mac does (schema 032, anon.h: the same number, time and text under the daemon's key), in one
 * seek through inbox_erased_mac. A mac from before a restart of the daemon matches nothing (its
 * key is gone): a message read again after the restart is still found by its place.
 */
#define TWIN_MAC                                                                                   \
	"EXISTS (SELECT 1 FROM inbox WHERE " ERASED_SENDER                                         \
	" AND smsc_time = ?1 AND text = ?2 AND sender_mac = ?4)"
SQ(q_inbox_anon_twin, "SELECT " TWIN_AT("= ?3") " OR " TWIN_AT("IS NULL") " OR " TWIN_MAC);
SQ(q_inbox_insert, "INSERT INTO inbox (sender, smsc_time, received_at, text, coding, smsc, "
                   "parts, parts_total, complete, modem_location, sender_mac) VALUES (?1, ?2, "
                   "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING");

int store_inbox_insert(const struct store_msg *m, int64_t *id)
{
	/* "" or NULL: no mac, which no row's (NULL) equals. */
	const char *mac = m->mac != NULL && m->mac[0] != '\0' ? m->mac : NULL;
	int64_t twin =
	    sq_int(sq_bind(&q_inbox_anon_twin, "ssss", m->smsc_time, m->text, m->location, mac),
	           "inbox twin");
	int n;

	if (twin != 0)
		return twin < 0 ? -1 : 0;
	n = sq_run(sq_bind(&q_inbox_insert, "ssssssiiiss", m->sender, m->smsc_time, m->received_at,
	                   m->text, m->coding, m->smsc, m->parts, m->parts_total, m->complete,
	                   m->location, mac),
	           "inbox insert");

	if (n <= 0)
		return n;
	*id = sq_last_id();
	return 1;
}

/*
 * A part of an anonymous or forgotten message read again after a crash (see
 * q_inbox_anon_twin). Only the plain markers: the parts' one index is the UNIQUE key, led by
 * the sender, and a range over every 'forgotten:ID' part would be a scan per part stored; a
 * part whose erasure would have collided (the same reference, count, number and second as
 * another forgotten part) is not a twin: read again, it is stored as a new part, and the
 * message its parts join into is still a duplicate (q_inbox_find).
 */
SQ(q_part_anon_twin, "SELECT count(*) FROM inbox_parts WHERE sender IN ('" STORE_ANONYMOUS
                     "', '" STORE_FORGOTTEN "') AND concat_ref = ?1 AND parts_total = ?2 AND "
                     "seq = ?3 AND smsc_time = ?4 AND text = ?5");
SQ(q_part_insert, "INSERT INTO inbox_parts (sender, concat_ref, parts_total, seq, smsc_time, "
                  "received_at, text, coding, smsc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                  "ON CONFLICT DO NOTHING");

int store_part_insert(const struct store_part *p)
{
	int64_t twin = sq_int(sq_bind(&q_part_anon_twin, "iiiss", p->concat_ref, p->parts_total,
	                              p->seq, p->smsc_time, p->text),
	                      "part twin");
	int n;

	if (twin != 0)
		return twin < 0 ? -1 : 0;
	n = sq_run(sq_bind(&q_part_insert, "siiisssss", p->sender, p->concat_ref, p->parts_total,
	                   p->seq, p->smsc_time, p->received_at, p->text, p->coding, p->smsc),
	           "part insert");

	return n < 0 ? -1 : n > 0;
}

/* The stored message with inbox's dedupe key (sender, smsc_time, text). */
SQ(q_inbox_find, "SELECT id FROM inbox WHERE (sender = ?1 OR " ERASED_SENDER ") AND smsc_time "
                 "= ?2 AND text = ?3 ORDER BY sender = ?1 DESC LIMIT 1");
SQ(q_parts_open, "SELECT seq, smsc_time, text, coding, smsc FROM inbox_parts WHERE sender = ?1 "
                 "AND concat_ref = ?2 AND parts_total = ?3 AND inbox_id IS NULL ORDER BY seq, "
                 "id");
SQ(q_parts_link, "UPDATE inbox_parts SET inbox_id = ?4 WHERE sender = ?1 AND concat_ref = ?2 "
                 "AND parts_total = ?3 AND inbox_id IS NULL");

/* A message being joined from its parts. Owns its strings (freed by joined_free). */
struct joined {
	char *text, *first_time, *coding, *smsc;
	size_t len, cap;
	int have;
};

static void joined_free(struct joined *j)
{
	free(j->text);
	free(j->first_time);
	free(j->coding);
	free(j->smsc);
}

/* Append the row's part to J; the first part gives the time, coding and SMSC. 0 or -1. */
static int joined_add(struct joined *j, sqlite3_stmt *s)
{
	const char *t = (const char *)sqlite3_column_text(s, 2);
	size_t tl = (size_t)sqlite3_column_bytes(s, 2);

	if (j->first_time == NULL) {
		const char *smsc = sq_text(s, 4);

		j->first_time = strdup((const char *)sqlite3_column_text(s, 1));
		j->coding = strdup((const char *)sqlite3_column_text(s, 3));
		j->smsc = smsc ? strdup(smsc) : NULL;
		if (j->first_time == NULL || j->coding == NULL || (smsc != NULL && j->smsc == NULL))
			return -1;
	}
	if (j->len + tl + 1 > j->cap) {
		size_t ncap = (j->len + tl + 1) * 2;
		char *nt = realloc(j->text, ncap);

		if (nt == NULL)
			return -1;
		j->text = nt;
		j->cap = ncap;
	}
	if (tl > 0)
		memcpy(j->text + j->len, t, tl);
	j->len += tl;
	j->text[j->len] = '\0';
	j->have++;
	return 0;
}

int store_parts_assemble(const char *sender, int ref, int total, int force, int64_t *id)
{
	sqlite3_stmt *s = sq_bind(&q_parts_open, "sii", sender, ref, total);
	struct joined j = {0};
	int last_seq = 0, rc = SQLITE_DONE, ret = -1;
	char now[TS_LEN];

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		int seq = sqlite3_column_int(s, 0);

		if (seq == last_seq) /* the same part twice (a different SMSC time): keep one */
			continue;
		last_seq = seq;
		if (joined_add(&j, s) < 0) {
			store_error_nomem("parts");
			sqlite3_reset(s);
			goto out;
		}
	}
	if (sq_rows_end(s, rc, "parts", 0) < 0)
		goto out;
	if (j.have == 0 || (j.have < total && !force)) {
		ret = 0;
		goto out;
	}
	ts_now(now);
	{
		/* No one place on the modem: its parts lay in several (their twins are
		 * q_part_anon_twin's). */
		struct store_msg m = {sender,          j.first_time, now,    j.text,
		                      j.coding,        j.smsc,       j.have, total,
		                      j.have >= total, NULL,         NULL};
		int64_t link_id = 0;
		int r = store_inbox_insert(&m, &link_id);

		if (r < 0)
			goto out;
		if (r == 0) {
			/*
			 * The same text from the same sender with the same time is already a row
			 * (the network delivered it twice, under another reference): link the
			 * parts to it so that the group is closed, and report nothing new.
			 */
			link_id =
			    sq_int(sq_bind(&q_inbox_find, "sss", sender, j.first_time, j.text),
			           "inbox find");
			if (link_id < 0)
				goto out;
		}
		if (sq_run(sq_bind(&q_parts_link, "siiI", sender, ref, total, link_id),
		           "parts link") < 0)
			goto out;
		*id = link_id;
		ret = r;
	}
out:
	joined_free(&j);
	return ret;
}

SQ(q_parts_stale, "SELECT sender, concat_ref, parts_total FROM inbox_parts WHERE inbox_id IS "
                  "NULL GROUP BY sender, concat_ref, parts_total HAVING min(received_at) < ?1");

int store_parts_stale(const char *before, int (*fn)(const char *, int, int, void *), void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_parts_stale, "s", before);
	/* Collect first: fn writes to the same table, which must not happen mid-scan. */
	struct group {
		char sender[64];
		int ref, total;
	} groups[64];
	int ng = 0, rc = SQLITE_DONE, n = 0;

	if (s == NULL)
		return -1;
	while (ng < 64 && (rc = sq_step(s)) == SQLITE_ROW) {
		sq_copy(s, 0, groups[ng].sender, sizeof groups[ng].sender);
		groups[ng].ref = sqlite3_column_int(s, 1);
		groups[ng].total = sqlite3_column_int(s, 2);
		ng++;
	}
	if (sq_rows_end(s, rc, "stale parts", 0) < 0)
		return -1;
	for (int i = 0; i < ng; i++) {
		n++;
		if (fn(groups[i].sender, groups[i].ref, groups[i].total, arg) != 0)
			break;
	}
	return n;
}

static int inbox_rows(sqlite3_stmt *s, int (*fn)(const struct store_inbox_row *, void *), void *arg)
{
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		struct store_inbox_row r = {
		    .id = sqlite3_column_int64(s, 0),
		    .sender = sq_text(s, 1),
		    .smsc_time = sq_text(s, 2),
		    .received_at = sq_text(s, 3),
		    .text = sq_text(s, 4),
		    .coding = sq_text(s, 5),
		    .parts = sqlite3_column_int(s, 6),
		    .parts_total = sqlite3_column_int(s, 7),
		    .complete = sqlite3_column_int(s, 8),
		};
		n++;
		if (fn(&r, arg) != 0)
			break;
	}
	return sq_rows_end(s, rc, "inbox", n);
}

SQ(q_inbox_get, "SELECT id, sender, smsc_time, received_at, text, coding, parts, parts_total, "
                "complete FROM inbox WHERE id = ?1");

int store_inbox_get(int64_t id, int (*fn)(const struct store_inbox_row *, void *), void *arg)
{
	return inbox_rows(sq_bind(&q_inbox_get, "I", id), fn, arg);
}

SQ(q_inbox_since, "SELECT id, sender, smsc_time, received_at, text, coding, parts, parts_total, "
                  "complete FROM inbox WHERE received_at >= ?1 AND (?2 IS NULL OR received_at < "
                  "?2) ORDER BY id LIMIT ?3");

int store_inbox_each(const char *since, const char *until, int limit,
                     int (*fn)(const struct store_inbox_row *, void *), void *arg)
{
	return inbox_rows(
	    sq_bind(&q_inbox_since, "ssi", since ? since : "", until, limit > 0 ? limit : -1), fn,
	    arg);
}

SQ(q_inbox_count, "SELECT count(*) FROM inbox");

int64_t store_inbox_count(void)
{
	return sq_int(sq_bind(&q_inbox_count, ""), "inbox count");
}

SQ(q_inbox_kind, "UPDATE inbox SET kind = ?2 WHERE id = ?1");

int store_inbox_set_kind(int64_t id, const char *kind)
{
	return sq_run(sq_bind(&q_inbox_kind, "Is", id, kind), "inbox kind") < 0 ? -1 : 0;
}

SQ(q_inbox_redact, "UPDATE inbox SET text = ?2 WHERE id = ?1");
SQ(q_parts_redact, "UPDATE inbox_parts SET text = '[redacted]' WHERE inbox_id = ?1");

int store_inbox_redact(int64_t id, const char *text)
{
	int n;

	if (sq_run(sq_bind(&q_inbox_redact, "Is", id, text), "redact") < 0 ||
	    (n = sq_run(sq_bind(&q_parts_redact, "I", id), "redact parts")) < 0)
		return -1;
	/* Parts stored in clear by earlier commits (the first part waited for the rest). */
	if (n > 0)
		sq_scrub_after_commit();
	return 0;
}

/*
 * inbox and inbox_parts have UNIQUE keys that hold the sender: two people's anonymous messages
 * of the same text in the same second (parts: the same reference, count and number too) would
 * collide as 'anonymous'. The second one gets 'anonymous:ID' (its row id) instead, as
 * forgetting does (store_privacy.c); it is a twin for a re-read all the same (ERASED_SENDER).
 */
SQ(q_anon_inbox, "UPDATE OR IGNORE inbox SET sender = '" STORE_ANONYMOUS "' WHERE id = ?1");
SQ(q_anon_inbox_keyed, "UPDATE inbox SET sender = '" STORE_ANONYMOUS ":' || id WHERE id = ?1 AND "
                       "sender <> '" STORE_ANONYMOUS "'");
SQ(q_anon_parts,
   "UPDATE OR IGNORE inbox_parts SET sender = '" STORE_ANONYMOUS "' WHERE inbox_id = ?1");
SQ(q_anon_parts_keyed, "UPDATE inbox_parts SET sender = '" STORE_ANONYMOUS ":' || id WHERE "
                       "inbox_id = ?1 AND sender <> '" STORE_ANONYMOUS "'");

int store_anonymize_message(int64_t inbox_id)
{
	if (sq_run(sq_bind(&q_anon_inbox, "I", inbox_id), "anonymize") < 0 ||
	    sq_run(sq_bind(&q_anon_inbox_keyed, "I", inbox_id), "anonymize") < 0 ||
	    sq_run(sq_bind(&q_anon_parts, "I", inbox_id), "anonymize parts") < 0 ||
	    sq_run(sq_bind(&q_anon_parts_keyed, "I", inbox_id), "anonymize parts") < 0)
		return -1;
	/*
	 * The parts of a multipart message were committed with the number while the rest was
	 * awaited; secure_delete zeroes the old cells in the database file, and the WAL's old
	 * frames go with the checkpoint after this commit.
	 */
	sq_scrub_after_commit();
	return 0;
}
