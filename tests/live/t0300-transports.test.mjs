// The three MI transports against the real node (each read compared with mi_http's own answer), and the
// node failing under a running server: killed, frozen, restarted — clear errors within the deadline and
// recovery without restarting opensips-mcp.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { installs, sleep } from "./lib/node.mjs";
import { ok, m } from "./lib/check.mjs";
import { startBed, serverArgs } from "./lib/bed.mjs";
import { register } from "./lib/sipp.mjs";
import { connect, callTool, allTools, REQ } from "../e2e/lib/sdk.mjs";

const LONG = { timeout: 120_000 };
const MI_TIMEOUT = 3000; // the server's --mi-timeout-ms in the failure tests

async function withServer(args, fn) {
  const s = await connect(args);
  try {
    await allTools(s.client);
    await fn((name, a = {}) => callTool(s.client, name, a, { timeout: 30_000 }));
  } finally {
    await s.close();
  }
}

for (const inst of installs()) {
  describe(`OpenSIPS ${inst.version}: MI transports and node failures`, { skip: inst.prefix ? false : inst.why }, () => {
    let bed;
    before(async () => {
      bed = await startBed(inst.prefix);
    });
    after(async () => {
      await bed?.stop();
    });

    for (const transport of ["http", "fifo", "datagram"]) {
      test(`over ${transport}: reads agree with mi_http, a write is read back`, LONG, async () => {
        await withServer(serverArgs(bed.node, transport), async (call) => {
          const v = ok(await call("server_version"), "server_version");
          assert.equal(v.result.Server, (await bed.node.mi(m(bed, "core:version", "version"))).Server);
          const ds = ok(await call("dispatcher_list"), "dispatcher_list");
          const mi = await bed.node.mi(m(bed, "dispatcher:list", "ds_list"));
          assert.equal(ds.total, mi.PARTITIONS.flatMap((p) => p.SETS.flatMap((s) => s.Destinations)).length);
          const st = ok(await call("stats_get", { statistics: ["dialog:"] }), "stats_get");
          assert.deepEqual(Object.keys(st.result).sort(),
            Object.keys(await bed.node.mi(m(bed, "statistics:get", "get_statistics"), { statistics: ["dialog:"] })).sort());
          const profiles = ok(await call("dlg_list_profiles"));
          assert.ok(profiles.items.some((p) => p.name === "inbound"));
          ok(await call("drouting_set_gw_status", { gw_id: "gw2", status: 0, confirm: true }), "drouting_set_gw_status");
          assert.match(JSON.stringify(await bed.node.mi(m(bed, "drouting:gw_status", "dr_gw_status"), { gw_id: "gw2" })), /Disabled/);
          ok(await call("drouting_set_gw_status", { gw_id: "gw2", status: 1, confirm: true }));
          assert.match(JSON.stringify(await bed.node.mi(m(bed, "drouting:gw_status", "dr_gw_status"), { gw_id: "gw2" })), /Active/);
          const cmds = ok(await call("mi_list_commands", { limit: 500 }));
          assert.equal(cmds.total, (await bed.node.mi(m(bed, "core:which", "which"))).length);
        });
      });
    }

    test("a usrloc dump far larger than one datagram pages over every transport, the same AORs as mi_http", LONG, async () => {
      const r = await register(bed.node.SIP_PORT, bed.node.run, 1000);
      assert.equal(Number(r.stats?.["SuccessfulCall(C)"]), 1000, r.output.slice(-800));
      const dump = await bed.node.mi(m(bed, "usrloc:dump", "ul_dump"));
      const mi = dump.Domains.flatMap((d) => d.AORs.map((a) => a.AOR)).sort();
      assert.ok(mi.length >= 1000);
      for (const transport of ["datagram", "fifo"]) {
        await withServer(serverArgs(bed.node, transport), async (call) => {
          const seen = [];
          let offset = 0;
          for (let pages = 0; pages < 200; pages++) {
            const d = await call("ul_dump", { limit: 500, offset });
            // should one datagram not carry it, the error must say so
            if (d.isError) assert.match(d.content[0].text, /datagram|too (big|large)|truncat/i, d.content[0].text);
            const p = ok(d, `ul_dump over ${transport} offset ${offset}`);
            seen.push(...p.items.map((a) => a.AOR));
            if (p.next_offset === null) break;
            assert.equal(p.next_offset, offset + p.items.length);
            offset = p.next_offset;
          }
          assert.deepEqual(seen.sort(), mi, `ul_dump over ${transport}`);
        });
      }
    });

    test("the node killed, frozen and restarted under a running server: clear errors, then recovery", LONG, async () => {
      await withServer(serverArgs(bed.node, "http", ["--mi-timeout-ms", String(MI_TIMEOUT)]), async (call) => {
        ok(await call("server_version"));

        // frozen (SIGSTOP): the call times out within the deadline and says so
        process.kill(-bed.node.proc.pid, "SIGSTOP");
        try {
          const t0 = Date.now();
          const r = await call("server_uptime");
          const took = Date.now() - t0;
          assert.equal(r.isError, true);
          assert.match(r.content[0].text, /timed out|timeout/i, r.content[0].text);
          assert.ok(took < MI_TIMEOUT + 3000, `a frozen node answered after ${took} ms (deadline ${MI_TIMEOUT} ms)`);
          console.log(`# ${inst.version} frozen node: ${r.content[0].text} (${took} ms)`);
        } finally {
          process.kill(-bed.node.proc.pid, "SIGCONT");
        }
        ok(await call("server_uptime"), "after SIGCONT");

        // killed: refused connections, a clear error quickly
        await bed.node.stop("SIGKILL");
        const t0 = Date.now();
        const r = await call("dispatcher_list");
        const took = Date.now() - t0;
        assert.equal(r.isError, true);
        assert.match(r.content[0].text, /connect|refused|unreachable|not running|down/i, r.content[0].text);
        assert.ok(took < MI_TIMEOUT + 3000, `a dead node took ${took} ms`);
        console.log(`# ${inst.version} killed node: ${r.content[0].text} (${took} ms)`);

        // back (same test bed, same ports): the same server works again
        await bed.node.start();
        const v = ok(await call("server_version"), "after restart");
        assert.match(v.result.Server, new RegExp(bed.node.version.replace(/\./g, "\\.")));
        ok(await call("dispatcher_list"), "dispatcher_list after restart");
        // a node that has just started may still be warming up: ok within a few seconds
        let h;
        for (let i = 0; i < 20; i++) {
          h = ok(await call("server_health"), "server_health after restart");
          if (h.result.status === "ok") break;
          await sleep(500);
        }
        assert.equal(h.result.status, "ok", JSON.stringify(h.result.problems));
      });
    });
  });
}
