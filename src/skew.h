/*
 * Clock skew: the SMSC times of fresh messages against the system clock. On a Raspberry Pi
 * without a real-time clock and without internet, the system clock is the one that is wrong
 * after a power cut (fake-hwclock restores the last saved time); the network's SMSC stamps
 * every message it delivers. Event times follow the SMSC either way; this only tells a person.
 *
 * Fresh: a message is fresh when its SMSC time is at most SKEW_FRESH (a day) before the system
 * clock, or anywhere after it (nobody sends from the future: a time ahead is the system clock
 * behind). Weeks-old messages that a SIM kept while the daemon was down are not fresh. Of a
 * batch, the newest fresh message measures the skew: delays on the way (a queue at the SMSC,
 * a modem out of coverage) only ever make an SMSC time older, so the newest is the closest.
 *
 * Pure functions: the receive path measures each batch, keeps the result in the status table
 * and logs what skew_update says changed.
 */
#ifndef TIPLINE_SKEW_H
#define TIPLINE_SKEW_H

#include <stdint.h>

#include "modem.h"

#define SKEW_LIMIT 600         /* seconds: a skew beyond this is logged */
#define SKEW_FRESH (24 * 3600) /* seconds: how old an SMSC time may be and still measure */

/*
 * The skew (SMSC minus system, seconds) of the newest fresh message among the N parts read at
 * NOW (seconds since the epoch); delivery reports do not count. 1 with *skew set, or 0 when no
 * part of the batch is fresh.
 */
int skew_measure(const struct modem_part *parts, int n, int64_t now, long *skew);

/* What the daemon last said about the clock. Zeroed: nothing said yet (the clocks agree). */
struct skew_state {
	int beyond;  /* 1 after a skew beyond SKEW_LIMIT was logged */
	long logged; /* the skew that was logged then */
};

enum skew_event {
	SKEW_SAME,    /* nothing to say */
	SKEW_BEYOND,  /* the clocks now disagree by more than SKEW_LIMIT */
	SKEW_CHANGED, /* still beyond, but by more than SKEW_LIMIT from what was logged */
	SKEW_BACK,    /* back within SKEW_LIMIT */
};

/* Update ST with a new measurement SKEW and say whether that is news to log. */
enum skew_event skew_update(struct skew_state *st, long skew);

#endif
