// Live resource updates from the node's events (issue 16 item 3), against the simulator: with
// --events-listen the server subscribes itself to the node's events (event_subscribe with an
// expire, renewed, removed with expire 0 on exit); an SDK client subscribed to
// opensips://{node}/dialogs gets notifications/resources/updated when a dialog ends, over stdio
// and over HTTP (the session's GET stream); events in one interval are coalesced into one
// notification; nothing comes without a subscription or after unsubscribe; malformed datagrams
// are ignored; bad --events-listen values and too many subscriptions are refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { withClient, REQ, types } from "./lib/sdk.mjs";
import { connectHttp, types as httpTypes } from "./lib/sdk-http.mjs";
import { TEST_TIMEOUT, ms, sleep } from "./lib/raw.mjs";
import { HttpServer, freePort, runToExit } from "./lib/http.mjs";
import { startSim, control, requests, clearRequests, stopAll } from "./lib/sim.mjs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WAIT = ms(5_000); // bound on a notification or a subscription showing on the simulator
const DIALOGS = "opensips://default/dialogs";
// The events the default toolsets' resources watch, in the order of the resource rows
// (src/resources/resources.c): status, dispatcher, dialogs, registrations.
const EVENTS = ["E_CORE_SHM_THRESHOLD", "E_CORE_PKG_THRESHOLD", "E_DISPATCHER_STATUS", "E_DLG_STATE_CHANGED",
  "E_UL_AOR_INSERT", "E_UL_AOR_DELETE", "E_UL_CONTACT_INSERT", "E_UL_CONTACT_DELETE", "E_UL_CONTACT_UPDATE"];
const LAST = EVENTS.at(-1); // the last event of the server's round
let sim;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "opensips-mcp-t1610-"));
  sim = await startSim({ name: "events", log: join(dir, "requests.jsonl"), extra: ["--dlg-linger-ms", "60000"] });
});
after(() => stopAll());

const args = (port, extra = []) => [
  "--mi-url", sim.url, "--events-listen", `127.0.0.1:${port}`, "--events-interval-ms", "300", ...extra,
];

// Poll until fn() returns a truthy value, or fail after WAIT.
async function until(fn, what) {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const subscribers = () => control(sim, "sim:subscribers");
const ours = async (port) => (await subscribers()).filter((s) => s.socket === `127.0.0.1:${port}`);
const raise = (params = { callid: "c1", old_state: 4, new_state: 5 }) =>
  control(sim, "sim:raise", { event: "E_DLG_STATE_CHANGED", params });

function collector() {
  const got = [];
  const setup = (schema) => (client) =>
    client.setNotificationHandler(schema, (n) => got.push(n.params.uri));
  return { got, setup };
}

test("stdio: subscribed to the node, notified once per interval, silent without a subscription", { timeout: TEST_TIMEOUT }, async () => {
  const port = await freePort();
  const c = collector();
  await control(sim, "sim:reset");
  clearRequests(sim);
  await withClient(args(port, ["--events-expire-s", "2"]), async (client) => {
    // the server subscribed its socket to the node's events, with the expire it was given
    const subs = await until(async () => {
      const s = await ours(port);
      return s.some((x) => x.event === LAST) && s; // the last of the server's round
    }, "the server's subscription on the simulator");
    assert.ok(subs.every((s) => s.expire === 2), JSON.stringify(subs));
    assert.deepEqual(subs.map((s) => s.event).sort(), [...EVENTS].sort(), JSON.stringify(subs));

    // the resource is listed and readable
    const { resourceTemplates } = await client.listResourceTemplates(undefined, REQ);
    assert.ok(resourceTemplates.some((t) => t.uriTemplate === "opensips://{node}/dialogs"));
    const read = await client.readResource({ uri: DIALOGS }, REQ);
    assert.equal(read.contents[0].mimeType, "application/json");
    const body = JSON.parse(read.contents[0].text);
    assert.ok(Array.isArray(body.dialogs) && body.count === body.dialogs.length, read.contents[0].text.slice(0, 200));
    assert.equal(Object.values(body.by_state).reduce((a, b) => a + b, 0), body.count);

    // no subscription: an event brings nothing
    assert.equal((await raise()).sent, 1);
    await sleep(ms(900));
    assert.deepEqual(c.got, []);

    // subscribed: a real dialog end (through MI) is heard
    await client.subscribeResource({ uri: DIALOGS }, REQ);
    const list = await control(sim, "dialog:list");
    const d = list.Dialogs.find((x) => x.state === 4);
    assert.ok(d, JSON.stringify(list).slice(0, 300));
    await control(sim, "dialog:end_dlg", { dialog_id: d.ID });
    await until(() => c.got.length > 0, "the notification of the ended dialog");
    assert.deepEqual(c.got, [DIALOGS]);

    // twenty events at once: coalesced into one notification (two if they straddle a flush)
    await sleep(ms(700));
    c.got.length = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => raise({ callid: `burst-${i}` })));
    await until(() => c.got.length > 0, "the burst's notification");
    await sleep(ms(900));
    assert.ok(c.got.length >= 1 && c.got.length <= 2, `${c.got.length} notifications: ${c.got}`);
    assert.ok(c.got.every((u) => u === DIALOGS));

    // renewed before expiry: more subscribe requests than the first round, and still subscribed
    await sleep(ms(2_500));
    const subscribes = requests(sim, "evi:subscribe").filter((r) => r.params?.expire === 2);
    const first = subs.length;
    assert.ok(subscribes.length >= 2 * first, `${subscribes.length} subscribe requests, ${first} events`);
    assert.ok((await ours(port)).some((x) => x.event === "E_DLG_STATE_CHANGED"));

    // unsubscribed: silent again
    await client.unsubscribeResource({ uri: DIALOGS }, REQ);
    await sleep(ms(400));
    c.got.length = 0;
    await raise();
    await sleep(ms(900));
    assert.deepEqual(c.got, []);
  }, { setup: c.setup(types.ResourceUpdatedNotificationSchema) });

  // on exit the server removed its subscriptions (expire 0), and the node drops them
  const removals = requests(sim, "evi:subscribe").filter((r) => r.params?.expire === 0);
  assert.ok(removals.length >= EVENTS.length, `${removals.length} unsubscriptions`);
  await sleep(1100); // expire 0 lapses from the next second on (evi/event_interface.c)
  assert.deepEqual(await ours(port), []);
});

test("stdio: malformed datagrams are ignored, a good one after them still notifies", { timeout: TEST_TIMEOUT }, async () => {
  const port = await freePort();
  const c = collector();
  await withClient(args(port), async (client) => {
    await until(async () => (await ours(port)).length > 0, "the subscription");
    await client.subscribeResource({ uri: DIALOGS }, REQ);
    const sock = createSocket("udp4");
    const bad = [
      "not json",
      "[".repeat(100) + "]".repeat(100),
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "E_DLG_STATE_CHANGED", params: {} }), // a request
      JSON.stringify({ jsonrpc: "2.0", method: "dlg_list", params: {} }), // not an event name
      JSON.stringify({ jsonrpc: "2.0", method: "E_DLG_STATE_CHANGED", params: [1, 2] }), // params not an object
      JSON.stringify({ jsonrpc: "2.0", method: "E_NOT_MAPPED", params: {} }), // an event we do not map
      "",
    ];
    for (const b of bad) await new Promise((r) => sock.send(Buffer.from(b), port, "127.0.0.1", r));
    await sleep(ms(900));
    assert.deepEqual(c.got, [], "a malformed datagram was taken for an event");
    await new Promise((r) => sock.send(Buffer.from(JSON.stringify({ jsonrpc: "2.0", method: "E_DLG_STATE_CHANGED", params: { callid: "x" } })), port, "127.0.0.1", r));
    sock.close();
    await until(() => c.got.length > 0, "the notification after the bad datagrams");
    assert.deepEqual(c.got, [DIALOGS]);
  }, { setup: c.setup(types.ResourceUpdatedNotificationSchema) });
});

test("http: the notification arrives on the session's GET stream, only for the subscribed session", { timeout: TEST_TIMEOUT }, async () => {
  const port = await freePort();
  const server = await HttpServer.start(args(port));
  const a = collector(), b = collector();
  try {
    const ca = await connectHttp(server.url, { setup: a.setup(httpTypes.ResourceUpdatedNotificationSchema) });
    const cb = await connectHttp(server.url, { setup: b.setup(httpTypes.ResourceUpdatedNotificationSchema) });
    await until(async () => (await ours(port)).length > 0, "the subscription");
    await ca.client.subscribeResource({ uri: DIALOGS }, REQ);
    // the SDK opens the GET stream on its own after initialize: raise until it is there
    await until(async () => {
      await raise();
      await sleep(ms(400));
      return a.got.length > 0;
    }, "the notification on the GET stream");
    assert.ok(a.got.every((u) => u === DIALOGS));
    assert.deepEqual(b.got, [], "a session that did not subscribe was notified");
    await ca.close();
    await cb.close();
  } finally {
    await server.stop();
  }
  await until(async () => {
    await sleep(200);
    return (await ours(port)).length === 0;
  }, "the unsubscription on SIGTERM");
});

test("bad --events-listen values are configuration errors (exit 2)", { timeout: TEST_TIMEOUT }, async () => {
  for (const [value, re] of [
    ["nowhere", /not ADDR:PORT/],
    ["[::1]:4711", /not an IPv4 address/],
    ["0.0.0.0:4711", /not\s+0\.0\.0\.0/],
    ["127.0.0.1:70000", /port must be 0 to 65535/],
    ["127.0.0.1:", /port must be 0 to 65535/],
  ]) {
    const r = await runToExit(["--mi-url", sim.url, "--events-listen", value]);
    assert.equal(r.code, 2, `${value}: ${r.stderr}`);
    assert.match(r.stderr, re, value);
  }
  // the port taken by someone else
  const sock = createSocket("udp4");
  await new Promise((r) => sock.bind(0, "127.0.0.1", r));
  const r = await runToExit(["--mi-url", sim.url, "--events-listen", `127.0.0.1:${sock.address().port}`]);
  sock.close();
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+ for node default/);
});

test("a session may follow at most 256 resources", { timeout: TEST_TIMEOUT }, async () => {
  const port = await freePort();
  await withClient(args(port), async (client) => {
    for (let i = 0; i < 256; i++) await client.subscribeResource({ uri: `opensips://n${i}/dialogs` }, REQ);
    await client.subscribeResource({ uri: "opensips://n0/dialogs" }, REQ); // again: not a new one
    await assert.rejects(client.subscribeResource({ uri: "opensips://n256/dialogs" }, REQ), /already follows 256 resources/);
    await client.unsubscribeResource({ uri: "opensips://n0/dialogs" }, REQ);
    await client.subscribeResource({ uri: "opensips://n256/dialogs" }, REQ);
    // a URI of 2049 bytes is refused, one of 2048 would be taken (were there room)
    const long = (n) => `opensips://${"x".repeat(n - "opensips:///dialogs".length)}/dialogs`;
    await assert.rejects(client.subscribeResource({ uri: long(2049) }, REQ), /at most 2048 bytes; this one has 2049/);
    await assert.rejects(client.subscribeResource({ uri: long(2048) }, REQ), /already follows 256 resources/);
  });
});

// The simulator's Event Interface refuses what OpenSIPS refuses (evi/event_interface.c).
test("the simulator's evi:subscribe: unknown event, bad socket, negative expire", { timeout: TEST_TIMEOUT }, async () => {
  const mi = async (params) => {
    const r = await fetch(sim.url, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evi:subscribe", params }),
    });
    return r.json();
  };
  const ok = await mi({ event: "E_PIKE_BLOCKED", socket: "udp:127.0.0.1:9", expire: 0 });
  assert.equal(ok.result, "OK");
  for (const params of [
    { event: "E_NO_SUCH_EVENT", socket: "udp:127.0.0.1:9" },
    { event: "E_PIKE_BLOCKED", socket: "sctp:127.0.0.1:9" },
    { event: "E_PIKE_BLOCKED", socket: "udp:127.0.0.1" },
    { event: "E_PIKE_BLOCKED", socket: "udp:127.0.0.1:0" },
    { event: "E_PIKE_BLOCKED", socket: "udp:not-an-ip:9" },
  ]) assert.deepEqual((await mi(params)).error, { code: 400, message: "Bad parameter value" }, JSON.stringify(params));
  assert.equal((await mi({ event: "E_PIKE_BLOCKED", socket: "udp:127.0.0.1:9", expire: -1 })).error.code, -32602);
  assert.equal((await mi({ event: "E_PIKE_BLOCKED" })).error.code, -32602);
});

test("3.6: the server subscribes with event_subscribe, and a usrloc change is heard", { timeout: TEST_TIMEOUT }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "opensips-mcp-t1610-36-"));
  const s36 = await startSim({ name: "3.6", log: join(dir, "requests.jsonl"), extra: ["--opensips", "3.6"] });
  const port = await freePort();
  const c = collector();
  await withClient(["--mi-url", s36.url, "--events-listen", `127.0.0.1:${port}`, "--events-interval-ms", "300"], async (client) => {
    await until(async () => (await control(s36, "sim:subscribers")).some((x) => x.event === LAST), "the 3.6 subscription");
    assert.ok(requests(s36, "event_subscribe").length >= EVENTS.length);
    await client.subscribeResource({ uri: DIALOGS }, REQ);
    // a contact added through MI raises E_UL_AOR_INSERT and E_UL_CONTACT_INSERT as event_datagram
    // sends them (seen on a socket of our own), and does not notify the dialogs
    const sock = createSocket("udp4");
    const seen = [];
    sock.on("message", (b) => seen.push(JSON.parse(b.toString())));
    await new Promise((r) => sock.bind(0, "127.0.0.1", r));
    for (const event of ["E_UL_AOR_INSERT", "E_UL_CONTACT_INSERT"])
      assert.equal(await control(s36, "event_subscribe", { event, socket: `udp:127.0.0.1:${sock.address().port}` }), "OK");
    const added = await control(s36, "ul_add", { table_name: "location", aor: "t1610@example.com", contact: "sip:t1610@192.0.2.9", expires: 60, q: 1, flags: 0, cflags: 0, methods: 0 });
    assert.equal(added, "OK");
    await until(() => seen.length >= 2, "the usrloc events");
    sock.close();
    // the AOR as usrloc keeps it: without the domain (use_domain off, as the recordings were made)
    assert.deepEqual(seen, [
      { jsonrpc: "2.0", method: "E_UL_AOR_INSERT", params: { domain: "location", aor: "t1610" } },
      { jsonrpc: "2.0", method: "E_UL_CONTACT_INSERT", params: { domain: "location", aor: "t1610", uri: "sip:t1610@192.0.2.9" } },
    ]);
    await sleep(ms(700));
    assert.deepEqual(c.got, [], "a registration change notified the dialogs");
    const d = (await control(s36, "dlg_list")).Dialogs.find((x) => x.state === 4);
    await control(s36, "dlg_end_dlg", { dialog_id: d.ID });
    await until(() => c.got.length > 0, "the dialogs notification on 3.6");
  }, { setup: c.setup(types.ResourceUpdatedNotificationSchema) });
});

test("gateway states on the simulator: dispatcher, drouting and load_balancer notify their resource once per real change", { timeout: TEST_TIMEOUT }, async () => {
  const port = await freePort();
  const c = collector();
  await control(sim, "sim:reset");
  const uris = ["dispatcher", "drouting", "load_balancer"].map((r) => `opensips://default/${r}`);
  await withClient(args(port, ["--toolsets", "dispatcher,routing"]), async (client) => {
    await until(async () => (await ours(port)).some((x) => x.event === "E_LOAD_BALANCER_STATUS"), "the gateway subscriptions");
    for (const uri of uris) await client.subscribeResource({ uri }, REQ);
    const set = (await control(sim, "dispatcher:list")).PARTITIONS[0].SETS[0];
    const dst = set.Destinations[0];
    const gw = (await control(sim, "drouting:gw_status")).Gateways[0];
    const lb = (await control(sim, "load_balancer:list")).Destinations[0];
    const change = async (on) => {
      await control(sim, "dispatcher:set_state", { state: on ? "a" : "i", group: set.id, address: dst.URI });
      await control(sim, "drouting:gw_status", { gw_id: gw.ID, status: on ? 1 : 0 });
      await control(sim, "load_balancer:status", { destination_id: lb.id, new_status: on ? 1 : 0 });
    };
    // a real change: each resource hears of it, and reads the new state
    await change(false);
    await until(() => c.got.length >= 3, "the three notifications");
    assert.deepEqual([...c.got].sort(), [...uris].sort());
    const read = async (uri) => JSON.parse((await client.readResource({ uri }, REQ)).contents[0].text);
    assert.match(JSON.stringify(await read(uris[0])), /"state":"Inactive"/);
    assert.match(JSON.stringify(await read(uris[1])), /"State":"Disabled MI"/);
    assert.match(JSON.stringify(await read(uris[2])), /"enabled":"no"/);
    // the same state again is no change: the node raises nothing, so nothing is heard
    await sleep(ms(700));
    c.got.length = 0;
    await change(false);
    await sleep(ms(900));
    assert.deepEqual(c.got, []);
    await change(true);
    await until(() => c.got.length >= 3, "the three notifications of the way back");
  }, { setup: c.setup(types.ResourceUpdatedNotificationSchema) });
});

test("a node that restarts is subscribed again within seconds, not at the next renewal", { timeout: TEST_TIMEOUT }, async () => {
  const port = await freePort();
  const c = collector();
  await control(sim, "sim:reset");
  await withClient(args(port), async (client) => { // the default expiry: renewed only after 300 s
    await until(async () => (await ours(port)).some((x) => x.event === LAST), "the subscription");
    await client.subscribeResource({ uri: DIALOGS }, REQ);
    await sleep(ms(1100)); // "Up since" has a resolution of a second
    await control(sim, "sim:restart");
    assert.deepEqual(await ours(port), [], "a restarted node keeps no subscribers");
    // probed every 5 s: the node lists the server again well before any renewal
    const deadline = Date.now() + ms(15_000);
    while (!(await ours(port)).some((x) => x.event === LAST)) {
      if (Date.now() > deadline) assert.fail("not subscribed again after the restart");
      await sleep(100);
    }
    // and the events reach the client again
    const d = (await control(sim, "dialog:list")).Dialogs.find((x) => x.state === 4);
    await control(sim, "dialog:end_dlg", { dialog_id: d.ID });
    await until(() => c.got.includes(DIALOGS), "the notification after the restart");
  }, { setup: c.setup(types.ResourceUpdatedNotificationSchema) });
});

test("opensips://{node}/registrations/{aor}: read, and notified when the AOR registers or goes", { timeout: TEST_TIMEOUT }, async () => {
  const port = await freePort();
  const c = collector();
  const aor = "t1610-reg@example.com"; // kept whole by the 4.0 profile's usrloc
  const uri = "opensips://default/registrations/t1610-reg%40example.com"; // {aor} percent-encoded
  await control(sim, "sim:reset");
  await withClient(args(port), async (client) => {
    await until(async () => (await ours(port)).some((x) => x.event === LAST), "the subscription");
    // not registered yet: no contacts
    let r = await client.readResource({ uri }, REQ);
    assert.deepEqual(JSON.parse(r.contents[0].text), { AOR: aor, Contacts: [] });
    await client.subscribeResource({ uri }, REQ);
    await control(sim, "usrloc:add", { table_name: "location", aor, contact: "sip:t1610@192.0.2.7", expires: 60, q: 1, flags: 0, cflags: 0, methods: 0 });
    await until(() => c.got.length > 0, "the registration's notification");
    assert.deepEqual(c.got, [uri]);
    r = await client.readResource({ uri }, REQ);
    assert.equal(JSON.parse(r.contents[0].text).Contacts.length, 1, r.contents[0].text);
    await sleep(ms(700));
    c.got.length = 0;
    await control(sim, "usrloc:rm", { table_name: "location", aor });
    await until(() => c.got.length > 0, "the removal's notification");
    assert.deepEqual(c.got, [uri]);
    // an AOR that is not percent-encoded text, and an unknown node, are errors that say so
    await assert.rejects(client.readResource({ uri: "opensips://default/registrations/a%4" }, REQ), /badly percent-encoded/);
    await assert.rejects(client.readResource({ uri: "opensips://default/registrations/a%00b" }, REQ), /badly percent-encoded/);
    await assert.rejects(client.readResource({ uri: "opensips://nosuch/dialogs" }, REQ), /nosuch/);
  }, { setup: c.setup(types.ResourceUpdatedNotificationSchema) });
});

test("a node that does not answer: retried, and it never holds the exit", { timeout: TEST_TIMEOUT }, async () => {
  const slow = await startSim({ name: "slow" });
  const port = await freePort();
  // the first subscribe request gets no answer: the server gives up on it (--mi-timeout-ms),
  // retries at half the expiry (1 s here), and then subscribes
  await control(slow, "sim:fault", { kind: "drop", command: "evi:subscribe", count: 1 });
  await withClient(["--mi-url", slow.url, "--mi-timeout-ms", "500", "--events-listen", `127.0.0.1:${port}`, "--events-expire-s", "2"], async () => {
    await until(async () => (await control(slow, "sim:subscribers")).some((x) => x.event === LAST), "the retried subscription");
  });
  // every subscribe request unanswered, MI calls allowed a minute: the exit is not held by the
  // one in progress (withClient's close asserts the exit on EOF, before the SDK's SIGTERM at 2 s)
  await control(slow, "sim:clear_faults");
  await control(slow, "sim:fault", { kind: "drop", command: "evi:subscribe" });
  const port2 = await freePort();
  await withClient(["--mi-url", slow.url, "--mi-timeout-ms", "60000", "--events-listen", `127.0.0.1:${port2}`], async () => {
    await sleep(300); // the first subscribe request is on its way
  });
});
