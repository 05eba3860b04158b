// Without confirmation nothing reaches any backend, for every tool that is not read-only, generated
// from tools/list so that a tool any area adds is covered (issue 11, "one gate").
//
// One server with every toolset, as admin, on the simulator; every tool whose readOnlyHint is not true
// is called with arguments built from its inputSchema alone (below), without confirm, by a client that
// cannot be asked (no elicitation capability) and then by one that can be asked and says no. Each call
// must be refused (an action that only reads may answer), and the simulator's request log
// (--request-log: one JSON line per request it got, written before it replies) must show no command
// during the call except the node-learning probes (and, for a read action, the one read allowed below).
// The allowed-root directory (the file backend) must stay empty. The positive control makes the same
// calls with confirm: true and sees the writes arrive, so that a blind log cannot pass this test.
//
// t1001 classes what was sent with the server's own catalogue; this test trusts nothing of the server:
// the commands allowed are named here, each with its reason.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, allTools, callTool as call, types } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, requests, clearRequests, control, stopAll } from "./lib/sim.mjs";

let dir, root, sim;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-nowrite-e2e-"));
  root = join(dir, "root");
  mkdirSync(root);
  sim = await startSim({ extra: ["--opensips", "4.0", "--modules", "extended"], log: join(dir, "requests.jsonl") });
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const serverArgs = () => ["--role", "admin", "--toolsets", "all", "--mi-url", sim.url, "--out-dir-root", root];

// The commands any call may cause: the first call on a node learns it (mi_client asks its version and
// its command list, whatever the tool), and a known-defect check may ask the command list again. Both
// only read. Nothing else is allowed of a refused call, not even a read: a tool that reads before
// asking shows up here, and would have to be allowed by name with the reason.
const PROBES = new Set(["core:version", "core:which"]);
// An action of a write tool that only reads answers without asking; what it may send, without params
// (the failure message names what a new such action sent): trace_control status lists the trace
// destinations with tracer:trace (given a mode, tracer:trace switches tracing: not allowed).
const READS = new Set(["tracer:trace"]);
const noParams = (q) => q.params === undefined || Object.keys(q.params).length === 0;
const allowed = (q, answered) => PROBES.has(q.name) || (answered && READS.has(q.name) && noParams(q));

// --- arguments from the schema alone -------------------------------------------------------------

// Strings tried in order for a string property: the first that fits minLength (padded with "x"),
// maxLength and pattern is used. A pattern none of them fits fails the test, naming the tool: add a
// candidate here rather than a value for that tool.
const STRINGS = ["x", "x1", "1", "sip:x@192.0.2.1:5060", "x@example.com", "192.0.2.1", "x=1", "12:00", "Mon"];

function stringFor(p, where) {
  const re = p.pattern === undefined ? null : new RegExp(p.pattern, "u");
  for (const c of STRINGS) {
    const s = c.padEnd(p.minLength ?? 0, "x");
    if (s.length <= (p.maxLength ?? Infinity) && (!re || re.test(s))) return s;
  }
  throw new Error(`${where}: no candidate string fits ${JSON.stringify(p)}; add one to STRINGS`);
}

// A value that the property's schema accepts: the first enum value (or the const), the minimum (else
// 1, or the maximum when it is below 1), false, minItems copies of an item, an object of its required
// properties, a string as above.
function valueFor(p, where) {
  if (p.const !== undefined) return p.const;
  if (p.enum) return p.enum[0];
  const type = Array.isArray(p.type) ? p.type[0] : p.type;
  switch (type) {
    case "integer": case "number":
      return p.minimum ?? (p.exclusiveMinimum !== undefined ? p.exclusiveMinimum + 1 : Math.min(1, p.maximum ?? 1));
    case "boolean": return false;
    case "array": return Array.from({ length: p.minItems ?? 0 }, () => valueFor(p.items ?? { type: "string" }, `${where}[]`));
    case "object": return requiredOf(p, where);
    case "string": return stringFor(p, where);
    default: throw new Error(`${where}: no value for a property of type ${JSON.stringify(p.type)}`);
  }
}

function requiredOf(schema, where) {
  const out = {};
  for (const name of schema.required ?? []) out[name] = valueFor(schema.properties?.[name] ?? {}, `${where}.${name}`);
  return out;
}

// A property that names an MI command is a string to the schema, but "x" names no command and the tool
// refuses it before asking: those (found by their description) also get a command that changes state,
// by its 4.x and its bare name, so that the gate has to stop a real write through the generic tools.
const NAMES_MI_COMMAND = /\bMI command\b/i;
const WRITE_COMMANDS = ["core:kill", "kill"];

// The calls made to one tool, none with confirm: the required properties with minimal values; one call
// per other value of each required enum (an action that only reads may answer without asking, but must
// not send anything beyond the probes either); every optional switch on (force: past a known-defect
// check, so that only the confirmation stands in the way); every optional property given; node "*"
// (fan-out); and the MI-command variants above.
function variants(t) {
  const s = t.inputSchema, props = s.properties ?? {}, where = t.name;
  const base = requiredOf(s, where);
  const out = [base];
  for (const name of s.required ?? [])
    for (const v of (props[name].enum ?? []).slice(1)) out.push({ ...base, [name]: v });
  const optional = Object.keys(props).filter((k) => k !== "confirm" && k !== "node" && !(s.required ?? []).includes(k));
  const switches = optional.filter((k) => props[k].type === "boolean");
  if (switches.length) out.push({ ...base, ...Object.fromEntries(switches.map((k) => [k, true])) });
  if (optional.length)
    out.push({ ...base, ...Object.fromEntries(optional.map((k) => [k, props[k].type === "boolean" ? true : valueFor(props[k], `${where}.${k}`)])) });
  if (props.node) out.push({ ...base, node: "*" });
  for (const [k, p] of Object.entries(props))
    if (p.type === "string" && NAMES_MI_COMMAND.test(p.description ?? ""))
      for (const c of WRITE_COMMANDS) out.push({ ...base, ...Object.fromEntries(switches.map((b) => [b, true])), [k]: c });
  return [...new Map(out.map((a) => [JSON.stringify(a), a])).values()];
}

// --- what a call did --------------------------------------------------------------------------------

const textOf = (r) => r.content?.map((c) => c.text ?? "").join("\n") ?? "";
const sentDuring = async (fn) => {
  clearRequests(sim);
  const r = await fn();
  return { r, sent: requests(sim).map((q) => ({ name: q.command ?? q.method, params: q.params })) };
};

// The gate's words (src/mcp/methods.c, confirm_call) when it cannot ask, and when the user said no.
const NEEDS_CONFIRM = /Nothing was changed\. Ask the user to confirm, then call again with confirm: true\.$/;
const NOT_CONFIRMED = /^Not done: the user did not confirm that this server should .+ \((decline|cancel|accept)\)\. Nothing was changed\.$/;
// A tool that cannot run on this transport at all says so before anyone is asked (its confirmation
// over HTTP: t0820).
const UNAVAILABLE_ON_STDIO = { server_session_end: /sessions exist only over HTTP/ };

// Every write tool, every variant, without confirm: refused, nothing beyond the probes sent. `refusal`
// tells the text that counts as having been stopped by the confirmation. Returns the failures and the
// number of calls made.
async function sweep(client, writes, refusal) {
  const failures = [];
  let calls = 0;
  for (const t of writes) {
    if (!t.inputSchema.properties?.confirm) failures.push(`${t.name} takes no confirm argument`);
    let stopped = 0;
    for (const args of variants(t)) {
      assert.equal(args.confirm, undefined);
      const { r, sent } = await sentDuring(() => call(client, t.name, args));
      calls++;
      const text = textOf(r);
      const beyond = sent.filter((q) => !allowed(q, r.isError !== true));
      if (beyond.length)
        failures.push(`${t.name} ${JSON.stringify(args)} reached the node unconfirmed: sent ${beyond.map((q) => `${q.name} ${JSON.stringify(q.params ?? {})}`).join(", ")}; answered ${text.slice(0, 300)}`);
      if (refusal(text) || UNAVAILABLE_ON_STDIO[t.name]?.test(text)) {
        stopped++;
        if (r.isError !== true) failures.push(`${t.name} ${JSON.stringify(args)}: a refusal without isError`);
      }
    }
    if (!stopped) failures.push(`${t.name} was never stopped by the confirmation in ${variants(t).length} calls`);
  }
  return { failures, calls };
}

async function writeTools(client) {
  const tools = await allTools(client);
  const writes = tools.filter((t) => t.annotations?.readOnlyHint !== true);
  // 33 today (of 78); a listing that lost its tools must not pass by testing none.
  assert.ok(writes.length >= 30, `only ${writes.length} of ${tools.length} tools are not read-only`);
  return writes;
}

test("without confirmation no tool that is not read-only sends anything to the node or writes a file", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(serverArgs(), async (client) => {
    const writes = await writeTools(client);
    const { failures, calls } = await sweep(client, writes, (text) => NEEDS_CONFIRM.test(text));
    assert.deepEqual(failures, []);
    assert.ok(calls > writes.length, `${calls} calls for ${writes.length} tools`);
    assert.deepEqual(readdirSync(root), [], "an unconfirmed call wrote under the allowed root");
  });
});

test("a client that can be asked and says no (decline, cancel, accept without confirm) gets the same: nothing sent", { timeout: TEST_TIMEOUT }, async () => {
  const { ElicitRequestSchema } = types;
  const ANSWERS = [{ action: "decline" }, { action: "cancel" }, { action: "accept", content: { confirm: false } }];
  let asked = 0;
  await withClient(serverArgs(), async (client) => {
    const writes = await writeTools(client);
    const { failures } = await sweep(client, writes, (text) => NOT_CONFIRMED.test(text));
    assert.deepEqual(failures, []);
    assert.ok(asked >= writes.length, `asked only ${asked} times for ${writes.length} tools`);
    assert.deepEqual(readdirSync(root), [], "a declined call wrote under the allowed root");
  }, {
    capabilities: { elicitation: {} },
    setup: (c) => c.setRequestHandler(ElicitRequestSchema, (req) => {
      assert.match(req.params.message, /^Confirm: .+\?$/);
      return ANSWERS[asked++ % ANSWERS.length];
    }),
  });
});

// The control: with confirm: true the same calls do reach the node, seen in the same log (the first
// variant that sends anything beyond the probes is enough), and the file backend gets its file; a few
// whose command is known must each send it. Every tool must reach the node this way but those below,
// each with the reason: a tool on a backend this test cannot observe yet fails here until it can.
const CANNOT_REACH = {
  server_session_end: "sessions exist only over HTTP (t0820)",
  avp_delete: "OpenSIPS has no MI command that deletes an AVP: the tool only explains",
  b2b_trigger_scenario: "OpenSIPS needs two real entities ('id,URI'), which no schema describes",
  gen_test_dispatcher: "its dry_run (true unless false is given) only plans; tests/db proves the real run",
  sipp_run_scenario: "the schema's string ('x') is neither a built-in scenario nor an .xml file, refused before SIPp runs; t1300 proves the confirmed run (and that an unconfirmed one starts no SIPp)",
  cfg_backup: "its backend is the files under the cfg root, where config_path 'x' names none; t1410 proves the confirmed copy",
  cfg_start_session: "it needs an OpenSIPS installation's templates (--opensips), which this server is not given, before it writes its session; t1400 proves the confirmed session file",
  homer_export_pcap: "its backend is Homer (--homer-url), which this server is not given; t1500 proves the confirmed export writes the pcap under the root",
  cfg_rollback: "its backend is the files under the cfg root, where 'x' is no backup of 'x'; t1410 proves the confirmed restore",
  docker_restart: "no --compose-file is given to this server, so past the gate it answers that it needs one; t1520 proves the confirmed run with stand-in compose programs (and that an unconfirmed one runs nothing)",
  fail2ban_ban_ip: "its backend is a fail2ban server on this host, which this test has none of; t1510 proves the confirmed ban (and that an unconfirmed one reaches nothing)",
  fail2ban_unban_ip: "its backend is a fail2ban server on this host, which this test has none of; t1510 proves the confirmed unban",
};

test("the control: confirmed, the same calls reach the node, so the log would have shown a write", { timeout: TEST_TIMEOUT }, async () => {
  const SENDS = { dispatcher_reload: "dispatcher:reload", drouting_set_gw_status: "drouting:gw_status", cc_agent_login: "call_center:agent_login", ul_add: "usrloc:add", mi_execute: "core:kill" };
  await control(sim, "sim:reset");
  await withClient(serverArgs(), async (client) => {
    const writes = await writeTools(client);
    const reached = new Map();
    for (const t of writes)
      for (const args of variants(t)) {
        const { r, sent } = await sentDuring(() => call(client, t.name, { ...args, confirm: true }));
        const beyond = sent.filter((q) => !PROBES.has(q.name)).map((q) => q.name);
        // the db tools' backend is the provisioning database, which this server has none of: past
        // the gate they answer so (tests/db proves the confirmed write lands in a real database)
        if (!beyond.length && /^db_not_configured|\(db_not_configured\)/m.test(textOf(r))) beyond.push("database");
        if (beyond.length) {
          reached.set(t.name, beyond);
          break;
        }
      }
    await control(sim, "sim:reset");
    for (const [tool, command] of Object.entries(SENDS))
      assert.ok(reached.get(tool)?.includes(command), `${tool} confirmed did not send ${command}: ${reached.get(tool)}`);
    const missing = writes.map((t) => t.name).filter((n) => !reached.has(n) && !CANNOT_REACH[n]);
    assert.deepEqual(missing, [], "confirmed, these tools reached no backend this test sees");
    assert.deepEqual(Object.keys(CANNOT_REACH).filter((n) => reached.has(n)), [], "these reach the node now: take them off CANNOT_REACH");
    assert.equal(readdirSync(root).length, 1, `snapshot_capture confirmed wrote no directory under the allowed root, or another tool wrote there: ${readdirSync(root)}`);
  });
});
