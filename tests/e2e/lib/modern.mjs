// The modern era's wire (MCP 2026-07-28: no initialize, no session) with plain fetch: every request
// a POST carrying the protocol version in its headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name
// for tools/call) and in its params' _meta. An answer framed as SSE is read as its last JSON-RPC
// message. Bounded; a connection error rejects (the caller decides whether to retry).
import { ms } from "./raw.mjs";
import { parseSse } from "./http.mjs";

export const MODERN = "2026-07-28";
export const MODERN_WAIT = ms(10_000); // bound on one modern request

export const modernMeta = (capabilities = {}) => ({
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientCapabilities": capabilities,
});

// The headers of one modern request.
export function modernHeaders(method, params) {
  const h = {
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": MODERN,
    "Mcp-Method": method,
  };
  if (method === "tools/call" && params?.name) h["Mcp-Name"] = params.name;
  return h;
}

// POST one modern request; resolves { status, headers (lower-case names), json, body }, where
// json is the JSON-RPC answer (the last message of an SSE body) or null.
export async function modernPost(url, method, params = {}, { id = 1, headers = {}, timeout = MODERN_WAIT } = {}) {
  const p = { ...params, _meta: { ...modernMeta(), ...(params._meta ?? {}) } };
  const r = await fetch(url, {
    method: "POST",
    headers: { ...modernHeaders(method, p), ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id, method, params: p }),
    signal: AbortSignal.timeout(timeout),
  });
  const body = await r.text();
  const hdrs = Object.fromEntries([...r.headers].map(([k, v]) => [k.toLowerCase(), v]));
  let json = null;
  if ((hdrs["content-type"] || "").startsWith("text/event-stream")) {
    const msgs = parseSse(body).filter((e) => e.data).map((e) => JSON.parse(e.data));
    json = msgs.filter((m) => m.id === id).pop() ?? null;
  } else {
    try {
      json = JSON.parse(body);
    } catch {}
  }
  return { status: r.status, headers: hdrs, json, body };
}

// A modern tools/call; resolves as modernPost.
export const modernCall = (url, name, args, opts) => modernPost(url, "tools/call", { name, arguments: args }, opts);
