// Resource links in tool results (MCP 2025-06-18 server/tools.mdx, "Resource Links") end to end
// through the SDK client against the simulator: a dialog tool's result links to the dialog and the
// client reads the link; the other linked tools' links read too; a page links at most 10; a tool
// without links, an error result, a fan-out and an older client get none; a toolset that is off
// gets no link to its resource; tools/list does not change.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ, allTools, callTool } from "./lib/sdk.mjs";
import { TEST_TIMEOUT, withServer } from "./lib/raw.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
const LINKS_MAX = 10; // ROW_LINKS_MAX (src/tools/row.h)
let dir, cfg;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-links-e2e-"));
  // 40 more dialogs than the recorded five: a page of them is over the cap
  const [pbx1, pbx2] = await Promise.all([startSim({ name: "pbx1", extra: ["--dialogs", "40"] }),
                                          startSim({ name: "pbx2", extra: ["--opensips", "3.6"] })]);
  cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify({ mi: { nodes: { pbx1: pbx1.url, pbx2: pbx2.url }, default: "pbx1" } }));
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const args = (toolsets = "all") => ["--config", cfg, "--role", "admin", "--toolsets", toolsets];
const links = (r) => r.content.filter((c) => c.type === "resource_link");
const read = async (client, uri) => JSON.parse((await client.readResource({ uri }, REQ)).contents[0].text);

test("a dialog tool's result links to the dialog, and the client reads the link", T, async () => {
  await withClient(args(), async (client) => {
    await allTools(client); // the SDK checks structuredContent against the output schemas
    const first = (await callTool(client, "dlg_list", { limit: 1 })).structuredContent.items[0];
    const r = await callTool(client, "dlg_list", { callid: first.callid });
    assert.ok(!r.isError, JSON.stringify(r));
    // the JSON text comes first, as before; the links after it
    assert.equal(r.content[0].type, "text");
    assert.deepEqual(JSON.parse(r.content[0].text), r.structuredContent);
    const l = links(r);
    assert.deepEqual(l.map((x) => x.uri), ["opensips://pbx1/dialogs", `opensips://pbx1/dialog/${encodeURIComponent(first.callid).replace(/%40/g, "@")}`]);
    for (const x of l) {
      assert.equal(x.mimeType, "application/json");
      assert.ok(x.name && x.title, JSON.stringify(x));
      assert.ok(Buffer.byteLength(JSON.stringify(x)) < 150, JSON.stringify(x));
    }
    const body = await read(client, l[1].uri);
    assert.equal(body.dialogs[0].callid, first.callid);
    assert.ok((await read(client, l[0].uri)).count >= 45);
    // the other node, by name
    const other = await callTool(client, "dlg_push_var", { node: "pbx2", callid: "no-such-call", from_tag: "x",
                                                           var_name: "v", var_value: "1", confirm: true });
    assert.ok(other.isError);
    assert.deepEqual(links(other), []);
  });
});

test("a page of dialogs links at most 10: the list's resource, then the first dialogs", T, async () => {
  await withClient(args(), async (client) => {
    const r = await callTool(client, "dlg_list", { limit: 50 });
    assert.ok(r.structuredContent.items.length > LINKS_MAX, `${r.structuredContent.items.length} dialogs`);
    const l = links(r);
    assert.equal(l.length, LINKS_MAX);
    assert.equal(l[0].uri, "opensips://pbx1/dialogs");
    assert.deepEqual(l.slice(1).map((x) => x.uri.replace("opensips://pbx1/dialog/", "")),
                     r.structuredContent.items.slice(0, LINKS_MAX - 1).map((d) => encodeURIComponent(d.callid).replace(/%40/g, "@")));
    // items without a callid (fields leaves it out) give no dialog links
    const slim = await callTool(client, "dlg_list", { limit: 5, fields: ["ID", "state"] });
    assert.deepEqual(links(slim).map((x) => x.uri), ["opensips://pbx1/dialogs"]);
  });
});

test("every other linked tool's link reads on both versions", T, async () => {
  await withClient(args(), async (client) => {
    for (const node of ["pbx1", "pbx2"]) {
      const aor = (await callTool(client, "ul_dump", { node, limit: 1 })).structuredContent.items[0].AOR;
      const cases = [
        ["ul_show_contact", { aor }, `registrations/${aor}`],
        ["dispatcher_list", {}, "dispatcher"],
        ["drouting_gw_status", {}, "drouting"],
        ["drouting_carrier_status", {}, "drouting"],
        ["lb_list", {}, "load_balancer"],
        ["server_health", {}, "status"],
        ["pike_list_blocked", {}, "pike"],
        ["mi_list_commands", { module: "dialog" }, "mi"],
        ["mi_describe_command", { command: "dialog:list" }, "mi/dialog:list"],
        ["dlg_profile_list_dlgs", { profile: "inbound", limit: 2 }, null],
      ];
      for (const [tool, a, path] of cases) {
        const r = await callTool(client, tool, { node, ...a });
        assert.ok(!r.isError, `${tool} on ${node}: ${r.content[0].text}`);
        const l = links(r);
        if (path) assert.deepEqual(l.map((x) => x.uri), [`opensips://${node}/${path}`], tool);
        else assert.equal(l.length, 2, tool);
        for (const x of l) assert.ok(await read(client, x.uri), x.uri);
      }
      const contacts = await read(client, `opensips://${node}/registrations/${aor}`);
      assert.ok(contacts.Contacts.length >= 1, JSON.stringify(contacts));
      // another usrloc table than the one the resource reads: no link
      const other = await callTool(client, "ul_show_contact", { node, aor, table_name: "other" });
      assert.deepEqual(links(other), []);
    }
  });
});

test("no link from a tool without links, an error result, or a fan-out", T, async () => {
  await withClient(args(), async (client) => {
    const plain = await callTool(client, "server_version", {});
    assert.ok(!plain.isError);
    assert.deepEqual(links(plain), []);
    const err = await callTool(client, "mi_describe_command", { command: "no:such_cmd" });
    assert.ok(err.isError);
    assert.deepEqual(links(err), []);
    const unknown = await callTool(client, "ul_show_contact", { aor: "nobody@nowhere" });
    assert.ok(unknown.isError);
    assert.deepEqual(links(unknown), []);
    const refused = await callTool(client, "dlg_list", { limit: 0 }); // fails the schema
    assert.ok(refused.isError);
    assert.deepEqual(links(refused), []);
    const fan = await callTool(client, "server_health", { node: "*" });
    assert.ok(!fan.isError && fan.structuredContent.answered === 2);
    assert.deepEqual(links(fan), []);
  });
});

test("a toolset that is off gets no link to its resource", T, async () => {
  const profile = { profile: "inbound", limit: 3 };
  await withClient(args("profiles"), async (client) => {
    const r = await callTool(client, "dlg_profile_list_dlgs", profile);
    assert.ok(!r.isError && r.structuredContent.items.length === 3);
    assert.deepEqual(links(r), []); // opensips://{node}/dialog/{callid} is the dialog toolset's
    assert.ok(!(await client.listResourceTemplates({}, REQ)).resourceTemplates.some((t) => t.uriTemplate.includes("/dialog/")));
  });
  await withClient(args("profiles,dialog"), async (client) => {
    const r = await callTool(client, "dlg_profile_list_dlgs", profile);
    assert.deepEqual(links(r).map((x) => x.uri),
                     r.structuredContent.items.map((d) => `opensips://pbx1/dialog/${encodeURIComponent(d.callid).replace(/%40/g, "@")}`));
  });
});

test("a 2025-03-26 client gets no links; a 2025-06-18 one does", T, async () => {
  for (const [protocolVersion, want] of [["2025-03-26", 0], ["2025-06-18", 1], ["2025-11-25", 1]])
    await withServer(args(), async (server) => {
      const r = await server.call("tools/call", { name: "dispatcher_list", arguments: {} });
      assert.ok(!r.isError);
      assert.equal(r.content.filter((c) => c.type === "resource_link").length, want, protocolVersion);
    }, { init: { protocolVersion } });
});

test("tools/list is the same with links: they are not in the listing", T, async () => {
  await withClient(args(), async (client) => {
    const text = JSON.stringify(await allTools(client));
    assert.ok(!/resource_link|"links"/.test(text));
  });
});
