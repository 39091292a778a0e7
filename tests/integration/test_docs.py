"""The documentation is whole: every CLI command (as `tipline --help` lists it), every setting
the configuration loader accepts (src/config.c) and every default SMS keyword (src/parse.c) is
documented both in the Markdown (README.md or docs/*.md) and in the manual pages; README.md
stays under 15 KB, names every file of src/ in its source map and links every docs/*.md. The
lists are read from the program and its sources, so a merge that drops a section, or a change
that adds a command, setting or keyword without its text, fails here, naming what is missing.
"""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, TIPLINE, check, run_tests  # noqa: E402
from test_manpages import (block, default_keywords, function, page, sections,  # noqa: E402
                           settings, src)

README_MAX = 15 * 1024


def readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return f.read()


def docs():
    """{path relative to ROOT: text} of docs/*.md."""
    out = {}
    for p in sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        with open(p, encoding="utf-8") as f:
            out[os.path.relpath(p, ROOT)] = f.read()
    return out


def markdown():
    return readme() + "\n" + "\n".join(docs().values())


def md_section(text, heading):
    """The text of the Markdown section HEADING (a whole heading line) up to the next heading
    of the same or a higher level."""
    m = re.search(r"^%s[ \t]*$" % re.escape(heading), text, re.M)
    check(m, "no heading %r" % heading)
    level = len(heading) - len(heading.lstrip("#"))
    end = re.compile(r"^#{1,%d} " % level, re.M).search(text, m.end())
    return text[m.end():end.start() if end else len(text)]


def commands():
    """[(command, subcommand or None)] from `tipline --help`: the program's own list."""
    p = subprocess.run([TIPLINE, "--help"], capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, "tipline --help: exit %d %s" % (p.returncode, p.stderr))
    out = []
    for line in p.stdout.splitlines():
        m = re.match(r"  ([a-z][a-z0-9-]*)(?: (.*))?$", line)
        if not m:
            continue
        cmd, rest = m.group(1), m.group(2) or ""
        usage = re.split(r"\s{3,}", rest)[0]  # the usage, not the description column
        subs = []
        for i, alt in enumerate(usage.split(" | ")):
            words = alt.split()
            # the first alternative's subcommand follows the command; the others start with it
            w = words[0] if words else ""
            if re.fullmatch(r"[a-z][a-z0-9-]*", w):
                subs.append(w)
        out.append((cmd, None))
        out.extend((cmd, s) for s in subs)
    names = {c for c, _ in out}
    check(len(names) >= 15 and "help" in names and ("tip", "mark") in out,
          "commands parsed from tipline --help: %r" % out)
    return sorted(set(out), key=lambda x: (x[0], x[1] or ""))


def test_every_command_documented():
    cmds = commands()
    md, man = markdown(), page("tipline.1")
    cli = md_section(readme(), "## The command-line tool")
    missing = []
    for cmd, sub in cmds:
        if sub is None:
            # README's summary names every command, as `tipline CMD`
            if not re.search(r"`tipline %s\b" % re.escape(cmd), cli):
                missing.append("README's command-line summary: tipline %s" % cmd)
            if not re.search(r"^\.It Cm %s\b" % re.escape(cmd), man, re.M):
                missing.append("tipline(1): .It Cm %s" % cmd)
            continue
        # a subcommand: `tipline CMD SUB` in the Markdown, or CMD SUB in README's summary
        if not (re.search(r"tipline %s %s\b" % (re.escape(cmd), re.escape(sub)), md) or
                re.search(r"`(?:tipline )?%s %s\b" % (re.escape(cmd), re.escape(sub)), cli)):
            missing.append("README/docs: tipline %s %s" % (cmd, sub))
        if not re.search(r"^\.It Cm %s\b.*(?:Cm|\|) %s\b" % (re.escape(cmd), re.escape(sub)),
                         man, re.M):
            missing.append("tipline(1): .It Cm %s ... Cm %s" % (cmd, sub))
    check(not missing, "undocumented commands: " + "; ".join(missing))


def all_settings():
    """{group: names}: test_manpages' reading of src/config.c, and the members the loaders
    take besides the table (ussd.texts and ussd.category_labels)."""
    out = settings()
    c = src("config.c")
    also = re.search(r"also\[\] = \{([^}]*)\}", function(c, "load_ussd_menu"))
    check(also, "load_ussd_menu's also[] in src/config.c")
    out.setdefault("ussd", set()).update(re.findall(r'"(\w+)"', also.group(1)))
    check("texts" in out.get("ussd", ()), "ussd.texts read from src/config.c")
    return out


def test_every_setting_documented():
    md = markdown()
    man = sections(page("tipline.conf.5"))
    templates = set(re.findall(r'\[TPL_\w+\] =\s*\{\s*"(\w+)"',
                               block(src("config.c"), "tpl_defaults[TPL_COUNT]")))
    missing = []
    for g, names in sorted(all_settings().items()):
        for n in sorted(names):
            dotted = "%s.templates.%s" % (g, n) if g == "replies" and n in templates else \
                "%s.%s" % (g, n)
            if not re.search(r"(?<![\w.])%s(?![\w])" % re.escape(dotted), md):
                missing.append("README/docs: " + dotted)
            if g not in man or not re.search(r"\bIc %s\b" % re.escape(n), man[g]):
                missing.append("tipline.conf(5): " + dotted)
    check(not missing, "undocumented settings: " + ", ".join(missing))


def keywords():
    """The default SMS keywords (test_manpages reads them from src/parse.c), upper case."""
    words = default_keywords()
    check("tin" in words and "bc" in words, "keywords parsed from src/parse.c: %r" % words)
    return {w.upper() for w in words}


def test_every_keyword_documented():
    table = md_section(readme(), "## SMS keywords")
    man = page("tiplined.8")
    sms = man[man.index(".Sh SMS KEYWORDS"):man.index(".Sh SIGNALS")]
    in_md = set(re.findall(r"[A-Z?]+", table))
    in_man = set(re.findall(r"[A-Z?]+", sms))
    missing = ["README's keyword table: %s" % w for w in sorted(keywords() - in_md)]
    missing += ["tiplined(8): %s" % w for w in sorted(keywords() - in_man)]
    check(not missing, "undocumented keywords: " + ", ".join(missing))


def test_readme_size():
    n = len(readme().encode("utf-8"))
    check(n < README_MAX, "README.md is %d bytes, over %d: move details to docs/" %
          (n, README_MAX))


def test_readme_links_every_doc():
    r = readme()
    linked = set(re.findall(r"\]\((docs/[^)#\s]+\.md)(?:#[^)]*)?\)", r))
    present = set(docs())
    check(len(present) >= 5, "docs/*.md: %r" % sorted(present))
    check(not present - linked, "README.md links no: " + ", ".join(sorted(present - linked)))
    check(not linked - present, "README.md links missing files: " +
          ", ".join(sorted(linked - present)))


def test_readme_source_map_names_every_file():
    smap = md_section(readme(), "## Source map")
    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "src", "*.[ch]")))
    check(len(files) > 40, "src/ files: %r" % files)
    missing = []
    for f in files:
        stem, ext = os.path.splitext(f)
        # `x.c`, `.h` names both (the map's rows are the files of src/, named without
        # it); a header without a .c file is named in full
        if not re.search(r"`%s\.[ch]`" % re.escape(stem), smap) or \
                (ext == ".h" and not os.path.exists(os.path.join(ROOT, "src", stem + ".c")) and
                 "`%s`" % f not in smap):
            missing.append(f)
    check(not missing, "README's source map lacks: " + ", ".join(missing))


if __name__ == "__main__":
    run_tests(globals())
