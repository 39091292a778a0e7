/* Time text: UTC and local conversions, in two zones (the test sets TZ itself). */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "ts.h"

static const struct {
	const char *tz;
	const char *local;
	const char *utc; /* NULL: refused */
} local_rows[] = {
    {"Asia/Ho_Chi_Minh", "2026-12-01 07:30", "2026-12-01 00:30:00"},
    {"Asia/Ho_Chi_Minh", "2026-12-01 06:59:59", "2026-11-30 23:59:59"},
    {"Asia/Ho_Chi_Minh", "2026-12-01", "2026-11-30 17:00:00"},
    {"Asia/Ho_Chi_Minh", "2026-01-01 00:00:00", "2025-12-31 17:00:00"},
    {"UTC", "2026-12-01 07:30", "2026-12-01 07:30:00"},
    {"UTC", "2026-12-01", "2026-12-01 00:00:00"},
    {"UTC", "2026-12-01 7", NULL},
    {"UTC", "2026-12-01x", NULL},
    {"UTC", "01/12/2026", NULL},
    {"UTC", "", NULL},
};

static void t_local_to_utc(void)
{
	for (size_t i = 0; i < sizeof local_rows / sizeof local_rows[0]; i++) {
		char out[TS_LEN] = "";
		int r;

		setenv("TZ", local_rows[i].tz, 1);
		tzset();
		r = ts_local_to_utc(local_rows[i].local, out);
		if (local_rows[i].utc == NULL) {
			CHECK_INT(r, -1);
		} else {
			CHECK_INT(r, 0);
			CHECK_STR(out, local_rows[i].utc);
		}
	}
}

static void t_utc_round_trip(void)
{
	static const char *const rows[] = {"2026-12-01 00:30:00", "2024-02-29 23:59:59",
	                                   "1999-12-31 17:00:00"};
	static const char *const tzs[] = {"Asia/Ho_Chi_Minh", "UTC"};

	for (size_t z = 0; z < 2; z++) {
		setenv("TZ", tzs[z], 1);
		tzset();
		for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
			char local[TS_LEN], back[TS_LEN];
			int64_t t;

			CHECK_INT(ts_parse_utc(rows[i], &t), 0);
			ts_utc(t, back);
			CHECK_STR(back, rows[i]);
			CHECK_INT(ts_utc_to_local(rows[i], local), 0);
			CHECK_INT(ts_local_to_utc(local, back), 0);
			CHECK_STR(back, rows[i]);
		}
	}
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	{
		char local[TS_LEN];

		CHECK_INT(ts_utc_to_local("2026-11-30 17:00:00", local), 0);
		CHECK_STR(local, "2026-12-01 00:00:00");
		CHECK_INT(ts_utc_to_local("2026-11-30 17:00", local), 0);
		CHECK_INT(ts_utc_to_local("yesterday", local), -1);
	}
}

static void t_now_and_mono(void)
{
	char now[TS_LEN];
	int64_t t;
	double a = ts_mono(), b;

	ts_now(now);
	CHECK_INT(ts_parse_utc(now, &t), 0);
	CHECK(llabs((long long)(t - (int64_t)time(NULL))) <= 1);
	b = ts_mono();
	CHECK(b >= a);
}

int main(void)
{
	RUN(t_local_to_utc);
	RUN(t_utc_round_trip);
	RUN(t_now_and_mono);
	return check_done();
}
