/*
 * What an officer asks of the modem and of the records of a number (act.h): a USSD code sent by
 * the daemon, the SIM PIN tried again, a number forgotten. The CLI writes them as rows; the
 * daemon, which owns the modem, carries them out between polls.
 */
#include "act_int.h"
#include "store.h"

enum act_status act_ussd_request(struct act_who *w, const char *code, int timeout,
                                 const char *modem, int64_t *id)
{
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	return store_ussd_request_add(code, timeout, w->by, modem, id) < 0 ? ACT_ERROR : ACT_OK;
}

enum act_status act_ussd_request_expire(struct act_who *w, int64_t id, const char *shown,
                                        int secret, int *expired)
{
	int n;

	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	if ((n = store_ussd_request_expire(id, shown, secret)) < 0)
		return ACT_ERROR;
	*expired = n;
	return ACT_OK;
}

enum act_status act_sim_pin_retry(struct act_who *w, const char *modem, int *forgotten)
{
	int n;

	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	if ((n = store_sim_pin_retry(modem)) < 0)
		return ACT_ERROR;
	*forgotten = n;
	return ACT_OK;
}

enum act_status act_forget_number(struct act_who *w, const char *const forms[STORE_FORGET_FORMS],
                                  struct store_forget *out)
{
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	return store_forget_number(forms, out) < 0 ? ACT_ERROR : ACT_OK;
}
