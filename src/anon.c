#include "anon.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"

/* More than any hour's anonymous replies on a commune's line: the oldest are overwritten. */
#define ANON_SLOTS 4096

static uint64_t key[2];
static struct slot {
	uint64_t h;
	int64_t t;
} slots[ANON_SLOTS];
static unsigned next;
/* Anonymous menu sessions ended within a retry window: a few per minute at most. */
#define ANON_SESSIONS 256
static struct slot sessions[ANON_SESSIONS];
static unsigned next_session;

int anon_init(void)
{
	memset(slots, 0, sizeof slots);
	memset(sessions, 0, sizeof sessions);
	next = next_session = 0;
	if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key) {
		log_warn("anon: no random key from the OS");
		return -1;
	}
	return 0;
}

void anon_close(void)
{
	memset(key, 0, sizeof key);
	memset(slots, 0, sizeof slots);
	memset(sessions, 0, sizeof sessions);
}

/* FNV-1a over key, number, key: only ever compared in this process's memory. */
static uint64_t hash(const char *phone)
{
	uint64_t h = 1469598103934665603ULL ^ key[0];

	for (const char *p = phone; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	h ^= key[1];
	h *= 1099511628211ULL;
	return h | 1; /* never 0: 0 marks an empty slot */
}

void anon_note(const char *phone, int64_t t)
{
	slots[next].h = hash(phone);
	slots[next].t = t;
	next = (next + 1) % ANON_SLOTS;
}

int anon_count(const char *phone, int64_t since)
{
	uint64_t h = hash(phone);
	int n = 0;

	for (unsigned i = 0; i < ANON_SLOTS; i++)
		if (slots[i].h == h && slots[i].t >= since)
			n++;
	return n;
}

/* The pair as one keyed hash: "ID" "\x1f" "PHONE" (a session id has no control character). */
static uint64_t pair_hash(const char *id, const char *phone)
{
	char buf[160];

	snprintf(buf, sizeof buf, "%s\x1f%s", id, phone);
	return hash(buf);
}

void anon_session_note(const char *id, const char *phone, int64_t t)
{
	sessions[next_session].h = pair_hash(id, phone);
	sessions[next_session].t = t;
	next_session = (next_session + 1) % ANON_SESSIONS;
}

int anon_session_is(const char *id, const char *phone, int64_t since)
{
	uint64_t h = pair_hash(id, phone);

	for (unsigned i = 0; i < ANON_SESSIONS; i++)
		if (sessions[i].h == h && sessions[i].t >= since)
			return 1;
	return 0;
}
