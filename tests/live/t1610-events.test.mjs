// Live resource updates from a real node (issue 16 item 3): opensips-mcp with --events-listen
// subscribes itself to the node's events over event_datagram (the node lists it in
// evi:subscribers / subscribers_list); a real SIPp REGISTER reaches an SDK client subscribed to
// opensips://default/registrations/{aor}, and a real call ending reaches one subscribed to
// opensips://default/dialogs; a gateway's state set over the node's own MI (dispatcher, drouting,
// load_balancer) reaches a client subscribed to that module's resource, whose read then shows the
// new state, and no longer once it has unsubscribed; on exit the server's subscriptions are set
// to expire 0.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { installs, startNode } from "./lib/node.mjs";
import { m, miDialogs, until } from "./lib/check.mjs";
import { serverArgs } from "./lib/bed.mjs";
import { startUas, startCallers, register, freeUdp } from "./lib/sipp.mjs";
import { connect, REQ, types } from "../e2e/lib/sdk.mjs";

const LONG = { timeout: 120_000 };
const DIALOGS = "opensips://default/dialogs";
const DISPATCHER = "opensips://default/dispatcher";
const DROUTING = "opensips://default/drouting";
const LB = "opensips://default/load_balancer";

// The first object in `tree` (any depth) for which pred holds, or undefined.
function find(tree, pred) {
  if (tree === null || typeof tree !== "object") return undefined;
  if (!Array.isArray(tree) && pred(tree)) return tree;
  for (const v of Object.values(tree)) {
    const f = find(v, pred);
    if (f) return f;
  }
  return undefined;
}

for (const inst of installs()) {
  describe(`OpenSIPS ${inst.version}: live resource updates from the node's events`, { skip: inst.prefix ? false : inst.why }, () => {
    let node, uas, mcp, evPort;
    const got = [];
    const subscribers = async () => {
      const r = await node.mi(m({ node }, "evi:subscribers", "subscribers_list"));
      // {Events: [{name, id, Subscribers: [{socket: "udp:127.0.0.1:PORT", expire, ttl}]}]}
      // (evi/event_interface.c: evi_print_event, evi_print_subscriber)
      return (r.Events ?? []).flatMap((e) => (e.Subscribers ?? []).map((s) => ({ event: e.name, ...s })))
        .filter((s) => String(s.socket).includes(`:${evPort}`));
    };

    before(async () => {
      const uasPort = await freeUdp();
      node = await startNode(inst.prefix, { uasPort });
      uas = startUas(uasPort, node.run);
      evPort = await freeUdp();
      // debug: the listener logs each event it receives ("events: node default: E_..."), which the
      // unsubscribe test reads to know the event did reach the server
      mcp = await connect(serverArgs(node, "http", ["--events-listen", `127.0.0.1:${evPort}`, "--events-interval-ms", "300",
        "--log-level", "debug"]), {
        setup: (client) => client.setNotificationHandler(types.ResourceUpdatedNotificationSchema, (n) => got.push(n.params.uri)),
      });
    });
    after(async () => {
      await mcp?.close().catch(() => {});
      await uas?.stop();
      await node?.stop();
      if (!process.env.LIVE_KEEP) node?.cleanup();
    });

    test("the node lists the server's subscriptions, with their expire", LONG, async () => {
      const subs = await until(async () => {
        const s = await subscribers();
        return s.some((x) => x.event === "E_DLG_STATE_CHANGED") && s.some((x) => x.event === "E_UL_AOR_INSERT") ? s : null;
      }, "the server's subscriptions on the node");
      assert.ok(subs.every((s) => /^udp:/.test(s.socket) && Number(s.expire) === 600), JSON.stringify(subs));
      // every event of src/events/map.c: usrloc, dialog, dispatcher, drouting and pike are loaded
      const all = await until(async () => ((await subscribers()).length === 12 ? true : null), "all twelve events");
      assert.ok(all);
    });

    test("a real REGISTER reaches a client subscribed to the AOR", LONG, async () => {
      // register.xml registers user1 at the node's address; usrloc keeps the domain (use_domain 1)
      const uri = "opensips://default/registrations/user1%40127.0.0.1";
      await mcp.client.subscribeResource({ uri }, REQ);
      got.length = 0;
      const r = await register(node.SIP_PORT, node.run, 1);
      assert.equal(r.code, 0, r.output.slice(-1500));
      await until(async () => got.includes(uri) || null, "the registration's notification", 10_000);
      const read = await mcp.client.readResource({ uri }, REQ);
      assert.match(read.contents[0].text, /sip:user1@127\.0\.0\.1/);
      await mcp.client.unsubscribeResource({ uri }, REQ);
    });

    test("a real call ending reaches a client subscribed to the dialogs", LONG, async () => {
      await mcp.client.subscribeResource({ uri: DIALOGS }, REQ);
      const caller = startCallers(node.SIP_PORT, node.run, { calls: 1, name: "events-call", port: await freeUdp() });
      try {
        const [d] = await until(async () => {
          const c = (await miDialogs({ node })).filter((x) => x.state === 4);
          return c.length ? c : null;
        }, "a confirmed dialog");
        await new Promise((r) => setTimeout(r, 700)); // past the interval that carried the call's start
        got.length = 0;
        await node.mi(m({ node }, "dialog:end_dlg", "dlg_end_dlg"), { dialog_id: d.ID });
        assert.deepEqual(await caller.exited, { code: 0, signal: null }, caller.output().slice(-1500));
        await until(async () => got.includes(DIALOGS) || null, "the dialogs' notification", 10_000);
      } finally {
        await caller.stop();
      }
    });

    // The state changes come over the node's own MI, not through the server, as another operator's
    // would: dispatcher:set_state (ds_mi_set, modules/dispatcher/dispatcher.c), drouting:gw_status
    // with a status (mi_dr_gw_set_status, modules/drouting/drouting.c), load_balancer:status with a
    // new_status (mi_lb_status_1, modules/load_balancer/load_balancer.c); each raises its event
    // only when the state really changes.
    const dsSet = (state) => node.mi(m({ node }, "dispatcher:set_state", "ds_set_state"),
      { state, group: "2", address: "sip:127.0.0.1:5080" });
    const drSet = (status) => node.mi(m({ node }, "drouting:gw_status", "dr_gw_status"), { gw_id: "gw2", status });
    const lbSet = (status) => node.mi(m({ node }, "load_balancer:status", "lb_status"), { destination_id: 3, new_status: status });
    const readJson = async (uri) => {
      const r = await mcp.client.readResource({ uri }, REQ);
      return JSON.parse(r.contents[0].text);
    };
    // Change a state, wait for `uri`'s notification, then read the resource.
    const changed = async (uri, change, what) => {
      got.length = 0;
      await change();
      await until(async () => got.includes(uri) || null, `${what}: the notification of ${uri}`, 10_000);
      return readJson(uri);
    };

    test("a dispatcher destination's state change reaches a client subscribed to the dispatcher", LONG, async () => {
      await mcp.client.subscribeResource({ uri: DISPATCHER }, REQ);
      const dst = (body) => find(body, (o) => o.URI === "sip:127.0.0.1:5080");
      assert.equal(dst(await readJson(DISPATCHER))?.state, "Active");
      // E_DISPATCHER_STATUS {group: 2, address, status: "inactive", reason: "MI command"}
      let body = await changed(DISPATCHER, () => dsSet("i"), "set inactive");
      assert.equal(dst(body)?.state, "Inactive", JSON.stringify(body));
      body = await changed(DISPATCHER, () => dsSet("a"), "set active");
      assert.equal(dst(body)?.state, "Active", JSON.stringify(body));
    });

    test("a drouting gateway's state change reaches a client subscribed to drouting", LONG, async () => {
      await mcp.client.subscribeResource({ uri: DROUTING }, REQ);
      const gw = (body) => find(body, (o) => o.ID === "gw2");
      assert.equal(gw(await readJson(DROUTING))?.State, "Active");
      // E_DROUTING_STATUS {partition: "Default", gwid: "gw2", address, status: "disabled MI", reason}
      let body = await changed(DROUTING, () => drSet(0), "disable gw2");
      assert.equal(gw(body)?.State, "Disabled MI", JSON.stringify(body));
      body = await changed(DROUTING, () => drSet(1), "enable gw2");
      assert.equal(gw(body)?.State, "Active", JSON.stringify(body));
    });

    test("a load_balancer destination's state change reaches a client subscribed to load_balancer", LONG, async () => {
      await mcp.client.subscribeResource({ uri: LB }, REQ);
      const dst = (body) => find(body, (o) => o.id === 3 && o.uri === "sip:127.0.0.1:5083");
      assert.equal(dst(await readJson(LB))?.enabled, "yes");
      // E_LOAD_BALANCER_STATUS {group: 2, uri, status: "disabled"}
      let body = await changed(LB, () => lbSet(0), "disable destination 3");
      assert.equal(dst(body)?.enabled, "no", JSON.stringify(body));
      body = await changed(LB, () => lbSet(1), "enable destination 3");
      assert.equal(dst(body)?.enabled, "yes", JSON.stringify(body));
    });

    test("after resources/unsubscribe a state change brings no notification", LONG, async () => {
      // load_balancer stays subscribed as the fence: the node sends the three events in the order
      // of the MI calls, the listener reads them in that order and notifies in the order the URIs
      // came, all on this one stdout; so once the load_balancer notification is here, one for the
      // dispatcher or drouting would have come before it
      await mcp.client.unsubscribeResource({ uri: DISPATCHER }, REQ);
      await mcp.client.unsubscribeResource({ uri: DROUTING }, REQ);
      const mark = mcp.stderr().length;
      const seen = (ev) => mcp.stderr().slice(mark).includes(`events: node default: ${ev}`);
      got.length = 0;
      try {
        await dsSet("i");
        await drSet(0);
        await lbSet(0);
        await until(async () => got.includes(LB) || null, "the load_balancer notification", 10_000);
        // the server did receive both events: they changed nothing a session follows
        await until(async () => (seen("E_DISPATCHER_STATUS") && seen("E_DROUTING_STATUS")) || null,
          "the server's log of the two events", 10_000);
        assert.deepEqual(got.filter((u) => u === DISPATCHER || u === DROUTING), [], JSON.stringify(got));
        assert.equal(find(await readJson(DISPATCHER), (o) => o.URI === "sip:127.0.0.1:5080")?.state, "Inactive");
      } finally {
        await dsSet("a");
        await drSet(1);
        await lbSet(1);
        await mcp.client.unsubscribeResource({ uri: LB }, REQ);
      }
    });

    test("on exit the server's subscriptions are removed (expire 0)", LONG, async () => {
      const before = await subscribers();
      assert.ok(before.length > 0 && before.every((s) => Number(s.expire) === 600), JSON.stringify(before));
      await mcp.close();
      mcp = null;
      const left = await subscribers();
      // kept with expire 0 until the event is next raised (evi/event_interface.c), or gone
      assert.ok(left.every((s) => Number(s.expire ?? 0) === 0), JSON.stringify(left));
    });
  });
}
