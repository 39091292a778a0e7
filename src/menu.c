/* The USSD menu's state machine (see menu.h). Pure: no store, no clock, no I/O. */
#include "menu.h"

#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "text.h"

static const char *const screen_names[MENU_SCREEN_COUNT] = {
    [MENU_MAIN] = "main",
    [MENU_CATEGORY] = "category",
    [MENU_TIP_TEXT] = "tip_text",
    [MENU_TIP_CONFIRM] = "tip_confirm",
    [MENU_LOOKUP] = "lookup",
    [MENU_REG_NAME] = "reg_name",
    [MENU_REG_VILLAGE] = "reg_village",
    [MENU_OPTOUT] = "optout",
    [MENU_ENDED] = "ended",
};

const char *menu_screen_name(enum menu_screen s)
{
	return s >= 0 && s < MENU_SCREEN_COUNT ? screen_names[s] : "?";
}

int menu_screen_parse(const char *s)
{
	for (int i = 0; s != NULL && i < MENU_SCREEN_COUNT; i++)
		if (strcmp(screen_names[i], s) == 0)
			return i;
	return -1;
}

size_t menu_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Cut S in place after MAX characters (at a character boundary). */
static void cut_chars(char *s, size_t max)
{
	size_t n = 0;

	for (char *p = s; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && n++ == max) {
			*p = '\0';
			return;
		}
	}
}

/* Copy LEN bytes of S into OUT (SZ bytes), cut at a UTF-8 character boundary. */
static void copy_cut(char *out, size_t sz, const char *s, size_t len)
{
	if (len >= sz) {
		len = sz - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

/* "A\nB" into OUT (SZ bytes), cut where it does not fit (menu_init has checked the sizes). */
static void join2(char *out, size_t sz, const char *a, const char *b)
{
	if (snprintf(out, sz, "%s\n%s", a, b) >= (int)sz)
		out[sz - 1] = '\0';
}

/* The screen of S with no hint, composed from the texts, into out (MENU_SCREEN_BUF). */
static void compose(const struct menu *m, enum menu_screen s, char *out)
{
	const struct ussd_menu_config *u = m->u;
	static const enum ussd_text plain[MENU_SCREEN_COUNT] = {
	    [MENU_MAIN] = UT_MAIN,
	    [MENU_TIP_TEXT] = UT_TIP_TEXT,
	    [MENU_TIP_CONFIRM] = UT_TIP_CONFIRM,
	    [MENU_LOOKUP] = UT_LOOKUP,
	    [MENU_REG_NAME] = UT_REGISTER_NAME,
	    [MENU_REG_VILLAGE] = UT_REGISTER_VILLAGE,
	    [MENU_OPTOUT] = UT_OPTOUT_CONFIRM,
	    [MENU_ENDED] = UT_EXPIRED,
	};
	size_t n;

	if (s != MENU_CATEGORY) {
		snprintf(out, MENU_SCREEN_BUF, "%s", u->texts[plain[s]]);
		return;
	}
	n = (size_t)snprintf(out, MENU_SCREEN_BUF, "%s", u->texts[UT_CATEGORY]);
	for (int i = 0; i < m->ncat && n < MENU_SCREEN_BUF; i++)
		n += (size_t)snprintf(out + n, MENU_SCREEN_BUF - n, "\n%d %s", i + 1,
		                      m->cat_label[i]);
	if (n < MENU_SCREEN_BUF)
		snprintf(out + n, MENU_SCREEN_BUF - n, "\n0 %s\n9 %s", u->texts[UT_OTHER],
		         u->texts[UT_BACK]);
}

/* The hint shown above screen S after input that fits nothing on it. */
static enum ussd_text hint_of(enum menu_screen s)
{
	switch (s) {
	case MENU_TIP_TEXT:
	case MENU_REG_NAME:
	case MENU_REG_VILLAGE:
		return UT_HINT_TEXT;
	case MENU_LOOKUP:
		return UT_HINT_REF;
	default:
		return UT_HINT_CHOICE;
	}
}

static void show(const struct menu *m, enum menu_screen s, int hint, struct menu_out *out)
{
	char body[MENU_SCREEN_BUF];

	memset(out, 0, sizeof *out);
	compose(m, s, body);
	if (hint)
		join2(out->screen, sizeof out->screen, m->u->texts[hint_of(s)], body);
	else
		snprintf(out->screen, sizeof out->screen, "%s", body);
	/* menu_init checked the texts; a longer screen can only come from a bug: cut it. */
	cut_chars(out->screen, MENU_SCREEN_MAX);
}

int menu_init(struct menu *m, const struct ussd_menu_config *u, const struct parse_rules *r,
              char *err, size_t errsz)
{
	static const enum ussd_text finals[] = {
	    UT_TIP_DONE,    UT_TIP_CANCELLED,    UT_LOOKUP_RECEIVED, UT_LOOKUP_CHECKING,
	    UT_LOOKUP_DONE, UT_LOOKUP_NOT_FOUND, UT_REGISTER_DONE,   UT_OPTOUT_DONE,
	    UT_BUSY,        UT_EXPIRED,          UT_CAPPED,          UT_ERROR,
	};
	int n = parse_category_count(r);
	char buf[MENU_SCREEN_BUF * 2];

	memset(m, 0, sizeof *m);
	m->u = u;
	for (int i = 0; i < n; i++) {
		const char *name = parse_category_name(r, i);

		if (strcmp(name, "other") == 0)
			m->other_name = name;
		else if (m->ncat < MENU_CATEGORIES) {
			m->cat_name[m->ncat] = name;
			m->cat_label[m->ncat++] = config_ussd_label(u, name);
		} else
			m->unlisted++;
	}
	/* Every screen, with the hint it may carry, composed without cutting. */
	for (int s = MENU_MAIN; s < MENU_ENDED; s++) {
		char body[MENU_SCREEN_BUF * 2];
		enum ussd_text h = hint_of((enum menu_screen)s);
		size_t len;

		if (s == MENU_CATEGORY) {
			size_t k = (size_t)snprintf(body, sizeof body, "%s", u->texts[UT_CATEGORY]);

			for (int i = 0; i < m->ncat && k < sizeof body; i++)
				k += (size_t)snprintf(body + k, sizeof body - k, "\n%d %s", i + 1,
				                      m->cat_label[i]);
			if (k < sizeof body)
				snprintf(body + k, sizeof body - k, "\n0 %s\n9 %s",
				         u->texts[UT_OTHER], u->texts[UT_BACK]);
		} else {
			compose(m, (enum menu_screen)s, body);
		}
		join2(buf, sizeof buf, u->texts[h], body);
		len = menu_chars(buf);
		if (len > MENU_SCREEN_MAX) {
			snprintf(err, errsz,
			         "the %s screen with its hint (ussd.texts.%s) is %zu characters, "
			         "more than %d",
			         screen_names[s], config_ussd_text_name(h), len, MENU_SCREEN_MAX);
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof finals / sizeof finals[0]; i++) {
		const char *kv[] = {"ref", "T12345678", "name", "", "village", "", NULL};
		size_t len;

		config_render(u->texts[finals[i]], kv, buf, sizeof buf);
		len = menu_chars(buf);
		if (len > MENU_SCREEN_MAX) {
			snprintf(err, errsz, "ussd.texts.%s is %zu characters, more than %d",
			         config_ussd_text_name(finals[i]), len, MENU_SCREEN_MAX);
			return -1;
		}
	}
	return 0;
}

void menu_close(struct menu *m)
{
	memset(m, 0, sizeof *m);
}

void menu_start(const struct menu *m, struct menu_state *st, struct menu_out *out)
{
	memset(st, 0, sizeof *st);
	st->screen = MENU_MAIN;
	st->category = -2;
	show(m, MENU_MAIN, 0, out);
}

void menu_show(const struct menu *m, const struct menu_state *st, struct menu_out *out)
{
	show(m, st->screen, 0, out);
}

/* Move ST to screen S and show it. */
static void go(const struct menu *m, struct menu_state *st, enum menu_screen s,
               struct menu_out *out)
{
	st->screen = s;
	show(m, s, 0, out);
}

static void end_with(struct menu_state *st, enum menu_action a, struct menu_out *out)
{
	st->screen = MENU_ENDED;
	out->end = 1;
	out->action = a;
}

/* A reference as a villager may type it ("t12", "#T12", "12", "T 12") → "T12", or -1. */
static int normalize_ref(const char *in, size_t len, char out[16])
{
	size_t k = 0, i = 0;

	while (i < len && (in[i] == ' ' || in[i] == '#'))
		i++;
	if (i < len && (in[i] == 'T' || in[i] == 't'))
		i++;
	out[k++] = 'T';
	for (; i < len; i++) {
		if (in[i] == ' ')
			continue;
		if (in[i] < '0' || in[i] > '9' || k >= 10)
			return -1;
		out[k++] = in[i];
	}
	out[k] = '\0';
	return k > 1 && out[1] != '0' ? 0 : -1;
}

/* The village typed, without a leading "thon"/"Thôn" (DK stores the village so). */
static void village_of(const char *in, size_t len, char *out, size_t sz)
{
	char folded[16];
	size_t w = 0;

	while (w < len && in[w] != ' ')
		w++;
	if (w > 0 && text_fold(in, w, folded, sizeof folded) == 4 &&
	    memcmp(folded, "thon", 4) == 0) {
		in += w;
		len -= w;
		while (len > 0 && *in == ' ') {
			in++;
			len--;
		}
	}
	copy_cut(out, sz, in, len);
}

void menu_input(const struct menu *m, struct menu_state *st, const char *input, size_t len,
                struct menu_out *out)
{
	int choice = -1;

	/* Spaces around what was typed mean nothing. */
	while (len > 0 && (*input == ' ' || *input == '\t' || *input == '\r' || *input == '\n')) {
		input++;
		len--;
	}
	while (len > 0 && (input[len - 1] == ' ' || input[len - 1] == '\t' ||
	                   input[len - 1] == '\r' || input[len - 1] == '\n'))
		len--;
	if (len == 1 && input[0] >= '0' && input[0] <= '9')
		choice = input[0] - '0';

	switch (st->screen) {
	case MENU_MAIN:
		if (choice >= 1 && choice <= 4) {
			static const enum menu_screen next[] = {MENU_CATEGORY, MENU_LOOKUP,
			                                        MENU_REG_NAME, MENU_OPTOUT};
			go(m, st, next[choice - 1], out);
			return;
		}
		break;
	case MENU_CATEGORY:
		if (choice == 9) {
			go(m, st, MENU_MAIN, out);
			return;
		}
		if (choice == 0 || (choice >= 1 && choice <= m->ncat)) {
			st->category = choice - 1;
			go(m, st, MENU_TIP_TEXT, out);
			return;
		}
		break;
	case MENU_TIP_TEXT:
		if (choice == 0) {
			go(m, st, MENU_CATEGORY, out);
			return;
		}
		if (len > 0) {
			copy_cut(st->draft, sizeof st->draft, input, len);
			go(m, st, MENU_TIP_CONFIRM, out);
			return;
		}
		break;
	case MENU_TIP_CONFIRM:
		if (choice == 0) {
			st->draft[0] = '\0';
			go(m, st, MENU_TIP_TEXT, out);
			return;
		}
		if (choice == 1 || choice == 2) {
			memset(out, 0, sizeof *out);
			out->anonymous = choice == 2;
			out->category =
			    st->category >= 0 ? m->cat_name[st->category] : m->other_name;
			end_with(st, MENU_ACT_TIP, out);
			return;
		}
		if (choice == 3) {
			memset(out, 0, sizeof *out);
			snprintf(out->screen, sizeof out->screen, "%s",
			         m->u->texts[UT_TIP_CANCELLED]);
			st->draft[0] = '\0';
			end_with(st, MENU_ACT_CANCEL, out);
			return;
		}
		break;
	case MENU_LOOKUP: {
		char ref[16];

		if (choice == 0) {
			go(m, st, MENU_MAIN, out);
			return;
		}
		if (normalize_ref(input, len, ref) == 0) {
			memset(out, 0, sizeof *out);
			snprintf(out->arg, sizeof out->arg, "%s", ref);
			end_with(st, MENU_ACT_LOOKUP, out);
			return;
		}
		break;
	}
	case MENU_REG_NAME:
		if (choice == 0) {
			go(m, st, MENU_MAIN, out);
			return;
		}
		if (len > 0) {
			copy_cut(st->draft, MENU_NAME_MAX, input, len);
			go(m, st, MENU_REG_VILLAGE, out);
			return;
		}
		break;
	case MENU_REG_VILLAGE:
		if (choice == 0) {
			st->draft[0] = '\0';
			go(m, st, MENU_REG_NAME, out);
			return;
		}
		memset(out, 0, sizeof *out);
		village_of(input, len, out->arg, MENU_NAME_MAX);
		if (out->arg[0] != '\0') {
			end_with(st, MENU_ACT_REGISTER, out);
			return;
		}
		break;
	case MENU_OPTOUT:
		if (choice == 0) {
			go(m, st, MENU_MAIN, out);
			return;
		}
		if (choice == 1) {
			memset(out, 0, sizeof *out);
			end_with(st, MENU_ACT_OPTOUT, out);
			return;
		}
		break;
	case MENU_ENDED:
	default:
		memset(out, 0, sizeof *out);
		snprintf(out->screen, sizeof out->screen, "%s", m->u->texts[UT_EXPIRED]);
		out->end = 1;
		return;
	}
	/* Nothing on this screen fits: the same screen, with its hint above it. */
	show(m, st->screen, 1, out);
}

void menu_render(const struct menu *m, enum ussd_text t, const char *const *kv, char *out)
{
	config_render(m->u->texts[t], kv, out, MENU_SCREEN_BUF);
	cut_chars(out, MENU_SCREEN_MAX);
}

void menu_render_answer(const struct menu *m, const char *answer, char *screen)
{
	char folded[MENU_SCREEN_BUF], line[MENU_SCREEN_BUF];
	const char *kv[] = {"answer", folded, NULL};
	size_t n = strlen(screen);

	if (answer[0] == '\0')
		return;
	text_transliterate(answer, strlen(answer), folded, sizeof folded);
	config_render(m->u->texts[UT_LOOKUP_ANSWER], kv, line, sizeof line);
	snprintf(screen + n, MENU_SCREEN_BUF - n, "\n%s", line);
	cut_chars(screen, MENU_SCREEN_MAX);
}

enum ussd_text menu_status_text(enum act_tip_phase phase)
{
	if (phase == ACT_TIP_RECEIVED)
		return UT_LOOKUP_RECEIVED;
	if (phase == ACT_TIP_CHECKING)
		return UT_LOOKUP_CHECKING;
	return UT_LOOKUP_DONE; /* valuable, false, closed: nothing more will happen */
}
