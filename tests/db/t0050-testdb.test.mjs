// scripts/testdb.sh itself: its bad inputs, and `run`, which must leave nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { top } from './lib/testdb.mjs';

const script = join(top, 'scripts/testdb.sh');
const run = (args, env = {}) => spawnSync(script, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 180_000 });

test('a password that would need quoting is refused before anything starts', () => {
  const r = run(['start', 'pg'], { TESTDB_PASSWORD: "x'; DROP" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^testdb: error: TESTDB_PASSWORD and TESTDB_RO_PASSWORD take 1 to 64 of/);
});

test('a bad timeout, an unknown server name and an unknown command are refused', () => {
  let r = run(['start'], { TESTDB_TIMEOUT: '0' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /TESTDB_TIMEOUT takes whole seconds/);
  r = run(['start', 'oracle']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /start takes --json, pg and mysql, not 'oracle'/);
  r = run(['launch']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /usage: scripts\/testdb.sh install/);
});

test('stop refuses a directory that start did not make, and leaves it alone', () => {
  const d = mkdtempSync(join(tmpdir(), 'not-testdb-'));
  try {
    const r = run(['stop', d]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /was not made by scripts\/testdb.sh start \(no \.testdb in it\); not removing it/);
    assert.ok(existsSync(d));
  } finally { rmSync(d, { recursive: true, force: true }); }
});

test('run exports the URLs to its command, passes on its exit status and removes everything', () => {
  const r = run(['run', 'pg', 'mysql', '--', 'sh', '-c',
    'echo "$TESTDB_DIR $TESTDB_PG_URL $TESTDB_MYSQL_URL"; exit 3']);
  assert.equal(r.status, 3, r.stderr);
  const [dir, pg, my] = r.stdout.trim().split(' ');
  assert.match(pg, /^postgres:\/\/opensips:opensipsrw@127\.0\.0\.1:\d+\/opensips$/);
  assert.match(my, /^mysql:\/\/opensips:opensipsrw@127\.0\.0\.1:\d+\/opensips$/);
  assert.match(r.stderr, /testdb: PostgreSQL \d+ ms, MariaDB \d+ ms to start/);
  assert.equal(existsSync(dir), false, `${dir} left behind`);
});
