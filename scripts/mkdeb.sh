#!/bin/sh
# Build the Debian package from `make install` into a staging tree: dpkg-deb, no debhelper.
# Usage: scripts/mkdeb.sh BUILD VERSION [OUTDIR]   (make deb: build/tipline_VERSION_ARCH.deb)
# LINTIAN=required: fail when lintian is missing (make deb); otherwise it runs when installed.
# The package's paths: /usr/sbin/tiplined, /usr/bin/tipline, /etc/tipline/tipline.conf (a
# conffile), /lib/systemd/system (Debian 12's unit directory); postinst creates the tipline
# system user, /var/lib/tipline owned by it, and enables tiplined.service.
set -eu
build=$1
version=$2
out=${3:-$build}
# A Debian version starts with a digit and has no '-' in a native package: v1.2-3-gabc → 1.2+3+gabc.
version=$(echo "$version" | sed -e 's/^v//' -e 's/-/+/g')
case "$version" in [0-9]*) ;; *) version="0.1+$version" ;; esac
arch=$(dpkg --print-architecture)
deb="$out/tipline_${version}_${arch}.deb"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

make --no-print-directory -s BUILD="$build" install DESTDIR="$root" PREFIX=/usr sysconfdir=/etc \
	unitdir=/lib/systemd/system >/dev/null
# The state directory belongs to the tipline user: postinst makes it.
rmdir "$root/var/lib/tipline" "$root/var/lib" "$root/var"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/sbin/tiplined" \
	"$root/usr/bin/tipline"
gzip -9n "$root"/usr/share/man/man*/*
doc="$root/usr/share/doc/tipline"
install -d "$doc"
cat >"$doc/copyright" <<'COPY'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tipline

Files: *
Copyright: 2026 the tipline developers
License: GPL-2+
 tipline links libGammu (GPL-2+).
 .
 On Debian systems the full text of the GNU General Public License version 2
 is in /usr/share/common-licenses/GPL-2.
COPY
printf 'tipline (%s) unstable; urgency=medium\n\n  * Package built from the source tree (make deb).\n\n -- tipline maintainers <maintainers@tipline.invalid>  %s\n' \
	"$version" "$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")" |
	gzip -9n >"$doc/changelog.gz"

# Library dependencies as dpkg-shlibdeps finds them (it wants a debian/control to read).
mkdir -p "$stage/src/debian"
printf 'Source: tipline\n\nPackage: tipline\nArchitecture: any\n' >"$stage/src/debian/control"
shlibs=$(cd "$stage/src" && dpkg-shlibdeps -O "$root/usr/sbin/tiplined" "$root/usr/bin/tipline" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')

mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CTRL
Package: tipline
Version: $version
Architecture: $arch
Maintainer: tipline maintainers <maintainers@tipline.invalid>
Installed-Size: $size
Depends: $shlibs, adduser
Section: net
Priority: optional
Homepage: https://tipline.invalid/
Description: SMS gateway for community security reporting
 tiplined owns a GSM modem (libGammu), stores every received SMS in SQLite,
 parses keyword messages (tips, patrol check-ins, awareness sessions,
 mediations) and answers them; tipline is the officers' command-line tool
 over the same database.
CTRL
echo /etc/tipline/tipline.conf >"$root/DEBIAN/conffiles"

cat >"$root/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
	if ! getent passwd tipline >/dev/null; then
		adduser --system --group --home /var/lib/tipline --no-create-home \
			--gecos "tipline SMS gateway" tipline
	fi
	install -d -o tipline -g tipline -m 750 /var/lib/tipline
	# The daemon runs as tipline: it reads the configuration through its group.
	chgrp tipline /etc/tipline/tipline.conf
	chmod 640 /etc/tipline/tipline.conf
	# The console's self-signed certificate now rather than at its first start, by the same
	# code and owned by the user that serves it; kept when there (or configured).
	runuser -u tipline -- /usr/bin/tipline console --make-cert >/dev/null || true
fi
if [ "$1" = configure ] || [ "$1" = abort-upgrade ] || [ "$1" = abort-deconfigure ] ||
	[ "$1" = abort-remove ]; then
	if deb-systemd-helper debian-installed tiplined.service; then
		deb-systemd-helper unmask tiplined.service >/dev/null || true
		if deb-systemd-helper --quiet was-enabled tiplined.service; then
			deb-systemd-helper enable tiplined.service >/dev/null || true
		else
			deb-systemd-helper update-state tiplined.service >/dev/null || true
		fi
	else
		deb-systemd-helper unmask tiplined.service >/dev/null || true
		deb-systemd-helper enable tiplined.service >/dev/null || true
	fi
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
		deb-systemd-invoke restart tiplined.service >/dev/null || true
	fi
fi
exit 0
SH
cat >"$root/DEBIAN/prerm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
	deb-systemd-invoke stop tiplined.service tipline-serve.service tipline-console.service >/dev/null || true
fi
exit 0
SH
cat >"$root/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = remove ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper mask tiplined.service >/dev/null || true
fi
if [ "$1" = purge ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper purge tiplined.service >/dev/null || true
	deb-systemd-helper unmask tiplined.service >/dev/null || true
	# The database in /var/lib/tipline holds people's reports: purge leaves it.
fi
exit 0
SH
chmod 755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
if command -v lintian >/dev/null 2>&1; then
	# Errors fail the build; warnings are printed.
	lintian --fail-on error --suppress-tags no-manual-page "$deb" >&2
elif [ "${LINTIAN:-}" = required ]; then
	echo "mkdeb: lintian is not installed (scripts/deps.sh deb installs it)" >&2
	exit 1
fi
