#!/usr/bin/env bash
# The Debian package, built with Debian's own tooling and tried in a scratch root:
#   tests/package/run.sh         build, install into a scratch root, check, verify the unit, remove
#   tests/package/run.sh build   only build the .deb into build/package/
# It builds in a scratch copy of the tree (dpkg-buildpackage writes next to its source), installs
# what it lacks with scripts/apt-install.sh, and never touches the host's dpkg database or /etc.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/package
what=${1:-test}
say() { echo "package: $*"; }
fail() { echo "package: FAIL: $*" >&2; exit 1; }

"$top/scripts/apt-install.sh" package-test debhelper dpkg-dev fakeroot systemd man-db \
    pkg-config libjansson-dev libyajl-dev nettle-dev libcurl4-openssl-dev libmicrohttpd-dev libpq-dev libmariadb-dev

rm -rf "$out" && mkdir -p "$out/src"

# ---- make install / uninstall (PREFIX, DESTDIR), in the tree itself ----
if [ "$what" != build ]; then
    dest=$out/destdir
    make -s -C "$top" NO_SIM=1 DESTDIR="$dest" PREFIX=/opt/om install install-systemd >"$out/make-install.log" 2>&1 ||
        { cat "$out/make-install.log"; fail "make install failed"; }
    got=$(cd "$dest" && find . ! -type d | sort)
    expect=$(printf '%s\n' ./opt/om/bin/opensips-mcp ./opt/om/lib/systemd/system/opensips-mcp.service \
        ./opt/om/share/doc/opensips-mcp/deploy.md ./opt/om/share/doc/opensips-mcp/examples/config.json \
        ./opt/om/share/man/man1/opensips-mcp.1 | sort)
    [ "$got" = "$expect" ] || fail "make install put: $got"
    [ -x "$dest/opt/om/bin/opensips-mcp" ] && "$dest/opt/om/bin/opensips-mcp" --version >/dev/null ||
        fail "the installed binary does not run"
    grep -qx 'ExecStart=/opt/om/bin/opensips-mcp --transport http --config /etc/opensips-mcp/config.json' \
        "$dest/opt/om/lib/systemd/system/opensips-mcp.service" || fail "install-systemd: ExecStart not under PREFIX"
    make -s -C "$top" NO_SIM=1 DESTDIR="$dest" PREFIX=/opt/om uninstall >>"$out/make-install.log" 2>&1 ||
        { cat "$out/make-install.log"; fail "make uninstall failed"; }
    left=$(cd "$dest" && find . ! -type d)
    [ -z "$left" ] || fail "make uninstall left: $left"
    say "make install/install-systemd/uninstall with DESTDIR and PREFIX: 5 files, all removed"
fi

# ---- build ----
# the tree as committed plus local changes, without build products
(cd "$top" && git ls-files -co --exclude-standard -z | grep -zv '^tests/node/' |
    tar --null -T - -cf -) | tar -C "$out/src" -xf -
version=$(sed -n '1s/.*(\(.*\)).*/\1/p' "$top/debian/changelog")
arch=$(dpkg --print-architecture)
deb=$out/opensips-mcp_${version}_${arch}.deb
say "building opensips-mcp $version with dpkg-buildpackage"
(cd "$out/src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$out/build.log" 2>&1 ||
    { tail -40 "$out/build.log"; fail "dpkg-buildpackage failed (log: $out/build.log)"; }
[ -f "$deb" ] || fail "no $deb"
say "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"
[ "$what" = build ] && exit 0

# ---- contents ----
want=(./usr/bin/opensips-mcp ./usr/share/man/man1/opensips-mcp.1.gz
      ./usr/share/doc/opensips-mcp/examples/config.json ./usr/share/doc/opensips-mcp/deploy.md.gz
      ./usr/share/doc/opensips-mcp/copyright ./usr/share/doc/opensips-mcp/changelog.gz
      ./etc/opensips-mcp/config.json ./lib/systemd/system/opensips-mcp.service)
list=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in "${want[@]}"; do grep -qx "$f" <<<"$list" || fail "the package lacks $f"; done
if grep -q 'opensips-mi-sim' <<<"$list"; then fail "the package ships the simulator"; fi
dpkg-deb -I "$deb" conffiles | grep -qx /etc/opensips-mcp/config.json ||
    fail "/etc/opensips-mcp/config.json is not a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
grep -q libjansson <<<"$depends" || fail "Depends lacks libjansson (shlibs): $depends"
# the libraries bound on first use are never hard dependencies (a stdio install over FIFO needs none)
for lib in libcurl libmicrohttpd libpq libmariadb; do
    if grep -q "$lib" <<<"$depends"; then fail "Depends names $lib, which is bound on first use: $depends"; fi
done
grep -q libpq5 <<<"$(dpkg-deb -f "$deb" Suggests)" || fail "Suggests lacks libpq5"
say "contents: ${#want[@]} files present, Depends: $depends"
if command -v lintian >/dev/null 2>&1; then   # not installed for the test: it is large
    lintian --fail-on error,warning "$deb" >"$out/lintian.log" 2>&1 ||
        { grep -v 'root privileges' "$out/lintian.log" >&2; fail "lintian found errors or warnings"; }
    say "lintian: no errors or warnings"
else
    say "lintian: not installed, skipped"
fi

# ---- install into a scratch root ----
root=$out/root
mkdir -p "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/info"
touch "$root/var/lib/dpkg/status"
# --force-script-chrootless: the root has no shell to chroot into; the maintainer scripts
# (debhelper's systemd snippets) see DPKG_ROOT and act on the scratch root only.
dpkgr=(dpkg --root="$root" --force-not-root --force-depends --force-script-chrootless
       --log=/dev/null)
"${dpkgr[@]}" -i "$deb" >"$out/install.log" 2>&1 ||
    { cat "$out/install.log"; fail "dpkg -i into the scratch root failed"; }
for f in "${want[@]}"; do [ -e "$root/${f#./}" ] || fail "installed root lacks ${f#./}"; done
dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status}\n' opensips-mcp | grep -q 'install ok installed' ||
    fail "dpkg does not list opensips-mcp as installed in the scratch root"
v=$("$root/usr/bin/opensips-mcp" --version) || fail "the installed binary does not run"
[ "$v" = "opensips-mcp $version" ] || fail "--version says '$v', the package $version"
man -l "$root/usr/share/man/man1/opensips-mcp.1.gz" 2>/dev/null | grep -q -- '--transport' ||
    fail "the installed man page does not render"
# the installed config is one the installed binary accepts (audit and out-dir moved to scratch)
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
"$root/usr/bin/opensips-mcp" --config "$root/etc/opensips-mcp/config.json" --transport stdio \
    --audit "$scratch/audit.jsonl" --out-dir-root "$scratch" </dev/null >/dev/null 2>"$scratch/err" ||
    { cat "$scratch/err"; fail "the installed /etc/opensips-mcp/config.json is refused"; }
say "installed into $root: files present, --version '$v', man page renders, config accepted"

# ---- the unit ----
unit=$root/lib/systemd/system/opensips-mcp.service
grep -qx 'ExecStart=/usr/bin/opensips-mcp --transport http --config /etc/opensips-mcp/config.json' "$unit" ||
    fail "ExecStart is not the HTTP service with /etc/opensips-mcp/config.json"
for k in DynamicUser=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
         CapabilityBoundingSet= 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
         Restart=on-failure LogsDirectory=opensips-mcp StateDirectory=opensips-mcp; do
    grep -qx -- "$k" "$unit" || fail "the unit lacks $k"
done
if systemd-analyze --version >/dev/null 2>&1; then
    # verify resolves ExecStart on the host: point it at the installed binary in a copy
    sed "s|/usr/bin/opensips-mcp|$root/usr/bin/opensips-mcp|" "$unit" >"$scratch/opensips-mcp.service"
    systemd-analyze verify --man=no "$scratch/opensips-mcp.service" >"$scratch/verify" 2>&1 ||
        { cat "$scratch/verify"; fail "systemd-analyze verify refused the unit"; }
    [ ! -s "$scratch/verify" ] || { cat "$scratch/verify"; fail "systemd-analyze verify warned"; }
    say "systemd-analyze verify: the unit is clean"
else
    fail "systemd-analyze is missing"
fi

# ---- removal ----
"${dpkgr[@]}" --purge opensips-mcp >"$out/remove.log" 2>&1 ||
    { cat "$out/remove.log"; fail "dpkg --purge from the scratch root failed"; }
for f in "${want[@]}"; do [ ! -e "$root/${f#./}" ] || fail "${f#./} is left after removal"; done
left=$(cd "$root" && find . \( -path ./var/lib/dpkg -prune \) -o ! -type d -print)
[ -z "$left" ] || fail "files left after purge: $left"
say "removed: nothing of the package is left"
say "ok"
