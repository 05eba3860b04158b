#!/usr/bin/env bash
# How much the listings put in an assistant's context: bytes of tools/list, prompts/list,
# resources/list and resources/templates/list (all pages), and bytes/4 as a token estimate, for
# the default toolsets and for --toolsets all (role admin, so that nothing is hidden by the role).
# usage: scripts/tools-size.sh [BIN]
set -euo pipefail
bin=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/release/opensips-mcp}
measure() {
    { printf '%s\n' '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"size","version":"1"}}}'
      printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
      printf '%s\n' '{"jsonrpc":"2.0","id":2,"method":"prompts/list"}'
      printf '%s\n' '{"jsonrpc":"2.0","id":3,"method":"resources/list"}'
      printf '%s\n' '{"jsonrpc":"2.0","id":4,"method":"resources/templates/list"}'; } |
        "$bin" --role admin --page-size 10000 "$@" |
        python3 -c '
import json, sys
keys = {1: "tools", 2: "prompts", 3: "resources", 4: "resourceTemplates"}
out = {}
for line in sys.stdin:
    m = json.loads(line)
    if m.get("id") in keys:
        items = m["result"][keys[m["id"]]]
        out[m["id"]] = (len(items), len(json.dumps(items, separators=(",", ":")).encode()))
n, b = out[1]
print(f"{n} tools, {b} bytes, ~{b // 4} tokens")
for i, name in ((2, "prompts"), (3, "resources"), (4, "templates")):
    n, b = out[i]
    print(f"    {name:9} {n:3}, {b:6} bytes, ~{b // 4} tokens")'
}
printf 'default toolsets: '; measure
printf 'all toolsets:     '; measure --toolsets all
