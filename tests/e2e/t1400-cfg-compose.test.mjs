// cfg_list_flags, cfg_compose_flags, cfg_build_from_flags and cfg_start_session end to end, through
// the SDK client, on the real OpenSIPS builds of scripts/opensips.sh (4.0.1 and 3.6.8, used read-only;
// skipped when they are not built) with the real m4: the templates and their flags, flags resolved
// into modules, a config built and passed by opensips -C, the post-render fixes (mpath, db driver),
// sessions kept under the allowed root and read back, and every bad input: an unknown flag, bad
// values, an unknown template, too many flags, m4 missing, no templates, bad session ids, no
// --out-dir-root, and the session count limit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, allTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "opensips-mcp");
const prefix = (v) => join(cache, `opensips-${v}`);
const have = (v) => existsSync(join(prefix(v), "sbin/opensips"));
const skip = (v) => (have(v) ? false : `no OpenSIPS ${v} in ${prefix(v)} (scripts/opensips.sh ${v} builds it)`);
const S401 = { ...T, skip: skip("4.0.1") };
let dir, root, empty, share;

const args = (v, extra = []) => ["--role", "admin", "--toolsets", "cfg", "--opensips", join(prefix(v), "sbin/opensips"),
  "--cfg-templates", prefix(v), ...extra];

before(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-cfgcompose-e2e-"));
  root = join(dir, "root");
  empty = join(dir, "empty");
  mkdirSync(root);
  mkdirSync(empty);
  // a share directory whose template hard-codes mpath as the OpenSIPS sources do (§2.4)
  if (have("4.0.1")) {
    share = join(dir, "share");
    mkdirSync(join(share, "examples/templates"), { recursive: true });
    const src = readFileSync(join(prefix("4.0.1"), "share/opensips/examples/templates/residential.m4"), "utf8");
    writeFileSync(join(share, "examples/templates/residential.m4"),
      src.replace(/^mpath=.*$/m, 'mpath="/usr/local/lib/opensips/modules/"'));
  }
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const mustFail = async (client, name, a, re) => {
  const r = await call(client, name, a);
  assert.equal(r.isError, true, JSON.stringify(r).slice(0, 1500));
  assert.match(r.content[0].text, re);
  return r;
};

test("the four tools are listed: three read-only, cfg_start_session asks first", S401, async () => {
  await withClient(args("4.0.1"), async (client) => {
    const tools = Object.fromEntries((await allTools(client)).map((t) => [t.name, t]));
    for (const n of ["cfg_list_flags", "cfg_compose_flags", "cfg_build_from_flags"])
      assert.equal(tools[n].annotations.readOnlyHint, true, n);
    assert.equal(tools.cfg_start_session.annotations.readOnlyHint, false);
    assert.deepEqual(tools.cfg_build_from_flags.inputSchema.required, ["flags"]);
    assert.equal(tools.cfg_compose_flags.inputSchema.properties.flags.maxItems, 64);
  });
});

test("cfg_start_session needs config.write and the user's confirmation; nothing is written before", S401, async () => {
  const r2 = join(dir, "scope");
  mkdirSync(r2);
  await withClient(["--role", "viewer", ...args("4.0.1", ["--out-dir-root", r2]).slice(2)], async (client) => {
    await allTools(client);
    await mustFail(client, "cfg_start_session", { description: "x", confirm: true }, /config\.write/);
    ok(await call(client, "cfg_build_from_flags", { flags: [], validate: false })); // config.read is enough
  });
  await withClient(args("4.0.1", ["--out-dir-root", r2]), async (client) => {
    await allTools(client);
    await mustFail(client, "cfg_start_session", { description: "x" }, /confirm: true/);
  });
  assert.deepEqual(readdirSync(r2), []);
});

test("cfg_list_flags: the templates there are, then one template's flags with kinds and traps", S401, async () => {
  await withClient(args("4.0.1"), async (client) => {
    await allTools(client);
    const all = ok(await call(client, "cfg_list_flags", {}));
    assert.equal(all.default, "examples/residential");
    const names = all.templates.map((t) => t.name);
    for (const n of ["examples/residential", "examples/trunking", "examples/loadbalancer",
      "menuconfig/residential", "menuconfig/trunking", "menuconfig/loadbalancer"])
      assert.ok(names.includes(n), n);
    assert.ok(all.templates.find((t) => t.name === "menuconfig/residential").flags.includes("USE_AUTH"));

    const ex = ok(await call(client, "cfg_list_flags", { template: "examples/residential" }));
    const f = Object.fromEntries(ex.flags.map((x) => [x.name, x]));
    assert.deepEqual(f.USE_AUTH, { name: "USE_AUTH", kind: "switch", default: "no",
      meaning: "OpenSIPS will authenticate Register & Invite requests",
      note: "the template define()s it itself: a choice rewrites that line" });
    assert.equal(f.LISTEN_IP.kind, "value");
    assert.equal(f.DB_NEEDED.kind, "internal");
    const lb = ok(await call(client, "cfg_list_flags", { template: "menuconfig/loadbalancer" }));
    const l = Object.fromEntries(lb.flags.map((x) => [x.name, x]));
    assert.match(l.DISABLE_PINGING.note, /never tested/);
    assert.equal(l.DISABLE_PROBING.kind, "undefined");
    assert.match(lb.defaults_file, /opensips_loadbalancer_def\.m4$/);
  });
});

test("cfg_compose_flags: modules against the defaults, WITH_* mapped with a note, no-effect reasons", S401, async () => {
  await withClient(args("4.0.1"), async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_compose_flags", { flags: ["use_auth", "WITH_NAT", "USE_DIALOG=yes"] }));
    assert.equal(r.template, "examples/residential");
    assert.deepEqual(r.choices, [{ name: "USE_AUTH", value: "yes" }, { name: "USE_NAT", value: "yes" },
      { name: "USE_DIALOG", value: "yes" }]);
    for (const m of ["auth", "auth_db", "db_mysql", "nathelper", "rtpproxy", "dialog"]) assert.ok(r.added.includes(m), m);
    assert.deepEqual(r.removed, []);
    assert.ok(r.modules.includes("tm") && r.modparams > 10, JSON.stringify(r));
    assert.deepEqual(r.no_effect, []);
    assert.deepEqual(r.notes, ["WITH_NAT is USE_NAT in template 'examples/residential'"]);
    assert.equal(r.config, undefined);

    const lb = ok(await call(client, "cfg_compose_flags", { template: "menuconfig/loadbalancer",
      flags: ["DISABLE_PINGING=no", "USE_DISPATCHER"] }));
    assert.deepEqual(lb.added, ["dispatcher"]);
    assert.deepEqual(lb.removed.sort(), ["dialog", "load_balancer"]);
    assert.equal(lb.no_effect.length, 1);
    assert.match(lb.no_effect[0].reason, /defines 'DISABLE_PINGING' but never tests it \(it tests 'DISABLE_PROBING'/);
  });
});

for (const v of ["4.0.1", "3.6.8"]) {
  test(`cfg_build_from_flags on ${v}: residential with defaults passes opensips -C; trunking's check fails`, { ...T, skip: skip(v) }, async () => {
    await withClient(args(v), async (client) => {
      await allTools(client);
      const r = ok(await call(client, "cfg_build_from_flags", { flags: [] }));
      assert.equal(r.check.passed, true, JSON.stringify(r.check));
      assert.equal(r.check.exit_status, 0);
      assert.match(r.check.not_checked, /does not run the modules' init/);
      assert.match(r.config, /^socket=udp:127\.0\.0\.1:5060$/m);
      assert.equal(r.bytes, Buffer.byteLength(r.config));
      // a site value and a choice land in the text, and the config still passes
      const s = ok(await call(client, "cfg_build_from_flags", { flags: ["USE_DIALOG"], site_params: { LISTEN: "127.0.0.1", CHILDREN: 8 } }));
      assert.match(s.config, /loadmodule "dialog\.so"/);
      assert.equal(s.check.passed, true, JSON.stringify(s.check));
      assert.ok(s.notes.some((n) => /site parameter LISTEN is LISTEN_IP/.test(n)), JSON.stringify(s.notes));
      assert.ok(s.notes.some((n) => /'CHILDREN' has no counterpart .* and was ignored/.test(n)), JSON.stringify(s.notes));
      // the build of this installation lacks sqlops: the render is answered, the check says why
      const t = ok(await call(client, "cfg_build_from_flags", { flags: [], template: "examples/trunking" }));
      assert.equal(t.check.passed, false);
      assert.ok(t.check.errors.some((e) => /sqlops\.so/.test(e.message) && e.file === "opensips.cfg" && e.line > 0),
        JSON.stringify(t.check.errors));
      // validate=false: no check at all
      const n = ok(await call(client, "cfg_build_from_flags", { flags: [], validate: false }));
      assert.equal(n.check, undefined);
    });
  });
}

test("post-render fixes: a hard-coded mpath becomes the installation's module directory, db_mysql db_postgres", S401, async () => {
  await withClient(["--role", "admin", "--toolsets", "cfg", "--opensips", join(prefix("4.0.1"), "sbin/opensips"),
    "--cfg-templates", share], async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_build_from_flags", { flags: [] }));
    assert.equal(r.fixes.length, 1, JSON.stringify(r.fixes));
    assert.match(r.fixes[0].what, /^mpath "\/usr\/local\/lib\/opensips\/modules\/" set to ".*opensips-4\.0\.1\/lib64\/opensips\/modules\/", the module directory/);
    assert.equal(r.config.split("\n")[r.fixes[0].line - 1], `mpath="${join(prefix("4.0.1"), "lib64/opensips/modules")}/"`);
    assert.equal(r.check.passed, true, JSON.stringify(r.check));
    const p = ok(await call(client, "cfg_build_from_flags", { flags: ["USE_AUTH"], site_params: { DB_URL: "postgres://u:p@h/db", MPATH: "/opt/m/" } }));
    assert.deepEqual(p.fixes.map((f) => f.what.replace(/ set to.*?(: |, )/, " -> ")),
      ['mpath "/usr/local/lib/opensips/modules/" -> the site parameter MPATH', 'loadmodule "db_mysql.so" -> DB_URL is a PostgreSQL URL']);
    assert.match(p.config, /loadmodule "db_postgres\.so"/);
    assert.doesNotMatch(p.config, /db_mysql/);
    assert.match(p.config, /"db_url", "postgres:\/\/u:p@h\/db"/);
    assert.equal(p.check.passed, false); // /opt/m/ has no modules
  });
});

test("without opensips the build is answered and says the check was skipped", S401, async () => {
  await withClient(["--role", "admin", "--toolsets", "cfg", "--opensips", "/nonexistent/opensips", "--cfg-templates", prefix("4.0.1")], async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_build_from_flags", { flags: ["USE_AUTH"] }));
    assert.equal(r.check, undefined);
    assert.match(r.check_skipped, /\/nonexistent\/opensips.*set --opensips/);
    assert.match(r.config, /auth_db\.so/);
  });
});

test("sessions: start, build into it, read back from the file; the template stays the session's", S401, async () => {
  await withClient(args("4.0.1", ["--out-dir-root", root]), async (client) => {
    await allTools(client);
    const s = ok(await call(client, "cfg_start_session", { confirm: true,
      description: "Load balancing in front of media servers, with TLS and accounting" }));
    assert.match(s.session_id, /^[0-9a-f]{16}$/);
    assert.equal(s.template, "examples/loadbalancer");
    assert.match(s.why, /the description says 'Load balancing'; the examples set takes site values/);
    assert.deepEqual(s.suggested, [{ flag: "ENABLE_TLS", because: "TLS" }, { flag: "USE_DBACC", because: "accounting" }]);
    assert.ok(s.site_params.some((p) => p.name === "LISTEN_IP" && p.default === "127.0.0.1"));
    assert.ok(s.flags.some((p) => p.name === "USE_DISPATCHER"));
    assert.ok(!s.flags.some((p) => p.name === "DISABLE_PINGING"), "a flag without effect is offered");
    assert.match(s.next, /cfg_build_from_flags with this session_id/);
    const file = join(root, "cfg-sessions", `${s.session_id}.json`);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).template, "examples/loadbalancer");

    const b = ok(await call(client, "cfg_build_from_flags", { flags: ["ENABLE_TLS=no", "USE_DBACC"],
      site_params: { DB_URL: "mysql://a:b@db/opensips" }, session_id: s.session_id, validate: false }));
    assert.equal(b.template, "examples/loadbalancer");
    assert.equal(b.session_id, s.session_id);
    const kept = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(kept.flags, ["ENABLE_TLS=no", "USE_DBACC"]);
    assert.deepEqual(kept.site_params, { DB_URL: "mysql://a:b@db/opensips" });
    assert.equal(kept.config, b.config);
    assert.match(kept.description, /Load balancing/);
    await mustFail(client, "cfg_build_from_flags", { flags: [], session_id: s.session_id, template: "examples/residential" },
      /session [0-9a-f]{16} is for template 'examples\/loadbalancer', not 'examples\/residential'/);
    // a template asked for by name; no keyword: residential
    const r = ok(await call(client, "cfg_start_session", { confirm: true, description: "something", template: "menuconfig/trunking" }));
    assert.equal(r.template, "menuconfig/trunking");
    const d = ok(await call(client, "cfg_start_session", { confirm: true, description: "something" }));
    assert.equal(d.template, "examples/residential");
    assert.match(d.why, /no keyword matched/);
  });
});

test("bad input: unknown flag, bad values, unknown template, too many flags", S401, async () => {
  await withClient(args("4.0.1"), async (client) => {
    await allTools(client);
    for (const name of ["cfg_compose_flags", "cfg_build_from_flags"]) {
      await mustFail(client, name, { flags: ["USE_AUTHH"] },
        /unknown flag 'USE_AUTHH' for template 'examples\/residential'; its flags are: LISTEN_IP, DB_URL,.*USE_AUTH/);
      await mustFail(client, name, { flags: ["WITH_NOPE"] }, /unknown flag 'WITH_NOPE'/);
      for (const v of ["`yes'", "a'b", "x # y", "a\nb", "v".repeat(300)])
        await mustFail(client, name, { flags: [`LISTEN_IP=${v}`] }, /bad value for flag 'LISTEN_IP': printable text of at most 256 bytes/);
      await mustFail(client, name, { flags: ["USE_AUTH", "use_auth=no"] }, /flag 'USE_AUTH' is given twice/);
      await mustFail(client, name, { flags: ["=yes"] }, /has no name/);
      await mustFail(client, name, { flags: ["USE_AUTH"], template: "examples/nosuch" },
        /no template 'examples\/nosuch' in .*; there are: examples\/loadbalancer, examples\/residential/);
      await mustFail(client, name, { flags: Array.from({ length: 65 }, (_, i) => `F${i}`) }, /argument 'flags' must have at most 64 items/);
      await mustFail(client, name, { flags: ["x".repeat(331)] }, /argument 'flags\[0\]' must be at most 330 characters long/);
    }
    await mustFail(client, "cfg_list_flags", { template: "nosuch" }, /no template 'nosuch'/);
    // a template whose text is not UTF-8 (a Latin-1 byte) cannot be answered as JSON text
    const latin = join(dir, "latin");
    mkdirSync(join(latin, "examples/templates"), { recursive: true });
    writeFileSync(join(latin, "examples/templates/x.m4"), Buffer.from("define(`A', `no')dnl\n# caf\xe9 A\n", "latin1"));
    await withClient(["--role", "admin", "--toolsets", "cfg", "--cfg-templates", latin, "--opensips", "/nonexistent/opensips"], async (c2) => {
      await allTools(c2);
      await mustFail(c2, "cfg_build_from_flags", { flags: ["A"] }, /template 'examples\/x' renders to text that is not UTF-8/);
    });
    await mustFail(client, "cfg_build_from_flags", { flags: [], site_params: { LISTEN: true } },
      /site parameter 'LISTEN' must be a string or an integer/);
    await mustFail(client, "cfg_build_from_flags", { flags: [], site_params: { MPATH: 'a"b' } }, /MPATH must be a directory path/);
    await mustFail(client, "cfg_build_from_flags", { flags: [], site_params: { LISTEN: "a'b" } }, /bad value for flag 'LISTEN_IP'/);
    await mustFail(client, "cfg_build_from_flags", { flags: [],
      site_params: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`K${i}`, "v"])) }, /65 site parameters: at most 64/);
    await mustFail(client, "cfg_build_from_flags", { flags: ["USE_AUTH"], site_params: { use_auth: "no" } },
      /flag 'USE_AUTH' is given twice \(in site_params\)/);
  });
});

test("bad setup: m4 missing, no templates, no opensips at all", S401, async () => {
  await withClient(args("4.0.1", ["--m4", "/nonexistent/m4"]), async (client) => {
    await allTools(client);
    await mustFail(client, "cfg_compose_flags", { flags: ["USE_AUTH"] }, /\/nonexistent\/m4.*install the m4 package/);
    await mustFail(client, "cfg_build_from_flags", { flags: [] }, /install the m4 package/);
    ok(await call(client, "cfg_list_flags", {})); // listing needs no m4
  });
  await withClient(["--role", "admin", "--toolsets", "cfg", "--cfg-templates", empty, "--out-dir-root", root], async (client) => {
    await allTools(client);
    for (const [name, a] of [["cfg_list_flags", {}], ["cfg_compose_flags", { flags: [] }], ["cfg_build_from_flags", { flags: [] }],
      ["cfg_start_session", { description: "x", confirm: true }]])
      await mustFail(client, name, a, /no OpenSIPS config templates .*set --cfg-templates/);
  });
});

test("sessions: bad ids, unknown ids, no --out-dir-root, the count limit", S401, async () => {
  await withClient(args("4.0.1"), async (client) => {
    await allTools(client);
    await mustFail(client, "cfg_start_session", { description: "x", confirm: true }, /none is set: the operator must set --out-dir-root/);
    await mustFail(client, "cfg_build_from_flags", { flags: [], session_id: "0123456789abcdef" }, /--out-dir-root/);
  });
  const lim = join(dir, "lim");
  mkdirSync(join(lim, "cfg-sessions"), { recursive: true });
  await withClient(args("4.0.1", ["--out-dir-root", lim]), async (client) => {
    await allTools(client);
    for (const id of ["../x", "../../etc/passwd", "0123456789ABCDEF", "0123456789abcdeg", "0123456789abcdef0", "abc"])
      await mustFail(client, "cfg_build_from_flags", { flags: [], session_id: id }, /is not a session id: 16 lowercase hex characters/);
    await mustFail(client, "cfg_build_from_flags", { flags: [], session_id: "0123456789abcdef" }, /no session 0123456789abcdef under .*start one with cfg_start_session/);
    writeFileSync(join(lim, "cfg-sessions", "00000000000000ff.json"), "not json");
    await mustFail(client, "cfg_build_from_flags", { flags: [], session_id: "00000000000000ff" }, /is not a session file/);
    for (let i = 0; readdirSync(join(lim, "cfg-sessions")).length < 63; i++)
      ok(await call(client, "cfg_start_session", { description: "residential", confirm: true }));
    ok(await call(client, "cfg_start_session", { description: "residential", confirm: true })); // the 64th
    await mustFail(client, "cfg_start_session", { description: "residential", confirm: true },
      /64 config sessions are kept under .*the most there may be \(64\); remove old ones/);
    assert.equal(readdirSync(join(lim, "cfg-sessions")).length, 64);
  });
  // the sessions directory as a symbolic link: never followed
  const linked = join(dir, "linked"), elsewhere = join(dir, "elsewhere");
  mkdirSync(linked);
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, "0123456789abcdef.json"), JSON.stringify({ template: "examples/residential" }));
  symlinkSync(elsewhere, join(linked, "cfg-sessions"));
  await withClient(args("4.0.1", ["--out-dir-root", linked]), async (client) => {
    await allTools(client);
    await mustFail(client, "cfg_start_session", { description: "x", confirm: true }, /cfg-sessions: .*symbolic link or not a directory/);
    await mustFail(client, "cfg_build_from_flags", { flags: [], session_id: "0123456789abcdef" }, /cannot read session 0123456789abcdef: .*symbolic link/);
  });
  assert.deepEqual(readdirSync(elsewhere), ["0123456789abcdef.json"]);
});

test("sessions started at once stay within the limit", S401, async () => {
  const lim = join(dir, "race");
  mkdirSync(join(lim, "cfg-sessions"), { recursive: true });
  for (let i = 0; i < 60; i++) writeFileSync(join(lim, "cfg-sessions", `${i.toString(16).padStart(16, "0")}.json`), "{}");
  await withClient(args("4.0.1", ["--out-dir-root", lim, "--workers", "8", "--max-calls-per-principal", "16"]), async (client) => {
    await allTools(client);
    const rs = await Promise.all(Array.from({ length: 10 }, () => call(client, "cfg_start_session", { description: "x", confirm: true })));
    assert.equal(rs.filter((r) => !r.isError).length, 4, JSON.stringify(rs.map((r) => r.isError && r.content[0].text)));
    assert.ok(rs.filter((r) => r.isError).every((r) => /the most there may be \(64\)/.test(r.content[0].text)));
  });
  assert.equal(readdirSync(join(lim, "cfg-sessions")).length, 64);
});
