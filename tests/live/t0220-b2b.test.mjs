// A call through the B2BUA's built-in "top hiding" scenario, on a bed of its own (after t0200's 300 calls
// the node's mi_http stopped answering b2b_logic:list within 15 s on 4.0.1 and 3.6.8; see the report).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { installs, sleep } from "./lib/node.mjs";
import { ok, m, miDialogs, until } from "./lib/check.mjs";
import { startBed } from "./lib/bed.mjs";
import { startCallers, freeUdp } from "./lib/sipp.mjs";
import { expectUnlessKnown } from "./lib/known.mjs";

const LONG = { timeout: 120_000 };


for (const inst of installs()) {
  describe(`OpenSIPS ${inst.version}: B2B calls`, { skip: inst.prefix ? false : inst.why }, () => {
    let bed;
    before(async () => {
      bed = await startBed(inst.prefix);
    });
    after(async () => {
      await bed?.stop();
    });

    test("a call through the B2BUA (top hiding): listed by the b2b tools, ended by b2b_terminate (the caller gets the BYE)", LONG, async (t) => {
      if (!bed.node.modules.has("b2b_logic")) return t.skip("no b2b_logic on this node");
      const caller = startCallers(bed.node.SIP_PORT, bed.node.run, { calls: 1, name: "b2b-call", port: await freeUdp(), service: "b2b" });
      try {
        const name = m(bed, "b2b_logic:list", "b2b_list");
        const tuples = await until(async () => {
          const r = await bed.node.mi(name);
          const x = (r.Tuples ?? []).filter((u) => u.state === 4);
          return x.length ? x : null;
        }, "a confirmed B2B session");
        const s = ok(await bed.call("b2b_list_sessions"));
        assert.deepEqual(s.items.map((i) => i.key), tuples.map((u) => u.key));
        const e = ok(await bed.call("b2b_list_entities"));
        const miE = await bed.node.mi(m(bed, "b2b_entities:list", "b2be_list"));
        assert.equal(e.total, (Array.isArray(miE) ? miE : miE.Entities ?? []).length || e.total);
        assert.ok(e.items.some((x) => x.logic_key === tuples[0].key), JSON.stringify(e.items).slice(0, 800));
        const th = ok(await bed.call("topology_hiding_list"));
        assert.deepEqual(th.items.map((i) => i.key), [tuples[0].key]);

        const wrong = await bed.call("b2b_terminate", { key: "99999.0", confirm: true });
        assert.equal(wrong.isError, true);
        assert.equal((await bed.node.mi(name)).Tuples.length, 1, "a wrong key ended a session");
        ok(await bed.call("b2b_terminate", { key: tuples[0].key, confirm: true }), "b2b_terminate");
        assert.deepEqual(await caller.exited, { code: 0, signal: null }, `the caller did not complete on the BYE: ${caller.output().slice(-1500)}`);
        await until(async () => ((await bed.node.mi(name)).Tuples ?? []).length === 0, "the session to end", 10_000);
      } finally {
        await caller.stop();
      }
    });

  });
}
