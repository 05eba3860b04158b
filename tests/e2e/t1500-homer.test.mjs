// The seven homer_* tools end to end through the SDK client against the Homer 7 stand-in
// (tests/homer/homer-sim.mjs, a model of homer-app 1.5.20's API) started here on a free port:
// every tool; the stand-in's own surprises (201s, the 500 on the wrong param.search shape, no
// /api/v3/status); the JWT expiring and renewed once on 401 (one login for concurrent calls);
// wrong credentials; Homer down or not configured; bad times; the PCAP written under the root,
// and never over a file, outside the root, through a link or without a root; correlation with
// the MI simulator holding a dialog of the B2BUA's second leg, and with a node that cannot say.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, allTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { sleep, TEST_TIMEOUT, ms } from "./lib/raw.mjs";
import { freePort, runToExit } from "./lib/http.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const SIM = new URL("../homer/homer-sim.mjs", import.meta.url).pathname;
const A = "a84b4c76e66710@pc33.atlanta.example"; // leg A of a B2BUA call
const B = "gen-1@10.0.0.1"; // its leg B (correlation_id = A); the MI simulator's --dialogs 2 holds it
const C = "c-call-3311@10.0.0.3"; // carol -> dave, 486
const PASSWORD = "s3cret-homer-pw";
const homers = [];
let dir, root, outside, mi;

// Start a stand-in; { port, base, url, counts() }.
async function startHomer(extra = []) {
  const proc = spawn(process.execPath, [SIM, "--listen", "127.0.0.1:0", "--password", PASSWORD, ...extra],
    { stdio: ["ignore", "ignore", "pipe"] });
  homers.push(proc);
  let err = "";
  proc.stderr.on("data", (c) => (err += c));
  const deadline = Date.now() + ms(10_000);
  while (!/ready \d+/.test(err) && proc.exitCode === null && Date.now() < deadline) await sleep(30);
  const m = /ready (\d+) (\d+)/.exec(err);
  assert.ok(m, `the Homer stand-in did not start: ${err}`);
  const url = `http://127.0.0.1:${m[1]}`;
  return { url, base: Number(m[2]), counts: async () => (await fetch(`${url}/_sim/counts`)).json() };
}

const env = { OPENSIPS_MCP_HOMER_PASSWORD: PASSWORD };
const args = (h, extra = []) => ["--role", "admin", "--toolsets", "homer", "--homer-url", h.url,
  "--mi-url", mi.url, "--out-dir-root", root, ...extra];
async function withHomer(h, fn, extra = [], vars = env) {
  const saved = process.env.OPENSIPS_MCP_HOMER_PASSWORD;
  if (vars.OPENSIPS_MCP_HOMER_PASSWORD === undefined) delete process.env.OPENSIPS_MCP_HOMER_PASSWORD;
  else process.env.OPENSIPS_MCP_HOMER_PASSWORD = vars.OPENSIPS_MCP_HOMER_PASSWORD;
  try {
    await withClient(args(h, extra), async (client, ctx) => {
      await allTools(client);
      await fn(client, ctx);
      assert.ok(!ctx.stderr().includes(PASSWORD), "the password reached the log");
    });
  } finally {
    if (saved === undefined) delete process.env.OPENSIPS_MCP_HOMER_PASSWORD;
    else process.env.OPENSIPS_MCP_HOMER_PASSWORD = saved;
  }
}
const fails = (r, re) => {
  assert.equal(r.isError, true, JSON.stringify(r).slice(0, 1000));
  assert.match(r.content[0].text, re);
  assert.ok(!r.content[0].text.includes(PASSWORD));
  return r.content[0].text;
};
let homer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-homer-e2e-"));
  root = join(dir, "root");
  outside = join(dir, "outside");
  mkdirSync(root);
  mkdirSync(outside);
  symlinkSync(outside, join(root, "link"));
  mi = await startSim({ name: "mi", extra: ["--dialogs", "2"] });
  homer = await startHomer();
});

after(async () => {
  for (const p of homers) if (p.exitCode === null) p.kill("SIGTERM");
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

test("the stand-in models homer-app: 201 searches, 500 on the wrong param.search shape, no /api/v3/status", T, async () => {
  const login = await fetch(`${homer.url}/api/v3/auth`, { method: "POST", body: JSON.stringify({ username: "admin", password: PASSWORD }) });
  assert.equal(login.status, 201);
  const { token } = await login.json();
  const post = (path, body) => fetch(`${homer.url}${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const timestamp = { from: homer.base - 1000, to: homer.base + 3_600_000 };
  assert.equal((await post("/api/v3/search/call/data", { timestamp, param: { search: { "1_call": [] } } })).status, 201);
  // each endpoint's shape sent to the other one: the Go type assertion panics, 500
  assert.equal((await post("/api/v3/search/call/data", { timestamp, param: { search: { "1_call": { callid: [A] } } } })).status, 500);
  assert.equal((await post("/api/v3/call/transaction", { timestamp, param: { search: { "1_call": [{ name: "sid", value: A }] } } })).status, 500);
  assert.equal((await post("/api/v3/call/transaction", { timestamp, param: { search: { "1_call": { callid: [A] } } } })).status, 201);
  assert.equal((await fetch(`${homer.url}/api/v3/status`)).status, 401); // the JWT group, no token
  assert.equal((await fetch(`${homer.url}/api/v3/status`, { headers: { Authorization: `Bearer ${token}` } })).status, 404);
});

test("tools/list: the seven homer tools, each within the budget", T, async () => {
  await withHomer(homer, async (client) => {
    const tools = (await allTools(client)).filter((t) => t.name.startsWith("homer_"));
    assert.deepEqual(tools.map((t) => t.name).sort(), ["homer_correlate_callid", "homer_export_pcap", "homer_get_call_flow",
      "homer_get_call_transaction", "homer_health", "homer_search_calls", "homer_search_calls_v7"]);
    for (const t of tools) assert.ok(JSON.stringify(t).length < 1200, `${t.name}: ${JSON.stringify(t).length} bytes`);
    const read = tools.filter((t) => t.name !== "homer_export_pcap");
    for (const t of read) assert.equal(t.annotations.readOnlyHint, true, t.name);
  });
});

test("homer_health: reachable and logged in; ok:false when Homer is down or not configured", T, async () => {
  await withHomer(homer, async (client) => {
    const r = ok(await call(client, "homer_health")).result;
    assert.deepEqual([r.ok, r.reachable, r.authenticated, r.db_nodes], [true, true, true, ["LocalNode"]]);
  });
  const down = { url: `http://127.0.0.1:${await freePort()}` };
  await withHomer(down, async (client) => {
    const r = ok(await call(client, "homer_health")).result;
    assert.deepEqual([r.ok, r.reachable, r.authenticated], [false, false, false]);
    assert.match(r.error, /cannot reach Homer at http:\/\/127\.0\.0\.1:\d+/);
    fails(await call(client, "homer_search_calls", { caller: "alice" }), /cannot reach Homer.*is homer-app running there/);
  });
  await withClient(["--role", "admin", "--toolsets", "homer"], async (client) => {
    await allTools(client);
    const r = ok(await call(client, "homer_health")).result;
    assert.deepEqual([r.ok, r.configured], [false, false]);
    assert.match(r.error, /Homer is not configured: set --homer-url/);
    fails(await call(client, "homer_get_call_flow", { call_id: A }), /Homer is not configured/);
  });
});

test("homer_search_calls: by caller, callee, Call-ID, ISO or ms window; grouped per Call-ID", T, async () => {
  await withHomer(homer, async (client) => {
    let r = ok(await call(client, "homer_search_calls", { caller: "alice" }));
    assert.deepEqual(r.items.map((c) => c.callid), [A, B]);
    assert.equal(r.items[0].messages, 7);
    assert.ok(r.items[0].methods.includes("INVITE") && r.items[0].methods.includes("BYE"));
    assert.equal(r.items[0].first_ms, homer.base);
    r = ok(await call(client, "homer_search_calls", { callee: "dave" }));
    assert.deepEqual(r.items.map((c) => c.callid), [C]);
    r = ok(await call(client, "homer_search_calls", { call_id: C, caller: "car%" }));
    assert.deepEqual(r.items.map((c) => c.callid), [C]);
    // ISO-8601, converted to ms: a window around leg A's start only
    const iso = (t) => new Date(t).toISOString();
    r = ok(await call(client, "homer_search_calls", { time_from: iso(homer.base - 1000), time_to: iso(homer.base + 2000) }));
    assert.deepEqual(r.items.map((c) => c.callid), [A, B]);
    assert.equal(r.from_ts, homer.base - 1000);
    r = ok(await call(client, "homer_search_calls", { time_from: String(homer.base + 500_000), time_to: String(homer.base + 700_000) }));
    assert.deepEqual(r.items.map((c) => c.callid), [C]);
    r = ok(await call(client, "homer_search_calls", { caller: "alice", limit: 1 }));
    assert.deepEqual([r.total, r.items.length, r.next_offset], [2, 1, 1]);
    r = ok(await call(client, "homer_search_calls", { caller: "nobody" }));
    assert.equal(r.total, 0);
  });
});

test("bad times: not a time, start after end, a negative ms; nothing is sent", T, async () => {
  await withHomer(homer, async (client) => {
    const before = await homer.counts();
    fails(await call(client, "homer_search_calls", { time_from: "yesterday" }), /'time_from' is not a time: pass Unix milliseconds .* or ISO-8601/);
    fails(await call(client, "homer_search_calls", { time_to: "2026-13-01T00:00:00Z" }), /'time_to' is not a time/);
    fails(await call(client, "homer_search_calls", { time_from: "2026-12-02T00:00:00Z", time_to: "2026-12-01T00:00:00Z" }),
      /'time_from' \(\d+ ms\) is after 'time_to'/);
    fails(await call(client, "homer_get_call_transaction", { callid: A, from_ts: 5000, to_ts: 1000 }), /is after 'to_ts'/);
    fails(await call(client, "homer_get_call_transaction", { callid: A, from_ts: -1, to_ts: 1000 }), /'from_ts' is not a time/);
    assert.equal((await call(client, "homer_get_call_flow", { call_id: "" })).isError, true);
    const c = await homer.counts();
    assert.deepEqual([c.search, c.transaction], [before.search, before.transaction], "nothing was sent");
  });
});

test("homer_search_calls_v7: Homer's own filters, paged messages; a field Homer would drop is refused", T, async () => {
  await withHomer(homer, async (client) => {
    let r = ok(await call(client, "homer_search_calls_v7", { filters: { "data_header.method": "486" } }));
    assert.equal(r.total, 1);
    assert.deepEqual([r.items[0].callid, r.items[0].src, r.items[0].dst], [C, "10.0.0.4:5060", "10.0.0.3:5060"]);
    r = ok(await call(client, "homer_search_calls_v7", { filters: { "data_header.method": "INVITE;ACK" }, from_ts: homer.base, to_ts: homer.base + 3_600_000, limit: 2, offset: 2 }));
    assert.equal(r.total, 6);
    assert.deepEqual([r.offset, r.items.length, r.next_offset], [2, 2, 4]);
    r = ok(await call(client, "homer_search_calls_v7", { filters: { "data_header.method": "!=INVITE", "data_header.from_user": "carol" } }));
    assert.deepEqual(r.items.map((m) => m.method), ["486", "ACK"]);
    r = ok(await call(client, "homer_search_calls_v7", { db_nodes: ["elsewhere"] }));
    assert.equal(r.total, 0);
    fails(await call(client, "homer_search_calls_v7", { filters: { "data_header.x_cid": "1" } }),
      /filter 'data_header.x_cid' is not a field Homer searches \(it would drop it silently\)/);
    fails(await call(client, "homer_search_calls_v7", { filters: { "data_header.method": 5 } }), /each value a string/);
  });
});

test("homer_get_call_flow and homer_get_call_transaction: the ladder and the messages in time order", T, async () => {
  await withHomer(homer, async (client) => {
    let r = ok(await call(client, "homer_get_call_flow", { call_id: A })); // default window: last 24 h
    assert.equal(r.total, 13); // both legs: Homer's correlation
    assert.deepEqual(r.hosts, ["10.0.0.1:5060", "10.0.0.10:5060", "10.0.0.2:5060"]);
    assert.deepEqual(r.items[0], { t_ms: homer.base, callid: A, from: "10.0.0.1:5060", to: "10.0.0.10:5060", method: "INVITE" });
    const times = r.items.map((s) => s.t_ms);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    r = ok(await call(client, "homer_get_call_transaction", { callid: C, from_ts: homer.base, to_ts: homer.base + 3_600_000 }));
    assert.deepEqual(r.items.map((m) => m.method), ["INVITE", "486", "ACK"]);
    assert.equal(r.items[1].t_ms - r.items[0].t_ms, 300);
    r = ok(await call(client, "homer_get_call_transaction", { callid: C, from_ts: homer.base, to_ts: homer.base + 1000 }));
    assert.equal(r.total, 0); // outside the window
  });
});

test("a 500 from Homer says the request's shape is the likely cause", T, async () => {
  const h = await startHomer(["--fault500", "/api/v3/call/transaction"]);
  await withHomer(h, async (client) => {
    fails(await call(client, "homer_get_call_flow", { call_id: A }),
      /HTTP 500.*homer-app fails so when param\.search has the wrong shape for the endpoint/);
  });
});

test("a Homer that never answers times out; an answer over --homer-max-reply is refused, nothing written", T, async () => {
  const h = await startHomer(["--hang", "/api/v3/search/call/data"]);
  await withHomer(h, async (client) => {
    fails(await call(client, "homer_search_calls", { caller: "alice" }),
      /no complete answer from Homer at http:\/\/127\.0\.0\.1:\d+ within 300 ms \(--homer-timeout-ms\)/);
  }, ["--homer-timeout-ms", "300"]);
  // a long call: 120 messages of 1 KB each, a PCAP of some 130 KB
  const big = join(dir, "big.json");
  const raw = "OPTIONS sip:x SIP/2.0\r\nCall-ID: big@x\r\nX-Pad: " + "p".repeat(1000) + "\r\n\r\n";
  writeFileSync(big, JSON.stringify({ messages: Array.from({ length: 120 }, (_, i) => ({ id: i + 1, at_ms: i * 1000, sid: "big@x",
    method: "OPTIONS", srcIp: "10.0.0.1", srcPort: 5060, dstIp: "10.0.0.2", dstPort: 5060, raw })) }));
  const hb = await startHomer(["--data", big]);
  await withHomer(hb, async (client) => {
    const w = { callid: "big@x", from_ts: hb.base, to_ts: hb.base + 200_000, confirm: true, path: "big.pcap" };
    fails(await call(client, "homer_export_pcap", w), /passed the limit of 65536 bytes \(--homer-max-reply\)/);
    assert.ok(!existsSync(join(root, "big.pcap")));
    const { confirm, path, ...t } = w;
    fails(await call(client, "homer_get_call_transaction", t), /homer_too_large.*narrow the time window/);
    // a narrower window fits (one message a second; Homer drops the ends' sub-second part)
    const n = ok(await call(client, "homer_get_call_transaction", { ...t, to_ts: hb.base + 5000 })).total;
    assert.ok(n > 0 && n < 120, `${n} messages`);
  }, ["--homer-max-reply", "65536"]);
});

test("the token expires: renewed once on 401, one login for concurrent calls", T, async () => {
  const h = await startHomer(["--token-ttl-ms", "1500"]);
  await withHomer(h, async (client) => {
    ok(await call(client, "homer_search_calls", { caller: "alice" }));
    let c = await h.counts();
    assert.deepEqual([c.auth, c.unauthorized], [1, 0]);
    ok(await call(client, "homer_search_calls", { caller: "alice" })); // the token is kept
    assert.equal((await h.counts()).auth, 1);
    await sleep(1800);
    const rs = await Promise.all([1, 2, 3, 4].map(() => call(client, "homer_search_calls", { caller: "alice" })));
    for (const r of rs) assert.equal(ok(r).total, 2);
    c = await h.counts();
    assert.equal(c.auth, 2, `one renewal for all: ${JSON.stringify(c)}`);
    assert.ok(c.unauthorized >= 1);
  });
});

test("wrong credentials: a clear error, the password never shown; not taken on the command line", T, async () => {
  await withHomer(homer, async (client) => {
    const text = fails(await call(client, "homer_search_calls", {}), /Homer at .* refused user 'admin': wrong user or password \(HTTP 401/);
    assert.match(text, /OPENSIPS_MCP_HOMER_PASSWORD/);
    const r = ok(await call(client, "homer_health")).result;
    assert.deepEqual([r.ok, r.reachable, r.authenticated], [false, true, false]);
  }, [], { OPENSIPS_MCP_HOMER_PASSWORD: "wrong-one" });
  const r = await runToExit(["--homer-url", homer.url, `--homer-password=${PASSWORD}`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the Homer password is not taken on the command line/);
  assert.ok(!r.stderr.includes(PASSWORD));
  const cfg = join(dir, "homer.json");
  writeFileSync(cfg, JSON.stringify({ homer_url: homer.url, homer_password: PASSWORD, toolsets: "homer", role: "admin" }));
  await withClient(["--config", cfg], async (client, ctx) => {
    await allTools(client);
    assert.equal(ok(await call(client, "homer_health")).result.ok, true);
    assert.ok(!ctx.stderr().includes(PASSWORD));
  });
});

test("homer_correlate_callid: the related legs and the node's dialogs; a node that cannot say is reported beside", T, async () => {
  await withHomer(homer, async (client) => {
    const r = ok(await call(client, "homer_correlate_callid", { callid: A, from_ts: homer.base - 1000, to_ts: homer.base + 60_000 }));
    assert.equal(r.node, "default");
    assert.deepEqual(r.result.related.map((x) => [x.callid, x.messages]), [[A, 7], [B, 6]]);
    assert.deepEqual(r.result.opensips.dialogs.map((d) => d.callid), [B]);
    assert.equal(typeof r.result.opensips.dialogs[0].ID, "string");
  });
  const saved = mi;
  mi = { url: `http://127.0.0.1:${await freePort()}/mi` };
  try {
    await withHomer(homer, async (client) => {
      const r = ok(await call(client, "homer_correlate_callid", { callid: C, from_ts: homer.base, to_ts: homer.base + 3_600_000 }));
      assert.deepEqual(r.result.related.map((x) => x.callid), [C]);
      assert.equal(r.result.opensips.dialogs, undefined);
      assert.match(r.result.opensips.error, /unreachable/);
      assert.match(r.result.opensips.message, /cannot connect/);
    });
    // a node whose dialog:list fails (HTTP 500 from its mi_http)
    mi = await startSim({ name: "mi-500", extra: ["--dialogs", "2", "--fault", "kind=http500,cmd=dialog:list"] });
    await withHomer(homer, async (client) => {
      const r = ok(await call(client, "homer_correlate_callid", { callid: A, from_ts: homer.base - 1000, to_ts: homer.base + 60_000 }));
      assert.deepEqual(r.result.related.map((x) => x.callid), [A, B]);
      assert.match(r.result.opensips.message, /HTTP 500/);
    });
  } finally {
    mi = saved;
  }
});

test("homer_export_pcap: a real PCAP under the root; never over a file, outside the root, through a link, nor without a root", T, async () => {
  await withHomer(homer, async (client) => {
    const w = { callid: C, from_ts: homer.base, to_ts: homer.base + 3_600_000, confirm: true };
    const r = ok(await call(client, "homer_export_pcap", w)).result;
    assert.equal(r.path, join(root, `homer-${C}-${homer.base}.pcap`));
    assert.equal(r.packets, 3);
    const bytes = readFileSync(r.path);
    assert.equal(bytes.length, r.bytes);
    assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4);
    assert.equal(bytes.readUInt32LE(20), 1); // Ethernet
    assert.ok(bytes.includes(Buffer.from(`Call-ID: ${C}`)));
    const text = JSON.stringify(await call(client, "homer_export_pcap", { ...w, path: "calls/c.pcap" }));
    assert.ok(!text.includes(bytes.subarray(40, 80).toString("base64")), "no base64 in the result");
    assert.ok(existsSync(join(root, "calls/c.pcap")));
    writeFileSync(join(root, "taken.pcap"), "keep me");
    fails(await call(client, "homer_export_pcap", { ...w, path: "taken.pcap" }), /never overwritten: pass another path/);
    assert.equal(readFileSync(join(root, "taken.pcap"), "utf8"), "keep me");
    fails(await call(client, "homer_export_pcap", { ...w, path: "link/x.pcap" }), /symbolic link/);
    assert.ok(!existsSync(join(outside, "x.pcap")));
    fails(await call(client, "homer_export_pcap", { ...w, path: join(outside, "y.pcap") }), /outside the allowed directory/);
    fails(await call(client, "homer_export_pcap", { ...w, path: "../y.pcap" }), /cannot be written/);
    assert.ok(!existsSync(join(dir, "y.pcap")));
  });
  await withClient(["--role", "admin", "--toolsets", "homer", "--homer-url", homer.url], async (client) => {
    await allTools(client);
    fails(await call(client, "homer_export_pcap", { callid: C, from_ts: 0, to_ts: 1, confirm: true }),
      /no directory is allowed for files.*OPENSIPS_MCP_OUT_DIR_ROOT/);
  });
});
