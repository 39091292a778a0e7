"""The officers' web console (issue 23) in a real browser: chromium driven by playwright-core
(tests/integration/browser.py), against the real `tipline console` and the real `tiplined` on
the simulated phone. Screenshots at 360 and 1280 px go to BUILD/console-shots/."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from browser import Browser  # noqa: E402
from harness import SLOW, Env, TestFailure, check, check_eq, run_tests  # noqa: E402

SHOTS = os.path.join(harness.BUILD, "console-shots")


def test_browser_runs_axe_on_a_page():
    """The harness itself: chromium starts, a page loads, axe-core runs in it and finds a
    planted serious violation (an image without a text alternative), a screenshot is written."""
    env = Env()
    try:
        page = os.path.join(env.dir, "p.html")
        with open(page, "w") as f:
            f.write('<!doctype html><html lang="vi"><title>t</title><main><h1>Tổng quan</h1>'
                    '<img src="x.png"></main></html>')
        os.makedirs(SHOTS, exist_ok=True)
        shot = os.path.join(SHOTS, "harness-360.png")
        with Browser(os.path.join(env.dir, "browser.log")) as b:
            got = b.js("const p = await s.open('a', 360); await p.goto(args.url);"
                       "await p.screenshot({path: args.shot});"
                       "return {h1: await p.textContent('h1'), v: await s.axe(p)};",
                       url="file://" + page, shot=shot)
        check_eq(got["h1"], "Tổng quan", "the page's heading")
        check_eq([v["id"] for v in got["v"]], ["image-alt"], "axe's serious violations")
        check(os.path.getsize(shot) > 1000, "a screenshot was written")
    finally:
        env.close()


if __name__ == "__main__":
    run_tests(globals())
