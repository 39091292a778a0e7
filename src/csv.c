#include "csv.h"

#include <string.h>

#include "text.h"

static void put(struct csv *c, const char *s, size_t n)
{
	if (n > 0 && fwrite(s, 1, n, c->f) != n)
		c->failed = 1;
	c->row_bytes += n;
}

void csv_init(struct csv *c, FILE *f, int flags)
{
	c->f = f;
	c->fields = 0;
	c->rows = 0;
	c->failed = 0;
	c->raw = (flags & CSV_RAW) != 0;
	if (flags & CSV_BOM)
		put(c, "\xef\xbb\xbf", 3);
	c->row_bytes = 0;
}

/* 1 if the field must be quoted: RFC 4180 §2.6. */
static int needs_quotes(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

/* 1 for a plain number: an optional sign, digits, optionally a point and more digits. */
static int plain_number(const char *s, size_t n)
{
	size_t i = s[0] == '-' || s[0] == '+', digits = 0, point = 0;

	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && !point && digits > 0 && i + 1 < n)
			point = 1;
		else
			return 0;
	}
	return digits > 0;
}

/* 1 if a spreadsheet could run the field as a formula (see csv.h). */
static int formula_like(const char *s, size_t n)
{
	return n > 0 && strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0' && !plain_number(s, n);
}

/*
 * Valid UTF-8 is copied in runs; a byte that is not UTF-8 becomes U+FFFD, as json.c does, so
 * the file is always valid UTF-8. Quotes are doubled when QUOTED.
 */
static void put_text(struct csv *c, const char *s, size_t n, int quoted)
{
	size_t i = 0, run = 0;

	while (i < n) {
		uint32_t cp;
		size_t len;

		if (s[i] == '"' && quoted) {
			put(c, s + run, i + 1 - run); /* the quote itself, then once more */
			put(c, "\"", 1);
			run = ++i;
			continue;
		}
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		len = text_utf8_next(s + i, n - i, &cp);
		if (cp == TEXT_REPLACEMENT &&
		    !(len == 3 && memcmp(s + i, "\xef\xbf\xbd", 3) == 0)) {
			put(c, s + run, i - run);
			put(c, "\xef\xbf\xbd", 3);
			run = i + len;
		}
		i += len;
	}
	put(c, s + run, n - run);
}

void csv_fieldn(struct csv *c, const char *s, size_t len)
{
	int q;

	if (c->fields++ > 0)
		put(c, ",", 1);
	if (s == NULL)
		return;
	q = needs_quotes(s, len);
	if (q)
		put(c, "\"", 1);
	if (!c->raw && formula_like(s, len))
		put(c, "'", 1);
	put_text(c, s, len, q);
	if (q)
		put(c, "\"", 1);
}

void csv_field(struct csv *c, const char *s)
{
	csv_fieldn(c, s, s ? strlen(s) : 0);
}

void csv_field_int(struct csv *c, long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%lld", v);

	csv_fieldn(c, buf, (size_t)n);
}

void csv_end_row(struct csv *c)
{
	/* A blank line is no row to a reader (Python's csv skips it): one empty field, quoted. */
	if (c->row_bytes == 0)
		put(c, "\"\"", 2);
	put(c, "\r\n", 2);
	c->row_bytes = 0;
	c->fields = 0;
	c->rows++;
}

int csv_close(struct csv *c)
{
	if (fflush(c->f) != 0 || ferror(c->f))
		c->failed = 1;
	return c->failed ? -1 : 0;
}

int csv_read(const char *text, size_t len, size_t *pos, char sep, char *buf, size_t sz,
             struct csv_record *r)
{
	size_t i = *pos, o = 0, fs = 0;
	int quoted = 0, at_start = 1, bad = 0;

	r->n = 0;
	r->lines = 1;
	if (i >= len)
		return 0;
	for (;;) {
		char ch = i < len ? text[i] : '\0';
		int end_field = i >= len || (!quoted && (ch == sep || ch == '\n' || ch == '\r'));

		if (end_field) {
			if (o >= sz)
				bad = 1;
			else {
				buf[o] = '\0';
				if (r->n < CSV_MAX_FIELDS)
					r->f[r->n++] = buf + fs;
				fs = ++o;
			}
			if (i >= len || ch != sep) {
				/* the record's end: one line break (CRLF counts as one) */
				if (ch == '\r' && i + 1 < len && text[i + 1] == '\n')
					i++;
				if (i < len)
					i++;
				break;
			}
			i++;
			at_start = 1;
			continue;
		}
		if (quoted) {
			if (ch == '"') {
				if (i + 1 < len && text[i + 1] == '"')
					i++; /* a doubled quote is one */
				else {
					quoted = 0;
					i++;
					continue;
				}
			} else if (ch == '\n' ||
			           (ch == '\r' && !(i + 1 < len && text[i + 1] == '\n')))
				r->lines++;
		} else if (ch == '"' && at_start) {
			quoted = 1;
			at_start = 0;
			i++;
			continue;
		}
		at_start = 0;
		if (o + 1 < sz)
			buf[o++] = ch;
		else
			bad = 1;
		i++;
	}
	*pos = i;
	/* an unclosed quote ran to the end of the text */
	return bad || quoted ? -1 : 1;
}

char csv_sniff(const char *line, size_t len)
{
	int quoted = 0, commas = 0, semis = 0;

	for (size_t i = 0; i < len && (quoted || (line[i] != '\n' && line[i] != '\r')); i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (!quoted)
			commas += line[i] == ',', semis += line[i] == ';';
	}
	return semis > commas ? ';' : ',';
}
