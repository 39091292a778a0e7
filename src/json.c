#include "json.h"

#include <string.h>

#include "text.h"

/* Length of the valid UTF-8 sequence at s (1..4), its code point in *out, or 0 if it is not
 * valid. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *out)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;

	if (c < 0x80) {
		*out = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*out = cp;
	return len;
}

/* 1 for a byte that can be copied as is (ASCII other than controls, quote, backslash). */
static int plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * Runs of bytes that need no escaping are written with one fwrite: per-character stdio
 * calls (and their locking) were 70% of `tipline parse`'s time. Besides what RFC 8259 asks
 * (quote, backslash, U+0000..U+001F), DEL and the characters text_safe() escapes for a
 * terminal (C1 controls, BiDi overrides and isolates, U+2028/2029, which also end a line in
 * JavaScript) are written as \uNNNN: `--json` shown raw on a terminal is safe too, and a
 * parser reads back exactly the stored text.
 */
void json_write_string(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	putc('"', f);
	while (i < n) {
		size_t run = i, len;
		uint32_t cp;
		unsigned char c;

		/* Plain ASCII and valid multi-byte UTF-8 sequences, copied as one run. */
		for (;;) {
			while (run < n && plain(s[run]))
				run++;
			if (run < n && s[run] >= 0x80 &&
			    (len = utf8_seq(s + run, n - run, &cp)) > 0 && !text_unsafe_cp(cp))
				run += len;
			else
				break;
		}
		if (run > i) {
			fwrite(s + i, 1, run - i, f);
			i = run;
			continue;
		}
		if (s[i] >= 0x80 && (len = utf8_seq(s + i, n - i, &cp)) > 0) {
			fprintf(f, "\\u%04x", (unsigned)cp); /* C1, BiDi, U+2028/2029 */
			i += len;
			continue;
		}
		c = s[i++];
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputs("\xef\xbf\xbd", f); /* U+FFFD for a byte that is not UTF-8 */
			break;
		}
	}
	putc('"', f);
}

static void key(struct json *j, const char *k)
{
	if (!j->first)
		putc(',', j->f);
	j->first = 0;
	json_write_string(j->f, k, strlen(k));
	putc(':', j->f);
}

void json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->first = 1;
	putc('{', f);
}

void json_end(struct json *j)
{
	fputs("}\n", j->f);
}

void json_key_strn(struct json *j, const char *k, const char *val, size_t len)
{
	key(j, k);
	if (val == NULL)
		fputs("null", j->f);
	else
		json_write_string(j->f, val, len);
}

void json_key_str(struct json *j, const char *k, const char *val)
{
	json_key_strn(j, k, val, val ? strlen(val) : 0);
}

void json_key_int(struct json *j, const char *k, long long val)
{
	key(j, k);
	fprintf(j->f, "%lld", val);
}

void json_key_bool(struct json *j, const char *k, int val)
{
	key(j, k);
	fputs(val ? "true" : "false", j->f);
}

void json_key_null(struct json *j, const char *k)
{
	key(j, k);
	fputs("null", j->f);
}

void json_key_object(struct json *j, const char *k)
{
	key(j, k);
	putc('{', j->f);
	j->first = 1;
}

/* No stack needed: after a nested object the enclosing one has a member, so first is 0. */
void json_object_end(struct json *j)
{
	putc('}', j->f);
	j->first = 0;
}

void json_key_array(struct json *j, const char *k)
{
	key(j, k);
	putc('[', j->f);
	j->first = 1;
}

void json_array_object(struct json *j)
{
	if (!j->first)
		putc(',', j->f);
	putc('{', j->f);
	j->first = 1;
}

void json_array_end(struct json *j)
{
	putc(']', j->f);
	j->first = 0;
}
