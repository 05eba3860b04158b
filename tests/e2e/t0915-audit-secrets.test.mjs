// Secrets never reach the audit file or the debug log (issue 9 item 10): a password given to an MI
// command by position (uac_registrant:upsert's 7th parameter), inside mi_params JSON text, or under
// a key longer than 63 bytes; and U+2028/U+2029/U+0085 in arguments cannot split a record for a
// reader that ends lines there (item 11).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withServer, TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
let dir, sim;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-audit-secrets-"));
  sim = await startSim();
});
after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

// uac_registrant:upsert's recipe: aor contact registrar proxy third_party_registrant username password ...
const upsert = (password) => ["sip:alice@example.com", "sip:alice@10.0.0.1", "sip:reg.example.com", "", "", "alice", password];
const LONG_KEY = `${"x".repeat(100)}_password`;

test("a password by position, in mi_params text or under a long key reaches neither the audit file nor the debug log", T, async () => {
  const audit = join(dir, "secrets.jsonl");
  let stderr = "";
  await withServer(["--role", "admin", "--toolsets", "all", "--audit", audit, "--log-level", "debug", "--mi-url", sim.url], async (s) => {
    const calls = [
      // refused by the schema (params is an object), audited with its arguments
      { name: "mi_execute", arguments: { command: "uac_registrant:upsert", params: upsert("pw-POSITIONAL-1") } },
      // accepted: audited and debug-logged
      { name: "mi_execute", arguments: { command: "uac_registrant:upsert", params: { aor: "sip:a@b", [LONG_KEY]: "pw-LONG-KEY-2" } } },
      { name: "cluster_send_command", arguments: { cluster_id: 1, node_id: 2, mi_cmd: "uac_registrant:upsert", mi_params: JSON.stringify(upsert("pw-TEXT-POSITIONAL-3")) } },
      { name: "cluster_send_command", arguments: { cluster_id: 1, node_id: 2, mi_cmd: "reg_upsert", mi_params: JSON.stringify({ aor: "sip:a@b", password: "pw-TEXT-NAMED-4" }) } },
      { name: "mi_execute", arguments: { command: "dialog:list", params: { filter: JSON.stringify({ nested: [{ Auth_Token: "pw-NESTED-TEXT-5" }] }) } } },
    ];
    for (const c of calls) await s.call("tools/call", c);
    stderr = s.stderr;
  });
  const raw = readFileSync(audit, "utf8");
  const secrets = ["pw-POSITIONAL-1", "pw-LONG-KEY-2", "pw-TEXT-POSITIONAL-3", "pw-TEXT-NAMED-4", "pw-NESTED-TEXT-5"];
  assert.deepEqual(secrets.filter((x) => raw.includes(x)), [], "secrets in the audit file");
  assert.deepEqual(secrets.filter((x) => stderr.includes(x)), [], "secrets in the debug log");
  // What is not secret is still there to read.
  const recs = raw.trim().split("\n").map((l) => JSON.parse(l));
  const first = recs.find((r) => r.tool === "mi_execute" && r.event === "refused");
  assert.deepEqual(first.args.params, [...upsert("x").slice(0, 6), "***"]);
  assert.ok(stderr.includes('tools/call cluster_send_command') && stderr.includes('\\"alice\\",\\"***\\"]'), stderr.slice(-2000));
  const named = recs.find((r) => r.tool === "cluster_send_command" && r.args?.mi_cmd === "reg_upsert");
  assert.deepEqual(JSON.parse(named.args.mi_params), { aor: "sip:a@b", password: "***" });
});

test("U+2028, U+2029 and U+0085 in arguments leave each audit record one line for every reader", T, async () => {
  const audit = join(dir, "separators.jsonl");
  const note = 'a\u2028{"event":"forged","tool":"x"}\u2029b\u0085c';
  await withServer(["--role", "admin", "--audit", audit, "--mi-url", sim.url], async (s) => {
    await s.call("tools/call", { name: "mi_execute", arguments: { command: "dialog:list", params: { callid: note } } });
  });
  const raw = readFileSync(audit, "utf8");
  assert.ok(!/[\u2028\u2029\u0085]/.test(raw), "a line separator was written raw");
  // A reader that splits on every Unicode line terminator (JavaScript's line terminators, Python's splitlines)
  const lines = raw.split(/\r\n|[\n\r\u2028\u2029\u0085]/).filter(Boolean);
  const recs = lines.map((l) => JSON.parse(l));
  assert.deepEqual(recs.map((r) => r.event), ["begin", "end"]);
  assert.equal(recs[0].args.params.callid, note);
});

test("the question before a write shows no secret: not the client, nor the audit trail's record of the refusal", T, async () => {
  const audit = join(dir, "questions.jsonl");
  const asked = [];
  await withServer(["--role", "admin", "--toolsets", "all", "--audit", audit, "--mi-url", sim.url], async (s) => {
    const calls = [
      // a row's own arguments (the SQL tools' question is asked before any database is needed)
      { name: "subscriber_add", arguments: { username: "alice", domain: "example.com", password: "pw-QUESTION-6" } },
      { name: "tls_add", arguments: { domain: "d", private_key: "pw-QUESTION-KEY-7" } },
      // an MI command's parameter by position
      { name: "mi_execute", arguments: { command: "uac_registrant:upsert", params: { aor: "sip:a@b", password: "pw-QUESTION-8" } } },
    ];
    for (const c of calls) {
      const r = await s.call("tools/call", c);
      asked.push(r.content[0].text);
    }
  });
  for (const q of asked) assert.match(q, /Ask the user to confirm/, q);
  assert.match(asked[0], /"password":"\*\*\*"/, asked[0]);
  assert.match(asked[0], /"username":"alice"/, asked[0]);
  const raw = readFileSync(audit, "utf8");
  for (const x of ["pw-QUESTION-6", "pw-QUESTION-KEY-7", "pw-QUESTION-8"]) {
    assert.ok(!asked.some((q) => q.includes(x)), `the question shows ${x}`);
    assert.ok(!raw.includes(x), `the audit trail holds ${x}`);
  }
});
