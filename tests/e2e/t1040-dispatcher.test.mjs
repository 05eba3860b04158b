// The dispatcher tools through the official SDK client against the simulator, in both naming
// profiles (4.0 module:command names, 3.6 flat names): the listing is flat and paged and validates
// against its outputSchema; ds_set_state really changes the destination's state (read back) and is
// sent exactly once; nothing is sent without confirmation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withClient, REQ, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, control, counted as sent, stopAll } from "./lib/sim.mjs";

const sims = {};

before(async () => {
  sims["4.0"] = await startSim({ extra: ["--opensips", "4.0"] });
  sims["3.6"] = await startSim({ extra: ["--opensips", "3.6"] });
});

after(() => stopAll());

const sim = (profile, method, params) => control(sims[profile], method, params);
const args = (profile) => ["--role", "admin", "--toolsets", "all", "--mi-url", sims[profile].url];

test("dispatcher_list flattens every set into one paged list, with full details on request", { timeout: TEST_TIMEOUT }, async () => {
  await sim("4.0", "sim:reset");
  await withClient(args("4.0"), async (client) => {
    const all = await call(client, "dispatcher_list", {});
    assert.equal(all.isError, undefined, JSON.stringify(all));
    const sc = all.structuredContent;
    assert.equal(sc.total, 4);
    assert.equal(sc.next_offset, null);
    assert.deepEqual(sc.items.map((d) => [d.setid, d.URI]).sort(), [
      [1, "sip:127.0.0.1:5070"], [2, "sip:127.0.0.1:5080"], [2, "sip:127.0.0.1:5081"], [3, "sip:127.0.0.2:5060"]]);
    assert.ok(sc.items.every((d) => d.partition === "default" && d.state === "Active" && d.weight === undefined));

    const full = await call(client, "dispatcher_list", { full: true, setid: 2 });
    assert.equal(full.structuredContent.total, 2);
    assert.ok(full.structuredContent.items.every((d) => d.setid === 2 && typeof d.weight === "number"));
    assert.equal(full.structuredContent.items[1].description, "gateway B");

    const page = await call(client, "dispatcher_list", { limit: 1, offset: 1, fields: ["URI", "state"] });
    assert.equal(page.structuredContent.total, 4);
    assert.equal(page.structuredContent.items.length, 1);
    assert.deepEqual(Object.keys(page.structuredContent.items[0]).sort(), ["URI", "state"]);
    assert.equal(page.structuredContent.next_offset, 2);

    const fan = await call(client, "dispatcher_list", { node: "*" });
    assert.equal(fan.structuredContent.answered, 1);
    assert.equal(fan.structuredContent.nodes.default.total, 4);
  });
});

for (const profile of ["4.0", "3.6"]) {
  test(`dispatcher_set_state reaches the state it was asked for, read back, only when confirmed (${profile})`, { timeout: TEST_TIMEOUT }, async () => {
    await sim(profile, "sim:reset");
    await withClient(args(profile), async (client) => {
      const target = { group: 2, address: "sip:127.0.0.1:5080", state: "inactive" };
      const refused = await call(client, "dispatcher_set_state", target);
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /Nothing was changed/);
      assert.equal(sent(await sim(profile, "sim:requests"), "dispatcher:set_state", "ds_set_state"), 0);

      const done = await call(client, "dispatcher_set_state", { ...target, confirm: true });
      assert.equal(done.isError, undefined, JSON.stringify(done));
      assert.equal(sent(await sim(profile, "sim:requests"), "dispatcher:set_state", "ds_set_state"), 1);

      const list = await call(client, "dispatcher_list", { setid: 2 });
      const states = Object.fromEntries(list.structuredContent.items.map((d) => [d.URI, d.state]));
      assert.deepEqual(states, { "sip:127.0.0.1:5080": "Inactive", "sip:127.0.0.1:5081": "Active" });

      // OpenSIPS counts an MI "p" as one failed probe (Probing at ds_probing_threshold, 3 by
      // default), and on an Inactive destination the first "p" makes it Active: 1 + 3 requests
      await sim(profile, "sim:reset_requests");
      const probing = await call(client, "dispatcher_set_state", { ...target, state: "p", confirm: true });
      assert.equal(probing.isError, undefined, JSON.stringify(probing));
      assert.deepEqual({ ...probing.structuredContent.result, node: undefined },
        { node: undefined, group: 2, address: target.address, before: "Inactive", state: "Probing", requests: 4 });
      assert.equal(sent(await sim(profile, "sim:requests"), "dispatcher:set_state", "ds_set_state"), 4);
      const again = await call(client, "dispatcher_list", { setid: 2, fields: ["URI", "state"] });
      assert.equal(again.structuredContent.items.find((d) => d.URI === target.address).state, "Probing");
      // from Active: the threshold's 3
      const other = await call(client, "dispatcher_set_state", { group: 2, address: "sip:127.0.0.1:5081", state: "probing", confirm: true });
      assert.equal(other.structuredContent.result.requests, 3);
      assert.equal(other.structuredContent.result.state, "Probing");

      await sim(profile, "sim:reset_requests");
      const unknown = await call(client, "dispatcher_set_state", { ...target, address: "sip:10.9.9.9", confirm: true });
      assert.equal(unknown.isError, true);
      assert.match(unknown.content[0].text, /^dispatcher_set_state failed \(not_found\): nothing was changed: set 2 has no destination 'sip:10\.9\.9\.9'/);
      assert.equal(sent(await sim(profile, "sim:requests"), "dispatcher:set_state", "ds_set_state"), 0);
    });
  });

  test(`dispatcher_reload sends one reload (${profile})`, { timeout: TEST_TIMEOUT }, async () => {
    await sim(profile, "sim:reset");
    await withClient(args(profile), async (client) => {
      const r = await call(client, "dispatcher_reload", { confirm: true });
      assert.equal(r.isError, undefined, JSON.stringify(r));
      assert.equal(r.structuredContent.result, "OK");
      assert.equal(sent(await sim(profile, "sim:requests"), "dispatcher:reload", "ds_reload"), 1);
    });
  });
}
