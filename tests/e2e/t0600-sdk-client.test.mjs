// The official TypeScript SDK client against the real binary: the session an assistant's host would run,
// including server-to-client sampling and elicitation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withClient, types, REQ } from "./lib/sdk.mjs";
import { FIXTURES, FIXTURE_TOOLS, TEST_TIMEOUT, textOf, echoed } from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const { CreateMessageRequestSchema, ElicitRequestSchema, LoggingMessageNotificationSchema } = types;

test("SDK client connects and sees serverInfo, capabilities and instructions", T, async () => {
  await withClient(FIXTURES, async (c) => {
    assert.equal(c.getServerVersion().name, "opensips-mcp");
    const caps = c.getServerCapabilities();
    for (const k of ["tools", "resources", "prompts", "logging", "completions"]) assert.ok(caps[k], `no ${k}`);
    assert.ok(c.getInstructions()?.length > 0);
    await c.ping(REQ);
  });
});

test("SDK client walks paginated tools/list and validates structuredContent against outputSchema", T, async () => {
  await withClient([...FIXTURES, "--page-size", "3"], async (c) => {
    const names = [];
    let cursor;
    let pages = 0;
    const tools = [];
    do {
      const r = await c.listTools(cursor ? { cursor } : {}, REQ);
      tools.push(...r.tools);
      names.push(...r.tools.map((t) => t.name));
      cursor = r.nextCursor;
      assert.ok(++pages < 50);
    } while (cursor);
    for (const n of FIXTURE_TOOLS) assert.ok(names.includes(n), `${n} missing`);
    // The SDK caches output schemas per listTools page; load them all so callTool validates.
    c.cacheToolMetadata(tools);
    const r = await c.callTool({ name: "test_schema", arguments: { name: "sdk", count: 2, tags: ["a"] } }, undefined, REQ);
    assert.deepEqual(echoed(r.structuredContent), { name: "sdk", count: 2, tags: ["a"] });
  });
});

test("SDK client reads resources, gets prompts, completes and subscribes", T, async () => {
  await withClient(FIXTURES, async (c) => {
    const res = await c.readResource({ uri: "test://static-text" }, REQ);
    assert.equal(res.contents[0].text, "This is the content of the static text resource.");
    const tpl = await c.readResource({ uri: "test://template/123/data" }, REQ);
    assert.ok((tpl.contents[0].text ?? "").includes("123"));
    const p = await c.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "hello", arg2: "world" } }, REQ);
    assert.equal(p.messages[0].content.text, "Prompt with arguments: arg1='hello', arg2='world'");
    const comp = await c.complete({
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "" },
    }, REQ);
    assert.ok(Array.isArray(comp.completion.values));
    assert.deepEqual(await c.subscribeResource({ uri: "test://watched-resource" }, REQ), {});
    assert.deepEqual(await c.unsubscribeResource({ uri: "test://watched-resource" }, REQ), {});
    await assert.rejects(c.readResource({ uri: "test://missing" }, REQ), (e) => e.code === -32002);
  });
});

test("SDK client gets every progress callback, the last one too, before the result", T, async () => {
  // SDK 1.32.2 runs notification handlers a microtask late but settles a response at once, so a
  // progress notification written in the same burst as its result is dropped ("unknown token", via
  // onerror). A server must leave a gap between its last progress and the result.
  await withClient(FIXTURES, async (c) => {
    const progress = [];
    await c.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, {
      ...REQ,
      onprogress: (p) => progress.push(p.progress),
    });
    assert.ok(progress.length >= 3, `progress callbacks: ${progress}`);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
  });
});

test("SDK client gets log notifications at level debug", T, async () => {
  const logs = [];
  await withClient(FIXTURES, async (c) => {
    await c.setLoggingLevel("debug", REQ);
    await c.callTool({ name: "test_tool_with_logging", arguments: {} }, undefined, REQ);
    assert.ok(logs.length >= 3, `logs: ${JSON.stringify(logs)}`);
  }, { setup: (c) => c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params)) });
});

test("sampling: test_sampling asks the client's model and returns its answer", T, async () => {
  const asked = [];
  await withClient(FIXTURES, async (c) => {
    const r = await c.callTool({ name: "test_sampling", arguments: { prompt: "Say hi" } }, undefined, REQ);
    assert.notEqual(r.isError, true, JSON.stringify(r));
    assert.match(textOf(r), /^LLM response: /);
    assert.ok(textOf(r).includes("hi from the e2e model"), textOf(r));
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0].messages[0], { role: "user", content: { type: "text", text: "Say hi" } });
    assert.equal(typeof asked[0].maxTokens, "number");
  }, {
    capabilities: { sampling: {} },
    setup: (c) => c.setRequestHandler(CreateMessageRequestSchema, (req) => {
      asked.push(req.params);
      return { model: "e2e-model", role: "assistant", content: { type: "text", text: "hi from the e2e model" } };
    }),
  });
});

test("elicitation: test_elicitation asks the user and returns the answer", T, async () => {
  const asked = [];
  await withClient(FIXTURES, async (c) => {
    const r = await c.callTool({ name: "test_elicitation", arguments: { message: "Who are you?" } }, undefined, REQ);
    assert.notEqual(r.isError, true, JSON.stringify(r));
    assert.match(textOf(r), /^User response: /);
    assert.equal(asked[0].message, "Who are you?");
    assert.deepEqual([...asked[0].requestedSchema.required].sort(), ["email", "username"]);
  }, {
    capabilities: { elicitation: {} },
    setup: (c) => c.setRequestHandler(ElicitRequestSchema, (req) => {
      asked.push(req.params);
      return { action: "accept", content: { username: "alice", email: "alice@example.com" } };
    }),
  });
});

test("elicitation: the SEP-1034 defaults and SEP-1330 enum schemas reach the client", T, async () => {
  const asked = [];
  await withClient(FIXTURES, async (c) => {
    await c.callTool({ name: "test_elicitation_sep1034_defaults", arguments: {} }, undefined, REQ);
    await c.callTool({ name: "test_elicitation_sep1330_enums", arguments: {} }, undefined, REQ);
    const d = asked[0].requestedSchema.properties;
    assert.equal(d.name.default, "John Doe");
    assert.equal(d.age.default, 30);
    assert.equal(d.score.default, 95.5);
    assert.equal(d.status.default, "active");
    assert.deepEqual(d.status.enum, ["active", "inactive", "pending"]);
    assert.equal(d.verified.default, true);
    const e = Object.values(asked[1].requestedSchema.properties);
    assert.ok(e.some((p) => Array.isArray(p.enum) && !p.enumNames), "untitled enum");
    assert.ok(e.some((p) => Array.isArray(p.oneOf)), "titled oneOf enum");
    assert.ok(e.some((p) => Array.isArray(p.enumNames)), "legacy enumNames");
    assert.ok(e.some((p) => p.type === "array" && Array.isArray(p.items?.enum)), "untitled multi-select");
    assert.ok(e.some((p) => p.type === "array" && Array.isArray(p.items?.anyOf)), "titled multi-select");
  }, {
    capabilities: { elicitation: {} },
    setup: (c) => c.setRequestHandler(ElicitRequestSchema, (req) => {
      asked.push(req.params);
      return { action: "decline" };
    }),
  });
});

test("sampling and elicitation tools return isError when the client lacks the capability", T, async () => {
  await withClient(FIXTURES, async (c) => {
    const s = await c.callTool({ name: "test_sampling", arguments: { prompt: "x" } }, undefined, REQ);
    assert.equal(s.isError, true, JSON.stringify(s));
    const e = await c.callTool({ name: "test_elicitation", arguments: { message: "x" } }, undefined, REQ);
    assert.equal(e.isError, true, JSON.stringify(e));
    await c.ping(REQ);
  });
});

test("a client error answer to sampling becomes an isError result", T, async () => {
  await withClient(FIXTURES, async (c) => {
    const r = await c.callTool({ name: "test_sampling", arguments: { prompt: "x" } }, undefined, REQ);
    assert.equal(r.isError, true, JSON.stringify(r));
    await c.ping(REQ);
  }, {
    capabilities: { sampling: {} },
    setup: (c) => c.setRequestHandler(CreateMessageRequestSchema, () => {
      throw new Error("the user refused sampling");
    }),
  });
});
