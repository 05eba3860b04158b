#!/usr/bin/env bash
# Install what building and testing opensips-mcp needs on Debian; quick when it is all there.
# usage: scripts/install-deps.sh [build|test]   (build: compiler and libraries; test: also clang, node tools)
set -euo pipefail
what=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs=(gcc make pkg-config libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev nettle-dev)
test_pkgs=(clang libclang-rt-14-dev nodejs curl procps)

want=("${build_pkgs[@]}")
[ "$what" = test ] && want+=("${test_pkgs[@]}")
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
