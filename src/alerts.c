#include "alerts.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "fault.h"
#include "log.h"
#include "report.h"
#include "sched.h"
#include "store.h"
#include "text.h"
#include "ts.h"

static const struct config *acfg;
static int failing; /* the last check could not be written: said once, not every minute */

/* One check: the time it runs at, in both forms, and what it raised. */
struct check {
	int64_t t;
	char now[TS_LEN];
	int raised;
};

/* "19:05" and "01/12" (the officers' day/month) of UTC text UTC in local time. */
static void local_parts(const char *utc, char hhmm[8], char ddmm[8])
{
	char local[TS_LEN];

	if (ts_utc_to_local(utc, local) < 0) {
		snprintf(hhmm, 8, "?");
		snprintf(ddmm, 8, "?");
		return;
	}
	snprintf(hhmm, 8, "%.5s", local + 11);
	snprintf(ddmm, 8, "%.2s/%.2s", local + 8, local + 5);
}

/* Raise alert KIND/SUBJECT with TEXT and queue its SMS (store_alert_queue). 0 or -1. */
static int raise_alert(struct check *ck, const char *kind, const char *subject, const char *text,
                       const char *team, int64_t patrol_id)
{
	int64_t id = 0;
	int r = store_alert_raise(kind, subject, text, ck->now, &id);

	if (r <= 0)
		return r; /* 0: raised before, by this process or an earlier one */
	r = store_alert_queue(id, text, team, patrol_id, ck->now);
	if (r < 0)
		return -1;
	ck->raised++;
	if (r == 0)
		log_warnx("alert %s %s: no leader or officer to send it to (tipline contact add "
		          "... --role officer)",
		          kind, subject);
	else
		log_warnx("alert %s %s: %d SMS queued: %s", kind, subject, r, text);
	return 0;
}

static int overdue_one(int64_t id, const char *team, const char *started_at, void *arg)
{
	struct check *ck = arg;
	char hhmm[8], ddmm[8], hours[24], subject[24], text[640];
	int64_t start = 0;
	long h = acfg->patrol.max_hours;

	if (ts_parse_utc(started_at, &start) == 0 && (ck->t - start) / 3600 > h)
		h = (long)((ck->t - start) / 3600); /* found late (a daemon that was down) */
	local_parts(started_at, hhmm, ddmm);
	snprintf(hours, sizeof hours, "%ld", h);
	snprintf(subject, sizeof subject, "%lld", (long long)id);
	{
		const char *kv[] = {"team", team, "time", hhmm, "date", ddmm, "hours", hours, NULL};

		config_render(acfg->replies.templates[TPL_PATROL_OVERDUE], kv, text, sizeof text);
	}
	return raise_alert(ck, "patrol_overdue", subject, text, team, id) < 0;
}

static int check_overdue(struct check *ck)
{
	char before[TS_LEN];

	if (acfg->patrol.max_hours == 0)
		return 0;
	ts_utc(ck->t - (int64_t)acfg->patrol.max_hours * 3600, before);
	return store_patrols_overdue(before, overdue_one, ck) < 0 ? -1 : 0;
}

/* Bit d (0 Monday ... 6 Sunday) for each day named in "mon,wed,sat". */
static unsigned nights_mask(const char *s)
{
	static const char names[] = "montuewedthufrisatsun";
	unsigned mask = 0;

	for (const char *p = s; *p != '\0';) {
		size_t len = strcspn(p, ",");

		for (int d = 0; d < 7; d++)
			if (len == 3 && strncmp(p, names + 3 * d, 3) == 0)
				mask |= 1u << d;
		p += len;
		if (*p == ',')
			p++;
	}
	return mask;
}

/* The night of team TEAM on the local day DAYS_BACK days before today, if it is one. */
static int check_night(struct check *ck, const char *team, unsigned mask, const char *by,
                       int days_back)
{
	time_t tt = (time_t)ck->t;
	struct tm tm;
	char date[16], at[32], from[TS_LEN], to[TS_LEN], subject[64], ddmm[8], text[640];
	int64_t t_from, t_by;
	int r;

	localtime_r(&tt, &tm);
	tm.tm_mday -= days_back; /* mktime normalises: the 0th of December is 30 November */
	tm.tm_hour = 12;         /* midday: never a time a zone's shift skips */
	tm.tm_isdst = -1;
	tt = mktime(&tm);
	localtime_r(&tt, &tm);
	if (!(mask & (1u << ((tm.tm_wday + 6) % 7))))
		return 0;
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(at, sizeof at, "%s %.5s", date, by);
	if (ts_parse_local(date, &t_from) < 0 || ts_parse_local(at, &t_by) < 0) {
		log_debug("alerts: team %s has a night hour \"%s\" that is not HH:MM", team, by);
		return 0;
	}
	if (ck->t < t_by)
		return 0; /* not that hour yet */
	snprintf(subject, sizeof subject, "%s %s", team, date);
	r = store_alert_exists("night_missed", subject);
	if (r != 0)
		return r < 0 ? -1 : 0;
	ts_utc(t_from, from);
	ts_utc(t_by, to);
	r = store_patrols_started(team, from, to);
	if (r != 0)
		return r < 0 ? -1 : 0;
	snprintf(ddmm, sizeof ddmm, "%.2s/%.2s", date + 8, date + 5);
	{
		const char *kv[] = {"team", team, "date", ddmm, "by", by, NULL};

		config_render(acfg->replies.templates[TPL_NIGHT_MISSED], kv, text, sizeof text);
	}
	return raise_alert(ck, "night_missed", subject, text, team, 0);
}

static int nights_one(const char *team, const char *nights, const char *by, void *arg)
{
	struct check *ck = arg;
	unsigned mask = nights_mask(nights);

	/* Yesterday first: an evening's alerts in the order of the evenings. */
	return check_night(ck, team, mask, by, 1) < 0 || check_night(ck, team, mask, by, 0) < 0;
}

/* The first words of TEXT, folded to GSM-7 (no diacritics), at most 60 characters. */
static void first_words(const char *text, char *out, size_t sz)
{
	char folded[720];
	size_t n = text_transliterate(text, strlen(text), folded, sizeof folded), cut;

	for (size_t i = 0; i < n; i++)
		if (folded[i] == '\n' || folded[i] == '\r' || folded[i] == '\t')
			folded[i] = ' ';
	if (n <= 60) {
		snprintf(out, sz, "%.*s", (int)n, folded);
		return;
	}
	cut = 57;
	while (cut > 30 && folded[cut] != ' ')
		cut--;
	snprintf(out, sz, "%.*s...", (int)cut, folded);
}

/* Template T of tip B, GSM-7 throughout: its reference, category, village, first words. */
static void tip_text(const struct config *cfg, enum tpl t, const struct store_tip_brief *b,
                     const char *hours, char *text, size_t sz)
{
	const char *vi = b->category[0] ? report_category_vi(b->category) : NULL;
	const char *cat = vi != NULL ? vi : b->category[0] ? b->category : "chua ro";
	char category[128], village[256], words[128];
	const char *kv[] = {"ref",   b->ref, "category", category, "village", village,
	                    "words", words,  "hours",    hours,    NULL};

	text_transliterate(cat, strlen(cat), category, sizeof category);
	if (b->village[0])
		text_transliterate(b->village, strlen(b->village), village, sizeof village);
	else
		snprintf(village, sizeof village, "chua ro");
	first_words(b->text, words, sizeof words);
	config_render(cfg->replies.templates[t], kv, text, sz);
}

int alerts_tip_new(const struct config *cfg, int64_t tip_id, const char *now)
{
	struct store_tip_brief b;
	char text[640];
	int64_t id = 0;
	int urgent, n, r;

	if (store_tip_brief(tip_id, &b) < 0)
		return -1;
	if (!b.found)
		return 0;
	urgent = config_tip_urgent(cfg, b.category[0] ? b.category : NULL);
	/* Nobody asked: no alert row either, so `tipline alerts` lists only alerts sent. */
	n = store_tip_alert_count(urgent);
	if (n <= 0)
		return n;
	tip_text(cfg, TPL_TIP_ALERT, &b, "", text, sizeof text);
	r = store_alert_raise("tip_new", b.ref, text, now, &id);
	if (r <= 0)
		return r;
	n = store_tip_alert_queue(id, text, urgent, now);
	if (n < 0)
		return -1;
	log_info("alert tip_new %s: %d SMS queued", b.ref, n);
	return 1;
}

static int escalate_one(int64_t tip_id, void *arg)
{
	struct check *ck = arg;
	struct store_tip_brief b;
	char text[640], hours[24];

	if (store_tip_brief(tip_id, &b) < 0)
		return 1;
	snprintf(hours, sizeof hours, "%d", acfg->tips.escalate_after);
	tip_text(acfg, TPL_TIP_ESCALATED, &b, hours, text, sizeof text);
	return raise_alert(ck, "tip_escalated", b.ref, text, NULL, 0) < 0;
}

/*
 * Tips still new tips.escalate_after hours after they arrived: the officers are told once.
 * Only those that became overdue in the last day, as the nights are judged: a daemon that was
 * down still tells, at most a day late, and an upgrade (or a backlog of old tips read late)
 * does not send the officers one SMS for every old tip nobody triaged.
 */
static int check_escalate(struct check *ck)
{
	char before[TS_LEN], after[TS_LEN];
	int64_t edge = ck->t - (int64_t)acfg->tips.escalate_after * 3600;

	if (acfg->tips.escalate_after == 0)
		return 0;
	ts_utc(edge, before);
	ts_utc(edge - 86400, after);
	return store_tips_stale(after, before, escalate_one, ck) < 0 ? -1 : 0;
}

/* The job: every check in one transaction, so an alert and its messages commit together. */
static int check(void *arg)
{
	struct check ck = {0};

	ck.t = (int64_t)time(NULL);
	ts_utc(ck.t, ck.now);
	if (store_begin() < 0)
		goto fail;
	if (check_overdue(&ck) < 0 || store_teams_nights(nights_one, &ck) < 0 ||
	    check_escalate(&ck) < 0) {
		store_rollback();
		goto fail;
	}
	if (ck.raised > 0)
		fault_point("exit-before-alert-commit");
	if (store_commit() < 0)
		goto fail;
	if (ck.raised > 0)
		fault_point("exit-after-alert-commit");
	if (failing)
		log_info("alerts: checking again");
	failing = 0;
	log_debug("alerts: checked, %d raised", ck.raised);
	return 0;
fail:
	if (!failing)
		log_warnx("alerts: cannot check for missed check-ins: %s", store_errmsg());
	failing = 1;
	return -1;
}

int alerts_init(const struct config *cfg)
{
	acfg = cfg;
	failing = 0;
	/* The first check one interval after the start: the first polls read what the modem
	 * kept (the end of a patrol, perhaps) before anything is judged missing. */
	return sched_add("alerts", cfg->patrol.check_every, cfg->patrol.check_every, check, NULL);
}

void alerts_close(void)
{
	acfg = NULL;
}
