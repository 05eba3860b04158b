// Streamable HTTP driver for the end-to-end tests: spawns the real binary with `--transport http` on a
// free loopback port, and talks to it with the real `curl` binary (so status codes and headers are what
// a client on the wire sees, not what a library makes of them). Every wait is bounded; every server is
// stopped with SIGTERM and must exit 0.
import { spawn } from "node:child_process";
import { createServer, connect as tcpConnect } from "node:net";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { BIN, EXIT_WAIT, PROTOCOL, WAIT, ms, sleep } from "./raw.mjs";

const STDERR_CAP = 1 << 20;
export const START_WAIT = ms(5_000); // bound on the server answering TCP after spawn
export const CURL_WAIT = ms(10_000); // bound on one curl run

export const sha256hex = (s) => createHash("sha256").update(s).digest("hex");

// A port the kernel just handed out and took back: free unless someone else grabs it first (start
// retries on a bind failure).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function canConnect(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const sock = tcpConnect({ port, host });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
    sock.setTimeout(500, () => done(false));
  });
}

// One run of the binary: `run(args)` spawns it and resolves { code, signal, stderr } at exit, for the
// flag checks (a server that should refuse to start); bounded, killed on timeout.
export function runToExit(args, { timeout = EXIT_WAIT, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stderr = "";
    let stdout = "";
    child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
    child.stdout.setEncoding("utf8").on("data", (c) => (stdout += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")}: no exit within ${timeout} ms; stderr:\n${stderr.slice(-2000)}`));
    }, timeout);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, stdout });
    });
  });
}

export class HttpServer {
  // Use `await HttpServer.start(args)`. `listen` defaults to a free 127.0.0.1 port; pass
  // { host: "0.0.0.0" } to bind elsewhere (the tests still connect through 127.0.0.1).
  constructor(args, { port, host = "127.0.0.1", env } = {}) {
    this.port = port;
    this.host = host;
    this.args = ["--transport", "http", "--listen", `${host}:${port}`, ...args];
    this.url = `http://127.0.0.1:${port}/mcp`;
    this.stderr = "";
    this.exit = null;
    this.child = spawn(BIN, this.args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.child.stdout.setEncoding("utf8").on("data", (c) => (this.stdout = (this.stdout ?? "") + c));
    this.child.stderr.setEncoding("utf8").on("data", (c) => {
      if (this.stderr.length < STDERR_CAP) this.stderr += c;
    });
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => resolve((this.exit = { code, signal }))),
    );
  }

  static async start(args = [], opts = {}) {
    for (let attempt = 0; ; attempt++) {
      const port = opts.port ?? (await freePort());
      const s = new HttpServer(args, { ...opts, port });
      const deadline = Date.now() + START_WAIT;
      while (!s.exit && Date.now() < deadline) {
        if (await canConnect(port)) return s;
        await sleep(20);
      }
      if (!s.exit) {
        s.child.kill("SIGKILL");
        await s.exited;
        throw new Error(`server not listening on ${port} within ${START_WAIT} ms; stderr:\n${s.stderrTail()}`);
      }
      // Someone took the port between freePort and bind: try another, a few times.
      if (attempt < 3 && opts.port === undefined && /cannot listen/.test(s.stderr)) continue;
      throw new Error(`server exited ${JSON.stringify(s.exit)} at start; stderr:\n${s.stderrTail()}`);
    }
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  stderrTail(n = 2000) {
    return this.stderr.slice(-n);
  }

  // SIGTERM, and assert a clean exit (code 0) within the bound; kills and throws otherwise.
  async stop({ timeout = EXIT_WAIT } = {}) {
    if (!this.exit) this.child.kill("SIGTERM");
    let timer;
    const r = await Promise.race([this.exited, new Promise((res) => (timer = setTimeout(res, timeout, null)))]);
    clearTimeout(timer);
    if (r === null) {
      this.child.kill("SIGKILL");
      await this.exited;
      assert.fail(`server did not exit within ${timeout} ms of SIGTERM; stderr:\n${this.stderrTail()}`);
    }
    assert.deepEqual(r, { code: 0, signal: null }, `exit after SIGTERM; stderr:\n${this.stderrTail()}`);
    assert.equal(this.stdout ?? "", "", "an HTTP server wrote to stdout");
  }

  kill() {
    if (!this.exit) this.child.kill("SIGKILL");
  }
}

// Run fn(server) with a fresh HTTP server and always stop it (the stop asserts exit 0 after SIGTERM).
export async function withHttpServer(args, fn, opts) {
  const server = await HttpServer.start(args, opts);
  let ok = false;
  try {
    await fn(server);
    ok = true;
  } finally {
    if (ok) await server.stop();
    else {
      server.kill();
      await server.exited;
    }
  }
}

// ---- curl ----

// What a well-behaved MCP client sends on a POST (§3.2).
export const POST_HEADERS = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

// Split curl -i output into responses (1xx interim ones skipped); returns the final one.
export function parseHttp(raw) {
  let rest = raw;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    assert.ok(end >= 0, `no header block in curl output:\n${raw.slice(0, 500)}`);
    const lines = rest.slice(0, end).split("\r\n");
    const m = /^HTTP\/[\d.]+ (\d{3})/.exec(lines[0]);
    assert.ok(m, `no status line in curl output:\n${raw.slice(0, 500)}`);
    const status = Number(m[1]);
    const headers = {};
    const headerList = [];
    for (const l of lines.slice(1)) {
      const i = l.indexOf(":");
      if (i < 0) continue;
      const k = l.slice(0, i).trim().toLowerCase();
      const v = l.slice(i + 1).trim();
      headerList.push([k, v]);
      headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
    }
    rest = rest.slice(end + 4);
    if (status >= 100 && status < 200) continue;
    let json = null;
    try {
      json = JSON.parse(rest);
    } catch {}
    return { status, headers, headerList, body: rest, json };
  }
}

// Run `curl -sS -i` with a method, headers (object; a null value removes curl's default header) and an
// optional body on stdin. Resolves the parsed final response, plus { code, stderr } of curl itself.
export function curl(url, { method = "POST", headers = {}, body, args = [], timeout = CURL_WAIT } = {}) {
  const argv = ["-sS", "-i", "--max-time", String(Math.ceil(timeout / 1000)), "-X", method];
  for (const [k, v] of Object.entries(headers)) argv.push("-H", v === null ? `${k}:` : `${k}: ${v}`);
  if (body !== undefined) argv.push("--data-binary", "@-");
  argv.push(...args, url);
  return new Promise((resolve, reject) => {
    const child = spawn("curl", argv, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (c) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c) => (err += c));
    child.stdin.on("error", () => {}); // a server that refuses early may close before reading it all
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout + 2000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // "close", not "exit": the process may exit before its stdout is read to the end (seen with ten
    // curls at once on a loaded machine: exit 0 and no output yet).
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        return reject(new Error(`curl ${argv.join(" ")} exited ${code ?? signal}: ${err}\n${out.slice(0, 500)}`));
      }
      try {
        resolve({ ...parseHttp(out), raw: out, stderr: err });
      } catch (e) {
        reject(e);
      }
    });
    if (body !== undefined) child.stdin.end(typeof body === "string" ? body : JSON.stringify(body));
    else child.stdin.end();
  });
}

// Server-sent events of a text/event-stream body: [{ id, event, data, retry }] (data lines joined).
export function parseSse(text) {
  const events = [];
  for (const block of text.replace(/\r\n/g, "\n").split("\n\n")) {
    if (!block.trim()) continue;
    const ev = {};
    const data = [];
    let comment = true;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      comment = false;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? "" : line.slice(i + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else ev[field] = value;
    }
    if (comment) continue;
    if (data.length) ev.data = data.join("\n");
    events.push(ev);
  }
  return events;
}

// The JSON-RPC messages of a response: the body of an application/json one, the data of an SSE one.
export function messagesOf(res) {
  if ((res.headers["content-type"] || "").startsWith("text/event-stream")) {
    return parseSse(res.body).filter((e) => e.data).map((e) => JSON.parse(e.data));
  }
  return res.json ? [res.json] : [];
}

export const rpc = (id, method, params) =>
  params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };

export const INIT_PARAMS = (protocolVersion = PROTOCOL, capabilities = {}) => ({
  protocolVersion,
  capabilities,
  clientInfo: { name: "opensips-mcp-e2e-http", version: "0.0.0" },
});

// A session opened with curl: initialize (asserting 200 and a session id) + notifications/initialized.
// Returns { sid, headers } where headers carry the session and protocol version for later requests.
export async function openSession(url, { protocolVersion = PROTOCOL, headers = {}, capabilities } = {}) {
  const r = await curl(url, { headers: { ...POST_HEADERS, ...headers }, body: rpc(1, "initialize", INIT_PARAMS(protocolVersion, capabilities)) });
  assert.equal(r.status, 200, `initialize: ${r.raw}`);
  const sid = r.headers["mcp-session-id"];
  assert.ok(sid, `initialize response has no Mcp-Session-Id: ${r.raw}`);
  const [msg] = messagesOf(r);
  assert.ok(msg?.result, `initialize failed: ${r.raw}`);
  const sh = { ...POST_HEADERS, ...headers, "Mcp-Session-Id": sid, "MCP-Protocol-Version": msg.result.protocolVersion };
  const n = await curl(url, { headers: sh, body: { jsonrpc: "2.0", method: "notifications/initialized" } });
  assert.equal(n.status, 202, `notifications/initialized: ${n.raw}`);
  return { sid, headers: sh, init: msg.result };
}

// Assert an HTTP refusal: status, and the JSON-RPC error code of its body (id null).
export function assertRefused(r, status, code, what = "") {
  assert.equal(r.status, status, `${what}: expected HTTP ${status}, got ${r.status}:\n${r.raw}`);
  if (code === undefined) return;
  assert.ok(r.json, `${what}: HTTP ${status} body is not JSON:\n${r.raw}`);
  assert.equal(r.json.jsonrpc, "2.0", `${what}: ${r.body}`);
  assert.equal(r.json.error?.code, code, `${what}: JSON-RPC error code:\n${r.body}`);
  assert.equal(typeof r.json.error.message, "string");
}

// A long-lived `curl -N` (a GET stream): collects stdout as it comes; waitFor(re) resolves when the
// output so far matches, stop() ends curl with SIGTERM. Bounded waits throughout.
export function curlStream(url, { headers = {}, method = "GET" } = {}) {
  const argv = ["-sS", "-i", "-N", "-X", method];
  for (const [k, v] of Object.entries(headers)) argv.push("-H", v === null ? `${k}:` : `${k}: ${v}`);
  argv.push(url);
  const child = spawn("curl", argv, { stdio: ["ignore", "pipe", "pipe"] });
  const s = { out: "", err: "", exit: null, waiters: new Set() };
  const wake = () => s.waiters.forEach((w) => w());
  child.stdout.setEncoding("utf8").on("data", (c) => {
    s.out += c;
    wake();
  });
  child.stderr.setEncoding("utf8").on("data", (c) => (s.err += c));
  s.exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      s.exit = { code, signal };
      wake();
      resolve(s.exit);
    }),
  );
  s.waitFor = (re, { timeout = WAIT, what = String(re) } = {}) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (re.test(s.out)) {
          done();
          resolve(s.out);
        } else if (s.exit) {
          done();
          reject(new Error(`curl stream ended (${JSON.stringify(s.exit)}) before ${what}:\n${s.out}\n${s.err}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} on the stream within ${timeout} ms:\n${s.out}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        s.waiters.delete(check);
      };
      s.waiters.add(check);
      check();
    });
  // Resolves the exit once curl ends by itself (the server closed the stream), within the bound.
  s.ended = async (timeout = WAIT) => {
    let timer;
    const r = await Promise.race([s.exited, new Promise((res) => (timer = setTimeout(res, timeout, null)))]);
    clearTimeout(timer);
    return r;
  };
  s.stop = async () => {
    if (!s.exit) child.kill("SIGTERM");
    await s.ended(EXIT_WAIT);
    if (!s.exit) child.kill("SIGKILL");
    return s.exited;
  };
  s.response = () => parseHttp(s.out);
  return s;
}
