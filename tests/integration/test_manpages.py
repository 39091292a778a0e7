"""The manual pages: mandoc -Tlint clean (warnings included), and complete: every setting the
configuration loader accepts is in tipline.conf(5) under its group, every command of
src/tipline.c's commands[] in tipline(1), every option of both programs and every default SMS
keyword in their pages. The lists are read from the sources, so a setting or a command added
without its documentation fails here, naming it.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, SANITIZED, Skip, check, run_tests  # noqa: E402

MAN = os.path.join(ROOT, "man")
PAGES = ["tipline.1", "tipline.conf.5", "tiplined.8"]


def src(name):
    with open(os.path.join(ROOT, "src", name)) as f:
        return f.read()


def page(name):
    with open(os.path.join(MAN, name)) as f:
        return f.read()


def block(text, start, end="};"):
    """TEXT from START to the first END after it."""
    i = text.index(start)
    return text[i:text.index(end, i)]


def function(text, name):
    """The body of C function NAME in TEXT (up to the first line that is a lone '}')."""
    i = re.search(r"^\w[^\n]*\b%s\(" % name, text, re.M).start()
    return text[i:text.index("\n}\n", i)]


def settings():
    """{group: set of setting names} the loader in src/config.c accepts."""
    c = src("config.c")
    out = {}
    for g, n in re.findall(r'\{"(\w+)", "(\w+)", S_\w+,', c):
        out.setdefault(g, set()).add(n)
    out.setdefault("log", set()).update(re.findall(r'strcmp\(name, "(\w+)"\)',
                                                   function(c, "load_log")))
    out["keywords"] = set(re.findall(r'\{"(\w+)", PARSE_\w+, \d\}', block(c, "keyword_lists[]")))
    out["categories"] = set(re.findall(r'strcmp\(sn, "(\w+)"\)', c))
    out.setdefault("replies", set()).update(
        re.findall(r'\[TPL_\w+\] =\s*\{\s*"(\w+)"', block(c, "tpl_defaults[TPL_COUNT]")))
    out["replies"].add("templates")
    for g in re.findall(r'"(\w+)"', block(c, "special_groups[]", ";")):
        out.setdefault(g, set())
    check(sum(len(v) for v in out.values()) > 60 and len(out["keywords"]) > 10 and
          len(out["replies"]) > 25, "the settings read from src/config.c: %r" % out)
    return out


def sections(text):
    """{.Ss name: its text} of an mdoc page."""
    parts = re.split(r"^\.Ss (\S+)\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_lint():
    if shutil.which("mandoc") is None:
        check(False, "mandoc is not installed (scripts/deps.sh installs it)")
    if SANITIZED:
        raise Skip("the pages do not depend on the build")
    p = subprocess.run(["mandoc", "-Tlint", "-Wwarning"] + PAGES, cwd=MAN, capture_output=True,
                       text=True)
    check(p.returncode == 0 and p.stdout == "" and p.stderr == "",
          "mandoc -Tlint: %d\n%s%s" % (p.returncode, p.stdout, p.stderr))


def test_every_setting_in_tipline_conf_5():
    sec = sections(page("tipline.conf.5"))
    missing = []
    for g, names in sorted(settings().items()):
        if g not in sec:
            missing.append("group %s (.Ss %s)" % (g, g))
            continue
        for n in sorted(names):
            if not re.search(r"\bIc %s\b" % re.escape(n), sec[g]):
                missing.append("%s.%s" % (g, n))
    check(not missing, "tipline.conf(5) lacks: " + ", ".join(missing))


def test_every_command_in_tipline_1():
    table = block(src("tipline.c"), "} commands[] = {")
    names = re.findall(r'\{"([a-z][a-z0-9-]*)",', table) + ["help"]
    check(len(names) >= 14, "commands[] parsed: %r" % names)
    man = page("tipline.1")
    missing = [n for n in names if not re.search(r"^\.It Cm %s\b" % re.escape(n), man, re.M)]
    check(not missing, "tipline(1) lacks the commands: " + ", ".join(missing))


def options(c_source, func="main"):
    """The short options of the getopt string(s) of FUNC."""
    body = function(c_source, func)
    out = set()
    for s in re.findall(r'getopt(?:_long)?\(argc, argv, "\+?([^"]*)"', body):
        out.update(ch for ch in s if ch.isalnum())
    check(out, "getopt options parsed")
    return out


def test_every_option_in_pages():
    for prog, page_name in (("main.c", "tiplined.8"), ("tipline.c", "tipline.1")):
        man = page(page_name)
        syn = man[man.index(".Sh SYNOPSIS"):man.index(".Sh DESCRIPTION")]
        for o in sorted(options(src(prog))):
            check(re.search(r"^\.It Fl %s\b" % o, man, re.M), "%s: no .It Fl %s" % (page_name, o))
            check(o in syn, "%s: -%s is not in the synopsis" % (page_name, o))


def default_keywords():
    """The default SMS keywords of src/parse.c: its keyword table and the patrol words."""
    p = src("parse.c")
    words = set()
    for w in re.findall(r"WORDS\(([^)]*)\)", block(p, "default_keywords[] = {")):
        words.update(re.findall(r'"([^"]+)"', w))
    for w in re.findall(r"parse_rules_set_\w+_words\(r, WORDS\(([^)]*)\)", p):
        words.update(re.findall(r'"([^"]+)"', w))
    check(len(words) > 20, "keywords parsed from src/parse.c: %r" % words)
    return words


def test_every_sms_keyword_in_tiplined_8():
    words = default_keywords()
    man = page("tiplined.8")
    sms = man[man.index(".Sh SMS KEYWORDS"):man.index(".Sh SIGNALS")]
    tokens = set(re.findall(r"[A-Z?]+", sms))
    missing = sorted(w for w in words if w.upper() not in tokens)
    check(not missing, "tiplined(8) lacks the SMS keywords: " + ", ".join(missing))


if __name__ == "__main__":
    run_tests(globals())
