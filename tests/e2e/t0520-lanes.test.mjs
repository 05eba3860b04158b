// Worker lanes and the per-principal limit (issue 9 §5): long jobs (perf_sample_window) run on a lane of
// their own, one principal may have only max-calls-per-principal requests running or waiting, and an
// interactive call from another principal is served while a viewer's long calls run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_TIMEOUT, ms, sleep } from "./lib/raw.mjs";
import { withHttpServer, curl, openSession, rpc, sha256hex, messagesOf } from "./lib/http.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const tok = () => `e2e-${randomBytes(18).toString("base64url")}`;
const TOKENS = { viewer: tok(), admin: tok() };
let dir, configPath, sim;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "opensips-mcp-lanes-"));
  configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify({ tokens: [
    { name: "view", sha256: sha256hex(TOKENS.viewer), role: "viewer" },
    { name: "root", sha256: sha256hex(TOKENS.admin), role: "admin" },
  ] }));
  sim = await startSim();
});
after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const auth = (t) => ({ Authorization: `Bearer ${t}` });
const resultOf = (r) => messagesOf(r).find((m) => "result" in m || "error" in m);
const textOf = (m) => m?.result?.content?.[0]?.text ?? "";

// A tools/call on a session; resolves { msg, at } with the final message and when it arrived.
const callAt = (url, sess, id, name, args) =>
  curl(url, { headers: sess.headers, body: rpc(id, "tools/call", { name, arguments: args }), timeout: ms(30_000) })
    .then((r) => ({ msg: resultOf(r), at: performance.now() }));

test("a viewer's long calls neither take every worker nor block an admin's server_version; past the limit they are refused", T, async () => {
  // Eight workers, as by default: on a single shared lane eight 5 s samplings took them all.
  await withHttpServer(["--config", configPath, "--workers", "8", "--toolsets", "all", "--mi-url", sim.url], async (s) => {
    const viewer = await openSession(s.url, { headers: auth(TOKENS.viewer) });
    const admin = await openSession(s.url, { headers: auth(TOKENS.admin) });
    const long = [];
    for (let i = 0; i < 8; i++)
      long.push(callAt(s.url, viewer, 100 + i, "perf_sample_window", { duration_sec: 5, sample_count: 2 }));
    await sleep(ms(500)); // let the samplings start (each reads its first sample at once)
    const version = await callAt(s.url, admin, 7, "server_version", {});
    assert.ok(version.msg?.result && !version.msg.result.isError, `server_version: ${JSON.stringify(version.msg)}`);

    const done = await Promise.all(long);
    const refused = done.filter((d) => d.msg?.result?.isError);
    const served = done.filter((d) => d.msg?.result && !d.msg.result.isError);
    // The admin's answer came before any viewer sampling finished.
    for (const d of served) assert.ok(version.at < d.at, "server_version waited for a viewer's sampling");
    // The default limit of 4 per principal: four ran (or waited on their lane), four were refused.
    assert.equal(refused.length, 4, `refused: ${JSON.stringify(done.map((d) => d.msg))}`);
    assert.equal(served.length, 4, `served: ${JSON.stringify(done.map((d) => d.msg))}`);
    for (const d of refused) {
      assert.match(textOf(d.msg), /too many requests in progress: principal 'view' already has 4 running or waiting \(max-calls-per-principal\)/);
      assert.ok(d.at < version.at, "a refusal came only after a long call ran");
    }

    // The limit is per principal and is given back: the viewer may call again now.
    const again = await callAt(s.url, viewer, 200, "server_version", {});
    assert.ok(again.msg?.result && !again.msg.result.isError, JSON.stringify(again.msg));
  });
});

test("max-calls-per-principal is a setting: 1 refuses a second call while the first runs", T, async () => {
  await withHttpServer(["--config", configPath, "--max-calls-per-principal", "1", "--toolsets", "all", "--mi-url", sim.url], async (s) => {
    const viewer = await openSession(s.url, { headers: auth(TOKENS.viewer) });
    const first = callAt(s.url, viewer, 1, "perf_sample_window", { duration_sec: 2, sample_count: 2 });
    await sleep(ms(300));
    const second = await callAt(s.url, viewer, 2, "server_version", {});
    assert.equal(second.msg?.result?.isError, true, JSON.stringify(second.msg));
    assert.match(textOf(second.msg), /principal 'view' already has 1 running or waiting/);
    // Another principal is not counted against the viewer.
    const admin = await openSession(s.url, { headers: auth(TOKENS.admin) });
    const other = await callAt(s.url, admin, 3, "server_version", {});
    assert.ok(other.msg?.result && !other.msg.result.isError, JSON.stringify(other.msg));
    const f = await first;
    assert.ok(f.msg?.result && !f.msg.result.isError, JSON.stringify(f.msg));
  });
});

test("long-workers and max-calls-per-principal refuse bad values at start", T, async () => {
  const { runToExit } = await import("./lib/http.mjs");
  for (const [flag, bad] of [["--long-workers", "0"], ["--long-workers", "65"], ["--max-calls-per-principal", "0"],
    ["--max-calls-per-principal", "many"]]) {
    const r = await runToExit([flag, bad]);
    assert.equal(r.code, 2, `${flag} ${bad}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`'${flag.slice(2)}' needs a whole number`), r.stderr);
  }
});
