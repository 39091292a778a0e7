/*
 * UTF-8 and SMS text utilities: decoding, folding for keyword matching (case and
 * Vietnamese diacritics), transliteration to GSM-7, GSM 03.38 septet and SMS part counts,
 * and phone number normalisation.
 *
 * Nothing here allocates: every function writes into a buffer the caller supplies, so the
 * parser can call them once per code point in its hot path.
 */
#ifndef TIPLINE_TEXT_H
#define TIPLINE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define TEXT_REPLACEMENT 0xfffdu /* what an invalid UTF-8 byte decodes to */

/* Bytes text_fold_cp() may write for one code point (the most Unicode needs is 9). */
#define TEXT_FOLD_CP_MAX 16

/*
 * Decodes the code point at s (len bytes available) into *cp and returns the bytes it
 * used. An invalid or truncated sequence (overlong, surrogate, > U+10FFFF, stray
 * continuation byte) yields U+FFFD and consumes exactly one byte, so a loop always
 * advances. Returns 0 (and *cp = 0) only when len is 0.
 */
size_t text_utf8_next(const char *s, size_t len, uint32_t *cp);

/* 1 if all len bytes are valid UTF-8, else 0. */
int text_utf8_valid(const char *s, size_t len);

/* Writes cp as 1..4 bytes of UTF-8 into out (4 bytes of room) and returns the count;
 * a surrogate or a value above U+10FFFF is written as U+FFFD. */
size_t text_utf8_encode(uint32_t cp, char *out);

/*
 * Big-endian UTF-16 (what libGammu calls UCS-2: two bytes per unit, ended by a 0 unit or after
 * MAX_UNITS units) into UTF-8 in OUT, always terminated. Surrogate pairs are joined (emoji
 * arrive so); a lone surrogate becomes U+FFFD. Stops before a character that would not fit in
 * OUTSZ. Returns the bytes written, the terminator not counted.
 */
size_t text_ucs2be_to_utf8(const unsigned char *src, size_t max_units, char *out, size_t outsz);

/*
 * UTF-8 (NUL-terminated; invalid bytes become U+FFFD) into big-endian UTF-16 in OUT, which has
 * room for MAX_UNITS + 1 units: at most MAX_UNITS units of text (a surrogate pair is never
 * split), then a 0 unit. Returns the units written, the terminator not counted.
 */
size_t text_utf8_to_ucs2be(const char *s, unsigned char *out, size_t max_units);

/* A code point's role in a word, for tokenisers. */
enum text_class {
	TEXT_OTHER,  /* punctuation, symbols (emoji), controls, U+FFFD */
	TEXT_SPACE,  /* ASCII whitespace, NEL and Unicode Zs/Zl/Zp (NBSP, U+3000, ...) */
	TEXT_LETTER, /* Unicode L* */
	TEXT_MARK,   /* Unicode M*: combining marks, part of the letter before them */
	TEXT_DIGIT,  /* Unicode Nd (the parser only reads ASCII digits as numbers) */
};
enum text_class text_classify(uint32_t cp);

/*
 * Folding for matching: lowercase (Unicode case folding), every combining mark removed
 * from precomposed and decomposed input alike, and đ/Đ → d. "Tuần", "TUAN" and
 * "Tua\u0302\u0300n" all fold to "tuan"; "Huỷ" and "Hủy" to "huy". Characters without a
 * folding (emoji, CJK) are kept as they are.
 *
 * text_fold_cp() folds one code point into out (TEXT_FOLD_CP_MAX bytes, not
 * NUL-terminated) and returns the bytes written: 0 for a combining mark, usually 1.
 * Parsers fold code point by code point so that they keep offsets into the original text.
 */
size_t text_fold_cp(uint32_t cp, char *out);

/*
 * Folds inlen bytes of in into out, NUL-terminated, and returns the length written
 * (without the NUL). Output is cut at outsz - 1 bytes, never inside a character; outsz 0
 * writes nothing. Invalid input bytes become U+FFFD.
 */
size_t text_fold(const char *in, size_t inlen, char *out, size_t outsz);

/*
 * text_fold() that also records, for each output byte i, the offset in `in` of the code
 * point it came from: map[i] (map has outsz entries). map[returned length] is the input
 * offset where folding stopped (inlen unless the output was cut), when that fits.
 */
size_t text_fold_map(const char *in, size_t inlen, char *out, size_t outsz, size_t *map);

/*
 * Vietnamese → ASCII for sending as GSM-7, keeping case: "Đã nhận" → "Da nhan", "ỮNG" →
 * "UNG". Only the 134 Vietnamese letters (and their decomposed forms) are changed; any
 * other character is kept as it is, so a reply with an emoji stays UCS-2. Output and
 * return value as text_fold().
 */
size_t text_transliterate(const char *in, size_t inlen, char *out, size_t outsz);

/*
 * GSM 03.38 septets needed for the text: 1 per basic-set character, 2 per extension
 * character (^ { } \ [ ~ ] | € and form feed), or -1 if some character has no GSM-7
 * encoding (or a byte is not UTF-8).
 */
int text_gsm7_units(const char *utf8, size_t len);

/*
 * GSM 03.38 septets (values 0..127, one per byte of SEPTETS) into UTF-8 in OUT, always
 * terminated: the basic table, and ESC (0x1b) followed by a character of the extension table
 * (^ { } \ [ ~ ] | € and form feed); ESC followed by anything else gives that character of the
 * basic table, as 23.038 asks of a receiver; a lone ESC at the end gives nothing. Stops before
 * a character that would not fit in OUTSZ. Returns the bytes written, the terminator not
 * counted.
 */
size_t text_gsm7_to_utf8(const unsigned char *septets, size_t n, char *out, size_t outsz);

/*
 * An alphanumeric sender as libGammu 1.42 gives it: it unpacks TP-OA's septets and hands over
 * each septet's value as a code point, without the GSM 03.38 table ("VIETTEL_DV" arrives as
 * "VIETTEL\x11DV", "Δ" as U+0010). RAW (UTF-8) is mapped back through the table, code point by
 * code point below U+0080; a text with a code point above that is not such a sender and is
 * copied as it is. Numbers ("+84912345678", "*101#") map to themselves. OUT as
 * text_gsm7_to_utf8. (A septet 0x00, '@', ends libGammu's string, so what followed it is lost
 * here: text_pdu_alnum_sender reads it from the PDU instead.)
 */
size_t text_gsm7_sender(const char *raw, char *out, size_t outsz);

/*
 * The originating address of an SMS-DELIVER PDU in hex (SMSC prefix included, as AT+CMGL and
 * AT+CMGR print it) when it is alphanumeric (TON 5): decoded into OUT as UTF-8 through the
 * GSM 03.38 table, '@' included. Returns 1 if so, 0 if the address is numeric or the PDU is not
 * an SMS-DELIVER (OUT untouched), -1 if the hex or the PDU is malformed.
 */
int text_pdu_alnum_sender(const char *hex, char *out, size_t outsz);

struct text_sms_count {
	int ucs2;  /* 1 if the text must be sent as UCS-2 */
	int units; /* septets for GSM-7, UTF-16 code units for UCS-2 */
	int parts; /* SMS parts; an empty text is 1 part */
};

/*
 * How the text would be sent: GSM-7 when possible (160 septets in one part, else 153 per
 * part), else UCS-2 (70 code units in one part, else 67 per part). Splitting is exact:
 * an extension character's two septets and a surrogate pair are never split across
 * parts, as a sender must not split them.
 */
void text_sms_count(const char *utf8, size_t len, struct text_sms_count *out);

/*
 * Normalises a phone number to E.164 ("+84912345678") with the configured country code
 * ("84" or "+84"). Accepted: "0912345678" (national, trunk 0), "84912345678", "+84...",
 * "0084..." (international prefix 00), and bare digits without the trunk 0
 * ("912345678", country code prepended). Spaces, dots, dashes and parentheses are
 * ignored; a '+' only at the start. Returns 0, or -1 if it is not a phone number:
 * letters (alphanumeric senders such as "VIETTEL"), fewer than 7 digits (short codes
 * such as "1414"), more than 15 digits in the result, an empty or bad country code, or
 * out too small (it needs 17 bytes for the longest number).
 */
int text_phone_e164(const char *in, const char *country_code, char *out, size_t outsz);

/* 1 for a normal phone number (optional '+', 7..17 digits, separators as above); 0 for an
 * alphanumeric sender or a short code, which must never get an automatic reply. */
int text_sender_is_phone(const char *sender);

/* The value of hexadecimal digit C (either case), or -1. */
int text_hex_digit(char c);

/*
 * Text from a phone (SMS, USSD, a contact's name) made safe to show a person on a terminal or
 * in a log line, where it is stored as sent. Escaped, so that nothing moves the cursor, ends a
 * line, changes colours or reorders what follows:
 *   - every byte below 0x20 and 0x7f (ESC, CR, LF, TAB, NUL) as \xNN ("\x1b", "\x0a");
 *   - the C1 controls U+0080..U+009F, the BiDi controls U+061C, U+200E, U+200F,
 *     U+202A..U+202E, U+2066..U+2069 and the separators U+2028, U+2029 as \uNNNN
 *     ("\u202e");
 *   - a byte that is not UTF-8 as \xNN ("\xff"; a C1 control, valid UTF-8, is \u0085, so
 *     the two cannot be confused).
 * Every other character, backslash included, is copied as it is: ordinary text comes out
 * byte-identical. LEN bytes of IN into OUT (OUTSZ bytes), NUL-terminated, cut at OUTSZ - 1
 * never inside a character or an escape; returns the bytes written (without the NUL).
 * TEXT_SAFE_MAX(LEN) bytes are always enough (an escape is at most 4 bytes per input byte).
 */
#define TEXT_SAFE_MAX(len) (4 * (len) + 1)
size_t text_safe(const char *in, size_t len, char *out, size_t outsz);

/* 1 if text_safe() would change LEN bytes of S, else 0 (so a printer can skip the copy). */
int text_safe_needed(const char *s, size_t len);

/* 1 for a code point text_safe() escapes as \uNNNN (C1, BiDi, U+2028/2029). */
int text_unsafe_cp(uint32_t cp);

#endif
