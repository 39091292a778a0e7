/*
 * libFuzzer target: folding, transliteration, GSM-7/UCS-2 counts, phone numbers and the
 * escaping for terminals (text_safe) on arbitrary bytes. The first byte picks an output size so
 * that truncation is exercised; the checks are the guarantees text.h makes.
 */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* out[0..n) came from a call that promises NUL termination within outsz and valid UTF-8. */
static void check_out(const char *out, size_t n, size_t outsz)
{
	if (outsz == 0)
		return;
	if (n >= outsz || out[n] != '\0' || !text_utf8_valid(out, n))
		abort();
}

static void check_fold(const char *s, size_t size, size_t outsz)
{
	char *out = malloc(outsz + 1), *again = NULL;
	size_t *map = malloc((outsz + 1) * sizeof(*map));
	size_t n, m;

	if (out == NULL || map == NULL)
		abort();
	n = text_fold_map(s, size, out, outsz, map);
	check_out(out, n, outsz);
	if (outsz > 0) {
		for (size_t i = 0; i < n; i++) {
			if (map[i] >= size || (i > 0 && map[i] < map[i - 1]))
				abort();
		}
		if (map[n] > size || (n > 0 && map[n] <= map[n - 1]))
			abort();
		if (text_fold(s, size, out, outsz) != n)
			abort();
		/* Folding is idempotent. */
		again = malloc(outsz);
		if (again == NULL)
			abort();
		m = text_fold(out, n, again, outsz);
		if (m != n || memcmp(out, again, n) != 0)
			abort();
	}
	free(again);
	free(map);
	free(out);
}

static void check_translit(const char *s, size_t size, size_t outsz)
{
	char *out = malloc(outsz + 1), *again = malloc(outsz + 1);
	size_t n, m;

	if (out == NULL || again == NULL)
		abort();
	n = text_transliterate(s, size, out, outsz);
	check_out(out, n, outsz);
	if (outsz > 0) {
		m = text_transliterate(out, n, again, outsz);
		if (m != n || memcmp(out, again, n) != 0)
			abort();
	}
	free(again);
	free(out);
}

static void check_counts(const char *s, size_t size)
{
	struct text_sms_count c;
	int g = text_gsm7_units(s, size);

	text_sms_count(s, size, &c);
	if (g < -1 || (g >= 0 && (size_t)g > 2 * size) || c.ucs2 != (g < 0) || c.parts < 1 ||
	    c.units < 0)
		abort();
	if (!c.ucs2 && c.units != g)
		abort();
	if (c.ucs2 && (size_t)c.units > size)
		abort(); /* at most one UTF-16 unit per byte (pairs need 4 bytes) */
	if (c.units <= (c.ucs2 ? 70 : 160) ? c.parts != 1
	                                   : (long long)c.parts * (c.ucs2 ? 67 : 153) < c.units)
		abort();
}

static void check_phone(const char *s, size_t size)
{
	char *z = malloc(size + 1), out[20];
	static const char *const codes[] = {"84", "+1", "855", "0", ""};

	if (z == NULL)
		abort();
	memcpy(z, s, size);
	z[size] = '\0';
	for (size_t k = 0; k < sizeof(codes) / sizeof(codes[0]); k++) {
		if (text_phone_e164(z, codes[k], out, sizeof(out)) == 0) {
			size_t n = strlen(out);

			if (out[0] != '+' || n < 8 || n > 16 || out[1] == '0' ||
			    strspn(out + 1, "0123456789") != n - 1 || !text_sender_is_phone(z))
				abort();
		}
	}
	(void)text_sender_is_phone(z);
	free(z);
}

/* text_safe: valid UTF-8 that nothing in it a terminal obeys, and a fixed point. */
static void check_safe(const char *s, size_t size, size_t outsz)
{
	char *out = malloc(outsz + 1), *again = malloc(outsz + 1);
	size_t n, m;

	if (out == NULL || again == NULL)
		abort();
	n = text_safe(s, size, out, outsz);
	check_out(out, n, outsz);
	if (outsz > 0) {
		for (size_t i = 0; i < n;) {
			uint32_t cp;

			i += text_utf8_next(out + i, n - i, &cp);
			if (cp < 0x20 || cp == 0x7f || text_unsafe_cp(cp))
				abort();
		}
		if (text_safe_needed(out, n))
			abort();
		m = text_safe(out, n, again, outsz);
		if (m != n || memcmp(out, again, n) != 0)
			abort();
		/* With room for everything: unchanged exactly when nothing needed escaping. */
		if (outsz >= TEXT_SAFE_MAX(size) &&
		    (n == size && memcmp(out, s, size) == 0) == text_safe_needed(s, size))
			abort();
	}
	free(again);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t outsz;

	if (size == 0)
		return 0;
	outsz = data[0] % 48; /* small sizes cut output at every kind of character */
	size--;
	check_fold(s, size, outsz);
	check_fold(s, size, 4 * size + 16);
	check_translit(s, size, outsz);
	check_translit(s, size, 4 * size + 16);
	check_counts(s, size);
	check_phone(s, size);
	check_safe(s, size, outsz);
	check_safe(s, size, TEXT_SAFE_MAX(size));
	return 0;
}
