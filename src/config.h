/*
 * Configuration: libconfig file → one validated struct.
 *
 * Every setting is described once in a table in config.c (group, name, type, range, default);
 * the loader walks the file against that table, so a misspelt or unknown setting, a wrong type
 * or a value out of range stops the program with "FILE:LINE: what is wrong".
 * Strings are copied out of libconfig: nothing here points into a destroyed config_t.
 */
#ifndef TIPLINE_CONFIG_H
#define TIPLINE_CONFIG_H

#include <stddef.h>

#include "log.h"

struct parse_rules;

/* Reply templates, by name in the config's replies.templates group. */
enum tpl {
	TPL_TIP_ACK,
	TPL_TIP_ACK_UNSTRUCTURED,
	TPL_TIP_THANKS, /* `tipline tip mark --notify`: never says what became of the tip */
	TPL_SUPPLEMENT_ACK,
	TPL_SUPPLEMENT_UNKNOWN,
	TPL_PATROL_START_ACK,
	TPL_PATROL_END_ACK,
	TPL_PATROL_NONE_OPEN,
	TPL_PATROL_NO_TEAM,
	TPL_PATROL_OVERDUE, /* alerts (alerts.c), not replies: to leaders and officers */
	TPL_NIGHT_MISSED,
	TPL_AWARENESS_ACK,
	TPL_MEDIATION_ACK,
	TPL_REGISTER_ACK,
	TPL_OPTOUT_ACK,
	TPL_HELP,
	TPL_NOT_ALLOWED,
	TPL_BROADCAST_ACK,
	TPL_BROADCAST_REFUSED,
	TPL_USAGE_TIP,
	TPL_USAGE_SUPPLEMENT,
	TPL_USAGE_PATROL,
	TPL_USAGE_AWARENESS,
	TPL_USAGE_MEDIATION,
	TPL_USAGE_REGISTER,
	TPL_USAGE_BROADCAST,
	TPL_USAGE_REPORT,
	TPL_BROADCAST_HELD,
	TPL_BALANCE_LOW,
	TPL_STATUS_RECEIVED, /* TT: never says valuable or false (an informant's safety) */
	TPL_STATUS_CHECKING,
	TPL_STATUS_CLOSED,
	TPL_TIP_ANSWER,    /* an officer's answer, by SMS to a tipster whose number is known */
	TPL_STATUS_ANSWER, /* the answer given with TT, or with BS when it waits (anonymous) */
	TPL_TIP_ALERT,     /* alerts (act_tips.c, alerts.c), to officers: a new tip */
	TPL_TIP_ESCALATED, /* a tip still new after tips.escalate_after hours */
	TPL_COUNT
};

struct modem_config {
	char *name;    /* issue 25: "viettel1"; the single `modem` group's is "modem" */
	char *network; /* the SIM's network, a name in `networks` ("" = not said) */
	char *device;
	char *connection;
	char *model;
	char *sent_dir;        /* where the simulated modem records sent parts; "" = DEVICE/sent */
	char *gammu_debug;     /* libGammu debug level ("" = off), written to stderr */
	double poll_interval;  /* seconds between polls of the modem */
	int read_batch;        /* parts read per cycle, at most: bounds memory and commit size */
	int backoff_max;       /* seconds: cap of the reconnect back-off */
	int multipart_timeout; /* seconds before an incomplete multipart message is kept as is */
	int send_timeout;      /* seconds to wait for the modem to confirm one sent part */
	int watchdog;          /* seconds one modem call may take before the daemon aborts */
	char *pin;             /* the SIM's PIN, entered when it asks ("" = none given) */
	char *reset_command;   /* run by /bin/sh after reset_after failed connects ("" = none) */
	int reset_after;       /* consecutive failed connects before reset_command */
	int reset_timeout;     /* seconds reset_command may run before it is killed */
};

/*
 * One mobile network (issue 25, `networks`): the number prefixes (E.164, "+8432") of its
 * subscribers and what one SMS part costs from one of its SIMs, to its own subscribers
 * (on-net) and to another network's (off-net). Estimates for the broadcast dry run.
 */
struct network_config {
	char *name;
	char **prefixes;
	int nprefixes;
	int price_on_net;
	int price_off_net;
};

struct database_config {
	char *path;
	int busy_timeout; /* milliseconds */
	/* database.group (issue 13): "" (or NULL) = none, the files are 0600; else they are 0640
	 * and owned by that group, whose gid config_load looked up (group_gid; -1 for none). */
	char *group;
	long group_gid;
};

struct outbox_config {
	int max_attempts;    /* tries before a message is marked failed */
	int retry_base;      /* seconds; doubled at each failed attempt */
	int rate_per_minute; /* parts per minute at most, 0 = as fast as the modem goes */
	int batch;           /* messages sent per main-loop cycle, at most */
	int on_net_wait;     /* seconds a due message waits for a modem of its network */
};

struct replies_config {
	int enabled;
	int max_per_hour; /* replies to one number per hour, at most */
	char *templates[TPL_COUNT];
};

struct broadcast_config {
	int fold_diacritics;
	int delivery_reports;
	int pin_attempts;   /* wrong PINs before lock-out */
	int pin_lockout;    /* seconds */
	int recur_interval; /* seconds between looks for recurring broadcasts whose round is due */
};

/* USSD: the airtime balance watch (ussd.c) and the estimate that holds broadcasts. */
struct ussd_config {
	char *balance_code;    /* "" = no balance checks ("*101#" on Vietnamese networks) */
	char *balance_pattern; /* POSIX ERE, first group the amount; "" = the first number */
	int check_every;       /* seconds between balance checks (one also at start) */
	int low_balance;       /* below it: officers are told; broadcasts keep it in reserve */
	int price_per_part;    /* estimate, in the SIM's currency, of one SMS part */
	int timeout;           /* seconds for the network's answer */
};

struct status_config {
	int every; /* seconds between reads of the modem's health (signal, slots, network) */
};

/* Issue 13: how long the numbers of ordinary messages are kept (privacy.c). */
struct privacy_config {
	int forget_after; /* days; 0 = kept for ever */
};

/* Issue 26: officers' alerts of new tips (contacts.tip_alerts) and of tips left new. */
#define TIPS_MAX_URGENT 32
struct tips_config {
	int escalate_after; /* hours a tip may stay new before the officers are told; 0 = never */
	int nurgent;        /* the categories an officer with --tip-alerts urgent is told of */
	char *urgent[TIPS_MAX_URGENT]; /* owned */
};

struct patrol_config {
	int max_hours;   /* a patrol out longer is overdue: an alert; 0 = no such alerts */
	int check_every; /* seconds between the daemon's checks for missed check-ins */
};

/*
 * --- The USSD menu and its HTTP server (`tipline serve`, issue 12) ---
 * The menu's settings in group `ussd` (callback_path, secret, max_sessions, session_timeout,
 * max_per_hour, sms_ack, texts { ... }, category_labels { ... }) and group `http` (listen).
 * Kept apart from the modem's USSD settings of the same group.
 */

/* The menu's texts, by name in ussd.texts. Each is a screen or part of one (menu.c). */
enum ussd_text {
	UT_MAIN,
	UT_CATEGORY,
	UT_OTHER,
	UT_BACK,
	UT_TIP_TEXT,
	UT_TIP_CONFIRM,
	UT_TIP_DONE,
	UT_TIP_CANCELLED,
	UT_LOOKUP,
	UT_LOOKUP_RECEIVED,
	UT_LOOKUP_CHECKING,
	UT_LOOKUP_DONE,
	UT_LOOKUP_NOT_FOUND,
	UT_LOOKUP_ANSWER, /* after the status: the officers' latest answer (issue 26) */
	UT_REGISTER_NAME,
	UT_REGISTER_VILLAGE,
	UT_REGISTER_DONE,
	UT_OPTOUT_CONFIRM,
	UT_OPTOUT_DONE,
	UT_HINT_CHOICE,
	UT_HINT_TEXT,
	UT_HINT_REF,
	UT_BUSY,
	UT_EXPIRED,
	UT_CAPPED,
	UT_ERROR,
	UT_COUNT
};

#define USSD_MAX_LABELS 32

struct ussd_menu_config {
	char *callback_path;     /* the aggregator's callback URL path: "/ussd" */
	char *secret;            /* "" = not set: `tipline serve` refuses to start */
	int max_sessions;        /* open sessions at once; one more gets 503 */
	int session_timeout;     /* seconds without a step before a session expires */
	int max_per_hour;        /* sessions one number may start per hour */
	int sms_ack;             /* an SMS copy of a tip's acknowledgement */
	int db_wait;             /* ms `tipline serve` waits for a database lock, then apologises */
	char *texts[UT_COUNT];   /* owned */
	int text_line[UT_COUNT]; /* where each was set in the file, 0 = the default */
	/* ussd.category_labels: what the menu shows for a category name ("drugs" → "Ma tuy"). */
	int nlabels;
	char *label_name[USSD_MAX_LABELS], *label[USSD_MAX_LABELS];
};

struct http_config {
	char *listen;            /* "ADDR:PORT", default "127.0.0.1:8080" */
	int max_connections;     /* connections at once; more wait in the kernel's backlog */
	int max_per_client;      /* connections at once from one client address */
	double request_deadline; /* seconds for a request's headers and body, from its start */
};

const char *config_ussd_text_name(enum ussd_text t);
const char *config_ussd_text_default(enum ussd_text t);
/* The label the menu shows for category NAME: ussd.category_labels, else NAME itself. */
const char *config_ussd_label(const struct ussd_menu_config *u, const char *name);
/*
 * Split "ADDR:PORT" (IPv4 "127.0.0.1:8080" or IPv6 "[::1]:8080", numeric only) into HOST
 * (without brackets) and *PORT (0-65535; 0: any free port). 0, or -1 when S is not such an address.
 */
int config_listen_parse(const char *s, char *host, size_t hostsz, int *port);

/* --- end of the USSD menu's block --- */

/* Group console (issue 23): `tipline console`, the officers' web console. */
struct console_config {
	char *listen;   /* "ADDR:PORT", default "0.0.0.0:8443" */
	int tls;        /* 1 (default): HTTPS; 0 only on a loopback address */
	char *tls_cert; /* PEM files; "" (both): a self-signed pair made beside the database */
	char *tls_key;
	int session_idle; /* seconds a session lives unused (default 8 h) */
};

/* Group sync (issue 27): the commune's figures pushed to the district's PostgreSQL (sync.c). */
struct sync_config {
	char *conninfo; /* a libpq connection string; "": sync off */
	char *node;     /* the commune's name at the district (dak-to-re) */
	int every;      /* seconds between the daemon's syncs */
	int tip_text;   /* 1: a tip's text leaves the commune too (as stored) */
	int batch;      /* change log entries per PostgreSQL transaction (500) */
};

/* 1 if HOST (numeric, as config_listen_parse gives it) is a loopback address. */
int config_host_loopback(const char *host);
/* 1 if S is a node name (sync.node, district add-node): 1 to 40 of a-z, 0-9 and '-'. */
int config_node_name_ok(const char *s);

struct config {
	char *file;
	enum log_level log_level;
	char *country_code; /* digits, no '+': "84" */
	/* The first modem (the process's own, in a modem worker: main.c); the program's code
	 * that knows one modem reads this. Its strings are owned by modems[0]. */
	struct modem_config modem;
	struct modem_config *modems; /* issue 25: every modem (`modems`, or the `modem` group) */
	int nmodems;
	int modem_shared;                /* modem's strings are modems[0]'s (config_free) */
	struct network_config *networks; /* `networks`, or the Vietnamese defaults */
	int nnetworks;
	struct database_config database;
	struct outbox_config outbox;
	struct replies_config replies;
	struct broadcast_config broadcast;
	struct patrol_config patrol;
	struct tips_config tips; /* issue 26: group tips */
	struct ussd_config ussd;
	struct status_config status;
	struct privacy_config privacy;     /* issue 13: group privacy */
	struct ussd_menu_config ussd_menu; /* issue 12: group ussd, the menu's settings */
	struct http_config http;           /* issue 12: group http */
	struct console_config console;     /* issue 23: group console */
	struct sync_config sync;           /* issue 27: group sync */
	struct parse_rules *rules;         /* keywords and categories */
};

/*
 * Read and validate FILE. Returns a new config (free with config_free), or NULL after writing
 * one "FILE:LINE: problem" line per problem to stderr.
 */
struct config *config_load(const char *file);
void config_free(struct config *c);

/*
 * The network of NUMBER (E.164 or national, "0912..."), by the longest prefix in C's
 * networks; NULL when none matches. Static (C's).
 */
const struct network_config *config_network_of(const struct config *c, const char *number);
/* config_network_of's name, shaped for store_set_networks (CFG is the struct config). */
const char *config_network_name(const char *number, void *cfg);
/* The network named NAME, or NULL. */
const struct network_config *config_network(const struct config *c, const char *name);
/* The modem named NAME, or NULL. */
const struct modem_config *config_modem(const struct config *c, const char *name);

const char *config_tpl_name(enum tpl t);
const char *config_tpl_default(enum tpl t);
/* 1 if CATEGORY (NULL: none) is one of tips.urgent_categories (issue 26). */
int config_tip_urgent(const struct config *c, const char *category);

/*
 * Render template T with "{name}" placeholders replaced from the NULL-terminated
 * key/value list KV (e.g. "ref", "T12", NULL). Unknown placeholders are left as written.
 * Writes at most outsz-1 bytes and a NUL; returns the length it wanted.
 */
size_t config_render(const char *tpl, const char *const *kv, char *out, size_t outsz);

#endif
