// The error contract over stdio: each bad input gets its exact JSON-RPC error (code, id, message), and the
// session still answers ping afterwards. Notifications are never answered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withServer, FIXTURES, TEST_TIMEOUT, WAIT, ms, sleep, textOf } from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };

// Send one raw line; wait for the next error response with the expected id; check code and message.
async function expectError(s, line, { id = null, code, message }) {
  const from = s.messages.length;
  s.send(line);
  const r = await s.waitFor((m) => !("method" in m) && "error" in m && m.id === id, {
    from,
    what: `error response (id ${JSON.stringify(id)}) to ${String(line).slice(0, 80)}`,
  });
  assert.equal(r.jsonrpc, "2.0");
  assert.equal(r.error.code, code, JSON.stringify(r));
  assert.equal(typeof r.error.message, "string");
  if (message instanceof RegExp) assert.match(r.error.message, message);
  else if (message !== undefined) assert.equal(r.error.message, message);
  return r;
}

// Each case: a line to send and the error it must get.
const CASES = [
  {
    name: "a garbage line is -32700 Parse error with id null",
    line: "this is not json at all",
    want: { code: -32700, message: /^Parse error/ },
  },
  {
    name: "unterminated JSON is -32700 Parse error with id null",
    line: '{"jsonrpc":"2.0","id":1,"method":"ping"',
    want: { code: -32700, message: /^Parse error/ },
  },
  {
    name: "a null id is -32600 Invalid Request with id null",
    line: '{"jsonrpc":"2.0","id":null,"method":"ping"}',
    want: { code: -32600, message: /^Invalid Request/ },
  },
  {
    name: "an object id is -32600 Invalid Request with id null",
    line: '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
    want: { code: -32600, message: /^Invalid Request/ },
  },
  {
    name: "an array id is -32600 Invalid Request with id null",
    line: '{"jsonrpc":"2.0","id":[1],"method":"ping"}',
    want: { code: -32600, message: /^Invalid Request/ },
  },
  {
    name: "a batch array is -32600 Invalid Request mentioning batch",
    line: '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]',
    want: { code: -32600, message: /^Invalid Request.*batch/i },
  },
  {
    name: "an empty batch array is -32600 Invalid Request",
    line: "[]",
    want: { code: -32600, message: /^Invalid Request/ },
  },
  {
    name: "a JSON scalar is -32600 Invalid Request",
    line: "42",
    want: { code: -32600, message: /^Invalid Request/ },
  },
  {
    name: "an unknown method is -32601 with the request id",
    line: '{"jsonrpc":"2.0","id":77,"method":"no/such_method"}',
    want: { id: 77, code: -32601, message: "Method not found: no/such_method" },
  },
  {
    name: "a missing jsonrpc member is -32600 Invalid Request",
    line: '{"id":5,"method":"ping"}',
    want: { code: -32600, message: /^Invalid Request/, anyId: 5 },
  },
  {
    name: "a wrong jsonrpc version is -32600 Invalid Request",
    line: '{"jsonrpc":"1.0","id":6,"method":"ping"}',
    want: { code: -32600, message: /^Invalid Request/, anyId: 6 },
  },
  {
    name: "a missing method is -32600 Invalid Request",
    line: '{"jsonrpc":"2.0","id":8}',
    want: { code: -32600, message: /^Invalid Request/, anyId: 8 },
  },
  {
    name: "a non-string method is -32600 Invalid Request",
    line: '{"jsonrpc":"2.0","id":9,"method":42}',
    want: { code: -32600, message: /^Invalid Request/, anyId: 9 },
  },
];

for (const c of CASES) {
  test(c.name, T, async () => {
    await withServer(FIXTURES, async (s) => {
      if (c.want.anyId !== undefined) {
        // The id is readable here; JSON-RPC 2.0 §5 wants it echoed, null is tolerated.
        const from = s.messages.length;
        s.send(c.line);
        const r = await s.waitFor((m) => "error" in m && (m.id === c.want.anyId || m.id === null), { from });
        assert.equal(r.error.code, c.want.code, JSON.stringify(r));
        assert.match(r.error.message, c.want.message);
      } else {
        await expectError(s, c.line, c.want);
      }
      await s.assertAlive(c.name);
    });
  });
}

test("a 10 MiB line is -32600 'message exceeds' with id null and the session goes on", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const pad = "x".repeat(10 * 1024 * 1024);
    const line = `{"jsonrpc":"2.0","id":1000,"method":"ping","params":{"pad":"${pad}"}}`;
    const from = s.messages.length;
    await s.write(line + "\n");
    const r = await s.waitFor((m) => "error" in m, { from, timeout: ms(30_000), what: "error for the 10 MiB line" });
    assert.equal(r.id, null, JSON.stringify(r));
    assert.equal(r.error.code, -32600);
    assert.match(r.error.message, /^Invalid Request: message exceeds/);
    await s.assertAlive("a 10 MiB line");
    // And exactly one error for it: no fragments of the huge line parsed as further messages.
    await sleep(ms(200));
    assert.equal(s.since(from).filter((m) => "error" in m).length, 1, JSON.stringify(s.since(from)));
  });
});

test("a line just over --max-message-size is refused and one just under is served", T, async () => {
  await withServer([...FIXTURES, "--max-message-size", "1024"], async (s) => {
    const make = (n) => {
      const head = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"';
      const tail = '"}}';
      return head + "y".repeat(n - head.length - tail.length) + tail;
    };
    const from = s.messages.length;
    s.send(make(2048));
    const r = await s.waitFor((m) => "error" in m, { from });
    assert.equal(r.error.code, -32600);
    assert.match(r.error.message, /^Invalid Request: message exceeds/);
    const ok = await s.request("ping", { pad: "z".repeat(500) });
    assert.deepEqual(ok.result, {});
  });
});

test("an unknown tool is -32602 'Unknown tool: <name>'", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.request("tools/call", { name: "no_such_tool", arguments: {} });
    assert.equal(r.error?.code, -32602, JSON.stringify(r));
    assert.equal(r.error.message, "Unknown tool: no_such_tool");
    await s.assertAlive("an unknown tool");
  });
});

test("a wrong argument type is an isError result naming the argument", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.call("tools/call", { name: "test_schema", arguments: { name: "abc", count: "three" } });
    assert.equal(r.isError, true, JSON.stringify(r));
    assert.match(textOf(r), /count/);
    assert.match(textOf(r), /integer/);
    await s.assertAlive("a wrong argument type");
  });
});

test("a missing required argument is an isError result naming it", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const r = await s.call("tools/call", { name: "test_schema", arguments: { count: 3 } });
    assert.equal(r.isError, true, JSON.stringify(r));
    assert.match(textOf(r), /required/i);
    assert.match(textOf(r), /'name'|"name"|\bname\b/);
    await s.assertAlive("a missing required argument");
  });
});

for (const method of ["tools/list", "resources/list", "resources/templates/list", "prompts/list"]) {
  test(`a bad cursor on ${method} is -32602 mentioning the cursor`, T, async () => {
    await withServer(FIXTURES, async (s) => {
      for (const cursor of ["not-a-cursor!", "", "AAAAAAAAAAAAAAAAAAAA"]) {
        const r = await s.request(method, { cursor });
        assert.equal(r.error?.code, -32602, `cursor ${JSON.stringify(cursor)}: ${JSON.stringify(r)}`);
        assert.match(r.error.message, /cursor/i);
      }
      const r = await s.request(method, { cursor: 12 });
      assert.equal(r.error?.code, -32602, `numeric cursor: ${JSON.stringify(r)}`);
      await s.assertAlive("a bad cursor");
    });
  });
}

test("an invalid log level is -32602 mentioning the level", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const level of ["loud", "DEBUG", "", 3]) {
      const r = await s.request("logging/setLevel", { level });
      assert.equal(r.error?.code, -32602, `level ${JSON.stringify(level)}: ${JSON.stringify(r)}`);
      assert.match(r.error.message, /level/i);
    }
    const r = await s.request("logging/setLevel", {});
    assert.equal(r.error?.code, -32602, `missing level: ${JSON.stringify(r)}`);
    await s.assertAlive("an invalid log level");
  });
});

test("notifications never get a reply, even unknown or malformed ones", T, async () => {
  await withServer(FIXTURES, async (s) => {
    const from = s.messages.length;
    s.notify("notifications/no_such_thing", { x: 1 });
    s.notify("no/such_method");
    s.notify("notifications/initialized");
    s.notify("notifications/cancelled", { requestId: 424242 });
    s.notify("notifications/cancelled", { bogus: true });
    s.notify("notifications/cancelled");
    s.notify("tools/call", { name: "no_such_tool" });
    s.notify("ping");
    await s.assertAlive("notifications");
    await sleep(ms(300));
    const extra = s.since(from).filter((m) => m.id !== s.nextId - 1);
    assert.deepEqual(extra, [], "a notification was answered");
  });
});

test("a malformed message without an id is -32600 with id null (JSON-RPC 2.0 section 7)", T, async () => {
  // Not a notification: it is no valid Request object at all (the spec's own example,
  // {"jsonrpc":"2.0","method":1,"params":"bar"}, is answered with -32600 and id null).
  await withServer(FIXTURES, async (s) => {
    for (const line of ['{"jsonrpc":"2.0","method":1,"params":"bar"}',
                        '{"jsonrpc":"2.0","method":"notifications/roots/list_changed","params":"x"}']) {
      await expectError(s, line, { code: -32600, message: /^Invalid Request/ });
    }
    await s.assertAlive("malformed notifications");
  });
});

test("one session survives every bad input in turn", T, async () => {
  await withServer(FIXTURES, async (s) => {
    for (const c of CASES) {
      const from = s.messages.length;
      s.send(c.line);
      await s.waitFor((m) => "error" in m, { from, what: `error for: ${c.name}` });
    }
    await s.write("x".repeat(5 * 1024 * 1024) + "\n");
    const r = await s.waitFor((m) => m.error?.message?.startsWith("Invalid Request: message exceeds"), {
      timeout: ms(30_000),
    });
    assert.equal(r.id, null);
    const sc = await s.call("tools/call", { name: "test_schema", arguments: { name: 5, count: 0 } });
    assert.equal(sc.isError, true);
    await s.assertAlive("every bad input");
    const t = await s.call("tools/call", { name: "test_simple_text", arguments: {} });
    assert.equal(textOf(t), "This is a simple text response for testing.");
  });
});

test("a CRLF line end is tolerated and blank lines do not end the session", T, async () => {
  await withServer(FIXTURES, async (s) => {
    await s.write("\n\n");
    await s.write('{"jsonrpc":"2.0","id":"crlf","method":"ping"}\r\n');
    const r = await s.response("crlf", { timeout: WAIT });
    assert.deepEqual(r.result, {});
    await s.assertAlive("blank lines");
  });
});
