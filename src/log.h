/*
 * Logging to stderr, one line per event with a level, so systemd's journal keeps it.
 * In the manner of OpenBSD daemons: log_warn appends strerror(errno), log_warnx does not,
 * fatal logs and exits 1. errno is preserved across every call.
 */
#ifndef TIPLINE_LOG_H
#define TIPLINE_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
int log_level_parse(const char *name, enum log_level *out); /* 0, or -1 for an unknown name */
int log_debug_enabled(void);
/*
 * Mask the last four digits of every run of nine or more digits in S ("+8490511****"): every
 * line below debug goes through it, so no log names a phone number in full (issue 13).
 */
void log_mask_numbers(char *s);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
