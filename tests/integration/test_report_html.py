"""The HTML report in a real browser: headless Chromium renders the report of known figures
(tests/unit/test_report.c's fixture, written by `test_report --write DIR`) to PNG, to PDF and
to its DOM. The page must not be blank, its charts must be drawn, it must print on A4, and every
figure in the DOM must equal the JSON renderer's value for the same report. The CSV rendering
of the same report is read back with Python's csv module against the same JSON.

Chromium is installed by scripts/deps.sh; without it these tests fail, they never pass unrun.
"""
import csv
import html.parser
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import SLOW, TestFailure, check, check_eq, run_tests  # noqa: E402

WIDTH, HEIGHT = 1000, 1500


def chromium():
    path = shutil.which("chromium")
    if path is None:
        raise TestFailure("chromium is not installed: scripts/deps.sh installs it (Debian package chromium)")
    return path


class Fixture:
    """The fixed report's renderings in a temporary directory."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tipline-report-")
        self.dir = self.tmp.name
        binary = os.path.join(harness.BUILD, "tests", "test_report")
        check(os.access(binary, os.X_OK), "%s is not built" % binary)
        r = subprocess.run([binary, "--write", self.dir], capture_output=True, timeout=30 * SLOW)
        check_eq(r.returncode, 0, "test_report --write exit status (%s)" % r.stderr.decode())
        self.html = os.path.join(self.dir, "report.html")
        with open(os.path.join(self.dir, "report.json"), encoding="utf-8") as f:
            self.json = json.load(f)

    def browser(self, *args):
        """Run headless Chromium on the HTML file with ARGS; its stdout."""
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--user-data-dir=" + os.path.join(self.dir, "profile")]
        cmd += list(args) + ["file://" + self.html]
        r = subprocess.run(cmd, capture_output=True, timeout=120 * SLOW)
        if r.returncode != 0:
            raise TestFailure("chromium exit status %d: %s" % (r.returncode, r.stderr.decode()[-2000:]))
        return r.stdout

    def close(self):
        self.tmp.cleanup()


# ---------------------------------------------------------------- PNG, with the stdlib only

def png_pixels(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    check(depth == 8 and ctype in (2, 6) and interlace == 0,
          "unexpected PNG format depth=%d type=%d interlace=%d" % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 0xff
            elif ft == 2:
                line[i] = (line[i] + b) & 0xff
            elif ft == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 0xff
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xff
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, bpp)])
        prev = line
    return w, h, rows


# ---------------------------------------------------------------- the DOM

class Figures(html.parser.HTMLParser):
    """Elements with data-figure (their attributes and text) and chart rectangles."""

    def __init__(self):
        super().__init__()
        self.figures, self.rects, self.tags = [], [], []
        self.open = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "data-figure" in a:
            self.open = dict(a, tag=tag, text="")
        if tag == "rect" and "data-chart" in a:
            self.rects.append(a)

    def handle_data(self, data):
        if self.open is not None:
            self.open["text"] += data

    def handle_endtag(self, tag):
        if self.open is not None and tag == self.open["tag"]:
            self.figures.append(self.open)
            self.open = None


def json_leaves(report):
    """{(period, path, key): value} for every figure of the JSON report; a keyed count is
    listed in both periods when either has it (the other's value is 0)."""
    out = {}

    def walk(node, prefix, period):
        for k, v in node.items():
            if k == "previous":
                continue
            path = prefix + k
            if isinstance(v, dict):
                keyed = path.split(".")[-1].startswith("by_")
                if keyed:
                    other = report if period == "previous" else report["previous"]
                    for p in path.split("."):
                        other = other[p]
                    for key in list(v) + [x for x in other if x not in v]:
                        out[(period, path, key)] = v.get(key, 0)
                else:
                    walk(v, path + ".", period)
            else:
                out[(period, path, None)] = v

    walk(report, "", "cur")
    walk(report["previous"], "", "previous")
    return out


def officers_number(text):
    """'1.410' → 1410, '04' → 4; None unless it is written the officers' way."""
    if not re.fullmatch(r"-?(\d{2,3}|[1-9]\d{0,2}(\.\d{3})+)", text.strip()):
        return None
    return int(text.strip().replace(".", ""))


def test_dom_figures_equal_json():
    fx = Fixture()
    try:
        dom = fx.browser("--dump-dom").decode("utf-8")
        check("</html>" in dom, "no DOM dumped: %r" % dom[:200])
        p = Figures()
        p.feed(dom)
        want = json_leaves(fx.json)
        seen = set()
        check(len(p.figures) >= len(want), "%d figures in the DOM for %d in the JSON" % (len(p.figures), len(want)))
        for f in p.figures:
            k = (f["data-period"], f["data-figure"], f.get("data-key"))
            check(k in want, "the DOM shows %r, which the JSON does not have" % (k,))
            seen.add(k)
            v = want[k]
            check_eq(f["data-value"], str(v), "data-value of %r" % (k,))
            if isinstance(v, int):
                check_eq(officers_number(f["text"]), v, "text %r of %r" % (f["text"], k))
            else:
                y, m, d = v.split("-")
                check_eq(f["text"], "%s/%s/%s" % (d, m, y), "date shown for %r" % (k,))
        missing = sorted(set(want) - seen, key=str)
        check(not missing, "JSON figures not in the DOM: %r" % missing)
        # The figures the fixture is known for, so that a JSON renderer that lost them fails too.
        check_eq(want[("cur", "awareness.participants", None)], 1410)
        check_eq(want[("previous", "tips.by_category", "fraud")], 3)
        check_eq(want[("cur", "tips.by_category", "fraud")], 0)
        check("script" not in p.tags and "link" not in p.tags and "img" not in p.tags,
              "scripts or external resources: %r" % sorted(set(p.tags)))
        check("http" not in dom, "a URL in the page")
    finally:
        fx.close()


def test_charts_drawn_from_the_figures():
    fx = Fixture()
    try:
        p = Figures()
        p.feed(fx.browser("--dump-dom").decode("utf-8"))
        charts = {}
        for r in p.rects:
            charts.setdefault(r["data-chart"], []).append(r)
        check_eq(sorted(charts), ["participants_monthly", "patrols_by_team", "tips_weekly"], "charts")
        cur = fx.json
        by_series = {}
        for r in charts["tips_weekly"]:
            by_series[r["data-series"]] = by_series.get(r["data-series"], 0) + int(r["data-value"])
        check_eq(by_series, cur["tips"]["by_category"], "tips per week summed by category")
        check_eq({r["data-label"]: int(r["data-value"]) for r in charts["patrols_by_team"]},
                 cur["patrols"]["by_team"], "patrols per team")
        months = {r["data-label"]: int(r["data-value"]) for r in charts["participants_monthly"]}
        check_eq(months[cur["to"][:7]], cur["awareness"]["participants"], "this month's participants")
        # Heights are proportional to values within a chart (integer pixels: within 1.5).
        for name, rects in charts.items():
            scale = max(float(r["height"]) / int(r["data-value"]) for r in rects)
            for r in rects:
                check(abs(float(r["height"]) - int(r["data-value"]) * scale) <= 1.5,
                      "%s bar %s/%s: height %s for %s" % (name, r["data-label"], r["data-series"],
                                                          r["height"], r["data-value"]))
    finally:
        fx.close()


def test_screenshot_is_not_blank():
    fx = Fixture()
    try:
        png = os.path.join(fx.dir, "report.png")
        fx.browser("--screenshot=" + png, "--window-size=%d,%d" % (WIDTH, HEIGHT))
        w, h, rows = png_pixels(png)
        check_eq((w, h), (WIDTH, HEIGHT), "screenshot size")
        counts = {}
        for row in rows:
            for px in row:
                counts[px] = counts.get(px, 0) + 1
        white = counts.get((255, 255, 255), 0)
        check(white < 0.97 * w * h, "the page is %.1f%% white" % (100.0 * white / (w * h)))
        check(len(counts) >= 50, "only %d distinct colours" % len(counts))
        # The bars' fills, solid: each chart colour the DOM uses covers a real area.
        p = Figures()
        p.feed(fx.browser("--dump-dom").decode("utf-8"))
        fills = {r["fill"] for r in p.rects}
        check(len(fills) >= 4, "bar colours %r" % fills)
        for fill in fills:
            rgb = tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5))
            check(counts.get(rgb, 0) >= 200, "bar colour %s covers %d pixels" % (fill, counts.get(rgb, 0)))
    finally:
        fx.close()


def test_prints_on_a4():
    fx = Fixture()
    try:
        pdf = os.path.join(fx.dir, "report.pdf")
        fx.browser("--no-pdf-header-footer", "--print-to-pdf=" + pdf)
        with open(pdf, "rb") as f:
            data = f.read()
        boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
        check(1 <= len(boxes) <= 4, "%d pages" % len(boxes))
        for wpt, hpt in boxes:
            # A4 is 210 x 297 mm: 595.3 x 841.9 points (Chromium's default is US Letter).
            check(abs(float(wpt) - 595.3) < 2 and abs(float(hpt) - 841.9) < 2,
                  "page size %s x %s points" % (wpt.decode(), hpt.decode()))
    finally:
        fx.close()


def test_csv_reads_back_as_the_json():
    fx = Fixture()
    try:
        with open(os.path.join(fx.dir, "report.csv"), "rb") as f:
            raw = f.read()
        check(raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b""), "CRLF line ends")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
        check_eq(rows[0], ["section", "name", "value", "previous"], "header")
        want = json_leaves(fx.json)
        got = {}
        for section, name, value, previous in rows[1:]:
            if section in ("", "tips", "awareness", "patrols", "mediations", "broadcasts", "sms"):
                path, key = (section + "." if section else "") + name, None
            else:
                path, key = section, name
            for period, v in (("cur", value), ("previous", previous)):
                got[(period, path, key)] = v
        check_eq(sorted(got, key=str), sorted(want, key=str), "figures in the CSV")
        for k, v in want.items():
            check_eq(got[k], str(v), "CSV %r" % (k,))
        check(('cur', 'tips.by_village', 'Xóm "Đông" <b>&</b>') in got, "a quoted name read back")
    finally:
        fx.close()


if __name__ == "__main__":
    run_tests(globals())
