// RTPEngine media through the real node (a bed of its own: the node loads rtp_relay and rtpengine and an
// RTPEngine daemon runs in userspace on loopback). rtpengine_sessions lists a real call's media session;
// rtpengine_terminate_call ends the call and, checked on RTPEngine's own CLI, its media.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { installs, sleep } from "./lib/node.mjs";
import { ok, m, miDialogs, until } from "./lib/check.mjs";
import { startBed } from "./lib/bed.mjs";
import { startCallers, freeUdp } from "./lib/sipp.mjs";
import { expectUnlessKnown } from "./lib/known.mjs";

const LONG = { timeout: 120_000 };
const haveRtpengine = spawnSync("sh", ["-c", "command -v rtpengine"]).status === 0;


for (const inst of installs()) {
  describe(`OpenSIPS ${inst.version}: RTPEngine media`, { skip: !inst.prefix ? inst.why : haveRtpengine ? false : "no rtpengine (Debian: rtpengine-daemon)" }, () => {
    let bed;
    before(async () => {
      bed = await startBed(inst.prefix, { media: true });
    });
    after(async () => {
      await bed?.stop();
    });

    test("a call with RTPEngine media: rtpengine_sessions lists it, rtpengine_terminate_call ends call and media", LONG, async (t) => {
      if (!bed.node.rtpengine) return t.skip("no RTPEngine on this machine (Debian: rtpengine-daemon)");
      const numSessions = async () => Number((await bed.node.rtpengineCli("list numsessions")).match(/sessions own: (\d+)/)?.[1]);
      const caller = startCallers(bed.node.SIP_PORT, bed.node.run, { calls: 1, name: "media-call", port: await freeUdp(), service: "media" });
      try {
        const [d] = await until(async () => {
          const c = (await miDialogs(bed)).filter((x) => x.state === 4);
          return c.length ? c : null;
        }, "a confirmed dialog");
        await until(async () => (await numSessions()) === 1, "RTPEngine to count the call's session");
        const s = ok(await bed.call("rtpengine_sessions"));
        const mi = await bed.node.mi(m(bed, "rtp_relay:list", "rtp_relay_list"));
        assert.deepEqual(s.items.map((x) => x.callid), mi.map((x) => x.callid));
        assert.deepEqual(s.items.map((x) => x.callid), [d.callid]);

        await expectUnlessKnown(t, "rtpengine_terminate_call/media", inst.version, async () => {
          const r = await bed.call("rtpengine_terminate_call", { callid: d.callid, confirm: true });
          const res = ok(r, "rtpengine_terminate_call").result;
          assert.equal(res.media_ended, true, JSON.stringify(res));
          assert.equal(res.dialog_known, true);
          assert.deepEqual(await caller.exited, { code: 0, signal: null }, "the caller did not get its BYE");
          await until(async () => (await miDialogs(bed)).length === 0, "the dialog to end", 10_000);
          await until(async () => (await numSessions()) === 0, "RTPEngine's own session count to drop to 0", 10_000);
        });
      } finally {
        await caller.stop();
      }
    });

  });
}
