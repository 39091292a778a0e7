#!/bin/sh
# Install the Debian packages tipline needs to build, run and test.
# Fast when everything is present: one dpkg-query, no apt at all.
# libmicrohttpd-dev: the HTTP server of `tipline serve` (the USSD aggregator callback).
# chromium renders the HTML report in tests (a real browser for what a person looks at);
# fonts-dejavu-core gives it glyphs for Vietnamese on a machine with no desktop.
# nodejs and npm: the console's browser tests drive chromium with playwright-core, pinned by
# tests/browser/package-lock.json (npm ci, run by the tests, into tests/browser/node_modules).
# poppler-utils: pdftotext reads back the console's report printed to PDF by chromium.
# libgnutls28-dev: the console's TLS certificate and session-token hashes (tipline console).
# libpq-dev: the district's PostgreSQL (tipline sync, district, report --district); postgresql:
# the private instances the district tests start (initdb, pg_ctl; no cluster is started).
# Usage: scripts/deps.sh [build|bench]
set -eu

pkgs="build-essential pkg-config libgammu-dev gammu libconfig-dev libsqlite3-dev sqlite3 \
libutf8proc-dev libmicrohttpd-dev python3 clang libclang-rt-dev socat chromium fonts-dejavu-core \
libsystemd-dev mandoc nodejs npm libgnutls28-dev poppler-utils libpq-dev postgresql"
if [ "${1:-}" = bench ]; then
	pkgs="$pkgs gammu-smsd libdbd-sqlite3 smstools"
fi
if [ "${1:-}" = deb ]; then
	pkgs="$pkgs lintian"
fi
if [ "${1:-}" = valgrind ]; then
	pkgs="$pkgs valgrind"
fi

missing=""
for p in $pkgs; do
	# A nodejs from elsewhere (NodeSource's package) brings its own npm and conflicts with
	# Debian's: an npm command on the PATH will do.
	if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
		continue
	fi
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps: missing packages and not root:$missing" >&2
		exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet.
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
