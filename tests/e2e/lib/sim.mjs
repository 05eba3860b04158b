// The OpenSIPS MI simulator (opensips-mi-sim) for the end-to-end tests: start one on a free port and
// wait for "ready", send its control methods (sim:reset, sim:requests, sim:reset_requests, sim:fault
// ...) over its mi_http, read its request log, and stop every simulator started here. Every wait is
// bounded (and scaled by E2E_TIMEOUT_SCALE, like the other drivers).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import assert from "node:assert/strict";
import { BIN, ms, sleep } from "./raw.mjs";
import { freePort } from "./http.mjs";

export const SIM = process.env.OPENSIPS_MI_SIM_BIN || join(dirname(BIN), "opensips-mi-sim");
export const SIM_READY_WAIT = ms(10_000); // bound on the simulator printing "ready"
export const SIM_BIG_READY_WAIT = ms(90_000); // the same for a generated state of 10 000+ items
export const SIM_EXIT_WAIT = ms(5_000); // bound on its exit after SIGTERM (then SIGKILL)
export const SIM_CONTROL_WAIT = ms(10_000); // bound on one control request

const running = new Set();

// Start a simulator: `--http 127.0.0.1:<port> --timing none`, then `extra`, then `--request-log <log>`
// if a log path is given. Returns { proc, port, url, log }.
export async function startSim({ extra = [], log, port, name = "simulator" } = {}) {
  assert.ok(existsSync(SIM), `no simulator at ${SIM}`);
  port ??= await freePort();
  const argv = ["--http", `127.0.0.1:${port}`, "--timing", "none", ...extra, ...(log ? ["--request-log", log] : [])];
  const proc = spawn(SIM, argv, { stdio: ["ignore", "ignore", "pipe"] });
  running.add(proc);
  let err = "";
  proc.on("error", (e) => (err += `\nspawn error: ${e.message}`));
  proc.stderr.on("data", (c) => (err += c));
  // A bound against a hang, not a speed limit: a simulator told to generate a big state (100 000
  // dialogs or contacts take ~1 s alone, far longer under TSan beside another big one) gets more.
  const big = extra.some((a, i) => (a === "--dialogs" || a === "--contacts") && Number(extra[i + 1]) >= 10000);
  const deadline = Date.now() + (big ? SIM_BIG_READY_WAIT : SIM_READY_WAIT);
  while (!/ready/.test(err) && proc.exitCode === null && proc.signalCode === null && Date.now() < deadline) await sleep(50);
  assert.match(err, /ready/, `${name} did not start (${argv.join(" ")}): ${err}`);
  return { proc, port, url: `http://127.0.0.1:${port}/mi`, log };
}

// One of the simulator's own methods, straight over its mi_http (not through the server); the result.
// `sim` is a handle from startSim or an mi_http URL.
export async function control(sim, method, params) {
  const url = typeof sim === "string" ? sim : sim.url;
  const r = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, ...(params ? { params } : {}) }),
    signal: AbortSignal.timeout(SIM_CONTROL_WAIT),
  });
  return (await r.json()).result;
}

// The raw lines of the simulator's request log (none if it does not exist yet).
export function requestLines(sim) {
  return existsSync(sim.log) ? readFileSync(sim.log, "utf8").split("\n").filter(Boolean) : [];
}

// The requests in the simulator's request log, parsed; with `command`, only those whose command or
// method is that name.
export function requests(sim, command) {
  const all = requestLines(sim).map((l) => JSON.parse(l));
  return command === undefined ? all : all.filter((r) => r.command === command || r.method === command);
}

// Empty the simulator's request log.
export const clearRequests = (sim) => writeFileSync(sim.log, "");

// How often the simulator ran a command (sim:requests counters), under any of the given names.
export const counted = (counters, ...names) => names.reduce((n, k) => n + (counters.commands[k] ?? 0), 0);

// The commands the simulator ran other than learning the node (version, which): what a tool sent.
export const sentBeyondLearning = (counters) =>
  Object.entries(counters.commands).filter(([k, n]) => n > 0 && !/^(core:)?(version|which)$/.test(k)).map(([k]) => k);

// SIGTERM every simulator started here and wait (bounded) for each to exit; SIGKILL a straggler.
export async function stopAll() {
  const procs = [...running];
  running.clear();
  const exited = (p, wait) => new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve(true);
    const t = setTimeout(() => resolve(false), wait);
    p.once("exit", () => { clearTimeout(t); resolve(true); });
  });
  for (const p of procs) p.kill("SIGTERM");
  await Promise.all(procs.map(async (p) => {
    if (await exited(p, SIM_EXIT_WAIT)) return;
    p.kill("SIGKILL");
    await exited(p, SIM_EXIT_WAIT);
  }));
}
