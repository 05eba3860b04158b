// KNOWN_FAILURES: the tools the live suite found wrong on a real OpenSIPS, not fixed yet. A case listed
// here still runs: while it fails, the test is reported as TODO (with the reason and what happened); once it
// passes, the test FAILS and asks for its entry to be removed, so a fix cannot go unnoticed.
//
// Key: "tool" (every version) or "tool@4.0.1" / "tool@3.6.8" (a "/context" suffix names one test bed);
// value: what is wrong, with the MI evidence.
export const KNOWN_FAILURES = {
};

export function knownFailure(tool, version) {
  return KNOWN_FAILURES[`${tool}@${version}`] ?? KNOWN_FAILURES[tool];
}

// Run fn; a listed (tool, version) must fail (TODO) and must not pass.
export async function expectUnlessKnown(t, tool, version, fn) {
  const why = knownFailure(tool, version);
  if (!why) return fn();
  try {
    await fn();
  } catch (e) {
    t.todo(`known failure (KNOWN_FAILURES in tests/live/lib/known.mjs): ${why}; now: ${String(e.message).slice(0, 500)}`);
    return;
  }
  throw new Error(`${tool} on OpenSIPS ${version} passes now: remove "${tool}" from KNOWN_FAILURES in tests/live/lib/known.mjs`);
}
