// Raw stdio driver for the end-to-end tests: spawns the real binary and speaks newline-delimited JSON
// on its stdin/stdout directly, so tests can send what no SDK would (garbage, batches, huge lines).
// Every wait is bounded; a timeout error carries the tail of the server's stderr.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";

export const BIN = process.env.OPENSIPS_MCP_BIN;
if (!BIN || !existsSync(BIN)) {
  throw new Error(`set OPENSIPS_MCP_BIN to the opensips-mcp binary (got '${BIN ?? ""}')`);
}

// Sanitizer builds are slower: every wait scales by E2E_TIMEOUT_SCALE (default 1).
const SCALE = Number(process.env.E2E_TIMEOUT_SCALE || 1);
export const ms = (n) => Math.round(n * SCALE);
export const WAIT = ms(10_000); // default bound on one wait for a reply
export const EXIT_WAIT = ms(5_000); // default bound on the exit after stdin closes
export const TEST_TIMEOUT = ms(60_000); // bound on one whole test

export const PROTOCOL = "2025-11-25";
const STDERR_CAP = 1 << 20;

export const sleep = (n) => new Promise((r) => setTimeout(r, n));

// The environment of a server that must see no settings of the machine's or the caller's: HOME (so
// opensips-cli's ~/.opensips-cli.cfg) in dir, every OPENSIPS_* variable of ours unset (a setting
// added later is covered without touching the tests), and OpenSIPS's default FIFO, which the MI
// client falls back to, at a path that does not exist. Merged over process.env by the spawns here.
export function isolatedEnv(dir) {
  const env = { HOME: dir };
  for (const k of Object.keys(process.env)) if (k.startsWith("OPENSIPS_")) env[k] = undefined;
  env.OPENSIPS_MCP_TEST_DEFAULT_FIFO = join(dir, "no-such-fifo");
  return env;
}

export class RawServer {
  constructor(args = [], { env } = {}) {
    this.args = args;
    this.messages = []; // every JSON message received, in order
    this.badLines = []; // stdout lines that are not JSON-RPC messages
    this.stderr = "";
    this.nextId = 1;
    this.exit = null; // { code, signal } once exited
    this.waiters = new Set();
    this.child = spawn(BIN, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.child.stdin.on("error", () => {}); // EPIPE after the server exits is reported by the exit checks
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        this.wake();
        resolve(this.exit);
      });
    });
    let pending = "";
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.onLine(line);
      }
    });
    this.child.stdout.on("end", () => {
      if (pending.length) this.badLines.push(`(unterminated) ${pending.slice(0, 200)}`);
    });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (chunk) => {
      if (this.stderr.length < STDERR_CAP) this.stderr += chunk;
    });
  }

  onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this.badLines.push(line.slice(0, 200));
      return;
    }
    if (msg === null || typeof msg !== "object" || Array.isArray(msg) || msg.jsonrpc !== "2.0") {
      this.badLines.push(line.slice(0, 200));
      return;
    }
    this.messages.push(msg);
    this.wake();
  }

  wake() {
    for (const w of [...this.waiters]) w();
  }

  stderrTail(n = 2000) {
    return this.stderr.slice(-n);
  }

  // Write one message (an object is serialised; a string is sent as given) and a newline.
  send(msg) {
    this.child.stdin.write((typeof msg === "string" ? msg : JSON.stringify(msg)) + "\n");
  }

  // Write raw bytes, no newline added; resolves once written. A failed write (the server closed its
  // stdin or died) rejects with what the server last said.
  write(data) {
    return new Promise((resolve, reject) =>
      this.child.stdin.write(data, async (err) => {
        if (!err) return resolve();
        await Promise.race([this.exited, sleep(1000)]);
        reject(new Error(`write to the server failed (${err.code}); server exit: ${JSON.stringify(this.exit)}; ` +
          `last messages: ${JSON.stringify(this.messages.slice(-2))}; stderr:\n${this.stderrTail()}`));
      }),
    );
  }

  notify(method, params) {
    this.send(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });
  }

  // Send a request; resolves with the whole response message (result or error).
  request(method, params, { id = this.nextId++, timeout = WAIT } = {}) {
    const msg = { jsonrpc: "2.0", id, method };
    if (params !== undefined) msg.params = params;
    this.send(msg);
    return this.response(id, { timeout, what: `response to ${method} (id ${JSON.stringify(id)})` });
  }

  // Like request, but resolves with the result and fails on an error response.
  async call(method, params, opts) {
    const r = await this.request(method, params, opts);
    assert.ok(!r.error, `${method} failed: ${JSON.stringify(r.error)}`);
    return r.result;
  }

  // The first message (seen or to come, from index `from` on) that pred accepts, within timeout ms.
  waitFor(pred, { timeout = WAIT, what = "message", from = 0 } = {}) {
    const find = () => this.messages.slice(from).find(pred);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = find();
        if (m) {
          done();
          resolve(m);
        } else if (this.exit) {
          done();
          reject(new Error(`server exited (${JSON.stringify(this.exit)}) before ${what}\n${this.stderrTail()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeout} ms; stderr:\n${this.stderrTail()}`));
      }, timeout);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  response(id, opts = {}) {
    return this.waitFor(
      (m) => !("method" in m) && ("result" in m || "error" in m) && sameId(m.id, id),
      { what: `response with id ${JSON.stringify(id)}`, ...opts },
    );
  }

  // Every response carrying this id (for checking that exactly one, or none, arrived).
  responsesFor(id) {
    return this.messages.filter((m) => !("method" in m) && sameId(m.id, id));
  }

  // Messages after index `from` (to look only at what a step produced).
  since(from) {
    return this.messages.slice(from);
  }

  async initialize({ protocolVersion = PROTOCOL, capabilities = {}, initialized = true } = {}) {
    const r = await this.request("initialize", {
      protocolVersion,
      capabilities,
      clientInfo: { name: "opensips-mcp-e2e", version: "0.0.0" },
    });
    assert.ok(r.result, `initialize failed: ${JSON.stringify(r.error)}`);
    if (initialized) this.notify("notifications/initialized");
    return r.result;
  }

  // Ping and expect {} promptly: the session is alive.
  async assertAlive(note = "") {
    const r = await this.request("ping", undefined, { timeout: WAIT });
    assert.deepEqual(r.result, {}, `ping after ${note}: ${JSON.stringify(r)}`);
  }

  kill(signal = "SIGKILL") {
    if (!this.exit) this.child.kill(signal);
  }

  // Close stdin and wait for the exit; resolves with { code, signal } or kills and throws on timeout.
  async close({ timeout = EXIT_WAIT } = {}) {
    this.child.stdin.end();
    return this.waitExit(timeout);
  }

  async waitExit(timeout = EXIT_WAIT) {
    let timer;
    const t = new Promise((resolve) => (timer = setTimeout(resolve, timeout, null)));
    const r = await Promise.race([this.exited, t]);
    clearTimeout(timer);
    if (r === null) {
      this.kill("SIGKILL");
      await this.exited;
      throw new Error(`server did not exit within ${timeout} ms; stderr:\n${this.stderrTail()}`);
    }
    return r;
  }
}

function sameId(a, b) {
  return a === b || (a !== null && b !== null && typeof a === "object" && JSON.stringify(a) === JSON.stringify(b));
}

// Close stdin and assert a clean exit: code 0 within the bound (a sanitizer report exits non-zero), and
// nothing but JSON-RPC on stdout the whole time.
export async function closeClean(server, opts) {
  const r = await server.close(opts);
  assert.deepEqual(server.badLines, [], "stdout carried something other than JSON-RPC lines");
  assert.deepEqual(r, { code: 0, signal: null }, `exit after stdin EOF; stderr:\n${server.stderrTail()}`);
}

// Run fn with a fresh server and always close it: the test fails if the server does not exit cleanly.
export async function withServer(args, fn, { init = true, env } = {}) {
  const server = new RawServer(args, { env });
  let failed = true;
  try {
    if (init) await server.initialize(typeof init === "object" ? init : undefined);
    await fn(server);
    failed = false;
  } finally {
    if (failed) {
      server.kill();
      await server.waitExit().catch(() => {});
    }
  }
  await closeClean(server);
}

export const FIXTURES = ["--conformance-fixtures"];

// The fixture tools of mcp-notes.md §4.5 plus our own two.
export const FIXTURE_TOOLS = [
  "test_simple_text",
  "test_image_content",
  "test_audio_content",
  "test_embedded_resource",
  "test_multiple_content_types",
  "test_tool_with_logging",
  "test_error_handling",
  "test_tool_with_progress",
  "test_sampling",
  "test_elicitation",
  "test_elicitation_sep1034_defaults",
  "test_elicitation_sep1330_enums",
  "test_sleep",
  "test_schema",
  "test_update_resource",
];

// test_schema's structuredContent is {received: <the arguments it accepted>} (its outputSchema).
export const echoed = (structuredContent) => structuredContent?.received;
export const FIXTURE_RESOURCES = ["test://static-text", "test://static-binary", "test://watched-resource"];
export const FIXTURE_TEMPLATES = ["test://template/{id}/data"];
export const FIXTURE_PROMPTS = [
  "test_simple_prompt",
  "test_prompt_with_arguments",
  "test_prompt_with_embedded_resource",
  "test_prompt_with_image",
];

// Walk a paginated list method; returns { items, pages }. Bounded to maxPages.
export async function listAll(server, method, key, { maxPages = 100 } = {}) {
  const items = [];
  let cursor;
  let pages = 0;
  do {
    const result = await server.call(method, cursor === undefined ? {} : { cursor });
    assert.ok(Array.isArray(result[key]), `${method} result has no ${key} array: ${JSON.stringify(result)}`);
    items.push(...result[key]);
    pages++;
    cursor = result.nextCursor;
    if (cursor !== undefined) assert.equal(typeof cursor, "string", `${method} nextCursor must be a string`);
    assert.ok(pages <= maxPages, `${method} did not end within ${maxPages} pages`);
  } while (cursor !== undefined);
  return { items, pages };
}

// The text of a tool result's content, joined.
export function textOf(result) {
  return (result.content || [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}
