"""Deterministic corpora for scripts/bench_run.py (standard library only).

- incoming(n, seed, tips, one_second): n logical SMS as they would reach a phone, a mix of
  short GSM-7 tips and keyword messages (no TB broadcasts: tipline stores those with the PIN
  redacted), short Vietnamese UCS-2 texts and about 10% multipart messages (GSM-7 and UCS-2),
  each with a distinct sender and SMSC time; tips=True: tips only; one_second=True: all in
  one SMSC second.
- write_dummy_phone(dir, msgs): those messages as libGammu dummy-driver files (Gammu's
  "SMS backup" INI format), one file per part as a real modem stores them, each multipart part
  carrying an 8-bit concatenation UDH.
- parser_lines(n, seed): one-line texts for `tipline parse` (every keyword kind, unknown texts,
  Vietnamese with diacritics).
- sms_parts(text): parts needed as GSM-7 (160/153 septets, extension characters count 2) or
  UCS-2 (70/67 UTF-16 units); transliterate(): Vietnamese without diacritics.
"""
import os
import random
import unicodedata

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXT = set("^{}\\[~]|€\f")

VILLAGES = ["Thon 1", "Thon 2", "Thon 3", "Ban Don", "Buon Ma", "Ea Sup", "Krong Na",
            "Ea Wer", "Buon Tri", "Thon 7"]
VILLAGES_VI = ["thôn 1", "thôn 2", "thôn 3", "buôn Đôn", "buôn Ma", "Ea Súp", "Krông Na",
               "Ea Wer", "buôn Trí", "thôn 7"]
NAMES = ["Y Blong", "H Hen Nie", "Nguyen Van Binh", "Tran Thi Lan", "Ama Kong", "Le Van Tuan",
         "Y Moan", "Pham Thi Hoa"]
TEAMS = ["TQ1", "TQ2", "TQ3", "BD2", "ES4"]

GSM_SHORT = [
    "TIN co nguoi la o {v}",
    "TIN MT thay nhom thanh nien tu tap hut chich o bai dat sau truong {v}",
    "TIN TROM mat 2 con bo o {v} dem qua",
    "TIN ANDANH co bac o nha van hoa {v} moi toi",
    "TIN DN danh nhau o quan nhau cho {v}",
    "tin: xe tai cho go lau chay qua {v} luc 2h sang",
    "TIP GT xe may khong bien so chay toc do cao qua {v}",
    "BS T{r} them: 3 nguoi, di xe Wave mau do",
    "TUAN BD {t} {k}",
    "TUAN KT {t} binh thuong, khong co gi la",
    "PATROL START {t} {k} tuan tra khu rung giap ranh",
    "TTPL {k}0 tuyen truyen luat giao thong o {v}",
    "HG hoa giai tranh chap dat giua 2 ho o {v}",
    "DK {n} thon {k}",
    "HD",
    "?",
    "HUY",
    "alo",
    "Cho hoi so dien thoai cong an xa",
    "Nha toi o {v} bi mat xe dap",
    "ok cam on",
]
VI_SHORT = [
    "TIN có người lạ đi xe máy ở {v}",
    "Tin báo: nghi buôn bán ma túy ở chợ {v}",
    "TIN TRỘM mất con trâu ở {v} đêm qua",
    "Tuần tra {t} bắt đầu, {k} người",
    "TUẦN KT {t} bình thường",
    "Có đánh bạc ở nhà văn hóa {v}",
    "Xin hỏi thủ tục đăng ký tạm trú",
    "ĐK {n} thôn {k}",
    "HỦY",
    "Hòa giải xong vụ tranh chấp ở {v}",
    "TTPL {k}5 tuyên truyền phòng chống ma túy",
    "Cảm ơn công an xã",
    "Nhà tôi ở {v} bị mất trộm gà",
]
GSM_LONG = [
    "TIN co mot nhom khoang 5 nguoi la mat di 2 xe may khong bien so, hay lang vang quanh "
    "{v} tu chieu toi, hoi duong vao cac nha co nguoi gia o mot minh, de nghi cong an xa "
    "kiem tra gap vi ba con rat lo lang",
    "TTPL {k}0 buoi tuyen truyen phap luat ve phong chong ma tuy va an toan giao thong tai "
    "nha van hoa {v}, co dai dien doan thanh nien va hoi phu nu tham du, phat 200 to roi "
    "cho ba con, ba con hoi nhieu ve thu tuc dang ky tam tru",
    "HG hoa giai thanh cong vu tranh chap ranh gioi dat vuon giua hai ho gia dinh o {v}, hai "
    "ben da ky bien ban thong nhat cam lai coc ranh theo so do dia chinh va cam ket khong "
    "gay mat trat tu nua",
]
VI_LONG = [
    "TIN có nhóm thanh niên tụ tập đánh bạc ăn tiền ở bãi đất trống gần {v}, thường từ 9 giờ "
    "tối đến 2 giờ sáng, có cả người ở xã khác đến",
    "Báo tin: tối qua ở {v} có hai thanh niên đi xe máy không biển số giật túi xách của một "
    "chị đi chợ về, chị bị ngã trầy xước, mọi người đề nghị công an xã tăng cường tuần tra "
    "khu vực cầu treo",
    "TUẦN KT {t} đã đi hết tuyến đường liên thôn, phát hiện một xe tải chở gỗ không rõ nguồn "
    "gốc đậu ở bìa rừng, đã ghi biển số và báo cho kiểm lâm",
]

BROADCASTS = [
    "Cảnh giác lừa đảo qua điện thoại, không chuyển tiền cho người lạ.",
    "Công an xã thông báo: không tàng trữ, buôn bán pháo nổ trong dịp Tết Nguyên đán.",
    "Đề nghị bà con khóa cửa, cất giữ xe máy cẩn thận; thấy người lạ khả nghi báo ngay cho "
    "công an xã.",
    "Tuyệt đối không sử dụng ma túy, không tham gia đánh bạc dưới mọi hình thức.",
    "Người điều khiển xe máy phải đội mũ bảo hiểm, không chở quá số người quy định, không "
    "uống rượu bia khi lái xe.",
    "Bà con đi làm ăn xa cần khai báo tạm vắng với công an xã; người đến ở lại qua đêm phải "
    "khai báo tạm trú.",
    "Cảnh giác với các đối tượng giả danh công an, tòa án gọi điện yêu cầu chuyển tiền vào "
    "tài khoản. Công an không bao giờ làm việc qua điện thoại.",
    "Phòng chống cháy rừng mùa khô: không đốt nương rẫy khi có gió lớn, không mang lửa vào "
    "rừng.",
    "Họp dân thôn 3 lúc 8 giờ sáng Chủ nhật tại nhà văn hóa, bàn về an ninh trật tự.",
    "Trẻ em dưới 16 tuổi không được điều khiển xe máy. Cha mẹ chịu trách nhiệm nếu giao xe "
    "cho con.",
]


def utf16_units(text):
    return len(text.encode("utf-16-le")) // 2


def gsm7_septets(text):
    """Septets as GSM-7, or None if some character has no GSM-7 encoding."""
    n = 0
    for ch in text:
        if ch in GSM_BASIC:
            n += 1
        elif ch in GSM_EXT:
            n += 2
        else:
            return None
    return n


def sms_parts(text, ucs2):
    """Parts needed for text as UCS-2 (70 / 67 units) or as GSM-7 (160 / 153 septets).
    Exact splitting: an extension character or a surrogate pair never straddles parts."""
    if ucs2:
        sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
        single, per = 70, 67
    else:
        sizes = [2 if c in GSM_EXT else 1 for c in text]
        single, per = 160, 153
    if sum(sizes) <= single:
        return 1
    parts, used = 1, 0
    for s in sizes:
        if used + s > per:
            parts += 1
            used = 0
        used += s
    return parts


def transliterate(text):
    """Vietnamese without diacritics: NFD, combining marks removed, đ/Đ -> d/D."""
    out = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in out
                                                if not unicodedata.combining(c)))


def _fill(tpl, rng):
    vi = any(ord(c) > 0x7F for c in tpl)
    return tpl.format(v=rng.choice(VILLAGES_VI if vi else VILLAGES), t=rng.choice(TEAMS),
                      k=rng.randint(2, 9), n=rng.choice(NAMES), r=rng.randint(1, 400))


def split_text(text, ucs2):
    """The parts a phone would send: 67 UCS-2 units or 153 GSM-7 characters each (the corpus
    uses no extension characters and no characters outside the BMP)."""
    per = 67 if ucs2 else 153
    return [text[i:i + per] for i in range(0, len(text), per)]


def _is_tip(tpl):
    return tpl.upper().startswith("TIN")


def incoming(n, seed=1, tips=False, one_second=False):
    """n messages: dicts with sender, time (datetime parts), text, ucs2, parts (list).
    tips: only tips (TIN ..., some anonymous), each of which gets a reply; one_second: every
    message with the same SMSC time (a burst the network delivers at once)."""
    rng = random.Random(seed)
    msgs = []
    pools = [GSM_LONG, VI_LONG, VI_SHORT, GSM_SHORT]
    if tips:
        pools = [[t for t in p if _is_tip(t)] for p in pools]
    for i in range(n):
        r = rng.random()
        if r < 0.10:
            pool = pools[0] if rng.random() < 0.5 else pools[1]
        elif r < 0.40:
            pool = pools[2]
        else:
            pool = pools[3]
        text = _fill(rng.choice(pool), rng)
        ucs2 = gsm7_septets(text) is None
        if ucs2:
            parts = [text] if utf16_units(text) <= 70 else split_text(text, True)
        else:
            parts = [text] if len(text) <= 160 else split_text(text, False)
        # A distinct sender (+8491 + 7 digits) for every message, and (but with one_second)
        # a distinct SMSC time: inbox's dedupe key (sender, smsc_time, text) never merges two
        # corpus messages.
        t = 1735718400 + (0 if one_second else i)  # 2025-01-01 08:00:00 UTC + i s
        msgs.append({"sender": "+8491%07d" % (1000000 + i * 37 % 9000000), "time": t,
                     "text": text, "ucs2": ucs2, "parts": parts, "ref": i % 256})
    return msgs


def _vcal(t):
    import time
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def _ini_part(m, k, part):
    hexs = part.encode("utf-16-be").hex().upper()
    lines = ["[SMSBackup000]",
             'SMSC = "+84900000000"',
             "PDU = Deliver",
             "DateTime = %s" % _vcal(m["time"]),
             "State = UnRead",
             'Number = "%s"' % m["sender"]]
    if len(m["parts"]) > 1:
        lines.append("UDH = 050003%02X%02X%02X" % (m["ref"], len(m["parts"]), k + 1))
    for j in range(0, max(len(hexs), 1), 200):
        lines.append("Text%02d = %s" % (j // 200, hexs[j:j + 200]))
    lines += ["Coding = %s" % ("Unicode_No_Compression" if m["ucs2"]
                               else "Default_No_Compression"),
              "Folder = 1",
              "Class = -1",
              ""]
    return "\r\n".join(lines).encode("ascii")


def write_dummy_phone(phone_dir, msgs, seed=2):
    """Write msgs into phone_dir/sms/1 as files 1..F (parts of a multipart message are
    shuffled a little, as networks deliver them). Returns the number of files."""
    inbox = os.path.join(phone_dir, "sms", "1")
    os.makedirs(inbox, exist_ok=True)
    for f in range(2, 6):
        os.makedirs(os.path.join(phone_dir, "sms", str(f)), exist_ok=True)
    blobs = []
    rng = random.Random(seed)
    for m in msgs:
        items = [_ini_part(m, k, p) for k, p in enumerate(m["parts"])]
        if len(items) > 1 and rng.random() < 0.3:
            items.reverse()
        blobs += items
    if len(blobs) > 9999:
        raise ValueError("the dummy driver holds 9,999 messages per folder")
    for loc, blob in enumerate(blobs, 1):
        tmp = os.path.join(inbox, ".tmp")
        with open(tmp, "wb") as f:
            f.write(blob)
        os.rename(tmp, os.path.join(inbox, str(loc)))
    return len(blobs)


PARSE_EXTRA = [
    "BS T{r} nguoi do quay lai luc 10h toi",
    "bs t{r}: them anh chup bien so",
    "TIP NL stranger asking about elderly people living alone",
    "Tuần BĐ {t} {k} tuần tra ban đêm",
    "TUANTRA KETTHUC {t} an toan",
    "TUYENTRUYEN 1.410 tuyen truyen luat dat dai",
    "HOAGIAI vu cai nhau giua hang xom",
    "DANGKY {n} thon {k}",
    "JOIN {n}",
    "TUCHOI",
    "STOP",
    "HUONGDAN",
    "HELP",
    "THONGBAO 1234 TQ3 Hop to tuan tra luc 19h",
    "TB 1234 TATCA Hop dan luc 8h sang mai tai nha van hoa",
    "TIN: MATUY co nguoi ban thuoc lac o quan karaoke {v}",
    "TIN CB danh bac o {v}",
    "TIN GIAOTHONG tai nan o nga ba {v}",
    "TIN KHAC mat giay to tuy than",
    "TIN",
    "TUAN",
    "TTPL",
    "Tin báo ĐÁNH NHAU ở quán nhậu {v}",
    "tiN   ANDANH   TROM  mat xe may",
    "Xin chào, cho tôi hỏi lịch tiếp dân của công an xã",
    "😀 ok",
    "1234",
]


def parser_lines(n, seed=3):
    rng = random.Random(seed)
    pools = [GSM_SHORT, VI_SHORT, GSM_LONG, VI_LONG, PARSE_EXTRA, BROADCASTS]
    weights = [0.35, 0.2, 0.05, 0.05, 0.3, 0.05]
    out = []
    for _ in range(n):
        pool = rng.choices(pools, weights)[0]
        out.append(_fill(rng.choice(pool), rng))
    return out
