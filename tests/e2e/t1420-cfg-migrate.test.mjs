// cfg_migrate_plan end to end through the MCP SDK client: the listing (read-only, its arguments),
// a real 3.6 script planned to 4.0 (findings by line, every exact rewrite in migrated_content, the
// SDK checking structuredContent against the output schema), idempotence, the hops of 3.4 -> 4.0,
// every bad input (unknown versions, a downgrade, over 1 MiB in characters or in bytes, missing or
// mistyped arguments; a NUL byte never reaches the tool: the JSON parser refuses \u0000), and the
// generated MI data in step with the catalogues (gen-migrate.mjs --check).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, allTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const top = new URL("../../", import.meta.url).pathname;
const args = ["--role", "viewer", "--toolsets", "cfg"];
const residential = readFileSync(join(top, "tests/unit/data/cfg_migrate/residential-3.6.cfg"), "utf8");
const plan = (client, a) => call(client, "cfg_migrate_plan", a);

test("cfg_migrate_plan is listed: read-only, three required strings", T, async () => {
  await withClient(args, async (client) => {
    const t = (await allTools(client)).find((x) => x.name === "cfg_migrate_plan");
    assert.ok(t, "cfg_migrate_plan is not listed");
    assert.deepEqual(t.inputSchema.required.sort(), ["config_content", "from_version", "to_version"]);
    assert.equal(t.inputSchema.properties.config_content.maxLength, 1 << 20);
    assert.equal(t.annotations.readOnlyHint, true);
    assert.ok(t.outputSchema.properties.result.properties.migrated_content);
  });
});

test("a residential 3.6 script planned to 4.0: each break by line, rewritten in migrated_content", T, async () => {
  await withClient(args, async (client) => {
    await allTools(client); // the SDK then checks structuredContent against the output schema
    const r = ok(await plan(client, { config_content: residential, from_version: "3.6.8", to_version: "4.0.1" })).result;
    assert.equal(r.from, "3.6");
    assert.equal(r.to, "4.0");
    assert.equal(r.hops.length, 1);
    assert.deepEqual([r.hops[0].from, r.hops[0].to], ["3.6", "4.0"]);
    assert.ok(r.hops[0].rules > 30 && r.hops[0].notes.length === 3, JSON.stringify(r.hops));
    const lines = residential.split("\n");
    const got = r.findings.map((f) => `${f.line}:${f.column} ${f.rule} ${f.kind}`);
    assert.deepEqual(got, [
      "7:1 core-log_stderror rewrite",
      "8:1 core-log_facility rewrite",
      "9:1 core-log_name rewrite",
      "15:1 core-listen rewrite",
      "16:1 core-listen rewrite",
      "36:1 use_domain-usrloc manual",
      "38:1 usrloc-db_mode rewrite",
      "41:1 use_domain-registrar manual",
      "45:1 use_domain-auth_db manual",
      "45:1 auth_db-load_credentials manual",
      "88:3 dialog-create_dialog-flags rewrite",
    ]);
    for (const f of r.findings) {
      // the text is where the finding says it is, and each has its reason and fix
      assert.equal(lines[f.line - 1].slice(f.column - 1, f.column - 1 + f.text.length), f.text);
      assert.ok(f.reason.length > 20 && f.fix.length > 5, JSON.stringify(f));
    }
    // the commented-out listen in the /* */ block above line 15 is not a finding
    assert.match(lines[13], /listen= was deprecated/);
    assert.equal(r.rewrites_applied, 7);
    assert.equal(r.manual_count, 4);
    const m = r.migrated_content.split("\n");
    assert.equal(m.length, lines.length);
    assert.equal(m[6], "stderror_enabled=no syslog_enabled=yes");
    assert.equal(m[14], "socket=udp:127.0.0.1:5060   # CUSTOMIZE ME");
    assert.equal(m[37], 'modparam("usrloc", "working_mode_preset", "single-instance-sql-write-back")');
    assert.match(m[87], /create_dialog\("bye-on-timeout"\); # end the call/);

    // the plan of the migrated script rewrites nothing more
    const again = ok(await plan(client, { config_content: r.migrated_content, from_version: "3.6", to_version: "4.0" })).result;
    assert.equal(again.rewrites_applied, 0);
    assert.equal(again.manual_count, 4);
    assert.equal(again.migrated_content, r.migrated_content);
  });
});

test("3.4 to 4.0 takes three hops; one without rules says so; avpops becomes sqlops", T, async () => {
  await withClient(args, async (client) => {
    await allTools(client);
    const cfg = 'loadmodule "avpops.so"\nroute { avp_db_load("$fu", "$avp(p)"); exec("opensips-cli -x mi pike_list"); }\n';
    const r = ok(await plan(client, { config_content: cfg, from_version: "3.4", to_version: "4.0" })).result;
    assert.deepEqual(r.hops.map((h) => `${h.from}->${h.to}`), ["3.4->3.5", "3.5->3.6", "3.6->4.0"]);
    assert.equal(r.hops[1].rules, 0);
    assert.match(r.hops[1].notes[0], /no rules for this hop/);
    assert.equal(r.migrated_content,
      'loadmodule "sqlops.so"\nroute { sql_avp_load("$fu", "$avp(p)"); exec("opensips-cli -x mi pike:list"); }\n');
    assert.deepEqual(r.findings.map((f) => f.rule), ["avpops-module", "use_domain-sqlops", "avpops-avp_db_load", "mi-pike_list"]);
    // the same version twice: no hops, nothing to do
    const same = ok(await plan(client, { config_content: cfg, from_version: "3.6", to_version: "3.6.8" })).result;
    assert.deepEqual([same.hops, same.findings, same.migrated_content], [[], [], cfg]);
  });
});

test("bad input is refused with a clear error", T, async () => {
  await withClient(args, async (client) => {
    await allTools(client);
    const bad = async (a, re) => {
      const r = await plan(client, a);
      assert.equal(r.isError, true, JSON.stringify(r).slice(0, 500));
      assert.match(r.content[0].text, re);
    };
    const c = "listen=udp:127.0.0.1:5060\n";
    await bad({ config_content: c, from_version: "3.7", to_version: "4.0" },
      /unknown OpenSIPS version '3\.7' in from_version: supported are 3\.4, 3\.5, 3\.6 and 4\.0/);
    await bad({ config_content: c, from_version: "3.6", to_version: "5.0" }, /unknown OpenSIPS version '5\.0' in to_version/);
    await bad({ config_content: c, from_version: "3.6", to_version: "4.0.x" }, /unknown OpenSIPS version '4\.0\.x'/);
    await bad({ config_content: c, from_version: "4.0", to_version: "3.6" },
      /from_version 4\.0 is newer than to_version 3\.6: a plan only goes forward/);
    // over 1 MiB: in characters the schema refuses it; in bytes (UTF-8) the tool itself does
    await bad({ config_content: "x".repeat((1 << 20) + 1), from_version: "3.6", to_version: "4.0" },
      /'config_content' must be at most 1048576 characters/);
    await bad({ config_content: "\u00e9".repeat(600_000), from_version: "3.6", to_version: "4.0" },
      /config_content is 1200000 bytes, over the limit of 1048576 \(1 MiB\)/);
    await bad({ config_content: c, from_version: "3.6".padEnd(17, "0"), to_version: "4.0" }, /from_version/);
    await bad({ from_version: "3.6", to_version: "4.0" }, /config_content/);
    await bad({ config_content: 5, from_version: "3.6", to_version: "4.0" }, /config_content/);
    await bad({ config_content: c, from_version: "3.6", to_version: "4.0", node: "x" }, /node/);
    // and the server still serves
    const r = ok(await plan(client, { config_content: c, from_version: "3.6", to_version: "4.0" })).result;
    assert.equal(r.migrated_content, "socket=udp:127.0.0.1:5060\n");
  });
});

test("a 1 MiB script is planned: findings stop at 500, every rewrite is made", T, async () => {
  await withClient(args, async (client) => {
    await allTools(client);
    const line = 'xlog("opensips-cli -x mi rtpproxy_show");\n';
    const n = Math.floor((1 << 20) / line.length);
    const r = ok(await plan(client, { config_content: line.repeat(n), from_version: "3.6", to_version: "4.0" })).result;
    assert.equal(r.findings.length, 500);
    assert.equal(r.findings_truncated, true);
    assert.equal(r.rewrites_applied, n);
    assert.equal(r.migrated_content, line.replace("rtpproxy_show", "rtpproxy:show").repeat(n));
  });
});

test("the removed MI names in src/cfg/migrate_mi.h are what the catalogues give", T, () => {
  const gen = join(top, "data/catalogue/gen-migrate.mjs");
  execFileSync(process.execPath, [gen, "--check"], { stdio: "pipe" });
  const h = readFileSync(join(top, "src/cfg/migrate_mi.h"), "utf8");
  const cat = JSON.parse(readFileSync(join(top, "data/catalogue/opensips-mi-catalogue-4.0.1.json"), "utf8"));
  const names = [...h.matchAll(/X\("([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(names.sort(), [...cat.names_from_3_6_not_accepted_by_4_0].sort());
  // --check fails on a copy whose header has drifted from its catalogues
  const dir = mkdtempSync(join(tmpdir(), "mcp-migrate-gen-"));
  try {
    mkdirSync(join(dir, "data"), { recursive: true });
    mkdirSync(join(dir, "src/cfg"), { recursive: true });
    cpSync(join(top, "data/catalogue"), join(dir, "data/catalogue"), { recursive: true });
    writeFileSync(join(dir, "src/cfg/migrate_mi.h"), h.replace('X("pike_rm", "pike", "pike:rm") \\\n', ""));
    const r = spawnSync(process.execPath, [join(dir, "data/catalogue/gen-migrate.mjs"), "--check"], { encoding: "utf8" });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /migrate_mi\.h is not what the catalogues give/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
