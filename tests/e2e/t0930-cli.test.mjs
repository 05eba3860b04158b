// The one-shot commands (issue 12 item 10), as operators script opensips-cli -x mi: `check` pings
// every configured MI node and exits by the answers; `call` runs one tool through the server's own
// gate (scopes, confirmation, audit) and prints its result; `tools` lists what the role may call.
// Each run is the real binary against a simulator (and a dead address), with the settings from
// flags, environment and config file as the server reads them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_TIMEOUT, ms, isolatedEnv } from "./lib/raw.mjs";
import { freePort, runToExit } from "./lib/http.mjs";
import { startSim, requests, clearRequests, stopAll } from "./lib/sim.mjs";

const RUN_WAIT = ms(20_000); // bound on one one-shot command
let dir, sim, dead, env;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-cli-e2e-"));
  sim = await startSim({ extra: ["--opensips", "4.0"], log: join(dir, "requests.jsonl") });
  dead = `http://127.0.0.1:${await freePort()}/mi`; // nothing listens there
  env = isolatedEnv(dir);
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args, extraEnv = {}) => runToExit(args, { timeout: RUN_WAIT, env: { ...env, ...extraEnv } });
const lines = (s) => s.split("\n").filter(Boolean);

test("check: a live and a dead node print one line each and exit 1", { timeout: TEST_TIMEOUT }, async () => {
  const r = await run(["check", "--mi-node", `live=${sim.url}`, "--mi-node", `dead=${dead}`, "--mi-timeout-ms", "2000"]);
  assert.equal(r.code, 1, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, 2, r.stdout);
  assert.match(out[0], new RegExp(`^live \\(default\\)  ${sim.url.replace(/[.]/g, "\\.")}  .*ok  OpenSIPS \\(4\\.0\\.1`));
  assert.match(out[1], new RegExp(`^dead  ${dead.replace(/[.]/g, "\\.")}  .*error: MI node unreachable: cannot connect to '${dead.replace(/[.]/g, "\\.")}'`));
});

test("check: live nodes from the config file, the environment and a flag exit 0", { timeout: TEST_TIMEOUT }, async () => {
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ mi: { nodes: { fromfile: sim.url } } }));
  const r = await run(["check", "--config", config, "--mi-node", `fromflag=${sim.url}`],
    { OPENSIPS_MCP_MI_NODES: `fromenv=${sim.url}` });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const names = lines(r.stdout).map((l) => l.split(/ +/)[0]).sort();
  assert.deepEqual(names, ["fromenv", "fromfile", "fromflag"], r.stdout);
  // each line says where its address came from
  const from = Object.fromEntries(lines(r.stdout).map((l) => [l.split(/ +/)[0], (l.match(/\(from ([^)]*)\)/) || [])[1]]));
  assert.ok(from.fromflag && from.fromenv && from.fromfile, r.stdout);
  assert.match(from.fromflag, /--mi-node/);
  assert.match(from.fromenv, /OPENSIPS_MCP_MI_NODES/);
  for (const l of lines(r.stdout)) assert.match(l, /  ok  OpenSIPS \(4\.0\.1/);
});

test("check --json: one object with each node's outcome", { timeout: TEST_TIMEOUT }, async () => {
  const r = await run(["check", "--json", "--mi-url", sim.url, "--mi-node", `dead=${dead}`, "--mi-timeout-ms", "2000"]);
  assert.equal(r.code, 1, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, false);
  const byName = Object.fromEntries(doc.nodes.map((n) => [n.name, n]));
  assert.equal(byName.default.reachable, true);
  assert.match(byName.default.version, /^OpenSIPS \(4\.0\.1/);
  assert.equal(byName.dead.reachable, false);
  assert.equal(byName.dead.error.code, "mi_unreachable");
  assert.match(byName.dead.error.text, /unreachable/);
});

test("check: a configuration error, or no node at all, exits 2", { timeout: TEST_TIMEOUT }, async () => {
  const missing = await run(["check", "--config", join(dir, "no-such.json")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /error: cannot read config file '.*no-such\.json': No such file or directory/);
  assert.equal(missing.stdout, "");

  const bad = await run(["check", "--mi-node", "nameless"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'nameless' is not NAME=ADDRESS/);

  const option = await run(["check", "--no-such-option"]);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option '--no-such-option'/);

  const none = await run(["check"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no OpenSIPS MI node is configured; give one with --mi-url/);

  const extra = await run(["check", "pbx1", "--mi-url", sim.url]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /check takes no argument 'pbx1'/);
});

test("call: a read tool prints its structured result, the same from KEY=VALUE and from JSON", { timeout: TEST_TIMEOUT }, async () => {
  const kv = await run(["call", "dlg_list", "limit=1", "--mi-url", sim.url]);
  assert.equal(kv.code, 0, kv.stderr);
  const result = JSON.parse(kv.stdout);
  assert.equal(result.limit, 1);
  assert.equal(result.items.length, 1);
  assert.ok(kv.stdout.includes('\n  "limit": 1'), "pretty-printed");

  // a switch (--read-only) takes no value: the next word is still the tool
  const js = await run(["call", "--read-only", "--mi-url", sim.url, "dlg_list", '{"limit": 1}']);
  assert.equal(js.code, 0, js.stderr);
  assert.deepEqual(JSON.parse(js.stdout), result);

  // a list argument given one value is a list of one; a string argument keeps digits as text
  const stats = await run(["call", "stats_get", "statistics=shmem:", "--mi-url", sim.url]);
  assert.equal(stats.code, 0, stats.stderr);
  assert.ok(JSON.stringify(JSON.parse(stats.stdout)).includes("shmem:"), stats.stdout);
  const aor = await run(["call", "ul_show_contact", "aor=1000", "--mi-url", sim.url]);
  assert.doesNotMatch(aor.stderr, /Invalid arguments/, "aor=1000 is the text 1000");
  assert.match(aor.stderr, /AOR not found \(404\)/);
});

test("call: a tool that answers isError exits 1 with its text on stderr", { timeout: TEST_TIMEOUT }, async () => {
  const r = await run(["call", "server_version", "--mi-url", dead, "--mi-timeout-ms", "2000"]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /server_version: .*unreachable/);

  const args = await run(["call", "dlg_list", "limit=0", "--mi-url", sim.url]);
  assert.equal(args.code, 1);
  assert.match(args.stderr, /Invalid arguments for tool 'dlg_list'/);
});

test("call: a write without confirm=true is refused and sends nothing; with it, it is sent", { timeout: TEST_TIMEOUT }, async () => {
  clearRequests(sim);
  const no = await run(["call", "--role", "operator", "dispatcher_reload", "--mi-url", sim.url]);
  assert.equal(no.code, 1);
  assert.match(no.stderr, /Nothing was changed/);
  assert.match(no.stderr, /with confirm=true/);
  assert.deepEqual(requests(sim, "dispatcher:reload"), [], "nothing sent");

  const yes = await run(["call", "--role", "operator", "dispatcher_reload", "confirm=true", "--mi-url", sim.url]);
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal(JSON.parse(yes.stdout).result, "OK");
  assert.equal(requests(sim, "dispatcher:reload").length, 1, "sent once");
});

test("call: a role without the scope is refused, audited, and nothing is sent", { timeout: TEST_TIMEOUT }, async () => {
  const audit = join(dir, "audit.jsonl");
  clearRequests(sim);
  const r = await run(["call", "dispatcher_reload", "confirm=true", "--audit", audit, "--mi-url", sim.url]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /permission denied: .*'mi\.write'.*role 'viewer'/);
  assert.deepEqual(requests(sim, "dispatcher:reload"), []);
  const rec = lines(readFileSync(audit, "utf8")).map((l) => JSON.parse(l));
  assert.equal(rec.length, 1);
  assert.equal(rec[0].decision, "refused");
  assert.equal(rec[0].tool, "dispatcher_reload");
  assert.equal(rec[0].role, "viewer");
});

test("call: an unknown tool exits 2 with the near names; a tool of a disabled toolset says which", { timeout: TEST_TIMEOUT }, async () => {
  const r = await run(["call", "dlg_lst", "--mi-url", sim.url]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown tool 'dlg_lst'; did you mean dlg_list\?/);

  const set = await run(["call", "drouting_gw_status", "--mi-url", sim.url]);
  assert.equal(set.code, 2);
  assert.match(set.stderr, /tool 'drouting_gw_status' is in the toolset 'routing', which is not enabled; add it with --toolsets/);
});

test("call: usage errors exit 2 before anything runs", { timeout: TEST_TIMEOUT }, async () => {
  for (const [args, re] of [
    [["call"], /call needs a TOOL/],
    [["call", "dlg_list", "limit"], /argument 'limit' is neither KEY=VALUE nor one JSON object/],
    [["call", "dlg_list", '{"limit":'], /the arguments are not a JSON object/],
    [["call", "dlg_list", "limit=1", "limit=2"], /argument 'limit' is given twice/],
    [["call", "dlg_list", "--json"], /--json goes with check and --list/],
    [["call", "--role", "nobody", "dlg_list"], /role 'nobody' is not defined/],
    [["call", "-x", "mi", "get_statistics"], /unexpected argument '-x'/],
  ]) {
    const r = await run([...args, "--mi-url", sim.url]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, "");
  }
});

test("tools and call --list: the tools the role may call, with their titles", { timeout: TEST_TIMEOUT }, async () => {
  const viewer = await run(["tools", "--mi-url", sim.url]);
  assert.equal(viewer.code, 0, viewer.stderr);
  assert.match(viewer.stdout, /^dlg_list +List calls$/m);
  assert.doesNotMatch(viewer.stdout, /^dispatcher_reload /m, "a write is not the viewer's");

  const operator = await run(["call", "--list", "--role", "operator", "--mi-url", sim.url]);
  assert.equal(operator.code, 0, operator.stderr);
  assert.match(operator.stdout, /^dispatcher_reload +Reload dispatcher destinations$/m);

  const json = await run(["tools", "--json", "--role", "operator"]);
  const list = JSON.parse(json.stdout);
  assert.deepEqual(list.map((t) => t.name), lines(operator.stdout).map((l) => l.split(/ +/)[0]));
});

test("mi_execute of 'get_statistics all' says that parameters go in params", { timeout: TEST_TIMEOUT }, async () => {
  const r = await run(["call", "--role", "admin", "mi_execute", "command=get_statistics all", "--mi-url", sim.url]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /'get_statistics all' is not a command name: name the command alone and give its parameters in params, by name \('get_statistics' takes \(statistics\)\), as in \{"command":"get_statistics","params":\{"statistics":\["all"\]\}\}/);

  const unknown = await run(["call", "--role", "admin", "mi_execute", "command=no_such thing", "--mi-url", sim.url]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /parameters in params, by name, as in .*the first word is no MI command either/);

  const right = await run(["call", "--role", "admin", "mi_execute", '{"command":"get_statistics","params":{"statistics":["all"]}}', "--mi-url", sim.url]);
  assert.equal(right.code, 0, right.stderr);
  assert.equal(JSON.parse(right.stdout).command, "statistics:get");
});

test("--help names the one-shot commands; each has its own --help", { timeout: TEST_TIMEOUT }, async () => {
  const h = await run(["--help"]);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /opensips-mcp check \| call TOOL/);
  for (const c of ["check", "call"]) {
    const s = await run([c, "--help"]);
    assert.equal(s.code, 0);
    assert.match(s.stdout, new RegExp(`^usage: opensips-mcp ${c} `));
    assert.match(s.stdout, /Exit status: 0/);
  }
});

test("call: a configuration error says where the bad value came from, as the server does", { timeout: TEST_TIMEOUT }, async () => {
  const r = await run(["call", "dlg_list", "--mi-url", sim.url], { OPENSIPS_MCP_TOOLSETS: "dialogs" });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /error: environment OPENSIPS_MCP_TOOLSETS: unknown toolset 'dialogs' \(did you mean 'dialog'\?\)/);
});
