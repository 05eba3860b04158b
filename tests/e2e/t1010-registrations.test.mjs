// Registrations (usrloc) end to end through the SDK client against the simulator: ul_dump flattened
// and paged (bounded on 100 000 contacts), ul_show_contact, the three writes proven by reading the
// simulator's state back in both naming profiles, and mid_registrar_dump saying plainly it has no MI.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withClient, REQ, allTools as loadTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT, ms } from "./lib/raw.mjs";
import { startSim, control, stopAll } from "./lib/sim.mjs";
import { freePort } from "./lib/http.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const T = { timeout: TEST_TIMEOUT };
const sims = {};

before(async () => {
  [sims.v40, sims.v36, sims.big] = await Promise.all([startSim({ name: "v40" }),
    startSim({ name: "v36", extra: ["--opensips", "3.6"] }), startSim({ name: "big", extra: ["--contacts", "100000"] })]);
});

after(() => stopAll());

const simControl = (name, method) => control(sims[name], method);

// The MI deadline scales like every other wait: a sanitizer-built simulator dumps 100 000 contacts slowly.
const args = (name) => ["--role", "admin", "--toolsets", "all", "--mi-url", sims[name].url,
  "--mi-timeout-ms", String(ms(5000))];

test("the registration tools are listed with honest annotations and described inputs", T, async () => {
  await withClient(args("v40"), async (client) => {
    const tools = await loadTools(client);
    const by = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const n of ["ul_dump", "ul_show_contact", "mid_registrar_dump"]) assert.equal(by[n].annotations.readOnlyHint, true, n);
    for (const n of ["ul_add", "ul_rm", "ul_rm_contact"]) {
      assert.equal(by[n].annotations.readOnlyHint, false, n);
      assert.equal(by[n].annotations.destructiveHint, true, n);
      assert.equal(by[n].annotations.idempotentHint, true, n);
    }
    for (const n of Object.keys(by).filter((k) => /^(ul_|mid_registrar)/.test(k)))
      for (const [p, s] of Object.entries(by[n].inputSchema.properties ?? {})) assert.ok(s.description?.length > 10, `${n}.${p}`);
    assert.equal(by.ul_show_contact.inputSchema.properties.table_name.default, "location");
  });
});

test("ul_dump lists AORs across usrloc tables, paged, with brief, fields and a filter", T, async () => {
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    const all = ok(await call(client, "ul_dump"));
    assert.ok(all.total >= 20, JSON.stringify(all).slice(0, 300));
    assert.equal(all.items[0].domain, "location");
    assert.ok(Array.isArray(all.items[0].Contacts) && all.items[0].Contacts[0].Contact.startsWith("sip:"));
    assert.equal(all.brief, false);

    const p1 = ok(await call(client, "ul_dump", { limit: 5 }));
    assert.equal(p1.items.length, 5);
    assert.equal(p1.next_offset, 5);
    const p2 = ok(await call(client, "ul_dump", { limit: 5, offset: p1.next_offset }));
    assert.equal(p2.offset, 5);
    assert.deepEqual(p2.items.map((i) => i.AOR), all.items.slice(5, 10).map((i) => i.AOR));

    const brief = ok(await call(client, "ul_dump", { brief: true, fields: ["AOR"] }));
    assert.equal(brief.total, all.total);
    assert.deepEqual(Object.keys(brief.items[0]), ["AOR"]);

    const one = ok(await call(client, "ul_dump", { aor_contains: "user1@" }));
    assert.equal(one.total, 1);
    assert.equal(one.items[0].AOR, "user1@127.0.0.1");
    const none = ok(await call(client, "ul_dump", { domain: "nosuch" }));
    assert.equal(none.total, 0);
    assert.equal(none.next_offset, null);
  });
});

test("ul_dump on 100 000 contacts: the 30 MB dump is parsed as it streams, with contacts, and later pages reuse its snapshot", T, async () => {
  await withClient(args("big"), async (client) => {
    await loadTools(client);
    await simControl("big", "sim:reset_requests");
    const r = await call(client, "ul_dump");
    const page = ok(r);
    const bytes = JSON.stringify(r).length;
    assert.ok(bytes < 50 * 1024, `default page is ${bytes} bytes`);
    assert.ok(page.total >= 100000 && page.total < 100100, `total ${page.total}`);
    assert.equal(page.items.length, 50);
    assert.equal(page.next_offset, 50);
    // over the 16 MiB reply limit, but a streamed reply is not held: the contacts are there
    assert.equal(page.brief, false);
    assert.equal(page.note, undefined);
    assert.ok(page.items.every((i) => i.Contacts[0].Contact.startsWith("sip:")), JSON.stringify(page.items[0]));

    const next = ok(await call(client, "ul_dump", { offset: page.next_offset, limit: 500 }));
    assert.equal(next.offset, 50);
    // 500 AORs pass the 22 KB page cap: then the page is shortened and next_offset follows it
    assert.ok(next.items.length > 20 && next.items.length <= 500, `${next.items.length} items`);
    assert.equal(next.next_offset, 50 + next.items.length);
    assert.ok(JSON.stringify(next).length < 50 * 1024);
    assert.ok(!page.items.some((i) => next.items.some((j) => j.AOR === i.AOR)), "pages overlap");
    // the second page came from the first page's snapshot: one usrloc:dump for both
    assert.equal((await simControl("big", "sim:requests")).commands["usrloc:dump"], 1);

    // past what the snapshot holds (1 MiB of records from offset 0): a new one, taken from there
    const last = ok(await call(client, "ul_dump", { offset: page.total - 3 }));
    assert.equal(last.items.length, 3);
    assert.equal(last.next_offset, null);
    assert.equal((await simControl("big", "sim:requests")).commands["usrloc:dump"], 2);
    const lastBrief = ok(await call(client, "ul_dump", { offset: page.total - 3, brief: true }));
    assert.deepEqual(Object.keys(lastBrief.items[0]).sort(), ["AOR", "domain"]);
    assert.deepEqual(lastBrief.items.map((i) => i.AOR), last.items.map((i) => i.AOR));

    // filters are applied as the dump streams; their snapshot is their own
    const one = ok(await call(client, "ul_dump", { aor_contains: "gen99999@" }));
    assert.equal(one.total, 1);
    assert.equal(one.items[0].Contacts[0].Contact, "sip:gen99999@10.1.134.159:5060");
  });
});

test("ul_dump falls back to AOR names when the streamed dump passes 16 times the MI reply limit", T, async () => {
  // --mi-max-reply 1 MiB: a streamed reply may be 16 MiB, the full dump is 30 MB, brief 2.8 MB
  await withClient([...args("big"), "--mi-max-reply", "1048576"], async (client) => {
    await loadTools(client);
    const page = ok(await call(client, "ul_dump", { limit: 5 }));
    assert.equal(page.brief, true);
    assert.match(page.note, /larger than the MI reply limit.*brief/);
    assert.ok(page.total >= 100000, `total ${page.total}`);
    assert.deepEqual(Object.keys(page.items[0]).sort(), ["AOR", "domain"]);
  });
  // 64 KiB: not even the brief dump fits; the tool says so
  await withClient([...args("big"), "--mi-max-reply", "65536"], async (client) => {
    await loadTools(client);
    const r = await call(client, "ul_dump", { limit: 5 });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /mi_too_large.*passed the limit of 1048576 bytes/);
  });
});

// What can go wrong in the middle of a 30 MB stream comes out as the tool errors a held reply
// gives: each fault hits usrloc:dump once (a read is retried only on 5xx, time-outs, refusals).
const streamFaults = [
  ["truncate", /ul_dump failed \(mi_garbage\): .*was cut short/],
  ["garbage", /ul_dump failed \(mi_garbage\): .*is not JSON/],
  ["deep", /ul_dump failed \(mi_garbage\): .*nested deeper than 64 levels/],
  ["error", /ul_dump failed \(mi_error\): MI command 'usrloc:dump' failed on node 'default': Internal error: injected by the error fault \(500\)/],
];
for (const [kind, want] of streamFaults) {
  test(`ul_dump of 100 000 contacts: a '${kind}' reply is a clear tool error, and the next call works`, T, async () => {
    await simControl("big", "sim:clear_faults");
    await control(sims.big, "sim:fault", { kind, command: "usrloc:dump", count: 3 });
    try {
      await withClient(args("big"), async (client) => {
        await loadTools(client);
        const r = await call(client, "ul_dump");
        assert.equal(r.isError, true, JSON.stringify(r).slice(0, 300));
        assert.match(r.content[0].text, want);
        await simControl("big", "sim:clear_faults");
        const again = ok(await call(client, "ul_dump", { limit: 2 }));
        assert.equal(again.items.length, 2);
      });
    } finally {
      await simControl("big", "sim:clear_faults");
    }
  });
}

test("ul_show_contact shows one AOR (table_name defaults to location); an unknown AOR is a tool error", T, async () => {
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    const r = ok(await call(client, "ul_show_contact", { aor: "user1@127.0.0.1" }));
    assert.equal(r.result.AOR, "user1@127.0.0.1");
    assert.equal(r.result.Contacts[0].Contact, "sip:user1@127.0.0.1:5090");
    const missing = await call(client, "ul_show_contact", { aor: "nobody@127.0.0.1" });
    assert.equal(missing.isError, true);
    assert.match(missing.content[0].text, /AOR not found/);
    const table = await call(client, "ul_show_contact", { aor: "user1@127.0.0.1", table_name: "nosuch" });
    assert.equal(table.isError, true);
    assert.match(table.content[0].text, /Table not found/);
  });
});

for (const profile of ["v40", "v36"]) {
  test(`ul_add, ul_rm_contact and ul_rm change the registrations (${profile})`, T, async () => {
    await simControl(profile, "sim:reset");
    await withClient(args(profile), async (client) => {
      await loadTools(client);
      const aor = "mcptest@127.0.0.1";
      const show = () => call(client, "ul_show_contact", { aor });
      assert.equal((await show()).isError, true, "the AOR exists before the test");

      // Unconfirmed: nothing is sent.
      await simControl(profile, "sim:reset_requests");
      const refused = await call(client, "ul_add", { aor, contact: "sip:mcptest@192.0.2.1:5060" });
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /Nothing was changed/);
      const counters = await simControl(profile, "sim:requests");
      assert.equal(Object.keys(counters.commands).filter((k) => /add/.test(k)).length, 0, JSON.stringify(counters));

      ok(await call(client, "ul_add", { aor, contact: "sip:mcptest@192.0.2.1:5060", confirm: true }));
      ok(await call(client, "ul_add", { aor, contact: "sip:mcptest@192.0.2.2:5060", expires: 120, q: 0.5, confirm: true }));
      let r = ok(await show());
      assert.deepEqual(r.result.Contacts.map((c) => c.Contact).sort(), ["sip:mcptest@192.0.2.1:5060", "sip:mcptest@192.0.2.2:5060"]);
      const second = r.result.Contacts.find((c) => c.Contact.endsWith("2:5060"));
      assert.ok(second.Expires <= 120 && second.Expires > 100, JSON.stringify(second));
      assert.match(String(second.Q), /^0\.5/);

      ok(await call(client, "ul_rm_contact", { aor, contact: "sip:mcptest@192.0.2.1:5060", confirm: true }));
      r = ok(await show());
      assert.deepEqual(r.result.Contacts.map((c) => c.Contact), ["sip:mcptest@192.0.2.2:5060"]);

      ok(await call(client, "ul_rm", { aor, confirm: true }));
      const gone = await show();
      assert.equal(gone.isError, true);
      assert.match(gone.content[0].text, /AOR not found/);
      const again = await call(client, "ul_rm", { aor, confirm: true });
      assert.equal(again.isError, true, "removing it twice answers 404");
    });
  });
}

test("ul_add sends cflags as the integer usrloc reads; a node's reason for a refusal reaches the caller", T, async () => {
  await simControl("v40", "sim:reset");
  await withClient(args("v40"), async (client) => {
    const tools = await loadTools(client);
    assert.equal(tools.find((t) => t.name === "ul_add").inputSchema.properties.cflags.type, "integer");
    // with every optional argument at its default, as 4.0.1 and 3.6.8 accept it
    ok(await call(client, "ul_add", { aor: "flags@127.0.0.1", contact: "sip:flags@192.0.2.9", confirm: true }));
    // usrloc:add answers "Invalid params" with the reason in "data": the caller reads both
    const bad = await call(client, "mi_execute", { command: "ul_add", confirm: true,
      params: { table_name: "location", aor: "x@127.0.0.1", contact: "sip:x@192.0.2.9", expires: 60, q: "1", flags: 0, cflags: "", methods: 1 } });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /Invalid params: Bad type for parameter 'cflags'/);
  });
});

test("ul_dump pages one snapshot: one dump for every page, no AOR repeated or skipped while registrations change", T, async () => {
  await simControl("v40", "sim:reset");
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    const whole = ok(await call(client, "ul_dump", { brief: true, limit: 500 }));
    await simControl("v40", "sim:reset_requests");
    const seen = [];
    let page = ok(await call(client, "ul_dump", { brief: true, limit: 7 }));
    seen.push(...page.items.map((i) => i.AOR));
    // registrations change between pages: one comes, one goes
    ok(await call(client, "ul_add", { aor: "aaa-new@127.0.0.1", contact: "sip:new@192.0.2.7", confirm: true }));
    const gone = whole.items.at(-1).AOR;
    ok(await call(client, "ul_rm", { aor: gone, confirm: true }));
    while (page.next_offset !== undefined && page.next_offset !== null) {
      page = ok(await call(client, "ul_dump", { brief: true, limit: 7, offset: page.next_offset }));
      assert.equal(typeof page.snapshot_age_s, "number");
      seen.push(...page.items.map((i) => i.AOR));
    }
    assert.deepEqual(seen, whole.items.map((i) => i.AOR), "the pages are the first page's snapshot");
    const dumps = Object.entries((await simControl("v40", "sim:requests")).commands).filter(([k]) => k === "usrloc:dump");
    assert.deepEqual(dumps, [["usrloc:dump", 1]], "one dump for all the pages");
    // a first page takes a new snapshot: the change shows
    const fresh = ok(await call(client, "ul_dump", { brief: true, limit: 500 }));
    assert.ok(fresh.items.some((i) => i.AOR === "aaa-new@127.0.0.1"));
    assert.ok(!fresh.items.some((i) => i.AOR === gone));
    await simControl("v40", "sim:reset");
  });
});

test("ul_dump with one AOR over what a page keeps of one (1 MiB of contacts) lists AORs and says which limit", T, async () => {
  const sim = await startSim({ name: "fat" });
  try {
    await withClient(["--role", "admin", "--toolsets", "all", "--mi-url", sim.url], async (client) => {
      await loadTools(client);
      // 12 contacts of ~100 KB each on one AOR: ~1.2 MB of contacts, the dump itself far under 16 MiB
      for (let i = 0; i < 12; i++)
        ok(await call(client, "ul_add", { aor: "fat@127.0.0.1", contact: `sip:fat${i}-${"x".repeat(100000)}@192.0.2.9`, confirm: true }));
      const r = ok(await call(client, "ul_dump", { limit: 500 }));
      assert.equal(r.brief, true);
      assert.match(r.note, /one AOR's contacts pass 1 MiB.*brief.*ul_show_contact/);
      assert.doesNotMatch(r.note, /MI reply limit|out of memory/);
      assert.ok(r.items.some((i) => i.AOR === "fat@127.0.0.1"), JSON.stringify(r.items.map((i) => i.AOR)));
    });
  } finally {
    sim.proc.kill();
  }
});

test("ul_dump over datagram falls back to AORs when the full dump does not fit one datagram, and says to use http or fifo", T, async () => {
  const port = await freePort();
  // 500 generated contacts: ~150 KB in full, ~15 KB as AORs; a datagram holds 64 KB
  const udp = await startSim({ name: "udp", extra: ["--contacts", "500", "--datagram", `udp:127.0.0.1:${port}`] });
  await withClient(["--role", "admin", "--toolsets", "all", "--mi-url", `udp:127.0.0.1:${port}`], async (client) => {
    await loadTools(client);
    const r = ok(await call(client, "ul_dump", { limit: 5 }));
    assert.equal(r.brief, true);
    assert.ok(r.total >= 500, JSON.stringify(r).slice(0, 200));
    assert.match(r.note, /does not fit one datagram.*http or fifo/);
  });
  udp.proc.kill();
});

test("ul_dump over fifo parses the 3 MB dump of 10 000 contacts as it streams, in the FIFO's pieces", T, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mcp-ulfifo-"));
  try {
    const fifo = await startSim({ name: "fifo", extra: ["--contacts", "10000", "--fifo", join(dir, "mi.fifo"), "--fifo-reply-dir", dir + "/"] });
    await withClient(["--role", "admin", "--toolsets", "all", "--mi-url", `fifo:${join(dir, "mi.fifo")}`,
      "--mi-fifo-reply-dir", dir + "/", "--mi-timeout-ms", String(ms(5000))], async (client) => {
      await loadTools(client);
      const r = ok(await call(client, "ul_dump", { limit: 3, aor_contains: "gen999" }));
      assert.equal(r.brief, false);
      assert.equal(r.total, 11); // gen999 and gen9990..gen9999
      assert.equal(r.items[0].AOR, "gen999@10.1.0.1");
      assert.equal(r.items[0].Contacts[0].Callid, "gen-reg-999@10.1.0.1");
      const p2 = ok(await call(client, "ul_dump", { limit: 3, offset: 3, aor_contains: "gen999" }));
      assert.deepEqual(p2.items.map((i) => i.AOR), ["gen9992@10.1.0.1", "gen9993@10.1.0.1", "gen9994@10.1.0.1"]);
    });
    fifo.proc.kill();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ul_dump fans out with node \"*\"; a write refuses \"*\"", T, async () => {
  await withClient(["--role", "admin", "--toolsets", "all", "--mi-node", `a=${sims.v40.url}`, "--mi-node", `b=${sims.v36.url}`], async (client) => {
    await loadTools(client);
    const r = ok(await call(client, "ul_dump", { node: "*", brief: true, limit: 2 }));
    assert.equal(r.asked, 2);
    assert.equal(r.answered, 2);
    assert.equal(r.nodes.a.items.length, 2);
    assert.ok(r.nodes.b.total > 0);
    const s = ok(await call(client, "ul_show_contact", { node: "*", aor: "user1@127.0.0.1" }));
    assert.equal(s.nodes.a.ok, true);
    const w = await call(client, "ul_rm", { node: "*", aor: "user1@127.0.0.1", confirm: true });
    assert.equal(w.isError, true);
  });
});

test("mid_registrar_dump says plainly that OpenSIPS has no MI command for it", T, async () => {
  await withClient(args("v40"), async (client) => {
    await loadTools(client);
    await simControl("v40", "sim:reset_requests");
    const r = await call(client, "mid_registrar_dump");
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /no MI command/);
    assert.match(r.content[0].text, /ul_dump/);
    assert.equal((await simControl("v40", "sim:requests")).total, 0);
  });
});
