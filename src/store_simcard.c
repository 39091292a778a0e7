/*
 * The store: the SIM PINs entered and not known to be accepted (sim_pins, schema 012), for
 * src/simcard.c. Rules in store_int.h.
 */
#include "store_int.h"

#include <stdio.h>

#include "ts.h"

STORE_DOMAIN(sim);

SQ(q_sim_pin_add, "INSERT INTO sim_pins (pin_hash, entered_at) VALUES (?1, ?2)");

int store_sim_pin_add(const char *pin_hash, int64_t *id)
{
	char now[TS_LEN];

	ts_now(now);
	if (sq_run(sq_bind(&q_sim_pin_add, "ss", pin_hash, now), "SIM PIN entry") < 0)
		return -1;
	*id = sq_last_id();
	return 0;
}

SQ(q_sim_pin_refused, "UPDATE sim_pins SET outcome = 'refused' WHERE id = ?1");

int store_sim_pin_refused(int64_t id)
{
	return sq_run(sq_bind(&q_sim_pin_refused, "I", id), "SIM PIN refused");
}

SQ(q_sim_pin_clear, "DELETE FROM sim_pins");

int store_sim_pin_clear(void)
{
	return sq_run(sq_bind(&q_sim_pin_clear, ""), "SIM PIN clear");
}

SQ(q_sim_pin_each, "SELECT pin_hash, entered_at, outcome FROM sim_pins ORDER BY id");

int store_sim_pin_each(int (*fn)(const char *pin_hash, const char *entered_at, const char *outcome,
                                 void *arg),
                       void *arg)
{
	sqlite3_stmt *s = sq_bind(&q_sim_pin_each, "");
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
