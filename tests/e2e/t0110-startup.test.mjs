// Start-up: the report the server logs before serving (version, transport, nodes and where each came
// from, roles and tokens, toolsets, audit), the warning without a node, the bound port of
// --listen ...:0, exit status 2 with the true source and a suggestion for every configuration
// error, our prefix on libmicrohttpd's lines, the reason on a refusal's log line, and make run
// (scripts/run.sh) refusing a busy port and stopping what it started.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { withServer, TEST_TIMEOUT, ms, sleep } from "./lib/raw.mjs";
import { runToExit, freePort, HttpServer, curl, POST_HEADERS, rpc, INIT_PARAMS } from "./lib/http.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const dir = mkdtempSync(join(tmpdir(), "t0110-"));
const TOP = join(dirname(fileURLToPath(import.meta.url)), "../..");
after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

// Every line the server wrote on stderr carries our prefix (no raw library text).
const assertPrefixed = (stderr) => {
  for (const line of stderr.split("\n").filter(Boolean))
    assert.match(line, /^opensips-mcp: (debug|info|notice|warning|error|critical|alert|emergency): /, `raw line: ${line}`);
};

// ---- exit status 2, the true source, suggestions ----

const configErrors = [
  ["a role not defined, from the command line", ["--role", "bogus"], {},
    /error: command line: role 'bogus' is not defined/],
  ["a toolset from the environment", [], { OPENSIPS_MCP_TOOLSETS: "dialog,dialogs" },
    /error: environment OPENSIPS_MCP_TOOLSETS: unknown toolset 'dialogs' \(did you mean 'dialog'\?\); use all, or any of: dialog,/],
  ["a toolset from the command line", ["--toolsets", "registratons"], {},
    /error: command line: unknown toolset 'registratons' \(did you mean 'registrations'\?\)/],
  ["a misspelt flag", ["--readonly"], {}, /error: unknown option '--readonly'; did you mean '--read-only'\?$/m],
  ["a misspelt flag with a value", ["--log-levle=debug"], {}, /unknown option '--log-levle'; did you mean '--log-level'\?/],
  ["a flag nothing is near", ["--zzzzzzzz"], {}, /unknown option '--zzzzzzzz'; see --help/],
  ["a listen address that is none", ["--transport", "http", "--listen", "nonsense"], {},
    /error: command line: listen address 'nonsense' is not ADDR:PORT/],
  ["a listen address beyond loopback without tokens, from the environment", ["--transport", "http"],
    { OPENSIPS_MCP_LISTEN: "0.0.0.0:0" }, /error: environment OPENSIPS_MCP_LISTEN: refusing to listen on 0\.0\.0\.0:0/],
  ["a relative audit path", ["--audit", "audit.log"], {}, /error: command line: audit destination 'audit\.log' is a relative path/],
  ["an audit file that cannot be opened, from the environment", [], { OPENSIPS_MCP_AUDIT: "/nonexistent-t0110/a.log" },
    /error: environment OPENSIPS_MCP_AUDIT: cannot open audit file '\/nonexistent-t0110\/a\.log'/],
  ["a remote audit collector with no host", ["--audit", "syslog://:514"], {},
    /error: command line: audit destination 'syslog:\/\/:514' names no host; give syslog:\/\/HOST:PORT/],
  ["a remote audit collector on port 0", ["--audit", "syslog://127.0.0.1:0"], {},
    /error: command line: audit destination 'syslog:\/\/127\.0\.0\.1:0' has a bad port '0'; give a number from 1 to 65535/],
  ["a remote audit collector on a port beyond 65535, from the environment", [], { OPENSIPS_MCP_AUDIT: "syslog://127.0.0.1:65536" },
    /error: environment OPENSIPS_MCP_AUDIT: audit destination 'syslog:\/\/127\.0\.0\.1:65536' has a bad port '65536'/],
  ["a remote audit collector with a port that is no number", ["--audit", "syslog://127.0.0.1:syslog"], {},
    /error: command line: audit destination 'syslog:\/\/127\.0\.0\.1:syslog' has a bad port 'syslog'/],
  ["a remote audit collector whose name does not resolve", ["--audit", "syslog://no-such-host.invalid:514"], {},
    /error: command line: audit destination 'syslog:\/\/no-such-host\.invalid:514': cannot resolve 'no-such-host\.invalid': /],
  ["a missing config file", ["--config", "/nonexistent-t0110.json"], {},
    /error: cannot read config file '\/nonexistent-t0110\.json': No such file or directory$/m],
  ["a transport that is none", ["--transport", "htp"], {}, /error: command line: transport 'htp' is not available/],
];
for (const [what, args, env, expected] of configErrors) {
  test(`${what}: exit status 2 and the reason`, T, async () => {
    const r = await runToExit(args, { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /line -1|starting:/);
    assert.equal(r.stdout, "");
  });
}

test("a config file's errors name the file: tokens, roles, a misspelt key, a toolset", T, async () => {
  const cases = [
    [{ tokens: 5 }, /config file '[^']*': "tokens" must be an array/],
    [{ roles: [] }, /config file '[^']*': "roles" must be an object/],
    [{ role: "nobody" }, /config file '[^']*': role 'nobody' is not defined/],
    [{ log_levle: "debug" }, /config file '[^']*': unknown setting 'log_levle'; did you mean 'log_level'\?/],
    [{ toolsets: "dialogs" }, /config file '[^']*': unknown toolset 'dialogs' \(did you mean 'dialog'\?\)/],
  ];
  for (const [doc, expected] of cases) {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(doc));
    const r = await runToExit(["--config", file]);
    assert.equal(r.code, 2, `${JSON.stringify(doc)}: ${r.stderr}`);
    assert.match(r.stderr, expected, JSON.stringify(doc));
    assert.doesNotMatch(r.stderr, /--toolsets/);
  }
  const broken = join(dir, "broken.json");
  writeFileSync(broken, '{"log_level": ');
  const r = await runToExit(["--config", broken]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /config file '[^']*broken\.json': .* \(line \d+\)/);
});

// ---- the start-up report ----

test("the start-up report names version, transport, each node and its source, roles, toolsets, audit", T, async () => {
  const sim = await startSim();
  const audit = join(dir, "audit.jsonl");
  const config = join(dir, "report.json");
  writeFileSync(config, JSON.stringify({ roles: { noc: ["mi.read"] }, mi: { nodes: { pbx2: sim.url } } }));
  const r = await runToExit(["--config", config, "--mi-url", sim.url, "--audit", audit, "--toolsets", "dialog,mi"],
    { env: { OPENSIPS_MCP_ROLE: "operator" } });
  assert.equal(r.code, 0, r.stderr);
  assertPrefixed(r.stderr);
  assert.match(r.stderr, /^opensips-mcp: info: opensips-mcp \d+\.\d+\.\d+ starting: transport stdio$/m);
  assert.match(r.stderr, new RegExp(`^opensips-mcp: info: config file '${config}'$`, "m"));
  assert.match(r.stderr, new RegExp(`^opensips-mcp: info: MI node 'default' \\(default\\) at ${sim.url} \\(from --mi-url\\)$`, "m"));
  assert.match(r.stderr, new RegExp(`^opensips-mcp: info: MI node 'pbx2' at ${sim.url} \\(from config file[^)]*\\)$`, "m"));
  assert.match(r.stderr, /info: role of the stdio client: operator \(from environment OPENSIPS_MCP_ROLE\); 1 custom role, 0 bearer tokens$/m);
  assert.match(r.stderr, /info: toolsets dialog,mi: \d+ tools, \d+ of them change state$/m);
  assert.match(r.stderr, new RegExp(`info: audit trail: file ${audit}$`, "m"));
  assert.doesNotMatch(r.stderr, /no OpenSIPS node is configured/);
});

test("without a node the report warns that every tool will fail and says what to set", T, async () => {
  const r = await runToExit([], { env: { OPENSIPS_MI_URL: "", OPENSIPS_MCP_MI_NODES: "", HOME: dir } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^opensips-mcp: warning: no OpenSIPS node is configured: every tool that asks OpenSIPS will answer "no OpenSIPS node is configured"; set OPENSIPS_MI_URL or --mi-url/m);
  assert.match(r.stderr, /info: audit trail: off/);
});

test("the report shows at the default log level and not under --log-level warning", T, async () => {
  const quiet = await runToExit(["--log-level", "warning"], { env: { OPENSIPS_MI_URL: "", HOME: dir } });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /starting:/);
  assert.match(quiet.stderr, /warning: no OpenSIPS node is configured/);
});

test("over HTTP with port 0 the report and the listening line name the port the kernel gave", T, async () => {
  const child = spawn(process.env.OPENSIPS_MCP_BIN, ["--transport", "http", "--listen", "127.0.0.1:0"],
    { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
  const exited = new Promise((res) => child.on("exit", (code) => res(code)));
  try {
    const deadline = Date.now() + ms(10_000);
    while (!/listening on/.test(stderr) && child.exitCode === null && Date.now() < deadline) await sleep(20);
    assert.match(stderr, /info: opensips-mcp \S+ starting: transport http on 127\.0\.0\.1:0/);
    const m = stderr.match(/notice: listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/);
    assert.ok(m, stderr);
    const port = Number(m[1]);
    assert.ok(port > 0, `listening on port ${port}`);
    const res = await curl(`http://127.0.0.1:${port}/mcp`, { headers: POST_HEADERS, body: rpc(1, "initialize", INIT_PARAMS()) });
    assert.equal(res.status, 200, JSON.stringify(res));
  } finally {
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
  }
  assertPrefixed(stderr);
});

test("a port already taken: exit 1, a sentence, and libmicrohttpd's own line under our prefix", T, async () => {
  const holder = createServer();
  await new Promise((res) => holder.listen(0, "127.0.0.1", res));
  try {
    const r = await runToExit(["--transport", "http", "--listen", `127.0.0.1:${holder.address().port}`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /critical: cannot listen on 127\.0\.0\.1:\d+: Address already in use \(another process holds the port/);
    assert.match(r.stderr, /^opensips-mcp: warning: libmicrohttpd: /m);
    assertPrefixed(r.stderr);
  } finally {
    holder.close();
  }
});

// ---- a refusal says why in the log ----

test("a refused call's log line carries the reason", T, async () => {
  await withServer(["--role", "admin"], async (s) => {
    const r = await s.call("tools/call", { name: "dlg_list", arguments: { bogus: 1 } });
    assert.equal(r.isError, true);
    const deadline = Date.now() + ms(5_000);
    while (!/refused tools\/call dlg_list/.test(s.stderr) && Date.now() < deadline) await sleep(20);
    assert.match(s.stderr, /notice: refused tools\/call dlg_list for local \(role admin\): Invalid arguments for tool 'dlg_list': unknown argument 'bogus'/);
  }, { env: { OPENSIPS_MI_URL: "" } });
});

test("a long refusal reason is cut on the log line, whole for the client", T, async () => {
  await withServer(["--role", "admin"], async (s) => {
    const long = "x".repeat(500);
    const r = await s.call("tools/call", { name: "dlg_list", arguments: { [long]: 1 } });
    assert.equal(r.isError, true);
    const whole = r.content[0].text;
    assert.ok(whole.length > 250, whole);
    const deadline = Date.now() + ms(5_000);
    while (!/refused tools\/call dlg_list/.test(s.stderr) && Date.now() < deadline) await sleep(20);
    const line = s.stderr.split("\n").find((l) => l.includes("refused tools/call dlg_list"));
    assert.ok(line && line.endsWith("..."), line);
    assert.ok(line.length < 320, `log line of ${line.length} bytes`);
    assert.ok(line.includes(whole.slice(0, 150)), line);
  }, { env: { OPENSIPS_MI_URL: "" } });
});

// ---- make run (scripts/run.sh, without its build step) ----

const RUN = join(TOP, "scripts/run.sh");
const haveTop = existsSync(join(TOP, "opensips-mcp")) && existsSync(join(TOP, "opensips-mi-sim"));

function runScript(env) {
  const child = spawn("bash", [RUN], { cwd: TOP, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUN_BUILD: "0", ...env } });
  const r = { out: "", exit: null };
  child.stdout.setEncoding("utf8").on("data", (c) => (r.out += c));
  child.stderr.setEncoding("utf8").on("data", (c) => (r.out += c));
  r.exited = new Promise((res) => child.on("exit", (code, signal) => res((r.exit = { code, signal }))));
  r.child = child;
  return r;
}

const portTaken = (port) => new Promise((res) => {
  const s = createServer();
  s.once("error", () => res(true));
  s.listen(port, "127.0.0.1", () => s.close(() => res(false)));
});

test("make run with the MI port taken (by a simulator not its own) stops with what holds it", { ...T, skip: !haveTop && "no ./opensips-mcp" }, async () => {
  const other = await startSim();
  const port = await freePort();
  const r = runScript({ PORT: String(port), MI_PORT: String(other.port), OPENSIPS_MI_URL: "" });
  const bound = setTimeout(() => r.child.kill("SIGKILL"), ms(30_000));
  await r.exited;
  clearTimeout(bound);
  assert.notEqual(r.exit.code, 0, r.out);
  assert.match(r.out, new RegExp(`run: error: port ${other.port} on 127\\.0\\.0\\.1 is already taken by opensips-mi-sim \\(pid ${other.proc.pid}\\)`));
  assert.doesNotMatch(r.out, /Ctrl-C stops it/);
  assert.equal(await portTaken(port), false, "an MCP server was left listening");
});

test("make run with the HTTP port taken stops before anything starts", { ...T, skip: !haveTop && "no ./opensips-mcp" }, async () => {
  const holder = createServer();
  await new Promise((res) => holder.listen(0, "127.0.0.1", res));
  const miPort = await freePort();
  try {
    const r = runScript({ PORT: String(holder.address().port), MI_PORT: String(miPort), OPENSIPS_MI_URL: "" });
    const bound = setTimeout(() => r.child.kill("SIGKILL"), ms(30_000));
    await r.exited;
    clearTimeout(bound);
    assert.notEqual(r.exit.code, 0, r.out);
    assert.match(r.out, /run: error: port \d+ on 127\.0\.0\.1 is already taken by node \(pid \d+\)/);
    assert.equal(await portTaken(miPort), false, "a simulator was left listening");
  } finally {
    holder.close();
  }
});

test("make run prints the banner once both answer, and SIGTERM stops both", { ...T, skip: !haveTop && "no ./opensips-mcp" }, async () => {
  const port = await freePort();
  const miPort = await freePort();
  const r = runScript({ PORT: String(port), MI_PORT: String(miPort), OPENSIPS_MI_URL: "" });
  try {
    const deadline = Date.now() + ms(30_000);
    while (!/Ctrl-C stops it/.test(r.out) && !r.exit && Date.now() < deadline) await sleep(50);
    assert.match(r.out, /Ctrl-C stops it/, r.out);
    assert.doesNotMatch(r.out, /being built/);
    assert.match(r.out, new RegExp(`MCP over Streamable HTTP at http://127\\.0\\.0\\.1:${port}/mcp`));
    const res = await curl(`http://127.0.0.1:${port}/mcp`, { headers: POST_HEADERS, body: rpc(1, "initialize", INIT_PARAMS()) });
    assert.equal(res.status, 200);
  } finally {
    r.child.kill("SIGTERM");
    const bound = setTimeout(() => r.child.kill("SIGKILL"), ms(15_000));
    await r.exited;
    clearTimeout(bound);
  }
  assert.equal(r.exit.code, 0, r.out);
  assert.equal(await portTaken(port), false, "the server was left running");
  assert.equal(await portTaken(miPort), false, "the simulator was left running");
});
