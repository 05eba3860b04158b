// The README's stdio client snippets reach a node: each JSON snippet of "Connecting a client" is
// run as its client would run it — its command (the installed path, replaced by the binary under
// test), its arguments and its environment, with the node's address pointed at the simulator —
// and answers initialize, tools/list and dlg_list.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const BIN = process.env.OPENSIPS_MCP_BIN;
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## Connecting a client"), readme.indexOf("**Over HTTP**"));
const snippets = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
let sim;

before(async () => {
  sim = await startSim({ name: "readme" });
});
after(() => stopAll());

// The one server entry of a snippet, whatever the client's own key is.
const entry = (doc) => Object.values(doc.mcpServers ?? doc.servers)[0];

function session(command, args, env) {
  const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let buf = "";
  const waiting = new Map();
  child.stdout.on("data", (d) => {
    buf += d;
    for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) {
      const m = JSON.parse(buf.slice(0, i));
      waiting.get(m.id)?.(m);
    }
  });
  const rpc = (id, method, params) =>
    new Promise((res) => {
      waiting.set(id, res);
      child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
    });
  return { child, rpc };
}

test("the README shows stdio snippets with the installed path and the node's address", T(), () => {
  assert.ok(snippets.length >= 3, `found ${snippets.length} JSON snippets`);
  for (const s of snippets) {
    const e = entry(s);
    assert.match(e.command, /^\/usr\/(local\/)?bin\/opensips-mcp$/, JSON.stringify(e));
    const names = JSON.stringify(e.env ?? {}) + JSON.stringify(e.args ?? []);
    assert.match(names, /OPENSIPS_MI_URL|--mi-url/, `a snippet that names no node: ${JSON.stringify(e)}`);
  }
});

for (const [i, s] of snippets.entries()) {
  test(`snippet ${i + 1} (${Object.keys(s)[0]}) reaches the node`, T(), async () => {
    const e = entry(s);
    const env = Object.fromEntries(Object.entries(e.env ?? {}).map(([k, v]) => [k, k === "OPENSIPS_MI_URL" ? sim.url : v]));
    const args = (e.args ?? []).map((a, j, all) => (all[j - 1] === "--mi-url" ? sim.url : a));
    const { child, rpc } = session(BIN, args, env);
    try {
      const init = await rpc(0, "initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "readme", version: "1" } });
      assert.ok(init.result?.serverInfo, JSON.stringify(init));
      child.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n");
      const list = await rpc(1, "tools/list", {});
      assert.ok(list.result.tools.some((t) => t.name === "dlg_list"));
      const r = await rpc(2, "tools/call", { name: "dlg_list", arguments: {} });
      assert.ok(!r.result.isError, JSON.stringify(r.result));
      assert.ok(Array.isArray(r.result.structuredContent.items));
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
}

function T() {
  return { timeout: TEST_TIMEOUT };
}
