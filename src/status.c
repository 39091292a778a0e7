#include "status.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "modem.h"
#include "sched.h"
#include "store.h"
#include "ts.h"

static const struct config *scfg;
static struct modem *smodem; /* the modem whose health and link this records */
static int started;          /* started_at written (once per process, not per reload) */

double status_interval(const struct config *cfg)
{
	return cfg->modem.poll_interval > 1.0 ? cfg->modem.poll_interval : 1.0;
}

/*
 * Write the heartbeat, its deadline EXTRA seconds further than usual, and the last poll when
 * the modem is up. Unsynced: losing the last heartbeat to a power cut costs nothing, and an
 * fsync every poll would wear an SD card. 0 or -1.
 */
static int heartbeat(int extra)
{
	char deadline[TS_LEN], now[TS_LEN];
	/* Two intervals, plus a second for the whole seconds of the text. */
	int64_t due = (int64_t)time(NULL) + (int64_t)(2 * status_interval(scfg)) + 1 + extra;

	ts_utc(due, deadline);
	ts_now(now);
	if (store_begin_unsynced() < 0 || store_status_set("heartbeat", deadline) < 0 ||
	    (smodem != NULL && modem_connected(smodem) && store_status_set("last_poll", now) < 0) ||
	    store_commit() < 0) {
		store_rollback();
		log_debug("status: heartbeat: %s", store_errmsg());
		return -1;
	}
	return 0;
}

static int heartbeat_job(void *arg)
{
	return heartbeat(0);
}

void status_busy(int seconds)
{
	if (scfg != NULL)
		heartbeat(seconds);
}

/* KEY's value: now, UTC. */
static int set_now(const char *key)
{
	char now[TS_LEN];

	ts_now(now);
	return store_status_set(key, now);
}

/* One status row per measure; a measure not read is removed rather than left stale. */
static int put(const char *key, int have, const char *value)
{
	return have ? store_status_set(key, value) : store_status_delete(key);
}

static int put_int(const char *key, int have, long v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%ld", v);
	return put(key, have, buf);
}

/*
 * What the health read asks. Not the SIM slots of the simulated phone: libGammu's dummy driver
 * counts them by opening every location of every folder (50,000 opens, about 0.1-0.2 s of the
 * daemon's start, issue 20), and its count is of files, not of a SIM's slots.
 */
static unsigned health_asked(void)
{
	if (strcmp(scfg->modem.model, "dummy") == 0)
		return MODEM_HEALTH_ALL & ~(unsigned)MODEM_HEALTH_SLOTS;
	return MODEM_HEALTH_ALL;
}

static int health_job(void *arg)
{
	struct modem_health h;
	char reg[32] = "";
	int rc;

	if (smodem == NULL || !modem_connected(smodem))
		return 0;
	rc = modem_health(smodem, health_asked(), &h);
	if (store_begin() < 0)
		return -1;
	/* The registration's "since": when this process or an earlier one first read it so. */
	if (store_status_get("modem_registration", reg, sizeof reg, NULL) < 0 ||
	    ((h.have & MODEM_HEALTH_NETWORK) && strcmp(reg, modem_reg_name(h.reg)) != 0 &&
	     set_now("modem_registration_since") < 0)) {
		store_rollback();
		log_warnx("status: cannot record the modem's health: %s", store_errmsg());
		return -1;
	}
	if (put("modem_manufacturer", h.have & MODEM_HEALTH_IDENTITY, h.manufacturer) < 0 ||
	    put("modem_model", h.have & MODEM_HEALTH_IDENTITY, h.model) < 0 ||
	    put("modem_operator", (h.have & MODEM_HEALTH_NETWORK) && h.operator_name[0],
	        h.operator_name) < 0 ||
	    put("modem_operator_code", (h.have & MODEM_HEALTH_NETWORK) && h.operator_code[0],
	        h.operator_code) < 0 ||
	    put("modem_registration", h.have & MODEM_HEALTH_NETWORK, modem_reg_name(h.reg)) < 0 ||
	    put_int("modem_signal_percent", (h.have & MODEM_HEALTH_SIGNAL) && h.signal_percent >= 0,
	            h.signal_percent) < 0 ||
	    put_int("modem_signal_dbm", (h.have & MODEM_HEALTH_SIGNAL) && h.signal_dbm != 0,
	            h.signal_dbm) < 0 ||
	    put_int("modem_sim_used", (h.have & MODEM_HEALTH_SLOTS) && h.sim_used >= 0,
	            h.sim_used) < 0 ||
	    put_int("modem_sim_total", (h.have & MODEM_HEALTH_SLOTS) && h.sim_total >= 0,
	            h.sim_total) < 0 ||
	    set_now("modem_health_at") < 0 || store_commit() < 0) {
		store_rollback();
		log_warnx("status: cannot record the modem's health: %s", store_errmsg());
		return -1;
	}
	/* A lost connection shows at the next poll, which reconnects. */
	return rc < 0 ? -1 : 0;
}

void status_link(int up, const char *why)
{
	if (scfg == NULL)
		return;
	if (store_begin() < 0 || store_status_set("modem", up ? "connected" : why) < 0 ||
	    (up && set_now("modem_connected_at") < 0) || store_commit() < 0) {
		store_rollback();
		log_debug("status: modem link: %s", store_errmsg());
	}
	if (up)
		sched_soon("status-health"); /* the identity and signal of the new connection */
}

int status_init(const struct config *cfg, struct modem *m)
{
	char pid[24];

	scfg = cfg;
	smodem = m;
	if (!started) {
		snprintf(pid, sizeof pid, "%ld", (long)getpid());
		if (store_begin() < 0 || set_now("started_at") < 0 ||
		    store_status_set("pid", pid) < 0 || store_status_delete("stopped_at") < 0 ||
		    store_status_set("modem", "not connected yet") < 0 || store_commit() < 0) {
			store_rollback();
			log_warnx("status: %s", store_errmsg());
		}
		started = 1;
	}
	heartbeat(0);
	if (sched_add("heartbeat", status_interval(cfg), status_interval(cfg), heartbeat_job,
	              NULL) < 0 ||
	    sched_add("status-health", cfg->status.every, 0, health_job, NULL) < 0)
		return -1;
	return 0;
}

void status_close(void)
{
	scfg = NULL;
	smodem = NULL;
}

void status_stop(void)
{
	if (store_begin() < 0 || store_status_delete("heartbeat") < 0 ||
	    set_now("stopped_at") < 0 || store_commit() < 0) {
		store_rollback();
		log_warnx("status: cannot record the stop: %s", store_errmsg());
	}
}
