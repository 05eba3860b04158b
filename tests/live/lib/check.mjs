// What the live tests assert with: a tool's success or failure, the node's MI name by version, its
// dialogs read over MI, and a bounded wait for a condition.
import assert from "node:assert/strict";
import { sleep } from "./node.mjs";

// structuredContent of a successful call (the SDK has already checked it against the output schema).
export function ok(r, what = "") {
  assert.ok(!r.isError, `${what} failed: ${JSON.stringify(r.content).slice(0, 1500)}`);
  assert.ok(r.structuredContent, `${what}: no structuredContent`);
  return r.structuredContent;
}

// The text of a refused call, matched against re when given.
export function fails(r, re, what = "") {
  assert.equal(r.isError, true, `${what} should fail: ${JSON.stringify(r.structuredContent ?? r.content).slice(0, 800)}`);
  const text = r.content.map((c) => c.text ?? "").join("\n");
  if (re) assert.match(text, re, `${what}: ${text}`);
  return text;
}

// The MI name for this node: 4.x module:command, 3.x the flat name.
export const m = (bed, v4, v3) => (bed.node.major >= 4 ? v4 : v3);

// The node's dialogs, straight over MI.
export const miDialogs = async (bed) => (await bed.node.mi(m(bed, "dialog:list", "dlg_list"))).Dialogs ?? [];

// Wait until `pred()` holds (polling every 200 ms), or fail with `what` after ms.
export async function until(pred, what, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
