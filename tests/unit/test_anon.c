/*
 * The anonymous tipsters' hourly count (anon.c): a reply counts from its time on, one older
 * than SINCE no longer does (the cap expires), and one number's replies are not another's.
 */
#include <stdint.h>

#include "anon.h"
#include "check.h"

#define T0 ((int64_t)1796000000) /* any instant: the module takes times, never reads a clock */

static void t_count_expires(void)
{
	CHECK_INT(anon_init(), 0);
	anon_note("+84905111444", T0);
	anon_note("+84905111444", T0 + 1800);
	anon_note("+84905222555", T0 + 1800);
	/* An hour after the first reply: both in the hour. */
	CHECK_INT(anon_count("+84905111444", T0 + 3600 - 3600), 2);
	/* A second later the first has left the hour, and later still the second. */
	CHECK_INT(anon_count("+84905111444", T0 + 3601 - 3600), 1);
	CHECK_INT(anon_count("+84905111444", T0 + 1800 + 3601 - 3600), 0);
	CHECK_INT(anon_count("+84905222555", T0 + 3601 - 3600), 1);
	CHECK_INT(anon_count("+84905333666", T0 - 3600), 0);
	anon_close();
}

static void t_restart_forgets(void)
{
	CHECK_INT(anon_init(), 0);
	anon_note("+84905111444", T0);
	anon_close();
	CHECK_INT(anon_init(), 0);
	CHECK_INT(anon_count("+84905111444", T0 - 3600), 0);
	anon_close();
}

int main(void)
{
	RUN(t_count_expires);
	RUN(t_restart_forgets);
	return check_done();
}
