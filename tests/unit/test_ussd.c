/* USSD text (redaction, balance parsing) and the held-broadcast decision: tables. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "broadcast.h"
#include "check.h"
#include "config.h"
#include "ussd_text.h"

static void t_redact(void)
{
	static const struct {
		const char *code, *want;
		int hidden;
	} cases[] = {
	    {"*101#", "*101#", 0},
	    {"*100*123456789012#", "*100*************#", 1},
	    {"*100*1234#", "*100*****#", 1},             /* the card field, however short */
	    {"*100*#", "*100*#", 0},                     /* no card at all */
	    {"*103*0912345678#", "*103*0912345678#", 0}, /* a phone number (10 digits) stays */
	    {"*136*12345678901234#", "*136***************#", 1}, /* a card number elsewhere */
	    {"*100*123456789012*0912#", "*100**************0912#", 1},
	    {"#", "#", 0},
	    {"", "", 0},
	};
	char out[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int h = ussd_redact(cases[i].code, out, sizeof out);

		if (strcmp(out, cases[i].want) != 0)
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].code);
		CHECK_STR(out, cases[i].want);
		CHECK_INT(h, cases[i].hidden);
	}
	/* Short of room: truncated and terminated, never overrun. */
	CHECK_INT(ussd_redact("*100*123456789012#", out, 8), 1);
	CHECK_STR(out, "*100***");
}

static void t_redact_answer(void)
{
	char text[128];

	snprintf(text, sizeof text, "The 123456789012 da nap. Ma 123456789012 het han");
	ussd_redact_answer("*100*123456789012#", text);
	CHECK_STR(text, "The ************ da nap. Ma ************ het han");
	snprintf(text, sizeof text, "TKC 12.345d");
	ussd_redact_answer("*101#", text);
	CHECK_STR(text, "TKC 12.345d");
}

static void t_balance(void)
{
	static const struct {
		const char *pattern; /* NULL: the default, the first number */
		const char *text;
		int ok;
		long amount;
	} cases[] = {
	    {NULL, "TKC 12.345d, HSD 31/12/2026", 1, 12345},
	    {NULL, "TKC 1,234,567 VND", 1, 1234567},
	    {NULL, "Tai khoan: 5000d", 1, 5000},
	    {NULL, "TKC -2.500d", 1, -2500},
	    {NULL, "So du 12.345. Cam on", 1, 12345}, /* a full stop is no separator */
	    {NULL, "khong co so", 0, 0},
	    {NULL, "", 0, 0},
	    {NULL, "99999999999999999999999", 0, 0}, /* too large: no amount, not a wrong one */
	    {"TKC ([0-9.,]+)", "Viettel4G: TKC 50.000d, KM 20.000d", 1, 50000},
	    {"KM ([0-9.,]+)d", "Viettel4G: TKC 50.000d, KM 20.000d", 1, 20000},
	    {"TKC ([0-9.,]+)", "TKC 12.345, HSD", 1, 12345}, /* trailing separator left out */
	    {"chính: ([0-9.,]+)đ", "Tài khoản chính: 12.345đ, hạn 31/12/2026", 1, 12345},
	    {"TKC ([0-9.,]+)", "Tai khoan 12.345d", 0, 0}, /* no match */
	    {"TKC ([a-z]*)", "TKC abc", 0, 0},             /* the group holds no number */
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		regex_t re;
		long amount = 0;
		int ok;

		if (cases[i].pattern != NULL && regcomp(&re, cases[i].pattern, REG_EXTENDED) != 0) {
			CHECK(!"pattern compiles");
			continue;
		}
		ok = ussd_balance_parse(cases[i].pattern ? &re : NULL, cases[i].text, &amount);
		if (ok != cases[i].ok || (ok && amount != cases[i].amount))
			fprintf(stderr, "  case %zu: %s\n", i, cases[i].text);
		CHECK_INT(ok, cases[i].ok);
		if (ok)
			CHECK_INT(amount, cases[i].amount);
		if (cases[i].pattern != NULL)
			regfree(&re);
	}
}

static void t_hold(void)
{
	static const struct {
		int parts, recipients, known;
		long balance;
		int held;
	} cases[] = {
	    {1, 2, 1, 11000, 0}, /* 700 <= 1000 */
	    {1, 3, 1, 11000, 1}, /* 1050 > 1000 */
	    {2, 1, 1, 10700, 0}, /* 700 = 700: exactly the budget goes */
	    {2, 1, 1, 10699, 1},
	    {1, 1, 1, 5000, 1}, /* already below the reserve: anything is held */
	    {5, 200, 0, 0, 0},  /* no balance known: never held */
	    {1, 0, 1, 0, 1},    /* balance 0 is below the reserve: held */
	};
	struct config c;
	char reason[200];

	memset(&c, 0, sizeof c);
	c.ussd.price_per_part = 350;
	c.ussd.low_balance = 10000;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int h =
		    broadcast_hold_check(&c, cases[i].parts, cases[i].recipients, cases[i].known,
		                         cases[i].balance, reason, sizeof reason);

		if (h != cases[i].held)
			fprintf(stderr, "  case %zu\n", i);
		CHECK_INT(h, cases[i].held);
	}
	broadcast_hold_check(&c, 1, 3, 1, 11000, reason, sizeof reason);
	CHECK_STR(reason, "estimated cost 1050 (1 part x 350 x 3 recipients) exceeds the balance "
	                  "11000 minus the reserve 10000");
}

/* Several modems: each SIM's share against its own balance; an unknown balance holds nothing. */
static void t_hold_modems(void)
{
	static const struct {
		int known_a, known_b;
		long a, b;
		int held, short_a, short_b;
		const char *reason;
	} cases[] = {
	    /* 5 recipients each at 350: 1750 a share, 11000 - 10000 = 1000 to spend on b */
	    {1, 1, 20000, 11000, 1, 0, 1,
	     "modem b: its share 1750 (5 recipients) exceeds its balance 11000 minus the reserve "
	     "10000"},
	    {1, 0, 20000, 0, 0, 0, 0, ""},     /* b's balance unknown: it holds nothing */
	    {1, 1, 11750, 11750, 0, 0, 0, ""}, /* exactly each share: it goes */
	    {1, 1, 11749, 5000, 1, 1, 1,
	     "modem a: its share 1750 (5 recipients) exceeds its balance 11749 minus the reserve "
	     "10000; modem b: its share 1750 (5 recipients) exceeds its balance 5000 minus the "
	     "reserve 10000"},
	};
	struct modem_config m[2] = {{.name = "a", .network = ""}, {.name = "b", .network = ""}};
	struct config c;
	struct broadcast_split sp;
	struct broadcast_balances b;
	const char *nets[] = {NULL};
	long counts[] = {10};
	char reason[400];

	memset(&c, 0, sizeof c);
	c.ussd.price_per_part = 350;
	c.ussd.low_balance = 10000;
	c.modems = m;
	c.nmodems = 2;
	broadcast_split(&c, 1, nets, counts, 1, &sp);
	CHECK_INT(sp.cost[0], 1750);
	CHECK_INT(sp.cost[1], 1750);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&b, 0, sizeof b);
		b.n = 2;
		b.known[0] = cases[i].known_a;
		b.known[1] = cases[i].known_b;
		b.balance[0] = cases[i].a;
		b.balance[1] = cases[i].b;
		reason[0] = '\0';
		int h = broadcast_hold_modems(&c, &sp, &b, reason, sizeof reason);

		if (h != cases[i].held)
			fprintf(stderr, "  case %zu\n", i);
		CHECK_INT(h, cases[i].held);
		CHECK_INT(b.short_of[0], cases[i].short_a);
		CHECK_INT(b.short_of[1], cases[i].short_b);
		CHECK_STR(reason, cases[i].reason);
	}
}

int main(void)
{
	RUN(t_redact);
	RUN(t_redact_answer);
	RUN(t_balance);
	RUN(t_hold);
	RUN(t_hold_modems);
	return check_done();
}
