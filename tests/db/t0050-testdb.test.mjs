// scripts/testdb.sh itself: its bad inputs, and `run`, which must leave nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

test('a server that fails to start leaves nothing running and nothing on disk', () => {
  // A mariadb-install-db that fails, after PostgreSQL has started: start must stop PostgreSQL again.
  const fake = mkdtempSync(join(tmpdir(), 'testdb-fake-'));
  const tmp = mkdtempSync(join(tmpdir(), 'testdb-tmp-'));
  try {
    writeFileSync(join(fake, 'mariadb-install-db'), '#!/bin/sh\necho "fake install-db: no space left" >&2\nexit 1\n', { mode: 0o755 });
    chmodSync(fake, 0o755);
    chmodSync(tmp, 0o1777);
    const r = run(['start'], { PATH: `${fake}:${process.env.PATH}`, TMPDIR: tmp });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /fake install-db: no space left/);
    assert.match(r.stderr, /testdb: error: mariadb-install-db failed \(log above\)/);
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(tmp), [], 'the temporary directory is left behind');
    const ps = spawnSync('pgrep', ['-f', tmp], { encoding: 'utf8' });
    assert.equal(ps.stdout, '', `servers still running: ${ps.stdout}`);
  } finally {
    rmSync(fake, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the superusers are not reachable over TCP, only the opensips users are', () => {
  const r = run(['run', '--', 'sh', '-c', [
    'psql -X -w -h 127.0.0.1 -p "$TESTDB_PG_PORT" -U postgres -d postgres -c "SELECT 1" >/dev/null 2>&1 && echo pg-root-in',
    'mariadb --no-defaults -h 127.0.0.1 -P "$TESTDB_MYSQL_PORT" -uroot -e "SELECT 1" >/dev/null 2>&1 && echo my-root-in',
    'mariadb --no-defaults -h ::1 -P "$TESTDB_MYSQL_PORT" -uroot -e "SELECT 1" >/dev/null 2>&1 && echo my-root6-in',
    'MYSQL_PWD=$TESTDB_PASSWORD mariadb --no-defaults -h 127.0.0.1 -P "$TESTDB_MYSQL_PORT" -uopensips opensips -e "SELECT 1" >/dev/null && echo my-opensips-in',
    'PGPASSWORD=$TESTDB_PASSWORD psql -X -w -h 127.0.0.1 -p "$TESTDB_PG_PORT" -U opensips -d opensips -c "SELECT 1" >/dev/null && echo pg-opensips-in',
    'true'].join('; ')]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['my-opensips-in', 'pg-opensips-in']);
});
