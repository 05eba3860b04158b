// The routing tools (drouting, load_balancer, dialplan, carrierroute, pike, ratelimit, tm) through the
// official SDK client against the simulator, writes in both naming profiles where the simulator has
// the module: each write is read back (gateway and carrier states, lb status, lb_resize's capacity)
// or counted (reloads); lb_resize maps the Python server's group/destination/resource/capacity onto
// destination_id/res_name/new_capacity; carrierroute_replace_host is refused without force (nothing
// sent) and sent once with it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withClient, REQ, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
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

for (const profile of ["4.0", "3.6"]) {
  test(`drouting: gateway and carrier states set and read back, number routing, reload (${profile})`, { timeout: TEST_TIMEOUT }, async () => {
    await sim(profile, "sim:reset");
    await withClient(args(profile), async (client) => {
      const gws = await call(client, "drouting_gw_status", {});
      ok(gws);
      assert.deepEqual(gws.structuredContent.items.map((g) => [g.ID, g.State]), [["gw1", "Active"], ["gw2", "Active"]]);

      await sim(profile, "sim:reset_requests");
      const refused = await call(client, "drouting_set_gw_status", { gw_id: "gw2", status: 0 });
      assert.equal(refused.isError, true);
      assert.equal((await sim(profile, "sim:requests")).total, 0, "nothing sent unconfirmed");
      ok(await call(client, "drouting_set_gw_status", { gw_id: "gw2", status: 0, confirm: true }));
      assert.equal(sent(await sim(profile, "sim:requests"), "drouting:gw_status", "dr_gw_status"), 1);
      const gw2 = await call(client, "drouting_gw_status", { gw_id: "gw2" });
      assert.equal(gw2.structuredContent.total, 1);
      assert.equal(gw2.structuredContent.items[0].State, "Disabled MI");
      assert.equal(gw2.structuredContent.items[0].IP, "127.0.0.1:5084");

      const unknown = await call(client, "drouting_set_gw_status", { gw_id: "nosuch", status: 1, confirm: true });
      assert.equal(unknown.isError, true);
      assert.match(unknown.content[0].text, /GW ID not found/);

      ok(await call(client, "drouting_set_carrier_status", { carrier_id: "cr1", status: 0, confirm: true }));
      const cr = await call(client, "drouting_carrier_status", { carrier_id: "cr1" });
      assert.equal(cr.structuredContent.items[0].Enabled.trim(), "no");

      // group_id defaults to 0, as its schema says: OpenSIPS alone would look in group -1
      const route = await call(client, "drouting_number_routing", { number: "1555" });
      ok(route);
      assert.deepEqual(route.structuredContent.result, { "Matched Prefix": "1", "GW List": [{ GATEWAY: "gw1" }, { GATEWAY: "gw2" }] });
      const carrier = await call(client, "drouting_number_routing", { number: "2000", group_id: 0 });
      assert.deepEqual(carrier.structuredContent.result["GW List"], [{ CARRIER: "cr1" }]);
      const none = await call(client, "drouting_number_routing", { number: "1555", group_id: 7 });
      assert.equal(none.structuredContent.result, "No match");

      await sim(profile, "sim:reset_requests");
      ok(await call(client, "drouting_reload", { confirm: true }));
      assert.equal(sent(await sim(profile, "sim:requests"), "drouting:reload", "dr_reload"), 1);
    });
  });

  test(`load_balancer: status set and read back, lb_resize by group and URI read back (${profile})`, { timeout: TEST_TIMEOUT }, async () => {
    await sim(profile, "sim:reset");
    await withClient(args(profile), async (client) => {
      const list = await call(client, "lb_list", {});
      ok(list);
      assert.equal(list.structuredContent.total, 3);
      const first = list.structuredContent.items.find((d) => d.id === 1);

      assert.equal((await call(client, "lb_status", { destination_id: 2 })).structuredContent.result.enable, "yes");
      ok(await call(client, "lb_set_status", { destination_id: 2, new_status: 0, confirm: true }));
      assert.equal((await call(client, "lb_status", { destination_id: 2 })).structuredContent.result.enable, "no");

      // A resource the destination lacks: refused before anything is sent.
      await sim(profile, "sim:reset_requests");
      const noRes = await call(client, "lb_resize", { group: 1, destination: first.uri, resource: "nosuch", capacity: 5, confirm: true });
      assert.equal(noRes.isError, true);
      assert.match(noRes.content[0].text, /^lb_resize failed \(not_found\): nothing was changed: .*no resource 'nosuch'; its resources: pstn, vm/);
      const noDst = await call(client, "lb_resize", { group: 2, destination: first.uri, resource: "pstn", capacity: 5, confirm: true });
      assert.equal(noDst.isError, true);
      assert.match(noDst.content[0].text, /^lb_resize failed \(not_found\): nothing was changed: group 2 has no destination/);
      assert.equal(sent(await sim(profile, "sim:requests"), "load_balancer:resize", "lb_resize"), 0);

      const r = await call(client, "lb_resize", { group: 1, destination: first.uri, resource: "pstn", capacity: 200, confirm: true });
      ok(r);
      assert.equal(r.structuredContent.result.destination_id, 1);
      assert.equal(r.structuredContent.result.old_capacity, 100);
      assert.equal(r.structuredContent.result.capacity_now, 200);
      assert.equal(sent(await sim(profile, "sim:requests"), "load_balancer:resize", "lb_resize"), 1);
      const after = await call(client, "lb_list", { fields: ["id", "Resources"] });
      assert.equal(after.structuredContent.items.find((d) => d.id === 1).Resources.find((x) => x.name === "pstn").max, 200);
    });
  });

  test(`dialplan: translate, no translation is a tool error, reload sent once (${profile})`, { timeout: TEST_TIMEOUT }, async () => {
    await sim(profile, "sim:reset");
    await withClient(args(profile), async (client) => {
      const t = await call(client, "dialplan_translate", { dpid: 1, input: "0044123" });
      ok(t);
      assert.deepEqual(t.structuredContent.result, { Output: "+44123", ATTRIBUTES: "international" });
      const none = await call(client, "dialplan_translate", { dpid: 1, input: "777" });
      assert.equal(none.isError, true);
      assert.match(none.content[0].text, /No translation/);
      ok(await call(client, "dialplan_reload", { confirm: true }));
      assert.equal(sent(await sim(profile, "sim:requests"), "dialplan:reload", "dp_reload"), 1);
    });
  });

  test(`pike, ratelimit and transactions read (${profile})`, { timeout: TEST_TIMEOUT }, async () => {
    await withClient(args(profile), async (client) => {
      const pike = await call(client, "pike_list_blocked", {});
      ok(pike);
      assert.equal(pike.structuredContent.total, 0);
      const rl = await call(client, "ratelimit_list", {});
      ok(rl);
      assert.equal(rl.structuredContent.result.Pipes[0].id, "sip_in");
      const tm = await call(client, "tm_transactions", {});
      ok(tm);
      assert.ok(tm.structuredContent.result.buckets > 1000);
      assert.equal(typeof tm.structuredContent.result.transactions_now, "number");
      assert.match(tm.structuredContent.result.note, /no command that lists individual transactions/);
      assert.ok(JSON.stringify(tm).length < 4096, "the 2.4 MB t_hash reply is summarised");
    });
  });
}

test("carrierroute_dump parses the preformatted rule lines", { timeout: TEST_TIMEOUT }, async () => {
  await sim("4.0", "sim:reset");
  await withClient(args("4.0"), async (client) => {
    const d = await call(client, "carrierroute_dump", {});
    ok(d);
    const rules = d.structuredContent.items;
    assert.equal(d.structuredContent.total, 4);
    assert.deepEqual(rules.find((r) => r.comment === "gw B"), {
      prefix: "49", probability: 50, host: "127.0.0.1:5084", active: true, strip: "0", rewrite_prefix: "",
      rewrite_suffix: "", comment: "gw B", carrier: "default", carrier_id: 1, domain: "proxy",
    });
    assert.equal(rules.find((r) => r.domain === "other").prefix, "NULL");
  });
});

test("a tool whose module the node lacks says so first: no guard refusal, no empty success", { timeout: TEST_TIMEOUT }, async () => {
  // the 4.0.1 base module set: no carrierroute, no nathelper
  const base = await startSim({ name: "base", extra: ["--modules", "base"] });
  await withClient(["--role", "admin", "--toolsets", "all", "--mi-url", base.url], async (client) => {
    const a = { carrier: "default", domain: "proxy", prefix: "49", host: "127.0.0.1:5084", new_host: "127.0.0.1:5085", confirm: true };
    for (const [tool, args, key] of [["carrierroute_replace_host", a, "carrierroute:replace_host"],
      ["carrierroute_dump", {}, "carrierroute:dump_routes"], ["nathelper_stats", {}, "nathelper:enable_ping"]]) {
      const r = await call(client, tool, args);
      assert.equal(r.isError, true, `${tool}: ${JSON.stringify(r)}`);
      assert.match(r.content[0].text, new RegExp(`does not offer '${key}'; is its module loaded\\?`), tool);
      assert.doesNotMatch(r.content[0].text, /known OpenSIPS defect/, tool);
    }
    assert.deepEqual(sentBeyondLearning(await control(base, "sim:requests")), []);
  });
  base.proc.kill();
});

test("carrierroute_replace_host is refused without force (nothing sent) and sent once with it", { timeout: TEST_TIMEOUT }, async () => {
  await sim("4.0", "sim:reset");
  await withClient(args("4.0"), async (client) => {
    const a = { carrier: "default", domain: "proxy", prefix: "49", host: "127.0.0.1:5084", new_host: "127.0.0.1:5085", confirm: true };
    const refused = await call(client, "carrierroute_replace_host", a);
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text, /Not sent: .*known OpenSIPS defect.*heap is corrupted.*force: true/);
    // the node is asked only whether carrierroute is loaded (version, which)
    assert.deepEqual(sentBeyondLearning(await sim("4.0", "sim:requests")), [], "nothing else reached the node");

    // Forced: the request goes out once, as carrierroute's option string. The simulator replays the
    // recorded crash first (connection closed, no reply): the tool says so and names the defect.
    const forced = await call(client, "carrierroute_replace_host", { ...a, force: true });
    const counters = await sim("4.0", "sim:requests");
    assert.equal(sent(counters, "carrierroute:replace_host"), 1, JSON.stringify(counters));
    assert.equal(forced.isError, true);
    assert.match(forced.content[0].text, /Known defect/);
    // The recorded success that follows a fresh start.
    const again = await call(client, "carrierroute_replace_host", { ...a, force: true });
    ok(again);
    assert.equal(again.structuredContent.result.options, "-d proxy -p 49 -h 127.0.0.1:5084 -t 127.0.0.1:5085");
  });
});
