#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"

static const char *log_prog = "tipline";
static enum log_level log_lvl = LOG_LEVEL_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

/* Said whenever debug is switched on: only debug lines name numbers in full. */
static void debug_notice(void)
{
	log_warnx("debug logging is on: debug lines show phone numbers in full (other levels "
	          "mask them); do not keep this log");
}

void log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_lvl = level;
	if (level >= LOG_LEVEL_DEBUG)
		debug_notice();
}

void log_set_level(enum log_level level)
{
	int was = log_lvl >= LOG_LEVEL_DEBUG;

	log_lvl = level;
	if (level >= LOG_LEVEL_DEBUG && !was)
		debug_notice();
}

void log_mask_numbers(char *s)
{
	for (char *p = s; *p != '\0';) {
		char *q = p;

		while (*q >= '0' && *q <= '9')
			q++;
		/* A run of 9 or more digits is a phone number (or could be one): hide its end. */
		if (q - p >= 9)
			memset(q - 4, '*', 4);
		p = q == p ? p + 1 : q;
	}
}

int log_debug_enabled(void)
{
	return log_lvl >= LOG_LEVEL_DEBUG;
}

int log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/*
 * One line: "2026-11-26T08:00:00Z tiplined[info]: text[: strerror]". The text is escaped here,
 * not by the callers, so that none can forget it: a session id, a URL or a name that came from
 * outside with a newline, an ESC or a BiDi override in it cannot forge a second line, recolour
 * the terminal or reorder the line for whoever reads the log (text_safe: "\x0a", "\u202e").
 */
static void vlog(enum log_level lvl, int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	char stamp[32], line[2048], safe[TEXT_SAFE_MAX(sizeof line)];
	const char *shown = line;
	time_t now;
	struct tm tm;

	if (lvl > log_lvl)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	flockfile(stderr);
	vsnprintf(line, sizeof line, fmt, ap);
	if (lvl < LOG_LEVEL_DEBUG)
		log_mask_numbers(line);
	if (text_safe_needed(line, strlen(line))) {
		text_safe(line, strlen(line), safe, sizeof safe);
		shown = safe;
	}
	fprintf(stderr, "%s %s[%s]: %s", stamp, log_prog, level_names[lvl], shown);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	funlockfile(stderr);
	errno = saved;
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, 1, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, 0, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, 0, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
