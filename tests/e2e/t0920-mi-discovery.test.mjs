// Discovery: mi_list_commands lists what the node offers (joined with the catalogue's read/write
// class), mi_describe_command tells one command's names, parameter sets, class and help — on a
// 4.0 and a 3.6 node.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join, dirname } from "node:path";
import { withClient, REQ } from "./lib/sdk.mjs";
import { BIN, sleep, TEST_TIMEOUT } from "./lib/raw.mjs";
import { freePort } from "./lib/http.mjs";

const SIM = process.env.OPENSIPS_MI_SIM_BIN || join(dirname(BIN), "opensips-mi-sim");
const sims = {};

before(async () => {
  for (const v of ["4.0", "3.6"]) {
    const port = await freePort();
    const p = spawn(SIM, ["--http", `127.0.0.1:${port}`, "--opensips", v, "--timing", "none"], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (c) => (err += c));
    for (let i = 0; i < 100 && !/ready/.test(err); i++) await sleep(50);
    assert.match(err, /ready/);
    sims[v] = { p, port };
  }
});

after(async () => {
  for (const { p } of Object.values(sims)) p.kill("SIGTERM");
  await Promise.all(Object.values(sims).map(({ p }) => new Promise((r) => (p.exitCode !== null ? r() : p.once("exit", r)))));
});

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
