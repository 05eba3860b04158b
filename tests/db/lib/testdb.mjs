// The throwaway database servers of scripts/testdb.sh, for node tests, and SQL through the stock
// clients (psql, mariadb) over TCP with the password, the way OpenSIPS and our server connect.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const top = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const script = join(top, 'scripts', 'testdb.sh');

// Start PostgreSQL and/or MariaDB ('pg', 'mysql'); uses the servers of an enclosing
// `scripts/testdb.sh run` instead when TESTDB_DIR is set. Returns the variables testdb.sh prints,
// with stop() that stops only what this call started.
export function startServers(...which) {
  if (process.env.TESTDB_DIR) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TESTDB_')));
    return { ...env, stop() {} };
  }
  const out = execFileSync(script, ['start', '--json', ...which], { encoding: 'utf8', timeout: 180_000 });
  const env = JSON.parse(out);
  return { ...env, stop() { execFileSync(script, ['stop', env.TESTDB_DIR], { timeout: 60_000 }); } };
}

// postgres://user:pass@host:port/db or mysql://... into its parts.
export function parseUrl(url) {
  const m = /^(postgres|mysql):\/\/([^:@/]+):([^@/]*)@([^:/]+):(\d+)\/([^/?]+)$/.exec(url);
  if (!m) throw new Error(`testdb: not a database URL: ${url}`);
  return { scheme: m[1], user: m[2], password: m[3], host: m[4], port: m[5], db: m[6] };
}

// Runs sql (one or more statements, or a file with { file }) and returns the rows as arrays of
// strings. A NULL is null from PostgreSQL and the string 'NULL' from MariaDB (its batch output
// cannot tell them apart). Throws with the client's message on an SQL error.
export function query(url, sql, { file } = {}) {
  const u = parseUrl(url);
  let out;
  if (u.scheme === 'postgres') {
    const args = ['-X', '-q', '-A', '-t', '-F', '\t', '-P', 'null=\\N', '-v', 'ON_ERROR_STOP=1',
      '-h', u.host, '-p', u.port, '-U', u.user, '-d', u.db];
    out = execFileSync('psql', file ? [...args, '-f', file] : [...args, '-c', sql],
      { encoding: 'utf8', env: { ...process.env, PGPASSWORD: u.password, PGCONNECT_TIMEOUT: '10' },
        stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } else {
    const args = ['--no-defaults', '-N', '-B', '--default-character-set=utf8mb4', '--connect-timeout=10', '-h', u.host, '-P', u.port,
      '-u', u.user, u.db];
    out = execFileSync('mariadb', file ? args : [...args, '-e', sql],
      { encoding: 'utf8', env: { ...process.env, MYSQL_PWD: u.password },
        input: file ? readFileSync(file) : undefined, stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
  }
  // mariadb's batch output escapes \\, tab, newline and NUL in values: undone, so values are as stored
  const unescape = u.scheme === 'mysql'
    ? (v) => v.replace(/\\([\\tn0])/g, (_, ch) => ({ '\\': '\\', t: '\t', n: '\n', 0: '\0' })[ch]) : (v) => v;
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map((v) => (v === '\\N' ? null : unescape(v))));
}

// Empties the database behind url (every table gone), as the user of url.
export function resetDatabase(url) {
  const u = parseUrl(url);
  const schema = u.scheme === 'postgres' ? 'public' : u.db;
  const tables = query(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}'`);
  if (tables.length) query(url, `DROP TABLE ${tables.map((r) => r[0]).join(', ')}${u.scheme === 'postgres' ? ' CASCADE' : ''}`);
}
