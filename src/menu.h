/*
 * The USSD menu as a pure state machine (issue 12): a session's state and one input the
 * villager typed → the next state, the screen to show and what to do (file a tip, look one up,
 * register, opt out). Nothing here touches the store, the network or the clock; serve.c
 * stores the state between steps and carries out the actions.
 *
 * Screens (texts from ussd.texts, each ≤ MENU_SCREEN_MAX characters, checked by menu_init):
 *   main         1 Bao tin, 2 Tra cuu tin, 3 Dang ky nhan thong bao, 4 Huy dang ky
 *   category     1..8 the configured categories (not "other"), 0 Khac, 9 back
 *   tip_text     the tip as typed                 → tip_confirm (0: back)
 *   tip_confirm  1 Gui, 2 Gui an danh, 3 Huy       → END with the reference (0: back)
 *   lookup       a reference (T12, 12, #t12)       → END with its status (0: back)
 *   reg_name     a name → reg_village (0: back)    → END registered and subscribed
 *   optout       1 Dong y                          → END unsubscribed (0: back)
 * On every screen 0 goes back but on the category screen, where 0 is "Khac" (the issue's
 * menu) and 9 goes back. Input that fits no choice repeats the screen with a hint above it.
 */
#ifndef TIPLINE_MENU_H
#define TIPLINE_MENU_H

#include <stddef.h>

#include "act.h"
#include "config.h"

struct parse_rules;

#define MENU_SCREEN_MAX 182 /* characters a USSD screen shows (GSM-7) */
/* Bytes of a screen with its NUL (Vietnamese letters in a configured text take 2-3 bytes). */
#define MENU_SCREEN_BUF (MENU_SCREEN_MAX * 4 + 1)
#define MENU_CATEGORIES 8   /* listed at most; the rest are reached by no number */
#define MENU_DRAFT_MAX  512 /* bytes of a typed tip (a USSD input holds at most 182 chars) */
#define MENU_NAME_MAX   64  /* bytes of a name or a village */

enum menu_screen {
	MENU_MAIN,
	MENU_CATEGORY,
	MENU_TIP_TEXT,
	MENU_TIP_CONFIRM,
	MENU_LOOKUP,
	MENU_REG_NAME,
	MENU_REG_VILLAGE,
	MENU_OPTOUT,
	MENU_ENDED,
	MENU_SCREEN_COUNT
};

/* "main", "category", ... "ended": what ussd_sessions.last_step holds. Static. */
const char *menu_screen_name(enum menu_screen s);
/* The screen named S, or -1. */
int menu_screen_parse(const char *s);

/* The menu as configured: texts and the listed categories. Built by menu_init. */
struct menu {
	const struct ussd_menu_config *u;
	int ncat;
	const char *cat_name[MENU_CATEGORIES];  /* owned by the parse rules */
	const char *cat_label[MENU_CATEGORIES]; /* owned by the config */
	const char *other_name;                 /* the category named "other", or NULL */
	int unlisted;                           /* configured categories beyond the 8th */
};

/*
 * Build M from the config's texts and the rules' categories, and check that every screen the
 * menu can show (with its hint, and each END text with a reference) fits MENU_SCREEN_MAX
 * characters. 0, or -1 with the first screen too long described in ERR (which text, how long).
 * U and R must outlive M.
 */
int menu_init(struct menu *m, const struct ussd_menu_config *u, const struct parse_rules *r,
              char *err, size_t errsz);
void menu_close(struct menu *m);

/* A session between two steps. All of it is stored (ussd_sessions). */
struct menu_state {
	enum menu_screen screen;
	int category;               /* -2 none chosen, -1 Khac, else an index of m->cat_name */
	char draft[MENU_DRAFT_MAX]; /* the tip typed, or the name, until the session ends */
};

enum menu_action {
	MENU_ACT_NONE,     /* show out->screen, wait for input */
	MENU_ACT_TIP,      /* file a tip: out->category, out->anonymous, text state->draft */
	MENU_ACT_LOOKUP,   /* look up out->arg (a reference, "T12") for the caller's number */
	MENU_ACT_REGISTER, /* register name state->draft, village out->arg, subscribed */
	MENU_ACT_OPTOUT,   /* unsubscribe the caller's number */
	MENU_ACT_CANCEL    /* the villager cancelled: END out->screen */
};

struct menu_out {
	int end; /* 1: the session is over (END); the action's result is then shown by menu_render
	          */
	enum menu_action action;
	char screen[MENU_SCREEN_BUF]; /* without "CON "/"END "; empty for an action's END */
	const char *category;         /* MENU_ACT_TIP: the category's name, or NULL */
	int anonymous;
	char arg[MENU_DRAFT_MAX];
};

/* A new session: the main screen. */
void menu_start(const struct menu *m, struct menu_state *st, struct menu_out *out);
/* One input (LEN bytes, need not be NUL-terminated) on ST's screen. */
void menu_input(const struct menu *m, struct menu_state *st, const char *input, size_t len,
                struct menu_out *out);
/* The current screen of ST again (a repeated request), with no hint. */
void menu_show(const struct menu *m, const struct menu_state *st, struct menu_out *out);

/*
 * Text T rendered with the key/value list KV ("ref", "T12", NULL) into OUT (MENU_SCREEN_BUF),
 * cut at MENU_SCREEN_MAX characters: a name typed long cannot overflow a screen.
 */
void menu_render(const struct menu *m, enum ussd_text t, const char *const *kv, char *out);
/* The END text for what a tipster is told of a tip (act_tip_status): received, being checked,
 * done. */
enum ussd_text menu_status_text(enum act_tip_phase phase);
/*
 * After a look-up's status in SCREEN (menu_render'ed): the officers' latest ANSWER on a line of
 * its own (text lookup_answer, diacritics folded), the screen cut at MENU_SCREEN_MAX.
 */
void menu_render_answer(const struct menu *m, const char *answer, char *screen);
/* Characters (UTF-8 code points) in S. */
size_t menu_chars(const char *s);

#endif
