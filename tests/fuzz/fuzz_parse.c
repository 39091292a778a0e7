/*
 * libFuzzer target: the parser on arbitrary bytes with the default rules, then the JSON
 * writer. Besides the sanitizers it checks what callers rely on: spans inside the text,
 * NUL-terminated buffers, a consistent kind/keyword/error triple, sessions exactly for
 * awareness, corrected only for a command, a secret only in a status, and purity (the same
 * text parses the same way twice).
 */
#include "parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct parse_rules *rules; /* built once, never freed: it lives as long as the run */
static FILE *devnull;

static void check_span(struct parse_span sp, size_t size)
{
	if (sp.len != 0 && (sp.off > size || sp.len > size - sp.off))
		abort();
}

/* Trimmed spans start and end on something other than whitespace or , . : ; - / */
static void check_trimmed(const char *s, struct parse_span sp)
{
	static const char seps[] = " \t\n\v\f\r,.:;-/";

	if (sp.len == 0)
		return;
	if (memchr(seps, s[sp.off], sizeof(seps) - 1) != NULL ||
	    memchr(seps, s[sp.off + sp.len - 1], sizeof(seps) - 1) != NULL)
		abort();
}

static void check_buf(const char *buf, size_t sz, size_t spanlen)
{
	size_t n = strnlen(buf, sz);

	if (n == sz || (n == 0) != (spanlen == 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct parse_result a, b;

	if (rules == NULL) {
		rules = parse_rules_new();
		devnull = fopen("/dev/null", "w");
		if (rules == NULL || devnull == NULL)
			abort();
	}
	parse_message(rules, s, size, &a);

	if ((int)a.kind < 0 || a.kind >= PARSE_KIND_COUNT)
		abort();
	if ((a.kind == PARSE_INVALID) != (a.error != NULL))
		abort();
	if (a.kind == PARSE_INVALID &&
	    (a.keyword <= PARSE_INVALID || a.keyword >= PARSE_KIND_COUNT))
		abort();
	if (a.category < -1 || a.category >= parse_category_count(rules))
		abort();
	if (a.members < -1 || a.members > PARSE_NUMBER_MAX || a.participants < -1 ||
	    a.participants > PARSE_NUMBER_MAX)
		abort();
	/* sessions: only awareness has them, and always (1 unless the text says more) */
	if ((a.kind == PARSE_AWARENESS) != (a.sessions >= 0) || a.sessions > PARSE_NUMBER_MAX ||
	    a.sessions < -1 || (a.kind == PARSE_AWARENESS && a.participants < 0))
		abort();
	/* corrected: NUL-terminated, and only for a message taken as a command */
	if (strnlen(a.corrected, sizeof(a.corrected)) == sizeof(a.corrected) ||
	    (a.corrected[0] != '\0' && a.kind == PARSE_UNKNOWN))
		abort();
	check_span(a.text, size);
	check_span(a.team, size);
	check_span(a.name, size);
	check_span(a.village, size);
	check_span(a.pin, size);
	check_span(a.group, size);
	check_span(a.ref, size);
	check_span(a.secret, size);
	/* a secret: four ASCII digits, only in a status, which always has its reference */
	if (a.secret.len != 0 && (a.kind != PARSE_STATUS || a.secret.len != 4))
		abort();
	for (size_t k = 0; k < a.secret.len; k++) {
		if (s[a.secret.off + k] < '0' || s[a.secret.off + k] > '9')
			abort();
	}
	if (a.kind == PARSE_STATUS && a.ref.len == 0)
		abort();
	check_trimmed(s, a.text);
	check_trimmed(s, a.name);
	check_trimmed(s, a.village);
	check_buf(a.team_buf, sizeof(a.team_buf), a.team.len);
	check_buf(a.ref_buf, sizeof(a.ref_buf), a.ref.len);
	check_buf(a.group_buf, sizeof(a.group_buf), a.group.len);
	if ((a.kind == PARSE_TIP || a.kind == PARSE_MEDIATION || a.kind == PARSE_SUPPLEMENT ||
	     a.kind == PARSE_BROADCAST) &&
	    a.text.len == 0)
		abort(); /* text is required: invalid instead */
	if (a.kind == PARSE_REGISTER && a.name.len == 0)
		abort();

	parse_message(rules, s, size, &b);
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();

	parse_print_json(rules, s, size, &a, devnull);
	return 0;
}
