#!/usr/bin/env bash
# The README's run command: build, start the OpenSIPS MI simulator (unless OPENSIPS_MI_URL names a
# real OpenSIPS) and the MCP server over Streamable HTTP on loopback, and print how to connect.
#   PORT=3111 MI_PORT=8888 scripts/run.sh      Ctrl-C stops both.
#   RUN_BUILD=0 skips the dependency check and the build (the tests run it so).
# The banner is printed only once both answer. A port already taken is an error that names what
# holds it: the server must never end up, with admin rights, on whatever listens there (a real
# OpenSIPS on 127.0.0.1:8888 is the usual case). Whatever fails, what was started is stopped.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

port=${PORT:-3111}
mi_port=${MI_PORT:-8888}
# How long each process may take to answer (seconds; an upper bound that only fails on a hang).
wait_s=${RUN_WAIT_S:-20}
sim= server=

cleanup() {
    local pid
    trap - EXIT INT TERM
    for pid in $server $sim; do
        kill "$pid" 2>/dev/null
    done
    for pid in $server $sim; do
        wait "$pid" 2>/dev/null
    done
}
trap cleanup EXIT
trap 'exit 0' INT TERM

die() {
    echo "run: error: $*" >&2
    exit 1
}

# Whether something accepts TCP connections on 127.0.0.1:$1.
listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# "process NAME (pid N)" holding TCP port $1, as ss tells it (only for processes we may see).
holder() {
    local who
    who=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -n1)
    if [ -n "$who" ]; then
        who=${who#users:((\"}
        echo "${who%%\"*} (pid ${who##*pid=})"
    else
        echo "another process"
    fi
}

busy() {
    die "port $1 on 127.0.0.1 is already taken by $(holder "$1"); stop it, or pick another port" \
        "with $2=PORT (e.g. $2=$(($1 + 1)) make run)"
}

if [ "${RUN_BUILD:-1}" != 0 ]; then
    scripts/install-deps.sh build || die "installing the build dependencies failed"
    make -s all >&2 || die "the build failed"
fi

case $port in '' | *[!0-9]*) die "PORT='$port' is not a port number" ;; esac
case $mi_port in '' | *[!0-9]*) die "MI_PORT='$mi_port' is not a port number" ;; esac
listening "$port" && busy "$port" PORT

if [ -z "${OPENSIPS_MI_URL:-}" ]; then
    listening "$mi_port" && busy "$mi_port" MI_PORT
    ./opensips-mi-sim --http "127.0.0.1:$mi_port" --dialogs 50 --contacts 200 --traffic 20 &
    sim=$!
    export OPENSIPS_MI_URL="http://127.0.0.1:$mi_port/mi"
    # Ours, not a look-alike: the simulator alone answers its sim:* control methods, and it must
    # still be the process we started.
    for ((i = 0; i < wait_s * 10; i++)); do
        kill -0 "$sim" 2>/dev/null ||
            die "the simulator did not start (its error is above); nothing else was started"
        if curl -sf --max-time 2 -H 'Content-Type: application/json' \
            -d '{"jsonrpc":"2.0","id":1,"method":"sim:faults"}' "$OPENSIPS_MI_URL" 2>/dev/null |
            grep -q '"result"'; then
            break
        fi
        sleep 0.1
    done
    ((i < wait_s * 10)) || die "the simulator did not answer at $OPENSIPS_MI_URL within ${wait_s}s"
    kill -0 "$sim" 2>/dev/null || die "the simulator exited; something else answers on $mi_port"
    mi_note="the OpenSIPS MI simulator (opensips-mi-sim, pid $sim) at $OPENSIPS_MI_URL"
else
    mi_note="the OpenSIPS at $OPENSIPS_MI_URL"
fi
# The server's own MI path, as an operator checks it: core:version through opensips-mcp check.
./opensips-mcp check --mi-url "$OPENSIPS_MI_URL" >&2 ||
    die "OpenSIPS at $OPENSIPS_MI_URL does not answer MI (above); nothing is served"

./opensips-mcp --transport http --listen "127.0.0.1:$port" --role admin &
server=$!
for ((i = 0; i < wait_s * 10; i++)); do
    kill -0 "$server" 2>/dev/null || die "the MCP server did not start (its error is above)"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/mcp" \
        2>/dev/null)
    case $code in 2* | 4*) break ;; esac
    sleep 0.1
done
((i < wait_s * 10)) || die "the MCP server did not answer on 127.0.0.1:$port within ${wait_s}s"
kill -0 "$server" 2>/dev/null || die "the MCP server exited; something else answers on $port"

cat <<MSG

opensips-mcp: MCP over Streamable HTTP at http://127.0.0.1:$port/mcp (pid $server)
             OpenSIPS side: $mi_note
             role: admin, for this demo on loopback (the default role is the read-only viewer)
             tools: $(./opensips-mcp tools --role admin 2>/dev/null | grep -c .) tools, \
mi_execute among them for any MI command

Connect a client, for example:
  Claude Code:   claude mcp add --transport http opensips http://127.0.0.1:$port/mcp
  VS Code:       { "servers": { "opensips": { "type": "http", "url": "http://127.0.0.1:$port/mcp" } } }
  Inspector:     npx @modelcontextprotocol/inspector --cli --transport http --server-url http://127.0.0.1:$port/mcp --method tools/list

Ctrl-C stops it.
MSG
# Either process ending ends the run (and cleanup stops the other).
wait -n $server $sim
rc=$?
kill -0 "$server" 2>/dev/null || die "the MCP server exited (status $rc)"
die "the simulator exited (status $rc)"
