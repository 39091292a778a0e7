/*
 * Shared pieces of the tipline CLI: usage, argument checks, listings, the daemon's heartbeat,
 * and the commands, each family in its own cli_<family>.c, so tipline.c only dispatches.
 */
#ifndef TIPLINE_CLI_H
#define TIPLINE_CLI_H

#include <stdio.h>

#include "store.h"
#include "ts.h"

struct config;

/*
 * The usage summary TEXT (a static string: kept, not copied), set by main before anything may
 * print usage; the lines of each command are taken from it.
 */
void cli_set_usage(const char *text);
/* The command being run (a static string), whose usage cli_usage prints; NULL: all of it. */
void cli_set_command(const char *name);
/*
 * The usage lines of command CMD, taken from the summary (lines "  CMD ..." and the more
 * indented lines that continue them), so one text stays the truth for both; all of the summary
 * when CMD is NULL. 0, or -1 when the summary has no lines for CMD.
 */
int cli_print_usage(FILE *out, const char *cmd);
/* Print usage to stderr and exit 2. */
void cli_usage(void) __attribute__((noreturn));
/* Print "tipline: " and the message, then the usage; exit 2. */
void cli_usage_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int cli_open_store(const struct config *cfg);
/*
 * Say on stderr why CFG's database did not open (or is not writable): the store's words for a
 * permission problem, else its path. For cli_open_store, `tipline serve` and `tipline console`.
 */
void cli_store_open_failed(const struct config *cfg);
/*
 * Issue 25: the modem --modem NAME names, checked against `modems` (a usage error if none is
 * so named); with no NAME, NULL when one modem is configured, a usage error ("give --modem")
 * when several are and WHAT (the command) must know which. The name is cfg's.
 */
const char *cli_modem_arg(const struct config *cfg, const char *name, const char *what);
/* Print the store's last error as "tipline: ..." on stderr; returns 1, the exit status. */
int cli_store_failed(void);
/*
 * Open PATH for writing (created or emptied) with the database's modes: 0600, or 0640 and
 * group database.group. Exports and reports (--out) hold phone numbers as the database does,
 * so they get no wider a mode, whatever the umask or an older file's mode. A FILE the caller
 * fcloses, or NULL with errno set.
 */
FILE *cli_create_private(const struct config *cfg, const char *path);
/*
 * --out FILE of export and report: written aside (FILE.PID.tmp, cli_create_private's modes)
 * and renamed into place once whole, so FILE is either the whole output or untouched. With a
 * NULL path the output is stdout. cli_out_open: 0, or -1 with the cause printed.
 * cli_out_close: renames when OK and everything was written, else removes the copy; 0, or -1
 * with the cause printed. o.f belongs to the pair: never fclose it.
 */
struct cli_out {
	FILE *f;
	const char *path;
	char tmp[4096];
};
int cli_out_open(const struct config *cfg, const char *path, struct cli_out *o);
int cli_out_close(struct cli_out *o, int ok);

/* 0 if S is an integer in [min, max] (stored in *out), else -1. */
int cli_parse_int(const char *s, int min, int max, int *out);
/* 0 if S is 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM[:SS]', else -1. */
int cli_check_date(const char *s);
/* 0 if S is 'YYYY-MM-DD HH:MM:SS', else -1. */
int cli_check_datetime(const char *s);

/*
 * A local date ('YYYY-MM-DD') or local time ('YYYY-MM-DD HH:MM[:SS]') typed by a person as a
 * UTC bound for the database: END 0, the first instant S names (a day's local midnight); END
 * 1, the instant right after the last one (a day: its next local midnight), so that a period
 * is FROM <= t < TO and both dates are inclusive. 0, or -1 when S is not such a date.
 */
int cli_local_bound(const char *s, int end, char out[TS_LEN]);
/*
 * FROM and TO (either NULL: no bound) as UTC bounds (cli_local_bound); a bad date or an empty
 * period is a usage error (exit 2). Returns 0.
 */
int cli_local_period(const char *from, const char *to, char from_utc[TS_LEN], char to_utc[TS_LEN]);
/* T as a team code (letters then digits, TQ3), uppercased in place; NULL if it is not one. */
const char *cli_team_code(char *t);

/* Print a listing row: one JSON object per line, or tab-separated values. */
int cli_print_row(const struct store_row *r, int json);
/* Print a whole listing (with a header line unless JSON); the exit status. */
int cli_list(store_lister list, const char *arg, int json);
/* cli_list's row printer, for listers of another shape: CTX is a struct cli_listing. */
struct cli_listing {
	int json;
	int header; /* 1: the header line is still to be printed (plain text only) */
};
int cli_listing_row(const struct store_row *r, void *ctx);

/* What `tipline status` shows (cli_status.c), gathered once: the console's overview shows it
 * too. */
/* 48 keys of the daemon, and 22 more per modem of several (issue 25: "modem.NAME.KEY"). */
#define MAX_KEYS 420
struct kv {
	int n;
	struct {
		char key[80], value[160], at[TS_LEN];
	} e[MAX_KEYS];
};
struct counts {
	int n;
	char status[8][16];
	long count[8];
};
struct status_snapshot {
	struct kv kv;
	struct counts outbox;
	int alive;
	char heartbeat_at[TS_LEN];
	char oldest[TS_LEN];
	long long alerts_open;
	long long db_bytes, wal_bytes;
	int schema;
	struct store_scrub_state scrub;
	/* The sync to the district, when sync.conninfo is set (SYNC_ON 0: off, the rest unset).
	 * SYNC_OK 0: its state could not be read, SYNC_UNREADABLE says why (the rest of the
	 * snapshot is still good: a status shows what it can). */
	int sync_on, sync_ok;
	struct store_sync_state sync;
	char sync_unreadable[256];
};
/* Fill *RP from the store (status rows, outbox counts, alerts, files, the sync's state). 0, or
 * -1 (store). */
int cli_status_gather(const struct config *cfg, struct status_snapshot *rp);
/* The status row KEY's value, or NULL. */
const char *cli_status_get(const struct kv *kv, const char *key);
/*
 * The balance a one-line summary shows (`tipline status`'s balance: line, the console's
 * overview): with one modem the plain rows; with several, the SIM with the least known balance
 * (the first to run dry), whose name goes in *NAME (config-owned; NULL with one modem). Sets
 * *VALUE, *AT and *LOW (status rows, owned by KV; NULL when not read); 0, or -1 when no SIM's
 * balance is known.
 */
int cli_status_balance(const struct config *cfg, const struct kv *kv, const char **value,
                       const char **at, int *low, const char **name);

/*
 * UTC text from the database as local time for a person (the system's time zone), into OUT
 * (the UTC text itself when it does not convert); NULL stays NULL. Returns OUT or NULL.
 */
const char *cli_local_time(const char *utc, char out[TS_LEN]);
/* Seconds since UTC text UTC, or -1 when it is NULL or not a time. */
long cli_age_of(const char *utc);
/*
 * 1 if the daemon's heartbeat deadline (status.h) has not passed, else 0; -1 on a store error.
 * LAST gets when it was written ("" if there is none: never started, or stopped cleanly).
 */
int cli_daemon_alive(char last[TS_LEN]);
/* Say on stderr that the daemon is not running, and since when (LAST: cli_daemon_alive's). */
void cli_daemon_not_running(const char *last);

/* The commands, each returning the exit status, each family in its cli_<family>.c: */
/* in cli_console.c (issue 23): */
int cli_passwd(const struct config *cfg, int argc, char **argv);
int cli_console(const struct config *cfg, int argc, char **argv);
/* in cli_sync.c (issue 27): */
int cli_sync(const struct config *cfg, int argc, char **argv);
/* tipline status's sync lines and "sync" object from RP (cli_status_gather's; nothing when sync
 * is off). */
struct json;
void cli_status_sync_text(const struct config *cfg, const struct status_snapshot *rp);
void cli_status_sync_json(const struct config *cfg, const struct status_snapshot *rp,
                          struct json *j);
int cli_district(const struct config *cfg, int argc, char **argv);
int cli_inbox(const struct config *cfg, int argc, char **argv);
int cli_outbox(const struct config *cfg, int argc, char **argv);
int cli_parse(const struct config *cfg, int argc, char **argv);
int cli_sim(const struct config *cfg, int argc, char **argv);
int cli_contact(const struct config *cfg, int argc, char **argv);
/* in cli_tips.c, */
int cli_tips(const struct config *cfg, int argc, char **argv);
int cli_tip(const struct config *cfg, int argc, char **argv);
/* in cli_teams.c, */
int cli_patrols(const struct config *cfg, int argc, char **argv);
int cli_team(const struct config *cfg, int argc, char **argv);
int cli_alerts(const struct config *cfg, int argc, char **argv);
/* in cli_export.c, */
int cli_export(const struct config *cfg, int argc, char **argv);
/* in cli_broadcast.c, */
int cli_broadcast(const struct config *cfg, int argc, char **argv);
int cli_group(const struct config *cfg, int argc, char **argv);
/* and in cli_report.c, cli_ussd.c, cli_status.c, cli_modem.c, */
int cli_report(const struct config *cfg, int argc, char **argv);
int cli_ussd(const struct config *cfg, int argc, char **argv);
int cli_status(const struct config *cfg, int argc, char **argv);
int cli_modem(const struct config *cfg, int argc, char **argv);
/* cli_serve.c (the USSD menu's HTTP server), */
int cli_serve(const struct config *cfg, int argc, char **argv);
/* and cli_forget.c (issue 13: erase a number; exit 3 without --yes). */
int cli_forget(const struct config *cfg, int argc, char **argv);

/* clang-format off */
#define CLI_USAGE_MORE \
	"  contact add PHONE [--name N] [--village V] [--role R] [--team T]\n" \
	"  contact set PHONE [--name N] [--village V] [--role R] [--team T]\n" \
	"              [--subscribed yes|no] [--pin DIGITS] [--tip-alerts all|urgent|none]\n" \
	"  contact list [--role R] [--json]            registered people\n" \
	"  contact rm PHONE                            remove a person (and from named groups)\n" \
	"  contact import FILE [--dry-run]             people from a spreadsheet's CSV: each line\n" \
	"                                              added, changed, the same or refused (why)\n" \
	"  tips [--status S] [--category C] [--village V] [--since DATE] [--until DATE]\n" \
	"       [--json]                               tips, oldest first (dates local, inclusive)\n" \
	"  tip REF [--json]                            one tip, its supplements and history\n" \
	"  tip mark REF STATUS [--note TEXT] [--by NAME] [--notify]\n" \
	"                                              triage: new, checking, valuable, false,\n" \
	"                                              closed; --notify thanks the tipster by SMS\n" \
	"  tip answer REF TEXT [--by NAME] [--dry-run]\n" \
	"                                              answer the tipster: by SMS, or (anonymous)\n" \
	"                                              with the next TT or BS quoting the secret\n" \
	"  patrols [--since DATE] [--until DATE] [--json]\n" \
	"                                              patrol check-ins and check-outs\n" \
	"  team set TEAM [--nights mon,wed,sat|none] [--by HH:MM]\n" \
	"                                              expected patrol nights (local time)\n" \
	"  team list [--json]                          teams, their nights and leaders\n" \
	"  alerts [--json]                             missed check-in and tip alerts raised\n" \
	"  export tips|patrols|awareness|mediations|inbox|contacts [--from DATE]\n" \
	"         [--to DATE] [--bom] [--out FILE]     CSV for a spreadsheet (local times)\n" \
	"  broadcast --group G [--at \"YYYY-MM-DD HH:MM\"] [--every day|week|month]\n" \
	"            [--dry-run] [--wait] TEXT         queue a broadcast (groups: THON3, TQ3,\n" \
	"                                              TOTRUONG, CANBO, TATCA, named groups)\n" \
	"  broadcast list [--json] | show ID [--wait] | cancel ID\n" \
	"  broadcast release ID [--wait]               send a held broadcast anyway\n" \
	"  group add GROUP PHONE... | rm GROUP [PHONE...] | list | members GROUP\n" \
	"  report [--from DATE --to DATE | --month YYYY-MM | --week]\n" \
	"         [--format text|csv|json|html] [--out FILE]\n" \
	"         [--district CONNINFO [--node NAME]]\n" \
	"                                              figures of a period and the one before\n" \
	"                                              (default: this month to date, text);\n" \
	"                                              --district: every commune side by side\n" \
	"                                              and the district's totals\n" \
	"  ussd CODE [--timeout S] [--modem NAME]      send a USSD code through the daemon's\n" \
	"                                              modem (*101#: balance) and print the answer\n" \
	"                                              (--modem: that one of several; the first)\n" \
	"  ussd --log [--json]                         the USSD exchanges stored, newest first,\n" \
	"                                              with the modem whose SIM answered\n" \
	"  status [--json]                             the daemon, the modem, SIM, network,\n" \
	"                                              outbox, balance\n" \
	"  modem pin-retry [--modem NAME]              let the daemon enter modem.pin again,\n" \
	"                                              once, though the SIM refused it (--modem:\n" \
	"                                              that one's; needed with several modems)\n" \
	"  serve [--listen ADDR:PORT]                  the USSD menu: the aggregator's HTTP\n" \
	"                                              callback (http.listen, ussd.*)\n" \
	"  passwd PHONE [--admin|--no-admin]           an officer's console password, asked twice\n" \
	"                                              (never on the command line); --admin: may\n" \
	"                                              manage other accounts\n" \
	"  console [--listen ADDR:PORT]                the officers' web console (console.*)\n" \
	"  console --make-cert                         make its self-signed certificate (postinst)\n" \
	"  forget NUMBER [--yes]                       erase a number from tips, inbox, outbox,\n" \
	"                                              USSD and records (a registered contact\n" \
	"                                              keeps its contact row); without --yes:\n" \
	"                                              what it would change, exit 3\n" \
	"  sync                                        push the changes to the district now\n" \
	"                                              (sync.*) and say what was sent\n" \
	"  district init CONNINFO                      create or upgrade the district's schema\n" \
	"                                              in PostgreSQL and its report role\n" \
	"  district add-node CONNINFO NAME             a commune's role (its own rows only);\n" \
	"                                              prints the commune's sync.conninfo\n"
/* clang-format on */

/*
 * S as a terminal may show it: text_safe() escapes controls, BiDi overrides and bytes that are
 * not UTF-8 ("\x1b", "\u202e"), so that text from a phone cannot move the cursor, recolour,
 * add a line or reorder a listing. Every printer of stored text goes through it. S itself when
 * nothing needs escaping (ordinary text is printed byte for byte); NULL stays NULL. An escaped
 * copy is the CLI's own, valid until CLI_SAFE_SLOTS more calls: enough for one printf.
 */
#define CLI_SAFE_SLOTS 8
const char *cli_safe(const char *s);
#endif
