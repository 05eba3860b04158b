// Issue 16 item 2: a config under the cfg root (opensips-mcp://cfg/{file}) and a node's database
// schema check (opensips://{node}/db-schema) as resources, through the SDK client. The config
// reads as text/plain, nested too (%2F), absolute under the root too; every refusal is -32002
// saying why ('..', outside the root, a symbolic link as the file or on the way, a directory, a
// FIFO, a missing file, a name that is no config's, no cfg root), a file past 1 MiB or not UTF-8
// is -32603, a bad escape -32002, a role without config.read -32600; {file} completes from the
// configs under the root and nothing else. db-schema with no database configured is -32002
// naming --db-url. (Against a real PostgreSQL: tests/db/t0300-db-schema-resource.test.mjs.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
let dir, root, outside, cfg, sim;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-cfgdb-res-e2e-"));
  // nothing of the machine's or the caller's database configuration
  process.env.HOME = dir;
  for (const k of Object.keys(process.env)) if (/^OPENSIPS_MCP_(DB|CFG_ROOT|OUT_DIR)/.test(k)) delete process.env[k];
  root = join(dir, "etc-opensips");
  outside = join(dir, "outside");
  for (const d of [root, outside, join(root, "sub"), join(root, "sub", "deeper"), join(root, ".hidden"), join(root, "cfg-sessions")])
    mkdirSync(d);
  writeFileSync(join(root, "opensips.cfg"), "log_level=3\nroute { exit; }\n");
  writeFileSync(join(root, "opensips.cfg.m4"), "include(`local.cfg.m4')dnl\n");
  writeFileSync(join(root, "opensips.cfg.bak-20261118-223000"), "old\n");
  writeFileSync(join(root, "sub", "edge.cfg"), "# edge ü\n");
  writeFileSync(join(root, "sub", "deeper", "local.cfg.m4"), "define(`PORT', `5060')\n");
  writeFileSync(join(root, ".hidden", "x.cfg"), "hidden\n");
  writeFileSync(join(root, "notes.txt"), "not a config\n");
  writeFileSync(join(root, "db.cfg"), 'modparam("usrloc", "db_url", "mysql://opensips:opensipsrw@localhost/opensips")\n');
  writeFileSync(join(root, "cfg-sessions", "0123abcd.json"), '{"site_params":{"DB_URL":"mysql://u:pw@h/db"}}');
  writeFileSync(join(outside, "secret.cfg"), "outside\n");
  symlinkSync(join(outside, "secret.cfg"), join(root, "link.cfg"));
  symlinkSync(outside, join(root, "linkdir"));
  mkdirSync(join(root, "dir.cfg"));
  execFileSync("mkfifo", [join(root, "fifo.cfg")]);
  writeFileSync(join(root, "big.cfg"), Buffer.alloc(1024 * 1024 + 1, 0x23));
  writeFileSync(join(root, "exact.cfg"), Buffer.alloc(1024 * 1024, 0x23));
  writeFileSync(join(root, "binary.cfg"), Buffer.from([0x61, 0xff, 0xfe, 0x0a]));
  sim = await startSim({ name: "pbx1" });
  cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify({ roles: { dbonly: ["mi.read", "db.read"] }, mi: { nodes: { pbx1: sim.url }, default: "pbx1" } }));
});

after(async () => {
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const args = (extra = []) => ["--config", cfg, "--role", "admin", "--toolsets", "all", "--cfg-root", root, ...extra];
const uri = (file) => `opensips-mcp://cfg/${encodeURIComponent(file)}`;
const read = (client, u) => client.readResource({ uri: u }, REQ);
const complete = (client, value) =>
  client.complete({ ref: { type: "ref/resource", uri: "opensips-mcp://cfg/{file}" }, argument: { name: "file", value } }, REQ);

// The JSON-RPC error of a failing request: its code and message.
async function error(p) {
  try {
    await p;
  } catch (e) {
    return { code: e.code, message: e.message };
  }
  assert.fail("the request succeeded");
}
async function refused(client, u, code, re) {
  const e = await error(read(client, u));
  assert.equal(e.code, code, `${u}: ${e.message}`);
  assert.match(e.message, re, u);
}

test("both templates are listed with their toolset; a config reads as text/plain, nested and absolute under the root too", T, async () => {
  await withClient(args(), async (client) => {
    const templates = (await client.listResourceTemplates({}, REQ)).resourceTemplates;
    const by = Object.fromEntries(templates.map((t) => [t.uriTemplate, t]));
    assert.equal(by["opensips-mcp://cfg/{file}"]?.mimeType, "text/plain");
    assert.equal(by["opensips://{node}/db-schema"]?.mimeType, "application/json");
    for (const [file, want] of [["opensips.cfg", "log_level=3\nroute { exit; }\n"], ["opensips.cfg.m4", "include(`local.cfg.m4')dnl\n"],
      ["opensips.cfg.bak-20261118-223000", "old\n"], ["sub/edge.cfg", "# edge ü\n"],
      ["sub/deeper/local.cfg.m4", "define(`PORT', `5060')\n"], [join(root, "sub", "edge.cfg"), "# edge ü\n"],
      ["./sub//edge.cfg", "# edge ü\n"]]) {
      const r = await read(client, uri(file));
      assert.equal(r.contents.length, 1);
      assert.equal(r.contents[0].uri, uri(file));
      assert.equal(r.contents[0].mimeType, "text/plain", file);
      assert.equal(r.contents[0].text, want, file);
    }
    // exactly 1 MiB is served
    assert.equal((await read(client, uri("exact.cfg"))).contents[0].text.length, 1024 * 1024);
    // a database password in a URL is not: config.read (the viewer's) must not give the database
    assert.equal((await read(client, uri("db.cfg"))).contents[0].text,
                 'modparam("usrloc", "db_url", "mysql://opensips:***@localhost/opensips")\n');
  });
});

test("refusals: '..', outside the root, links, a directory, a FIFO, missing, not a config, too big, not UTF-8, a bad escape", T, async () => {
  await withClient(args(), async (client) => {
    await refused(client, uri("../outside/secret.cfg"), -32002, /may not contain '\.\.'/);
    await refused(client, uri("sub/../opensips.cfg"), -32002, /may not contain '\.\.'/);
    await refused(client, uri(join(outside, "secret.cfg")), -32002, /is outside the cfg root/);
    await refused(client, uri("/etc/passwd"), -32002, /is outside the cfg root/);
    await refused(client, uri("link.cfg"), -32002, /'link\.cfg' is a symbolic link; it is never followed/);
    await refused(client, uri("linkdir/secret.cfg"), -32002, /'linkdir' is a symbolic link or not a directory/);
    await refused(client, uri("dir.cfg"), -32002, /'dir\.cfg' is not a regular file/);
    await refused(client, uri("fifo.cfg"), -32002, /'fifo\.cfg' is not a regular file/);
    await refused(client, uri("missing.cfg"), -32002, /'missing\.cfg' does not exist/);
    await refused(client, uri("nodir/x.cfg"), -32002, /directory 'nodir' does not exist/);
    await refused(client, uri("notes.txt"), -32002, /'notes\.txt' is not a config: only \*\.cfg and \*\.m4 files and their backups/);
    await refused(client, uri("cfg-sessions/0123abcd.json"), -32002, /is not a config/);
    await refused(client, uri(".hidden/x.cfg.bak-"), -32002, /is not a config/);
    await refused(client, uri("sub"), -32002, /is not a config/);
    await refused(client, uri("big.cfg"), -32603, /'big\.cfg' is larger than 1048576 bytes \(1048577\), the most this resource serves/);
    await refused(client, uri("binary.cfg"), -32603, /is not UTF-8 text/);
    await refused(client, "opensips-mcp://cfg/bad%zz.cfg", -32002, /variable 'file' is badly percent-encoded/);
    await refused(client, "opensips-mcp://cfg/a%00.cfg", -32002, /variable 'file' is badly percent-encoded/);
    // '/' unencoded is no URI of the template
    await refused(client, "opensips-mcp://cfg/sub/edge.cfg", -32002, /Resource not found/);
  });
});

test("a role without config.read may not read a config; without any cfg root the read says which setting to give", T, async () => {
  await withClient(["--config", cfg, "--role", "dbonly", "--toolsets", "all", "--cfg-root", root], async (client) => {
    await refused(client, uri("opensips.cfg"), -32600, /role 'dbonly' may not read/);
  });
  await withClient(["--config", cfg, "--role", "admin", "--toolsets", "all"], async (client) => {
    await refused(client, uri("opensips.cfg"), -32002, /no directory is allowed for configs: the operator must set --cfg-root/);
    assert.deepEqual((await complete(client, "")).completion.values, []);
  });
  // --out-dir-root is the cfg root when --cfg-root is unset
  await withClient(["--config", cfg, "--role", "admin", "--toolsets", "all", "--out-dir-root", root], async (client) => {
    assert.equal((await read(client, uri("sub/edge.cfg"))).contents[0].text, "# edge ü\n");
  });
  // the template is the cfg toolset's
  await withClient(["--config", cfg, "--role", "admin", "--toolsets", "status", "--cfg-root", root], async (client) => {
    const templates = (await client.listResourceTemplates({}, REQ)).resourceTemplates.map((t) => t.uriTemplate);
    assert.ok(!templates.includes("opensips-mcp://cfg/{file}") && !templates.includes("opensips://{node}/db-schema"), templates.join(" "));
    await refused(client, uri("opensips.cfg"), -32002, /Resource not found/);
  });
});

test("{file} completes from the configs under the root, by prefix, and from nothing else", T, async () => {
  await withClient(args(), async (client) => {
    const all = (await complete(client, "")).completion;
    assert.deepEqual(all.values, ["big.cfg", "binary.cfg", "db.cfg", "exact.cfg", "opensips.cfg", "opensips.cfg.bak-20261118-223000",
      "opensips.cfg.m4", "sub/deeper/local.cfg.m4", "sub/edge.cfg"], JSON.stringify(all));
    assert.equal(all.total, all.values.length);
    assert.deepEqual((await complete(client, "sub/")).completion.values, ["sub/deeper/local.cfg.m4", "sub/edge.cfg"]);
    assert.deepEqual((await complete(client, "sub/d")).completion.values, ["sub/deeper/local.cfg.m4"]);
    assert.deepEqual((await complete(client, "opensips.cfg.")).completion.values, ["opensips.cfg.bak-20261118-223000", "opensips.cfg.m4"]);
    assert.deepEqual((await complete(client, "nothing")).completion.values, []);
    // every completion reads
    for (const v of all.values.filter((v) => !/big|binary/.test(v))) assert.ok((await read(client, uri(v))).contents[0].text.length, v);
  });
});

test("completion is bounded in depth: a config deeper than 4 directories below the root is not offered, yet reads", T, async () => {
  const deep = join(root, "a", "b", "c", "d", "e");
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, "deep.cfg"), "deep\n");
  writeFileSync(join(root, "a", "b", "c", "d", "four.cfg"), "four\n");
  try {
    await withClient(args(), async (client) => {
      assert.deepEqual((await complete(client, "a/")).completion.values, ["a/b/c/d/four.cfg"]);
      assert.equal((await read(client, uri("a/b/c/d/e/deep.cfg"))).contents[0].text, "deep\n");
    });
  } finally {
    rmSync(join(root, "a"), { recursive: true, force: true });
  }
});

test("db-schema: with no database configured the read fails naming --db-url; a role without db.read may not read it", T, async () => {
  await withClient(args(), async (client) => {
    await refused(client, "opensips://pbx1/db-schema", -32002, /node 'pbx1': the database check failed \(db_not_configured\): no provisioning database is configured \(set --db-url/);
    await refused(client, "opensips://ghost/db-schema", -32002, /no node 'ghost' is configured/);
    // the tool says the same
    const r = await client.callTool({ name: "db_check", arguments: {} }, undefined, REQ);
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /no provisioning database is configured \(set --db-url/);
  });
  await withClient(["--config", cfg, "--role", "dbonly", "--toolsets", "all"], async (client) => {
    await refused(client, "opensips://pbx1/db-schema", -32002, /db_not_configured/);
  });
  writeFileSync(join(dir, "cfgonly.json"), JSON.stringify({ roles: { cfgonly: ["config.read"] }, mi: { nodes: { pbx1: sim.url } } }));
  await withClient(["--config", join(dir, "cfgonly.json"), "--role", "cfgonly", "--toolsets", "all"], async (client) => {
    await refused(client, "opensips://pbx1/db-schema", -32600, /role 'cfgonly' may not read/);
  });
});
