"""Issue 15 end to end: messages written the way villagers and leaders write them, through the
real daemon on the dummy phone, stored with the right figures and answered."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Env, check, check_eq, run_tests, running, sent_messages, wait_for, wait_sent  # noqa: E402

VILLAGER = "+84987000001"
LEADER = "+84987000002"


def replies_to(env, number):
    return [m["text"] for m in sent_messages(env) if m["to"] == number]


def test_awareness_sessions_and_participants_are_stored():
    with running(Env()) as env:
        env.cli("contact", "add", LEADER, "--role", "leader", "--team", "ANND2")
        env.sms(LEADER, "TTPL: 15 đợt / 1.410 lượt người tham gia", when="2026-11-26 12:00:00")
        env.sms(LEADER, "TTPL 45 hop dan thon 3", when="2026-11-26 12:00:01")
        env.sms(LEADER, "Alo, TTPL 120 nguoi 2 buoi tuyen truyen luat dat dai", when="2026-11-26 12:00:02")
        env.sms(LEADER, "TTLP 30 luot nguoi", when="2026-11-26 12:00:03")
        env.sms(LEADER, "TTPL 15 dot", when="2026-11-26 12:00:04")
        wait_sent(env, 5)
        check_eq(env.query("SELECT sessions, participants, notes FROM awareness_sessions ORDER BY id"),
                 [(15, 1410, None), (1, 45, "hop dan thon 3"), (2, 120, "tuyen truyen luat dat dai"),
                  (1, 30, None)])
        texts = replies_to(env, LEADER)
        check("15 buoi" in texts[0] and "1410 luot" in texts[0], texts[0])
        check("1 buoi" in texts[1] and "45 luot" in texts[1], texts[1])
        check("Sai cu phap" in texts[4], "sessions without participants get the usage: " + texts[4])
        check_eq(env.query("SELECT kind FROM inbox ORDER BY id"),
                 [("awareness",), ("awareness",), ("awareness",), ("awareness",), ("invalid",)])


def test_patrol_members_from_the_text():
    with running(Env()) as env:
        env.cli("contact", "add", LEADER, "--role", "leader", "--team", "TQ3")
        env.sms(LEADER, "Tuần tra bắt đầu tổ 3, 6 người", when="2026-11-26 12:00:00")
        wait_sent(env, 1)
        env.sms(LEADER, "TUAN KT", when="2026-11-26 14:00:00")
        wait_sent(env, 2)
        env.sms(LEADER, "TUNA BD TQ3 di tuan 4 nguoi thon 2", when="2026-11-26 15:00:00")
        wait_sent(env, 3)
        check_eq(env.query("SELECT team, members, notes FROM patrols ORDER BY id"),
                 [("TQ3", 6, "tổ 3, 6 người"), ("TQ3", 4, "di tuan 4 nguoi thon 2")])
        texts = replies_to(env, LEADER)
        check("6 nguoi" in texts[0], texts[0])
        check("4 nguoi" in texts[2], texts[2])


def test_lead_ins_slips_and_new_categories_make_structured_tips():
    with running(Env(extra="replies: { max_per_hour = 20; };")) as env:
        msgs = [("Bao tin: co nguoi la o thon 3", "stranger", "co nguoi la o thon 3", 1),
                ("Alo TIN co nguoi ban ma tuy", "drugs", "co nguoi ban ma tuy", 1),
                ("TNI co nguoi khai thác gỗ lậu", "forest", "co nguoi khai thác gỗ lậu", 1),
                ("TIN BLGD o thon 4", "domestic_violence", "o thon 4", 1),
                ("Báo: bạo lực gia đình ở thôn 2", "domestic_violence", "Báo: bạo lực gia đình ở thôn 2", 0),
                ("TIM nguoi mat tich", None, "TIM nguoi mat tich", 0)]
        for i, (text, _, _, _) in enumerate(msgs):
            env.sms(VILLAGER, text, when="2026-11-26 12:00:%02d" % i)
        wait_sent(env, len(msgs))
        # In the order sent (their SMSC times): one poll may read several, in the phone's order.
        check_eq(env.query("SELECT category, text, structured FROM tips ORDER BY created_at"),
                 [(c, t, s) for _, c, t, s in msgs])
        check_eq([k for (k,) in env.query("SELECT kind FROM inbox ORDER BY smsc_time")],
                 ["tip", "tip", "tip", "tip", "unknown", "unknown"])


def test_category_named_in_vietnamese_in_replies():
    """{category}: the Vietnamese name, without diacritics in a GSM-7 template, with them in a
    Vietnamese one; a configured category keeps its name; none is "chua ro"."""
    extra = ('replies: { templates: { tip_ack = "Da nhan tin bao {category}, ma {ref}"; '
             'tip_ack_unstructured = "Đã nhận tin ({category}), mã {ref}"; }; };')
    with running(Env(extra=extra)) as env:
        env.sms(VILLAGER, "TIN co nguoi goi dien lua dao", when="2026-11-26 12:00:00")
        env.sms(VILLAGER, "TIN xe la", when="2026-11-26 12:00:01")
        env.sms(VILLAGER, "Co nguoi danh vo o thon 4", when="2026-11-26 12:00:02")
        wait_sent(env, 3)
        got = [(m["text"], m["coding"]) for m in sent_messages(env)]
        check_eq(sorted(got), sorted([("Da nhan tin bao lua dao, ma T1", "gsm7"),
                                      ("Da nhan tin bao chua ro, ma T2", "gsm7"),
                                      ("Đã nhận tin (bạo lực gia đình), mã T3", "ucs2")]))
    extra = ('categories = ( { name = "cattle"; codes = ["BO"]; phrases = ["trom bo"]; } );\n'
             'replies: { templates: { tip_ack = "Da nhan tin bao {category}, ma {ref}"; }; };')
    with running(Env(extra=extra)) as env:
        env.sms(VILLAGER, "TIN dem qua bi trom bo")
        wait_sent(env, 1)
        check_eq(sent_messages(env)[0]["text"], "Da nhan tin bao cattle, ma T1")


if __name__ == "__main__":
    run_tests(globals())
