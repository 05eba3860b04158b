// The project's DDL (data/schema) on real servers: each of 4.0 and 3.6 is loaded into a throwaway
// PostgreSQL and MariaDB (scripts/testdb.sh), and information_schema must show every table with its
// columns (order, type, nullability, default) and keys, and `version` the rows OpenSIPS expects.
// tables.json itself is checked against the reference sheet db-schema.md when that is at hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { top, startServers, query, resetDatabase, parseUrl } from './lib/testdb.mjs';
import { loadSpec, mysqlType, pgType, versionTable, generate } from '../../data/schema/gen.mjs';

const spec = loadSpec();
const versions = Object.keys(spec.versions);
let servers;

before(() => { servers = startServers('pg', 'mysql'); });
after(() => { servers?.stop(); });

test('the committed SQL files are what gen.mjs writes from tables.json', () => {
  execFileSync(process.execPath, [join(top, 'data/schema/gen.mjs'), '--check'], { stdio: 'pipe' });
  for (const v of versions) {
    for (const d of ['postgres', 'mysql']) {
      assert.equal(readFileSync(join(top, 'data/schema', v, `${d}.sql`), 'utf8'), generate(spec, v, d));
    }
  }
});

test('every table issue 13 needs is in tables.json, with a version row in both versions', () => {
  const want = ['subscriber', 'dispatcher', 'dr_gateways', 'dr_rules', 'dr_carriers', 'dr_groups', 'dialplan',
    'address', 'fraud_detection', 'tls_mgm', 'domain', 'load_balancer', 'acc', 'missed_calls'];
  const have = spec.tables.map((t) => t.name);
  for (const t of want) assert.ok(have.includes(t), `tables.json lacks ${t}`);
  for (const v of versions) for (const t of have) assert.equal(typeof spec.versions[v].table_versions[t], 'number', `${v} ${t}`);
});

// ---- tables.json against the reference sheet -------------------------------------------------

function findSheet() {
  const c = [process.env.OPENSIPS_DB_SCHEMA_MD, join(top, '..', 'shared/reference/db-schema.md'),
    '/work/shared/reference/db-schema.md'].filter(Boolean);
  return c.find((p) => existsSync(p));
}

// { tables: {name: {columns: [{name, mysql, pg, nullok, pk, def}], keys: [{kind, name, columns}]}},
//   versions: {'4.0': {t: n}, '3.6': {t: n}} }
function parseSheet(text) {
  const tables = {};
  let cur = null;
  for (const line of text.split('\n')) {
    let m;
    if ((m = /^##### `([a-z_]+)`/.exec(line))) { cur = tables[m[1]] = { columns: [], keys: [] }; continue; }
    if (!cur) continue;
    if ((m = /^\| `([a-z0-9_]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/.exec(line))) {
      cur.columns.push({ name: m[1], mysql: m[2].trim(), pg: m[3].trim(), nul: m[4].trim(), def: m[5].trim() });
    } else if (line.startsWith('Keys:')) {
      for (const k of line.matchAll(/(UNIQUE|INDEX) `([a-z_]+)` \(([^)]*)\)/g)) {
        cur.keys.push({ kind: k[1] === 'UNIQUE' ? 'unique' : 'index', name: k[2], columns: k[3].split(',').map((s) => s.trim()) });
      }
      cur = null;
    }
  }
  const all = /All \d+ rows in 4\.0\.1, as `table=version`: ([^\n]+?)\. 3\.6\.8/.exec(text);
  assert.ok(all, 'db-schema.md: the "All N rows in 4.0.1" line is not where the parser looks');
  const v40 = Object.fromEntries(all[1].split(',').map((p) => p.trim().split('=')).map(([k, n]) => [k, Number(n)]));
  const v36 = { ...v40 };
  delete v36.clusterer_bridge; // "3.6.8 has the same set, except that it lacks clusterer_bridge and has tcp_mgm=1"
  v36.tcp_mgm = 1;
  // The per-table rows of §2, checked against the line above.
  for (const m of text.matchAll(/^\| `([a-z_]+)` \| (\d+|—) \| (\d+) \| `[^|]*` \|$/gm)) {
    assert.equal(v40[m[1]], Number(m[3]), `db-schema.md §2 disagrees with itself on ${m[1]} 4.0.1`);
    assert.equal(m[2] === '—' ? undefined : Number(m[2]), v36[m[1]], `db-schema.md §2 on ${m[1]} 3.6.8`);
  }
  return { tables, versions: { '4.0': v40, '3.6': v36 } };
}

function sheetDefault(col) {
  if (!('default' in col)) return '—';
  if (col.default === null) return 'NULL';
  if (typeof col.default === 'number') return String(col.default);
  return `'${col.default}'`;
}

test('tables.json says what db-schema.md says', (t) => {
  const path = findSheet();
  if (!path) { t.skip('db-schema.md not found (set OPENSIPS_DB_SCHEMA_MD)'); return; }
  const sheet = parseSheet(readFileSync(path, 'utf8'));
  for (const table of [versionTable, ...spec.tables]) {
    const s = sheet.tables[table.name];
    assert.ok(s, `db-schema.md has no table ${table.name}`);
    assert.deepEqual(table.columns.map((c) => c.name), s.columns.map((c) => c.name), `${table.name}: columns`);
    table.columns.forEach((c, i) => {
      const sc = s.columns[i];
      const where = `${table.name}.${c.name}`;
      assert.equal(mysqlType(c.type), sc.mysql, `${where}: MySQL type`);
      assert.equal(pgType(c.type), sc.pg, `${where}: PostgreSQL type`);
      assert.equal(c.type === 'serial' ? 'PK' : c.null ? 'NULL ok' : 'NOT NULL', sc.nul, `${where}: NULL?`);
      let want = sc.def;
      // dispatcher.weight: the sheet shows a bare 1 for a CHAR column; we write the string '1'.
      if (/^\d+$/.test(want) && c.type.startsWith('char')) want = `'${want}'`;
      // The sheet writes "NULL" for "DEFAULT NULL"; "—" for no DEFAULT clause (also on PKs).
      if (c.type === 'serial') assert.equal(want, '—', `${where}: default`);
      else assert.equal(sheetDefault(c), want, `${where}: default`);
    });
    const keys = (table.keys || []).map((k) => ({ kind: k.unique ? 'unique' : 'index', name: k.unique || k.index, columns: k.columns }));
    assert.deepEqual(keys, s.keys, `${table.name}: keys`);
  }
  for (const v of versions) assert.deepEqual(spec.versions[v].table_versions, sheet.versions[v], `version rows ${v}`);
});

test('the sheet parser catches a wrong fact (it is not vacuous)', (t) => {
  const path = findSheet();
  if (!path) { t.skip('db-schema.md not found'); return; }
  const text = readFileSync(path, 'utf8').replace('| `repl_exp` | CHAR(32) |', '| `repl_exp` | CHAR(64) |');
  const sheet = parseSheet(text);
  assert.equal(sheet.tables.dialplan.columns.find((c) => c.name === 'repl_exp').mysql, 'CHAR(64)');
  assert.notEqual(mysqlType(spec.tables.find((x) => x.name === 'dialplan').columns.find((c) => c.name === 'repl_exp').type), 'CHAR(64)');
});

// ---- the DDL on the servers ----------------------------------------------------------------------

// What information_schema shows for a column, in one comparable form per dialect.
function expectPg(c) {
  const t = pgType(c.type);
  const type = t === 'SERIAL' ? 'integer' : t.startsWith('VARCHAR') ? `character varying(${/\d+/.exec(t)[0]})` : t.toLowerCase();
  let def = null;
  if (c.type === 'serial') def = 'nextval';
  else if (c.default !== undefined && c.default !== null) def = typeof c.default === 'number' ? String(c.default) : `'${c.default}'`;
  return { type, nullable: c.type !== 'serial' && !!c.null, def };
}
function gotPg(row) {
  const [, type, len, nullable, def] = row;
  let d = def;
  if (d !== null) d = d.startsWith('nextval(') ? 'nextval' : d.replace(/::[a-z ]+$/, '');
  if (d === 'NULL') d = null;
  return { type: len ? `${type}(${len})` : type, nullable: nullable === 'YES', def: d };
}
function expectMysql(c) {
  const strip = (s) => s.replace(/^(int|smallint)\(\d+\)/, '$1');
  const type = c.type === 'serial' ? 'int unsigned auto_increment' : strip(c.type);
  let def = null;
  if (c.type !== 'serial' && c.default !== undefined && c.default !== null) def = typeof c.default === 'number' ? String(c.default) : `'${c.default}'`;
  return { type, nullable: c.type !== 'serial' && !!c.null, def };
}
function gotMysql(row) {
  const [, type, extra, nullable, def] = row;
  const t = type.replace(/^(int|smallint)\(\d+\)/, '$1') + (extra === 'auto_increment' ? ' auto_increment' : '');
  return { type: t, nullable: nullable === 'YES', def: def === 'NULL' ? null : def };
}

function columnsOf(url, table) {
  const u = parseUrl(url);
  if (u.scheme === 'postgres') {
    return query(url, `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${table}' ORDER BY ordinal_position`);
  }
  return query(url, `SELECT column_name, column_type, extra, is_nullable, column_default
    FROM information_schema.columns WHERE table_schema = '${u.db}' AND table_name = '${table}' ORDER BY ordinal_position`);
}

// {key name: [columns]} of the unique constraints and plain indexes (the primary key left out).
function keysOf(url, table) {
  const u = parseUrl(url);
  const rows = u.scheme === 'postgres'
    ? query(url, `SELECT i.relname, a.attname FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
        JOIN pg_class i ON i.oid = x.indexrelid CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
        WHERE c.relname = '${table}' AND NOT x.indisprimary ORDER BY i.relname, k.n`)
    : query(url, `SELECT index_name, column_name FROM information_schema.statistics
        WHERE table_schema = '${u.db}' AND table_name = '${table}' AND index_name <> 'PRIMARY' ORDER BY index_name, seq_in_index`);
  const keys = {};
  for (const [k, c] of rows) (keys[k] ||= []).push(c);
  return keys;
}

for (const v of versions) {
  for (const dialect of ['postgres', 'mysql']) {
    test(`${v} ${dialect}: the DDL loads and information_schema shows every table, column, key and version row`, () => {
      const url = dialect === 'postgres' ? servers.TESTDB_PG_URL : servers.TESTDB_MYSQL_URL;
      resetDatabase(url);
      query(url, null, { file: join(top, 'data/schema', v, `${dialect}.sql`) });
      const u = parseUrl(url);
      const present = query(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = '${dialect === 'postgres' ? 'public' : u.db}' ORDER BY table_name`).map((r) => r[0]);
      const all = [versionTable, ...spec.tables];
      assert.deepEqual(present, all.map((t) => t.name).sort(), 'tables');
      for (const table of all) {
        const rows = columnsOf(url, table.name);
        assert.deepEqual(rows.map((r) => r[0]), table.columns.map((c) => c.name), `${table.name}: columns`);
        table.columns.forEach((c, i) => {
          const got = dialect === 'postgres' ? gotPg(rows[i]) : gotMysql(rows[i]);
          const want = dialect === 'postgres' ? expectPg(c) : expectMysql(c);
          assert.deepEqual(got, want, `${table.name}.${c.name}`);
        });
        const want = Object.fromEntries((table.keys || []).map((k) => [
          dialect === 'postgres' ? `${table.name}_${k.unique || k.index}` : k.unique || k.index, k.columns]));
        assert.deepEqual(keysOf(url, table.name), want, `${table.name}: keys`);
      }
      const rows = query(url, 'SELECT table_name, table_version FROM version ORDER BY table_name');
      const wantRows = spec.tables.map((t) => [t.name, String(spec.versions[v].table_versions[t.name])])
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      assert.deepEqual(rows, wantRows, 'version rows');
    });
  }
}

test('the schema behaves: defaults fill an insert, unique keys refuse duplicates, PostgreSQL address.port is signed', () => {
  for (const url of [servers.TESTDB_PG_URL, servers.TESTDB_MYSQL_URL]) {
    const pg = url.startsWith('postgres');
    resetDatabase(url);
    query(url, null, { file: join(top, 'data/schema/4.0', `${pg ? 'postgres' : 'mysql'}.sql`) });
    query(url, "INSERT INTO subscriber (username, domain) VALUES ('alice', 'example.com')");
    assert.deepEqual(query(url, "SELECT id, password, ha1 FROM subscriber WHERE username = 'alice'"), [['1', '', '']]);
    assert.throws(() => query(url, "INSERT INTO subscriber (username, domain) VALUES ('alice', 'example.com')"),
      /duplicate|unique/i);
    query(url, "INSERT INTO dispatcher (setid, destination) VALUES (1, 'sip:a@example.com')");
    assert.deepEqual(query(url, 'SELECT weight, state, socket FROM dispatcher'), [['1', '0', pg ? null : 'NULL']]);
    query(url, "INSERT INTO domain (domain) VALUES ('example.com')");
    assert.deepEqual(query(url, 'SELECT last_modified FROM domain'), [['1900-01-01 00:00:01']]);
    if (pg) assert.throws(() => query(url, "INSERT INTO address (ip, port) VALUES ('10.0.0.1', 50060)"), /smallint out of range/);
    else query(url, "INSERT INTO address (ip, port) VALUES ('10.0.0.1', 50060)");
  }
});

test('the read-only user reads the tables and cannot write them', () => {
  for (const [url, ro] of [[servers.TESTDB_PG_URL, servers.TESTDB_PG_RO_URL], [servers.TESTDB_MYSQL_URL, servers.TESTDB_MYSQL_RO_URL]]) {
    resetDatabase(url);
    query(url, null, { file: join(top, 'data/schema/4.0', `${url.startsWith('postgres') ? 'postgres' : 'mysql'}.sql`) });
    assert.deepEqual(query(ro, "SELECT table_version FROM version WHERE table_name = 'subscriber'"), [['8']]);
    assert.throws(() => query(ro, "INSERT INTO subscriber (username) VALUES ('x')"), /denied/i);
  }
});

test('a wrong password is refused on both servers', () => {
  for (const url of [servers.TESTDB_PG_URL, servers.TESTDB_MYSQL_URL]) {
    assert.throws(() => query(url.replace(`:${servers.TESTDB_PASSWORD}@`, ':wrong@'), 'SELECT 1'),
      /password authentication failed|Access denied/);
  }
});
