#!/usr/bin/env node
// Writes src/cfg/migrate_mi.h from the two MI catalogues: the MI command names of OpenSIPS 3.6.8
// that 4.0.1 no longer accepts, each with the 4.0.1 command that replaces it, as an X-macro list
// that src/cfg/migrate.c expands into rows of its one rule table.
//   A 3.6 name is accepted by 4.0 when it is some 4.0 command's full name, bare local name or
//   alias. The replacement is the 4.0 command of the same module that shares a handler with the
//   3.6 one (bdb_reload: db_berkeley, mi_bdb_reload -> db_berkeley:reload). The list computed
//   so must equal the 4.0 catalogue's own names_from_3_6_not_accepted_by_4_0, and every name must
//   have exactly one replacement: otherwise this fails, naming what disagrees.
//   node data/catalogue/gen-migrate.mjs            (re)write the file
//   node data/catalogue/gen-migrate.mjs --check    exit 1 when the file is not what it would write
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'src', 'cfg', 'migrate_mi.h');

function load(v) {
  return JSON.parse(readFileSync(join(here, `opensips-mi-catalogue-${v}.json`), 'utf8'));
}

export function removed(old, neu) {
  const accepted = new Set();
  for (const c of neu.commands) {
    accepted.add(c.name);
    accepted.add(c.local_name);
    for (const a of c.aliases || []) accepted.add(a);
  }
  const gone = old.commands.filter((c) => !accepted.has(c.name));
  const listed = neu.names_from_3_6_not_accepted_by_4_0 || [];
  const names = gone.map((c) => c.name);
  if (JSON.stringify([...names].sort()) !== JSON.stringify([...listed].sort()))
    throw new Error(`gen-migrate: the catalogues disagree: computed [${names}], ` +
      `names_from_3_6_not_accepted_by_4_0 lists [${listed}]`);
  return gone.map((c) => {
    const to = neu.commands.filter((n) => n.module === c.module &&
      (n.handlers || []).some((h) => (c.handlers || []).includes(h)));
    if (to.length !== 1)
      throw new Error(`gen-migrate: '${c.name}' (${c.module}) has ${to.length} 4.0 replacements`);
    return { name: c.name, module: c.module, to: to[0].name };
  });
}

export function generate() {
  const old = load('3.6.8'), neu = load('4.0.1');
  const rows = removed(old, neu);
  const lines = [
    '/* cfg/migrate_mi: the MI command names of OpenSIPS ' + old.opensips_version +
      ' that ' + neu.opensips_version + ' does not accept, and',
    ' * the ' + neu.opensips_version + ' command replacing each (old name, module, new name). Written by',
    ' * data/catalogue/gen-migrate.mjs from data/catalogue/opensips-mi-catalogue-{' +
      old.opensips_version + ',' + neu.opensips_version + '}.json:',
    ' * edit those, not this file (a test runs it with --check). */',
    '#define CFG_MIGRATE_MI_REMOVED(X) \\',
  ];
  for (const r of rows)
    lines.push(`    X(${JSON.stringify(r.name)}, ${JSON.stringify(r.module)}, ${JSON.stringify(r.to)}) \\`);
  lines.push('    /* end */');
  return lines.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generate();
  let old = null;
  try { old = readFileSync(out, 'utf8'); } catch { /* absent */ }
  if (old !== text) {
    if (process.argv.includes('--check')) {
      console.error(`gen-migrate: error: ${out} is not what the catalogues give (run node data/catalogue/gen-migrate.mjs)`);
      process.exit(1);
    }
    writeFileSync(out, text);
    console.log(`gen-migrate: wrote ${out}`);
  }
}
