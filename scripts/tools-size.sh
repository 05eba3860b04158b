#!/usr/bin/env bash
# How much tools/list puts in an assistant's context: bytes of the listing (all pages), and
# bytes/4 as a token estimate, for the default toolsets and for --toolsets all (role admin, so that
# nothing is hidden by the role). usage: scripts/tools-size.sh [BIN]
set -euo pipefail
bin=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/release/opensips-mcp}
measure() {
    { printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"size","version":"1"}}}'
      printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'; } |
        "$bin" --role admin --page-size 10000 "$@" |
        python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("id") == 1:
        tools = m["result"]["tools"]
        b = len(json.dumps(tools, separators=(",", ":")).encode())
        print(f"{len(tools)} tools, {b} bytes, ~{b // 4} tokens")'
}
printf 'default toolsets: '; measure
printf 'all toolsets:     '; measure --toolsets all
