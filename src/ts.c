#include "ts.h"

#include <string.h>
#include <time.h>

void ts_utc(int64_t t, char out[TS_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, TS_LEN, "%Y-%m-%d %H:%M:%S", &tm);
}

void ts_now(char out[TS_LEN])
{
	ts_utc((int64_t)time(NULL), out);
}

void ts_local(int64_t t, char out[TS_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(out, TS_LEN, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Fill *tm from S in one of the accepted shapes; 0, or -1 if none matches S whole. */
static int parse_fields(const char *s, struct tm *tm)
{
	static const char *const shapes[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"};

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const char *end;

		memset(tm, 0, sizeof *tm);
		end = strptime(s, shapes[i], tm);
		if (end != NULL && *end == '\0')
			return 0;
	}
	return -1;
}

int ts_parse_utc(const char *s, int64_t *t)
{
	struct tm tm;

	if (parse_fields(s, &tm) < 0)
		return -1;
	*t = (int64_t)timegm(&tm);
	return 0;
}

int ts_parse_local(const char *s, int64_t *t)
{
	struct tm tm;
	time_t tt;

	if (parse_fields(s, &tm) < 0)
		return -1;
	tm.tm_isdst = -1;
	tt = mktime(&tm);
	if (tt == (time_t)-1)
		return -1;
	*t = (int64_t)tt;
	return 0;
}

int ts_local_to_utc(const char *s, char out[TS_LEN])
{
	int64_t t;

	if (ts_parse_local(s, &t) < 0)
		return -1;
	ts_utc(t, out);
	return 0;
}

int ts_utc_to_local(const char *s, char out[TS_LEN])
{
	int64_t t;

	if (ts_parse_utc(s, &t) < 0)
		return -1;
	ts_local(t, out);
	return 0;
}

double ts_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
