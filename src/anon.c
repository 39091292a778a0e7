#include "anon.h"

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

int anon_init(void)
{
	memset(slots, 0, sizeof slots);
	next = 0;
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
