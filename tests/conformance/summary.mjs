// Summarise a conformance results directory (server-<scenario>-<timestamp>/checks.json per scenario).
// usage: node summary.mjs RESULTS_DIR [BASELINE_YML]   (prints only; the verdict is conformance's own)
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [dir, baselineFile] = process.argv.slice(2);

// The baseline is a tiny YAML file ("server:" then "  - name" lines); no YAML library needed.
const expected = new Set();
if (baselineFile && existsSync(baselineFile)) {
  let inServer = false;
  for (const line of readFileSync(baselineFile, "utf8").split("\n")) {
    if (/^\S/.test(line)) inServer = /^server:/.test(line);
    const m = inServer && line.match(/^\s+-\s+([\w.-]+)/);
    if (m) expected.add(m[1]);
  }
}

const rows = [];
for (const name of existsSync(dir) ? readdirSync(dir).sort() : []) {
  const file = join(dir, name, "checks.json");
  if (!existsSync(file)) continue;
  const scenario = name.replace(/^server-/, "").replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "");
  let checks;
  try {
    checks = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    checks = [{ name: "checks.json", status: "FAILURE", errorMessage: `unreadable: ${e.message}` }];
  }
  const count = (s) => checks.filter((c) => c.status === s).length;
  rows.push({ scenario, checks, ok: count("SUCCESS"), fail: count("FAILURE"), warn: count("WARNING") });
}

let passed = 0, expectedFail = 0, unexpected = 0, checksOk = 0, checksAll = 0;
const width = Math.max(10, ...rows.map((r) => r.scenario.length));
console.log(`${"scenario".padEnd(width)}  result    checks`);
for (const r of rows) {
  const bad = r.fail + r.warn > 0;
  const verdict = !bad ? "pass" : expected.has(r.scenario) ? "expected" : "FAIL";
  if (!bad) passed++; else if (expected.has(r.scenario)) expectedFail++; else unexpected++;
  checksOk += r.ok;
  checksAll += r.checks.length;
  const warn = r.warn ? `, ${r.warn} warning(s)` : "";
  console.log(`${r.scenario.padEnd(width)}  ${verdict.padEnd(8)}  ${r.ok}/${r.checks.length}${warn}`);
  if (bad) {
    for (const c of r.checks.filter((c) => c.status !== "SUCCESS" && c.status !== "INFO")) {
      console.log(`${"".padEnd(width)}    ${c.status} ${c.name ?? c.id}: ${c.errorMessage ?? c.description ?? ""}`);
    }
  }
}
const seen = new Set(rows.map((r) => r.scenario));
const stale = rows.filter((r) => expected.has(r.scenario) && r.fail + r.warn === 0).map((r) => r.scenario);
if (stale.length) console.log(`stale baseline entries (now passing, remove them): ${stale.join(", ")}`);
const missing = [...expected].filter((s) => !seen.has(s));
if (missing.length && rows.length > 1) console.log(`baseline entries not run: ${missing.join(", ")}`);
console.log(
  `summary: ${rows.length} scenarios: ${passed} passed, ${expectedFail} failed as expected (baseline), ` +
    `${unexpected} failed unexpectedly; ${checksOk}/${checksAll} checks passed`,
);
