// Discovery: mi_list_commands lists what the node offers (joined with the catalogue's read/write
// class), mi_describe_command tells one command's names, parameter sets, class and help — on a
// 4.0 and a 3.6 node.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withClient, REQ } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const sims = {};

before(async () => {
  for (const v of ["4.0", "3.6"]) sims[v] = await startSim({ extra: ["--opensips", v] });
});

after(() => stopAll());

for (const v of ["4.0", "3.6"]) {
  test(`mi_list_commands and mi_describe_command on OpenSIPS ${v}`, { timeout: TEST_TIMEOUT }, async () => {
    await withClient(["--mi-url", `http://127.0.0.1:${sims[v].port}/mi`], async (client) => {
      await client.listTools(undefined, REQ);
      const l = await client.callTool({ name: "mi_list_commands", arguments: { module: "dialog", limit: 100 } }, undefined, REQ);
      assert.equal(l.isError, undefined, JSON.stringify(l));
      const items = l.structuredContent.items;
      assert.ok(items.length >= 5 && items.length === l.structuredContent.total);
      const end = items.find((i) => i.key === "dialog:end_dlg");
      assert.ok(end, JSON.stringify(items));
      assert.equal(end.name, v === "4.0" ? "dialog:end_dlg" : "dlg_end_dlg", "the node's own name");
      assert.equal(end.access, "write");
      assert.equal(items.find((i) => i.key === "dialog:list").access, "read");

      const d = await client.callTool({ name: "mi_describe_command", arguments: { command: "dlg_end_dlg" } }, undefined, REQ);
      const r = d.structuredContent.result;
      assert.equal(r.key, "dialog:end_dlg");
      assert.equal(r.name_3x, "dlg_end_dlg");
      assert.deepEqual(r.recipes_4x, [["dialog_id"], ["dialog_id", "extra_hdrs"]]);
      assert.equal(r.access, "write");
      assert.ok(r.help, JSON.stringify(r));

      const g = await client.callTool({ name: "mi_describe_command", arguments: { command: "cr_replace_host" } }, undefined, REQ);
      assert.match(g.structuredContent.result.known_defect, /heap|crash/i);
      const none = await client.callTool({ name: "mi_describe_command", arguments: { command: "no_such" } }, undefined, REQ);
      assert.equal(none.isError, true);
    });
  });
}
