/*
 * bench_year: one year of a commune's data made through the store's own functions, for the
 * report measure of `make bench` (scripts/bench_run.py). Not installed.
 *
 *   bench_year DB [END]
 *
 * Writes into the database DB (created with the schema) the 365 days ending END (UTC
 * 'YYYY-MM-DD', default today), events spread evenly over them: 100,000 received messages, of
 * which 20,000 tips (a tenth of them triaged), 5,000 patrols of 8 teams (start and end),
 * 600 awareness sessions, 300 mediations; 300 contacts; 52 broadcasts to everyone; a reply sent
 * for every tip. Prints one JSON line of what it made. Exit 0, 1 on a store error, 2 for bad
 * arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "store.h"
#include "ts.h"

#define INBOX     100000
#define TIPS      20000
#define PATROLS   5000
#define AWARENESS 600
#define MEDIATION 300
#define CONTACTS  300
#define ROUNDS    52

static const char *const categories[] = {"drugs",   "theft",    "fighting", "gambling",
                                         "traffic", "stranger", "other",    NULL};
static const char *const statuses[] = {"checking", "valuable", "false", "closed"};

static int fail(const char *what)
{
	fprintf(stderr, "bench_year: %s: %s\n", what, store_errmsg());
	store_rollback();
	return 1;
}

int main(int argc, char **argv)
{
	struct database_config db = {0};
	char at[TS_LEN], msg[96], sender[24], ref[16], team[8], now[TS_LEN];
	int64_t end, start, id, tips = 0, patrols = 0, aware = 0, med = 0;
	int n = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench_year DB [END]\n");
		return 2;
	}
	if (argc == 3) {
		if (ts_parse_utc(argv[2], &end) < 0) {
			fprintf(stderr, "bench_year: END \"%s\" is not YYYY-MM-DD\n", argv[2]);
			return 2;
		}
		end += 86400;
	} else {
		end = (int64_t)time(NULL);
	}
	start = end - 365 * 86400;
	db.path = argv[1];
	db.busy_timeout = 5000;
	if (store_open(&db) < 0)
		return 1;
	ts_now(now);
	if (store_begin_unsynced() < 0)
		return fail("begin");
	for (int c = 0; c < CONTACTS; c++) {
		char village[8];

		snprintf(sender, sizeof sender, "+8491%07d", c);
		snprintf(village, sizeof village, "%d", 1 + c % 9);
		snprintf(team, sizeof team, "TQ%d", 1 + c % 8);
		if (store_contact_upsert(sender, NULL, village, c < 8 ? ROLE_LEADER : ROLE_VILLAGER,
		                         c < 8 ? team : NULL, 1) < 0)
			return fail("contact");
	}
	for (int i = 0; i < INBOX; i++) {
		struct store_msg m = {0};
		/* Message i's kind, by position: every 5th a tip, every 20th a patrol start or end.
		 */
		int kind = i % 5 == 0 ? 1 : i % 20 == 1 ? 2 : i % 20 == 2 ? 3 : 0;

		ts_utc(start + (int64_t)i * (end - start) / INBOX, at);
		snprintf(sender, sizeof sender, "+8491%07d",
		         kind >= 2 ? (i / 20) % 8 : 8 + i % (CONTACTS - 8));
		snprintf(msg, sizeof msg, "%s message %d o thon %d",
		         kind == 1 ? "TIN"
		         : kind    ? "TUAN"
		                   : "TTPL",
		         i, 1 + i % 9);
		m.sender = sender;
		m.smsc_time = at;
		m.received_at = at;
		m.text = msg;
		m.coding = "gsm7";
		m.parts = m.parts_total = m.complete = 1;
		if (store_inbox_insert(&m, &id) < 0)
			return fail("inbox");
		snprintf(team, sizeof team, "TQ%d", 1 + (i / 20) % 8);
		if (kind == 1 && tips < TIPS) {
			char village[8];

			snprintf(village, sizeof village, "%d", 1 + i % 9);
			if (store_tip_insert(id, sender, i % 7 == 0, categories[i % 8], msg, 1,
			                     village, at, at, ref) < 0)
				return fail("tip");
			if (tips % 10 == 0 &&
			    store_tip_set_status(atoll(ref + 1), "new", statuses[(tips / 10) % 4],
			                         "bench", NULL, at) < 0)
				return fail("tip status");
			tips++;
		} else if (kind == 2 && patrols < PATROLS) {
			if (store_patrol_start(team, sender, 3 + i % 5, NULL, id, at, at) < 0)
				return fail("patrol");
		} else if (kind == 3 && patrols < PATROLS) {
			long minutes;

			if (store_patrol_end(team, NULL, id, at, at, &minutes) < 0)
				return fail("patrol end");
			patrols++;
		} else if (kind == 0 && i % 150 == 3 && aware < AWARENESS) {
			if (store_awareness_insert(id, sender, NULL, 1 + i % 2, 20 + i % 80, msg,
			                           at, at) < 0)
				return fail("awareness");
			aware++;
		} else if (kind == 0 && i % 300 == 4 && med < MEDIATION) {
			if (store_mediation_insert(id, sender, NULL, msg, at, at, ref) < 0)
				return fail("mediation");
			med++;
		}
		if (kind == 1) {
			struct store_outbox_new o = {
			    sender, "Cam on ban. Tin bao da duoc ghi nhan.", 0, "reply", id, NULL,
			    0};
			int64_t oid;

			if (store_outbox_insert(&o, &oid) < 0 ||
			    store_outbox_mark_sending(oid) < 0 ||
			    store_outbox_mark_sent(oid, 1, 0) < 0)
				return fail("reply");
		}
		if (++n % 10000 == 0 && (store_commit() < 0 || store_begin_unsynced() < 0))
			return fail("commit");
	}
	for (int r = 0; r < ROUNDS; r++) {
		struct store_broadcast_new b = {0};
		int recipients;

		b.group = "TATCA";
		b.text = b.sent_text = "Hop dan toan xa luc 8h sang chu nhat";
		b.parts = 1;
		b.created_by = "cli";
		if (store_broadcast_create(&b, &id, &recipients) < 0)
			return fail("broadcast");
	}
	if (store_commit() < 0)
		return fail("commit");
	printf(
	    "{\"inbox\":%d,\"tips\":%lld,\"patrols\":%lld,\"awareness\":%lld,\"mediations\":%lld,"
	    "\"broadcasts\":%d}\n",
	    INBOX, (long long)tips, (long long)patrols, (long long)aware, (long long)med, ROUNDS);
	store_close();
	return 0;
}
