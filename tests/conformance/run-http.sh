#!/usr/bin/env bash
# Run the official conformance suite (0.1.16) directly against our Streamable HTTP transport.
# usage: OPENSIPS_MCP_BIN=/abs/opensips-mcp [NODE=/abs/node22] tests/conformance/run-http.sh
#   CONFORMANCE_SUITE=active|pending|all   (default active; every active scenario must pass)
#   CONFORMANCE_SCENARIO=name               run one scenario
#   CONFORMANCE_REQUIREMENTS=2026-07-28     the scenarios that revision requires (the modern era)
# Results go to build/conformance/http[-SUITE]/; exit status non-zero on any failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

conf_check_tools
[ -n "${OPENSIPS_MCP_BIN:-}" ] || conf_die "set OPENSIPS_MCP_BIN to the server binary"
[ -x "$OPENSIPS_MCP_BIN" ] || conf_die "'$OPENSIPS_MCP_BIN' is not an executable"

suite=${CONFORMANCE_SUITE:-active}
out="$conf_top/build/conformance/http-${CONFORMANCE_REQUIREMENTS:-$suite}"
rm -rf "$out" && mkdir -p "$out"
port=$(conf_free_port)

"$OPENSIPS_MCP_BIN" --transport http --listen "127.0.0.1:$port" --conformance-fixtures \
    >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

conf_wait_port "$port" "$server" ||
    { cat "$out/server.log" >&2; conf_die "the server did not listen on port $port in ${CONFORMANCE_READY_SECONDS}s"; }
echo "conformance: opensips-mcp over Streamable HTTP on port $port, ${CONFORMANCE_REQUIREMENTS:+requirements of }${CONFORMANCE_REQUIREMENTS:-suite $suite}"
rc=0
baseline=""
[ -n "${CONFORMANCE_REQUIREMENTS:-}" ] && baseline="$conf_dir/modern-baseline.yml"
conformance_run "http://127.0.0.1:$port/mcp" "$baseline" "$out" || rc=$?
kill -TERM $server
wait $server || { echo "conformance: the server did not exit cleanly" >&2; rc=1; }
trap - EXIT
exit $rc
