/*
 * A modem's health (identity, network, signal, the SIM's SMS slots) for `tipline status`, and
 * its network registration, which holds sending back while there is no network. Part of the
 * modem layer (modem_int.h).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "modem_int.h"
#include "text.h"
#include "ts.h"

const char *modem_reg_name(enum modem_reg r)
{
	switch (r) {
	case MODEM_REG_HOME:
		return "home";
	case MODEM_REG_ROAMING:
		return "roaming";
	case MODEM_REG_SEARCHING:
		return "searching";
	case MODEM_REG_DENIED:
		return "denied";
	case MODEM_REG_NONE:
		return "none";
	case MODEM_REG_UNKNOWN:
		break;
	}
	return "unknown";
}

static enum modem_reg reg_of(GSM_NetworkInfo_State st)
{
	switch (st) {
	case GSM_HomeNetwork:
		return MODEM_REG_HOME;
	case GSM_RoamingNetwork:
		return MODEM_REG_ROAMING;
	case GSM_RequestingNetwork:
		return MODEM_REG_SEARCHING;
	case GSM_RegistrationDenied:
		return MODEM_REG_DENIED;
	case GSM_NoNetwork:
		return MODEM_REG_NONE;
	default:
		return MODEM_REG_UNKNOWN;
	}
}

void modem_health_reset(struct modem *m)
{
	m->reg_checked = -1e9;
}

/* 1 unless R says the modem has no network to send through. */
static int reg_ok(enum modem_reg r)
{
	return r != MODEM_REG_SEARCHING && r != MODEM_REG_DENIED && r != MODEM_REG_NONE;
}

int modem_registered(struct modem *m)
{
	/* Registered: asked again a minute later; not: every 5 s, so sending resumes soon. */
	double every = reg_ok(m->last_reg) ? 60 : 5;
	GSM_NetworkInfo ni;
	enum modem_reg r;
	GSM_Error e;

	if (m->dummy || !m->connected)
		return 1;
	if (ts_mono() - m->reg_checked < every)
		return reg_ok(m->last_reg);
	m->reg_checked = ts_mono();
	memset(&ni, 0, sizeof ni);
	modem_watch_begin(m);
	e = GSM_GetNetworkInfo(m->sm, &ni);
	modem_watch_end(m);
	if (modem_was_aborted(m, "registration"))
		return 1; /* the send that follows meets the dead link and reconnects */
	/* A modem that cannot say is not held back: the network refuses a send if need be. */
	r = e == ERR_NONE ? reg_of(ni.State) : MODEM_REG_UNKNOWN;
	if (r != m->last_reg) {
		if (!reg_ok(r))
			log_warnx("modem: not registered on the network (%s); messages wait",
			          modem_reg_name(r));
		else
			log_info("modem: network registration: %s", modem_reg_name(r));
		m->last_reg = r;
	}
	return reg_ok(r);
}

/* After one health call: 1 to go on (done or not supported), 0 lost (errmsg set). */
static int health_step(struct modem *m, const char *what, GSM_Error e, unsigned bit,
                       struct modem_health *h)
{
	if (modem_was_aborted(m, what))
		return 0;
	if (e == ERR_NONE) {
		h->have |= bit;
		return 1;
	}
	modem_set_err(m, what, e);
	if (modem_is_link_error(e))
		return 0;
	log_debug("modem: %s", m->errmsg);
	return 1;
}

int modem_health(struct modem *m, unsigned what, struct modem_health *h)
{
	GSM_Error e;

	memset(h, 0, sizeof *h);
	h->reg = MODEM_REG_UNKNOWN;
	h->signal_percent = -1;
	h->sim_used = -1;
	h->sim_total = -1;
	if (!m->connected) {
		snprintf(m->errmsg, sizeof m->errmsg, "not connected");
		return -1;
	}
	if (modem_was_aborted(m, "health"))
		return -1;
	if (what & MODEM_HEALTH_IDENTITY) {
		char buf[GSM_MAX_MANUFACTURER_LENGTH + GSM_MAX_MODEL_LENGTH + 2] = "";

		modem_watch_begin(m);
		e = GSM_GetManufacturer(m->sm, buf);
		modem_watch_end(m);
		snprintf(h->manufacturer, sizeof h->manufacturer, "%s", e == ERR_NONE ? buf : "");
		if (e == ERR_NONE) {
			buf[0] = '\0';
			modem_watch_begin(m);
			e = GSM_GetModel(m->sm, buf);
			modem_watch_end(m);
			snprintf(h->model, sizeof h->model, "%s", e == ERR_NONE ? buf : "");
		}
		if (!health_step(m, "health: identity", e, MODEM_HEALTH_IDENTITY, h))
			return -1;
	}
	if (what & MODEM_HEALTH_NETWORK) {
		GSM_NetworkInfo ni;

		memset(&ni, 0, sizeof ni);
		modem_watch_begin(m);
		e = GSM_GetNetworkInfo(m->sm, &ni);
		modem_watch_end(m);
		if (e == ERR_NONE) {
			h->reg = reg_of(ni.State);
			text_ucs2be_to_utf8(ni.NetworkName, sizeof ni.NetworkName / 2,
			                    h->operator_name, sizeof h->operator_name);
			snprintf(h->operator_code, sizeof h->operator_code, "%.*s",
			         (int)sizeof ni.NetworkCode, ni.NetworkCode);
		}
		if (!health_step(m, "health: network", e, MODEM_HEALTH_NETWORK, h))
			return -1;
	}
	if (what & MODEM_HEALTH_SIGNAL) {
		GSM_SignalQuality q;

		memset(&q, 0, sizeof q);
		modem_watch_begin(m);
		e = GSM_GetSignalQuality(m->sm, &q);
		modem_watch_end(m);
		if (e == ERR_NONE) {
			h->signal_percent = q.SignalPercent;
			h->signal_dbm = q.SignalStrength == -1 ? 0 : q.SignalStrength;
		}
		if (!health_step(m, "health: signal", e, MODEM_HEALTH_SIGNAL, h))
			return -1;
	}
	if (what & MODEM_HEALTH_SLOTS) {
		GSM_SMSMemoryStatus ms;

		memset(&ms, 0, sizeof ms);
		modem_watch_begin(m);
		e = GSM_GetSMSStatus(m->sm, &ms);
		modem_watch_end(m);
		if (e == ERR_NONE) {
			h->sim_used = ms.SIMUsed;
			h->sim_total = ms.SIMSize;
		}
		if (!health_step(m, "health: SIM slots", e, MODEM_HEALTH_SLOTS, h))
			return -1;
	}
	return 0;
}
