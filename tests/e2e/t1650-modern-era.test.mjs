// Both MCP eras on one endpoint: the stateless 2026-07-28 era (server/discover, per-request _meta,
// MRTR input_required, subscriptions/listen, caching hints, Mcp-* headers) beside the legacy one,
// with the dual-era SDK client (@modelcontextprotocol/client 2.x) in both eras on both transports,
// and raw requests for what a client library would never send. The conformance suite's
// 2026-07-28 requirements run in `make conformance`; this file covers what it does not: our own
// tools (the gate's confirmation through MRTR), requestState across replicas, cancellation by
// closing the stream, stdio, and the bad inputs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, TEST_TIMEOUT, sleep, ms, RawServer } from "./lib/raw.mjs";
import { withHttpServer, runToExit } from "./lib/http.mjs";
import { post, listen, connect2, MODERN, meta } from "./lib/stateless.mjs";
import { startSim, requests, clearRequests, stopAll } from "./lib/sim.mjs";
import { inspectHttp } from "./lib/sdk-http.mjs";

const T = { timeout: TEST_TIMEOUT };
let dir, sim;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-modern-e2e-"));
  sim = await startSim({ log: join(dir, "requests.jsonl") });
});
after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const elicit = (answer) => (c) => c.setRequestHandler("elicitation/create", async () => answer);

for (const transport of ["http", "stdio"]) {
  test(`the dual-era client over ${transport}: auto picks 2026-07-28, legacy stays legacy; tools, MRTR, resources, prompts`, T, async () => {
    const run = async (target) => {
      for (const mode of ["auto", "legacy"]) {
        const { client, close } = await connect2(target, {
          mode, capabilities: { elicitation: {} }, setup: elicit({ action: "accept", content: { name: "Alice" } }),
        });
        try {
          assert.equal(client._negotiatedProtocolVersion, mode === "auto" ? MODERN : "2025-11-25", mode);
          const tools = await client.listTools();
          assert.ok(tools.tools.some((t) => t.name === "test_input_required_result_elicitation"));
          const r = await client.callTool({ name: "test_simple_text", arguments: {} });
          assert.equal(r.content[0].text, "This is a simple text response for testing.");
          // MRTR in the modern era, a request on the stream in the legacy one: the same answer
          const e = await client.callTool({ name: "test_input_required_result_elicitation", arguments: {} });
          assert.equal(e.content[0].text, "Hello, Alice!", `${mode}: ${JSON.stringify(e)}`);
          const read = await client.readResource({ uri: "test://static-text" });
          assert.equal(read.contents[0].text, "This is the content of the static text resource.");
          const p = await client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "a", arg2: "b" } });
          assert.match(p.messages[0].content.text, /arg1='a'/);
        } finally {
          await close();
        }
      }
    };
    if (transport === "stdio") await run({ args: FIXTURES });
    else await withHttpServer(FIXTURES, (s) => run({ url: s.url }));
  });
}

test("the Inspector CLI in --protocol-era modern and legacy reaches the same tools over HTTP", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    for (const era of ["modern", "legacy"]) {
      const r = await inspectHttp(s.url, ["--protocol-era", era, "--method", "tools/call", "--tool-name", "test_simple_text"]);
      assert.equal(r.code, 0, `${era}: ${r.stderr}`);
      assert.equal(r.json.result?.content?.[0]?.text ?? r.json.content?.[0]?.text,
                   "This is a simple text response for testing.", `${era}: ${r.stdout}`);
    }
  });
});

test("stateless requests: results carry resultType, serverInfo and caching hints; errors carry the request's id", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const d = await post(s.url, "server/discover");
    assert.equal(d.status, 200);
    assert.ok(d.body.result.supportedVersions.includes(MODERN) && d.body.result.supportedVersions.includes("2025-11-25"));
    assert.equal(d.body.result._meta["io.modelcontextprotocol/serverInfo"].name, "opensips-mcp");
    assert.equal(d.body.result.capabilities.logging, undefined, "logging is per request in 2026-07-28");
    for (const m of ["tools/list", "prompts/list", "resources/list", "resources/templates/list"]) {
      const r = (await post(s.url, m)).body.result;
      assert.equal(r.resultType, "complete", m);
      assert.ok(Number.isInteger(r.ttlMs) && r.ttlMs >= 0 && r.cacheScope === "private", `${m}: ${r.ttlMs} ${r.cacheScope}`);
    }
    const read = (await post(s.url, "resources/read", { uri: "test://static-text" })).body.result;
    assert.equal(read.ttlMs, 0, "a read is live state");
    const call = (await post(s.url, "tools/call", { name: "test_simple_text", arguments: {} })).body.result;
    assert.equal(call.resultType, "complete");
    assert.equal(call.ttlMs, undefined, "a tool result is not cacheable");
    // not found is -32602 with the uri in this era (SEP-2164); -32002 stays for legacy sessions
    const nf = await post(s.url, "resources/read", { uri: "test://nope" });
    assert.equal(nf.body.error.code, -32602);
    assert.equal(nf.body.error.data.uri, "test://nope");
  });
});

test("bad stateless requests get the spec's codes and HTTP statuses, and run nothing", T, async () => {
  await withHttpServer([...FIXTURES, "--audit", join(dir, "bad-audit.jsonl")], async (s) => {
    const cases = [
      ["no _meta", () => post(s.url, "tools/call", { name: "test_simple_text" }, { noMeta: true }), 400, -32602],
      ["_meta without clientCapabilities", () => post(s.url, "tools/call", { name: "test_simple_text",
        _meta: { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": undefined } }), 400, -32602],
      ["an unknown version", () => post(s.url, "tools/call", { name: "test_simple_text", _meta: { "io.modelcontextprotocol/protocolVersion": "2099-01-01" } },
        { headers: { "MCP-Protocol-Version": "2099-01-01" } }), 400, -32022],
      ["a legacy version without a session", () => post(s.url, "tools/call", { name: "test_simple_text", _meta: { "io.modelcontextprotocol/protocolVersion": "2025-11-25" } },
        { headers: { "MCP-Protocol-Version": "2025-11-25" } }), 400, -32022],
      ["header and _meta versions differ", () => post(s.url, "tools/call", { name: "test_simple_text" },
        { headers: { "MCP-Protocol-Version": "2025-11-25" } }), 400, -32020],
      ["no MCP-Protocol-Version", () => post(s.url, "tools/call", { name: "test_simple_text" }, { headers: { "MCP-Protocol-Version": undefined } }), 400, -32020],
      ["no Mcp-Method", () => post(s.url, "tools/list", {}, { headers: { "Mcp-Method": undefined } }), 400, -32020],
      ["Mcp-Method of another method", () => post(s.url, "tools/call", { name: "test_simple_text" }, { headers: { "Mcp-Method": "tools/list" } }), 400, -32020],
      ["Mcp-Method in another case", () => post(s.url, "tools/list", {}, { headers: { "Mcp-Method": "TOOLS/LIST" } }), 400, -32020],
      ["Mcp-Name of another tool", () => post(s.url, "tools/call", { name: "test_simple_text" }, { headers: { "Mcp-Name": "test_sleep" } }), 400, -32020],
      ["no Mcp-Name", () => post(s.url, "tools/call", { name: "test_simple_text" }, { headers: { "Mcp-Name": undefined } }), 400, -32020],
      ["Mcp-Name of another URI", () => post(s.url, "resources/read", { uri: "test://static-text" }, { headers: { "Mcp-Name": "test://static-binary" } }), 400, -32020],
      ["a removed method (ping)", () => post(s.url, "ping"), 404, -32601],
      ["a removed method (resources/subscribe)", () => post(s.url, "resources/subscribe", { uri: "test://watched-resource" }), 404, -32601],
      ["an initialize with the modern _meta", () => post(s.url, "initialize", { protocolVersion: MODERN, capabilities: {}, clientInfo: { name: "x", version: "0" } }), 404, -32601],
      ["an unknown method", () => post(s.url, "no/such"), 404, -32601],
      ["a tool needing sampling, undeclared", () => post(s.url, "tools/call", { name: "test_missing_capability", arguments: {} }), 400, -32021],
      ["a bad logLevel", () => post(s.url, "tools/call", { name: "test_simple_text", _meta: { "io.modelcontextprotocol/logLevel": "loud" } }), 400, -32602],
      ["inputResponses not an object", () => post(s.url, "tools/call", { name: "test_input_required_result_elicitation", inputResponses: [1] }), 400, -32602],
      ["requestState not a string", () => post(s.url, "tools/call", { name: "test_input_required_result_elicitation", requestState: 7 }), 400, -32602],
    ];
    for (const [what, send, status, code] of cases) {
      const id = 9000 + cases.findIndex((c) => c[0] === what);
      const r = await send();
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body?.error?.code, code, `${what}: ${JSON.stringify(r.body)}`);
      assert.ok(r.body.id !== null, `${what}: the error names the request`);
      void id;
    }
    const missing = (await post(s.url, "tools/call", { name: "test_missing_capability", arguments: {} })).body.error;
    assert.deepEqual(missing.data, { requiredCapabilities: { sampling: {} } });
    const v = (await post(s.url, "tools/call", { name: "test_simple_text", _meta: { "io.modelcontextprotocol/protocolVersion": "2099-01-01" } },
      { headers: { "MCP-Protocol-Version": "2099-01-01" } })).body.error;
    assert.deepEqual(v.data, { supported: [MODERN], requested: "2099-01-01" });
    // none of them reached a tool
    const audit = existsSync(join(dir, "bad-audit.jsonl")) ? readFileSync(join(dir, "bad-audit.jsonl"), "utf8") : "";
    assert.doesNotMatch(audit, /"decision":"allowed"/, audit);
  });
});

test("a destructive tool asks through MRTR: accept runs it once, decline and a moved answer change nothing", T, async () => {
  await withHttpServer(["--role", "admin", "--mi-url", sim.url], async (s) => {
    const caps = { elicitation: {} };
    const reloads = () => requests(sim, "dispatcher:reload").length + requests(sim, "ds_reload").length;
    clearRequests(sim);
    const r1 = (await post(s.url, "tools/call", { name: "dispatcher_reload", arguments: {} }, { caps })).body.result;
    assert.equal(r1.resultType, "input_required", JSON.stringify(r1));
    assert.equal(r1.inputRequests.confirm.method, "elicitation/create");
    assert.match(r1.inputRequests.confirm.params.message, /dispatcher/i);
    assert.equal(typeof r1.requestState, "string");
    assert.equal(reloads(), 0, "nothing ran before the answer");

    const again = (inputResponses, args = {}, state = r1.requestState, name = "dispatcher_reload") =>
      post(s.url, "tools/call", { name, arguments: args, inputResponses, requestState: state }, { caps });
    const declined = (await again({ confirm: { action: "decline" } })).body.result;
    assert.equal(declined.isError, true);
    assert.match(declined.content[0].text, /did not confirm/);
    assert.equal(reloads(), 0, "declined: nothing ran");

    // the answer and the state belong to this call: not to other arguments, another tool, or a changed state
    const accept = { confirm: { action: "accept", content: { confirm: true } } };
    for (const [what, r] of [
      ["other arguments", await again(accept, { node: "other" })],
      ["another tool", await again(accept, { statistics: ["a"] }, r1.requestState, "stats_reset")],
      ["a changed state", await again(accept, {}, r1.requestState.slice(0, -2) + (r1.requestState.endsWith("A") ? "BB" : "AA"))],
      ["a state of no server", await again(accept, {}, "e30.AAAA")],
    ]) {
      assert.equal(r.body.error?.code, -32602, `${what}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.message, /requestState/, what);
    }
    assert.equal(reloads(), 0, "no moved answer ran anything");

    const done = (await again(accept)).body.result;
    assert.equal(done.resultType, "complete");
    assert.ok(!done.isError, JSON.stringify(done));
    assert.equal(reloads(), 1, "accepted: it ran once");

    // a client that cannot be asked is told to confirm with confirm: true, as in the legacy era
    const noCaps = (await post(s.url, "tools/call", { name: "dispatcher_reload", arguments: {} })).body.result;
    assert.equal(noCaps.resultType, "complete");
    assert.match(noCaps.content[0].text, /confirm: true/);
  });
});

test("requestState is good on every replica that shares --state-secret-file, and on no other", T, async () => {
  const key = join(dir, "state.key");
  writeFileSync(key, "0123456789abcdef0123456789abcdef-shared-secret");
  const args = [...FIXTURES, "--state-secret-file", key];
  await withHttpServer(args, async (a) => {
    await withHttpServer(args, async (b) => {
      await withHttpServer(FIXTURES, async (c) => {
        const r1 = (await post(a.url, "tools/call", { name: "test_input_required_result_multi_round", arguments: {} })).body.result;
        assert.equal(r1.resultType, "input_required");
        // round 2 on another replica: its answer goes into the next state, which a third round on
        // the first replica completes
        const r2 = (await post(b.url, "tools/call", { name: "test_input_required_result_multi_round", arguments: {},
          inputResponses: { step1: { action: "accept", content: { name: "Bob" } } }, requestState: r1.requestState })).body.result;
        assert.equal(r2.resultType, "input_required", JSON.stringify(r2));
        assert.ok(r2.inputRequests.step2 && !r2.inputRequests.step1, JSON.stringify(r2.inputRequests));
        const r3 = (await post(a.url, "tools/call", { name: "test_input_required_result_multi_round", arguments: {},
          inputResponses: { step2: { action: "accept", content: { color: "blue" } } }, requestState: r2.requestState })).body.result;
        assert.equal(r3.content[0].text, "Bob likes blue");
        // a replica with its own random key refuses it
        const other = await post(c.url, "tools/call", { name: "test_input_required_result_multi_round", arguments: {},
          inputResponses: { step2: { action: "accept", content: { color: "blue" } } }, requestState: r2.requestState });
        assert.equal(other.body.error?.code, -32602);
      });
    });
  });
  for (const [what, content] of [["too short", "short"], ["empty", ""]]) {
    writeFileSync(key, content);
    const r = await runToExit([...FIXTURES, "--state-secret-file", key]);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, /state-secret-file .* at least 32/, what);
  }
  const r = await runToExit([...FIXTURES, "--state-secret-file", join(dir, "missing")]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /state-secret-file .*No such file/);
});

test("closing a stateless request's stream cancels it; logs only with a logLevel", T, async () => {
  const audit = join(dir, "cancel-audit.jsonl");
  await withHttpServer([...FIXTURES, "--audit", audit], async (s) => {
    const ac = new AbortController();
    const started = Date.now();
    const pending = post(s.url, "tools/call", { name: "test_sleep", arguments: { ms: 30000 } }, { signal: ac.signal }).catch((e) => e);
    await sleep(300);
    ac.abort();
    await pending;
    // the end record of the call, long before its 30 s (the stream's probe finds the client gone)
    const isEnd = (l) => l.includes('"event":"end"') && l.includes('"tool":"test_sleep"');
    let ended = [];
    while (Date.now() - started < 20_000 && !ended.some(isEnd)) {
      await sleep(50);
      ended = existsSync(audit) ? readFileSync(audit, "utf8").split("\n") : [];
    }
    assert.ok(ended.some(isEnd), `no end record: ${ended.join("\n")}`);
    assert.ok(Date.now() - started < 20_000);

    const quiet = await post(s.url, "tools/call", { name: "test_logging_tool", arguments: {} });
    assert.ok(!quiet.events.some((e) => e.method === "notifications/message"), "no logLevel: no log messages");
    const loud = await post(s.url, "tools/call", { name: "test_logging_tool", arguments: {}, _meta: { "io.modelcontextprotocol/logLevel": "info" } });
    assert.equal(loud.events.filter((e) => e.method === "notifications/message").length, 3, JSON.stringify(loud.events));
    const high = await post(s.url, "tools/call", { name: "test_logging_tool", arguments: {}, _meta: { "io.modelcontextprotocol/logLevel": "error" } });
    assert.equal(high.events.filter((e) => e.method === "notifications/message").length, 0);
  });
});

test("subscriptions/listen: ack first, then only what was asked, tagged with the listen id", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const l = await listen(s.url, { toolsListChanged: true, resourceSubscriptions: ["test://watched-resource", "test://nope"] });
    assert.equal(l.status, 200);
    const ack = await l.next((f) => f.method === "notifications/subscriptions/acknowledged");
    assert.equal(l.frames[0], ack, "the ack is the first frame");
    assert.equal(ack.params._meta["io.modelcontextprotocol/subscriptionId"], l.id);
    assert.deepEqual(ack.params.notifications, { toolsListChanged: true, resourceSubscriptions: ["test://watched-resource"] },
      "an unknown resource is not honoured");
    const p = await listen(s.url, { promptsListChanged: true });
    await p.next((f) => f.method === "notifications/subscriptions/acknowledged");

    await post(s.url, "tools/call", { name: "test_trigger_tool_change", arguments: {} });
    await post(s.url, "tools/call", { name: "test_update_resource", arguments: {} });
    const tools = await l.next((f) => f.method === "notifications/tools/list_changed");
    assert.equal(tools.params._meta["io.modelcontextprotocol/subscriptionId"], l.id);
    const upd = await l.next((f) => f.method === "notifications/resources/updated");
    assert.equal(upd.params.uri, "test://watched-resource");
    assert.equal(upd.params._meta["io.modelcontextprotocol/subscriptionId"], l.id);
    await post(s.url, "tools/call", { name: "test_trigger_prompt_change", arguments: {} });
    await p.next((f) => f.method === "notifications/prompts/list_changed");
    assert.ok(!p.frames.some((f) => f.method === "notifications/tools/list_changed"), "not asked: not sent");
    assert.ok(!l.frames.some((f) => f.method === "notifications/prompts/list_changed"), "not asked: not sent");
    l.close();
    p.close();

    const bad = await post(s.url, "subscriptions/listen", { notifications: { toolsListChanged: "yes" } });
    assert.equal(bad.body.error.code, -32602);
    const none = await post(s.url, "subscriptions/listen", {});
    assert.equal(none.body.error.code, -32602);
  });
});

test("stdio speaks both eras: a modern request before initialize, and listen streams ended at exit", T, async () => {
  const server = new RawServer(FIXTURES);
  try {
    const d = await server.request("server/discover", { _meta: meta() });
    assert.ok(d.result.supportedVersions.includes(MODERN), JSON.stringify(d));
    const nometa = await server.request("tools/list", {});
    assert.match(nometa.error.message, /not initialized/, "no _meta before initialize: the legacy rule");
    const lid = 777;
    server.send({ jsonrpc: "2.0", id: lid, method: "subscriptions/listen",
                  params: { notifications: { toolsListChanged: true }, _meta: meta() } });
    const ack = await server.waitFor((m) => m.method === "notifications/subscriptions/acknowledged");
    assert.equal(ack.params._meta["io.modelcontextprotocol/subscriptionId"], lid);
    await server.request("tools/call", { name: "test_trigger_tool_change", arguments: {}, _meta: meta() });
    const ch = await server.waitFor((m) => m.method === "notifications/tools/list_changed");
    assert.equal(ch.params._meta["io.modelcontextprotocol/subscriptionId"], lid);
    // end of input: the listen stream gets its result (the subscription ended), the server exits 0
    const exit = await server.close();
    const end = server.responsesFor(lid);
    assert.equal(end.length, 1, JSON.stringify(server.messages.slice(-3)));
    assert.equal(end[0].result._meta["io.modelcontextprotocol/subscriptionId"], lid);
    assert.equal(end[0].result.resultType, "complete");
    assert.deepEqual(exit, { code: 0, signal: null });
  } finally {
    server.kill();
  }
});
