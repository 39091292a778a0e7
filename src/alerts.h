/*
 * Missed check-in alerts, a periodic job of the daemon (sched.h), every patrol.check_every
 * seconds:
 *   - a patrol started and not ended after patrol.max_hours (its start is the SMSC time of its
 *     TUAN BD) → one SMS to each leader of its team, to whoever started it and to each
 *     officer (template patrol_overdue); kind 'patrol_overdue', subject the patrol's id;
 *   - a team's expected night (tipline team set TQ3 --nights mon,wed,sat --by 21:00, local
 *     time) with no patrol started from that local day's midnight to its hour → one SMS to
 *     each officer (template night_missed); kind 'night_missed', subject 'TQ3 2026-12-01'.
 *     Today's and yesterday's nights are checked, so a daemon that was down at the hour still
 *     tells the officers, at most a day late.
 *   - a tip still new tips.escalate_after hours after it arrived → one SMS to each officer
 *     (template tip_escalated); kind 'tip_escalated', subject the tip's reference. Tips that
 *     became overdue in the last day only: at most a day late, never a flood of old tips.
 * And, not periodic: a new tip → one SMS to each officer whose contact asked for it
 * (tip_alerts 'all', or 'urgent' for a category of tips.urgent_categories; template
 * tip_alert), in the transaction that files the tip (alerts_tip_new, from act_tip_file);
 * kind 'tip_new', subject the reference. Neither says anything of the tip's sender.
 * Once only, across restarts: an alert is a row of the alerts table, UNIQUE (kind, subject),
 * written in the same transaction as its outbox rows.
 */
#ifndef TIPLINE_ALERTS_H
#define TIPLINE_ALERTS_H

#include <stdint.h>

struct config;

/* Register the check with the scheduler. 0, or -1 after logging why. */
int alerts_init(const struct config *cfg);
void alerts_close(void);

/*
 * The new tip TIP_ID's alert to the officers who asked (none asked: nothing written), in the
 * caller's transaction, at NOW (UTC text). 1 raised, 0 not, -1 store error.
 */
int alerts_tip_new(const struct config *cfg, int64_t tip_id, const char *now);

#endif
