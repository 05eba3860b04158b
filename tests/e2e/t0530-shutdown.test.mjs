// Shutdown and cancellation stop a waiting MI call (issue 9 §13): after end of input or SIGTERM the
// process exits once --shutdown-grace-ms has passed, not when the MI call's own deadline does, on every
// MI transport; notifications/cancelled frees the worker an MI call held. The simulator delays
// core:uptime past an 8 s MI time-out; the bounds below (4 s) only fail on a wait for that time-out.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RawServer, TEST_TIMEOUT, ms, sleep, textOf } from "./lib/raw.mjs";
import { freePort, HttpServer, openSession, curl, rpc } from "./lib/http.mjs";
import { startSim, stopAll, requests } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const dir = mkdtempSync(join(tmpdir(), "mcp-shutdown-e2e-"));
after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const HANG = ms(4000); // well under the 8 s MI time-out, well over the 1 s grace
let n = 0;

// A simulator that never answers core:uptime in time, reachable over `transport`; the node address.
async function slowSim(transport) {
  const sub = join(dir, `s${n++}`);
  const udpPort = await freePort();
  const sim = await startSim({
    log: join(dir, `req${n}.log`),
    extra: ["--fifo", `${sub}.fifo`, "--fifo-reply-dir", dir + "/", "--datagram", `udp:127.0.0.1:${udpPort}`,
      "--fault", "kind=delay,cmd=core:uptime,ms=20000"],
  });
  const node = { http: sim.url, fifo: `fifo:${sub}.fifo`, udp: `udp:127.0.0.1:${udpPort}` }[transport];
  return { sim, node };
}

const serverArgs = (node, extra = []) => ["--mi-node", `sim=${node}`, "--mi-timeout-ms", "8000",
  "--mi-fifo-reply-dir", dir + "/", "--shutdown-grace-ms", "1000", ...extra];

// Start a server, send server_uptime and wait until the simulator holds it.
async function withSlowCall(transport, extra) {
  const { sim, node } = await slowSim(transport);
  const s = new RawServer(serverArgs(node, extra));
  const held = () => requests(sim).some((r) => /uptime/.test(r.command ?? r.method ?? ""));
  try {
    await s.initialize();
    s.send({ jsonrpc: "2.0", id: "slow", method: "tools/call", params: { name: "server_uptime", arguments: {} } });
    const deadline = Date.now() + ms(5000);
    while (!held() && Date.now() < deadline) await sleep(50);
    assert.ok(held(), "the simulator never got core:uptime");
  } catch (e) {
    s.kill();
    throw e;
  }
  return s;
}

for (const transport of ["http", "fifo", "udp"]) {
  test(`end of input with an MI call waiting (${transport}): the exit comes after the grace, not the MI time-out`, T, async () => {
    const s = await withSlowCall(transport);
    const t0 = Date.now();
    const r = await s.close({ timeout: ms(20_000) }).finally(() => s.kill());
    const took = Date.now() - t0;
    assert.deepEqual(r, { code: 0, signal: null }, s.stderrTail());
    assert.ok(took < HANG, `exit took ${took} ms: it waited for the MI call`);
    assert.deepEqual(s.responsesFor("slow"), [], "a request cancelled at shutdown was answered");
  });
}

test("SIGTERM with an MI call waiting: the exit comes after the grace, not the MI time-out", T, async () => {
  const s = await withSlowCall("http");
  const t0 = Date.now();
  s.kill("SIGTERM");
  const r = await s.waitExit(ms(20_000)).finally(() => s.kill());
  const took = Date.now() - t0;
  assert.deepEqual(r, { code: 0, signal: null }, s.stderrTail());
  assert.ok(took < HANG, `exit took ${took} ms after SIGTERM: it waited for the MI call`);
});

for (const transport of ["http", "fifo", "udp"]) {
  test(`notifications/cancelled stops the MI wait (${transport}): the only worker serves the next call`, T, async () => {
    const s = await withSlowCall(transport, ["--workers", "1", "--conformance-fixtures"]);
    try {
      s.notify("notifications/cancelled", { requestId: "slow", reason: "e2e" });
      // test_sleep needs no MI (the simulator is still busy with core:uptime): only the worker.
      const r = await s.request("tools/call", { name: "test_sleep", arguments: { ms: 1 } }, { timeout: HANG });
      assert.equal(textOf(r.result), "slept 1 ms", JSON.stringify(r));
      assert.deepEqual(s.responsesFor("slow"), [], "the cancelled request was answered");
      await s.close();
    } finally {
      s.kill();
    }
  });
}

test("HTTP transport: SIGTERM with MI calls waiting in several sessions exits before the MI time-out", T, async () => {
  const { sim, node } = await slowSim("http");
  const s = await HttpServer.start(serverArgs(node));
  try {
    const calls = [];
    for (let i = 0; i < 3; i++) {
      const sess = await openSession(s.url);
      calls.push(curl(s.url, { headers: sess.headers, body: rpc(5, "tools/call", { name: "server_uptime", arguments: {} }) })
        .catch(() => null));
    }
    const deadline = Date.now() + ms(5000);
    while (requests(sim).filter((r) => /uptime/.test(r.command ?? r.method ?? "")).length < 3 && Date.now() < deadline) await sleep(50);
    const t0 = Date.now();
    await s.stop({ timeout: HANG }); // exit 0 within the bound, or it fails
    assert.ok(Date.now() - t0 < HANG);
    await Promise.all(calls);
  } finally {
    s.kill();
  }
});
