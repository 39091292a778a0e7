/*
 * The store: the SIM PINs entered and not known to be accepted (sim_pins, schema 012), for
 * src/simcard.c. Rules in store_int.h.
 */
#include "store_int.h"

#include <stdio.h>

#include "ts.h"

STORE_DOMAIN(sim);

/*
 * Issue 25: the modem whose SIM this process guards (schema 027, sim_pins.modem), NULL for
 * the one modem of a single-modem daemon and for the CLI. Its entries are its own: another
 * SIM accepting its PIN must not clear an entry whose outcome this SIM never told. Entries
 * of no modem (one modem's daemon, before several) count for every modem.
 */
static char scope[48];

void store_sim_scope(const char *modem)
{
	snprintf(scope, sizeof scope, "%s", modem != NULL ? modem : "");
}

static const char *scope_or_null(void)
{
	return scope[0] != '\0' ? scope : NULL;
}

SQ(q_sim_pin_add, "INSERT INTO sim_pins (pin_hash, entered_at, modem) VALUES (?1, ?2, ?3)");

int store_sim_pin_add(const char *pin_hash, int64_t *id)
{
	char now[TS_LEN];

	ts_now(now);
	if (sq_run(sq_bind(&q_sim_pin_add, "sss", pin_hash, now, scope_or_null()),
	           "SIM PIN entry") < 0)
		return -1;
	*id = sq_last_id();
	return 0;
}

SQ(q_sim_pin_refused, "UPDATE sim_pins SET outcome = 'refused' WHERE id = ?1");

int store_sim_pin_refused(int64_t id)
{
	return sq_run(sq_bind(&q_sim_pin_refused, "I", id), "SIM PIN refused");
}

SQ(q_sim_pin_clear, "DELETE FROM sim_pins WHERE ?1 IS NULL OR modem = ?1");

int store_sim_pin_clear(void)
{
	return sq_run(sq_bind(&q_sim_pin_clear, "s", scope_or_null()), "SIM PIN clear");
}

/* A named modem's entries go, and those of no modem: they count for it too (store_sim_pin_each). */
SQ(q_sim_pin_retry, "DELETE FROM sim_pins WHERE ?1 IS NULL OR modem IS NULL OR modem = ?1");

int store_sim_pin_retry(const char *modem)
{
	return sq_run(sq_bind(&q_sim_pin_retry, "s", modem), "SIM PIN retry");
}

SQ(q_sim_pin_each, "SELECT pin_hash, entered_at, outcome FROM sim_pins WHERE ?1 IS NULL OR "
                   "modem IS NULL OR modem = ?1 ORDER BY id");

int store_sim_pin_each(int (*fn)(const char *pin_hash, const char *entered_at, const char *outcome,
                                 void *arg),
                       void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_sim_pin_each, "s", scope_or_null());
	int rc, n = 0;

	if (s == NULL)
		return -1;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		n++;
		if (fn != NULL && fn(sq_text(s, 0), sq_text(s, 1), sq_text(s, 2), arg) != 0)
			break;
	}
	return sq_rows_end(s, rc, "SIM PINs", n);
}
