// SIPp (Debian's sip-tester) for the live suite: a UAS that answers every call, callers that hold their
// call until the far end hangs up, and bulk registrations. Every process is ours and stopped by its pid.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync, existsSync } from "node:fs";
import dgram from "node:dgram";

const scenarios = fileURLToPath(new URL("../sipp/", import.meta.url));

// A free loopback UDP port for a SIPp that must not take 5060 (several run at once).
export async function freeUdp() {
  const u = dgram.createSocket("udp4");
  await new Promise((r) => u.bind(0, "127.0.0.1", r));
  const p = u.address().port;
  await new Promise((r) => u.close(r));
  return p;
}

function sipp(args, cwd) {
  const p = spawn("sipp", [...args, "-nostdin"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout.setEncoding("utf8").on("data", (c) => { if (out.length < 1 << 16) out += c; });
  p.stderr.setEncoding("utf8").on("data", (c) => { if (out.length < 1 << 16) out += c; });
  const exited = new Promise((res) => p.once("exit", (code, signal) => res({ code, signal })));
  return { proc: p, exited, output: () => out };
}

// The last row of a -trace_stat CSV as { column: value }.
export function lastStats(file) {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, "utf8").trim().split("\n");
  const head = lines[0].split(";");
  const last = lines.at(-1).split(";");
  return Object.fromEntries(head.map((h, i) => [h, last[i]]));
}

// A UAS on 127.0.0.1:port answering every INVITE (SIPp's built-in uas); stop() ends it.
export function startUas(port, dir) {
  const s = sipp(["-sn", "uas", "-i", "127.0.0.1", "-p", String(port), "-t", "u1", "-trace_err",
    "-error_file", join(dir, "uas-errors.log")], dir);
  return { ...s, stop: () => stopProc(s) };
}

// `calls` callers through OpenSIPS at sipPort, each holding its call until a BYE arrives (or 120 s).
export function startCallers(sipPort, dir, { calls = 1, rate = 50, name = "calls", port, service = "service" } = {}) {
  const stf = join(dir, `${name}.csv`);
  const s = sipp([`127.0.0.1:${sipPort}`, "-sf", join(scenarios, "call-until-bye.xml"), "-i", "127.0.0.1",
    "-s", service, "-p", String(port), "-m", String(calls), "-r", String(rate), "-l", String(calls), "-t", "u1",
    "-trace_stat", "-stf", stf, "-fd", "1", "-timeout", "150s", "-timeout_error"], dir);
  return { ...s, stats: () => lastStats(stf), stop: () => stopProc(s) };
}

// Register user0..user(n-1)... (SIPp numbers calls from 1) through OpenSIPS; resolves with the stats.
export async function register(sipPort, dir, n, { rate = 1000 } = {}) {
  const stf = join(dir, "register.csv");
  const s = sipp([`127.0.0.1:${sipPort}`, "-sf", join(scenarios, "register.xml"), "-i", "127.0.0.1", "-p", String(await freeUdp()),
    "-m", String(n), "-r", String(rate), "-l", "200", "-t", "u1", "-trace_stat", "-stf", stf,
    "-timeout", "60s", "-timeout_error"], dir);
  const r = await s.exited;
  return { ...r, stats: lastStats(stf), output: s.output() };
}

// One digest-authenticated REGISTER of user@domain through OpenSIPS at sipPort (sipp/register-auth.xml:
// REGISTER, 401 challenge, REGISTER with -au/-ap credentials, 200). Resolves with SIPp's exit code (0: the
// 200 came) and `answers`, the status codes of every response SIPp received, in order.
export async function registerAuth(sipPort, dir, { user, password, domain, name = "register-auth" }) {
  const trace = join(dir, `${name}-messages.log`);
  const s = sipp([`127.0.0.1:${sipPort}`, "-sf", join(scenarios, "register-auth.xml"), "-i", "127.0.0.1",
    "-p", String(await freeUdp()), "-s", user, "-au", user, "-ap", password, "-key", "domain", domain,
    "-m", "1", "-t", "u1", "-trace_msg", "-message_file", trace, "-timeout", "30s", "-timeout_error"], dir);
  const r = await s.exited;
  const log = existsSync(trace) ? readFileSync(trace, "utf8") : "";
  // each answer is logged once as received (an unexpected one is logged a second time, as unexpected)
  const answers = [...log.matchAll(/message received \[\d+\] bytes :\s*\nSIP\/2\.0 (\d{3})/g)].map((x) => Number(x[1]));
  return { ...r, answers, output: s.output(), log };
}

async function stopProc(s) {
  if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill("SIGTERM");
  let t;
  const r = await Promise.race([s.exited, new Promise((res) => (t = setTimeout(res, 5000, null)))]);
  clearTimeout(t);
  if (r === null) {
    s.proc.kill("SIGKILL");
    return s.exited;
  }
  return r;
}
