// sipp_run_scenario end to end with the real SIPp (Debian sip-tester) against a SIPp UAS this test
// starts on loopback: a short call run whose counts match, a scenario file from the allowed root,
// progress notifications from SIPp's statistics file while it runs, cancellation killing SIPp (no
// process left), and every bad input: an unknown scenario, a path outside the root, a symbolic
// link, a scenario with <exec>, an option not on the whitelist, a bad target, a target that does
// not answer (bounded by duration_sec), SIPp not installed, and a SIPp that hangs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { chmodSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ, allTools as loadTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { sleep, TEST_TIMEOUT } from "./lib/raw.mjs";
import { pidsWith } from "./lib/procs.mjs";

const T = { timeout: TEST_TIMEOUT };
const repo = new URL("../../", import.meta.url);
const args = ["--role", "admin", "--toolsets", "sipp"];
let dir, root, outside, uas, uasPort;

// A UDP port nobody holds right now (SIPp binds it a moment later; other tests may run sipp too).
async function freePort() {
  const s = createSocket("udp4");
  await new Promise((res) => s.bind(0, "127.0.0.1", res));
  const { port } = s.address();
  await new Promise((res) => s.close(res));
  return port;
}

async function withEnv(vars, fn) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

before(async () => {
  execFileSync(new URL("scripts/apt-install.sh", repo).pathname, ["t1300-sipp", "sip-tester"], { stdio: "inherit" });
  dir = mkdtempSync(join(tmpdir(), "mcp-sipp-e2e-"));
  root = join(dir, "root");
  outside = join(dir, "outside");
  mkdirSync(root);
  mkdirSync(outside);
  // sipp -sd prints the built-in scenario's XML and exits 99
  const xml = spawnSync("sipp", ["-sd", "uac"]).stdout;
  assert.match(String(xml), /<scenario name=/);
  writeFileSync(join(root, "uac.xml"), xml);
  writeFileSync(join(outside, "uac.xml"), xml);
  symlinkSync(join(outside, "uac.xml"), join(root, "link.xml"));
  writeFileSync(join(root, "exec.xml"), '<?xml version="1.0"?>\n<scenario name="x"><nop><action>' +
    '<exec command="touch ' + join(outside, "pwned") + '"/></action></nop></scenario>\n');
  writeFileSync(join(root, "broken.xml"), "<scenario name=\"x\"><send><![CDATA[ not closed\n");
  uasPort = await freePort();
  uas = spawn("sipp", ["-sn", "uas", "-i", "127.0.0.1", "-p", String(uasPort), "-nostdin"], { stdio: "ignore" });
  await sleep(500);
  assert.equal(uas.exitCode, null, "the SIPp UAS did not start");
});

after(() => {
  if (uas && uas.exitCode === null) uas.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (client, a, opts) => call(client, "sipp_run_scenario", { confirm: true, ...a }, opts);
const target = () => `127.0.0.1:${uasPort}`;

test("sipp_run_scenario is listed: needs confirmation, runs long, and its options are typed", T, async () => {
  await withClient(args, async (client) => {
    const t = (await loadTools(client)).find((x) => x.name === "sipp_run_scenario");
    assert.ok(t, "sipp_run_scenario is not listed");
    assert.deepEqual(t.inputSchema.required.sort(), ["scenario_file", "target"]);
    assert.deepEqual(t.inputSchema.properties.options.properties.transport.enum, ["u1", "un", "t1", "tn"]);
    assert.equal(t.annotations.readOnlyHint, false);
  });
});

test("sipp_run_scenario needs process.manage and the user's confirmation before SIPp runs", T, async () => {
  const port = String(await freePort());
  await withClient(["--role", "viewer", "--toolsets", "sipp"], async (client) => {
    const r = await run(client, { scenario_file: "uac", target: target(), options: { calls: 1, local_port: Number(port) } });
    assert.equal(r.isError, true, JSON.stringify(r));
    assert.match(r.content[0].text, /process\.manage/);
  });
  await withClient(args, async (client) => {
    await loadTools(client);
    const r = await call(client, "sipp_run_scenario", { scenario_file: "uac", target: target(), options: { calls: 1, local_port: Number(port) } });
    assert.equal(r.isError, true, JSON.stringify(r));
    assert.match(r.content[0].text, /confirm: true/);
  });
  assert.deepEqual(pidsWith(port), []);
});

test("a short built-in uac run against the UAS: the counts match the calls made", T, async () => {
  await withClient(args, async (client) => {
    await loadTools(client);
    const r = ok(await run(client, { scenario_file: "uac", target: target(), options: { calls: 5, rate: 10, local_ip: "127.0.0.1", duration_sec: 20 } }));
    assert.equal(r.status, 0, JSON.stringify(r));
    assert.equal(r.meaning, "all calls succeeded");
    assert.equal(r.timed_out, false);
    assert.deepEqual(r.calls, { attempted: 5, successful: 5, failed: 0, running: 0, incoming: 0, outgoing: 5 });
    assert.deepEqual(r.failures, {});
    assert.equal(r.retransmissions, 0);
    assert.ok(r.response_time_ms.mean >= 0 && r.call_length_ms.mean >= 0, JSON.stringify(r));
    assert.ok(r.argv.includes("-nostdin") && r.argv.includes("-timeout_error") && r.argv[1] === target(), JSON.stringify(r.argv));
    // nothing of the run is left behind in /tmp
    assert.deepEqual(readdirSync("/tmp").filter((f) => f.startsWith("opensips-mcp-sipp-")), []);
  });
});

test("a scenario file from the allowed root runs; progress comes from the statistics while it runs", T, async () => {
  await withEnv({ OPENSIPS_MCP_OUT_DIR_ROOT: root }, () => withClient(args, async (client) => {
    await loadTools(client);
    const seen = [];
    const r = ok(await run(client, { scenario_file: "uac.xml", target: target(), options: { calls: 3, rate: 1, duration_sec: 20 } },
      { ...REQ, onprogress: (p) => seen.push(p) }));
    assert.equal(r.status, 0, JSON.stringify(r));
    assert.equal(r.calls.successful, 3);
    assert.ok(r.argv.includes("-sf"), JSON.stringify(r.argv));
    assert.ok(seen.length >= 1, "no progress notification");
    for (const p of seen) {
      assert.equal(p.total, 3);
      assert.match(p.message, /calls ended \(\d+ successful, \d+ failed\)/);
    }
    // an absolute path under the root works as well
    ok(await run(client, { scenario_file: join(root, "uac.xml"), target: target(), options: { calls: 1 } }));
  }));
});

test("cancelling the call kills SIPp: no process of the run is left", T, async () => {
  const port = String(await freePort());
  await withClient(args, async (client) => {
    await loadTools(client);
    const ac = new AbortController();
    let progressed = 0;
    const pending = run(client, { scenario_file: "uac", target: target(), options: { rate: 1, local_port: Number(port), duration_sec: 120 } },
      { ...REQ, signal: ac.signal, onprogress: () => progressed++ });
    for (let i = 0; i < 100 && (progressed === 0 || pidsWith(port).length === 0); i++) await sleep(100);
    assert.ok(progressed > 0, "no progress before the cancellation");
    assert.ok(pidsWith(port).length > 0, "SIPp is not running");
    ac.abort();
    await assert.rejects(pending);
    let left = pidsWith(port);
    for (let i = 0; i < 50 && left.length; i++) {
      await sleep(100);
      left = pidsWith(port);
    }
    assert.deepEqual(left, [], "SIPp survived the cancellation");
    // the server still serves
    ok(await run(client, { scenario_file: "uac", target: target(), options: { calls: 1 } }));
  });
});

test("bad input is refused with a clear error, and nothing is run", T, async () => {
  await withEnv({ OPENSIPS_MCP_OUT_DIR_ROOT: root }, () => withClient(args, async (client) => {
    await loadTools(client);
    const bad = async (a, re) => {
      const r = await run(client, { target: target(), ...a });
      assert.equal(r.isError, true, JSON.stringify(r));
      assert.match(r.content[0].text, re);
    };
    await bad({ scenario_file: "nosuch" }, /'nosuch' is not one of SIPp's built-in scenarios/);
    await bad({ scenario_file: "3pcc-A" }, /not one of SIPp's built-in/);
    await bad({ scenario_file: "missing.xml" }, /cannot be read/);
    await bad({ scenario_file: join(outside, "uac.xml") }, /outside the allowed directory/);
    await bad({ scenario_file: "../outside/uac.xml" }, /cannot be read/);
    await bad({ scenario_file: "link.xml" }, /symbolic link/);
    await bad({ scenario_file: "exec.xml" }, /holds <exec/);
    await bad({ scenario_file: "uac", options: { bg: true } }, /option 'bg' is not allowed/);
    await bad({ scenario_file: "uac", options: { "-trace_msg": "" } }, /option '-trace_msg' is not allowed/);
    await bad({ scenario_file: "uac", options: { transport: "l1" } }, /transport/);
    await bad({ scenario_file: "uac", options: { local_ip: "-bg" } }, /local_ip '-bg' is not an IPv4 or IPv6/);
    for (const t of ["-bg", "host name", "127.0.0.1:99999", "[zz]:5060", "a;b"])
      await bad({ scenario_file: "uac", target: t }, /is not host\[:port\]/);
    assert.deepEqual(readdirSync(outside).sort(), ["uac.xml"], "a refused scenario ran");
    // SIPp's own refusals: a scenario it cannot parse, a local port already taken (by the UAS)
    await bad({ scenario_file: "broken.xml" }, /SIPp exited with status 1 before it ran the scenario: .*xml scenario file/s);
    await bad({ scenario_file: "uac", options: { local_port: uasPort, local_ip: "127.0.0.1" } },
      /status 254 \(fatal error binding a socket.*\) before running any call/s);
  }));
  // without an allowed root, files are not available at all (built-ins are)
  await withClient(args, async (client) => {
    await loadTools(client);
    const r = await run(client, { scenario_file: "uac.xml", target: target() });
    assert.match(r.content[0].text, /scenario files are not available.*OPENSIPS_MCP_OUT_DIR_ROOT/);
  });
});

test("a target that does not answer ends at duration_sec with the calls still running", T, async () => {
  const closed = await freePort();
  await withClient(args, async (client) => {
    await loadTools(client);
    const r = ok(await run(client, { scenario_file: "uac", target: `127.0.0.1:${closed}`, options: { calls: 1, duration_sec: 2 } }));
    assert.equal(r.status, 255, JSON.stringify(r));
    assert.equal(r.timed_out, true);
    assert.match(r.meaning, /reached duration_sec/);
    assert.equal(r.calls.successful, 0);
    assert.equal(r.calls.attempted, 1);
  });
});

test("SIPp not installed, and a SIPp that hangs, are clear errors", T, async () => {
  await withEnv({ OPENSIPS_MCP_SIPP: join(dir, "no-such-sipp") }, () => withClient(args, async (client) => {
    await loadTools(client);
    const r = await run(client, { scenario_file: "uac", target: target() });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /SIPp is not installed.*sip-tester/);
  }));
  const hang = join(dir, "hanging-sipp");
  writeFileSync(hang, "#!/bin/sh\ntrap '' TERM\nsleep 600\n");
  chmodSync(hang, 0o755);
  await withEnv({ OPENSIPS_MCP_SIPP: hang }, () => withClient(args, async (client) => {
    await loadTools(client);
    const r = await run(client, { scenario_file: "uac", target: target(), options: { duration_sec: 1 } }, { timeout: 30_000 });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /SIPp did not stop within duration_sec \(1 s\).*killed/);
    assert.deepEqual(pidsWith(hang), [], "the hanging program survived");
  }));
});
