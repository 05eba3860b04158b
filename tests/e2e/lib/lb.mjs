// Debian's real HAProxy in front of replicas, and Debian's real rsyslog as the central audit
// collector, each a child process of the test with a generated config in a temp dir, on free
// loopback ports (no root, no system service, no /dev/log). Every wait is bounded (scaled by
// E2E_TIMEOUT_SCALE); stop() ends the child by its pid.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { ms, sleep } from "./raw.mjs";
import { freePort, canConnect } from "./http.mjs";

export const HAPROXY = process.env.HAPROXY_BIN || "/usr/sbin/haproxy";
export const RSYSLOGD = process.env.RSYSLOGD_BIN || "/usr/sbin/rsyslogd";
export const LB_START_WAIT = ms(10_000); // bound on haproxy accepting, rsyslog writing a probe
export const LB_EXIT_WAIT = ms(5_000); // bound on the exit after SIGTERM (then SIGKILL)

// The HAProxy config the README's "Replicas" section shows, for `servers` [{ name, port }]:
// roundrobin; a legacy session (Mcp-Session-Id, set by the replica on its initialize answer) kept
// on the replica that made it; timeouts that let a long call and an SSE stream (keepalive comments
// every 15 s) run; a connection refused by a dead replica retried on another (redispatch); every
// answer says which replica gave it (X-Replica), for the test. `sticky: false` leaves out the two
// stick rules (the test's control: sessions then land on replicas that do not know them).
// `bind` is the frontend's address (default 127.0.0.1:port); a server is { name, port } on
// loopback or { name, addr }.
export function haproxyConfig({ port, bind = `127.0.0.1:${port}`, servers, sticky = true }) {
  return [
    "global",
    "    maxconn 4096",
    "defaults",
    "    mode http",
    "    timeout connect 2s",
    "    timeout client 5m",
    "    timeout server 5m",
    "    timeout http-keep-alive 30s",
    "    retries 3",
    "    option redispatch 1",
    "frontend mcp",
    `    bind ${bind}`,
    "    default_backend replicas",
    "backend replicas",
    "    balance roundrobin",
    ...(sticky
      ? [
          "    stick-table type string len 128 size 100k expire 30m",
          "    stick store-response res.hdr(mcp-session-id)",
          "    stick match req.hdr(mcp-session-id)",
        ]
      : []),
    "    http-response set-header X-Replica %s",
    ...servers.map((s) => `    server ${s.name} ${s.addr ?? `127.0.0.1:${s.port}`} check inter 250ms fall 1 rise 2`),
    "",
  ].join("\n");
}

function child(bin, argv, name) {
  const proc = spawn(bin, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const c = { proc, name, out: "", exit: null };
  proc.stdout.setEncoding("utf8").on("data", (d) => (c.out = (c.out + d).slice(-65536)));
  proc.stderr.setEncoding("utf8").on("data", (d) => (c.out = (c.out + d).slice(-65536)));
  proc.on("error", (e) => (c.out += `\nspawn error: ${e.message}`));
  c.exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve((c.exit = { code, signal }))));
  c.stop = async () => {
    if (!c.exit) proc.kill("SIGTERM");
    let timer;
    const r = await Promise.race([c.exited, new Promise((res) => (timer = setTimeout(res, LB_EXIT_WAIT, null)))]);
    clearTimeout(timer);
    if (r === null) {
      proc.kill("SIGKILL");
      await c.exited;
    }
  };
  return c;
}

// Start haproxy -db (foreground) with haproxyConfig(...) written to dir/haproxy.cfg; resolves
// { url, port, stop, out } once its frontend accepts connections.
export async function startHaproxy(dir, { servers, sticky = true, file = "haproxy.cfg" }) {
  assert.ok(existsSync(HAPROXY), `no haproxy at ${HAPROXY} (scripts/install-deps.sh test installs it)`);
  const port = await freePort();
  const cfg = join(dir, file);
  writeFileSync(cfg, haproxyConfig({ port, servers, sticky }));
  const check = child(HAPROXY, ["-c", "-q", "-f", cfg], "haproxy -c");
  await check.exited;
  assert.equal(check.exit.code, 0, `haproxy -c refused the config:\n${check.out}\n${readFileSync(cfg, "utf8")}`);
  const c = child(HAPROXY, ["-db", "-f", cfg], "haproxy");
  const deadline = Date.now() + LB_START_WAIT;
  while (!c.exit && Date.now() < deadline && !(await canConnect(port))) await sleep(50);
  assert.ok(!c.exit && (await canConnect(port)), `haproxy did not start on ${port}: ${JSON.stringify(c.exit)}\n${c.out}`);
  return { ...c, stop: c.stop, port, url: `http://127.0.0.1:${port}/mcp`, config: cfg };
}

// Start rsyslogd -n with imudp on a free loopback port and one omfile: every message as
// "HOSTNAME APP-NAME PROCID MSGID MSG" on a line of dir/collected.log. No imuxsock (no /dev/log),
// a pid file and work directory in dir. Resolves { port, file, lines(), records(), stop } once a
// probe datagram reached the file.
export async function startRsyslog(dir) {
  assert.ok(existsSync(RSYSLOGD), `no rsyslogd at ${RSYSLOGD} (scripts/install-deps.sh test installs it)`);
  const port = await freePort();
  const file = join(dir, "collected.log");
  const conf = join(dir, "rsyslog.conf");
  writeFileSync(conf, [
    `global(workDirectory="${dir}" maxMessageSize="64k")`,
    'module(load="imudp")',
    `input(type="imudp" address="127.0.0.1" port="${port}")`,
    'template(name="line" type="string" string="%hostname% %app-name% %procid% %msgid% %msg%\\n")',
    `action(type="omfile" file="${file}" template="line" asyncWriting="off" flushOnTXEnd="on")`,
    "",
  ].join("\n"));
  const c = child(RSYSLOGD, ["-n", "-f", conf, "-i", join(dir, "rsyslogd.pid")], "rsyslogd");
  const sock = createSocket("udp4");
  const probe = `<14>1 2026-01-01T00:00:00.000Z probe e2e-probe ${process.pid} probe - ready`;
  const lines = () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);
  try {
    const deadline = Date.now() + LB_START_WAIT;
    while (!c.exit && Date.now() < deadline && !lines().some((l) => l.includes("e2e-probe"))) {
      await new Promise((res) => sock.send(probe, port, "127.0.0.1", () => res()));
      await sleep(100);
    }
  } finally {
    sock.close();
  }
  assert.ok(lines().some((l) => l.includes("e2e-probe")), `rsyslogd did not collect a probe on ${port}: ${JSON.stringify(c.exit)}\n${c.out}`);
  // The audit records: [{ host, app, procid, msgid, rec }] of the lines whose APP-NAME is ours.
  const records = () =>
    lines().flatMap((l) => {
      const m = /^(\S+) (\S+) (\S+) (\S+) (.*)$/.exec(l);
      if (!m || m[2] !== "opensips-mcp") return [];
      return [{ host: m[1], app: m[2], procid: Number(m[3]), msgid: m[4], rec: JSON.parse(m[5]) }];
    });
  return { ...c, stop: c.stop, port, file, lines, records };
}
