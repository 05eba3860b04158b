// The cluster, uac, presence, tls, tracer, rtp, topology_hiding and avpops tools through the
// official SDK client against the simulator (4.0.1 extended test bed; tls_connections also on
// 3.6): reads validate against their output schemas; each write sends exactly one right MI
// request (the simulator's request log) or, refused, none; misleading OKs are verified.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";
import { startSim, control, requests, clearRequests, stopAll } from "./lib/sim.mjs";
import { freePort } from "./lib/http.mjs";

const sims = {};
let dir;

const start = (profile) => startSim({ extra: ["--opensips", profile, ...(profile === "4.0" ? ["--modules", "extended"] : [])],
  log: join(dir, `requests-${profile}.jsonl`) });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "mcp-cluster-e2e-"));
  sims["4.0"] = await start("4.0");
  sims["3.6"] = await start("3.6");
});

after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const ARGS = (p = "4.0", role = "admin") => ["--role", role, "--toolsets", "all", "--mi-url", `http://127.0.0.1:${sims[p].port}/mi`];

const simControl = (method, p = "4.0") => control(sims[p], method);
const sent = (command, p = "4.0") => requests(sims[p], command);
const clearLog = (p = "4.0") => clearRequests(sims[p]);
// what reached the node besides learning it (version, which)
const all = (p = "4.0") => requests(sims[p]).filter((r) => !/^(core:)?(version|which)$/.test(r.command ?? r.method));

const ok = (r) => assert.equal(r.isError, undefined, JSON.stringify(r).slice(0, 800));

test("cluster_status and cluster_topology show clusters and nodes", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    const s = await call(client, "cluster_status");
    ok(s);
    const c1 = s.structuredContent.result.Clusters.find((c) => c.cluster_id === 1);
    assert.equal(c1.Nodes[0].node_id, 2);
    const t = await call(client, "cluster_topology");
    ok(t);
    assert.ok(t.structuredContent.result.Clusters.length >= 1);
  });
});

test("cluster_send_command relays with clusterer:send_mi, positional cmd_params, once; explains a Send error", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    clearLog();
    // log_level with a level changes state: confirmation first
    const refused = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "log_level", mi_params: "[\"3\"]" });
    assert.equal(refused.isError, true);
    assert.match(refused.content[0].text, /Nothing was changed/);
    assert.equal(sent("clusterer:send_mi").length, 0);

    const r = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "log_level", mi_params: "{\"level\":3}", confirm: true });
    ok(r);
    assert.match(r.structuredContent.result.outcome, /not return the peer's reply/);
    const reqs = sent("clusterer:send_mi");
    assert.equal(reqs.length, 1);
    assert.deepEqual(reqs[0].params, { cluster_id: 1, destination: 2, cmd_name: "log_level", cmd_params: ["3"] });
    assert.equal(sent("clusterer_send_mi").length, 0);

    // a read needs no confirmation; an unknown node: OpenSIPS's bare "Send error" gets a reason
    const bad = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 9, mi_cmd: "uptime" });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /Send error.*cluster 1 has no node 9/s);

    const badParams = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "uptime", mi_params: "{\"nosuch\":1}" });
    assert.equal(badParams.isError, true);
    assert.match(badParams.content[0].text, /nothing was sent/);
  });
  // cluster_send_command may relay writes, so it needs mi.write: a viewer may not use it at all
  await withClient(ARGS("4.0", "viewer"), async (client) => {
    const w = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "log_level", mi_params: "[\"3\"]", confirm: true });
    assert.equal(w.isError, true);
    assert.match(w.content[0].text, /permission denied/);
  });
});

test("cluster_send_command needs what mi_execute of the command needs: scope by its class, confirmation, guards", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  const cfg = join(dir, "roles.json");
  writeFileSync(cfg, JSON.stringify({ roles: { exec_read: ["mi.read", "mi.execute"], exec_only: ["mi.execute"] } }));
  // an operator (mi.write, no mi.execute) may not relay, whatever the command: core:kill was relayed before
  await withClient(ARGS("4.0", "operator"), async (client) => {
    clearLog();
    const k = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "kill", confirm: true });
    assert.equal(k.isError, true);
    assert.match(k.content[0].text, /permission denied: tool 'cluster_send_command' needs the scope 'mi\.execute'/);
    assert.deepEqual(all(), [], "an operator's relay reached the node");
  });
  // mi.execute and mi.read: a read is relayed (no mi_params: one request, nothing leaked), a write is not
  await withClient(["--config", cfg, ...ARGS("4.0", "exec_read")], async (client) => {
    clearLog();
    ok(await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "uptime" }));
    assert.deepEqual(sent("clusterer:send_mi").map((r) => r.params), [{ cluster_id: 1, destination: 2, cmd_name: "uptime" }]);
    clearLog();
    const k = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "core:kill", confirm: true });
    assert.equal(k.isError, true);
    assert.match(k.content[0].text, /permission denied: the MI command 'core:kill' changes state, so tool 'cluster_send_command' also needs the scope 'mi\.write'/);
    assert.deepEqual(all(), []);
  });
  // mi.execute alone: even a read needs mi.read, as mi_execute of it does
  await withClient(["--config", cfg, ...ARGS("4.0", "exec_only")], async (client) => {
    clearLog();
    const r = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "uptime" });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /also needs the scope 'mi\.read'/);
    const m = await call(client, "mi_execute", { command: "uptime" });
    assert.match(m.content[0].text, /also needs the scope 'mi\.read'/, "mi_execute needs the same");
    assert.deepEqual(all(), []);
  });
  await withClient(ARGS(), async (client) => {
    clearLog();
    // a write needs confirmation: nothing sent without it
    const k = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "kill" });
    assert.equal(k.isError, true);
    assert.match(k.content[0].text, /Nothing was changed.*confirm: true/s);
    // a command a known defect makes crash the node is refused unless force, confirmed or not
    const cr = await call(client, "cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: "cr_replace_host", mi_params: "[\"-d x\"]", confirm: true });
    assert.equal(cr.isError, true);
    assert.match(cr.content[0].text, /Not sent: .*known OpenSIPS defect.*force: true/s);
    const mcr = await call(client, "mi_execute", { command: "cr_replace_host", params: { options: "-d x" }, confirm: true });
    assert.match(mcr.content[0].text, /Not sent: .*known OpenSIPS defect.*force: true/s, "mi_execute refuses the same");
    assert.deepEqual(sent("clusterer:send_mi"), [], "a refused relay reached the node");
  });
});

test("uac_reg_force_register finds contact and registrar of the AOR, refuses a disabled one", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    clearLog();
    const unconfirmed = await call(client, "uac_reg_force_register", { aor: "sip:trunk1@127.0.0.1" });
    assert.equal(unconfirmed.isError, true);
    assert.match(unconfirmed.content[0].text, /Nothing was changed.*confirm: true/s);
    assert.equal(all().length, 0, "an unconfirmed re-registration reached the node");
    const r = await call(client, "uac_reg_force_register", { aor: "sip:trunk1@127.0.0.1", confirm: true });
    ok(r);
    const reqs = sent("uac_registrant:force_register");
    assert.equal(reqs.length, 1);
    assert.deepEqual(reqs[0].params, { aor: "sip:trunk1@127.0.0.1", contact: "sip:trunk1@127.0.0.1:5060", registrar: "sip:127.0.0.1:5060" });

    const disabled = await call(client, "uac_reg_force_register", { aor: "sip:trunk3@127.0.0.1", confirm: true });
    assert.equal(disabled.isError, true);
    assert.match(disabled.content[0].text, /disabled/);
    const unknown = await call(client, "uac_reg_force_register", { aor: "sip:nobody@127.0.0.1", confirm: true });
    assert.equal(unknown.isError, true);
    assert.equal(sent("uac_registrant:force_register").length, 1, "the refused ones sent nothing");

    clearLog();
    assert.equal((await call(client, "uac_reg_reload")).isError, true);
    ok(await call(client, "uac_reg_reload", { confirm: true }));
    assert.equal(sent("uac_registrant:reload").length, 1);
  });
});

test("presence subscriptions and event subscribers (all events, one event, socket needs event)", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    const p = await call(client, "presence_list_subscriptions");
    ok(p);
    assert.equal(typeof p.structuredContent.total, "number");

    const all = await call(client, "event_list_subscribers");
    ok(all);
    assert.ok(Array.isArray(all.structuredContent.result.events));
    const one = await call(client, "event_list_subscribers", { event: "E_UL_AOR_INSERT" });
    ok(one);
    assert.equal(one.structuredContent.result.events[0].name, "E_UL_AOR_INSERT");
    const bad = await call(client, "event_list_subscribers", { socket: "udp:127.0.0.1:19999" });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /pass event too/);
  });
});

test("tls_connections: 4.x filters with tcp:list {proto: tls}; 3.x lists all and filters here", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    clearLog();
    const r = await call(client, "tls_connections");
    ok(r);
    assert.ok(r.structuredContent.items.every((c) => c.Type === "tls"));
    assert.deepEqual(sent("tcp:list")[0].params, { proto: "tls" });
  });
  await simControl("sim:reset", "3.6");
  await withClient(ARGS("3.6"), async (client) => {
    clearLog("3.6");
    const r = await call(client, "tls_connections");
    ok(r);
    assert.equal(r.structuredContent.total, 0);
    const reqs = sent("list_tcp_conns", "3.6");
    assert.equal(reqs.length, 1, all("3.6").join("\n"));
  });
});

test("trace_control: status, start with an id, and a stop whose OK changed nothing is reported as such", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    const s = await call(client, "trace_control", { action: "status" });
    ok(s);
    assert.equal(s.structuredContent.result.global, "on");

    clearLog();
    const noUri = await call(client, "trace_control", { action: "start", confirm: true });
    assert.equal(noUri.isError, true);
    assert.match(noUri.content[0].text, /trace_uri/);
    const st = await call(client, "trace_control", { action: "start", trace_uri: "sip:127.0.0.1:5199", trace_id: "dyn1", confirm: true });
    ok(st);
    assert.deepEqual(sent("tracer:start").map((r) => r.params), [{ id: "dyn1", uri: "sip:127.0.0.1:5199" }]);

    // the recorded state: dyn2 started after dyn1, so 4.0.1's trace_stop of dyn1 answers OK
    // and removes nothing; the tool lists the traces again and says so
    for (let i = 0; i < 4; i++) {
      const now = await call(client, "trace_control", { action: "status" });
      if (now.structuredContent.result["trace destinations"].some((d) => d.name === "dyn2")) break;
    }
    clearLog();
    const stop = await call(client, "trace_control", { action: "stop", trace_id: "dyn1", confirm: true });
    assert.equal(stop.isError, true);
    assert.match(stop.content[0].text, /NOT stopped.*still listed/s);
    assert.equal(sent("tracer:stop").length, 1);
    assert.equal(sent("tracer:trace").length, 1, "verified by listing once");
  });
  // 3.6: the same start reaches trace_start with the same parameters
  await simControl("sim:reset", "3.6");
  await withClient(ARGS("3.6"), async (client) => {
    clearLog("3.6");
    ok(await call(client, "trace_control", { action: "start", trace_uri: "sip:127.0.0.1:5199", confirm: true }));
    assert.deepEqual(sent("trace_start", "3.6").map((r) => r.params), [{ id: "mcp", uri: "sip:127.0.0.1:5199" }]);
  });
  // trace_control can change state, so it needs mi.write whatever the action: a viewer gets none
  await withClient(ARGS("4.0", "viewer"), async (client) => {
    const st = await call(client, "trace_control", { action: "status" });
    assert.equal(st.isError, true);
    assert.match(st.content[0].text, /permission denied/);
    const w = await call(client, "trace_control", { action: "stop", trace_id: "dyn1", confirm: true });
    assert.equal(w.isError, true);
    assert.match(w.content[0].text, /permission denied/);
  });
});

test("rtpengine_sessions lists rtp_relay sessions of rtpengine; terminate sends rtpengine:teardown once", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    clearLog();
    const s = await call(client, "rtpengine_sessions");
    ok(s);
    assert.equal(s.structuredContent.total, 0);
    assert.deepEqual(sent("rtp_relay:list")[0].params, { engine: "rtpengine" });

    assert.equal((await call(client, "rtpengine_terminate_call", { callid: "no-such-call" })).isError, true);
    assert.equal(sent("rtpengine:teardown").length, 0);
    const r = await call(client, "rtpengine_terminate_call", { callid: "no-such-call", confirm: true });
    ok(r);
    assert.equal(r.structuredContent.result.dialog_known, false);
    // the simulator's node lists two RTPEngines (rtpengine:show as recorded) where none runs
    assert.match(r.structuredContent.result.outcome, /knows no dialog with this Call-ID; RTPEngine could not be asked/);
    assert.deepEqual(r.structuredContent.result.engines.map((x) => x.url), ["udp:127.0.0.1:22222", "udp:127.0.0.1:22223"]);
    assert.deepEqual(sent("rtpengine:teardown").map((x) => x.params), [{ callid: "no-such-call" }]);
    assert.equal(r.structuredContent.result.media_ended, undefined, "RTPEngine could not tell");
    assert.equal(sent("rtpengine_terminate").length, 0);

    // a call OpenSIPS knows: the dialog ends, and the result says RTPEngine could not be asked
    const dlg = (await call(client, "dlg_list", { limit: 1 })).structuredContent.items[0];
    const known = await call(client, "rtpengine_terminate_call", { callid: dlg.callid, confirm: true });
    ok(known);
    assert.equal(known.structuredContent.result.dialog_known, true);
    assert.equal(known.structuredContent.result.media_ended, undefined);
    assert.match(known.structuredContent.result.outcome, /the dialog was ended \(BYE sent\); RTPEngine could not be asked/);
  });
});

test("topology_hiding_list lists the B2B 'top hiding' sessions and says what MI cannot show", { timeout: TEST_TIMEOUT }, async () => {
  await simControl("sim:reset");
  await withClient(ARGS(), async (client) => {
    let r;
    for (let i = 0; i < 3; i++) {
      r = await call(client, "topology_hiding_list");
      ok(r);
      if (r.structuredContent.total > 0) break;
    }
    assert.ok(r.structuredContent.total >= 1);
    assert.ok(r.structuredContent.items.every((t) => t.scenario === "top hiding"));
    assert.match(r.structuredContent.note, /topology_hiding module/);
  });
});

// The row's sentence for a node without the module (mi.absent) is said only when the module is
// missing: a node that cannot be reached gets its own error, not "no b2b_logic".
test("topology_hiding_list: a node without b2b_logic is told so; an unreachable one is not", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(ARGS("3.6"), async (client) => {
    const r = await call(client, "topology_hiding_list");
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /failed \(mi_unknown_command\): this node has no b2b_logic.*does not offer/s);
    const fan = await call(client, "topology_hiding_list", { node: "*" });
    assert.equal(fan.structuredContent.nodes.default.error, "mi_unknown_command");
    assert.match(fan.structuredContent.nodes.default.message, /no b2b_logic/);
  });
  const closed = await freePort();
  await withClient(["--role", "admin", "--toolsets", "all", "--mi-url", `http://127.0.0.1:${closed}/mi`], async (client) => {
    const r = await call(client, "topology_hiding_list");
    assert.equal(r.isError, true);
    assert.doesNotMatch(r.content[0].text, /no b2b_logic/);
    assert.match(r.content[0].text, /failed \(mi_unreachable\)/);
  });
});

test("avp_get and avp_delete say plainly that OpenSIPS has no such MI command, and send nothing", { timeout: TEST_TIMEOUT }, async () => {
  await withClient(ARGS(), async (client) => {
    const { tools } = await client.listTools(undefined, REQ);
    assert.equal(tools.find((t) => t.name === "avp_get").annotations.readOnlyHint, true);
    assert.equal(tools.find((t) => t.name === "avp_delete").annotations.destructiveHint, true);
    clearLog();
    for (const name of ["avp_get", "avp_delete"]) {
      const r = await call(client, name, { name: "foo", ...(name === "avp_delete" ? { confirm: true } : {}) });
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, /failed \(unsupported\): not possible: .*no MI command/);
      assert.match(r.content[0].text, /dlg_val|cache/);
    }
    // node "*": every node says the same, as unsupported, and nothing is sent either
    const fan = await call(client, "avp_get", { name: "foo", node: "*" });
    assert.equal(fan.structuredContent.nodes.default.ok, false);
    assert.equal(fan.structuredContent.nodes.default.error, "unsupported");
    assert.match(fan.structuredContent.nodes.default.message, /^not possible: .*no MI command to read AVPs/);
    assert.equal(all().length, 0, "nothing reached OpenSIPS");
  });
});
