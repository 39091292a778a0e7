#!/usr/bin/env python3
"""SMS PDU builder/decoder for tests (3GPP TS 23.040 / 23.038), standard library only.

Builds SMS-DELIVER PDUs (what a modem returns from AT+CMGR/AT+CMGL, SMSC prefix
included) and decodes SMS-SUBMIT PDUs (what libGammu sends with AT+CMGS and what
atmodem.py logs in DIR/sent.log).

Python API
----------
  deliver_pdu(text, sender, time=None, *, tz="+07:00", coding="auto",
              concat=None, smsc="+84980200030", pid=0, msg_class=None,
              udh=None, more_messages=False) -> hex str
      One SMS-DELIVER PDU.  coding: "auto" (GSM-7 if every character is in the
      GSM 03.38 basic+extension tables, else UCS-2), "gsm7", "ucs2", "8bit"
      (text encoded as UTF-8 bytes).  concat=(ref, total, seq): adds a
      concatenation UDH (8-bit reference if ref <= 255, else 16-bit).
      sender: "+8491..." (international, TOA 0x91), "0912..." (national, 0xA1),
      other digits/*/# (unknown, 0x81), anything else: alphanumeric (0xD0,
      GSM-7 packed, at most 11 characters).  time: datetime or
      "YYYY-MM-DD HH:MM:SS" (default: now); tz: "+07:00" style offset.
      Raises ValueError if the text does not fit one PDU.
  split_deliver(text, sender, time=None, *, coding="auto", ref=None, **kw)
      -> [hex, ...]
      One PDU if the text fits (160 GSM-7 septets / 70 UTF-16 units), else a
      concatenated set: 153 septets / 67 UTF-16 units per part (152/66 with a
      16-bit ref).  Escape sequences and surrogate pairs are never split.
      ref defaults to a value derived from (sender, text) (deterministic).
  status_report_pdu(mr, recipient, time=None, done=None, status=0, *, tz=..., smsc=...)
      -> hex str (SMS-STATUS-REPORT, as a modem stores/returns it)
  submit_pdu(text, number, *, coding="auto", concat=None, srr=False,
             vp=None, mr=0, smsc="") -> hex str (SMS-SUBMIT, for decoder tests)
  decode_pdu(hex, has_smsc=True) -> dict      (DELIVER, SUBMIT or STATUS-REPORT)
  decode_submit(hex, has_smsc=True) -> dict   (ValueError if not an SMS-SUBMIT)
      keys: type, smsc, mr, number, number_type, pid, dcs, coding, class,
      validity, status_report_request, reject_duplicates, reply_path, udh,
      concat ({"ref","total","seq","bits"} or None), udl, text
  decode_deliver(hex, has_smsc=True) -> dict (keys: sender, timestamp, ...)
  reassemble(decoded_list) -> str   joins decoded parts (sorted by concat seq)
  drop_into_inbox(state_dir, hex, index=None) -> int
      writes DIR/inbox/N.pdu atomically (.tmp + rename), lowest free N if None
  gsm7_encodable(text) -> bool;  gsm7_length(text) -> septets

CLI
---
  mkpdu.py deliver --from +84912345678 [--time "2026-11-26 08:00:00"] [--tz +07:00]
                   [--ucs2 | --coding gsm7|ucs2|8bit|auto] [--concat REF,TOTAL,SEQ]
                   [--smsc +84...] [--class N] TEXT            -> hex
  mkpdu.py split   --from ... [--time ...] [--ucs2] [--ref N] TEXT -> hex per line
  mkpdu.py status-report --mr 5 --to +8491... [--time ...] [--done ...] [--status 0]
  mkpdu.py submit  --to +8491... [--ucs2] [--concat R,T,S] [--srr] TEXT  -> hex
  mkpdu.py decode  HEX [HEX...] [--no-smsc]     -> JSON (one object, or a list)
  mkpdu.py drop    --state DIR [--index N] HEX  -> prints the index used
  TEXT "-" reads the text from stdin (UTF-8, one trailing newline stripped).
"""

import datetime as _dt
import json
import os
import re
import sys
import zlib

__all__ = [
    "deliver_pdu", "split_deliver", "status_report_pdu", "submit_pdu",
    "decode_pdu", "decode_submit", "decode_deliver", "reassemble",
    "drop_into_inbox", "gsm7_encodable", "gsm7_length",
    "gsm7_encode", "gsm7_decode", "pack7", "unpack7",
]

# ---------------------------------------------------------------- GSM 03.38

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
assert len(GSM7_BASIC) == 128

GSM7_EXT = {
    0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
    0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
}

_ENC_BASIC = {ch: i for i, ch in enumerate(GSM7_BASIC) if i != 0x1B}
_ENC_EXT = {ch: code for code, ch in GSM7_EXT.items()}


def gsm7_encodable(text):
    return all(ch in _ENC_BASIC or ch in _ENC_EXT for ch in text)


def gsm7_encode(text):
    """Text -> list of septets (extension characters become ESC + code)."""
    out = []
    for ch in text:
        if ch in _ENC_BASIC:
            out.append(_ENC_BASIC[ch])
        elif ch in _ENC_EXT:
            out.extend((0x1B, _ENC_EXT[ch]))
        else:
            raise ValueError("character %r is not in the GSM 7-bit alphabet" % ch)
    return out


def gsm7_length(text):
    return len(gsm7_encode(text))


def gsm7_decode(septets):
    out = []
    esc = False
    for s in septets:
        s &= 0x7F
        if esc:
            esc = False
            # unknown extension: 23.038 says show the basic-table character
            out.append(GSM7_EXT.get(s, GSM7_BASIC[s] if s != 0x1B else " "))
        elif s == 0x1B:
            esc = True
        else:
            out.append(GSM7_BASIC[s])
    if esc:
        out.append(" ")
    return "".join(out)


def pack7(septets, fill_bits=0):
    """Pack septets LSB-first into octets; fill_bits zero bits come first."""
    acc = 0
    nbits = fill_bits
    out = bytearray()
    for s in septets:
        acc |= (s & 0x7F) << nbits
        nbits += 7
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits > 0:
        out.append(acc & 0xFF)
    return bytes(out)


def unpack7(data, count, fill_bits=0):
    bits = int.from_bytes(bytes(data), "little") >> fill_bits
    return [(bits >> (7 * i)) & 0x7F for i in range(count)]


# ---------------------------------------------------------------- addresses

TON_NAMES = {0: "unknown", 1: "international", 2: "national", 3: "network",
             4: "subscriber", 5: "alphanumeric", 6: "abbreviated", 7: "reserved"}
_TON_BY_NAME = {v: k for k, v in TON_NAMES.items()}
_BCD_DIGITS = "0123456789*#abc"


def _bcd_encode(digits):
    if len(digits) % 2:
        digits += "F"
    out = bytearray()
    for i in range(0, len(digits), 2):
        lo = _bcd_val(digits[i])
        hi = _bcd_val(digits[i + 1])
        out.append((hi << 4) | lo)
    return bytes(out)


def _bcd_val(ch):
    if ch in "Ff":
        return 0xF
    idx = _BCD_DIGITS.find(ch)
    if idx < 0:
        raise ValueError("character %r cannot be BCD-encoded" % ch)
    return idx


def _bcd_decode(data, ndigits=None):
    out = []
    for b in data:
        for nib in (b & 0xF, b >> 4):
            if nib == 0xF:
                continue
            out.append(_BCD_DIGITS[nib] if nib < len(_BCD_DIGITS) else "?")
    s = "".join(out)
    return s[:ndigits] if ndigits is not None else s


def _classify_number(number, ton=None):
    """-> (ton, digits_or_text)."""
    if ton is not None:
        t = _TON_BY_NAME[ton] if isinstance(ton, str) else int(ton)
        return t, number.lstrip("+") if t == 1 else number
    if re.fullmatch(r"\+[0-9*#]+", number):
        return 1, number[1:]
    if re.fullmatch(r"0[0-9*#]*", number) and not number.startswith("00"):
        return 2, number
    if re.fullmatch(r"00[0-9]+", number):
        return 1, number[2:]
    if re.fullmatch(r"[0-9*#]+", number):
        return 0, number
    return 5, number


def encode_address(number, ton=None):
    """TP-OA/TP-DA field: length (semi-octets), TOA, value."""
    t, value = _classify_number(number, ton)
    if t == 5:
        septets = gsm7_encode(value)
        if len(septets) > 11:
            raise ValueError("alphanumeric address longer than 11 characters")
        packed = pack7(septets)
        semi = (len(septets) * 7 + 3) // 4
        return bytes([semi, 0xD0]) + packed
    toa = 0x80 | (t << 4) | 0x01
    return bytes([len(value), toa]) + _bcd_encode(value)


def encode_smsc(number):
    """SMSC prefix: length in octets (incl. TOA), TOA, BCD; "" -> 00."""
    if not number:
        return b"\x00"
    t, value = _classify_number(number)
    if t == 5:
        raise ValueError("SMSC must be numeric")
    toa = 0x80 | (t << 4) | 0x01
    body = bytes([toa]) + _bcd_encode(value)
    return bytes([len(body)]) + body


def _decode_address(data, pos):
    """TP address at pos -> (dict, new_pos)."""
    semi = data[pos]
    toa = data[pos + 1]
    nbytes = (semi + 1) // 2
    raw = data[pos + 2:pos + 2 + nbytes]
    if len(raw) < nbytes:
        raise ValueError("truncated address")
    ton = (toa >> 4) & 7
    if ton == 5:
        n = semi * 4 // 7
        value = gsm7_decode(unpack7(raw, n))
    else:
        value = _bcd_decode(raw, semi)
        if ton == 1:
            value = "+" + value
    return ({"number": value, "number_type": TON_NAMES[ton], "toa": toa},
            pos + 2 + nbytes)


def _decode_smsc(data):
    n = data[0]
    if n == 0:
        return "", 1
    toa = data[1]
    value = _bcd_decode(data[2:1 + n])
    if (toa >> 4) & 7 == 1:
        value = "+" + value
    return value, 1 + n


# ---------------------------------------------------------------- time stamps

def _swap(v):
    return ((v % 10) << 4) | (v // 10)


def _unswap(b):
    return (b & 0xF) * 10 + (b >> 4)


def _parse_tz(tz):
    if isinstance(tz, int):
        return tz
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", tz.strip())
    if not m:
        raise ValueError("bad time zone %r (want +07:00)" % tz)
    q = int(m.group(2)) * 4 + int(m.group(3) or 0) // 15
    return -q if m.group(1) == "-" else q


def _parse_time(t):
    if t is None:
        return _dt.datetime.now().replace(microsecond=0)
    if isinstance(t, _dt.datetime):
        return t
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return _dt.datetime.strptime(t, fmt)
        except ValueError:
            pass
    raise ValueError("bad time %r (want YYYY-MM-DD HH:MM:SS)" % t)


def encode_scts(t, tz="+07:00"):
    t = _parse_time(t)
    q = _parse_tz(tz)
    tzb = _swap(abs(q))
    if q < 0:
        tzb |= 0x08
    return bytes([_swap(t.year % 100), _swap(t.month), _swap(t.day),
                  _swap(t.hour), _swap(t.minute), _swap(t.second), tzb])


def decode_scts(b):
    y, mo, d, h, mi, s = (_unswap(x) for x in b[:6])
    tzb = b[6]
    neg = bool(tzb & 0x08)
    q = _unswap(tzb & 0xF7)
    mins = q * 15
    sign = "-" if neg else "+"
    return "20%02d-%02d-%02d %02d:%02d:%02d%s%02d:%02d" % (
        y, mo, d, h, mi, s, sign, mins // 60, mins % 60)


# ---------------------------------------------------------------- user data

def _concat_udh(concat):
    ref, total, seq = (int(x) for x in concat)
    if not (1 <= total <= 255 and 1 <= seq <= 255):
        raise ValueError("concat total/seq must be 1..255")
    if ref <= 255:
        return bytes([0x05, 0x00, 0x03, ref, total, seq])
    return bytes([0x06, 0x08, 0x04, (ref >> 8) & 0xFF, ref & 0xFF, total, seq])


def _choose_coding(text, coding):
    coding = (coding or "auto").lower()
    if coding in ("ucs-2", "unicode"):
        coding = "ucs2"
    if coding in ("gsm", "7bit", "gsm-7"):
        coding = "gsm7"
    if coding == "auto":
        coding = "gsm7" if gsm7_encodable(text) else "ucs2"
    if coding not in ("gsm7", "ucs2", "8bit"):
        raise ValueError("unknown coding %r" % coding)
    return coding


def _dcs(coding, msg_class):
    base = {"gsm7": 0x00, "8bit": 0x04, "ucs2": 0x08}[coding]
    if msg_class is not None:
        base |= 0x10 | (int(msg_class) & 3)
    return base


def _user_data(text, coding, udh):
    """-> (udl, ud bytes)."""
    udh = udh or b""
    if coding == "gsm7":
        septets = gsm7_encode(text)
        fill = (7 - (len(udh) * 8) % 7) % 7 if udh else 0
        hdr_septets = (len(udh) * 8 + fill) // 7
        udl = hdr_septets + len(septets)
        if udl > 160:
            raise ValueError("GSM-7 text too long for one PDU (%d septets)" % udl)
        return udl, udh + pack7(septets, fill)
    if coding == "ucs2":
        data = text.encode("utf-16-be", "surrogatepass")
    else:
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if len(udh) + len(data) > 140:
        raise ValueError("%s text too long for one PDU (%d octets)"
                         % (coding, len(udh) + len(data)))
    return len(udh) + len(data), udh + data


# ---------------------------------------------------------------- builders

def deliver_pdu(text, sender, time=None, *, tz="+07:00", coding="auto",
                concat=None, smsc="+84980200030", pid=0, msg_class=None,
                udh=None, more_messages=False, ton=None):
    coding = _choose_coding(text, coding)
    udh_bytes = bytes.fromhex(udh) if isinstance(udh, str) else (udh or b"")
    if concat:
        udh_bytes = _concat_udh(concat)
    fo = 0x00                      # MTI = SMS-DELIVER
    if not more_messages:
        fo |= 0x04                 # TP-MMS: no more messages waiting
    if udh_bytes:
        fo |= 0x40                 # TP-UDHI
    udl, ud = _user_data(text, coding, udh_bytes)
    pdu = (encode_smsc(smsc) + bytes([fo]) + encode_address(sender, ton)
           + bytes([pid, _dcs(coding, msg_class)]) + encode_scts(time, tz)
           + bytes([udl]) + ud)
    return pdu.hex().upper()


def _split_units(text, coding, per_part):
    """Split text into chunks of at most per_part units without breaking
    an escape sequence (GSM-7) or a surrogate pair (UCS-2)."""
    parts, cur, used = [], [], 0
    for ch in text:
        if coding == "gsm7":
            n = 2 if ch in _ENC_EXT else 1
        elif coding == "ucs2":
            n = 2 if ord(ch) > 0xFFFF else 1
        else:
            n = len(ch.encode("utf-8"))
        if used + n > per_part:
            parts.append("".join(cur))
            cur, used = [], 0
        cur.append(ch)
        used += n
    if cur or not parts:
        parts.append("".join(cur))
    return parts


def split_deliver(text, sender, time=None, *, coding="auto", ref=None, **kw):
    coding = _choose_coding(text, coding)
    if coding == "gsm7":
        single, multi8, multi16 = 160, 153, 152
        size = gsm7_length(text)
    elif coding == "ucs2":
        single, multi8, multi16 = 70, 67, 66
        size = len(text.encode("utf-16-be", "surrogatepass")) // 2
    else:
        single, multi8, multi16 = 140, 134, 133
        size = len(text.encode("utf-8"))
    if size <= single:
        return [deliver_pdu(text, sender, time, coding=coding, **kw)]
    if ref is None:
        ref = zlib.crc32(("%s\0%s" % (sender, text)).encode("utf-8")) & 0xFF
    chunks = _split_units(text, coding, multi8 if ref <= 255 else multi16)
    if len(chunks) > 255:
        raise ValueError("text needs more than 255 parts")
    return [deliver_pdu(c, sender, time, coding=coding,
                        concat=(ref, len(chunks), i + 1), **kw)
            for i, c in enumerate(chunks)]


def status_report_pdu(mr, recipient, time=None, done=None, status=0, *,
                      tz="+07:00", smsc="+84980200030"):
    fo = 0x06                      # MTI = SMS-STATUS-REPORT, MMS
    t = _parse_time(time)
    d = _parse_time(done) if done is not None else t
    pdu = (encode_smsc(smsc) + bytes([fo, int(mr) & 0xFF])
           + encode_address(recipient) + encode_scts(t, tz) + encode_scts(d, tz)
           + bytes([int(status) & 0xFF]))
    return pdu.hex().upper()


def submit_pdu(text, number, *, coding="auto", concat=None, srr=False,
               vp=None, mr=0, smsc="", msg_class=None, pid=0):
    coding = _choose_coding(text, coding)
    udh = _concat_udh(concat) if concat else b""
    fo = 0x01
    if vp is not None:
        fo |= 0x10                 # relative validity period
    if srr:
        fo |= 0x20
    if udh:
        fo |= 0x40
    udl, ud = _user_data(text, coding, udh)
    pdu = (encode_smsc(smsc) + bytes([fo, mr & 0xFF]) + encode_address(number)
           + bytes([pid, _dcs(coding, msg_class)])
           + (bytes([vp & 0xFF]) if vp is not None else b"")
           + bytes([udl]) + ud)
    return pdu.hex().upper()


# ---------------------------------------------------------------- decoding

def _decode_dcs(dcs):
    """-> (coding, class or None, compressed)."""
    group = dcs >> 4
    if group <= 0x7:               # general data coding / automatic deletion
        alpha = (dcs >> 2) & 3
        coding = {0: "gsm7", 1: "8bit", 2: "ucs2", 3: "reserved"}[alpha]
        cls = (dcs & 3) if dcs & 0x10 else None
        return coding, cls, bool(dcs & 0x20)
    if group in (0xC, 0xD):
        return "gsm7", None, False
    if group == 0xE:
        return "ucs2", None, False
    if group == 0xF:
        return ("8bit" if dcs & 0x04 else "gsm7"), dcs & 3, False
    return "reserved", None, False


def _parse_udh(udh):
    ies = []
    i = 0
    while i + 1 < len(udh):
        iei, ln = udh[i], udh[i + 1]
        ies.append((iei, udh[i + 2:i + 2 + ln]))
        i += 2 + ln
    concat = None
    for iei, val in ies:
        if iei == 0x00 and len(val) == 3:
            concat = {"ref": val[0], "total": val[1], "seq": val[2], "bits": 8}
        elif iei == 0x08 and len(val) == 4:
            concat = {"ref": (val[0] << 8) | val[1], "total": val[2],
                      "seq": val[3], "bits": 16}
    return concat, [{"iei": iei, "data": val.hex().upper()} for iei, val in ies]


def _decode_ud(data, pos, fo, dcs):
    udl = data[pos]
    ud = data[pos + 1:]
    coding, cls, compressed = _decode_dcs(dcs)
    res = {"dcs": dcs, "coding": coding, "class": cls, "udl": udl,
           "udh": None, "udh_ies": None, "concat": None}
    hdr = 0
    if fo & 0x40 and ud:
        hdr = ud[0] + 1
        udh = ud[1:hdr]
        res["udh"] = ud[:hdr].hex().upper()
        res["concat"], res["udh_ies"] = _parse_udh(udh)
    if coding == "gsm7" and not compressed:
        fill = (7 - (hdr * 8) % 7) % 7 if hdr else 0
        hdr_septets = (hdr * 8 + fill) // 7
        n = max(0, udl - hdr_septets)
        septets = unpack7(ud[hdr:], n, fill)
        res["text"] = gsm7_decode(septets)
        res["data"] = None
    else:
        body = ud[hdr:udl] if coding != "gsm7" else ud[hdr:]
        res["data"] = body.hex().upper()
        if coding == "ucs2":
            res["text"] = body.decode("utf-16-be", "surrogatepass")
        elif coding == "8bit":
            res["text"] = body.decode("utf-8", "replace")
        else:
            res["text"] = None
    return res


def decode_pdu(hexstr, has_smsc=True):
    hexstr = re.sub(r"\s+", "", hexstr)
    data = bytes.fromhex(hexstr)
    pos = 0
    smsc = None
    if has_smsc:
        smsc, pos = _decode_smsc(data)
    fo = data[pos]
    pos += 1
    mti = fo & 3
    res = {"smsc": smsc, "first_octet": fo}
    if mti == 0:                                   # SMS-DELIVER
        res["type"] = "deliver"
        addr, pos = _decode_address(data, pos)
        res["sender"] = addr["number"]
        res["number"] = addr["number"]
        res["number_type"] = addr["number_type"]
        res["pid"] = data[pos]
        dcs = data[pos + 1]
        res["timestamp"] = decode_scts(data[pos + 2:pos + 9])
        pos += 9
        res["more_messages"] = not bool(fo & 0x04)
        res["status_report_indication"] = bool(fo & 0x20)
        res["reply_path"] = bool(fo & 0x80)
        res.update(_decode_ud(data, pos, fo, dcs))
    elif mti == 1:                                 # SMS-SUBMIT
        res["type"] = "submit"
        res["mr"] = data[pos]
        pos += 1
        addr, pos = _decode_address(data, pos)
        res["number"] = addr["number"]
        res["number_type"] = addr["number_type"]
        res["pid"] = data[pos]
        dcs = data[pos + 1]
        pos += 2
        vpf = (fo >> 3) & 3
        if vpf == 2:
            res["validity"] = {"format": "relative", "value": data[pos]}
            pos += 1
        elif vpf == 3:
            res["validity"] = {"format": "absolute",
                               "value": decode_scts(data[pos:pos + 7])}
            pos += 7
        elif vpf == 1:
            res["validity"] = {"format": "enhanced",
                               "value": data[pos:pos + 7].hex().upper()}
            pos += 7
        else:
            res["validity"] = None
        res["reject_duplicates"] = bool(fo & 0x04)
        res["status_report_request"] = bool(fo & 0x20)
        res["reply_path"] = bool(fo & 0x80)
        res.update(_decode_ud(data, pos, fo, dcs))
    elif mti == 2:                                 # SMS-STATUS-REPORT
        res["type"] = "status-report"
        res["mr"] = data[pos]
        pos += 1
        addr, pos = _decode_address(data, pos)
        res["number"] = addr["number"]
        res["number_type"] = addr["number_type"]
        res["timestamp"] = decode_scts(data[pos:pos + 7])
        res["discharge_time"] = decode_scts(data[pos + 7:pos + 14])
        res["status"] = data[pos + 14]
    else:
        raise ValueError("reserved message type indicator 3")
    return res


def decode_submit(hexstr, has_smsc=True):
    res = decode_pdu(hexstr, has_smsc)
    if res["type"] != "submit":
        raise ValueError("not an SMS-SUBMIT PDU (type %s)" % res["type"])
    return res


def decode_deliver(hexstr, has_smsc=True):
    res = decode_pdu(hexstr, has_smsc)
    if res["type"] != "deliver":
        raise ValueError("not an SMS-DELIVER PDU (type %s)" % res["type"])
    return res


def reassemble(parts):
    """Join decoded parts (dicts from decode_*) into one text, ordered by
    concatenation sequence number.  UCS-2 bytes are joined before decoding,
    so a surrogate pair split across parts still comes out right."""
    parts = sorted(parts, key=lambda p: (p.get("concat") or {}).get("seq", 0))
    if parts and all(p.get("coding") == "ucs2" and p.get("data") is not None
                     for p in parts):
        return bytes.fromhex("".join(p["data"] for p in parts)).decode(
            "utf-16-be", "replace")
    return "".join(p.get("text") or "" for p in parts)


# ---------------------------------------------------------------- state dir

def drop_into_inbox(state_dir, hexstr, index=None, capacity=None):
    """Write one PDU as DIR/inbox/N.pdu atomically; returns N."""
    inbox = os.path.join(state_dir, "inbox")
    os.makedirs(inbox, exist_ok=True)
    if index is None:
        used = set()
        for name in os.listdir(inbox):
            m = re.fullmatch(r"(\d+)\.pdu", name)
            if m:
                used.add(int(m.group(1)))
        index = 1
        while index in used:
            index += 1
        if capacity is not None and index > capacity:
            raise ValueError("SIM full (capacity %d)" % capacity)
    tmp = os.path.join(inbox, ".tmp.%d.%d" % (os.getpid(), index))
    with open(tmp, "w") as f:
        f.write(hexstr.strip() + "\n")
    os.rename(tmp, os.path.join(inbox, "%d.pdu" % index))
    return index


# ---------------------------------------------------------------- CLI

def _text_arg(t):
    if t == "-":
        t = sys.stdin.read()
        if t.endswith("\n"):
            t = t[:-1]
    return t


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="mkpdu.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--from", dest="sender", required=True)
        sp.add_argument("--time", default=None)
        sp.add_argument("--tz", default="+07:00")
        sp.add_argument("--ucs2", action="store_true")
        sp.add_argument("--coding", default="auto")
        sp.add_argument("--smsc", default="+84980200030")
        sp.add_argument("--class", dest="msg_class", type=int, default=None)
        sp.add_argument("--ton", default=None,
                        help="force type of number (international, national, "
                             "unknown, alphanumeric, ...)")
        sp.add_argument("text")

    d = sub.add_parser("deliver", help="one SMS-DELIVER PDU")
    common(d)
    d.add_argument("--concat", default=None, help="REF,TOTAL,SEQ")
    s = sub.add_parser("split", help="SMS-DELIVER PDUs, concatenated if needed")
    common(s)
    s.add_argument("--ref", type=int, default=None)
    r = sub.add_parser("status-report")
    r.add_argument("--mr", type=int, required=True)
    r.add_argument("--to", required=True)
    r.add_argument("--time", default=None)
    r.add_argument("--done", default=None)
    r.add_argument("--status", type=int, default=0)
    r.add_argument("--tz", default="+07:00")
    r.add_argument("--smsc", default="+84980200030")
    sb = sub.add_parser("submit", help="one SMS-SUBMIT PDU (for decoder tests)")
    sb.add_argument("--to", required=True)
    sb.add_argument("--ucs2", action="store_true")
    sb.add_argument("--coding", default="auto")
    sb.add_argument("--concat", default=None)
    sb.add_argument("--srr", action="store_true")
    sb.add_argument("--smsc", default="")
    sb.add_argument("text")
    dc = sub.add_parser("decode", help="decode PDUs (hex, SMSC prefix included)")
    dc.add_argument("hex", nargs="+")
    dc.add_argument("--no-smsc", action="store_true")
    dr = sub.add_parser("drop", help="put a PDU into DIR/inbox atomically")
    dr.add_argument("--state", required=True)
    dr.add_argument("--index", type=int, default=None)
    dr.add_argument("hex")

    a = p.parse_args(argv)
    try:
        if a.cmd in ("deliver", "split"):
            coding = "ucs2" if a.ucs2 else a.coding
            kw = dict(tz=a.tz, coding=coding, smsc=a.smsc,
                      msg_class=a.msg_class, ton=a.ton)
            text = _text_arg(a.text)
            if a.cmd == "deliver":
                concat = tuple(int(x) for x in a.concat.split(",")) if a.concat else None
                print(deliver_pdu(text, a.sender, a.time, concat=concat, **kw))
            else:
                for h in split_deliver(text, a.sender, a.time, ref=a.ref, **kw):
                    print(h)
        elif a.cmd == "status-report":
            print(status_report_pdu(a.mr, a.to, a.time, a.done, a.status,
                                    tz=a.tz, smsc=a.smsc))
        elif a.cmd == "submit":
            concat = tuple(int(x) for x in a.concat.split(",")) if a.concat else None
            print(submit_pdu(_text_arg(a.text), a.to,
                             coding="ucs2" if a.ucs2 else a.coding,
                             concat=concat, srr=a.srr, smsc=a.smsc))
        elif a.cmd == "decode":
            res = [decode_pdu(h, not a.no_smsc) for h in a.hex]
            obj = res[0] if len(res) == 1 else res
            try:
                out = json.dumps(obj, ensure_ascii=False, indent=1)
                out.encode("utf-8")
            except UnicodeEncodeError:      # lone surrogate (split pair)
                out = json.dumps(obj, indent=1)
            print(out)
        elif a.cmd == "drop":
            print(drop_into_inbox(a.state, a.hex, a.index))
    except (ValueError, IndexError) as e:
        print("mkpdu.py: error: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
