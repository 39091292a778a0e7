/* Private to the act_*.c files (act.h). */
#ifndef TIPLINE_ACT_INT_H
#define TIPLINE_ACT_INT_H

#include "act.h"

struct config;

/* The configuration given to act_init. */
extern const struct config *act_cfg;

/* W is a phone whose contact is a leader or an officer, or an officer by name. */
static inline int act_is_leader(const struct act_who *w)
{
	if (w->phone == NULL)
		return 1;
	return w->contact.found &&
	       (w->contact.role == ROLE_LEADER || w->contact.role == ROLE_OFFICER);
}

/* W is a phone whose contact is an officer, or an officer by name. */
static inline int act_is_officer(const struct act_who *w)
{
	if (w->phone == NULL)
		return 1;
	return w->contact.found && w->contact.role == ROLE_OFFICER;
}

#endif
