// Nodes by their real names, node lists as operators write them, and OpenSIPS's default FIFO
// (issue 12, findings 6, 7 and 10).
// 6: with {"nodes":{"pbx1":...},"default":"pbx1"} a call that names no node runs on pbx1, and
//    everything that reports the node says pbx1: the result, the question, the guard's refusal,
//    mi_execute's question, the audit record of a write (it said "default" and null). A node
//    really named "default" stays "default".
// 7: OPENSIPS_MCP_MI_NODES separates entries with ';' or ','; junk, a duplicate name, an address
//    holding a list stop the start with exit status 2 and a sentence naming the variable.
// 10: with no node from any source, OpenSIPS's default FIFO (/tmp/opensips_fifo; here a FIFO of
//    the test's own, named by the test-only OPENSIPS_MCP_TEST_DEFAULT_FIFO, so that a real
//    OpenSIPS's FIFO on the machine is never touched) becomes node "default", logged at start;
//    an explicit node turns that off.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withServer, TEST_TIMEOUT, ms, sleep, isolatedEnv } from "./lib/raw.mjs";
import { runToExit } from "./lib/http.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const RUN_WAIT = ms(20_000); // bound on one run of the binary to its exit
let dir, pbx1, pbx2, env;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-nodes-e2e-"));
  pbx1 = await startSim({ extra: ["--opensips", "4.0"] });
  pbx2 = await startSim({ extra: ["--opensips", "3.6"] });
  env = isolatedEnv(dir);
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const lines = (file) => readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
const tool = async (s, name, args) => (await s.call("tools/call", { name, arguments: args }, { timeout: ms(15_000) }));
const config = (mi) => {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ mi }));
  return file;
};
const SET_STATE = { group: 2, address: "sip:127.0.0.1:5080", state: "inactive" };

test("the default node pbx1 is named pbx1: results, questions, guards, mi_execute and the audit", { timeout: TEST_TIMEOUT }, async () => {
  const audit = join(dir, "audit-pbx1.jsonl");
  const cfg = config({ nodes: { pbx1: pbx1.url }, default: "pbx1" });
  await withServer(["--config", cfg, "--role", "admin", "--toolsets", "all", "--audit", audit], async (s) => {
    const read = await tool(s, "dlg_list", { limit: 1 });
    assert.equal(read.isError, undefined, JSON.stringify(read));
    assert.equal(read.structuredContent.node, "pbx1");
    const stats = await tool(s, "mi_execute", { command: "version" });
    assert.equal(stats.structuredContent.node, "pbx1", JSON.stringify(stats));

    // the question (a client that cannot be asked gets it as the refusal's text)
    const unconfirmed = await tool(s, "dispatcher_set_state", SET_STATE);
    assert.equal(unconfirmed.isError, true);
    assert.match(unconfirmed.content[0].text, /^Not done: this would .* on node pbx1, which changes state/);
    const mi = await tool(s, "mi_execute", { command: "dispatcher:set_state", params: { state: "i", group: 2, address: "sip:127.0.0.1:5080" } });
    assert.match(mi.content[0].text, /this would run the MI command 'dispatcher:set_state' on node pbx1,/);
    // the guard of a known defect
    const guarded = await tool(s, "carrierroute_replace_host", { carrier: "default", domain: "proxy", prefix: "49",
      host: "127.0.0.1:5084", new_host: "127.0.0.1:5085", confirm: true });
    assert.match(guarded.content[0].text, /^Not sent: 'carrierroute:replace_host' on node pbx1 hits a known OpenSIPS defect/);
    // the write, done
    const done = await tool(s, "dispatcher_set_state", { ...SET_STATE, confirm: true });
    assert.equal(done.isError, undefined, JSON.stringify(done));
  }, { env });
  const recs = lines(audit);
  const of = (t, event) => recs.filter((r) => r.tool === t && r.event === event);
  assert.equal(of("dispatcher_set_state", "begin").length, 2, JSON.stringify(recs));
  for (const r of [...of("dispatcher_set_state", "begin"), ...of("dispatcher_set_state", "end")])
    assert.equal(r.node, "pbx1", JSON.stringify(r));
  for (const r of of("dispatcher_set_state", "begin"))
    assert.equal(r.args.node, undefined, "the arguments are recorded as the client sent them");
  assert.deepEqual(of("dispatcher_set_state", "end").map((r) => r.outcome), ["unconfirmed", "ok"]);
  for (const t of ["dlg_list", "mi_execute", "carrierroute_replace_host"])
    for (const r of recs.filter((x) => x.tool === t)) assert.equal(r.node, "pbx1", JSON.stringify(r));
});

test("the question an elicitation asks names pbx1", { timeout: TEST_TIMEOUT }, async () => {
  const cfg = config({ nodes: { pbx1: pbx1.url }, default: "pbx1" });
  await withServer(["--config", cfg, "--role", "admin"], async (s) => {
    const id = 4242;
    const pending = s.request("tools/call", { name: "dispatcher_set_state", arguments: SET_STATE }, { id, timeout: ms(15_000) });
    const ask = await s.waitFor((m) => m.method === "elicitation/create", { what: "elicitation/create" });
    assert.match(ask.params.message, /^Confirm: .* on node pbx1\?$/);
    s.send({ jsonrpc: "2.0", id: ask.id, result: { action: "decline" } });
    const r = await pending;
    assert.equal(r.result.isError, true);
  }, { init: { capabilities: { elicitation: {} } }, env });
});

test("fan-out names every node by its name; a call that names none or \"\" names the default", { timeout: TEST_TIMEOUT }, async () => {
  const audit = join(dir, "audit-fan.jsonl");
  const cfg = config({ nodes: { pbx1: pbx1.url, pbx2: pbx2.url }, default: "pbx2" });
  await withServer(["--config", cfg, "--audit", audit], async (s) => {
    const fan = await tool(s, "dlg_list", { node: "*", limit: 1 });
    assert.deepEqual(Object.keys(fan.structuredContent.nodes).sort(), ["pbx1", "pbx2"]);
    for (const [name, r] of Object.entries(fan.structuredContent.nodes)) assert.equal(r.node, name, JSON.stringify(r));
    const def = await tool(s, "dlg_list", { limit: 1 });
    assert.equal(def.structuredContent.node, "pbx2");
    const empty = await tool(s, "dlg_list", { node: "", limit: 1 });
    assert.equal(empty.structuredContent.node, "pbx2");
    const named = await tool(s, "dlg_list", { node: "pbx1", limit: 1 });
    assert.equal(named.structuredContent.node, "pbx1");
  }, { env });
  assert.deepEqual(lines(audit).filter((r) => r.event === "begin").map((r) => r.node), ["*", "pbx2", "pbx2", "pbx1"]);
});

test('a node really named "default" stays "default", in the result and the audit', { timeout: TEST_TIMEOUT }, async () => {
  const audit = join(dir, "audit-default.jsonl");
  await withServer(["--mi-url", pbx1.url, "--role", "admin", "--audit", audit], async (s) => {
    const read = await tool(s, "dlg_list", { limit: 1 });
    assert.equal(read.structuredContent.node, "default");
    const w = await tool(s, "dispatcher_set_state", SET_STATE);
    assert.match(w.content[0].text, / on node default, which changes state/);
  }, { env });
  for (const r of lines(audit)) assert.equal(r.node, "default", JSON.stringify(r));
});

// ---- 7: node lists ----

const check = (args, extra = {}) => runToExit(["check", ...args], { timeout: RUN_WAIT, env: { ...env, ...extra } });
const start = (args, extra = {}) => runToExit(args, { timeout: RUN_WAIT, env: { ...env, ...extra } });
const names = (stdout) => stdout.split("\n").filter(Boolean).map((l) => l.split(/ +/)[0]).sort();

test("OPENSIPS_MCP_MI_NODES takes ';' and ',' and a mix, a trailing separator and empty entries", { timeout: TEST_TIMEOUT }, async () => {
  for (const list of [`pbx1=${pbx1.url},pbx2=${pbx2.url}`, `pbx1=${pbx1.url};pbx2=${pbx2.url}`,
    `pbx1=${pbx1.url}, pbx2=${pbx2.url};`, `pbx1=${pbx1.url};;,pbx2=${pbx2.url},`]) {
    const r = await check([], { OPENSIPS_MCP_MI_NODES: list });
    assert.equal(r.code, 0, `${list}: ${r.stderr}${r.stdout}`);
    assert.deepEqual(names(r.stdout), ["pbx1", "pbx2"], r.stdout);
    assert.ok(!/,pbx2=/.test(r.stdout), r.stdout);
  }
});

test("a bad node list stops the start with exit status 2 and a sentence naming the variable", { timeout: TEST_TIMEOUT }, async () => {
  const cases = [
    [{ OPENSIPS_MCP_MI_NODES: "pbx1=junk" }, /OPENSIPS_MCP_MI_NODES.*'junk': unknown scheme/],
    [{ OPENSIPS_MCP_MI_NODES: `pbx1=${pbx1.url},junk` }, /OPENSIPS_MCP_MI_NODES: 'junk' is not NAME=ADDRESS/],
    [{ OPENSIPS_MCP_MI_NODES: `pbx1=${pbx1.url},pbx1=${pbx2.url}` }, /OPENSIPS_MCP_MI_NODES: node 'pbx1' is given twice/],
    [{ OPENSIPS_MCP_MI_NODES: "pbx1=" }, /OPENSIPS_MCP_MI_NODES: node 'pbx1' has no address/],
    [{ OPENSIPS_MCP_MI_NODES: ";," }, /OPENSIPS_MCP_MI_NODES: ';,' names no node/],
    [{ OPENSIPS_MI_URL: `${pbx1.url},pbx2=${pbx2.url}` }, /OPENSIPS_MI_URL: the address of node 'default' .* holds more than one/],
  ];
  for (const [e, says] of cases) {
    const r = await start([], e);
    assert.equal(r.code, 2, `${JSON.stringify(e)}: exit ${r.code}; ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^opensips-mcp: error: .*${says.source}`, "m"), JSON.stringify(e));
  }
  const twice = await start(["--mi-node", `a=${pbx1.url}`, "--mi-node", `a=${pbx2.url}`]);
  assert.equal(twice.code, 2, twice.stderr);
  assert.match(twice.stderr, /--mi-node: node 'a' is given twice/);
});

// ---- 10: OpenSIPS's default FIFO ----

test("no node configured: OpenSIPS's default FIFO is node default, logged; an explicit node turns it off", { timeout: TEST_TIMEOUT }, async () => {
  const fifo = join(dir, "opensips_fifo");
  const fsim = await startSim({ extra: ["--opensips", "4.0", "--fifo", fifo] });
  for (let i = 0; i < 50 && !existsSync(fifo); i++) await sleep(ms(20));
  const fb = { OPENSIPS_MCP_TEST_DEFAULT_FIFO: fifo };

  const r = await check([], fb);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, new RegExp(`^default  fifo:${fifo}  \\(from OpenSIPS's default FIFO \\(${fifo}\\)\\)  ok  OpenSIPS \\(4\\.0\\.1`), r.stdout);
  assert.match(r.stderr, new RegExp(`no MI node is configured; using OpenSIPS's default FIFO \\(${fifo}\\) as node 'default'`));

  await withServer([], async (s) => {
    const read = await tool(s, "dlg_list", { limit: 1 });
    assert.equal(read.isError, undefined, JSON.stringify(read));
    assert.equal(read.structuredContent.node, "default");
    assert.match(s.stderr, /using OpenSIPS's default FIFO/);
  }, { env: { ...env, ...fb } });

  // an explicit node from any source: no fallback
  const explicit = await check(["--mi-node", `pbx1=${pbx1.url}`], fb);
  assert.equal(explicit.code, 0, explicit.stderr);
  assert.deepEqual(names(explicit.stdout), ["pbx1"]);
  assert.doesNotMatch(explicit.stderr, /default FIFO/);
  const fromEnv = await check([], { ...fb, OPENSIPS_MCP_MI_NODES: `pbx2=${pbx2.url}` });
  assert.deepEqual(names(fromEnv.stdout), ["pbx2"], fromEnv.stderr);

  // a regular file there, or nothing: no node (check says so)
  const plain = join(dir, "plain_fifo");
  writeFileSync(plain, "");
  for (const path of [plain, join(dir, "absent_fifo")]) {
    const none = await check([], { OPENSIPS_MCP_TEST_DEFAULT_FIFO: path });
    assert.equal(none.code, 2, none.stderr + none.stdout);
    assert.match(none.stderr, /no OpenSIPS MI node is configured/);
    assert.doesNotMatch(none.stderr, /default FIFO/);
  }
});
