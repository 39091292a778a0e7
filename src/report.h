/*
 * Period reports (issue 10): the figures of one period and of the previous period of the same
 * length, chart series, and their renderings as JSON, Vietnamese text, CSV, HTML with inline
 * SVG charts, and one GSM-7 SMS. Nothing here touches the database: the store fills a
 * struct report, these functions render it.
 *
 * Ownership: a struct report owns every string and array in it (names are copied in by
 * report_counts_add / report_chart_add). report_init() before filling, report_close() frees
 * everything and leaves the report empty, ready to be filled again. Renderers only read.
 *
 * Dates are local dates 'YYYY-MM-DD' (the system's time zone, Asia/Ho_Chi_Minh on a
 * commune's Pi); a period is inclusive of both ends. Its UTC bounds [start_utc, end_utc) are
 * what SQL compares the database's UTC text against: start_utc <= t AND t < end_utc.
 */
#ifndef TIPLINE_REPORT_H
#define TIPLINE_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ts.h"

#define REPORT_DATE_LEN 11 /* 'YYYY-MM-DD' and the NUL */

/* ---- periods ---- */

/* What kind of period it is decides which period is "previous". */
enum report_span {
	REPORT_DAYS,          /* --from D --to D: previous is the same number of days before */
	REPORT_MONTH,         /* --month YYYY-MM: previous is the calendar month before */
	REPORT_MONTH_TO_DATE, /* 1st .. today: previous is the month before, 1st .. same day
	                         (or its last day when it is shorter) */
	REPORT_WEEK_TO_DATE,  /* Monday .. today: previous is the same days a week before */
};

struct report_period {
	enum report_span span;
	char from[REPORT_DATE_LEN]; /* first local date, inclusive */
	char to[REPORT_DATE_LEN];   /* last local date, inclusive */
	char start_utc[TS_LEN];     /* UTC text of local midnight at the start of FROM */
	char end_utc[TS_LEN];       /* UTC text of local midnight after TO (exclusive) */
	int days;                   /* TO - FROM + 1 */
};

/* --from FROM --to TO (local dates, inclusive). 0, or -1 when a date is not a real
 * 'YYYY-MM-DD' (2026-02-30 is refused) or FROM is after TO. */
int report_period_days(const char *from, const char *to, struct report_period *p);
/* --month YYYY-MM: the whole calendar month. 0, or -1 when YM is not 'YYYY-MM'. */
int report_period_month(const char *ym, struct report_period *p);
/* --week: Monday of the local week containing NOW (seconds since the epoch) to NOW's date. */
void report_period_week(int64_t now, struct report_period *p);
/* The month containing NOW, from its 1st to NOW's local date (BC THANG, the SMS default). */
void report_period_month_to_date(int64_t now, struct report_period *p);
/* The period before P of the same length, by P's span (see enum report_span). */
void report_period_previous(const struct report_period *p, struct report_period *prev);

/* DATE plus DAYS (may be negative) into OUT; 0, or -1 when DATE is not a real date. */
int report_date_add(const char *date, int days, char out[REPORT_DATE_LEN]);
/* The Monday on or before DATE into OUT (a week's chart label); 0, or -1 as above. */
int report_week_start(const char *date, char out[REPORT_DATE_LEN]);

/* ---- figures ---- */

/* One keyed count: NAME is owned by the array it is in; never NULL (NULL is stored as ""). */
struct report_count {
	char *name;
	long long n;
};

/* A small array of keyed counts in the order they were added (the store's ORDER BY). */
struct report_counts {
	struct report_count *v; /* owned */
	size_t n, cap;
};

/* One period's figures, exactly the JSON fields. */
struct report_figures {
	char from[REPORT_DATE_LEN], to[REPORT_DATE_LEN];
	struct {
		long long received, valuable;
		struct report_counts by_status, by_category, by_village;
		long long alerts, escalated; /* issue 26: new-tip alerts sent, tips left new */
	} tips;
	struct {
		long long sessions, participants;
	} awareness;
	struct {
		long long count, member_turns;
		struct report_counts by_team;
	} patrols;
	long long missed_checkins;
	struct {
		long long count;
	} mediations;
	struct {
		long long count, recipients, parts;
	} broadcasts;
	struct {
		long long received, sent, parts_sent;
	} sms;
};

/*
 * A bar chart: bars in the order added, each a stack of parts by series (the category for
 * tips per week; a single unnamed series for the other two). Colours follow the order in
 * which series first appear.
 */
struct report_bar {
	char *label; /* owned: 'YYYY-MM-DD' (shown as the week's Monday, DD/MM), 'YYYY-MM'
	                (shown MM/YYYY) or any other text (a team), shown as is */
	struct report_counts parts; /* series name → count; "" for a single unnamed series */
};

struct report_chart {
	struct report_bar *v; /* owned */
	size_t n, cap;
};

struct report {
	struct report_figures cur;      /* the period asked for */
	struct report_figures previous; /* the period before it, same length */
	/* The charts may span more than the period (participants for the 12 months up to
	 * cur.to, say): the store decides; renderers draw what is here. */
	struct report_chart tips_weekly;          /* label: week's Monday; series: category */
	struct report_chart patrols_by_team;      /* label: team; series: "" */
	struct report_chart participants_monthly; /* label: 'YYYY-MM'; series: "" */
};

/* An empty report (all zero, no arrays). */
void report_init(struct report *r);
/* Frees every owned string and array; R is empty again (report_init state). */
void report_close(struct report *r);
/* Sets cur.from/to from P and previous.from/to from PREV. */
void report_set_period(struct report *r, const struct report_period *p,
                       const struct report_period *prev);

/* Adds N to NAME's count, appending NAME (copied) when new. 0, or -1 out of memory. */
int report_counts_add(struct report_counts *c, const char *name, long long n);
/* NAME's count, 0 when absent. */
long long report_counts_get(const struct report_counts *c, const char *name);
/* Sum of all counts. */
long long report_counts_total(const struct report_counts *c);

/* Adds N to the part SERIES (NULL: "") of the bar LABEL, appending the bar when new.
 * 0, or -1 out of memory. */
int report_chart_add(struct report_chart *ch, const char *label, const char *series, long long n);
/* Appends an empty bar for each week (its Monday) that overlaps P, so weeks with nothing
 * still show; call before report_chart_add. 0, or -1 out of memory. */
int report_chart_weeks(struct report_chart *ch, const struct report_period *p);
/* Appends an empty bar 'YYYY-MM' for each month from FROM's to TO's (local dates).
 * 0, or -1 out of memory or a bad date. */
int report_chart_months(struct report_chart *ch, const char *from, const char *to);

/* ---- rendering ---- */

/*
 * A count as officers write it: '.' between thousands, at least two digits ("04", "00",
 * "15", "1.410", "1.000.000"). OUT needs 32 bytes for any long long. Returns OUT.
 */
char *report_format_count(long long n, char out[32]);

/* Each renderer writes the whole document to F and returns 0, or -1 when a write failed. */

/* One JSON object (then a newline): the fields, "previous" of the same shape. */
int report_json(const struct report *r, FILE *f);
/* The officers' summary in Vietnamese, the previous period's figure beside each. */
int report_text(const struct report *r, FILE *f);
/* RFC 4180 rows "section,name,value,previous" after that header: section.name is the
 * figure's JSON path (section empty for a top-level one: from, to, missed_checkins); keyed
 * counts are the union of both periods' names, 0 where a period has none. CSV_FLAGS as
 * csv_init (CSV_BOM). */
int report_csv(const struct report *r, FILE *f, int csv_flags);
/*
 * One self-contained HTML page (no scripts, no external resources, A4 print CSS): summary,
 * three inline SVG bar charts, the figures table. Every figure shown carries
 * data-figure="<JSON path>" (data-key="<name>" for a keyed count), data-period="cur" or
 * "previous" and data-value="<the JSON value>"; chart bars carry data-chart, data-label,
 * data-series and data-value.
 */
int report_html(const struct report *r, FILE *f);
/* What report_html puts in <body>, alone (the console's report page frames it, with the same
 * rules as a stylesheet of its own: no inline style there). 0, or -1 when a write failed. */
int report_html_body(const struct report *r, FILE *f);
/* S (UTF-8; NULL: nothing) as HTML text or a quoted attribute's value: & < > " ' escaped,
 * invalid UTF-8, control characters (but newline and tab), C1 controls and BiDi overrides and
 * isolates as U+FFFD. Every HTML page we write (the report, the console) escapes with this
 * one. */
void report_html_esc(FILE *f, const char *s);
/*
 * The figures for one SMS (BC PIN [TUAN|THANG]): ASCII, no diacritics, at most 160 GSM-7
 * septets; the less important figures are left out when large numbers would not fit, and
 * the tips escalated and the new-tip alerts when they are 0 in both periods.
 * Writes into OUT (OUTSZ >= 161) and returns the length, or -1 when OUTSZ is too small.
 */
int report_sms(const struct report *r, char *out, size_t outsz);

/* The Vietnamese name of a default tip category ("theft" → "trộm cắp", with diacritics),
 * NULL for any other name (a configured category is shown as it is named). Static. */
const char *report_category_vi(const char *category);

#endif
