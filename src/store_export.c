/*
 * The store: CSV exports for spreadsheets (tipline export). One statement per export, each
 * with the same shape: ?1 FROM and ?2 TO, UTC bounds on the event's time (FROM <= t < TO;
 * NULL: no bound), rows oldest first, times in local time (local_time, store.c). The column
 * names are the CSV header. An anonymous tip never shows its sender, in any export.
 */
#include "store_int.h"

#include <string.h>

STORE_DOMAIN(export);

#define PERIOD(col) " (?1 IS NULL OR " col " >= ?1) AND (?2 IS NULL OR " col " < ?2) "

SQ(q_export_tips,
   "SELECT t.ref, local_time(t.created_at) AS created_at, local_time(t.read_at) AS read_at, "
   "CASE WHEN t.anonymous THEN NULL ELSE t.sender END AS sender, t.anonymous, t.category, "
   "t.village, t.status, t.structured, t.text, (SELECT group_concat(x.text, char(10)) FROM "
   "(SELECT s.text FROM tip_supplements s WHERE s.tip_id = t.id ORDER BY s.id) x) AS "
   "supplements FROM tips t WHERE" PERIOD("t.created_at") "ORDER BY t.created_at, t.id");
SQ(q_export_patrols,
   "SELECT p.id, p.team, p.leader, local_time(p.started_at) AS started_at, "
   "local_time(p.ended_at) AS ended_at, CASE WHEN p.ended_at IS NULL THEN NULL ELSE "
   "CAST(round((julianday(p.ended_at) - julianday(p.started_at)) * 1440) AS INTEGER) END AS "
   "minutes, p.members, p.notes, p.end_notes FROM patrols p WHERE" PERIOD(
       "p.started_at") "ORDER BY p.started_at, p.id");
SQ(q_export_awareness, "SELECT a.id, a.team, a.reporter, local_time(a.held_at) AS held_at, "
                       "a.participants, a.notes FROM awareness_sessions a WHERE" PERIOD(
                           "a.held_at") "ORDER BY a.held_at, a.id");
SQ(q_export_mediations, "SELECT m.ref, m.team, m.reporter, local_time(m.created_at) AS "
                        "created_at, m.notes FROM mediations m WHERE" PERIOD(
                            "m.created_at") "ORDER BY m.created_at, m.id");
/*
 * The message of an anonymous tip, or of a supplement to one, does not show its sender (since
 * schema 011 the row holds STORE_ANONYMOUS, shown empty as well).
 */
SQ(q_export_inbox,
   "SELECT i.id, CASE WHEN i.sender = '" STORE_ANONYMOUS "' OR i.sender GLOB '" STORE_ANONYMOUS
   ":*' OR EXISTS (SELECT 1 FROM tips t WHERE t.anonymous AND (t.inbox_id = "
   "i.id OR t.id IN (SELECT s.tip_id FROM tip_supplements s WHERE s.inbox_id = i.id))) THEN "
   "NULL ELSE i.sender END AS sender, local_time(i.smsc_time) AS smsc_time, "
   "local_time(i.received_at) AS received_at, i.kind, i.coding, i.parts, i.complete, i.text "
   "FROM inbox i WHERE" PERIOD("i.smsc_time") "ORDER BY i.smsc_time, i.id");

/* The columns `contact import` reads back: exported, then imported, changes nothing. */
SQ(q_export_contacts, "SELECT c.name, c.phone, c.village, c.role, c.team, c.subscribed, "
                      "local_time(c.created_at) AS created_at FROM contacts c WHERE" PERIOD(
                          "c.created_at") "ORDER BY c.village, c.name, c.phone");

static const struct {
	const char *name;
	struct sq *q;
} exports[] = {
    {"tips", &q_export_tips},           {"patrols", &q_export_patrols},
    {"awareness", &q_export_awareness}, {"mediations", &q_export_mediations},
    {"inbox", &q_export_inbox},         {"contacts", &q_export_contacts},
};

static struct sq *export_query(const char *kind)
{
	for (size_t i = 0; kind != NULL && i < sizeof exports / sizeof exports[0]; i++)
		if (strcmp(exports[i].name, kind) == 0)
			return exports[i].q;
	return NULL;
}

int store_export_known(const char *kind)
{
	return export_query(kind) != NULL;
}

int store_export(const char *kind, const char *from, const char *to, store_row_fn fn, void *ctx)
{
	struct sq *q = export_query(kind);
	sqlite3_stmt *s;
	struct store_row h;

	if (q == NULL)
		return sq_fail_rc(SQLITE_MISUSE, "export", "no such export");
	s = sq_bind(q, "ss", from, to);
	if (s == NULL)
		return -1;
	/* The header: the statement's column names, known before any row (an empty period
	 * still gets its header). */
	h.n = sqlite3_column_count(s);
	if (h.n > STORE_MAX_COLS)
		h.n = STORE_MAX_COLS;
	for (int i = 0; i < h.n; i++) {
		h.name[i] = sqlite3_column_name(s, i);
		h.val[i] = h.name[i];
		h.numeric[i] = 0;
	}
	if (fn(&h, ctx) != 0)
		return 0;
	return sq_each_row(s, fn, ctx, kind);
}
