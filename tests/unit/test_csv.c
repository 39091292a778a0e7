/* The RFC 4180 CSV writer (quoting, doubled quotes, CRLF, the BOM, invalid UTF-8) and the
 * reader of spreadsheets' files (csv_read, csv_sniff). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csv.h"

/* One row of FIELDS (NULL-terminated list; "\x01" stands for a NULL field) as the writer
 * writes it; a malloc'd string. */
static char *row(const char *const *fields, int flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct csv c;

	csv_init(&c, f, flags);
	for (size_t i = 0; fields[i] != NULL; i++)
		csv_field(&c, strcmp(fields[i], "\x01") == 0 ? NULL : fields[i]);
	csv_end_row(&c);
	CHECK_INT(csv_close(&c), 0);
	fclose(f);
	return buf;
}

static void t_fields(void)
{
	static const struct {
		const char *fields[4];
		const char *want;
	} rows[] = {
	    {{"a", "b", "c", NULL}, "a,b,c\r\n"},
	    {{"a,b", "c", NULL}, "\"a,b\",c\r\n"},
	    {{"say \"hi\"", NULL}, "\"say \"\"hi\"\"\"\r\n"},
	    {{"\"", NULL}, "\"\"\"\"\r\n"},
	    {{"line\nnext", "x", NULL}, "\"line\nnext\",x\r\n"},
	    {{"cr\rhere", NULL}, "\"cr\rhere\"\r\n"},
	    {{"crlf\r\n", NULL}, "\"crlf\r\n\"\r\n"},
	    {{"", "", NULL}, ",\r\n"},
	    {{"\x01", "b", NULL}, ",b\r\n"},
	    {{"", NULL}, "\"\"\r\n"}, /* a blank line would be no row at all */
	    {{"\x01", NULL}, "\"\"\r\n"},
	    {{" spaced ", "tab\there", NULL}, " spaced ,tab\there\r\n"},
	    {{"Tuần tra thôn 3", "😀", NULL}, "Tuần tra thôn 3,😀\r\n"},
	    {{"Đông, \"Tây\"", NULL}, "\"Đông, \"\"Tây\"\"\"\r\n"},
	    {{"bad \xff byte", NULL}, "bad \xef\xbf\xbd byte\r\n"},
	    {{"cut \xe1\xba", NULL}, "cut \xef\xbf\xbd\xef\xbf\xbd\r\n"},
	    {{"kept \xef\xbf\xbd", NULL}, "kept \xef\xbf\xbd\r\n"},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char *got = row(rows[i].fields, 0);

		CHECK_STR(got, rows[i].want);
		free(got);
	}
	/* CSV_RAW writes every field exactly as given. */
	{
		static const char *const raw[] = {"=1+2", "'x", NULL};
		char *got = row(raw, CSV_RAW);

		CHECK_STR(got, "=1+2,'x\r\n");
		free(got);
	}
}

/* Formula injection: a field a spreadsheet would run gets a quote before it (csv.h). */
static void t_formulas(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
	    {"=1+2", "'=1+2\r\n"},
	    {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n"},
	    {"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0\r\n"},
	    {"-2+3", "'-2+3\r\n"},
	    {"@SUM(A1)", "'@SUM(A1)\r\n"},
	    {"\t=1", "'\t=1\r\n"},
	    {"\r=1", "\"'\r=1\"\r\n"},
	    {"-", "'-\r\n"},
	    {"- co nguoi la", "'- co nguoi la\r\n"},
	    {"-5", "-5\r\n"}, /* plain numbers are no formulas */
	    {"+84912345678", "+84912345678\r\n"},
	    {"-1.5", "-1.5\r\n"},
	    {"-1.", "'-1.\r\n"},
	    {"+.5", "'+.5\r\n"},
	    {"a=1", "a=1\r\n"}, /* only the first character counts */
	    {" =1", " =1\r\n"},
	    {"'x", "'x\r\n"},
	    {"Tuần tra", "Tuần tra\r\n"},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *const fields[] = {rows[i].in, NULL};
		char *got = row(fields, 0);

		CHECK_STR(got, rows[i].want);
		free(got);
	}
}

static void t_bom_and_rows(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct csv c;
	static const char *const one[] = {"x", NULL};
	char *nobom = row(one, 0), *bom = row(one, CSV_BOM);

	CHECK_STR(nobom, "x\r\n");
	CHECK_STR(bom, "\xef\xbb\xbfx\r\n");
	free(nobom);
	free(bom);

	csv_init(&c, f, CSV_BOM);
	csv_field(&c, "id");
	csv_field(&c, "n");
	csv_end_row(&c);
	csv_field_int(&c, 1);
	csv_field_int(&c, -1410);
	csv_end_row(&c);
	csv_fieldn(&c, "abc,def", 3); /* only "abc": no comma, no quotes */
	csv_fieldn(&c, "a\0b", 3);    /* an embedded NUL is data */
	csv_end_row(&c);
	CHECK_INT(c.rows, 3);
	CHECK_INT(csv_close(&c), 0);
	fclose(f);
	CHECK_INT(len, 3 + strlen("id,n\r\n1,-1410\r\nabc,") + 3 + 2);
	CHECK(memcmp(buf, "\xef\xbb\xbfid,n\r\n1,-1410\r\nabc,a\0b\r\n", len) == 0);
	free(buf);
}

static void t_write_error(void)
{
	FILE *f = fopen("/dev/full", "w");
	struct csv c;

	if (f == NULL) {
		CHECK(f != NULL);
		return;
	}
	csv_init(&c, f, 0);
	for (int i = 0; i < 10000; i++)
		csv_field(&c, "a field that fills the buffer and then some");
	csv_end_row(&c);
	CHECK_INT(csv_close(&c), -1);
	fclose(f);
}

/* TEXT read whole with SEP: its records as "f1|f2/lines" joined by "\n", -1 as "!". */
static char *read_all(const char *text, char sep)
{
	char *out = NULL, buf[64];
	size_t len = 0, pos = 0;
	FILE *f = open_memstream(&out, &len);
	struct csv_record r;
	int rc;

	while ((rc = csv_read(text, strlen(text), &pos, sep, buf, sizeof buf, &r)) != 0) {
		if (rc < 0) {
			fputs("!\n", f);
			continue;
		}
		for (int i = 0; i < r.n; i++)
			fprintf(f, "%s%s", i ? "|" : "", r.f[i]);
		fprintf(f, "/%d\n", r.lines);
	}
	fclose(f);
	return out;
}

static void t_read(void)
{
	static const struct {
		const char *text;
		char sep;
		const char *want;
	} cases[] = {
	    {"a,b,c\r\nd,e,f\r\n", ',', "a|b|c/1\nd|e|f/1\n"},
	    {"a;b\nc;d", ';', "a|b/1\nc|d/1\n"},                         /* LF, no end at the end */
	    {"a,b\rc,d\r", ',', "a|b/1\nc|d/1\n"},                       /* old Mac CR */
	    {"\"x,y\";\"say \"\"hi\"\"\"\n", ';', "x,y|say \"hi\"/1\n"}, /* quotes */
	    {"\"two\r\nlines\",z\r\nn,m\r\n", ',', "two\r\nlines|z/2\nn|m/1\n"},
	    {",,\n\n", ',', "||/1\n/1\n"}, /* empty fields, a blank line */
	    {"a,\"open\n", ',', "!\n"},    /* a quote never closed */
	    {"a;b,c\n", ';', "a|b,c/1\n"}, /* the other separator is data */
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = read_all(cases[i].text, cases[i].sep);

		CHECK_STR(got, cases[i].want);
		free(got);
	}
	{
		/* A record longer than the buffer: refused, and the next one read. */
		char text[200];
		char *got;

		memset(text, 'x', 100);
		snprintf(text + 100, sizeof text - 100, ",y\nok,1\n");
		got = read_all(text, ',');
		CHECK_STR(got, "!\nok|1/1\n");
		free(got);
	}
	CHECK_INT(csv_sniff("Họ tên;Số điện thoại;Thôn\r\n", 40), ';');
	CHECK_INT(csv_sniff("name,phone\n", 11), ',');
	CHECK_INT(csv_sniff("\"a;b;c\",d\n", 10), ',');  /* quoted semicolons do not count */
	CHECK_INT(csv_sniff("a;b\nc,d,e,f\n", 12), ';'); /* the first line only */
}

int main(void)
{
	RUN(t_read);
	RUN(t_fields);
	RUN(t_formulas);
	RUN(t_bom_and_rows);
	RUN(t_write_error);
	return check_done();
}
