/* Patrols, awareness sessions and mediations, reported by a leader or an officer (act.h). */
#include <stdio.h>
#include <string.h>

#include "act_int.h"
#include "store.h"

/*
 * What a patrol's start and end check first: OUT cleared, W a leader (or an officer), and the
 * team the patrol is of in OUT->team: the one named, else W's own. ACT_OK, ACT_NOT_ALLOWED or
 * ACT_NO_TEAM (neither).
 */
static enum act_status patrol_team(const struct act_who *w, const struct act_record_in *in,
                                   struct act_record_out *out)
{
	memset(out, 0, sizeof *out);
	if (!act_is_leader(w))
		return ACT_NOT_ALLOWED;
	snprintf(out->team, sizeof out->team, "%s",
	         in->team != NULL && in->team[0] != '\0' ? in->team : w->contact.team);
	return out->team[0] == '\0' ? ACT_NO_TEAM : ACT_OK;
}

static const char *notes_or_null(const char *notes)
{
	return notes != NULL && notes[0] != '\0' ? notes : NULL;
}

enum act_status act_patrol_start(struct act_who *w, const struct act_record_in *in,
                                 struct act_record_out *out)
{
	enum act_status st = patrol_team(w, in, out);

	if (st != ACT_OK)
		return st;
	if (store_patrol_start(out->team, w->phone, in->members, in->notes, in->inbox_id, in->at,
	                       in->read_at) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_patrol_end(struct act_who *w, const struct act_record_in *in,
                               struct act_record_out *out)
{
	enum act_status st = patrol_team(w, in, out);
	int r;

	if (st != ACT_OK)
		return st;
	r = store_patrol_end(out->team, in->notes, in->inbox_id, in->at, in->read_at,
	                     &out->minutes);
	if (r < 0)
		return ACT_ERROR;
	return r == 0 ? ACT_NONE_OPEN : ACT_OK;
}

/* The team a record is filed under: the reporter's own, or none. */
static const char *own_team(const struct act_who *w)
{
	return w->contact.team[0] != '\0' ? w->contact.team : NULL;
}

enum act_status act_awareness(struct act_who *w, const struct act_record_in *in)
{
	if (!act_is_leader(w))
		return ACT_NOT_ALLOWED;
	if (store_awareness_insert(in->inbox_id, w->phone, own_team(w), in->sessions,
	                           in->participants, notes_or_null(in->notes), in->at,
	                           in->read_at) < 0)
		return ACT_ERROR;
	return ACT_OK;
}

enum act_status act_mediation(struct act_who *w, const struct act_record_in *in,
                              struct act_record_out *out)
{
	memset(out, 0, sizeof *out);
	if (!act_is_leader(w))
		return ACT_NOT_ALLOWED;
	if (store_mediation_insert(in->inbox_id, w->phone, own_team(w), in->notes, in->at,
	                           in->read_at, out->ref) < 0)
		return ACT_ERROR;
	return ACT_OK;
}
