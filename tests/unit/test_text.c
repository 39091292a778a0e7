/* Unit tests for src/text.c: UTF-8, folding, transliteration, GSM-7/UCS-2 counts, E.164. */
#include "check.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <utf8proc.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define A3      "\xe1\xba\xa7"     /* ầ: not GSM-7, one UTF-16 unit */
#define EMOJI   "\xf0\x9f\x98\x80" /* 😀: a surrogate pair in UTF-16 */

static void t_utf8_next(void)
{
	static const struct {
		const char *in;
		size_t len;
		uint32_t cp;
		size_t used;
	} rows[] = {
	    {"a", 1, 'a', 1},
	    {"\xc3\xa0", 2, 0xe0, 2},                     /* à */
	    {"\xe1\xba\xa7", 3, 0x1ea7, 3},               /* ầ */
	    {"\xf0\x9f\x98\x80", 4, 0x1f600, 4},          /* 😀 */
	    {"\xef\xbf\xbd", 3, 0xfffd, 3},               /* a real U+FFFD */
	    {"\x80", 1, TEXT_REPLACEMENT, 1},             /* stray continuation */
	    {"\xc0\xaf", 2, TEXT_REPLACEMENT, 1},         /* overlong '/' */
	    {"\xe0\x80\xaf", 3, TEXT_REPLACEMENT, 1},     /* overlong */
	    {"\xed\xa0\x80", 3, TEXT_REPLACEMENT, 1},     /* surrogate */
	    {"\xf4\x90\x80\x80", 4, TEXT_REPLACEMENT, 1}, /* > U+10FFFF */
	    {"\xe1\xba", 2, TEXT_REPLACEMENT, 1},         /* truncated */
	    {"\xe1\xba\xa7", 2, TEXT_REPLACEMENT, 1},     /* cut by len */
	    {"\xff", 1, TEXT_REPLACEMENT, 1},
	    {"", 0, 0, 0},
	};

	for (size_t i = 0; i < N_OF(rows); i++) {
		uint32_t cp = 12345;
		size_t n = text_utf8_next(rows[i].in, rows[i].len, &cp);

		CHECK_INT(cp, rows[i].cp);
		CHECK_INT(n, rows[i].used);
	}
}

static void t_utf8_valid_encode(void)
{
	char buf[4];

	CHECK_INT(text_utf8_valid("Tu\xe1\xba\xa7n \xf0\x9f\x98\x80", 11), 1);
	CHECK_INT(text_utf8_valid("\xef\xbf\xbd", 3), 1);
	CHECK_INT(text_utf8_valid("ab\xff", 3), 0);
	CHECK_INT(text_utf8_valid("\xe1\xba", 2), 0);
	CHECK_INT(text_utf8_valid("", 0), 1);
	CHECK_INT(text_utf8_encode(0x1ea7, buf), 3);
	CHECK(memcmp(buf, "\xe1\xba\xa7", 3) == 0);
	CHECK_INT(text_utf8_encode(0x1f600, buf), 4);
	CHECK(memcmp(buf, "\xf0\x9f\x98\x80", 4) == 0);
	CHECK_INT(text_utf8_encode(0xd800, buf), 3); /* surrogate → U+FFFD */
	CHECK(memcmp(buf, "\xef\xbf\xbd", 3) == 0);
	CHECK_INT(text_utf8_encode(0x110000, buf), 3);
}

/* libGammu's big-endian UTF-16 to UTF-8 and back: pairs, lone surrogates, room limits. */
static void t_ucs2be(void)
{
	static const struct {
		const char *hex; /* the units, big-endian */
		size_t max_units;
		size_t outsz;
		const char *utf8;
	} dec[] = {
	    {"0054 0049 004E", 8, 64, "TIN"},
	    {"0054 1EA7 006E", 8, 64, "T\xe1\xba\xa7n"},    /* Tần */
	    {"0110 0110", 8, 64, "\xc4\x90\xc4\x90"},       /* ĐĐ */
	    {"D83D DE00 0021", 8, 64, "\xf0\x9f\x98\x80!"}, /* emoji, a pair */
	    {"D83D 0021", 8, 64, "\xef\xbf\xbd!"},          /* high alone */
	    {"DE00 0041", 8, 64,
	     "\xef\xbf\xbd"
	     "A"},                                 /* low alone */
	    {"0041 D83D", 2, 64, "A\xef\xbf\xbd"}, /* pair cut by max_units */
	    {"0041 0000 0042", 8, 64, "A"},        /* the 0 unit ends it */
	    {"0041 0042 0043", 2, 64, "AB"},       /* max_units */
	    {"0041 1EA7", 8, 4, "A"},              /* no room for ầ + NUL */
	    {"0041 1EA7", 8, 5, "A\xe1\xba\xa7"},
	};
	static const struct {
		const char *utf8;
		size_t max_units;
		const char *hex;
	} enc[] = {
	    {"TIN", 8, "0054 0049 004E"},
	    {"T\xe1\xba\xa7n", 8, "0054 1EA7 006E"},
	    {"\xf0\x9f\x98\x80!", 8, "D83D DE00 0021"},
	    {"A\xf0\x9f\x98\x80", 2, "0041"}, /* a pair never split */
	    {"A\xff"
	     "B",
	     8, "0041 FFFD 0042"}, /* invalid byte */
	    {"ABC", 2, "0041 0042"},
	    {"", 4, ""},
	};

	for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++) {
		unsigned char src[32] = {0};
		char out[64];
		size_t n = 0;

		for (const char *h = dec[i].hex; *h != '\0'; h += h[4] == ' ' ? 5 : 4) {
			unsigned v;

			sscanf(h, "%4x", &v);
			src[2 * n] = (unsigned char)(v >> 8);
			src[2 * n + 1] = (unsigned char)v;
			n++;
			if (h[4] == '\0')
				break;
		}
		CHECK_INT(text_ucs2be_to_utf8(src, dec[i].max_units, out, dec[i].outsz),
		          strlen(dec[i].utf8));
		CHECK_STR(out, dec[i].utf8);
	}
	for (size_t i = 0; i < sizeof enc / sizeof enc[0]; i++) {
		unsigned char out[32];
		char hex[128] = "";
		size_t n = text_utf8_to_ucs2be(enc[i].utf8, out, enc[i].max_units);

		for (size_t k = 0; k < n; k++)
			snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%s%02X%02X",
			         k ? " " : "", out[2 * k], out[2 * k + 1]);
		CHECK_STR(hex, enc[i].hex);
		CHECK_INT(out[2 * n] | out[2 * n + 1], 0);
	}
}

static void t_classify(void)
{
	static const struct {
		uint32_t cp;
		enum text_class c;
	} rows[] = {
	    {'a', TEXT_LETTER},    {'Z', TEXT_LETTER},    {'5', TEXT_DIGIT},
	    {' ', TEXT_SPACE},     {'\n', TEXT_SPACE},    {'\t', TEXT_SPACE},
	    {',', TEXT_OTHER},     {'?', TEXT_OTHER},     {0x0111, TEXT_LETTER}, /* đ */
	    {0x1ea7, TEXT_LETTER}, {0x0300, TEXT_MARK},   {0x0323, TEXT_MARK},
	    {0x00a0, TEXT_SPACE},  {0x3000, TEXT_SPACE},  {0x2028, TEXT_SPACE},
	    {0x0085, TEXT_SPACE},  {0x1f600, TEXT_OTHER}, {0xfffd, TEXT_OTHER},
	    {0x0663, TEXT_DIGIT},  {0x4e2d, TEXT_LETTER}, {0x110000, TEXT_OTHER},
	};

	for (size_t i = 0; i < N_OF(rows); i++)
		CHECK_INT(text_classify(rows[i].cp), rows[i].c);
}

/* The reference class from utf8proc, which text_classify() shortcuts for Vietnamese. */
static enum text_class ref_class(uint32_t cp)
{
	if (cp == 0x85)
		return TEXT_SPACE;
	switch (utf8proc_category((utf8proc_int32_t)cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return TEXT_LETTER;
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return TEXT_MARK;
	case UTF8PROC_CATEGORY_ND:
		return TEXT_DIGIT;
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return TEXT_SPACE;
	default:
		return TEXT_OTHER;
	}
}

static void t_classify_all(void)
{
	int bad = 0;

	for (uint32_t cp = 0x80; cp <= 0x10ffff && bad < 5; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		if (text_classify(cp) != ref_class(cp)) {
			fprintf(stderr, "  class of U+%04X differs from utf8proc\n", (unsigned)cp);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
}

static void t_fold(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
	    {"Tu\xe1\xba\xa7n", "tuan"},                           /* Tuần */
	    {"TUAN", "tuan"},                                      /* */
	    {"Tua\xcc\x82\xcc\x80n", "tuan"},                      /* Tuần decomposed (NFD) */
	    {"Tu\xc3\xa2\xcc\x80n", "tuan"},                       /* â + combining grave */
	    {"Hu\xe1\xbb\xb7", "huy"},                             /* Huỷ */
	    {"H\xe1\xbb\xa7y", "huy"},                             /* Hủy */
	    {"\xc4\x90K", "dk"},                                   /* ĐK */
	    {"\xc4\x91\xc4\x83ng k\xc3\xbd", "dang ky"},           /* đăng ký */
	    {"NG\xc6\xaf\xe1\xbb\x9cI L\xe1\xba\xa0", "nguoi la"}, /* NGƯỜI LẠ */
	    {"\xe1\xbb\xae\xe1\xbb\xb0", "uu"},                    /* ỮỰ */
	    {"Th\xc3\xb4n 3 \xf0\x9f\x98\x80", "thon 3 \xf0\x9f\x98\x80"}, /* emoji kept */
	    {"\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87"},      /* CJK kept */
	    {"Stra\xc3\x9f"
	     "e",
	     "strasse"},                              /* ß casefolds to ss */
	    {"\xc3\x86", "\xc3\xa6"},                 /* Æ → æ (no ASCII form) */
	    {"\xce\xa3\xce\x9f", "\xcf\x83\xce\xbf"}, /* ΣΟ → σο */
	    {"a\xffz", "a\xef\xbf\xbdz"},             /* bad byte → U+FFFD */
	    {"\xcc\x80", ""},                         /* a lone mark vanishes */
	    {"TIN: ANDANH, MT.", "tin: andanh, mt."},
	    {"", ""},
	};
	char out[64];

	for (size_t i = 0; i < N_OF(rows); i++) {
		size_t n = text_fold(rows[i].in, strlen(rows[i].in), out, sizeof(out));

		CHECK_STR(out, rows[i].want);
		CHECK_INT(n, strlen(rows[i].want));
	}
}

/* Output is cut at a character boundary and always NUL-terminated. */
static void t_fold_truncate(void)
{
	static const struct {
		const char *in;
		size_t outsz;
		const char *want;
	} rows[] = {
	    {"Tu\xe1\xba\xa7n", 1, ""},
	    {"Tu\xe1\xba\xa7n", 3, "tu"},
	    {"Tu\xe1\xba\xa7n", 4, "tua"},
	    {"Tu\xe1\xba\xa7n", 5, "tuan"},
	    {"ab" EMOJI, 6, "ab"}, /* the emoji needs 4 bytes and the NUL 1 */
	    {"ab" EMOJI, 7, "ab" EMOJI},
	    {"\xc3\x9f\xc3\x9f", 4, "ss"}, /* ßß: the second "ss" does not fit */
	};
	char out[16];

	for (size_t i = 0; i < N_OF(rows); i++) {
		size_t n;

		memset(out, 'X', sizeof(out));
		n = text_fold(rows[i].in, strlen(rows[i].in), out, rows[i].outsz);
		CHECK_STR(out, rows[i].want);
		CHECK_INT(n, strlen(rows[i].want));
		CHECK_INT(out[rows[i].outsz], 'X'); /* nothing written past outsz */
	}
	out[0] = 'X';
	CHECK_INT(text_fold("abc", 3, out, 0), 0);
	CHECK_INT(out[0], 'X');
}

static void t_fold_map(void)
{
	/* "Đa\u0301 x": Đ (2 bytes) a (1) combining acute (2) space x */
	static const char in[] = "\xc4\x90"
	                         "a\xcc\x81 x";
	static const size_t want_map[] = {0, 2, 5, 6, 7};
	char out[16];
	size_t map[16];
	size_t n = text_fold_map(in, sizeof(in) - 1, out, sizeof(out), map);

	CHECK_STR(out, "da x");
	CHECK_INT(n, 4);
	for (size_t i = 0; i < N_OF(want_map); i++)
		CHECK_INT(map[i], want_map[i]);

	/* A cut output records where folding stopped. */
	n = text_fold_map(in, sizeof(in) - 1, out, 3, map);
	CHECK_STR(out, "da");
	CHECK_INT(map[2], 5);
}

/* The reference fold text.c's tables were generated from. */
static size_t ref_fold(uint32_t cp, char *out)
{
	utf8proc_int32_t buf[8];
	utf8proc_ssize_t n;
	size_t len = 0;

	if (cp == 0x110 || cp == 0x111) {
		out[0] = 'd';
		return 1;
	}
	n = utf8proc_decompose_char((utf8proc_int32_t)cp, buf, 8,
	                            UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
	                            NULL);
	if (n < 0 || n > 8)
		return text_utf8_encode(cp, out);
	for (utf8proc_ssize_t i = 0; i < n; i++)
		len += text_utf8_encode((uint32_t)buf[i], out + len);
	return len;
}

/* Every code point folds as utf8proc says (this checks the fast tables entry by entry). */
static void t_fold_tables(void)
{
	int bad = 0;

	for (uint32_t cp = 0; cp <= 0x10ffff && bad < 5; cp++) {
		char a[TEXT_FOLD_CP_MAX], b[TEXT_FOLD_CP_MAX];
		size_t na, nb;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		na = text_fold_cp(cp, a);
		nb = ref_fold(cp, b);
		if (na != nb || memcmp(a, b, na) != 0) {
			fprintf(stderr, "  fold U+%04X differs from utf8proc\n", (unsigned)cp);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
}

static void t_transliterate(void)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
	    {"\xc4\x90\xc3\xa3 nh\xe1\xba\xadn tin", "Da nhan tin"}, /* Đã nhận tin */
	    {"\xe1\xbb\xaeNG H\xe1\xbb\x98", "UNG HO"},              /* ỮNG HỘ */
	    {"\xe1\xba\xb0", "A"},                                   /* Ằ */
	    {"\xe1\xba\xb1", "a"},                                   /* ằ */
	    {"Tua\xcc\x82\xcc\x80n", "Tuan"},                        /* decomposed */
	    {"C\xe1\xba\xa3m \xc6\xa1n \xf0\x9f\x98\x80", "Cam on \xf0\x9f\x98\x80"},
	    {"\xc3\xa4\xc3\xb1\xc3\x9f", "\xc3\xa4\xc3\xb1\xc3\x9f"}, /* äñß: GSM-7 already */
	    {"\xc3\xa7\xc5\x82", "\xc3\xa7\xc5\x82"},                 /* çł: not Vietnamese */
	    {"n\xcc\x83", "n\xcc\x83"}, /* a tilde on n is not Vietnamese */
	    {"\xc4\x94", "\xc4\x94"},   /* Ĕ: breve only goes on a */
	    {"x\xff", "x\xef\xbf\xbd"},
	    {"", ""},
	};
	char out[64];

	for (size_t i = 0; i < N_OF(rows); i++) {
		size_t n = text_transliterate(rows[i].in, strlen(rows[i].in), out, sizeof(out));

		CHECK_STR(out, rows[i].want);
		CHECK_INT(n, strlen(rows[i].want));
	}
	CHECK_INT(text_transliterate("\xc4\x90\xc3\xa3", 4, out, 2), 1);
	CHECK_STR(out, "D");
}

/* Exactly the 134 Vietnamese letters (67 per case) change, each to its base letter. */
static void t_transliterate_letters(void)
{
	int changed = 0, bad = 0;

	for (uint32_t cp = 0x80; cp < 0x2000; cp++) {
		char in[4], out[8];
		size_t n = text_utf8_encode(cp, in);
		utf8proc_int32_t base[8];
		int want;

		text_transliterate(in, n, out, sizeof(out));
		if (strlen(out) == n && memcmp(in, out, n) == 0)
			continue;
		changed++;
		if (cp == 0x110 || cp == 0x111)
			want = cp == 0x110 ? 'D' : 'd';
		else if (utf8proc_decompose_char((utf8proc_int32_t)cp, base, 8, UTF8PROC_DECOMPOSE,
		                                 NULL) >= 2)
			want = base[0];
		else
			want = -1;
		if (strlen(out) != 1 || out[0] != want)
			bad++;
	}
	CHECK_INT(changed, 134);
	CHECK_INT(bad, 0);
}

static void t_gsm7_units(void)
{
	static const struct {
		const char *in;
		int want;
	} rows[] = {
	    {"", 0},
	    {"abc XYZ 0123", 12},
	    {"{", 2},
	    {"^{}\\[~]|", 16},
	    {"\xe2\x82\xac", 2}, /* € */
	    {"\f", 2},
	    {"@$_\n\r", 5},
	    {"\xc3\xa9\xc3\xa8\xc3\xa0\xc3\x84\xc3\x9f\xc3\x87", 6}, /* éèàÄßÇ */
	    {"\xce\x94\xce\xa9", 2},                                 /* ΔΩ */
	    {"\xc2\xa3\xc2\xa5\xc2\xa4\xc2\xa7\xc2\xbf\xc2\xa1", 6}, /* £¥¤§¿¡ */
	    {"`", -1},
	    {"\t", -1},
	    {"\xe1\xba\xa7", -1},     /* ầ */
	    {"\xc3\xa7", -1},         /* ç: only Ç is in the basic set */
	    {"\xf0\x9f\x98\x80", -1}, /* emoji */
	    {"a\xff", -1},            /* not UTF-8 */
	};

	for (size_t i = 0; i < N_OF(rows); i++)
		CHECK_INT(text_gsm7_units(rows[i].in, strlen(rows[i].in)), rows[i].want);
}

/* na copies of a, then mid, then nb copies of b. Caller frees. */
static char *repeat(const char *a, int na, const char *mid, const char *b, int nb)
{
	size_t al = strlen(a), ml = strlen(mid), bl = strlen(b);
	char *s = malloc(al * (size_t)na + ml + bl * (size_t)nb + 1), *p = s;

	if (s == NULL)
		abort();
	for (int i = 0; i < na; i++, p += al)
		memcpy(p, a, al);
	memcpy(p, mid, ml);
	p += ml;
	for (int i = 0; i < nb; i++, p += bl)
		memcpy(p, b, bl);
	*p = '\0';
	return s;
}

static void t_sms_count(void)
{
	static const struct {
		const char *a;
		int na;
		const char *mid, *b;
		int nb;
		int ucs2, units, parts;
	} rows[] = {
	    {"", 0, "", "", 0, 0, 0, 1}, /* empty: still one part */
	    {"a", 160, "", "", 0, 0, 160, 1},
	    {"a", 161, "", "", 0, 0, 161, 2},
	    {"a", 306, "", "", 0, 0, 306, 2},
	    {"a", 307, "", "", 0, 0, 307, 3},
	    {"a", 159, "{", "", 0, 0, 161, 2},
	    {"{", 1, "", "", 0, 0, 2, 1},
	    {"\xe2\x82\xac", 80, "", "", 0, 0, 160, 1}, /* 80 € */
	    {"\xe2\x82\xac", 81, "", "", 0, 0, 162, 2},
	    /* 306 septets, but the '{' may not be split from its escape: part 1 holds
	     * 152, part 2 153 and part 3 the last 'a'. */
	    {"a", 152, "{", "a", 152, 0, 306, 3},
	    {A3, 70, "", "", 0, 1, 70, 1},
	    {A3, 71, "", "", 0, 1, 71, 2},
	    {A3, 134, "", "", 0, 1, 134, 2},
	    {A3, 135, "", "", 0, 1, 135, 3},
	    {EMOJI, 1, "", "", 0, 1, 2, 1},
	    {"a", 69, EMOJI, "", 0, 1, 71, 2},
	    {"a", 159, A3, "", 0, 1, 160, 3}, /* one ầ makes all of it UCS-2 */
	    /* 134 units, but the pair may not straddle parts 1 and 2. */
	    {A3, 66, EMOJI, A3, 66, 1, 134, 3},
	};

	for (size_t i = 0; i < N_OF(rows); i++) {
		char *s = repeat(rows[i].a, rows[i].na, rows[i].mid, rows[i].b, rows[i].nb);
		struct text_sms_count c = {-1, -1, -1};

		text_sms_count(s, strlen(s), &c);
		if (c.ucs2 != rows[i].ucs2 || c.units != rows[i].units || c.parts != rows[i].parts)
			fprintf(stderr, "  row %zu:\n", i);
		CHECK_INT(c.ucs2, rows[i].ucs2);
		CHECK_INT(c.units, rows[i].units);
		CHECK_INT(c.parts, rows[i].parts);
		free(s);
	}
}

static void t_phone_e164(void)
{
	static const struct {
		const char *in, *cc;
		int ret;
		const char *want;
	} rows[] = {
	    {"0912345678", "84", 0, "+84912345678"},
	    {"84912345678", "84", 0, "+84912345678"},
	    {"+84912345678", "84", 0, "+84912345678"},
	    {"0084912345678", "84", 0, "+84912345678"},
	    {"091 234 5678", "84", 0, "+84912345678"},
	    {"091.234.5678", "84", 0, "+84912345678"},
	    {"091-234-5678", "84", 0, "+84912345678"},
	    {"+84 (91) 234-5678", "84", 0, "+84912345678"},
	    {" 0912345678", "+84", 0, "+84912345678"},
	    {"912345678", "84", 0, "+84912345678"},    /* without the trunk 0 */
	    {"843123456", "84", 0, "+84843123456"},    /* national 084..., not cc 84 */
	    {"+12025550123", "84", 0, "+12025550123"}, /* foreign number kept */
	    {"02103456789", "84", 0, "+842103456789"}, /* landline */
	    {"1234567", "84", 0, "+841234567"},        /* 7 digits: smallest number */
	    {"VIETTEL", "84", -1, NULL},
	    {"Viettel 1", "84", -1, NULL},
	    {"1414", "84", -1, NULL},
	    {"9029", "84", -1, NULL},
	    {"123456", "84", -1, NULL}, /* 6 digits: a short code */
	    {"+84 91", "84", -1, NULL},
	    {"", "84", -1, NULL},
	    {"+", "84", -1, NULL},
	    {"09123+45678", "84", -1, NULL},
	    {"+0912345678", "84", -1, NULL},       /* no country code starts with 0 */
	    {"+1234567890123456", "84", -1, NULL}, /* 16 digits */
	    {"0912345678", "", -1, NULL},
	    {"0912345678", "0", -1, NULL},
	    {"0912345678", "8412", -1, NULL},
	    {"0912345678", "x", -1, NULL},
	    {"000912345678", "84", -1, NULL}, /* 00 then 0 */
	    /* fuzz regression: 7 digits with the prefix, 5 without */
	    {"0010012", "84", -1, NULL},
	    {"00 1 202 555 0123", "84", 0, "+12025550123"},
	};
	char out[20];

	for (size_t i = 0; i < N_OF(rows); i++) {
		int ret;

		strcpy(out, "unchanged");
		ret = text_phone_e164(rows[i].in, rows[i].cc, out, sizeof(out));
		CHECK_INT(ret, rows[i].ret);
		if (rows[i].want != NULL)
			CHECK_STR(out, rows[i].want);
		else if (ret != 0)
			CHECK_STR(out, "unchanged");
	}
	CHECK_INT(text_phone_e164("0912345678", "84", out, 12), -1); /* needs 13 bytes */
	CHECK_INT(text_phone_e164("0912345678", "84", out, 13), 0);
	CHECK_INT(text_phone_e164(NULL, "84", out, sizeof(out)), -1);
}

static void t_sender_is_phone(void)
{
	static const struct {
		const char *in;
		int want;
	} rows[] = {
	    {"+84912345678", 1}, {"0912345678", 1}, {"84912345678", 1},
	    {"091 234 5678", 1}, {"VIETTEL", 0},    {"MobiFone", 0},
	    {"1414", 0},         {"9029", 0},       {"123456", 0},
	    {"1234567", 1},      {"", 0},           {"+", 0},
	    {"191", 0},          {"Vinaphone1", 0},
	};

	for (size_t i = 0; i < N_OF(rows); i++)
		CHECK_INT(text_sender_is_phone(rows[i].in), rows[i].want);
	CHECK_INT(text_sender_is_phone(NULL), 0);
}

static void t_gsm7_to_utf8(void)
{
	static const struct {
		const char *septets; /* as bytes */
		size_t n;
		const char *want;
	} rows[] = {
	    {"\x00\x01\x02\x03", 4, "@\xc2\xa3$\xc2\xa5"},                           /* @ £ $ ¥ */
	    {"\x10\x11\x12", 3, "\xce\x94_\xce\xa6"},                                /* Δ _ Φ */
	    {"\x24\x40\x5b\x5f\x60", 5, "\xc2\xa4\xc2\xa1\xc3\x84\xc2\xa7\xc2\xbf"}, /* ¤¡Ä§¿ */
	    {"\x7b\x7c\x7d\x7e\x7f", 5, "\xc3\xa4\xc3\xb6\xc3\xb1\xc3\xbc\xc3\xa0"},
	    {"AZaz09 ", 7, "AZaz09 "},
	    {"\x1b\x28\x1b\x29\x1b\x65\x1b\x14\x1b\x2f", 10, "{}\xe2\x82\xac^\\"},
	    {"\x1b\x3c\x1b\x3d\x1b\x3e\x1b\x40\x1b\x0a", 10, "[~]|\f"},
	    {"\x1b"
	     "A",
	     2, "A"},            /* escape + a basic character: that character */
	    {"ab\x1b", 3, "ab"}, /* a lone escape at the end */
	    {"", 0, ""},
	};
	char out[64];

	for (size_t i = 0; i < N_OF(rows); i++) {
		text_gsm7_to_utf8((const unsigned char *)rows[i].septets, rows[i].n, out,
		                  sizeof out);
		CHECK_STR(out, rows[i].want);
	}
	/* Cut before a character that does not fit, never inside it. */
	CHECK_INT(text_gsm7_to_utf8((const unsigned char *)"a\x01", 2, out, 3), 1);
	CHECK_STR(out, "a");
}

static void t_gsm7_sender(void)
{
	static const struct {
		const char *raw, *want;
	} rows[] = {
	    {"VIETTEL\x11"
	     "DV",
	     "VIETTEL_DV"}, /* what libGammu 1.42 gives for VIETTEL_DV */
	    {"\x10"
	     "BANK",
	     "\xce\x94"
	     "BANK"},          /* Δ */
	    {"VN\x02", "VN$"}, /* $ is septet 0x02; ASCII $ is ¤ */
	    {"Shop\x1b(1\x1b)\x1b"
	     "e",
	     "Shop{1}\xe2\x82\xac"},
	    {"+84912345678", "+84912345678"},
	    {"*101#", "*101#"},
	    {"1414", "1414"},
	    {"Vi\xe1\xbb\x87t", "Vi\xe1\xbb\x87t"}, /* not raw septets: as it came */
	    {"", ""},
	};
	char out[64];

	for (size_t i = 0; i < N_OF(rows); i++) {
		text_gsm7_sender(rows[i].raw, out, sizeof out);
		CHECK_STR(out, rows[i].want);
	}
	CHECK_INT(text_gsm7_sender("Vi\xe1\xbb\x87t", out, 4), 2);
	CHECK_STR(out, "Vi");
}

static void t_pdu_alnum_sender(void)
{
	/* SMS-DELIVER PDUs built by tests/emulator/mkpdu.py (text "TKC 12.345d"). */
#define TAIL "0000621162800000820BD4E5101493B966B41A19"
	static const struct {
		const char *pdu;
		int ret;
		const char *want;
	} rows[] = {
	    {"07914889200030F00412D0D664914A2D3223442B" TAIL, 1, "VIETTEL_DV"},
	    {"07914889200030F0040BD05627001ACC02" TAIL, 1, "VN@PAY"},
	    {"07914889200030F00409D000E4B35904" TAIL, 1, "@HOME"},
	    {"07914889200030F0040ED01061D0B9040504" TAIL, 1,
	     "\xce\x94"
	     "BANK \xc2\xa3$"},
	    {"07914889200030F00414D053F41BBE41C536A94D19" TAIL, 1, "Shop{1}\xe2\x82\xac"},
	    {"07914889200030F0040ED0CDB7386D7CBBCB" TAIL, 1, "MobiFone"},
	    {"07914889200030F0040ED0CDB7386D7CBBCB" TAIL ",0", 1, "MobiFone"},
	    {"07914889200030f0040ed0cdb7386d7cbbcb" TAIL, 1, "MobiFone"}, /* lower-case hex */
	    {"07914889200030F0040DD0D664914A2D3201" TAIL, 1, "VIETTEL"},
	    /* The same counted in whole octets: the 8th "septet" is fill, not an '@'. */
	    {"07914889200030F0040ED0D664914A2D3201" TAIL, 1, "VIETTEL"},
	    {"07914889200030F0040BD0566A64D90400" TAIL, 1, "VT_KM@"},   /* a real last '@' */
	    {"07914889200030F0040B914819325476F8" TAIL, 0, "-"},        /* +84912345678 */
	    {"07914889200030F00404814141" TAIL, 0, "-"},                /* 1414 */
	    {"0001000B914819325476F8000002E834", 0, "-"},               /* an SMS-SUBMIT */
	    {"07914889200030F00412D0D664", -1, "-"},                    /* cut short */
	    {"07914889200030F0041", -1, "-"},                           /* odd length */
	    {"07914889200030F0XX12D0D664914A2D3223442B" TAIL, -1, "-"}, /* not hex */
	    {"", -1, "-"},
	};
#undef TAIL
	for (size_t i = 0; i < N_OF(rows); i++) {
		char out[64] = "-";

		CHECK_INT(text_pdu_alnum_sender(rows[i].pdu, out, sizeof out), rows[i].ret);
		CHECK_STR(out, rows[i].want);
	}
}

/* text_safe: what a terminal or a log line shows of text a phone sent. */
static void t_safe(void)
{
	static const struct {
		const char *in;
		size_t len; /* 0: strlen(in) */
		const char *want;
	} rows[] = {
	    {"TIN co nguoi la o thon 3", 0, "TIN co nguoi la o thon 3"}, /* ordinary: as it is */
	    {"Cảnh giác " A3 " " EMOJI, 0, "Cảnh giác " A3 " " EMOJI},   /* UTF-8 kept */
	    {"a\\b \"q\" 'x' <y> & %s", 0, "a\\b \"q\" 'x' <y> & %s"},   /* no control */
	    {"", 0, ""},
	    {"\x1b[2J\x1b[31mred", 0, "\\x1b[2J\\x1b[31mred"}, /* ESC */
	    {"a\r\nb\tc", 0, "a\\x0d\\x0ab\\x09c"},            /* CR LF TAB */
	    {"x\ny tipline[warn]: forged", 0, "x\\x0ay tipline[warn]: forged"},
	    {"a\0b", 3, "a\\x00b"}, /* NUL, where the coding allows one */
	    {"\x01\x07\x08\x1f\x7f", 0, "\\x01\\x07\\x08\\x1f\\x7f"},
	    {"\xc2\x85\xc2\x9b"
	     "1;2H",
	     0, "\\u0085\\u009b1;2H"},                                  /* C1 NEL, CSI */
	    {"\xc2\xa0\xc2\x9f\xc2\xa1", 0, "\xc2\xa0\\u009f\xc2\xa1"}, /* C1 edges */
	    {"abc\xe2\x80\xae"
	     "def",
	     0, "abc\\u202edef"}, /* RLO */
	    {"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", 0,
	     "\\u202a\\u202b\\u202c\\u202d"}, /* LRE RLE PDF LRO */
	    {"\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 0,
	     "\\u2066\\u2067\\u2068\\u2069"},                                 /* isolates */
	    {"\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0, "\\u200e\\u200f\\u061c"}, /* LRM RLM ALM */
	    {"\xe2\x80\xa8\xe2\x80\xa9", 0, "\\u2028\\u2029"},                /* LS PS */
	    {"\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa", 0,
	     "\xe2\x80\x8d\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa"}, /* ZWJ, U+202F, U+2065, U+206A */
	    {"a\xff"
	     "b\xc3",
	     0, "a\\xffb\\xc3"},                                      /* not UTF-8 */
	    {"\xc0\xaf\xed\xa0\x80", 0, "\\xc0\\xaf\\xed\\xa0\\x80"}, /* overlong, surrogate */
	    {"\xef\xbf\xbd", 0, "\xef\xbf\xbd"},                      /* a real U+FFFD */
	};
	for (size_t i = 0; i < N_OF(rows); i++) {
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].in);
		char out[128];
		size_t n = text_safe(rows[i].in, len, out, sizeof out);

		CHECK_STR(out, rows[i].want);
		CHECK_INT(n, strlen(rows[i].want));
		CHECK_INT(text_safe_needed(rows[i].in, len), strcmp(rows[i].in, rows[i].want) != 0);
		CHECK(n < TEXT_SAFE_MAX(len));
	}
}

/* Cut at OUTSZ - 1, never inside an escape or a character; the worst case fits the bound. */
static void t_safe_truncate(void)
{
	char out[TEXT_SAFE_MAX(4)];

	CHECK_INT(text_safe("ab\x1b", 3, out, 5), 2);
	CHECK_STR(out, "ab");
	CHECK_INT(text_safe("ab\x1b", 3, out, 7), 6);
	CHECK_STR(out, "ab\\x1b");
	CHECK_INT(text_safe("a" A3, 4, out, 4), 1);
	CHECK_STR(out, "a");
	CHECK_INT(text_safe("a\xe2\x80\xae", 4, out, 7), 1);
	CHECK_STR(out, "a");
	CHECK_INT(text_safe("x", 1, out, 0), 0);
	CHECK_INT(text_safe("\xff\xff\x01\x02", 4, out, sizeof out), 16);
	CHECK_STR(out, "\\xff\\xff\\x01\\x02");
}

/* Every code point, one at a time: escaped exactly when it is a control or in the list. */
static void t_safe_all(void)
{
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		char in[4], out[16];
		size_t k, n;
		int want;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		k = text_utf8_encode(cp, in);
		n = text_safe(in, k, out, sizeof out);
		want = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
		       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
		       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
		if (want != (n != k || memcmp(in, out, k) != 0) ||
		    want != text_safe_needed(in, k)) {
			fprintf(stderr, "  U+%04X: escaped %d, want %d\n", (unsigned)cp, !want,
			        want);
			check_case_failed = 1;
			break;
		}
	}
}

int main(void)
{
	RUN(t_utf8_next);
	RUN(t_utf8_valid_encode);
	RUN(t_ucs2be);
	RUN(t_classify);
	RUN(t_classify_all);
	RUN(t_fold);
	RUN(t_fold_truncate);
	RUN(t_fold_map);
	RUN(t_fold_tables);
	RUN(t_transliterate);
	RUN(t_transliterate_letters);
	RUN(t_gsm7_units);
	RUN(t_sms_count);
	RUN(t_phone_e164);
	RUN(t_sender_is_phone);
	RUN(t_gsm7_to_utf8);
	RUN(t_gsm7_sender);
	RUN(t_pdu_alnum_sender);
	RUN(t_safe);
	RUN(t_safe_truncate);
	RUN(t_safe_all);
	return check_done();
}
