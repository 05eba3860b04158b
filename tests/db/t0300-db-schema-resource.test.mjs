// opensips://{node}/db-schema against a real PostgreSQL (scripts/testdb.sh, the 4.0 schema from
// data/schema loaded): the resource's body is what db_check answers for the node, the same
// function behind both (tools/db_acc.h), before and after a table is dropped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { top, startServers, query } from './lib/testdb.mjs';

process.env.OPENSIPS_MCP_BIN ||= join(top, 'build/release/opensips-mcp');
const { withClient, REQ } = await import('../e2e/lib/sdk.mjs');
const { startSim, stopAll } = await import('../e2e/lib/sim.mjs');
const { ms } = await import('../e2e/lib/raw.mjs');

const T = { timeout: ms(60_000) };
const dir = mkdtempSync(join(tmpdir(), 'mcp-db-schema-res-'));
process.env.HOME = dir;
for (const k of Object.keys(process.env)) if (/^OPENSIPS_MCP_(DB|MI|CONFIG)|^OPENSIPS_MI_URL$/.test(k)) delete process.env[k];
process.env.OPENSIPS_MCP_TEST_DEFAULT_FIFO = join(dir, 'no-such-fifo');
let servers, sim;

before(async () => {
  delete process.env.TESTDB_DIR; // a server of this file's own: it drops a table
  servers = startServers('pg');
  query(servers.TESTDB_PG_URL, null, { file: join(top, 'data/schema/4.0', 'postgres.sql') });
  sim = await startSim({ extra: ['--opensips', '4.0'] });
});

after(async () => {
  await stopAll();
  servers?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('db-schema reads what db_check answers, on PostgreSQL, before and after a table is dropped', T, async () => {
  await withClient(['--db-url', servers.TESTDB_PG_URL, '--toolsets', 'db', '--role', 'viewer', '--mi-url', sim.url], async (c) => {
    const node = (await c.complete({ ref: { type: 'ref/resource', uri: 'opensips://{node}/db-schema' }, argument: { name: 'node', value: '' } }, REQ)).completion.values[0];
    const both = async () => {
      const r = await c.readResource({ uri: `opensips://${node}/db-schema` }, REQ);
      assert.equal(r.contents[0].mimeType, 'application/json');
      const tool = await c.callTool({ name: 'db_check', arguments: {} }, undefined, REQ);
      assert.equal(tool.isError, undefined, JSON.stringify(tool));
      return [JSON.parse(r.contents[0].text), tool.structuredContent ?? JSON.parse(tool.content[0].text)];
    };
    const [res, tool] = await both();
    assert.deepEqual(res, tool);
    assert.equal(res.opensips, '4.0.1');
    assert.equal(res.ok, true, JSON.stringify(res.tables.filter((t) => t.state !== 'ok')));
    query(servers.TESTDB_PG_URL, 'DROP TABLE dialplan');
    const [res2, tool2] = await both();
    assert.deepEqual(res2, tool2);
    assert.equal(res2.ok, false);
    assert.equal(res2.tables.find((t) => t.table === 'dialplan').state, 'missing');
  });
});
