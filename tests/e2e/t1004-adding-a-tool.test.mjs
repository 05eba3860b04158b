// The worked examples of docs/adding-a-tool.md (src/fixtures/examples.c, registered with
// --conformance-fixtures), built and called as the document shows them: an MI row on the
// simulator, a program row run for real, SQL-table rows whose arguments come from the table's
// columns. And the document quotes the example source as it is.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { withClient, allTools as loadTools, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const root = new URL("../../", import.meta.url);
let sim;

before(async () => {
  sim = await startSim({ name: "examples" });
});
after(() => stopAll());

const args = () => ["--role", "admin", "--conformance-fixtures", "--mi-url", sim.url];

test("the document quotes each example exactly as src/fixtures/examples.c has it", T, () => {
  const src = readFileSync(new URL("src/fixtures/examples.c", root), "utf8");
  const doc = readFileSync(new URL("docs/adding-a-tool.md", root), "utf8");
  const blocks = [...src.matchAll(/\/\* example: ([a-z-]+) \*\/\n([\s\S]*?)\n *\/\* end example \*\//g)];
  assert.deepEqual(blocks.map((b) => b[1]), ["sql-table", "mi-row", "sql-rows", "exec-row"]);
  for (const [, name, body] of blocks) {
    // the document shows each block dedented to the row's own indentation
    const lines = body.split("\n");
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
    const shown = lines.map((l) => l.slice(indent)).join("\n");
    assert.ok(doc.includes(shown), `docs/adding-a-tool.md does not show the ${name} example as the source has it`);
  }
});

test("the MI example is a pure row: paged, with node and fields, answered from core:ps", T, async () => {
  await withClient(args(), async (client) => {
    const by = Object.fromEntries((await loadTools(client)).map((t) => [t.name, t]));
    const t = by.example_processes;
    assert.deepEqual(Object.keys(t.inputSchema.properties).sort(), ["fields", "limit", "node", "offset"]);
    const r = await call(client, "example_processes", { limit: 2, fields: ["PID", "Type"] });
    assert.ok(!r.isError, JSON.stringify(r));
    const s = r.structuredContent;
    assert.equal(s.items.length, 2);
    assert.ok(s.total > 2 && s.next_offset === 2, JSON.stringify(s));
    assert.deepEqual(Object.keys(s.items[0]).sort(), ["PID", "Type"]);
    assert.equal(s.node, "default");
  });
});

test("the program example runs uname with its mapped option; nothing else is passed", T, async () => {
  await withClient(args(), async (client) => {
    await loadTools(client);
    const plain = await call(client, "example_uname", {});
    assert.ok(!plain.isError, JSON.stringify(plain));
    assert.equal(plain.structuredContent.status, 0);
    assert.equal(plain.structuredContent.stdout.trim(), "Linux");
    const m = await call(client, "example_uname", { machine: true });
    assert.equal(m.structuredContent.stdout.trim().split(/\s+/).length, 2, JSON.stringify(m));
    const off = await call(client, "example_uname", { machine: false });
    assert.equal(off.structuredContent.stdout.trim(), "Linux");
    // an argument the row does not declare is refused by the schema before anything runs
    const bad = await call(client, "example_uname", { machine: true, extra: "-a" });
    assert.ok(bad.isError && /extra/.test(bad.content[0].text), JSON.stringify(bad));
  });
});

test("the SQL examples take their arguments from the table's columns; without a database they say so", T, async () => {
  await withClient(args(), async (client) => {
    const by = Object.fromEntries((await loadTools(client)).map((t) => [t.name, t]));
    const add = by.example_domain_add.inputSchema, del = by.example_domain_delete.inputSchema;
    // the key is the database's to assign; reload (default true) re-reads the table after the change
    assert.deepEqual(Object.keys(add.properties).sort(), ["attrs", "confirm", "domain", "node", "reload"]);
    assert.equal(add.properties.reload.default, true);
    assert.deepEqual(add.required, ["domain"]);
    assert.equal(add.properties.domain.maxLength, 64);
    assert.deepEqual(Object.keys(del.properties).sort(), ["confirm", "id", "node", "reload"]);
    assert.deepEqual(del.required, ["id"]);
    assert.deepEqual(Object.keys(by.example_domain_list.inputSchema.properties).sort(), ["fields", "limit", "node", "offset"]);
    assert.equal(by.example_domain_list.annotations.readOnlyHint, true);
    const r = await call(client, "example_domain_list", {});
    assert.ok(r.isError, JSON.stringify(r));
    assert.match(r.content[0].text, /db_not_configured.*no provisioning database is configured/);
    // a write asks first, as every write does; confirmed, it reaches the missing database
    const w = await call(client, "example_domain_add", { domain: "example.com", confirm: true });
    assert.match(w.content[0].text, /db_not_configured/);
  });
});
