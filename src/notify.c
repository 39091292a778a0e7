/* sd_notify for tiplined: see notify.h. */
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"
#include "sched.h"

static int keepalive(void *arg)
{
	sd_notify(0, "WATCHDOG=1");
	return 0;
}

int notify_init(void)
{
	uint64_t usec = 0;
	double every;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	/* Twice per period, as sd_watchdog_enabled(3) advises: one late cycle is not a restart. */
	every = (double)usec / 2e6;
	log_debug("systemd watchdog: keep-alive every %.1f s", every);
	return sched_add("watchdog", every, 0, keepalive, NULL);
}

void notify_state(const char *state)
{
	sd_notify(0, state);
}

void notify_close(void)
{
}
