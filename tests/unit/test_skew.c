/* Clock skew: which SMSC times of a batch measure it, and when a change is news to log. */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "skew.h"
#include "ts.h"

#define NOW "2026-12-01 10:00:00"

static const struct {
	const char *what;
	const char *times[3]; /* NULL ends; a leading '!' marks a delivery report */
	int found;
	long skew;
} measure_rows[] = {
    {"in step", {"2026-12-01 10:00:05"}, 1, 5},
    {"clock 3 h behind", {"2026-12-01 13:00:00"}, 1, 10800},
    {"the newest of the batch", {"2026-12-01 09:00:00", "2026-12-01 09:59:00"}, 1, -60},
    {"weeks-old messages kept on a SIM do not count", {"2026-11-10 08:00:00"}, 0, 0},
    {"a day old is still fresh", {"2026-11-30 10:00:00"}, 1, -86400},
    {"a day and a second is not", {"2026-11-30 09:59:59"}, 0, 0},
    {"old ones beside a fresh one", {"2026-11-10 08:00:00", "2026-12-01 12:00:00"}, 1, 7200},
    {"days ahead (a long power cut) count", {"2026-12-04 10:00:00"}, 1, 3 * 86400},
    {"delivery reports do not count", {"!2026-12-01 13:00:00", "2026-12-01 10:00:00"}, 1, 0},
    {"nothing", {NULL}, 0, 0},
};

static void t_measure(void)
{
	int64_t now;

	CHECK_INT(ts_parse_utc(NOW, &now), 0);
	for (size_t i = 0; i < sizeof measure_rows / sizeof measure_rows[0]; i++) {
		struct modem_part parts[3] = {0};
		int n = 0;
		long skew = 0;

		for (; n < 3 && measure_rows[i].times[n] != NULL; n++) {
			const char *t = measure_rows[i].times[n];

			parts[n].status_report = t[0] == '!';
			snprintf(parts[n].smsc_time, sizeof parts[n].smsc_time, "%s",
			         t + (t[0] == '!'));
		}
		if (skew_measure(parts, n, now, &skew) != measure_rows[i].found ||
		    skew != measure_rows[i].skew)
			fprintf(stderr, "  row %zu: %s\n", i, measure_rows[i].what);
		CHECK_INT(skew_measure(parts, n, now, &skew), measure_rows[i].found);
		CHECK_INT(skew, measure_rows[i].skew);
	}
}

/* One measurement after another: what each one says (once per change). */
static void t_update_logs_once_per_change(void)
{
	static const struct {
		long skew;
		enum skew_event want;
	} steps[] = {
	    {0, SKEW_SAME},     {600, SKEW_SAME},      {-600, SKEW_SAME},  {10800, SKEW_BEYOND},
	    {10800, SKEW_SAME}, {10860, SKEW_SAME},    {11300, SKEW_SAME}, {11401, SKEW_CHANGED},
	    {11401, SKEW_SAME}, {-7200, SKEW_CHANGED}, {-7300, SKEW_SAME}, {30, SKEW_BACK},
	    {30, SKEW_SAME},    {-601, SKEW_BEYOND},   {-601, SKEW_SAME},  {600, SKEW_BACK},
	    {0, SKEW_SAME},
	};
	struct skew_state st = {0};

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		enum skew_event e = skew_update(&st, steps[i].skew);

		if (e != steps[i].want)
			fprintf(stderr, "  step %zu: skew %ld\n", i, steps[i].skew);
		CHECK_INT(e, steps[i].want);
	}
}

int main(void)
{
	RUN(t_measure);
	RUN(t_update_logs_once_per_change);
	return check_done();
}
