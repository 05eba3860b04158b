// A real OpenSIPS for the live suite: scripts/opensips.sh provides the binary (OPENSIPS_BIN, or a build from
// the release tarball); this file gives it a test bed in a temporary directory (our opensips.cfg.in with its
// placeholders filled, SQLite tables made from the installed schema scripts plus our rows, free loopback
// ports), starts it, waits for its MI, and talks MI to it directly (plain HTTP POST, no MCP in between).
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import dgram from "node:dgram";

const top = fileURLToPath(new URL("../../..", import.meta.url));
const here = fileURLToPath(new URL("..", import.meta.url));

// The OpenSIPS installs to test: LIVE_PREFIXES ("4.0.1=/prefix 3.6.8=/prefix", as scripts/live.sh sets it),
// else each of LIVE_VERSIONS (default both) provided by scripts/opensips.sh now.
export function installs() {
  if (process.env.LIVE_PREFIXES)
    return process.env.LIVE_PREFIXES.split(/\s+/).filter(Boolean).map((kv) => {
      const i = kv.indexOf("=");
      return { version: kv.slice(0, i), prefix: kv.slice(i + 1) };
    });
  return (process.env.LIVE_VERSIONS ?? "4.0.1,3.6.8").split(",").filter(Boolean)
    .map((version) => ({ version, ...provide(version) }));
}

// The install prefix for `version`, or null (with the reason) when none can be had.
export function provide(version) {
  const r = spawnSync(join(top, "scripts/opensips.sh"), [version], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) return { prefix: null, why: r.stderr.trim() };
  return { prefix: r.stdout.trim() };
}

function findDir(prefix, tails) {
  for (const lib of ["lib64", "lib", "lib/x86_64-linux-gnu"])
    for (const t of tails) {
      const d = join(prefix, lib, t);
      if (existsSync(d)) return d;
    }
  return null;
}

// A free loopback port for TCP and UDP both (ask the kernel for a TCP one, check UDP too).
async function freePort() {
  for (;;) {
    const port = await new Promise((res, rej) => {
      const s = net.createServer();
      s.once("error", rej);
      s.listen(0, "127.0.0.1", () => {
        const p = s.address().port;
        s.close(() => res(p));
      });
    });
    const udpFree = await new Promise((res) => {
      const u = dgram.createSocket("udp4");
      u.once("error", () => res(false));
      u.bind(port, "127.0.0.1", () => u.close(() => res(true)));
    });
    if (udpFree) return port;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Nodes run detached (their own process group) and RTPEngine as a daemon: should the test process end
// without stopping them, they would outlive it. On exit, whatever of ours still runs is killed
// (-pid: a node's process group; pid: one process).
const running = new Set();
process.on("exit", () => {
  for (const p of running) try { process.kill(p, "SIGKILL"); } catch {}
});

// Fill placeholders and keep the `#@if COND` blocks whose COND holds.
function render(text, vars, has) {
  const out = [];
  const keep = [true];
  for (const line of text.split("\n")) {
    const m = line.match(/^#@if (\S+)$/);
    if (m) {
      keep.push(keep.at(-1) && has(m[1]));
      continue;
    }
    if (line === "#@endif") {
      keep.pop();
      continue;
    }
    if (keep.at(-1) && line.startsWith("#")) out.push(line);
    else if (keep.at(-1)) out.push(line.replace(/@([A-Z_]+)@/g, (_, k) => {
      if (!(k in vars)) throw new Error(`opensips.cfg.in: no value for @${k}@`);
      return String(vars[k]);
    }));
  }
  return out.join("\n");
}

// Our rows, by table. Columns are named, so the same rows fit both versions' schemas.
function rows(ports) {
  const uas = `sip:127.0.0.1:${ports.UAS_PORT}`;
  return `
INSERT INTO dispatcher (setid, destination, state, probe_mode, weight, priority, description) VALUES
  (1, '${uas}', 0, 0, '1', 0, 'sipp UAS'),
  (2, 'sip:127.0.0.1:5080', 0, 0, '1', 0, 'gateway A'),
  (2, 'sip:127.0.0.1:5081', 0, 0, '2', 0, 'gateway B');
INSERT INTO dr_gateways (gwid, type, address, strip, probe_mode, state, description) VALUES
  ('gw1', 0, '127.0.0.1:${ports.UAS_PORT}', 0, 0, 0, 'sipp UAS'),
  ('gw2', 0, '127.0.0.1:5084', 0, 0, 0, 'dummy gateway');
INSERT INTO dr_carriers (carrierid, gwlist, flags, sort_alg, state, description) VALUES
  ('cr1', 'gw1,gw2', 0, 'N', 0, 'carrier one');
INSERT INTO dr_rules (groupid, prefix, priority, gwlist, sort_alg, description) VALUES
  ('0', '1', 0, 'gw1,gw2', 'N', 'rule one'),
  ('0', '2', 0, '#cr1', 'N', 'rule via carrier'),
  ('5', '4', 0, 'gw2', 'N', 'group five');
INSERT INTO load_balancer (group_id, dst_uri, resources, probe_mode, description) VALUES
  (1, '${uas}', 'pstn=100;vm=10', 0, 'sipp UAS'),
  (1, 'sip:127.0.0.1:5082', 'pstn=50', 0, 'media gw 2'),
  (2, 'sip:127.0.0.1:5083', 'conf=20', 0, 'conference server');
INSERT INTO dialplan (dpid, pr, match_op, match_exp, match_flags, subst_exp, repl_exp, disabled, attrs) VALUES
  (1, 1, 1, '^00(.*)$', 0, '^00(.*)$', '+\\1', 0, 'international'),
  (1, 2, 0, 'service', 0, '', '', 0, 'exact match');
INSERT INTO address (grp, ip, mask, port, proto, context_info) VALUES
  (1, '127.0.0.1', 32, 0, 'any', 'localhost'),
  (2, '10.0.0.0', 8, 5060, 'udp', 'private range');
INSERT INTO domain (domain, accept_subdomain, last_modified) VALUES
  ('127.0.0.1', 0, '2026-01-01 00:00:00'), ('example.com', 1, '2026-01-01 00:00:00');
INSERT INTO fraud_detection (profileid, prefix, cpm_warning, cpm_critical) VALUES (1, '00', 50, 100);
INSERT INTO carrierroute (carrier, domain, scan_prefix, flags, mask, prob, strip, rewrite_host, rewrite_prefix, rewrite_suffix, description)
  VALUES (1, 'default', '49', 0, 0, 1, 0, '127.0.0.1:${ports.UAS_PORT}', '', '', 'germany');
INSERT INTO route_tree (id, carrier) VALUES (1, 'default');
INSERT INTO clusterer (cluster_id, node_id, url, state, no_ping_retries, priority, description) VALUES
  (1, 1, 'bin:127.0.0.1:${ports.BIN_PORT}', 1, 3, 50, 'this node'),
  (1, 2, 'bin:127.0.0.1:${ports.PEER_BIN_PORT}', 1, 3, 50, 'peer node');
INSERT INTO registrant (registrar, aor, binding_URI, expiry, state) VALUES
  ('sip:127.0.0.1:${ports.SIP_PORT}', 'sip:trunk@127.0.0.1', 'sip:trunk@127.0.0.1:${ports.SIP_PORT}', 600, 0);
INSERT INTO cc_flows (flowid, priority, skill, message_queue) VALUES ('support', 256, 'support', 'sip:127.0.0.1:${ports.UAS_PORT}');
INSERT INTO cc_agents (agentid, location, logstate, skills) VALUES ('agent1', 'sip:agent1@127.0.0.1:${ports.UAS_PORT}', 0, 'support');
`;
}

function makeDb(file, schemaDir) {
  const scripts = ["standard", "dispatcher", "drouting", "load_balancer", "dialplan", "permissions", "domain",
    "fraud_detection", "carrierroute", "clusterer", "registrant", "call_center", "presence", "b2b", "dialog",
    "usrloc", "acc", "tls_mgm"];
  let sql = "";
  for (const s of scripts) {
    const f = join(schemaDir, `${s}-create.sql`);
    if (existsSync(f)) sql += readFileSync(f, "utf8") + "\n";
  }
  return sql;
}

// Start one OpenSIPS of `prefix` on a fresh test bed. Returns the node: ports, MI helpers, stop, restart.
// With `peerOf` (a started node) it is that node's cluster peer: clusterer node 2 at its PEER_BIN_PORT,
// on the same tables.
// With `media`, an RTPEngine daemon runs beside it and the node loads rtp_relay and rtpengine (a bed of
// its own: see t0210).
// With `db` ({ module: "db_postgres" | "db_mysql", url, realm }), the node runs opensips-db.cfg.in instead:
// its provisioning modules read that database (made and filled by the caller: lib/db.mjs), no SQLite.
export async function startNode(prefix, { uasPort, peerOf, media = false, db = null } = {}) {
  const bin = join(prefix, "sbin/opensips");
  const mpath = findDir(prefix, ["opensips/modules"]);
  if (!mpath) throw new Error(`no opensips/modules under ${prefix}`);
  const schema = [join(prefix, "share/opensips/sqlite"), "/usr/share/opensips/sqlite"].find(existsSync);
  if (!schema && !db) throw new Error(`no share/opensips/sqlite schema scripts under ${prefix}`);
  const ver = execFileSync(bin, ["-V"], { encoding: "utf8" }).match(/version: opensips (\d+\.\d+\.\d+)/)?.[1];
  if (!ver) throw new Error(`${bin} -V: no version`);
  const major = Number(ver.split(".")[0]);
  const run = mkdtempSync(join(tmpdir(), `live-opensips-${ver}-`));
  const P = {};
  for (const k of ["SIP_PORT", "HTTP_PORT", "DGRAM_PORT", "BIN_PORT", "PEER_BIN_PORT", "TLS_PORT"]) P[k] = await freePort();
  P.UAS_PORT = uasPort ?? (await freePort());
  if (peerOf) {
    P.BIN_PORT = peerOf.PEER_BIN_PORT;
    P.PEER_BIN_PORT = peerOf.BIN_PORT;
    P.UAS_PORT = peerOf.UAS_PORT;
  }
  const mods = new Set(readdirSync(mpath).filter((f) => f.endsWith(".so")).map((f) => f.slice(0, -3)));
  const vars = { ...P, MPATH: mpath + "/", FIFO: join(run, "mi_fifo"), RUN: run, NODE_ID: peerOf ? 2 : 1,
    DB: peerOf ? join(peerOf.run, "opensips.sqlite") : join(run, "opensips.sqlite"),
    DLG_FLAGS: major >= 4 ? "bye-on-timeout" : "B" };
  if (db) Object.assign(vars, { DB_MODULE: db.module, DB_URL: db.url, REALM: db.realm });
  // RTPEngine (Debian's rtpengine-daemon, userspace, loopback) when it is installed and so are the modules
  const rtpe = media && !peerOf && mods.has("rtpengine") && mods.has("rtp_relay") &&
    spawnSync("sh", ["-c", "command -v rtpengine"]).status === 0;
  if (rtpe) {
    vars.RTPE_PORT = await freePort();
    vars.RTPE_CLI_PORT = await freePort();
  }
  const has = (c) => (c === "rtpengine" ? rtpe : c.startsWith("mod:") ? mods.has(c.slice(4)) : c === `v${major}`);
  const cfg = join(run, "opensips.cfg");
  writeFileSync(cfg, render(readFileSync(join(here, db ? "opensips-db.cfg.in" : "opensips.cfg.in"), "utf8"), vars, has));
  if (!peerOf && !db) {
    const sql = makeDb(vars.DB, schema) + rows(P);
    const db = spawnSync("sqlite3", [vars.DB], { input: sql, encoding: "utf8" });
    if (db.status !== 0) throw new Error(`sqlite3: ${db.stderr}`);
    // columns only one version's schema has
    for (const opt of [`UPDATE cc_agents SET msrp_location = 'sip:agent1@127.0.0.1:${P.UAS_PORT}'`])
      spawnSync("sqlite3", [vars.DB, opt], { encoding: "utf8" });
  }
  if (mods.has("tls_mgm") && !db)
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=live",
      "-keyout", join(run, "tls.key"), "-out", join(run, "tls.crt")], { stdio: "ignore" });

  const node = {
    version: ver, major, run, cfg, prefix, modules: mods, ...P,
    httpUrl: `http://127.0.0.1:${P.HTTP_PORT}/mi`,
    fifoAddr: `fifo:${vars.FIFO}`,
    dgramAddr: `udp:127.0.0.1:${P.DGRAM_PORT}`,
    log: join(run, "opensips.log"),
    proc: null,
  };
  node.start = async () => {
    const { openSync } = await import("node:fs");
    const fd = openSync(node.log, "a");
    // -F: stay in the foreground; detached: its own process group, so that stop() reaches every child.
    node.proc = spawn(bin, ["-F", "-f", cfg], { cwd: run, stdio: ["ignore", fd, fd], detached: true });
    const group = -node.proc.pid;
    running.add(group);
    node.proc.once("exit", () => running.delete(group));
    const exited = new Promise((res) => node.proc.once("exit", res));
    node.exited = exited;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (node.proc.exitCode !== null || node.proc.signalCode !== null) break;
      try {
        await node.mi("version");
        return node;
      } catch {
        await sleep(100);
      }
    }
    await node.stop();
    throw new Error(`OpenSIPS ${ver} did not start; log ${node.log}:\n${readFileSync(node.log, "utf8").slice(-4000)}`);
  };
  node.stop = async (signal = "SIGTERM") => {
    const p = node.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    try {
      process.kill(-p.pid, signal);
    } catch {}
    let t;
    const done = await Promise.race([node.exited.then(() => true), new Promise((r) => (t = setTimeout(r, 10_000, false)))]);
    clearTimeout(t);
    if (!done) try { process.kill(-p.pid, "SIGKILL"); } catch {}
    await node.exited;
    // the group's children leave shortly after the main process
    for (let i = 0; i < 50; i++) {
      try { process.kill(-p.pid, 0); } catch { break; }
      await sleep(100);
    }
  };
  // One MI call over HTTP; resolves with the JSON-RPC `result`, rejects with Error(code message) on an error.
  node.miRaw = async (method, params) => {
    const body = { jsonrpc: "2.0", id: 1, method };
    if (params !== undefined) body.params = params;
    const r = await fetch(node.httpUrl, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    return JSON.parse(await r.text());
  };
  node.mi = async (method, params) => {
    const j = await node.miRaw(method, params);
    if (j.error) {
      const e = new Error(`${j.error.code} ${j.error.message}`);
      e.rpc = j.error;
      throw e;
    }
    return j.result;
  };
  if (rtpe) {
    const base = 20000 + (vars.RTPE_PORT % 400) * 100;
    node.rtpengine = spawn("rtpengine", ["--config-file=none", "--foreground", "--log-stderr", "--table=-1",
      "--interface=127.0.0.1", `--listen-ng=127.0.0.1:${vars.RTPE_PORT}`, `--listen-cli=127.0.0.1:${vars.RTPE_CLI_PORT}`,
      `--port-min=${base}`, `--port-max=${base + 99}`], { stdio: ["ignore", "ignore", "ignore"] });
    const rpid = node.rtpengine.pid;
    running.add(rpid);
    node.rtpengine.once("exit", () => running.delete(rpid));
    node.rtpengineCli = (cmd) => new Promise((res, rej) => {
      const c = net.connect(vars.RTPE_CLI_PORT, "127.0.0.1", () => c.write(cmd + "\n"));
      let out = "";
      c.setTimeout(5000, () => { c.destroy(); rej(new Error("rtpengine cli: no answer")); });
      c.on("data", (d) => (out += d)).on("end", () => res(out)).on("error", rej);
    });
    for (let i = 0; i < 50; i++) {
      if (await node.rtpengineCli("list numsessions").then(() => true, () => false)) break;
      await sleep(100);
    }
  }
  node.cleanup = () => {
    if (node.rtpengine && node.rtpengine.exitCode === null) node.rtpengine.kill("SIGTERM");
    rmSync(run, { recursive: true, force: true });
  };
  try {
    return await node.start();
  } catch (e) {
    node.cleanup();
    throw e;
  }
}
