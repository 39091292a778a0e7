/*
 * libFuzzer target: the UTF-16 <-> UTF-8 conversions between libGammu and the rest of tipline
 * (every received text and number passes through text_ucs2be_to_utf8; a crafted SMS can hold
 * any 16-bit units, lone surrogates included). The first byte picks the output room and the
 * unit limit, so that truncation is exercised; the checks are the guarantees text.h makes.
 */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t units, outsz, n, m, k;
	unsigned char *back;
	char *out, *again, *s;

	if (size < 1)
		return 0;
	outsz = (size_t)data[0] * 3 + 1;
	data++;
	size--;
	units = size / 2;
	out = malloc(outsz);
	back = malloc(2 * (units + 1));
	again = malloc(outsz);
	s = malloc(size + 1);
	if (out == NULL || back == NULL || again == NULL || s == NULL)
		abort();

	/* Any units decode to valid, terminated UTF-8 within the room given. */
	n = text_ucs2be_to_utf8(data, units, out, outsz);
	if (n >= outsz || out[n] != '\0' || strlen(out) != n || !text_utf8_valid(out, n))
		abort();
	/* Encoding that back takes at most as many units, and decodes to the same text. */
	k = text_utf8_to_ucs2be(out, back, units);
	if (k > units || back[2 * k] != 0 || back[2 * k + 1] != 0)
		abort();
	m = text_ucs2be_to_utf8(back, k, again, outsz);
	if (m != n || memcmp(out, again, n) != 0)
		abort();

	/* Any bytes, taken as UTF-8, encode within the limit without splitting a pair. */
	memcpy(s, data, size);
	s[size] = '\0';
	k = text_utf8_to_ucs2be(s, back, units);
	if (k > units || back[2 * k] != 0 || back[2 * k + 1] != 0)
		abort();
	if (k > 0 && back[2 * (k - 1)] >= 0xd8 && back[2 * (k - 1)] <= 0xdb)
		abort(); /* a high surrogate without its low half */

	free(out);
	free(back);
	free(again);
	free(s);
	return 0;
}
