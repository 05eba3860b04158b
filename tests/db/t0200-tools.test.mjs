// Every tool of toolset `db` end to end on real PostgreSQL and real MariaDB (scripts/testdb.sh, the
// 4.0 schema from data/schema loaded into each fresh database): the official SDK client drives
// opensips-mcp (--db-url, --toolsets all, --role admin) with the MI simulator as the node the reloads
// go to. Each write is proved by reading it back through the tools and straight from the database
// (psql, mariadb); each bad input (wrong types, ranges, SQL-injection strings, unknown ids, duplicate
// keys, drouting lists naming what does not exist, a database that is down or hangs, no confirmation,
// the viewer role) gets a clear error and leaves the tables as they were. The last test of each
// database fails when a db tool (tools/list of --toolsets db) has no case here.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { top, startServers, query } from './lib/testdb.mjs';

process.env.OPENSIPS_MCP_BIN ||= join(top, 'build/release/opensips-mcp');
const { withClient, connect, allTools, callTool, types } = await import('../e2e/lib/sdk.mjs');
const { startSim, stopAll, requests, clearRequests, control } = await import('../e2e/lib/sim.mjs');
const { freePort } = await import('../e2e/lib/http.mjs');
const { ms } = await import('../e2e/lib/raw.mjs');

const T = { timeout: ms(60_000) };
const dir = mkdtempSync(join(tmpdir(), 'mcp-db-tools-'));
// Nothing of the machine's or the caller's configuration: no opensips-cli file, no MI or DB settings.
process.env.HOME = dir;
for (const k of Object.keys(process.env)) if (/^OPENSIPS_MCP_(DB|MI|CONFIG)|^OPENSIPS_MI_URL$/.test(k)) delete process.env[k];
process.env.OPENSIPS_MCP_TEST_DEFAULT_FIFO = join(dir, 'no-such-fifo');

const hex = (alg, s) => createHash(alg).update(s).digest('hex');
const ASKS = /Nothing was changed\. Ask the user to confirm, then call again with confirm: true/;
let servers, sim, dbTools;

before(async () => {
  // Servers of this file's own, even inside `scripts/testdb.sh run`: the tests alter and drop
  // tables and stop a server.
  delete process.env.TESTDB_DIR;
  servers = startServers('pg', 'mysql');
  for (const [url, file] of [[servers.TESTDB_PG_URL, 'postgres'], [servers.TESTDB_MYSQL_URL, 'mysql']])
    query(url, null, { file: join(top, 'data/schema/4.0', `${file}.sql`) });
  sim = await startSim({ extra: ['--opensips', '4.0', '--modules', 'extended'], log: join(dir, 'requests.jsonl') });
  await withClient(['--toolsets', 'db', '--role', 'admin'], async (c) => {
    dbTools = (await allTools(c)).map((t) => t.name);
  });
});

after(async () => {
  await stopAll();
  servers?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const text = (r) => (r.content ?? []).map((c) => c.text).join('\n');

for (const kind of ['pg', 'mysql']) {
  const NAME = kind === 'pg' ? 'PostgreSQL' : 'MariaDB';
  describe(NAME, () => {
    let url, ctx, c;
    const covered = new Set(), reads = new Set();
    const sql = (s) => query(url, s);
    const count = (table, where = '') => Number(sql(`SELECT COUNT(*) FROM ${table}${where ? ` WHERE ${where}` : ''}`)[0][0]);
    // SQL string literal (the tests' own values; the server binds its parameters)
    const lit = (s) => `'${s.replace(/\\/g, kind === 'mysql' ? '\\\\' : '\\').replace(/'/g, "''")}'`;

    // A call; a success counts as a case of the tool.
    async function call(name, args = {}, opts) {
      const r = await callTool(c, name, args, opts);
      if (!r.isError) covered.add(name);
      return r;
    }
    async function ok(name, args) {
      const r = await call(name, reads.has(name) ? args : { confirm: true, ...args });
      assert.equal(r.isError, undefined, `${name} ${JSON.stringify(args)}: ${text(r)}`);
      return r.structuredContent;
    }
    async function fails(name, args, re) {
      const r = await callTool(c, name, args);
      assert.equal(r.isError, true, `${name} ${JSON.stringify(args)} succeeded: ${JSON.stringify(r.structuredContent)}`);
      assert.match(text(r), re, `${name} ${JSON.stringify(args)}`);
      return text(r);
    }
    // Every page of a list tool (limit per page), asserting total and next_offset on the way.
    async function listAll(name, args = {}, limit = 500) {
      const items = [];
      let offset = 0, total;
      for (let i = 0; i < 100; i++) {
        const p = await ok(name, { ...args, limit, offset });
        total ??= p.total;
        assert.equal(p.total, total, `${name}: total changed between pages`);
        assert.equal(p.offset, offset);
        items.push(...p.items);
        if (p.next_offset === null) break;
        assert.equal(p.next_offset, offset + p.items.length, `${name}: next_offset leaves a gap`);
        offset = p.next_offset;
      }
      assert.equal(items.length, total, `${name}: the pages hold ${items.length} items, total says ${total}`);
      return items;
    }

    before(async () => {
      url = kind === 'pg' ? servers.TESTDB_PG_URL : servers.TESTDB_MYSQL_URL;
      ctx = await connect(['--db-url', url, '--toolsets', 'all', '--role', 'admin', '--mi-url', sim.url]);
      c = ctx.client;
      for (const t of await allTools(c)) if (t.annotations?.readOnlyHint === true) reads.add(t.name);
    });
    after(async () => { await ctx?.close(); });

    test('subscribers: add stores the three hashes auth_db reads (no password), get, list, set_password, delete', T, async () => {
      const r = await ok('subscriber_add', { username: 'alice', domain: 'example.com', password: 'Secr3t-pw' });
      assert.equal(r.changed, 1);
      assert.equal(typeof r.id, 'number');
      assert.equal(r.status, 'live', 'auth_db reads the table on every use');
      const [row] = sql(`SELECT id, password, ha1, ha1_sha256, ha1_sha512t256 FROM subscriber WHERE username = 'alice'`);
      const s = 'alice:example.com:Secr3t-pw';
      assert.deepEqual(row, [String(r.id), '', hex('md5', s), hex('sha256', s), hex('sha512-256', s)]);

      const g = (await ok('subscriber_get', { username: 'alice', domain: 'example.com' })).result;
      assert.deepEqual(g, { id: r.id, username: 'alice', domain: 'example.com' }, 'no password nor hash read back');
      const l = await ok('subscriber_list', { domain: 'example.com' });
      assert.equal(l.total, 1);
      assert.deepEqual(l.items, [g]);

      const p = await ok('subscriber_set_password', { username: 'alice', domain: 'example.com', password: 'n3w:pass' });
      assert.equal(p.changed, 1);
      const s2 = 'alice:example.com:n3w:pass';
      assert.deepEqual(sql(`SELECT password, ha1, ha1_sha256, ha1_sha512t256 FROM subscriber WHERE id = ${r.id}`)[0],
        ['', hex('md5', s2), hex('sha256', s2), hex('sha512-256', s2)], 'all three hashes rewritten');

      await ok('subscriber_add', { username: 'bob', domain: 'example.com', password: 'x' });
      const d = await ok('subscriber_delete', { id: r.id });
      assert.equal(d.changed, 1);
      assert.equal(count('subscriber', `username = 'alice'`), 0);
      assert.equal(count('subscriber', `username = 'bob'`), 1, 'only the row named was deleted');
      await fails('subscriber_get', { username: 'alice', domain: 'example.com' }, /not_found.*subscriber has no such row/);
    });

    test('subscribers: a duplicate user@domain is a clear error and leaves one row', T, async () => {
      await ok('subscriber_add', { username: 'dup', domain: 'example.com', password: 'one' });
      const t = await fails('subscriber_add', { username: 'dup', domain: 'example.com', password: 'two', confirm: true },
        /nothing was changed/);
      assert.match(t, /duplicate|unique|account_idx/i, t);
      assert.doesNotMatch(t, /two/, 'the password is not in the error');
      assert.equal(count('subscriber', `username = 'dup'`), 1);
      assert.equal(sql(`SELECT ha1 FROM subscriber WHERE username = 'dup'`)[0][0], hex('md5', 'dup:example.com:one'));
      // the same user in another domain is another account
      await ok('subscriber_add', { username: 'dup', domain: 'other.example', password: 'two' });
      assert.equal(count('subscriber', `username = 'dup'`), 2);
    });

    test('subscribers: unknown user or id is not found and changes nothing', T, async () => {
      const before = sql('SELECT id, username, domain, ha1 FROM subscriber ORDER BY id');
      await fails('subscriber_set_password', { username: 'nobody', domain: 'example.com', password: 'x', confirm: true }, /not_found.*nothing was changed/);
      await fails('subscriber_delete', { id: 987654, confirm: true }, /not_found.*nothing was changed/);
      await fails('subscriber_get', { username: 'nobody', domain: 'example.com' }, /not_found/);
      assert.deepEqual(sql('SELECT id, username, domain, ha1 FROM subscriber ORDER BY id'), before);
    });

    test('domains: add (then domain:reload on the node), list, duplicate refused, delete by name', T, async () => {
      clearRequests(sim);
      const r = await ok('domain_add', { domain: 'sip.example.com', accept_subdomain: 1 });
      assert.equal(r.status, 'live');
      assert.ok(requests(sim, 'domain:reload').length === 1, 'domain:reload reached the node');
      assert.deepEqual(sql(`SELECT domain, accept_subdomain FROM domain WHERE id = ${r.id}`), [['sip.example.com', '1']]);
      const l = await ok('domain_list', { domain: 'example' });
      assert.deepEqual(l.items.map((i) => i.domain), ['sip.example.com']);
      await fails('domain_add', { domain: 'sip.example.com', confirm: true }, /nothing was changed/);
      assert.equal(count('domain', `domain = 'sip.example.com'`), 1);
      await fails('domain_delete', { domain: 'nope.example', confirm: true }, /not_found.*nothing was changed/);
      await fails('domain_add', { domain: 'x', accept_subdomain: 2, confirm: true }, /accept_subdomain/);
      assert.equal((await ok('domain_delete', { domain: 'sip.example.com' })).changed, 1);
      assert.equal(count('domain'), 0);
    });

    test('dispatcher: add, list by set, update, remove; each followed by dispatcher:reload on the node', T, async () => {
      clearRequests(sim);
      const r = await ok('dispatcher_add', { setid: 7, destination: 'sip:10.0.0.5:5060', weight: '5', description: 'gw a' });
      assert.equal(r.status, 'live');
      assert.equal(requests(sim, 'dispatcher:reload').length, 1, 'one dispatcher:reload after the add');
      assert.deepEqual(sql(`SELECT setid, destination, weight, description, state FROM dispatcher WHERE id = ${r.id}`),
        [['7', 'sip:10.0.0.5:5060', '5', 'gw a', '0']]);
      await ok('dispatcher_add', { setid: 8, destination: 'sip:10.0.0.6' });
      const l = await ok('dispatcher_db_list', { setid: 7 });
      assert.deepEqual(l.items.map((i) => [i.id, i.destination]), [[r.id, 'sip:10.0.0.5:5060']]);

      const u = await ok('dispatcher_update', { id: r.id, state: 1, flags: 2, priority: 3 });
      assert.equal(u.changed, 1);
      assert.deepEqual(sql(`SELECT state, probe_mode, priority, destination FROM dispatcher WHERE id = ${r.id}`),
        [['1', '2', '3', 'sip:10.0.0.5:5060']], 'flags is the old name of probe_mode; the rest unchanged');
      await fails('dispatcher_update', { id: r.id, confirm: true }, /nothing to change/);
      await fails('dispatcher_update', { id: 987654, state: 0, confirm: true }, /not_found.*nothing was changed/);
      await fails('dispatcher_update', { id: r.id, state: 5, confirm: true }, /state/);
      await fails('dispatcher_add', { destination: 'not-a-uri', confirm: true }, /destination/);
      await fails('dispatcher_add', { destination: 'sip:a b', confirm: true }, /destination/);
      // an 's' after the scheme is no whitespace (the pattern once read [^\s] as POSIX brackets)
      const s = await ok('dispatcher_add', { setid: 8, destination: 'sips:sales@gw.example.com;transport=tls', reload: false });
      assert.equal(sql(`SELECT destination FROM dispatcher WHERE id = ${s.id}`)[0][0], 'sips:sales@gw.example.com;transport=tls');
      await ok('dispatcher_remove', { id: s.id, reload: false });
      await fails('dispatcher_remove', { id: 987654, confirm: true }, /not_found.*nothing was changed/);
      assert.equal(count('dispatcher'), 2);
      assert.equal(requests(sim, 'dispatcher:reload').length, 3, 'two adds and an update; none after a failed write or reload: false');

      assert.equal((await ok('dispatcher_remove', { id: r.id })).changed, 1);
      assert.equal(count('dispatcher', `id = ${r.id}`), 0);
      assert.equal(requests(sim, 'dispatcher:reload').length, 4);
    });

    test('reload: false commits without reloading; a reload the node fails leaves the change committed, said so', T, async () => {
      clearRequests(sim);
      const r = await ok('dispatcher_add', { setid: 9, destination: 'sip:10.9.9.9', reload: false });
      assert.equal(r.status, 'committed');
      assert.match(r.note, /reload: false.*dispatcher:reload/);
      assert.equal(requests(sim, 'dispatcher:reload').length, 0);
      assert.equal(count('dispatcher', 'setid = 9'), 1);

      await control(sim, 'sim:fault', { kind: 'http500', command: 'dispatcher:reload', count: 1 });
      const f = await ok('dispatcher_remove', { id: r.id });
      assert.equal(f.status, 'committed');
      assert.match(f.note, /committed, but OpenSIPS did not re-read the table: dispatcher:reload failed/);
      assert.equal(count('dispatcher', 'setid = 9'), 0, 'the delete is committed all the same');
      await control(sim, 'sim:clear_faults');
    });

    test('gen_test_dispatcher: dry_run (the default) writes nothing; a real run writes every row in one transaction', T, async () => {
      const dests = ['sip:192.0.2.1', 'sip:192.0.2.2:5070', 'sip:192.0.2.3;transport=tcp'];
      const n0 = count('dispatcher');
      clearRequests(sim);
      const plan = await ok('gen_test_dispatcher', { set_id: 42, destinations: dests });
      assert.equal(plan.dry_run, true);
      assert.deepEqual(plan.rows.map((x) => x.destination), dests);
      assert.equal(count('dispatcher'), n0, 'dry_run wrote nothing');
      assert.equal(requests(sim, 'dispatcher:reload').length, 0, 'dry_run reloads nothing');

      const r = await ok('gen_test_dispatcher', { set_id: 42, destinations: dests, dry_run: false, socket: 'udp:127.0.0.1:5060' });
      assert.equal(r.changed, 3);
      assert.equal(r.ids.length, 3);
      assert.equal(r.status, 'live');
      assert.deepEqual(sql(`SELECT destination, socket, weight FROM dispatcher WHERE setid = 42 ORDER BY id`),
        dests.map((d) => [d, 'udp:127.0.0.1:5060', '1']));
      assert.deepEqual(sql('SELECT id FROM dispatcher WHERE setid = 42 ORDER BY id').map((x) => Number(x[0])), r.ids);

      // The database refuses the third row: none of the batch is left.
      sql(`ALTER TABLE dispatcher ADD CONSTRAINT t0200_no_bad CHECK (destination <> 'sip:bad.invalid')`);
      try {
        await fails('gen_test_dispatcher', { set_id: 43, destinations: ['sip:192.0.2.7', 'sip:192.0.2.8', 'sip:bad.invalid'],
          dry_run: false, confirm: true }, /nothing was changed/);
        assert.equal(count('dispatcher', 'setid = 43'), 0, 'all or none');
      } finally {
        sql(kind === 'pg' ? 'ALTER TABLE dispatcher DROP CONSTRAINT t0200_no_bad' : 'ALTER TABLE dispatcher DROP CONSTRAINT t0200_no_bad');
      }
      await fails('gen_test_dispatcher', { set_id: 1, destinations: [], confirm: true }, /destinations/);
      await fails('gen_test_dispatcher', { set_id: -1, destinations: dests, confirm: true }, /set_id/);
    });

    test('drouting gateways: add (gwid from the address), update, duplicate gwid refused, delete', T, async () => {
      const a = await ok('drouting_add_gateway', { address: '10.0.0.9:5060', type: 1, description: 'first' });
      assert.equal(a.status, 'live');
      assert.deepEqual(sql(`SELECT gwid, address, type FROM dr_gateways WHERE id = ${a.id}`), [['10.0.0.9_5060', '10.0.0.9:5060', '1']]);
      await ok('drouting_add_gateway', { gwid: 'gw2', address: 'sip:gw2.example.com', strip: 2, pri_prefix: '00' });
      await fails('drouting_add_gateway', { gwid: 'gw2', address: '10.1.1.1', confirm: true }, /nothing was changed/);
      assert.equal(count('dr_gateways', `gwid = 'gw2'`), 1);
      await fails('drouting_add_gateway', { gwid: 'a,b', address: '10.1.1.1', confirm: true }, /gwid/);
      await fails('drouting_add_gateway', { gwid: 'a b', address: '10.1.1.1', confirm: true }, /gwid/);
      const gs = await ok('drouting_add_gateway', { gwid: 'gws', address: '10.1.1.2', reload: false });
      assert.equal((await ok('drouting_delete_gateway', { gwid: 'gws', reload: false })).changed, 1, `gwid 'gws' ${gs.id}`);
      const u = await ok('drouting_update_gateway', { gwid: 'gw2', state: 1, description: 'second' });
      assert.equal(u.changed, 1);
      assert.deepEqual(sql(`SELECT state, description, strip FROM dr_gateways WHERE gwid = 'gw2'`), [['1', 'second', '2']]);
      await fails('drouting_update_gateway', { gwid: 'nope', state: 0, confirm: true }, /not_found.*gwid.*nothing was changed/);
      const l = await ok('drouting_list_gateways', { type: 1 });
      assert.deepEqual(l.items.map((i) => i.gwid), ['10.0.0.9_5060']);
      await ok('drouting_add_gateway', { gwid: 'gone', address: '10.3.3.3' });
      assert.equal((await ok('drouting_delete_gateway', { gwid: 'gone' })).changed, 1);
      await fails('drouting_delete_gateway', { gwid: 'gone', confirm: true }, /not_found/);
      assert.equal(count('dr_gateways'), 2);
    });

    test('drouting carriers: gwlist must name existing gateways; add, update, delete', T, async () => {
      const a = await ok('drouting_add_carrier', { carrierid: 'c1', gwlist: '10.0.0.9_5060,gw2=3', description: 'carrier one' });
      assert.deepEqual(sql(`SELECT carrierid, gwlist FROM dr_carriers WHERE id = ${a.id}`), [['c1', '10.0.0.9_5060,gw2=3']]);
      await fails('drouting_add_carrier', { carrierid: 'c2', gwlist: 'gw2,missing-gw', confirm: true },
        /gwlist names the gateway 'missing-gw', which dr_gateways does not have.*nothing was changed/);
      await fails('drouting_add_carrier', { carrierid: 'c2', gwlist: '#c1', confirm: true }, /gwlist/);
      assert.equal(count('dr_carriers'), 1);
      await ok('drouting_update_carrier', { id: a.id, gwlist: 'gw2', state: 1 });
      assert.deepEqual(sql(`SELECT gwlist, state FROM dr_carriers WHERE id = ${a.id}`), [['gw2', '1']]);
      await fails('drouting_update_carrier', { id: a.id, gwlist: 'nope', confirm: true }, /'nope'/);
      assert.equal(sql(`SELECT gwlist FROM dr_carriers WHERE id = ${a.id}`)[0][0], 'gw2', 'a refused update changes nothing');
      const l = await ok('drouting_list_carriers');
      assert.deepEqual(l.items.map((i) => i.carrierid), ['c1']);
      const b = await ok('drouting_add_carrier', { carrierid: 'c9', gwlist: 'gw2' });
      assert.equal((await ok('drouting_delete_carrier', { id: b.id })).changed, 1);
      await fails('drouting_delete_carrier', { id: b.id, confirm: true }, /not_found/);
    });

    test('drouting rules: gwlist of gateways and #carriers checked; a missing one, a bad groupid, disabled: true refused with no row', T, async () => {
      const a = await ok('drouting_add_rule', { groupid: '1,2', prefix: '+44', gwlist: '#c1;10.0.0.9_5060=5', priority: 2, sort_alg: 'W' });
      assert.deepEqual(sql(`SELECT groupid, prefix, gwlist, priority, sort_alg FROM dr_rules WHERE ruleid = ${a.id}`),
        [['1,2', '+44', '#c1;10.0.0.9_5060=5', '2', 'W']]);
      const n = count('dr_rules');
      await fails('drouting_add_rule', { groupid: '1', prefix: '1', gwlist: 'gw2,no-such-gw', confirm: true },
        /gwlist names the gateway 'no-such-gw', which dr_gateways does not have.*nothing was changed/);
      await fails('drouting_add_rule', { groupid: '1', prefix: '1', gwlist: '#no-such-carrier', confirm: true },
        /carrier '#no-such-carrier', which dr_carriers does not have/);
      await fails('drouting_add_rule', { groupid: '1,x', prefix: '1', gwlist: 'gw2', confirm: true }, /groupid/);
      await fails('drouting_add_rule', { groupid: '1', prefix: '1', gwlist: 'gw2,,', confirm: true }, /gwlist/);
      const dis = await fails('drouting_add_rule', { groupid: '1', prefix: '1', gwlist: 'gw2', disabled: true, confirm: true },
        /dr_rules has no disabled column.*nothing was changed/);
      assert.match(dis, /groupid no caller has/);
      assert.equal(count('dr_rules'), n, 'no row from any refused rule');
      const b = await ok('drouting_add_rule', { groupid: '3', prefix: '', gwlist: 'gw2', disabled: false });
      assert.equal(count('dr_rules', `ruleid = ${b.id}`), 1, 'disabled: false is the default behaviour');
      const l = await ok('drouting_list_rules', { prefix: '44' });
      assert.deepEqual(l.items.map((i) => i.ruleid), [a.id]);
      assert.equal((await ok('drouting_delete_rule', { ruleid: b.id })).changed, 1);
      await fails('drouting_delete_rule', { ruleid: b.id, confirm: true }, /not_found/);
    });

    test('drouting groups: add, list by group, delete', T, async () => {
      const a = await ok('drouting_add_group', { username: 'alice', domain: 'example.com', groupid: 3 });
      await ok('drouting_add_group', { username: 'bob', groupid: 4 });
      assert.deepEqual(sql(`SELECT username, domain, groupid FROM dr_groups WHERE id = ${a.id}`), [['alice', 'example.com', '3']]);
      const l = await ok('drouting_list_groups', { groupid: 3 });
      assert.deepEqual(l.items.map((i) => i.username), ['alice']);
      assert.equal((await ok('drouting_delete_group', { id: a.id })).changed, 1);
      assert.equal(count('dr_groups'), 1);
    });

    test('dialplan: add (match_op defaults to regex), list by dpid, update, delete', T, async () => {
      clearRequests(sim);
      const a = await ok('dialplan_add_rule', { dpid: 1, match_exp: '^00(.*)$', subst_exp: '^00(.*)$', repl_exp: '+\\1' });
      assert.equal(a.status, 'live');
      assert.equal(requests(sim, 'dialplan:reload').length, 1);
      assert.deepEqual(sql(`SELECT dpid, match_op, match_exp, repl_exp, disabled FROM dialplan WHERE id = ${a.id}`),
        [['1', '1', '^00(.*)$', '+\\1', '0']], 'the schema shows match_op default 1; the row has it');
      await ok('dialplan_add_rule', { dpid: 2, pr: 1, match_op: 0, match_exp: '911', subst_exp: '911', repl_exp: '112' });
      const l = await ok('dialplan_list_rules', { dpid: 1 });
      assert.deepEqual(l.items.map((i) => i.id), [a.id]);
      await ok('dialplan_update_rule', { id: a.id, disabled: 1, attrs: 'x=1' });
      assert.deepEqual(sql(`SELECT disabled, attrs, match_exp FROM dialplan WHERE id = ${a.id}`), [['1', 'x=1', '^00(.*)$']]);
      await fails('dialplan_update_rule', { id: a.id, match_op: 3, confirm: true }, /match_op/);
      await fails('dialplan_add_rule', { dpid: 1, match_exp: 'x', subst_exp: 'x', repl_exp: 'y'.repeat(33), confirm: true },
        /repl_exp/);
      assert.equal((await ok('dialplan_delete_rule', { id: a.id })).changed, 1);
      await fails('dialplan_delete_rule', { id: a.id, confirm: true }, /not_found/);
    });

    test('load balancer: add, list by group, delete; resources must be name=number', T, async () => {
      clearRequests(sim);
      const a = await ok('lb_add', { group_id: 2, dst_uri: 'sip:10.5.5.5:5060', resources: 'pstn=32;vm=10' });
      assert.equal(requests(sim, 'load_balancer:reload').length, 1);
      assert.deepEqual(sql(`SELECT group_id, dst_uri, resources FROM load_balancer WHERE id = ${a.id}`), [['2', 'sip:10.5.5.5:5060', 'pstn=32;vm=10']]);
      await fails('lb_add', { dst_uri: 'sip:10.5.5.6', resources: 'pstn', confirm: true }, /resources/);
      const l = await ok('lb_db_list', { group_id: 2 });
      assert.deepEqual(l.items.map((i) => i.id), [a.id]);
      assert.equal((await ok('lb_delete', { id: a.id })).changed, 1);
      assert.equal(count('load_balancer'), 0);
    });

    test(`address: port 40000 ${kind === 'pg' ? 'refused, naming PostgreSQL\'s SMALLINT' : 'accepted (UNSIGNED SMALLINT)'}; add, list, remove`, T, async () => {
      clearRequests(sim);
      const a = await ok('address_add', { grp: 1, ip: '10.0.0.0', mask: 8, port: 5060, proto: 'udp', context_info: 'lan' });
      assert.equal(requests(sim, 'permissions:address_reload').length, 1);
      assert.deepEqual(sql(`SELECT grp, ip, mask, port, proto FROM address WHERE id = ${a.id}`), [['1', '10.0.0.0', '8', '5060', 'udp']]);
      const n = count('address');
      if (kind === 'pg') {
        await fails('address_add', { ip: '10.0.0.1', port: 40000, confirm: true },
          /port: 40000 does not fit address\.port, which holds 0 to 32767 on PostgreSQL.*nothing was changed/);
        await fails('address_add', { ip: '10.0.0.1', grp: 40000, confirm: true }, /grp: 40000 .*PostgreSQL/);
        assert.equal(count('address'), n);
      } else {
        const b = await ok('address_add', { ip: '10.0.0.1', port: 40000, grp: 40000 });
        assert.deepEqual(sql(`SELECT port, grp FROM address WHERE id = ${b.id}`), [['40000', '40000']]);
        await fails('address_add', { ip: '10.0.0.1', port: 70000, confirm: true }, /port/);
      }
      await fails('address_add', { ip: '10.0.0.1', mask: 129, confirm: true }, /mask/);
      await fails('address_add', { ip: '10.0.0.1', port: -1, confirm: true }, /port/);
      await fails('address_add', { ip: 'ten.zero', confirm: true }, /ip/);
      const l = await ok('address_list', { ip: '10.0.0.0' });
      assert.deepEqual(l.items.map((i) => i.id), [a.id]);
      assert.equal((await ok('address_remove', { id: a.id })).changed, 1);
      await fails('address_remove', { id: a.id, confirm: true }, /not_found/);
    });

    test('fraud: daysofweek is stored in daysoftheweek; prefix defaults to empty; update, list, delete', T, async () => {
      const a = await ok('fraud_add_rule', { profileid: 1, daysofweek: 'Mon-Fri', start_hour: '08:00', end_hour: '18:30', cpm_warning: 10, cpm_critical: 20 });
      assert.equal(a.status, 'live');
      assert.deepEqual(sql(`SELECT profileid, prefix, daysoftheweek, start_hour, end_hour, cpm_warning, cpm_critical FROM fraud_detection WHERE ruleid = ${a.id}`),
        [['1', '', 'Mon-Fri', '08:00', '18:30', '10', '20']]);
      await fails('fraud_add_rule', { profileid: 1, daysofweek: 'Someday', confirm: true }, /daysofweek/);
      await fails('fraud_add_rule', { profileid: 1, start_hour: '25:00', confirm: true }, /start_hour/);
      await ok('fraud_update_rule', { ruleid: a.id, daysofweek: 'Sat,Sun', total_calls_critical: 100 });
      assert.deepEqual(sql(`SELECT daysoftheweek, total_calls_critical, cpm_warning FROM fraud_detection WHERE ruleid = ${a.id}`),
        [['Sat,Sun', '100', '10']]);
      const l = await ok('fraud_list_rules', { profileid: 1 });
      assert.equal(l.items.length, 1);
      assert.equal(l.items[0].daysoftheweek, 'Sat,Sun');
      await fails('fraud_update_rule', { ruleid: 987654, cpm_warning: 1, confirm: true }, /not_found/);
      assert.equal((await ok('fraud_delete_rule', { ruleid: a.id })).changed, 1);
      assert.equal(count('fraud_detection'), 0);
    });

    test('tls: add stores the private key but never reads it back; committed until tls_reload; delete by domain', T, async () => {
      const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQ-not-a-real-key\n-----END PRIVATE KEY-----';
      const cert = '-----BEGIN CERTIFICATE-----\nMIIB+zCCAaGgAwIBAgIU\n-----END CERTIFICATE-----\n';
      const a = await ok('tls_add', { domain: 'tls.example', type: 1, certificate: cert, private_key: key, verify_cert: 0 });
      assert.equal(a.status, 'committed');
      assert.match(a.note, /tls_reload/);
      assert.deepEqual(sql(`SELECT domain, type, verify_cert FROM tls_mgm WHERE id = ${a.id}`), [['tls.example', '1', '0']]);
      assert.equal(count('tls_mgm', `private_key = ${lit(key)}`), 1, 'the key is stored as given');
      const l = await ok('tls_list', { domain: 'tls.example' });
      assert.equal(l.items.length, 1);
      assert.equal(l.items[0].certificate, cert, 'the PEM as given (PostgreSQL keeps it as BYTEA)');
      assert.ok(!('private_key' in l.items[0]), 'tls_list shows no private key');
      assert.doesNotMatch(JSON.stringify(l), /PRIVATE KEY/);
      await ok('tls_add', { domain: 'tls.example', type: 2 });
      assert.equal((await ok('tls_delete', { domain: 'tls.example' })).changed, 2, 'its server and client rows');
      await fails('tls_delete', { domain: 'tls.example', confirm: true }, /not_found/);
      await fails('tls_add', { domain: 'x', type: 3, confirm: true }, /type/);
    });

    test('acc: CDRs and missed calls by date range, callid and code; caller on the stock table is db_missing_column', T, async () => {
      const row = (t, callid, code, time) => `INSERT INTO ${t} (method, from_tag, to_tag, callid, sip_code, sip_reason, time) VALUES ('INVITE', 'f', 't', '${callid}', '${code}', 'r', '${time}')`;
      sql([row('acc', 'c1', '200', '2026-01-01 10:00:00'), row('acc', 'c2', '200', '2026-01-02 10:00:00'),
        row('acc', 'c3', '486', '2026-01-03 10:00:00'), row('missed_calls', 'm1', '487', '2026-01-02 12:00:00'),
        row('missed_calls', 'm2', '408', '2026-01-05 00:00:00')].join(';'));
      const ids = (p) => p.items.map((i) => i.callid);
      assert.deepEqual(ids(await ok('acc_query_cdrs')), ['c1', 'c2', 'c3'], 'oldest first');
      assert.deepEqual(ids(await ok('acc_query_cdrs', { date_from: '2026-01-02' })), ['c2', 'c3']);
      assert.deepEqual(ids(await ok('acc_query_cdrs', { date_from: '2026-01-01T10:00:01', date_to: '2026-01-03 10:00' })), ['c2'],
        'date_from is >=, date_to is <');
      assert.deepEqual(ids(await ok('acc_query_cdrs', { sip_code: '486' })), ['c3']);
      assert.deepEqual(ids(await ok('acc_query_cdrs', { callid: 'c1' })), ['c1']);
      const p = await ok('acc_query_cdrs', { limit: 2 });
      assert.equal(p.total, 3);
      assert.equal(p.next_offset, 2);
      assert.equal(p.items[0].time, '2026-01-01 10:00:00');
      await fails('acc_query_cdrs', { date_from: '01/02/2026' }, /date_from.*YYYY-MM-DD/);
      await fails('acc_query_cdrs', { date_to: '2026-01-02 25' }, /date_to/);
      assert.deepEqual(ids(await ok('acc_missed_calls', { date_to: '2026-01-03' })), ['m1']);
      assert.deepEqual(ids(await ok('acc_missed_calls', { date_from: '2026-01-03' })), ['m2']);

      await fails('acc_query_cdrs', { caller: 'alice' }, /db_missing_column.*table acc lacks a column this call filters on \(caller\)/);
      await fails('acc_missed_calls', { callee: 'bob' }, /db_missing_column.*missed_calls.*\(callee\)/);
      // once the operator adds the extra columns, caller and callee filter (contains)
      sql(`ALTER TABLE acc ADD caller VARCHAR(128) DEFAULT NULL; ALTER TABLE acc ADD callee VARCHAR(128) DEFAULT NULL;
           UPDATE acc SET caller = 'sip:alice@example.com', callee = 'sip:bob@example.com' WHERE callid = 'c2'`);
      assert.deepEqual(ids(await ok('acc_query_cdrs', { caller: 'alice' })), ['c2']);
      assert.deepEqual(ids(await ok('acc_query_cdrs', { callee: 'bob@', date_from: '2026-01-02' })), ['c2']);
      assert.deepEqual(ids(await ok('acc_query_cdrs', { caller: 'carol' })), []);
    });

    test('paging: total, next_offset and the pages cover every row once, with no gap', T, async () => {
      const dests = Array.from({ length: 23 }, (_, i) => `sip:198.51.100.${i + 1}`);
      await ok('gen_test_dispatcher', { set_id: 77, destinations: dests, dry_run: false, reload: false });
      for (const limit of [1, 5, 23, 500]) {
        const items = await listAll('dispatcher_db_list', { setid: 77 }, limit);
        assert.deepEqual(items.map((i) => i.destination), dests, `limit ${limit}`);
      }
      const last = await ok('dispatcher_db_list', { setid: 77, limit: 5, offset: 20 });
      assert.deepEqual([last.total, last.items.length, last.next_offset], [23, 3, null]);
      const past = await ok('dispatcher_db_list', { setid: 77, limit: 5, offset: 100 });
      assert.deepEqual([past.total, past.items.length, past.next_offset], [23, 0, null]);
      const f = await ok('dispatcher_db_list', { setid: 77, limit: 2, fields: ['destination'] });
      assert.deepEqual(f.items, [{ destination: dests[0] }, { destination: dests[1] }]);
      await fails('dispatcher_db_list', { limit: 0 }, /limit/);
      await fails('dispatcher_db_list', { limit: 501 }, /limit/);
      await fails('dispatcher_db_list', { offset: -1 }, /offset/);
    });

    test('wrong types and out-of-range values are refused before the database, naming the argument', T, async () => {
      const snap = () => sql('SELECT COUNT(*) FROM subscriber UNION ALL SELECT COUNT(*) FROM dispatcher UNION ALL SELECT COUNT(*) FROM address UNION ALL SELECT COUNT(*) FROM dialplan');
      const s0 = snap();
      await fails('subscriber_add', { username: 5, domain: 'example.com', password: 'x', confirm: true }, /username/);
      await fails('subscriber_add', { username: 'u', domain: 'example.com', password: '', confirm: true }, /password/);
      await fails('subscriber_add', { username: 'u'.repeat(65), domain: 'example.com', password: 'x', confirm: true }, /username/);
      await fails('subscriber_add', { username: 'u', domain: 'example.com', confirm: true }, /password/);
      await fails('dispatcher_add', { setid: 'seven', destination: 'sip:a', confirm: true }, /setid/);
      await fails('dispatcher_add', { setid: 1.5, destination: 'sip:a', confirm: true }, /setid/);
      await fails('dispatcher_add', { setid: 2147483648, destination: 'sip:a', confirm: true }, /setid.*2147483647/);
      await fails('dispatcher_add', { destination: 'sip:a', attrs: 'a'.repeat(129), confirm: true }, /attrs/);
      await fails('dispatcher_update', { id: 'one', state: 1, confirm: true }, /id/);
      await fails('address_add', { ip: '10.0.0.1', port: '5060', confirm: true }, /port/);
      await fails('dialplan_add_rule', { dpid: 1, match_exp: 'x', subst_exp: 'x', repl_exp: 'y', unknown_column: 1, confirm: true }, /unknown_column/);
      await fails('subscriber_list', { limit: 'ten' }, /limit/);
      await fails('dispatcher_remove', { id: -1, confirm: true }, /id: -1 does not fit dispatcher\.id, which holds 1 to 2147483647/);
      await fails('dispatcher_update', { id: 2 ** 53 - 1, state: 1, confirm: true }, /does not fit dispatcher\.id.*nothing was changed/);
      assert.deepEqual(snap(), s0, 'nothing was written');
    });

    test('SQL-injection strings are stored verbatim and harmless; LIKE metacharacters match literally', T, async () => {
      const evil = [`x'; DROP TABLE subscriber; --`, `a" OR "1"="1`, `b\\' OR 1=1 #`, `%`, `_`, `c!d`, `1); DELETE FROM subscriber WHERE (1=1`];
      for (const u of evil) await ok('subscriber_add', { username: u, domain: 'inj.example', password: `p'w"--` });
      assert.ok(count('version') > 10, 'no table dropped');
      const all = await ok('subscriber_list', { domain: 'inj.example', limit: 500 });
      assert.deepEqual(all.items.map((i) => i.username).sort(), [...evil].sort());
      for (const u of evil) {
        const g = (await ok('subscriber_get', { username: u, domain: 'inj.example' })).result;
        assert.equal(g.username, u);
        assert.equal(sql(`SELECT ha1 FROM subscriber WHERE username = ${lit(u)} AND domain = 'inj.example'`)[0][0],
          hex('md5', `${u}:inj.example:p'w"--`));
      }
      const like = async (s) => (await ok('subscriber_list', { domain: 'inj.example', username: s })).items.map((i) => i.username).sort();
      assert.deepEqual(await like('%'), ['%'], "'%' is a character, not a wildcard");
      assert.deepEqual(await like('_'), ['_']);
      assert.deepEqual(await like('!'), ['c!d'], "'!' (the escape) too");
      assert.deepEqual(await like(`' OR '1'='1`), []);
      assert.equal((await ok('subscriber_list', { domain: `' OR '1'='1` })).total, 0);
      await fails('subscriber_get', { username: `' OR '1'='1`, domain: `' OR '1'='1` }, /not_found/);
      const n = count('subscriber');
      await fails('subscriber_set_password', { username: `' OR '1'='1`, domain: 'inj.example', password: 'x', confirm: true }, /not_found/);
      assert.equal(count('subscriber'), n);
      assert.equal(count('subscriber', `domain = 'inj.example' AND ha1 = ${lit(hex('md5', `%:inj.example:p'w"--`))}`), 1);
      // a gwid and a dialplan expression with quotes and a semicolon, read back as given
      const gw = await ok('drouting_add_gateway', { gwid: `g'w"1`, address: `sip:x';--@h` });
      assert.deepEqual(sql(`SELECT gwid, address FROM dr_gateways WHERE id = ${gw.id}`), [[`g'w"1`, `sip:x';--@h`]]);
      await ok('drouting_add_rule', { groupid: '9', prefix: '9', gwlist: `g'w"1` });
    });

    test('non-ASCII text: a column holds its width in characters, stored and read back verbatim; secrets are no fields', T, async () => {
      const u64 = 'é'.repeat(64);
      const a = await ok('subscriber_add', { username: u64, domain: 'utf8.example', password: 'pässwörd' });
      assert.deepEqual(sql(`SELECT username, ha1 FROM subscriber WHERE id = ${a.id}`), [[u64, hex('md5', `${u64}:utf8.example:pässwörd`)]]);
      await fails('subscriber_add', { username: 'é'.repeat(65), domain: 'utf8.example', password: 'x', confirm: true }, /username.*64 characters/);
      const d = await ok('dispatcher_add', { destination: 'sip:utf8.example', description: '☎️ 中文 😀', reload: false });
      assert.equal(sql(`SELECT description FROM dispatcher WHERE id = ${d.id}`)[0][0], '☎️ 中文 😀');
      const l = await ok('dispatcher_db_list', { fields: ['id', 'description'], limit: 500 });
      assert.deepEqual(l.items.find((i) => i.id === d.id), { id: d.id, description: '☎️ 中文 😀' });
      await ok('dispatcher_remove', { id: d.id, reload: false });
      // asking for the hashes by name gets nothing of them
      const f = await ok('subscriber_list', { domain: 'utf8.example', fields: ['ha1', 'ha1_sha256', 'ha1_sha512t256', 'password', 'username'] });
      assert.deepEqual(f.items, [{ username: u64 }]);
      const t = await ok('tls_add', { domain: 'key.example', private_key: 'KEY-SECRET' });
      assert.deepEqual((await ok('tls_list', { domain: 'key.example', fields: ['private_key', 'domain'] })).items, [{ domain: 'key.example' }]);
      await ok('tls_delete', { domain: 'key.example' });
      assert.equal(count('tls_mgm', `id = ${t.id}`), 0);
    });

    test('a write without confirm, from a client that cannot be asked, asks first and writes nothing', T, async () => {
      const n = count('subscriber');
      for (const [name, args] of [['subscriber_add', { username: 'noconfirm', domain: 'example.com', password: 'x' }],
        ['subscriber_delete', { id: 1 }], ['dispatcher_add', { destination: 'sip:10.7.7.7' }],
        ['gen_test_dispatcher', { set_id: 5, destinations: ['sip:10.7.7.8'], dry_run: false }],
        ['address_remove', { id: 1 }], ['tls_delete', { domain: 'x' }]]) {
        const r = await callTool(c, name, args);
        assert.equal(r.isError, true, name);
        assert.match(text(r), ASKS, name);
      }
      assert.equal(count('subscriber'), n);
      assert.equal(count('dispatcher', `destination LIKE 'sip:10.7.7.%'`), 0);
    });

    test('a client with elicitation: declined writes nothing, accepted writes', T, async () => {
      let answer = 'decline';
      const asked = [];
      await withClient(['--db-url', url, '--toolsets', 'db', '--role', 'admin'], async (ec) => {
        await allTools(ec);
        const r1 = await callTool(ec, 'domain_add', { domain: 'asked.example' });
        assert.equal(r1.isError, true);
        assert.match(text(r1), /did not confirm/);
        assert.equal(count('domain', `domain = 'asked.example'`), 0);
        answer = 'accept';
        const r2 = await callTool(ec, 'domain_add', { domain: 'asked.example' });
        assert.equal(r2.isError, undefined, text(r2));
        assert.equal(count('domain', `domain = 'asked.example'`), 1);
      }, {
        capabilities: { elicitation: {} },
        setup: (cl) => cl.setRequestHandler(types.ElicitRequestSchema, (req) => {
          asked.push(req.params.message);
          return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
        }),
      });
      assert.equal(asked.length, 2);
      assert.match(asked[0], /domain_add/);
    });

    test('viewer reads (db.read) but cannot write (db.write); operator writes', T, async () => {
      const n = count('domain');
      await withClient(['--db-url', url, '--toolsets', 'db', '--role', 'viewer'], async (vc) => {
        const names = (await allTools(vc)).map((t) => t.name);
        assert.deepEqual(names.sort(), [...reads].filter((n) => dbTools.includes(n)).sort(),
          'the viewer is shown every db read and no db write');
        const r = await callTool(vc, 'domain_list', {});
        assert.equal(r.isError, undefined, text(r));
        assert.equal(r.structuredContent.total, n);
        for (const [name, args] of [['domain_add', { domain: 'viewer.example' }], ['subscriber_add', { username: 'v', domain: 'v', password: 'v' }],
          ['dispatcher_remove', { id: 1 }]]) {
          const w = await callTool(vc, name, { ...args, confirm: true });
          assert.equal(w.isError, true, `${name} as viewer`);
          assert.match(text(w), new RegExp(`tool '${name}' needs the scope 'db\\.write', which role 'viewer' does not have`), text(w));
        }
      });
      assert.equal(count('domain'), n);
      assert.equal(count('domain', `domain = 'viewer.example'`), 0);
      await withClient(['--db-url', url, '--toolsets', 'db', '--role', 'operator'], async (oc) => {
        await allTools(oc);
        const w = await callTool(oc, 'domain_add', { domain: 'operator.example', confirm: true });
        assert.equal(w.isError, undefined, text(w));
      });
      assert.equal(count('domain', `domain = 'operator.example'`), 1);
    });

    test('the audit trail has neither the password of subscriber_add / set_password nor the one in --db-url', T, async () => {
      const audit = join(dir, `audit-${kind}.jsonl`);
      const pw = 'Aud1t-Secret-PW', pw2 = 'Aud1t-Other-PW2';
      let stderr;
      await withClient(['--db-url', url, '--toolsets', 'db', '--role', 'admin', '--audit', audit, '--log-level', 'debug'], async (ac, actx) => {
        await allTools(ac);
        assert.equal((await callTool(ac, 'subscriber_add', { username: 'audited', domain: 'example.com', password: pw, confirm: true })).isError, undefined);
        assert.equal((await callTool(ac, 'subscriber_set_password', { username: 'audited', domain: 'example.com', password: pw2, confirm: true })).isError, undefined);
        // refused ones are audited too, with their arguments; the question shows no password either
        const q = await callTool(ac, 'subscriber_add', { username: 'audited', domain: 'example.com', password: pw });
        assert.match(text(q), ASKS);
        assert.match(text(q), /"password":"\*\*\*"/);
        assert.ok(!text(q).includes(pw), `the question shows the password: ${text(q)}`);
        const q2 = await callTool(ac, 'subscriber_set_password', { username: 'audited', domain: 'example.com', password: pw2 });
        assert.ok(!text(q2).includes(pw2), `the question shows the password: ${text(q2)}`);
        await callTool(ac, 'subscriber_add', { username: 'audited', domain: 'example.com', password: pw, confirm: true });
        stderr = actx.stderr();
      });
      assert.ok(existsSync(audit), 'no audit file');
      const trail = readFileSync(audit, 'utf8');
      assert.ok(trail.split('\n').filter(Boolean).length >= 4, trail);
      assert.match(trail, /subscriber_add/);
      for (const secret of [pw, pw2, servers.TESTDB_PASSWORD]) {
        assert.ok(!trail.includes(secret), `the audit trail holds a password: ${secret}`);
        assert.ok(!stderr.includes(secret), `the log holds a password: ${secret}`);
      }
    });

    test('a database that is down, or that does not answer, is a clear error within the time-outs', T, async () => {
      const deadPort = await freePort();
      const dead = kind === 'pg' ? `postgres://opensips:${servers.TESTDB_PASSWORD}@127.0.0.1:${deadPort}/opensips`
        : `mysql://opensips:${servers.TESTDB_PASSWORD}@127.0.0.1:${deadPort}/opensips`;
      await withClient(['--db-url', dead, '--toolsets', 'db', '--role', 'admin'], async (dc) => {
        await allTools(dc);
        const r = await callTool(dc, 'subscriber_list', {});
        assert.equal(r.isError, true);
        assert.match(text(r), /127\.0\.0\.1/);
        assert.match(text(r), /refused|connect|can't|could not/i);
        assert.ok(!text(r).includes(servers.TESTDB_PASSWORD), 'the password is not in the error');
        assert.match(text(r), /db_unreachable/);
        const w = await callTool(dc, 'domain_add', { domain: 'down.example', confirm: true });
        assert.equal(w.isError, true);
        assert.match(text(w), /db_unreachable.*nothing was changed/);
      });
      // A server that accepts the connection and never says a word: the connect time-out ends it.
      const held = [];
      const mute = createServer((s) => held.push(s));
      await new Promise((res) => mute.listen(0, '127.0.0.1', res));
      const muteUrl = dead.replace(`:${deadPort}/`, `:${mute.address().port}/`);
      try {
        await withClient(['--db-url', muteUrl, '--toolsets', 'db', '--role', 'admin', '--db-connect-timeout-ms', '1000'], async (dc) => {
          await allTools(dc);
          const r = await callTool(dc, 'subscriber_list', {}, { timeout: ms(20_000) });
          assert.equal(r.isError, true);
          assert.match(text(r), /time|timeout|timed out/i);
          assert.ok(!text(r).includes(servers.TESTDB_PASSWORD));
        });
      } finally {
        held.forEach((s) => s.destroy());
        mute.close();
      }
    });

    test('the server stopped under a running opensips-mcp: a clear error, and the next call after its restart works', T, async () => {
      const testdb = join(top, 'scripts/testdb.sh');
      const { execFileSync } = await import('node:child_process');
      const which = kind === 'pg' ? 'pg' : 'mysql';
      assert.equal((await ok('domain_list')).total, count('domain'), 'a connection is cached');
      execFileSync(testdb, ['server', servers.TESTDB_DIR, which, 'stop'], { timeout: 60_000 });
      try {
        const r = await callTool(c, 'domain_list', {});
        assert.equal(r.isError, true);
        assert.match(text(r), /db_unreachable|db_error/);
        assert.match(text(r), kind === 'pg' ? /postgresql at postgres:\/\/opensips:\*\*\*@/ : /mysql at mysql:\/\/opensips:\*\*\*@/);
        const w = await callTool(c, 'domain_add', { domain: 'stopped.example', confirm: true });
        assert.equal(w.isError, true);
        assert.match(text(w), /nothing was changed/);
      } finally {
        execFileSync(testdb, ['server', servers.TESTDB_DIR, which, 'start'], { timeout: 60_000 });
      }
      // every worker's cached connection is stale now; each call reconnects
      for (let i = 0; i < 4; i++) assert.equal((await ok('domain_list')).total, count('domain'));
      await ok('domain_add', { domain: 'restarted.example' });
      assert.equal(count('domain', `domain = 'stopped.example'`), 0);
      assert.equal(count('domain', `domain = 'restarted.example'`), 1);
    });

    test('a statement that waits on a lock ends at the statement time-out (db_timeout), and the next call works', T, async () => {
      const { parseUrl } = await import('./lib/testdb.mjs');
      const u = parseUrl(url);
      const holder = kind === 'pg'
        ? spawn('psql', ['-X', '-q', '-h', u.host, '-p', u.port, '-U', u.user, '-d', u.db, '-c',
          'BEGIN; LOCK TABLE subscriber IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(5); COMMIT;'],
          { env: { ...process.env, PGPASSWORD: u.password }, stdio: 'ignore' })
        : spawn('mariadb', ['--no-defaults', '-h', u.host, '-P', u.port, '-u', u.user, u.db, '-e',
          'LOCK TABLES subscriber WRITE; SELECT SLEEP(5); UNLOCK TABLES;'],
          { env: { ...process.env, MYSQL_PWD: u.password }, stdio: 'ignore' });
      const done = new Promise((res) => holder.once('exit', res));
      try {
        // until the lock is held
        for (let i = 0; i < 100; i++) {
          const held = kind === 'pg'
            ? sql(`SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'subscriber' AND l.mode = 'AccessExclusiveLock' AND l.granted`)[0][0]
            : sql(`SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(5)%'`)[0][0];
          if (held !== '0') break;
          await new Promise((res) => setTimeout(res, 50));
        }
        await withClient(['--db-url', url, '--toolsets', 'db', '--role', 'admin', '--db-statement-timeout-ms', '1000'], async (dc) => {
          await allTools(dc);
          const r = await callTool(dc, 'subscriber_list', {}, { timeout: ms(20_000) });
          assert.equal(r.isError, true, 'the list waited for the lock to go');
          assert.match(text(r), /db_timeout/);
          await done;
          const r2 = await callTool(dc, 'subscriber_list', { limit: 1 });
          assert.equal(r2.isError, undefined, `the next call after a time-out: ${text(r2)}`);
        });
      } finally {
        holder.kill();
        await done;
      }
    });

    test('a call cancelled while the database does not answer ends, its connection is dropped, and the server goes on', T, async () => {
      const held = [];
      const closed = [];
      // (resume: a paused socket would never see the client's FIN)
      const mute = createServer((s) => { held.push(s); s.resume(); s.on('close', () => closed.push(s)); });
      await new Promise((res) => mute.listen(0, '127.0.0.1', res));
      const muteUrl = `${kind === 'pg' ? 'postgres' : 'mysql'}://opensips:pw@127.0.0.1:${mute.address().port}/opensips`;
      try {
        const audit = join(dir, `cancel-${kind}.jsonl`);
        await withClient(['--db-url', muteUrl, '--toolsets', 'db', '--role', 'admin', '--db-connect-timeout-ms', '50000',
          '--audit', audit], async (dc) => {
          await allTools(dc);
          const ac = new AbortController();
          const p = callTool(dc, 'subscriber_list', {}, { signal: ac.signal, timeout: ms(60_000) });
          while (held.length === 0) await new Promise((res) => setTimeout(res, 20));
          ac.abort();
          await assert.rejects(p, /abort/i);
          // the server gives up the connect at the cancellation, long before its 50 s time-out
          for (let i = 0; i < 400 && closed.length === 0; i++) await new Promise((res) => setTimeout(res, 25));
          assert.equal(closed.length, 1, 'the connection to the database was not dropped on cancellation');
          // the server answers the next request (it was not stuck in the connect)
          const r = await callTool(dc, 'db_check', { version: '9.9' }, { timeout: ms(10_000) });
          assert.equal(r.isError, true);
          assert.match(text(r), /neither 4\.0 nor 3\.6/);
        });
        const ends = readFileSync(audit, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
          .filter((x) => x.tool === 'subscriber_list' && x.event === 'end');
        assert.equal(ends.length, 1);
        assert.match(ends[0].outcome, /cancel/, JSON.stringify(ends[0]));
      } finally {
        held.forEach((s) => s.destroy());
        mute.close();
      }
    });

    test('db_check: a complete schema is ok; a changed version row is wrong_version; a dropped table is missing', T, async () => {
      const r = await ok('db_check');
      assert.equal(r.opensips, '4.0.1', 'the version the node reports');
      assert.equal(r.ok, true, JSON.stringify(r.tables.filter((t) => t.state !== 'ok')));
      assert.ok(r.tables.length >= 14);
      assert.ok(r.tables.every((t) => t.state === 'ok' && t.found === t.expected));
      assert.equal(r.tables.find((t) => t.table === 'dr_gateways').rows, count('dr_gateways'));

      sql(`UPDATE version SET table_version = 99 WHERE table_name = 'dialplan'`);
      sql('DROP TABLE load_balancer');
      const b = await ok('db_check');
      assert.equal(b.ok, false);
      const by = Object.fromEntries(b.tables.map((t) => [t.table, t]));
      assert.equal(by.dialplan.state, 'wrong_version');
      assert.equal(by.dialplan.found, 99);
      assert.equal(by.dialplan.expected, 5);
      assert.equal(by.load_balancer.state, 'missing');
      assert.match(by.load_balancer.error, /load_balancer/);
      assert.match(b.note, /2 of the tables/);
      assert.deepEqual(b.tables.filter((t) => t.state !== 'ok').map((t) => t.table).sort(), ['dialplan', 'load_balancer']);
      // 3.6.8 expects the same versions of these tables (data/schema/3.6): the same two stand out
      const old = await ok('db_check', { version: '3.6' });
      assert.equal(old.opensips, '3.6.8');
      assert.deepEqual(old.tables.filter((t) => t.state !== 'ok').map((t) => [t.table, t.state]).sort(),
        [['dialplan', 'wrong_version'], ['load_balancer', 'missing']]);
      await fails('db_check', { version: 'four' }, /version/);
    });

    test('every db tool has a case here', () => {
      assert.ok(dbTools.length >= 47, `only ${dbTools.length} db tools listed`);
      const missing = dbTools.filter((n) => !covered.has(n));
      assert.deepEqual(missing, [], `db tools without a successful case on ${NAME}`);
    });
  });
}
