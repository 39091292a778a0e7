/* The JSON writer: escapes and invalid UTF-8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"

static char *write_string(const char *s, size_t len)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof buf, "w");

	json_write_string(f, s, len);
	fclose(f);
	return buf;
}

static void t_escapes(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
	    {"plain", "\"plain\""},
	    {"a\"b\\c", "\"a\\\"b\\\\c\""},
	    {"line\nnext\ttab\rcr", "\"line\\nnext\\ttab\\rcr\""},
	    {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
	    {"Tuần 😀", "\"Tuần 😀\""},
	    {"bad \xff byte", "\"bad \xef\xbf\xbd byte\""},
	    {"cut \xe1\xba", "\"cut \xef\xbf\xbd\xef\xbf\xbd\""},
	    {"surrogate \xed\xa0\x80", "\"surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
	    {"overlong \xc0\xaf", "\"overlong \xef\xbf\xbd\xef\xbf\xbd\""},
	    /* What a terminal would obey: escaped, so --json on a terminal is safe too. */
	    {"\x1b[31mred", "\"\\u001b[31mred\""},
	    {"rlo \xe2\x80\xae"
	     "fdp.exe",
	     "\"rlo \\u202efdp.exe\""},
	    {"\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\""},
	    {"\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f",
	     "\"\\u2066\\u2069\\u200e\\u200f\""},
	    {"nel \xc2\x85 csi \xc2\x9b", "\"nel \\u0085 csi \\u009b\""},
	    {"zwj \xe2\x80\x8d nbsp \xc2\xa0", "\"zwj \xe2\x80\x8d nbsp \xc2\xa0\""},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_STR(write_string(cases[i].in, strlen(cases[i].in)), cases[i].want);
	/* An embedded NUL is data, not the end. */
	CHECK_STR(write_string("a\0b", 3), "\"a\\u0000b\"");
}

static void t_object(void)
{
	char buf[256];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	struct json j;

	json_begin(&j, f);
	json_key_str(&j, "kind", "tip");
	json_key_int(&j, "n", -5);
	json_key_bool(&j, "anonymous", 1);
	json_key_null(&j, "category");
	json_key_str(&j, "text", NULL);
	json_end(&j);
	fclose(f);
	CHECK_STR(
	    buf,
	    "{\"kind\":\"tip\",\"n\":-5,\"anonymous\":true,\"category\":null,\"text\":null}\n");
}

static void t_nested(void)
{
	char buf[256];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	struct json j;

	json_begin(&j, f);
	json_key_str(&j, "from", "2026-11-01");
	json_key_object(&j, "tips");
	json_key_int(&j, "received", 12);
	json_key_object(&j, "by_status");
	json_object_end(&j);
	json_key_object(&j, "by_village");
	json_key_int(&j, "Thôn 3", 4);
	json_key_int(&j, "4", 1);
	json_object_end(&j);
	json_object_end(&j);
	json_key_int(&j, "missed_checkins", 2);
	json_end(&j);
	fclose(f);
	CHECK_STR(buf, "{\"from\":\"2026-11-01\",\"tips\":{\"received\":12,\"by_status\":{},"
	               "\"by_village\":{\"Thôn 3\":4,\"4\":1}},\"missed_checkins\":2}\n");
}

static void t_array(void)
{
	char buf[256];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	struct json j;

	json_begin(&j, f);
	json_key_str(&j, "ref", "T1");
	json_key_array(&j, "supplements");
	json_array_end(&j);
	json_key_array(&j, "history");
	json_array_object(&j);
	json_key_str(&j, "to", "checking");
	json_object_end(&j);
	json_array_object(&j);
	json_key_str(&j, "to", "valuable");
	json_key_null(&j, "note");
	json_object_end(&j);
	json_array_end(&j);
	json_key_int(&j, "n", 2);
	json_end(&j);
	fclose(f);
	CHECK_STR(buf, "{\"ref\":\"T1\",\"supplements\":[],\"history\":[{\"to\":\"checking\"},"
	               "{\"to\":\"valuable\",\"note\":null}],\"n\":2}\n");
}

int main(void)
{
	RUN(t_escapes);
	RUN(t_object);
	RUN(t_nested);
	RUN(t_array);
	return check_done();
}
