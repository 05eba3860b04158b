// The audit trail: every tool call, allowed, refused or failed, lands in the JSON Lines file with
// who, what, where and how it ended; secrets are redacted; SIGHUP reopens the file after rotation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, renameSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withServer, TEST_TIMEOUT, sleep, ms } from "./lib/raw.mjs";

const lines = (file) => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));

test("allowed, refused and failed calls are all audited, secrets redacted", { timeout: TEST_TIMEOUT }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mcp-audit-"));
  const file = join(dir, "audit.jsonl");
  try {
    await withServer(["--conformance-fixtures", "--audit", file], async (s) => {
      await s.request("tools/call", { name: "test_simple_text", arguments: {} });
      await s.request("tools/call", { name: "test_schema", arguments: { name: "ok", count: 1, secret: "hunter2" } });
      await s.request("tools/call", { name: "test_schema", arguments: { name: "BAD", count: 1, secret: "hunter3" } });
      await s.request("tools/call", { name: "test_scope_mi_write", arguments: {} }); // viewer: refused
      await s.request("tools/call", { name: "test_error_handling", arguments: {} });
      await s.request("tools/call", { name: "no_such_tool", arguments: {} });
    });
    const raw = readFileSync(file, "utf8");
    assert.ok(!raw.includes("hunter2") && !raw.includes("hunter3"), "a secret reached the audit file");
    const recs = lines(file);
    const by = (tool, event) => recs.filter((r) => r.tool === tool && r.event === event);
    assert.equal(by("test_simple_text", "begin").length, 1);
    const end = by("test_simple_text", "end")[0];
    assert.equal(end.outcome, "ok");
    assert.equal(end.id, by("test_simple_text", "begin")[0].id);
    assert.equal(end.principal, "local");
    assert.equal(end.role, "viewer");
    assert.ok(end.duration_ms >= 0);
    assert.equal(by("test_schema", "begin")[0].args.secret, "***");
    assert.match(by("test_schema", "refused")[0].reason, /must match the pattern/);
    assert.match(by("test_scope_mi_write", "refused")[0].reason, /mi\.write/);
    assert.equal(by("test_error_handling", "end")[0].outcome, "error");
    assert.equal(by("no_such_tool", "refused")[0].reason, "unknown tool");
    for (const r of recs) for (const k of ["ts", "id", "event", "principal", "role", "tool"]) assert.ok(k in r, `${k} missing in ${JSON.stringify(r)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SIGHUP reopens the audit file after it was rotated", { timeout: TEST_TIMEOUT }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mcp-audit-"));
  const file = join(dir, "audit.jsonl");
  try {
    await withServer(["--conformance-fixtures", "--audit", file], async (s) => {
      await s.request("tools/call", { name: "test_simple_text", arguments: {} });
      renameSync(file, file + ".1");
      s.child.kill("SIGHUP");
      for (let i = 0; i < 50 && !existsSync(file); i++) await sleep(ms(20));
      await s.request("tools/call", { name: "test_simple_text", arguments: {} });
    });
    assert.equal(lines(file + ".1").length, 2);
    assert.equal(lines(file).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a bad audit destination stops the start with a clear error", { timeout: TEST_TIMEOUT }, async () => {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(process.env.OPENSIPS_MCP_BIN, ["--audit", "relative/audit.jsonl"], { input: "", encoding: "utf8", timeout: ms(5000) });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /audit/);
});
