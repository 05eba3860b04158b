#!/usr/bin/env node
// homer-sim: a MODEL of Homer 7's REST API (homer-app 1.5.20) for the homer_* tests, built from
// ../shared/reference/homer7-api.md (read from homer-app's sources, no Homer was run). It serves the
// endpoints the tools use with their real statuses and shapes, surprises included: JWT login on
// POST /api/v3/auth (201), searches answering 201, the two param.search shapes (an array of filters
// for /search/call/data, {"callid":[...]} for /call/transaction and the exports) and a 500 when one
// is sent where the other belongs, a PCAP of real bytes, and no /api/v3/status. README.md beside it
// says what it models and what not.
//
// usage: homer-sim.mjs [--listen 127.0.0.1:0] [--data FILE] [--user U] [--password P]
//                      [--token-ttl-ms N] [--base-ms N] [--fault500 PATH] [--hang PATH]
// Prints "ready <port> <base_ms>" on stderr once listening. The dataset's times are offsets (at_ms)
// from base_ms (default: now less one hour), so that a default window ending now finds them.
import { createServer } from "node:http";
import { createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

const opt = { listen: "127.0.0.1:0", data: new URL("data.json", import.meta.url).pathname, user: "admin",
  password: "sipcapture", ttl: 1200 * 60_000, base: Date.now() - 3_600_000, fault500: new Set(),
  hang: new Set() };
for (let i = 2; i < process.argv.length; i += 2) {
  const [k, v] = [process.argv[i], process.argv[i + 1]];
  if (k === "--listen") opt.listen = v;
  else if (k === "--data") opt.data = v;
  else if (k === "--user") opt.user = v;
  else if (k === "--password") opt.password = v;
  else if (k === "--token-ttl-ms") opt.ttl = Number(v);
  else if (k === "--base-ms") opt.base = Number(v);
  else if (k === "--fault500") opt.fault500.add(v); // not Homer: a fault, the panic's 500 on a path
  else if (k === "--hang") opt.hang.add(v); // not Homer: a fault, a path that never answers
  else { process.stderr.write(`homer-sim: unknown option ${k}\n`); process.exit(2); }
}
const SECRET = "homer-sim-jwt-secret"; // auth_settings.jwt_secret
const PROFILES = new Set(["1_call", "1_registration", "1_default"]); // the mapping table's keys
// 1_call's default allow-list (migration/jsonschema/jsonschema.go) plus the always-allowed names
const ALLOWED = new Set(["sid", "data_header.method", "protocol_header.correlation_id", "data_header.callid",
  "data_header.ruri_user", "data_header.from_user", "data_header.to_user", "data_header.user_agent",
  "protocol_header.protocol", "data_header.cseq", "data_header.from_tag", "data_header.protocol", "raw",
  "limit", "smartinput", "id", "create_date"]);

// The dataset: {"nodes": ["homer01"], "messages": [{id, at_ms, sid, method, ...}]}; each row becomes
// what /search/call/data answers: protocol_header and data_header merged flat, plus create_date (ms).
const data = JSON.parse(readFileSync(opt.data, "utf8"));
const rows = data.messages.map((m) => {
  const t = opt.base + m.at_ms;
  return { ...m, id: m.id, uuid: m.id, sid: m.sid, callid: m.sid, node: m.node ?? "homer01", dbnode: "LocalNode",
    table: "hep_proto_1_call", create_date: t, timeSeconds: Math.floor(t / 1000), timeUseconds: (t % 1000) * 1000,
    aliasSrc: m.srcIp, aliasDst: m.dstIp, protocol: 17, captureId: 2001, correlation_id: m.correlation_id ?? "" };
}).sort((a, b) => a.create_date - b.create_date);
const counts = { auth: 0, unauthorized: 0, search: 0, transaction: 0, pcap: 0 };

const b64u = (b) => Buffer.from(b).toString("base64url");
function sign(claims) {
  const head = b64u(JSON.stringify({ alg: "HS256", typ: "JWT" })), body = b64u(JSON.stringify(claims));
  return `${head}.${body}.${createHmac("sha256", SECRET).update(`${head}.${body}`).digest("base64url")}`;
}
// The claims of a valid, unexpired Bearer token, or null (echo-jwt's 401).
function verify(req) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  if (!m) return null;
  const [head, body, sig] = m[1].split(".");
  if (!sig) return null;
  const want = createHmac("sha256", SECRET).update(`${head}.${body}`).digest();
  const got = Buffer.from(sig, "base64url");
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  const claims = JSON.parse(Buffer.from(body, "base64url").toString());
  return claims.exp * 1000 > Date.now() ? claims : null; // exp in seconds, fractional here for --token-ttl-ms
}

function send(res, status, body, headers = {}) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", "Content-Length": bytes.length, ...headers });
  res.end(bytes);
}
const bad = (res, status, message) => send(res, status, { data: {}, message }); // CreateBadResponse
// A Go type assertion that fails panics (`what` is the panic's text, for the sim's log only); Echo's
// recover middleware answers a bare 500.
const panic = (res, what) => (process.env.HOMER_SIM_DEBUG && process.stderr.write(`panic: ${what}\n`),
  send(res, 500, { message: "Internal Server Error" }));

// A filter value of /search/call/data against a field (buildQuery): '%' LIKE, ';' IN, '!=' negates.
function matches(field, value) {
  const neg = value.startsWith("!=");
  const v = neg ? value.slice(2) : value;
  const like = (p) => new RegExp("^" + p.split("%").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
  const hit = v.split(";").some((p) => (p.includes("%") ? like(p).test(String(field ?? "")) : String(field ?? "") === p));
  return neg ? !hit : hit;
}

function window(body) {
  const ts = body?.timestamp;
  if (!ts || !Number.isInteger(ts.from) || !Number.isInteger(ts.to)) return null;
  // the server divides by 1000 and drops the sub-second part
  return { from: Math.floor(ts.from / 1000) * 1000, to: Math.floor(ts.to / 1000) * 1000 + 999 };
}

function searchData(res, body) {
  counts.search++;
  const w = window(body);
  if (!w) return bad(res, 400, "timestamp.from and timestamp.to are required");
  const search = body.param?.search ?? {};
  let out = [];
  for (const [key, filters] of Object.entries(search)) {
    if (!PROFILES.has(key)) continue; // an unknown key is skipped
    if (!Array.isArray(filters)) return panic(res, `interface {} is map[string]interface {}, not []interface {}`);
    let limit = 200, sel = rows.filter((r) => r.create_date >= w.from && r.create_date <= w.to);
    for (const f of filters) {
      if (typeof f?.value !== "string") continue; // skipped with a log line
      if (f.name === "limit") { limit = Number(f.value) || 200; continue; }
      if (!ALLOWED.has(f.name)) continue; // silently dropped
      const field = f.name.replace(/^(data|protocol)_header\./, "");
      sel = sel.filter((r) => matches(field === "callid" ? r.sid : r[field], f.value));
    }
    out = out.concat(key === "1_call" ? sel.slice(0, limit) : []);
  }
  const nodes = body.param?.location?.node;
  if (Array.isArray(nodes) && nodes.length) out = out.filter((r) => nodes.includes(r.dbnode));
  const data = out.map(({ raw, at_ms, ...r }) => r); // raw only for hep_proto_100_default
  send(res, 201, { total: data.length, data, keys: [...new Set(data.flatMap(Object.keys))] });
}

// The rows of /call/transaction and the exports: the Call-IDs asked, then the correlation mapping's
// one rule modelled here (a leg whose correlation_id names a Call-ID, and the Call-ID a leg's
// correlation_id names, with lookup_range widening the window by 60 s), deduplicated, by time.
function transactionRows(res, body) {
  const w = window(body);
  if (!w) return bad(res, 400, "timestamp.from and timestamp.to are required"), null;
  const search = body.param?.search ?? {};
  const key = Object.keys(search)[0];
  if (!key || !PROFILES.has(key)) return bad(res, 400, "invalid search profile key"), null;
  const ids = search[key]?.callid;
  if (!Array.isArray(ids)) return panic(res, "interface {} is nil, not []interface {}"), null;
  const want = new Set(ids.map(String));
  const inWin = (r, pad = 0) => r.create_date >= w.from - pad && r.create_date <= w.to + pad;
  const first = rows.filter((r) => want.has(r.sid) && inWin(r));
  const linked = new Set(first.map((r) => r.correlation_id).filter(Boolean));
  const more = rows.filter((r) => inWin(r, 60_000) && (want.has(r.correlation_id) || linked.has(r.sid)));
  const seen = new Set();
  return [...first, ...more].filter((r) => !seen.has(r.id) && seen.add(r.id)).sort((a, b) => a.create_date - b.create_date);
}

function transaction(res, body) {
  counts.transaction++;
  const msgs = transactionRows(res, body);
  if (!msgs) return;
  const hosts = {}, hostOf = (ip, port) => {
    const k = `${ip}:${port}`;
    hosts[k] ??= { host: [k], position: Object.keys(hosts).length };
    return hosts[k].position;
  };
  const calldata = msgs.map((r) => ({ id: r.id, sid: r.sid, srcHost: `${r.srcIp}:${r.srcPort}`, dstHost: `${r.dstIp}:${r.dstPort}`,
    srcId: hostOf(r.srcIp, r.srcPort), dstId: hostOf(r.dstIp, r.dstPort), srcIp: r.srcIp, dstIp: r.dstIp,
    srcPort: r.srcPort, dstPort: r.dstPort, aliasSrc: r.srcIp, aliasDst: r.dstIp, method: r.method,
    method_text: r.method, create_date: r.create_date, protocol: 17, msg_color: "blue", table: r.table,
    ruri_user: r.ruri_user ?? "", destination: hostOf(r.dstIp, r.dstPort) }));
  const messages = msgs.map(({ raw, at_ms, ...r }) => r);
  send(res, 201, { total: messages.length, data: { messages, hosts, calldata, alias: {} },
    keys: [...new Set(messages.flatMap(Object.keys))] });
}

// libpcap: global header (snaplen 65536, linktype 1 Ethernet), then per message Ethernet + IPv4 + UDP.
function pcapOf(msgs) {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65536, 16); head.writeUInt32LE(1, 20);
  const parts = [head];
  for (const r of msgs) {
    const sip = Buffer.from(r.raw ?? `${r.method} sip:${r.ruri_user ?? "x"}@${r.dstIp} SIP/2.0\r\nCall-ID: ${r.sid}\r\n\r\n`);
    const ip4 = (s) => Buffer.from(s.split(".").map(Number));
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(r.srcPort, 0); udp.writeUInt16BE(r.dstPort, 2); udp.writeUInt16BE(8 + sip.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45; ip.writeUInt16BE(20 + 8 + sip.length, 2); ip[8] = 64; ip[9] = 17;
    ip4(r.srcIp).copy(ip, 12); ip4(r.dstIp).copy(ip, 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const eth = Buffer.from([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00]);
    const frame = Buffer.concat([eth, ip, udp, sip]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(r.timeSeconds, 0); rec.writeUInt32LE(r.timeUseconds, 4);
    rec.writeUInt32LE(frame.length, 8); rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}

function exportPcap(res, body) {
  counts.pcap++;
  const msgs = transactionRows(res, body);
  if (!msgs) return;
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  send(res, 200, pcapOf(msgs), { "Content-Type": "application/octet-stream",
    "Content-Disposition": `attachment; filename=export-${stamp}.pcap` });
}

const server = createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on("data", (c) => { size += c.length; if (size < 1 << 20) chunks.push(c); });
  req.on("end", () => {
    const url = new URL(req.url, "http://x");
    const text = Buffer.concat(chunks).toString();
    let body;
    try { body = text ? JSON.parse(text) : undefined; } catch { body = Symbol.for("bad"); }
    const route = `${req.method} ${url.pathname}`;
    // not Homer: the test's view of what was asked
    if (route === "GET /_sim/counts") return send(res, 200, counts);
    if (route === "GET /api/v3/auth/type/list")
      return send(res, 200, { data: [{ name: "Internal", type: "internal", position: 1, enable: true }], count: 1 });
    if (route === "POST /api/v3/auth") {
      counts.auth++;
      if (typeof body !== "object" || body === null) return bad(res, 400, "request body is not valid JSON");
      if (!body.username || !body.password) return bad(res, 400, "username and password are required");
      if (body.username !== opt.user || body.password !== opt.password)
        return send(res, 401, { statuscode: 401, error: "Unauthorized", message: "incorrect password" });
      const exp = (Date.now() + opt.ttl) / 1000;
      return send(res, 201, { token: sign({ username: body.username, useradmin: true, usergroup: "admin",
        externalauth: false, externaltype: "", displayname: "Admin", avatar: "", exp }), scope: "b8b3c4d2-0000-4000-8000-000000000001",
        user: { admin: true } });
    }
    if (!url.pathname.startsWith("/api/v3/")) return send(res, 404, { message: "Not Found" });
    // everything else under /api/v3 is the JWT group: no valid token, 401 first
    if (!verify(req)) {
      counts.unauthorized++;
      return send(res, 401, { message: req.headers.authorization ? "invalid or expired jwt" : "missing or malformed jwt" });
    }
    if (body === Symbol.for("bad")) return bad(res, 400, "request body is not valid JSON");
    if (opt.fault500.has(url.pathname)) return panic(res, "fault injected");
    if (opt.hang.has(url.pathname)) return; // held open until the client gives up
    if (route === "GET /api/v3/database/node/list")
      return send(res, 200, { count: 1, data: [{ name: "LocalNode", value: "localnode" }] });
    if (route === "POST /api/v3/search/call/data") return searchData(res, body);
    if (route === "POST /api/v3/call/transaction") return transaction(res, body);
    if (route === "POST /api/v3/export/call/messages/pcap") return exportPcap(res, body);
    send(res, 404, { message: "Not Found" });
  });
});

const [host, port] = [opt.listen.slice(0, opt.listen.lastIndexOf(":")), Number(opt.listen.slice(opt.listen.lastIndexOf(":") + 1))];
server.listen(port, host, () => process.stderr.write(`ready ${server.address().port} ${opt.base}\n`));
for (const s of ["SIGTERM", "SIGINT"]) process.on(s, () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref());
