/*
 * Shared pieces of the tipline CLI: usage, argument checks, and the list of commands that
 * live in other files (cli_*.c), so tipline.c stays a dispatcher.
 */
#ifndef TIPLINE_CLI_H
#define TIPLINE_CLI_H

struct config;

/* Print usage to stderr and exit 2. */
void cli_usage(void) __attribute__((noreturn));
/* Print "tipline: " and the message, then the usage; exit 2. */
void cli_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int cli_open_store(const struct config *cfg);

/* 0 if S is an integer in [min, max] (stored in *out), else -1. */
int cli_parse_int(const char *s, int min, int max, int *out);
/* 0 if S is 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM[:SS]', else -1. */
int cli_check_date(const char *s);
/* 0 if S is 'YYYY-MM-DD HH:MM:SS', else -1. */
int cli_check_datetime(const char *s);

#define CLI_USAGE_MORE ""
#define CLI_COMMANDS_MORE

#endif
