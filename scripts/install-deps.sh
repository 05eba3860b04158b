#!/usr/bin/env bash
# Install what building and testing opensips-mcp needs on Debian; quick when it is all there.
# usage: scripts/install-deps.sh [build|test]   (build: compiler and libraries; test: also clang, node tools)
set -euo pipefail
what=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs=(gcc make pkg-config libjansson-dev libyajl-dev libcurl4-openssl-dev libmicrohttpd-dev nettle-dev libpq-dev libmariadb-dev)
# haproxy and rsyslog: t1700 runs replicas behind the load balancer and one audit collector.
test_pkgs=(clang nodejs curl procps man-db m4 haproxy rsyslog)

# The sanitizer and fuzzer runtimes of the clang that is (or will be) installed: libclang-rt-N-dev
# for its major version N, as apt offers it (Debian 12 has clang 14, Debian 13 clang 19); else
# the libclang-rt-dev metapackage that follows the default clang.
clang_rt() {
    local major=
    if command -v clang >/dev/null 2>&1; then
        major=$(clang --version | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -n1)
    else
        major=$(apt-cache depends clang 2>/dev/null | sed -n 's/.*Depends: clang-\([0-9][0-9]*\)$/\1/p' |
            head -n1)
    fi
    if [ -n "$major" ] &&
        apt-cache search --names-only "^libclang-rt-$major-dev\$" 2>/dev/null | grep -q .; then
        echo "libclang-rt-$major-dev"
    elif apt-cache show libclang-rt-dev >/dev/null 2>&1; then
        echo libclang-rt-dev
    else
        echo "install-deps: error: apt offers neither libclang-rt-${major:-N}-dev (clang" \
            "${major:-unknown}) nor libclang-rt-dev; install clang's compiler-rt by hand" >&2
        return 1
    fi
}

want=("${build_pkgs[@]}")
if [ "$what" = test ]; then
    rt=$(clang_rt) || exit 1
    want+=("${test_pkgs[@]}" "$rt")
fi
# npm ships inside nodesource's nodejs; Debian's own nodejs needs the npm package too.
if [ "$what" = test ] && ! command -v npm >/dev/null 2>&1; then want+=(npm); fi
"$top/scripts/apt-install.sh" install-deps "${want[@]}"

if [ "$what" = test ]; then
    # The MCP clients the tests drive (official SDK, Inspector CLI, conformance suite, supergateway and
    # Node 22 for the tools that need it), pinned by tests/node/package-lock.json.
    cd "$top/tests/node"
    if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-stamp; then
        npm ci --no-audit --no-fund --loglevel=error
        cp package-lock.json node_modules/.lock-stamp
    fi
fi
