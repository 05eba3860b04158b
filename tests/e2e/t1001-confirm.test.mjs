// Every tool that changes state asks first, generated from tools/list so that a tool any area adds is
// covered: called as admin with plausible minimal arguments (from its inputSchema), by a client that
// cannot be asked (no elicitation) and without confirm: true, it answers that confirmation is needed,
// and no write reaches the node (the simulator's request log, each command classed by the server's
// own catalogue) and no file is written (snapshot_capture under the allowed root).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, allTools, callTool as call, types } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, requests, clearRequests, stopAll } from "./lib/sim.mjs";

let dir, root, sim;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-confirm-e2e-"));
  root = join(dir, "root");
  sim = await startSim({ extra: ["--opensips", "4.0", "--modules", "extended"], log: join(dir, "requests.jsonl") });
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

// A value of the property's type that its schema accepts: the first enum value, the minimum, a
// short string of the minimum length, an empty array or object.
function value(p) {
  if (p.enum) return p.enum[0];
  switch (p.type) {
    case "integer": case "number": return p.minimum ?? 1;
    case "boolean": return false;
    case "array": return p.minItems ? Array(p.minItems).fill(value(p.items ?? { type: "string" })) : [];
    case "object": return {};
    default: return "x".repeat(Math.max(1, p.minLength ?? 1));
  }
}

// Where "x" is not plausible: the generic MI tools get a real command that changes state; the tools a
// known defect guards are forced past the guard, so that only the confirmation stands in the way.
const plausible = {
  carrierroute_replace_host: { force: true },
  tls_reload: { force: true },
  mi_execute: { command: "core:kill" },
  cluster_send_command: { mi_cmd: "kill" },
  snapshot_capture: { out_dir: "snaps" },
  // the provisioning tables' patterns (a SIP URI, digits, an address, capacities)
  dispatcher_add: { destination: "sip:x@192.0.2.1" },
  gen_test_dispatcher: { destinations: ["sip:x@192.0.2.1"], dry_run: false },
  drouting_add_rule: { groupid: "1", prefix: "1" },
  lb_add: { dst_uri: "sip:x@192.0.2.1", resources: "pstn=1" },
  address_add: { ip: "192.0.2.1" },
  // an address that is not one is refused before anyone is asked
  fail2ban_ban_ip: { ip: "192.0.2.1" },
  fail2ban_unban_ip: { ip: "192.0.2.1" },
};

// The required arguments with minimal values; one variant per value of each required enum (an action
// that only reads may answer without asking, but must not write).
function variants(t) {
  const props = t.inputSchema.properties ?? {};
  const base = {};
  for (const name of t.inputSchema.required ?? []) base[name] = value(props[name]);
  Object.assign(base, plausible[t.name]);
  const out = [base];
  for (const name of t.inputSchema.required ?? [])
    for (const v of (props[name].enum ?? []).slice(1)) out.push({ ...base, [name]: v });
  return out;
}

const ASKS = /Nothing was changed\. Ask the user to confirm, then call again with confirm: true/;
// Tools that cannot run on this transport at all say so before anyone is asked; their question over
// HTTP is tested where they can run (t0820: server_session_end).
const UNAVAILABLE_ON_STDIO = { server_session_end: /sessions exist only over HTTP/ };

test("every tool that changes state asks for confirmation first, and nothing it would change is touched", { timeout: TEST_TIMEOUT * 3 }, async () => {
  const { mkdirSync } = await import("node:fs");
  mkdirSync(root);
  await withClient(["--role", "admin", "--toolsets", "all", "--mi-url", sim.url, "--out-dir-root", root], async (client) => {
    const tools = await allTools(client);
    const writes = tools.filter((t) => t.annotations?.readOnlyHint !== true);
    assert.ok(writes.length >= 30, `only ${writes.length} tools change state`);
    for (const name of ["cc_agent_login", "uac_reg_force_register", "snapshot_capture", "mi_execute", "cluster_send_command"])
      assert.ok(writes.some((t) => t.name === name), `${name} is not listed as a write`);

    // Whether the server's catalogue calls a command a read (cached; asked with a read tool).
    const access = new Map();
    async function reads(command) {
      if (!access.has(command)) {
        const r = await call(client, "mi_describe_command", { command });
        access.set(command, r.isError ? "unknown" : r.structuredContent.result.access);
      }
      return access.get(command) === "read";
    }

    const failures = [];
    for (const t of writes) {
      if (!t.inputSchema.properties?.confirm) failures.push(`${t.name} takes no confirm argument`);
      let asked = 0;
      for (const args of variants(t)) {
        clearRequests(sim);
        const r = await call(client, t.name, args);
        const text = r.content?.[0]?.text ?? "";
        const sent = requests(sim).map((q) => q.command ?? q.method);
        for (const command of sent)
          if (!(await reads(command))) failures.push(`${t.name} ${JSON.stringify(args)} sent the write '${command}' unconfirmed`);
        if (ASKS.test(text) || UNAVAILABLE_ON_STDIO[t.name]?.test(text)) asked++;
      }
      if (!asked) failures.push(`${t.name} never said that it needs confirmation`);
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(readdirSync(root), [], "an unconfirmed call wrote a file under the allowed root");
  });
});

test("a client that can be asked is asked by the gate: declined sends nothing, accepted sends once", { timeout: TEST_TIMEOUT }, async () => {
  const { ElicitRequestSchema } = types;
  const asked = [];
  let answer = "decline";
  await withClient(["--role", "admin", "--toolsets", "all", "--mi-url", sim.url], async (client) => {
    clearRequests(sim);
    const no = await call(client, "cc_agent_login", { agent_id: "agent2", state: 1 });
    assert.equal(no.isError, true);
    assert.match(no.content[0].text, /the user did not confirm .*\(decline\)\. Nothing was changed/);
    assert.equal(requests(sim, "call_center:agent_login").length, 0, "sent although declined");
    assert.match(asked[0].message, /^Confirm: run call_center:agent_login \{"agent_id":"agent2","state":1\} on node default\?$/);
    answer = "accept";
    const yes = await call(client, "cc_agent_login", { agent_id: "agent2", state: 1 });
    assert.equal(yes.isError, undefined, JSON.stringify(yes));
    assert.equal(requests(sim, "call_center:agent_login").length, 1);
    // a read through mi_execute is not asked about; a write is, in the command's words
    asked.length = 0;
    assert.equal((await call(client, "mi_execute", { command: "uptime" })).isError, undefined);
    assert.equal(asked.length, 0, "a read was asked about");
    answer = "decline";
    await call(client, "mi_execute", { command: "core:kill" });
    assert.match(asked[0].message, /run the MI command 'core:kill' on node default\?$/);
    assert.equal(requests(sim, "core:kill").length, 0);
  }, {
    capabilities: { elicitation: {} },
    setup: (c) => c.setRequestHandler(ElicitRequestSchema, (req) => {
      asked.push(req.params);
      return answer === "accept" ? { action: "accept", content: { confirm: true } } : { action: "decline" };
    }),
  });
});
