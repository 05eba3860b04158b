// Server status end to end through the SDK client against the simulator: version, uptime, processes
// (paged), shared memory, and server_health alone, degraded by a failing part, and over a fleet with
// one node down (node "*").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withClient, REQ, allTools as loadTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { ms, TEST_TIMEOUT } from "./lib/raw.mjs";
import { freePort } from "./lib/http.mjs";
import { startSim, control, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const sims = {};

before(async () => {
  [sims.v40, sims.v36] = await Promise.all([startSim({ name: "v40" }), startSim({ name: "v36", extra: ["--opensips", "3.6"] })]);
});

after(() => stopAll());

const simControl = (name, method, params) => control(sims[name], method, params);

const args = (name) => ["--role", "viewer", "--toolsets", "all", "--mi-url", sims[name].url];

test("the status tools are read-only, open to a viewer, and describe their inputs", T, async () => {
  await withClient(args("v40"), async (client) => {
    const by = Object.fromEntries((await loadTools(client)).map((t) => [t.name, t]));
    for (const n of ["server_version", "server_uptime", "server_processes", "server_memory", "server_health"]) {
      assert.ok(by[n], `${n} missing`);
      assert.equal(by[n].annotations.readOnlyHint, true, n);
      assert.equal(by[n].annotations.openWorldHint, false, n);
      for (const [p, s] of Object.entries(by[n].inputSchema.properties ?? {})) assert.ok(s.description?.length > 10, `${n}.${p}`);
    }
  });
});

for (const profile of ["v40", "v36"]) {
  test(`version, uptime, processes and memory answer (${profile})`, T, async () => {
    await withClient(args(profile), async (client) => {
      await loadTools(client);
      const v = ok(await call(client, "server_version"));
      assert.match(v.result.Server, profile === "v40" ? /OpenSIPS \(4\.0\.1/ : /OpenSIPS \(3\.6/);
      const u = ok(await call(client, "server_uptime"));
      assert.match(u.result["Up time"], /^\d+ \[sec\]$/);
      const ps = ok(await call(client, "server_processes", { limit: 5 }));
      assert.ok(ps.total >= 10, `total ${ps.total}`);
      assert.equal(ps.items.length, 5);
      assert.equal(ps.next_offset, 5);
      assert.equal(typeof ps.items[0].Type, "string");
      const rest = ok(await call(client, "server_processes", { offset: 5, fields: ["Type"] }));
      assert.equal(rest.items.length, ps.total - 5);
      assert.deepEqual(Object.keys(rest.items[0]), ["Type"]);
      const m = ok(await call(client, "server_memory"));
      assert.ok(m.result.total_size > 0 && m.result.used_pct > 0 && m.result.used_pct < 100, JSON.stringify(m.result));
    });
  });
}

test("server_health sums up one node, and says degraded when a part fails", T, async () => {
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    const h = ok(await call(client, "server_health"));
    assert.equal(h.result.status, "ok", JSON.stringify(h.result));
    assert.match(h.result.version, /4\.0\.1/);
    assert.ok(h.result.uptime_sec >= 0);
    assert.ok(h.result.processes >= 10);
    assert.ok(h.result.shm.used_pct > 0);
    assert.deepEqual(h.result.problems, []);

    await simControl("v40", "sim:fault", { kind: "garbage", command: "core:ps", count: 5 });
    try {
      const d = ok(await call(client, "server_health"));
      assert.equal(d.result.status, "degraded");
      assert.match(d.result.problems.join(" "), /ps failed/);
    } finally {
      await simControl("v40", "sim:clear_faults");
    }
  });
});

test("server_health with node \"*\" answers per node, a dead node beside the others", T, async () => {
  const dead = await freePort();
  const fleet = ["--role", "viewer", "--toolsets", "all", "--mi-node", `pbx1=${sims.v40.url}`, "--mi-node", `pbx2=${sims.v36.url}`,
    "--mi-node", `pbx3=http://127.0.0.1:${dead}/mi`];
  await withClient(fleet, async (client) => {
    await loadTools(client);
    const t0 = Date.now();
    const r = ok(await call(client, "server_health", { node: "*" }));
    assert.ok(Date.now() - t0 < ms(8000));
    assert.equal(r.asked, 3);
    assert.equal(r.answered, 2);
    assert.equal(r.nodes.pbx1.result.status, "ok");
    assert.match(r.nodes.pbx2.result.version, /3\.6/);
    assert.equal(r.nodes.pbx3.ok, false);
    assert.equal(r.nodes.pbx3.error, "mi_unreachable");
    // The plain rows fan out too.
    const v = ok(await call(client, "server_version", { node: "*" }));
    assert.equal(v.answered, 2);
  });
});
