// HTTP hardening (issue 9 items 3, 4, 12, 15): slow clients cannot lock others out, one address
// holds only so many connections, a principal holds only so many sessions and an admin can see and
// end them, token names are unique, and Host, Origin, Content-Type, Accept and Mcp-Session-Id are
// parsed strictly (bytes curl cannot send, such as NUL, go over a raw socket).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, TEST_TIMEOUT, WAIT, ms, sleep, withServer } from "./lib/raw.mjs";
import {
  withHttpServer, curl, curlStream, openSession, rpc, INIT_PARAMS, POST_HEADERS, assertRefused, sha256hex,
  messagesOf, runToExit,
} from "./lib/http.mjs";

const T = { timeout: TEST_TIMEOUT };

const tok = () => `e2e-${randomBytes(18).toString("base64url")}`;
const TOKENS = { viewer: tok(), admin: tok() };
let dir;
let configPath;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "opensips-mcp-hardening-"));
  configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify({
    tokens: [
      { name: "view", sha256: sha256hex(TOKENS.viewer), role: "viewer" },
      { name: "root", sha256: sha256hex(TOKENS.admin), role: "admin" },
    ],
  }));
});
after(() => rmSync(dir, { recursive: true, force: true }));
const auth = (t) => ({ Authorization: `Bearer ${t}` });

// ---- raw sockets ----

// A connection from `localAddress` (any 127.0.0.0/8 address is this machine's loopback) that sent
// `payload` and then nothing. `gone` resolves when the connection closes.
function rawConn(port, localAddress, payload) {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: "127.0.0.1", localAddress });
    sock.data = "";
    sock.on("data", (c) => (sock.data += c));
    sock.isClosed = false;
    sock.gone = new Promise((res) => sock.once("close", () => res((sock.isClosed = true))));
    sock.on("error", () => {});
    sock.once("connect", () => {
      if (payload) sock.write(payload);
      resolve(sock);
    });
    sock.once("error", reject);
  });
}

// Resolves once `p` does, or rejects after `timeout` saying `what`.
async function within(p, timeout, what) {
  let timer;
  try {
    return await Promise.race([p, new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`${what} within ${timeout} ms`)), timeout)))]);
  } finally {
    clearTimeout(timer);
  }
}

// One whole request written as bytes; resolves { status, body } once the server closes.
async function rawRequest(port, lines, body = "") {
  const head = [...lines, `Content-Length: ${Buffer.byteLength(body)}`, "Connection: close", "", ""].join("\r\n");
  const sock = await rawConn(port, "127.0.0.1", Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(body)]));
  await within(sock.gone, WAIT, "no answer to a raw request");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(sock.data);
  assert.ok(m, `no status line: ${JSON.stringify(sock.data.slice(0, 300))}`);
  return { status: Number(m[1]), body: sock.data.slice(sock.data.indexOf("\r\n\r\n") + 4) };
}

const PARTIAL = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: ";
const INIT = JSON.stringify(rpc(1, "initialize", INIT_PARAMS()));

// ---- slowloris ----

test("1000 connections stuck in their headers do not lock out a client; the idle timeout closes them", T, async () => {
  // Deadlines far off, so that the slow connections are surely all open while the client is served.
  await withHttpServer([...FIXTURES, "--http-idle-timeout-s", "120", "--http-header-timeout-s", "120"], async (s) => {
    // 50 per address (under --max-connections-per-address 64), from 20 loopback addresses.
    const slow = [];
    for (let a = 0; a < 20; a++) {
      slow.push(...(await Promise.all(Array.from({ length: 50 }, () => rawConn(s.port, `127.0.0.${a + 2}`, PARTIAL)))));
    }
    assert.equal(slow.length, 1000);
    const { headers } = await openSession(s.url);
    const ping = await curl(s.url, { headers, body: rpc(2, "ping") });
    assert.equal(ping.status, 200, ping.raw);
    assert.deepEqual(ping.json?.result, {});
    // They were open all along: served beside them, not after.
    assert.equal(slow.filter((c) => c.isClosed).length, 0, "slow connections were closed early");
    slow.forEach((c) => c.destroy());
  });
  await withHttpServer([...FIXTURES, "--http-idle-timeout-s", "1"], async (s) => {
    const slow = await Promise.all(Array.from({ length: 50 }, () => rawConn(s.port, "127.0.0.2", PARTIAL)));
    await within(Promise.all(slow.map((c) => c.gone)), WAIT, "slow connections not closed after --http-idle-timeout-s 1");
    assert.ok(slow.every((c) => !/^HTTP/.test(c.data)), "a half-sent request got an answer");
    const { headers } = await openSession(s.url);
    assert.equal((await curl(s.url, { headers, body: rpc(2, "ping") })).status, 200);
  });
});

test("--http-header-timeout-s cuts off a connection that trickles its headers, silence or not", T, async () => {
  await withHttpServer([...FIXTURES, "--http-header-timeout-s", "1"], async (s) => {
    const slow = await rawConn(s.port, "127.0.0.4", "POST /mcp HTTP/1.1\r\n");
    // A byte every 100 ms: never silent for the 30 s idle timeout.
    const timer = setInterval(() => slow.isClosed || slow.write("X"), 100);
    try {
      await within(slow.gone, WAIT, "a trickling connection was not cut off after --http-header-timeout-s 1");
    } finally {
      clearInterval(timer);
    }
    assert.ok(!/^HTTP/.test(slow.data), `a half-sent request got an answer: ${slow.data}`);
    // the server's log line may come a moment after the close is seen: wait for it (bounded)
    const said = /cut off 1 connection\(s\) with no complete request headers after 1 s/;
    for (let i = 0; i < 50 && !said.test(s.stderr); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(s.stderr, said);
    // A keep-alive connection between requests is under the same deadline; a new one is served.
    const { headers } = await openSession(s.url);
    assert.equal((await curl(s.url, { headers, body: rpc(2, "ping") })).status, 200);
  });
});

test("--max-connections-per-address: one address past its share is closed, others are served", T, async () => {
  await withHttpServer([...FIXTURES, "--max-connections-per-address", "4"], async (s) => {
    // Four connect first, then a fifth; but the server's threads accept them concurrently, so
    // which one is refused is not fixed: exactly one of the five, and the other four stay open.
    const conns = await Promise.all(Array.from({ length: 4 }, () => rawConn(s.port, "127.0.0.3", PARTIAL)));
    conns.push(await rawConn(s.port, "127.0.0.3", PARTIAL));
    await within(Promise.race(conns.map((c) => c.gone)), WAIT, "none of five connections from one address was closed");
    await sleep(300);
    assert.equal(conns.filter((c) => c.isClosed).length, 1, "not exactly one of five connections was closed");
    assert.ok(conns.every((c) => !/^HTTP/.test(c.data)), "a half-sent request got an answer");
    const held = conns.filter((c) => !c.isClosed);
    // 127.0.0.1 is another address: served.
    const { headers } = await openSession(s.url);
    assert.equal((await curl(s.url, { headers, body: rpc(2, "ping") })).status, 200);
    held.forEach((c) => c.destroy());
  });
});

test("the idle and header timeouts spare SSE streams: a tool that outlasts them answers, a GET stream stays open", T, async () => {
  await withHttpServer([...FIXTURES, "--http-idle-timeout-s", "1", "--http-header-timeout-s", "1"], async (s) => {
    const { headers } = await openSession(s.url);
    const r = await curl(s.url, { headers, body: rpc(2, "tools/call", { name: "test_sleep", arguments: { ms: 2500 } }) });
    assert.equal(r.status, 200, r.raw);
    const reply = messagesOf(r).find((m) => m.id === 2);
    assert.ok(reply?.result && !reply.result.isError, r.raw);

    const get = curlStream(s.url, { headers: { ...headers, Accept: "text/event-stream" } });
    await get.waitFor(/\r\n\r\nid: /, { what: "the GET stream's priming event" });
    const sub = await curl(s.url, { headers, body: rpc(3, "resources/subscribe", { uri: "test://watched-resource" }) });
    assert.equal(sub.status, 200, sub.raw);
    await sleep(2500);
    assert.equal(get.exit, null, `the GET stream ended: ${get.out}`);
    await curl(s.url, { headers, body: rpc(4, "tools/call", { name: "test_update_resource", arguments: {} }) });
    await get.waitFor(/notifications\/resources\/updated/, { what: "resources/updated after the idle timeout" });
    await get.stop();
  });
});

// ---- sessions ----

test("a viewer's 64 initializes take no one else's slot: quota per principal, oldest unused reclaimed", T, async () => {
  await withHttpServer([...FIXTURES, "--config", configPath], async (s) => {
    const viewer = [];
    for (let i = 0; i < 64; i++) viewer.push(await openSession(s.url, { headers: auth(TOKENS.viewer) }));
    const admin = await openSession(s.url, { headers: auth(TOKENS.admin) });
    assert.equal((await curl(s.url, { headers: admin.headers, body: rpc(2, "ping") })).status, 200);
    // The viewer kept its 16 newest; the oldest ones were ended to make room.
    assertRefused(await curl(s.url, { headers: viewer[0].headers, body: rpc(2, "ping") }), 404, -32001, "oldest viewer session");
    assert.equal((await curl(s.url, { headers: viewer[63].headers, body: rpc(2, "ping") })).status, 200);
  });
});

test("a principal at its quota with a request running in every session gets 429; the others are untouched", T, async () => {
  await withHttpServer([...FIXTURES, "--config", configPath, "--max-sessions-per-principal", "2"], async (s) => {
    const a = await openSession(s.url, { headers: auth(TOKENS.viewer) });
    const b = await openSession(s.url, { headers: auth(TOKENS.viewer) });
    // A long tool call running in each: both busy (ended below by DELETE, which cancels them).
    const running = [a, b].map((x) => curl(s.url, { headers: x.headers, body: rpc(9, "tools/call", { name: "test_sleep", arguments: { ms: 60000 } }) }));
    // Wait until both calls run (server_sessions says busy), as seen by an admin.
    const admin = await openSession(s.url, { headers: auth(TOKENS.admin) });
    for (let i = 0; ; i++) {
      const l = await callTool(s, admin.headers, 100 + i, "server_sessions");
      const busy = l.result.structuredContent.result.sessions.filter((x) => x.busy).map((x) => x.id);
      if (busy.includes(a.sid) && busy.includes(b.sid)) break;
      assert.ok(i < 100, `the calls never ran: ${JSON.stringify(l)}`);
      await sleep(50);
    }
    const r = await curl(s.url, { headers: { ...POST_HEADERS, ...auth(TOKENS.viewer) }, body: rpc(1, "initialize", INIT_PARAMS()) });
    assertRefused(r, 429, -32000, "third viewer session");
    assert.match(r.json.error.message, /max-sessions-per-principal/);
    for (const x of [a, b]) assert.equal((await curl(s.url, { headers: x.headers, body: rpc(2, "ping") })).status, 200);
    // Another principal still gets in.
    await openSession(s.url, { headers: auth(TOKENS.admin) });
    for (const x of [a, b]) await curl(s.url, { method: "DELETE", headers: { ...auth(TOKENS.viewer), "Mcp-Session-Id": x.sid } });
    await within(Promise.all(running), WAIT, "the cancelled calls' streams did not end");
  });
});

test("at its quota, a principal's least recently used session without a running request is reclaimed, an open GET stream or not", T, async () => {
  await withHttpServer([...FIXTURES, "--config", configPath, "--max-sessions-per-principal", "2"], async (s) => {
    const a = await openSession(s.url, { headers: auth(TOKENS.viewer) });
    const b = await openSession(s.url, { headers: auth(TOKENS.viewer) });
    const get = curlStream(s.url, { headers: { ...a.headers, Accept: "text/event-stream" } });
    await get.waitFor(/\r\n\r\nid: /, { what: "priming event" });
    await sleep(1100); // last use is counted in seconds: make a the older one
    assert.equal((await curl(s.url, { headers: b.headers, body: rpc(2, "ping") })).status, 200);
    await openSession(s.url, { headers: auth(TOKENS.viewer) });
    assertRefused(await curl(s.url, { headers: a.headers, body: rpc(3, "ping") }), 404, -32001, "reclaimed session");
    assert.ok(await get.ended(), "the reclaimed session's GET stream did not end");
    assert.equal((await curl(s.url, { headers: b.headers, body: rpc(4, "ping") })).status, 200);
  });
});

async function callTool(s, headers, id, name, args = {}) {
  const r = await curl(s.url, { headers, body: rpc(id, "tools/call", { name, arguments: args }) });
  assert.equal(r.status, 200, r.raw);
  const m = messagesOf(r).find((x) => x.id === id);
  assert.ok(m, r.raw);
  return m;
}

test("server_sessions and server_session_end: an admin sees and ends any principal's session", T, async () => {
  await withHttpServer([...FIXTURES, "--config", configPath], async (s) => {
    const v = await openSession(s.url, { headers: auth(TOKENS.viewer) });
    const a = await openSession(s.url, { headers: auth(TOKENS.admin) });
    const list = await callTool(s, a.headers, 2, "server_sessions");
    const sessions = list.result.structuredContent.result.sessions;
    assert.equal(list.result.structuredContent.result.total, 2);
    const mine = sessions.find((x) => x.id === v.sid);
    assert.deepEqual([mine?.principal, mine?.role], ["view", "viewer"], JSON.stringify(sessions));
    assert.equal(typeof mine.idle_s, "number");
    // Unconfirmed: nothing happens.
    const no = await callTool(s, a.headers, 3, "server_session_end", { session_id: v.sid });
    assert.equal(no.result.isError, true);
    assert.match(no.result.content[0].text, /Nothing was changed\. Ask the user to confirm/);
    assert.equal((await curl(s.url, { headers: v.headers, body: rpc(2, "ping") })).status, 200);
    const yes = await callTool(s, a.headers, 4, "server_session_end", { session_id: v.sid, confirm: true });
    assert.deepEqual(yes.result.structuredContent, { result: { ended: v.sid } });
    assertRefused(await curl(s.url, { headers: v.headers, body: rpc(3, "ping") }), 404, -32001, "ended session");
    const again = await callTool(s, a.headers, 5, "server_session_end", { session_id: v.sid, confirm: true });
    assert.equal(again.result.isError, true);
    assert.match(again.result.content[0].text, /no session/);

    // A viewer has no server.admin: the tools are neither listed nor callable.
    const v2 = await openSession(s.url, { headers: auth(TOKENS.viewer) });
    const tl = await curl(s.url, { headers: v2.headers, body: rpc(2, "tools/list", {}) });
    assert.ok(!JSON.stringify(tl.json).includes("server_sessions"), "server_sessions listed for a viewer");
    const refused = await callTool(s, v2.headers, 3, "server_sessions");
    assert.ok(refused.error || refused.result?.isError, JSON.stringify(refused));
  });
});

test("server_sessions over stdio says sessions exist only over HTTP", T, async () => {
  await withServer(["--role", "admin"], async (srv) => {
    const r = await srv.call("tools/call", { name: "server_sessions", arguments: {} });
    assert.equal(r.isError, true, JSON.stringify(r));
    assert.match(r.content[0].text, /only over HTTP/);
  });
});

// ---- tokens ----

test("a token named like another is refused at start, and so is one token under two names", T, async () => {
  const same = join(dir, "same-name.json");
  writeFileSync(same, JSON.stringify({ tokens: [
    { name: "root", sha256: sha256hex(TOKENS.admin), role: "admin" },
    { name: "root", sha256: sha256hex(TOKENS.viewer), role: "viewer" },
  ] }));
  let r = await runToExit(["--transport", "http", "--listen", "127.0.0.1:0", "--config", same]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /token name 'root' is used twice/);
  const twice = join(dir, "same-hash.json");
  writeFileSync(twice, JSON.stringify({ tokens: [
    { name: "root", sha256: sha256hex(TOKENS.admin), role: "admin" },
    { name: "intern", sha256: sha256hex(TOKENS.admin).toUpperCase(), role: "viewer" },
  ] }));
  r = await runToExit(["--transport", "http", "--listen", "127.0.0.1:0", "--config", twice]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /tokens 'root' and 'intern' have the same sha256/);
  assert.ok(!r.stderr.includes(sha256hex(TOKENS.admin)), "a hash was echoed");
});

// ---- strict headers ----

test("malformed Host, Origin, Content-Type, Accept and Mcp-Session-Id are refused", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const init = rpc(1, "initialize", INIT_PARAMS());
    const send = (h) => curl(s.url, { headers: { ...POST_HEADERS, ...h }, body: init });
    for (const host of ["127.0.0.1:evil.com", `localhost:${s.port}:1`, "localhost:", `localhost: ${s.port}`, "[::1", "::1", "localhost:99999"]) {
      assertRefused(await send({ Host: host }), 400, -32000, `Host ${host}`);
    }
    for (const origin of [`http://localhost:evil.com`, `http://127.0.0.1:${s.port}/x`, "localhost", "http://"]) {
      assertRefused(await send({ Origin: origin }), 403, -32000, `Origin ${origin}`);
    }
    for (const ct of ["application/jsonx", "application/json-seq", "application/json garbage", "application/json; charset"]) {
      assertRefused(await send({ "Content-Type": ct }), 415, -32000, `Content-Type ${ct}`);
    }
    assert.equal((await send({ "Content-Type": "Application/JSON; charset=utf-8" })).status, 200);
    for (const accept of ["foo/*/*bar", "*/json", "text/event-stream;q=2", "application/json, text/event-stream;q=0.12345"]) {
      assertRefused(await send({ Accept: accept }), 400, -32000, `Accept ${accept}`);
    }
    for (const accept of ["application/json, text/event-stream;q=0", "application/jsonx, text/event-stream", "text/*"]) {
      assertRefused(await send({ Accept: accept }), 406, -32000, `Accept ${accept}`);
    }
    for (const accept of ["*/*", "application/*, text/*;q=0.5", "text/event-stream;q=1.000, application/json;q=0.001"]) {
      assert.equal((await send({ Accept: accept })).status, 200, `Accept ${accept}`);
    }
    const { headers } = await openSession(s.url);
    for (const sid of ["x", "0123456789ABCDEF0123456789ABCDEF", `${headers["Mcp-Session-Id"]}0`]) {
      assertRefused(await curl(s.url, { headers: { ...headers, "Mcp-Session-Id": sid }, body: rpc(2, "ping") }), 404, -32001, `Mcp-Session-Id ${sid}`);
    }
  });
});

// libmicrohttpd 0.9.75 ends a header value at a NUL byte before the server sees it (the parsers
// refuse NUL themselves: tests/unit/test_http_headers.c), so what follows a NUL never counts: a
// foreign name before it is still foreign, and a well-formed prefix is all that is read.
test("bytes after a NUL in a header never count", T, async () => {
  await withHttpServer(FIXTURES, async (s) => {
    const base = {
      Host: `127.0.0.1:${s.port}`,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
    };
    const lines = (over) => ["POST /mcp HTTP/1.1", ...Object.entries({ ...base, ...over }).map(([k, v]) => `${k}: ${v}`)];
    assert.equal((await rawRequest(s.port, lines({}), INIT)).status, 200, "the well-formed raw request");
    for (const [k, v, status] of [
      ["Host", "evil.example.com\0localhost", 403],
      ["Host", "127.0.0.1:evil\0", 400],
      ["Content-Type", "application/jsonx\0application/json", 415],
      ["Accept", "foo/*/*bar\0*/*", 400],
      ["Accept", "application/json\0, text/event-stream", 406],
      ["MCP-Protocol-Version", "2025-06-1\x008", 400],
    ]) {
      const r = await rawRequest(s.port, lines({ [k]: v }), INIT);
      assert.equal(r.status, status, `${k}: ${JSON.stringify(v)}: HTTP ${r.status} ${r.body}`);
    }
  });
});
