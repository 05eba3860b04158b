// Lifecycle over stdio: initialize negotiation, what the server declares, requests before initialize,
// exit on stdin EOF and SIGTERM, and fixtures only behind --conformance-fixtures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  BIN, RawServer, withServer, closeClean, listAll, FIXTURES, FIXTURE_TOOLS, FIXTURE_RESOURCES,
  FIXTURE_TEMPLATES, FIXTURE_PROMPTS, TEST_TIMEOUT, EXIT_WAIT, ms, sleep,
} from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const SUPPORTED = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const initParams = (protocolVersion) => ({
  protocolVersion,
  capabilities: {},
  clientInfo: { name: "e2e", version: "0" },
});

for (const version of SUPPORTED) {
  test(`initialize echoes supported protocol version ${version}`, T, async () => {
    await withServer([], async (s) => {
      const r = await s.call("initialize", initParams(version));
      assert.equal(r.protocolVersion, version);
    }, { init: false });
  });
}

for (const version of ["2099-01-01", "2024-10-07", "not-a-version"]) {
  test(`initialize answers unsupported version '${version}' with 2025-11-25`, T, async () => {
    await withServer([], async (s) => {
      const r = await s.call("initialize", initParams(version));
      assert.equal(r.protocolVersion, "2025-11-25");
    }, { init: false });
  });
}

test("initialize without protocolVersion is -32602 invalid params", T, async () => {
  await withServer([], async (s) => {
    const r = await s.request("initialize", { capabilities: {}, clientInfo: { name: "e2e", version: "0" } });
    assert.equal(r.error?.code, -32602, JSON.stringify(r));
    await s.assertAlive("initialize without protocolVersion");
  }, { init: false });
});

test("initialize declares capabilities, serverInfo and instructions", T, async () => {
  await withServer([], async (s) => {
    const r = await s.call("initialize", initParams("2025-11-25"));
    const caps = r.capabilities;
    assert.deepEqual(caps.tools, { listChanged: true });
    assert.deepEqual(caps.resources, { subscribe: true, listChanged: true });
    assert.deepEqual(caps.prompts, { listChanged: true });
    assert.deepEqual(caps.logging, {});
    assert.deepEqual(caps.completions, {});
    assert.equal(r.serverInfo.name, "opensips-mcp");
    assert.equal(typeof r.serverInfo.title, "string");
    assert.ok(r.serverInfo.title.length > 0, "serverInfo.title is empty");
    assert.match(r.serverInfo.version, /^\d+\.\d+/);
    assert.equal(typeof r.instructions, "string");
    assert.ok(r.instructions.trim().length > 0, "instructions are empty");
  }, { init: false });
});

test("a request before initialize is -32600 Invalid Request", T, async () => {
  await withServer([], async (s) => {
    const r = await s.request("tools/list", {});
    assert.equal(r.error?.code, -32600, JSON.stringify(r));
    assert.match(r.error.message, /^Invalid Request/);
    // The session is not poisoned: initialize still works afterwards.
    await s.initialize();
    await s.call("tools/list", {});
  }, { init: false });
});

test("ping is answered before initialize", T, async () => {
  await withServer([], async (s) => {
    await s.assertAlive("nothing (before initialize)");
  }, { init: false });
});

test("ping with a string id echoes that id", T, async () => {
  await withServer([], async (s) => {
    const r = await s.request("ping", undefined, { id: "ping-\u00e9-1" });
    assert.deepEqual(r, { jsonrpc: "2.0", id: "ping-\u00e9-1", result: {} });
  });
});

test("exits 0 promptly on stdin EOF", T, async () => {
  const s = new RawServer([]);
  await s.initialize();
  const t0 = Date.now();
  await closeClean(s);
  assert.ok(Date.now() - t0 < EXIT_WAIT);
});

test("exits 0 on stdin EOF without any input at all", T, async () => {
  const s = new RawServer([]);
  await closeClean(s);
});

test("exits 0 promptly on stdin EOF while a slow tool call is in flight", T, async () => {
  const s = new RawServer(FIXTURES);
  await s.initialize();
  s.send({ jsonrpc: "2.0", id: 50, method: "tools/call", params: { name: "test_sleep", arguments: { ms: 600000 } } });
  await sleep(ms(200));
  await closeClean(s);
});

test("exits 0 promptly on SIGTERM", T, async () => {
  const s = new RawServer([]);
  await s.initialize();
  s.kill("SIGTERM");
  const r = await s.waitExit();
  assert.deepEqual(r, { code: 0, signal: null }, s.stderrTail());
  assert.deepEqual(s.badLines, []);
});

test("exits 0 promptly on SIGTERM while a slow tool call is in flight", T, async () => {
  const s = new RawServer(FIXTURES);
  await s.initialize();
  s.send({ jsonrpc: "2.0", id: 51, method: "tools/call", params: { name: "test_sleep", arguments: { ms: 600000 } } });
  await sleep(ms(200));
  s.kill("SIGTERM");
  const r = await s.waitExit();
  assert.deepEqual(r, { code: 0, signal: null }, s.stderrTail());
});

test("stdout carries only JSON-RPC even with debug logging on stderr", T, async () => {
  await withServer([...FIXTURES, "--log-level", "debug"], async (s) => {
    await s.call("tools/list", {});
    await s.call("tools/call", { name: "test_tool_with_logging", arguments: {} });
    s.send("not json");
    await s.waitFor((m) => m.error?.code === -32700);
    // withServer's close checks every stdout line parsed as a JSON-RPC message.
  });
});

test("fixtures are absent without --conformance-fixtures", T, async () => {
  await withServer([], async (s) => {
    const tools = (await listAll(s, "tools/list", "tools")).items.map((t) => t.name);
    const resources = (await listAll(s, "resources/list", "resources")).items.map((r) => r.uri);
    const templates = (await listAll(s, "resources/templates/list", "resourceTemplates")).items.map(
      (t) => t.uriTemplate,
    );
    const prompts = (await listAll(s, "prompts/list", "prompts")).items.map((p) => p.name);
    for (const name of FIXTURE_TOOLS) assert.ok(!tools.includes(name), `tool ${name} listed without the flag`);
    for (const uri of FIXTURE_RESOURCES) assert.ok(!resources.includes(uri), `resource ${uri} listed`);
    for (const t of FIXTURE_TEMPLATES) assert.ok(!templates.includes(t), `template ${t} listed`);
    for (const p of FIXTURE_PROMPTS) assert.ok(!prompts.includes(p), `prompt ${p} listed`);
    assert.ok(!tools.some((n) => n.startsWith("test_")), `a test_ tool is listed: ${tools}`);

    const r = await s.request("tools/call", { name: "test_simple_text", arguments: {} });
    assert.equal(r.error?.code, -32602, JSON.stringify(r));
    assert.equal(r.error.message, "Unknown tool: test_simple_text");
    const rr = await s.request("resources/read", { uri: "test://static-text" });
    assert.equal(rr.error?.code, -32002, JSON.stringify(rr));
    const p = await s.request("prompts/get", { name: "test_simple_prompt" });
    assert.equal(p.error?.code, -32602, JSON.stringify(p));
  });
});

test("a bad command-line value is refused at start: exit 2, stderr names it, stdout stays empty", T, () => {
  for (const [args, name] of [
    [["--page-size", "0"], "page-size"],
    [["--page-size", "abc"], "page-size"],
    [["--max-message-size", "-5"], "max-message-size"],
    [["--log-level", "loud"], "log-level"],
    [["--no-such-flag"], "--no-such-flag"],
  ]) {
    const r = spawnSync(BIN, args, { input: "", timeout: EXIT_WAIT, encoding: "utf8" });
    assert.equal(r.status, 2, `${args.join(" ")}: status ${r.status} signal ${r.signal}; ${r.stderr}`);
    assert.ok(r.stderr.includes(name), `${args.join(" ")}: stderr does not name '${name}': ${r.stderr}`);
    assert.equal(r.stdout, "", `${args.join(" ")} wrote to stdout`);
  }
});

test("OPENSIPS_MCP_PAGE_SIZE sets the page size and --page-size wins over it", T, async () => {
  const firstPage = async (args) => {
    let n;
    await withServer(args, async (s) => {
      n = (await s.call("tools/list", {})).tools.length;
    }, { env: { OPENSIPS_MCP_PAGE_SIZE: "3" } });
    return n;
  };
  assert.equal(await firstPage(FIXTURES), 3);
  assert.equal(await firstPage([...FIXTURES, "--page-size", "5"]), 5);
});
