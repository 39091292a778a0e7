/*
 * The keyword parser. See parse.h for the language it accepts.
 *
 * parse_message() walks the original text once, code point by code point, folding each
 * word it needs to compare into a small stack buffer (text_fold_cp), so every field it
 * returns is a span of the original text and nothing is allocated. The rules are built
 * once (defaults, then the config's replacements) and only read afterwards.
 */
#include "parse.h"

#include "json.h"
#include "text.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A list of folded words; w[i] is NUL-terminated. */
struct wordlist {
	char (*w)[PARSE_WORD_MAX];
	size_t n;
};

/* One category phrase as folded words, with a hash per word to reject quickly. */
struct phrase {
	int category;
	unsigned nwords;
	uint32_t hash[PARSE_PHRASE_WORDS];
	char word[PARSE_PHRASE_WORDS][PARSE_WORD_MAX];
};

#define SPOT_BUCKETS 256 /* a power of two */
#define LEAD_BUCKETS 64  /* a power of two */

struct category {
	char *name;
	struct wordlist codes;
};

/* An SMS abbreviation: one folded word standing for a folded phrase ("ng" for "nguoi"). */
struct abbrev {
	char word[PARSE_WORD_MAX];
	struct phrase exp;
};

/* Abbreviated forms of one phrase at most (its words replaced by the abbreviations that
 * stand for them, in every combination): more are not generated. */
#define VARIANTS_MAX 16

struct parse_rules {
	struct wordlist kw[PARSE_KIND_COUNT]; /* patrol kinds: the BD/KT sub-words */
	struct wordlist patrol, anonymous, village;
	struct abbrev *abbr; /* keywords.abbreviations */
	size_t nabbr;
	/* The lead-ins and category phrases as configured (base) and as matched: each base
	 * phrase followed by its abbreviated forms ("gui ca xa" after "gui cong an xa"), so the
	 * text is matched word for word and nothing is expanded while a message is read. */
	struct phrase *lead_base;
	size_t nlead_base;
	struct phrase *lead; /* lead-in phrases ("xin chao"); category unused */
	size_t nlead;
	/* The lead-ins sorted by the low bits of their first word's hash: those a word may
	 * begin are lead[lead_at[b] .. lead_at[b + 1]). */
	uint32_t lead_at[LEAD_BUCKETS + 1];
	struct category *cat;
	int ncat;
	struct phrase *base;
	size_t nbase;
	struct phrase *phrase;
	uint32_t *last_hash; /* of phrase[i]'s last word, packed for the spotting loop */
	/* The phrases by the low bits of their last word's hash, each bucket in index order
	 * (so ties still go to the earlier category): spot[spot_at[b] .. spot_at[b + 1]). A
	 * word of the text is compared with its bucket only, not with every phrase. */
	uint32_t *spot;
	uint32_t spot_at[SPOT_BUCKETS + 1];
	size_t nphrase;
	unsigned max_phrase_words;
};

static const char *const kind_names[PARSE_KIND_COUNT] = {
    [PARSE_UNKNOWN] = "unknown",
    [PARSE_INVALID] = "invalid",
    [PARSE_TIP] = "tip",
    [PARSE_SUPPLEMENT] = "supplement",
    [PARSE_PATROL_START] = "patrol_start",
    [PARSE_PATROL_END] = "patrol_end",
    [PARSE_AWARENESS] = "awareness",
    [PARSE_MEDIATION] = "mediation",
    [PARSE_REGISTER] = "register",
    [PARSE_OPTOUT] = "optout",
    [PARSE_HELP] = "help",
    [PARSE_BROADCAST] = "broadcast",
    [PARSE_REPORT] = "report",
    [PARSE_STATUS] = "status",
};

const char *parse_kind_name(enum parse_kind k)
{
	if ((int)k < 0 || k >= PARSE_KIND_COUNT)
		return "?";
	return kind_names[k];
}

/* ---- scanning the original text ---- */

/* The code point at s[i] (i < len) and its byte length, with an ASCII fast path. */
static size_t cp_at(const char *s, size_t len, size_t i, uint32_t *cp)
{
	if ((unsigned char)s[i] < 0x80) {
		*cp = (unsigned char)s[i];
		return 1;
	}
	return text_utf8_next(s + i, len - i, cp);
}

static int is_alnum_class(enum text_class c)
{
	return c == TEXT_LETTER || c == TEXT_MARK || c == TEXT_DIGIT;
}

/* Class of the code point at i, or TEXT_SPACE past the end (the end is a boundary). */
static enum text_class class_at(const char *s, size_t len, size_t i, size_t *n)
{
	uint32_t cp;

	if (i >= len) {
		*n = 0;
		return TEXT_SPACE;
	}
	*n = cp_at(s, len, i, &cp);
	return text_classify(cp);
}

static int is_sep_cp(uint32_t cp)
{
	return cp == ',' || cp == '.' || cp == ':' || cp == ';' || cp == '-' || cp == '/' ||
	       text_classify(cp) == TEXT_SPACE;
}

/* The first offset at or after i that is not whitespace. */
static size_t skip_spaces(const char *s, size_t len, size_t i)
{
	size_t n;

	while (i < len && class_at(s, len, i, &n) == TEXT_SPACE)
		i += n;
	return i;
}

/* The first offset at or after i that is not a token separator. */
static size_t skip_seps(const char *s, size_t len, size_t i)
{
	while (i < len) {
		uint32_t cp;
		size_t n = cp_at(s, len, i, &cp);

		if (!is_sep_cp(cp))
			break;
		i += n;
	}
	return i;
}

/* [start, end) without separators at either end; len 0 if nothing is left. */
static struct parse_span trim(const char *s, size_t start, size_t end)
{
	struct parse_span sp = {0, 0};

	start = skip_seps(s, end, start);
	while (end > start) {
		/* Step back over one code point: continuation bytes, then its lead byte. */
		size_t b = end - 1;
		uint32_t cp;

		while (b > start && ((unsigned char)s[b] & 0xc0) == 0x80 && end - b < 4)
			b--;
		if (cp_at(s, end, b, &cp) != end - b) /* not one whole character: keep it */
			break;
		if (!is_sep_cp(cp))
			break;
		end = b;
	}
	if (end > start) {
		sp.off = start;
		sp.len = end - start;
	}
	return sp;
}

/* ---- words ---- */

/* A run of letters in the original text and its folded form. */
struct word {
	size_t start, end; /* bytes of the run */
	int ok;            /* followed by the end or by neither letter nor digit */
	int flen;          /* folded length, -1 if it does not fit PARSE_WORD_MAX */
	char f[PARSE_WORD_MAX];
};

/* Appends the fold of cp to w->f, or marks the word too long. */
static void word_add(struct word *w, uint32_t cp)
{
	char tmp[TEXT_FOLD_CP_MAX];
	size_t k;

	if (w->flen < 0)
		return;
	if (cp < 0x80) {
		if ((size_t)w->flen + 1 >= PARSE_WORD_MAX) {
			w->flen = -1;
			return;
		}
		w->f[w->flen++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
		w->f[w->flen] = '\0';
		return;
	}
	k = text_fold_cp(cp, tmp);
	if ((size_t)w->flen + k >= PARSE_WORD_MAX) {
		w->flen = -1;
		return;
	}
	memcpy(w->f + w->flen, tmp, k);
	w->flen += (int)k;
	w->f[w->flen] = '\0';
}

/* Reads the run of letters (and their marks) at i into *w; 0 if no letter starts at i. */
static int read_word(const char *s, size_t len, size_t i, struct word *w)
{
	size_t n;

	if (class_at(s, len, i, &n) != TEXT_LETTER)
		return 0;
	w->start = i;
	w->flen = 0;
	w->f[0] = '\0';
	while (i < len) {
		uint32_t cp;
		enum text_class c;

		n = cp_at(s, len, i, &cp);
		c = text_classify(cp);
		if (c != TEXT_LETTER && c != TEXT_MARK)
			break;
		word_add(w, cp);
		i += n;
	}
	w->end = i;
	w->ok = class_at(s, len, i, &n) != TEXT_DIGIT;
	return 1;
}

static int in_list(const struct wordlist *l, const char *f)
{
	for (size_t i = 0; i < l->n; i++) {
		/* The first byte rejects nearly all before a call: this runs for every list
		 * on the first words of every message. */
		if (l->w[i][0] == f[0] && strcmp(l->w[i], f) == 0)
			return 1;
	}
	return 0;
}

/*
 * The word at i and, when only spaces separate them, the word after it, for keywords
 * typed as two syllables ("tuan tra"). Returns 0 if no whole word starts at i; 1 if
 * only *a is set; 2 if *pair holds the two folded words joined and b->end their end.
 */
static int read_words(const char *s, size_t len, size_t i, struct word *a, struct word *b,
                      char *pair)
{
	size_t j, n;

	if (!read_word(s, len, i, a) || !a->ok || a->flen < 0)
		return 0;
	j = a->end;
	if (j >= len || class_at(s, len, j, &n) != TEXT_SPACE)
		return 1;
	while (j < len && class_at(s, len, j, &n) == TEXT_SPACE)
		j += n;
	if (!read_word(s, len, j, b) || !b->ok || b->flen < 0 ||
	    (size_t)(a->flen + b->flen) >= PARSE_WORD_MAX)
		return 1;
	memcpy(pair, a->f, (size_t)a->flen);
	memcpy(pair + a->flen, b->f, (size_t)b->flen + 1);
	return 2;
}

/* If the word (or pair of words) at i is in l, returns the offset after it, else 0. */
static size_t match_list(const char *s, size_t len, size_t i, const struct wordlist *l)
{
	struct word a, b;
	char pair[PARSE_WORD_MAX];
	int got = read_words(s, len, i, &a, &b, pair);

	if (got == 2 && in_list(l, pair))
		return b.end;
	if (got >= 1 && in_list(l, a.f))
		return a.end;
	return 0;
}

/* If the whole word at i folds to f, the offset after it, else 0. */
static size_t word_at(const char *s, size_t len, size_t i, const char *f)
{
	struct word w;

	if (read_word(s, len, i, &w) && w.ok && w.flen >= 0 && strcmp(w.f, f) == 0)
		return w.end;
	return 0;
}

/* Whether the folded word f is target, or an abbreviation of it alone ("ng" for "nguoi"). */
static int word_means(const struct parse_rules *r, const char *f, const char *target)
{
	if (strcmp(f, target) == 0)
		return 1;
	for (size_t a = 0; a < r->nabbr; a++) {
		if (r->abbr[a].exp.nwords == 1 && strcmp(r->abbr[a].word, f) == 0)
			return strcmp(r->abbr[a].exp.word[0], target) == 0;
	}
	return 0;
}

/* If the whole word at i is target or stands for it (word_means), the offset after it. */
static size_t word_at_means(const struct parse_rules *r, const char *s, size_t len, size_t i,
                            const char *target)
{
	struct word w;

	if (read_word(s, len, i, &w) && w.ok && w.flen >= 0 && word_means(r, w.f, target))
		return w.end;
	return 0;
}

/* The start of the next letter or digit at or after i (or len): what may stand between
 * the words of a lead-in. */
static size_t next_alnum(const char *s, size_t len, size_t i)
{
	size_t n;

	while (i < len) {
		enum text_class c = class_at(s, len, i, &n);

		if (c == TEXT_LETTER || c == TEXT_DIGIT)
			break;
		i += n;
	}
	return i;
}

static uint32_t hash_word(const char *f);

/*
 * If a lead-in phrase starts at i and ends before `below`, the offset after the longest
 * such one, else 0. The words of the text are read (and folded) only as far as some
 * phrase still needs them.
 */
static size_t match_lead_in(const struct parse_rules *r, const char *s, size_t len, size_t i,
                            size_t below)
{
	struct word w[PARSE_PHRASE_WORDS];
	uint32_t h[PARSE_PHRASE_WORDS], b;
	unsigned nw = 1;
	int more = 1; /* another word of the text may still be read */
	size_t best = 0;

	if (r->nlead == 0 || !read_word(s, len, i, &w[0]) || !w[0].ok || w[0].flen < 0)
		return 0;
	h[0] = hash_word(w[0].f);
	b = h[0] & (LEAD_BUCKETS - 1);
	for (size_t k = r->lead_at[b]; k < r->lead_at[b + 1]; k++) {
		const struct phrase *p = &r->lead[k];
		unsigned t;

		for (t = 0; t < p->nwords; t++) {
			if (t == nw) {
				size_t j = next_alnum(s, len, w[nw - 1].end);

				if (!more || !read_word(s, len, j, &w[nw]) || !w[nw].ok ||
				    w[nw].flen < 0) {
					more = 0;
					break;
				}
				h[nw] = hash_word(w[nw].f);
				nw++;
			}
			/* The hash first: the greetings make hundreds of lead-ins, most of
			 * them sharing a first letter with the word. */
			if (h[t] != p->hash[t] || strcmp(w[t].f, p->word[t]) != 0)
				break;
		}
		if (t == p->nwords && w[t - 1].end > best && w[t - 1].end < below)
			best = w[t - 1].end;
	}
	return best;
}

/*
 * Reads an ASCII number at i: digits, or 1-3 digits followed by groups of three after
 * the same '.' or ',' ("1.410"). Returns the offset after it, or 0 if there is none or it
 * runs into a letter. *val saturates just above PARSE_NUMBER_MAX, so it cannot overflow.
 */
static size_t read_digits(const char *s, size_t len, size_t i, long *val);

static size_t read_number(const char *s, size_t len, size_t i, long *val)
{
	size_t j = read_digits(s, len, i, val), n;

	if (j == 0 || is_alnum_class(class_at(s, len, j, &n)))
		return 0;
	return j;
}

/* read_number() without its last rule: the number may run into a letter ("6ng"). */
static size_t read_digits(const char *s, size_t len, size_t i, long *val)
{
	size_t j = i;
	long v = 0;
	char sep = 0;

	while (j < len && s[j] >= '0' && s[j] <= '9') {
		v = v * 10 + (s[j] - '0');
		if (v > PARSE_NUMBER_MAX)
			v = PARSE_NUMBER_MAX + 1;
		j++;
	}
	if (j == i)
		return 0;
	while (j - i <= 3 || sep != 0) {
		if (j + 3 >= len || (s[j] != '.' && s[j] != ',') || (sep != 0 && s[j] != sep))
			break;
		if (s[j + 1] < '0' || s[j + 1] > '9' || s[j + 2] < '0' || s[j + 2] > '9' ||
		    s[j + 3] < '0' || s[j + 3] > '9' ||
		    (j + 4 < len && s[j + 4] >= '0' && s[j + 4] <= '9'))
			break;
		sep = s[j];
		v = v * 1000 + (s[j + 1] - '0') * 100 + (s[j + 2] - '0') * 10 + (s[j + 3] - '0');
		if (v > PARSE_NUMBER_MAX)
			v = PARSE_NUMBER_MAX + 1;
		j += 4;
	}
	*val = v;
	return j;
}

/* ---- categories ---- */

static uint32_t hash_word(const char *f)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *f != '\0'; f++)
		h = (h ^ (unsigned char)*f) * 16777619u;
	return h;
}

static int code_category(const struct parse_rules *r, const char *f)
{
	for (int c = 0; c < r->ncat; c++) {
		if (in_list(&r->cat[c].codes, f))
			return c;
	}
	return -1;
}

/* Whether f is a one-word phrase of category c: a code that is also a word of the report. */
static int code_is_phrase(const struct parse_rules *r, int c, const char *f)
{
	for (size_t i = 0; i < r->nbase; i++) {
		const struct phrase *p = &r->base[i];

		if (p->category == c && p->nwords == 1 && strcmp(p->word[0], f) == 0)
			return 1;
	}
	return 0;
}

/*
 * The category of the phrase that starts earliest in [start, end): words are runs of
 * letters and digits, folded; the last PARSE_PHRASE_WORDS of them are kept in a ring.
 */
static int spot_category(const struct parse_rules *r, const char *s, size_t start, size_t end)
{
	struct {
		uint32_t hash;
		struct word w;
	} ring[PARSE_PHRASE_WORDS];
	size_t i = start, nw = 0, best_start = SIZE_MAX, b;
	unsigned best_n = 0;
	int best = -1;

	if (r->nphrase == 0)
		return -1;
	while (i < end) {
		uint32_t cp;
		size_t n = cp_at(s, end, i, &cp);
		enum text_class c = text_classify(cp);
		struct word *w;

		if (c != TEXT_LETTER && c != TEXT_DIGIT) {
			i += n;
			continue;
		}
		w = &ring[nw % PARSE_PHRASE_WORDS].w;
		w->start = i;
		w->flen = 0;
		w->f[0] = '\0';
		while (i < end) {
			n = cp_at(s, end, i, &cp);
			if (!is_alnum_class(text_classify(cp)))
				break;
			word_add(w, cp);
			i += n;
		}
		ring[nw % PARSE_PHRASE_WORDS].hash = w->flen < 0 ? 0 : hash_word(w->f);
		b = ring[nw % PARSE_PHRASE_WORDS].hash & (SPOT_BUCKETS - 1);
		for (uint32_t q = r->spot_at[b]; w->flen >= 0 && q < r->spot_at[b + 1]; q++) {
			size_t k = r->spot[q], first;
			const struct phrase *p;
			unsigned t;

			if (r->last_hash[k] != ring[nw % PARSE_PHRASE_WORDS].hash)
				continue;
			p = &r->phrase[k];
			if (p->nwords > nw + 1)
				continue;
			first = nw + 1 - p->nwords;
			for (t = 0; t < p->nwords; t++) {
				size_t slot = (first + t) % PARSE_PHRASE_WORDS;

				if (ring[slot].w.flen < 0 || ring[slot].hash != p->hash[t] ||
				    strcmp(ring[slot].w.f, p->word[t]) != 0)
					break;
			}
			if (t < p->nwords)
				continue;
			if (first < best_start || (first == best_start && p->nwords > best_n)) {
				best_start = first;
				best_n = p->nwords;
				best = p->category;
			}
		}
		nw++;
		/* A phrase found later would start later than the one we have. */
		if (best >= 0 && nw >= best_start + r->max_phrase_words)
			break;
	}
	return best;
}

/* ---- the commands ---- */

static void set_invalid(struct parse_result *out, enum parse_kind keyword, const char *error)
{
	char corrected[PARSE_WORD_MAX];

	/* Which keyword a slip was taken for explains the error: it is kept. */
	memcpy(corrected, out->corrected, sizeof(corrected));
	memset(out, 0, sizeof(*out));
	out->kind = PARSE_INVALID;
	out->keyword = keyword;
	out->error = error;
	out->category = -1;
	out->members = -1;
	out->participants = -1;
	out->sessions = -1;
	memcpy(out->corrected, corrected, sizeof(corrected));
}

/* The run of letters, marks and digits at i: its end (i when there is none). */
static size_t alnum_run(const char *s, size_t len, size_t i)
{
	size_t n;

	while (i < len && is_alnum_class(class_at(s, len, i, &n)))
		i += n;
	return i;
}

/*
 * The village a tip's text [start, end) names: what follows its first village word ("thon
 * 3", "thôn Đông", "thon3"), one run of letters and digits. Absent (len 0) when none does.
 */
static struct parse_span find_village(const struct parse_rules *r, const char *s, size_t start,
                                      size_t end)
{
	struct parse_span sp = {0, 0};
	int prev_alnum = 0;

	for (size_t j = start; j < end;) {
		size_t n, v, e;
		enum text_class c = class_at(s, end, j, &n);
		struct word w;

		if (c != TEXT_LETTER || prev_alnum || !read_word(s, end, j, &w)) {
			prev_alnum = is_alnum_class(c);
			j += n;
			continue;
		}
		prev_alnum = 1;
		j = w.end;
		if (w.flen < 0 || !in_list(&r->village, w.f))
			continue;
		/* "thon3": the digits follow the word; "thon 3": a separator first. */
		v = w.ok ? skip_seps(s, end, w.end) : w.end;
		e = alnum_run(s, end, v);
		if (e > v) {
			sp.off = v;
			sp.len = e - v;
			return sp;
		}
	}
	return sp;
}

static void parse_tip(const struct parse_rules *r, const char *s, size_t len, size_t i,
                      struct parse_result *out)
{
	struct word w;
	size_t e;

	i = skip_seps(s, len, i);
	e = match_list(s, len, i, &r->anonymous);
	if (e != 0) {
		out->anonymous = 1;
		i = skip_seps(s, len, e);
	}
	if (read_word(s, len, i, &w) && w.ok && w.flen >= 0) {
		int c = code_category(r, w.f);

		if (c >= 0) {
			size_t after = skip_seps(s, len, w.end);

			out->category = c;
			out->text = trim(s, code_is_phrase(r, c, w.f) ? i : after, len);
			if (out->text.len == 0) /* the code alone: it is the report */
				out->text = trim(s, i, w.end);
			out->village =
			    find_village(r, s, out->text.off, out->text.off + out->text.len);
			return;
		}
	}
	out->text = trim(s, i, len);
	if (out->text.len == 0) {
		set_invalid(out, PARSE_TIP, "missing text");
		return;
	}
	out->category = spot_category(r, s, out->text.off, out->text.off + out->text.len);
	out->village = find_village(r, s, out->text.off, out->text.off + out->text.len);
}

/*
 * Reads a run of letters, digits and marks (and '_' when allow_underscore) at i, folded
 * and uppercased into buf, which must come out as ASCII letters, digits and '_' only.
 * Returns the offset after it, or 0 if there is none, it is too long or not ASCII.
 */
static size_t read_code(const char *s, size_t len, size_t i, int allow_underscore, char *buf,
                        size_t bufsz)
{
	struct word w;
	size_t n;

	w.flen = 0;
	w.f[0] = '\0';
	while (i < len) {
		uint32_t cp;

		n = cp_at(s, len, i, &cp);
		if (!is_alnum_class(text_classify(cp)) && !(allow_underscore && cp == '_'))
			break;
		word_add(&w, cp);
		i += n;
	}
	if (w.flen <= 0 || (size_t)w.flen >= bufsz)
		return 0;
	/* Checked in w.f first: buf stays "" unless the whole code is good. */
	for (int k = 0; k < w.flen; k++) {
		char c = w.f[k];

		if (c >= 'a' && c <= 'z')
			w.f[k] = (char)(c - ('a' - 'A'));
		else if (!(c >= '0' && c <= '9') && c != '_')
			return 0;
	}
	memcpy(buf, w.f, (size_t)w.flen + 1);
	return i;
}

/*
 * The tip reference of BS and TT after the separators at i and an optional '#': a code
 * (read_code, into OUT->ref_buf) with a digit in it, set as OUT->ref. Its end, or 0 when there
 * is none; *START: where it was looked for.
 */
static size_t read_ref(const char *s, size_t len, size_t i, struct parse_result *out, size_t *start)
{
	size_t e;

	i = skip_seps(s, len, i);
	if (i < len && s[i] == '#')
		i++;
	*start = i;
	e = read_code(s, len, i, 0, out->ref_buf, sizeof(out->ref_buf));
	if (e == 0 || strpbrk(out->ref_buf, "0123456789") == NULL)
		return 0;
	out->ref.off = i;
	out->ref.len = e - i;
	return e;
}

static void parse_supplement(const char *s, size_t len, size_t i, struct parse_result *out)
{
	size_t start, e;

	if ((e = read_ref(s, len, i, out, &start)) == 0) {
		set_invalid(out, PARSE_SUPPLEMENT, "missing reference");
		return;
	}
	out->text = trim(s, e, len);
	if (out->text.len == 0)
		set_invalid(out, PARSE_SUPPLEMENT, "missing text");
}

/*
 * TT REF [-SECRET]: REF as for BS, the secret an anonymous tip's reference carries
 * ("T12-4821": four digits right after a '-'). 1 if read (or invalid: nothing but
 * punctuation follows TT), 0 if a word that is no reference follows: then TT is no command.
 */
static int parse_status(const char *s, size_t len, size_t i, struct parse_result *out)
{
	size_t start, e, n;

	if ((e = read_ref(s, len, i, out, &start)) == 0) {
		if (skip_seps(s, len, start) < len)
			return 0;
		set_invalid(out, PARSE_STATUS, "missing reference");
		return 1;
	}
	if (e + 5 <= len && s[e] == '-') {
		for (n = 1; n <= 4 && s[e + n] >= '0' && s[e + n] <= '9'; n++)
			;
		if (n == 5 && !is_alnum_class(class_at(s, len, e + 5, &n))) {
			out->secret.off = e + 1;
			out->secret.len = 4;
		}
	}
	return 1;
}

/* A team name at i: letters (folding to ASCII) then ASCII digits ("TQ3", "ANND2"). */
static size_t read_team(const char *s, size_t len, size_t i, char *buf, size_t bufsz)
{
	struct word w;
	size_t j, n;

	if (!read_word(s, len, i, &w) || w.flen <= 0)
		return 0;
	j = w.end;
	while (j < len && s[j] >= '0' && s[j] <= '9')
		j++;
	if (j == w.end || is_alnum_class(class_at(s, len, j, &n)))
		return 0;
	if ((size_t)w.flen + (j - w.end) >= bufsz)
		return 0;
	/* All checks before the first write: a letter that folds to non-ASCII ("ɂ") must
	 * leave buf "" (a fuzzer found team_buf half-filled with no team). */
	for (int k = 0; k < w.flen; k++) {
		if (w.f[k] < 'a' || w.f[k] > 'z')
			return 0;
	}
	for (int k = 0; k < w.flen; k++)
		buf[k] = (char)(w.f[k] - ('a' - 'A'));
	memcpy(buf + w.flen, s + w.end, j - w.end);
	buf[(size_t)w.flen + (j - w.end)] = '\0';
	return j;
}

enum unit { UNIT_NONE, UNIT_SESSIONS, UNIT_PARTICIPANTS };

/* The unit at i (DOT, BUOI; LUOT, NGUOI, LUOT NGUOI with an optional THAM GIA, the words
 * separated by spaces only; abbreviations of one of these words too: "ng"); *end is set
 * after it. *members is set when its first word is NGUOI (what a patrol counts). */
static enum unit read_unit(const struct parse_rules *r, const char *s, size_t len, size_t i,
                           size_t *end, int *members)
{
	size_t e, t;

	*members = 0;
	if ((e = word_at_means(r, s, len, i, "dot")) != 0 ||
	    (e = word_at_means(r, s, len, i, "buoi")) != 0) {
		*end = e;
		return UNIT_SESSIONS;
	}
	if ((e = word_at_means(r, s, len, i, "luot")) != 0) {
		if ((t = word_at_means(r, s, len, skip_spaces(s, len, e), "nguoi")) != 0)
			e = t;
	} else if ((e = word_at_means(r, s, len, i, "nguoi")) != 0) {
		*members = 1;
	} else {
		return UNIT_NONE;
	}
	if ((t = word_at(s, len, skip_spaces(s, len, e), "tham")) != 0 &&
	    (t = word_at(s, len, skip_spaces(s, len, t), "gia")) != 0)
		e = t;
	*end = e;
	return UNIT_PARTICIPANTS;
}

/*
 * A figure at i: a number, then its unit after spaces ("6 nguoi") or glued to it ("6ng",
 * "15dot"). A number glued to any other letters is none. Returns the offset after the
 * number (0 if there is none) and sets *val, *u (UNIT_NONE for a bare number), *uend after
 * the unit and *members as read_unit() does.
 */
static size_t read_figure(const struct parse_rules *r, const char *s, size_t len, size_t i,
                          long *val, enum unit *u, size_t *uend, int *members)
{
	size_t j = read_digits(s, len, i, val), n;
	enum text_class c;

	if (j == 0)
		return 0;
	c = class_at(s, len, j, &n);
	if (c == TEXT_LETTER) {
		*u = read_unit(r, s, len, j, uend, members);
		return *u == UNIT_NONE ? 0 : j;
	}
	if (is_alnum_class(c))
		return 0;
	*u = read_unit(r, s, len, skip_spaces(s, len, j), uend, members);
	if (*u == UNIT_NONE) {
		*uend = j;
		*members = 0;
	}
	return j;
}

/*
 * The first figure in [start, end) with unit want (for UNIT_PARTICIPANTS and members set:
 * NGUOI only, as a patrol counts): a number starting a token. Sets *val; 1 if found.
 */
static int find_figure(const struct parse_rules *r, const char *s, size_t start, size_t end,
                       enum unit want, int members, long *val)
{
	int prev_alnum = 0;

	for (size_t j = start; j < end;) {
		size_t n;
		enum text_class c = class_at(s, end, j, &n);

		if (c == TEXT_DIGIT && !prev_alnum) {
			long v;
			size_t ue;
			enum unit u;
			int m;

			if (read_figure(r, s, end, j, &v, &u, &ue, &m) != 0 && u == want &&
			    (!members || m)) {
				*val = v;
				return 1;
			}
		}
		prev_alnum = is_alnum_class(c);
		j += n;
	}
	return 0;
}

/* A team's name before a patrol word: "to 3", "to tu quan thon 3" (to tu quan [thon] N).
 * The offset after the number, or 0. */
static size_t read_team_words(const char *s, size_t len, size_t i)
{
	size_t e = word_at(s, len, i, "to"), t;
	long v;

	if (e == 0)
		return 0;
	i = skip_seps(s, len, e);
	if ((e = word_at(s, len, i, "tu")) != 0 &&
	    (t = word_at(s, len, skip_spaces(s, len, e), "quan")) != 0)
		i = skip_seps(s, len, t);
	if ((e = word_at(s, len, i, "thon")) != 0)
		i = skip_seps(s, len, e);
	return read_number(s, len, i, &v);
}

/* After the patrol command's words: the team (unless one came before), the members of a
 * start (a number right there, else the first "N nguoi" of the text) and the text. */
static void patrol_tail(const struct parse_rules *r, const char *s, size_t len, size_t i,
                        struct parse_result *out)
{
	size_t e, ue;
	long v;
	enum unit u;
	int m;

	i = skip_seps(s, len, i);
	if (out->team.len == 0 &&
	    (e = read_team(s, len, i, out->team_buf, sizeof(out->team_buf))) != 0) {
		out->team.off = i;
		out->team.len = e - i;
		i = skip_seps(s, len, e);
	}
	/* A number right after is the members whatever follows it ("5 nguoi", "5 di tuan");
	 * glued to a word, only to NGUOI ("6ng"). The unit word stays in the text. */
	if (out->kind == PARSE_PATROL_START &&
	    (e = read_figure(r, s, len, i, &v, &u, &ue, &m)) != 0 &&
	    (m || class_at(s, len, e, &ue) != TEXT_LETTER)) {
		if (v > PARSE_NUMBER_MAX) {
			set_invalid(out, PARSE_PATROL_START, "number too large");
			return;
		}
		out->members = v;
		i = e;
	}
	out->text = trim(s, i, len);
	if (out->kind == PARSE_PATROL_START && out->members < 0 && out->text.len != 0 &&
	    find_figure(r, s, out->text.off, out->text.off + out->text.len, UNIT_PARTICIPANTS, 1,
	                &v)) {
		if (v > PARSE_NUMBER_MAX) {
			set_invalid(out, PARSE_PATROL_START, "number too large");
			return;
		}
		out->members = v;
	}
}

/* After a patrol word: [TRA] then the start or end word, then patrol_tail(). */
static void parse_patrol(const struct parse_rules *r, const char *s, size_t len, size_t i,
                         struct parse_result *out)
{
	struct word w;
	size_t e;

	i = skip_seps(s, len, i);
	/* "tuan tra bd": TRA is the second syllable of "tuần tra" (patrol). */
	if (read_word(s, len, i, &w) && w.ok && w.flen >= 0 && strcmp(w.f, "tra") == 0)
		i = skip_seps(s, len, w.end);
	if ((e = match_list(s, len, i, &r->kw[PARSE_PATROL_START])) != 0) {
		out->kind = PARSE_PATROL_START;
	} else if ((e = match_list(s, len, i, &r->kw[PARSE_PATROL_END])) != 0) {
		out->kind = PARSE_PATROL_END;
	} else {
		set_invalid(out, PARSE_PATROL_START, "missing start or end word");
		return;
	}
	patrol_tail(r, s, len, e, out);
}

/*
 * A patrol in the leaders' word order at i: [TEAM] START|END PATROL or TEAM PATROL (the
 * start or end word then follows as usual). TEAM is a team code (kept in out) or "to N".
 * Returns the offset after the patrol word and sets *kind to the start or end when its
 * word came first, PARSE_UNKNOWN when parse_patrol() is to read it; 0 if there is none.
 */
static size_t natural_patrol(const struct parse_rules *r, const char *s, size_t len, size_t i,
                             enum parse_kind *kind, struct parse_result *out)
{
	char team[sizeof(out->team_buf)] = "";
	size_t j = i, e, team_end = 0;
	struct word w;

	if ((e = read_team(s, len, i, team, sizeof(team))) != 0 ||
	    (e = read_team_words(s, len, i)) != 0) {
		team_end = e;
		j = skip_seps(s, len, e);
	}
	*kind = PARSE_UNKNOWN;
	if ((e = match_list(s, len, j, &r->kw[PARSE_PATROL_START])) != 0)
		*kind = PARSE_PATROL_START;
	else if ((e = match_list(s, len, j, &r->kw[PARSE_PATROL_END])) != 0)
		*kind = PARSE_PATROL_END;
	if (*kind != PARSE_UNKNOWN) {
		j = skip_seps(s, len, e);
		if ((e = match_list(s, len, j, &r->patrol)) == 0)
			return 0;
		/* "bat dau tuan tra": TRA after a patrol word TUAN */
		if (read_word(s, len, skip_seps(s, len, e), &w) && w.ok && w.flen >= 0 &&
		    strcmp(w.f, "tra") == 0)
			e = w.end;
	} else if (team_end == 0 || (e = match_list(s, len, j, &r->patrol)) == 0) {
		return 0;
	}
	if (team[0] != '\0') {
		memcpy(out->team_buf, team, sizeof(team));
		out->team.off = i;
		out->team.len = team_end - i;
	}
	return e;
}

/*
 * TTPL: numbers each read with the unit after it (read_unit): "15 dot / 1.410 luot nguoi". A
 * bare number is the participants right after the keyword ("TTPL 40"), or right after the
 * sessions ("TTPL 3 buoi 240", the short form officers write); anywhere later it is more
 * likely a date or a village than a figure. A figure still missing then is the first number
 * with its unit anywhere in the rest ("... tai thon 4 duoc 80 nguoi").
 */
static void parse_awareness(const struct parse_rules *r, const char *s, size_t len, size_t i,
                            struct parse_result *out)
{
	long sessions = -1, participants = -1;
	enum unit prev = UNIT_NONE;
	int first = 1;

	i = skip_seps(s, len, i);
	for (;;) {
		size_t e, uend = 0;
		long v, *figure;
		enum unit u;
		int m;

		e = read_figure(r, s, len, i, &v, &u, &uend, &m);
		if (e == 0)
			break;
		/* A bare number is the participants only right after the keyword: later it
		 * is more likely a date or a village ("thon 3") than a figure. */
		if (u == UNIT_NONE && !first && prev != UNIT_SESSIONS)
			break;
		figure = u == UNIT_SESSIONS ? &sessions : &participants;
		if (*figure >= 0)
			break;
		if (v > PARSE_NUMBER_MAX) {
			set_invalid(out, PARSE_AWARENESS, "number too large");
			return;
		}
		*figure = v;
		i = skip_seps(s, len, uend);
		first = 0;
		prev = u;
	}
	if ((participants < 0 && find_figure(r, s, i, len, UNIT_PARTICIPANTS, 0, &participants) &&
	     participants > PARSE_NUMBER_MAX) ||
	    (sessions < 0 && find_figure(r, s, i, len, UNIT_SESSIONS, 0, &sessions) &&
	     sessions > PARSE_NUMBER_MAX)) {
		set_invalid(out, PARSE_AWARENESS, "number too large");
		return;
	}
	if (sessions == 0) {
		set_invalid(out, PARSE_AWARENESS, "zero sessions");
		return;
	}
	if (participants < 0) {
		set_invalid(out, PARSE_AWARENESS, "missing participants");
		return;
	}
	out->participants = participants;
	out->sessions = sessions < 0 ? 1 : sessions;
	out->text = trim(s, i, len);
}

static void parse_register(const struct parse_rules *r, const char *s, size_t len, size_t i,
                           struct parse_result *out)
{
	size_t vstart = SIZE_MAX, vend = 0;
	int prev_alnum = 0;

	i = skip_seps(s, len, i);
	/* "DK ten Nguyen Van A", "DK ho ten: ...": the word for "name" is no part of it. */
	{
		size_t e = word_at(s, len, i, "ho"), t;

		t = word_at(s, len, e != 0 ? skip_spaces(s, len, e) : i, "ten");
		if (t != 0 && trim(s, t, len).len != 0)
			i = skip_seps(s, len, t);
	}
	/* The village word is the last whole word in the list; "thon3" counts too. */
	for (size_t j = i; j < len;) {
		uint32_t cp;
		size_t n = cp_at(s, len, j, &cp);
		enum text_class c = text_classify(cp);
		struct word w;

		if (c == TEXT_LETTER && !prev_alnum && read_word(s, len, j, &w)) {
			if (w.flen >= 0 && in_list(&r->village, w.f)) {
				vstart = w.start;
				vend = w.end;
			}
			j = w.end;
			prev_alnum = 1;
			continue;
		}
		prev_alnum = is_alnum_class(c);
		j += n;
	}
	if (vstart != SIZE_MAX) {
		out->name = trim(s, i, vstart);
		out->village = trim(s, vend, len);
	} else {
		out->name = trim(s, i, len);
	}
	if (out->name.len == 0)
		set_invalid(out, PARSE_REGISTER, "missing name");
}

/*
 * The PIN of TB and BC (KEYWORD) after the separators at i: 1..15 ASCII digits not running
 * into a letter, into OUT->pin. Its end, or 0 with OUT invalid ("missing pin").
 */
static size_t read_pin(const char *s, size_t len, size_t i, enum parse_kind keyword,
                       struct parse_result *out)
{
	size_t e, n;

	i = skip_seps(s, len, i);
	e = i;
	while (e < len && s[e] >= '0' && s[e] <= '9')
		e++;
	if (e == i || e - i > 15 || is_alnum_class(class_at(s, len, e, &n))) {
		set_invalid(out, keyword, "missing pin");
		return 0;
	}
	out->pin.off = i;
	out->pin.len = e - i;
	return e;
}

static void parse_broadcast(const char *s, size_t len, size_t i, struct parse_result *out)
{
	size_t e;

	if ((e = read_pin(s, len, i, PARSE_BROADCAST, out)) == 0)
		return;
	i = skip_seps(s, len, e);
	e = read_code(s, len, i, 1, out->group_buf, sizeof(out->group_buf));
	if (e == 0) {
		set_invalid(out, PARSE_BROADCAST, "missing group");
		return;
	}
	out->group.off = i;
	out->group.len = e - i;
	out->text = trim(s, e, len);
	if (out->text.len == 0)
		set_invalid(out, PARSE_BROADCAST, "missing text");
}

/* The period words of BC, folded. */
static const struct {
	const char *word;
	enum parse_period period;
} period_words[] = {
    {"thang", PARSE_PERIOD_MONTH},
    {"month", PARSE_PERIOD_MONTH},
    {"tuan", PARSE_PERIOD_WEEK},
    {"week", PARSE_PERIOD_WEEK},
};

static void parse_report(const char *s, size_t len, size_t i, struct parse_result *out)
{
	struct word w;
	size_t e;

	if ((e = read_pin(s, len, i, PARSE_REPORT, out)) == 0)
		return;
	out->period = PARSE_PERIOD_MONTH;
	i = skip_seps(s, len, e);
	if (i == len)
		return;
	if (read_word(s, len, i, &w) && w.ok && w.flen >= 0 && skip_seps(s, len, w.end) == len) {
		for (size_t k = 0; k < sizeof period_words / sizeof period_words[0]; k++) {
			if (strcmp(w.f, period_words[k].word) == 0) {
				out->period = period_words[k].period;
				return;
			}
		}
	}
	set_invalid(out, PARSE_REPORT, "unknown period");
}

/* The command lists in the order they are tried; the patrol words stand for both kinds. */
static const struct wordlist *command_list(const struct parse_rules *r, enum parse_kind k)
{
	if (k == PARSE_PATROL_START)
		return &r->patrol;
	if (k == PARSE_PATROL_END)
		return NULL;
	return &r->kw[k];
}

/* The command whose keyword (or pair of words) is at i; *end is set after it. */
static enum parse_kind match_command(const struct parse_rules *r, const char *s, size_t len,
                                     size_t i, size_t *end)
{
	struct word a, b;
	char pair[PARSE_WORD_MAX];
	int got = read_words(s, len, i, &a, &b, pair);

	if (got == 2) {
		for (int k = PARSE_TIP; k < PARSE_KIND_COUNT; k++) {
			const struct wordlist *l = command_list(r, (enum parse_kind)k);

			if (l != NULL && in_list(l, pair)) {
				*end = b.end;
				return (enum parse_kind)k;
			}
		}
	}
	if (got >= 1) {
		for (int k = PARSE_TIP; k < PARSE_KIND_COUNT; k++) {
			const struct wordlist *l = command_list(r, (enum parse_kind)k);

			if (l != NULL && in_list(l, a.f)) {
				*end = a.end;
				return (enum parse_kind)k;
			}
		}
	}
	return PARSE_UNKNOWN;
}

/*
 * Whether the folded word f (fl bytes) becomes kw (kl bytes) by undoing one slip: two
 * adjacent letters swapped ("tni"), or one letter typed twice ("tiin", "tinn").
 */
static int one_slip(const char *f, size_t fl, const char *kw, size_t kl)
{
	size_t p = 0;

	while (p < kl && f[p] == kw[p])
		p++;
	if (fl == kl)
		return p + 1 < kl && f[p] == kw[p + 1] && f[p + 1] == kw[p] &&
		       strcmp(f + p + 2, kw + p + 2) == 0;
	if (fl == kl + 1) /* f[p] is the extra letter: it must repeat a neighbour */
		return ((p > 0 && f[p] == f[p - 1]) || f[p] == f[p + 1]) &&
		       strcmp(f + p + 1, kw + p) == 0;
	return 0;
}

/*
 * The command of the one keyword (of 3 letters or more) the word a becomes by undoing one
 * slip; *kw is set to it (owned by the rules). PARSE_UNKNOWN if none or more than one.
 * Runs only for a first word that matched nothing, so a loop over every keyword is cheap.
 */
static enum parse_kind match_slip(const struct parse_rules *r, const struct word *a,
                                  const char **kw)
{
	enum parse_kind found = PARSE_UNKNOWN;
	size_t fl = (size_t)a->flen;

	if (a->flen < 3)
		return PARSE_UNKNOWN;
	for (size_t k = 0; k < fl; k++) {
		if ((unsigned char)a->f[k] >= 0x80)
			return PARSE_UNKNOWN;
	}
	for (int k = PARSE_TIP; k < PARSE_KIND_COUNT; k++) {
		const struct wordlist *l = command_list(r, (enum parse_kind)k);

		for (size_t i = 0; l != NULL && i < l->n; i++) {
			size_t kl = strlen(l->w[i]);

			if (kl < 3 || (fl != kl && fl != kl + 1) ||
			    !one_slip(a->f, fl, l->w[i], kl))
				continue;
			if (found != PARSE_UNKNOWN && strcmp(*kw, l->w[i]) != 0)
				return PARSE_UNKNOWN; /* two keywords could be meant */
			found = (enum parse_kind)k;
			*kw = l->w[i];
		}
	}
	return found;
}

/* Past leading spaces and punctuation from i; 1 if a "?" standing alone (the help word
 * when configured) came first. */
static int skip_lead_punct(const struct parse_rules *r, const char *s, size_t len, size_t *i)
{
	while (*i < len) {
		size_t n;
		enum text_class c = class_at(s, len, *i, &n);

		if (c == TEXT_LETTER || c == TEXT_DIGIT)
			break;
		if (s[*i] == '?' && in_list(&r->kw[PARSE_HELP], "?") &&
		    !is_alnum_class(class_at(s, len, *i + 1, &n)))
			return 1;
		*i += n;
	}
	return 0;
}

/* Whether what follows a lead-in ending at i is the end, a keyword (exact or by one
 * slip) or another lead-in. */
static int leads_on(const struct parse_rules *r, const char *s, size_t len, size_t i)
{
	size_t end;
	struct word a;
	const char *kw;
	enum parse_kind k;
	struct parse_result tmp; /* natural_patrol() may write its team: not kept */

	if (skip_lead_punct(r, s, len, &i) || i >= len)
		return 1;
	if (match_command(r, s, len, i, &end) != PARSE_UNKNOWN ||
	    match_lead_in(r, s, len, i, SIZE_MAX) != 0 || natural_patrol(r, s, len, i, &k, &tmp))
		return 1;
	return read_word(s, len, i, &a) && a.ok && match_slip(r, &a, &kw) != PARSE_UNKNOWN;
}

/*
 * The command at i after any lead-ins, exactly or by one slip (out->corrected then), or a
 * patrol in the leaders' word order: then *patrol is its kind when its start or end word
 * came first (else PARSE_UNKNOWN), and a team code before it is in out.
 */
static enum parse_kind find_command(const struct parse_rules *r, const char *s, size_t len,
                                    size_t i, size_t *end, struct parse_result *out,
                                    enum parse_kind *patrol)
{
	*patrol = PARSE_UNKNOWN;
	for (;;) {
		enum parse_kind k;
		size_t e, longest;
		struct word a;
		const char *kw = NULL;

		if (skip_lead_punct(r, s, len, &i))
			return PARSE_HELP;
		if (i >= len)
			return PARSE_UNKNOWN;
		if ((k = match_command(r, s, len, i, end)) != PARSE_UNKNOWN)
			return k;
		if ((e = natural_patrol(r, s, len, i, patrol, out)) != 0) {
			*end = e;
			return PARSE_PATROL_START;
		}
		if (r->nlead > 0 && (longest = match_lead_in(r, s, len, i, SIZE_MAX)) != 0) {
			/* The longest lead-in here, unless only a shorter one leads on: "kinh
			 * gui: cong an xa oi, TIN" is KINH GUI, then CONG AN XA OI. */
			for (e = longest; e != 0 && !leads_on(r, s, len, e);)
				e = match_lead_in(r, s, len, i, e);
			i = e != 0 ? e : longest;
			continue;
		}
		if (!read_word(s, len, i, &a) || !a.ok ||
		    (k = match_slip(r, &a, &kw)) == PARSE_UNKNOWN)
			return PARSE_UNKNOWN;
		for (size_t c = 0; kw[c] != '\0'; c++)
			out->corrected[c] =
			    (char)(kw[c] >= 'a' && kw[c] <= 'z' ? kw[c] - ('a' - 'A') : kw[c]);
		*end = a.end;
		return k;
	}
}

static void result_init(struct parse_result *out)
{
	memset(out, 0, sizeof(*out));
	out->category = -1;
	out->members = -1;
	out->participants = -1;
	out->sessions = -1;
}

/* A message that is no command: its whole text, category and village. */
static void unknown(const struct parse_rules *r, const char *s, size_t len,
                    struct parse_result *out)
{
	out->kind = PARSE_UNKNOWN;
	out->text = trim(s, 0, len);
	if (out->text.len != 0) {
		out->category = spot_category(r, s, out->text.off, out->text.off + out->text.len);
		out->village = find_village(r, s, out->text.off, out->text.off + out->text.len);
	}
}

void parse_message(const struct parse_rules *r, const char *s, size_t len, struct parse_result *out)
{
	enum parse_kind k, patrol;
	size_t end = 0;

	result_init(out);
	if (s == NULL)
		len = 0;

	k = find_command(r, s, len, 0, &end, out, &patrol);
	out->kind = k;
	switch (k) {
	case PARSE_TIP:
		parse_tip(r, s, len, end, out);
		break;
	case PARSE_SUPPLEMENT:
		parse_supplement(s, len, end, out);
		break;
	case PARSE_PATROL_START:
		if (patrol != PARSE_UNKNOWN) {
			out->kind = patrol;
			patrol_tail(r, s, len, end, out);
		} else {
			parse_patrol(r, s, len, end, out);
		}
		break;
	case PARSE_AWARENESS:
		parse_awareness(r, s, len, end, out);
		break;
	case PARSE_STATUS:
		if (parse_status(s, len, end, out))
			break;
		/* "Tình trạng an ninh ...": a word, not the command */
		result_init(out);
		unknown(r, s, len, out);
		break;
	case PARSE_MEDIATION:
		out->text = trim(s, end, len);
		if (out->text.len == 0)
			set_invalid(out, PARSE_MEDIATION, "missing text");
		break;
	case PARSE_REGISTER:
		parse_register(r, s, len, end, out);
		break;
	case PARSE_OPTOUT:
	case PARSE_HELP:
		break;
	case PARSE_BROADCAST:
		parse_broadcast(s, len, end, out);
		break;
	case PARSE_REPORT:
		parse_report(s, len, end, out);
		break;
	default:
		unknown(r, s, len, out);
		break;
	}
}

/* ---- JSON ---- */

static void json_span(struct json *j, const char *key, const char *s, size_t len,
                      struct parse_span sp)
{
	if (sp.len == 0 || sp.off > len || sp.len > len - sp.off)
		return;
	json_key_strn(j, key, s + sp.off, sp.len);
}

void parse_print_json(const struct parse_rules *r, const char *text, size_t len,
                      const struct parse_result *res, FILE *f)
{
	struct json j;

	json_begin(&j, f);
	json_key_str(&j, "kind", parse_kind_name(res->kind));
	if (res->corrected[0] != '\0')
		json_key_str(&j, "corrected", res->corrected);
	if (res->kind == PARSE_TIP || res->kind == PARSE_UNKNOWN)
		json_key_str(&j, "category", parse_category_name(r, res->category));
	if (res->kind == PARSE_TIP)
		json_key_bool(&j, "anonymous", res->anonymous);
	json_span(&j, "text", text, len, res->text);
	if (res->team.len != 0)
		json_key_str(&j, "team", res->team_buf);
	if (res->members >= 0)
		json_key_int(&j, "members", res->members);
	if (res->participants >= 0)
		json_key_int(&j, "participants", res->participants);
	if (res->sessions >= 0)
		json_key_int(&j, "sessions", res->sessions);
	json_span(&j, "name", text, len, res->name);
	json_span(&j, "village", text, len, res->village);
	json_span(&j, "pin", text, len, res->pin);
	if (res->group.len != 0)
		json_key_str(&j, "group", res->group_buf);
	if (res->ref.len != 0)
		json_key_str(&j, "ref", res->ref_buf);
	json_span(&j, "secret", text, len, res->secret);
	if (res->period != PARSE_PERIOD_NONE)
		json_key_str(&j, "period", res->period == PARSE_PERIOD_WEEK ? "week" : "month");
	if (res->kind == PARSE_INVALID) {
		json_key_str(&j, "keyword", parse_kind_name(res->keyword));
		json_key_str(&j, "error", res->error);
	}
	json_end(&j);
}

/* ---- rules ---- */

/*
 * Folds a configured keyword or code into out: letters (and their marks) only, or "?"
 * when allow_question. Returns 0, or -1 if it is empty, has anything else or is too long.
 */
static int fold_keyword(const char *word, int allow_question, char *out)
{
	struct word w;
	size_t len;

	if (word == NULL)
		return -1;
	len = strlen(word);
	if (allow_question && strcmp(word, "?") == 0) {
		memcpy(out, "?", 2);
		return 0;
	}
	if (!read_word(word, len, 0, &w) || w.end != len || w.flen <= 0)
		return -1;
	memcpy(out, w.f, (size_t)w.flen + 1);
	return 0;
}

/* Builds a new list from words into *l, freeing the old one only on success. */
static int set_list(struct wordlist *l, const char *const *words, size_t n, int allow_question)
{
	char(*w)[PARSE_WORD_MAX] = NULL;

	if (words == NULL || n == 0 || n > SIZE_MAX / PARSE_WORD_MAX)
		return -1;
	w = calloc(n, PARSE_WORD_MAX);
	if (w == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (fold_keyword(words[i], allow_question, w[i]) < 0)
			goto fail;
	}
	free(l->w);
	l->w = w;
	l->n = n;
	return 0;
fail:
	free(w);
	return -1;
}

int parse_rules_set_keywords(struct parse_rules *r, enum parse_kind kind, const char *const *words,
                             size_t n)
{
	if (r == NULL || kind <= PARSE_INVALID || kind >= PARSE_KIND_COUNT)
		return -1;
	return set_list(&r->kw[kind], words, n, kind == PARSE_HELP);
}

int parse_rules_set_patrol_words(struct parse_rules *r, const char *const *words, size_t n)
{
	return r == NULL ? -1 : set_list(&r->patrol, words, n, 0);
}

int parse_rules_set_anonymous_words(struct parse_rules *r, const char *const *words, size_t n)
{
	return r == NULL ? -1 : set_list(&r->anonymous, words, n, 0);
}

int parse_rules_set_village_words(struct parse_rules *r, const char *const *words, size_t n)
{
	return r == NULL ? -1 : set_list(&r->village, words, n, 0);
}

static int fold_phrase(const char *text, struct phrase *p);

/*
 * The abbreviated forms of p from t on, cur holding the words chosen before t: at each word
 * either the word itself or an abbreviation whose expansion the words from there are.
 * Writes those with at least one abbreviation (changed) to out[n..] while n < VARIANTS_MAX
 * (out may be NULL to count); returns the new n.
 */
static size_t variants_from(const struct parse_rules *r, const struct phrase *p, unsigned t,
                            struct phrase *cur, int changed, struct phrase *out, size_t n)
{
	if (n >= VARIANTS_MAX)
		return n;
	if (t == p->nwords) {
		if (changed && out != NULL) {
			out[n] = *cur;
			out[n].category = p->category;
			for (unsigned k = 0; k < cur->nwords; k++)
				out[n].hash[k] = hash_word(cur->word[k]);
		}
		return changed ? n + 1 : n;
	}
	memcpy(cur->word[cur->nwords++], p->word[t], PARSE_WORD_MAX);
	n = variants_from(r, p, t + 1, cur, changed, out, n);
	cur->nwords--;
	for (size_t a = 0; a < r->nabbr; a++) {
		const struct phrase *e = &r->abbr[a].exp;
		unsigned k;

		if (t + e->nwords > p->nwords)
			continue;
		for (k = 0; k < e->nwords && strcmp(e->word[k], p->word[t + k]) == 0; k++)
			;
		if (k < e->nwords)
			continue;
		memcpy(cur->word[cur->nwords++], r->abbr[a].word, PARSE_WORD_MAX);
		n = variants_from(r, p, t + e->nwords, cur, 1, out, n);
		cur->nwords--;
	}
	return n;
}

/* The abbreviated forms of p into out (NULL: only counted); how many. */
static size_t variants(const struct parse_rules *r, const struct phrase *p, struct phrase *out)
{
	struct phrase cur;

	cur.nwords = 0;
	return variants_from(r, p, 0, &cur, 0, out, 0);
}

/*
 * The phrases to match for base[0..n): each followed by its abbreviated forms, in a new
 * array the caller frees (*out NULL when there are none). 0, or -1 when out of memory.
 */
static int expand_phrases(const struct parse_rules *r, const struct phrase *base, size_t n,
                          struct phrase **out, size_t *nout)
{
	size_t total = 0, k = 0;
	struct phrase *p;

	for (size_t i = 0; i < n; i++)
		total += 1 + variants(r, &base[i], NULL);
	*out = NULL;
	*nout = 0;
	if (total == 0)
		return 0;
	if (total > SIZE_MAX / sizeof(*p) || (p = calloc(total, sizeof(*p))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		p[k++] = base[i];
		k += variants(r, &base[i], p + k);
	}
	*out = p;
	*nout = total;
	return 0;
}

static int lead_bucket_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct phrase *)a)->hash[0] & (LEAD_BUCKETS - 1);
	uint32_t y = ((const struct phrase *)b)->hash[0] & (LEAD_BUCKETS - 1);

	return (x > y) - (x < y);
}

/* Makes p[0..n) (sorted here by bucket) the lead-ins matched, freeing the old ones. */
static void install_leads(struct parse_rules *r, struct phrase *p, size_t n)
{
	if (n > 0)
		qsort(p, n, sizeof(*p), lead_bucket_cmp);
	memset(r->lead_at, 0, sizeof(r->lead_at));
	for (size_t k = 0; k < n; k++)
		r->lead_at[(p[k].hash[0] & (LEAD_BUCKETS - 1)) + 1]++;
	for (size_t b = 0; b < LEAD_BUCKETS; b++)
		r->lead_at[b + 1] += r->lead_at[b];
	free(r->lead);
	r->lead = p;
	r->nlead = n;
}

/* The lead-ins as matched, from r->lead_base and r->abbr. 0, or -1 (nothing changed). */
static int rebuild_leads(struct parse_rules *r)
{
	struct phrase *p;
	size_t n;

	if (expand_phrases(r, r->lead_base, r->nlead_base, &p, &n) < 0)
		return -1;
	install_leads(r, p, n);
	return 0;
}

int parse_rules_set_lead_ins(struct parse_rules *r, const char *const *phrases, size_t n)
{
	struct phrase *p = NULL, *old_base;
	size_t old_n;

	if (r == NULL || (n > 0 && phrases == NULL) || n > SIZE_MAX / sizeof(*p))
		return -1;
	if (n > 0 && (p = calloc(n, sizeof(*p))) == NULL)
		return -1;
	for (size_t k = 0; k < n; k++) {
		if (fold_phrase(phrases[k], &p[k]) < 0)
			goto fail;
		/* Matched as words of letters: a digit could never match. */
		for (unsigned t = 0; t < p[k].nwords; t++) {
			if (strpbrk(p[k].word[t], "0123456789") != NULL)
				goto fail;
		}
	}
	old_base = r->lead_base;
	old_n = r->nlead_base;
	r->lead_base = p;
	r->nlead_base = n;
	if (rebuild_leads(r) < 0) {
		r->lead_base = old_base;
		r->nlead_base = old_n;
		goto fail;
	}
	free(old_base);
	return 0;
fail:
	free(p);
	return -1;
}

static int lists_share(const struct wordlist *a, const struct wordlist *b, char *buf, size_t bufsz)
{
	for (size_t i = 0; i < a->n; i++) {
		if (!in_list(b, a->w[i]))
			continue;
		if (bufsz > 0) {
			size_t k;

			for (k = 0; k + 1 < bufsz && a->w[i][k] != '\0'; k++) {
				char c = a->w[i][k];

				buf[k] = c >= 'a' && c <= 'z' ? (char)(c - ('a' - 'A')) : c;
			}
			buf[k] = '\0';
		}
		return 1;
	}
	return 0;
}

int parse_rules_conflict(const struct parse_rules *r, char *buf, size_t bufsz)
{
	for (int a = PARSE_TIP; a < PARSE_KIND_COUNT; a++) {
		for (int b = a + 1; b < PARSE_KIND_COUNT; b++) {
			const struct wordlist *la = command_list(r, (enum parse_kind)a);
			const struct wordlist *lb = command_list(r, (enum parse_kind)b);

			if (la != NULL && lb != NULL && lists_share(la, lb, buf, bufsz))
				return 1;
		}
	}
	return lists_share(&r->kw[PARSE_PATROL_START], &r->kw[PARSE_PATROL_END], buf, bufsz);
}

/* Folds a phrase into words of letters and digits. Returns 0, or -1 if it is not 1..8
 * words of less than PARSE_WORD_MAX bytes each. */
static int fold_phrase(const char *text, struct phrase *p)
{
	size_t len, i = 0;

	if (text == NULL)
		return -1;
	len = strlen(text);
	p->nwords = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = cp_at(text, len, i, &cp);
		enum text_class c = text_classify(cp);
		struct word w;

		if (c != TEXT_LETTER && c != TEXT_DIGIT) {
			if (c != TEXT_SPACE && c != TEXT_OTHER)
				return -1; /* a stray mark */
			i += n;
			continue;
		}
		if (p->nwords == PARSE_PHRASE_WORDS)
			return -1;
		w.flen = 0;
		w.f[0] = '\0';
		while (i < len) {
			n = cp_at(text, len, i, &cp);
			if (!is_alnum_class(text_classify(cp)))
				break;
			word_add(&w, cp);
			i += n;
		}
		if (w.flen <= 0)
			return -1;
		memcpy(p->word[p->nwords], w.f, (size_t)w.flen + 1);
		p->hash[p->nwords] = hash_word(w.f);
		p->nwords++;
	}
	return p->nwords == 0 ? -1 : 0;
}

/* Sorts the phrases into r->spot by bucket, keeping index order in each (counting sort). */
static void build_spot(struct parse_rules *r)
{
	uint32_t next[SPOT_BUCKETS];

	memset(r->spot_at, 0, sizeof(r->spot_at));
	for (size_t k = 0; k < r->nphrase; k++)
		r->spot_at[(r->last_hash[k] & (SPOT_BUCKETS - 1)) + 1]++;
	for (size_t b = 0; b < SPOT_BUCKETS; b++)
		r->spot_at[b + 1] += r->spot_at[b];
	memcpy(next, r->spot_at, sizeof(next));
	for (size_t k = 0; k < r->nphrase; k++)
		r->spot[next[r->last_hash[k] & (SPOT_BUCKETS - 1)]++] = (uint32_t)k;
}

/*
 * The category phrases as matched, from r->base[0..nbase) and r->abbr, with their spotting
 * tables. 0, or -1 when out of memory with nothing changed.
 */
static int rebuild_phrases(struct parse_rules *r, size_t nbase)
{
	struct phrase *ph;
	uint32_t *lh = NULL, *spot = NULL;
	size_t n;

	if (expand_phrases(r, r->base, nbase, &ph, &n) < 0)
		return -1;
	if (n > UINT32_MAX || (n > 0 && ((lh = malloc(n * sizeof(*lh))) == NULL ||
	                                 (spot = malloc(n * sizeof(*spot))) == NULL))) {
		free(ph);
		free(lh);
		free(spot);
		return -1;
	}
	free(r->phrase);
	free(r->last_hash);
	free(r->spot);
	r->phrase = ph;
	r->last_hash = lh;
	r->spot = spot;
	r->nphrase = n;
	r->max_phrase_words = 0;
	for (size_t k = 0; k < n; k++) {
		if (ph[k].nwords > r->max_phrase_words)
			r->max_phrase_words = ph[k].nwords;
		lh[k] = ph[k].hash[ph[k].nwords - 1];
	}
	build_spot(r);
	return 0;
}

void parse_rules_clear_categories(struct parse_rules *r)
{
	if (r == NULL)
		return;
	for (int c = 0; c < r->ncat; c++) {
		free(r->cat[c].name);
		free(r->cat[c].codes.w);
	}
	free(r->cat);
	free(r->base);
	free(r->phrase);
	free(r->last_hash);
	free(r->spot);
	memset(r->spot_at, 0, sizeof(r->spot_at));
	r->spot = NULL;
	r->cat = NULL;
	r->ncat = 0;
	r->base = NULL;
	r->nbase = 0;
	r->phrase = NULL;
	r->last_hash = NULL;
	r->nphrase = 0;
	r->max_phrase_words = 0;
}

int parse_rules_add_category(struct parse_rules *r, const char *name, const char *const *codes,
                             size_t ncodes, const char *const *phrases, size_t nphrases)
{
	struct category c = {NULL, {NULL, 0}};
	struct category *cats;
	struct phrase *ph;
	int ret = -1;

	if (r == NULL || name == NULL || name[0] == '\0' || (ncodes > 0 && codes == NULL) ||
	    (nphrases > 0 && phrases == NULL) || r->ncat == INT_MAX ||
	    nphrases > SIZE_MAX / sizeof(struct phrase) - r->nbase ||
	    nphrases > UINT32_MAX - r->nbase)
		return -1;
	for (int k = 0; k < r->ncat; k++) {
		if (strcmp(r->cat[k].name, name) == 0)
			return -1;
	}
	c.name = strdup(name);
	if (c.name == NULL)
		goto done;
	if (ncodes > 0 && set_list(&c.codes, codes, ncodes, 0) < 0)
		goto done;
	if (nphrases > 0) {
		/* A grown array is kept even if a phrase below is refused: only nbase says
		 * how much of it is in use. */
		ph = realloc(r->base, (r->nbase + nphrases) * sizeof(*ph));
		if (ph == NULL)
			goto done;
		r->base = ph;
	}
	for (size_t k = 0; k < nphrases; k++) {
		if (fold_phrase(phrases[k], &r->base[r->nbase + k]) < 0)
			goto done;
		r->base[r->nbase + k].category = r->ncat;
	}
	cats = realloc(r->cat, ((size_t)r->ncat + 1) * sizeof(*cats));
	if (cats == NULL)
		goto done;
	r->cat = cats;
	/* Everything checked and allocated but the tables: they commit or change nothing. */
	if (nphrases > 0 && rebuild_phrases(r, r->nbase + nphrases) < 0)
		goto done;
	r->nbase += nphrases;
	r->cat[r->ncat++] = c;
	c.name = NULL;
	c.codes.w = NULL;
	ret = 0;
done:
	free(c.name);
	free(c.codes.w);
	return ret;
}

/*
 * Folds "WORD=EXPANSION" into a: WORD one word of letters, EXPANSION 1..PARSE_PHRASE_WORDS
 * words of letters. 0, or -1 when it is not that.
 */
static int fold_abbrev(const char *entry, struct abbrev *a)
{
	const char *eq;
	char word[PARSE_WORD_MAX * 4];

	if (entry == NULL || (eq = strchr(entry, '=')) == NULL ||
	    (size_t)(eq - entry) >= sizeof(word))
		return -1;
	memcpy(word, entry, (size_t)(eq - entry));
	word[eq - entry] = '\0';
	/* Spaces around the '=' are allowed: "ng = người". */
	for (size_t n = strlen(word); n > 0 && word[n - 1] == ' '; n--)
		word[n - 1] = '\0';
	if (fold_keyword(word + strspn(word, " "), 0, a->word) < 0 ||
	    fold_phrase(eq + 1, &a->exp) < 0)
		return -1;
	for (unsigned t = 0; t < a->exp.nwords; t++) {
		if (strpbrk(a->exp.word[t], "0123456789") != NULL)
			return -1;
	}
	return 0;
}

int parse_rules_set_abbreviations(struct parse_rules *r, const char *const *entries, size_t n)
{
	struct abbrev *a = NULL, *old;
	struct phrase *lead;
	size_t na = 0, old_n, nlead;

	if (r == NULL || (n > 0 && entries == NULL) || n > SIZE_MAX / sizeof(*a))
		return -1;
	if (n > 0 && (a = calloc(n, sizeof(*a))) == NULL)
		return -1;
	for (size_t k = 0; k < n; k++) {
		size_t j;

		if (fold_abbrev(entries[k], &a[na]) < 0)
			goto fail;
		for (j = 0; j < na && strcmp(a[j].word, a[na].word) != 0; j++)
			;
		if (j == na) {
			na++;
			continue;
		}
		/* "dc" and "đc" fold alike: the same word twice is one entry, unless it is
		 * given two meanings. */
		if (a[j].exp.nwords != a[na].exp.nwords)
			goto fail;
		for (unsigned t = 0; t < a[na].exp.nwords; t++) {
			if (strcmp(a[j].exp.word[t], a[na].exp.word[t]) != 0)
				goto fail;
		}
	}
	old = r->abbr;
	old_n = r->nabbr;
	r->abbr = a;
	r->nabbr = na;
	/* Both tables built before either is replaced: a failure changes nothing. */
	lead = NULL;
	if (expand_phrases(r, r->lead_base, r->nlead_base, &lead, &nlead) < 0 ||
	    rebuild_phrases(r, r->nbase) < 0) {
		free(lead);
		r->abbr = old;
		r->nabbr = old_n;
		goto fail;
	}
	install_leads(r, lead, nlead);
	free(old);
	return 0;
fail:
	free(a);
	return -1;
}

const char *parse_category_name(const struct parse_rules *r, int category)
{
	if (r == NULL || category < 0 || category >= r->ncat)
		return NULL;
	return r->cat[category].name;
}

int parse_category_count(const struct parse_rules *r)
{
	return r == NULL ? 0 : r->ncat;
}

static const char *join_list(const struct wordlist *l, char *buf, size_t bufsz)
{
	size_t o = 0;

	if (bufsz == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		size_t wl = strlen(l->w[i]), need = wl + (i > 0);

		if (o + need >= bufsz)
			break;
		if (i > 0)
			buf[o++] = '/';
		for (size_t k = 0; k < wl; k++) {
			char c = l->w[i][k];

			buf[o++] = c >= 'a' && c <= 'z' ? (char)(c - ('a' - 'A')) : c;
		}
		buf[o] = '\0';
	}
	return buf;
}

const char *parse_keywords_str(const struct parse_rules *r, enum parse_kind kind, char *buf,
                               size_t bufsz)
{
	static const struct wordlist empty = {NULL, 0};

	if (r == NULL || kind <= PARSE_INVALID || kind >= PARSE_KIND_COUNT)
		return join_list(&empty, buf, bufsz);
	return join_list(&r->kw[kind], buf, bufsz);
}

const char *parse_patrol_words_str(const struct parse_rules *r, char *buf, size_t bufsz)
{
	static const struct wordlist empty = {NULL, 0};

	return join_list(r == NULL ? &empty : &r->patrol, buf, bufsz);
}

void parse_rules_free(struct parse_rules *r)
{
	if (r == NULL)
		return;
	parse_rules_clear_categories(r);
	for (int k = 0; k < PARSE_KIND_COUNT; k++)
		free(r->kw[k].w);
	free(r->patrol.w);
	free(r->anonymous.w);
	free(r->village.w);
	free(r->lead_base);
	free(r->lead);
	free(r->abbr);
	free(r);
}

/* ---- defaults ---- */

#define WORDS(...) ((const char *const[]){__VA_ARGS__})

static const struct {
	enum parse_kind kind;
	const char *const *words;
	size_t n;
} default_keywords[] = {
    {PARSE_TIP, WORDS("tin", "tip"), 2},
    {PARSE_SUPPLEMENT, WORDS("bs", "bosung"), 2},
    {PARSE_PATROL_START, WORDS("bd", "batdau", "start", "xuatphat"), 4},
    {PARSE_PATROL_END, WORDS("kt", "ketthuc", "end", "xong"), 4},
    {PARSE_AWARENESS, WORDS("ttpl", "tuyentruyen"), 2},
    {PARSE_MEDIATION, WORDS("hg", "hoagiai"), 2},
    {PARSE_REGISTER, WORDS("dk", "dangky", "join"), 3},
    {PARSE_OPTOUT, WORDS("huy", "tuchoi", "stop"), 3},
    {PARSE_HELP, WORDS("hd", "huongdan", "help", "?"), 4},
    {PARSE_BROADCAST, WORDS("tb", "thongbao"), 2},
    /* Not "baocao": villagers start tips with "Báo cáo: ..." ("I report ..."). */
    {PARSE_REPORT, WORDS("bc"), 1},
    {PARSE_STATUS, WORDS("tt", "tinhtrang"), 2},
};

static const struct {
	const char *name;
	const char *const *codes;
	size_t ncodes;
	const char *const *phrases;
	size_t nphrases;
} default_categories[] = {
    {"drugs", WORDS("mt", "matuy"), 2,
     WORDS("ma tuy", "heroin", "thuoc lac", "tiem chich", "nghien"), 5},
    {"theft", WORDS("trom"), 1,
     WORDS("trom", "an cap", "cuop", "mat trom", "mat cap", "trom cap", "cuop giat", "ke gian",
           "dot nhap", "be khoa", "trom cho"),
     11},
    {"fighting", WORDS("dn", "danhnhau"), 2,
     WORDS("danh nhau", "hanh hung", "chem nhau", "gay roi", "dam nhau", "va cham"), 6},
    {"gambling", WORDS("cb", "cobac"), 2,
     WORDS("danh bac", "co bac", "so de", "lo de", "ca do", "danh bai", "bai bac", "xoc dia",
           "ca cuoc"),
     9},
    {"traffic", WORDS("gt", "giaothong"), 2, WORDS("tai nan", "dua xe", "giao thong"), 3},
    {"stranger", WORDS("nl", "nguoila"), 2, WORDS("nguoi la", "doi tuong la", "ke la"), 3},
    {"fraud", WORDS("ld", "luadao"), 2,
     WORDS("lua dao", "mao danh", "chiem doat", "gia danh", "lua tien", "trung thuong",
           "chuyen tien"),
     7},
    {"forest", WORDS("rung"), 1,
     WORDS("pha rung", "khai thac go", "go lau", "chay rung", "dot rung", "san ban",
           "dong vat hoang da", "cua go"),
     8},
    {"weapons", WORDS("vk", "vukhi"), 2,
     WORDS("vu khi", "sung", "thuoc no", "kip no", "luu dan", "sung tu che"), 6},
    {"dispute", WORDS("tc", "tranhchap"), 2, WORDS("tranh chap", "mau thuan", "cai nhau"), 3},
    {"domestic_violence", WORDS("blgd"), 1, WORDS("bao luc gia dinh", "danh vo"), 2},
    {"other", WORDS("khac"), 1, NULL, 0},
};

/* What villagers write before the keyword ("Alo, chào anh. Báo tin: ..."); the greetings
 * are added by greetings() below. */
static const char *const default_lead_ins[] = {
    "alo",
    "a lo",
    "xin chao",
    "chao anh",
    "chao chi",
    "chao em",
    "chao ban",
    "kinh gui",
    "kinh gui cong an xa",
    "gui cong an xa",
    "cong an xa oi",
    "bao",
    "toi bao",
    "toi muon bao",
    /* short lead words: "Đã hòa giải xong ...", "Hôm nay TTPL ...", "Vừa tuần tra xong" */
    "da",
    "vua",
    "hom nay",
};

/*
 * Greetings, made from the person words: PERSON oi ("anh oi", "cong an oi"), chao PERSON,
 * xin chao PERSON, and SPEAKER chao PERSON ("em chao anh"). The abbreviations add their
 * short forms ("a oi", "e chao a", "ca xa oi").
 */
static const char *const greeting_persons[] = {
    "anh", "chi", "em", "ban", "co", "chu", "bac", "ong", "ba", "chau", "cong an", "cong an xa",
};
static const char *const greeting_speakers[] = {"em", "chau", "con", "toi"};

#define N_PERSONS  (sizeof(greeting_persons) / sizeof(greeting_persons[0]))
#define N_SPEAKERS (sizeof(greeting_speakers) / sizeof(greeting_speakers[0]))
#define N_LEAD_INS                                                                                 \
	(sizeof(default_lead_ins) / sizeof(default_lead_ins[0]) + N_PERSONS * (3 + N_SPEAKERS))

/* The default lead-ins into buf (each < 48 bytes), pointers in v; how many. */
static size_t greetings(char (*buf)[48], const char **v)
{
	size_t n = 0;

	for (size_t k = 0; k < sizeof(default_lead_ins) / sizeof(default_lead_ins[0]); k++)
		v[n++] = default_lead_ins[k];
	for (size_t p = 0; p < N_PERSONS; p++) {
		snprintf(buf[n], sizeof(buf[n]), "%s oi", greeting_persons[p]);
		v[n] = buf[n];
		n++;
		snprintf(buf[n], sizeof(buf[n]), "chao %s", greeting_persons[p]);
		v[n] = buf[n];
		n++;
		snprintf(buf[n], sizeof(buf[n]), "xin chao %s", greeting_persons[p]);
		v[n] = buf[n];
		n++;
		for (size_t q = 0; q < N_SPEAKERS; q++) {
			snprintf(buf[n], sizeof(buf[n]), "%s chao %s", greeting_speakers[q],
			         greeting_persons[p]);
			v[n] = buf[n];
			n++;
		}
	}
	return n;
}

/* SMS abbreviations (keywords.abbreviations): "đc" folds as "dc", both are listed as
 * villagers type them. */
static const char *const default_abbreviations[] = {
    "ng=người",   "k=không",        "ko=không",      "khg=không", "dc=được",
    "đc=được",    "bt=bình thường", "a=anh",         "e=em",      "c=chị",
    "ca=công an", "dt=điện thoại",  "đt=điện thoại",
};

struct parse_rules *parse_rules_new(void)
{
	struct parse_rules *r = calloc(1, sizeof(*r));
	char buf[N_LEAD_INS][48];
	const char *lead[N_LEAD_INS];

	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(default_keywords) / sizeof(default_keywords[0]); i++) {
		if (parse_rules_set_keywords(r, default_keywords[i].kind, default_keywords[i].words,
		                             default_keywords[i].n) < 0)
			goto fail;
	}
	if (parse_rules_set_patrol_words(r, WORDS("tuan", "tuantra", "patrol"), 3) < 0 ||
	    parse_rules_set_anonymous_words(r, WORDS("andanh"), 1) < 0 ||
	    parse_rules_set_village_words(r, WORDS("thon"), 1) < 0 ||
	    parse_rules_set_abbreviations(r, default_abbreviations,
	                                  sizeof(default_abbreviations) /
	                                      sizeof(default_abbreviations[0])) < 0 ||
	    parse_rules_set_lead_ins(r, lead, greetings(buf, lead)) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(default_categories) / sizeof(default_categories[0]); i++) {
		if (parse_rules_add_category(
		        r, default_categories[i].name, default_categories[i].codes,
		        default_categories[i].ncodes, default_categories[i].phrases,
		        default_categories[i].nphrases) < 0)
			goto fail;
	}
	return r;
fail:
	parse_rules_free(r);
	return NULL;
}
