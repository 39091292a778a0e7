#include "ussd_text.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int ussd_redact(const char *code, char *out, size_t sz)
{
	size_t len = strlen(code), i = 0;
	int hidden = 0;

	if (sz == 0)
		return 0;
	snprintf(out, sz, "%s", code);
	if (len >= sz)
		len = sz - 1;
	/* *100*CARD...: the second field is the card, whatever its length. */
	if (strncmp(out, "*100*", 5) == 0) {
		for (i = 5; i < len && is_digit(out[i]); i++) {
			out[i] = '*';
			hidden = 1;
		}
	}
	while (i < len) {
		size_t j = i;

		while (j < len && is_digit(out[j]))
			j++;
		if (j - i >= 12) {
			memset(out + i, '*', j - i);
			hidden = 1;
		}
		i = j > i ? j : i + 1;
	}
	return hidden;
}

void ussd_redact_answer(const char *code, char *text)
{
	char shown[128];
	size_t len = strlen(code);

	if (len >= sizeof shown || !ussd_redact(code, shown, sizeof shown))
		return;
	for (size_t i = 0; i < len;) {
		size_t j = i;

		/* Each hidden run of digits of CODE (its digits became '*' in SHOWN). */
		while (j < len && is_digit(code[j]) && shown[j] == '*')
			j++;
		if (j > i) {
			char run[128];
			char *hit;

			memcpy(run, code + i, j - i);
			run[j - i] = '\0';
			while ((hit = strstr(text, run)) != NULL)
				memset(hit, '*', j - i);
			i = j;
		} else {
			i++;
		}
	}
}

/*
 * The number at the start of S (N bytes): digits, separators between digits ('.' or ','),
 * an optional '-' first. 1 and *AMOUNT, or 0 without a digit. Separators are dropped: the
 * answers of Vietnamese networks write đồng, which have no fraction, with '.' for thousands.
 */
static int number_at(const char *s, size_t n, long *amount)
{
	size_t i = 0;
	long long v = 0;
	int neg = 0, digits = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < n; i++) {
		if (is_digit(s[i])) {
			if (v > (LLONG_MAX - 9) / 10 || v * 10 > LONG_MAX)
				return 0;
			v = v * 10 + (s[i] - '0');
			digits++;
		} else if ((s[i] == '.' || s[i] == ',') && digits > 0 && i + 1 < n &&
		           is_digit(s[i + 1])) {
			continue;
		} else {
			break;
		}
	}
	if (digits == 0)
		return 0;
	*amount = (long)(neg ? -v : v);
	return 1;
}

int ussd_balance_parse(const regex_t *re, const char *text, long *amount)
{
	regmatch_t m[2];

	if (re == NULL) {
		for (const char *p = text; *p != '\0'; p++) {
			if (is_digit(*p)) {
				/* A '-' right before the first digit is the number's sign. */
				const char *from = p > text && p[-1] == '-' ? p - 1 : p;

				return number_at(from, strlen(from), amount);
			}
		}
		return 0;
	}
	if (regexec(re, text, 2, m, 0) != 0 || m[1].rm_so < 0)
		return 0;
	return number_at(text + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so), amount);
}
