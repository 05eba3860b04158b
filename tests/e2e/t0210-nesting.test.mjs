// One nesting limit (64 levels of arrays and objects) for everything read from outside (issue 9
// items 1 and 2): a request nested 2 040 deep (under jansson's own 2 048) is refused with its id,
// over stdio and HTTP, with the audit trail on or off, for a viewer too; an MI reply nested that
// deep is a tool error. The server never crashes and goes on serving.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withServer, TEST_TIMEOUT, textOf } from "./lib/raw.mjs";
import { withHttpServer, curl, openSession, rpc, freePort } from "./lib/http.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const LIMIT = 64;
const nest = (n) => "[".repeat(n) + "]".repeat(n);
// The reproduction: tools/call with arguments {"x": <n nested arrays>}.
const deepCall = (id, name, n) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}","arguments":{"x":${nest(n)}}}}`;

let dir;
before(() => (dir = mkdtempSync(join(tmpdir(), "mcp-nesting-"))));
after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const expectTooDeep = (r, id) => {
  assert.equal(r.id, id, JSON.stringify(r).slice(0, 300));
  assert.equal(r.error?.code, -32602, JSON.stringify(r).slice(0, 300));
  assert.match(r.error.message, /nested deeper than 64 levels/);
};

test("stdio with the audit trail on: 2 040 nested arrays in arguments are refused with the id, for a viewer, known tool or not", T, async () => {
  const audit = join(dir, "stdio.jsonl");
  await withServer(["--audit", audit, "--role", "viewer"], async (s) => {
    for (const [id, name] of [[11, "server_version"], [12, "no_such_tool"]]) {
      s.send(deepCall(id, name, 2040));
      expectTooDeep(await s.response(id), id);
      await s.assertAlive(`${name} nested 2040 deep`);
    }
    // far beyond jansson's own limit too, and just past ours
    s.send(deepCall(13, "server_version", 100000));
    expectTooDeep(await s.response(13), 13);
    s.send(deepCall(14, "server_version", LIMIT - 3 + 1));
    expectTooDeep(await s.response(14), 14);
    // at the limit (envelope, params, arguments + 61 arrays): parsed, then refused by the schema
    s.send(deepCall(15, "server_version", LIMIT - 3));
    const r = await s.response(15);
    assert.equal(r.result?.isError, true, JSON.stringify(r).slice(0, 300));
    assert.match(textOf(r.result), /unknown argument 'x'/);
  });
  // Only the call that was parsed reached the audit trail, whole, one line.
  const recs = readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(recs.length, 1, JSON.stringify(recs).slice(0, 300));
  assert.equal(recs[0].event, "refused");
  assert.equal(recs[0].tool, "server_version");
});

test("stdio with the audit trail off: mi_execute params nested 2 040 deep are refused, the server lives", T, async () => {
  const sim = await startSim();
  await withServer(["--role", "admin", "--mi-url", sim.url], async (s) => {
    const line = `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"mi_execute","arguments":{"command":"dialog:list","params":{"callid":${nest(2040)}}}}}`;
    s.send(line);
    expectTooDeep(await s.response("deep"), "deep");
    await s.assertAlive("mi_execute params nested 2040 deep");
  });
});

test("HTTP with the audit trail on: a request nested 2 040 deep is HTTP 400 with -32602 and its id; the server lives", T, async () => {
  const audit = join(dir, "http.jsonl");
  await withHttpServer(["--audit", audit], async (srv) => {
    const { headers } = await openSession(srv.url);
    const r = await curl(srv.url, { headers, body: deepCall(7, "server_version", 2040) });
    assert.equal(r.status, 400, r.raw.slice(0, 300));
    expectTooDeep(r.json, 7);
    const p = await curl(srv.url, { headers, body: rpc(8, "ping") });
    assert.equal(p.status, 200, p.raw.slice(0, 300));
  });
  assert.ok(!existsSync(audit) || readFileSync(audit, "utf8") === "", "a refused message reached the audit trail");
});

test("cluster_send_command: mi_params text nested 2 040 deep is a tool error naming the limit", T, async () => {
  await withServer(["--role", "admin", "--toolsets", "all", "--audit", join(dir, "cluster.jsonl"), "--mi-url", "udp:127.0.0.1:9"], async (s) => {
    const r = await s.call("tools/call", { name: "cluster_send_command", arguments: { cluster_id: 1, node_id: 2, mi_cmd: "core:uptime", mi_params: nest(2040) } });
    assert.equal(r.isError, true, JSON.stringify(r).slice(0, 300));
    assert.match(textOf(r), /mi_params is nested deeper than 64 levels/);
  });
});

// A node that answers core:uptime 2 040 deep (the simulator's "deep" fault), over each transport.
for (const transport of ["http", "fifo", "udp"]) {
  test(`an MI reply nested 2 040 deep over ${transport} is a tool error, never a crash`, T, async () => {
    const udp = await freePort();
    const sub = mkdtempSync(join(dir, `${transport}-`));
    const sim = await startSim({ extra: ["--fifo", join(sub, "mi.fifo"), "--fifo-reply-dir", sub + "/", "--datagram", `udp:127.0.0.1:${udp}`, "--fault", "kind=deep,cmd=core:uptime"] });
    const node = { http: sim.url, fifo: `fifo:${join(sub, "mi.fifo")}`, udp: `udp:127.0.0.1:${udp}` }[transport];
    await withServer(["--role", "viewer", "--audit", join(sub, "audit.jsonl"), "--mi-url", node, "--mi-fifo-reply-dir", sub + "/"], async (s) => {
      const r = await s.call("tools/call", { name: "server_uptime", arguments: {} });
      assert.equal(r.isError, true, JSON.stringify(r).slice(0, 300));
      assert.match(textOf(r), /to 'core:uptime' is nested deeper than 64 levels/);
      await s.assertAlive("a deep MI reply");
      const v = await s.call("tools/call", { name: "server_version", arguments: {} });
      assert.equal(v.isError, undefined, JSON.stringify(v).slice(0, 300));
    });
  });
}
