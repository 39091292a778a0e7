#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "ts.h"

int cli_parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int cli_check_date(const char *s)
{
	int64_t t;

	return ts_parse_local(s, &t);
}

int cli_check_datetime(const char *s)
{
	int64_t t;

	return strlen(s) == TS_LEN - 1 && ts_parse_utc(s, &t) == 0 ? 0 : -1;
}

int cli_store_failed(void)
{
	fprintf(stderr, "tipline: %s\n", store_errmsg());
	return 1;
}
