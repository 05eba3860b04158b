// The processes a test started and must see gone: found by their command line in /proc, never
// signalled by name.
import { readdirSync, readFileSync } from "node:fs";

// The pids of live (not zombie) processes one of whose arguments is `needle`, or, with
// `{ part: true }`, holds it.
export function pidsWith(needle, { part = false } = {}) {
  const found = [];
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const has = part ? cmd.some((a) => a.includes(needle)) : cmd.includes(needle);
      if (has && !/\) Z /.test(stat)) found.push(Number(p));
    } catch {}
  }
  return found;
}
