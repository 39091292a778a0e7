"""The Debian package: scripts/mkdeb.sh (what make deb runs) builds it from make install into
a staging tree; lintian, when installed, must report no error (mkdeb.sh fails then). The test
unpacks it into a scratch root (dpkg-deb -x) and runs the installed tiplined -n.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, SANITIZED, Skip, TestFailure, check, check_eq, run_tests  # noqa: E402


class Deb:
    def __init__(self):
        if SANITIZED:
            raise Skip("the package is built from the normal build; run without --tag san")
        self.tmp = tempfile.TemporaryDirectory(prefix="tipline-deb-")
        p = subprocess.run([os.path.join(ROOT, "scripts", "mkdeb.sh"), "build", "9.9-1-gabc",
                            self.tmp.name], cwd=ROOT, capture_output=True, text=True)
        if p.returncode != 0:
            raise TestFailure("mkdeb.sh: %s%s" % (p.stdout, p.stderr))
        self.lintian = p.stderr
        self.deb = p.stdout.strip().splitlines()[-1]
        self.root = os.path.join(self.tmp.name, "root")
        subprocess.run(["dpkg-deb", "-x", self.deb, self.root], check=True)

    def info(self, part):
        return subprocess.run(["dpkg-deb", "-I", self.deb, part], capture_output=True, text=True,
                              check=True).stdout

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.tmp.cleanup()


def test_deb_builds_and_runs():
    with Deb() as d:
        arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                              check=True).stdout.strip()
        check_eq(os.path.basename(d.deb), "tipline_9.9+1+gabc_%s.deb" % arch, "the package's name")
        control = d.info("control")
        check("Version: 9.9+1+gabc\n" in control, "control Version: %r" % control)
        check("libgammu" in control and "adduser" in control, "control Depends: %r" % control)
        check_eq(d.info("conffiles").split(), ["/etc/tipline/tipline.conf"], "conffiles")
        postinst = d.info("postinst")
        for piece in ("adduser --system", "tipline", "install -d -o tipline -g tipline",
                      "/var/lib/tipline", "enable tiplined.service",
                      "runuser -u tipline -- /usr/bin/tipline console --make-cert"):
            check(piece in postinst, "postinst: %s" % piece)
        for f in ("usr/sbin/tiplined", "usr/bin/tipline", "etc/tipline/tipline.conf",
                  "lib/systemd/system/tiplined.service", "lib/systemd/system/tipline-serve.service",
                  "lib/systemd/system/tipline-console.service",
                  "usr/share/man/man8/tiplined.8.gz", "usr/share/man/man5/tipline.conf.5.gz",
                  "usr/share/man/man1/tipline.1.gz", "usr/share/doc/tipline/copyright"):
            check(os.path.exists(os.path.join(d.root, f)), "the package holds /" + f)
        tiplined = os.path.join(d.root, "usr/sbin/tiplined")
        conf = os.path.join(d.root, "etc/tipline/tipline.conf")
        p = subprocess.run([tiplined, "-n", "-c", conf], capture_output=True, text=True)
        check_eq(p.returncode, 0, "the packaged tiplined -n: " + p.stderr)
        check("configuration OK" in p.stderr, "tiplined -n: %r" % p.stderr)
        # Its default is /etc/tipline/tipline.conf (compiled in), not the source tree's.
        p = subprocess.run([tiplined, "--help"], capture_output=True, text=True)
        check("(default /etc/tipline/tipline.conf)" in p.stdout, "default config: %r" % p.stdout)
        unit = open(os.path.join(d.root, "lib/systemd/system/tiplined.service")).read()
        check("ExecStart=/usr/sbin/tiplined\n" in unit, "the unit runs /usr/sbin/tiplined")
        check(" E: " not in d.lintian and not d.lintian.startswith("E: "),
              "lintian errors: " + d.lintian)
        if shutil.which("lintian") is None:
            raise Skip("lintian is not installed (make deb installs it): the package built and "
                       "ran, lintian did not check it")
        print("# lintian: %s" % (d.lintian.strip().replace("\n", "; ") or "clean"))


if __name__ == "__main__":
    run_tests(globals())
