// Product prompts, resources and resource templates end to end through the SDK client against the
// simulator: every prompt renders with its arguments, every template resolves and reads, completion
// answers from the simulator's dialogs, registrations and dispatcher sets, unknown prompts,
// resources and arguments get the spec's errors, and the toolsets decide what is listed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ, allTools, callTool, listAll as list } from "./lib/sdk.mjs";
import { BIN, TEST_TIMEOUT, ms } from "./lib/raw.mjs";
import { freePort } from "./lib/http.mjs";
import { startSim, stopAll } from "./lib/sim.mjs";

const T = { timeout: TEST_TIMEOUT };
let pbx1, pbx2, dir, cfg;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-prompts-e2e-"));
  [pbx1, pbx2] = await Promise.all([startSim({ name: "pbx1" }), startSim({ name: "pbx2", extra: ["--opensips", "3.6"] })]);
  cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify({ roles: { noc: ["mi.read"] }, mi: { nodes: { pbx1: pbx1.url, pbx2: pbx2.url }, default: "pbx1" } }));
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const all = (extra = []) => ["--config", cfg, "--role", "admin", "--toolsets", "all", ...extra];

test("docs/prompts.md is what --prompts-markdown writes from the rows (run `make docs`), and what opensips-mcp://docs/prompts serves", T, async () => {
  const r = spawnSync(BIN, ["--prompts-markdown"], { encoding: "utf8", timeout: ms(10_000) });
  assert.equal(r.status, 0, r.stderr);
  const docs = readFileSync(new URL("../../docs/prompts.md", import.meta.url), "utf8");
  assert.equal(docs, r.stdout, "docs/prompts.md is stale: run `make docs`");
  await withClient(all(), async (client) => {
    const read = await client.readResource({ uri: "opensips-mcp://docs/prompts" }, REQ);
    assert.equal(read.contents[0].text, docs);
  });
});

const complete = (client, ref, name, value, context) =>
  client.complete({ ref, argument: { name, value }, ...(context ? { context: { arguments: context } } : {}) }, REQ);
const prompt = (name) => ({ type: "ref/prompt", name });
const template = (uri) => ({ type: "ref/resource", uri });

// The JSON-RPC error code of a failing request.
async function code(p) {
  try {
    await p;
  } catch (e) {
    return e.code;
  }
  assert.fail("the request succeeded");
}

const bytes = (v) => Buffer.byteLength(JSON.stringify(v));

test("the lists: every prompt per area, the fixed resources and the templates, and their sizes", T, async () => {
  await withClient(all(), async (client) => {
    const prompts = await list(client, "listPrompts", "prompts");
    const resources = await list(client, "listResources", "resources");
    const templates = await list(client, "listResourceTemplates", "resourceTemplates");
    assert.ok(prompts.length >= 10, `${prompts.length} prompts`);
    for (const n of ["troubleshoot_call", "troubleshoot_registration", "troubleshoot_gateway", "troubleshoot_error_rates",
                     "security_review", "migrate_36_to_40", "config_from_flags", "sip_explain_call", "opensips_primer",
                     "ecosystem_overview"])
      assert.ok(prompts.find((p) => p.name === n), `prompt ${n} missing`);
    assert.deepEqual(resources.map((r) => r.uri).sort(),
                     ["opensips-mcp://docs/mi", "opensips-mcp://docs/prompts", "opensips-mcp://docs/security", "opensips-mcp://docs/tools",
                      "opensips-mcp://nodes", "opensips-mcp://sipp/scenarios"]);
    assert.ok(templates.length >= 10, `${templates.length} templates`);
    // a node's state under opensips://{node}/, this server's own under opensips-mcp://
    for (const t of templates) assert.match(t.uriTemplate, /^(opensips:\/\/\{node\}\/|opensips-mcp:\/\/[a-z]+\/)/);
    for (const p of prompts) {
      assert.ok(p.description.length < 100, p.name);
      for (const a of p.arguments) assert.ok(a.description, `${p.name}.${a.name}`);
    }
    // the sizes, for the report (bytes/4 as tokens, as scripts/tools-size.sh counts)
    for (const [k, v] of Object.entries({ prompts, resources, templates }))
      console.log(`# all toolsets: ${k}/list ${v.length} items, ${bytes(v)} bytes, ~${Math.floor(bytes(v) / 4)} tokens`);
  });
});

// Arguments for a prompt: each completable one from the server's own completion, the rest a fixed word.
async function argsFor(client, p) {
  const args = {};
  for (const a of p.arguments) {
    const r = await complete(client, prompt(p.name), a.name, "", a.name === "node" ? undefined : { node: "pbx1" });
    args[a.name] = r.completion.values[0] ?? (a.name === "config" ? "/etc/opensips/opensips.cfg" : "residential VoIP");
  }
  return args;
}

test("every prompt renders with its arguments, names only tools that exist, and nothing is missing with every toolset", T, async () => {
  await withClient(all(["--cfg-templates", "/nonexistent"]), async (client) => {
    const tools = new Set((await allTools(client)).map((t) => t.name));
    const prompts = await list(client, "listPrompts", "prompts");
    assert.ok(prompts.length >= 10, `${prompts.length} prompts`);
    for (const p of prompts) {
      const args = await argsFor(client, p);
      const r = await client.getPrompt({ name: p.name, arguments: args }, REQ);
      assert.equal(r.messages.length, 1, p.name);
      assert.equal(r.messages[0].role, "user");
      const text = r.messages[0].content.text;
      assert.doesNotMatch(text, /[{}]/, `${p.name}: an argument left unrendered`);
      assert.doesNotMatch(text, /Not available/, `${p.name}: ${text}`);
      for (const v of Object.values(args)) assert.ok(text.includes(v), `${p.name}: ${v} not in the text`);
      // every tool-like word in the text is a tool this server lists
      for (const w of text.match(/\b[a-z0-9]+_[a-z0-9_]+\b/g) ?? [])
        if (!/^(max_used|first_hit|aor_contains|rejected_regs|accepted_regs|tls_mgm)$/.test(w) && !w.includes("@"))
          assert.ok(tools.has(w) || !/^(dlg|ul|stats|dispatcher|drouting|lb|tm|homer|pike|ratelimit|fail2ban|tls|mi|cfg|server|cluster|rtpengine|address)_/.test(w),
                    `${p.name} names ${w}, which is no tool`);
      // only the required arguments: the rest read as their absent words
      const required = Object.fromEntries(p.arguments.filter((a) => a.required).map((a) => [a.name, args[a.name]]));
      const bare = await client.getPrompt({ name: p.name, arguments: required }, REQ);
      assert.doesNotMatch(bare.messages[0].content.text, /[{}]|\(not given\)/, p.name);
    }
  });
});

test("completion answers from the simulator: nodes, Call-IDs, AORs, dispatcher sets, MI commands, statistic groups", T, async () => {
  await withClient(all(), async (client) => {
    const nodes = await complete(client, prompt("troubleshoot_call"), "node", "");
    assert.deepEqual(nodes.completion.values, ["pbx1", "pbx2"]);
    assert.deepEqual((await complete(client, prompt("troubleshoot_call"), "node", "pbx2")).completion.values, ["pbx2"]);

    // the Call-IDs are the node's dialogs, as dlg_list shows them
    const dialogs = (await callTool(client, "dlg_list", { fields: ["callid"], limit: 100 })).structuredContent.items;
    const ids = await complete(client, prompt("troubleshoot_call"), "callid", "");
    assert.deepEqual(ids.completion.values, [...new Set(dialogs.map((d) => d.callid))].sort());
    assert.equal(ids.completion.total, ids.completion.values.length);
    assert.equal(ids.completion.hasMore, false);
    const one = await complete(client, prompt("sip_explain_call"), "callid", dialogs[0].callid.slice(0, 3), { node: "pbx1" });
    assert.ok(one.completion.values.every((v) => v.startsWith(dialogs[0].callid.slice(0, 3))));
    assert.ok(one.completion.values.includes(dialogs[0].callid));

    const aors = await complete(client, prompt("troubleshoot_registration"), "aor", "user1");
    assert.ok(aors.completion.values.length > 0 && aors.completion.values.every((v) => v.startsWith("user1")), JSON.stringify(aors));
    const tplAors = await complete(client, template("opensips://{node}/registrations/{aor}"), "aor", "user1", { node: "pbx2" });
    assert.ok(tplAors.completion.values.length > 0);

    const sets = await complete(client, prompt("troubleshoot_gateway"), "setid", "");
    assert.deepEqual(sets.completion.values, ["1", "2", "3"]);

    const cmds = await complete(client, template("opensips://{node}/mi/{command}"), "command", "dispatcher:");
    assert.ok(cmds.completion.values.includes("dispatcher:list"), JSON.stringify(cmds));
    assert.ok(cmds.completion.values.every((v) => v.startsWith("dispatcher:")));
    const many = await complete(client, template("opensips://{node}/mi/{command}"), "command", "");
    assert.equal(many.completion.values.length, 100);
    assert.ok(many.completion.total > 100 && many.completion.hasMore === true, JSON.stringify(many.completion.total));

    const groups = await complete(client, template("opensips://{node}/statistics/{group}"), "group", "t");
    assert.ok(groups.completion.values.includes("tm"), JSON.stringify(groups));

    const classes = await complete(client, prompt("troubleshoot_error_rates"), "class", "5");
    assert.deepEqual(classes.completion.values, ["5xx"]);
    // no templates installed: nothing to offer, not an error
    const none = await complete(client, prompt("config_from_flags"), "template", "");
    assert.deepEqual(none.completion.values, []);
    // a node that is not configured offers nothing
    const ghost = await complete(client, prompt("troubleshoot_call"), "callid", "", { node: "ghost" });
    assert.deepEqual(ghost.completion, { values: [], total: 0, hasMore: false });
    // an empty node is the default node
    assert.deepEqual((await complete(client, prompt("troubleshoot_call"), "callid", "", { node: "" })).completion.values, ids.completion.values);
  });
});

// A concrete URI for a template: {node} is pbx1, every other variable its first completion.
async function resolve(client, t, node = "pbx1") {
  let uri = t.uriTemplate.replace("{node}", node);
  for (const [, v] of t.uriTemplate.matchAll(/\{(\w+)\}/g)) {
    if (v === "node") continue;
    const r = await complete(client, template(t.uriTemplate), v, v === "group" ? "tm" : "", { node });
    assert.ok(r.completion.values.length > 0, `${t.uriTemplate}: nothing completes {${v}}`);
    uri = uri.replace(`{${v}}`, encodeURIComponent(r.completion.values[0]).replace(/%40/g, "@").replace(/%3A/g, ":"));
  }
  return uri;
}

test("every template resolves and reads on both versions, and every fixed resource reads", T, async () => {
  await withClient(all(), async (client) => {
    for (const node of ["pbx1", "pbx2"]) {
      for (const t of await list(client, "listResourceTemplates", "resourceTemplates")) {
        // a config needs a cfg root, the schema check a database: t1630 and tests/db read them
        if (t.uriTemplate === "opensips-mcp://cfg/{file}" || t.uriTemplate.endsWith("/db-schema")) continue;
        const uri = await resolve(client, t, node);
        const r = await client.readResource({ uri }, REQ);
        assert.equal(r.contents.length, 1, uri);
        assert.equal(r.contents[0].uri, uri);
        assert.equal(r.contents[0].mimeType, t.mimeType, uri);
        if (t.mimeType === "application/xml") { // a SIPp scenario, from the real sipp -sd
          assert.match(r.contents[0].text, /^<\?xml[^]*<scenario name=/, uri);
          continue;
        }
        assert.equal(r.contents[0].mimeType, "application/json", uri);
        const body = JSON.parse(r.contents[0].text);
        assert.ok(body && typeof body === "object", uri);
        if (t.uriTemplate.endsWith("/status")) {
          assert.match(body.version.Server, node === "pbx1" ? /4\.0\.1/ : /3\.6/);
          assert.ok(body.processes.count > 0 && body.memory["shmem:total_size"] > 0, JSON.stringify(body));
        }
        if (t.uriTemplate.endsWith("/mi/{command}")) assert.equal(body.major, node === "pbx1" ? 4 : 3, uri);
        if (t.uriTemplate.endsWith("/dialog/{callid}")) assert.equal(body.dialogs.length, 1);
      }
    }
    for (const r of await list(client, "listResources", "resources")) {
      const c = (await client.readResource({ uri: r.uri }, REQ)).contents[0];
      assert.equal(c.mimeType, r.mimeType);
      if (r.mimeType === "text/markdown") assert.match(c.text, /^# /, r.uri);
    }
    const nodes = JSON.parse((await client.readResource({ uri: "opensips-mcp://nodes" }, REQ)).contents[0].text);
    assert.deepEqual(nodes.map((n) => n.name), ["pbx1", "pbx2"]);
    const tools = (await client.readResource({ uri: "opensips-mcp://docs/tools" }, REQ)).contents[0].text;
    assert.match(tools, /dlg_list/);
    // the prompt and resource reference names every prompt and template listed
    const ref = (await client.readResource({ uri: "opensips-mcp://docs/prompts" }, REQ)).contents[0].text;
    for (const p of await list(client, "listPrompts", "prompts")) assert.ok(ref.includes(`### ${p.name}\n`), p.name);
    for (const t of await list(client, "listResourceTemplates", "resourceTemplates")) assert.ok(ref.includes(`### \`${t.uriTemplate}\``), t.uriTemplate);
  });
});

test("unknown prompts, arguments, resources and nodes get the spec's errors", T, async () => {
  await withClient(all(), async (client) => {
    // the same requests, right, succeed: the errors below are the arguments' own
    assert.ok((await client.getPrompt({ name: "troubleshoot_call", arguments: { callid: "x" } }, REQ)).messages.length);
    assert.ok((await client.readResource({ uri: "opensips://pbx1/status" }, REQ)).contents.length);
    assert.ok((await complete(client, prompt("troubleshoot_call"), "node", "")).completion.values.length);
    assert.equal(await code(client.getPrompt({ name: "no_such_prompt" }, REQ)), -32602);
    assert.equal(await code(client.getPrompt({ name: "troubleshoot_call", arguments: {} }, REQ)), -32602);
    assert.equal(await code(client.getPrompt({ name: "troubleshoot_call", arguments: { callid: "x", bogus: "y" } }, REQ)), -32602);
    assert.equal(await code(client.getPrompt({ name: "troubleshoot_call", arguments: { callid: "x".repeat(300) } }, REQ)), -32602);
    for (const uri of ["opensips://pbx1/nothing", "opensips://ghost/status", "opensips://pbx1/mi/no:such_cmd",
                       "opensips://pbx1/dialog/no-such-call",
                       "opensips://pbx1/statistics/nosuchgroup", "opensips://pbx1/dialog/bad%zz", "opensips-mcp://docs/none"])
      assert.equal(await code(client.readResource({ uri }, REQ)), -32002, uri);
    // an AOR not registered is a resource with no contacts: a client follows it before it registers
    const none = await client.readResource({ uri: "opensips://pbx1/registrations/nobody@nowhere" }, REQ);
    assert.deepEqual(JSON.parse(none.contents[0].text), { AOR: "nobody@nowhere", Contacts: [] });
    assert.equal(await code(complete(client, prompt("troubleshoot_call"), "bogus", "")), -32602);
    assert.equal(await code(complete(client, prompt("no_such_prompt"), "node", "")), -32602);
    assert.equal(await code(complete(client, template("opensips://{node}/nothing"), "node", "")), -32602);
    assert.equal(await code(complete(client, template("opensips://{node}/status"), "aor", "")), -32602);
  });
});

test("a percent-encoded Call-ID reads its dialog", T, async () => {
  await withClient(all(), async (client) => {
    const id = (await complete(client, prompt("troubleshoot_call"), "callid", "")).completion.values[0];
    const uri = `opensips://pbx1/dialog/${encodeURIComponent(id)}`; // '@' as %40
    const body = JSON.parse((await client.readResource({ uri }, REQ)).contents[0].text);
    assert.equal(body.dialogs[0].callid, id);
  });
});

test("a role without the scope a resource needs does not see it, and cannot read, follow or complete it", T, async () => {
  await withClient(["--config", cfg, "--role", "noc", "--toolsets", "all"], async (client) => {
    assert.ok((await client.readResource({ uri: "opensips://pbx1/status" }, REQ)).contents[0].text);
    assert.equal(await code(client.readResource({ uri: "opensips://pbx1/statistics" }, REQ)), -32600);
    assert.equal(await code(client.subscribeResource({ uri: "opensips://pbx1/statistics/tm" }, REQ)), -32600);
    assert.equal(await code(complete(client, template("opensips://{node}/statistics/{group}"), "group", "")), -32602);
    // listed: what mi.read reads; not listed: what needs stats.read or config.read
    const templates = (await list(client, "listResourceTemplates", "resourceTemplates")).map((t) => t.uriTemplate);
    assert.ok(templates.includes("opensips://{node}/status") && templates.includes("opensips://{node}/dialog/{callid}"));
    assert.ok(!templates.some((t) => t.includes("/statistics")), templates.join(" "));
    assert.ok(!templates.includes("opensips-mcp://sipp/scenario/{name}"));
  });
});

test("SIPp's scenarios: the list says what each does, a built-in's XML is the real sipp -sd, a bad name or a missing SIPp says so", T, async () => {
  await withClient(all(), async (client) => {
    const body = JSON.parse((await client.readResource({ uri: "opensips-mcp://sipp/scenarios" }, REQ)).contents[0].text);
    assert.deepEqual(body.builtin.map((b) => b.name), ["uac", "uas", "regexp", "branchc", "branchs"]);
    for (const b of body.builtin) {
      assert.ok(b.does.length > 10, b.name);
      assert.equal(b.uri, `opensips-mcp://sipp/scenario/${b.name}`);
    }
    const uas = (await client.readResource({ uri: "opensips-mcp://sipp/scenario/uas" }, REQ)).contents[0];
    assert.match(uas.text, /<recv request="INVITE"/);
    assert.deepEqual((await complete(client, template("opensips-mcp://sipp/scenario/{name}"), "name", "br")).completion.values, ["branchc", "branchs"]);
    for (const uri of ["opensips-mcp://sipp/scenario/nosuch", "opensips-mcp://sipp/scenario/..%2Fetc"])
      assert.equal(await code(client.readResource({ uri }, REQ)), -32002, uri);
  });
  await withClient(all(["--sipp", "/nonexistent/sipp"]), async (client) => {
    await assert.rejects(client.readResource({ uri: "opensips-mcp://sipp/scenario/uac" }, REQ), /sip-tester/);
  });
  // config.read is the scope a scenario's XML needs; the list needs none
  await withClient(["--config", cfg, "--role", "noc", "--toolsets", "all"], async (client) => {
    assert.ok((await client.readResource({ uri: "opensips-mcp://sipp/scenarios" }, REQ)).contents[0].text);
    assert.equal(await code(client.readResource({ uri: "opensips-mcp://sipp/scenario/uac" }, REQ)), -32600);
  });
});

test("the toolsets decide which prompts and templates are listed, and a prompt says which of its tools are missing", T, async () => {
  await withClient(["--config", cfg, "--role", "admin"], async (client) => {
    const prompts = (await list(client, "listPrompts", "prompts")).map((p) => p.name).sort();
    assert.deepEqual(prompts, ["ecosystem_overview", "opensips_primer", "sip_explain_call", "troubleshoot_call",
                               "troubleshoot_error_rates", "troubleshoot_gateway", "troubleshoot_registration"]);
    const templates = (await list(client, "listResourceTemplates", "resourceTemplates")).map((t) => t.uriTemplate);
    assert.ok(!templates.includes("opensips://{node}/drouting") && templates.includes("opensips://{node}/dispatcher"));
    const resources = await list(client, "listResources", "resources");
    const templatesAll = await list(client, "listResourceTemplates", "resourceTemplates");
    const promptsAll = await list(client, "listPrompts", "prompts");
    for (const [k, v] of Object.entries({ prompts: promptsAll, resources, templates: templatesAll }))
      console.log(`# default toolsets: ${k}/list ${v.length} items, ${bytes(v)} bytes, ~${Math.floor(bytes(v) / 4)} tokens`);
    assert.equal(await code(client.getPrompt({ name: "security_review" }, REQ)), -32602);
    assert.equal(await code(client.readResource({ uri: "opensips://pbx1/drouting" }, REQ)), -32002);
  });
  await withClient(["--config", cfg, "--role", "admin", "--toolsets", "dialog"], async (client) => {
    assert.deepEqual((await list(client, "listPrompts", "prompts")).map((p) => p.name).sort(), ["sip_explain_call", "troubleshoot_call"]);
    const text = (await client.getPrompt({ name: "troubleshoot_call", arguments: { callid: "x" } }, REQ)).messages[0].content.text;
    assert.match(text, /\nNot available here \(skip those steps\): tm_transactions \(toolset traffic\), homer_get_call_flow \(toolset homer\), /);
    assert.doesNotMatch(text, /Not available.*dlg_list/);
  });
  // a role without mi.write, and a read-only server: the write tool a prompt offers is named as such
  let seen;
  await withClient(["--config", cfg, "--role", "viewer", "--toolsets", "all"], async (client) => {
    seen = (await client.getPrompt({ name: "troubleshoot_gateway" }, REQ)).messages[0].content.text;
  });
  assert.match(seen, /\nNot available here \(skip those steps\): dispatcher_set_state \(needs mi\.write\)$/);
  await withClient(["--config", cfg, "--role", "admin", "--toolsets", "all", "--read-only"], async (client) => {
    seen = (await client.getPrompt({ name: "troubleshoot_gateway" }, REQ)).messages[0].content.text;
  });
  assert.match(seen, /\nNot available here \(skip those steps\): dispatcher_set_state \(read-only server\)$/);
});

test("a node that cannot answer: reads fail with -32603 saying why, completion offers nothing", T, async () => {
  const down = join(dir, "down.json");
  writeFileSync(down, JSON.stringify({ mi: { nodes: { gone: `http://127.0.0.1:${await freePort()}/mi` } } }));
  await withClient(["--config", down, "--role", "admin", "--toolsets", "all", "--mi-timeout-ms", "500"], async (client) => {
    for (const uri of ["opensips://gone/status", "opensips://gone/dispatcher", "opensips://gone/mi"]) {
      try {
        await client.readResource({ uri }, REQ);
        assert.fail(`${uri} read`);
      } catch (e) {
        assert.equal(e.code, -32603, uri);
        assert.match(e.message, /node 'gone'/, uri);
      }
    }
    const ids = await complete(client, prompt("troubleshoot_call"), "callid", "");
    assert.deepEqual(ids.completion, { values: [], total: 0, hasMore: false });
    assert.deepEqual((await complete(client, prompt("troubleshoot_call"), "node", "")).completion.values, ["gone"]);
  });
});

// The real OpenSIPS 4.0.1 install the cfg tests use (read only), when this machine has it.
const share = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "opensips-mcp", "opensips-4.0.1");
test("config template names complete from the installation's share directory", { ...T, skip: existsSync(join(share, "share/opensips")) ? false : `no ${share}` }, async () => {
  await withClient(["--config", cfg, "--role", "admin", "--toolsets", "all", "--cfg-templates", share], async (client) => {
    const all = (await complete(client, prompt("config_from_flags"), "template", "")).completion;
    assert.ok(all.values.length > 0 && all.total === all.values.length, JSON.stringify(all));
    const menu = (await complete(client, prompt("config_from_flags"), "template", "menuconfig/")).completion.values;
    assert.ok(menu.length > 0 && menu.every((v) => v.startsWith("menuconfig/")), JSON.stringify(menu));
    const text = (await client.getPrompt({ name: "config_from_flags", arguments: { template: menu[0] } }, REQ)).messages[0].content.text;
    assert.ok(text.includes(`template ${menu[0]} for: a working default.`), text);
  });
});
