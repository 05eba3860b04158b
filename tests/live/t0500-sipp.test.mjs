// sipp_run_scenario against the real node: a short run of SIPp's built-in uac through OpenSIPS to the
// bed's SIPp UAS, and the same run from an XML scenario file under the allowed root (SIPp's own uac,
// dumped with -sd). What the tool answers must match what the node saw: its dialog statistics
// (processed_dialogs, failed_dialogs, active_dialogs back to what it was) and its tm statistics (a
// transaction for each INVITE and each BYE, all answered 2xx; the replies relayed; the retransmissions).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { installs } from "./lib/node.mjs";
import { ok, m, until } from "./lib/check.mjs";
import { startBed } from "./lib/bed.mjs";
import { freeUdp } from "./lib/sipp.mjs";

const LONG = { timeout: 120_000 };
const CALLS = 12;

// The node's counters of `groups`, by name without the group ("processed_dialogs": 12).
async function counters(bed, groups) {
  const r = await bed.node.mi(m(bed, "statistics:get", "get_statistics"), { statistics: groups.map((g) => `${g}:`) });
  const out = {};
  for (const [k, v] of Object.entries(r)) out[k.replace(/^[^:]*:/, "")] = Number(v);
  return out;
}

const delta = (a, b, name) => {
  assert.ok(name in a && name in b, `statistic ${name} is missing: ${JSON.stringify(b)}`);
  return b[name] - a[name];
};

for (const inst of installs()) {
  describe(`OpenSIPS ${inst.version}: sipp_run_scenario through the node`, { skip: inst.prefix ? false : inst.why }, () => {
    let bed;
    before(async () => {
      bed = await startBed(inst.prefix);
    });
    after(async () => {
      await bed?.stop();
    });

    async function run(scenario) {
      const before = await counters(bed, ["dialog", "tm"]);
      const r = ok(await bed.call("sipp_run_scenario", {
        scenario_file: scenario,
        target: `127.0.0.1:${bed.node.SIP_PORT}`,
        options: { calls: CALLS, rate: 20, limit: CALLS, local_ip: "127.0.0.1", local_port: await freeUdp(), duration_sec: 60 },
        confirm: true,
      }, { timeout: 90_000 }), `sipp_run_scenario ${scenario}`);
      // the node settles (the last BYE's transaction is answered before SIPp counts the call)
      const after = await until(async () => {
        const c = await counters(bed, ["dialog", "tm"]);
        return delta(before, c, "processed_dialogs") >= CALLS && c.active_dialogs === before.active_dialogs ? c : null;
      }, "the node to see every dialog end", 20_000);
      return { r, before, after };
    }

    function matches({ r, before, after }) {
      assert.equal(r.calls.attempted, CALLS, JSON.stringify(r));
      assert.equal(r.calls.successful, CALLS, JSON.stringify(r));
      assert.equal(r.calls.failed, 0, JSON.stringify(r));
      assert.equal(r.calls.running, 0);
      assert.equal(delta(before, after, "processed_dialogs"), r.calls.successful, "dialogs the node processed");
      assert.equal(delta(before, after, "failed_dialogs"), r.calls.failed);
      assert.equal(after.active_dialogs, before.active_dialogs, "a dialog is left active");
      // each call is an INVITE and a BYE transaction on the node, each answered 2xx; the UAS answers the
      // INVITE with 180 and 200 and the BYE with 200, all relayed to SIPp (the node's own 100 is local)
      assert.equal(delta(before, after, "UAS_transactions"), 2 * r.calls.successful, "transactions");
      assert.equal(delta(before, after, "2xx_transactions"), 2 * r.calls.successful, "2xx transactions");
      for (const c of ["3xx", "4xx", "5xx", "6xx"])
        assert.equal(delta(before, after, `${c}_transactions`), r.calls.failed, `${c} transactions`);
      assert.equal(delta(before, after, "received_replies"), 3 * r.calls.successful, "replies received");
      assert.equal(delta(before, after, "relayed_replies"), 3 * r.calls.successful, "replies relayed");
      // a retransmission SIPp counts is one the node's tm sees too; on loopback there are none
      const retrans = Object.keys(after).filter((k) => k.startsWith("retransmission_"))
        .reduce((n, k) => n + delta(before, after, k), 0);
      assert.equal(r.retransmissions, retrans, "retransmissions");
      assert.ok(r.response_time_ms && r.response_time_ms.mean >= 0, JSON.stringify(r));
      assert.equal(r.status, 0, r.meaning);
    }

    test(`built-in uac: ${CALLS} calls, the counts match the node's dialog and tm statistics`, LONG, async () => {
      const run1 = await run("uac");
      matches(run1);
    });

    test(`an XML scenario under the allowed root (SIPp's uac, dumped): the same ${CALLS} calls, the same match`, LONG, async () => {
      // sipp -sd prints the scenario and exits with 99
      const xml = spawnSync("sipp", ["-sd", "uac"], { encoding: "utf8" }).stdout;
      assert.match(xml, /<scenario/);
      writeFileSync(join(bed.node.run, "uac-file.xml"), xml);
      const run2 = await run("uac-file.xml");
      matches(run2);
    });
  });
}
