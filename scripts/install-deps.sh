#!/usr/bin/env bash
# Install what building and testing opensips-mcp needs on Debian; quick when it is all there.
# usage: scripts/install-deps.sh [build|test]   (build: compiler and libraries; test: also clang, node tools)
set -euo pipefail
what=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs=(gcc make pkg-config libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev nettle-dev)
test_pkgs=(clang libclang-rt-14-dev nodejs curl procps)

missing=()
want=("${build_pkgs[@]}")
[ "$what" = test ] && want+=("${test_pkgs[@]}")
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm ships inside nodesource's nodejs; Debian's own nodejs needs the npm package too.
if [ "$what" = test ] && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
    # The MCP clients the tests drive (official SDK, Inspector CLI, conformance suite, supergateway and
    # Node 22 for the tools that need it), pinned by tests/node/package-lock.json.
    cd "$top/tests/node"
    if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-stamp; then
        npm ci --no-audit --no-fund --loglevel=error
        cp package-lock.json node_modules/.lock-stamp
    fi
fi
