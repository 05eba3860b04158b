// Registries: paginated lists with opaque cursors in a stable order, resources (read, templates,
// subscribe), prompts and completion, with the conformance fixtures.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  withServer, listAll, FIXTURES, FIXTURE_TOOLS, FIXTURE_RESOURCES, FIXTURE_TEMPLATES, FIXTURE_PROMPTS,
  TEST_TIMEOUT,
} from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const PAGED = [...FIXTURES, "--page-size", "2"];

async function toolNames(args) {
  let names;
  await withServer(args, async (s) => {
    const { items, pages } = await listAll(s, "tools/list", "tools");
    names = items.map((t) => t.name);
    if (args.includes("--page-size")) {
      assert.equal(pages, Math.ceil(items.length / 2), "pages of 2");
    }
    // The same walk again in the same session gives the same order.
    const again = (await listAll(s, "tools/list", "tools")).items.map((t) => t.name);
    assert.deepEqual(again, names, "order changed between two walks in one session");
  });
  return names;
}

test("tools/list with --page-size 2 yields every fixture tool exactly once, in a stable order", T, async () => {
  const first = await toolNames(PAGED);
  for (const name of FIXTURE_TOOLS) {
    assert.equal(first.filter((n) => n === name).length, 1, `${name} in ${JSON.stringify(first)}`);
  }
  assert.equal(new Set(first).size, first.length, "a tool is listed twice");
  const second = await toolNames(PAGED);
  assert.deepEqual(second, first, "order differs between two runs");
  const unpaged = await toolNames(FIXTURES);
  assert.deepEqual(unpaged, first, "the default page size lists a different set or order");
});

test("tools/list pages hold 100 tools by default", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const first = await s.call("tools/list", {});
    const { items } = await listAll(s, "tools/list", "tools");
    assert.equal(first.tools.length, Math.min(100, items.length));
    assert.equal(first.nextCursor === undefined, items.length <= 100, "nextCursor iff more than one page");
    for (const name of FIXTURE_TOOLS) assert.ok(items.some((t) => t.name === name), `${name} missing`);
  });
});

test("every listed tool, resource and prompt carries the fields clients require", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const t of (await listAll(s, "tools/list", "tools")).items) {
      assert.match(t.name, /^[A-Za-z0-9_.-]{1,128}$/);
      assert.equal(typeof t.description, "string", `${t.name} description`);
      assert.equal(t.inputSchema?.type, "object", `${t.name} inputSchema`);
    }
    for (const r of (await listAll(s, "resources/list", "resources")).items) {
      assert.equal(typeof r.uri, "string");
      assert.equal(typeof r.name, "string", `${r.uri} name`);
    }
    for (const p of (await listAll(s, "prompts/list", "prompts")).items) {
      assert.equal(typeof p.name, "string");
      assert.equal(typeof p.description, "string", `${p.name} description`);
    }
  });
});

const LISTS = [
  ["resources/list", "resources", (r) => r.uri, FIXTURE_RESOURCES],
  ["resources/templates/list", "resourceTemplates", (t) => t.uriTemplate, FIXTURE_TEMPLATES],
  ["prompts/list", "prompts", (p) => p.name, FIXTURE_PROMPTS],
];
for (const [method, key, id, fixtures] of LISTS) {
  test(`${method} with --page-size 2 yields every fixture exactly once, in a stable order`, T, async () => {
    const walks = [];
    for (let run = 0; run < 2; run++) {
      await withServer(PAGED, async (s) => {
        const { items, pages } = await listAll(s, method, key);
        assert.equal(pages, Math.max(1, Math.ceil(items.length / 2)), "pages of 2");
        walks.push(items.map(id));
      });
    }
    for (const f of fixtures) assert.equal(walks[0].filter((x) => x === f).length, 1, `${f}: ${walks[0]}`);
    assert.deepEqual(walks[1], walks[0], "order differs between two runs");
  });
}

test("resources/read returns the static text resource", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.call("resources/read", { uri: "test://static-text" });
    assert.equal(r.contents.length, 1);
    assert.equal(r.contents[0].uri, "test://static-text");
    assert.equal(r.contents[0].mimeType, "text/plain");
    assert.equal(r.contents[0].text, "This is the content of the static text resource.");
  });
});

test("resources/read returns the static binary resource as a base64 PNG blob", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.call("resources/read", { uri: "test://static-binary" });
    const c = r.contents[0];
    assert.equal(c.mimeType, "image/png");
    assert.equal(typeof c.blob, "string");
    const bytes = Buffer.from(c.blob, "base64");
    assert.equal(bytes.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", "not a PNG");
  });
});

test("resources/read of a template URI returns content containing the id", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const id of ["123", "abc_9"]) {
      const r = await s.call("resources/read", { uri: `test://template/${id}/data` });
      const c = r.contents[0];
      assert.equal(c.uri, `test://template/${id}/data`);
      const body = c.text ?? Buffer.from(c.blob, "base64").toString();
      assert.ok(body.includes(id), `${id} not in ${body}`);
    }
  });
});

test("resources/read of an unknown URI is -32002", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const uri of ["test://no-such-resource", "test://template//data", "test://template/1/data/x", "nope"]) {
      const r = await s.request("resources/read", { uri });
      assert.equal(r.error?.code, -32002, `${uri}: ${JSON.stringify(r)}`);
    }
    const r = await s.request("resources/read", {});
    assert.equal(r.error?.code, -32602, `missing uri: ${JSON.stringify(r)}`);
    await s.assertAlive("unknown resources");
  });
});

test("resources/subscribe and unsubscribe answer {}", T, async () => {
  await withServer(FIXTURES, async (s) => {
    assert.deepEqual(await s.call("resources/subscribe", { uri: "test://watched-resource" }), {});
    assert.deepEqual(await s.call("resources/unsubscribe", { uri: "test://watched-resource" }), {});
  });
});

test("prompts/get returns the simple prompt", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.call("prompts/get", { name: "test_simple_prompt" });
    assert.equal(r.messages.length, 1);
    assert.equal(r.messages[0].role, "user");
    assert.deepEqual(r.messages[0].content, { type: "text", text: "This is a simple prompt for testing." });
  });
});

test("prompts/get substitutes arguments", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.call("prompts/get", {
      name: "test_prompt_with_arguments",
      arguments: { arg1: "hello", arg2: "world" },
    });
    assert.equal(r.messages[0].content.text, "Prompt with arguments: arg1='hello', arg2='world'");
  });
});

test("prompts/get without a required argument or with an unknown name is -32602", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const a = await s.request("prompts/get", { name: "test_prompt_with_arguments", arguments: { arg1: "x" } });
    assert.equal(a.error?.code, -32602, JSON.stringify(a));
    const b = await s.request("prompts/get", { name: "no_such_prompt" });
    assert.equal(b.error?.code, -32602, JSON.stringify(b));
    await s.assertAlive("bad prompts/get");
  });
});

test("prompts/get returns embedded resource and image prompts", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const e = await s.call("prompts/get", {
      name: "test_prompt_with_embedded_resource",
      arguments: { resourceUri: "test://example-resource" },
    });
    assert.ok(e.messages.some((m) => m.content.type === "resource" && m.content.resource.uri === "test://example-resource"),
      JSON.stringify(e));
    assert.ok(e.messages.some((m) => m.content.text === "Please process the embedded resource above."));
    const i = await s.call("prompts/get", { name: "test_prompt_with_image" });
    assert.ok(i.messages.some((m) => m.content.type === "image" && m.content.mimeType === "image/png"));
    assert.ok(i.messages.some((m) => m.content.text === "Please analyze the image above."));
  });
});

test("completion/complete answers a prompt argument with a values array", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.call("completion/complete", {
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "test" },
    });
    assert.ok(Array.isArray(r.completion?.values), JSON.stringify(r));
    assert.ok(r.completion.values.length <= 100);
    for (const v of r.completion.values) assert.equal(typeof v, "string");
  });
});

test("completion/complete for an unknown prompt is -32602", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.request("completion/complete", {
      ref: { type: "ref/prompt", name: "no_such_prompt" },
      argument: { name: "arg1", value: "" },
    });
    assert.equal(r.error?.code, -32602, JSON.stringify(r));
    const bad = await s.request("completion/complete", { ref: { type: "ref/nothing" }, argument: { name: "a", value: "" } });
    assert.equal(bad.error?.code, -32602, JSON.stringify(bad));
    await s.assertAlive("bad completion");
  });
});

test("a subscribed resource's change sends notifications/resources/updated, and only while subscribed", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const uri = "test://watched-resource";
    assert.deepEqual(await s.call("resources/subscribe", { uri }), {});
    let from = s.messages.length;
    await s.call("tools/call", { name: "test_update_resource", arguments: {} });
    const n = await s.waitFor((m) => m.method === "notifications/resources/updated", { from });
    assert.deepEqual(n.params, { uri });
    assert.deepEqual(await s.call("resources/unsubscribe", { uri }), {});
    from = s.messages.length;
    await s.call("tools/call", { name: "test_update_resource", arguments: {} });
    await s.assertAlive("an unsubscribed update");
    assert.deepEqual(s.since(from).filter((m) => m.method === "notifications/resources/updated"), []);
  });
});
