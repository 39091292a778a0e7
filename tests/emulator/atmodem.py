#!/usr/bin/env python3
"""AT-command GSM modem emulator for tests (standard library only).

Speaks AT on stdin/stdout, so libGammu's AT driver can drive it directly
(gammurc: model = at, connection = proxyat,
 device = python3 /path/to/atmodem.py --state DIR) or through a pty
(socat PTY,link=PATH,raw,echo=0 EXEC:"python3 atmodem.py --state DIR"
 with connection = at115200, device = PATH).

Input is a byte stream: commands end with CR or LF (CR LF, LF CR, lone CR or
lone LF all work); ESC discards a half-typed line; BS/DEL delete a character;
other control bytes are ignored; a line that does not contain "AT" is ignored
(no echo, no answer), text before "AT" on a line is dropped.  Several extended
commands may be chained with ';' (AT+CMGF=0;+CPMS?).  Echo is on at start
(ATE0/ATE1 switch it); libGammu needs it, because it matches every answer to
its request by the echoed command.  Answers use verbose codes with CR LF.

State directory (--state DIR, created if missing)
-------------------------------------------------
  DIR/inbox/N.pdu   one stored SIM message at index N (1..capacity): an
                    SMS-DELIVER (or STATUS-REPORT) PDU in hex, SMSC prefix
                    included, exactly as AT+CMGR prints it.  Drop new files in
                    atomically (write DIR/inbox/.tmp..., then rename).  The
                    directory is rescanned on every CPMS/CMGL/CMGR/CMGD.  The
                    content is sent verbatim, so a malformed file tests decode
                    errors.  Files with N > capacity are invisible.
                    AT+CMGD removes the file.  A message becomes "read" (stat
                    1) once listed by CMGL or read by CMGR; that is kept in
                    DIR/read.json keyed by the file's inode and mtime, so a new
                    file at the same index is unread again.
  DIR/sent.log      one line per accepted AT+CMGS: "<mr> <HEX PDU>" (PDU as
                    received, SMSC prefix included, upper case).  mr counts on
                    from the last line of this file (0..255, wrapping).
  DIR/commands.log  one line per command received: "<unix time>\\t<command>";
                    in the SMS prompt also "PDU <hex>" (after Ctrl-Z) and "ESC"
                    (cancelled).
  DIR/faults.json   misbehaviour, re-read before every command (see below).
  DIR/trace.log     raw traffic in both directions, only with --trace.
  DIR/emulator.err  Python tracebacks, if a handler ever crashed (the modem then
                    answers ERROR and carries on).

faults.json (all keys optional; write the file atomically: tmp + rename)
------------------------------------------------------------------------
  "delay_ms": 100          sleep before every answer (after the echo)
  "delay_cmgs_ms": 2000    sleep between the PDU's Ctrl-Z and the +CMGS answer
  "error": {"AT+CMGR": "ERROR", "AT+CMGS": "+CMS ERROR: 38"}
                           final result replacing the answer of commands that
                           start with the key (longest key wins, case-blind).
                           For AT+CMGS it comes after the PDU (the network
                           rejected it): the prompt is still given, the PDU is
                           read and logged in commands.log but not in sent.log.
  "respond": {"AT+CSQ": ["+CSQ: 5,99", "OK"]}
                           whole answer (lines; the last one is the final
                           result) for commands starting with the key.  For
                           AT+CMGS this replaces the prompt.
  "unsolicited": ["+CMTI: \\"SM\\",3", "RING", "^BOOT:1,2,3"]
                           lines put inside the next final answer, between its
                           information lines and the final OK/ERROR.  Always
                           consumed (removed from the file) when emitted.
                           Or {"AT+CMGL": [lines]}: only inside the answer of
                           the next command starting with the key (for AT+CMGS:
                           the +CMGS answer after the PDU); each entry is
                           consumed separately.
  "async": ["+CMTI: \\"SM\\",4"]
                           lines sent on their own as soon as the modem is idle
                           (the file is polled every 0.2 s).  Always consumed.
  "garbage": true | N | "text"
                           random bytes (8..24, or N; never CR/LF) or the given
                           text, sent before the echo of the next command.
  "hang": true | "AT+CMGS" stop answering (no echo, no answer, no async lines)
                           to every command, or only to commands starting with
                           the given prefix; input is still read and logged.
  "exit": true | "AT+CMGS" exit(0) at once when the next (matching) command
                           arrives, like an unplugged stick.  Use it with
                           "once" if libGammu may reconnect to the same DIR.
  "capacity": 5            SIM capacity reported by AT+CPMS (default 30, or
                           --capacity).  Not a fault; never consumed.
  "ussd": {"*101#": "Balance 5000d", "*102#": {"text": "...", "status": 1,
           "dcs": 15}, "*103#": null, "*104#": {"no_answer": true},
           "*105#": {"text": "...", "delay_ms": 3000}}
                           USSD replies to AT+CUSD=1,"<code>",15, sent after
                           the OK (--ussd-delay-ms, or "delay_ms").  null or
                           {"status": 4}: "+CUSD: 4" (not supported); "status"
                           1: the network waits for more input (AT+CUSD=2
                           ends the session); "no_answer": OK, then nothing
                           ever.  dcs 15 (default when the text is GSM-7):
                           the text in the TE character set in force when the
                           line is sent; dcs 72 (default otherwise): hex
                           UTF-16 whatever the character set.  Default reply:
                           "Reply for <code>".  Not consumed.
  "ussd_notify": ["text", {"text": "...", "status": 1, "dcs": 72}]
                           network-initiated USSD: +CUSD lines (status 0
                           unless given) sent on their own as soon as the
                           modem is idle, encoded as above, but only while
                           presentation is on (AT+CUSD=1); kept until then.
                           Consumed when sent.
  "csq": 9 | [9, 3]        AT+CSQ's <rssi> (and <ber>, default 99) from now
                           on (--csq gives the start value).  Never consumed.
  "creg": 5                registration <stat> of AT+CREG?/AT+CGREG? (0 not
                           registered, 1 home, 2 searching, 3 denied, 4
                           unknown, 5 roaming; --creg, default 1).  Not
                           registered (not 1/5): AT+COPS? answers "+COPS: 0".
  "operator": "Vinaphone", "mccmnc": "45202"
                           AT+COPS? names from now on (--operator, --mccmnc).
  "no_echo": true          never echo (a broken modem).  Follows once/times.
  "when": "AT+CMGL"        gate: "garbage", "no_echo", "delay_ms", "hang": true,
                           "exit": true and a list-valued "unsolicited" apply
                           only to commands starting with this prefix (and
                           with "once" fire on the first such command).
The SMS prompt stage (PDU + Ctrl-Z received) counts as a command "PDU <hex>"
for "when", "hang" and "exit": "hang": "AT+CMGS" withholds the prompt, while
"hang": "PDU" gives the prompt, takes the PDU and never answers; "exit": "PDU"
dies right after the PDU (nothing logged in sent.log).
One-shot faults:
  "once": true             every fault that fires is removed from the file
                           (the file is rewritten atomically) after firing once.
  "times": {"garbage": 2, "error:AT+CMGS": 1, "hang": 3}
                           per-fault counters: the fault fires that many times,
                           then it and its counter are removed.  Names are the
                           top-level keys, or "error:<key>" / "respond:<key>"
                           with the key exactly as written in "error"/"respond".
A fault without "once"/"times" stays until the test removes it.  The emulator
only rewrites faults.json when a one-shot fault fires or unsolicited/async
lines are consumed.

SIM PIN (--pin 1234): AT+CPIN? answers "+CPIN: SIM PIN" until AT+CPIN="1234" (then READY
for the rest of the process); a wrong PIN answers +CME ERROR: 16 and counts in DIR/pin_tries
(kept across processes, reset by the right PIN); after three, "+CPIN: SIM PUK". Without
--pin: READY.

Other behaviour: AT+CNMI=<mode>,<mt>,... with mt 1-3 makes the modem announce
new inbox files with +CMTI: "SM",N, within a few ms of the file's rename (the inbox
directory is checked every 5 ms while announcing).  --cmti off (or "cmti": "off" in
faults.json) never announces; --cmti N loses one announcement in N (logged in
commands.log as "LOST +CMTI N").  USSD answers come
0.1 s after OK (--ussd-delay-ms).  AT+CPMS (query and set) reports the inbox
files within the capacity as used, and the capacity as total.  AT+CSCS supports "GSM", "IRA" (both
ASCII here; other characters become '?') and "UCS2" (hex UTF-16); USSD
strings, +CSCA and +COPS names are encoded in the current character set.
"""

import argparse
import json
import os
import random
import re
import select
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkpdu  # noqa: E402

CR = b"\r"
CRLF = "\r\n"

CHARSETS = ("GSM", "IRA", "UCS2")


class Faults:
    """faults.json, re-read on demand; one-shot bookkeeping."""

    def __init__(self, path, err):
        self.path = path
        self.err = err
        self.data = {}

    def load(self):
        for attempt in range(3):
            try:
                with open(self.path, encoding="utf-8") as f:
                    text = f.read()
            except FileNotFoundError:
                self.data = {}
                return self.data
            except OSError as e:
                self.err("faults.json: %s" % e)
                self.data = {}
                return self.data
            if not text.strip():
                self.data = {}
                return self.data
            try:
                d = json.loads(text)
                if not isinstance(d, dict):
                    raise ValueError("not a JSON object")
                self.data = d
                return d
            except ValueError as e:
                if attempt == 2:
                    self.err("faults.json ignored: %s" % e)
                time.sleep(0.01)
        self.data = {}
        return self.data

    def get(self, key, default=None):
        return self.data.get(key, default)

    def match(self, key, cmd):
        """For dict-valued faults ("error", "respond"): the entry whose key is
        the longest prefix of cmd -> (entry_key, value) or (None, None)."""
        table = self.data.get(key)
        if not isinstance(table, dict):
            return None, None
        best = None
        u = cmd.upper()
        for k in table:
            if isinstance(k, str) and u.startswith(k.upper()):
                if best is None or len(k) > len(best):
                    best = k
        if best is None:
            return None, None
        return best, table[best]

    def fired(self, key, sub=None):
        """A fault fired: apply "once"/"times"."""
        name = key if sub is None else "%s:%s" % (key, sub)
        times = self.data.get("times")
        remove = False
        if isinstance(times, dict) and name in times:
            try:
                left = int(times[name]) - 1
            except (TypeError, ValueError):
                left = 0
            if left <= 0:
                del times[name]
                if not times:
                    del self.data["times"]
                remove = True
            else:
                times[name] = left
            if remove:
                self._remove(key, sub)
            self.save()
        elif self.data.get("once"):
            self._remove(key, sub)
            self.save()

    def consume(self, key, sub=None):
        """Unsolicited/async lines: always removed once emitted."""
        if sub is not None:
            self._remove(key, sub)
            self.save()
        elif key in self.data:
            del self.data[key]
            self.save()

    def _remove(self, key, sub):
        if sub is None:
            self.data.pop(key, None)
        else:
            table = self.data.get(key)
            if isinstance(table, dict):
                table.pop(sub, None)
                if not table:
                    self.data.pop(key, None)

    def save(self):
        tmp = "%s.emu%d.tmp" % (self.path, os.getpid())
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(self.data, f, ensure_ascii=False, indent=1)
                f.write("\n")
            os.replace(tmp, self.path)
        except OSError as e:
            self.err("cannot rewrite faults.json: %s" % e)


class Reply:
    """Answer to one command: information lines + final result code."""

    def __init__(self, lines=(), final="OK", after=()):
        self.lines = list(lines)
        self.final = final          # None: no final code (SMS prompt)
        self.after = list(after)    # [(delay_s, line)] sent after the final


class CmdError(Exception):
    def __init__(self, final="ERROR"):
        super().__init__(final)
        self.final = final


def _split_args(s):
    """Split an AT parameter list on commas outside quotes; strip quotes."""
    out, cur, q = [], [], False
    for ch in s:
        if ch == '"':
            q = not q
            cur.append(ch)
        elif ch == "," and not q:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur).strip())
    return out


def _unquote(s):
    s = s.strip()
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return s[1:-1]
    return s


def _int(s, lo=None, hi=None):
    try:
        v = int(_unquote(s))
    except (TypeError, ValueError):
        raise CmdError()
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise CmdError()
    return v


class Modem:
    def __init__(self, args):
        self.args = args
        self.dir = os.path.abspath(args.state)
        self.inbox = os.path.join(self.dir, "inbox")
        os.makedirs(self.inbox, exist_ok=True)
        self.faults = Faults(os.path.join(self.dir, "faults.json"), self.err)
        self.trace = None
        if args.trace:
            self.trace = open(os.path.join(self.dir, "trace.log"), "ab", buffering=0)
        self.cmdlog = open(os.path.join(self.dir, "commands.log"), "a",
                           encoding="utf-8", errors="backslashreplace",
                           buffering=1)
        self.rng = random.Random()
        self.reset()
        self.pin_ok = False         # the SIM's PIN was entered (--pin): ATZ keeps it
        self.mr = self._initial_mr()
        self.linebuf = bytearray()
        self.current = ""           # command line being answered
        self.edit = None            # bytearray while in the SMS prompt
        self.edit_len = 0
        self.pending = []           # [(due, line or callable -> line)]
        self.read_marks = self.load_read_marks()  # index -> (ino, mtime_ns) read
        self.smsc = args.smsc
        self.known = set(self.scan_inbox(args.capacity))
        self.last_poll = 0.0
        self.inbox_mtime = None     # the inbox directory's mtime at the last announcement scan
        self.announced = 0          # +CMTI due so far (for "one in N lost")

    # ------------------------------------------------------------ plumbing

    def reset(self):
        self.echo = True
        self.cmee = 0
        self.charset = "GSM"
        self.cmgf = 0
        self.cnmi = [0, 0, 0, 0, 0]
        self.creg = 0
        self.cgreg = 0
        self.cops_format = 0
        self.cusd = 0
        self.ussd_session = False

    def err(self, msg):
        try:
            with open(os.path.join(self.dir, "emulator.err"), "a") as f:
                f.write("%.3f %s\n" % (time.time(), msg))
        except OSError:
            pass

    def log_cmd(self, text):
        try:
            self.cmdlog.write("%.3f\t%s\n" % (time.time(), text))
        except (OSError, ValueError):
            pass

    def write(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1", "replace")
        if not data:
            return
        if self.trace:
            self.trace.write(b"%.3f < %r\n" % (time.time(), data))
        view = memoryview(data)
        while view:
            try:
                n = os.write(1, view)
            except InterruptedError:
                continue
            except BlockingIOError:
                select.select([], [1], [], 1.0)
                continue
            except OSError:
                self.quit()
            view = view[n:]

    def quit(self, code=0):
        try:
            self.cmdlog.flush()
        except Exception:
            pass
        os._exit(code)

    def _initial_mr(self):
        try:
            with open(os.path.join(self.dir, "sent.log"), "rb") as f:
                lines = f.read().splitlines()
            for line in reversed(lines):
                parts = line.split()
                if parts and parts[0].isdigit():
                    return (int(parts[0]) + 1) % 256
        except OSError:
            pass
        return 1

    def capacity(self):
        c = self.faults.get("capacity")
        try:
            c = int(c) if c is not None else self.args.capacity
        except (TypeError, ValueError):
            c = self.args.capacity
        return max(0, c)

    def signal(self):
        """(rssi, ber) for AT+CSQ: faults.json "csq" (N or [N, BER]), else --csq."""
        v = self.faults.get("csq")
        try:
            if isinstance(v, list) and len(v) == 2:
                return int(v[0]), int(v[1])
            if v is not None:
                return int(v), 99
        except (TypeError, ValueError):
            pass
        return self.args.csq, 99

    def reg_stat(self):
        """Network registration <stat> for AT+CREG?/AT+CGREG?: faults.json "creg", else
        --creg (0 not registered, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming)."""
        v = self.faults.get("creg")
        try:
            return int(v) if v is not None else self.args.creg
        except (TypeError, ValueError):
            return self.args.creg

    def network_names(self):
        """(long operator name, MCC+MNC): faults.json "operator"/"mccmnc", else the options."""
        op = self.faults.get("operator")
        mccmnc = self.faults.get("mccmnc")
        return (str(op) if op is not None else self.args.operator,
                str(mccmnc) if mccmnc is not None else self.args.mccmnc)

    # ------------------------------------------------------------ main loop

    def run(self):
        while True:
            now = time.monotonic()
            timeout = 0.2
            if self.announcing():
                timeout = 0.005  # a landing message is announced within a few ms
            if self.pending:
                timeout = max(0.0, min(timeout, min(p[0] for p in self.pending) - now))
            try:
                r, _, _ = select.select([0], [], [], timeout)
            except InterruptedError:
                continue
            if r:
                try:
                    data = os.read(0, 4096)
                except InterruptedError:
                    continue
                except OSError:
                    self.quit()
                if not data:
                    self.quit()
                if self.trace:
                    self.trace.write(b"%.3f > %r\n" % (time.time(), data))
                self.feed(data)
            self.idle()

    def cmti_mode(self):
        """faults.json's "cmti" if set, else --cmti: "on", "off", or N (one in N lost)."""
        v = self.faults.get("cmti")
        return str(v if v is not None else self.args.cmti)

    def announcing(self):
        return self.cnmi[1] in (1, 2, 3) and self.cmti_mode() != "off"

    def announce(self, force=False):
        """+CMTI for each inbox file that appeared since the last scan, if the host asked
        for them (AT+CNMI mt 1-3) and --cmti allows; the scan runs when the inbox directory
        changed (a stat every few ms) or FORCE (the 0.2 s idle poll)."""
        try:
            mt = os.stat(self.inbox).st_mtime_ns
        except OSError:
            mt = None
        if not force and mt == self.inbox_mtime:
            return
        self.inbox_mtime = mt
        present = set(self.scan_inbox())
        if self.announcing():
            mode = self.cmti_mode()
            n = int(mode) if mode.isdigit() else 0
            for idx in sorted(present - self.known):
                self.announced += 1
                if n > 0 and self.announced % n == 0:
                    self.log_cmd("LOST +CMTI %d" % idx)  # the test can see which one
                    continue
                self.write('\r\n+CMTI: "SM",%d\r\n' % idx)
        self.known = present

    def idle(self):
        if self.edit is not None:
            return
        if self.announcing():
            self.announce()
        now = time.monotonic()
        due = [p for p in self.pending if p[0] <= now]
        if due:
            self.pending = [p for p in self.pending if p[0] > now]
            for _, line in due:
                if callable(line):
                    line = line()
                self.write(CRLF + line + CRLF)
        if now - self.last_poll < 0.2:
            return
        self.last_poll = now
        self.faults.load()
        if self.faults.get("hang") is True:
            return
        lines = self.faults.get("async")
        if lines:
            if isinstance(lines, str):
                lines = [lines]
            self.write("".join(CRLF + str(l) + CRLF for l in lines))
            self.faults.consume("async")
        notes = self.faults.get("ussd_notify")
        if notes and self.cusd == 1:
            # network-initiated USSD: presented only while AT+CUSD=1 is in force
            if not isinstance(notes, list):
                notes = [notes]
            out = "".join(CRLF + cusd_line(self, n, 0) + CRLF for n in notes)
            # consumed first: the host may hang up the moment it has read them
            self.faults.consume("ussd_notify")
            self.write(out)
        self.announce(force=True)

    def feed(self, data):
        for b in data:
            if self.edit is not None:
                self.feed_edit(b)
                continue
            if b in (0x0D, 0x0A):
                if self.linebuf:
                    line = bytes(self.linebuf)
                    self.linebuf.clear()
                    try:
                        self.command_line(line)
                    except SystemExit:
                        raise
                    except Exception:
                        self.err(traceback.format_exc())
                        self.write("\r\nERROR\r\n")
            elif b == 0x1B:
                self.linebuf.clear()
            elif b in (0x08, 0x7F):
                if self.linebuf:
                    self.linebuf.pop()
            elif b < 0x20:
                continue
            elif len(self.linebuf) < 4096:
                self.linebuf.append(b)

    def feed_edit(self, b):
        if b == 0x1A:
            pdu = bytes(self.edit).decode("latin-1")
            self.edit = None
            try:
                self.finish_cmgs(pdu)
            except Exception:
                self.err(traceback.format_exc())
                self.write("\r\nERROR\r\n")
        elif b == 0x1B:
            self.edit = None
            self.log_cmd("ESC")
        elif b in (0x0D, 0x0A, 0x20, 0x09):
            pass
        elif b in (0x08, 0x7F):
            if self.edit:
                self.edit.pop()
        elif len(self.edit) < 2048:
            self.edit.append(b)
            if self.echo and not self.faults.get("no_echo"):
                self.write(bytes([b]))

    # ------------------------------------------------------------ commands

    def command_line(self, raw):
        text = raw.decode("latin-1").strip()
        up = text.upper()
        at = up.find("AT")
        if at < 0:
            return
        text = text[at:]
        raw = raw[raw.upper().find(b"AT"):]
        self.log_cmd(text)
        self.current = text
        f = self.faults
        f.load()
        gate = self.gate(text)

        # exit / hang / garbage / echo
        ex = f.get("exit")
        if (ex is True and gate) or (isinstance(ex, str) and ex and
                                     text.upper().startswith(ex.upper())):
            f.fired("exit")
            self.quit(0)
        hang = f.get("hang")
        if (hang is True and gate) or (isinstance(hang, str) and hang and
                                       text.upper().startswith(hang.upper())):
            f.fired("hang")
            return
        out = b""
        g = f.get("garbage") if gate else None
        if g:
            if isinstance(g, str):
                out += g.encode("utf-8")
            else:
                n = g if isinstance(g, int) and not isinstance(g, bool) and g > 0 \
                    else self.rng.randint(8, 24)
                pool = [c for c in range(0x21, 0x7F)] + list(range(0x80, 0xFF))
                out += bytes(self.rng.choice(pool) for _ in range(n))
            f.fired("garbage")
        echo = self.echo
        if gate and f.get("no_echo"):
            echo = False
            f.fired("no_echo")
        if echo:
            out += raw + CR
        self.write(out)

        delay = f.get("delay_ms") if gate else None
        if delay:
            try:
                time.sleep(max(0.0, float(delay)) / 1000.0)
            except (TypeError, ValueError):
                pass
            f.fired("delay_ms")

        # respond override
        key, val = f.match("respond", text)
        if key is not None:
            lines = val.split("\n") if isinstance(val, str) else [str(x) for x in val]
            lines = [l.rstrip("\r") for l in lines]
            f.fired("respond", key)
            if not lines:
                return
            self.send_reply(Reply(lines[:-1], lines[-1]))
            return

        # error override (AT+CMGS: after the PDU, see finish_cmgs)
        key, val = f.match("error", text)
        if key is not None and not text.upper().startswith("AT+CMGS"):
            f.fired("error", key)
            self.send_reply(Reply([], str(val)))
            return

        reply = self.execute(text)
        if reply is not None:
            self.send_reply(reply)

    def gate(self, text):
        """faults.json "when": untargeted faults apply only to commands
        starting with this prefix."""
        when = self.faults.get("when")
        if not isinstance(when, str) or not when:
            return True
        return text.upper().startswith(when.upper())

    def send_reply(self, reply):
        out = []
        if reply.lines:
            out.append(CRLF + CRLF.join(reply.lines) + CRLF)
        if reply.final is not None:
            uns = self.faults.get("unsolicited")
            if isinstance(uns, dict):
                key, lines = self.faults.match("unsolicited", self.current)
                if key is not None:
                    self.faults.consume("unsolicited", key)
                uns = lines
            elif uns and self.gate(self.current):
                self.faults.consume("unsolicited")
            else:
                uns = None
            if uns:
                if isinstance(uns, str):
                    uns = [uns]
                out.append("".join(CRLF + str(u) + CRLF for u in uns))
            out.append(CRLF + reply.final + CRLF)
        self.write("".join(out))
        now = time.monotonic()
        for delay, line in reply.after:
            self.pending.append((now + delay, line))

    def cme(self, code):
        if self.cmee == 0:
            return "ERROR"
        return "+CME ERROR: %d" % code

    def execute(self, text):
        """Run one command line (after 'AT'); returns a Reply, or None when
        the SMS prompt was entered."""
        body = text[2:]
        lines = []
        for cmd in self.split_commands(body):
            try:
                r = self.one(cmd)
            except CmdError as e:
                return Reply(lines, e.final)
            if r is None:            # entered SMS prompt
                return None
            lines.extend(r.lines)
            if r.final != "OK":
                return Reply(lines, r.final, r.after)
            if r.after:
                return Reply(lines, "OK", r.after)
        return Reply(lines, "OK")

    def split_commands(self, body):
        """Split the text after AT into single commands."""
        cmds = []
        i = 0
        n = len(body)
        while i < n:
            ch = body[i]
            if ch in " ;":
                i += 1
                continue
            if ch in "+^$%*#!":
                j = i
                q = False
                while j < n and (q or body[j] != ";"):
                    if body[j] == '"':
                        q = not q
                    j += 1
                cmds.append(body[i:j].strip())
                i = j + 1
                continue
            if ch.upper() == "D":            # dial: rest of the line
                cmds.append(body[i:])
                break
            m = re.match(r"(S\d+(?:=\d*|\?))|(&?[A-Za-z]\d*)", body[i:])
            if not m:
                cmds.append(body[i:])
                break
            cmds.append(m.group(0))
            i += m.end()
        return cmds

    def one(self, cmd):
        if not cmd:
            return Reply()
        if cmd[0] not in "+^$%*#!":
            return self.basic(cmd)
        m = re.match(r"([+^$%*#!][A-Za-z0-9_]+)(=\?|\?|=)?(.*)$", cmd, re.S)
        if not m:
            raise CmdError()
        name = m.group(1).upper()
        op = m.group(2) or ""
        arg = m.group(3).strip()
        mode = {"": "exec", "?": "query", "=?": "test", "=": "set"}[op]
        if mode == "exec" and arg:
            raise CmdError()
        fn = HANDLERS.get(name)
        if fn is None:
            raise CmdError()
        r = fn(self, mode, arg)
        if r is None and name == "+CMGS":
            return None
        return r if r is not None else Reply()

    def basic(self, cmd):
        c = cmd.upper()
        if c.startswith("D"):
            return Reply([], "NO CARRIER")
        m = re.fullmatch(r"(&?[A-Z])(\d*)", c)
        if m:
            letter, num = m.group(1), m.group(2)
            if letter == "E":
                self.echo = num != "0"
                return Reply()
            if letter in ("Z", "&F"):
                self.reset()
                return Reply()
            if letter == "I":
                return Reply([self.args.manufacturer, self.args.model,
                              "Revision: " + self.args.revision])
            if letter in ("V", "Q", "X", "&C", "&D", "&K", "&W", "&V", "H",
                          "L", "M", "&S"):
                return Reply()
            if letter == "A":
                return Reply([], "NO CARRIER")
            raise CmdError()
        if re.fullmatch(r"S\d+(=\d*)?", c):
            return Reply()
        m = re.fullmatch(r"S(\d+)\?", c)
        if m:
            return Reply(["%03d" % {3: 13, 4: 10, 5: 8}.get(int(m.group(1)), 0)])
        raise CmdError()

    # ------------------------------------------------------------ charset

    def enc(self, s):
        """Text -> string in the current TE character set."""
        if self.charset == "UCS2":
            return s.encode("utf-16-be", "surrogatepass").hex().upper()
        return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in s)

    def dec(self, s):
        if self.charset == "UCS2" and re.fullmatch(r"(?:[0-9A-Fa-f]{4})+", s or ""):
            try:
                return bytes.fromhex(s).decode("utf-16-be", "replace")
            except ValueError:
                return s
        return s

    # ------------------------------------------------------------ SIM storage

    def scan_inbox(self, capacity=None):
        """-> {index: (path, hexstring, stat_key)} for 1..capacity."""
        cap = self.capacity() if capacity is None else capacity
        res = {}
        try:
            names = os.listdir(self.inbox)
        except OSError:
            return res
        for name in names:
            m = re.fullmatch(r"(\d+)\.pdu", name)
            if not m:
                continue
            idx = int(m.group(1))
            if not 1 <= idx <= cap:
                continue
            path = os.path.join(self.inbox, name)
            try:
                with open(path, "rb") as f:
                    content = f.read()
                st = os.stat(path)
            except OSError:
                continue
            hexs = re.sub(rb"\s+", b"", content).decode("latin-1")
            res[idx] = (path, hexs, (st.st_ino, st.st_mtime_ns))
        return res

    @staticmethod
    def tpdu_len(hexs):
        try:
            b = bytes.fromhex(hexs)
            n = len(b) - 1 - b[0]
            if n > 0:
                return n
        except (ValueError, IndexError):
            pass
        return len(hexs) // 2

    def stat_of(self, idx, key):
        return 1 if self.read_marks.get(idx) == key else 0

    def mark_read(self, idx, key):
        if self.read_marks.get(idx) != key:
            self.read_marks[idx] = key
            self.save_read_marks()

    def unmark(self, idx):
        if self.read_marks.pop(idx, None) is not None:
            self.save_read_marks()

    def load_read_marks(self):
        try:
            with open(os.path.join(self.dir, "read.json")) as f:
                d = json.load(f)
            return {int(k): tuple(v) for k, v in d.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def save_read_marks(self):
        path = os.path.join(self.dir, "read.json")
        tmp = "%s.emu%d.tmp" % (path, os.getpid())
        try:
            with open(tmp, "w") as f:
                json.dump({str(k): list(v) for k, v in self.read_marks.items()}, f)
            os.replace(tmp, path)
        except OSError as e:
            self.err("cannot write read.json: %s" % e)


# ---------------------------------------------------------------- handlers

HANDLERS = {}


def handler(*names):
    def deco(fn):
        for n in names:
            HANDLERS[n] = fn
        return fn
    return deco


def simple(value_fn, names, settable=False, test_reply=None):
    def fn(m, mode, arg):
        if mode == "test":
            return Reply([test_reply] if test_reply else [])
        if mode == "set" and not settable:
            raise CmdError()
        if mode == "set":
            return Reply()
        return Reply([value_fn(m)] if value_fn else [])
    for n in names:
        HANDLERS[n] = fn


simple(lambda m: m.args.manufacturer, ("+CGMI", "+GMI"))
simple(lambda m: m.args.model, ("+CGMM", "+GMM"))
simple(lambda m: m.args.revision, ("+CGMR", "+GMR"))
simple(lambda m: m.args.imei, ("+CGSN", "+GSN"))
simple(lambda m: m.args.imsi, ("+CIMI",))
simple(lambda m: "+CSQ: %d,%d" % m.signal(), ("+CSQ",),
       test_reply="+CSQ: (0-31,99),(0-7,99)")
simple(lambda m: "+CBC: 0,100", ("+CBC",))
simple(lambda m: '+CNUM: "","%s",145' % m.args.own_number, ("+CNUM",))
# accepted and ignored
simple(None, ("+CSMP", "+CSDH", "+CLIP", "+CRC", "+CMMS", "+CVHU", "+CNMA",
              "+CSCB", "+CLIR", "+COLP", "+CCWA", "+CTZR", "+CTZU", "+CSSN",
              "+CGEREP", "+CEREG"), settable=True)


@handler("+CHUP")
def h_chup(m, mode, arg):
    if mode in ("exec", "test"):
        return Reply()
    raise CmdError()


def pin_tries(m):
    """Wrong PINs entered so far: DIR/pin_tries, so they count across emulator processes
    (proxyat starts one per connection), as a real SIM counts them across power cycles."""
    try:
        with open(os.path.join(m.dir, "pin_tries")) as f:
            return int(f.read().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def cpin_state(m):
    if m.args.pin is None or m.pin_ok:
        return "READY"
    return "SIM PUK" if pin_tries(m) >= 3 else "SIM PIN"


@handler("+CPIN")
def h_cpin(m, mode, arg):
    if mode == "query":
        return Reply(["+CPIN: " + cpin_state(m)])
    if mode == "test":
        return Reply()
    if mode == "set":
        args = _split_args(arg)
        if cpin_state(m) != "SIM PIN" or len(args) != 1:
            return Reply([], m.cme(3))  # operation not allowed (PUK entry is not emulated)
        if _unquote(args[0]) == m.args.pin:
            m.pin_ok = True
            with open(os.path.join(m.dir, "pin_tries"), "w") as f:
                f.write("0\n")
            return Reply()
        tries = pin_tries(m) + 1  # read before "w" truncates the file
        with open(os.path.join(m.dir, "pin_tries"), "w") as f:
            f.write("%d\n" % tries)
        return Reply([], m.cme(16))  # incorrect password
    raise CmdError()


@handler("+CMEE")
def h_cmee(m, mode, arg):
    if mode == "set":
        m.cmee = _int(arg or "0", 0, 2)
        return Reply()
    if mode == "query":
        return Reply(["+CMEE: %d" % m.cmee])
    if mode == "test":
        return Reply(["+CMEE: (0-2)"])
    m.cmee = 0
    return Reply()


@handler("+CSCS")
def h_cscs(m, mode, arg):
    if mode == "set":
        cs = _unquote(arg).upper()
        # in UCS2 mode some modems take the name UCS2-encoded too
        if m.charset == "UCS2" and re.fullmatch(r"(?:[0-9A-F]{4})+", cs):
            cs = bytes.fromhex(cs).decode("utf-16-be", "replace").upper()
        if cs not in CHARSETS:
            raise CmdError(m.cme(4) if m.cmee else "ERROR")
        m.charset = cs
        return Reply()
    if mode == "query":
        return Reply(['+CSCS: "%s"' % m.charset])
    if mode == "test":
        return Reply(["+CSCS: (%s)" % ",".join('"%s"' % c for c in CHARSETS)])
    raise CmdError()


@handler("+CFUN")
def h_cfun(m, mode, arg):
    if mode == "set":
        _int(_split_args(arg)[0], 0, 7)
        return Reply()
    if mode == "query":
        return Reply(["+CFUN: 1"])
    if mode == "test":
        return Reply(["+CFUN: (0,1,4),(0,1)"])
    raise CmdError()


def _reg(attr, prefix):
    def fn(m, mode, arg):
        if mode == "set":
            setattr(m, attr, _int(arg or "0", 0, 3))
            return Reply()
        if mode == "query":
            n = getattr(m, attr)
            stat = m.reg_stat()
            if n >= 2 and stat in (1, 5):
                return Reply(['%s: %d,%d,"0BB8","00A1B2C3",7' % (prefix, n, stat)])
            return Reply(["%s: %d,%d" % (prefix, n, stat)])
        if mode == "test":
            return Reply(["%s: (0-2)" % prefix])
        raise CmdError()
    return fn


HANDLERS["+CREG"] = _reg("creg", "+CREG")
HANDLERS["+CGREG"] = _reg("cgreg", "+CGREG")


@handler("+CGATT")
def h_cgatt(m, mode, arg):
    if mode == "query":
        return Reply(["+CGATT: 1"])
    if mode == "test":
        return Reply(["+CGATT: (0,1)"])
    if mode == "set":
        _int(arg, 0, 1)
        return Reply()
    raise CmdError()


@handler("+COPS")
def h_cops(m, mode, arg):
    op, mccmnc = m.network_names()
    names = {0: op, 1: op.upper()[:10], 2: mccmnc}
    if mode == "set":
        a = _split_args(arg)
        _int(a[0], 0, 4)
        if len(a) >= 2 and a[1] != "":
            m.cops_format = _int(a[1], 0, 2)
        return Reply()
    if mode == "query":
        if m.reg_stat() not in (1, 5):
            return Reply(["+COPS: 0"])      # not registered: no operator
        f = m.cops_format
        name = names[f] if f == 2 else m.enc(names[f])
        return Reply(['+COPS: 0,%d,"%s",7' % (f, name)])
    if mode == "test":
        return Reply(['+COPS: (2,"%s","%s","%s",7),,(0-4),(0-2)'
                      % (m.enc(names[0]), m.enc(names[1]), names[2])])
    raise CmdError()


@handler("+CCLK")
def h_cclk(m, mode, arg):
    if mode == "query":
        t = time.localtime()
        off = -time.timezone if not t.tm_isdst else -time.altzone
        q = off // 900
        return Reply(['+CCLK: "%s%s%02d"' % (time.strftime("%y/%m/%d,%H:%M:%S", t),
                                            "+" if q >= 0 else "-", abs(q))])
    if mode in ("set", "test"):
        return Reply()
    raise CmdError()


# --- SMS


def cms(code):
    return "+CMS ERROR: %d" % code


@handler("+CMGF")
def h_cmgf(m, mode, arg):
    if mode == "set":
        v = _int(arg or "0", 0, 1)
        if v != 0:
            raise CmdError("ERROR")
        m.cmgf = 0
        return Reply()
    if mode == "query":
        return Reply(["+CMGF: %d" % m.cmgf])
    if mode == "test":
        return Reply(["+CMGF: (0)"])
    raise CmdError()


@handler("+CSMS")
def h_csms(m, mode, arg):
    if mode == "set":
        _int(arg, 0, 1)
        return Reply(["+CSMS: 1,1,1"])
    if mode == "query":
        return Reply(["+CSMS: 0,1,1,1"])
    if mode == "test":
        return Reply(["+CSMS: (0,1)"])
    raise CmdError()


@handler("+CPMS")
def h_cpms(m, mode, arg):
    if mode == "test":
        return Reply(['+CPMS: ("SM"),("SM"),("SM")'])
    cap = m.capacity()
    used = len(m.scan_inbox())
    if mode == "query":
        return Reply(['+CPMS: "SM",%d,%d,"SM",%d,%d,"SM",%d,%d'
                      % (used, cap, used, cap, used, cap)])
    if mode == "set":
        mems = [_unquote(a).upper() for a in _split_args(arg)]
        if not mems or len(mems) > 3 or any(x not in ("SM", "") for x in mems):
            raise CmdError(cms(302))
        return Reply(["+CPMS: %d,%d,%d,%d,%d,%d" % (used, cap, used, cap, used, cap)])
    raise CmdError()


_CMGL_STAT = {"REC UNREAD": 0, "REC READ": 1, "STO UNSENT": 2, "STO SENT": 3,
              "ALL": 4}


@handler("+CMGL")
def h_cmgl(m, mode, arg):
    if mode == "test":
        return Reply(["+CMGL: (0-4)"])
    if mode == "exec":
        want = 0
    elif mode == "set":
        a = _unquote(arg).upper()
        want = _CMGL_STAT[a] if a in _CMGL_STAT else _int(a, 0, 4)
    else:
        raise CmdError()
    lines = []
    for idx, (path, hexs, key) in sorted(m.scan_inbox().items()):
        st = m.stat_of(idx, key)
        if want != 4 and st != want:
            continue
        lines.append("+CMGL: %d,%d,,%d" % (idx, st, m.tpdu_len(hexs)))
        lines.append(hexs)
        m.mark_read(idx, key)
    return Reply(lines)


@handler("+CMGR")
def h_cmgr(m, mode, arg):
    if mode == "test":
        return Reply()
    if mode != "set":
        raise CmdError()
    try:
        idx = int(_unquote(arg))
    except ValueError:
        raise CmdError(cms(321))
    if not 1 <= idx <= m.capacity():
        raise CmdError(cms(321))
    entry = m.scan_inbox().get(idx)
    if entry is None:
        return Reply()
    path, hexs, key = entry
    st = m.stat_of(idx, key)
    m.mark_read(idx, key)
    return Reply(["+CMGR: %d,,%d" % (st, m.tpdu_len(hexs)), hexs])


@handler("+CMGD")
def h_cmgd(m, mode, arg):
    if mode == "test":
        return Reply(["+CMGD: (1-%d),(0-4)" % m.capacity()])
    if mode != "set":
        raise CmdError()
    a = _split_args(arg)
    try:
        idx = int(a[0]) if a[0] != "" else 0
        flag = int(a[1]) if len(a) > 1 and a[1] != "" else 0
    except ValueError:
        raise CmdError(cms(321))
    if not 0 <= flag <= 4:
        raise CmdError(cms(302))
    inbox = m.scan_inbox()
    if flag == 0:
        if not 1 <= idx <= m.capacity():
            raise CmdError(cms(321))
        victims = [idx] if idx in inbox else []
    elif flag == 4:
        victims = list(inbox)
    else:   # 1..3: all read messages (the SIM holds no sent/unsent ones here)
        victims = [i for i, (p, h, k) in inbox.items() if m.stat_of(i, k) == 1]
    for i in victims:
        try:
            os.unlink(inbox[i][0])
        except FileNotFoundError:
            pass
        m.unmark(i)
    return Reply()


@handler("+CMGS")
def h_cmgs(m, mode, arg):
    if mode == "test":
        return Reply()
    if mode != "set":
        raise CmdError()
    n = _int(_split_args(arg)[0])
    if not 7 <= n <= 200:
        raise CmdError(cms(304))
    m.edit = bytearray()
    m.edit_len = n
    m.write("\r\n> ")
    return None


def finish_cmgs(self, pdu):
    f = self.faults
    self.log_cmd("PDU " + pdu)
    f.load()
    stage = "PDU " + pdu            # the PDU stage answers to prefix "PDU"
    gate = self.gate(stage)
    ex = f.get("exit")
    if (ex is True and gate) or (isinstance(ex, str) and ex and
                                 stage.upper().startswith(ex.upper())):
        f.fired("exit")
        self.quit(0)
    hang = f.get("hang")
    if (hang is True and gate) or (isinstance(hang, str) and hang and
                                   stage.upper().startswith(hang.upper())):
        f.fired("hang")
        return
    delay = f.get("delay_cmgs_ms")
    if delay:
        try:
            time.sleep(max(0.0, float(delay)) / 1000.0)
        except (TypeError, ValueError):
            pass
        f.fired("delay_cmgs_ms")
    key, val = f.match("error", "AT+CMGS")
    if key is not None:
        f.fired("error", key)
        self.send_reply(Reply([], str(val)))
        return
    # validate
    try:
        if not re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", pdu):
            raise ValueError("not hex")
        b = bytes.fromhex(pdu)
        tp = len(b) - 1 - b[0]
        if tp != self.edit_len:
            raise ValueError("length %d != AT+CMGS=%d" % (tp, self.edit_len))
        if b[1 + b[0]] & 3 != 1:
            raise ValueError("not an SMS-SUBMIT")
    except (ValueError, IndexError) as e:
        self.err("rejected PDU %s: %s" % (pdu, e))
        self.send_reply(Reply([], cms(304)))
        return
    mr = self.mr
    self.mr = (self.mr + 1) % 256
    with open(os.path.join(self.dir, "sent.log"), "a") as fh:
        fh.write("%d %s\n" % (mr, pdu.upper()))
    self.send_reply(Reply(["+CMGS: %d" % mr]))


Modem.finish_cmgs = finish_cmgs


@handler("+CSCA")
def h_csca(m, mode, arg):
    if mode == "query":
        num = m.smsc
        toa = 145 if num.startswith("+") else 129
        return Reply(['+CSCA: "%s",%d' % (m.enc(num), toa)])
    if mode == "set":
        a = _split_args(arg)
        m.smsc = m.dec(_unquote(a[0]))
        return Reply()
    if mode == "test":
        return Reply()
    raise CmdError()


@handler("+CNMI")
def h_cnmi(m, mode, arg):
    if mode == "set":
        vals = []
        for a in _split_args(arg):
            vals.append(_int(a, 0, 3) if a != "" else 0)
        if len(vals) > 5:
            raise CmdError(cms(303))
        m.cnmi = (vals + m.cnmi[len(vals):])[:5]
        m.known = set(m.scan_inbox())
        return Reply()
    if mode == "query":
        return Reply(["+CNMI: %s" % ",".join(str(x) for x in m.cnmi)])
    if mode == "test":
        return Reply(["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"])
    raise CmdError()


def cusd_line(m, spec, default_status):
    """The +CUSD line for one answer spec (text, or {"text", "status", "dcs"}), its text
    encoded now: GSM-7 answers (dcs 15) in the TE character set in force, UCS-2 answers
    (dcs 72) as hex UTF-16 whatever the character set."""
    if isinstance(spec, dict):
        text = str(spec.get("text", ""))
        status = int(spec.get("status", default_status))
        dcs = spec.get("dcs")
    else:
        text, status, dcs = str(spec), default_status, None
    if status in (4, 5) and not text:
        return "+CUSD: %d" % status
    if dcs is None:
        dcs = 15 if mkpdu.gsm7_encodable(text) else 72
    if int(dcs) == 72:
        return '+CUSD: %d,"%s",72' % (status, text.encode("utf-16-be", "surrogatepass")
                                       .hex().upper())
    return '+CUSD: %d,"%s",%d' % (status, m.enc(text), int(dcs))


@handler("+CUSD")
def h_cusd(m, mode, arg):
    if mode == "test":
        return Reply(["+CUSD: (0-2)"])
    if mode == "query":
        return Reply(["+CUSD: %d" % m.cusd])
    if mode == "exec":
        return Reply()
    a = _split_args(arg)
    n = _int(a[0] or "0", 0, 2)
    if n != 2:
        m.cusd = n
    else:
        m.ussd_session = False          # AT+CUSD=2: the session is cancelled
    if len(a) < 2 or n == 2:
        return Reply()
    code = m.dec(_unquote(a[1]))
    table = m.faults.get("ussd") or {}
    if isinstance(table, dict) and code in table:
        spec = table[code]
    else:
        spec = "Reply for %s" % code
    delay = m.args.ussd_delay_ms
    if spec is None:
        spec = {"status": 4}
    if isinstance(spec, dict):
        if spec.get("no_answer"):
            return Reply()              # OK, and the network never answers
        try:
            delay = int(spec.get("delay_ms", delay))
        except (TypeError, ValueError):
            pass
        status = int(spec.get("status", 0))
    else:
        status = 0
    m.ussd_session = status == 1        # the network waits for more input
    if m.cusd == 0 and n == 0:
        return Reply()
    # encoded in the TE charset in force when it is sent
    return Reply([], "OK", after=[(delay / 1000.0, lambda s=spec: cusd_line(m, s, 0))])


for _n in ("+MODE", "+CPROT", "+SYNCML", "$TSSPCSW", "^CURC", "+CPBS", "+CPBR",
           "+CMGW", "+CMSS"):
    HANDLERS.pop(_n, None)   # explicitly unsupported: answer ERROR


def main(argv=None):
    p = argparse.ArgumentParser(description="AT modem emulator (see module doc)")
    p.add_argument("--state", required=True, help="state directory")
    p.add_argument("--capacity", type=int, default=30)
    p.add_argument("--manufacturer", default="Tipline")
    p.add_argument("--model", default="ATEMU-1")
    p.add_argument("--revision", default="EMU.01.00")
    p.add_argument("--imei", default="356938035643809")
    p.add_argument("--imsi", default="452040123456789")
    p.add_argument("--own-number", default="+84912000000")
    p.add_argument("--smsc", default="+84980200030")
    p.add_argument("--operator", default="Viettel")
    p.add_argument("--mccmnc", default="45204")
    p.add_argument("--csq", type=int, default=21)
    p.add_argument("--creg", type=int, default=1, choices=range(0, 6),
                   help="registration state for AT+CREG? (1 home, 5 roaming, ...)")
    p.add_argument("--ussd-delay-ms", type=int, default=100)
    p.add_argument("--pin", default=None,
                   help="the SIM asks for this PIN (AT+CPIN? says SIM PIN until it is "
                        "entered; three wrong ones: SIM PUK, counted in DIR/pin_tries)")
    p.add_argument("--cmti", default="on",
                   help="announce new inbox files with +CMTI once AT+CNMI asks: on (default), "
                        "off, or N: one announcement in N lost (faults.json \"cmti\" "
                        "overrides it)")
    p.add_argument("--trace", action="store_true",
                   help="log raw traffic to DIR/trace.log")
    args = p.parse_args(argv)
    for sig in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, lambda *a: os._exit(0))
    modem = Modem(args)
    modem.run()


if __name__ == "__main__":
    main()
