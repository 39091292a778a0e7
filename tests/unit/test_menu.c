/*
 * The USSD menu (menu.c) as a table of sessions: inputs typed one after another → the screen
 * shown after each, the action at the end; every screen the menu can show fits 182 characters;
 * the aggregator's form (serve_form_parse); the menu's settings (config.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "config_text.h"
#include "menu.h"
#include "parse.h"
#include "serve.h"

/* Inputs separated by '|' ("" = the empty input), run from the main screen. */
struct run {
	enum menu_screen screen; /* after the last input */
	struct menu_out out;
	struct menu_state st;
	size_t longest; /* characters of the longest screen shown on the way */
};

static void run_inputs(const struct menu *m, const char *inputs, struct run *r)
{
	const char *p = inputs;

	memset(r, 0, sizeof *r);
	menu_start(m, &r->st, &r->out);
	r->longest = menu_chars(r->out.screen);
	while (p != NULL && *inputs != '\0') {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		size_t n;

		menu_input(m, &r->st, p, len, &r->out);
		n = menu_chars(r->out.screen);
		if (n > r->longest)
			r->longest = n;
		if (r->out.end)
			break;
		p = bar ? bar + 1 : NULL;
	}
	r->screen = r->st.screen;
}

static void t_sessions(void)
{
	static const struct {
		const char *inputs;
		enum menu_screen screen;
		enum menu_action action;
		const char *shows;    /* in the last screen ("" for an action's END) */
		const char *category; /* MENU_ACT_TIP */
		int anonymous;
		const char *draft, *arg;
	} cases[] = {
	    {"", MENU_MAIN, MENU_ACT_NONE, "1 Bao tin", NULL, 0, "", ""},
	    {"1", MENU_CATEGORY, MENU_ACT_NONE,
	     "6 Nguoi la\n7 Lua dao\n8 Pha rung\n0 Khac\n9 Quay lai", NULL, 0, "", ""},
	    {"1|6", MENU_TIP_TEXT, MENU_ACT_NONE, "Nhap noi dung", NULL, 0, "", ""},
	    {"1|6|co nguoi la o cau", MENU_TIP_CONFIRM, MENU_ACT_NONE, "2 Gui an danh", NULL, 0,
	     "co nguoi la o cau", ""},
	    {"1|6|co nguoi la o cau|1", MENU_ENDED, MENU_ACT_TIP, "", "stranger", 0,
	     "co nguoi la o cau", ""},
	    {"1|1| ban ma tuy o ray |2", MENU_ENDED, MENU_ACT_TIP, "", "drugs", 1,
	     "ban ma tuy o ray", ""},
	    /* 0 Khac: the category named "other". */
	    {"1|0|mat trom xe|1", MENU_ENDED, MENU_ACT_TIP, "", "other", 0, "mat trom xe", ""},
	    {"1|6|a|3", MENU_ENDED, MENU_ACT_CANCEL, "Da huy", NULL, 0, "", ""},
	    /* 0 goes back: text → categories → (9) main; confirm → text. */
	    {"1|6|0", MENU_CATEGORY, MENU_ACT_NONE, "Loai tin:", NULL, 0, "", ""},
	    {"1|9", MENU_MAIN, MENU_ACT_NONE, "4 Huy dang ky", NULL, 0, "", ""},
	    {"1|6|abc|0", MENU_TIP_TEXT, MENU_ACT_NONE, "Nhap noi dung", NULL, 0, "", ""},
	    {"1|6|abc|0|xyz|1", MENU_ENDED, MENU_ACT_TIP, "", "stranger", 0, "xyz", ""},
	    /* Invalid input: the same screen, the hint above it. */
	    {"7", MENU_MAIN, MENU_ACT_NONE, "Chon mot so trong danh sach.\nCong an xa", NULL, 0, "",
	     ""},
	    {"x", MENU_MAIN, MENU_ACT_NONE, "Chon mot so", NULL, 0, "", ""},
	    {"1|12", MENU_CATEGORY, MENU_ACT_NONE, "Chon mot so trong danh sach.\nLoai tin:", NULL,
	     0, "", ""},
	    {"1|6|", MENU_TIP_TEXT, MENU_ACT_NONE, "Chua nhap noi dung.\nNhap noi dung", NULL, 0,
	     "", ""},
	    {"1|6|   ", MENU_TIP_TEXT, MENU_ACT_NONE, "Chua nhap noi dung.", NULL, 0, "", ""},
	    {"1|6|abc|5", MENU_TIP_CONFIRM, MENU_ACT_NONE, "Chon mot so trong danh sach.\nGui",
	     NULL, 0, "abc", ""},
	    /* Lookup: any way a villager writes a reference. */
	    {"2", MENU_LOOKUP, MENU_ACT_NONE, "Nhap ma so", NULL, 0, "", ""},
	    {"2|T12", MENU_ENDED, MENU_ACT_LOOKUP, "", NULL, 0, "", "T12"},
	    {"2|t 12", MENU_ENDED, MENU_ACT_LOOKUP, "", NULL, 0, "", "T12"},
	    {"2|#t7", MENU_ENDED, MENU_ACT_LOOKUP, "", NULL, 0, "", "T7"},
	    {"2|45", MENU_ENDED, MENU_ACT_LOOKUP, "", NULL, 0, "", "T45"},
	    {"2|T0", MENU_LOOKUP, MENU_ACT_NONE, "Ma so gom chu T", NULL, 0, "", ""},
	    {"2|Tx1", MENU_LOOKUP, MENU_ACT_NONE, "Ma so gom chu T", NULL, 0, "", ""},
	    {"2|T12345678901", MENU_LOOKUP, MENU_ACT_NONE, "Ma so gom chu T", NULL, 0, "", ""},
	    {"2|0", MENU_MAIN, MENU_ACT_NONE, "1 Bao tin", NULL, 0, "", ""},
	    /* Registration, as DK: the village without its "thon". */
	    {"3|Nguyen Van A", MENU_REG_VILLAGE, MENU_ACT_NONE, "Nhap ten thon", NULL, 0,
	     "Nguyen Van A", ""},
	    {"3|Nguyen Van A|thon Kon Klor", MENU_ENDED, MENU_ACT_REGISTER, "", NULL, 0,
	     "Nguyen Van A", "Kon Klor"},
	    {"3|Y Blong|Thôn 3", MENU_ENDED, MENU_ACT_REGISTER, "", NULL, 0, "Y Blong", "3"},
	    {"3|Y Blong|Kon Klor", MENU_ENDED, MENU_ACT_REGISTER, "", NULL, 0, "Y Blong",
	     "Kon Klor"},
	    {"3|Y Blong|thon", MENU_REG_VILLAGE, MENU_ACT_NONE, "Chua nhap", NULL, 0, "Y Blong",
	     ""},
	    {"3|Y Blong|0", MENU_REG_NAME, MENU_ACT_NONE, "Nhap ho ten", NULL, 0, "", ""},
	    {"3|0", MENU_MAIN, MENU_ACT_NONE, "1 Bao tin", NULL, 0, "", ""},
	    /* Opt-out. */
	    {"4", MENU_OPTOUT, MENU_ACT_NONE, "1 Dong y", NULL, 0, "", ""},
	    {"4|1", MENU_ENDED, MENU_ACT_OPTOUT, "", NULL, 0, "", ""},
	    {"4|2", MENU_OPTOUT, MENU_ACT_NONE, "Chon mot so", NULL, 0, "", ""},
	    {"4|0", MENU_MAIN, MENU_ACT_NONE, "1 Bao tin", NULL, 0, "", ""},
	};
	struct config *c = load_text(MIN);
	struct menu m;
	char err[256];

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(menu_init(&m, &c->ussd_menu, c->rules, err, sizeof err), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct run r;

		run_inputs(&m, cases[i].inputs, &r);
		if (r.screen != cases[i].screen || r.out.action != cases[i].action ||
		    strstr(r.out.screen, cases[i].shows) == NULL ||
		    (cases[i].shows[0] == '\0' && r.out.action != MENU_ACT_CANCEL &&
		     r.out.screen[0] != '\0') ||
		    r.out.end != (cases[i].screen == MENU_ENDED) || r.longest > MENU_SCREEN_MAX) {
			fprintf(stderr,
			        "  case %zu \"%s\": screen %s action %d end %d longest %zu, "
			        "shows:\n%s\n",
			        i, cases[i].inputs, menu_screen_name(r.screen), r.out.action,
			        r.out.end, r.longest, r.out.screen);
			check_case_failed = 1;
			continue;
		}
		if (cases[i].action == MENU_ACT_TIP) {
			CHECK_STR(r.out.category, cases[i].category);
			CHECK_INT(r.out.anonymous, cases[i].anonymous);
		}
		if (cases[i].action == MENU_ACT_TIP || cases[i].action == MENU_ACT_REGISTER ||
		    cases[i].screen != MENU_ENDED)
			CHECK_STR(r.st.draft, cases[i].draft);
		CHECK_STR(r.out.arg, cases[i].arg);
	}
	menu_close(&m);
	config_free(c);
}

/*
 * Every screen the menu can show with the default texts — each screen plain and with its
 * hint, every END text with the longest reference — fits 182 characters. Walks every input
 * 0-9 and a text from every screen, three levels deep.
 */
static void walk(const struct menu *m, const struct menu_state *st, int depth, size_t *longest,
                 int *screens)
{
	static const char *const inputs[] = {"0", "1", "2", "3", "4", "5",
	                                     "6", "7", "8", "9", "x", "T12"};

	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		struct menu_state s = *st;
		struct menu_out out;
		size_t n;

		menu_input(m, &s, inputs[i], strlen(inputs[i]), &out);
		n = menu_chars(out.screen);
		(*screens)++;
		if (n > *longest)
			*longest = n;
		if (!out.end && depth > 0)
			walk(m, &s, depth - 1, longest, screens);
	}
}

static void t_every_screen_fits_182(void)
{
	static const enum ussd_text finals[] = {
	    UT_TIP_DONE,    UT_TIP_CANCELLED,    UT_LOOKUP_RECEIVED, UT_LOOKUP_CHECKING,
	    UT_LOOKUP_DONE, UT_LOOKUP_NOT_FOUND, UT_REGISTER_DONE,   UT_OPTOUT_DONE,
	    UT_BUSY,        UT_EXPIRED,          UT_CAPPED,          UT_ERROR,
	};
	struct config *c = load_text(MIN);
	struct menu m;
	struct menu_state st;
	struct menu_out out;
	char err[256], buf[MENU_SCREEN_BUF];
	size_t longest = 0;
	int screens = 0;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(menu_init(&m, &c->ussd_menu, c->rules, err, sizeof err), 0);
	menu_start(&m, &st, &out);
	walk(&m, &st, 4, &longest, &screens);
	CHECK(screens > 10000);
	CHECK(longest <= MENU_SCREEN_MAX);
	CHECK(longest > 100); /* the walk did reach the long screens (categories with a hint) */
	for (size_t i = 0; i < sizeof finals / sizeof finals[0]; i++) {
		const char *kv[] = {"ref",     "T123456789", "name", "Nguyen Thi Thanh Huong",
		                    "village", "Kon Klor",   NULL};

		menu_render(&m, finals[i], kv, buf);
		CHECK(menu_chars(buf) <= MENU_SCREEN_MAX);
		CHECK(strstr(buf, "{") == NULL);
	}
	/* A name typed as long as the screen is cut, never overflows it. */
	{
		char name[400];
		const char *kv[] = {"name", name, "village", name, NULL};

		memset(name, 'a', sizeof name - 1);
		name[sizeof name - 1] = '\0';
		menu_render(&m, UT_REGISTER_DONE, kv, buf);
		CHECK_INT(menu_chars(buf), MENU_SCREEN_MAX);
	}
	menu_close(&m);
	config_free(c);
}

/* A text that would make a screen too long stops `tipline serve` at start (menu_init). */
static void t_too_long_texts_are_refused(void)
{
	static const struct {
		const char *conf;
		int ok;
		const char *names; /* in the error */
	} cases[] = {
	    {MIN, 1, ""},
	    /* 170 characters: fits alone, not with the hint above it. */
	    {MIN "ussd: { texts: { main = \"" /* 170 x */
	         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	         "xxxxxxxx\"; }; };",
	     0, "main screen"},
	    {MIN "ussd: { texts: { tip_done = \"" /* 180 + the reference */
	         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	         "xxxxxxxxxxxxxxxxxx {ref}\"; }; };",
	     0, "ussd.texts.tip_done"},
	    /* Long category labels make the category screen too long. */
	    {MIN "ussd: { category_labels: { drugs = \"Ma tuy, thuoc lac, tiem chich\"; theft = "
	         "\"Trom cap, cuop giat, an cap tai san\"; fighting = \"Danh nhau, gay roi, hanh "
	         "hung nguoi khac\"; gambling = \"Co bac, so de, ca do bong da\"; }; };",
	     0, "category screen"},
	    {MIN "ussd: { category_labels: { drugs = \"Thuốc\"; }; };", 1, ""},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config *c = load_text(cases[i].conf);
		struct menu m;
		char err[256] = "";

		CHECK(c != NULL);
		if (c == NULL)
			continue;
		if (menu_init(&m, &c->ussd_menu, c->rules, err, sizeof err) !=
		        (cases[i].ok ? 0 : -1) ||
		    strstr(err, cases[i].names) == NULL) {
			fprintf(stderr, "  case %zu: error \"%s\"\n", i, err);
			check_case_failed = 1;
		}
		if (cases[i].ok && i == 4) {
			struct menu_state st;
			struct menu_out out;

			menu_start(&m, &st, &out);
			menu_input(&m, &st, "1", 1, &out);
			CHECK(strstr(out.screen, "1 Thuốc\n2 Trom cap") != NULL);
		}
		config_free(c);
	}
}

static void t_status_in_villager_terms(void)
{
	/* Which statuses are "closed" to a tipster is act_tip_status's rule (issue 26), tested
	 * through the daemon: test_keywords' TT tests and test_ussd_menu's look-up. */
	CHECK_INT(menu_status_text(ACT_TIP_RECEIVED), UT_LOOKUP_RECEIVED);
	CHECK_INT(menu_status_text(ACT_TIP_CHECKING), UT_LOOKUP_CHECKING);
	CHECK_INT(menu_status_text(ACT_TIP_CLOSED), UT_LOOKUP_DONE);
}

static void t_form(void)
{
	static const struct {
		const char *body;
		int ok;
		const char *session, *phone, *service, *network, *text;
	} cases[] = {
	    {"sessionId=ATx1&serviceCode=%2A123%23&phoneNumber=%2B84912345678&networkCode=45204&"
	     "text=",
	     1, "ATx1", "+84912345678", "*123#", "45204", ""},
	    {"sessionId=s&serviceCode=*123%23&phoneNumber=0912345678&text=1*3*co+nguoi+la+o+cau", 1,
	     "s", "0912345678", "*123#", "", "1*3*co nguoi la o cau"},
	    /* UTF-8 escaped, fields in any order, unknown fields ignored. */
	    {"text=1*6*th%C3%B4n+3&foo=bar&phoneNumber=0912345678&sessionId=s&serviceCode=1", 1,
	     "s", "0912345678", "1", "", "1*6*thôn 3"},
	    {"sessionId=s&serviceCode=1&phoneNumber=0912345678", 1, "s", "0912345678", "1", "", ""},
	    {"sessionId=s&serviceCode=1&text=1", 0, "", "", "", "", ""},            /* no phone */
	    {"serviceCode=1&phoneNumber=0912345678&text=1", 0, "", "", "", "", ""}, /* no session */
	    {"sessionId=&serviceCode=1&phoneNumber=1&text=1", 0, "", "", "", "", ""}, /* empty */
	    {"sessionId=s&serviceCode=1&phoneNumber=1&text=%4", 0, "", "", "", "", ""},
	    {"sessionId=s&serviceCode=1&phoneNumber=1&text=%zz", 0, "", "", "", "", ""},
	    {"sessionId=s&serviceCode=1&phoneNumber=1&text=a%00b", 0, "", "", "", "", ""},
	    {"sessionId=s&serviceCode=1&phoneNumber=1&text=%C3", 0, "", "", "", "", ""},
	    {"sessionId=s&sessionId=t&serviceCode=1&phoneNumber=1", 0, "", "", "", "", ""},
	    {"sessionId=a+b&serviceCode=1&phoneNumber=1", 0, "", "", "", "", ""},
	    {"sessionId=s&serviceCode=1&phoneNumber=1234567890123456789012345678901234", 0, "", "",
	     "", "", ""},
	    {"", 0, "", "", "", "", ""},
	    {"&&&=&", 0, "", "", "", "", ""},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct serve_form *f = malloc(sizeof *f);
		int r = serve_form_parse(cases[i].body, strlen(cases[i].body), f);

		if (r != (cases[i].ok ? 0 : -1)) {
			fprintf(stderr, "  case %zu: %d\n", i, r);
			check_case_failed = 1;
		} else if (cases[i].ok) {
			CHECK_STR(f->session_id, cases[i].session);
			CHECK_STR(f->phone, cases[i].phone);
			CHECK_STR(f->service_code, cases[i].service);
			CHECK_STR(f->network_code, cases[i].network);
			CHECK_STR(f->text, cases[i].text);
		}
		free(f);
	}
}

static void t_settings(void)
{
	static const struct {
		const char *conf;
		int ok;
	} cases[] = {
	    {MIN "ussd: { secret = \"s\"; max_sessions = 5; session_timeout = 2; sms_ack = false; "
	         "max_per_hour = 3; callback_path = \"/cb/ussd\"; };\nhttp: { listen = "
	         "\"0.0.0.0:80\"; };",
	     1},
	    {MIN "http: { listen = \"[::1]:8080\"; };", 1},
	    {MIN "http: { listen = \"localhost:8080\"; };", 0},
	    {MIN "http: { listen = \"127.0.0.1\"; };", 0},
	    {MIN "http: { listen = \"127.0.0.1:70000\"; };", 0},
	    {MIN "http: { port = 8080; };", 0},
	    {MIN "ussd: { callback_path = \"ussd\"; };", 0},
	    {MIN "ussd: { max_sessions = 0; };", 0},
	    {MIN "ussd: { sms_ack = 1; };", 0},
	    {MIN "ussd: { texts: { mian = \"x\"; }; };", 0},
	    {MIN "ussd: { texts: { main = \"\"; }; };", 0},
	    {MIN "ussd: { texts: { main = 3; }; };", 0},
	    {MIN "ussd: { category_labels: { drugs = \"\"; }; };", 0},
	    {MIN "ussd: { menu = 1; };", 0},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config *c = load_text(cases[i].conf);

		if ((c != NULL) != cases[i].ok) {
			fprintf(stderr, "  case %zu: loaded %d\n", i, c != NULL);
			check_case_failed = 1;
		}
		if (c != NULL && i == 0) {
			CHECK_STR(c->ussd_menu.secret, "s");
			CHECK_INT(c->ussd_menu.max_sessions, 5);
			CHECK_INT(c->ussd_menu.session_timeout, 2);
			CHECK_INT(c->ussd_menu.sms_ack, 0);
			CHECK_INT(c->ussd_menu.max_per_hour, 3);
			CHECK_STR(c->ussd_menu.callback_path, "/cb/ussd");
			CHECK_STR(c->http.listen, "0.0.0.0:80");
		}
		config_free(c);
	}
	{
		struct config *c = load_text(MIN);

		CHECK(c != NULL);
		if (c != NULL) {
			CHECK_STR(c->ussd_menu.secret, "");
			CHECK_STR(c->ussd_menu.callback_path, "/ussd");
			CHECK_STR(c->http.listen, "127.0.0.1:8080");
			CHECK_INT(c->ussd_menu.max_sessions, 200);
			CHECK_INT(c->ussd_menu.session_timeout, 180);
			CHECK_INT(c->ussd_menu.sms_ack, 1);
			CHECK_STR(config_ussd_label(&c->ussd_menu, "drugs"), "Ma tuy");
			CHECK_STR(config_ussd_label(&c->ussd_menu, "unlabelled"), "unlabelled");
			config_free(c);
		}
	}
}

int main(void)
{
	RUN(t_sessions);
	RUN(t_every_screen_fits_182);
	RUN(t_too_long_texts_are_refused);
	RUN(t_status_in_villager_terms);
	RUN(t_form);
	RUN(t_settings);
	return check_done();
}
