// The first real tool, mi_execute, reaches the OpenSIPS MI simulator over each MI transport, driven
// by the official SDK client: reads answer, a write asks for confirmation, then really changes state,
// and is sent exactly once (the simulator's request counters).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ } from "./lib/sdk.mjs";
import { ms, TEST_TIMEOUT } from "./lib/raw.mjs";
import { freePort } from "./lib/http.mjs";
import { startSim, control, stopAll } from "./lib/sim.mjs";

let sim, dir, httpPort, udpPort;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-mi-e2e-"));
  udpPort = await freePort();
  sim = await startSim({ extra: ["--fifo", join(dir, "mi.fifo"), "--fifo-reply-dir", dir + "/", "--datagram", `udp:127.0.0.1:${udpPort}`] });
  httpPort = sim.port;
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const nodes = () => ({
  http: `http://127.0.0.1:${httpPort}/mi`,
  fifo: `fifo:${join(dir, "mi.fifo")}`,
  udp: `udp:127.0.0.1:${udpPort}`,
});

// The simulator's own control methods, straight over its mi_http (not through the server).
const simControl = (method) => control(sim, method);

for (const transport of ["http", "fifo", "udp"]) {
  test(`mi_execute reaches the simulator over ${transport}: read, refused write, confirmed write`, { timeout: TEST_TIMEOUT }, async () => {
    const args = ["--role", "admin", "--mi-node", `sim=${nodes()[transport]}`, "--mi-fifo-reply-dir", dir + "/"];
    await simControl("sim:reset_requests");
    await withClient(args, async (client) => {
      const v = await client.callTool({ name: "mi_execute", arguments: { command: "version" } }, undefined, REQ);
      assert.equal(v.isError, undefined, JSON.stringify(v));
      assert.equal(v.structuredContent.command, "core:version");
      assert.equal(v.structuredContent.access, "read");
      assert.match(v.structuredContent.result.Server, /OpenSIPS \(4\.0\.1/);

      // A dialog to end: the first one the simulator lists.
      const list = await client.callTool({ name: "mi_execute", arguments: { command: "dlg_list" } }, undefined, REQ);
      const dialogs = list.structuredContent.result.Dialogs;
      assert.ok(dialogs.length > 0, "the simulator lists dialogs");
      const live = dialogs.find((d) => d.state === 4);
      assert.ok(live, `no confirmed dialog left to end: ${JSON.stringify(dialogs.map((d) => d.state))}`);
      const id = live.ID;

      // Without confirmation (and a client that cannot be asked): nothing is sent.
      const refused = await client.callTool({ name: "mi_execute", arguments: { command: "dlg_end_dlg", params: { dialog_id: id } } }, undefined, REQ);
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /Nothing was changed/);

      const ended = await client.callTool({ name: "mi_execute", arguments: { command: "dlg_end_dlg", params: { dialog_id: id }, confirm: true } }, undefined, REQ);
      assert.equal(ended.isError, undefined, JSON.stringify(ended));
      assert.equal(ended.structuredContent.access, "write");

      // The simulator saw exactly one end_dlg: the refused call sent nothing, the write was not retried;
      // and the dialog really is ending (state 5) or gone.
      const counters = await simControl("sim:requests");
      assert.equal(counters.commands["dialog:end_dlg"], 1, JSON.stringify(counters));
      assert.equal(counters.transports[transport === "udp" ? "datagram" : transport] > 0, true, JSON.stringify(counters));
      const after = await client.callTool({ name: "mi_execute", arguments: { command: "dlg_list" } }, undefined, REQ);
      const same = after.structuredContent.result.Dialogs.find((d) => d.ID === id);
      assert.ok(!same || same.state === 5, `dialog ${id} still listed as ${JSON.stringify(same)}`);
    });
  });
}

test("an unknown MI command is refused before anything is sent, naming what to do", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(["--role", "admin", "--mi-url", nodes().http], async (client) => {
    const r = await client.callTool({ name: "mi_execute", arguments: { command: "no_such_command" } }, undefined, REQ);
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /no_such_command/);
  });
});

test("the default viewer role cannot run mi_execute: it is not even listed", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(["--mi-url", nodes().http], async (client) => {
    const { tools } = await client.listTools(undefined, REQ);
    assert.ok(!tools.some((t) => t.name === "mi_execute"));
  });
});

test("an unreachable node is a clear tool error, quickly", { timeout: TEST_TIMEOUT }, async () => {
  const port = await freePort();
  await withClient(["--role", "admin", "--mi-url", `http://127.0.0.1:${port}/mi`], async (client) => {
    const t0 = Date.now();
    const r = await client.callTool({ name: "mi_execute", arguments: { command: "version" } }, undefined, REQ);
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /mi_unreachable/);
    assert.ok(Date.now() - t0 < ms(6000));
  });
});
