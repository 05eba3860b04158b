// Each node's provisioning database (issue 13): from --db-url/--db-node, OPENSIPS_MCP_DB_*, the
// config file's "db" object (and db_url in an mi.nodes object) and opensips-cli's database_url;
// the start-up report shows each with its password as *** and its source; a bad URL stops the
// start naming its source; nothing connects at start (libpq is not even loaded); `check` runs
// SELECT 1 on each and reports an unreachable one by line and exit status. No password anywhere.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_TIMEOUT, ms, withServer, isolatedEnv } from "./lib/raw.mjs";
import { freePort, runToExit } from "./lib/http.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const RUN_WAIT = ms(20_000);
const SECRET = "secret";
let dir, env, deadDb;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "t0950-"));
  // Nothing listens on that port: connecting is refused at once.
  deadDb = `postgres://u:${SECRET}@127.0.0.1:${await freePort()}/x`;
  env = isolatedEnv(dir);
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args, extraEnv = {}) => runToExit(args, { timeout: RUN_WAIT, env: { ...env, ...extraEnv } });
const lines = (s) => s.split("\n").filter(Boolean);
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const noSecret = (r) => {
  assert.doesNotMatch(r.stdout, /secret/, "a password on stdout");
  assert.doesNotMatch(r.stderr, /secret/, "a password on stderr");
};

test("the start-up report names each node's database, password as ***, and where it came from", T, async () => {
  const config = join(dir, "report.json");
  writeFileSync(config, JSON.stringify({
    db: { nodes: { fromfile: `mysql://opensips:${SECRET}@db.example:3306/opensips` } },
  }));
  writeFileSync(join(dir, ".opensips-cli.cfg"),
    `[fromcli]\ndatabase_url: mysql://opensips:${SECRET}@localhost\n`);
  const r = await run(["--config", config, "--db-url", `postgres://opensips:${SECRET}@10.0.0.5:5432/opensips`],
    { OPENSIPS_MCP_DB_NODES: `fromenv=postgresql://ro:${SECRET}@[::1]/prov` });
  rmSync(join(dir, ".opensips-cli.cfg"));
  assert.equal(r.code, 0, r.stderr);
  noSecret(r);
  const db = lines(r.stderr).filter((l) => /info: database of node /.test(l));
  assert.equal(db.length, 4, r.stderr);
  assert.match(r.stderr, /^opensips-mcp: info: database of node 'default' \(default\): postgres:\/\/opensips:\*\*\*@10\.0\.0\.5:5432\/opensips \(from --db-url\)$/m);
  assert.match(r.stderr, /^opensips-mcp: info: database of node 'fromenv': postgresql:\/\/ro:\*\*\*@\[::1\]\/prov \(from OPENSIPS_MCP_DB_NODES\)$/m);
  assert.match(r.stderr, /^opensips-mcp: info: database of node 'fromfile': mysql:\/\/opensips:\*\*\*@db\.example:3306\/opensips \(from config file db\.nodes\.fromfile\)$/m);
  // opensips-cli's database_url has no database name: database_name's default is joined to it
  assert.match(r.stderr, new RegExp(`^opensips-mcp: info: database of node 'fromcli': mysql://opensips:\\*\\*\\*@localhost/opensips \\(from ${esc(dir)}/\\.opensips-cli\\.cfg \\[fromcli\\] database_url\\)`, "m"));
});

test("a database beside the MI node it belongs to: db_url in mi.nodes, and --db-url for the default MI node", T, async () => {
  const sim = await startSim();
  const config = join(dir, "mi-db.json");
  writeFileSync(config, JSON.stringify({ mi: { nodes: { pbx1: { address: sim.url, db_url: `mysql://u:${SECRET}@h1/o` } } } }));
  const a = await run(["--config", config]);
  assert.equal(a.code, 0, a.stderr);
  noSecret(a);
  assert.match(a.stderr, /info: database of node 'pbx1': mysql:\/\/u:\*\*\*@h1\/o \(from config file mi\.nodes\.pbx1\.db_url\)$/m);

  const b = await run(["--mi-node", `pbx1=${sim.url}`, "--db-url", `postgres://u:${SECRET}@h/o`]);
  assert.equal(b.code, 0, b.stderr);
  noSecret(b);
  assert.match(b.stderr, /info: database of node 'pbx1': postgres:\/\/u:\*\*\*@h\/o \(from --db-url, for the default MI node\)$/m);
  // a database for a node MI does not know is said so: no reload reaches it
  const c = await run(["--mi-node", `pbx1=${sim.url}`, "--db-node", "pbx1=postgres://h/o", "--db-node", "pbx9=postgres://h/o"]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /info: database of node 'pbx9': postgres:\/\/h\/o \(from --db-node\); no MI node has that name/m);
  assert.match(c.stderr, /info: database of node 'pbx1' \(default\): postgres:\/\/h\/o \(from --db-node\)$/m);
});

test("nothing connects at start: a stdio server with a database configured has not loaded libpq", T, async () => {
  await withServer(["--db-url", deadDb], async (server) => {
    // stdout (the initialize answer) and stderr (the start-up report) are separate pipes: the
    // report may reach us after the answer, so wait for it, bounded
    const REPORT = /database of node 'default': postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/x \(from --db-url\)/;
    for (const end = Date.now() + RUN_WAIT; !REPORT.test(server.stderr) && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 20));
    const maps = readFileSync(`/proc/${server.child.pid}/maps`, "utf8");
    assert.match(maps, /libjansson/, "not the server's map"); // what it links is there
    assert.doesNotMatch(maps, /libpq|libmariadb/, "a database driver was loaded at start");
    assert.doesNotMatch(server.stderr, /secret/);
    assert.match(server.stderr, REPORT);
  }, { env });
});

// Each source of a bad URL: exit 2, a sentence that names the source, no password.
const badStarts = [
  ["a flag", ["--db-url", `postgres://u:${SECRET}@h:99999/x`], {},
    /^opensips-mcp: error: --db-url: node 'default': database URL postgres:\/\/u:\*\*\*@h:99999\/x: the port must be a number from 1 to 65535$/m],
  ["--db-node without NAME=", ["--db-node", `postgres://u:${SECRET}@h/x`], {},
    /error: --db-node: 'postgres:\/\/\*\*\*@h\/x' is not NAME=URL/],
  ["the environment", [], { OPENSIPS_MCP_DB_NODES: `pbx1=oracle://u:${SECRET}@h/x` },
    /error: OPENSIPS_MCP_DB_NODES: node 'pbx1': database URL oracle:\/\/u:\*\*\*@h\/x: unknown scheme 'oracle'/],
  ["a ',' list in the environment", [], { OPENSIPS_MCP_DB_NODES: `a=mysql://u:${SECRET}@h/x,b=mysql://u:${SECRET}@h/y` },
    /error: OPENSIPS_MCP_DB_NODES: the database URL of node 'a' \(mysql:\/\/\*\*\*@h\/x,b=mysql:\/\/\*\*\*@h\/y\) holds more than one/],
  ["a time-out out of range", ["--db-connect-timeout-ms", "0"], {},
    /error: --db-connect-timeout-ms: '0' is not a number of milliseconds from 100 to 600000/],
  ["an unknown --db- option", ["--db-password", SECRET], {}, /error: unknown option '--db-password'/],
  ["a URL whose flag went missing", ["--read-only", `mysql://u:${SECRET}@h/o`], {},
    /error: unexpected argument 'mysql:\/\/u:\*\*\*@h\/o'; see --help/],
  ["the same node twice on the command line", ["--db-url", "postgres://h/a", "--db-node", `default=postgres://u:${SECRET}@h/b`], {},
    /error: --db-node: node 'default' is given a database twice/],
];
for (const [what, args, extra, expected] of badStarts) {
  test(`a bad database setting from ${what}: exit status 2, the source, no password`, T, async () => {
    const r = await run(args, extra);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, expected);
    assert.doesNotMatch(r.stderr, /starting:/);
    noSecret(r);
  });
}

test("a bad database URL in the config file or opensips-cli's file names the file and the key", T, async () => {
  const config = join(dir, "bad.json");
  writeFileSync(config, JSON.stringify({ db: { url: `mysql://u:${SECRET}@/x` } }));
  const a = await run(["--config", config]);
  assert.equal(a.code, 2, a.stderr);
  assert.match(a.stderr, /error: config file db\.url: node 'default': database URL mysql:\/\/u:\*\*\*@\/x has no host/);
  noSecret(a);
  writeFileSync(config, JSON.stringify({ db: { statement_timeout: 5 } }));
  const b = await run(["--config", config]);
  assert.equal(b.code, 2, b.stderr);
  assert.match(b.stderr, new RegExp(`error: config file '${esc(config)}': unknown key db\\.statement_timeout`));
  const cli = join(dir, "bad-cli.cfg");
  writeFileSync(cli, `[pbx1]\ndatabase_url: postgres://opensips:${SECRET}@h:port\n`);
  const c = await run(["--mi-cli-config", cli, "--mi-url", "http://127.0.0.1:1/mi"]);
  assert.equal(c.code, 2, c.stderr);
  assert.match(c.stderr, new RegExp(`error: ${esc(cli)} \\[pbx1\\] database_url: node 'pbx1': database URL postgres://opensips:\\*\\*\\*@h:port`));
  noSecret(c);
});

test("check: an unreachable database is one clear line and exit 1, beside a live MI node", T, async () => {
  const sim = await startSim({ extra: ["--opensips", "4.0"] });
  const r = await run(["check", "--mi-url", sim.url, "--db-url", deadDb, "--db-connect-timeout-ms", "2000"]);
  assert.equal(r.code, 1, r.stderr + r.stdout);
  noSecret(r);
  const out = lines(r.stdout);
  assert.equal(out.length, 2, r.stdout);
  assert.match(out[0], /^default  .*ok  OpenSIPS \(4\.0\.1/);
  assert.match(out[1], new RegExp(`^default  database ${esc(deadDb.replace(SECRET, "***"))}  \\(from --db-url\\)  error: postgresql at .*cannot connect.*(refused|Connection)`, "i"));
});

test("check: databases alone are checked (no MI node), from the environment too; --json has them", T, async () => {
  const r = await run(["check", "--json", "--db-node", `pbx1=${deadDb}`],
    { OPENSIPS_MCP_DB_URL: deadDb.replace("/x", "/y").replace(/^postgres/, "mysql") });
  assert.equal(r.code, 1, r.stderr + r.stdout);
  noSecret(r);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, false);
  assert.deepEqual(doc.nodes, []);
  const byName = Object.fromEntries(doc.databases.map((d) => [d.name, d]));
  assert.deepEqual(Object.keys(byName).sort(), ["default", "pbx1"]);
  assert.equal(byName.pbx1.reachable, false);
  assert.equal(byName.pbx1.error.code, "db_unreachable");
  assert.equal(byName.pbx1.source, "--db-node");
  assert.equal(byName.pbx1.url, deadDb.replace(SECRET, "***"));
  assert.equal(byName.default.source, "OPENSIPS_MCP_DB_URL");
  assert.match(byName.default.url, /^mysql:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/y$/);
  assert.equal(byName.default.error.code, "db_unreachable");
});

test("a tool call with a database configured: its result, its log and its audit line hold no password", T, async () => {
  const sim = await startSim();
  const audit = join(dir, "audit.jsonl");
  const r = await run(["call", "dlg_list", "limit=1", "--mi-url", sim.url, "--db-url", deadDb, "--audit", audit,
    "--log-level", "debug"], { OPENSIPS_MCP_DB_NODES: `pbx2=mysql://u:${SECRET}@h/o` });
  assert.equal(r.code, 0, r.stderr);
  noSecret(r);
  const trail = readFileSync(audit, "utf8");
  assert.match(trail, /"dlg_list"/);
  assert.doesNotMatch(trail, /secret/);
});

test("check: neither an MI node nor a database configured exits 2 and says how to add both", T, async () => {
  const r = await run(["check"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no OpenSIPS MI node is configured; .*--db-url/);
});

test("--help lists the database options with their variables and defaults", T, async () => {
  const r = await run(["--help"]);
  assert.equal(r.code, 0);
  for (const f of ["--db-url URL", "--db-node NAME=URL", "--db-connect-timeout-ms N", "--db-statement-timeout-ms N"])
    assert.ok(r.stdout.includes(f), `${f} missing from --help`);
  assert.match(r.stdout, /--db-connect-timeout-ms N.*\(default 3000\)/);
  assert.match(r.stdout, /--db-statement-timeout-ms N.*\(default 10000\)/);
  // a misspelt database option gets the near name
  const near = await run(["--db-ur", "postgres://h/x"]);
  assert.equal(near.code, 2);
  assert.match(near.stderr, /unknown option '--db-ur'/);
});
