/*
 * USSD on a modem: requests (libGammu's GSM_DialService, answered through its incoming-USSD
 * callback) and the notices the network sends unasked. Part of the modem layer
 * (modem_int.h).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "modem_int.h"
#include "text.h"

/* libGammu's status as the network's +CUSD <m> (27.007 7.15). */
static int ussd_m(GSM_USSDStatus st)
{
	switch (st) {
	case USSD_NoActionNeeded:
		return 0;
	case USSD_ActionNeeded:
		return 1;
	case USSD_Terminated:
		return 2;
	case USSD_AnotherClient:
		return 3;
	case USSD_NotSupported:
		return 4;
	case USSD_Timeout:
		return 5;
	default:
		return -1;
	}
}

/*
 * What the incoming-USSD callback saw. It runs inside libGammu (GSM_DialService or
 * GSM_ReadDevice, or any other call that reads the modem): while a modem_ussd waits, the
 * first +CUSD is its answer; any other is a network-initiated notice, queued for
 * modem_listen. DATA is the struct modem whose state machine read the +CUSD line.
 */
static void ussd_cb(GSM_StateMachine *s, GSM_USSDMessage *u, void *data)
{
	struct modem *m = data;
	int st = ussd_m(u->Status);

	(void)s;
	if (m->ussd.pending && !m->ussd.done) {
		m->ussd.done = 1;
		m->ussd.status = st;
		text_ucs2be_to_utf8(u->Text, GSM_MAX_USSD_LENGTH + 1, m->ussd.text,
		                    sizeof m->ussd.text);
		return;
	}
	if (m->notice_count == MODEM_NOTICE_MAX) { /* full: the oldest goes */
		log_warnx("modem: USSD notice dropped: %d more came before they were read",
		          MODEM_NOTICE_MAX);
		m->notice_first = (m->notice_first + 1) % MODEM_NOTICE_MAX;
		m->notice_count--;
	}
	{
		int i = (m->notice_first + m->notice_count) % MODEM_NOTICE_MAX;

		m->notices[i].status = st;
		text_ucs2be_to_utf8(u->Text, GSM_MAX_USSD_LENGTH + 1, m->notices[i].text,
		                    sizeof m->notices[i].text);
		m->notice_count++;
	}
}

void modem_ussd_attach(struct modem *m)
{
	GSM_SetIncomingUSSDCallback(m->sm, ussd_cb, m);
	m->ussd_enabled = 0;
}

void modem_set_ussd_notice(struct modem *m, void (*fn)(void *arg, int status, const char *text),
                           void *arg)
{
	m->notice_fn = fn;
	m->notice_arg = arg;
	if (fn == NULL)
		m->notice_count = 0;
}

int modem_ussd_enable(struct modem *m)
{
	GSM_Error e;

	if (m->ussd_enabled != 0)
		return 0;
	modem_watch_begin(m);
	e = GSM_SetIncomingUSSD(m->sm, TRUE);
	modem_watch_end(m);
	if (modem_was_aborted(m, "ussd"))
		return -1;
	if (e == ERR_NONE) {
		m->ussd_enabled = 1;
		return 0;
	}
	modem_set_err(m, "ussd: enabling USSD (AT+CUSD=1)", e);
	if (modem_is_link_error(e))
		return -1;
	log_warnx("modem: %s", m->errmsg);
	m->ussd_enabled = -1;
	return 0;
}

/* End the network's session: AT+CUSD=2 (and =0), then presentation on again (=1). */
static void ussd_cancel(struct modem *m)
{
	GSM_Error e;

	modem_watch_begin(m);
	e = GSM_SetIncomingUSSD(m->sm, FALSE);
	if (e == ERR_NONE)
		e = GSM_SetIncomingUSSD(m->sm, TRUE);
	modem_watch_end(m);
	if (e != ERR_NONE && !modem_was_aborted(m, "ussd"))
		log_warnx("modem: cancelling the USSD session: %s", GSM_ErrorName(e));
}

const char *modem_ussd_result_name(enum modem_ussd_result r)
{
	switch (r) {
	case MODEM_USSD_ANSWERED:
		return "answered";
	case MODEM_USSD_MORE_INPUT:
		return "more-input";
	case MODEM_USSD_NOT_SUPPORTED:
		return "not-supported";
	case MODEM_USSD_TIMEOUT:
		return "timeout";
	case MODEM_USSD_FAILED:
		return "failed";
	case MODEM_USSD_LOST:
		return "lost";
	}
	return "?";
}

enum modem_ussd_result modem_ussd(struct modem *m, const char *code, int timeout, char *text,
                                  size_t textsz)
{
	enum modem_ussd_result r = MODEM_USSD_FAILED;
	char number[GSM_MAX_USSD_LENGTH + 1];
	long long deadline;
	int limit;
	GSM_Error e = ERR_NONE;

	if (textsz > 0)
		text[0] = '\0';
	if (!m->connected) {
		snprintf(m->errmsg, sizeof m->errmsg, "not connected");
		return MODEM_USSD_LOST;
	}
	if (modem_was_aborted(m, "ussd"))
		return MODEM_USSD_LOST;
	if (timeout < 1)
		timeout = 1;
	deadline = modem_now_ms() + 1000LL * timeout;
	limit = m->cfg->watchdog > 0 && m->cfg->watchdog < timeout ? m->cfg->watchdog : timeout;
	m->ussd.pending = 1;
	m->ussd.done = 0;
	m->ussd.status = -1;
	m->ussd.text[0] = '\0';
	if (m->dummy && modem_dummy_ussd_file(m, code)) {
		if (m->ussd.status == -2) { /* "never": wait it out, as for a silent network */
			m->ussd.done = 0;
			modem_nap_ms((long)(deadline - modem_now_ms()));
		}
		goto answered;
	}
	if (modem_ussd_enable(m) < 0) {
		r = MODEM_USSD_LOST;
		goto out;
	}
	if (m->ussd_enabled < 0) {
		snprintf(m->errmsg, sizeof m->errmsg, "ussd: the modem refuses AT+CUSD=1");
		goto out;
	}
	snprintf(number, sizeof number, "%s", code);
	/* The request itself is timed with the USSD deadline: a modem that holds its OK longer
	 * is aborted, like any hung call (the connection is lost then). */
	modem_watch_begin_s(m, limit);
	e = GSM_DialService(m->sm, number);
	modem_watch_end(m);
	if (modem_was_aborted(m, "ussd")) {
		if (atomic_load(&m->watch.aborted) == MODEM_ABORT_WATCHDOG && limit == timeout) {
			snprintf(m->errmsg, sizeof m->errmsg,
			         "ussd: the modem did not take the request in %d s (aborted; the "
			         "connection is re-established)",
			         timeout);
			r = MODEM_USSD_TIMEOUT;
		} else {
			r = MODEM_USSD_LOST;
		}
		goto out;
	}
	if (e != ERR_NONE && !m->ussd.done) {
		modem_set_err(m, "ussd", e);
		r = modem_is_link_error(e) ? MODEM_USSD_LOST : MODEM_USSD_FAILED;
		goto out;
	}
	/* The answer comes after the OK: read until it does, in steps of at most 50 ms
	 * (GSM_ReadDevice without waiting does one read; the proxy's select waits 50 ms). */
	while (!m->ussd.done && modem_now_ms() < deadline && !atomic_load(&m->watch.aborted)) {
		int got;

		modem_watch_begin(m);
		got = GSM_ReadDevice(m->sm, FALSE);
		modem_watch_end(m);
		if (got < 0)
			break;
		if (got == 0)
			modem_nap_ms(5);
	}
	if (modem_was_aborted(m, "ussd")) {
		r = MODEM_USSD_LOST;
		goto out;
	}
answered:
	if (!m->ussd.done) {
		snprintf(m->errmsg, sizeof m->errmsg, "ussd: no answer to %s in %d s", code,
		         timeout);
		ussd_cancel(m);
		r = MODEM_USSD_TIMEOUT;
		goto out;
	}
	if (textsz > 0)
		snprintf(text, textsz, "%s", m->ussd.text);
	switch (m->ussd.status) {
	case 0:
	case 2:
		r = MODEM_USSD_ANSWERED;
		break;
	case 1:
		ussd_cancel(m);
		r = MODEM_USSD_MORE_INPUT;
		break;
	case 4:
		snprintf(m->errmsg, sizeof m->errmsg, "ussd: %s: not supported by the network",
		         code);
		r = MODEM_USSD_NOT_SUPPORTED;
		break;
	case 5:
		snprintf(m->errmsg, sizeof m->errmsg, "ussd: %s: the network timed out", code);
		r = MODEM_USSD_TIMEOUT;
		break;
	default:
		snprintf(m->errmsg, sizeof m->errmsg, "ussd: %s: answered with status %d", code,
		         m->ussd.status);
		r = MODEM_USSD_FAILED;
		break;
	}
out:
	m->ussd.pending = 0;
	return r;
}

int modem_listen(struct modem *m, int ms)
{
	long long deadline = modem_now_ms() + (ms > 0 ? ms : 0);
	char text[MODEM_USSD_TEXT];

	if (!m->connected) {
		snprintf(m->errmsg, sizeof m->errmsg, "not connected");
		return -1;
	}
	if (modem_was_aborted(m, "listen") || modem_ussd_enable(m) < 0)
		return -1;
	if (m->dummy) {
		if (ms > 0)
			modem_nap_ms(ms); /* the simulated phone says nothing unasked */
	} else {
		do {
			int got;

			modem_watch_begin(m);
			got = GSM_ReadDevice(m->sm, FALSE);
			modem_watch_end(m);
			if (modem_was_aborted(m, "listen"))
				return -1;
			if (got < 0) {
				snprintf(m->errmsg, sizeof m->errmsg, "listen: not connected");
				return -1;
			}
			if (m->notice_count > 0)
				break;
			if (got == 0)
				modem_nap_ms(5);
		} while (modem_now_ms() < deadline);
	}
	/* Delivered outside libGammu: FN may call other modem functions. */
	while (m->notice_count > 0 && m->notice_fn != NULL) {
		int st = m->notices[m->notice_first].status;

		memcpy(text, m->notices[m->notice_first].text, sizeof text);
		m->notice_first = (m->notice_first + 1) % MODEM_NOTICE_MAX;
		m->notice_count--;
		m->notice_fn(m->notice_arg, st, text);
	}
	return 0;
}
