// The official TypeScript SDK client (@modelcontextprotocol/sdk, pinned in tests/node) driving the real
// binary over stdio, with the same clean-exit check as the raw driver.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { BIN, EXIT_WAIT, ms } from "./raw.mjs";

// The SDK lives in tests/node/node_modules, not beside the tests: resolve it from there.
const require = createRequire(fileURLToPath(new URL("../../node/package.json", import.meta.url)));
const load = (spec) => import(require.resolve(spec));
const { Client } = await load("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = await load("@modelcontextprotocol/sdk/client/stdio.js");
export const types = await load("@modelcontextprotocol/sdk/types.js");

export const REQ = { timeout: ms(15_000) }; // per-request bound for SDK calls

// Connect an SDK Client to a fresh server. `capabilities` are the client's; `setup(client)` runs before
// connect (to install request and notification handlers). Returns { client, transport, stderr, close }.
export async function connect(args = [], { capabilities = {}, setup } = {}) {
  // The SDK passes the server only a few whitelisted variables by default; pass ours all through, so
  // that ASAN_OPTIONS/UBSAN_OPTIONS (make asan's log_path) reach the server.
  const env = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined));
  const transport = new StdioClientTransport({ command: BIN, args, env, stderr: "pipe" });
  let stderr = "";
  transport.stderr.setEncoding("utf8");
  transport.stderr.on("data", (c) => {
    if (stderr.length < 1 << 20) stderr += c;
  });
  const client = new Client({ name: "opensips-mcp-e2e-sdk", version: "0.0.0" }, { capabilities });
  const errors = [];
  client.onerror = (e) => errors.push(e);
  if (setup) setup(client);
  await client.connect(transport, REQ);

  // StdioClientTransport.close() ends stdin, then escalates to SIGTERM and SIGKILL after 2 s each; it does
  // not say how the child ended, so watch the process (SDK 1.32.2 keeps it in `_process`).
  const child = transport._process;
  assert.ok(child, "SDK transport has no child process (SDK internals changed?)");
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

  async function close() {
    const started = Date.now();
    await client.close();
    let timer;
    const r = await Promise.race([exited, new Promise((res) => (timer = setTimeout(res, EXIT_WAIT, null)))]);
    clearTimeout(timer);
    if (r === null) {
      child.kill("SIGKILL");
      assert.fail(`server did not exit within ${EXIT_WAIT} ms of stdin EOF; stderr:\n${stderr.slice(-2000)}`);
    }
    // Exited on EOF, before the SDK's SIGTERM (sent 2 s after closing stdin).
    assert.deepEqual(r, { code: 0, signal: null }, `exit after stdin EOF; stderr:\n${stderr.slice(-2000)}`);
    assert.ok(Date.now() - started < 2000, "server needed SIGTERM to exit after stdin EOF");
    assert.deepEqual(errors.map(String), [], "the SDK client reported protocol errors");
  }
  return { client, transport, stderr: () => stderr, close };
}

// Run fn(client, ctx) against a fresh server and always close it (the close asserts a clean exit).
export async function withClient(args, fn, opts) {
  const ctx = await connect(args, opts);
  let ok = false;
  try {
    await fn(ctx.client, ctx);
    ok = true;
  } finally {
    if (ok) await ctx.close();
    else await ctx.close().catch(() => {});
  }
}

// Every page of tools/list; the SDK caches the output schemas and then validates each call's
// structuredContent against them.
export async function allTools(client) {
  const tools = [];
  let cursor;
  do {
    const r = await client.listTools(cursor ? { cursor } : {}, REQ);
    tools.push(...r.tools);
    cursor = r.nextCursor;
  } while (cursor);
  client.cacheToolMetadata(tools);
  return tools;
}

// Every page of a listing: listAll(client, "listPrompts", "prompts").
export async function listAll(client, method, key) {
  const items = [];
  let cursor;
  do {
    const r = await client[method](cursor ? { cursor } : {}, REQ);
    items.push(...r[key]);
    cursor = r.nextCursor;
  } while (cursor);
  return items;
}

// tools/call with the per-request bound.
export const callTool = (client, name, args = {}, opts = REQ) => client.callTool({ name, arguments: args }, undefined, opts);

// The structuredContent of a successful result; fails the test on isError.
export function structured(r) {
  assert.equal(r.isError, undefined, JSON.stringify(r).slice(0, 2000));
  return r.structuredContent;
}
