/* People: registration and opting out, contacts, teams' nights, named groups (act.h). */
#include "act_int.h"
#include "store.h"
#include "ts.h"

enum act_status act_register(struct act_who *w, const char *name, const char *village)
{
	/* As DK does by SMS and the menu alike: subscribed; the role stays what it was. */
	if (store_contact_upsert(w->phone, name, village, ROLE_KEEP, NULL, 1) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_optout(struct act_who *w, int *was_in)
{
	*was_in = !w->contact.found || w->contact.subscribed;
	if (store_contact_upsert(w->phone, NULL, NULL, ROLE_KEEP, NULL, 0) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_contact_set(struct act_who *w, const struct act_contact_in *in)
{
	struct store_contact c;

	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	if (store_contact_get(in->phone, &c) < 0)
		return ACT_ERROR;
	if (in->create && c.found)
		return ACT_EXISTS;
	if (!in->create && !c.found)
		return ACT_NO_CONTACT;
	/* The contact and its PIN in the caller's one transaction: both or neither. */
	if (store_contact_upsert(in->phone, in->name, in->village, in->role, in->team,
	                         in->subscribed) < 0 ||
	    (in->pin_hash != NULL && store_pin_set(in->phone, in->pin_hash) < 0))
		return ACT_ERROR;
	if (in->tip_alerts != NULL) {
		char now[TS_LEN];

		ts_now(now);
		if (store_contact_tip_alerts(in->phone, in->tip_alerts, now) < 0)
			return ACT_ERROR;
	}
	return ACT_OK;
}

enum act_status act_team_nights(struct act_who *w, const char *team, const char *nights,
                                const char *by)
{
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	/* No NIGHTS keeps them: read back through the same statement's coalesce. */
	if (store_team_set_nights(team, nights, by, nights == NULL) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_group_add(struct act_who *w, const char *group, const char *phone)
{
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	return store_group_add(group, phone) < 0 ? ACT_ERROR : ACT_OK;
}

enum act_status act_group_remove(struct act_who *w, const char *group, const char *phone)
{
	if (!act_is_officer(w))
		return ACT_NOT_ALLOWED;
	return store_group_remove(group, phone) < 0 ? ACT_ERROR : ACT_OK;
}
