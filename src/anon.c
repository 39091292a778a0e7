#include "anon.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "log.h"

/* More than any hour's anonymous replies on a commune's line: the oldest are overwritten. */
#define ANON_SLOTS 4096

static uint64_t key[2];
/* anon_message_mac's key: made once per daemon, never reset (see anon_key_fd). */
static uint64_t mkey[2];
static int mkey_set;
static struct slot {
	uint64_t h;
	int64_t t;
} slots[ANON_SLOTS];
static unsigned next;
/* Anonymous menu sessions ended within a retry window: a few per minute at most. */
#define ANON_SESSIONS 256
static struct slot sessions[ANON_SESSIONS];
static unsigned next_session;

/*
 * The message key: a modem process's is its main process's, read from the pipe named by
 * TIPLINE_KEY_FD (anon_key_fd), so that every modem of the daemon gives one message one mac;
 * any other process makes its own. Once per process: a reload keeps it, so the macs of the
 * rows stored before it still match.
 */
static int mkey_init(void)
{
	const char *fd = getenv(ANON_KEY_ENV);
	int ok;

	if (mkey_set)
		return 0;
	if (fd != NULL) {
		int n = atoi(fd);

		ok = read(n, mkey, sizeof mkey) == (ssize_t)sizeof mkey;
		close(n);
		unsetenv(ANON_KEY_ENV);
	} else {
		ok = getrandom(mkey, sizeof mkey, 0) == (ssize_t)sizeof mkey;
	}
	if (!ok) {
		log_warn("anon: no message key");
		return -1;
	}
	mkey_set = 1;
	return 0;
}

int anon_init(void)
{
	memset(slots, 0, sizeof slots);
	memset(sessions, 0, sizeof sessions);
	next = next_session = 0;
	if (mkey_init() < 0)
		return -1;
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

int anon_key_fd(void)
{
	int p[2];

	if (!mkey_set || pipe2(p, O_CLOEXEC) < 0)
		return -1;
	/* 16 bytes fit any pipe's buffer: the write does not wait for the reader. */
	if (write(p[1], mkey, sizeof mkey) != (ssize_t)sizeof mkey) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	return p[0];
}

void anon_message_mac(const char *phone, const char *smsc_time, const char *text,
                      char out[ANON_MAC_LEN + 1])
{
	size_t lp = strlen(phone), lt = strlen(smsc_time), lx = strlen(text);
	unsigned char *buf = malloc(lp + lt + lx + 2);
	unsigned char mac[32];

	if (buf == NULL || !mkey_set) {
		out[0] = '\0'; /* no mac: only the place then tells a twin */
		free(buf);
		return;
	}
	/* "PHONE\x1fTIME\x1fTEXT": no number nor time holds the separator. */
	memcpy(buf, phone, lp);
	buf[lp] = 0x1f;
	memcpy(buf + lp + 1, smsc_time, lt);
	buf[lp + lt + 1] = 0x1f;
	memcpy(buf + lp + lt + 2, text, lx);
	/* HMAC-SHA-256 by GnuTLS (no crypto of ours), its first 8 bytes: enough to tell one
	 * message from another among a modem's, and nothing to anyone without the key. */
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, mkey, sizeof mkey, buf, lp + lt + lx + 2, mac) <
	    0) {
		out[0] = '\0';
		free(buf);
		return;
	}
	free(buf);
	for (int k = 0; k < ANON_MAC_LEN / 2; k++)
		snprintf(out + 2 * k, 3, "%02x", mac[k]);
}
