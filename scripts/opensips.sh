#!/usr/bin/env bash
# Provide a real OpenSIPS for the live suite (tests/live) and print its install prefix on stdout.
#   scripts/opensips.sh VERSION        VERSION is 4.0.1 or 3.6.8
#   scripts/opensips.sh --can-provide VERSION   exit 0 when an OpenSIPS is installed or can be built
#
# $OPENSIPS_BIN (an installed opensips binary, or its prefix) wins: its prefix is printed as it is,
# whatever VERSION says (the suite reads the real version from `opensips -V`). Otherwise VERSION is built
# from ${OPENSIPS_SRC:-<repo>/../shared/opensips}/opensips-VERSION.tar.gz into
# ${XDG_CACHE_HOME:-$HOME/.cache}/opensips-mcp/opensips-VERSION, with the modules the test bed loads. A
# stamp file there records the version and module list, so a second run only checks it.
# Exit status: 0 printed a prefix; 2 nothing to use (no OPENSIPS_BIN, no tarball); 1 the build failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

# The modules tests/live/opensips.cfg.in and opensips-db.cfg.in load (both versions ship all of them; UDP
# and TCP are in the core): db_postgres and db_mysql for the bed on a real database, auth and auth_db for
# its digest-authenticated REGISTER.
modules=(proto_bin httpd mi_http mi_fifo mi_datagram event_datagram db_text db_sqlite db_postgres db_mysql
    auth auth_db
    signaling sl tm rr maxfwd sipmsgops textops cfgutils uac uac_auth dialog usrloc registrar
    dispatcher load_balancer drouting dialplan permissions domain pike ratelimit acc tracer statistics
    uac_registrant b2b_entities b2b_logic call_center clusterer presence presence_xml xcap pua
    tls_mgm tls_openssl fraud_detection carrierroute nathelper topology_hiding rtp_relay rtpengine)
# Debian packages the build of that set needs (libconfuse: carrierroute; libpq: db_postgres; libmariadb:
# db_mysql).
build_pkgs=(gcc make bison flex pkg-config libpcre2-dev libmicrohttpd-dev libsqlite3-dev libxml2-dev
    libssl-dev libjson-c-dev libconfuse-dev libpq-dev libmariadb-dev)

die() { echo "opensips.sh: $1" >&2; exit "${2:-1}"; }

check=0
if [ "${1:-}" = --can-provide ]; then check=1; shift; fi
version=${1:-}
case "$version" in
    4.0.1|3.6.8) ;;
    *) die "usage: scripts/opensips.sh [--can-provide] 4.0.1|3.6.8" 2 ;;
esac

if [ -n "${OPENSIPS_BIN:-}" ]; then
    if [ -d "$OPENSIPS_BIN" ]; then prefix=$OPENSIPS_BIN
    else prefix=$(cd "$(dirname "$OPENSIPS_BIN")/.." && pwd); fi
    [ -x "$prefix/sbin/opensips" ] || die "OPENSIPS_BIN=$OPENSIPS_BIN: no executable sbin/opensips there" 2
    [ $check = 1 ] && exit 0
    echo "$prefix"
    exit 0
fi

# ../shared/opensips beside the clone; for a git worktree, also beside the main clone.
src_dir=${OPENSIPS_SRC:-$top/../shared/opensips}
if [ -z "${OPENSIPS_SRC:-}" ] && [ ! -d "$src_dir" ]; then
    common=$(git -C "$top" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
    [ -n "$common" ] && [ -d "$common/../../shared/opensips" ] && src_dir=$(cd "$common/../../shared/opensips" && pwd)
fi
tarball=$src_dir/opensips-$version.tar.gz
cache=${XDG_CACHE_HOME:-$HOME/.cache}/opensips-mcp
prefix=$cache/opensips-$version
stamp=$prefix/.opensips-mcp-stamp
want_stamp="opensips $version modules ${modules[*]}"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -x "$prefix/sbin/opensips" ]; then
    [ $check = 1 ] && exit 0
    echo "$prefix"
    exit 0
fi
[ -f "$tarball" ] || die "no $tarball (set OPENSIPS_BIN or OPENSIPS_SRC)" 2
[ $check = 1 ] && exit 0

"$top/scripts/apt-install.sh" opensips.sh "${build_pkgs[@]}" >&2

# The source tree stays next to the prefix, so that adding a module later rebuilds only that module.
tree=$cache/src-$version
log=$cache/build-$version.log
mkdir -p "$cache"
if [ ! -f "$tree/Makefile" ]; then
    rm -rf "$tree" && mkdir -p "$tree"
    tar -xzf "$tarball" -C "$tree" --strip-components=1
fi
jobs=${OPENSIPS_BUILD_JOBS:-$(nproc)}
# db_mysql's Makefile asks `mysql_config`; Debian's libmariadb-dev ships it as mariadb_config only (the
# mysql_config name is in libmariadb-dev-compat): a private PATH entry gives the build that name.
shim=$cache/bin-$version
rm -rf "$shim"
if ! command -v mysql_config >/dev/null && command -v mariadb_config >/dev/null; then
    mkdir -p "$shim" && ln -s "$(command -v mariadb_config)" "$shim/mysql_config"
fi
echo "opensips.sh: building OpenSIPS $version with ${#modules[@]} modules (log: $log)" >&2
start=$(date +%s)
if ! (export PATH=$shim:$PATH && cd "$tree" && nice make -j"$jobs" all module="${modules[*]}" &&
      rm -rf "$prefix" && make install prefix="$prefix" module="${modules[*]}") >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "building OpenSIPS $version failed (full log: $log)"
fi
echo "$want_stamp" >"$stamp"
echo "opensips.sh: OpenSIPS $version built in $(( $(date +%s) - start )) s into $prefix" >&2
echo "$prefix"
