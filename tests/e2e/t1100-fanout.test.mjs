// Fleet: one server, three OpenSIPS nodes (simulators), one of them down. A read tool with node "*"
// asks all three at once and answers per node, the dead one reported beside the others; a write
// tool refuses "*"; naming a node picks it; an unknown node is a clear error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withClient, REQ } from "./lib/sdk.mjs";
import { TEST_TIMEOUT, ms } from "./lib/raw.mjs";
import { freePort } from "./lib/http.mjs";
import { startSim, control, stopAll } from "./lib/sim.mjs";

let ports, pbx1;

before(async () => {
  ports = [await freePort(), await freePort(), await freePort()];
  pbx1 = await startSim({ port: ports[0] });
  await startSim({ port: ports[1], extra: ["--opensips", "3.6", "--dialogs", "20"] });
  // ports[2]: nothing listens there — the node that is down.
});

after(() => stopAll());

const args = () => ["--role", "admin", "--mi-node", `pbx1=http://127.0.0.1:${ports[0]}/mi`,
  "--mi-node", `pbx2=http://127.0.0.1:${ports[1]}/mi`, "--mi-node", `pbx3=http://127.0.0.1:${ports[2]}/mi`,
  "--mi-default", "pbx1"];

test('node "*" asks every node at once; the node that is down is reported beside the others', { timeout: TEST_TIMEOUT }, async () => {
  await withClient(args(), async (client) => {
    const t0 = Date.now();
    const r = await client.callTool({ name: "dlg_list", arguments: { node: "*", limit: 5, fields: ["ID", "state"] } }, undefined, REQ);
    assert.equal(r.isError, undefined, JSON.stringify(r));
    const s = r.structuredContent;
    assert.equal(s.asked, 3);
    assert.equal(s.answered, 2);
    assert.equal(s.nodes.pbx1.ok, true);
    assert.equal(s.nodes.pbx2.ok, true);
    assert.ok(s.nodes.pbx2.total >= 20, "the 3.6 node has its generated dialogs");
    assert.ok(s.nodes.pbx1.items.length <= 5 && s.nodes.pbx1.items.every((d) => Object.keys(d).every((k) => ["ID", "state"].includes(k))));
    assert.equal(s.nodes.pbx3.ok, false);
    assert.equal(s.nodes.pbx3.error, "mi_unreachable");
    assert.ok(Date.now() - t0 < ms(8000));
  });
});

test("naming a node picks it; an unknown node is a clear error; a write refuses node \"*\"", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(args(), async (client) => {
    const r2 = await client.callTool({ name: "dlg_list", arguments: { node: "pbx2", limit: 1 } }, undefined, REQ);
    assert.equal(r2.structuredContent.node, "pbx2");
    assert.ok(r2.structuredContent.total >= 20);
    const def = await client.callTool({ name: "dlg_list", arguments: { limit: 1 } }, undefined, REQ);
    assert.equal(def.structuredContent.node, "pbx1", "the default node by its name (--mi-default pbx1)");
    const bad = await client.callTool({ name: "dlg_list", arguments: { node: "nope" } }, undefined, REQ);
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /nope.*pbx1/s);
    const w = await client.callTool({ name: "dlg_end", arguments: { node: "*", callid: "x", from_tag: "a", to_tag: "b", confirm: true } }, undefined, REQ);
    assert.equal(w.isError, true);
  });
});

test('node "*" with progress: every node\'s thread reports, and what reaches the client only increases', { timeout: TEST_TIMEOUT }, async () => {
  // One thread per node shares the request's progress; `make tsan` checks they do not race on it.
  const { withServer } = await import("./lib/raw.mjs");
  await withServer([...args(), "--toolsets", "all"], async (s) => {
    const r = await s.call("tools/call", { name: "perf_sample_window", arguments: { node: "*", duration_sec: 1, sample_count: 4 },
      _meta: { progressToken: "fan" } }, { timeout: ms(20_000) });
    assert.equal(r.structuredContent.asked, 3, JSON.stringify(r));
    assert.equal(r.structuredContent.answered, 2, JSON.stringify(r));
    const seen = s.messages.filter((m) => m.method === "notifications/progress" && m.params.progressToken === "fan")
      .map((m) => m.params.progress);
    assert.ok(seen.length >= 1, "no progress from the fan-out");
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `progress went ${seen.join(", ")}`);
  });
});

// The tools whose logic is a run function of their own answer node "*" through it: a node whose
// command fails is reported by the failure's name and sentence, not by a whole isError text
// ("<tool> failed (...): ...") nested in the node's message.
test('node "*" on a tool with logic of its own: each node\'s failure by name and sentence', { timeout: TEST_TIMEOUT }, async () => {
  const cases = [["dispatcher_list", "dispatcher:list"], ["drouting_gw_status", "drouting:gw_status"],
    ["tm_transactions", "tm:hash"], ["perf_memory_report", "core:ps"], ["nathelper_stats", "statistics:get"]];
  for (const [, command] of cases) await control(pbx1, "sim:fault", { kind: "http500", command });
  try {
    await withClient([...args(), "--toolsets", "all"], async (client) => {
      for (const [tool] of cases) {
        const r = await client.callTool({ name: tool, arguments: { node: "*" } }, undefined, REQ);
        const s = r.structuredContent;
        assert.equal(s.asked, 3, tool);
        assert.equal(s.nodes.pbx3.error, "mi_unreachable", tool);
        assert.equal(s.nodes.pbx1.ok, false, `${tool}: ${JSON.stringify(s.nodes.pbx1)}`);
        assert.match(s.nodes.pbx1.error, /^mi_/, tool);
        assert.doesNotMatch(s.nodes.pbx1.message, new RegExp(`^${tool}\\b|failed \\(`), tool);
        if (s.nodes.pbx2.ok) assert.equal(s.nodes.pbx2.node, "pbx2", tool);
      }
    });
  } finally {
    await control(pbx1, "sim:clear_faults");
  }
});
