#!/bin/bash
# fanout: one read tool with node "*" over three simulated nodes on mi_http, called again and
# again on one stdio session: the mean per call of each binary, interleaved (5 rounds of 300
# calls). Compares two builds of opensips-mcp (there is no fan-out in the peer):
#   bench/fanout.sh build/release/opensips-mcp /path/to/other/opensips-mcp
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sim=$here/build/release/opensips-mi-sim
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
ports=()
for i in 1 2 3; do
    port=$((20000 + RANDOM % 20000))
    "$sim" --http 127.0.0.1:$port --timing none >/dev/null 2>&1 &
    pids+=($!)
    ports+=($port)
done
sleep 0.5
python3 - "$@" "${ports[@]}" <<'PY'
import json, statistics, subprocess, sys, time
bins, ports = sys.argv[1:-3], sys.argv[-3:]
def run(binary, n=300):
    cmd = [binary, "--role", "admin"]
    for name, port in zip("abc", ports):
        cmd += ["--mi-node", "%s=http://127.0.0.1:%s/mi" % (name, port)]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    def rpc(i, m, params):
        p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": i, "method": m, "params": params}) + "\n")
        p.stdin.flush()
        while True:
            r = json.loads(p.stdout.readline())
            if r.get("id") == i:
                return r
    rpc(0, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "bench", "version": "1"}})
    p.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    call = {"name": "server_version", "arguments": {"node": "*"}}
    rpc(1, "tools/call", call)
    t = time.monotonic()
    for i in range(n):
        r = rpc(2 + i, "tools/call", call)
        assert r["result"]["structuredContent"]["answered"] == 3, r
    dt = (time.monotonic() - t) / n * 1000
    p.stdin.close()
    p.wait()
    return dt
res = {b: [] for b in bins}
for _ in range(5):
    for b in bins:
        res[b].append(run(b))
for b in bins:
    print("%-50s median %.3f ms per call (rounds: %s)" % (b, statistics.median(res[b]),
          " ".join("%.3f" % x for x in res[b])))
PY
