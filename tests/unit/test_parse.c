/*
 * Unit tests for src/parse.c. Most rows give a message and the exact JSON line
 * `tipline parse` prints for it, so they test the parser and its JSON together.
 */
#include "check.h"
#include "parse.h"

#include <stdlib.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

struct row {
	const char *msg, *json;
};

/* The JSON for len bytes of msg, without its newline, in buf. */
static const char *to_json(const struct parse_rules *r, const char *msg, size_t len, char *buf,
                           size_t bufsz)
{
	struct parse_result res;
	FILE *f = fmemopen(buf, bufsz, "w");
	size_t n;

	if (f == NULL)
		abort();
	parse_message(r, msg, len, &res);
	parse_print_json(r, msg, len, &res, f);
	fclose(f);
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

static void check_rows(const struct parse_rules *r, const struct row *rows, size_t n)
{
	char buf[1024];

	for (size_t i = 0; i < n; i++) {
		const char *got = to_json(r, rows[i].msg, strlen(rows[i].msg), buf, sizeof(buf));

		if (strcmp(got, rows[i].json) != 0)
			fprintf(stderr, "  message \"%s\"\n", rows[i].msg);
		CHECK_STR(got, rows[i].json);
	}
}

#define RULES_ROWS(name, ...)                                                                      \
	static void name(void)                                                                     \
	{                                                                                          \
		static const struct row rows[] = {__VA_ARGS__};                                    \
		struct parse_rules *r = parse_rules_new();                                         \
                                                                                                   \
		CHECK(r != NULL);                                                                  \
		if (r != NULL)                                                                     \
			check_rows(r, rows, N_OF(rows));                                           \
		parse_rules_free(r);                                                               \
	}

/* Tips: keyword forms, ANDANH, codes and the code-word rule, phrase spotting. */
RULES_ROWS(
    t_tip,
    {"TIN co nguoi la o thon 3",
     "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,\"text\":\"co nguoi la o "
     "thon 3\",\"village\":\"3\"}"},
    {"tin: co nguoi la",
     "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,\"text\":\"co nguoi "
     "la\"}"},
    {"Tin. ANDANH MT co ban heroin",
     "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":true,\"text\":\"co ban "
     "heroin\"}"},
    {"TIN,co danh bac",
     "{\"kind\":\"tip\",\"category\":\"gambling\",\"anonymous\":false,\"text\":\"co danh "
     "bac\"}"},
    {"TIP theft at the market",
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"theft at the "
     "market\"}"},
    {"  ...TIN co ma tuy",
     "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":false,\"text\":\"co ma tuy\"}"},
    {"Tín: Có người lạ 😀 ở thôn 3!",
     "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,\"text\":\"Có người lạ "
     "😀 ở thôn 3!\",\"village\":\"3\"}"},
    /* decomposed (NFD) "người lạ" */
    {"TIN co ngu\xcc\x9bo\xcc\x9b\xcc\x80i la\xcc\xa3",
     "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,\"text\":\"co "
     "ngu\xcc\x9bo\xcc\x9b\xcc\x80i la\xcc\xa3\"}"},
    {"TIN Ẩn danh: đánh nhau ở chợ",
     "{\"kind\":\"tip\",\"category\":\"fighting\",\"anonymous\":true,\"text\":\"đánh nhau ở "
     "chợ\"}"},
    {"TIN ANDANH DN hai nhom thanh nien",
     "{\"kind\":\"tip\",\"category\":\"fighting\",\"anonymous\":true,\"text\":\"hai nhom "
     "thanh nien\"}"},
    /* only ANDANH is the flag: "ăn trộm" is theft */
    {"TIN an trom xe may",
     "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"an trom xe "
     "may\"}"},
    /* TROM is a code and a word of the report: it stays in the text */
    {"TIN trom xe o thon 2",
     "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"trom xe o thon "
     "2\",\"village\":\"2\"}"},
    {"TIN Trộm cắp",
     "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"Trộm cắp\"}"},
    {"TIN trom", "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"trom\"}"},
    /* a pure code is consumed, unless it is all there is */
    {"TIN MT: co nguoi ban",
     "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":false,\"text\":\"co nguoi "
     "ban\"}"},
    {"TIN MT", "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":false,\"text\":\"MT\"}"},
    {"TIN ANDANH MT.",
     "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":true,\"text\":\"MT\"}"},
    {"TIN Ma túy heroin",
     "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":false,\"text\":\"Ma túy "
     "heroin\"}"},
    {"TIN matúy 2 nguoi",
     "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":false,\"text\":\"2 nguoi\"}"},
    {"TIN KHAC chay rung",
     "{\"kind\":\"tip\",\"category\":\"other\",\"anonymous\":false,\"text\":\"chay "
     "rung\"}"},
    {"TIN GT2 xe", /* not a code: a code is a whole word */
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"GT2 xe\"}"},
    /* the earliest phrase decides */
    {"TIN doi tuong la mat, co danh bac",
     "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,\"text\":\"doi tuong "
     "la mat, co danh bac\"}"},
    {"TIN co danh bac va doi tuong la",
     "{\"kind\":\"tip\",\"category\":\"gambling\",\"anonymous\":false,\"text\":\"co danh bac "
     "va doi tuong la\"}"},
    {"TIN tai nạn giao thông",
     "{\"kind\":\"tip\",\"category\":\"traffic\",\"anonymous\":false,\"text\":\"tai nạn giao "
     "thông\"}"},
    /* whole words only: "tromxe" and "heroins" are not phrases */
    {"TIN tromxe heroins",
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"tromxe "
     "heroins\"}"},
    {"TIN \"quoted\" \\ back\ttab.\n",
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"\\\"quoted\\\" "
     "\\\\ back\\ttab\"}"},
    {"TIN", "{\"kind\":\"invalid\",\"keyword\":\"tip\",\"error\":\"missing text\"}"},
    {"TIN: ...", "{\"kind\":\"invalid\",\"keyword\":\"tip\",\"error\":\"missing text\"}"},
    {"TIN ANDANH", "{\"kind\":\"invalid\",\"keyword\":\"tip\",\"error\":\"missing text\"}"},
    {"TINCO abc", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"TINCO abc\"}"},
    {"TIN2 co trom", "{\"kind\":\"unknown\",\"category\":\"theft\",\"text\":\"TIN2 co "
                     "trom\"}"}, )

RULES_ROWS(
    t_supplement,
    {"BS #t123 them thong tin",
     "{\"kind\":\"supplement\",\"text\":\"them thong tin\",\"ref\":\"T123\"}"},
    {"bs T123: xe mau do", "{\"kind\":\"supplement\",\"text\":\"xe mau do\",\"ref\":\"T123\"}"},
    {"Bs 45, biển số 29A", "{\"kind\":\"supplement\",\"text\":\"biển số 29A\",\"ref\":\"45\"}"},
    {"BS them thong tin",
     "{\"kind\":\"invalid\",\"keyword\":\"supplement\",\"error\":\"missing reference\"}"},
    {"BS", "{\"kind\":\"invalid\",\"keyword\":\"supplement\",\"error\":\"missing reference\"}"},
    {"BS #T123", "{\"kind\":\"invalid\",\"keyword\":\"supplement\",\"error\":\"missing text\"}"},
    {"BS #ABCDEFGHIJ123456 x",
     "{\"kind\":\"invalid\",\"keyword\":\"supplement\",\"error\":\"missing reference\"}"}, )

RULES_ROWS(
    t_patrol, {"TUAN BD TQ3 5", "{\"kind\":\"patrol_start\",\"team\":\"TQ3\",\"members\":5}"},
    {"Tuần tra BĐ TQ3 5", "{\"kind\":\"patrol_start\",\"team\":\"TQ3\",\"members\":5}"},
    {"tuan tra bat dau tq3, 5 nguoi di thon 2",
     "{\"kind\":\"patrol_start\",\"text\":\"nguoi di thon 2\",\"team\":\"TQ3\",\"members\":5}"},
    {"TUANTRA BD", "{\"kind\":\"patrol_start\"}"},
    {"PATROL START ANND2 4", "{\"kind\":\"patrol_start\",\"team\":\"ANND2\",\"members\":4}"},
    {"TUAN BD 6 di tuan cho", "{\"kind\":\"patrol_start\",\"text\":\"di tuan "
                              "cho\",\"members\":6}"},
    {"TUAN BD tq", "{\"kind\":\"patrol_start\",\"text\":\"tq\"}"},
    {"TUAN BD tq3a 5", "{\"kind\":\"patrol_start\",\"text\":\"tq3a 5\"}"},
    {"TUAN BD TQ3 1.000.000", "{\"kind\":\"patrol_start\",\"team\":\"TQ3\",\"members\":1000000}"},
    {"TUAN BD TQ3 1.000.001",
     "{\"kind\":\"invalid\",\"keyword\":\"patrol_start\",\"error\":\"number too large\"}"},
    {"TUAN KT TQ3 binh thuong",
     "{\"kind\":\"patrol_end\",\"text\":\"binh thuong\",\"team\":\"TQ3\"}"},
    {"Tuần tra kết thúc TĐ3.", "{\"kind\":\"patrol_end\",\"team\":\"TD3\"}"},
    {"TUAN KT 5", "{\"kind\":\"patrol_end\",\"text\":\"5\"}"},
    /* fuzz regression: a letter folding to non-ASCII is no team (and no half team_buf) */
    {"TUAN KT Tta\xc9\x82qQ33 bin", "{\"kind\":\"patrol_end\",\"text\":\"Tta\xc9\x82qQ33 bin\"}"},
    {"patrol end", "{\"kind\":\"patrol_end\"}"},
    {"TUAN", "{\"kind\":\"invalid\",\"keyword\":\"patrol_start\",\"error\":\"missing start or end "
             "word\"}"},
    {"TUAN TRA",
     "{\"kind\":\"invalid\",\"keyword\":\"patrol_start\",\"error\":\"missing start or end "
     "word\"}"},
    {"TUAN DI thon 3",
     "{\"kind\":\"invalid\",\"keyword\":\"patrol_start\",\"error\":\"missing start or end "
     "word\"}"},
    {"TUAN BD3",
     "{\"kind\":\"invalid\",\"keyword\":\"patrol_start\",\"error\":\"missing start or end "
     "word\"}"}, )

RULES_ROWS(
    t_awareness,
    {"TTPL 1.410 hop dan thon 3",
     "{\"kind\":\"awareness\",\"text\":\"hop dan thon 3\",\"participants\":1410,\"sessions\":1}"},
    {"TTPL 1,410 hop dan",
     "{\"kind\":\"awareness\",\"text\":\"hop dan\",\"participants\":1410,\"sessions\":1}"},
    {"ttpl 15", "{\"kind\":\"awareness\",\"participants\":15,\"sessions\":1}"},
    {"Tuyên truyền: 15, họp dân",
     "{\"kind\":\"awareness\",\"text\":\"họp dân\",\"participants\":15,\"sessions\":1}"},
    {"TTPL 0", "{\"kind\":\"awareness\",\"participants\":0,\"sessions\":1}"},
    {"TTPL 1.41 x", "{\"kind\":\"awareness\",\"text\":\"41 x\",\"participants\":1,\"sessions\":1}"},
    {"TTPL 1410.000",
     "{\"kind\":\"awareness\",\"text\":\"000\",\"participants\":1410,\"sessions\":1}"},
    {"TTPL 1.410,000",
     "{\"kind\":\"awareness\",\"text\":\"000\",\"participants\":1410,\"sessions\":1}"},
    {"TTPL", "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"missing participants\"}"},
    /* issue 26: the participants are the number before a participants unit anywhere, and
     * a number glued to its unit is that number (these were invalid before) */
    {"TTPL hop dan 50 nguoi",
     "{\"kind\":\"awareness\",\"text\":\"hop dan 50 nguoi\",\"participants\":50,\"sessions\":1}"},
    {"TTPL 15nguoi", "{\"kind\":\"awareness\",\"participants\":15,\"sessions\":1}"},
    {"TTPL 1000001",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"number too large\"}"},
    {"TTPL 99999999999999999999999999",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"number too large\"}"}, )

RULES_ROWS(t_mediation,
           {"HG hai gia dinh tranh chap dat",
            "{\"kind\":\"mediation\",\"text\":\"hai gia dinh tranh chap dat\"}"},
           {"Hòa giải: xong", "{\"kind\":\"mediation\",\"text\":\"xong\"}"},
           {"hoagiai ok", "{\"kind\":\"mediation\",\"text\":\"ok\"}"},
           {"HG", "{\"kind\":\"invalid\",\"keyword\":\"mediation\",\"error\":\"missing text\"}"},
           {"HG ... ",
            "{\"kind\":\"invalid\",\"keyword\":\"mediation\",\"error\":\"missing text\"}"}, )

RULES_ROWS(t_register,
           {"DK Nguyen Van A thon 3",
            "{\"kind\":\"register\",\"name\":\"Nguyen Van A\",\"village\":\"3\"}"},
           {"DK Y Blong Thôn Kon Klor",
            "{\"kind\":\"register\",\"name\":\"Y Blong\",\"village\":\"Kon Klor\"}"},
           {"ĐK Nguyễn Văn Á", "{\"kind\":\"register\",\"name\":\"Nguyễn Văn Á\"}"},
           {"Đăng ký: Trần Thị B, thôn 5",
            "{\"kind\":\"register\",\"name\":\"Trần Thị B\",\"village\":\"5\"}"},
           {"DK Tran Thi B thon3",
            "{\"kind\":\"register\",\"name\":\"Tran Thi B\",\"village\":\"3\"}"},
           {"DK Le C thon Thon Moi thon 5",
            "{\"kind\":\"register\",\"name\":\"Le C thon Thon Moi\",\"village\":\"5\"}"},
           {"DK Le Thonh", "{\"kind\":\"register\",\"name\":\"Le Thonh\"}"},
           {"DK Nguyen Van A thon", "{\"kind\":\"register\",\"name\":\"Nguyen Van A\"}"},
           {"JOIN John Smith", "{\"kind\":\"register\",\"name\":\"John Smith\"}"},
           {"DK", "{\"kind\":\"invalid\",\"keyword\":\"register\",\"error\":\"missing name\"}"},
           {"DK thon 3",
            "{\"kind\":\"invalid\",\"keyword\":\"register\",\"error\":\"missing name\"}"}, )

RULES_ROWS(t_optout_help, {"HUY", "{\"kind\":\"optout\"}"}, {"Huỷ", "{\"kind\":\"optout\"}"},
           {"Hủy đăng ký", "{\"kind\":\"optout\"}"}, {"stop!", "{\"kind\":\"optout\"}"},
           {"Từ chối", "{\"kind\":\"optout\"}"}, {"HD", "{\"kind\":\"help\"}"},
           {"Hướng dẫn", "{\"kind\":\"help\"}"}, {"help me", "{\"kind\":\"help\"}"},
           {"?", "{\"kind\":\"help\"}"}, {" ? gi vay", "{\"kind\":\"help\"}"},
           {"??", "{\"kind\":\"help\"}"},
           /* a "?" before a word is punctuation */
           {"?TIN co trom",
            "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"co trom\"}"}, )

RULES_ROWS(t_broadcast,
           {"TB 1234 THON3 Hop to tu quan 19h",
            "{\"kind\":\"broadcast\",\"text\":\"Hop to tu quan 19h\",\"pin\":\"1234\",\"group\":"
            "\"THON3\"}"},
           {"tb 0012 thôn3: Họp tổ",
            "{\"kind\":\"broadcast\",\"text\":\"Họp tổ\",\"pin\":\"0012\",\"group\":\"THON3\"}"},
           {"Thông báo 1234 ALL_BAN hop",
            "{\"kind\":\"broadcast\",\"text\":\"hop\",\"pin\":\"1234\",\"group\":\"ALL_BAN\"}"},
           {"TB", "{\"kind\":\"invalid\",\"keyword\":\"broadcast\",\"error\":\"missing pin\"}"},
           {"TB abc THON3 x",
            "{\"kind\":\"invalid\",\"keyword\":\"broadcast\",\"error\":\"missing pin\"}"},
           {"TB 12a THON3 x",
            "{\"kind\":\"invalid\",\"keyword\":\"broadcast\",\"error\":\"missing pin\"}"},
           {"TB 1234",
            "{\"kind\":\"invalid\",\"keyword\":\"broadcast\",\"error\":\"missing group\"}"},
           {"TB 1234 !!", "{\"kind\":\"invalid\",\"keyword\":\"broadcast\",\"error\":\"missing "
                          "group\"}"},
           {"TB 1234 THON3",
            "{\"kind\":\"invalid\",\"keyword\":\"broadcast\",\"error\":\"missing text\"}"},
           {"TB 1234 THON3 .",
            "{\"kind\":\"invalid\",\"keyword\":\"broadcast\",\"error\":\"missing text\"}"}, )

/* The village a tip names: the first THON word followed by letters or digits. */
RULES_ROWS(
    t_tip_village,
    {"TIN co nguoi la o thon 3 luc 9h",
     "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,\"text\":\"co nguoi la o "
     "thon 3 luc 9h\",\"village\":\"3\"}"},
    {"TIN trộm ở thôn Đông, gần chợ",
     "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"trộm ở thôn "
     "Đông, gần chợ\",\"village\":\"Đông\"}"},
    {"TIN ANDANH MT thon3 va thon 5",
     "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":true,\"text\":\"thon3 va thon "
     "5\",\"village\":\"3\"}"},
    /* a village word with nothing after it, or inside another word, names none */
    {"TIN ANDANH thon",
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":true,\"text\":\"thon\"}"},
    {"TIN xethon 4 bi mat",
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"xethon 4 bi "
     "mat\"}"},
    {"TIN mat xe. Thon: 7",
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"mat xe. Thon: "
     "7\",\"village\":\"7\"}"},
    /* an unknown message is stored as a tip: it has a village too */
    {"trom xe thon3 dem qua",
     "{\"kind\":\"unknown\",\"category\":\"theft\",\"text\":\"trom xe thon3 dem "
     "qua\",\"village\":\"3\"}"}, )

/* BC PIN [TUAN|THANG]: the figures by SMS. */
RULES_ROWS(t_report, {"BC 1234", "{\"kind\":\"report\",\"pin\":\"1234\",\"period\":\"month\"}"},
           {"bc 0012 tuần", "{\"kind\":\"report\",\"pin\":\"0012\",\"period\":\"week\"}"},
           /* "Báo cáo" is how villagers start a tip: never the command */
           {"Báo cáo: co nguoi la o thon 5",
            "{\"kind\":\"unknown\",\"category\":\"stranger\",\"text\":\"Báo cáo: co nguoi la o "
            "thon 5\",\"village\":\"5\"}"},
           {"BC 1234 tháng.", "{\"kind\":\"report\",\"pin\":\"1234\",\"period\":\"month\"}"},
           {"BC: 1234, TUAN", "{\"kind\":\"report\",\"pin\":\"1234\",\"period\":\"week\"}"},
           {"BC 1234 week", "{\"kind\":\"report\",\"pin\":\"1234\",\"period\":\"week\"}"},
           {"BC", "{\"kind\":\"invalid\",\"keyword\":\"report\",\"error\":\"missing pin\"}"},
           {"BC TUAN", "{\"kind\":\"invalid\",\"keyword\":\"report\",\"error\":\"missing pin\"}"},
           {"BC 12a", "{\"kind\":\"invalid\",\"keyword\":\"report\",\"error\":\"missing pin\"}"},
           {"BC 1234567890123456",
            "{\"kind\":\"invalid\",\"keyword\":\"report\",\"error\":\"missing pin\"}"},
           {"BC 1234 nam",
            "{\"kind\":\"invalid\",\"keyword\":\"report\",\"error\":\"unknown period\"}"},
           {"BC 1234 TUAN THANG",
            "{\"kind\":\"invalid\",\"keyword\":\"report\",\"error\":\"unknown period\"}"},
           {"BC 1234 5", "{\"kind\":\"invalid\",\"keyword\":\"report\",\"error\":\"unknown "
                         "period\"}"},
           /* BC must stand alone: BCA is not it */
           {"BCA 1234", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"BCA 1234\"}"}, )

RULES_ROWS(
    t_unknown, {"", "{\"kind\":\"unknown\",\"category\":null}"},
    {"  \n ", "{\"kind\":\"unknown\",\"category\":null}"},
    {"Xin chao", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Xin chao\"}"},
    {" Hôm qua có đánh nhau. ",
     "{\"kind\":\"unknown\",\"category\":\"fighting\",\"text\":\"Hôm qua có đánh nhau\"}"},
    {"123 TIN abc", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"123 TIN abc\"}"},
    {"😀", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"😀\"}"},
    /* bytes that are not UTF-8 are punctuation to the parser, U+FFFD in JSON */
    {"\xff\xfe TIN abc",
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"abc\"}"},
    {"TIN ab\xff",
     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"ab\xef\xbf\xbd\"}"}, )

RULES_ROWS(
    t_lead_in,
    /* rule 1: lead-ins skipped, repeatedly, folded */
    {"Bao tin: co nguoi la o thon 3", "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":"
                                      "false,\"text\":\"co nguoi la o thon 3\",\"village\":\"3\"}"},
    {"Báo tin: có người lạ ở thôn 3", "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":"
                                      "false,\"text\":\"có người lạ ở thôn 3\",\"village\":\"3\"}"},
    {"Alo TIN co nguoi ban ma tuy", "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":false,"
                                    "\"text\":\"co nguoi ban ma tuy\"}"},
    {"A lô, tin: có người bán ma túy", "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":"
                                       "false,\"text\":\"có người bán ma túy\"}"},
    {"Xin chào! Chào anh. TIN co trom bo",
     "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"co trom bo\"}"},
    /* the longest lead-in, unless only a shorter one leads on */
    {"Kính gửi Công an xã: TIN ANDANH co danh bac",
     "{\"kind\":\"tip\",\"category\":\"gambling\",\"anonymous\":true,\"text\":\"co danh bac\"}"},
    {"Kinh gui: cong an xa oi, TIN co chay rung",
     "{\"kind\":\"tip\",\"category\":\"forest\",\"anonymous\":false,\"text\":\"co chay rung\"}"},
    {"Toi muon bao TIN co nguoi la",
     "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,\"text\":\"co nguoi la\"}"},
    {"toi bao: TTPL 45 hop dan",
     "{\"kind\":\"awareness\",\"text\":\"hop dan\",\"participants\":45,\"sessions\":1}"},
    {"Alo TUAN BD TQ3 5", "{\"kind\":\"patrol_start\",\"team\":\"TQ3\",\"members\":5}"},
    {"Chào chị, HD", "{\"kind\":\"help\"}"}, {"Alo ?", "{\"kind\":\"help\"}"},
    /* only lead-ins: unknown, the whole text kept and spotted */
    {"Alo", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Alo\"}"},
    {"Xin chao, chao anh!",
     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Xin chao, chao anh!\"}"},
    {"Bao: ", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Bao\"}"},
    {"Báo: bạo lực gia đình ở thôn 2",
     "{\"kind\":\"unknown\",\"category\":\"domestic_violence\","
     "\"text\":\"Báo: bạo lực gia đình ở thôn 2\",\"village\":\"2\"}"},
    {"Alo co trom bo", "{\"kind\":\"unknown\",\"category\":\"theft\",\"text\":\"Alo co trom bo\"}"},
    /* a lead-in is a whole word followed by a space, punctuation or the end */
    {"Baotin co trom", "{\"kind\":\"unknown\",\"category\":\"theft\",\"text\":\"Baotin co trom\"}"},
    {"Bao3 TIN co trom",
     "{\"kind\":\"unknown\",\"category\":\"theft\",\"text\":\"Bao3 TIN co trom\"}"}, )

RULES_ROWS(
    t_slip,
    /* rule 2: two adjacent letters swapped, or one typed twice */
    {"TNI co nguoi la", "{\"kind\":\"tip\",\"corrected\":\"TIN\",\"category\":\"stranger\","
                        "\"anonymous\":false,\"text\":\"co nguoi la\"}"},
    {"TIIN co trom", "{\"kind\":\"tip\",\"corrected\":\"TIN\",\"category\":\"theft\",\"anonymous\":"
                     "false,\"text\":\"co trom\"}"},
    {"Tinn: co trom", "{\"kind\":\"tip\",\"corrected\":\"TIN\",\"category\":\"theft\","
                      "\"anonymous\":false,\"text\":\"co trom\"}"},
    {"TPI theft", "{\"kind\":\"tip\",\"corrected\":\"TIP\",\"category\":null,\"anonymous\":false,"
                  "\"text\":\"theft\"}"},
    {"TUNA BD TQ3 5",
     "{\"kind\":\"patrol_start\",\"corrected\":\"TUAN\",\"team\":\"TQ3\",\"members\":5}"},
    {"Tuna tra BD TQ3", "{\"kind\":\"patrol_start\",\"corrected\":\"TUAN\",\"team\":\"TQ3\"}"},
    {"HUYY", "{\"kind\":\"optout\",\"corrected\":\"HUY\"}"},
    {"Hủyy", "{\"kind\":\"optout\",\"corrected\":\"HUY\"}"},
    {"TTLP 45 hop dan", "{\"kind\":\"awareness\",\"corrected\":\"TTPL\",\"text\":\"hop "
                        "dan\",\"participants\":45,\"sessions\":1}"},
    {"Alo TNI co trom", "{\"kind\":\"tip\",\"corrected\":\"TIN\",\"category\":\"theft\","
                        "\"anonymous\":false,\"text\":\"co trom\"}"},
    {"TNI",
     "{\"kind\":\"invalid\",\"corrected\":\"TIN\",\"keyword\":\"tip\",\"error\":\"missing text\"}"},
    /* never a substituted, added or dropped letter: Vietnamese words stay words */
    {"TIM nguoi mat tich",
     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"TIM nguoi mat tich\"}"},
    {"Tìm người mất tích",
     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Tìm người mất tích\"}"},
    {"TINH hinh on dinh",
     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"TINH hinh on dinh\"}"},
    {"Tình hình ổn định",
     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Tình hình ổn định\"}"},
    {"TAN ca roi", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"TAN ca roi\"}"},
    {"TI co trom", "{\"kind\":\"unknown\",\"category\":\"theft\",\"text\":\"TI co trom\"}"},
    {"TIX abc", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"TIX abc\"}"},
    {"TINX abc", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"TINX abc\"}"},
    {"HUYT", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"HUYT\"}"},
    /* keywords of two letters are never corrected */
    {"DH Nguyen Van A", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"DH Nguyen Van A\"}"}, )

RULES_ROWS(
    t_awareness_units,
    /* rule 3: numbers with their units, in any order */
    {"TTPL: 15 đợt / 1.410 lượt người tham gia",
     "{\"kind\":\"awareness\",\"participants\":1410,\"sessions\":15}"},
    {"TTPL 15 dot 1410 luot nguoi tham gia hop dan thon 3",
     "{\"kind\":\"awareness\",\"text\":\"hop dan thon 3\",\"participants\":1410,\"sessions\":15}"},
    {"TTPL 2 buổi, 120 người: tuyên truyền luật giao thông",
     "{\"kind\":\"awareness\",\"text\":\"tuyên truyền luật giao "
     "thông\",\"participants\":120,\"sessions\":2}"},
    {"TTPL 120 nguoi 2 buoi hop dan",
     "{\"kind\":\"awareness\",\"text\":\"hop dan\",\"participants\":120,\"sessions\":2}"},
    {"TTPL 300 lượt tham gia", "{\"kind\":\"awareness\",\"participants\":300,\"sessions\":1}"},
    {"TTPL 45 nguoi", "{\"kind\":\"awareness\",\"participants\":45,\"sessions\":1}"},
    {"TTPL 30 luot nguoi", "{\"kind\":\"awareness\",\"participants\":30,\"sessions\":1}"},
    {"Tuyên truyền 3 đợt - 250 người tham gia",
     "{\"kind\":\"awareness\",\"participants\":250,\"sessions\":3}"},
    {"Alo, TTPL 15 đợt / 1.410 lượt người tham gia",
     "{\"kind\":\"awareness\",\"participants\":1410,\"sessions\":15}"},
    {"TTPL 0 dot 40 nguoi",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"zero sessions\"}"},
    /* a bare number only right after the keyword or the sessions; reading stops at a known
     * figure */
    {"TTPL 45 12/5 hop dan",
     "{\"kind\":\"awareness\",\"text\":\"12/5 hop dan\",\"participants\":45,\"sessions\":1}"},
    {"TTPL 100 nguoi 200 nguoi",
     "{\"kind\":\"awareness\",\"text\":\"200 nguoi\",\"participants\":100,\"sessions\":1}"},
    {"TTPL 50 nguoi 2 dot 3 dot",
     "{\"kind\":\"awareness\",\"text\":\"3 dot\",\"participants\":50,\"sessions\":2}"},
    {"TTPL 15 dot",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"missing participants\"}"},
    {"TTPL 15 dot 300", "{\"kind\":\"awareness\",\"participants\":300,\"sessions\":15}"},
    {"TTPL 15 dot ngay 3 300",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"missing participants\"}"},
    /* issue 26: "15dot" is 15 sessions (was invalid) */
    {"TTPL 15dot 100", "{\"kind\":\"awareness\",\"participants\":100,\"sessions\":15}"},
    {"TTPL 1.000.001 nguoi",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"number too large\"}"},
    {"TTPL 5 nguoi 1000001 dot",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"number too large\"}"}, )

RULES_ROWS(
    t_patrol_members,
    /* rule 4: the first N nguoi of a patrol start's text */
    {"Tuần tra bắt đầu tổ 3, 6 người",
     "{\"kind\":\"patrol_start\",\"text\":\"tổ 3, 6 người\",\"members\":6}"},
    {"TUAN BD TQ3 di tuan 5 nguoi thon 2", "{\"kind\":\"patrol_start\",\"text\":\"di tuan 5 nguoi "
                                           "thon 2\",\"team\":\"TQ3\",\"members\":5}"},
    {"tuan tra bat dau: to truong va 4 nguoi, di thon 5",
     "{\"kind\":\"patrol_start\",\"text\":\"to truong va 4 nguoi, di thon 5\",\"members\":4}"},
    {"TUAN BD TQ3 4 di thon 2 voi 6 nguoi", "{\"kind\":\"patrol_start\",\"text\":\"di thon 2 voi 6 "
                                            "nguoi\",\"team\":\"TQ3\",\"members\":4}"},
    {"TUAN BD di thon 2", "{\"kind\":\"patrol_start\",\"text\":\"di thon 2\"}"},
    /* issue 26: "15nguoi" is 15 members (was text); the unit stays in the text as "5 nguoi" */
    {"TUAN BD 15nguoi", "{\"kind\":\"patrol_start\",\"text\":\"nguoi\",\"members\":15}"},
    {"TUAN BD TQ3 di, 6 - nguoi",
     "{\"kind\":\"patrol_start\",\"text\":\"di, 6 - nguoi\",\"team\":\"TQ3\"}"},
    {"TUAN KT TQ3 5 nguoi", "{\"kind\":\"patrol_end\",\"text\":\"5 nguoi\",\"team\":\"TQ3\"}"},
    {"TUAN BD TQ3 di 1000001 nguoi",
     "{\"kind\":\"invalid\",\"keyword\":\"patrol_start\",\"error\":\"number too large\"}"}, )

RULES_ROWS(
    t_new_categories,
    /* rule 5: the commune's real matters, codes and phrases, folded */
    {"TIN LD goi dien mao nhan trung thuong",
     "{\"kind\":\"tip\",\"category\":\"fraud\",\"anonymous\":false,\"text\":\"goi dien mao nhan "
     "trung thuong\"}"},
    {"TIN co nguoi lừa đảo qua điện thoại",
     "{\"kind\":\"tip\",\"category\":\"fraud\",\"anonymous\":false,\"text\":\"co nguoi lừa đảo qua "
     "điện thoại\"}"},
    {"TIN ke gia cong an mạo danh de lay tien",
     "{\"kind\":\"tip\",\"category\":\"fraud\",\"anonymous\":false,\"text\":\"ke gia cong an mạo "
     "danh de lay tien\"}"},
    {"TIN RUNG: co nguoi cat go",
     "{\"kind\":\"tip\",\"category\":\"forest\",\"anonymous\":false,\"text\":\"co nguoi cat go\"}"},
    {"TIN phát hiện khai thác gỗ trái phép ở tiểu khu 5",
     "{\"kind\":\"tip\",\"category\":\"forest\",\"anonymous\":false,\"text\":\"phát hiện khai thác "
     "gỗ trái phép ở tiểu khu 5\"}"},
    {"TIN co xe cho go lau ra khoi rung", "{\"kind\":\"tip\",\"category\":\"forest\",\"anonymous\":"
                                          "false,\"text\":\"co xe cho go lau ra khoi rung\"}"},
    {"TIN VK co nguoi cat giu", "{\"kind\":\"tip\",\"category\":\"weapons\",\"anonymous\":false,"
                                "\"text\":\"co nguoi cat giu\"}"},
    {"TIN nha ong B co súng tự chế", "{\"kind\":\"tip\",\"category\":\"weapons\",\"anonymous\":"
                                     "false,\"text\":\"nha ong B co súng tự chế\"}"},
    {"TIN TC dat ray giua hai ho", "{\"kind\":\"tip\",\"category\":\"dispute\",\"anonymous\":false,"
                                   "\"text\":\"dat ray giua hai ho\"}"},
    {"TIN hai ho tranh chấp đất rẫy", "{\"kind\":\"tip\",\"category\":\"dispute\",\"anonymous\":"
                                      "false,\"text\":\"hai ho tranh chấp đất rẫy\"}"},
    {"TIN BLGD o thon 4", "{\"kind\":\"tip\",\"category\":\"domestic_violence\",\"anonymous\":"
                          "false,\"text\":\"o thon 4\",\"village\":\"4\"}"},
    {"TIN anh A say ruou đánh vợ", "{\"kind\":\"tip\",\"category\":\"domestic_violence\","
                                   "\"anonymous\":false,\"text\":\"anh A say ruou đánh vợ\"}"},
    {"TIN Bạo lực gia đình ở thôn 4",
     "{\"kind\":\"tip\",\"category\":\"domestic_violence\",\"anonymous\":false,\"text\":\"Bạo lực "
     "gia đình ở thôn 4\",\"village\":\"4\"}"},
    {"TIN thanh nien nghien tu tap o cau", "{\"kind\":\"tip\",\"category\":\"drugs\",\"anonymous\":"
                                           "false,\"text\":\"thanh nien nghien tu tap o cau\"}"},
    {"TIN nha toi bi mat trom xe may", "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":"
                                       "false,\"text\":\"nha toi bi mat trom xe may\"}"},
    {"TIN co ghi lô đề o quan nuoc", "{\"kind\":\"tip\",\"category\":\"gambling\",\"anonymous\":"
                                     "false,\"text\":\"co ghi lô đề o quan nuoc\"}"},
    /* the earliest phrase still decides */
    {"TIN mau thuan roi danh nhau", "{\"kind\":\"tip\",\"category\":\"dispute\",\"anonymous\":"
                                    "false,\"text\":\"mau thuan roi danh nhau\"}"},
    {"TIN danh nhau vi tranh chap dat", "{\"kind\":\"tip\",\"category\":\"fighting\",\"anonymous\":"
                                        "false,\"text\":\"danh nhau vi tranh chap dat\"}"},
    /* '/' separates tokens */
    {"TIN / co trom /",
     "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"co trom\"}"},
    {"BS T12/ xe do", "{\"kind\":\"supplement\",\"text\":\"xe do\",\"ref\":\"T12\"}"}, )

/* Issue 26: messages as they are typed on basic phones. */
RULES_ROWS(
    t_abbreviations,
    /* folded before category phrases are looked for: "ng" is "nguoi", "dt" "dien thoai" */
    {"TIN co ng la o thon 3", "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,"
                              "\"text\":\"co ng la o thon 3\",\"village\":\"3\"}"},
    {"co ng la vao lang",
     "{\"kind\":\"unknown\",\"category\":\"stranger\",\"text\":\"co ng la vao lang\"}"},
    {"TIN co ng gia danh CA xa",
     "{\"kind\":\"tip\",\"category\":\"fraud\",\"anonymous\":false,\"text\":\"co ng gia danh CA "
     "xa\"}"},
    /* and before lead-ins: "CA xa" is "cong an xa", "a" "anh" */
    {"Gửi CA xã: TIN có trộm chó",
     "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":\"có trộm chó\"}"},
    {"Kinh gui CA xa, HD", "{\"kind\":\"help\"}"},
    {"a oi TIN co trom", "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":"
                         "\"co trom\"}"},
    {"E chao a, HD", "{\"kind\":\"help\"}"},
    /* an abbreviation never turns a word into something else: "ca do" is betting */
    {"TIN ca do bong da", "{\"kind\":\"tip\",\"category\":\"gambling\",\"anonymous\":false,"
                          "\"text\":\"ca do bong da\"}"},
    /* units: "6 ng" is six people */
    {"TUAN BD di tuan voi 6 ng",
     "{\"kind\":\"patrol_start\",\"text\":\"di tuan voi 6 ng\",\"members\":6}"},
    {"TTPL 45 ng hop dan",
     "{\"kind\":\"awareness\",\"text\":\"hop dan\",\"participants\":45,\"sessions\":1}"},
    /* a word merely starting like an abbreviation is none */
    {"TIN co ngo la", "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"co ngo "
                      "la\"}"}, )

RULES_ROWS(t_greetings,
           {"Anh ơi, TIN có người lạ",
            "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,"
            "\"text\":\"có người lạ\"}"},
           {"chi oi HD", "{\"kind\":\"help\"}"}, {"Cong an oi, HD", "{\"kind\":\"help\"}"},
           {"CA oi HD", "{\"kind\":\"help\"}"}, {"Xin chào anh, HD", "{\"kind\":\"help\"}"},
           {"Chào chú, HD", "{\"kind\":\"help\"}"}, {"Em chào anh, HD", "{\"kind\":\"help\"}"},
           {"Cháu chào bác. HD", "{\"kind\":\"help\"}"},
           /* a person word alone, or "oi" after another word, is no greeting */
           {"Anh HD", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Anh HD\"}"},
           {"Troi oi HD", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Troi oi HD\"}"},
           {"Anh oi", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Anh oi\"}"},
           /* the short lead words */
           {"Da hoa giai xong tranh chap dat",
            "{\"kind\":\"mediation\",\"text\":\"xong tranh chap dat\"}"},
           {"Hôm nay TTPL 40 người", "{\"kind\":\"awareness\",\"participants\":40,\"sessions\":1}"},
           {"Vua TUAN KT", "{\"kind\":\"patrol_end\"}"}, )

RULES_ROWS(
    t_patrol_order,
    /* START|END before the patrol word */
    {"ket thuc tuan tra luc 23h", "{\"kind\":\"patrol_end\",\"text\":\"luc 23h\"}"},
    {"KT tuan tra", "{\"kind\":\"patrol_end\"}"}, {"xong tuan tra", "{\"kind\":\"patrol_end\"}"},
    {"Bắt đầu tuần tra lúc 21h, 5 người",
     "{\"kind\":\"patrol_start\",\"text\":\"lúc 21h, 5 người\",\"members\":5}"},
    {"xuat phat tuan tra TQ2 4", "{\"kind\":\"patrol_start\",\"team\":\"TQ2\",\"members\":4}"},
    /* XONG and XUATPHAT after it */
    {"Tuần tra xong", "{\"kind\":\"patrol_end\"}"},
    {"tuan tra xuat phat 3", "{\"kind\":\"patrol_start\",\"members\":3}"},
    /* a team first: a code is the team, "to N" names none */
    {"TQ3 tuan tra xong", "{\"kind\":\"patrol_end\",\"team\":\"TQ3\"}"},
    {"TQ3 bat dau tuan tra 5 nguoi",
     "{\"kind\":\"patrol_start\",\"text\":\"nguoi\",\"team\":\"TQ3\",\"members\":5}"},
    {"To 3 bat dau tuan tra, 6 ng", "{\"kind\":\"patrol_start\",\"text\":\"ng\",\"members\":6}"},
    {"Tổ tự quản thôn 4 tuần tra xong", "{\"kind\":\"patrol_end\"}"},
    {"to tu quan 2 ket thuc tuan tra", "{\"kind\":\"patrol_end\"}"},
    /* after a lead word */
    {"Da tuan tra xong", "{\"kind\":\"patrol_end\"}"},
    {"Hom nay to 2 bat dau tuan tra", "{\"kind\":\"patrol_start\"}"},
    /* no patrol word, or something else before: no patrol */
    {"bat dau hop dan", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"bat dau hop dan\"}"},
    {"KT", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"KT\"}"},
    {"TQ3 5 nguoi", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"TQ3 5 nguoi\"}"},
    {"to bat dau tuan tra",
     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"to bat dau tuan tra\"}"},
    {"nha to 3 bat dau tuan tra",
     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"nha to 3 bat dau tuan tra\"}"},
    {"TQ3 tuan tra",
     "{\"kind\":\"invalid\",\"keyword\":\"patrol_start\",\"error\":\"missing start or end "
     "word\"}"}, )

RULES_ROWS(
    t_awareness_anywhere,
    {"Tuyen truyen phap luat tai thon 4 duoc 80 nguoi",
     "{\"kind\":\"awareness\",\"text\":\"phap luat tai thon 4 duoc 80 "
     "nguoi\",\"participants\":80,\"sessions\":1}"},
    {"TTPL phong chong ma tuy 2 buoi 120 nguoi",
     "{\"kind\":\"awareness\",\"text\":\"phong chong ma tuy 2 buoi 120 "
     "nguoi\",\"participants\":120,\"sessions\":2}"},
    {"TTPL 2 dot tuyen truyen, 150 luot",
     "{\"kind\":\"awareness\",\"text\":\"tuyen truyen, 150 luot\",\"participants\":150,"
     "\"sessions\":2}"},
    {"TTPL 60 nguoi hop dan 3 buoi",
     "{\"kind\":\"awareness\",\"text\":\"hop dan 3 buoi\",\"participants\":60,\"sessions\":3}"},
    /* a number with no unit is still no figure */
    {"TTPL tai thon 4 hop dan",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"missing participants\"}"},
    {"TTPL hop dan 0 dot 40 nguoi",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"zero sessions\"}"},
    {"TTPL hop dan 1000001 nguoi",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"number too large\"}"},
    {"TTPL 40 hop dan 1000001 dot",
     "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"number too large\"}"}, )

RULES_ROWS(t_glued_numbers,
           {"TTPL 150nguoi", "{\"kind\":\"awareness\",\"participants\":150,\"sessions\":1}"},
           {"TTPL 2buoi 90ng", "{\"kind\":\"awareness\",\"participants\":90,\"sessions\":2}"},
           {"TTPL 15dot 1.410 luot nguoi",
            "{\"kind\":\"awareness\",\"participants\":1410,\"sessions\":15}"},
           {"TUAN BD TQ3 6ng",
            "{\"kind\":\"patrol_start\",\"text\":\"ng\",\"team\":\"TQ3\",\"members\":6}"},
           {"TUAN BD di tuan 7nguoi",
            "{\"kind\":\"patrol_start\",\"text\":\"di tuan 7nguoi\",\"members\":7}"},
           /* any other number glued to letters stays not a number */
           {"TTPL 15abc",
            "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"missing participants\"}"},
           {"TTPL 15nguoix",
            "{\"kind\":\"invalid\",\"keyword\":\"awareness\",\"error\":\"missing participants\"}"},
           {"TUAN BD 21h di", "{\"kind\":\"patrol_start\",\"text\":\"21h di\"}"},
           {"TUAN BD 2dot", "{\"kind\":\"patrol_start\",\"text\":\"2dot\"}"}, )

RULES_ROWS(t_bs_dk_words,
           {"Bo sung T12: xe mau den",
            "{\"kind\":\"supplement\",\"text\":\"xe mau den\",\"ref\":\"T12\"}"},
           {"Bổ sung T8 áo xanh", "{\"kind\":\"supplement\",\"text\":\"áo xanh\",\"ref\":\"T8\"}"},
           {"DK ten Nguyen Van Binh thon 5",
            "{\"kind\":\"register\",\"name\":\"Nguyen Van Binh\",\"village\":\"5\"}"},
           {"ĐK họ tên: Lê Thị Hoa, thôn 2",
            "{\"kind\":\"register\",\"name\":\"Lê Thị Hoa\",\"village\":\"2\"}"},
           /* TEN alone is the name; HO without TEN is part of it */
           {"DK ten", "{\"kind\":\"register\",\"name\":\"ten\"}"},
           {"DK Ho Van Ten", "{\"kind\":\"register\",\"name\":\"Ho Van Ten\"}"}, )

RULES_ROWS(
    t_status, {"TT T12", "{\"kind\":\"status\",\"ref\":\"T12\"}"},
    {"Tình trạng T12", "{\"kind\":\"status\",\"ref\":\"T12\"}"},
    {"TINHTRANG: #t5", "{\"kind\":\"status\",\"ref\":\"T5\"}"},
    {"TT T12-4821", "{\"kind\":\"status\",\"ref\":\"T12\",\"secret\":\"4821\"}"},
    {"Alo, tt T12-4821 cho em hoi", "{\"kind\":\"status\",\"ref\":\"T12\",\"secret\":\"4821\"}"},
    /* a secret is four digits exactly */
    {"TT T12-482", "{\"kind\":\"status\",\"ref\":\"T12\"}"},
    {"TT T12-48210", "{\"kind\":\"status\",\"ref\":\"T12\"}"},
    {"TT T12-4821a", "{\"kind\":\"status\",\"ref\":\"T12\"}"},
    {"TT T12-482, ok", "{\"kind\":\"status\",\"ref\":\"T12\"}"},
    {"TT", "{\"kind\":\"invalid\",\"keyword\":\"status\",\"error\":\"missing reference\"}"},
    {"TT: ...", "{\"kind\":\"invalid\",\"keyword\":\"status\",\"error\":\"missing reference\"}"},
    /* a word that is no reference: TT is no command ("tình trạng" is also a word) */
    {"Tình trạng an ninh ổn định",
     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Tình trạng an ninh ổn định\"}"},
    {"TT ve vu trom", "{\"kind\":\"unknown\",\"category\":\"theft\",\"text\":\"TT ve vu trom\"}"},
    {"TINHTRNAG abc", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"TINHTRNAG abc\"}"},
    {"TINHTRNAG T3", "{\"kind\":\"status\",\"corrected\":\"TINHTRANG\",\"ref\":\"T3\"}"}, )

/* The crime words of issue 26 in the category phrases, and abbreviated. */
static void t_local_crime_words(void)
{
	static const struct {
		const char *category, *text;
	} rows[] = {
	    {"theft", "có kẻ gian vào nhà"},
	    {"theft", "kẻ gian đột nhập"},
	    {"theft", "nha bi dot nhap"},
	    {"theft", "bị bẻ khóa xe"},
	    {"theft", "bắt trộm chó"},
	    {"fraud", "có người giả danh ngân hàng"},
	    {"fraud", "gia danh CA goi dt"},
	    {"fraud", "bị lừa tiền"},
	    {"fraud", "nhận tin nhắn trúng thưởng"},
	    {"fraud", "bảo chuyển tiền"},
	    {"gambling", "sới xóc đĩa"},
	    {"gambling", "cá cược bóng đá"},
	    {"weapons", "súng tự chế"},
	    {"forest", "cưa gỗ trong rừng"},
	    {"fighting", "thanh niên đâm nhau"},
	    {"fighting", "va chạm giữa hai nhóm"},
	};
	struct parse_rules *r = parse_rules_new();
	struct parse_result res;
	char msg[160];

	CHECK(r != NULL);
	if (r == NULL)
		return;
	for (size_t i = 0; i < N_OF(rows); i++) {
		const char *got;

		snprintf(msg, sizeof msg, "TIN %s", rows[i].text);
		parse_message(r, msg, strlen(msg), &res);
		got = parse_category_name(r, res.category);
		if (got == NULL || strcmp(got, rows[i].category) != 0)
			fprintf(stderr, "  message \"%s\"\n", msg);
		CHECK_STR(got ? got : "(none)", rows[i].category);
		parse_message(r, rows[i].text, strlen(rows[i].text), &res);
		got = parse_category_name(r, res.category);
		CHECK_INT(res.kind, PARSE_UNKNOWN);
		CHECK_STR(got ? got : "(none)", rows[i].category);
	}
	parse_rules_free(r);
}

/* keywords.abbreviations: entries checked, duplicates, off, and applied to categories and
 * lead-ins whichever is set first; a keyword stays a keyword. */
static void t_abbreviation_rules(void)
{
	static const struct row with[] = {
	    {"TIN x ab y",
	     "{\"kind\":\"tip\",\"category\":\"c\",\"anonymous\":false,\"text\":\"x ab "
	     "y\"}"},
	    {"TIN x alpha beta y",
	     "{\"kind\":\"tip\",\"category\":\"c\",\"anonymous\":false,\"text\":"
	     "\"x alpha beta y\"}"},
	    {"hey ab, HD", "{\"kind\":\"help\"}"},
	    /* "tin" stands for "tinh" here, yet TIN is the tip keyword as typed */
	    {"TIN co trom", "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"co "
	                    "trom\"}"},
	    {"HD", "{\"kind\":\"help\"}"},
	};
	static const struct row without[] = {
	    {"TIN x ab y",
	     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"x ab y\"}"},
	    {"hey ab, HD", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"hey ab, HD\"}"},
	    {"TIN co ng la",
	     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"co ng la\"}"},
	};
	struct parse_rules *r = parse_rules_new();

	CHECK(r != NULL);
	if (r == NULL)
		return;
	/* refused, and the table before kept */
	CHECK_INT(parse_rules_set_abbreviations(r, (const char *const[]){"ng"}, 1), -1);
	CHECK_INT(parse_rules_set_abbreviations(r, (const char *const[]){"=nguoi"}, 1), -1);
	CHECK_INT(parse_rules_set_abbreviations(r, (const char *const[]){"ng="}, 1), -1);
	CHECK_INT(parse_rules_set_abbreviations(r, (const char *const[]){"n g=nguoi"}, 1), -1);
	CHECK_INT(parse_rules_set_abbreviations(r, (const char *const[]){"ng=nguoi 2"}, 1), -1);
	CHECK_INT(parse_rules_set_abbreviations(r, (const char *const[]){"k=khong", "k=ke"}, 2),
	          -1);
	CHECK_INT(
	    parse_rules_set_abbreviations(r, (const char *const[]){"k=khong gi", "k=khong"}, 2),
	    -1);
	CHECK_INT(parse_rules_set_abbreviations(r, (const char *const[]){NULL}, 1), -1);
	CHECK_INT(parse_rules_set_abbreviations(r, NULL, 1), -1);
	CHECK_INT(parse_rules_set_abbreviations(NULL, NULL, 0), -1);
	check_rows(r,
	           (const struct row[]){{"TIN co ng la", "{\"kind\":\"tip\",\"category\":"
	                                                 "\"stranger\",\"anonymous\":false,"
	                                                 "\"text\":\"co ng la\"}"}},
	           1);
	/* set before the categories and lead-ins they apply to: still applied */
	CHECK_INT(
	    parse_rules_set_abbreviations(
	        r, (const char *const[]){"ab = alpha beta", "tin=tinh", "đc=được", "dc=duoc"}, 4),
	    0);
	parse_rules_clear_categories(r);
	CHECK_INT(parse_rules_add_category(r, "c", NULL, 0, (const char *const[]){"alpha beta"}, 1),
	          0);
	CHECK_INT(parse_rules_set_lead_ins(r, (const char *const[]){"hey alpha beta", "tinh"}, 2),
	          0);
	check_rows(r, with, N_OF(with));
	/* none at all */
	CHECK_INT(parse_rules_set_abbreviations(r, NULL, 0), 0);
	parse_rules_free(r);
	r = parse_rules_new();
	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_INT(parse_rules_set_abbreviations(r, NULL, 0), 0);
	CHECK_INT(parse_rules_set_lead_ins(r, (const char *const[]){"hey alpha beta"}, 1), 0);
	check_rows(r, without, N_OF(without));
	parse_rules_free(r);
}

/* Rule 5, every default code and phrase of the table, with diacritics where the
 * villagers write them: after TIN, in an unknown message, and as a code. */
static void t_default_phrases(void)
{
	static const struct {
		const char *category, *phrase;
	} rows[] = {
	    {"drugs", "ma túy"},
	    {"drugs", "heroin"},
	    {"drugs", "thuốc lắc"},
	    {"drugs", "tiêm chích"},
	    {"drugs", "nghiện"},
	    {"theft", "trộm"},
	    {"theft", "ăn cắp"},
	    {"theft", "cướp"},
	    {"theft", "mất trộm"},
	    {"theft", "mất cắp"},
	    {"theft", "trộm cắp"},
	    {"theft", "cướp giật"},
	    {"fighting", "đánh nhau"},
	    {"fighting", "hành hung"},
	    {"fighting", "chém nhau"},
	    {"fighting", "gây rối"},
	    {"gambling", "đánh bạc"},
	    {"gambling", "cờ bạc"},
	    {"gambling", "số đề"},
	    {"gambling", "lô đề"},
	    {"gambling", "cá độ"},
	    {"gambling", "đánh bài"},
	    {"gambling", "bài bạc"},
	    {"traffic", "tai nạn"},
	    {"traffic", "đua xe"},
	    {"traffic", "giao thông"},
	    {"stranger", "người lạ"},
	    {"stranger", "đối tượng lạ"},
	    {"stranger", "kẻ lạ"},
	    {"fraud", "lừa đảo"},
	    {"fraud", "mạo danh"},
	    {"fraud", "chiếm đoạt"},
	    {"forest", "phá rừng"},
	    {"forest", "khai thác gỗ"},
	    {"forest", "gỗ lậu"},
	    {"forest", "cháy rừng"},
	    {"forest", "đốt rừng"},
	    {"forest", "săn bắn"},
	    {"forest", "động vật hoang dã"},
	    {"weapons", "vũ khí"},
	    {"weapons", "súng"},
	    {"weapons", "thuốc nổ"},
	    {"weapons", "kíp nổ"},
	    {"weapons", "lựu đạn"},
	    {"dispute", "tranh chấp"},
	    {"dispute", "mâu thuẫn"},
	    {"dispute", "cãi nhau"},
	    {"domestic_violence", "bạo lực gia đình"},
	    {"domestic_violence", "đánh vợ"},
	};
	static const struct {
		const char *category, *code;
	} codes[] = {
	    {"drugs", "MT"},
	    {"drugs", "MATUY"},
	    {"theft", "TROM"},
	    {"fighting", "DN"},
	    {"fighting", "DANHNHAU"},
	    {"gambling", "CB"},
	    {"gambling", "COBAC"},
	    {"traffic", "GT"},
	    {"traffic", "GIAOTHONG"},
	    {"stranger", "NL"},
	    {"stranger", "NGUOILA"},
	    {"fraud", "LD"},
	    {"fraud", "LUADAO"},
	    {"forest", "RUNG"},
	    {"weapons", "VK"},
	    {"weapons", "VUKHI"},
	    {"dispute", "TC"},
	    {"dispute", "TRANHCHAP"},
	    {"domestic_violence", "BLGD"},
	    {"other", "KHAC"},
	};
	struct parse_rules *r = parse_rules_new();
	struct parse_result res;
	char msg[160];

	CHECK(r != NULL);
	if (r == NULL)
		return;
	for (size_t i = 0; i < N_OF(rows); i++) {
		snprintf(msg, sizeof msg, "TIN hôm qua có %s ở thôn 2", rows[i].phrase);
		parse_message(r, msg, strlen(msg), &res);
		if (res.kind != PARSE_TIP || strcmp(parse_category_name(r, res.category)
		                                        ? parse_category_name(r, res.category)
		                                        : "(none)",
		                                    rows[i].category) != 0)
			fprintf(stderr, "  message \"%s\"\n", msg);
		CHECK_INT(res.kind, PARSE_TIP);
		CHECK_STR(parse_category_name(r, res.category), rows[i].category);
		snprintf(msg, sizeof msg, "Hôm qua có %s ở thôn 2", rows[i].phrase);
		parse_message(r, msg, strlen(msg), &res);
		CHECK_INT(res.kind, PARSE_UNKNOWN);
		CHECK_STR(parse_category_name(r, res.category), rows[i].category);
	}
	for (size_t i = 0; i < N_OF(codes); i++) {
		snprintf(msg, sizeof msg, "TIN %s o thon 2", codes[i].code);
		parse_message(r, msg, strlen(msg), &res);
		if (res.kind != PARSE_TIP || res.category < 0 ||
		    strcmp(parse_category_name(r, res.category), codes[i].category) != 0)
			fprintf(stderr, "  message \"%s\"\n", msg);
		CHECK_INT(res.kind, PARSE_TIP);
		CHECK_STR(parse_category_name(r, res.category), codes[i].category);
	}
	parse_rules_free(r);
}

/* Slips with configured keywords: two keywords in reach is none, and only ASCII letters
 * are corrected; lead-ins configured, refused and turned off. */
static void t_slip_and_lead_in_rules(void)
{
	static const struct row ambiguous[] = {
	    /* "acb" is "abc" (b, c swapped) and "cab" (a, c swapped): neither is taken */
	    {"acb x", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"acb x\"}"},
	    {"bac x",
	     "{\"kind\":\"tip\",\"corrected\":\"ABC\",\"category\":null,\"anonymous\":false,"
	     "\"text\":\"x\"}"},
	    {"cabb", "{\"kind\":\"help\",\"corrected\":\"CAB\"}"},
	    /* a folded word that is not ASCII is never corrected */
	    {"x\xce\xb2\xce\xb1 y",
	     "{\"kind\":\"unknown\",\"category\":null,\"text\":\"x\xce\xb2\xce\xb1 y\"}"},
	    {"x\xce\xb1\xce\xb2 y", "{\"kind\":\"mediation\",\"text\":\"y\"}"},
	    /* configured lead-ins replace the defaults */
	    {"Thưa anh, abc x",
	     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":\"x\"}"},
	    {"Alo abc x", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Alo abc x\"}"},
	};
	struct parse_rules *r = parse_rules_new();

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_INT(parse_rules_set_keywords(r, PARSE_TIP, (const char *const[]){"abc"}, 1), 0);
	CHECK_INT(parse_rules_set_keywords(r, PARSE_HELP, (const char *const[]){"cab"}, 1), 0);
	CHECK_INT(parse_rules_set_keywords(r, PARSE_MEDIATION,
	                                   (const char *const[]){"x\xce\xb1\xce\xb2"}, 1),
	          0);
	CHECK_INT(parse_rules_set_lead_ins(r, (const char *const[]){"thưa anh"}, 1), 0);
	/* refused, and the list before kept */
	CHECK_INT(parse_rules_set_lead_ins(r, (const char *const[]){"alo", "so 1"}, 2), -1);
	CHECK_INT(parse_rules_set_lead_ins(r, (const char *const[]){"..."}, 1), -1);
	CHECK_INT(parse_rules_set_lead_ins(r, (const char *const[]){NULL}, 1), -1);
	CHECK_INT(parse_rules_set_lead_ins(r, NULL, 1), -1);
	CHECK_INT(parse_rules_set_lead_ins(NULL, NULL, 0), -1);
	check_rows(r, ambiguous, N_OF(ambiguous));
	/* none at all */
	CHECK_INT(parse_rules_set_lead_ins(r, NULL, 0), 0);
	check_rows(r,
	           (const struct row[]){
	               {"Thưa anh, abc x",
	                "{\"kind\":\"unknown\",\"category\":null,\"text\":\"Thưa anh, abc x\"}"}},
	           1);
	parse_rules_free(r);
}

/* Spans point into the original text; the parser copies nothing but the *_buf fields. */
static void t_spans(void)
{
	static const char msg[] = "Tuần tra BĐ tq3 5 Đi tuần.";
	struct parse_rules *r = parse_rules_new();
	struct parse_result res;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	parse_message(r, msg, sizeof(msg) - 1, &res);
	CHECK_INT(res.kind, PARSE_PATROL_START);
	CHECK_INT(res.team.off, strstr(msg, "tq3") - msg);
	CHECK_INT(res.team.len, 3);
	CHECK_STR(res.team_buf, "TQ3");
	CHECK_INT(res.members, 5);
	CHECK_INT(res.participants, -1);
	CHECK_INT(res.category, -1);
	CHECK_INT(res.text.off, strstr(msg, "Đi") - msg);
	CHECK_INT(res.text.len, strlen("Đi tuần"));
	CHECK_INT(res.name.len, 0);
	CHECK_STR(res.ref_buf, "");

	/* fuzz regression: team_buf stays "" when the team token is refused half-way */
	parse_message(r, "TUAN KT Tta\xc9\x82qQ33", 17, &res);
	CHECK_INT(res.kind, PARSE_PATROL_END);
	CHECK_INT(res.team.len, 0);
	CHECK_STR(res.team_buf, "");

	/* Not NUL-terminated: only len bytes are read. */
	parse_message(r, "TIN abcdef", 6, &res);
	CHECK_INT(res.kind, PARSE_TIP);
	CHECK_INT(res.text.off, 4);
	CHECK_INT(res.text.len, 2);

	/* An embedded NUL is just a character. */
	parse_message(r, "TIN a\0b", 7, &res);
	CHECK_INT(res.kind, PARSE_TIP);
	CHECK_INT(res.text.len, 3);

	parse_message(r, NULL, 0, &res);
	CHECK_INT(res.kind, PARSE_UNKNOWN);
	CHECK_INT(res.text.len, 0);

	parse_message(r, "TTPL", 4, &res);
	CHECK_INT(res.kind, PARSE_INVALID);
	CHECK_INT(res.keyword, PARSE_AWARENESS);
	CHECK_STR(res.error, "missing participants");
	CHECK_INT(res.sessions, -1);
	CHECK_STR(res.corrected, "");

	/* The fields of the new rules: sessions only for awareness, corrected kept when invalid. */
	parse_message(r, "TTPL 3 dot 40 nguoi", 19, &res);
	CHECK_INT(res.sessions, 3);
	CHECK_INT(res.participants, 40);
	parse_message(r, "TNI abc", 7, &res);
	CHECK_STR(res.corrected, "TIN");
	CHECK_INT(res.sessions, -1);
	CHECK_INT(res.text.off, 4);
	parse_message(r, "TTLP x", 6, &res);
	CHECK_INT(res.kind, PARSE_INVALID);
	CHECK_STR(res.corrected, "TTPL");
	CHECK_INT(res.participants, -1);
	parse_message(r, "TUAN BD di 6 nguoi", 18, &res);
	CHECK_INT(res.members, 6);
	CHECK_INT(res.text.off, 8);
	parse_rules_free(r);
}

static void t_kind_names(void)
{
	static const char *const want[PARSE_KIND_COUNT] = {
	    "unknown",    "invalid",   "tip",       "supplement", "patrol_start",
	    "patrol_end", "awareness", "mediation", "register",   "optout",
	    "help",       "broadcast", "report",    "status",
	};

	for (int k = 0; k < PARSE_KIND_COUNT; k++)
		CHECK_STR(parse_kind_name((enum parse_kind)k), want[k]);
	CHECK_STR(parse_kind_name(PARSE_KIND_COUNT), "?");
}

static void t_keywords_str(void)
{
	struct parse_rules *r = parse_rules_new();
	char buf[64];

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_STR(parse_keywords_str(r, PARSE_TIP, buf, sizeof(buf)), "TIN/TIP");
	CHECK_STR(parse_keywords_str(r, PARSE_HELP, buf, sizeof(buf)), "HD/HUONGDAN/HELP/?");
	CHECK_STR(parse_keywords_str(r, PARSE_PATROL_START, buf, sizeof(buf)),
	          "BD/BATDAU/START/XUATPHAT");
	CHECK_STR(parse_keywords_str(r, PARSE_PATROL_END, buf, sizeof(buf)), "KT/KETTHUC/END/XONG");
	CHECK_STR(parse_patrol_words_str(r, buf, sizeof(buf)), "TUAN/TUANTRA/PATROL");
	CHECK_STR(parse_keywords_str(r, PARSE_UNKNOWN, buf, sizeof(buf)), "");
	/* cut at a word boundary */
	CHECK_STR(parse_keywords_str(r, PARSE_TIP, buf, 8), "TIN/TIP");
	CHECK_STR(parse_keywords_str(r, PARSE_TIP, buf, 7), "TIN");
	CHECK_STR(parse_keywords_str(r, PARSE_TIP, buf, 3), "");
	buf[0] = 'X';
	parse_keywords_str(r, PARSE_TIP, buf, 0);
	CHECK_INT(buf[0], 'X');
	parse_rules_free(r);
}

static void t_set_keywords(void)
{
	/* automatic: the word lists are compound literals */
	const struct {
		enum parse_kind kind;
		const char *const *words;
		size_t n;
		int want;
	} rows[] = {
	    {PARSE_TIP, (const char *const[]){"Báo", "TIN"}, 2, 0},
	    {PARSE_TIP, (const char *const[]){"TI N"}, 1, -1},
	    {PARSE_TIP, (const char *const[]){"T1"}, 1, -1},
	    {PARSE_TIP, (const char *const[]){""}, 1, -1},
	    {PARSE_TIP, (const char *const[]){NULL}, 1, -1},
	    {PARSE_TIP, (const char *const[]){"?"}, 1, -1},
	    {PARSE_TIP, (const char *const[]){"TIN"}, 0, -1},
	    {PARSE_TIP, (const char *const[]){"ABCDEFGHIJABCDEFGHIJABCDEFGHIJAB"}, 1, -1},
	    {PARSE_HELP, (const char *const[]){"?", "giup"}, 2, 0},
	    {PARSE_UNKNOWN, (const char *const[]){"X"}, 1, -1},
	    {PARSE_INVALID, (const char *const[]){"X"}, 1, -1},
	    {PARSE_KIND_COUNT, (const char *const[]){"X"}, 1, -1},
	    {PARSE_PATROL_START, (const char *const[]){"DI"}, 1, 0},
	};
	static const struct row after[] = {
	    {"Bao co trom", "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":false,\"text\":"
	                    "\"co trom\"}"},
	    {"TIP co trom", "{\"kind\":\"unknown\",\"category\":\"theft\",\"text\":\"TIP co "
	                    "trom\"}"},
	    {"giúp", "{\"kind\":\"help\"}"},
	    {"HD", "{\"kind\":\"unknown\",\"category\":null,\"text\":\"HD\"}"},
	    {"TUAN DI TQ1", "{\"kind\":\"patrol_start\",\"team\":\"TQ1\"}"},
	    {"TUAN BD TQ1",
	     "{\"kind\":\"invalid\",\"keyword\":\"patrol_start\",\"error\":\"missing start or end "
	     "word\"}"},
	    {"DI TUAN DI", "{\"kind\":\"patrol_start\"}"},
	    {"Bao tin: co trom", "{\"kind\":\"tip\",\"category\":\"theft\",\"anonymous\":true,"
	                         "\"text\":\"co trom\"}"},
	    {"DK A ban B", "{\"kind\":\"register\",\"name\":\"A\",\"village\":\"B\"}"},
	};
	struct parse_rules *r = parse_rules_new();
	char buf[64];

	CHECK(r != NULL);
	if (r == NULL)
		return;
	for (size_t i = 0; i < N_OF(rows); i++) {
		int got = parse_rules_set_keywords(r, rows[i].kind, rows[i].words, rows[i].n);

		if (got != rows[i].want)
			fprintf(stderr, "  row %zu\n", i);
		CHECK_INT(got, rows[i].want);
	}
	/* a failed call kept the list before it */
	CHECK_STR(parse_keywords_str(r, PARSE_TIP, buf, sizeof(buf)), "BAO/TIN");
	CHECK_INT(parse_rules_set_patrol_words(r, (const char *const[]){"Tuần", "đi tuần"}, 2), -1);
	CHECK_INT(parse_rules_set_patrol_words(r, (const char *const[]){"Tuần", "DITUAN"}, 2), 0);
	CHECK_INT(parse_rules_set_anonymous_words(r, (const char *const[]){"TIN"}, 1), 0);
	CHECK_INT(parse_rules_set_anonymous_words(r, NULL, 1), -1);
	CHECK_INT(parse_rules_set_village_words(r, (const char *const[]){"bản"}, 1), 0);
	CHECK_INT(parse_rules_set_village_words(r, (const char *const[]){"x"}, 0), -1);
	CHECK_INT(parse_rules_set_keywords(NULL, PARSE_TIP, (const char *const[]){"X"}, 1), -1);
	check_rows(r, after, N_OF(after));
	parse_rules_free(r);
}

static void t_conflict(void)
{
	struct parse_rules *r = parse_rules_new();
	char buf[16];

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_INT(parse_rules_conflict(r, buf, sizeof(buf)), 0);
	CHECK_INT(parse_rules_set_keywords(r, PARSE_HELP, (const char *const[]){"giup", "tin"}, 2),
	          0);
	CHECK_INT(parse_rules_conflict(r, buf, sizeof(buf)), 1);
	CHECK_STR(buf, "TIN");
	CHECK_INT(parse_rules_set_keywords(r, PARSE_HELP, (const char *const[]){"tuan"}, 1), 0);
	CHECK_INT(parse_rules_conflict(r, buf, sizeof(buf)), 1);
	CHECK_STR(buf, "TUAN");
	CHECK_INT(parse_rules_set_keywords(r, PARSE_HELP, (const char *const[]){"hd"}, 1), 0);
	CHECK_INT(parse_rules_set_keywords(r, PARSE_PATROL_END, (const char *const[]){"bd"}, 1), 0);
	CHECK_INT(parse_rules_conflict(r, buf, 2), 1);
	CHECK_STR(buf, "B");
	parse_rules_free(r);
}

static void t_categories(void)
{
	static const struct row rows[] = {
	    /* same start: the longer phrase wins, whatever the order */
	    {"TIN co nguoi la", "{\"kind\":\"tip\",\"category\":\"stranger\",\"anonymous\":false,"
	                        "\"text\":\"co nguoi la\"}"},
	    {"TIN co nguoi o cho", "{\"kind\":\"tip\",\"category\":\"people\",\"anonymous\":false,"
	                           "\"text\":\"co nguoi o cho\"}"},
	    /* at the same start and length, the category added first */
	    {"TIN xe may", "{\"kind\":\"tip\",\"category\":\"people\",\"anonymous\":false,\"text\":"
	                   "\"xe may\"}"},
	    {"TIN a b c d e f g h", "{\"kind\":\"tip\",\"category\":\"long\",\"anonymous\":false,"
	                            "\"text\":\"a b c d e f g h\"}"},
	    {"TIN x a b c d e f g h", "{\"kind\":\"tip\",\"category\":\"long\",\"anonymous\":false,"
	                              "\"text\":\"x a b c d e f g h\"}"},
	    {"TIN a b c d e f g",
	     "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":"
	     "\"a b c d e f g\"}"},
	    {"TIN danh bac", "{\"kind\":\"tip\",\"category\":null,\"anonymous\":false,\"text\":"
	                     "\"danh bac\"}"},
	    {"TIN NG hai nguoi", "{\"kind\":\"tip\",\"category\":\"people\",\"anonymous\":false,"
	                         "\"text\":\"hai nguoi\"}"},
	    {"TIN thôn 3 có người", "{\"kind\":\"tip\",\"category\":\"people\",\"anonymous\":false,"
	                            "\"text\":\"thôn 3 có người\",\"village\":\"3\"}"},
	    {"TIN x1 y2", "{\"kind\":\"tip\",\"category\":\"digits\",\"anonymous\":false,\"text\":"
	                  "\"x1 y2\"}"},
	};
	struct parse_rules *r = parse_rules_new();

	CHECK(r != NULL);
	if (r == NULL)
		return;
	CHECK_INT(parse_category_count(r), 12);
	CHECK_STR(parse_category_name(r, 0), "drugs");
	CHECK_STR(parse_category_name(r, 11), "other");
	CHECK(parse_category_name(r, 12) == NULL);
	CHECK(parse_category_name(r, -1) == NULL);
	parse_rules_clear_categories(r);
	CHECK_INT(parse_category_count(r), 0);
	CHECK_INT(parse_rules_add_category(r, "people", (const char *const[]){"NG"}, 1,
	                                   (const char *const[]){"nguoi", "xe may"}, 2),
	          0);
	CHECK_INT(parse_rules_add_category(r, "stranger", NULL, 0,
	                                   (const char *const[]){"nguoi la", "xe  may"}, 2),
	          0);
	CHECK_INT(parse_rules_add_category(r, "long", NULL, 0,
	                                   (const char *const[]){"a b c d e f g h"}, 1),
	          0);
	CHECK_INT(parse_rules_add_category(r, "digits", NULL, 0, (const char *const[]){"x1 y2"}, 1),
	          0);
	/* refused, and nothing of them is kept */
	CHECK_INT(parse_rules_add_category(r, "people", NULL, 0, NULL, 0), -1);
	CHECK_INT(parse_rules_add_category(r, "", NULL, 0, NULL, 0), -1);
	CHECK_INT(parse_rules_add_category(r, NULL, NULL, 0, NULL, 0), -1);
	CHECK_INT(parse_rules_add_category(r, "bad", (const char *const[]){"A1"}, 1, NULL, 0), -1);
	CHECK_INT(parse_rules_add_category(r, "bad", NULL, 0, (const char *const[]){"..."}, 1), -1);
	CHECK_INT(parse_rules_add_category(r, "bad", NULL, 0,
	                                   (const char *const[]){"ok", "a b c d e f g h i"}, 2),
	          -1);
	CHECK_INT(parse_rules_add_category(r, "bad", NULL, 0, (const char *const[]){NULL}, 1), -1);
	CHECK_INT(parse_rules_add_category(r, "bad", NULL, 1, NULL, 0), -1);
	CHECK_INT(parse_category_count(r), 4);
	/* a category with neither codes nor phrases is allowed: the daemon may set it */
	CHECK_INT(parse_rules_add_category(r, "manual", NULL, 0, NULL, 0), 0);
	CHECK_STR(parse_category_name(r, 4), "manual");
	check_rows(r, rows, N_OF(rows));
	parse_rules_free(r);
	parse_rules_free(NULL);
}

/* A long message: phrase spotting keeps only a ring of recent words. */
static void t_long_message(void)
{
	static const char unit[] = "lorem ipsum, ";
	char msg[4096], buf[8192];
	size_t n = 0;
	struct parse_rules *r = parse_rules_new();

	CHECK(r != NULL);
	if (r == NULL)
		return;
	memcpy(msg, "TIN ", 4);
	n = 4;
	while (n + sizeof(unit) < 3000) {
		memcpy(msg + n, unit, sizeof(unit) - 1);
		n += sizeof(unit) - 1;
	}
	memcpy(msg + n, "doi tuong la", 12);
	n += 12;
	to_json(r, msg, n, buf, sizeof(buf));
	CHECK(strncmp(buf, "{\"kind\":\"tip\",\"category\":\"stranger\",", 36) == 0);
	parse_rules_free(r);
}

int main(void)
{
	RUN(t_tip);
	RUN(t_supplement);
	RUN(t_patrol);
	RUN(t_awareness);
	RUN(t_mediation);
	RUN(t_register);
	RUN(t_optout_help);
	RUN(t_broadcast);
	RUN(t_tip_village);
	RUN(t_report);
	RUN(t_unknown);
	RUN(t_lead_in);
	RUN(t_slip);
	RUN(t_awareness_units);
	RUN(t_patrol_members);
	RUN(t_new_categories);
	RUN(t_default_phrases);
	RUN(t_slip_and_lead_in_rules);
	RUN(t_spans);
	RUN(t_kind_names);
	RUN(t_keywords_str);
	RUN(t_set_keywords);
	RUN(t_conflict);
	RUN(t_categories);
	RUN(t_long_message);
	RUN(t_abbreviations);
	RUN(t_greetings);
	RUN(t_patrol_order);
	RUN(t_awareness_anywhere);
	RUN(t_glued_numbers);
	RUN(t_bs_dk_words);
	RUN(t_status);
	RUN(t_local_crime_words);
	RUN(t_abbreviation_rules);
	return check_done();
}
