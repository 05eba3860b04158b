// Stateless requests of MCP 2026-07-28 over HTTP with fetch (no SDK in the way), and the dual-era
// SDK client (@modelcontextprotocol/client 2.x) on both transports.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { BIN, ms } from "./raw.mjs";

const require = createRequire(fileURLToPath(new URL("../../node/package.json", import.meta.url)));
const load = (spec) => import(require.resolve(spec));

export const MODERN = "2026-07-28";
export const meta = (caps = {}, extra = {}) => ({
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientCapabilities": caps,
  "io.modelcontextprotocol/clientInfo": { name: "opensips-mcp-e2e", version: "0.0.0" },
  ...extra,
});
const NAMED = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };
let nextId = 1;

// POST one stateless request. `params._meta` defaults to meta(caps); `headers` override the
// standard ones (Mcp-Method, Mcp-Name, MCP-Protocol-Version). Returns { status, body, events,
// contentType } where body is the JSON-RPC response (from JSON or the SSE stream).
export async function post(url, method, params = {}, { caps = {}, headers = {}, noMeta = false, signal, id } = {}) {
  const p = noMeta ? params : { ...params, _meta: { ...meta(caps), ...(params._meta ?? {}) } };
  const h = {
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": MODERN,
    "Mcp-Method": method,
  };
  if (NAMED[method] && typeof p[NAMED[method]] === "string") h["Mcp-Name"] = p[NAMED[method]];
  for (const [k, v] of Object.entries(headers)) {
    for (const o of Object.keys(h)) if (o.toLowerCase() === k.toLowerCase()) delete h[o];
    if (v !== undefined) h[k] = v;
  }
  const rid = id ?? nextId++;
  const res = await fetch(url, {
    method: "POST", headers: h, signal: signal ?? AbortSignal.timeout(ms(15_000)),
    body: JSON.stringify({ jsonrpc: "2.0", id: rid, method, params: p }),
  });
  const contentType = res.headers.get("content-type") ?? "";
  const text = await res.text();
  let events = [];
  let body;
  if (contentType.includes("text/event-stream")) {
    events = text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim())
      .filter(Boolean).map((d) => JSON.parse(d));
    body = events.find((e) => e.id === rid && ("result" in e || "error" in e));
  } else if (text) body = JSON.parse(text);
  return { status: res.status, body, events, contentType };
}

// Open a subscriptions/listen stream; returns { frames, close, next(pred) } reading as it arrives.
export async function listen(url, notifications, { caps = {} } = {}) {
  const ac = new AbortController();
  const id = nextId++;
  const res = await fetch(url, {
    method: "POST", signal: ac.signal,
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream",
               "MCP-Protocol-Version": MODERN, "Mcp-Method": "subscriptions/listen" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method: "subscriptions/listen", params: { notifications, _meta: meta(caps) } }),
  });
  const frames = [];
  let waiters = [];
  (async () => {
    const dec = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of res.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line.startsWith("data:") && line.length > 5) {
            frames.push(JSON.parse(line.slice(5)));
            waiters = waiters.filter((w) => !w());
          }
        }
      }
    } catch {}
  })();
  const next = (pred, timeout = ms(10_000)) => new Promise((resolve, reject) => {
    const check = () => { const f = frames.find(pred); if (f) { resolve(f); return true; } return false; };
    if (check()) return;
    const t = setTimeout(() => reject(new Error(`no such frame within ${timeout} ms; frames: ${JSON.stringify(frames)}`)), timeout);
    waiters.push(() => { if (check()) { clearTimeout(t); return true; } return false; });
  });
  return { id, status: res.status, frames, next, close: () => ac.abort() };
}

const client2 = await load("@modelcontextprotocol/client");
const stdio2 = await load("@modelcontextprotocol/client/stdio");
export const { Client } = client2;

// The dual-era client connected to `target` ({ url } or { args } for stdio), mode "auto" by default.
export async function connect2(target, { mode = "auto", capabilities = {}, setup } = {}) {
  const client = new Client({ name: "opensips-mcp-e2e-v2", version: "0.0.0" },
                            { capabilities, versionNegotiation: { mode } });
  if (setup) setup(client);
  const transport = target.url
    ? new client2.StreamableHTTPClientTransport(new URL(target.url))
    : new stdio2.StdioClientTransport({ command: BIN, args: target.args ?? [], stderr: "ignore" });
  await client.connect(transport, { timeout: ms(15_000) });
  return { client, transport, close: () => client.close() };
}
