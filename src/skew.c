#include "skew.h"

#include <stdlib.h>

#include "ts.h"

int skew_measure(const struct modem_part *parts, int n, int64_t now, long *skew)
{
	int found = 0;
	int64_t newest = 0;

	for (int i = 0; i < n; i++) {
		int64_t t;

		if (parts[i].status_report || ts_parse_utc(parts[i].smsc_time, &t) < 0)
			continue;
		if (t < now - SKEW_FRESH)
			continue; /* kept on a SIM for days: says nothing about the clock */
		if (!found || t > newest)
			newest = t;
		found = 1;
	}
	if (found)
		*skew = (long)(newest - now);
	return found;
}

enum skew_event skew_update(struct skew_state *st, long skew)
{
	if (labs(skew) <= SKEW_LIMIT) {
		if (!st->beyond)
			return SKEW_SAME;
		st->beyond = 0;
		return SKEW_BACK;
	}
	if (!st->beyond) {
		st->beyond = 1;
		st->logged = skew;
		return SKEW_BEYOND;
	}
	if (labs(skew - st->logged) <= SKEW_LIMIT)
		return SKEW_SAME;
	st->logged = skew;
	return SKEW_CHANGED;
}
