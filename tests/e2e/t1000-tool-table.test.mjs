// The tool table as a whole, generated from tools/list so that every tool any area adds is covered:
// the docs are not stale; every tool states its annotations and describes every argument; the viewer
// role and read-only mode see no tool that changes state, and calling one is refused with a reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { withClient, REQ, allTools } from "./lib/sdk.mjs";
import { BIN, TEST_TIMEOUT, ms } from "./lib/raw.mjs";

const docs = new URL("../../docs/tools.md", import.meta.url);

test("docs/tools.md is what --tools-markdown writes from the rows (run `make docs`)", () => {
  const r = spawnSync(BIN, ["--tools-markdown"], { encoding: "utf8", timeout: ms(10_000) });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(docs, "utf8"), r.stdout, "docs/tools.md is stale: run `make docs`");
});

test("every tool states its annotations and describes every argument", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(["--role", "admin", "--toolsets", "all"], async (client) => {
    const tools = await allTools(client);
    assert.ok(tools.length >= 4);
    for (const t of tools) {
      assert.match(t.name, /^[a-z][a-z0-9_]{0,63}$/, t.name);
      assert.ok(t.title && t.description, `${t.name}: title and description`);
      const a = t.annotations;
      assert.equal(typeof a.readOnlyHint, "boolean", `${t.name}: readOnlyHint`);
      assert.equal(a.openWorldHint, false, `${t.name}: openWorldHint`);
      if (!a.readOnlyHint) {
        assert.equal(typeof a.destructiveHint, "boolean", `${t.name}: destructiveHint`);
        assert.equal(typeof a.idempotentHint, "boolean", `${t.name}: idempotentHint`);
      }
      assert.equal(t.inputSchema.additionalProperties, false, `${t.name}: additionalProperties`);
      for (const [name, p] of Object.entries(t.inputSchema.properties ?? {}))
        assert.ok(p.description && p.description.length >= 10, `${t.name}.${name} has no useful description`);
      assert.ok(t.outputSchema, `${t.name}: outputSchema`);
    }
  });
});

test("the viewer role sees no tool that changes state, and calling one names the missing scope", { timeout: TEST_TIMEOUT }, async () => {
  let writes;
  await withClient(["--role", "admin", "--toolsets", "all"], async (client) => {
    writes = (await allTools(client)).filter((t) => !t.annotations.readOnlyHint);
  });
  assert.ok(writes.length > 0);
  await withClient(["--role", "viewer", "--toolsets", "all"], async (client) => {
    const seen = new Set((await allTools(client)).map((t) => t.name));
    for (const t of writes) {
      assert.ok(!seen.has(t.name), `viewer lists ${t.name}`);
      const r = await client.callTool({ name: t.name, arguments: {} }, undefined, REQ);
      assert.equal(r.isError, true, `${t.name} ran for a viewer`);
      assert.match(r.content[0].text, /permission denied: tool '.*' needs the scope '[a-z.]+', which role 'viewer'/, t.name);
    }
  });
});

test("read-only mode hides and refuses every tool that changes state, whatever the role", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(["--role", "admin", "--toolsets", "all", "--read-only"], async (client) => {
    const tools = await allTools(client);
    assert.ok(tools.every((t) => t.annotations.readOnlyHint), "a write tool is listed in read-only mode");
    for (const name of ["dlg_end", "mi_execute"]) {
      const r = await client.callTool({ name, arguments: {} }, undefined, REQ);
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, /read-only mode/);
    }
  });
});

test("a tool that needs two scopes needs both, and the refusal names each one missing", { timeout: TEST_TIMEOUT }, async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "mcp-scopes-"));
  const cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify({ roles: { stats_only: ["stats.read"], nothing_much: ["mi.read"] } }));
  try {
    // snapshot_capture needs stats.read and config.write: one of the two is not enough
    await withClient(["--config", cfg, "--role", "stats_only", "--toolsets", "all"], async (client) => {
      assert.ok(!(await allTools(client)).some((t) => t.name === "snapshot_capture"), "listed with one of two scopes");
      const r = await client.callTool({ name: "snapshot_capture", arguments: {} }, undefined, REQ);
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, /needs the scope 'config\.write', which role 'stats_only'/);
    });
    await withClient(["--config", cfg, "--role", "nothing_much", "--toolsets", "all"], async (client) => {
      const r = await client.callTool({ name: "snapshot_capture", arguments: {} }, undefined, REQ);
      assert.match(r.content[0].text, /needs the scopes 'stats\.read' and 'config\.write', which role 'nothing_much'/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a misspelt toolset stops the start with the list of toolsets, instead of hiding tools", () => {
  const r = spawnSync(BIN, ["--toolsets", "dialog,registratons"], { input: "", encoding: "utf8", timeout: ms(10_000) });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /command line: unknown toolset 'registratons' \(did you mean 'registrations'\?\); use all, or any of: .*registrations/);
  assert.equal(r.stdout, "");
  const ok = spawnSync(BIN, ["--toolsets", " all , dialog "], { input: "", encoding: "utf8", timeout: ms(10_000) });
  assert.equal(ok.status, 0, ok.stderr);
});
