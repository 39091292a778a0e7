/*
 * The store: forgetting numbers (issue 13, privacy.forget_after and `tipline forget`). Rules
 * in store_int.h. A number is erased the way an anonymous tip's is: the column gets a fixed
 * marker (STORE_FORGOTTEN), secure_delete zeroes the old cells, and the WAL is checkpointed and
 * truncated after the commit.
 *
 * inbox and inbox_parts have UNIQUE keys that hold the sender: two forgotten messages of the
 * same time and text (parts: reference, count, number and time) would collide. Each is
 * erased in two passes: UPDATE OR IGNORE to the plain marker, which the re-read dedupe finds
 * through the key's own index (store_inbox.c), then the rows it skipped, which would have
 * collided, to the marker and their row id.
 */
#include "store_int.h"

#include <string.h>

STORE_DOMAIN(privacy);

static const char *const table_names[STORE_FG_COUNT] = {
    [STORE_FG_TIPS] = "tips",
    [STORE_FG_INBOX] = "inbox",
    [STORE_FG_PARTS] = "inbox_parts",
    [STORE_FG_OUTBOX] = "outbox",
    [STORE_FG_USSD] = "ussd_sessions",
    [STORE_FG_PATROLS] = "patrols",
    [STORE_FG_AWARENESS] = "awareness_sessions",
    [STORE_FG_MEDIATIONS] = "mediations",
    [STORE_FG_BROADCASTS] = "broadcasts",
    [STORE_FG_EVENTS] = "tip_events",
    [STORE_FG_GROUPS] = "group_members",
    [STORE_FG_AUDIT] = "console_audit",
};

const char *store_forget_table_name(enum store_forget_table t)
{
	return t < STORE_FG_COUNT ? table_names[t] : "?";
}

/* Not a number any more: erased already, or an anonymous row. */
#define GONE(col) " " col " NOT IN ('" STORE_ANONYMOUS "', '" STORE_FORGOTTEN "')"
#define GONE_KEYED(col)                                                                            \
	GONE(col)                                                                                  \
	" AND " col " NOT GLOB '" STORE_FORGOTTEN ":*' AND " col " NOT GLOB '" STORE_ANONYMOUS ":" \
	                                                                                       "*" \
	                                                                                       "'"
#define KEYED_MARKER "'" STORE_FORGOTTEN ":' || id"
/*
 * A person's record (a patrol, a report, a broadcast, a triage step): its number is erased
 * by age only when it is a phone number (seven digits at least: not 'cli' or a login name)
 * of nobody registered; a registered contact's records are kept with the contact.
 */
#define UNREGISTERED(col)                                                                          \
	" " col " GLOB '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9]*' AND " col                           \
	" NOT IN (SELECT phone FROM contacts)"

SQ(q_age_tips, "UPDATE tips SET sender = '" STORE_FORGOTTEN "' WHERE coalesce(read_at, "
               "created_at) < ?1 AND" GONE("sender"));
SQ(q_age_inbox, "UPDATE OR IGNORE inbox SET sender = '" STORE_FORGOTTEN "' WHERE received_at < "
                "?1 AND" GONE_KEYED("sender"));
SQ(q_age_inbox_keyed, "UPDATE inbox SET sender = " KEYED_MARKER " WHERE received_at < ?1 "
                      "AND" GONE_KEYED("sender"));
SQ(q_age_parts, "UPDATE OR IGNORE inbox_parts SET sender = '" STORE_FORGOTTEN "' WHERE "
                "received_at < ?1 AND inbox_id IS NOT NULL AND" GONE_KEYED("sender"));
SQ(q_age_parts_keyed, "UPDATE inbox_parts SET sender = " KEYED_MARKER " WHERE received_at < ?1 "
                      "AND inbox_id IS NOT NULL AND" GONE_KEYED("sender"));
SQ(q_age_outbox, "UPDATE outbox SET recipient = '" STORE_FORGOTTEN "' WHERE created_at < ?1 AND "
                 "status IN ('sent', 'failed', 'cancelled') AND" GONE("recipient"));
SQ(q_age_ussd, "UPDATE ussd_sessions SET phone = '" STORE_FORGOTTEN "' WHERE last_step_at < ?1 "
               "AND" GONE("phone"));
SQ(q_age_patrols, "UPDATE patrols SET leader = '" STORE_FORGOTTEN "' WHERE ended_at IS NOT NULL "
                  "AND coalesce(end_read_at, ended_at) < ?1 AND" UNREGISTERED("leader"));
SQ(q_age_awareness, "UPDATE awareness_sessions SET reporter = '" STORE_FORGOTTEN "' WHERE "
                    "coalesce(read_at, held_at) < ?1 AND" UNREGISTERED("reporter"));
SQ(q_age_mediations, "UPDATE mediations SET reporter = '" STORE_FORGOTTEN "' WHERE "
                     "coalesce(read_at, created_at) < ?1 AND" UNREGISTERED("reporter"));
SQ(q_age_broadcasts, "UPDATE broadcasts SET created_by = '" STORE_FORGOTTEN "' WHERE created_at "
                     "< ?1 AND" UNREGISTERED("created_by"));
SQ(q_age_events,
   "UPDATE tip_events SET \"by\" = '" STORE_FORGOTTEN "' WHERE at < ?1 AND" UNREGISTERED("\"by\""));
/* The console's log of who changed what: a villager's number as the subject of a contact's
 * change ages as their messages do; a registered contact's stays with the contact. */
SQ(q_age_audit, "UPDATE console_audit SET subject = '" STORE_FORGOTTEN
                "' WHERE at < ?1 AND" UNREGISTERED("subject"));

/*
 * Run the statement of each table (NULL: none for that table) and then its second pass
 * (KEYED, for the rows the first skipped), bound by TYPES from ARGS; counts into OUT.
 */
static int run_all(struct sq *const *qs, struct sq *const *keyed, const char *types,
                   const char *const *args, struct store_forget *out)
{
	for (int t = 0; t < STORE_FG_COUNT; t++) {
		for (int pass = 0; pass < 2; pass++) {
			struct sq *q = pass == 0 ? qs[t] : keyed[t];
			sqlite3_stmt *s;
			int n;

			if (q == NULL)
				continue;
			s = types[1] == '\0'
			        ? sq_bind(q, types, args[0])
			        : sq_bind(q, types, args[0], args[1], args[2], args[3], args[4]);
			n = sq_run(s, table_names[t]);
			if (n < 0)
				return -1;
			out->changed[t] += n;
			out->total += n;
		}
	}
	/* Old copies of the changed pages stay in the WAL's frames until a checkpoint. */
	if (out->total > 0)
		sq_scrub_after_commit();
	return 0;
}

int store_forget_before(const char *before, struct store_forget *out)
{
	static struct sq *const qs[STORE_FG_COUNT] = {
	    [STORE_FG_TIPS] = &q_age_tips,
	    [STORE_FG_INBOX] = &q_age_inbox,
	    [STORE_FG_PARTS] = &q_age_parts,
	    [STORE_FG_OUTBOX] = &q_age_outbox,
	    [STORE_FG_USSD] = &q_age_ussd,
	    [STORE_FG_PATROLS] = &q_age_patrols,
	    [STORE_FG_AWARENESS] = &q_age_awareness,
	    [STORE_FG_MEDIATIONS] = &q_age_mediations,
	    [STORE_FG_BROADCASTS] = &q_age_broadcasts,
	    [STORE_FG_EVENTS] = &q_age_events,
	    [STORE_FG_AUDIT] = &q_age_audit,
	    /* Named groups have no age: a membership is a setting, not a record. */
	    [STORE_FG_GROUPS] = NULL,
	};
	static struct sq *const keyed[STORE_FG_COUNT] = {
	    [STORE_FG_INBOX] = &q_age_inbox_keyed,
	    [STORE_FG_PARTS] = &q_age_parts_keyed,
	};
	const char *args[1] = {before};

	memset(out, 0, sizeof *out);
	return run_all(qs, keyed, "s", args, out);
}

#define FORMS " IN (?1, ?2, ?3, ?4, ?5)"

SQ(q_num_tips, "UPDATE tips SET sender = '" STORE_FORGOTTEN "' WHERE sender" FORMS);
SQ(q_num_inbox, "UPDATE OR IGNORE inbox SET sender = '" STORE_FORGOTTEN "' WHERE sender" FORMS);
SQ(q_num_inbox_keyed, "UPDATE inbox SET sender = " KEYED_MARKER " WHERE sender" FORMS);
SQ(q_num_parts, "UPDATE OR IGNORE inbox_parts SET sender = '" STORE_FORGOTTEN "' WHERE inbox_id "
                "IS NOT NULL AND sender" FORMS);
SQ(q_num_parts_keyed, "UPDATE inbox_parts SET sender = " KEYED_MARKER " WHERE inbox_id IS NOT "
                      "NULL AND sender" FORMS);
SQ(q_num_outbox, "UPDATE outbox SET recipient = '" STORE_FORGOTTEN "' WHERE status IN ('sent', "
                 "'failed', 'cancelled') AND recipient" FORMS);
SQ(q_num_ussd, "UPDATE ussd_sessions SET phone = '" STORE_FORGOTTEN "' WHERE outcome IS NOT NULL "
               "AND phone" FORMS);
SQ(q_num_patrols, "UPDATE patrols SET leader = '" STORE_FORGOTTEN "' WHERE leader" FORMS);
SQ(q_num_awareness,
   "UPDATE awareness_sessions SET reporter = '" STORE_FORGOTTEN "' WHERE reporter" FORMS);
SQ(q_num_mediations, "UPDATE mediations SET reporter = '" STORE_FORGOTTEN "' WHERE reporter" FORMS);
SQ(q_num_broadcasts,
   "UPDATE broadcasts SET created_by = '" STORE_FORGOTTEN "' WHERE created_by" FORMS);
SQ(q_num_events, "UPDATE tip_events SET \"by\" = '" STORE_FORGOTTEN "' WHERE \"by\"" FORMS);
/* The subject of a contact's change in the console, or who made it (an officer with no name). */
SQ(q_num_audit,
   "UPDATE console_audit SET subject = CASE WHEN subject" FORMS " THEN '" STORE_FORGOTTEN
   "' ELSE subject END, \"by\" = CASE WHEN \"by\"" FORMS " THEN '" STORE_FORGOTTEN
   "' ELSE \"by\" END WHERE subject" FORMS " OR \"by\"" FORMS);
SQ(q_num_groups, "DELETE FROM group_members WHERE phone" FORMS " AND phone NOT IN (SELECT phone "
                 "FROM contacts)");
SQ(q_num_outbox_waiting,
   "SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending') AND recipient" FORMS);
SQ(q_num_parts_waiting, "SELECT count(*) FROM inbox_parts WHERE inbox_id IS NULL AND sender" FORMS);
SQ(q_num_ussd_open, "SELECT count(*) FROM ussd_sessions WHERE outcome IS NULL AND phone" FORMS);

/* A count of the rows kept because they are in use: the value, or -1 (recorded). */
static int count_kept(struct sq *q, const char *const *f)
{
	return (int)sq_int(sq_bind(q, "sssss", f[0], f[1], f[2], f[3], f[4]), "forget: kept rows");
}

int store_forget_number(const char *const forms[STORE_FORGET_FORMS], struct store_forget *out)
{
	static struct sq *const qs[STORE_FG_COUNT] = {
	    [STORE_FG_TIPS] = &q_num_tips,
	    [STORE_FG_INBOX] = &q_num_inbox,
	    [STORE_FG_PARTS] = &q_num_parts,
	    [STORE_FG_OUTBOX] = &q_num_outbox,
	    [STORE_FG_USSD] = &q_num_ussd,
	    [STORE_FG_PATROLS] = &q_num_patrols,
	    [STORE_FG_AWARENESS] = &q_num_awareness,
	    [STORE_FG_MEDIATIONS] = &q_num_mediations,
	    [STORE_FG_BROADCASTS] = &q_num_broadcasts,
	    [STORE_FG_EVENTS] = &q_num_events,
	    [STORE_FG_GROUPS] = &q_num_groups,
	    [STORE_FG_AUDIT] = &q_num_audit,
	};

	static struct sq *const keyed[STORE_FG_COUNT] = {
	    [STORE_FG_INBOX] = &q_num_inbox_keyed,
	    [STORE_FG_PARTS] = &q_num_parts_keyed,
	};

	memset(out, 0, sizeof *out);
	if (run_all(qs, keyed, "sssss", forms, out) < 0)
		return -1;
	out->outbox_waiting = count_kept(&q_num_outbox_waiting, forms);
	out->parts_waiting = count_kept(&q_num_parts_waiting, forms);
	out->ussd_open = count_kept(&q_num_ussd_open, forms);
	return out->outbox_waiting < 0 || out->parts_waiting < 0 || out->ussd_open < 0 ? -1 : 0;
}
