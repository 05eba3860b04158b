// The dispatcher tools through the official SDK client against the simulator, in both naming
// profiles (4.0 module:command names, 3.6 flat names): the listing is flat and paged and validates
// against its outputSchema; ds_set_state really changes the destination's state (read back) and is
// sent exactly once; nothing is sent without confirmation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { withClient, REQ } from "./lib/sdk.mjs";
import { BIN, sleep, TEST_TIMEOUT } from "./lib/raw.mjs";
import { freePort } from "./lib/http.mjs";

const SIM = process.env.OPENSIPS_MI_SIM_BIN || join(dirname(BIN), "opensips-mi-sim");
const sims = {};

async function startSim(profile) {
  const port = await freePort();
  const child = spawn(SIM, ["--http", `127.0.0.1:${port}`, "--opensips", profile, "--timing", "none"],
    { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (c) => (err += c));
  for (let i = 0; i < 100 && !/ready/.test(err); i++) await sleep(50);
  assert.match(err, /ready/, `simulator did not start: ${err}`);
  return { child, url: `http://127.0.0.1:${port}/mi` };
}

before(async () => {
  assert.ok(existsSync(SIM), `no simulator at ${SIM}`);
  sims["4.0"] = await startSim("4.0");
  sims["3.6"] = await startSim("3.6");
});

after(async () => {
  for (const s of Object.values(sims)) {
    s.child.kill("SIGTERM");
    await new Promise((r) => s.child.once("exit", r));
  }
});

async function sim(profile, method, params) {
  const r = await fetch(sims[profile].url, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, ...(params ? { params } : {}) }),
  });
  return (await r.json()).result;
}
// How often the simulator ran a command, under either profile's name.
const sent = (counters, ...names) => names.reduce((n, k) => n + (counters.commands[k] ?? 0), 0);
const args = (profile) => ["--role", "admin", "--toolsets", "all", "--mi-url", sims[profile].url];
const call = (client, name, a) => client.callTool({ name, arguments: a }, undefined, REQ);

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
  test(`dispatcher_set_state changes the destination's state, sent once, only when confirmed (${profile})`, { timeout: TEST_TIMEOUT }, async () => {
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

      const probing = await call(client, "dispatcher_set_state", { ...target, state: "p", confirm: true });
      assert.equal(probing.isError, undefined);
      const again = await call(client, "dispatcher_list", { setid: 2, fields: ["URI", "state"] });
      assert.equal(again.structuredContent.items.find((d) => d.URI === target.address).state, "Probing");

      const unknown = await call(client, "dispatcher_set_state", { ...target, address: "sip:10.9.9.9", confirm: true });
      assert.equal(unknown.isError, true);
      assert.match(unknown.content[0].text, /not found/i);
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
