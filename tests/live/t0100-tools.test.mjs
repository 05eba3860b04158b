// Every tool of --toolsets all, through the official SDK client, against a real OpenSIPS of each version:
// reads compared with a direct MI call, writes proven by reading the state back, tools whose module the
// node lacks must say so. One case per tool (a test fails when tools/list has a tool without a case).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { readdirSync, readFileSync } from "node:fs";
import { installs, sleep } from "./lib/node.mjs";
import { ok, fails, m } from "./lib/check.mjs";
import { startBed, serverArgs } from "./lib/bed.mjs";
import { connect, callTool } from "../e2e/lib/sdk.mjs";
import { expectUnlessKnown } from "./lib/known.mjs";

// The toolsets whose backend is not this node's MI, and where each is proven against the real
// program; their tools come from docs/tools.md's index (| [`name`](#name) | toolset | ...).
const ELSEWHERE = {
  db: "real PostgreSQL and MariaDB in tests/db; their writes reach this real node in t0400-db",
  cfg: "the real m4 and the opensips -C of this suite's 4.0.1 and 3.6.8 builds in t1400/t1410/t1420 and test_cfg_*",
  sipp: "real SIPp through this real node in t0500-sipp",
  module_dev: "modules of both versions' trees patched and compiled with their real flags in test_mi_codegen",
  homer: "the Homer stand-in (homer-app cannot be installed here) with the MI simulator in t1500",
  fail2ban: "a real fail2ban-server in t1510",
  docker: "stand-in compose programs and the real docker CLI in t1520",
};
const ELSEWHERE_TOOLS = new Set([...readFileSync(new URL("../../docs/tools.md", import.meta.url), "utf8")
  .matchAll(/^\| \[`([a-z0-9_]+)`\]\(#[a-z0-9_]+\) \| ([a-z0-9_]+) \|/gm)]
  .filter((m) => ELSEWHERE[m[2]]).map((m) => m[1]));
const LONG = { timeout: 60_000 };

const sql = (bed, text) => execFileSync("sqlite3", [join(bed.node.run, "opensips.sqlite"), text], { encoding: "utf8" });
// An answer that names the missing module (or at least says the command is not there).
const ABSENT = /not loaded|not available|no such|not found|unknown command|not offer|lacks|does not have|has no/i;

// What each case says about a tool, for the report: the tool's text when a module is absent.
const said = {};

// tool -> { module: what must be loaded, run(bed) }. `module` absent from the node => the tool must fail
// clearly (ABSENT), whatever run() would check.
const CASES = {
  // --- dialog (calls are in t0200; here the listings of an idle node and the profile reads)
  dlg_list: { module: "dialog", async run(bed) {
    const r = ok(await bed.call("dlg_list"));
    const mi = await bed.node.mi(m(bed, "dialog:list", "dlg_list"));
    assert.equal(r.total, (mi.Dialogs ?? []).length);
  } },
  dlg_end: { module: "dialog", async run(bed) {
    // no such call: nothing ended, and said so (a real call is ended in t0200)
    fails(await bed.call("dlg_end", { callid: "no-such-call", from_tag: "a", to_tag: "b", confirm: true }), /no|not/i);
  } },
  dlg_push_var: { module: "dialog", async run(bed) {
    fails(await bed.call("dlg_push_var", { callid: "no-such-call", from_tag: "a", var_name: "x", var_value: "1", confirm: true }), /no|not/i);
  } },
  dlg_list_profiles: { module: "dialog", async run(bed) {
    const r = ok(await bed.call("dlg_list_profiles"));
    const mi = await bed.node.mi(m(bed, "dialog:list_all_profiles", "list_all_profiles"));
    const names = (x) => x.map((p) => p.name).sort();
    assert.deepEqual(names(r.items), names(mi.Profiles ?? mi));
    assert.ok(names(r.items).includes("inbound") && names(r.items).includes("caller"));
  } },
  dlg_profile_get_size: { module: "dialog", async run(bed) {
    const r = ok(await bed.call("dlg_profile_get_size", { profile: "inbound" }));
    const mi = await bed.node.mi(m(bed, "dialog:profile_get_size", "profile_get_size"), { profile: "inbound" });
    assert.equal(JSON.stringify(r).includes(String(mi.Profile?.count ?? mi.count ?? 0)), true, JSON.stringify({ r, mi }));
    const v = ok(await bed.call("dlg_profile_get_size", { profile: "caller", value: "nobody" }));
    assert.ok(v);
  } },
  dlg_profile_list_dlgs: { module: "dialog", async run(bed) {
    const r = ok(await bed.call("dlg_profile_list_dlgs", { profile: "inbound" }));
    assert.equal(r.total, 0);
  } },
  dlg_profile_end_dlgs: { module: "dialog", async run(bed) {
    // an empty profile: nothing to end, no error (calls ended through a profile: t0200)
    const r = await bed.call("dlg_profile_end_dlgs", { profile: "inbound", confirm: true });
    assert.ok(!r.isError || /no (call|dialog)/i.test(r.content[0].text), JSON.stringify(r.content));
  } },

  // --- registrations: one contact added, shown, compared, removed, all read back over MI
  ul_add: { module: "usrloc", async run(bed) {
    const r = await bed.call("ul_add", { aor: "live-add@127.0.0.1", contact: "sip:live-add@127.0.0.1:5999", confirm: true });
    ok(r, "ul_add with defaults");
    const mi = await bed.node.mi(m(bed, "usrloc:show_contact", "ul_show_contact"), { table_name: "location", aor: "live-add@127.0.0.1" });
    assert.match(JSON.stringify(mi), /sip:live-add@127\.0\.0\.1:5999/);
  } },
  ul_show_contact: { module: "usrloc", async run(bed) {
    await bed.node.mi(m(bed, "usrloc:add", "ul_add"), { table_name: "location", aor: "live-show@127.0.0.1",
      contact: "sip:live-show@127.0.0.1:5998", expires: 600, q: 1, flags: 0, cflags: 0, methods: 4294967295 }).catch(async () =>
      // 3.x takes cflags as text
      bed.node.mi(m(bed, "usrloc:add", "ul_add"), { table_name: "location", aor: "live-show@127.0.0.1",
        contact: "sip:live-show@127.0.0.1:5998", expires: 600, q: 1, flags: 0, cflags: "", methods: 4294967295 }));
    const r = ok(await bed.call("ul_show_contact", { aor: "live-show@127.0.0.1" }));
    const mi = await bed.node.mi(m(bed, "usrloc:show_contact", "ul_show_contact"), { table_name: "location", aor: "live-show@127.0.0.1" });
    assert.match(JSON.stringify(r), /sip:live-show@127\.0\.0\.1:5998/);
    assert.match(JSON.stringify(mi), /sip:live-show@127\.0\.0\.1:5998/);
    fails(await bed.call("ul_show_contact", { aor: "nobody-here@127.0.0.1" }), /not found|no /i);
  } },
  ul_rm_contact: { module: "usrloc", async run(bed) {
    await addContact(bed, "live-rmc@127.0.0.1", "sip:live-rmc@127.0.0.1:5997");
    await addContact(bed, "live-rmc@127.0.0.1", "sip:live-rmc@127.0.0.1:5996");
    ok(await bed.call("ul_rm_contact", { aor: "live-rmc@127.0.0.1", contact: "sip:live-rmc@127.0.0.1:5997", confirm: true }));
    const mi = JSON.stringify(await bed.node.mi(m(bed, "usrloc:show_contact", "ul_show_contact"), { table_name: "location", aor: "live-rmc@127.0.0.1" }));
    assert.doesNotMatch(mi, /5997/);
    assert.match(mi, /5996/);
  } },
  ul_rm: { module: "usrloc", async run(bed) {
    await addContact(bed, "live-rm@127.0.0.1", "sip:live-rm@127.0.0.1:5995");
    ok(await bed.call("ul_rm", { aor: "live-rm@127.0.0.1", confirm: true }));
    await assert.rejects(bed.node.mi(m(bed, "usrloc:show_contact", "ul_show_contact"), { table_name: "location", aor: "live-rm@127.0.0.1" }));
  } },
  ul_dump: { module: "usrloc", async run(bed) {
    await addContact(bed, "live-dump@127.0.0.1", "sip:live-dump@127.0.0.1:5994");
    const r = ok(await bed.call("ul_dump", { limit: 500 }));
    const mi = await bed.node.mi(m(bed, "usrloc:dump", "ul_dump"));
    const aors = (mi.Domains ?? []).flatMap((d) => (d.AORs ?? []).map((a) => a.AOR)).sort();
    assert.deepEqual(r.items.map((i) => i.AOR).sort(), aors);
    assert.ok(aors.includes("live-dump@127.0.0.1"));
    const b = ok(await bed.call("ul_dump", { aor_contains: "live-dump" }));
    assert.equal(b.total, 1);
  } },
  mid_registrar_dump: { module: null, async run(bed) {
    said.mid_registrar_dump = fails(await bed.call("mid_registrar_dump"), /not available|no MI command/i);
  } },

  // --- dispatcher
  dispatcher_list: { module: "dispatcher", async run(bed) {
    const r = ok(await bed.call("dispatcher_list", { full: true }));
    const mi = await bed.node.mi(m(bed, "dispatcher:list", "ds_list"));
    const uris = mi.PARTITIONS.flatMap((p) => p.SETS.flatMap((s) => s.Destinations.map((d) => `${s.id} ${d.URI}`))).sort();
    assert.deepEqual(r.items.map((i) => `${i.setid} ${i.URI}`).sort(), uris);
    assert.equal(ok(await bed.call("dispatcher_list", { setid: 2 })).total, 2);
  } },
  dispatcher_set_state: { module: "dispatcher", async run(bed) {
    const state = async () => {
      const mi = await bed.node.mi(m(bed, "dispatcher:list", "ds_list"));
      return mi.PARTITIONS[0].SETS.find((s) => s.id === 2).Destinations.find((d) => d.URI === "sip:127.0.0.1:5080").state;
    };
    for (const [want, shown] of [["inactive", /inactive/i], ["active", /active/i], ["probing", /probing/i], ["active", /active/i]]) {
      ok(await bed.call("dispatcher_set_state", { group: 2, address: "sip:127.0.0.1:5080", state: want, confirm: true }), `set ${want}`);
      assert.match(await state(), shown, `after set_state ${want}`);
    }
  } },
  dispatcher_reload: { module: "dispatcher", async run(bed) {
    sql(bed, "INSERT INTO dispatcher (setid, destination, weight, description) VALUES (7, 'sip:127.0.0.1:5777', '1', 'added live');");
    ok(await bed.call("dispatcher_reload", { confirm: true }));
    const mi = JSON.stringify(await bed.node.mi(m(bed, "dispatcher:list", "ds_list")));
    assert.match(mi, /sip:127\.0\.0\.1:5777/);
  } },

  // --- drouting
  drouting_gw_status: { module: "drouting", async run(bed) {
    const r = ok(await bed.call("drouting_gw_status"));
    const mi = await bed.node.mi(m(bed, "drouting:gw_status", "dr_gw_status"));
    const ids = (mi.Gateways ?? mi.Partitions?.[0]?.Gateways ?? []).map((g) => g.ID).sort();
    assert.deepEqual(r.items.map((g) => g.ID).sort(), ids);
    assert.equal(ok(await bed.call("drouting_gw_status", { gw_id: "gw2" })).total, 1);
  } },
  drouting_set_gw_status: { module: "drouting", async run(bed) {
    const st = async () => JSON.stringify(await bed.node.mi(m(bed, "drouting:gw_status", "dr_gw_status"), { gw_id: "gw2" }));
    ok(await bed.call("drouting_set_gw_status", { gw_id: "gw2", status: 0, confirm: true }));
    assert.match(await st(), /Disabled/);
    ok(await bed.call("drouting_set_gw_status", { gw_id: "gw2", status: 1, confirm: true }));
    assert.match(await st(), /Active/);
  } },
  drouting_carrier_status: { module: "drouting", async run(bed) {
    const r = ok(await bed.call("drouting_carrier_status"));
    const mi = await bed.node.mi(m(bed, "drouting:carrier_status", "dr_carrier_status"));
    assert.deepEqual(r.items.map((c) => c.ID), (mi.Carriers ?? []).map((c) => c.ID));
  } },
  drouting_set_carrier_status: { module: "drouting", async run(bed) {
    const st = async () => JSON.stringify(await bed.node.mi(m(bed, "drouting:carrier_status", "dr_carrier_status"), { carrier_id: "cr1" }));
    ok(await bed.call("drouting_set_carrier_status", { carrier_id: "cr1", status: 0, confirm: true }));
    assert.match(await st(), /"no ?"/); // 4.0.1 answers "no " (trailing space)
    ok(await bed.call("drouting_set_carrier_status", { carrier_id: "cr1", status: 1, confirm: true }));
    assert.match(await st(), /"yes"/);
  } },
  drouting_number_routing: { module: "drouting", async run(bed) {
    const mi = JSON.stringify(await bed.node.mi(m(bed, "drouting:number_routing", "dr_number_routing"), { group_id: 0, number: "1555" }));
    const g = ok(await bed.call("drouting_number_routing", { number: "1555", group_id: 0 }));
    assert.match(JSON.stringify(g), /gw1/);
    assert.match(mi, /gw1/);
    // without group_id: the schema's "default 0"
    const d = ok(await bed.call("drouting_number_routing", { number: "1555" }), "without group_id");
    assert.match(JSON.stringify(d), /gw1/);
  } },
  drouting_reload: { module: "drouting", async run(bed) {
    sql(bed, "INSERT INTO dr_gateways (gwid, type, address, strip, probe_mode, state, description) VALUES ('gw9', 0, '127.0.0.1:5999', 0, 0, 0, 'added live');");
    ok(await bed.call("drouting_reload", { confirm: true }));
    assert.match(JSON.stringify(await bed.node.mi(m(bed, "drouting:gw_status", "dr_gw_status"))), /gw9/);
  } },

  // --- load_balancer
  lb_list: { module: "load_balancer", async run(bed) {
    const r = ok(await bed.call("lb_list"));
    const mi = await bed.node.mi(m(bed, "load_balancer:list", "lb_list"));
    assert.deepEqual(r.items.map((d) => d.uri).sort(), mi.Destinations.map((d) => d.uri).sort());
  } },
  lb_status: { module: "load_balancer", async run(bed) {
    const r = ok(await bed.call("lb_status", { destination_id: 2 }));
    const mi = await bed.node.mi(m(bed, "load_balancer:status", "lb_status"), { destination_id: 2 });
    assert.match(JSON.stringify(r), new RegExp(JSON.stringify(mi.enable ?? mi.status ?? "").slice(1, -1)));
  } },
  lb_set_status: { module: "load_balancer", async run(bed) {
    const st = async () => JSON.stringify(await bed.node.mi(m(bed, "load_balancer:status", "lb_status"), { destination_id: 3 }));
    ok(await bed.call("lb_set_status", { destination_id: 3, new_status: 0, confirm: true }));
    assert.match(await st(), /no|disabled|0/i);
    ok(await bed.call("lb_set_status", { destination_id: 3, new_status: 1, confirm: true }));
    assert.match(await st(), /yes|enabled|1/i);
  } },
  lb_resize: { module: "load_balancer", async run(bed) {
    ok(await bed.call("lb_resize", { group: 1, destination: "sip:127.0.0.1:5082", resource: "pstn", capacity: 77, confirm: true }));
    const mi = await bed.node.mi(m(bed, "load_balancer:list", "lb_list"));
    const d = mi.Destinations.find((x) => x.uri === "sip:127.0.0.1:5082");
    assert.equal(d.Resources.find((x) => x.name === "pstn").max, 77);
  } },

  // --- dialplan
  dialplan_translate: { module: "dialplan", async run(bed) {
    const r = ok(await bed.call("dialplan_translate", { dpid: 1, input: "0049301234" }));
    const mi = await bed.node.mi(m(bed, "dialplan:translate", "dp_translate"), { dpid: 1, input: "0049301234" });
    assert.equal(mi.Output, "+49301234");
    assert.match(JSON.stringify(r), /\+49301234/);
  } },
  dialplan_reload: { module: "dialplan", async run(bed) {
    sql(bed, "INSERT INTO dialplan (dpid, pr, match_op, match_exp, match_flags, subst_exp, repl_exp, disabled) VALUES (9, 1, 0, 'live', 0, '', 'reloaded', 0);");
    ok(await bed.call("dialplan_reload", { confirm: true }));
    const mi = await bed.node.mi(m(bed, "dialplan:translate", "dp_translate"), { dpid: 9, input: "live" });
    assert.equal(mi.Output, "reloaded");
  } },

  // --- carrierroute
  carrierroute_dump: { module: "carrierroute", async run(bed) {
    const r = ok(await bed.call("carrierroute_dump"));
    assert.ok(r.items.some((i) => i.prefix === "49"), JSON.stringify(r).slice(0, 800));
  } },
  carrierroute_replace_host: { module: "carrierroute", async run(bed) {
    // the test bed runs carrierroute from the database: OpenSIPS refuses replace_host there ("Not running
    // in config file mode"); the tool refuses first (the file-mode crash guard) and, forced, reports the refusal
    const args = { carrier: "default", domain: "default", prefix: "49", host: `127.0.0.1:${bed.node.UAS_PORT}`,
      new_host: "127.0.0.1:5998", confirm: true };
    said.carrierroute_replace_host = fails(await bed.call("carrierroute_replace_host", args), /config_source=file/);
    fails(await bed.call("carrierroute_replace_host", { ...args, force: true }), /Not running in config file mode/);
    const d = ok(await bed.call("carrierroute_dump"));
    assert.ok(d.items.some((i) => i.host === args.host), JSON.stringify(d).slice(0, 800));
  } },

  // --- traffic
  pike_list_blocked: { module: "pike", async run(bed) {
    const r = ok(await bed.call("pike_list_blocked"));
    assert.equal(r.total, 0);
  } },
  ratelimit_list: { module: "ratelimit", async run(bed) {
    await sipOptions(bed);
    const r = ok(await bed.call("ratelimit_list"));
    assert.match(JSON.stringify(r), /sip_in/);
    const mi = await bed.node.mi(m(bed, "ratelimit:list", "rl_list"));
    assert.match(JSON.stringify(mi), /sip_in/);
  } },
  // tm:hash is 65 536 rows (2.4 MB) that mi_http writes slowly: a few seconds on some machines, 30-40 s
  // on others (39.6 s seen on a bare fetch, no MCP server between), past the server's own 30 s floor for
  // it. So this case asks a server of its own with --mi-timeout-ms raised, and has bounds of its own: the
  // counts must come, however slow the node.
  tm_transactions: { module: "tm", timeout: 240_000, async run(bed) {
    const slow = await connect(serverArgs(bed.node, "http", ["--mi-timeout-ms", "150000"]));
    try {
      const r = ok(await callTool(slow.client, "tm_transactions", {}, { timeout: 170_000 }));
      assert.equal(typeof r.result.transactions_now, "number");
    } finally {
      // tm:hash keeps mi_http's one process busy for seconds (the server may have sent it more than
      // once): wait until MI answers promptly again before the next case
      for (let i = 0; i < 60; i++) {
        const t0 = Date.now();
        await bed.node.mi("version").catch(() => {});
        if (Date.now() - t0 < 300) break;
      }
      await slow.close();
    }
  } },

  // --- stats
  stats_get: { module: null, async run(bed) {
    const r = ok(await bed.call("stats_get", { statistics: ["core:"] }));
    const mi = await bed.node.mi(m(bed, "statistics:get", "get_statistics"), { statistics: ["core:"] });
    assert.deepEqual(Object.keys(r.result).sort(), Object.keys(mi).sort());
    // one statistic by its full name, as the tool's description writes it ("core:rcv_requests")
    const one = ok(await bed.call("stats_get", { statistics: ["core:rcv_requests"] }), "stats_get core:rcv_requests");
    assert.equal(typeof one.result["core:rcv_requests"], "number", `stats_get ["core:rcv_requests"]: ${JSON.stringify(one)}`);
  } },
  stats_list: { module: null, async run(bed) {
    const r = ok(await bed.call("stats_list", { statistics: ["dialog:"] }));
    const mi = await bed.node.mi(m(bed, "statistics:list", "list_statistics"), { statistics: ["dialog:"] });
    assert.deepEqual(Object.keys(r.result).sort(), Object.keys(mi).sort());
  } },
  stats_reset: { module: null, async run(bed) {
    await sipRegister(bed);
    const before = await bed.node.mi(m(bed, "statistics:get", "get_statistics"), { statistics: ["registrations"] });
    assert.ok(Object.values(before)[0] > 0, JSON.stringify(before));
    ok(await bed.call("stats_reset", { statistics: ["registrations"], confirm: true }));
    const after = await bed.node.mi(m(bed, "statistics:get", "get_statistics"), { statistics: ["registrations"] });
    assert.equal(Object.values(after)[0], 0);
    // by full name, as the tool's description writes it
    await sipOptions(bed);
    ok(await bed.call("stats_reset", { statistics: ["core:rcv_requests"], confirm: true }), "stats_reset core:rcv_requests");
    const rcv = await bed.node.mi(m(bed, "statistics:get", "get_statistics"), { statistics: ["rcv_requests"] });
    assert.ok(rcv["core:rcv_requests"] <= 1, JSON.stringify(rcv));
  } },

  // --- perf
  nathelper_stats: { module: "nathelper", async run(bed) {
    const r = ok(await bed.call("nathelper_stats"));
    assert.equal(r.result.natping_enabled !== null, true, JSON.stringify(r));
  } },
  perf_memory_report: { module: null, async run(bed) {
    const r = ok(await bed.call("perf_memory_report"));
    const mi = await bed.node.mi(m(bed, "statistics:get", "get_statistics"), { statistics: ["total_size"] });
    assert.equal(r.result.shm.total_size, mi["shmem:total_size"]);
  } },
  perf_sample_window: { module: null, async run(bed) {
    const r = ok(await bed.call("perf_sample_window", { duration_sec: 1, sample_count: 2 }));
    assert.equal(r.result.sample_count, 2);
  } },
  snapshot_capture: { module: null, async run(bed) {
    const r = ok(await bed.call("snapshot_capture", { out_dir: "snap", label: "live", confirm: true }));
    const files = readdirSync(join(bed.node.run, "snap"));
    assert.equal(files.length, 1, JSON.stringify(r).slice(0, 500));
  } },

  // --- this server's own HTTP sessions: the live suite speaks stdio, where there are none
  server_sessions: { module: null, async run(bed) {
    fails(await bed.call("server_sessions"), /sessions exist only over HTTP/);
  } },
  server_session_end: { module: null, async run(bed) {
    fails(await bed.call("server_session_end", { session_id: "0".repeat(32), confirm: true }), /sessions exist only over HTTP/);
  } },

  // --- status
  server_version: { module: null, async run(bed) {
    const r = ok(await bed.call("server_version"));
    const mi = await bed.node.mi(m(bed, "core:version", "version"));
    assert.equal(r.result.Server, mi.Server);
    assert.match(r.result.Server, new RegExp(bed.node.version.replace(/\./g, "\\.")));
  } },
  server_uptime: { module: null, async run(bed) {
    const r = ok(await bed.call("server_uptime"));
    const mi = await bed.node.mi(m(bed, "core:uptime", "uptime"));
    assert.equal(r.result["Up since"], mi["Up since"]);
  } },
  server_processes: { module: null, async run(bed) {
    const r = ok(await bed.call("server_processes", { limit: 500 }));
    const mi = await bed.node.mi(m(bed, "core:ps", "ps"));
    assert.deepEqual(r.items.map((p) => p.PID), mi.Processes.map((p) => p.PID));
  } },
  server_memory: { module: null, async run(bed) {
    const r = ok(await bed.call("server_memory"));
    const mi = await bed.node.mi(m(bed, "statistics:get", "get_statistics"), { statistics: ["total_size"] });
    assert.equal(r.result.total_size, mi["shmem:total_size"]);
  } },
  server_health: { module: null, async run(bed) {
    const r = ok(await bed.call("server_health"));
    assert.equal(r.result.status, "ok", JSON.stringify(r.result.problems));
    assert.equal(r.result.version, (await bed.node.mi(m(bed, "core:version", "version"))).Server);
  } },

  // --- reload
  reload_data_tables: { module: null, async run(bed) {
    const r = ok(await bed.call("reload_data_tables", { confirm: true, delay_ms_between: 0 }));
    assert.equal(r.result.failed, 0, JSON.stringify(r.result.steps));
    assert.ok(r.result.steps.some((x) => x.target === "dispatcher" && x.outcome === "reloaded"), JSON.stringify(r.result.steps));
  } },
  domain_reload: { module: "domain", async run(bed) {
    sql(bed, "INSERT INTO domain (domain, accept_subdomain, last_modified) VALUES ('live.example', 0, '2026-01-01 00:00:00');");
    ok(await bed.call("domain_reload", { confirm: true }));
    const mi = await bed.node.mi(m(bed, "domain:dump", "domain_dump"));
    assert.match(JSON.stringify(mi), /live\.example/);
  } },
  fraud_reload: { module: "fraud_detection", async run(bed) {
    ok(await bed.call("fraud_reload", { confirm: true }));
  } },
  tls_reload: { module: "tls_mgm", async run(bed) {
    const r = await bed.call("tls_reload", { confirm: true });
    ok(r, "tls_reload");
    await bed.node.mi(m(bed, "tls_mgm:list", "tls_list"));
  } },

  // --- b2b
  b2b_list_sessions: { module: "b2b_logic", async run(bed) {
    const r = ok(await bed.call("b2b_list_sessions"));
    const mi = await bed.node.mi(m(bed, "b2b_logic:list", "b2b_list"));
    assert.equal(r.total, (mi.Tuples ?? mi ?? []).length ?? 0);
  } },
  b2b_list_entities: { module: "b2b_entities", async run(bed) {
    const r = ok(await bed.call("b2b_list_entities"));
    assert.equal(typeof r.total, "number");
  } },
  b2b_sca_list: { module: "b2b_sca", async run(bed) {
    ok(await bed.call("b2b_sca_list"));
  } },
  b2b_terminate: { module: "b2b_logic", async run(bed) {
    said.b2b_terminate = fails(await bed.call("b2b_terminate", { key: "99.99", confirm: true }), /./);
  } },
  b2b_trigger_scenario: { module: "b2b_logic", async run(bed) {
    said.b2b_trigger_scenario = fails(await bed.call("b2b_trigger_scenario", { scenario_id: "no-such-scenario",
      entity1: "client1,sip:a@127.0.0.1", entity2: "client2,sip:b@127.0.0.1", confirm: true }), /./);
  } },

  // --- call center
  cc_list_agents: { module: "call_center", async run(bed) {
    const r = ok(await bed.call("cc_list_agents"));
    const mi = await bed.node.mi(m(bed, "call_center:list_agents", "cc_list_agents"));
    assert.deepEqual(r.items.map((a) => a.id), (mi.Agents ?? []).map((a) => a.id));
  } },
  cc_list_queue: { module: "call_center", async run(bed) {
    assert.equal(ok(await bed.call("cc_list_queue")).total, 0);
  } },
  cc_status: { module: "call_center", async run(bed) {
    const r = ok(await bed.call("cc_status"));
    assert.ok(r.result.agents.some((a) => a.id === "agent1"), JSON.stringify(r).slice(0, 800));
  } },
  cc_agent_login: { module: "call_center", async run(bed) {
    ok(await bed.call("cc_agent_login", { agent_id: "agent1", state: 1, confirm: true }));
    const mi = await bed.node.mi(m(bed, "call_center:list_agents", "cc_list_agents"));
    assert.match(JSON.stringify(mi.Agents.find((a) => a.id === "agent1")), /YES/);
    ok(await bed.call("cc_agent_login", { agent_id: "agent1", state: 0, confirm: true }));
    const mi2 = await bed.node.mi(m(bed, "call_center:list_agents", "cc_list_agents"));
    assert.match(JSON.stringify(mi2.Agents.find((a) => a.id === "agent1")), /NO/);
  } },
  cc_reload_tool: { module: "call_center", async run(bed) {
    ok(await bed.call("cc_reload_tool", { confirm: true }));
  } },

  // --- cluster: this node is 1, bed.peer is node 2 of cluster 1 (a second OpenSIPS on the same tables)
  cluster_status: { module: "clusterer", async run(bed) {
    const name = m(bed, "clusterer:list", "clusterer_list");
    const peerUp = async () => JSON.stringify(await bed.node.mi(name)).includes('"link_state":"Up"');
    for (let i = 0; i < 150 && !(await peerUp()); i++) await sleep(200);
    const r = ok(await bed.call("cluster_status"));
    const mi = await bed.node.mi(name);
    assert.deepEqual(r.result, mi);
    // on failure, both nodes' clusterer lines say why the link did not come up
    const why = () => [bed.node, bed.peer].map((n) => `${n.log}:\n` + readFileSync(n.log, "utf8").split("\n")
      .filter((l) => /clusterer|bin|tcp/i.test(l)).slice(-15).join("\n")).join("\n");
    if (!/"node_id":2[^}]*"link_state":"Up"/.test(JSON.stringify(r.result)))
      assert.fail(`the peer node is not Up after 30 s: ${JSON.stringify(r.result)}\n${why()}`);
  } },
  cluster_topology: { module: "clusterer", async run(bed) {
    const r = ok(await bed.call("cluster_topology"));
    const mi = await bed.node.mi(m(bed, "clusterer:list_topology", "clusterer_list_topology"));
    assert.deepEqual(r.result, mi);
  } },
  cluster_send_command: { module: "clusterer", async run(bed) {
    // to the peer: it runs there (the peer's own MI shows the effect)
    const r = ok(await bed.call("cluster_send_command", { cluster_id: 1, node_id: 2, mi_cmd: m(bed, "core:log_level", "log_level"),
      mi_params: JSON.stringify({ level: 4 }), confirm: true }), "cluster_send_command to node 2");
    const lv = await bed.peer.mi(m(bed, "core:log_level", "log_level"));
    assert.match(JSON.stringify(lv), /4/, JSON.stringify({ r, lv }));
    await bed.peer.mi(m(bed, "core:log_level", "log_level"), { level: 3 });
    // to a node that does not exist: a clear failure, not a silent OK
    said.cluster_send_command = fails(await bed.call("cluster_send_command", { cluster_id: 1, node_id: 9, mi_cmd: "version", confirm: true }), /./);
  } },

  // --- uac_registrant (registers to this node itself)
  uac_reg_force_register: { module: "uac_registrant", async run(bed) {
    // the registrant registers to this node itself: the REGISTER lands in its own usrloc
    ok(await bed.call("uac_reg_force_register", { aor: "sip:trunk@127.0.0.1", confirm: true }));
    let mi;
    for (let i = 0; i < 50; i++) {
      mi = JSON.stringify(await bed.node.mi(m(bed, "uac_registrant:list", "reg_list")));
      if (/REGISTERED_STATE/.test(mi) && !/NOT_REGISTERED/.test(mi)) break;
      await sleep(200);
    }
    assert.match(mi, /"state":"REGISTERED_STATE"/, mi);
    assert.match(JSON.stringify(await bed.node.mi(m(bed, "usrloc:show_contact", "ul_show_contact"),
      { table_name: "location", aor: "trunk@127.0.0.1" })), /sip:trunk@127\.0\.0\.1/);
  } },
  uac_reg_reload: { module: "uac_registrant", async run(bed) {
    ok(await bed.call("uac_reg_reload", { confirm: true }));
    assert.match(JSON.stringify(await bed.node.mi(m(bed, "uac_registrant:list", "reg_list"))), /trunk@127\.0\.0\.1/);
  } },

  // --- presence / events
  presence_list_subscriptions: { module: "presence", async run(bed) {
    // one real SUBSCRIBE (Event: presence) through the node's handle_subscribe()
    await sipSend(bed, "SUBSCRIBE", ["Event: presence", "Accept: application/pidf+xml"]);
    const r = ok(await bed.call("presence_list_subscriptions"));
    const mi = await bed.node.mi(m(bed, "presence:subs_phtable_list", "subs_phtable_list"));
    assert.equal(r.total, 1, JSON.stringify({ r, mi }).slice(0, 1500));
    assert.match(JSON.stringify(r.items), /probe@127\.0\.0\.1/);
    assert.match(JSON.stringify(mi), /probe@127\.0\.0\.1/);
  } },
  event_list_subscribers: { module: null, async run(bed) {
    await bed.node.mi(m(bed, "event_subscribe", "event_subscribe"), { event: "E_UL_AOR_INSERT", socket: "udp:127.0.0.1:5990", expire: 600 });
    const r = ok(await bed.call("event_list_subscribers", { event: "E_UL_AOR_INSERT" }));
    assert.match(JSON.stringify(r), /127\.0\.0\.1:5990/);
  } },

  // --- tls
  tls_connections: { module: "tls_mgm", async run(bed) {
    const r = ok(await bed.call("tls_connections"));
    assert.equal(typeof r.total, "number");
  } },

  // --- tracer
  trace_control: { module: "tracer", async run(bed) {
    ok(await bed.call("trace_control", { action: "start", trace_uri: "sip:127.0.0.1:5991", trace_id: "live", confirm: true }));
    const s = ok(await bed.call("trace_control", { action: "status" }));
    assert.match(JSON.stringify(s), /live/);
    ok(await bed.call("trace_control", { action: "stop", trace_id: "live", confirm: true }));
    assert.doesNotMatch(JSON.stringify(ok(await bed.call("trace_control", { action: "status" }))), /"live"/);
  } },

  // --- rtpengine (not in the test bed: no daemon), topology_hiding, avpops (no such module in 3.6/4.0)
  // (a real media call is in t0200)
  rtpengine_sessions: { module: "rtp_relay", async run(bed) {
    const r = ok(await bed.call("rtpengine_sessions"));
    const mi = await bed.node.mi(m(bed, "rtp_relay:list", "rtp_relay_list"));
    assert.equal(r.total, mi.length);
  } },
  rtpengine_terminate_call: { module: "rtpengine", async run(bed) {
    const r = await bed.call("rtpengine_terminate_call", { callid: "no-such-call", confirm: true });
    said.rtpengine_terminate_call = r.isError ? r.content[0].text : JSON.stringify(r.structuredContent);
    if (bed.node.major < 4) {
      // 3.6 has no rtpengine teardown over MI: the tool must say so
      assert.equal(r.isError, true, said.rtpengine_terminate_call);
      assert.match(r.content[0].text, ABSENT);
    } else if (!r.isError) assert.equal(r.structuredContent.result.dialog_known, false);
  } },
  topology_hiding_list: { module: "topology_hiding", async run(bed) {
    const r = ok(await bed.call("topology_hiding_list"));
    assert.equal(r.total, 0);
  } },
  avp_get: { module: "avpops", async run(bed) {
    ok(await bed.call("avp_get", { name: "x" }));
  } },
  avp_delete: { module: "avpops", async run(bed) {
    ok(await bed.call("avp_delete", { name: "x", confirm: true }));
  } },

  // --- mi
  mi_execute: { module: null, async run(bed) {
    const r = ok(await bed.call("mi_execute", { command: "version", confirm: true }));
    assert.match(JSON.stringify(r), new RegExp(bed.node.version.replace(/\./g, "\\.")));
  } },
  mi_list_commands: { module: null, async run(bed) {
    const r = ok(await bed.call("mi_list_commands", { limit: 500 }));
    const mi = await bed.node.mi(m(bed, "core:which", "which"));
    assert.equal(r.total, mi.length);
  } },
  mi_describe_command: { module: null, async run(bed) {
    const r = ok(await bed.call("mi_describe_command", { command: "dialog:list" }));
    assert.match(JSON.stringify(r), /callid|index|counter/);
  } },
};

async function addContact(bed, aor, contact) {
  const p = { table_name: "location", aor, contact, expires: 600, q: 1, flags: 0, methods: 4294967295 };
  const name = m(bed, "usrloc:add", "ul_add");
  try {
    await bed.node.mi(name, { ...p, cflags: 0 });
  } catch {
    await bed.node.mi(name, { ...p, cflags: "" });
  }
}

// One SIP request through the node (OPTIONS or REGISTER) from a throwaway UDP socket.
async function sipSend(bed, method, extra = []) {
  const dgram = await import("node:dgram");
  const s = dgram.createSocket("udp4");
  await new Promise((r) => s.bind(0, "127.0.0.1", r));
  const lp = s.address().port;
  const host = `127.0.0.1:${bed.node.SIP_PORT}`;
  const id = `live-${Math.random().toString(36).slice(2)}`;
  const msg = [`${method} sip:${host} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bK${id}`,
    `From: <sip:probe@127.0.0.1>;tag=${id}`, `To: <sip:probe@127.0.0.1>`, `Call-ID: ${id}`, `CSeq: 1 ${method}`,
    `Contact: <sip:probe@127.0.0.1:${lp}>`, "Expires: 60", "Max-Forwards: 70", ...extra, "Content-Length: 0", "", ""].join("\r\n");
  const reply = new Promise((res) => s.once("message", (b) => res(b.toString())));
  s.send(msg, bed.node.SIP_PORT, "127.0.0.1");
  let t;
  const r = await Promise.race([reply, new Promise((res) => (t = setTimeout(res, 5000, null)))]);
  clearTimeout(t);
  s.close();
  assert.ok(r && /^SIP\/2\.0 20[02]/.test(r), `${method}: ${r}`);
}
const sipOptions = (bed) => sipSend(bed, "OPTIONS");
const sipRegister = (bed) => sipSend(bed, "REGISTER");

// The modules the test bed loaded (its rendered opensips.cfg).
async function loadedModules(node) {
  const { readFileSync } = await import("node:fs");
  return new Set([...readFileSync(node.cfg, "utf8").matchAll(/^loadmodule "([^"]+)\.so"/gm)].map((x) => x[1]));
}

for (const inst of installs()) {
  describe(`OpenSIPS ${inst.version}: every tool`, { skip: inst.prefix ? false : inst.why }, () => {
    let bed, loaded;
    before(async () => {
      bed = await startBed(inst.prefix, { peer: true });
      loaded = await loadedModules(bed.node);
    });
    after(async () => {
      if (Object.keys(said).length) console.log(`# ${inst.version} tools said: ${JSON.stringify(said)}`);
      await bed?.stop();
    });

    test("tools/list: every tool of --toolsets all has a case here", () => {
      // The tools of ELSEWHERE's toolsets do not run on this node's MI: each is proven where it says.
      const names = bed.tools.map((t) => t.name).filter((n) => !ELSEWHERE_TOOLS.has(n)).sort();
      assert.deepEqual(names.filter((n) => !CASES[n]), [], "tools without a live case");
      assert.deepEqual(Object.keys(CASES).filter((n) => !names.includes(n)), [], "cases for tools that no longer exist");
    });

    for (const [tool, c] of Object.entries(CASES)) {
      test(tool, c.timeout ? { timeout: c.timeout } : LONG, async (t) => {
        await expectUnlessKnown(t, tool, inst.version, async () => {
          if (c.module && !loaded.has(c.module)) {
            // the module is not on this node: the tool must say so, before anything else
            const args = Object.fromEntries(Object.entries(bed.tools.find((x) => x.name === tool).inputSchema.properties ?? {})
              .filter(([k]) => (bed.tools.find((x) => x.name === tool).inputSchema.required ?? []).includes(k))
              .map(([k, p]) => [k, p.type === "integer" ? 1 : p.type === "array" ? ["x"] : p.enum ? p.enum[0] : "x"]));
            const r = await bed.call(tool, { ...args, confirm: true });
            said[tool] = r.isError ? r.content[0].text : `(no error) ${JSON.stringify(r.structuredContent).slice(0, 300)}`;
            assert.equal(r.isError, true, `${tool} without ${c.module} loaded answered success: ${said[tool]}`);
            assert.match(r.content[0].text, ABSENT, `${tool} without ${c.module}: ${r.content[0].text}`);
            assert.match(r.content[0].text, new RegExp(c.module.split("_")[0], "i"), `${tool}: does not name ${c.module}`);
            return;
          }
          await c.run(bed);
        });
      });
    }
  });
}
