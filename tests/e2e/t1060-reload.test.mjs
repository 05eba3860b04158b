// The reload tools through the official SDK client against the simulator: single reloads are sent
// exactly once; reload_data_tables runs its chain in order with a progress notification per step,
// skips modules the node lacks and the guarded tls_mgm, stops on error when asked, and stops when the
// client cancels; tls_reload is refused without force (the reload itself is never sent) and sent
// once with it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withClient, REQ, callTool as call } from "./lib/sdk.mjs";
import { sleep, TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, control, counted as sent, sentBeyondLearning, stopAll } from "./lib/sim.mjs";

const sims = {};

before(async () => {
  sims["4.0"] = await startSim({ extra: ["--opensips", "4.0"] });
  sims["3.6"] = await startSim({ extra: ["--opensips", "3.6"] });
});

after(() => stopAll());

const sim = (profile, method, params) => control(sims[profile], method, params);
const args = (profile) => ["--role", "admin", "--toolsets", "all", "--mi-url", sims[profile].url];
const ok = (r) => assert.equal(r.isError, undefined, JSON.stringify(r));
const RELOADS = ["domain:reload", "permissions:address_reload", "dialplan:reload", "dispatcher:reload",
  "drouting:reload", "load_balancer:reload", "carrierroute:reload_routes", "fraud_detection:reload"];

for (const [profile, domain] of [["4.0", "domain:reload"], ["3.6", "domain_reload"]]) {
  test(`domain_reload is sent once, only when confirmed (${profile})`, { timeout: TEST_TIMEOUT }, async () => {
    await sim(profile, "sim:reset");
    await withClient(args(profile), async (client) => {
      assert.equal((await call(client, "domain_reload", {})).isError, true);
      assert.deepEqual(sentBeyondLearning(await sim(profile, "sim:requests")), []);
      ok(await call(client, "domain_reload", { confirm: true }));
      assert.equal(sent(await sim(profile, "sim:requests"), domain), 1);
    });
  });
}

test("fraud_reload is sent once", { timeout: TEST_TIMEOUT }, async () => {
  await sim("4.0", "sim:reset");
  await withClient(args("4.0"), async (client) => {
    ok(await call(client, "fraud_reload", { confirm: true }));
    assert.equal(sent(await sim("4.0", "sim:requests"), "fraud_detection:reload"), 1);
  });
});

test("tls_reload with proto_tls loaded is refused without force (reload never sent), sent once with it", { timeout: TEST_TIMEOUT }, async () => {
  await sim("4.0", "sim:reset");
  await withClient(args("4.0"), async (client) => {
    const refused = await call(client, "tls_reload", { confirm: true });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text, /Not sent: 'tls_mgm:reload' .*crashes the node, node version 4\.0\.1; when proto_tls is loaded.*force: true/);
    assert.equal(sent(await sim("4.0", "sim:requests"), "tls_mgm:reload"), 0);

    // Forced: sent once; the simulator replays the recorded segfault (no reply) first.
    const crashed = await call(client, "tls_reload", { confirm: true, force: true });
    assert.equal(crashed.isError, true);
    assert.match(crashed.content[0].text, /Known defect: tls_reload re-initialises/);
    assert.equal(sent(await sim("4.0", "sim:requests"), "tls_mgm:reload"), 1);
    const again = await call(client, "tls_reload", { confirm: true, force: true });
    ok(again);
    assert.equal(again.structuredContent.result.reloaded, true);
  });
});

test("reload_data_tables runs the chain in order with progress; tls_mgm is skipped as guarded (4.0)", { timeout: TEST_TIMEOUT }, async () => {
  await sim("4.0", "sim:reset");
  await withClient(args("4.0"), async (client) => {
    const progress = [];
    const r = await call(client, "reload_data_tables", { confirm: true, delay_ms_between: 20 },
      { ...REQ, onprogress: (p) => progress.push(p) });
    ok(r);
    const res = r.structuredContent.result;
    assert.deepEqual(res.steps.map((s) => s.command), [...RELOADS, "tls_mgm:reload"]);
    assert.equal(res.reloaded, 8);
    assert.equal(res.skipped, 1);
    assert.match(res.steps[8].detail, /known to crash/);
    // One notification per step but the last, whose outcome is the result.
    assert.deepEqual(progress.map((p) => p.progress), [1, 2, 3, 4, 5, 6, 7, 8], JSON.stringify(progress));
    assert.ok(progress.every((p) => p.total === 9));
    assert.equal(progress[0].message, "domain: reloaded");
    const counters = await sim("4.0", "sim:requests");
    for (const k of RELOADS) assert.equal(sent(counters, k), 1, k);
    assert.equal(sent(counters, "tls_mgm:reload"), 0);
  });
});

test("reload_data_tables on 3.6 skips the modules the node lacks", { timeout: TEST_TIMEOUT }, async () => {
  await sim("3.6", "sim:reset");
  await withClient(args("3.6"), async (client) => {
    const r = await call(client, "reload_data_tables", { confirm: true, targets: ["dispatcher", "fraud_detection", "domain", "tls_mgm"] });
    ok(r);
    const by = Object.fromEntries(r.structuredContent.result.steps.map((s) => [s.target, s.outcome]));
    assert.deepEqual(by, { domain: "reloaded", dispatcher: "reloaded", fraud_detection: "skipped", tls_mgm: "skipped" });
    const counters = await sim("3.6", "sim:requests");
    assert.equal(sent(counters, "domain_reload") + sent(counters, "ds_reload"), 2);
  });
});

test("reload_data_tables stops on the first failure when asked", { timeout: TEST_TIMEOUT }, async () => {
  await sim("4.0", "sim:reset");
  await sim("4.0", "sim:fault", { kind: "http500", command: "dialplan:reload" });
  await withClient(args("4.0"), async (client) => {
    const r = await call(client, "reload_data_tables", { confirm: true, stop_on_error: true, delay_ms_between: 0 });
    ok(r);
    const res = r.structuredContent.result;
    assert.deepEqual(res.steps.map((s) => s.outcome), ["reloaded", "reloaded", "failed", "not_run", "not_run", "not_run", "not_run", "not_run", "not_run"]);
    assert.equal(res.stopped_on_error, true);
    const counters = await sim("4.0", "sim:requests");
    assert.equal(sent(counters, "dialplan:reload"), 1, "a failed write is not retried");
    assert.equal(sent(counters, "dispatcher:reload"), 0);
  });
  await sim("4.0", "sim:reset");
});

test("reload_data_tables stops when the client cancels", { timeout: TEST_TIMEOUT }, async () => {
  await sim("4.0", "sim:reset");
  await withClient(args("4.0"), async (client) => {
    const ac = new AbortController();
    const pending = call(client, "reload_data_tables", { confirm: true, delay_ms_between: 1500 },
      { ...REQ, signal: ac.signal, onprogress: () => ac.abort("the user changed their mind") });
    await assert.rejects(pending);
    await sleep(2000);
    const counters = await sim("4.0", "sim:requests");
    assert.equal(RELOADS.reduce((n, k) => n + sent(counters, k), 0), 1, JSON.stringify(counters));
  });
});
