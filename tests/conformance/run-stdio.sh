#!/usr/bin/env bash
# Run the official conformance suite (0.1.16, active scenarios) against the stdio server, bridged to
# Streamable HTTP by supergateway 4.0.0, since conformance tests servers over HTTP only (mcp-notes.md §4.4).
# usage: OPENSIPS_MCP_BIN=/abs/opensips-mcp [NODE=/abs/node22] tests/conformance/run-stdio.sh
#   CONFORMANCE_SCENARIO=name   run one scenario instead of the suite
#   CONFORMANCE_STDIO_CMD="..." bridge another stdio server (default: "$OPENSIPS_MCP_BIN --conformance-fixtures")
# Results go to build/conformance/stdio/; exit status non-zero on any failure not in the baseline.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

conf_check_tools
if [ -z "${CONFORMANCE_STDIO_CMD:-}" ]; then
    [ -n "${OPENSIPS_MCP_BIN:-}" ] || conf_die "set OPENSIPS_MCP_BIN to the server binary"
    [ -x "$OPENSIPS_MCP_BIN" ] || conf_die "'$OPENSIPS_MCP_BIN' is not an executable"
    CONFORMANCE_STDIO_CMD="$OPENSIPS_MCP_BIN --conformance-fixtures"
fi
supergateway="$conf_node_modules/supergateway/dist/index.js"
[ -f "$supergateway" ] || conf_die "supergateway missing; run scripts/install-deps.sh test"

out="$conf_top/build/conformance/stdio"
rm -rf "$out" && mkdir -p "$out"
port=$(conf_free_port)

# --stateful: one stdio child per MCP session (each scenario opens its own), kept until the gateway
# dies; the trap takes the whole tree down whatever happens.
"$NODE" "$supergateway" --stdio "$CONFORMANCE_STDIO_CMD" --outputTransport streamableHttp --stateful \
    --port "$port" --logLevel none >"$out/gateway.log" 2>&1 &
gateway=$!
trap 'conf_kill_tree $gateway' EXIT
trap 'exit 130' INT TERM

conf_wait_port "$port" "$gateway" ||
    { cat "$out/gateway.log" >&2; conf_die "supergateway did not listen on port $port in ${CONFORMANCE_READY_SECONDS}s"; }
echo "conformance: stdio bridge on port $port for: $CONFORMANCE_STDIO_CMD"

conformance_run "http://127.0.0.1:$port/mcp" "$conf_dir/stdio-bridge-baseline.yml" "$out"
