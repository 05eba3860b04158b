#!/usr/bin/env node
// Writes data/schema/<version>/{postgres,mysql}.sql from data/schema/tables.json: the provisioning
// tables opensips-mcp works on, each preceded by its `version` row, after the `version` table itself.
// Both dialects come from the one table list; the PostgreSQL type of each MySQL type is decided in
// pgType() and nowhere else.
//   node data/schema/gen.mjs            (re)write the files
//   node data/schema/gen.mjs --check    exit 1, naming the files, when a file is not what it would write
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// The `version` table as standard-create.sql defines it (no primary key, a unique table_name).
export const versionTable = {
  name: 'version',
  columns: [
    { name: 'table_name', type: 'char(32)' },
    { name: 'table_version', type: 'int unsigned', default: 0 },
  ],
  keys: [{ unique: 't_name_idx', columns: ['table_name'] }],
};

export function loadSpec(path = join(here, 'tables.json')) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

// MySQL's type as written in the DDL.
export function mysqlType(type) {
  if (type === 'serial') return 'INT(10) UNSIGNED AUTO_INCREMENT';
  return type.toUpperCase();
}

// The one place a MySQL type becomes a PostgreSQL type.
export function pgType(type) {
  let m;
  if (type === 'serial') return 'SERIAL';
  if ((m = /^char\((\d+)\)$/.exec(type))) return `VARCHAR(${m[1]})`;
  if (/^int(\(\d+\))?( unsigned)?$/.test(type)) return 'INTEGER';
  if (/^smallint(\(\d+\))?( unsigned)?$/.test(type)) return 'SMALLINT';
  if (type === 'datetime') return 'TIMESTAMP WITHOUT TIME ZONE';
  if (type === 'blob' || type === 'mediumblob') return 'BYTEA';
  if (type === 'float') return 'REAL';
  throw new Error(`gen: tables.json: type '${type}' has no PostgreSQL mapping`);
}

function literal(v) {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  throw new Error(`gen: tables.json: default ${JSON.stringify(v)} is neither null, a number nor a string`);
}

function columnSql(col, dialect) {
  const type = dialect === 'mysql' ? mysqlType(col.type) : pgType(col.type);
  if (col.type === 'serial') return `    ${col.name} ${type} PRIMARY KEY NOT NULL`;
  let s = `    ${col.name} ${type}`;
  if ('default' in col) s += ` DEFAULT ${literal(col.default)}`;
  s += col.null ? '' : ' NOT NULL';
  return s;
}

// PostgreSQL key names carry the table name as a prefix; MySQL's do not.
function keyName(table, key, dialect) {
  const name = key.unique || key.index;
  return dialect === 'postgres' ? `${table.name}_${name}` : name;
}

function tableSql(table, dialect) {
  const lines = table.columns.map((c) => columnSql(c, dialect));
  for (const k of table.keys || []) {
    if (k.unique) lines.push(`    CONSTRAINT ${keyName(table, k, dialect)} UNIQUE (${k.columns.join(', ')})`);
  }
  let s = `CREATE TABLE ${table.name} (\n${lines.join(',\n')}\n)${dialect === 'mysql' ? ' ENGINE=InnoDB' : ''};\n`;
  if (dialect === 'postgres') {
    for (const c of table.columns) {
      if (c.type === 'serial') s += `ALTER SEQUENCE ${table.name}_${c.name}_seq MAXVALUE 2147483647 CYCLE;\n`;
    }
  }
  for (const k of table.keys || []) {
    if (k.index) s += `CREATE INDEX ${keyName(table, k, dialect)} ON ${table.name} (${k.columns.join(', ')});\n`;
  }
  return s;
}

export function generate(spec, version, dialect) {
  const v = spec.versions[version];
  if (!v) throw new Error(`gen: tables.json has no version '${version}'`);
  const out = [];
  out.push(`-- opensips-mcp: the provisioning tables of OpenSIPS ${v.opensips} for ${dialect === 'mysql' ? 'MySQL/MariaDB' : 'PostgreSQL'}.`);
  out.push('-- Written by data/schema/gen.mjs from data/schema/tables.json: edit those, not this file.');
  out.push('');
  if (dialect === 'postgres') out.push('BEGIN;\n');
  out.push(tableSql(versionTable, dialect));
  for (const t of spec.tables) {
    const tv = v.table_versions[t.name];
    if (tv === undefined) throw new Error(`gen: tables.json: version ${version} has no table_version for '${t.name}'`);
    out.push(`INSERT INTO version (table_name, table_version) VALUES ('${t.name}', ${tv});`);
    out.push(tableSql(t, dialect));
  }
  if (dialect === 'postgres') out.push('COMMIT;\n');
  return out.join('\n');
}

// The C form of tables.json for the server (src/db/schema_data.c): each column's type class,
// width and value range on each database, so that a tool checks a value before sending it.
const INT32 = [-2147483648, 2147483647];
function cColumn(col) {
  const t = col.type;
  let m, kind, width = 0, my = [0, 0], pg = [0, 0];
  if (t === 'serial') { kind = 'DBT_SERIAL'; my = pg = [1, 2147483647]; }
  else if ((m = /^char\((\d+)\)$/.exec(t))) { kind = 'DBT_CHAR'; width = Number(m[1]); }
  else if ((m = /^int(\(\d+\))?( unsigned)?$/.exec(t))) {
    kind = 'DBT_INT';
    if (m[2]) { my = [0, 4294967295]; pg = [0, 2147483647]; } else { my = pg = INT32; }
  } else if ((m = /^smallint(\(\d+\))?( unsigned)?$/.exec(t))) {
    kind = 'DBT_INT';
    if (m[2]) { my = [0, 65535]; pg = [0, 32767]; } else { my = pg = [-32768, 32767]; }
  } else if (t === 'datetime') kind = 'DBT_DATETIME';
  else if (t === 'blob' || t === 'mediumblob') kind = 'DBT_BLOB';
  else if (t === 'float') kind = 'DBT_REAL';
  else throw new Error(`gen: tables.json: type '${t}' has no C mapping`);
  const def = 'default' in col && col.default !== null ? JSON.stringify(String(col.default)) : 'NULL';
  return `        {${JSON.stringify(col.name)}, ${kind}, ${width}, ${col.null ? 'true' : 'false'}, ${def}, ` +
    `{${my[0]}LL, ${my[1]}LL}, {${pg[0]}LL, ${pg[1]}LL}},`;
}

export function generateC(spec) {
  const out = [];
  out.push('/* The provisioning tables (db/schema.h), written by data/schema/gen.mjs from');
  out.push(' * data/schema/tables.json: edit those, not this file. */');
  out.push('#include "db/schema.h"');
  out.push('');
  out.push('const struct db_table_schema db_schema_tables[] = {');
  for (const t of spec.tables) {
    out.push(`    {${JSON.stringify(t.name)}, ${JSON.stringify(t.module)}, (const struct db_column[]){`);
    for (const c of t.columns) out.push(cColumn(c));
    out.push(`        {0}}},`);
  }
  out.push('};');
  out.push('const size_t db_schema_ntables = sizeof(db_schema_tables) / sizeof(db_schema_tables[0]);');
  out.push('');
  out.push('const struct db_schema_version db_schema_versions[] = {');
  for (const [series, v] of Object.entries(spec.versions)) {
    out.push(`    {${JSON.stringify(series)}, ${JSON.stringify(v.opensips)}, (const struct db_table_version[]){`);
    for (const [name, n] of Object.entries(v.table_versions)) out.push(`        {${JSON.stringify(name)}, ${n}},`);
    out.push('        {0}}},');
  }
  out.push('};');
  out.push('const size_t db_schema_nversions = sizeof(db_schema_versions) / sizeof(db_schema_versions[0]);');
  return out.join('\n') + '\n';
}

export function outputs(spec) {
  const files = [{ path: join(here, '..', '..', 'src', 'db', 'schema_data.c'), text: generateC(spec) }];
  for (const version of Object.keys(spec.versions)) {
    for (const dialect of ['postgres', 'mysql']) {
      files.push({ path: join(here, version, `${dialect}.sql`), version, dialect, text: generate(spec, version, dialect) });
    }
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const spec = loadSpec();
  const stale = [];
  for (const f of outputs(spec)) {
    let old = null;
    try { old = readFileSync(f.path, 'utf8'); } catch { /* absent */ }
    if (old === f.text) continue;
    if (check) { stale.push(f.path); continue; }
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text);
    console.log(`gen: wrote ${f.path}`);
  }
  if (stale.length) {
    console.error(`gen: error: not what data/schema/tables.json gives (run node data/schema/gen.mjs): ${stale.join(', ')}`);
    process.exit(1);
  }
}
