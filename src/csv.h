/*
 * CSV output per RFC 4180, written straight to a FILE: fields separated by commas, rows ended
 * by CRLF, a field quoted when it holds a comma, a double quote, CR or LF (quotes inside are
 * doubled). Text is written as UTF-8; invalid bytes become U+FFFD so that the file always
 * reads back (Python's csv module, spreadsheet programs). Nothing here allocates.
 *
 * Formula injection: a spreadsheet runs a cell that starts with '=', '+', '-' or '@' (or a TAB
 * or CR before one) as a formula, and phones send any text they like ("=HYPERLINK(...)",
 * "@SUM(...)"). Such a field is written with a single quote before it ("'=HYPERLINK(...)"),
 * which spreadsheets show as text and do not run (the OWASP advice). A field that is a plain
 * number ("-5", "+84912345678", "-1.5") is no formula and is kept as it is. CSV_RAW turns this
 * off (every field written exactly).
 *
 *   struct csv c;
 *   csv_init(&c, f, CSV_BOM);
 *   csv_field(&c, "ref"); csv_field(&c, "text"); csv_end_row(&c);
 *   ...
 *   if (csv_close(&c) < 0) ... a write failed
 */
#ifndef TIPLINE_CSV_H
#define TIPLINE_CSV_H

#include <stddef.h>
#include <stdio.h>

/* csv_init flags */
#define CSV_BOM 1 /* start with the UTF-8 byte order mark, for spreadsheet programs */
#define CSV_RAW 2 /* no quote before a field that starts like a formula (see above) */

struct csv {
	FILE *f;          /* the caller's; csv_close does not close it */
	int fields;       /* fields written in the current row */
	int rows;         /* rows ended so far */
	int failed;       /* a write to f failed */
	int raw;          /* CSV_RAW was given */
	size_t row_bytes; /* bytes written in the current row */
};

/* Starts a CSV document on F (the BOM first with CSV_BOM). */
void csv_init(struct csv *c, FILE *f, int flags);
/* One field of the current row: LEN bytes of S; NULL is an empty field. */
void csv_fieldn(struct csv *c, const char *s, size_t len);
/* One field from a NUL-terminated string (NULL: empty field). */
void csv_field(struct csv *c, const char *s);
/* One integer field. */
void csv_field_int(struct csv *c, long long v);
/* Ends the current row with CRLF; a row that would be a blank line is written as "". */
void csv_end_row(struct csv *c);
/* Flushes F; 0, or -1 when some write failed (F stays open: it is the caller's). */
int csv_close(struct csv *c);

/*
 * The reader, for files people make in a spreadsheet (contacts to import): RFC 4180 with the
 * separator SEP (',' or ';'), CRLF, LF or CR line ends, quoted fields with doubled quotes and
 * line breaks inside. Nothing is allocated: the fields are copied, NUL-terminated, into the
 * caller's BUF.
 */
#define CSV_MAX_FIELDS 32
struct csv_record {
	int n; /* fields read (more than CSV_MAX_FIELDS: the rest dropped) */
	const char *f[CSV_MAX_FIELDS]; /* into the caller's buffer */
	int lines;                     /* physical lines the record took (a quoted break: more) */
};
/*
 * The record of TEXT (LEN bytes) at *POS (advanced past it) into R, its fields in BUF (SZ
 * bytes). 1 a record, 0 the end of the text, -1 a record longer than SZ or a quote never
 * closed (then the rest of the text was read as this record).
 */
int csv_read(const char *text, size_t len, size_t *pos, char sep, char *buf, size_t sz,
             struct csv_record *r);
/* The separator of a file whose first line is LINE (LEN bytes): ';' when it has more
 * semicolons than commas outside quotes, else ','. */
char csv_sniff(const char *line, size_t len);

#endif
