/*
 * Shared by the report renderers (report.c, report_html.c) only: the list of figures in
 * the JSON's order and how names and dates are shown to a person.
 */
#ifndef TIPLINE_REPORT_INTERNAL_H
#define TIPLINE_REPORT_INTERNAL_H

#include <stddef.h>

#include "report.h"

/*
 * One figure: PATH is its JSON path ("tips.received", "missed_checkins"); for a keyed
 * count PATH is the object's ("tips.by_category") and KEY the name, else KEY is NULL.
 * CUR and PREV are the two periods' values (0 where a period lacks the key).
 */
typedef void (*report_figure_fn)(void *arg, const char *path, const char *key, long long cur,
                                 long long prev);

/* Every figure of R except from/to, in the JSON's order. */
void report_each_figure(const struct report *r, report_figure_fn fn, void *arg);
/* The keyed counts of PATH: CUR's names in order, then names only PREV has. */
void report_each_key(const char *path, const struct report_counts *cur,
                     const struct report_counts *prev, report_figure_fn fn, void *arg);
/* N with '.' between thousands; PAD: at least two digits (report_format_count). */
char *report_format_number(long long n, int pad, char out[32]);
/* 'YYYY-MM-DD' as 'DD/MM/YYYY' (anything else copied) into OUT. */
void report_format_date(const char *date, char out[REPORT_DATE_LEN]);
/*
 * A stored name as a person reads it, in Vietnamese: statuses and the default categories
 * translated ("valuable" → "có giá trị", "theft" → "trộm cắp"), a bare village number as
 * "thôn 3", "" as "chưa rõ"; other names as text_safe() shows them (escaped controls and
 * BiDi, as a phone may have sent them). PATH says which kind of name.
 */
void report_display_name(const char *path, const char *name, char *out, size_t outsz);
/* The Vietnamese label of a scalar figure's PATH ("tips.received" → "Tin báo tiếp nhận"). */
const char *report_figure_label(const char *path);

#endif
