/*
 * UTF-8, folding, transliteration, GSM 03.38 and phone numbers. See text.h.
 *
 * The hot path (the parser folding every word of every message) avoids libutf8proc for
 * ASCII and for the Latin letters Vietnamese uses: the tables below hold the folded or
 * transliterated ASCII letter for U+00C0..U+024F and U+1E00..U+1EFF, '.' meaning "ask
 * utf8proc" (fold) or "keep the character" (transliterate). They were generated with
 * utf8proc_decompose_char(DECOMPOSE | CASEFOLD | STRIPMARK), plus đ/Đ → d which Unicode
 * does not decompose; tests/unit/test_text.c checks every entry against utf8proc again.
 */
#include "text.h"

#include <limits.h>
#include <string.h>
#include <utf8proc.h>

/* clang-format off */
static const char fold_latin[400 + 1] =
	"aaaaaa.ceeeeiiii" /* U+00C0 */
	".nooooo..uuuuy.." /* U+00D0 */
	"aaaaaa.ceeeeiiii" /* U+00E0 */
	".nooooo..uuuuy.y" /* U+00F0 */
	"aaaaaaccccccccdd" /* U+0100 */
	"ddeeeeeeeeeegggg" /* U+0110 */
	"gggghh..iiiiiiii" /* U+0120 */
	"i...jjkk.llllll." /* U+0130 */
	"...nnnnnn...oooo" /* U+0140 */
	"oo..rrrrrrssssss" /* U+0150 */
	"sstttt..uuuuuuuu" /* U+0160 */
	"uuuuwwyyyzzzzzzs" /* U+0170 */
	"................" /* U+0180 */
	"................" /* U+0190 */
	"oo.............u" /* U+01A0 */
	"u..............." /* U+01B0 */
	".............aai" /* U+01C0 */
	"ioouuuuuuuuuu.aa" /* U+01D0 */
	"aa....ggkkoooo.." /* U+01E0 */
	"j...gg..nnaa...." /* U+01F0 */
	"aaaaeeeeiiiioooo" /* U+0200 */
	"rrrruuuusstt..hh" /* U+0210 */
	"......aaeeoooooo" /* U+0220 */
	"ooyy............" /* U+0230 */
	"................" /* U+0240 */
	;

static const char fold_viet[256 + 1] =
	"aabbbbbbccdddddd" /* U+1E00 */
	"ddddeeeeeeeeeeff" /* U+1E10 */
	"gghhhhhhhhhhiiii" /* U+1E20 */
	"kkkkkkllllllllmm" /* U+1E30 */
	"mmmmnnnnnnnnoooo" /* U+1E40 */
	"oooopppprrrrrrrr" /* U+1E50 */
	"sssssssssstttttt" /* U+1E60 */
	"ttuuuuuuuuuuvvvv" /* U+1E70 */
	"wwwwwwwwwwxxxxyy" /* U+1E80 */
	"zzzzzzhtwy.s...." /* U+1E90 */
	"aaaaaaaaaaaaaaaa" /* U+1EA0 */
	"aaaaaaaaeeeeeeee" /* U+1EB0 */
	"eeeeeeeeiiiioooo" /* U+1EC0 */
	"oooooooooooooooo" /* U+1ED0 */
	"oooouuuuuuuuuuuu" /* U+1EE0 */
	"uuyyyyyyyy......" /* U+1EF0 */
	;

static const char translit_latin[256 + 1] =
	"AAAA....EEE.II.." /* U+00C0 */
	"..OOOO...UU..Y.." /* U+00D0 */
	"aaaa....eee.ii.." /* U+00E0 */
	"..oooo...uu..y.." /* U+00F0 */
	"..Aa............" /* U+0100 */
	"Dd.............." /* U+0110 */
	"........Ii......" /* U+0120 */
	"................" /* U+0130 */
	"................" /* U+0140 */
	"................" /* U+0150 */
	"........Uu......" /* U+0160 */
	"................" /* U+0170 */
	"................" /* U+0180 */
	"................" /* U+0190 */
	"Oo.............U" /* U+01A0 */
	"u..............." /* U+01B0 */
	;

static const char translit_viet[96 + 1] =
	"AaAaAaAaAaAaAaAa" /* U+1EA0 */
	"AaAaAaAaEeEeEeEe" /* U+1EB0 */
	"EeEeEeEeIiIiOoOo" /* U+1EC0 */
	"OoOoOoOoOoOoOoOo" /* U+1ED0 */
	"OoOoUuUuUuUuUuUu" /* U+1EE0 */
	"UuYyYyYyYy......" /* U+1EF0 */
	;
/* clang-format on */

#define FOLD_OPTIONS (UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK)

size_t text_utf8_next(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c;
	size_t n;
	uint32_t v;

	if (len == 0) {
		*cp = 0;
		return 0;
	}
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
	} else {
		goto bad;
	}
	if (len < n)
		goto bad;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8. */
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		goto bad;
	*cp = v;
	return n;
bad:
	*cp = TEXT_REPLACEMENT;
	return 1;
}

size_t text_ucs2be_to_utf8(const unsigned char *src, size_t max_units, char *out, size_t outsz)
{
	size_t n = 0;

	for (size_t i = 0; i < max_units; i++) {
		uint32_t cp = (uint32_t)src[2 * i] << 8 | src[2 * i + 1];
		char tmp[4];
		size_t len;

		if (cp == 0)
			break;
		if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < max_units) {
			uint32_t lo = (uint32_t)src[2 * i + 2] << 8 | src[2 * i + 3];

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		len = text_utf8_encode(cp, tmp); /* a lone surrogate comes out as U+FFFD */
		if (n + len + 1 > outsz)
			break;
		memcpy(out + n, tmp, len);
		n += len;
	}
	if (outsz > 0)
		out[n] = '\0';
	return n;
}

size_t text_utf8_to_ucs2be(const char *s, unsigned char *out, size_t max_units)
{
	size_t len = strlen(s), off = 0, n = 0;

	while (off < len) {
		uint32_t cp;
		size_t used = text_utf8_next(s + off, len - off, &cp);
		size_t need = cp >= 0x10000 ? 2 : 1;

		if (n + need > max_units)
			break;
		off += used;
		if (need == 2) {
			uint32_t v = cp - 0x10000;
			uint32_t hi = 0xd800 + (v >> 10);

			out[2 * n] = (unsigned char)(hi >> 8);
			out[2 * n + 1] = (unsigned char)hi;
			n++;
			cp = 0xdc00 + (v & 0x3ff);
		}
		out[2 * n] = (unsigned char)(cp >> 8);
		out[2 * n + 1] = (unsigned char)cp;
		n++;
	}
	out[2 * n] = 0;
	out[2 * n + 1] = 0;
	return n;
}

int text_utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;

		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = text_utf8_next(s + i, len - i, &cp);
		/* A real U+FFFD in the input takes 3 bytes; a bad byte gives it for 1. */
		if (cp == TEXT_REPLACEMENT && n == 1)
			return 0;
		i += n;
	}
	return 1;
}

size_t text_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = TEXT_REPLACEMENT;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

enum text_class text_classify(uint32_t cp)
{
	if (cp < 0x80) {
		if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			return TEXT_LETTER;
		if (cp >= '0' && cp <= '9')
			return TEXT_DIGIT;
		if (cp == ' ' || (cp >= '\t' && cp <= '\r'))
			return TEXT_SPACE;
		return TEXT_OTHER;
	}
	if (cp == 0x85) /* NEL is a control character that breaks lines */
		return TEXT_SPACE;
	/* Vietnamese letters without a property lookup: U+00C0..U+024F are all letters but
	 * × and ÷, and Latin Extended Additional (U+1E00..U+1EFF) is all letters. */
	if (cp >= 0xc0 && cp < 0x250)
		return cp == 0xd7 || cp == 0xf7 ? TEXT_OTHER : TEXT_LETTER;
	if (cp >= 0x1e00 && cp < 0x1f00)
		return TEXT_LETTER;
	if (cp >= 0x300 && cp < 0x370)
		return TEXT_MARK;
	if (cp > 0x10ffff)
		return TEXT_OTHER;
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

/* The table letter for cp, or 0 when cp is outside the tables or its entry is '.'. */
static int table_letter(uint32_t cp, const char *latin, uint32_t latin_end, const char *viet,
                        uint32_t viet_lo)
{
	char c;

	if (cp >= 0xc0 && cp < latin_end)
		c = latin[cp - 0xc0];
	else if (cp >= viet_lo && cp < 0x1f00)
		c = viet[cp - viet_lo];
	else
		return 0;
	return c == '.' ? 0 : c;
}

size_t text_fold_cp(uint32_t cp, char *out)
{
	utf8proc_int32_t buf[TEXT_FOLD_CP_MAX / 4];
	utf8proc_ssize_t n;
	size_t len = 0;
	int c;

	if (cp < 0x80) {
		out[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
		return 1;
	}
	c = table_letter(cp, fold_latin, 0x250, fold_viet, 0x1e00);
	if (c != 0) {
		out[0] = (char)c;
		return 1;
	}
	if (cp >= 0x300 && cp <= 0x36f) /* the combining diacritics block: all marks */
		return 0;
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return text_utf8_encode(TEXT_REPLACEMENT, out);
	n = utf8proc_decompose_char((utf8proc_int32_t)cp, buf, TEXT_FOLD_CP_MAX / 4, FOLD_OPTIONS,
	                            NULL);
	/* Unicode needs at most 3 code points; keep the character if that ever changes. */
	if (n < 0 || n > TEXT_FOLD_CP_MAX / 4)
		return text_utf8_encode(cp, out);
	for (utf8proc_ssize_t i = 0; i < n; i++) {
		if (buf[i] == 0x111)
			out[len++] = 'd';
		else
			len += text_utf8_encode((uint32_t)buf[i], out + len);
	}
	return len;
}

size_t text_fold_map(const char *in, size_t inlen, char *out, size_t outsz, size_t *map)
{
	size_t i = 0, o = 0;

	if (outsz == 0)
		return 0;
	while (i < inlen) {
		unsigned char c = (unsigned char)in[i];
		char tmp[TEXT_FOLD_CP_MAX];
		uint32_t cp;
		size_t n, k;

		if (c < 0x80) { /* the fast path: most messages are typed without diacritics */
			if (o + 1 >= outsz)
				break;
			if (map != NULL)
				map[o] = i;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
			i++;
			continue;
		}
		n = text_utf8_next(in + i, inlen - i, &cp);
		k = text_fold_cp(cp, tmp);
		if (o + k >= outsz)
			break;
		if (map != NULL) {
			for (size_t j = 0; j < k; j++)
				map[o + j] = i;
		}
		memcpy(out + o, tmp, k);
		o += k;
		i += n;
	}
	out[o] = '\0';
	if (map != NULL)
		map[o] = i;
	return o;
}

size_t text_fold(const char *in, size_t inlen, char *out, size_t outsz)
{
	return text_fold_map(in, inlen, out, outsz, NULL);
}

static int is_vowel(int c)
{
	switch (c | 0x20) {
	case 'a':
	case 'e':
	case 'i':
	case 'o':
	case 'u':
	case 'y':
		return 1;
	default:
		return 0;
	}
}

/* The combining marks of decomposed Vietnamese: 5 tones, breve, circumflex, horn. */
static int is_viet_mark(uint32_t cp)
{
	switch (cp) {
	case 0x300: /* grave: huyền */
	case 0x301: /* acute: sắc */
	case 0x303: /* tilde: ngã */
	case 0x309: /* hook above: hỏi */
	case 0x323: /* dot below: nặng */
	case 0x302: /* circumflex: â ê ô */
	case 0x306: /* breve: ă */
	case 0x31b: /* horn: ơ ư */
		return 1;
	default:
		return 0;
	}
}

size_t text_transliterate(const char *in, size_t inlen, char *out, size_t outsz)
{
	size_t i = 0, o = 0;
	int after_vowel = 0; /* decomposed marks are dropped only after a Vietnamese vowel */

	if (outsz == 0)
		return 0;
	while (i < inlen) {
		unsigned char c = (unsigned char)in[i];
		uint32_t cp;
		size_t n, k;
		int t;

		if (c < 0x80) {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)c;
			after_vowel = is_vowel(c);
			i++;
			continue;
		}
		n = text_utf8_next(in + i, inlen - i, &cp);
		t = table_letter(cp, translit_latin, 0x1c0, translit_viet, 0x1ea0);
		if (t != 0) {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)t;
			after_vowel = is_vowel(t);
		} else if (after_vowel && is_viet_mark(cp)) {
			/* dropped; the next mark of the same letter may follow */
		} else {
			char tmp[4];

			k = text_utf8_encode(cp, tmp);
			if (o + k >= outsz)
				break;
			memcpy(out + o, tmp, k);
			o += k;
			after_vowel = 0;
		}
		i += n;
	}
	out[o] = '\0';
	return o;
}

/* GSM 03.38 septets for an ASCII byte: 1 basic set, 2 extension table, 0 none. */
static const unsigned char gsm_ascii[128] = {
    ['\n'] = 1, ['\r'] = 1, ['\f'] = 2, [' '] = 1,  ['!'] = 1, ['"'] = 1, ['#'] = 1,
    ['$'] = 1,  ['%'] = 1,  ['&'] = 1,  ['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1,
    ['+'] = 1,  [','] = 1,  ['-'] = 1,  ['.'] = 1,  ['/'] = 1, [':'] = 1, [';'] = 1,
    ['<'] = 1,  ['='] = 1,  ['>'] = 1,  ['?'] = 1,  ['@'] = 1, ['_'] = 1, ['^'] = 2,
    ['{'] = 2,  ['}'] = 2,  ['\\'] = 2, ['['] = 2,  ['~'] = 2, [']'] = 2, ['|'] = 2,
};

/* Septets for one code point, 0 if GSM-7 cannot encode it. */
static int gsm7_width(uint32_t cp)
{
	if (cp < 0x80) {
		if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
			return 1;
		if (cp >= '0' && cp <= '9')
			return 1;
		return gsm_ascii[cp];
	}
	switch (cp) {
	case 0x00a1: /* ¡ */
	case 0x00a3: /* £ */
	case 0x00a4: /* ¤ */
	case 0x00a5: /* ¥ */
	case 0x00a7: /* § */
	case 0x00bf: /* ¿ */
	case 0x00c4: /* Ä */
	case 0x00c5: /* Å */
	case 0x00c6: /* Æ */
	case 0x00c7: /* Ç */
	case 0x00c9: /* É */
	case 0x00d1: /* Ñ */
	case 0x00d6: /* Ö */
	case 0x00d8: /* Ø */
	case 0x00dc: /* Ü */
	case 0x00df: /* ß */
	case 0x00e0: /* à */
	case 0x00e4: /* ä */
	case 0x00e5: /* å */
	case 0x00e6: /* æ */
	case 0x00e8: /* è */
	case 0x00e9: /* é */
	case 0x00ec: /* ì */
	case 0x00f1: /* ñ */
	case 0x00f2: /* ò */
	case 0x00f6: /* ö */
	case 0x00f8: /* ø */
	case 0x00f9: /* ù */
	case 0x00fc: /* ü */
	case 0x0393: /* Γ */
	case 0x0394: /* Δ */
	case 0x0398: /* Θ */
	case 0x039b: /* Λ */
	case 0x039e: /* Ξ */
	case 0x03a0: /* Π */
	case 0x03a3: /* Σ */
	case 0x03a6: /* Φ */
	case 0x03a8: /* Ψ */
	case 0x03a9: /* Ω */
		return 1;
	case 0x20ac: /* € */
		return 2;
	default:
		return 0;
	}
}

/* GSM 03.38 basic table: septet -> code point (0x1b, the escape, maps to a space here). */
static const uint16_t gsm7_basic[128] = {
    0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, 0x00f2, 0x00c7, 0x000a, 0x00d8,
    0x00f8, 0x000d, 0x00c5, 0x00e5, 0x0394, 0x005f, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8,
    0x03a3, 0x0398, 0x039e, 0x0020, 0x00c6, 0x00e6, 0x00df, 0x00c9, 0x0020, 0x0021, 0x0022, 0x0023,
    0x00a4, 0x0025, 0x0026, 0x0027, 0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003a, 0x003b,
    0x003c, 0x003d, 0x003e, 0x003f, 0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
    0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f, 0x0050, 0x0051, 0x0052, 0x0053,
    0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7,
    0x00bf, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, 0x0069, 0x006a, 0x006b,
    0x006c, 0x006d, 0x006e, 0x006f, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
    0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0,
};

/* The extension table: the septet after an escape -> code point, 0 if none. */
static uint32_t gsm7_ext(unsigned char s)
{
	switch (s) {
	case 0x0a:
		return 0x0c; /* form feed */
	case 0x14:
		return '^';
	case 0x28:
		return '{';
	case 0x29:
		return '}';
	case 0x2f:
		return '\\';
	case 0x3c:
		return '[';
	case 0x3d:
		return '~';
	case 0x3e:
		return ']';
	case 0x40:
		return '|';
	case 0x65:
		return 0x20ac; /* € */
	default:
		return 0;
	}
}

size_t text_gsm7_to_utf8(const unsigned char *septets, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	if (outsz == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char s = septets[i] & 0x7f;
		uint32_t cp;
		char tmp[4];
		size_t k;

		if (s == 0x1b) {
			if (i + 1 == n)
				break; /* a lone escape at the end */
			s = septets[++i] & 0x7f;
			cp = gsm7_ext(s);
			if (cp == 0)
				cp = gsm7_basic[s];
		} else {
			cp = gsm7_basic[s];
		}
		k = text_utf8_encode(cp, tmp);
		if (o + k >= outsz)
			break;
		memcpy(out + o, tmp, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}

size_t text_gsm7_sender(const char *raw, char *out, size_t outsz)
{
	unsigned char septets[64];
	size_t len = strlen(raw), n = 0;

	if (outsz == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;

		i += text_utf8_next(raw + i, len - i, &cp);
		if (cp >= 0x80 || n == sizeof septets) {
			/* Not raw septets (or longer than any address): keep it as it came. */
			size_t k = len < outsz - 1 ? len : outsz - 1;

			while (k > 0 && k < len && ((unsigned char)raw[k] & 0xc0) == 0x80)
				k--; /* never cut inside a character */
			memcpy(out, raw, k);
			out[k] = '\0';
			return k;
		}
		septets[n++] = (unsigned char)cp;
	}
	return text_gsm7_to_utf8(septets, n, out, outsz);
}

int text_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int text_pdu_alnum_sender(const char *hex, char *out, size_t outsz)
{
	unsigned char pdu[200], septets[16];
	size_t len = strlen(hex), n, pos, semi, octets, count;

	/* An AT modem may append ",0" to the PDU (libGammu strips it too). */
	while (len >= 2 && hex[len - 1] == '0' && hex[len - 2] == ',')
		len -= 2;
	if (len % 2 != 0 || len / 2 > sizeof pdu || len == 0)
		return -1;
	n = len / 2;
	for (size_t i = 0; i < n; i++) {
		int hi = text_hex_digit(hex[2 * i]), lo = text_hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		pdu[i] = (unsigned char)(hi << 4 | lo);
	}
	pos = 1 + (size_t)pdu[0]; /* the SMSC address */
	if (pos + 3 > n)
		return -1;
	if ((pdu[pos] & 0x03) != 0x00)
		return 0; /* TP-MTI: not an SMS-DELIVER */
	semi = pdu[pos + 1];
	if ((pdu[pos + 2] & 0x70) != 0x50)
		return 0; /* a number */
	octets = (semi + 1) / 2;
	pos += 3;
	if (pos + octets > n || octets > 14)
		return -1;
	/* 23.040 9.1.2.5: the length counts semi-octets of the packed septets. */
	count = semi * 4 / 7;
	for (size_t i = 0; i < count; i++) {
		size_t bit = i * 7, byte = pos + bit / 8, shift = bit % 8;
		unsigned v = pdu[byte] >> shift;

		if (shift > 1 && bit / 8 + 1 < octets)
			v |= (unsigned)pdu[byte + 1] << (8 - shift);
		septets[i] = (unsigned char)(v & 0x7f);
	}
	/*
	 * Some senders count whole octets: 7 characters in 7 octets then read as 8 septets,
	 * the last made of the 7 fill bits. Those are zero ('@') or, as 23.038 asks, CR: a last
	 * septet that is exactly such fill is dropped (libGammu drops a 0 by accident too).
	 */
	if (count > 0 && count * 7 == octets * 8 &&
	    (septets[count - 1] == 0x00 || septets[count - 1] == 0x0d))
		count--;
	if (outsz > 0)
		text_gsm7_to_utf8(septets, count, out, outsz);
	return 1;
}

int text_gsm7_units(const char *utf8, size_t len)
{
	size_t i = 0;
	int units = 0;

	while (i < len) {
		uint32_t cp;
		int w;

		i += text_utf8_next(utf8 + i, len - i, &cp);
		w = gsm7_width(cp);
		if (w == 0)
			return -1;
		units = units > INT_MAX - w ? INT_MAX : units + w;
	}
	return units;
}

void text_sms_count(const char *utf8, size_t len, struct text_sms_count *out)
{
	int ucs2 = text_gsm7_units(utf8, len) < 0;
	int single = ucs2 ? 70 : 160, multi = ucs2 ? 67 : 153;
	int total = 0, parts = 1, used = 0;
	size_t i = 0;

	/* One pass counts the units and, in case they overflow one part, the parts of
	 * `multi` units each without splitting a character's units. */
	while (i < len) {
		uint32_t cp;
		int w;

		i += text_utf8_next(utf8 + i, len - i, &cp);
		if (ucs2)
			w = cp >= 0x10000 ? 2 : 1;
		else
			w = gsm7_width(cp);
		total = total > INT_MAX - w ? INT_MAX : total + w;
		if (used + w > multi) {
			parts = parts == INT_MAX ? parts : parts + 1;
			used = 0;
		}
		used += w;
	}
	out->ucs2 = ucs2;
	out->units = total;
	out->parts = total <= single ? 1 : parts;
}

/*
 * The digits of a phone number written with optional separators, into d (dsz bytes,
 * NUL-terminated); *plus says whether it began with '+'. Returns the digit count, or -1
 * for anything that is not a phone number's character or too many digits.
 */
static int phone_digits(const char *s, char *d, size_t dsz, int *plus)
{
	size_t n = 0;

	*plus = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '+') {
		*plus = 1;
		s++;
	}
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			if (n + 1 >= dsz)
				return -1;
			d[n++] = *s;
		} else if (*s != ' ' && *s != '\t' && *s != '.' && *s != '-' && *s != '(' &&
		           *s != ')') {
			return -1;
		}
	}
	d[n] = '\0';
	return (int)n;
}

#define PHONE_MIN_DIGITS 7  /* fewer is an operator short code such as 1414 or 9029 */
#define PHONE_MAX_DIGITS 15 /* E.164 */

int text_phone_e164(const char *in, const char *country_code, char *out, size_t outsz)
{
	char d[PHONE_MAX_DIGITS + 3], cc[8];
	const char *rest = NULL;
	size_t cclen, restlen;
	int nd, plus, ccplus;

	if (in == NULL || country_code == NULL || out == NULL)
		return -1;
	if (phone_digits(country_code, cc, sizeof(cc), &ccplus) < 0)
		return -1;
	cclen = strlen(cc);
	if (cclen == 0 || cclen > 3 || cc[0] == '0')
		return -1;
	/* Room for 00 + 15 digits, so "0084..." can still be read. */
	nd = phone_digits(in, d, sizeof(d), &plus);
	if (nd < PHONE_MIN_DIGITS)
		return -1;
	if (plus) {
		rest = d;
		cclen = 0;
	} else if (d[0] == '0' && d[1] == '0') {
		rest = d + 2;
		cclen = 0;
	} else if (d[0] == '0') {
		rest = d + 1; /* national: the trunk prefix becomes the country code */
	} else if (strncmp(d, cc, cclen) == 0 && (size_t)nd >= cclen + 8) {
		/* Already international without '+'. A shorter number that merely starts
		 * with the code's digits is national without its trunk 0. */
		rest = d;
		cclen = 0;
	} else {
		rest = d;
	}
	restlen = strlen(rest);
	/* The result too must be long enough: "0010012" has 7 digits but is not "+10012". */
	if (cclen + restlen < PHONE_MIN_DIGITS || (cclen == 0 && rest[0] == '0') ||
	    cclen + restlen > PHONE_MAX_DIGITS || 1 + cclen + restlen + 1 > outsz)
		return -1;
	out[0] = '+';
	memcpy(out + 1, cc, cclen);
	memcpy(out + 1 + cclen, rest, restlen + 1);
	return 0;
}

int text_sender_is_phone(const char *sender)
{
	char d[PHONE_MAX_DIGITS + 3];
	int plus;
	int nd;

	if (sender == NULL)
		return 0;
	nd = phone_digits(sender, d, sizeof(d), &plus);
	return nd >= PHONE_MIN_DIGITS;
}

int text_unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
	       cp == 0x2029;
}

/*
 * The escape for the character at s (n bytes of it decoded to cp, used bytes long) into esc
 * (7 bytes of room): its length, or 0 when it is shown as it is.
 */
static size_t safe_escape(const unsigned char *s, size_t used, uint32_t cp, char *esc)
{
	static const char hex[] = "0123456789abcdef";

	if (s[0] < 0x20 || s[0] == 0x7f || (cp == TEXT_REPLACEMENT && used == 1 && s[0] >= 0x80)) {
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[s[0] >> 4];
		esc[3] = hex[s[0] & 0xf];
		return 4;
	}
	if (!text_unsafe_cp(cp))
		return 0;
	esc[0] = '\\';
	esc[1] = 'u';
	for (int i = 0; i < 4; i++)
		esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 0xf];
	return 6;
}

int text_safe_needed(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t used;
		char esc[8];

		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		used = text_utf8_next(s + i, len - i, &cp);
		if (safe_escape(u + i, used, cp, esc) > 0)
			return 1;
		i += used;
	}
	return 0;
}

size_t text_safe(const char *in, size_t len, char *out, size_t outsz)
{
	const unsigned char *u = (const unsigned char *)in;
	size_t i = 0, o = 0;

	if (outsz == 0)
		return 0;
	while (i < len) {
		uint32_t cp;
		size_t used, k;
		char esc[8];
		const char *from;

		if (u[i] >= 0x20 && u[i] < 0x7f) {
			if (o + 1 >= outsz)
				break;
			out[o++] = in[i++];
			continue;
		}
		used = text_utf8_next(in + i, len - i, &cp);
		k = safe_escape(u + i, used, cp, esc);
		from = k > 0 ? esc : in + i;
		if (k == 0)
			k = used;
		if (o + k >= outsz)
			break;
		memcpy(out + o, from, k);
		o += k;
		i += used;
	}
	out[o] = '\0';
	return o;
}
