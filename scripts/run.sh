#!/usr/bin/env bash
# The README's run command: build, start the OpenSIPS MI simulator (unless OPENSIPS_MI_URL names a
# real OpenSIPS) and the MCP server over Streamable HTTP on loopback, and print how to connect.
#   PORT=3111 MI_PORT=8888 scripts/run.sh      Ctrl-C stops both.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh build
make -s all >&2

port=${PORT:-3111}
mi_port=${MI_PORT:-8888}
sim= server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    [ -n "$sim" ] && kill "$sim" 2>/dev/null
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if [ -z "${OPENSIPS_MI_URL:-}" ]; then
    ./opensips-mi-sim --http "127.0.0.1:$mi_port" --dialogs 50 --contacts 200 --traffic 20 &
    sim=$!
    export OPENSIPS_MI_URL="http://127.0.0.1:$mi_port/mi"
    mi_note="the OpenSIPS MI simulator (opensips-mi-sim, pid $sim) at $OPENSIPS_MI_URL"
else
    mi_note="the OpenSIPS at $OPENSIPS_MI_URL"
fi

cat <<MSG

opensips-mcp: MCP over Streamable HTTP at http://127.0.0.1:$port/mcp
             OpenSIPS side: $mi_note
             role: admin, for this demo on loopback (the default role is the read-only viewer)
             tools: mi_execute runs any MI command; the rest of the OpenSIPS tools are being built

Connect a client, for example:
  Claude Code:   claude mcp add --transport http opensips http://127.0.0.1:$port/mcp
  VS Code:       { "servers": { "opensips": { "type": "http", "url": "http://127.0.0.1:$port/mcp" } } }
  Inspector:     npx @modelcontextprotocol/inspector --cli --transport http --server-url http://127.0.0.1:$port/mcp --method tools/list

Ctrl-C stops it.
MSG
./opensips-mcp --transport http --listen "127.0.0.1:$port" --role admin &
server=$!
wait "$server"
