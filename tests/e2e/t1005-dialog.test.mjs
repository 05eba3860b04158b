// The dialog tools end to end, in both naming profiles: dlg_list pages on the OpenSIPS side and
// stays small on 100 000 dialogs; dlg_end with a wrong tag changes nothing and sends no end_dlg,
// with the right tags ends exactly that dialog once; dlg_push_var stores and verifies the value.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withClient, REQ, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, control as simControl, stopAll } from "./lib/sim.mjs";

const sims = {};
const start = async (name, extra) => (sims[name] = await startSim({ name, extra: ["--dlg-linger-ms", "60000", ...extra] }));

before(async () => {
  await start("4.0", []);
  await start("3.6", ["--opensips", "3.6"]);
  await start("big", ["--dialogs", "100000"]);
});

after(() => stopAll());

const args = (name) => ["--role", "operator", "--mi-url", `http://127.0.0.1:${sims[name].port}/mi`];
const control = (name, method) => simControl(sims[name], method);

test("dlg_list on 100 000 dialogs: paged by OpenSIPS, total known, result small", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(args("big"), async (client) => {
    await client.listTools(undefined, REQ); // the SDK then validates structuredContent against outputSchema
    const r = await call(client, "dlg_list", {});
    const s = r.structuredContent;
    assert.ok(s.total >= 100000, `total ${s.total}`);
    // 50 dialogs with their SDP do not fit: the page is shortened, says so, and next_offset follows it
    assert.ok(s.items.length > 0 && s.items.length <= 50);
    assert.equal(s.next_offset, s.items.length);
    if (s.items.length < 50) assert.match(s.note, /shortened|cut/);
    assert.ok(JSON.stringify(r).length < 50 * 1024, `${JSON.stringify(r).length} bytes`);
    const narrow = (await call(client, "dlg_list", { fields: ["ID", "callid", "state"] })).structuredContent;
    assert.equal(narrow.items.length, 50, "with a few fields a whole page fits");
    const p2 = await call(client, "dlg_list", { offset: 99990, limit: 50, fields: ["ID"] });
    assert.ok(p2.structuredContent.items.length > 0 && p2.structuredContent.items.length <= 50);
    assert.ok(p2.structuredContent.items.every((d) => Object.keys(d).join() === "ID"));
  });
});

for (const profile of ["4.0", "3.6"]) {
  test(`dlg_end on ${profile}: a wrong tag ends nothing; the right tags end that dialog once`, { timeout: TEST_TIMEOUT }, async () => {
    await control(profile, "sim:reset");
    await control(profile, "sim:reset_requests");
    await withClient(args(profile), async (client) => {
      const list = (await call(client, "dlg_list", { fields: ["ID", "callid", "caller_tag", "CALLEES", "state"] })).structuredContent.items;
      const d = list.find((x) => x.state === 4);
      assert.ok(d, JSON.stringify(list));
      const to = d.CALLEES[0].callee_tag;

      const wrong = await call(client, "dlg_end", { callid: d.callid, from_tag: d.caller_tag, to_tag: "not-the-tag", confirm: true });
      assert.equal(wrong.isError, true);
      assert.match(wrong.content[0].text, /^dlg_end failed \(not_found\): nothing was changed: a dialog with this Call-ID exists, but its tags differ/);
      const none = await call(client, "dlg_end", { callid: "no-such-call", from_tag: "a", to_tag: "b", confirm: true });
      assert.match(none.content[0].text, /^dlg_end failed \(not_found\): nothing was changed: no dialog has this Call-ID/);
      let counts = await control(profile, "sim:requests");
      assert.equal(counts.commands["dialog:end_dlg"] ?? counts.commands["dlg_end_dlg"] ?? 0, 0, JSON.stringify(counts));

      const unconfirmed = await call(client, "dlg_end", { callid: d.callid, from_tag: d.caller_tag, to_tag: to });
      assert.match(unconfirmed.content[0].text, /Nothing was changed/);

      const ok = await call(client, "dlg_end", { callid: d.callid, from_tag: d.caller_tag, to_tag: to, confirm: true });
      assert.equal(ok.isError, undefined, JSON.stringify(ok));
      assert.equal(ok.structuredContent.result.dialog_id, d.ID);
      counts = await control(profile, "sim:requests");
      assert.equal(counts.commands["dialog:end_dlg"] ?? counts.commands["dlg_end_dlg"], 1, JSON.stringify(counts));
      const after = (await call(client, "dlg_list", { callid: d.callid })).structuredContent.items;
      assert.ok(after.every((x) => x.state === 5), JSON.stringify(after));
      const others = (await call(client, "dlg_list", {})).structuredContent.items.filter((x) => x.ID !== d.ID);
      assert.ok(others.every((x) => x.state === 4), "another dialog was touched");
    });
  });
}

test("dlg_push_var stores the value with DID as an array and proves it by reading it back", { timeout: TEST_TIMEOUT }, async () => {
  await control("4.0", "sim:reset");
  await withClient(args("4.0"), async (client) => {
    const d = (await call(client, "dlg_list", {})).structuredContent.items.find((x) => x.state === 4);
    const r = await call(client, "dlg_push_var", { callid: d.callid, from_tag: d.caller_tag, var_name: "billing_tag", var_value: "vip", confirm: true });
    assert.equal(r.isError, undefined, JSON.stringify(r));
    assert.equal(r.structuredContent.result.dialog_id, d.ID);
    assert.match(r.structuredContent.result.outcome, /^applied/);
    const bad = await call(client, "dlg_push_var", { callid: d.callid, from_tag: "wrong", var_name: "x", var_value: "y", confirm: true });
    assert.equal(bad.isError, true);
  });
});
