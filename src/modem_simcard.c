/*
 * The SIM card in a modem, at connect: what it asks for, and its PIN (modem.pin), entered only
 * when the guard (src/simcard.c in the daemon) says it may be. Part of the modem layer
 * (modem_int.h). The simulated phone has no SIM card: it is always ready.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "modem_int.h"

/*
 * The PIN the SIM refused (or that failed to go through), when no guard remembers it
 * (modem_set_pin_guard): never entered again by this process, since three wrong tries block
 * the SIM for good (its PUK is on the card the SIM came on). With a guard the guard decides:
 * it remembers across restarts, and it may be told to try again (tipline modem pin-retry).
 */
void modem_set_pin_guard(struct modem *m, const struct modem_pin_guard *g)
{
	m->guard = g;
}

/* Tell the guard what the SIM asked for; RC (0 or -1) is passed through. */
int modem_simcard_seen(struct modem *m, enum modem_sim st, int rc)
{
	if (m->guard != NULL && m->guard->state != NULL)
		m->guard->state(m->guard->arg, st, rc < 0 ? m->errmsg : NULL);
	return rc;
}

/* May modem.pin be entered now? 1 yes (and the guard recorded it), 0 no (errmsg says why). */
static int pin_may_enter(struct modem *m)
{
	if (m->guard == NULL) {
		if (strcmp(m->refused_pin, m->cfg->pin) != 0)
			return 1;
		snprintf(m->errmsg, sizeof m->errmsg,
		         "the SIM refused modem.pin: not entered again (three wrong PINs block the "
		         "SIM); correct modem.pin and reload");
		return 0;
	}
	return m->guard->before(m->guard->arg, m->cfg->pin, m->errmsg, sizeof m->errmsg) == 1;
}

/* Enter modem.pin when the SIM asks for it: 0 ready, -1 not (errmsg says why). */
int modem_simcard_check(struct modem *m)
{
	GSM_SecurityCodeType st = SEC_None;
	GSM_SecurityCode code;
	GSM_Error e;

	modem_watch_begin(m);
	e = GSM_GetSecurityStatus(m->sm, &st);
	modem_watch_end(m);
	if (modem_was_aborted(m, "security status"))
		return -1;
	if (e == ERR_NOTSUPPORTED || e == ERR_NOTIMPLEMENTED) /* try on: SMS commands will say */
		return modem_simcard_seen(m, MODEM_SIM_UNKNOWN, 0);
	if (e != ERR_NONE) {
		modem_set_err(m, "security status", e);
		return -1;
	}
	if (st == SEC_None)
		return modem_simcard_seen(m, MODEM_SIM_READY, 0);
	if (st != SEC_Pin) {
		snprintf(m->errmsg, sizeof m->errmsg,
		         "the SIM wants a code other than its PIN (%s: blocked after wrong PINs?); "
		         "unlock it in a phone",
		         st == SEC_Puk ? "PUK" : "security code");
		return modem_simcard_seen(m, st == SEC_Puk ? MODEM_SIM_PUK : MODEM_SIM_OTHER, -1);
	}
	if (m->cfg->pin[0] == '\0') {
		snprintf(m->errmsg, sizeof m->errmsg, "the SIM asks for its PIN: set modem.pin");
		return modem_simcard_seen(m, MODEM_SIM_PIN, -1);
	}
	if (!pin_may_enter(m))
		return modem_simcard_seen(m, MODEM_SIM_PIN, -1);
	memset(&code, 0, sizeof code);
	code.Type = SEC_Pin;
	snprintf(code.Code, sizeof code.Code, "%s", m->cfg->pin);
	modem_watch_begin(m);
	e = GSM_EnterSecurityCode(m->sm, &code);
	modem_watch_end(m);
	if (e != ERR_NONE || modem_was_aborted(m, "PIN")) {
		/* Refused, or unknown whether it counted: either way not tried again. */
		snprintf(m->refused_pin, sizeof m->refused_pin, "%s", m->cfg->pin);
		if (m->guard != NULL && m->guard->after != NULL)
			m->guard->after(m->guard->arg, m->cfg->pin,
			                e == ERR_SECURITYERROR ? 0 : -1);
		log_warnx("modem: the SIM did not take modem.pin (%s); it will not be entered "
		          "again until modem.pin changes (or tipline modem pin-retry)",
		          GSM_ErrorName(e));
		snprintf(m->errmsg, sizeof m->errmsg,
		         "the SIM refused modem.pin: not entered again (three wrong PINs block the "
		         "SIM); correct modem.pin and reload");
		return modem_simcard_seen(m, MODEM_SIM_PIN, -1);
	}
	if (m->guard != NULL && m->guard->after != NULL)
		m->guard->after(m->guard->arg, m->cfg->pin, 1);
	log_info("modem: SIM PIN accepted");
	return modem_simcard_seen(m, MODEM_SIM_READY, 0);
}
