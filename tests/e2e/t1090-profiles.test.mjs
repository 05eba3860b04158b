// The dialog-profile tools through the official SDK client against the simulator, whose profiles
// follow its dialogs, in both naming profiles (4.0 and 3.6): list, count, list the calls of a
// profile, and end them — confirmed, sent once, and verified by counting again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, control, requests, clearRequests, stopAll } from "./lib/sim.mjs";

const sims = {};
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-profiles-e2e-"));
  for (const p of ["4.0", "3.6"]) sims[p] = await startSim({ extra: ["--opensips", p], log: join(dir, `requests-${p}.jsonl`) });
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const simControl = (p, method) => control(sims[p], method);
const sent = (p, method) => requests(sims[p], method);

const ok = (r) => assert.equal(r.isError, undefined, JSON.stringify(r).slice(0, 800));
const userOf = (uri) => /^sips?:([^@]+)@/.exec(uri)[1];

for (const p of ["4.0", "3.6"]) {
  const names = p === "4.0"
    ? { end: "dialog:profile_end_dlgs", size: "dialog:profile_get_size" }
    : { end: "profile_end_dlgs", size: "profile_get_size" };
  const ARGS = () => ["--role", "admin", "--toolsets", "all", "--mi-url", `http://127.0.0.1:${sims[p].port}/mi`];

  test(`profiles (${p}): list profiles, count, list the calls of one value`, { timeout: TEST_TIMEOUT }, async () => {
    await simControl(p, "sim:reset");
    await withClient(ARGS(), async (client) => {
      const l = await call(client, "dlg_list_profiles");
      ok(l);
      const byName = Object.fromEntries(l.structuredContent.items.map((x) => [x.name, x["has value"]]));
      assert.equal(byName.inbound, false);
      assert.equal(byName.caller, true);

      const size = await call(client, "dlg_profile_get_size", { profile: "inbound" });
      ok(size);
      const inbound = await call(client, "dlg_profile_list_dlgs", { profile: "inbound", fields: ["ID", "from_uri"] });
      ok(inbound);
      assert.equal(size.structuredContent.result.Profile.count, inbound.structuredContent.total);
      assert.ok(inbound.structuredContent.total >= 1);

      const user = userOf(inbound.structuredContent.items[0].from_uri);
      const one = await call(client, "dlg_profile_list_dlgs", { profile: "caller", value: user });
      ok(one);
      assert.ok(one.structuredContent.items.every((d) => userOf(d.from_uri) === user));

      const bad = await call(client, "dlg_profile_get_size", { profile: "nosuchprofile" });
      assert.equal(bad.isError, true);
      assert.match(bad.content[0].text, /Profile not found/);
    });
  });

  test(`dlg_profile_end_dlgs (${p}): asks first, sends once, verifies by counting again`, { timeout: TEST_TIMEOUT }, async () => {
    await simControl(p, "sim:reset");
    await withClient(ARGS(), async (client) => {
      const inbound = await call(client, "dlg_profile_list_dlgs", { profile: "inbound" });
      const user = userOf(inbound.structuredContent.items[0].from_uri);
      const before = (await call(client, "dlg_profile_get_size", { profile: "caller", value: user })).structuredContent.result.Profile.count;
      assert.ok(before >= 1);

      clearRequests(sims[p]);
      const refused = await call(client, "dlg_profile_end_dlgs", { profile: "caller", value: user });
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /Nothing was changed/);
      assert.equal(sent(p, names.end).length, 0);

      const r = await call(client, "dlg_profile_end_dlgs", { profile: "caller", value: user, confirm: true });
      ok(r);
      const res = r.structuredContent.result;
      assert.deepEqual([res.before, res.after, res.ended], [before, 0, before]);
      assert.match(res.outcome, /^ended/);
      const reqs = sent(p, names.end);
      assert.equal(reqs.length, 1);
      assert.deepEqual(reqs[0].params, { profile: "caller", value: user });

      // the state really changed: the profile counts none, the whole inbound profile lost them
      const now = await call(client, "dlg_profile_get_size", { profile: "caller", value: user });
      assert.equal(now.structuredContent.result.Profile.count, 0);
      const inboundAfter = await call(client, "dlg_profile_get_size", { profile: "inbound" });
      assert.equal(inboundAfter.structuredContent.result.Profile.count, inbound.structuredContent.total - before);

      // nothing to end: nothing is sent
      clearRequests(sims[p]);
      const empty = await call(client, "dlg_profile_end_dlgs", { profile: "caller", value: "nobody", confirm: true });
      ok(empty);
      assert.match(empty.structuredContent.result.outcome, /nothing to end/);
      assert.equal(sent(p, names.end).length, 0);

      const unknown = await call(client, "dlg_profile_end_dlgs", { profile: "nosuch", confirm: true });
      assert.equal(unknown.isError, true);
      assert.match(unknown.content[0].text, /Profile not found/);
      assert.equal(sent(p, names.end).length, 0);
    });
  });
}

test("a viewer lists and counts profiles but cannot end their calls", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(["--role", "viewer", "--toolsets", "all", "--mi-url", `http://127.0.0.1:${sims["4.0"].port}/mi`], async (client) => {
    const { tools } = await client.listTools(undefined, REQ);
    const names = new Set(tools.map((t) => t.name));
    for (const n of ["dlg_list_profiles", "dlg_profile_get_size", "dlg_profile_list_dlgs"]) assert.ok(names.has(n), n);
    assert.ok(!names.has("dlg_profile_end_dlgs"));
  });
});
