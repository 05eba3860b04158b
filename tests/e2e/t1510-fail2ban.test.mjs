// The fail2ban tools end to end with a real fail2ban-server (Debian's fail2ban) that this test starts
// on a private socket and config dir: two jails, "opensips" using our contrib/fail2ban filter, and the
// dummy ban action, which only writes +ip / -ip to a file (no iptables). Bans and unbans for real
// through the tools, status and lists matching what fail2ban-client itself says, a ban that the filter
// makes from OpenSIPS log lines, fail2ban-regex over real OpenSIPS lines, and every bad input: bad
// addresses, an unknown jail, a bad jail name, the server not running, a socket this user may not use,
// fail2ban-client missing, a client that hangs, and unconfirmed or unpermitted bans that reach nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, allTools as loadTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { sleep, TEST_TIMEOUT } from "./lib/raw.mjs";
import { pidsWith } from "./lib/procs.mjs";

const T = { timeout: TEST_TIMEOUT };
const repo = new URL("../../", import.meta.url).pathname;
const filter = join(repo, "contrib/fail2ban/filter.d/opensips.conf");
const sample = join(repo, "tests/e2e/fail2ban/opensips.log.sample");
let dir, sock, dummy, oslog, skip = false;

const args = (more = []) => ["--role", "admin", "--toolsets", "fail2ban", "--fail2ban-socket", sock, ...more];
const client = (...a) => spawnSync("fail2ban-client", ["-s", sock, ...a], { encoding: "utf8" });
// What fail2ban-client itself says of a jail: its "Banned IP list" and counters.
function clientJail(jail) {
  const r = client("status", jail);
  assert.equal(r.status, 0, r.stderr);
  const get = (k) => r.stdout.match(new RegExp(`${k}:\\t(.*)`))[1];
  return { banned: get("Banned IP list").split(" ").filter(Boolean), currently_banned: Number(get("Currently banned")),
           total_banned: Number(get("Total banned")), total_failed: Number(get("Total failed")) };
}
const dummyLog = () => (existsSync(dummy) ? readFileSync(dummy, "utf8") : "");

before(() => {
  try {
    execFileSync(join(repo, "scripts/apt-install.sh"), ["t1510-fail2ban", "fail2ban"], { stdio: "inherit" });
  } catch (e) {
    skip = `fail2ban cannot be installed here (${e.message.split("\n")[0]})`;
    return;
  }
  dir = mkdtempSync(join(tmpdir(), "mcp-f2b-e2e-"));
  const conf = join(dir, "conf");
  mkdirSync(join(dir, "run"));
  mkdirSync(join(dir, "log"));
  // the stock config tree (filter.d/common.conf, action.d/dummy.conf, jail.conf), without its jails
  cpSync("/etc/fail2ban", conf, { recursive: true });
  for (const f of readdirSync(join(conf, "jail.d"))) rmSync(join(conf, "jail.d", f));
  cpSync(filter, join(conf, "filter.d/opensips.conf"));
  sock = join(dir, "run/fail2ban.sock");
  dummy = join(dir, "run/dummy.txt");
  oslog = join(dir, "log/opensips.log");
  writeFileSync(oslog, "");
  writeFileSync(join(dir, "log/other.log"), "");
  writeFileSync(join(conf, "fail2ban.local"), `[Definition]\nloglevel = INFO\nlogtarget = ${dir}/log/fail2ban.log\n` +
    `socket = ${sock}\npidfile = ${dir}/run/fail2ban.pid\ndbfile = :memory:\n`);
  writeFileSync(join(conf, "jail.local"), `[DEFAULT]\nbackend = polling\nbanaction = dummy\n\n` +
    `[opensips]\nenabled = true\nfilter = opensips\nlogpath = ${oslog}\nmaxretry = 3\nfindtime = 600\nbantime = 3600\n` +
    `action = dummy[target=${dummy}]\n\n` +
    `[other]\nenabled = true\nfilter = opensips\nlogpath = ${dir}/log/other.log\naction = dummy[target=${dir}/run/other.txt]\n`);
  const r = spawnSync("fail2ban-client", ["-c", conf, "-x", "start"], { encoding: "utf8" });
  assert.equal(r.status, 0, `fail2ban did not start: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /Server ready/);
});

after(() => {
  if (sock && existsSync(sock)) client("stop");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tc = (name, fn) => test(name, T, async (t) => {
  if (skip) return t.skip(skip);
  await fn(t);
});

tc("the four tools are listed: reads need stats.read, bans process.manage and confirmation", async () => {
  await withClient(args(), async (c) => {
    const tools = Object.fromEntries((await loadTools(c)).map((t) => [t.name, t]));
    assert.deepEqual(Object.keys(tools).sort(), ["fail2ban_ban_ip", "fail2ban_list_banned", "fail2ban_status", "fail2ban_unban_ip"]);
    assert.equal(tools.fail2ban_status.annotations.readOnlyHint, true);
    assert.equal(tools.fail2ban_ban_ip.annotations.readOnlyHint, false);
    assert.equal(tools.fail2ban_unban_ip.annotations.destructiveHint, true);
    assert.deepEqual(tools.fail2ban_ban_ip.inputSchema.required, ["ip"]);
    assert.equal(tools.fail2ban_ban_ip.inputSchema.properties.jail.default, "opensips");
    assert.ok(tools.fail2ban_ban_ip.inputSchema.properties.confirm);
  });
});

tc("fail2ban_status names the jails fail2ban-client status lists", async () => {
  const own = client("status");
  assert.equal(own.status, 0);
  const jails = own.stdout.match(/Jail list:\t(.*)/)[1].split(", ");
  await withClient(args(), async (c) => {
    await loadTools(c);
    const r = ok(await call(c, "fail2ban_status"));
    assert.deepEqual(r.jails, jails);
    assert.deepEqual(r.jails, ["opensips", "other"]);
    assert.equal(r.count, 2);
  });
  // a viewer may read (stats.read)
  await withClient(["--role", "viewer", ...args().slice(2)], async (c) => {
    await loadTools(c);
    assert.deepEqual(ok(await call(c, "fail2ban_status")).jails, ["opensips", "other"]);
  });
});

tc("a ban and an unban for real: the dummy action runs, and fail2ban-client and list_banned agree", async () => {
  await withClient(args(), async (c) => {
    await loadTools(c);
    let r = ok(await call(c, "fail2ban_ban_ip", { ip: "192.0.2.10", confirm: true }));
    assert.deepEqual(r, { jail: "opensips", ip: "192.0.2.10", changed: true });
    assert.match(dummyLog(), /^\+192\.0\.2\.10$/m);
    assert.ok(clientJail("opensips").banned.includes("192.0.2.10"));

    r = ok(await call(c, "fail2ban_ban_ip", { ip: "192.0.2.10", confirm: true }));
    assert.equal(r.changed, false);
    assert.match(r.note, /banned already/);

    const own = clientJail("opensips");
    const list = ok(await call(c, "fail2ban_list_banned", {}));
    assert.deepEqual(list.items, own.banned);
    assert.equal(list.total, own.banned.length);
    assert.equal(list.jail, "opensips");
    assert.equal(list.currently_banned, own.currently_banned);
    assert.equal(list.total_banned, own.total_banned);
    assert.deepEqual(list.files, [oslog]);
    // the other jail is untouched
    assert.deepEqual(ok(await call(c, "fail2ban_list_banned", { jail: "other" })).items, clientJail("other").banned);

    r = ok(await call(c, "fail2ban_unban_ip", { ip: "192.0.2.10", confirm: true }));
    assert.deepEqual(r, { jail: "opensips", ip: "192.0.2.10", changed: true });
    assert.match(dummyLog(), /-192\.0\.2\.10/);
    assert.ok(!clientJail("opensips").banned.includes("192.0.2.10"));
    r = ok(await call(c, "fail2ban_unban_ip", { ip: "192.0.2.10", confirm: true }));
    assert.equal(r.changed, false);
    assert.match(r.note, /not banned/);
  });
});

tc("addresses are sent as fail2ban keeps them: IPv6 lower case, a network's host bits cleared", async () => {
  await withClient(args(), async (c) => {
    await loadTools(c);
    const a = ok(await call(c, "fail2ban_ban_ip", { ip: "2001:DB8:0::7", confirm: true }));
    assert.equal(a.ip, "2001:db8::7");
    const b = ok(await call(c, "fail2ban_ban_ip", { ip: "198.51.100.7/24", confirm: true }));
    assert.equal(b.ip, "198.51.100.0/24");
    const m = ok(await call(c, "fail2ban_ban_ip", { ip: "::ffff:192.0.2.99", confirm: true }));
    assert.equal(m.ip, "192.0.2.99");
    const n = ok(await call(c, "fail2ban_ban_ip", { ip: "::ffff:10.9.9.9/104", confirm: true }));
    assert.equal(n.ip, "::ffff:10.0.0.0/104");
    const own = clientJail("opensips").banned;
    for (const ip of ["2001:db8::7", "198.51.100.0/24", "192.0.2.99", "::ffff:10.0.0.0/104"])
      assert.ok(own.includes(ip), `${ip} is not in fail2ban's list: ${own.join(" ")}`);
    for (const ip of ["192.0.2.99", "::ffff:10.0.0.0/104"])
      assert.equal(ok(await call(c, "fail2ban_unban_ip", { ip, confirm: true })).changed, true, ip);
    // unbanned by the form the operator typed
    assert.equal(ok(await call(c, "fail2ban_unban_ip", { ip: "2001:db8::0007", confirm: true })).changed, true);
    assert.equal(ok(await call(c, "fail2ban_unban_ip", { ip: "198.51.100.99/24", confirm: true })).changed, true);
    assert.deepEqual(clientJail("opensips").banned.filter((x) => x !== "203.0.113.9"), []);
  });
});

tc("paging: limit and offset over the banned list", async () => {
  await withClient(args(), async (c) => {
    await loadTools(c);
    for (const ip of ["192.0.2.21", "192.0.2.22", "192.0.2.23"]) ok(await call(c, "fail2ban_ban_ip", { ip, jail: "other", confirm: true }));
    const p1 = ok(await call(c, "fail2ban_list_banned", { jail: "other", limit: 2 }));
    assert.deepEqual([p1.items.length, p1.total, p1.next_offset], [2, 3, 2]);
    const p2 = ok(await call(c, "fail2ban_list_banned", { jail: "other", limit: 2, offset: p1.next_offset }));
    assert.deepEqual([...p1.items, ...p2.items], clientJail("other").banned);
    assert.equal(p2.next_offset, null);
    for (const ip of ["192.0.2.21", "192.0.2.22", "192.0.2.23"]) ok(await call(c, "fail2ban_unban_ip", { ip, jail: "other", confirm: true }));
  });
});

tc("bad addresses are refused before anything runs, confirmed or not", async () => {
  const before_ = [dummyLog(), clientJail("opensips").banned];
  await withClient(args(), async (c) => {
    await loadTools(c);
    for (const ip of ["1.2.3.4; rm", "999.1.1.1", "", "::zz", "notanip", "1.2.3.4/33", "-1.2.3.4", "0.0.0.0/0", "2001:db8::/16"]) {
      for (const tool of ["fail2ban_ban_ip", "fail2ban_unban_ip"]) {
        if (tool === "fail2ban_unban_ip" && /\/(0|16)$/.test(ip)) continue; // wide networks: only bans are refused
        for (const confirm of [true, undefined]) {
          const r = await call(c, tool, { ip, ...(confirm ? { confirm } : {}) });
          assert.equal(r.isError, true, `${tool} ${JSON.stringify(ip)}: ${JSON.stringify(r)}`);
          const text = r.content[0].text;
          assert.doesNotMatch(text, /confirm: true/, `${tool} ${JSON.stringify(ip)} asked for confirmation: ${text}`);
          // the schema's pattern stops what cannot be an address; our check the rest
          if (ip) assert.match(text, /must match the pattern|not an IPv4 or IPv6 address|prefix after '\/'|too wide a network/, text);
          if (["999.1.1.1", "1.2.3.4/33", "0.0.0.0/0"].includes(ip)) assert.match(text, /bad_ip/, text);
        }
      }
    }
  });
  assert.deepEqual([dummyLog(), clientJail("opensips").banned], before_);
});

tc("an unknown jail is refused naming the jails there are; a bad jail name never reaches the client", async () => {
  await withClient(args(), async (c) => {
    await loadTools(c);
    for (const [tool, a] of [["fail2ban_ban_ip", { ip: "192.0.2.30", confirm: true }], ["fail2ban_unban_ip", { ip: "192.0.2.30", confirm: true }], ["fail2ban_list_banned", {}]]) {
      const r = await call(c, tool, { ...a, jail: "nosuch" });
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, /unknown_jail.*no jail 'nosuch'; its jails are: opensips, other/);
    }
    for (const jail of ["-s", "a b", "x;y", "../x"]) {
      const r = await call(c, "fail2ban_ban_ip", { ip: "192.0.2.30", jail, confirm: true });
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, /is not a jail name/);
    }
  });
  assert.doesNotMatch(dummyLog(), /192\.0\.2\.30/);
});

tc("an unconfirmed ban or unban, or one without process.manage, reaches nothing", async () => {
  const before_ = [dummyLog(), clientJail("opensips").banned];
  await withClient(args(), async (c) => {
    await loadTools(c);
    for (const tool of ["fail2ban_ban_ip", "fail2ban_unban_ip"]) {
      const r = await call(c, tool, { ip: "192.0.2.40" });
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, /ban 192\.0\.2\.40 in the fail2ban jail opensips.*confirm: true/);
    }
  });
  await withClient(["--role", "operator", ...args().slice(2)], async (c) => {
    await loadTools(c);
    const r = await call(c, "fail2ban_ban_ip", { ip: "192.0.2.40", confirm: true });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /process\.manage/);
  });
  assert.deepEqual([dummyLog(), clientJail("opensips").banned], before_);
});

tc("the server not running, fail2ban-client missing, and a client that hangs are clear errors", async () => {
  const none = join(dir, "run/none.sock");
  await withClient(["--role", "admin", "--toolsets", "fail2ban", "--fail2ban-socket", none], async (c) => {
    await loadTools(c);
    for (const [tool, a] of [["fail2ban_status", {}], ["fail2ban_ban_ip", { ip: "192.0.2.50", confirm: true }]]) {
      const r = await call(c, tool, a);
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, new RegExp(`not_running.*fail2ban is not running: nothing answers on ${none}.*systemctl start fail2ban.*--fail2ban-socket`));
    }
  });
  await withClient(args(["--fail2ban-client", join(dir, "no-such-fail2ban-client")]), async (c) => {
    await loadTools(c);
    const r = await call(c, "fail2ban_status");
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /not_installed.*fail2ban-client is not installed.*apt-get install fail2ban/);
  });
  const hang = join(dir, "hanging-fail2ban-client");
  writeFileSync(hang, "#!/bin/sh\ntrap '' TERM\nsleep 600\n");
  chmodSync(hang, 0o755);
  // by the environment, so that the path is on no command line but the hanging program's
  process.env.OPENSIPS_MCP_FAIL2BAN_CLIENT = hang;
  await withClient(args(["--fail2ban-timeout-ms", "500"]), async (c) => {
    await loadTools(c);
    for (const [tool, a] of [["fail2ban_status", {}], ["fail2ban_ban_ip", { ip: "192.0.2.51", confirm: true }]]) {
      const r = await call(c, tool, a);
      assert.equal(r.isError, true);
      assert.match(r.content[0].text, /timeout.*fail2ban-client did not answer within 500 ms and was stopped/);
    }
    assert.deepEqual(pidsWith(hang), [], "the hanging client survived");
  }).finally(() => delete process.env.OPENSIPS_MCP_FAIL2BAN_CLIENT);
  assert.doesNotMatch(dummyLog(), /192\.0\.2\.5[01]/);
});

tc("a user fail2ban's socket refuses: the real 'Permission denied to socket' says what to do", async (t) => {
  // fail2ban-client run as nobody (the test runs as root, as fail2ban does) against the root-owned
  // socket, whose directories nobody may traverse
  if (process.getuid() !== 0) return t.skip("needs root, to run fail2ban-client as another user");
  chmodSync(dir, 0o755);
  chmodSync(join(dir, "run"), 0o755);
  const asNobody = join(dir, "fail2ban-client-as-nobody");
  writeFileSync(asNobody, '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups fail2ban-client "$@"\n');
  chmodSync(asNobody, 0o755);
  await withClient(args(["--fail2ban-client", asNobody]), async (c) => {
    await loadTools(c);
    const r = await call(c, "fail2ban_list_banned", {});
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, new RegExp(`permission_denied.*may not use fail2ban's socket ${sock}`));
  });
});

tc("a banned list over the 1 MiB kept of the client's output is cut whole and says so", async () => {
  const big = join(dir, "fail2ban-client-big");
  writeFileSync(big, "#!/bin/sh\nexec awk 'BEGIN { printf \"Status for the jail: opensips\\n|- Filter\\n|  |- Currently failed:\\t0\\n" +
    "|  |- Total failed:\\t0\\n|  `- File list:\\t/x.log\\n`- Actions\\n   |- Currently banned:\\t90000\\n   |- Total banned:\\t90000\\n" +
    "   `- Banned IP list:\\t\"; for (i = 0; i < 90000; i++) printf \"10.%d.%d.%d \", int(i / 65536), int(i / 256) % 256, i % 256; print \"\" }'\n");
  chmodSync(big, 0o755);
  await withClient(args(["--fail2ban-client", big]), async (c) => {
    await loadTools(c);
    const r = ok(await call(c, "fail2ban_list_banned", { limit: 500, offset: 60000 }));
    assert.equal(r.currently_banned, 90000);
    assert.ok(r.total > 60000 && r.total < 90000, String(r.total));
    assert.match(r.note, /over 1048576 bytes/);
    // every address kept is whole: the one the cut went through is left out
    const last = ok(await call(c, "fail2ban_list_banned", { limit: 500, offset: r.total - 1 })).items.at(-1);
    assert.match(last, /^10\.\d+\.\d+\.\d+$/);
    assert.equal(r.items.length, 500);
  });
});

tc("the contrib filter bans from OpenSIPS log lines: three failed auths, and the jail bans the client", async () => {
  const now = new Date();
  const mon = now.toLocaleString("en-US", { month: "short" });
  const stamp = () => `${mon} ${String(now.getDate()).padStart(2, " ")} ${now.toTimeString().slice(0, 8)}`;
  for (let i = 0; i < 3; i++)
    appendFileSync(oslog, `${stamp()} [4242] WARNING:fail2ban: auth failed from 203.0.113.9 port 5060 code=-2 method=REGISTER user=alice\n`);
  await withClient(args(), async (c) => {
    await loadTools(c);
    let list;
    for (let i = 0; i < 50; i++) {
      list = ok(await call(c, "fail2ban_list_banned", {}));
      if (list.items.includes("203.0.113.9")) break;
      await sleep(200);
    }
    assert.ok(list.items.includes("203.0.113.9"), JSON.stringify(list));
    assert.ok(list.total_failed >= 3);
    assert.equal(ok(await call(c, "fail2ban_unban_ip", { ip: "203.0.113.9", confirm: true })).changed, true);
  });
});

tc("fail2ban-regex: the contrib filter matches the real OpenSIPS lines, and only the client's address", async () => {
  const r = spawnSync("fail2ban-regex", [sample, filter], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Lines: 18 lines, 0 ignored, 15 matched, 3 missed/);
  const ips = spawnSync("fail2ban-regex", ["-o", "ip", sample, filter], { encoding: "utf8" }).stdout.trim().split("\n");
  assert.deepEqual([...new Set(ips)].sort(), ["127.0.0.1", "::1"]);
  // what the client chose (user, User-Agent) cannot name another address
  const forged = join(dir, "forged.log");
  writeFileSync(forged,
    "Dec  1 23:31:19 [15814] WARNING:fail2ban: auth failed from 127.0.0.1 port 35515 code=-2 method=REGISTER user=x from 6.6.6.6 port 1 \n" +
    "Dec  1 23:31:20 [15814] WARNING:fail2ban: scanner from 127.0.0.2 port 5 ua=friendly-scanner from 6.6.6.6 port 1 code=-2 \n" +
    "Dec  1 23:31:21 [15814] WARNING:core:x: fail2ban: auth failed from 6.6.6.6 port 1 code=-2 \n");
  const got = spawnSync("fail2ban-regex", ["-o", "ip", forged, filter], { encoding: "utf8" }).stdout.trim().split("\n");
  assert.deepEqual(got, ["127.0.0.1", "127.0.0.2"]);
});

tc("the contrib jail and filter pass fail2ban's own configuration test, and syslog lines match too", async () => {
  const conf = join(dir, "conf-contrib");
  cpSync("/etc/fail2ban", conf, { recursive: true });
  for (const f of readdirSync(join(conf, "jail.d"))) rmSync(join(conf, "jail.d", f));
  cpSync(filter, join(conf, "filter.d/opensips.conf"));
  cpSync(join(repo, "contrib/fail2ban/jail.d/opensips.conf"), join(conf, "jail.d/opensips.conf"));
  // the example's logpath (/var/log/opensips.log) need not exist here
  writeFileSync(join(conf, "jail.d/zz-test.local"), `[opensips]\nlogpath = ${oslog}\n`);
  const r = spawnSync("fail2ban-client", ["-c", conf, "-t"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /configuration test is successful/);
  // the same messages through syslog (ident and pid before the level)
  const syslog = join(dir, "syslog.log");
  writeFileSync(syslog,
    "Dec  1 23:31:19 sbc1 /usr/sbin/opensips[15814]: WARNING:fail2ban: auth failed from 192.0.2.61 port 5060 code=-2 method=REGISTER user=a\n" +
    "Dec  1 23:31:20 sbc1 opensips[15815]: WARNING:PIKE - BLOCKing ip 2001:db8::62, node=0x7fc220122ec8\n");
  const ips = spawnSync("fail2ban-regex", ["-o", "ip", syslog, filter], { encoding: "utf8" }).stdout.trim().split("\n");
  assert.deepEqual(ips, ["192.0.2.61", "2001:db8::62"]);
});
