/* Config loading (table of good and bad files) and reply templates. */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "config_text.h"
#include "parse.h"
#include "text.h"

static void t_minimal_config_gets_defaults(void)
{
	struct config *c = load_text(MIN);

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STR(c->modem.model, "");
	/* Unset: 30 s for a modem, which announces its messages; 2 s for the simulated phone. */
	CHECK(c->modem.poll_interval == 30.0);
	CHECK_INT(c->modem.read_batch, 200);
	CHECK_INT(c->replies.max_per_hour, 5);
	CHECK_INT(c->broadcast.recur_interval, 10);
	CHECK_INT(c->patrol.max_hours, 6);
	CHECK_INT(c->patrol.check_every, 60);
	CHECK_STR(c->country_code, "84");
	CHECK_STR(c->replies.templates[TPL_HELP], config_tpl_default(TPL_HELP));
	CHECK_STR(c->ussd.balance_code, "");
	CHECK_STR(c->ussd.balance_pattern, "");
	CHECK_INT(c->ussd.check_every, 21600);
	CHECK_INT(c->ussd.low_balance, 10000);
	CHECK_INT(c->ussd.price_per_part, 350);
	CHECK_INT(c->ussd.timeout, 30);
	CHECK_INT(c->status.every, 60);
	CHECK_INT(c->privacy.forget_after, 0); /* numbers kept */
	/* Issue 26: the escalation and the urgent categories. */
	CHECK_INT(c->tips.escalate_after, 24);
	CHECK_INT(c->tips.nurgent, 4);
	CHECK(config_tip_urgent(c, "weapons") && config_tip_urgent(c, "domestic_violence"));
	CHECK(!config_tip_urgent(c, "theft") && !config_tip_urgent(c, NULL));
	config_free(c);
}

/* modem.poll_interval's default follows the modem: set, it is kept whatever the model. */
#define DB "database: { path = \"d\"; };\n"
static void t_poll_interval_default(void)
{
	static const struct {
		const char *text;
		double want;
	} cases[] = {
	    {"modem: { device = \"m\"; connection = \"none\"; model = \"dummy\"; };\n" DB, 2.0},
	    {"modem: { device = \"/dev/ttyUSB0\"; connection = \"at\"; model = \"at\"; };\n" DB,
	     30.0},
	    {"modem: { device = \"m\"; connection = \"none\"; model = \"dummy\"; "
	     "poll_interval = 30; };\n" DB,
	     30.0},
	    {"modem: { device = \"d\"; connection = \"at\"; poll_interval = 0.5; };\n" DB, 0.5},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config *c = load_text(cases[i].text);

		CHECK(c != NULL);
		if (c == NULL)
			continue;
		if (c->modem.poll_interval != cases[i].want)
			fprintf(stderr, "  case %zu: poll_interval %g, want %g\n", i,
			        c->modem.poll_interval, cases[i].want);
		CHECK(c->modem.poll_interval == cases[i].want);
		config_free(c);
	}
}

static void t_config_table(void)
{
	static const struct {
		const char *text;
		int ok;
	} cases[] = {
	    {MIN, 1},
	    {MIN "modem: { x = 1; };", 0},                             /* duplicate group */
	    {"modem: { device = \"m\"; connection = \"none\"; };", 0}, /* no database */
	    {"database: { path = \"d\"; };", 0},                       /* no modem */
	    {MIN "log: { level = \"loud\"; };", 0},
	    {MIN "log: { level = \"debug\"; };", 1},
	    {MIN "phone: { country_code = \"+84\"; };", 0},
	    {MIN "phone: { country_code = \"856\"; };", 1},
	    {MIN "outbox: { rate_per_minute = -1; };", 0},
	    {MIN "outbox: { rate_per_minute = 30; };", 1},
	    {MIN "replies: { templates: { tip_ack = \"ok {ref}\"; }; };", 1},
	    {MIN "replies: { templates: { tip_akc = \"ok\"; }; };", 0},
	    {MIN "replies: { templates: { tip_ack = 5; }; };", 0},
	    {MIN "keywords: { tip = [\"BAO\", \"TIN\"]; };", 1},
	    {MIN "keywords: { tip = [ ]; };", 0},
	    {MIN "keywords: { tip = [\"TIN 2\"]; };", 0},
	    {MIN "keywords: { tpi = [\"TIN\"]; };", 0},
	    {MIN "keywords: { tip = [\"HD\"]; };", 0}, /* the same word for two commands */
	    {MIN "keywords: { lead_in = [\"alo\", \"kính gửi\"]; };", 1},
	    {MIN "keywords: { lead_in = [ ]; };", 1}, /* lead-ins off */
	    {MIN "keywords: { lead_in = [\"alo 2\"]; };", 0},
	    {MIN "keywords: { lead_in = [\"...\"]; };", 0},
	    {MIN "keywords: { lead_in = [\"a b c d e f g h i\"]; };", 0},
	    {MIN "keywords: { lead_in = [5]; };", 0},
	    {MIN "keywords: { lead_in = \"alo\"; };", 0},
	    {MIN "keywords: { abbreviations = [\"ng=người\", \"ca = công an\"]; };", 1},
	    {MIN "keywords: { abbreviations = [ ]; };", 1}, /* abbreviations off */
	    {MIN "keywords: { abbreviations = [\"ng\"]; };", 0},
	    {MIN "keywords: { abbreviations = [\"ng=nguoi 2\"]; };", 0},
	    {MIN "keywords: { abbreviations = [\"k=không\", \"k=kẻ\"]; };", 0},
	    {MIN "keywords: { abbreviations = \"ng=người\"; };", 0},
	    {MIN "keywords: { status = [\"TT\", \"XEM\"]; };", 1},
	    {MIN "tips: { escalate_after = 0; urgent_categories = [\"theft\"]; };", 1},
	    {MIN "tips: { urgent_categories = [ ]; };", 1}, /* --tip-alerts urgent: none */
	    {MIN "tips: { escalate_after = -1; };", 0},
	    {MIN "tips: { urgent_categories = \"drugs\"; };", 0},
	    {MIN "tips: { urgent = [\"drugs\"]; };", 0},
	    {MIN "keywords: { status = [\"BS\"]; };", 0}, /* the same word for two commands */
	    /* Issue 27: sync needs both conninfo and node, a node name of a-z, 0-9, -. */
	    {MIN "sync: { conninfo = \"host=d\"; node = \"dak-to-re\"; every = 60; };", 1},
	    {MIN "sync: { conninfo = \"host=d\"; };", 0},
	    {MIN "sync: { node = \"dak-to-re\"; };", 0},
	    {MIN "sync: { conninfo = \"host=d\"; node = \"Dak To\"; };", 0},
	    {MIN "sync: { conninfo = \"host=d\"; node = \"a\"; every = 0; };", 0},
	    {MIN "sync: { conninfo = \"host=d\"; node = \"a\"; tip_text = true; };", 1},
	    {MIN "sync: { conninfo = \"host=d\"; node = \"a\"; batch = 10; };", 1},
	    {MIN "sync: { conninfo = \"host=d\"; node = \"a\"; batch = 0; };", 0},
	    {MIN "sync: { conninfo = \"host=d\"; node = \"a\"; tip_txt = true; };", 0},
	    {MIN
	     "categories = ( { name = \"cattle\"; codes = [\"BO\"]; phrases = [\"trom bo\"]; } );",
	     1},
	    {MIN "categories = ( { name = \"cattle\"; codez = [\"BO\"]; } );", 0},
	    {MIN "categories = ( { codes = [\"BO\"]; } );", 0},
	    {MIN "broadcast: { fold_diacritics = 1; };", 0}, /* an integer is not a boolean */
	    {MIN "broadcast: { recur_interval = 0; };", 0},
	    {MIN "broadcast: { recur_interval = 1; };", 1},
	    {MIN "broadcast: { recur_interval = 86401; };", 0},
	    {MIN "modem: { };", 0},
	    {MIN "patrol: { max_hours = 8; check_every = 1; };", 1},
	    {MIN "patrol: { max_hours = 0; };", 1}, /* overdue alerts off */
	    {MIN "patrol: { max_hours = -1; };", 0},
	    {MIN "privacy: { forget_after = 30; };", 1},
	    {MIN "privacy: { forget_after = 0; };", 1}, /* kept for ever */
	    {MIN "privacy: { forget_after = 36500; };", 1},
	    {MIN "privacy: { forget_after = -1; };", 0},
	    {MIN "privacy: { forget_after = 36501; };", 0},
	    {MIN "privacy: { forget_after = \"30\"; };", 0},
	    {MIN "privacy: { forget_after = 1.5; };", 0},
	    {MIN "privacy: { forget_afer = 30; };", 0},
	    {MIN "patrol: { max_hours = 721; };", 0},
	    {MIN "patrol: { check_every = 0; };", 0},
	    {MIN "patrol: { max_hours = \"6\"; };", 0},
	    {MIN "patrol: { max_hour = 6; };", 0},
	    {MIN "replies: { templates: { night_missed = \"{team} {date}\"; }; };", 1},
	    /* ussd and status (issue 11) */
	    {MIN "ussd: { balance_code = \"*101#\"; check_every = 10; };", 1},
	    {MIN "ussd: { check_every = 9; };", 0},
	    {MIN "ussd: { balance_code = \"*101\u00e0#\"; };", 0},
	    {MIN "ussd: { balance_code = 101; };", 0},
	    {MIN "ussd: { balance_pattern = \"TKC ([0-9.,]+)d\"; };", 1},
	    {MIN "ussd: { balance_pattern = \"TKC ([0-9.,]+d\"; };", 0},
	    {MIN "ussd: { balance_pattern = \"TKC [0-9]+\"; };", 0}, /* no group */
	    {MIN "ussd: { low_balance = -1; };", 0},
	    {MIN "ussd: { price_per_part = 0; low_balance = 0; timeout = 600; };", 1},
	    {MIN "ussd: { timeout = 0; };", 0},
	    {MIN "ussd: { timeuot = 5; };", 0},
	    {MIN "status: { every = 60; };", 1},
	    {MIN "status: { every = 0; };", 0},
	    /* Regression (fuzz_config): libconfig 1.5 exit()s the process on an @include of a
	     * directory; every @include is refused before libconfig reads the file. */
	    {MIN "@include \".\"\n", 0},
	    {MIN " \t@include \"/etc/hostname\"\n", 0},
	    {MIN "# @include \".\"\n", 1},
	    /* database.group (issue 13): a group of this system, by name. */
	    {"modem: { device = \"m\"; connection = \"none\"; };\n"
	     "database: { path = \"d\"; group = \"no-such-group-tipline\"; };",
	     0},
	    {"modem: { device = \"m\"; connection = \"none\"; };\n"
	     "database: { path = \"d\"; group = 0; };",
	     0},
	    {"modem: { device = \"m\"; connection = \"none\"; };\n"
	     "database: { path = \"d\"; group = \"\"; };",
	     1},
	    {"modem: { device = \"m\"; connection = \"none\"; poll_interval = 0.5; };\n"
	     "database: { path = \"d\"; busy_timeout = 100; };",
	     1},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config *c = load_text(cases[i].text);

		if ((c != NULL) != cases[i].ok)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].text);
		CHECK_INT(c != NULL, cases[i].ok);
		config_free(c);
	}
}

/* database.group: its gid looked up at load; none by default (the files are 0600). */
static void t_database_group(void)
{
	struct group *g = getgrgid(getgid());
	char text[512];
	struct config *c = load_text(MIN);

	CHECK(c != NULL);
	CHECK_STR(c->database.group, "");
	CHECK_INT(c->database.group_gid, -1);
	config_free(c);
	CHECK(g != NULL);
	if (g == NULL)
		return;
	snprintf(text, sizeof text,
	         "modem: { device = \"m\"; connection = \"none\"; };\n"
	         "database: { path = \"d\"; group = \"%s\"; };\n",
	         g->gr_name);
	c = load_text(text);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_STR(c->database.group, g->gr_name);
	CHECK_INT(c->database.group_gid, (long)getgid());
	config_free(c);
}

/* Load TEXT as load_text does, with what the loader wrote on stderr copied into ERR. */
static struct config *load_text_err(const char *text, char *err, size_t sz)
{
	char ep[64];
	struct config *c;
	FILE *f;
	size_t n = 0;
	int saved, fd;

	snprintf(ep, sizeof ep, "/tmp/tipline-test-config-%d.err", (int)getpid());
	fflush(stderr);
	saved = dup(2);
	fd = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (saved < 0 || fd < 0 || dup2(fd, 2) < 0) {
		CHECK(!"cannot capture stderr");
		err[0] = '\0';
		return NULL;
	}
	close(fd);
	c = load_text(text);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(ep, "r");
	if (f != NULL) {
		n = fread(err, 1, sz - 1, f);
		fclose(f);
	}
	err[n] = '\0';
	unlink(ep);
	return c;
}

/* A bad privacy.forget_after fails with the file, its line and what is wrong. */
static void t_privacy_errors_name_file_and_line(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {MIN "privacy: {\n  forget_after = \"30\";\n};",
	     ":4: privacy.forget_after: expected an integer, got a string"},
	    {MIN "privacy: {\n\n  forget_after = -2;\n};",
	     ":5: privacy.forget_after: -2 is out of range (0 to 36500)"},
	    {MIN "keywords: {\n  abbreviations = [\"ng\"];\n};",
	     ":4: keywords.abbreviations: each entry must be \"WORD=EXPANSION\""},
	    {MIN "tips: {\n  urgent_categories = [\"drugs\", \"weapon\"];\n};",
	     ":4: tips.urgent_categories: \"weapon\" is not a configured category"},
	    {MIN "sync: {\n  conninfo = \"host=d\"; node = \"a\";\n  batch = 100001;\n};",
	     ":5: sync.batch: 100001 is out of range (1 to 100000)"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[512], want[256];
		struct config *c = load_text_err(cases[i].text, err, sizeof err);

		CHECK(c == NULL);
		config_free(c);
		snprintf(want, sizeof want, "%s%s", config_text_path, cases[i].want);
		if (strstr(err, want) == NULL)
			fprintf(stderr, "  case %zu: want \"%s\" in \"%s\"\n", i, want, err);
		CHECK(strstr(err, want) != NULL);
	}
}

static void t_configured_keywords_are_used(void)
{
	struct config *c = load_text(MIN "keywords: { tip = [\"BAO\"]; };\n"
	                                 "categories = ( { name = \"cattle\"; codes = [\"BO\"]; "
	                                 "phrases = [\"trom bo\"]; } );");
	struct parse_result r;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	parse_message(c->rules, "BAO BO mat 2 con", 16, &r);
	CHECK_INT(r.kind, PARSE_TIP);
	CHECK_STR(parse_category_name(c->rules, r.category), "cattle");
	parse_message(c->rules, "TIN xe la", 9, &r);
	CHECK_INT(r.kind, PARSE_UNKNOWN);
	config_free(c);

	/* The configured lead-ins replace the defaults. */
	c = load_text(MIN "keywords: { lead_in = [\"thưa anh\"]; };");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	parse_message(c->rules, "Thua anh, TIN xe la", 19, &r);
	CHECK_INT(r.kind, PARSE_TIP);
	parse_message(c->rules, "Alo TIN xe la", 13, &r);
	CHECK_INT(r.kind, PARSE_UNKNOWN);
	config_free(c);
	c = load_text(MIN "keywords: { lead_in = [ ]; };");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	parse_message(c->rules, "Bao TIN xe la", 13, &r);
	CHECK_INT(r.kind, PARSE_UNKNOWN);
	config_free(c);

	/* Configured abbreviations apply to the categories whatever comes first in the file;
	 * the status keywords are configurable like the others. */
	c = load_text(MIN "categories = ( { name = \"cattle\"; phrases = [\"trom bo\"]; } );\n"
	                  "keywords: { abbreviations = [\"tb=trom bo\"]; status = [\"XEM\"]; };");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	parse_message(c->rules, "TIN co tb", 9, &r);
	CHECK_STR(parse_category_name(c->rules, r.category), "cattle");
	parse_message(c->rules, "Co ng la", 8, &r);
	CHECK_INT(r.category, -1);
	parse_message(c->rules, "XEM T3", 6, &r);
	CHECK_INT(r.kind, PARSE_STATUS);
	config_free(c);
}

/* Every default reply must fit one GSM-7 SMS with realistic values filled in. */
static void t_default_templates_fit_one_gsm7_sms(void)
{
	static const char *const kv[] = {"ref",
	                                 "T12345",
	                                 "team",
	                                 "ANND12",
	                                 "time",
	                                 "23:59",
	                                 "members",
	                                 "12",
	                                 "minutes",
	                                 "1440",
	                                 "participants",
	                                 "1410",
	                                 "name",
	                                 "Nguyen Van Anh",
	                                 "village",
	                                 "Kon Klor",
	                                 "count",
	                                 "1000",
	                                 "group",
	                                 "TOTRUONG",
	                                 "date",
	                                 "31/12",
	                                 "hours",
	                                 "720",
	                                 "by",
	                                 "23:59",
	                                 "sessions",
	                                 "15",
	                                 "category",
	                                 "bao luc gia dinh",
	                                 "cost",
	                                 "1050000",
	                                 "balance",
	                                 "-12345",
	                                 "low",
	                                 "1000000",
	                                 "words", /* alerts.c: at most 60 characters */
	                                 "co nguoi la dung xe may bien so la truoc cong nha van...",
	                                 "answer", /* an officer's short question */
	                                 "Ban thay xe mau gi, luc may gio?",
	                                 NULL};

	for (int t = 0; t < TPL_COUNT; t++) {
		char out[640];
		size_t n = config_render(config_tpl_default(t), kv, out, sizeof out);
		int units = text_gsm7_units(out, n);

		if (units < 0 || units > 160 || strchr(out, '{') != NULL)
			fprintf(stderr, "  template %s (%d septets): %s\n", config_tpl_name(t),
			        units, out);
		CHECK(units >= 0);
		CHECK(units <= 160);
		CHECK(strchr(out, '{') == NULL);
	}
}

static void t_render(void)
{
	static const struct {
		const char *tpl;
		const char *want;
	} cases[] = {
	    {"ma {ref}.", "ma T1."},
	    {"{ref}{ref}", "T1T1"},
	    {"{unknown} {ref}", "{unknown} T1"},
	    {"{", "{"},
	    {"no placeholders", "no placeholders"},
	    {"{name}", ""},
	};
	static const char *const kv[] = {"ref", "T1", "name", NULL, NULL};
	char out[64], tiny[4];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		config_render(cases[i].tpl, kv, out, sizeof out);
		CHECK_STR(out, cases[i].want);
	}
	/* Truncation keeps a NUL and reports the wanted length. */
	CHECK_INT(config_render("ma {ref}.", kv, tiny, sizeof tiny), 6);
	CHECK_STR(tiny, "ma ");
}

/* Issue 25: several modems, and the networks by prefix (the defaults and a table of one's own). */
static void t_modems_and_networks(void)
{
	struct config *c = load_text(
	    "database: { path = \"d\"; };\n"
	    "modems = ( { name = \"v1\"; network = \"viettel\"; device = \"a\"; connection = "
	    "\"none\"; }, { name = \"m1\"; device = \"b\"; connection = \"none\"; "
	    "poll_interval = 5.0; } );\n");
	const struct network_config *n;

	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(c->nmodems, 2);
	CHECK_STR(c->modem.name, "v1"); /* the first modem */
	CHECK_STR(c->modems[1].name, "m1");
	CHECK_STR(c->modems[1].network, "");
	CHECK(c->modems[1].poll_interval == 5.0);
	CHECK(c->modems[0].poll_interval == 30.0); /* each entry its own defaults */
	CHECK(config_modem(c, "m1") == &c->modems[1] && config_modem(c, "x") == NULL);
	n = config_network_of(c, "+84971234567");
	CHECK(n != NULL && strcmp(n->name, "viettel") == 0);
	n = config_network_of(c, "0912345678"); /* national form */
	CHECK(n != NULL && strcmp(n->name, "vinaphone") == 0);
	n = config_network_of(c, "0333000111");
	CHECK(n != NULL && strcmp(n->name, "viettel") == 0);
	n = config_network_of(c, "+84701234567");
	CHECK(n != NULL && strcmp(n->name, "mobifone") == 0 && n->price_off_net == 350);
	CHECK(config_network_of(c, "+84241234567") == NULL); /* a Hanoi landline */
	CHECK(config_network_of(c, "VIETTEL") == NULL);
	config_free(c);

	/* A table of one's own replaces the defaults; the longest prefix wins. */
	c = load_text(MIN "networks = ( { name = \"a\"; prefixes = [ \"+849\" ]; price_on_net = "
	                  "1; }, { name = \"b\"; prefixes = [ \"+8497\" ]; } );\n");
	CHECK(c != NULL);
	if (c == NULL)
		return;
	CHECK_INT(c->nnetworks, 2);
	CHECK_STR(config_network_of(c, "+84971234567")->name, "b");
	CHECK_STR(config_network_of(c, "+84911234567")->name, "a");
	CHECK(config_network_of(c, "+84331234567") == NULL);
	CHECK_INT(config_network(c, "a")->price_off_net, 1); /* off-net defaults to on-net */
	CHECK_STR(c->modem.name, "modem");                   /* the single group's name */
	config_free(c);
}

int main(void)
{
	RUN(t_minimal_config_gets_defaults);
	RUN(t_poll_interval_default);
	RUN(t_config_table);
	RUN(t_database_group);
	RUN(t_privacy_errors_name_file_and_line);
	RUN(t_configured_keywords_are_used);
	RUN(t_default_templates_fit_one_gsm7_sms);
	RUN(t_render);
	RUN(t_modems_and_networks);
	return check_done();
}
