// The provisioning database reaching a real OpenSIPS (issue 13): OpenSIPS 4.0.1 reads its tables from a real
// PostgreSQL, 3.6.8 from a real MariaDB (lib/db.mjs, opensips-db.cfg.in), the schema made by our own DDL.
//   "the bed" case   rows written straight into the database with psql / mariadb, the module's MI reload run
//                    by hand, then seen in the node's MI listings; a subscriber row (ha1 computed here)
//                    authenticates a real SIPp REGISTER with digest auth, a wrong password does not. It
//                    proves the bed, whatever opensips-mcp has.
//   the tool cases   the same through opensips-mcp (--db-url the bed's database, --toolsets all, the SDK
//                    client): each DB tool's write, with `reload`, is seen by the node. A case whose tool is
//                    not in tools/list yet is skipped, and says so.
// The database servers are started and torn down here; without them (scripts/testdb.sh install could not
// install PostgreSQL or MariaDB) this file is skipped with one line saying why.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { installs } from "./lib/node.mjs";
import { ok, m, until } from "./lib/check.mjs";
import { startDbBed } from "./lib/bed.mjs";
import { dbMissing, driverFor } from "./lib/db.mjs";
import { registerAuth } from "./lib/sipp.mjs";

const LONG = { timeout: 90_000 };
const md5 = (s) => createHash("md5").update(s).digest("hex");

// --- what the node's MI says, by version (names checked against the 4.0.1 and 3.6.8 MI catalogues)

// The destinations of dispatcher set `setid`, as URIs.
async function dsDestinations(bed, setid) {
  const r = await bed.node.mi(m(bed, "dispatcher:list", "ds_list"));
  const out = [];
  for (const p of r.PARTITIONS ?? [r])
    for (const s of p.SETS ?? [])
      if (Number(s.id) === setid) for (const d of s.Destinations ?? []) out.push(d.URI);
  return out;
}

// The gateway ids drouting has loaded.
async function drGateways(bed) {
  const r = await bed.node.mi(m(bed, "drouting:gw_status", "dr_gw_status"));
  return (r.Gateways ?? r.gateways ?? []).map((g) => g.ID ?? g.id);
}

// dialplan's translation of `input` by `dpid` (null when no rule matches).
async function dpTranslate(bed, dpid, input) {
  const r = await bed.node.miRaw(m(bed, "dialplan:translate", "dp_translate"), { dpid, input });
  return r.error ? null : r.result.Output;
}

// The address entries of group `grp` as "ip/mask".
async function addresses(bed, grp) {
  const r = await bed.node.mi(m(bed, "permissions:address_dump", "address_dump"));
  const out = [];
  for (const p of r.PARTITIONS ?? r.Partitions ?? [r])
    for (const d of p.Destinations ?? p.destinations ?? [])
      if (Number(d.grp) === grp) out.push(`${d.ip}/${d.mask}`);
  return out;
}

// The contacts usrloc has for `aor` (none: []).
async function contacts(bed, aor) {
  const r = await bed.node.miRaw(m(bed, "usrloc:show_contact", "ul_show_contact"), { table_name: "location", aor });
  if (r.error) return [];
  return (r.result.Contacts ?? []).map((c) => c.Contact);
}

const reload = (bed, v4, v3) => bed.node.mi(m(bed, v4, v3));

// A digest REGISTER of user@realm with `password`: { code (SIPp's exit status), answers (status codes) }.
const register = (bed, user, password, name) =>
  registerAuth(bed.node.SIP_PORT, bed.node.run, { user, password, domain: bed.realm, name });

// The things a tool result must not carry about a subscriber: the password and every hash of it.
function assertNoSecrets(value, user, realm, password, what) {
  const text = JSON.stringify(value);
  assert.ok(!text.includes(password), `${what} names the password: ${text.slice(0, 800)}`);
  assert.ok(!text.includes(md5(`${user}:${realm}:${password}`)), `${what} carries ha1: ${text.slice(0, 800)}`);
  for (const alg of ["sha256", "sha512-256"]) {
    const h = createHash(alg).update(`${user}:${realm}:${password}`).digest("hex");
    assert.ok(!text.includes(h), `${what} carries the ${alg} hash: ${text.slice(0, 800)}`);
  }
  assert.doesNotMatch(text, /"(password|ha1|ha1_sha256|ha1_sha512t256)"\s*:/, `${what} has a password or hash field`);
}

// Does this server take --db-url (the flag comes with the DB backend's configuration)?
function takesDbUrl() {
  const bin = process.env.OPENSIPS_MCP_BIN;
  if (!bin) return false;
  const r = spawnSync(bin, ["--help"], { encoding: "utf8" });
  return /--db-url\b/.test(`${r.stdout}${r.stderr}`);
}

for (const inst of installs()) {
  const driver = driverFor(Number(inst.version.split(".")[0]));
  const skip = !inst.prefix ? inst.why : dbMissing(driver, inst.prefix);
  describe(`OpenSIPS ${inst.version} on ${driver === "postgres" ? "PostgreSQL" : "MariaDB"}: the provisioning database`,
    { skip: skip ? `DB cases skipped: ${skip}` : false }, () => {
    let bed;
    before(async () => {
      bed = await startDbBed(inst.prefix, inst.version);
    });
    after(async () => {
      await bed?.stop();
    });

    test("the bed: rows written into the database reach the node through its MI reloads", LONG, async () => {
      const { db, realm } = bed;
      // dispatcher
      db.sql("INSERT INTO dispatcher (setid, destination, state, probe_mode, weight, priority, description) " +
        "VALUES (8, 'sip:127.0.0.1:5097', 0, 0, '1', 0, 'bed check')");
      assert.deepEqual(await dsDestinations(bed, 8), [], "set 8 before the reload");
      await reload(bed, "dispatcher:reload", "ds_reload");
      assert.deepEqual(await dsDestinations(bed, 8), ["sip:127.0.0.1:5097"]);
      // drouting
      db.sql("INSERT INTO dr_gateways (gwid, type, address, strip, probe_mode, state, description) " +
        "VALUES ('bedgw1', 0, '127.0.0.1:5096', 0, 0, 0, 'bed check')");
      await reload(bed, "drouting:reload", "dr_reload");
      assert.ok((await drGateways(bed)).includes("bedgw1"), JSON.stringify(await drGateways(bed)));
      // dialplan: repl_exp is the whole output (the part subst_exp does not capture is dropped: "^00" -> "+"
      // turns 0049123 into "+"), so the rule captures the rest and puts it back
      const bs = db.driver === "mysql" ? "\\\\" : "\\"; // a backslash in a string literal
      db.sql("INSERT INTO dialplan (dpid, pr, match_op, match_exp, match_flags, subst_exp, repl_exp, disabled, attrs) " +
        `VALUES (4, 1, 1, '^00', 0, '^00(.*)$', '+${bs}1', 0, 'bed check')`);
      assert.equal(await dpTranslate(bed, 4, "0049123"), null, "dpid 4 before the reload");
      await reload(bed, "dialplan:reload", "dp_reload");
      assert.equal(await dpTranslate(bed, 4, "0049123"), "+49123");
      // permissions
      db.sql("INSERT INTO address (grp, ip, mask, port, proto, context_info) VALUES (8, '10.8.8.8', 32, 0, 'any', 'bed check')");
      await reload(bed, "permissions:address_reload", "address_reload");
      assert.deepEqual(await addresses(bed, 8), ["10.8.8.8/32"]);
      // domain and load_balancer (db_mode 1: cached, reloaded)
      db.sql("INSERT INTO domain (domain, accept_subdomain, last_modified) VALUES ('bed.example', 0, '2026-01-01 00:00:00')");
      await reload(bed, "domain:reload", "domain_reload");
      assert.match(JSON.stringify(await bed.node.mi(m(bed, "domain:dump", "domain_dump"))), /bed\.example/);
      db.sql("INSERT INTO load_balancer (group_id, dst_uri, resources, probe_mode, description) " +
        "VALUES (3, 'sip:127.0.0.1:5095', 'pstn=10', 0, 'bed check')");
      await reload(bed, "load_balancer:reload", "lb_reload");
      assert.match(JSON.stringify(await bed.node.mi(m(bed, "load_balancer:list", "lb_list"))), /sip:127\.0\.0\.1:5095/);

      // auth_db reads subscriber on every REGISTER: no reload. ha1 = MD5(user:realm:password), realm = domain.
      db.sql(`INSERT INTO subscriber (username, domain, password, ha1) VALUES ('bob', '${realm}', '', '${md5(`bob:${realm}:b0bpass`)}')`);
      const good = await register(bed, "bob", "b0bpass", "bed-good");
      assert.equal(good.code, 0, `REGISTER with the right password: answers ${good.answers}\n${good.output.slice(-1500)}`);
      assert.deepEqual(good.answers, [401, 200]);
      assert.deepEqual(await contacts(bed, `bob@${realm}`), [`sip:bob@127.0.0.1:${good.log.match(/Contact: <sip:bob@127\.0\.0\.1:(\d+)>/)[1]}`]);
      const bad = await register(bed, "bob", "wrong", "bed-bad");
      assert.notEqual(bad.code, 0, "REGISTER with a wrong password passed");
      assert.deepEqual(bad.answers, [401, 403], bad.log.slice(-1500));
      const nobody = await register(bed, "carol", "whatever", "bed-nobody");
      assert.notEqual(nobody.code, 0, "REGISTER of a user not in subscriber passed");
      assert.deepEqual(nobody.answers.slice(0, 2), [401, 401], nobody.log.slice(-1500));
    });

    describe("the DB tools through opensips-mcp", () => {
      let why = null;
      before(async () => {
        if (!takesDbUrl()) {
          why = "this opensips-mcp has no --db-url (the DB backend's configuration is not in this build)";
          return;
        }
        await bed.connect();
      });
      // Run `fn` when the server is up and has every tool named; else skip, saying what is missing.
      const withTools = (names, fn) => async (t) => {
        assert.equal(why, null, why);
        const missing = names.filter((n) => !bed.tools.some((x) => x.name === n));
        assert.deepEqual(missing, [], `not in tools/list: ${missing.join(", ")}`);
        return fn(t);
      };

      test("dispatcher_add with reload is in the node's set; dispatcher_remove takes it out", LONG,
        withTools(["dispatcher_add", "dispatcher_remove"], async () => {
          const r = ok(await bed.call("dispatcher_add", { setid: 7, destination: "sip:127.0.0.1:5099", reload: true, confirm: true }),
            "dispatcher_add");
          assert.equal(r.status, "live", JSON.stringify(r));
          assert.ok(r.id !== undefined && r.id !== null, `dispatcher_add: no id in ${JSON.stringify(r)}`);
          assert.deepEqual(await dsDestinations(bed, 7), ["sip:127.0.0.1:5099"]);
          const d = ok(await bed.call("dispatcher_remove", { id: r.id, reload: true, confirm: true }), "dispatcher_remove");
          assert.equal(d.status, "live", JSON.stringify(d));
          assert.deepEqual(await dsDestinations(bed, 7), []);
        }));

      test("drouting_add_gateway with reload is in the node's gateways", LONG,
        withTools(["drouting_add_gateway"], async () => {
          const r = ok(await bed.call("drouting_add_gateway", { gwid: "livegw1", address: "127.0.0.1:5098", type: 0,
            reload: true, confirm: true }), "drouting_add_gateway");
          assert.equal(r.status, "live", JSON.stringify(r));
          assert.ok((await drGateways(bed)).includes("livegw1"), JSON.stringify(await drGateways(bed)));
        }));

      test("dialplan_add_rule with reload translates on the node", LONG,
        withTools(["dialplan_add_rule"], async () => {
          // repl_exp is the whole output (what subst_exp does not capture is dropped): the rest is captured
          const r = ok(await bed.call("dialplan_add_rule", { dpid: 3, match_exp: "^00", subst_exp: "^00(.*)$", repl_exp: "+\\1",
            match_op: 1, reload: true, confirm: true }), "dialplan_add_rule");
          assert.equal(r.status, "live", JSON.stringify(r));
          assert.equal(await dpTranslate(bed, 3, "0049123"), "+49123");
        }));

      test("address_add with reload is in the node's address table", LONG,
        withTools(["address_add"], async () => {
          const r = ok(await bed.call("address_add", { grp: 9, ip: "10.9.9.9", mask: 32, port: 0, proto: "any",
            reload: true, confirm: true }), "address_add");
          assert.equal(r.status, "live", JSON.stringify(r));
          assert.deepEqual(await addresses(bed, 9), ["10.9.9.9/32"]);
        }));

      test("subscriber_add: the new subscriber registers with digest auth, a wrong password does not", LONG,
        withTools(["subscriber_add"], async () => {
          const { realm } = bed;
          const r = ok(await bed.call("subscriber_add", { username: "alice", domain: realm, password: "s3cret", confirm: true }),
            "subscriber_add");
          assertNoSecrets(r, "alice", realm, "s3cret", "subscriber_add's result");
          // the three hashes, as auth_db computes them (realm = domain)
          const [row] = bed.db.sql(`SELECT ha1, ha1_sha256, ha1_sha512t256 FROM subscriber WHERE username = 'alice' AND domain = '${realm}'`);
          const hash = (alg) => createHash(alg).update(`alice:${realm}:s3cret`).digest("hex");
          assert.deepEqual(row, [hash("md5"), hash("sha256"), hash("sha512-256")]);
          const good = await register(bed, "alice", "s3cret", "alice-good");
          assert.equal(good.code, 0, `REGISTER with the right password: answers ${good.answers}\n${good.output.slice(-1500)}`);
          assert.deepEqual(good.answers, [401, 200]);
          const bad = await register(bed, "alice", "wrong", "alice-bad");
          assert.notEqual(bad.code, 0, "REGISTER with a wrong password passed");
          assert.ok([401, 403].includes(bad.answers.at(-1)), `wrong password answered ${bad.answers}`);
          const seen = await until(async () => (await contacts(bed, `alice@${realm}`)).length > 0, "alice's contact in usrloc", 10_000);
          assert.ok(seen);
          if (bed.tools.some((x) => x.name === "ul_show_contact"))
            assert.match(JSON.stringify(ok(await bed.call("ul_show_contact", { aor: `alice@${realm}` }), "ul_show_contact")),
              /sip:alice@127\.0\.0\.1:\d+/);
        }));

      test("subscriber_get returns no password and no hash", LONG,
        withTools(["subscriber_add", "subscriber_get"], async () => {
          const { realm } = bed;
          // alice is there when the case above ran; add her otherwise (a duplicate is refused, which is fine)
          await bed.call("subscriber_add", { username: "alice", domain: realm, password: "s3cret", confirm: true });
          const r = ok(await bed.call("subscriber_get", { username: "alice", domain: realm }), "subscriber_get");
          assert.match(JSON.stringify(r), /alice/);
          assertNoSecrets(r, "alice", realm, "s3cret", "subscriber_get");
        }));
    });
  });
}
