// Live resource updates from a real node (issue 16 item 3): opensips-mcp with --events-listen
// subscribes itself to the node's events over event_datagram (the node lists it in
// evi:subscribers / subscribers_list); a real SIPp REGISTER reaches an SDK client subscribed to
// opensips://default/registrations/{aor}, and a real call ending reaches one subscribed to
// opensips://default/dialogs; on exit the server's subscriptions are set to expire 0.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { installs, startNode } from "./lib/node.mjs";
import { m, miDialogs, until } from "./lib/check.mjs";
import { serverArgs } from "./lib/bed.mjs";
import { startUas, startCallers, register, freeUdp } from "./lib/sipp.mjs";
import { connect, REQ, types } from "../e2e/lib/sdk.mjs";

const LONG = { timeout: 120_000 };
const DIALOGS = "opensips://default/dialogs";

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
      mcp = await connect(serverArgs(node, "http", ["--events-listen", `127.0.0.1:${evPort}`, "--events-interval-ms", "300"]), {
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
