// Concurrency and in-flight utilities: ping during a slow call, cancellation that suppresses the reply,
// progress notifications, and logging notifications filtered by logging/setLevel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withServer, FIXTURES, TEST_TIMEOUT, ms, sleep, textOf } from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const sleepCall = (s, id, n, extra = {}) =>
  s.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "test_sleep", arguments: { ms: n }, ...extra } });

test("ping is answered promptly while test_sleep runs", T, async () => {
  await withServer(FIXTURES, async (s) => {
    sleepCall(s, "slow", 3000);
    await sleep(ms(100));
    const t0 = Date.now();
    await s.assertAlive("a running test_sleep");
    const took = Date.now() - t0;
    assert.ok(took < ms(1000), `ping took ${took} ms while a tool slept`);
    assert.deepEqual(s.responsesFor("slow"), [], "the sleep answered before the ping");
    const r = await s.response("slow", { timeout: ms(10_000) });
    assert.equal(textOf(r.result), "slept 3000 ms");
  });
});

test("two slow calls run at the same time", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const t0 = Date.now();
    sleepCall(s, "a", 1500);
    sleepCall(s, "b", 1500);
    for (const id of ["a", "b"]) {
      const r = await s.response(id, { timeout: ms(10_000) });
      assert.equal(textOf(r.result), "slept 1500 ms", JSON.stringify(r));
    }
    const took = Date.now() - t0;
    assert.ok(took < 2900, `two 1500 ms sleeps took ${took} ms: not concurrent`);
  });
});

test("notifications/cancelled suppresses the reply and the session keeps working", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const t0 = Date.now();
    sleepCall(s, 41, 3000);
    await sleep(ms(300));
    s.notify("notifications/cancelled", { requestId: 41, reason: "e2e: user gave up" });
    await s.assertAlive("a cancellation");
    // Wait past the sleep's natural end (plus 1 s): no reply may ever come for id 41.
    await sleep(Math.max(0, 3000 + 1000 - (Date.now() - t0)));
    assert.deepEqual(s.responsesFor(41), [], "a cancelled request was answered");
    const r = await s.call("tools/call", { name: "test_sleep", arguments: { ms: 10 } });
    assert.equal(textOf(r), "slept 10 ms");
  });
});

test("cancelled sleeps free their workers at once", T, async () => {
  // The sleep is cancellable: a cancelled 600 s sleep must not pin a worker. Fill the pool's likely size
  // with cancelled sleeps (the per-principal limit raised so that one client may, the probe call included,
  // while a cancelled sleep's worker may still be on its way out), then check a new call is served at once.
  await withServer([...FIXTURES, "--max-calls-per-principal", "16"], async (s) => {
    for (let i = 0; i < 8; i++) sleepCall(s, `long${i}`, 600000);
    await sleep(ms(200));
    for (let i = 0; i < 8; i++) s.notify("notifications/cancelled", { requestId: `long${i}` });
    const t0 = Date.now();
    const r = await s.call("tools/call", { name: "test_sleep", arguments: { ms: 1 } }, { timeout: ms(5000) });
    assert.equal(textOf(r), "slept 1 ms");
    assert.ok(Date.now() - t0 < ms(3000), "a call waited behind cancelled sleeps");
    for (let i = 0; i < 8; i++) assert.deepEqual(s.responsesFor(`long${i}`), []);
  });
});

test("a cancellation for an unknown or finished request is ignored", T, async () => {
  await withServer(FIXTURES, async (s) => {
    await s.call("tools/call", { name: "test_sleep", arguments: { ms: 1 } }, { id: 90 });
    const from = s.messages.length;
    s.notify("notifications/cancelled", { requestId: 90 });
    s.notify("notifications/cancelled", { requestId: "never-sent" });
    await s.assertAlive("stray cancellations");
    assert.equal(s.since(from).length, 1, JSON.stringify(s.since(from)));
  });
});

test("progress: test_tool_with_progress sends increasing notifications before its result", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const token of ["progress-test-1", 7]) {
      const from = s.messages.length;
      const r = await s.request("tools/call", {
        name: "test_tool_with_progress",
        arguments: {},
        _meta: { progressToken: token },
      });
      assert.ok(r.result, JSON.stringify(r));
      const msgs = s.since(from);
      const resultAt = msgs.indexOf(r);
      const progress = msgs
        .map((m, i) => ({ m, i }))
        .filter(({ m }) => m.method === "notifications/progress");
      assert.ok(progress.length >= 3, `${progress.length} progress notifications for ${token}`);
      let last = -Infinity;
      for (const { m, i } of progress) {
        assert.ok(i < resultAt, "progress after the result");
        assert.strictEqual(m.params.progressToken, token);
        assert.equal(typeof m.params.progress, "number");
        assert.ok(m.params.progress > last, `progress not increasing: ${JSON.stringify(progress.map((p) => p.m.params))}`);
        last = m.params.progress;
        if (m.params.total !== undefined) assert.ok(m.params.progress <= m.params.total);
      }
    }
  });
});

test("progress: no notifications without a progressToken", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const from = s.messages.length;
    await s.call("tools/call", { name: "test_tool_with_progress", arguments: {} });
    await sleep(ms(100));
    assert.deepEqual(s.since(from).filter((m) => m.method === "notifications/progress"), []);
  });
});

test("logging: at level debug test_tool_with_logging sends at least 3 messages during the call", T, async () => {
  await withServer(FIXTURES, async (s) => {
    assert.deepEqual(await s.call("logging/setLevel", { level: "debug" }), {});
    const from = s.messages.length;
    const r = await s.request("tools/call", { name: "test_tool_with_logging", arguments: {} });
    const msgs = s.since(from);
    const logs = msgs.filter((m) => m.method === "notifications/message");
    assert.ok(logs.length >= 3, `${logs.length} log notifications`);
    for (const l of logs) {
      assert.ok(msgs.indexOf(l) < msgs.indexOf(r), "log message after the result");
      assert.ok(["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"].includes(l.params.level));
      assert.ok("data" in l.params);
    }
  });
});

test("logging: at level error test_tool_with_logging's info messages are not sent", T, async () => {
  await withServer(FIXTURES, async (s) => {
    assert.deepEqual(await s.call("logging/setLevel", { level: "error" }), {});
    const from = s.messages.length;
    await s.call("tools/call", { name: "test_tool_with_logging", arguments: {} });
    await sleep(ms(200));
    const below = s.since(from).filter((m) =>
      m.method === "notifications/message" && ["debug", "info", "notice", "warning"].includes(m.params.level));
    assert.deepEqual(below, []);
  });
});

test("logging: setLevel returns exactly {} for every RFC 5424 level", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const level of ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]) {
      const r = await s.request("logging/setLevel", { level });
      assert.deepEqual(r.result, {}, `${level}: ${JSON.stringify(r)}`);
    }
  });
});

test("logging: a secret argument never reaches stderr, log notifications or the result", T, async () => {
  const secret = "S3cr3t-e2e-7f1c";
  let server;
  await withServer([...FIXTURES, "--log-level", "debug"], async (s) => {
    server = s;
    await s.call("logging/setLevel", { level: "debug" });
    const ok = await s.call("tools/call", { name: "test_schema", arguments: { name: "a", count: 1, secret } });
    assert.notEqual(ok.isError, true, JSON.stringify(ok));
    const bad = await s.call("tools/call", { name: "test_schema", arguments: { name: "A", count: 1, secret } });
    assert.equal(bad.isError, true);
    await s.call("tools/call", { name: "test_tool_with_logging", arguments: {} });
  });
  assert.ok(!JSON.stringify(server.messages).includes(secret), "the secret appeared on stdout");
  assert.ok(!server.stderr.includes(secret), "the secret appeared on stderr");
});

test("past every worker and queue slot a request is refused at once as busy, and the rest still finish", T, async () => {
  await withServer([...FIXTURES, "--workers", "1", "--max-queue", "1"], async (s) => {
    sleepCall(s, "running", 1500);
    await sleep(ms(300)); // the one worker has taken it
    sleepCall(s, "queued", 10);
    sleepCall(s, "refused", 10);
    const r = await s.response("refused", { timeout: ms(1000) });
    assert.equal(r.error?.code, -32603, JSON.stringify(r));
    assert.match(r.error.message, /busy .*retry shortly/);
    for (const [id, text] of [["running", "slept 1500 ms"], ["queued", "slept 10 ms"]])
      assert.equal(textOf((await s.response(id, { timeout: ms(10_000) })).result), text);
    await s.assertAlive("a refusal");
  });
});
