// Authentication and roles (issue 5 §4): static bearer tokens stored as SHA-256 hashes in the config,
// each mapped to a role; 401/403 at the HTTP level; the role x scope matrix over fixture tools of each
// scope; --role for stdio and token-less loopback HTTP; --read-only; tokens never in the logs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, TEST_TIMEOUT, textOf, withServer, listAll } from "./lib/raw.mjs";
import {
  withHttpServer, curl, openSession, rpc, INIT_PARAMS, POST_HEADERS, assertRefused, sha256hex, messagesOf,
} from "./lib/http.mjs";
import { connectHttp, withHttpClient, inspectHttp, REQ } from "./lib/sdk-http.mjs";

const T = { timeout: TEST_TIMEOUT };

const SCOPES = ["mi.read", "mi.write", "mi.execute", "stats.read", "db.read", "db.write",
  "config.read", "config.write", "process.manage", "server.admin"];
// Each list in SCOPES order (the tests compare them as lists).
const ROLE_SCOPES = {
  viewer: ["mi.read", "stats.read", "db.read", "config.read"],
  operator: ["mi.read", "mi.write", "stats.read", "db.read", "db.write", "config.read"], // viewer + mi.write, db.write
  admin: SCOPES,
  auditor: ["mi.read", "stats.read"], // custom, from the config
};
const toolOf = (scope) => `test_scope_${scope.replace(".", "_")}`;

// Fresh random tokens per run, so the log check below means something.
const tok = () => `e2e-${randomBytes(18).toString("base64url")}`;
const TOKENS = { viewer: tok(), operator: tok(), admin: tok(), auditor: tok(), nobody: tok(), admin2: tok() };
const CONFIG = {
  tokens: [
    { name: "view", sha256: sha256hex(TOKENS.viewer), role: "viewer" },
    { name: "noc", sha256: sha256hex(TOKENS.operator), role: "operator" },
    { name: "root", sha256: sha256hex(TOKENS.admin), role: "admin" },
    { name: "audit", sha256: sha256hex(TOKENS.auditor), role: "auditor" },
    { name: "nobody", sha256: sha256hex(TOKENS.nobody), role: "noscopes" },
    { name: "root2", sha256: sha256hex(TOKENS.admin2), role: "admin" },
  ],
  roles: { auditor: ROLE_SCOPES.auditor, noscopes: [] },
};
const WRONG = tok();

let dir;
let configPath;
let rolesOnlyPath;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "opensips-mcp-auth-"));
  configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(CONFIG));
  rolesOnlyPath = join(dir, "roles.json"); // custom roles, no tokens: for stdio and loopback HTTP
  writeFileSync(rolesOnlyPath, JSON.stringify({ roles: CONFIG.roles }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const auth = (t) => ({ Authorization: `Bearer ${t}` });

test("tokens configured: 401 without or with a wrong token, 403 for a role without scopes, 200 with a valid one", T, async () => {
  await withHttpServer([...FIXTURES, "--config", configPath], async (s) => {
    const init = rpc(1, "initialize", INIT_PARAMS());
    const none = await curl(s.url, { headers: POST_HEADERS, body: init });
    assertRefused(none, 401, undefined, "no Authorization");
    assert.match(none.headers["www-authenticate"] ?? "", /^Bearer\b/, `401 without WWW-Authenticate: Bearer:\n${none.raw}`);
    if (none.json) assert.equal(typeof none.json.error?.code, "number");

    for (const [what, h] of [
      ["wrong token", auth(WRONG)],
      ["a token's hash as the token", auth(sha256hex(TOKENS.admin))],
      ["a prefix of a valid token", auth(TOKENS.admin.slice(0, -1))],
      ["a valid token plus a byte", auth(TOKENS.admin + "x")],
    ]) {
      const r = await curl(s.url, { headers: { ...POST_HEADERS, ...h }, body: init });
      assertRefused(r, 401, undefined, what);
      assert.match(r.headers["www-authenticate"] ?? "", /^Bearer\b.*error="invalid_token"/, `${what}:\n${r.raw}`);
    }
    for (const [what, h] of [
      ["Basic scheme", { Authorization: `Basic ${Buffer.from(`x:${TOKENS.admin}`).toString("base64")}` }],
      ["empty Bearer", { Authorization: "Bearer " }],
      ["token in another header", { "X-Api-Key": TOKENS.admin }],
    ]) {
      const r = await curl(s.url, { headers: { ...POST_HEADERS, ...h }, body: init });
      assertRefused(r, 401, undefined, what);
      assert.match(r.headers["www-authenticate"] ?? "", /^Bearer\b/, `${what}:\n${r.raw}`);
    }
    // Never in the query string either.
    assertRefused(await curl(`${s.url}?access_token=${TOKENS.admin}`, { headers: POST_HEADERS, body: init }), 401, undefined, "query token");

    assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, ...auth(TOKENS.nobody) }, body: init }), 403, undefined, "role without scopes");

    const a = await openSession(s.url, { headers: auth(TOKENS.operator) });
    const p = await curl(s.url, { headers: a.headers, body: rpc(2, "ping") });
    assert.deepEqual(p.json?.result, {}, p.raw);
    // The session is bound to its token: no token, a wrong one, or another valid one is refused.
    const bare = { ...a.headers };
    delete bare.Authorization;
    assertRefused(await curl(s.url, { headers: bare, body: rpc(3, "ping") }), 401, undefined, "session without token");
    assertRefused(await curl(s.url, { headers: { ...a.headers, ...auth(WRONG) }, body: rpc(3, "ping") }), 401, undefined, "session, wrong token");
    assertRefused(await curl(s.url, { headers: { ...a.headers, ...auth(TOKENS.admin) }, body: rpc(3, "ping") }), 403, undefined, "session, another valid token");
    assertRefused(await curl(s.url, { method: "GET", headers: { ...a.headers, ...auth(TOKENS.admin), Accept: "text/event-stream" } }), 403, undefined, "GET, another token");
    assertRefused(await curl(s.url, { method: "DELETE", headers: { "Mcp-Session-Id": a.sid, ...auth(TOKENS.admin) } }), 403, undefined, "DELETE, another token");
    assertRefused(await curl(s.url, { method: "DELETE", headers: { "Mcp-Session-Id": a.sid } }), 401, undefined, "DELETE without token");
    // Even another token of the same role is another principal.
    const r2 = await openSession(s.url, { headers: auth(TOKENS.admin) });
    assertRefused(await curl(s.url, { headers: { ...r2.headers, ...auth(TOKENS.admin2) }, body: rpc(3, "ping") }), 403, undefined, "same role, other token");
    // The owner still can, and can end it.
    assert.deepEqual((await curl(s.url, { headers: a.headers, body: rpc(4, "ping") })).json?.result, {});
    assert.equal((await curl(s.url, { method: "DELETE", headers: { "Mcp-Session-Id": a.sid, ...auth(TOKENS.operator) } })).status, 200);
  });
});

test("tokens configured: --listen 0.0.0.0 is accepted; the SDK and the Inspector connect with the token", T, async () => {
  await withHttpServer([...FIXTURES, "--config", configPath], async (s) => {
    await withHttpClient(s.url, async (c) => {
      const r = await c.callTool({ name: "test_scope_mi_write", arguments: {} }, undefined, REQ);
      assert.equal(textOf(r), "allowed: mi.write");
      assert.deepEqual(await c.ping(REQ), {});
    }, { token: TOKENS.operator });
    // The SDK without a token (and no authProvider) fails to connect.
    await assert.rejects(connectHttp(s.url), (e) => /401|Unauthorized/i.test(String(e)));

    const list = await inspectHttp(s.url, ["--method", "tools/list", "--header", `Authorization: Bearer ${TOKENS.viewer}`]);
    assert.equal(list.code, 0, `exit ${list.code}: ${list.stderr}`);
    const names = list.json.result.tools.map((t) => t.name);
    assert.ok(names.includes("test_scope_mi_read") && !names.includes("test_scope_mi_write"), names.join(" "));
    const refused = await inspectHttp(s.url, ["--method", "tools/list"]);
    assert.notEqual(refused.code, 0, "the Inspector without a token got through");
  }, { host: "0.0.0.0" });
});

test("role x scope matrix over HTTP tokens: listed iff allowed, refusals name scope and role", T, async () => {
  await withHttpServer([...FIXTURES, "--config", configPath], async (s) => {
    for (const [role, allowed] of Object.entries(ROLE_SCOPES)) {
      await withHttpClient(s.url, async (c) => {
        const tools = [];
        let cursor;
        do {
          const r = await c.listTools(cursor ? { cursor } : {}, REQ);
          tools.push(...r.tools.map((t) => t.name));
          cursor = r.nextCursor;
        } while (cursor);
        assert.ok(tools.includes("test_simple_text"), `${role}: scope-free fixtures missing`);
        const listedScopes = SCOPES.filter((sc) => tools.includes(toolOf(sc)));
        assert.deepEqual(listedScopes, allowed, `${role}: the scope tools tools/list shows`);
        for (const scope of SCOPES) {
          const r = await c.callTool({ name: toolOf(scope), arguments: {} }, undefined, REQ);
          if (allowed.includes(scope)) {
            assert.notEqual(r.isError, true, `${role} ${scope}: ${JSON.stringify(r)}`);
            assert.equal(textOf(r), `allowed: ${scope}`);
          } else {
            assert.equal(r.isError, true, `${role} may call ${toolOf(scope)}: ${JSON.stringify(r)}`);
            assert.ok(textOf(r).includes(scope), `${role} ${scope}: refusal does not name the scope: ${textOf(r)}`);
            assert.ok(textOf(r).includes(role), `${role} ${scope}: refusal does not name the role: ${textOf(r)}`);
            assert.ok(!textOf(r).startsWith("allowed"), textOf(r));
          }
        }
      }, { token: TOKENS[role] });
    }
  });
});

// The scope tools a raw stdio session may call, by calling each.
async function allowedOver(server) {
  const out = [];
  for (const scope of SCOPES) {
    const r = await server.call("tools/call", { name: toolOf(scope), arguments: {} });
    if (r.isError) {
      assert.ok(textOf(r).includes(scope), textOf(r));
    } else {
      assert.equal(textOf(r), `allowed: ${scope}`);
      out.push(scope);
    }
  }
  return out;
}

test("stdio takes its role from --role (default viewer), custom roles from the config", T, async () => {
  await withServer(FIXTURES, async (s) => assert.deepEqual(await allowedOver(s), ROLE_SCOPES.viewer, "stdio default"));
  await withServer([...FIXTURES, "--role", "operator"], async (s) => {
    assert.deepEqual(await allowedOver(s), ROLE_SCOPES.operator, "stdio --role operator");
    const r = await s.call("tools/call", { name: "test_scope_process_manage", arguments: {} });
    assert.ok(textOf(r).includes("operator"), textOf(r));
  });
  await withServer([...FIXTURES, "--role", "admin"], async (s) => assert.deepEqual(await allowedOver(s), SCOPES));
  await withServer([...FIXTURES, "--config", rolesOnlyPath, "--role", "auditor"], async (s) => {
    assert.deepEqual(await allowedOver(s), ROLE_SCOPES.auditor, "stdio custom role");
    const { items } = await listAll(s, "tools/list", "tools");
    assert.deepEqual(SCOPES.filter((sc) => items.some((t) => t.name === toolOf(sc))), ROLE_SCOPES.auditor);
  }, { env: {} });
  await withServer([...FIXTURES], async (s) => assert.deepEqual(await allowedOver(s), ROLE_SCOPES.operator, "OPENSIPS_MCP_ROLE"),
    { env: { OPENSIPS_MCP_ROLE: "operator" } });
});

test("token-less loopback HTTP takes its role from --role", T, async () => {
  const calls = async (s) => {
    const { headers } = await openSession(s.url);
    const out = [];
    for (const scope of SCOPES) {
      const r = await curl(s.url, { headers, body: rpc(9, "tools/call", { name: toolOf(scope), arguments: {} }) });
      const m = messagesOf(r).at(-1);
      assert.ok(m?.result, r.raw);
      if (!m.result.isError) out.push(scope);
    }
    return out;
  };
  await withHttpServer(FIXTURES, async (s) => assert.deepEqual(await calls(s), ROLE_SCOPES.viewer, "HTTP default"));
  await withHttpServer([...FIXTURES, "--role", "admin"], async (s) => assert.deepEqual(await calls(s), SCOPES, "HTTP --role admin"));
});

test("an unknown role or a bad token entry is refused at start, without echoing the hash", T, async () => {
  const { runToExit } = await import("./lib/http.mjs");
  const r = await runToExit([...FIXTURES, "--role", "no-such-role"], { timeout: 5000 });
  assert.notEqual(r.code, 0, `--role no-such-role started: ${JSON.stringify(r)}`);
  assert.match(r.stderr, /no-such-role/);
  const cases = {
    "unknown role": { tokens: [{ name: "x", sha256: sha256hex("a"), role: "ghost" }] },
    "bad hash": { tokens: [{ name: "x", sha256: "abc123", role: "viewer" }] },
    "unknown scope": { roles: { weird: ["mi.read", "mi.fly"] } },
  };
  for (const [what, cfg] of Object.entries(cases)) {
    const p = join(dir, `bad-${what.replace(/ /g, "-")}.json`);
    writeFileSync(p, JSON.stringify(cfg));
    const x = await runToExit(["--config", p], { timeout: 5000 });
    assert.notEqual(x.code, 0, `${what}: started: ${JSON.stringify(x)}`);
    assert.ok(x.stderr.length > 0, `${what}: no reason on stderr`);
    for (const t of cfg.tokens ?? []) assert.ok(!x.stderr.includes(t.sha256), `${what}: stderr echoes the hash`);
  }
});

test("--read-only hides and refuses every tool that is not readOnlyHint true", T, async () => {
  const args = [...FIXTURES, "--role", "admin"];
  let all;
  await withServer(args, async (s) => ({ items: all } = await listAll(s, "tools/list", "tools")));
  const writers = all.filter((t) => t.annotations?.readOnlyHint !== true).map((t) => t.name);
  assert.ok(writers.includes("test_scope_mi_write"), `no state-changing fixture to hide: ${writers}`);
  await withServer([...args, "--read-only"], async (s) => {
    const { items } = await listAll(s, "tools/list", "tools");
    for (const t of items) assert.equal(t.annotations?.readOnlyHint, true, `--read-only lists ${t.name}`);
    const readers = all.filter((t) => t.annotations?.readOnlyHint === true).map((t) => t.name);
    assert.deepEqual(items.map((t) => t.name).sort(), readers.sort(), "--read-only hid a read-only tool");
    for (const name of writers) {
      const r = await s.call("tools/call", { name, arguments: {} });
      assert.equal(r.isError, true, `--read-only ran ${name}: ${JSON.stringify(r)}`);
      assert.match(textOf(r), /read-only/i, `${name}: ${textOf(r)}`);
    }
    const ok = await s.call("tools/call", { name: "test_scope_mi_read", arguments: {} });
    assert.equal(textOf(ok), "allowed: mi.read");
  });
  // Over HTTP with a token too.
  await withHttpServer([...FIXTURES, "--config", configPath, "--read-only"], async (s) => {
    await withHttpClient(s.url, async (c) => {
      const r = await c.callTool({ name: "test_scope_config_write", arguments: {} }, undefined, REQ);
      assert.equal(r.isError, true);
      assert.match(textOf(r), /read-only/i);
      const names = (await c.listTools({}, REQ)).tools.map((t) => t.name);
      assert.ok(!names.includes("test_scope_config_write"));
    }, { token: TOKENS.admin });
  });
});

test("tokens never appear in the logs, even at --log-level debug", T, async () => {
  let stderr = "";
  await withHttpServer([...FIXTURES, "--config", configPath, "--log-level", "debug"], async (s) => {
    const init = rpc(1, "initialize", INIT_PARAMS());
    for (const t of [WRONG, TOKENS.nobody]) await curl(s.url, { headers: { ...POST_HEADERS, ...auth(t) }, body: init });
    const a = await openSession(s.url, { headers: auth(TOKENS.operator) });
    await curl(s.url, { headers: a.headers, body: rpc(2, "tools/call", { name: "test_scope_mi_write", arguments: {} }) });
    await curl(s.url, { headers: a.headers, body: rpc(3, "tools/call", { name: "test_scope_process_manage", arguments: {} }) });
    await curl(s.url, { headers: { ...a.headers, ...auth(TOKENS.admin) }, body: rpc(4, "ping") });
    await curl(s.url, { headers: a.headers, body: "{not json" });
    await curl(s.url, { method: "DELETE", headers: { "Mcp-Session-Id": a.sid, ...auth(TOKENS.operator) } });
    await withHttpClient(s.url, async (c) => c.callTool({ name: "test_simple_text", arguments: {} }, undefined, REQ), { token: TOKENS.admin });
    await s.stop();
    stderr = s.stderr;
  });
  assert.ok(stderr.length > 0, "nothing logged at debug");
  for (const [who, t] of [...Object.entries(TOKENS), ["wrong", WRONG]]) {
    assert.ok(!stderr.includes(t), `the ${who} token appears in stderr`);
    assert.ok(!stderr.includes(sha256hex(t)), `the ${who} token's SHA-256 appears in stderr`);
  }
  assert.ok(!/Bearer\s+e2e-/.test(stderr), "an Authorization header value is logged");
});
