// Statistics end to end through the SDK client against the simulator: stats_get/list/reset (the
// reset proven by reading back, in both naming profiles), nathelper_stats saying there are no
// nathelper counters, perf_memory_report, perf_sample_window with progress and cancellation, and
// snapshot_capture writing only under the allowed root.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ, allTools as loadTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { sleep, TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, control, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const sims = {};
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-stats-e2e-"));
  [sims.v40, sims.v36, sims.busy] = await Promise.all([startSim({ name: "v40" }),
    startSim({ name: "v36", extra: ["--opensips", "3.6"] }), startSim({ name: "busy", extra: ["--traffic", "200"] })]);
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const simControl = (name, method) => control(sims[name], method);

const args = (name) => ["--role", "admin", "--toolsets", "all", "--mi-url", sims[name].url];

test("the stats tools are listed: reads need stats.read, stats_reset is a confirmed write", T, async () => {
  await withClient(args("v40"), async (client) => {
    const by = Object.fromEntries((await loadTools(client)).map((t) => [t.name, t]));
    for (const n of ["stats_get", "stats_list", "nathelper_stats", "perf_memory_report", "perf_sample_window"])
      assert.equal(by[n].annotations.readOnlyHint, true, n);
    assert.equal(by.stats_reset.annotations.destructiveHint, true);
    assert.equal(by.stats_reset.annotations.idempotentHint, true);
    assert.equal(by.snapshot_capture.annotations.readOnlyHint, false);
    assert.equal(by.snapshot_capture.annotations.destructiveHint, false);
    for (const t of Object.values(by).filter((t) => /^(stats_|perf_|nathelper_|snapshot_)/.test(t.name)))
      for (const [p, s] of Object.entries(t.inputSchema.properties ?? {})) assert.ok(s.description?.length > 10, `${t.name}.${p}`);
  });
  // A viewer (stats.read, no mi.write) sees the reads but not stats_reset.
  await withClient(["--role", "viewer", "--toolsets", "all", "--mi-url", sims.v40.url], async (client) => {
    const names = (await loadTools(client)).map((t) => t.name);
    assert.ok(names.includes("stats_get"));
    assert.ok(!names.includes("stats_reset"));
  });
});

test("stats_get reads all, a group or names; stats_list tells counters from gauges", T, async () => {
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    const all = ok(await call(client, "stats_get")).result;
    assert.ok("core:rcv_requests" in all && "shmem:total_size" in all, Object.keys(all).join(","));
    const grp = ok(await call(client, "stats_get", { statistics: ["dialog:"] })).result;
    assert.ok(Object.keys(grp).length > 0);
    assert.ok(Object.keys(grp).every((k) => k.startsWith("dialog:")), Object.keys(grp).join(","));
    const named = ok(await call(client, "stats_get", { statistics: ["core:rcv_requests", "shmem:used_size"] })).result;
    assert.deepEqual(Object.keys(named).sort(), ["core:rcv_requests", "shmem:used_size"]);
    const list = ok(await call(client, "stats_list")).result;
    assert.equal(list["core:rcv_requests"], "incremental");
    assert.equal(list["shmem:used_size"], "non-incremental");
  });
});

for (const profile of ["v40", "v36"]) {
  test(`stats_reset sets a counter back to 0, once confirmed (${profile})`, T, async () => {
    await simControl(profile, "sim:reset");
    await withClient(args(profile), async (client) => {
      await loadTools(client);
      const name = "core:rcv_requests";
      const before = ok(await call(client, "stats_get", { statistics: [name] })).result[name];
      assert.ok(before > 0, `nothing to reset: ${before}`);
      await simControl(profile, "sim:reset_requests");
      const refused = await call(client, "stats_reset", { statistics: [name] });
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /Nothing was changed/);
      assert.equal((await simControl(profile, "sim:requests")).total, 0);
      // 4.0: the name as replies print it; 3.6: the group, which the tool expands (OpenSIPS's
      // reset_statistics takes names only).
      const what = profile === "v40" ? [name] : ["core:"];
      ok(await call(client, "stats_reset", { statistics: what, confirm: true }));
      const counters = await simControl(profile, "sim:requests");
      assert.equal(counters.total, profile === "v40" ? 1 : 2, JSON.stringify(counters));
      const after = ok(await call(client, "stats_get", { statistics: ["core:"] })).result;
      assert.equal(after[name], 0);
      if (profile === "v36") assert.equal(after["core:rcv_replies"], 0);
      assert.ok(after["core:timestamp"] !== undefined);
    });
  });
}

test("nathelper_stats says OpenSIPS keeps no nathelper counters and shows the ping switch", T, async () => {
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    const r = ok(await call(client, "nathelper_stats"));
    assert.deepEqual(r.result.statistics, {});
    assert.equal(typeof r.result.natping_enabled, "boolean");
    assert.match(r.note, /no statistics/);
  });
});

test("perf_memory_report gives shm totals and every process's pkg memory", T, async () => {
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    const r = ok(await call(client, "perf_memory_report")).result;
    assert.ok(r.shm.total_size > 0 && r.shm.used_pct > 0 && r.shm.used_pct < 100, JSON.stringify(r.shm));
    assert.ok(r.pkg.length > 0);
    assert.ok(r.pkg.every((p) => typeof p.Type === "string" && Number.isInteger(p.PID)));
  });
});

test("perf_sample_window samples over time with progress, and clamps its bounds", T, async () => {
  await withClient(args("busy"), async (client) => {
    await loadTools(client);
    const progress = [];
    const t0 = Date.now();
    const r = ok(await call(client, "perf_sample_window", { duration_sec: 1, sample_count: 3, groups: ["core"] },
      { ...REQ, onprogress: (p) => progress.push(p) }));
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 5000, `took ${took} ms`);
    assert.equal(r.result.samples.length, 3);
    assert.deepEqual(r.result.groups, ["core:"]);
    // One notification per sample but the last (the result itself says the window is done).
    assert.deepEqual(progress.map((p) => p.progress), [1, 2]);
    assert.ok(progress.every((p) => p.total === 3), JSON.stringify(progress));
    assert.ok(r.result.samples[2].t_ms >= 900);
    // --traffic moves core:rcv_requests: it is in the samples, not in constant.
    assert.ok("core:rcv_requests" in r.result.samples[0].values, JSON.stringify(r.result.samples[0]));
    assert.ok(r.result.samples[2].values["core:rcv_requests"] > r.result.samples[0].values["core:rcv_requests"]);

    const clamped = ok(await call(client, "perf_sample_window", { duration_sec: 0, sample_count: 1, groups: ["shmem"] })).result;
    assert.equal(clamped.duration_sec, 1);
    assert.equal(clamped.sample_count, 2);
  });
});

test("perf_sample_window stops sampling when the client cancels", T, async () => {
  await withClient(args("busy"), async (client) => {
    await loadTools(client);
    await simControl("busy", "sim:reset_requests");
    const ac = new AbortController();
    const pending = call(client, "perf_sample_window", { duration_sec: 30, sample_count: 30, groups: ["core"] },
      { ...REQ, signal: ac.signal });
    await sleep(1500);
    ac.abort();
    await assert.rejects(pending);
    await sleep(300);
    const seen = (await simControl("busy", "sim:requests")).total;
    await sleep(2200);
    assert.equal((await simControl("busy", "sim:requests")).total, seen, "sampling went on after cancel");
    assert.ok(seen >= 2 && seen <= 4, `requests before cancel: ${seen}`);
    // The server still answers.
    ok(await call(client, "stats_get", { statistics: ["core:"] }));
  });
});

test("snapshot_capture is unavailable without an allowed root, and writes only under it", T, async () => {
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    const r = await call(client, "snapshot_capture", { out_dir: dir });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /not available.*OPENSIPS_MCP_OUT_DIR_ROOT/);
  });
  const root = join(dir, "root");
  const outside = join(dir, "outside");
  mkdirSync(root);
  mkdirSync(outside);
  symlinkSync(outside, join(root, "link"));
  const saved = process.env.OPENSIPS_MCP_OUT_DIR_ROOT;
  process.env.OPENSIPS_MCP_OUT_DIR_ROOT = root;
  try {
    await withClient(args("v40"), async (client) => {
      await loadTools(client);
      // Unconfirmed: no file.
      const u = await call(client, "snapshot_capture", { out_dir: join(root, "snaps/daily"), label: "before upgrade" });
      assert.equal(u.isError, true);
      assert.match(u.content[0].text, /Nothing was changed.*confirm: true/s);
      assert.deepEqual(readdirSync(root), ["link"], "an unconfirmed snapshot wrote something");
      const w = ok(await call(client, "snapshot_capture", { out_dir: join(root, "snaps/daily"), label: "before upgrade", extra_stat_groups: ["dialog"], confirm: true }));
      assert.ok(w.result.path.startsWith(join(root, "snaps/daily/snapshot-before_upgrade-")), w.result.path);
      const files = readdirSync(join(root, "snaps/daily"));
      assert.equal(files.length, 1);
      const snap = JSON.parse(readFileSync(join(root, "snaps/daily", files[0]), "utf8"));
      assert.match(snap.version.Server, /OpenSIPS/);
      assert.ok("core:rcv_requests" in snap.statistics && Object.keys(snap.statistics).some((k) => k.startsWith("dialog:")));
      assert.ok(Array.isArray(snap.processes.Processes));
      // Relative paths are taken under the root; a second capture never overwrites the first.
      ok(await call(client, "snapshot_capture", { out_dir: "snaps/daily", label: "before upgrade", confirm: true }));
      assert.equal(readdirSync(join(root, "snaps/daily")).length, 2);

      for (const bad of ["/etc", join(root, "../outside"), join(root, "link"), join(root, "link/deeper"), "../outside"]) {
        const x = await call(client, "snapshot_capture", { out_dir: bad, confirm: true });
        assert.equal(x.isError, true, bad);
        assert.match(x.content[0].text, /Nothing was written/, bad);
      }
      assert.deepEqual(readdirSync(outside), [], "something was written outside the root");
    });
  } finally {
    if (saved === undefined) delete process.env.OPENSIPS_MCP_OUT_DIR_ROOT;
    else process.env.OPENSIPS_MCP_OUT_DIR_ROOT = saved;
  }
});

// As a real 4.0.1 and 3.6.8 answer (statistics.c mi_reset_stats looks each name up as one
// statistic): a group or group:name names none, so reset_statistics alone is 404; the tool sends
// bare names and expands groups, so it works where the raw command does not.
for (const profile of ["v40", "v36"]) {
  test(`statistics:reset names statistics by bare name only, as OpenSIPS does (${profile})`, T, async () => {
    await withClient(args(profile), async (client) => {
      await loadTools(client);
      for (const names of [["core:rcv_requests"], ["core:"], ["all"], ["no_such_stat"]]) {
        const r = await call(client, "mi_execute", { command: "statistics:reset", params: { statistics: names }, confirm: true });
        assert.equal(r.isError, true, `${names}: ${JSON.stringify(r)}`);
        assert.match(r.content[0].text, /Statistics Not Found \(404\)/, String(names));
      }
      ok(await call(client, "mi_execute", { command: "statistics:reset", params: { statistics: ["rcv_requests"] }, confirm: true }));
      ok(await call(client, "stats_reset", { statistics: ["core:rcv_requests"], confirm: true }));
    });
  });
}
