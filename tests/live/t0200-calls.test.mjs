// Real SIP through the real node: SIPp calls (held until the far end hangs up) and registrations.
// dlg_end ends a real call (the caller sees the BYE) and a wrong tag ends nothing; paging walks a few
// hundred calls and a few thousand registrations with no gap or duplicate, compared with MI's own lists.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { installs, sleep } from "./lib/node.mjs";
import { ok, m, miDialogs, until } from "./lib/check.mjs";
import { startBed } from "./lib/bed.mjs";
import { startCallers, register, freeUdp } from "./lib/sipp.mjs";
import { expectUnlessKnown } from "./lib/known.mjs";

const LONG = { timeout: 180_000 };
const CALLS = 300;
const REGS = 3000;


// Every page of a listing tool; asserts that the pages join with no gap or overlap.
async function walk(bed, tool, args, limit) {
  const items = [];
  let offset = 0, total;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 1000, "paging does not end");
    const r = ok(await bed.call(tool, { ...args, limit, offset }, { timeout: 60_000 }), `${tool} offset ${offset}`);
    total ??= r.total;
    assert.equal(r.total, total, `${tool}: total changed while paging`);
    assert.equal(r.offset, offset);
    items.push(...r.items);
    if (r.next_offset === null) break;
    assert.equal(r.next_offset, offset + r.items.length, `${tool}: next_offset leaves a gap or overlap`);
    offset = r.next_offset;
  }
  assert.equal(items.length, total);
  return items;
}

for (const inst of installs()) {
  describe(`OpenSIPS ${inst.version}: calls and registrations through SIPp`, { skip: inst.prefix ? false : inst.why }, () => {
    let bed;
    before(async () => {
      bed = await startBed(inst.prefix);
    });
    after(async () => {
      await bed?.stop();
    });

    test("dlg_end ends a real call (the caller gets the BYE); a wrong tag ends nothing; dlg_push_var sets a value", LONG, async (t) => {
      const caller = startCallers(bed.node.SIP_PORT, bed.node.run, { calls: 1, name: "one-call", port: await freeUdp() });
      try {
        const [d] = await until(async () => {
          const c = (await miDialogs(bed)).filter((x) => x.state === 4);
          return c.length ? c : null;
        }, "a confirmed dialog");
        const listed = ok(await bed.call("dlg_list", { callid: d.callid }));
        assert.equal(listed.total, 1);
        const toTag = listed.items[0].CALLEES?.[0]?.callee_tag ?? d.CALLEES?.[0]?.callee_tag;
        assert.ok(toTag, JSON.stringify(listed.items[0]));

        await expectUnlessKnown(t, "dlg_push_var", inst.version, async () => {
          ok(await bed.call("dlg_push_var", { callid: d.callid, from_tag: d.caller_tag, var_name: "live_var", var_value: "v42", confirm: true }), "dlg_push_var");
          const ctx = await bed.node.mi(m(bed, "dialog:list_ctx", "dlg_list_ctx"), { callid: d.callid });
          assert.match(JSON.stringify(ctx), /live_var[^}]*v42/);
        });

        const wrong = await bed.call("dlg_end", { callid: d.callid, from_tag: d.caller_tag, to_tag: "not-the-tag", confirm: true });
        assert.equal(wrong.isError, true, JSON.stringify(wrong.structuredContent));
        await sleep(300);
        assert.equal((await miDialogs(bed)).length, 1, "a wrong to_tag ended the call");
        assert.equal(caller.proc.exitCode, null, "the caller hung up after a wrong to_tag");

        ok(await bed.call("dlg_end", { callid: d.callid, from_tag: d.caller_tag, to_tag: toTag, confirm: true }), "dlg_end");
        const exit = await caller.exited;
        assert.deepEqual(exit, { code: 0, signal: null }, `the caller did not complete on the BYE: ${caller.output().slice(-1500)}`);
        assert.equal(Number(caller.stats()["SuccessfulCall(C)"]), 1);
        await until(async () => (await miDialogs(bed)).length === 0, "the dialog to leave dialog:list", 10_000);
      } finally {
        await caller.stop();
      }
    });

    test(`${CALLS} calls: dlg_list and dlg_profile_list_dlgs page with no gap, dlg_profile_end_dlgs ends them all`, LONG, async (t) => {
      const callers = startCallers(bed.node.SIP_PORT, bed.node.run, { calls: CALLS, rate: 100, name: "many-calls", port: await freeUdp() });
      try {
        let confirmed = 0;
        await until(async () => (confirmed = (await miDialogs(bed)).filter((x) => x.state === 4).length) === CALLS,
          `${CALLS} confirmed dialogs`, 60_000).catch((e) => {
          // say how far it got and what SIPp saw, for a run that does not get there
          e.message += `: ${confirmed} confirmed; callers: ${callers.output().slice(-1500)}`;
          throw e;
        });
        const mi = (await miDialogs(bed)).map((d) => d.callid).sort();
        const paged = (await walk(bed, "dlg_list", {}, 50)).map((d) => d.callid);
        assert.equal(new Set(paged).size, paged.length, "dlg_list: a call is listed twice");
        assert.deepEqual(paged.sort(), mi);

        const size = ok(await bed.call("dlg_profile_get_size", { profile: "inbound" }));
        const miSize = await bed.node.mi(m(bed, "dialog:profile_get_size", "profile_get_size"), { profile: "inbound" });
        assert.match(JSON.stringify(size), new RegExp(`\\b${CALLS}\\b`), JSON.stringify(size));
        assert.match(JSON.stringify(miSize), new RegExp(`\\b${CALLS}\\b`), JSON.stringify(miSize));
        const inProfile = await walk(bed, "dlg_profile_list_dlgs", { profile: "inbound" }, 100);
        assert.equal(new Set(inProfile.map((d) => d.callid)).size, CALLS);

        await expectUnlessKnown(t, "dlg_profile_end_dlgs", inst.version, async () => {
          ok(await bed.call("dlg_profile_end_dlgs", { profile: "inbound", confirm: true }, { timeout: 60_000 }), "dlg_profile_end_dlgs");
          await until(async () => (await miDialogs(bed)).length === 0, "every dialog to end", 30_000);
          const exit = await callers.exited;
          assert.equal(Number(callers.stats()["SuccessfulCall(C)"]), CALLS, `callers: ${callers.output().slice(-1500)}`);
          assert.deepEqual(exit, { code: 0, signal: null });
        });
      } finally {
        await callers.stop();
      }
    });

    test(`${REGS} registrations: ul_dump pages with no gap or duplicate, the same AORs as usrloc:dump`, LONG, async () => {
      const r = await register(bed.node.SIP_PORT, bed.node.run, REGS);
      assert.equal(Number(r.stats?.["SuccessfulCall(C)"]), REGS, r.output.slice(-1500));
      const dump = await bed.node.mi(m(bed, "usrloc:dump", "ul_dump"));
      const mi = dump.Domains.flatMap((d) => d.AORs.map((a) => a.AOR)).sort();
      assert.ok(mi.length >= REGS, `usrloc:dump has ${mi.length} AORs`);
      const paged = (await walk(bed, "ul_dump", {}, 500)).map((a) => a.AOR);
      assert.equal(new Set(paged).size, paged.length, "ul_dump: an AOR is listed twice");
      assert.deepEqual(paged.sort(), mi);
      const brief = await walk(bed, "ul_dump", { brief: true }, 500);
      assert.equal(brief.length, mi.length);
      const one = ok(await bed.call("ul_show_contact", { aor: "user1234@127.0.0.1" }));
      assert.match(JSON.stringify(one), /sip:user1234@127\.0\.0\.1/);
    });
  });
}
