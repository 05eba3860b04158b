// How a POST that runs on a worker is answered (issue 17, throughput): its connection waits for the
// worker; a reply that comes alone is plain application/json, anything before it (progress, logs,
// a request to the client) or a couple of seconds of silence makes the answer an SSE stream, which
// starts with the priming event. Cancellation and shutdown end a waiting request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FIXTURES, TEST_TIMEOUT, sleep } from "./lib/raw.mjs";
import { HttpServer, withHttpServer, curl, openSession, rpc, messagesOf, parseSse } from "./lib/http.mjs";

const T = { timeout: TEST_TIMEOUT };
const call = (id, name, args = {}, meta) =>
  rpc(id, "tools/call", meta ? { name, arguments: args, _meta: meta } : { name, arguments: args });

test("a tools/call whose result comes alone is answered 200 application/json with the result", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { headers } = await openSession(s.url);
    for (const id of [2, 3]) {
      const r = await curl(s.url, { headers, body: call(id, "test_simple_text") });
      assert.equal(r.status, 200, r.raw);
      assert.match(r.headers["content-type"], /^application\/json/, r.raw);
      assert.equal(r.json.id, id);
      assert.ok(r.json.result?.content?.length, r.raw);
      assert.equal(r.headers["mcp-session-id"], undefined);
    }
    // A tool error is a result too.
    const e = await curl(s.url, { headers, body: call(4, "test_error_handling") });
    assert.match(e.headers["content-type"], /^application\/json/, e.raw);
    assert.equal(e.json.result.isError, true, e.raw);
    // A progressToken on a tool that sends no progress changes nothing.
    const p = await curl(s.url, { headers, body: call(5, "test_simple_text", {}, { progressToken: "t" }) });
    assert.match(p.headers["content-type"], /^application\/json/, p.raw);
    assert.equal(p.json.id, 5);
  });
});

test("log messages before the result make the answer an SSE stream: priming event, logs, result", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { headers } = await openSession(s.url);
    const r = await curl(s.url, { headers, body: call(6, "test_tool_with_logging") });
    assert.equal(r.status, 200, r.raw);
    assert.match(r.headers["content-type"], /^text\/event-stream/, r.raw);
    const events = parseSse(r.body);
    assert.equal(events[0].data, "", `no priming event first: ${r.body}`);
    const msgs = messagesOf(r);
    assert.ok(msgs.slice(0, -1).some((m) => m.method === "notifications/message"), r.body);
    assert.equal(msgs.at(-1).id, 6);
    assert.ok(msgs.at(-1).result, r.body);
  });
});

test("a tools/call silent for longer than the wait is answered as an SSE stream that ends with its result", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { headers } = await openSession(s.url);
    // Longer than the wait (2 s, plus the ticker's second) with margin for a loaded machine.
    const r = await curl(s.url, { headers, body: call(7, "test_sleep", { ms: 7000 }) });
    assert.equal(r.status, 200, r.raw);
    assert.match(r.headers["content-type"], /^text\/event-stream/, r.raw);
    const events = parseSse(r.body);
    assert.equal(events[0].data, "", `no priming event first: ${r.body}`);
    const msgs = messagesOf(r);
    assert.equal(msgs.length, 1, r.body);
    assert.equal(msgs[0].id, 7);
    assert.ok(msgs[0].result, r.body);
  });
});

test("notifications/cancelled ends a waiting tools/call's response, with no result; the session goes on", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { headers } = await openSession(s.url);
    const running = curl(s.url, { headers, body: call(8, "test_sleep", { ms: 60000 }) });
    await sleep(300);
    const n = await curl(s.url, { headers, body: { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 8 } } });
    assert.equal(n.status, 202, n.raw);
    const r = await running; // curl's own bound (10 s) fails a hang
    assert.equal(r.status, 200, r.raw);
    assert.deepEqual(messagesOf(r).filter((m) => m.id === 8), [], `a cancelled request was answered: ${r.raw}`);
    const p = await curl(s.url, { headers, body: rpc(9, "ping") });
    assert.deepEqual(p.json, { jsonrpc: "2.0", id: 9, result: {} });
  });
});

test("DELETE of the session ends its waiting tools/call's response", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { sid, headers } = await openSession(s.url);
    const running = curl(s.url, { headers, body: call(10, "test_sleep", { ms: 60000 }) });
    await sleep(300);
    const d = await curl(s.url, { method: "DELETE", headers: { "Mcp-Session-Id": sid } });
    assert.equal(d.status, 200, d.raw);
    const r = await running;
    assert.equal(r.status, 200, r.raw);
    assert.deepEqual(messagesOf(r).filter((m) => m.id === 10), [], r.raw);
  });
});

test("SIGTERM while tools/calls wait: the server ends their responses and exits 0", T, async () => {
  const s = await HttpServer.start(FIXTURES);
  try {
    const { headers } = await openSession(s.url);
    // Each response must end whole (curl fails a cut-off chunked body), not just stop.
    const running = [11, 12, 13].map((id) => curl(s.url, { headers, body: call(id, "test_sleep", { ms: 60000 }) }).catch((e) => e));
    await sleep(300);
    await s.stop(); // asserts exit 0 within its bound
    for (const r of await Promise.all(running)) {
      assert.ok(!(r instanceof Error), `a response was cut off at shutdown: ${r.message}`);
      assert.equal(r.status, 200, r.raw);
    }
  } finally {
    s.kill();
  }
});
