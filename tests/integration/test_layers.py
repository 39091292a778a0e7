"""The doors do not write an action's rows (issue 20): the SMS door (src/handle.c), the USSD
menu (src/serve.c, src/menu.c) and the CLI (src/tipline.c, src/cli*.c) call the actions in
src/act*.c, never the store functions those actions write with. The store functions are read
from the action layer's own calls, so a door that calls store_tip_insert (or any other write an
action makes) fails here, naming the file and the function; reads (a contact, a listing) stay
allowed to a door."""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, check, run_tests  # noqa: E402

CALL = re.compile(r"\b(store_[a-z0-9_]+)\s*\(")
# What reads: a door may call these itself (a listing, a contact shown, a count).
READ = re.compile(r"_(get|count|since|each)$|_find|^store_(list|report|error)_|"
                  r"^store_ussd_tip_status$")


def calls(path):
    """The store functions PATH calls (comments dropped)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return set(CALL.findall(text))


def src(pattern):
    return sorted(glob.glob(os.path.join(ROOT, "src", pattern)))


def action_writes():
    out = set()
    for p in src("act*.c"):
        out |= {f for f in calls(p) if not READ.search(f)}
    return out


def test_the_action_layer_writes():
    writes = action_writes()
    # The control: the search finds what the actions are known to write with.
    for f in ("store_tip_insert", "store_tip_set_status", "store_contact_upsert",
              "store_outbox_insert", "store_patrol_start", "store_broadcast_create",
              "store_pin_attempt", "store_group_add", "store_team_set_nights"):
        check(f in writes, "%s among the action layer's writes: %s" % (f, sorted(writes)))


def test_no_door_writes_an_actions_rows():
    writes = action_writes()
    doors = [os.path.join(ROOT, "src", n) for n in ("handle.c", "serve.c", "menu.c",
                                                     "tipline.c")] + src("cli*.c")
    # The console's pages of issue 24 (console_pages.c's own changes predate this rule).
    doors += src("console_people.c") + src("console_groups.c")
    bad = []
    for p in doors:
        if not os.path.exists(p):
            continue
        for f in sorted(calls(p) & writes):
            bad.append("%s calls %s" % (os.path.relpath(p, ROOT), f))
    check(not bad, "doors writing an action's rows (call the action in src/act*.c): "
          + "; ".join(bad))


def test_the_console_writes_through_actions():
    """The officers' console (src/console*.c) is a door too: a tip's category and village,
    triage and the accounts go through act_tip_set, act_tip_mark and act_account."""
    writes = action_writes()
    bad = []
    for p in src("console*.c"):
        with open(p, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        for fn in sorted(set(CALL.findall(text)) & writes):
            bad.append("%s calls %s" % (os.path.relpath(p, ROOT), fn))
    check(not bad, "the console writing an action's rows: " + "; ".join(bad))


if __name__ == "__main__":
    run_tests(globals())
