// Streamable HTTP (2025-11-25) driven by the real curl binary: every status the transport gives, with
// the JSON-RPC error code of its body where there is one (mcp-notes.md §3.2, issue 5).
import { test } from "node:test";
import assert from "node:assert/strict";
import { FIXTURES, PROTOCOL, TEST_TIMEOUT, sleep, ms } from "./lib/raw.mjs";
import {
  POST_HEADERS, HttpServer, withHttpServer, curl, curlStream, openSession, rpc, INIT_PARAMS, messagesOf,
  parseSse, assertRefused, runToExit, freePort,
} from "./lib/http.mjs";

const T = { timeout: TEST_TIMEOUT };
const VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
const SESSION_NOT_FOUND = -32001;

test("initialize and ping answer 200 application/json; sessions get distinct random ids", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const a = await curl(s.url, { headers: POST_HEADERS, body: rpc(1, "initialize", INIT_PARAMS()) });
    assert.equal(a.status, 200, a.raw);
    assert.match(a.headers["content-type"], /^application\/json/);
    assert.equal(a.json.id, 1);
    assert.equal(a.json.result.protocolVersion, PROTOCOL);
    const sidA = a.headers["mcp-session-id"];
    assert.match(sidA ?? "", /^[\x21-\x7e]{32,}$/, `session id '${sidA}' is not >= 32 visible ASCII characters`);
    const b = await openSession(s.url);
    assert.match(b.sid, /^[\x21-\x7e]{32,}$/);
    assert.notEqual(b.sid, sidA, "two sessions got the same id");

    const p = await curl(s.url, { headers: b.headers, body: rpc(7, "ping") });
    assert.equal(p.status, 200, p.raw);
    assert.match(p.headers["content-type"], /^application\/json/);
    assert.deepEqual(p.json, { jsonrpc: "2.0", id: 7, result: {} });
    assert.equal(p.headers["mcp-session-id"], undefined, "only the initialize response carries the session id");
  });
});

test("tools/call with a progressToken answers 200 text/event-stream: priming event, progress, result", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { headers } = await openSession(s.url);
    const r = await curl(s.url, {
      headers,
      body: rpc(5, "tools/call", { name: "test_tool_with_progress", arguments: {}, _meta: { progressToken: "p-1" } }),
    });
    assert.equal(r.status, 200, r.raw);
    assert.match(r.headers["content-type"], /^text\/event-stream/);
    const events = parseSse(r.body);
    assert.ok(events.length >= 5, `events: ${r.body}`);
    // The priming event: an id and empty data (SEP-1699).
    assert.ok(events[0].id, `first event has no id: ${JSON.stringify(events[0])}`);
    assert.equal(events[0].data, "", `first event is not a priming event: ${JSON.stringify(events[0])}`);
    const ids = events.map((e) => e.id);
    assert.ok(ids.every(Boolean), "every event carries an id");
    assert.equal(new Set(ids).size, ids.length, `event ids repeat: ${ids}`);
    const msgs = events.slice(1).map((e) => JSON.parse(e.data));
    const progress = msgs.slice(0, -1);
    assert.ok(progress.length >= 3, `progress notifications: ${JSON.stringify(progress)}`);
    for (const m of progress) {
      assert.equal(m.method, "notifications/progress");
      assert.equal(m.params.progressToken, "p-1");
    }
    const values = progress.map((m) => m.params.progress);
    assert.deepEqual(values, [...values].sort((x, y) => x - y), "progress increases");
    const last = msgs.at(-1);
    assert.equal(last.id, 5);
    assert.ok(last.result?.content, `last event is not the result: ${JSON.stringify(last)}`);
  });
});

test("a notification and a response message are answered 202 with no body", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { headers } = await openSession(s.url); // asserts 202 for notifications/initialized
    const n = await curl(s.url, { headers, body: { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 42 } } });
    assert.equal(n.status, 202, n.raw);
    assert.equal(n.body, "");
    const resp = await curl(s.url, { headers, body: { jsonrpc: "2.0", id: "not-ours", result: {} } });
    assert.equal(resp.status, 202, resp.raw);
    assert.equal(resp.body, "");
    const err = await curl(s.url, { headers, body: { jsonrpc: "2.0", id: 9, error: { code: -1, message: "x" } } });
    assert.equal(err.status, 202, err.raw);
  });
});

test("session errors: 400 without Mcp-Session-Id (a stateless request lacking _meta), 404 unknown, DELETE 200 then 404", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    // without a session a request is of the 2026-07-28 era, which needs its _meta; a method
    // that era removed is not found, whatever else the request lacks
    const noMeta = await curl(s.url, { headers: { ...POST_HEADERS, "Mcp-Method": "tools/list" }, body: rpc(2, "tools/list") });
    assertRefused(noMeta, 400, -32602, "no session id, no _meta");
    assert.match(noMeta.json.error.message, /initialize first/);
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, "Mcp-Method": "ping" }, body: rpc(2, "ping") }),
                  404, -32601, "ping without a session");
    const unknown = { ...POST_HEADERS, "Mcp-Session-Id": "0123456789abcdef0123456789abcdef" };
    assertRefused(await curl(s.url, { headers: unknown, body: rpc(2, "ping") }), 404, SESSION_NOT_FOUND, "unknown session");
    assertRefused(await curl(s.url, { headers: { ...unknown, "Mcp-Session-Id": "x" }, body: rpc(2, "ping") }), 404, SESSION_NOT_FOUND);

    const a = await openSession(s.url);
    const b = await openSession(s.url);
    const d = await curl(s.url, { method: "DELETE", headers: { "Mcp-Session-Id": a.sid } });
    assert.equal(d.status, 200, d.raw);
    assertRefused(await curl(s.url, { headers: a.headers, body: rpc(3, "ping") }), 404, SESSION_NOT_FOUND, "after DELETE");
    assertRefused(await curl(s.url, { method: "GET", headers: { ...a.headers, Accept: "text/event-stream" } }), 404, SESSION_NOT_FOUND, "GET after DELETE");
    assertRefused(await curl(s.url, { method: "DELETE", headers: { "Mcp-Session-Id": a.sid } }), 404, SESSION_NOT_FOUND, "DELETE twice");
    assertRefused(await curl(s.url, { method: "DELETE" }), 400, -32000, "DELETE without a session id");
    // The other session is untouched.
    const p = await curl(s.url, { headers: b.headers, body: rpc(4, "ping") });
    assert.deepEqual(p.json?.result, {}, p.raw);
  });
});

test("MCP-Protocol-Version: every supported version is accepted in any session, others are 400", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    for (const negotiated of ["2025-11-25", "2024-11-05"]) {
      const { headers, init } = await openSession(s.url, { protocolVersion: negotiated });
      assert.equal(init.protocolVersion, negotiated);
      for (const v of VERSIONS) {
        const r = await curl(s.url, { headers: { ...headers, "MCP-Protocol-Version": v }, body: rpc(3, "ping") });
        assert.equal(r.status, 200, `negotiated ${negotiated}, header ${v}: ${r.raw}`);
        assert.deepEqual(r.json.result, {});
      }
      // Absent: assumed, accepted.
      const noHeader = { ...headers };
      delete noHeader["MCP-Protocol-Version"];
      assert.equal((await curl(s.url, { headers: noHeader, body: rpc(4, "ping") })).status, 200);
      for (const bad of ["2099-01-01", "2025-11-25x", "garbage"]) {
        const r = await curl(s.url, { headers: { ...headers, "MCP-Protocol-Version": bad }, body: rpc(5, "ping") });
        assertRefused(r, 400, -32000, `header ${bad}`);
      }
    }
  });
});

test("unparsable and invalid bodies are 400 with -32700 / -32600", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { headers } = await openSession(s.url);
    assertRefused(await curl(s.url, { headers, body: '{"jsonrpc":"2.0","id":1,"method":' }), 400, -32700, "truncated JSON");
    assertRefused(await curl(s.url, { headers, body: "not json at all" }), 400, -32700, "garbage");
    assertRefused(await curl(s.url, { headers: POST_HEADERS, body: "{" }), 400, -32700, "garbage without a session");
    assertRefused(await curl(s.url, { headers, body: '{"jsonrpc":"2.0"}' }), 400, -32600, "no method");
    assertRefused(await curl(s.url, { headers, body: "[]" }), 400, -32600, "batch");
    // The session survives.
    assert.deepEqual((await curl(s.url, { headers, body: rpc(2, "ping") })).json?.result, {});
  });
});

test("406 without the Accept types, 415 for a wrong Content-Type, 405 for PUT, 404 off /mcp", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { headers } = await openSession(s.url);
    const init = rpc(1, "initialize", INIT_PARAMS());
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Accept: "application/json" }, body: init }), 406, -32000, "Accept without SSE");
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Accept: "text/event-stream" }, body: init }), 406, -32000, "Accept without JSON");
    assertRefused(await curl(s.url, { headers: { ...headers, Accept: "text/html" }, body: rpc(2, "ping") }), 406, -32000, "Accept text/html");
    assertRefused(await curl(s.url, { headers: { ...headers, Accept: null }, body: rpc(2, "ping") }), 406, -32000, "no Accept");
    // GET needs text/event-stream.
    assertRefused(await curl(s.url, { method: "GET", headers: { ...headers, Accept: "application/json" } }), 406, -32000, "GET Accept JSON");
    assertRefused(await curl(s.url, { method: "GET", headers: { ...headers, Accept: null } }), 406, -32000, "GET without Accept");

    assertRefused(await curl(s.url, { headers: { ...headers, "Content-Type": "text/plain" }, body: rpc(2, "ping") }), 415, -32000, "text/plain");
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, "Content-Type": "text/plain" }, body: init }), 415, -32000, "text/plain initialize");
    assertRefused(await curl(s.url, { headers: { ...headers, "Content-Type": null }, body: rpc(2, "ping") }), 415, -32000, "no Content-Type");
    // A charset parameter is fine.
    const cs = await curl(s.url, { headers: { ...headers, "Content-Type": "application/json; charset=utf-8" }, body: rpc(2, "ping") });
    assert.equal(cs.status, 200, cs.raw);

    const put = await curl(s.url, { method: "PUT", headers, body: rpc(2, "ping") });
    assertRefused(put, 405, -32000, "PUT");
    assert.match(put.headers.allow ?? "", /POST/, `405 without an Allow header: ${put.raw}`);
    assertRefused(await curl(s.url, { method: "PATCH", headers }), 405, -32000, "PATCH");

    const base = `http://127.0.0.1:${s.port}`;
    assertRefused(await curl(`${base}/`, { headers: POST_HEADERS, body: init }), 404, -32000, "POST /");
    assertRefused(await curl(`${base}/mcp/x`, { headers: POST_HEADERS, body: init }), 404, -32000, "POST /mcp/x");
    assertRefused(await curl(`${base}/other`, { method: "GET", headers: { Accept: "text/event-stream" } }), 404, -32000, "GET /other");
  });
});

test("413 for a body over --max-message-size, with Content-Length and chunked", T, async () => {
  await withHttpServer([...FIXTURES, "--max-message-size", "2048"], async (s) => {
    const { headers } = await openSession(s.url);
    const big = JSON.stringify(rpc(3, "tools/call", { name: "test_schema", arguments: { name: "x".repeat(4096) } }));
    assert.ok(big.length > 4096);
    assertRefused(await curl(s.url, { headers, body: big }), 413, -32600, "4 KiB with Content-Length");
    assertRefused(await curl(s.url, { headers: { ...headers, "Transfer-Encoding": "chunked" }, body: big }), 413, -32600, "4 KiB chunked");
    // Just under the limit is fine, and the session survives.
    const small = JSON.stringify(rpc(4, "tools/call", { name: "test_schema", arguments: { name: "y".repeat(1500) } }));
    assert.ok(small.length < 2048);
    const ok = await curl(s.url, { headers, body: small });
    assert.equal(ok.status, 200, ok.raw);
    assert.ok(messagesOf(ok).at(-1)?.result, ok.raw);
  });
});

test("Origin and Host: foreign ones 403, loopback ones and --allowed-origins accepted", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const init = rpc(1, "initialize", INIT_PARAMS());
    const evil = "http://evil.example.com";
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Origin: evil }, body: init }), 403, -32000, "evil Origin");
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Host: "evil.example.com" }, body: init }), 403, -32000, "evil Host");
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Host: "evil.example.com", Origin: evil }, body: init }), 403, -32000, "both");
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Host: `localhost.evil.example.com:${s.port}` }, body: init }), 403, -32000, "localhost. prefix Host");
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Origin: "http://localhost.evil.example.com" }, body: init }), 403, -32000, "localhost. prefix Origin");
    // The configured-elsewhere origin is not accepted here.
    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Origin: "https://app.example.com" }, body: init }), 403, -32000);
    for (const origin of [`http://localhost:${s.port}`, `http://127.0.0.1:${s.port}`, "http://localhost"]) {
      const r = await curl(s.url, { headers: { ...POST_HEADERS, Origin: origin, Host: `localhost:${s.port}` }, body: init });
      assert.equal(r.status, 200, `Origin ${origin}: ${r.raw}`);
      assert.ok(r.headers["mcp-session-id"]);
    }
    // A refused Origin applies to sessions too.
    const { headers } = await openSession(s.url);
    assertRefused(await curl(s.url, { headers: { ...headers, Origin: evil }, body: rpc(2, "ping") }), 403, -32000);
    assertRefused(await curl(s.url, { method: "GET", headers: { ...headers, Accept: "text/event-stream", Origin: evil } }), 403, -32000);
  });
  await withHttpServer([...FIXTURES, "--allowed-origins", "https://app.example.com"], async (s) => {
    const init = rpc(1, "initialize", INIT_PARAMS());
    const ok = await curl(s.url, { headers: { ...POST_HEADERS, Origin: "https://app.example.com" }, body: init });
    assert.equal(ok.status, 200, ok.raw);
    for (const bad of ["http://app.example.com", "https://app.example.com.evil.example.com", "http://evil.example.com"]) {
      assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, Origin: bad }, body: init }), 403, -32000, `Origin ${bad}`);
    }
  });
});

test("GET stream delivers resources/updated after subscribe; a second GET is 409; DELETE ends it", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const { sid, headers } = await openSession(s.url);
    const get = curlStream(s.url, { headers: { "Mcp-Session-Id": sid, Accept: "text/event-stream", "MCP-Protocol-Version": PROTOCOL } });
    try {
      await get.waitFor(/\r\n\r\n/, { what: "GET response headers" });
      const head = get.response();
      assert.equal(head.status, 200, get.out);
      assert.match(head.headers["content-type"], /^text\/event-stream/);

      assertRefused(await curl(s.url, { method: "GET", headers: { "Mcp-Session-Id": sid, Accept: "text/event-stream" } }), 409, -32000, "second GET");

      const sub = await curl(s.url, { headers, body: rpc(2, "resources/subscribe", { uri: "test://watched-resource" }) });
      assert.deepEqual(sub.json?.result, {}, sub.raw);
      const call = await curl(s.url, { headers, body: rpc(3, "tools/call", { name: "test_update_resource", arguments: {} }) });
      assert.equal(call.status, 200, call.raw);
      const result = messagesOf(call).at(-1);
      assert.notEqual(result?.result?.isError, true, call.raw);
      await get.waitFor(/notifications\/resources\/updated/, { what: "notifications/resources/updated" });
      const msgs = parseSse(get.response().body).filter((e) => e.data).map((e) => JSON.parse(e.data));
      const upd = msgs.find((m) => m.method === "notifications/resources/updated");
      assert.equal(upd.params.uri, "test://watched-resource");
      // Not on the POST's stream as well: every message goes on exactly one stream.
      assert.ok(!messagesOf(call).some((m) => m.method === "notifications/resources/updated"), "broadcast on both streams");

      // Ending the session ends its GET stream.
      assert.equal((await curl(s.url, { method: "DELETE", headers: { "Mcp-Session-Id": sid } })).status, 200);
      const ended = await get.ended();
      assert.deepEqual(ended, { code: 0, signal: null }, `GET stream still open after DELETE:\n${get.out}`);
    } finally {
      await get.stop();
    }

    // A GET stream still open at SIGTERM does not hold the shutdown (withHttpServer asserts exit 0).
    const other = await openSession(s.url);
    const held = curlStream(s.url, { headers: { "Mcp-Session-Id": other.sid, Accept: "text/event-stream" } });
    await held.waitFor(/\r\n\r\n/, { what: "GET response headers" });
    const t0 = Date.now();
    await s.stop();
    assert.ok(Date.now() - t0 < ms(3000), `shutdown with an open GET stream took ${Date.now() - t0} ms`);
    await held.stop();
  });
});

test("session expiry: --session-idle-s 1 ends an unused session (404 on its next use)", T, async () => {
  await withHttpServer([...FIXTURES, "--session-idle-s", "1"], async (s) => {
    const idle = await openSession(s.url);
    const busy = await openSession(s.url);
    // Keep `busy` in use while `idle` sits.
    for (let i = 0; i < 5; i++) {
      await sleep(500);
      assert.equal((await curl(s.url, { headers: busy.headers, body: rpc(10 + i, "ping") })).status, 200);
    }
    // Expiry runs when a session is created.
    await openSession(s.url);
    assertRefused(await curl(s.url, { headers: idle.headers, body: rpc(2, "ping") }), 404, SESSION_NOT_FOUND, "expired session");
    const p = await curl(s.url, { headers: busy.headers, body: rpc(3, "ping") });
    assert.equal(p.status, 200, `a session in use expired: ${p.raw}`);
  });
});

test("--listen beyond loopback without tokens, or malformed, exits 2 (a configuration error)", T, async () => {
  const port = await freePort();
  const wide = await runToExit(["--transport", "http", "--listen", `0.0.0.0:${port}`]);
  assert.equal(wide.code, 2, `0.0.0.0 without tokens: ${JSON.stringify(wide)}`);
  assert.match(wide.stderr, /refus/i);
  assert.equal(wide.stdout, "");
  for (const bad of ["127.0.0.1", "127.0.0.1:99999", "127.0.0.1:x", "nowhere:3111", ":3111", "[::1:3111"]) {
    const r = await runToExit(["--transport", "http", "--listen", bad]);
    assert.equal(r.code, 2, `--listen ${bad}: ${JSON.stringify(r)}`);
    assert.ok(r.stderr.length > 0, `--listen ${bad}: no reason on stderr`);
  }
});

test("[::1] loopback listens and enforces Host too", T, async (t) => {
  const port = await freePort();
  let s;
  try {
    s = new HttpServer(FIXTURES, { port, host: "[::1]" });
    const deadline = Date.now() + ms(3000);
    let up = false;
    while (!s.exit && Date.now() < deadline && !up) {
      up = await curl(`http://[::1]:${port}/mcp`, { method: "GET", headers: { Accept: "text/event-stream" } }).then(() => true, () => false);
      if (!up) await sleep(20);
    }
    if (!up) {
      t.skip(`no IPv6 loopback here: ${s.stderrTail()}`);
      s.kill();
      await s.exited;
      return;
    }
    const url = `http://[::1]:${port}/mcp`;
    const ok = await curl(url, { headers: POST_HEADERS, body: rpc(1, "initialize", INIT_PARAMS()) });
    assert.equal(ok.status, 200, ok.raw);
    assertRefused(await curl(url, { headers: { ...POST_HEADERS, Host: "evil.example.com" }, body: rpc(1, "initialize", INIT_PARAMS()) }), 403, -32000);
    await s.stop();
  } finally {
    if (s && !s.exit) {
      s.kill();
      await s.exited;
    }
  }
});
