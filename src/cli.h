/*
 * Shared pieces of the tipline CLI: usage, argument checks, and the list of commands that
 * live in other files (cli_*.c), so tipline.c stays a dispatcher.
 */
#ifndef TIPLINE_CLI_H
#define TIPLINE_CLI_H

#include "store.h"

struct config;

/* Print usage to stderr and exit 2. */
void cli_usage(void) __attribute__((noreturn));
/* Print "tipline: " and the message, then the usage; exit 2. */
void cli_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int cli_open_store(const struct config *cfg);
/* Print the store's last error as "tipline: ..." on stderr; returns 1, the exit status. */
int cli_store_failed(void);

/* 0 if S is an integer in [min, max] (stored in *out), else -1. */
int cli_parse_int(const char *s, int min, int max, int *out);
/* 0 if S is 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM[:SS]', else -1. */
int cli_check_date(const char *s);
/* 0 if S is 'YYYY-MM-DD HH:MM:SS', else -1. */
int cli_check_datetime(const char *s);

/* Print a listing row: one JSON object per line, or tab-separated values. */
int cli_print_row(const struct store_row *r, int json);
/* Print a whole listing (with a header line unless JSON); the exit status. */
int cli_list(store_lister list, const char *arg, int json);

/* Subcommands, each returning the exit status: in cli_records.c, */
int cli_contact(const struct config *cfg, int argc, char **argv);
int cli_tips(const struct config *cfg, int argc, char **argv);
int cli_tip(const struct config *cfg, int argc, char **argv);
int cli_patrols(const struct config *cfg, int argc, char **argv);
/* and in cli_broadcast.c. */
int cli_broadcast(const struct config *cfg, int argc, char **argv);
int cli_group(const struct config *cfg, int argc, char **argv);
/* and in cli_serve.c (the USSD menu's HTTP server). */
int cli_serve(const struct config *cfg, int argc, char **argv);

/* clang-format off */
#define CLI_USAGE_MORE \
	"  contact add PHONE [--name N] [--village V] [--role R] [--team T]\n" \
	"  contact set PHONE [--name N] [--village V] [--role R] [--team T]\n" \
	"              [--subscribed yes|no] [--pin DIGITS]\n" \
	"  contact list [--role R] [--json]            registered people\n" \
	"  tips [--since DATE] [--json]                tips, oldest first\n" \
	"  tip REF [--json]                            one tip with its supplements\n" \
	"  patrols [--since DATE] [--json]             patrol check-ins and check-outs\n" \
	"  broadcast --group G [--at \"YYYY-MM-DD HH:MM\"] [--every day|week|month]\n" \
	"            [--dry-run] [--wait] TEXT         queue a broadcast (groups: THON3, TQ3,\n" \
	"                                              TOTRUONG, CANBO, TATCA, named groups)\n" \
	"  broadcast list [--json] | show ID [--wait] | cancel ID\n" \
	"  group add GROUP PHONE... | rm GROUP [PHONE...] | list | members GROUP\n" \
	"  serve [--listen ADDR:PORT]                  the USSD menu: the aggregator's HTTP\n" \
	"                                              callback (http.listen, ussd.*)\n"
/* clang-format on */

#endif
