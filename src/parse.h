/*
 * The keyword parser: one SMS text → one command. parse_message() is a pure function of
 * the rules and the text: no I/O, no allocation, no global state, so the daemon, the
 * config loader and `tipline parse` get the same answer for the same text.
 *
 * Matching
 *   Keywords, sub-words and category codes are compared after text_fold(): case- and
 *   diacritic-insensitive ("Tuần" = "TUAN", "Huỷ" = "HUY", "ĐK" = "DK").
 *   A word is a run of letters (with their combining marks); to match it must be followed
 *   by the end of the text or a character that is neither letter nor digit: "TIN:",
 *   "TIN.", "TIN,co" are TIN; "TINCO" and "TIN2" are not.
 *   The keyword is the first word after leading spaces and punctuation. A leading "?"
 *   not followed by a letter or digit is the help word "?" when configured.
 *   Any keyword (command, patrol, start/end, ANDANH) may also be typed as two words
 *   separated only by spaces that together make it: "tuan tra" = TUANTRA, "bat dau" =
 *   BATDAU, "an danh" = ANDANH, "hoa giai" = HOAGIAI. The pair is tried first.
 *   Tokens after the keyword are separated by whitespace and , . : ; - /
 *   Numbers are ASCII digits; "1.410" and "1,410" (groups of exactly three digits after
 *   the same separator) are 1410. A number must not run into a letter, except its unit
 *   where one is read ("6ng", "150nguoi", "2buoi", "15dot": that number with that unit;
 *   "21h", "3a" are no numbers). Above PARSE_NUMBER_MAX the command is invalid ("number
 *   too large"): no clamping, so a typo never records a million participants.
 *   Text fields are spans of the original text trimmed of whitespace and , . : ; - / at
 *   both ends, so diacritics, emoji and quotes survive.
 *
 * SMS abbreviations (what basic-phone users type; see parse_rules_set_abbreviations)
 *   A word of the table (default: ng = nguoi, k/ko/khg = khong, dc/đc = duoc, bt = binh
 *   thuong, a/e/c = anh/em/chi, ca = cong an, dt/đt = dien thoai) stands for its words
 *   wherever a lead-in or a category phrase is looked for ("co ng la" is the phrase "nguoi
 *   la", "Gui CA xa" the lead-in "gui cong an xa"), and for a unit ("6 ng"). This is done
 *   when the rules are built: each lead-in and phrase is also kept in its abbreviated forms
 *   (every combination, at most 16 per phrase), and the text is matched word for word.
 *   Keywords, codes and the words of the text are never expanded: a word that is a phrase
 *   word as typed stays one ("ca do" is betting), and an abbreviation never turns a
 *   keyword into something else.
 *
 * Lead-in words (villagers greet before they report)
 *   Before the keyword, lead-in phrases (default: alo, a lo, xin chao, kinh gui, kinh gui
 *   cong an xa, gui cong an xa, cong an xa oi, bao, toi bao, toi muon bao, the short lead
 *   words da, vua, hom nay, and the greetings: PERSON oi, chao PERSON, xin chao PERSON and
 *   SPEAKER chao PERSON, PERSON one of anh, chi, em, ban, co, chu, bac, ong, ba, chau, cong
 *   an, cong an xa and SPEAKER one of em, chau, con, toi; with the abbreviations "a oi",
 *   "CA xa oi", "e chao a"; see parse_rules_set_lead_ins) are skipped, repeatedly: "Alo,
 *   chào anh. TIN ..." is a tip. A lead-in is matched folded, word by word (anything but
 *   letters and digits may stand between its words); its last word must be followed by
 *   the end, a space or punctuation ("bao3" is none). Of the lead-ins at one place the
 *   longest is taken that is followed by the end, a keyword or another lead-in, else the
 *   longest ("kinh gui: cong an xa oi, TIN" is KINH GUI then CONG AN XA OI). At each
 *   place a keyword is tried first, so a keyword configured as a lead-in stays a keyword.
 *   "Bao tin: X" is the tip X. If nothing but lead-ins (and punctuation) is left, or what
 *   follows them is no keyword, the message is unknown, and its category and text are
 *   those of the whole message, lead-in included ("Báo: bạo lực gia đình ở thôn 2" is an
 *   unknown message of category domestic_violence).
 *
 * One slip in the keyword
 *   A first word (after the lead-ins) that is no keyword nor lead-in but becomes exactly
 *   one keyword of three letters or more (a command's or a patrol word, folded) by undoing
 *   one slip is that keyword: two adjacent letters swapped ("TNI" → TIN, "TUNA" → TUAN,
 *   "TTLP" → TTPL) or one letter typed twice ("TIIN", "HUYY"). Never a substituted, added
 *   or dropped letter: "TIM", "TINH" and "TAN" stay words (they are Vietnamese words). Only
 *   folded words of ASCII letters are corrected. When two keywords could be meant, none is.
 *   The result says which keyword was taken (corrected, "TIN"), invalid results too.
 *
 * Commands (default words; see parse_rules_new)
 *   tip          TIN [ANDANH] [CODE] text    text required
 *   supplement   BS REF text                 REF: optional '#', then ASCII letters and
 *                                            digits with at least one digit, <= 15;
 *                                            also BOSUNG ("bổ sung")
 *   patrol_start TUAN [TRA] BD [TEAM] [N] [text]   TEAM: letters then digits (TQ3)
 *   patrol_end   TUAN [TRA] KT [TEAM] [text]
 *   awareness    TTPL N [UNIT] [N UNIT]... [text]     see below; participants required
 *   mediation    HG text                     text required
 *   register     DK name [thon village]      split at the LAST village word; "thon3"
 *                                            also splits (village "3"); name required;
 *                                            a first TEN or HO TEN ("name") is dropped
 *                                            when a name follows
 *   optout       HUY ...                     the rest is ignored
 *   help         HD ... or ?
 *   broadcast    TB PIN GROUP text           PIN: ASCII digits (<= 15) as written;
 *                                            GROUP: letters, digits, '_' (folded to
 *                                            ASCII, <= 31), uppercased; text required
 *   report       BC PIN [TUAN|THANG]         PIN as for TB; the period word (also
 *                                            WEEK/MONTH) defaults to THANG; anything
 *                                            else after the PIN is invalid
 *   status       TT REF[-SECRET]             also TINHTRANG ("tinh trang"); REF as for
 *                                            BS; SECRET exactly four digits right after
 *                                            '-' ("T12-4821"); the rest is ignored. TT
 *                                            with nothing after it is invalid ("missing
 *                                            reference"); followed by a word that is no
 *                                            REF it is no command ("Tình trạng an ninh
 *                                            ..." is an unknown message)
 *   The awareness form TTPL S DOT|BUOI N [text] says S sessions of N participants in
 *   all (sessions); TTPL N [text] is one session.
 *   After a patrol word, the word TRA is skipped ("tuan tra bd"). Any other word in the
 *   place of BD/KT, or none, is invalid with keyword "patrol_start".
 *   Patrol members: N right after BD (and the team) is the members (glued: only to NGUOI,
 *   "6ng"); without it, the first number followed (after spaces only, or glued) by the word
 *   NGUOI anywhere in a patrol start's text is ("Tuần tra bắt đầu tổ 3, 6 người" → members
 *   6); the text stays whole.
 *   Patrols in the leaders' word order: where a keyword is looked for (after the lead-ins,
 *   which include da, vua, hom nay), [TEAM] START PATROL, [TEAM] END PATROL or TEAM PATROL
 *   START|END is that patrol command; START and END are the start and end words (BD,
 *   BATDAU, START, XUATPHAT; KT, KETTHUC, END, XONG), PATROL a patrol word (TRA may follow
 *   TUAN), TEAM a team code (then the team) or TO [TU QUAN] [THON] N (no team): "To 3 bat
 *   dau tuan tra, 6 ng", "TQ3 tuan tra xong", "ket thuc tuan tra luc 23h", "KT tuan tra".
 *   A team, members and text then follow as after TUAN BD.
 *
 * Awareness numbers
 *   After the keyword, numbers are read with the unit that follows each (after spaces
 *   only, or glued: "15dot", "90ng"): DOT or BUOI → sessions; LUOT, NGUOI or LUOT
 *   NGUOI, each optionally followed by THAM GIA → participants ("TTPL: 15 đợt / 1.410 lượt
 *   người tham gia" → 15 sessions, 1410 participants). A number with no unit is the
 *   participants only right after the keyword ("TTPL 45 hop dan"). Reading stops at the
 *   first word that is neither a number nor a unit, at a number without a unit after the
 *   first, and at a number whose figure is already known; the text is what follows. A
 *   figure still unknown then is the first number starting a token with its unit
 *   anywhere in the text ("Tuyen truyen phap luat tai thon 4 duoc 80 nguoi" → 80
 *   participants; "... 2 buoi ..." → 2 sessions). Participants are required ("missing
 *   participants"); sessions default to 1. Either above PARSE_NUMBER_MAX is invalid.
 *
 * Categories of a tip
 *   A code as the first word after TIN (or after ANDANH) sets the category. The code word
 *   is consumed and the text is what follows, with two exceptions so that no word of the
 *   report is lost: if the code is also one of its own category's phrases (TROM is the
 *   code and the word "trộm") it stays in the text ("TIN trom xe o thon 2" → theft, text
 *   "trom xe o thon 2"); and if nothing follows the code, the code word is the text
 *   ("TIN MT" → drugs, text "MT", never invalid).
 *   Without a code, the phrase that starts earliest in the text (whole words, folded)
 *   decides; at the same start the longer phrase wins, then the earlier category. Unknown
 *   messages are spotted the same way over their whole text. Other kinds have none.
 *   Only ANDANH is the anonymous flag: "TIN an trom" is a theft tip, not anonymous.
 *
 * The village of a tip (and of an unknown message, which is stored as a tip)
 *   The first village word (THON) of the text followed by a run of letters, marks and
 *   digits: "o thon 3 luc 9h" → village "3", "thôn Đông, ..." → "Đông", "thon3" → "3".
 *   Absent when the text names none (the daemon then takes the sender's village).
 */
#ifndef TIPLINE_PARSE_H
#define TIPLINE_PARSE_H

#include <stddef.h>
#include <stdio.h>

enum parse_kind {
	PARSE_UNKNOWN,
	PARSE_INVALID,
	PARSE_TIP,
	PARSE_SUPPLEMENT,
	PARSE_PATROL_START,
	PARSE_PATROL_END,
	PARSE_AWARENESS,
	PARSE_MEDIATION,
	PARSE_REGISTER,
	PARSE_OPTOUT,
	PARSE_HELP,
	PARSE_BROADCAST,
	PARSE_REPORT,
	PARSE_STATUS,
	PARSE_KIND_COUNT
};

#define PARSE_NUMBER_MAX   1000000L /* members and participants above this are invalid */
#define PARSE_WORD_MAX     32       /* bytes of a folded keyword, code or phrase word + NUL */
#define PARSE_PHRASE_WORDS 8        /* words in one category phrase */

/* "unknown", "invalid", "tip", "supplement", "patrol_start", "patrol_end", "awareness",
 * "mediation", "register", "optout", "help", "broadcast", "report", "status"; "?" out of
 * range.
 * Static. */
const char *parse_kind_name(enum parse_kind k);

/* The period of a report asked for by SMS (BC PIN [TUAN|THANG]). */
enum parse_period {
	PARSE_PERIOD_NONE,  /* not a report */
	PARSE_PERIOD_MONTH, /* THANG, and the default: the month to date */
	PARSE_PERIOD_WEEK,  /* TUAN: the week (from Monday) to date */
};

/* A piece of the original text; len 0 = absent. */
struct parse_span {
	size_t off, len;
};

/*
 * What parse_message() found. An invalid result carries only kind, keyword, error and
 * corrected (every other field is reset: absent spans, category -1, numbers -1), so callers
 * never see half a command.
 */
struct parse_result {
	enum parse_kind kind;
	enum parse_kind keyword; /* for PARSE_INVALID: which command; else PARSE_UNKNOWN */
	/* For PARSE_INVALID, static: "missing text", "missing reference", "missing start or
	 * end word", "missing participants", "missing name", "missing pin", "missing group",
	 * "number too large", "zero sessions", "unknown period". NULL otherwise. */
	const char *error;
	int category; /* index into the rules' categories, -1 = none */
	int anonymous;
	struct parse_span text, team, name, village, pin, group, ref;
	/* TT: the four digits after "REF-" of an anonymous tip's reference ("T12-4821"). */
	struct parse_span secret;
	long members, participants; /* -1 = absent */
	long sessions;              /* awareness: 1 unless the text says more; else -1 */
	enum parse_period period;   /* report: which period; NONE for other kinds */
	/* Uppercased ASCII copies of team/ref/group, "" when absent. */
	char team_buf[16], ref_buf[16], group_buf[32];
	/* The keyword a slip was corrected to, uppercased ("TIN"); "" when none was. Kept in
	 * an invalid result too. */
	char corrected[PARSE_WORD_MAX];
};

struct parse_rules; /* opaque */

/* Rules with every default keyword and category; the caller frees them with
 * parse_rules_free(). NULL when out of memory. */
struct parse_rules *parse_rules_new(void);
void parse_rules_free(struct parse_rules *r);

/*
 * Replaces the keyword list of one command (config: keywords.tip = ["TIN","TIP"]). Words
 * are folded on entry and must be letters only ("?" is allowed for PARSE_HELP), non-empty,
 * shorter than PARSE_WORD_MAX folded. For PARSE_PATROL_START/END these are the sub-words
 * (BD, BATDAU, START / KT, KETTHUC, END). Returns 0, or -1 on bad input (empty list, bad
 * word, a kind without keywords) leaving the old list in place. The words are copied.
 */
int parse_rules_set_keywords(struct parse_rules *r, enum parse_kind kind, const char *const *words,
                             size_t n);
/* The patrol words (TUAN, TUANTRA, PATROL), the anonymous flag (ANDANH), the village
 * words of register (THON). Same rules and return as parse_rules_set_keywords(). */
int parse_rules_set_patrol_words(struct parse_rules *r, const char *const *words, size_t n);
int parse_rules_set_anonymous_words(struct parse_rules *r, const char *const *words, size_t n);
int parse_rules_set_village_words(struct parse_rules *r, const char *const *words, size_t n);
/*
 * Replaces the lead-in phrases (config: keywords.lead_in = ["alo", "xin chao", ...]): each
 * 1..PARSE_PHRASE_WORDS words of letters ("kính gửi"). n = 0 turns lead-ins off. Returns 0,
 * or -1 for a bad phrase or no memory, leaving the old list in place. Copied.
 */
int parse_rules_set_lead_ins(struct parse_rules *r, const char *const *phrases, size_t n);

/*
 * Replaces the SMS abbreviations (config: keywords.abbreviations = ["ng=người", ...]): each
 * "WORD=EXPANSION", WORD one word of letters, EXPANSION 1..PARSE_PHRASE_WORDS words of
 * letters; a word given twice must mean the same ("dc" and "đc" fold alike). n = 0 turns
 * them off. Returns 0, or -1 for a bad entry or no memory, leaving the old table in place.
 */
int parse_rules_set_abbreviations(struct parse_rules *r, const char *const *entries, size_t n);

/*
 * 1 if some folded word is a keyword of two commands (or a patrol word and a command),
 * which would make one of them unreachable: the first match wins in enum order. The
 * word is written to buf (uppercased) for the config loader's message. 0 otherwise.
 */
int parse_rules_conflict(const struct parse_rules *r, char *buf, size_t bufsz);

/*
 * Replaces the category table (config: categories = ( { name="drugs"; codes=[...];
 * phrases=[...]; }, ... )). Categories are numbered in the order they are added. Codes
 * follow the keyword rules; a phrase is 1..PARSE_PHRASE_WORDS words of letters and digits
 * ("ma tuy", "thuốc lắc"). Returns 0, or -1 for an empty or duplicate name, a bad code or
 * phrase, or no memory; then nothing is added.
 */
void parse_rules_clear_categories(struct parse_rules *r);
int parse_rules_add_category(struct parse_rules *r, const char *name, const char *const *codes,
                             size_t ncodes, const char *const *phrases, size_t nphrases);
/* The name as configured (owned by the rules), NULL for -1 or out of range. */
const char *parse_category_name(const struct parse_rules *r, int category);
int parse_category_count(const struct parse_rules *r);

/*
 * A command's keywords joined by "/" and uppercased, e.g. "TIN/TIP", for the help reply;
 * for PARSE_PATROL_START/END the sub-words ("BD/BATDAU/START"). Written into buf (cut
 * at a word boundary if too small, always NUL-terminated when bufsz > 0); returns buf.
 * parse_patrol_words_str() gives the patrol words ("TUAN/TUANTRA/PATROL") the same way.
 */
const char *parse_keywords_str(const struct parse_rules *r, enum parse_kind kind, char *buf,
                               size_t bufsz);
const char *parse_patrol_words_str(const struct parse_rules *r, char *buf, size_t bufsz);

/* Parses len bytes of text (need not be NUL-terminated or valid UTF-8) into *out. The
 * spans in *out point into text; nothing is allocated. */
void parse_message(const struct parse_rules *r, const char *text, size_t len,
                   struct parse_result *out);

/*
 * Writes one JSON line describing the result (text is the parsed text, for the spans).
 * Members in this order, absent ones omitted: kind; corrected when a slip was; category
 * (name, or null when a tip or unknown message has none); anonymous (tips only); text,
 * team, members, participants, sessions, name, village, pin, group, ref, secret, period where
 * found;
 * keyword and error for invalid.
 */
void parse_print_json(const struct parse_rules *r, const char *text, size_t len,
                      const struct parse_result *res, FILE *f);

#endif
