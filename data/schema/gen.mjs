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

export function outputs(spec) {
  const files = [];
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
