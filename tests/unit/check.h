/*
 * A very small unit-test harness. Each test binary is a list of cases:
 *
 *   static void t_fold(void) { CHECK_STR(fold("Tuần"), "tuan"); }
 *   int main(void) { RUN(t_fold); return check_done(); }
 *
 * Every case prints "PASS file:case" or "FAIL file:case" (tests/run.sh counts those lines);
 * a failed CHECK prints where and why and the case goes on, so one run shows every failure.
 * A case that cannot run on this machine calls SKIP("why") and returns: "SKIP file:case (why)".
 */
#ifndef TIPLINE_CHECK_H
#define TIPLINE_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_case_failed;
static int check_case_skipped;
static const char *check_skip_why = "";
static int check_cases_failed;
static int check_cases_run;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			check_case_failed = 1;                                                     \
		}                                                                                  \
	} while (0)

#define CHECK_INT(got, want)                                                                       \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		if (g_ != w_) {                                                                    \
			fprintf(stderr, "  %s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__,    \
			        #got, g_, w_);                                                     \
			check_case_failed = 1;                                                     \
		}                                                                                  \
	} while (0)

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0) {                   \
			fprintf(stderr, "  %s:%d: %s is \"%s\", want \"%s\"\n", __FILE__,          \
			        __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");           \
			check_case_failed = 1;                                                     \
		}                                                                                  \
	} while (0)

/* Only in the case's own function: the case ends here, reported as skipped. */
#define SKIP(why)                                                                                  \
	do {                                                                                       \
		check_case_skipped = 1;                                                            \
		check_skip_why = (why);                                                            \
		return;                                                                            \
	} while (0)

#define RUN(fn)                                                                                    \
	do {                                                                                       \
		check_case_failed = 0;                                                             \
		check_case_skipped = 0;                                                            \
		fn();                                                                              \
		check_cases_run++;                                                                 \
		if (check_case_failed)                                                             \
			check_cases_failed++;                                                      \
		if (check_case_skipped && !check_case_failed)                                      \
			printf("SKIP %s:%s (%s)\n", __FILE__, #fn, check_skip_why);                \
		else                                                                               \
			printf("%s %s:%s\n", check_case_failed ? "FAIL" : "PASS", __FILE__, #fn);  \
		fflush(stdout);                                                                    \
	} while (0)

static inline int check_done(void)
{
	return check_cases_failed == 0 ? 0 : 1;
}

#endif
