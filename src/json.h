/*
 * JSON output for the CLI: one object per line, written straight to a FILE.
 * Strings are emitted as valid UTF-8 with the escapes RFC 8259 requires; invalid UTF-8
 * bytes in the input become U+FFFD, so the output is always valid JSON.
 */
#ifndef TIPLINE_JSON_H
#define TIPLINE_JSON_H

#include <stdio.h>
#include <stddef.h>

struct json {
	FILE *f;
	int first; /* no member written yet in the current object */
};

void json_begin(struct json *j, FILE *f);                            /* writes "{" */
void json_end(struct json *j);                                       /* writes "}\n" */
void json_key_str(struct json *j, const char *key, const char *val); /* NULL → null */
void json_key_strn(struct json *j, const char *key, const char *val, size_t len);
void json_key_int(struct json *j, const char *key, long long val);
void json_key_bool(struct json *j, const char *key, int val);
void json_key_null(struct json *j, const char *key);
/* "key":{ — the members that follow are the nested object's, until json_object_end(). */
void json_key_object(struct json *j, const char *key);
void json_object_end(struct json *j); /* writes "}" (json_end closes the outermost) */
/* "key":[ — then json_array_object() before each element object (closed with
 * json_object_end()), and json_array_end() for the "]". */
void json_key_array(struct json *j, const char *key);
void json_array_object(struct json *j);
void json_array_end(struct json *j);
/* A JSON string literal (with quotes) for len bytes of s. */
void json_write_string(FILE *f, const char *s, size_t len);

#endif
