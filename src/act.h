/*
 * The actions (issue 20): one function per thing a person can do to tipline, whichever door
 * it came through — an SMS (handle.c), the USSD menu (serve.c), the CLI (cli_*.c), later the
 * officers' console. Each action
 *   - takes who acts (struct act_who: a phone with its contact row and role, or a named
 *     officer at the CLI),
 *   - runs inside the caller's transaction (the door begins, commits or rolls back),
 *   - enforces the rules itself: roles, officers' PINs and their lockout, the hourly reply
 *     cap (counting anonymous senders too), anonymity (a number kept in no row),
 *   - writes the rows, and
 *   - returns an enum act_status and a result struct that the door renders its own way (an
 *     SMS template, a USSD screen, a CLI line or JSON).
 * Actions never render what the actor is shown, never talk to a modem, and never log the
 * number of an anonymous sender. Files: act.c (the actor, the reply cap), act_tips.c,
 * act_records.c, act_people.c, act_broadcast.c, act_modem.c, act_accounts.c.
 *
 * Strings in an action's input are the caller's and are only read during the call. Results
 * hold their strings in fixed arrays (nothing to free) unless a field says otherwise.
 */
#ifndef TIPLINE_ACT_H
#define TIPLINE_ACT_H

#include <stddef.h>
#include <stdint.h>

#include "broadcast.h"
#include "store.h"

struct config;
struct broadcast_plan;

/* The module: the configuration (replies, PIN rules, templates) and the anonymous counts. */
int act_init(const struct config *cfg);
void act_close(void);

/* What an action came to. The door turns each into its own words. */
enum act_status {
	ACT_ERROR = -1,  /* a store error (store_errmsg): the caller rolls back */
	ACT_OK = 0,      /* done */
	ACT_NOT_ALLOWED, /* the actor's role does not allow it */
	ACT_REFUSED,     /* an officer's PIN refused (none, wrong, locked, not an officer) */
	ACT_NOT_FOUND,   /* no such tip or broadcast (or not the actor's) */
	ACT_NO_TEAM,     /* a patrol with no team named and none on the contact */
	ACT_NONE_OPEN,   /* a patrol's end with no patrol open */
	ACT_UNCHANGED,   /* a tip marked with the status it has */
	ACT_NO_NUMBER,   /* a thank-you asked for a tip whose number is not known */
	ACT_NOT_HELD,    /* a release of a broadcast that is not held */
	ACT_EXISTS,      /* a contact added that exists */
	ACT_NO_CONTACT,  /* a contact changed that does not exist */
	ACT_NOBODY,      /* a broadcast to a group with nobody subscribed in it */
	ACT_BAD_INPUT,   /* the input refused as a whole (a file not read): the result says why */
	ACT_IN_USE       /* a contact removed that has a console account */
};

/*
 * Who acts. A phone: PHONE (E.164) and its contact row (act_who_phone fills it). An officer at
 * a console or the CLI: PHONE NULL, BY the name recorded (tip_events.by, broadcasts'
 * created_by). ANON is set by the actions: this actor's number is to be kept in no row (an
 * anonymous tip, a supplement to one) and the reply cap counts it in memory (anon.c).
 */
struct act_who {
	const char *phone;
	struct store_contact contact;
	const char *by;
	int anon;
};

/* W for PHONE (E.164, the caller's string, which must outlive W), its contact read. 0 or -1. */
int act_who_phone(struct act_who *w, const char *phone);
/* W for the officer BY (the caller's string), not a phone. */
void act_who_officer(struct act_who *w, const char *by);
/*
 * The audit row of a change W (an officer: W->by, "cli" when none) made through a door, in the
 * caller's transaction: ACTION on SUBJECT, DETAIL. Changes whose action writes its own row
 * (accounts, a tip's category) need none. 0 or -1.
 */
int act_audit(const struct act_who *w, const char *action, const char *subject, const char *detail);

/*
 * Queue TEXT to the phone W as a reply to inbox row INBOX_ID (0: none): not when replies are
 * off or W is no phone, and at most replies.max_per_hour per number and hour, counting the
 * replies the outbox can still name and those to anonymous senders (anon.c). Every door's
 * answer by SMS goes through here. 1 queued, 0 not (the cap or replies off), -1 store error.
 */
int act_reply(struct act_who *w, int64_t inbox_id, const char *text);

/* --- tips (act_tips.c) --- */

/* Bytes of an officer's answer to a tipster, at most (about four GSM-7 parts). */
#define ACT_ANSWER_MAX 600

struct act_tip_in {
	int64_t inbox_id;     /* the message that carried it; 0: the USSD menu (a row is made) */
	const char *category; /* a category's name, or NULL */
	const char *text;
	int structured;      /* 1: a TIN message (or the menu), 0: free text taken as a tip */
	int anonymous;       /* the number is kept in no row and the reference gets a secret */
	const char *village; /* the village the tip names, or NULL: the sender's own, if known */
	const char *at;      /* when it was sent (SMSC time; the menu: now) */
	const char *read_at; /* when it was read */
};
struct act_tip_out {
	int64_t tip_id;
	int64_t inbox_id; /* the message row (made here for the menu) */
	char ref[16];     /* "T12" */
	char secret[8];   /* an anonymous tip's four digits, else "" */
	char shown[24];   /* what the tipster is told: "T12", or "T12-4821" when anonymous */
};
/* File a tip (W a phone; anonymous: W->anon set). ACT_OK or ACT_ERROR. */
enum act_status act_tip_file(struct act_who *w, const struct act_tip_in *in,
                             struct act_tip_out *out);

struct act_supplement_in {
	int64_t inbox_id;
	const char *ref;    /* "T12" */
	const char *secret; /* the four digits quoted after the reference, or NULL */
	int quoted_secret;  /* the message quoted a secret: its number goes once the tip is found */
	const char *text;
	const char *at, *read_at;
};
struct act_supplement_out {
	char answer[ACT_ANSWER_MAX + 1]; /* an officers' answer that was waiting, now given; "" */
};
/*
 * A supplement to W's own tip REF, or with its secret to an anonymous tip (then W->anon).
 * ACT_NOT_FOUND for anything else; a supplement that names an anonymous tip without its
 * secret loses its number all the same (it is most likely the tipster's, who lost the code).
 * An answer of the officers not yet given (act_tip_answer) is given here: OUT->answer.
 */
enum act_status act_tip_supplement(struct act_who *w, const struct act_supplement_in *in,
                                   struct act_supplement_out *out);

/*
 * Inbox row INBOX_ID, an anonymous tip or a supplement (which may be to one), was stored
 * without its handling (it failed): it loses its number all the same (issue 13), since
 * nothing retries it. ACT_OK.
 */
enum act_status act_tip_scrub(int64_t inbox_id);

/* What a tipster is told of a tip: never "valuable" or "false" (an informant's safety). */
enum act_tip_phase { ACT_TIP_RECEIVED, ACT_TIP_CHECKING, ACT_TIP_CLOSED };
struct act_status_out {
	enum act_tip_phase phase;
	char answer[ACT_ANSWER_MAX + 1]; /* the officers' latest answer (act_tip_answer), or "" */
};
/*
 * TT REF (SECRET: the four digits quoted after it, or NULL): the status of W's own tip REF, or
 * with its secret of an anonymous tip. ACT_NOT_FOUND for anything else, so a stranger learns
 * nothing. A TT quoting a secret, or naming an anonymous tip without it, is most likely the
 * tipster's: inbox row INBOX_ID (0: none, the menu) loses its number and W->anon is set, as
 * with BS. ACT_OK, ACT_NOT_FOUND, ACT_ERROR.
 */
enum act_status act_tip_status(struct act_who *w, int64_t inbox_id, const char *ref,
                               const char *secret, struct act_status_out *out);

/*
 * Tip reference REF as the pages, the SMS and the audit show it, upper case ("t12" -> "T12"),
 * into the caller's OUT (cut to 15 bytes): for act_tips.c and the console's tip page.
 */
void act_tip_ref_shown(const char *ref, char out[16]);

struct act_mark_out {
	char from[16]; /* the status before */
	int anonymous; /* the tip is anonymous (ACT_NO_NUMBER: why) */
	int notified;  /* 1: the thank-you was queued */
};
/*
 * Change tip REF's status to TO (one of STORE_TIP_STATUSES) with its tip_events row (by W->by,
 * NOTE may be NULL); NOTIFY queues the tipster's thank-you (replies.tip_thanks). ACT_NOT_FOUND,
 * ACT_UNCHANGED (already TO), ACT_NO_NUMBER (NOTIFY for an anonymous tip or one from no phone:
 * nothing changed), ACT_OK.
 */
enum act_status act_tip_mark(struct act_who *w, const char *ref, const char *to, const char *note,
                             int notify, struct act_mark_out *out);

struct act_answer_out {
	int waits;     /* 1: the tipster cannot be reached (anonymous, or not a phone): the answer
	                  waits on the tip for the next TT or BS with the secret */
	int anonymous; /* the tip is anonymous */
	int queued;    /* 1: the SMS was queued (never on a dry run, never when it waits) */
	int parts;     /* the SMS's parts, its encoding, and whether diacritics were folded */
	int ucs2, folded;
	char text[800]; /* the SMS as it goes out (when it waits: the answer as kept) */
};
/*
 * An officer's answer TEXT (at most ACT_ANSWER_MAX bytes, not empty) to the tipster of REF:
 * a tip_events row by W->by. A tipster whose number is known gets it at once, queued against
 * the tip's message (kind manual: outside the reply cap; template tip_answer, diacritics
 * folded when that is cheaper);
 * an anonymous one with the next TT or BS quoting the secret. DRY_RUN: OUT filled, nothing
 * written. ACT_NOT_ALLOWED (W no officer), ACT_REFUSED (TEXT empty or too long),
 * ACT_NOT_FOUND, ACT_OK, ACT_ERROR.
 */
enum act_status act_tip_answer(struct act_who *w, const char *ref, const char *text, int dry_run,
                               struct act_answer_out *out);

/*
 * Tip REF's CATEGORY (a rules category's name, checked by the door) and VILLAGE ("": none),
 * recorded in console_audit by W->by (an officer). ACT_NOT_ALLOWED, ACT_NOT_FOUND, ACT_OK.
 */
enum act_status act_tip_set(struct act_who *w, const char *ref, const char *category,
                            const char *village);

/* --- patrols, awareness sessions, mediations (act_records.c); W a leader or an officer --- */

struct act_record_in {
	int64_t inbox_id;
	const char *team; /* the team named ("" or NULL: the actor's own; patrols only) */
	long members;     /* a patrol's start: -1 not said */
	long sessions, participants;
	const char *notes; /* NULL or "": none */
	const char *at, *read_at;
};
struct act_record_out {
	char team[32];
	long minutes; /* a patrol's end: how long it lasted */
	char ref[16]; /* a mediation's reference, "H3" */
};
/* ACT_NOT_ALLOWED, ACT_NO_TEAM, ACT_OK. */
enum act_status act_patrol_start(struct act_who *w, const struct act_record_in *in,
                                 struct act_record_out *out);
/* ACT_NOT_ALLOWED, ACT_NO_TEAM, ACT_NONE_OPEN, ACT_OK. */
enum act_status act_patrol_end(struct act_who *w, const struct act_record_in *in,
                               struct act_record_out *out);
/* ACT_NOT_ALLOWED, ACT_OK. */
enum act_status act_awareness(struct act_who *w, const struct act_record_in *in);
enum act_status act_mediation(struct act_who *w, const struct act_record_in *in,
                              struct act_record_out *out);

/* --- people: registration, contacts, teams, groups (act_people.c) --- */

/* W registers as NAME of VILLAGE (NULL: none), subscribed; the role stays. ACT_OK. */
enum act_status act_register(struct act_who *w, const char *name, const char *village);
/* W opts out. *WAS_IN: 1 when W was subscribed (or unknown) before. ACT_OK. */
enum act_status act_optout(struct act_who *w, int *was_in);

struct act_contact_in {
	const char *phone; /* E.164 */
	int create;        /* 1: add (ACT_EXISTS if there), 0: change (ACT_NO_CONTACT if not) */
	const char *name, *village, *team; /* NULL: keep (a new contact: none) */
	enum role role;                    /* ROLE_KEEP: keep (new: villager) */
	int subscribed;                    /* -1: keep (new: 1) */
	const char *pin_hash;              /* an officer's PIN, hashed (pin_hash), or NULL */
	const char *tip_alerts; /* "all", "urgent", "none" (new tips by SMS), NULL keep */
};
/* An officer adds or changes a contact and its PIN, both or neither. */
enum act_status act_contact_set(struct act_who *w, const struct act_contact_in *in);
/* A team's patrol nights ("" none, NULL keep) and the hour BY ("HH:MM", NULL keep). ACT_OK. */
enum act_status act_team_nights(struct act_who *w, const char *team, const char *nights,
                                const char *by);
/*
 * Remove contact PHONE (E.164): its row and its memberships of named groups (its records keep
 * their numbers: forget erases those). ACT_NO_CONTACT, ACT_IN_USE (an officer's console
 * account is disabled, not removed), ACT_OK.
 */
enum act_status act_contact_remove(struct act_who *w, const char *phone);

/*
 * Contacts from a spreadsheet (CSV, UTF-8 with or without BOM, ',' or ';'): the header names
 * its columns in Vietnamese, with or without diacritics, or English, matched folded (ten, ho
 * ten, name; so dien thoai, sdt, phone; thon, village; vai tro, role; to, team; dang ky,
 * subscribed); name and phone are required, an absent column keeps what a contact has, an
 * empty role is a villager. Each line is added, changed, the same, or refused and why (a bad
 * number, an empty name, an unknown role, a bad team code, a number twice in the file). With
 * DRY_RUN nothing is written; else every good line in the caller's one transaction. A file
 * imported twice changes nothing the second time (the lines are the same).
 */
enum act_import_what { ACT_IMPORT_ADD, ACT_IMPORT_CHANGE, ACT_IMPORT_SAME, ACT_IMPORT_REFUSED };
struct act_import_line {
	int line; /* the file's line (1: the header) */
	enum act_import_what what;
	char phone[24]; /* E.164, or the cell as written when it is not a number */
	char name[128];
	char why[160]; /* refused: why (Vietnamese, for the officer) */
};
struct act_import_in {
	const char *text; /* the file, LEN bytes */
	size_t len;
	int dry_run;
	int no_officers; /* refuse lines that make someone an officer (the console's officers who
	                  * are not account admins may not) */
	/* Called for each line read (not blank ones); nonzero stops (ACT_BAD_INPUT). */
	int (*line_fn)(const struct act_import_line *l, void *ctx);
	void *ctx;
};
struct act_import_out {
	int added, changed, same, refused;
	char error[200]; /* ACT_BAD_INPUT: why the file was not read (Vietnamese) */
};
/* ACT_NOT_ALLOWED, ACT_BAD_INPUT (nothing written), ACT_OK. */
enum act_status act_contacts_import(struct act_who *w, const struct act_import_in *in,
                                    struct act_import_out *out);

/* T as a team code (letters then digits, at most 15: TQ3), uppercased in place: 0, or -1 when
 * it is not one. Every door checks a team the same way (pure: no store). */
int act_team_code(char *t);
/* S is a local hour 'HH:MM' (00:00 to 23:59) as a team's night_by: 0, or -1. */
int act_hhmm(const char *s);

/* PHONE (E.164) into GROUP. ACT_OK. */
enum act_status act_group_add(struct act_who *w, const char *group, const char *phone);
/* PHONE out of GROUP; PHONE NULL: the whole group. ACT_OK. */
enum act_status act_group_remove(struct act_who *w, const char *group, const char *phone);

/* --- broadcasts and officers' PINs (act_broadcast.c) --- */

/*
 * The PIN of an officer's command by phone (TB, BC). Anything wrong — not an officer, no PIN
 * set, a wrong PIN, a locked number — is the same ACT_REFUSED, so the answer tells a stranger
 * nothing (WHAT names the command in the log). Wrong PINs are counted; at
 * broadcast.pin_attempts the number is locked for broadcast.pin_lockout seconds, for every
 * PIN command alike. ACT_OK, ACT_REFUSED, ACT_ERROR.
 */
enum act_status act_pin_check(struct act_who *w, const char *pin, const char *what);

struct act_broadcast_in {
	const char *group, *text;
	const char *at;    /* UTC 'YYYY-MM-DD HH:MM:SS', or NULL: now */
	const char *every; /* NULL, "day", "week", "month" */
	const char *pin;   /* a phone's command: its PIN (act_pin_check); NULL for an officer */
	int64_t inbox_id;  /* the TB message, or 0 */
	int dry_run;       /* 1: count and plan only, nothing written */
	int need_members;  /* 1: ACT_NOBODY when nobody subscribed is in the group */
	/* Issue 25: with DRY_RUN and a PLAN, filled with the spread over the modems (or NULL). */
	struct broadcast_split *split;
};
struct act_broadcast_out {
	int64_t id;
	int members; /* subscribed members of the group when it was planned */
	int recipients;
	int held;       /* 1: held (nothing queued); REASON says why */
	long long cost; /* the estimated cost and the balance it was judged against */
	long balance;
	int balance_known; /* 0: no balance read (nothing is held) */
	char reason[STORE_HOLD_REASON];
	/* Several modems: each one's balance and whether it can pay its share (broadcast.h);
	 * COST is then the sum of the shares, BALANCE the sum of the balances known. */
	struct broadcast_balances modems;
};
/*
 * Queue (or hold, see broadcast.h) a broadcast. With PLAN non-NULL the encoding chosen is
 * written there (the caller frees it with broadcast_plan_free; also on ACT_NOBODY and with
 * DRY_RUN). A dry run fills OUT's cost and hold verdict by the same code as the send (the
 * cost shown is the cost spent). ACT_REFUSED (PIN), ACT_NOBODY, ACT_OK.
 */
enum act_status act_broadcast_queue(struct act_who *w, const struct act_broadcast_in *in,
                                    struct act_broadcast_out *out, struct broadcast_plan *plan);
/* Release held broadcast ID: *QUEUED messages queued. ACT_NOT_FOUND, ACT_NOT_HELD, ACT_OK. */
enum act_status act_broadcast_release(struct act_who *w, int64_t id, int *queued);
/* Cancel broadcast ID: *DROPPED unsent messages dropped. ACT_NOT_FOUND, ACT_OK. */
enum act_status act_broadcast_cancel(struct act_who *w, int64_t id, int *dropped);

/* --- what officers ask of the modem, and forgetting a number (act_modem.c) --- */

/* A USSD CODE for the daemon to send, answered within TIMEOUT s; asked by W->by. *ID set.
 * MODEM: the name of the modem whose process answers it (NULL: the first modem's). */
enum act_status act_ussd_request(struct act_who *w, const char *code, int timeout,
                                 const char *modem, int64_t *id);
/*
 * Stop waiting for request ID (SHOWN: its code as logged, SECRET: it held a card number):
 * *EXPIRED 1 when the daemon never took it, 0 when it runs now. ACT_OK.
 */
enum act_status act_ussd_request_expire(struct act_who *w, int64_t id, const char *shown,
                                        int secret, int *expired);
/* Forget the SIM PIN entries refused: the daemon enters modem.pin once at its next connect.
 * MODEM: only that modem's entries (and those of no modem); NULL: every modem's.
 * *FORGOTTEN entries. ACT_OK. */
enum act_status act_sim_pin_retry(struct act_who *w, const char *modem, int *forgotten);
/*
 * Erase the number spelt FORMS from every row that can lose it (store_forget_number: counts
 * in *OUT). In the caller's transaction: rolled back, it shows what it would change. ACT_OK.
 */
enum act_status act_forget_number(struct act_who *w, const char *const forms[STORE_FORGET_FORMS],
                                  struct store_forget *out);

/* --- officers' console accounts (act_accounts.c) --- */

#define ACT_PASSWORD_MIN 8 /* characters (UTF-8 code points) of a console password */

/* 0 if PW is acceptable as a console password; else -1 and WHY (SZ bytes) says why. */
int act_password_ok(const char *pw, char *why, size_t sz);

enum act_account_op {
	ACT_ACCOUNT_PASSWORD, /* set or reset the password (making the account), enabling it */
	ACT_ACCOUNT_DISABLE,  /* disable it: its sessions end */
	ACT_ACCOUNT_ENABLE,
	ACT_ACCOUNT_ADMIN /* make (ADMIN 1) or unmake (0) an account admin */
};
struct act_account_in {
	enum act_account_op op;
	const char *phone;    /* the officer's number (E.164) */
	const char *password; /* ACT_ACCOUNT_PASSWORD: the new password, in clear (hashed here) */
	int admin;            /* ACT_ACCOUNT_ADMIN: 1/0; PASSWORD from the CLI: 1/0, -1 keep */
};
struct act_account_out {
	int admin;     /* the account is an admin after the change */
	char why[128]; /* ACT_REFUSED: why the password is refused */
};
/*
 * Change officer PHONE's console account, with its console_audit row (by W->by, "cli" when
 * none). W no phone: the CLI (`tipline passwd`, the box's shell); W a phone: an enabled
 * account admin's, who never disables or unmakes themself and, from the console, changes
 * admin rights only by ACT_ACCOUNT_ADMIN. A new password ends the account's sessions, clears
 * its lock and enables it. ACT_NOT_ALLOWED, ACT_NO_CONTACT (no officer by that number),
 * ACT_NOT_FOUND (no account yet), ACT_REFUSED (the password: OUT->why), ACT_UNCHANGED (admin
 * already so), ACT_OK.
 */
enum act_status act_account(struct act_who *w, const struct act_account_in *in,
                            struct act_account_out *out);

#endif
