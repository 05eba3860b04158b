// Real clients over Streamable HTTP: the official SDK's StreamableHTTPClientTransport (lists, progress,
// ping, DELETE on close, elicitation on the POST's SSE stream) and the Inspector CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FIXTURES, FIXTURE_TOOLS, TEST_TIMEOUT, textOf } from "./lib/raw.mjs";
import { withHttpServer, curl, rpc, POST_HEADERS, assertRefused } from "./lib/http.mjs";
import { connectHttp, withHttpClient, inspectHttp, types, REQ } from "./lib/sdk-http.mjs";

const T = { timeout: TEST_TIMEOUT };
const { ElicitRequestSchema, ResourceUpdatedNotificationSchema } = types;

test("SDK over HTTP: connect, page through tools/list, call with progress, ping, close sends DELETE", T, async () => {
  await withHttpServer([...FIXTURES, "--page-size", "3"], async (s) => {
    const { client: c, transport, close } = await connectHttp(s.url);
    const sid = transport.sessionId;
    assert.match(sid ?? "", /^[\x21-\x7e]{32,}$/);
    assert.equal(c.getServerVersion().name, "opensips-mcp");

    const names = [];
    let cursor;
    let pages = 0;
    do {
      const r = await c.listTools(cursor ? { cursor } : {}, REQ);
      assert.ok(r.tools.length <= 3, `page of ${r.tools.length} with --page-size 3`);
      names.push(...r.tools.map((t) => t.name));
      cursor = r.nextCursor;
      assert.ok(++pages < 50);
    } while (cursor);
    assert.ok(pages >= Math.ceil(FIXTURE_TOOLS.length / 3), `only ${pages} pages`);
    for (const n of FIXTURE_TOOLS) assert.ok(names.includes(n), `${n} missing`);
    assert.equal(new Set(names).size, names.length, "a tool listed twice across pages");

    const progress = [];
    const r = await c.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, {
      ...REQ,
      onprogress: (p) => progress.push(p.progress),
    });
    assert.notEqual(r.isError, true, JSON.stringify(r));
    assert.ok(progress.length >= 3, `progress callbacks: ${progress}`);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
    const simple = await c.callTool({ name: "test_simple_text", arguments: {} }, undefined, REQ);
    assert.equal(textOf(simple), "This is a simple text response for testing.");
    assert.deepEqual(await c.ping(REQ), {});

    await close(); // DELETE, then close
    const after = await curl(s.url, { headers: { ...POST_HEADERS, "Mcp-Session-Id": sid }, body: rpc(1, "ping") });
    assertRefused(after, 404, -32001, "the SDK's session after terminateSession");
  });
});

test("SDK over HTTP: elicitation travels on the POST's SSE stream and its answer comes back", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const asked = [];
    await withHttpClient(s.url, async (c) => {
      const r = await c.callTool({ name: "test_elicitation", arguments: { message: "Who are you over HTTP?" } }, undefined, REQ);
      assert.notEqual(r.isError, true, JSON.stringify(r));
      assert.match(textOf(r), /^User response: /);
      assert.ok(textOf(r).includes("alice"), textOf(r));
      assert.equal(asked.length, 1);
      assert.equal(asked[0].message, "Who are you over HTTP?");
      assert.deepEqual([...asked[0].requestedSchema.required].sort(), ["email", "username"]);
      // The session goes on after the round trip.
      assert.deepEqual(await c.ping(REQ), {});
    }, {
      capabilities: { elicitation: {} },
      setup: (c) => c.setRequestHandler(ElicitRequestSchema, (req) => {
        asked.push(req.params);
        return { action: "accept", content: { username: "alice", email: "alice@example.com" } };
      }),
    });
  });
});

test("SDK over HTTP: resource updates arrive on the SDK's GET stream; two clients do not see each other's", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const seenA = [];
    const seenB = [];
    const a = await connectHttp(s.url, { setup: (c) => c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => seenA.push(n.params)) });
    const b = await connectHttp(s.url, { setup: (c) => c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => seenB.push(n.params)) });
    try {
      assert.notEqual(a.transport.sessionId, b.transport.sessionId);
      await a.client.subscribeResource({ uri: "test://watched-resource" }, REQ);
      // The SDK opens its GET stream in the background after initialized: retry the update until
      // the notification lands, bounded.
      const deadline = Date.now() + REQ.timeout;
      while (!seenA.length && Date.now() < deadline) {
        await a.client.callTool({ name: "test_update_resource", arguments: {} }, undefined, REQ);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(seenA.length >= 1, "no notifications/resources/updated reached the subscribed SDK client");
      assert.equal(seenA[0].uri, "test://watched-resource");
      assert.equal(seenB.length, 0, "an unsubscribed session got another session's update");
    } finally {
      await a.close();
      await b.close();
    }
  });
});

test("Inspector CLI over HTTP: tools/list and tools/call exit 0", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const list = await inspectHttp(s.url, ["--method", "tools/list"]);
    assert.equal(list.code, 0, `exit ${list.code}: ${list.stderr}`);
    const names = list.json.result.tools.map((t) => t.name);
    for (const n of FIXTURE_TOOLS) assert.ok(names.includes(n), `${n} missing`);
    const call = await inspectHttp(s.url, ["--method", "tools/call", "--tool-name", "test_simple_text"]);
    assert.equal(call.code, 0, `exit ${call.code}: ${call.stderr}`);
    assert.deepEqual(call.json.result.content, [{ type: "text", text: "This is a simple text response for testing." }]);
    // A header the server ignores (no tokens configured) is harmless.
    const hdr = await inspectHttp(s.url, ["--method", "tools/list", "--header", "X-Trace: e2e"]);
    assert.equal(hdr.code, 0, `exit ${hdr.code}: ${hdr.stderr}`);
  });
});
