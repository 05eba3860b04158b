// The b2b and call_center tools through the official SDK client against the simulator (4.0.1
// extended test bed): reads return their items with totals; each write sends exactly one right MI
// request (the simulator's request log), a refused or unconfirmed one sends nothing; the Python
// server's wrong mappings (b2b_terminate, b2b_sca_list, b2b_trigger_scenario) reach the real
// commands and parameters.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, control, requests, clearRequests, stopAll } from "./lib/sim.mjs";

let sim, dir, port;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-b2b-e2e-"));
  sim = await startSim({ extra: ["--modules", "extended"], log: join(dir, "requests.jsonl") });
  port = sim.port;
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const ARGS = () => ["--role", "admin", "--toolsets", "all", "--mi-url", sim.url];

const simControl = (method) => control(sim, method);
// The requests the simulator saw for `command` since the log was cleared.
const sent = (command) => requests(sim, command);
const clearLog = () => clearRequests(sim);

const ok = (r) => assert.equal(r.isError, undefined, JSON.stringify(r).slice(0, 800));

test("b2b read tools list sessions, entities and SCA appearances with totals", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    // the simulator replays the recorded sequence: no session yet, then the test bed's sessions
    let s;
    for (let i = 0; i < 3; i++) {
      s = await call(client, "b2b_list_sessions");
      ok(s);
      if (s.structuredContent.total > 0) break;
    }
    assert.ok(s.structuredContent.total >= 1, JSON.stringify(s.structuredContent));
    assert.ok(s.structuredContent.items.some((t) => typeof t.key === "string"));

    let e;
    for (let i = 0; i < 3; i++) {
      e = await call(client, "b2b_list_entities", { limit: 2, fields: ["callid", "logic_key"] });
      ok(e);
      if (e.structuredContent.total > 0) break;
    }
    assert.ok(e.structuredContent.items.length <= 2);
    assert.deepEqual(Object.keys(e.structuredContent.items[0]).sort(), ["callid", "logic_key"]);

    clearLog();
    const sca = await call(client, "b2b_sca_list");
    ok(sca);
    assert.equal(sca.structuredContent.total, 0);
    assert.deepEqual(sent("b2b_sca:list").length, 1, "b2b_sca:list, not the Python server's b2b_sca_list");
  });
});

test("b2b_terminate ends a session by key with b2b_logic:terminate_call, once, only when confirmed", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    clearLog();
    const refused = await call(client, "b2b_terminate", { key: "115.0" });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text, /Nothing was changed/);
    assert.equal(sent("b2b_logic:terminate_call").length, 0);

    const r = await call(client, "b2b_terminate", { key: "115.0", confirm: true });
    ok(r);
    const reqs = sent("b2b_logic:terminate_call");
    assert.equal(reqs.length, 1);
    assert.deepEqual(reqs[0].params, { key: "115.0" });
    assert.equal(sent("b2b_terminate").length, 0);

    const unknown = await call(client, "b2b_terminate", { key: "999.9", confirm: true });
    assert.equal(unknown.isError, true);
    assert.match(unknown.content[0].text, /B2B session not found/);
  });
});

test("b2b_trigger_scenario maps the Python server's params onto scenario_id/entity1/entity2", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    clearLog();
    // custom_hdrs has no counterpart in OpenSIPS 3.x/4.x: refused, nothing sent
    const hdrs = await call(client, "b2b_trigger_scenario", { scenario_id: "marketing", custom_hdrs: "X-A: 1", confirm: true });
    assert.equal(hdrs.isError, true);
    assert.match(hdrs.content[0].text, /custom_hdrs/);
    const none = await call(client, "b2b_trigger_scenario", { scenario_id: "marketing", confirm: true });
    assert.equal(none.isError, true);
    assert.match(none.content[0].text, /entity1/);
    assert.equal(sent("b2b_logic:trigger_scenario").length, 0);

    const r = await call(client, "b2b_trigger_scenario", {
      scenario_id: "marketing",
      params: "client1,sip:ent1@127.0.0.1:5175;transport=udp;client2,sip:ent2@127.0.0.1:5177,MI caller",
      confirm: true,
    });
    const reqs = sent("b2b_logic:trigger_scenario");
    assert.equal(reqs.length, 1);
    assert.deepEqual(reqs[0].params, {
      scenario_id: "marketing",
      entity1: "client1,sip:ent1@127.0.0.1:5175;transport=udp",
      entity2: "client2,sip:ent2@127.0.0.1:5177,MI caller",
    });
    // the simulator answers the recorded reply of the command (OK, or the recorded 500)
    if (!r.isError) assert.match(r.structuredContent.result.outcome, /b2b_list_sessions/);

    clearLog();
    await call(client, "b2b_trigger_scenario", {
      scenario_id: "marketing", entity1: "client1,sip:ent1@127.0.0.1:5175",
      entity2: "client2,sip:ent2@127.0.0.1:5177,MI caller", confirm: true,
    });
    assert.deepEqual(sent("b2b_logic:trigger_scenario")[0].params, {
      scenario_id: "marketing", entity1: "client1,sip:ent1@127.0.0.1:5175",
      entity2: "client2,sip:ent2@127.0.0.1:5177,MI caller",
    });
  });
});

test("call-center reads: agents, queue, and cc_status combining queue, agents and flows", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    const a = await call(client, "cc_list_agents");
    ok(a);
    assert.ok(a.structuredContent.total >= 1);
    assert.ok(a.structuredContent.items.every((x) => typeof x.id === "string"));

    const q = await call(client, "cc_list_queue");
    ok(q);
    assert.equal(typeof q.structuredContent.total, "number");

    clearLog();
    const s = await call(client, "cc_status");
    ok(s);
    const st = s.structuredContent.result;
    assert.ok(Array.isArray(st.queue) && Array.isArray(st.agents) && Array.isArray(st.flows));
    assert.ok(st.flows.some((f) => f.id === "support"), JSON.stringify(st.flows));
    for (const c of ["call_center:list_queue", "call_center:list_agents", "call_center:list_flows"])
      assert.equal(sent(c).length, 1, c);

    const fan = await call(client, "cc_status", { node: "*" });
    ok(fan);
    assert.equal(fan.structuredContent.answered, 1);
  });
});

test("cc_agent_login sends state as an integer, once; cc_reload_tool reloads once when confirmed", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    clearLog();
    const unconfirmed = await call(client, "cc_agent_login", { agent_id: "agent2", state: 1 });
    assert.equal(unconfirmed.isError, true);
    assert.match(unconfirmed.content[0].text, /Nothing was changed.*confirm: true/s);
    assert.equal(sent("call_center:agent_login").length, 0, "sent unconfirmed");
    const r = await call(client, "cc_agent_login", { agent_id: "agent2", state: 1, confirm: true });
    ok(r);
    const reqs = sent("call_center:agent_login");
    assert.equal(reqs.length, 1);
    assert.deepEqual(reqs[0].params, { agent_id: "agent2", state: 1 });

    const bad = await call(client, "cc_agent_login", { agent_id: "nosuch", state: 1, confirm: true });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /Agent not found/);

    clearLog();
    const refused = await call(client, "cc_reload_tool");
    assert.equal(refused.isError, true);
    assert.equal(sent("call_center:reload").length, 0);
    const rl = await call(client, "cc_reload_tool", { confirm: true });
    ok(rl);
    assert.equal(sent("call_center:reload").length, 1);
  });
});

test("a viewer sees the b2b and call-center reads but none of their writes", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(["--role", "viewer", "--toolsets", "all", "--mi-url", `http://127.0.0.1:${port}/mi`], async (client) => {
    const { tools } = await client.listTools(undefined, REQ);
    const names = new Set(tools.map((t) => t.name));
    for (const n of ["b2b_list_sessions", "b2b_list_entities", "b2b_sca_list", "cc_list_agents", "cc_list_queue", "cc_status"])
      assert.ok(names.has(n), n);
    for (const n of ["b2b_terminate", "b2b_trigger_scenario", "cc_agent_login", "cc_reload_tool"])
      assert.ok(!names.has(n), n);
    const t = tools.find((x) => x.name === "b2b_terminate");
    assert.equal(t, undefined);
  });
});
