// tools/call: the fixture tools' content types, argument validation against the inputSchema (each
// violation an isError result naming the argument, SEP-1303), and structured output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withServer, listAll, FIXTURES, TEST_TIMEOUT, textOf, echoed } from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const call = (s, name, args = {}) => s.call("tools/call", { name, arguments: args });

test("test_simple_text returns its fixed text", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await call(s, "test_simple_text");
    assert.deepEqual(r.content, [{ type: "text", text: "This is a simple text response for testing." }]);
    assert.notEqual(r.isError, true);
  });
});

test("image, audio and embedded resource fixtures return their content types", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const img = (await call(s, "test_image_content")).content.find((c) => c.type === "image");
    assert.equal(img?.mimeType, "image/png");
    assert.equal(Buffer.from(img.data, "base64").subarray(1, 4).toString(), "PNG");
    const aud = (await call(s, "test_audio_content")).content.find((c) => c.type === "audio");
    assert.equal(aud?.mimeType, "audio/wav");
    assert.equal(Buffer.from(aud.data, "base64").subarray(0, 4).toString(), "RIFF");
    const res = (await call(s, "test_embedded_resource")).content.find((c) => c.type === "resource");
    assert.deepEqual(res?.resource, {
      uri: "test://embedded-resource",
      mimeType: "text/plain",
      text: "This is an embedded resource content.",
    });
    const mixed = (await call(s, "test_multiple_content_types")).content;
    assert.deepEqual(mixed.map((c) => c.type), ["text", "image", "resource"]);
    assert.equal(mixed[2].resource.uri, "test://mixed-content-resource");
    assert.deepEqual(JSON.parse(mixed[2].resource.text), { test: "data", value: 123 });
  });
});

test("test_error_handling returns an isError result, not a protocol error", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await call(s, "test_error_handling");
    assert.equal(r.isError, true);
    assert.equal(textOf(r), "This tool intentionally returns an error for testing");
  });
});

test("test_sleep sleeps the requested time and says so", T, async () => {
  await withServer(FIXTURES, async (s) => {
    let t0 = Date.now();
    assert.equal(textOf(await call(s, "test_sleep", { ms: 0 })), "slept 0 ms");
    t0 = Date.now();
    assert.equal(textOf(await call(s, "test_sleep", { ms: 300 })), "slept 300 ms");
    assert.ok(Date.now() - t0 >= 290, "returned before the sleep ended");
  });
});

test("test_sleep refuses ms outside 0..600000", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const v of [-1, 600001, 1.5, "10", null]) {
      const r = await call(s, "test_sleep", { ms: v });
      assert.equal(r.isError, true, `ms=${JSON.stringify(v)}: ${JSON.stringify(r)}`);
      assert.match(textOf(r), /\bms\b/);
    }
  });
});

test("tools/list describes test_schema with its input and output schemas", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const tool = (await listAll(s, "tools/list", "tools")).items.find((t) => t.name === "test_schema");
    const is = tool.inputSchema;
    assert.equal(is.type, "object");
    assert.equal(is.additionalProperties, false);
    assert.deepEqual([...is.required].sort(), ["count", "name"]);
    assert.deepEqual(is.properties.name, {
      ...is.properties.name,
      type: "string", minLength: 1, maxLength: 16, pattern: "^[a-z][a-z0-9_]*$",
    });
    assert.deepEqual(is.properties.count, { ...is.properties.count, type: "integer", minimum: 1, maximum: 100 });
    assert.deepEqual(is.properties.mode.enum, ["fast", "safe"]);
    assert.equal(is.properties.tags.type, "array");
    assert.equal(is.properties.tags.maxItems, 4);
    assert.equal(is.properties.tags.items.type, "string");
    assert.equal(is.properties.flag.type, "boolean");
    assert.equal(tool.outputSchema?.type, "object");
    assert.deepEqual(tool.outputSchema.required, ["received"]);
  });
});

test("a valid test_schema call returns structuredContent echoing the arguments and its JSON as text", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const args of [
      { name: "a", count: 1 },
      { name: "node_1", count: 100, mode: "safe", tags: ["x", "y", "", "\u00fc"], flag: false },
    ]) {
      const r = await call(s, "test_schema", args);
      assert.notEqual(r.isError, true, JSON.stringify(r));
      assert.deepEqual(echoed(r.structuredContent), args);
      assert.deepEqual(JSON.parse(textOf(r)), r.structuredContent, "text is not the structuredContent JSON");
    }
  });
});

// Each invalid argument set, and the argument its error text must name.
const INVALID = [
  [{ name: "abc", count: "3" }, "count"],
  [{ name: "abc", count: 3.5 }, "count"],
  [{ name: "abc", count: 0 }, "count"],
  [{ name: "abc", count: 101 }, "count"],
  [{ name: "abc" }, "count"],
  [{ count: 3 }, "name"],
  [{ name: "", count: 3 }, "name"],
  [{ name: "a".repeat(17), count: 3 }, "name"],
  [{ name: "Abc", count: 3 }, "name"],
  [{ name: "1abc", count: 3 }, "name"],
  [{ name: 7, count: 3 }, "name"],
  [{ name: "abc", count: 3, mode: "slow" }, "mode"],
  [{ name: "abc", count: 3, tags: ["a", "b", "c", "d", "e"] }, "tags"],
  [{ name: "abc", count: 3, tags: ["a", 1] }, "tags"],
  [{ name: "abc", count: 3, tags: "a" }, "tags"],
  [{ name: "abc", count: 3, flag: "true" }, "flag"],
  [{ name: "abc", count: 3, extra: 1 }, "extra"],
];

test("each inputSchema violation is an isError result naming the argument", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const wrong = [];
    for (const [args, arg] of INVALID) {
      const r = await s.request("tools/call", { name: "test_schema", arguments: args });
      if (r.error) {
        wrong.push(`${JSON.stringify(args)}: protocol error ${JSON.stringify(r.error)}`);
      } else if (r.result.isError !== true) {
        wrong.push(`${JSON.stringify(args)}: accepted (${JSON.stringify(r.result)})`);
      } else if (!textOf(r.result).includes(arg)) {
        wrong.push(`${JSON.stringify(args)}: text does not name '${arg}': ${textOf(r.result)}`);
      } else if (r.result.structuredContent !== undefined) {
        wrong.push(`${JSON.stringify(args)}: an error result carries structuredContent`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

test("arguments that are not an object are refused with -32602 or an isError result", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const args of [[1, 2], "x", 5]) {
      const r = await s.request("tools/call", { name: "test_schema", arguments: args });
      assert.ok(r.error?.code === -32602 || r.result?.isError === true, JSON.stringify(r));
    }
    const r = await s.request("tools/call", { arguments: {} });
    assert.equal(r.error?.code, -32602, `missing name: ${JSON.stringify(r)}`);
    await s.assertAlive("non-object arguments");
  });
});

test("a tool without arguments accepts a missing arguments member", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.call("tools/call", { name: "test_simple_text" });
    assert.equal(textOf(r), "This is a simple text response for testing.");
  });
});
