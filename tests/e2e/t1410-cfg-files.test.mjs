// cfg_dry_run, cfg_backup, cfg_list_backups and cfg_rollback end to end through the SDK client, with
// the real m4 and the real `opensips -C` of the OpenSIPS builds the live suite caches
// (~/.cache/opensips-mcp/opensips-{4.0.1,3.6.8}; the checks that need them are skipped, saying so,
// when they are absent): a dry run that passes and one that fails with structured errors, m4
// builtins that would run commands or read files unable to act, a macro that expands forever,
// backups named by the second and never overwritten, listing newest first, a rollback that
// replaces and keeps the previous file, one refused on a broken backup (the target unchanged byte
// for byte), and every bad input: paths outside the root, '..', symbolic links (the file, a
// directory on the way, backup_dir), a FIFO, a directory, a missing file, a file too large, no
// root configured, opensips missing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, allTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const cache = join(homedir(), ".cache", "opensips-mcp");
const build = (v) => ({ bin: join(cache, `opensips-${v}`, "sbin", "opensips"), modules: join(cache, `opensips-${v}`, "lib64", "opensips", "modules") });
const os40 = build("4.0.1"), os36 = build("3.6.8");
const have40 = existsSync(os40.bin) && existsSync(os40.modules);
const have36 = existsSync(os36.bin) && existsSync(os36.modules);
const NO40 = have40 ? false : `no OpenSIPS 4.0.1 build in ${cache} (the live suite builds it: scripts/opensips.sh)`;
const NO36 = have36 ? false : `no OpenSIPS 3.6.8 build in ${cache} (the live suite builds it: scripts/opensips.sh)`;
const haveM4 = existsSync("/usr/bin/m4");
const NOM4 = haveM4 ? false : "m4 is not installed (apt-get install m4)";

let dir, root, outdir, outside;

// A config opensips -C accepts, its modules from `modules`.
const cfg = (modules, port = 5099, body = 'sl_send_reply(200, "OK");') =>
  `log_level=3\nsocket=udp:127.0.0.1:${port}\nmpath="${modules}/"\nloadmodule "proto_udp.so"\nloadmodule "sl.so"\n` +
  `route {\n\t${body}\n}\n`;
// The opensips.cfg.m4 + local.cfg.m4 pair: the main file includes local.cfg.m4, which defines the
// module path and the port.
const mainM4 = 'include(`local.cfg.m4\')dnl\nlog_level=3\nsocket=udp:127.0.0.1:PORT\nmpath="MPATH"\n' +
  'loadmodule "proto_udp.so"\nloadmodule "sl.so"\nroute {\n\tREPLY\n}\n';
const localM4 = (modules) => `divert(-1)\ndefine(\`MPATH', \`${modules}/')\ndefine(\`PORT', \`5098')\n` +
  'define(`REPLY\', `sl_send_reply(200, "OK");\')\ndivert(0)dnl\n';

before(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-cfgfiles-e2e-"));
  root = join(dir, "etc-opensips");
  outdir = join(dir, "out");
  outside = join(dir, "outside");
  for (const d of [root, outdir, outside, join(root, "sub"), join(root, "backups")]) mkdirSync(d);
  writeFileSync(join(outside, "secret.cfg"), "outside\n");
  symlinkSync(join(outside, "secret.cfg"), join(root, "link.cfg"));
  symlinkSync(outside, join(root, "linkdir"));
  execFileSync("mkfifo", [join(root, "fifo.cfg")]);
  mkdirSync(join(root, "dir.cfg"));
  writeFileSync(join(root, "big.cfg"), Buffer.alloc(4 * 1024 * 1024 + 1, 0x23));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const args = (extra = []) => ["--role", "admin", "--toolsets", "cfg", "--cfg-root", root, "--out-dir-root", outdir,
  "--opensips", have40 ? os40.bin : "/nonexistent/opensips", ...extra];
const failed = (r, re) => {
  assert.equal(r.isError, true, JSON.stringify(r).slice(0, 1500));
  assert.match(r.content[0].text, re);
};
// Every file under d (names, recursively), for "nothing was written" checks.
const files = (d) => readdirSync(d, { recursive: true }).sort();
const backupsOf = (d, name) => readdirSync(d).filter((f) => f.startsWith(`${name}.bak-`)).sort();

test("the four tools are listed: dry run and listing read, backup and rollback ask first", T, async () => {
  await withClient(args(), async (client) => {
    const tools = await allTools(client);
    const by = Object.fromEntries(tools.filter((t) => t.name.startsWith("cfg_")).map((t) => [t.name, t]));
    for (const n of ["cfg_dry_run", "cfg_backup", "cfg_list_backups", "cfg_rollback"]) assert.ok(by[n], `${n} is not listed`);
    assert.deepEqual(by.cfg_dry_run.inputSchema.required.sort(), ["local_m4", "main_m4"]);
    assert.equal(by.cfg_dry_run.annotations.readOnlyHint, true);
    assert.equal(by.cfg_list_backups.annotations.readOnlyHint, true);
    assert.equal(by.cfg_backup.annotations.readOnlyHint, false);
    assert.equal(by.cfg_rollback.annotations.destructiveHint, true);
    assert.equal(by.cfg_rollback.inputSchema.properties.validate_after.default, true);
    assert.ok(by.cfg_rollback.inputSchema.properties.confirm, "cfg_rollback takes no confirm");
    // unconfirmed, nothing is written
    writeFileSync(join(root, "ask.cfg"), "x\n");
    const before_ = files(root);
    failed(await call(client, "cfg_backup", { config_path: "ask.cfg" }), /confirm: true/);
    failed(await call(client, "cfg_rollback", { backup_path: "ask.cfg.bak-1", target_path: "ask.cfg" }), /confirm: true/);
    assert.deepEqual(files(root), before_);
  });
});

test("cfg_dry_run: local_m4 then main_m4 through m4, and opensips -C 4.0.1 accepts it", { ...T, skip: NOM4 || NO40 }, async () => {
  await withClient(args(), async (client) => {
    await allTools(client);
    const before_ = [files(root), files(outdir)];
    const r = ok(await call(client, "cfg_dry_run", { main_m4: mainM4, local_m4: localM4(os40.modules) }));
    assert.match(r.rendered, /^log_level=3\nsocket=udp:127\.0\.0\.1:5098\n/);
    assert.ok(r.rendered.includes(`mpath="${os40.modules}/"`), r.rendered);
    assert.ok(r.rendered.includes('sl_send_reply(200, "OK");'));
    assert.equal(r.bytes, Buffer.byteLength(r.rendered));
    assert.equal(r.check.passed, true, JSON.stringify(r.check));
    assert.equal(r.check.exit_status, 0);
    assert.deepEqual(r.check.errors, []);
    assert.match(r.check.not_checked, /mod_init/);
    assert.deepEqual([files(root), files(outdir)], before_, "a dry run wrote under a root");
    assert.deepEqual(readdirSync("/tmp").filter((f) => f.startsWith("opensips-mcp-m4-") || f.startsWith("opensips-mcp-cfg-")), []);
  });
});

test("cfg_dry_run with opensips 3.6.8: an unknown function fails with {file, line, column, message}", { ...T, skip: NOM4 || NO36 }, async () => {
  await withClient(args(["--opensips", os36.bin]), async (client) => {
    await allTools(client);
    const good = ok(await call(client, "cfg_dry_run", { main_m4: mainM4, local_m4: localM4(os36.modules) }));
    assert.equal(good.check.passed, true, JSON.stringify(good.check));
    const bad = ok(await call(client, "cfg_dry_run", { main_m4: mainM4.replace("REPLY", "nosuchfunc();"), local_m4: localM4(os36.modules) }));
    assert.equal(bad.check.passed, false);
    assert.equal(bad.check.exit_status, 255);
    const e = bad.check.errors.find((x) => x.line);
    assert.ok(e, JSON.stringify(bad.check));
    assert.equal(e.file, "opensips.cfg");
    assert.equal(e.line, 7); // of the rendered text: include(...)dnl leaves no line
    assert.equal(typeof e.column, "number");
    assert.match(e.message, /nosuchfunc/);
    assert.equal(bad.rendered.split("\n")[6], "\tnosuchfunc();");
  });
});

test("cfg_dry_run: no m4 builtin runs a command, reads or writes a file, however it is reached", { ...T, skip: NOM4 }, async () => {
  const p = (n) => join(outside, `pwned-${n}`);
  const attacks = [
    `esyscmd(\`touch ${p(1)}')`,
    `syscmd(\`touch ${p(2)}')`,
    `builtin(\`esyscmd', \`touch ${p(3)}')`,
    `indir(\`esyscmd', \`touch ${p(4)}')`,
    `changequote([,])builtin([syscmd],[touch ${p(5)}])`,
    `changequote([,])esyscmd([touch ${p(6)}])`,
    `popdef(\`esyscmd')esyscmd(\`touch ${p(7)}')`,
    `define(\`run', defn(\`syscmd'))run(\`touch ${p(8)}')`,
    `debugfile(\`${p(9)}')traceon(\`define')define(\`q', 1)`,
    `mkstemp(\`${p(10)}XXXXXX')`,
    `m4wrap(\`syscmd(\`touch ${p(11)}')')`,
  ];
  await withClient(args(), async (client) => {
    await allTools(client);
    for (const a of attacks) {
      for (const where of ["main_m4", "local_m4"]) {
        const r = await call(client, "cfg_dry_run", { main_m4: "", local_m4: "", [where]: a });
        if (!r.isError) assert.ok(!r.structuredContent.rendered.includes("uid="), a);
      }
    }
    assert.deepEqual(readdirSync(outside), ["secret.cfg"], "an m4 builtin touched a file");
    // reads: include of any file but local.cfg.m4, and undivert of a file, are refused
    for (const a of ["include(`/etc/passwd')", "sinclude(`/etc/passwd')", "undivert(`/etc/passwd')",
      "builtin(`include', `/etc/passwd')", "changequote([,])include([/etc/passwd])"]) {
      const r = await call(client, "cfg_dry_run", { main_m4: a, local_m4: "" });
      failed(r, /m4_failed/);
      assert.ok(!r.content[0].text.includes("root:x:0"), a);
    }
    const inc = await call(client, "cfg_dry_run", { main_m4: "include(`/etc/passwd')", local_m4: "" });
    failed(inc, /\/etc\/passwd is not read: no file is; pass its text as local_m4/);
    failed(await call(client, "cfg_dry_run", { main_m4: "esyscmd(`id')", local_m4: "" }), /esyscmd is disabled: it runs a shell command/);
  });
});

test("cfg_dry_run: a macro that expands forever ends with a clear error, and bad texts are refused", { ...T, skip: NOM4 }, async () => {
  await withClient(args(), async (client) => {
    await allTools(client);
    const started = Date.now();
    failed(await call(client, "cfg_dry_run", { main_m4: "define(`x', `x x')x", local_m4: "" }),
      /m4 ran out of the 256 MiB it may use: a macro that expands forever/);
    assert.ok(Date.now() - started < 30_000, "the runaway macro was not stopped");
    failed(await call(client, "cfg_dry_run", { main_m4: "ok\n`never closed", local_m4: "" }),
      /m4 failed \(exit status 1\): .*opensips\.cfg\.m4:2: ERROR: end of file in string/);
    failed(await call(client, "cfg_dry_run", { main_m4: "x".repeat((1 << 20) + 1), local_m4: "" }),
      /main_m4 is 1048577 bytes; at most 1048576 are taken/);
    failed(await call(client, "cfg_dry_run", { main_m4: "", local_m4: "y".repeat((1 << 20) + 1) }), /local_m4 is 1048577 bytes/);
    failed(await call(client, "cfg_dry_run", { main_m4: "x" }), /local_m4/);
    failed(await call(client, "cfg_dry_run", { main_m4: "format(`%c', 200)", local_m4: "" }), /garbage.*not valid UTF-8/);
    // a long result: all of it checked, what fits a result shown, cut at a line
    const long = ok(await call(client, "cfg_dry_run", { main_m4: "a line of the config\n".repeat(3000), local_m4: "" }));
    assert.equal(long.bytes, 63000);
    assert.equal(long.rendered_truncated, true);
    assert.ok(long.rendered.length <= 22 * 1024 && long.rendered.endsWith("config\n"), long.rendered.length);
  });
});

test("cfg_dry_run without opensips: the rendered text and a note that it was not checked", { ...T, skip: NOM4 }, async () => {
  await withClient(args(["--opensips", join(dir, "no-opensips")]), async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_dry_run", { main_m4: "include(`local.cfg.m4')A\n", local_m4: "define(`A', `b')dnl\n" }));
    assert.equal(r.rendered, "b\n");
    assert.equal(r.check, undefined);
    assert.match(r.note, /^not checked: .*no-opensips.*set --opensips/);
  });
  await withClient(args(["--m4", join(dir, "no-m4")]), async (client) => {
    await allTools(client);
    failed(await call(client, "cfg_dry_run", { main_m4: "x", local_m4: "" }), /not_installed.*install the m4 package/);
  });
});

// The UTC stamp cfg_backup gives at time t (ms).
const stamp = (t) => new Date(t).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);

test("cfg_backup: <name>.bak-YYYYMMDD-HHMMSS, never overwriting a name taken in the same second", T, async () => {
  const cfgPath = join(root, "opensips.cfg");
  writeFileSync(cfgPath, "version 1\n");
  chmodSync(cfgPath, 0o600);
  await withClient(args(), async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_backup", { config_path: cfgPath, confirm: true }));
    const m = /^(.*)\/opensips\.cfg\.bak-(\d{8}-\d{6})$/.exec(r.backup_path);
    assert.ok(m, r.backup_path);
    assert.equal(m[1], root);
    assert.equal(readFileSync(r.backup_path, "utf8"), "version 1\n");
    assert.equal(r.size, 10);
    assert.equal(r.sha256, execFileSync("sha256sum", [cfgPath], { encoding: "utf8" }).split(" ")[0]);
    assert.match(r.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(statSync(r.backup_path).mode & 0o777, 0o600, "the backup is readable by more than the config");
    // the names of this second and the next ones are taken: the backup goes to -1, the others kept
    const now = Date.now();
    const taken = [0, 1, 2, 3, 4].map((s) => join(root, `opensips.cfg.bak-${stamp(now + s * 1000)}`));
    for (const f of taken) if (!existsSync(f)) writeFileSync(f, `taken ${f}\n`);
    const contents = taken.map((f) => readFileSync(f, "utf8"));
    const r2 = ok(await call(client, "cfg_backup", { config_path: "opensips.cfg", confirm: true }));
    assert.match(r2.backup_path, /opensips\.cfg\.bak-\d{8}-\d{6}-1$/);
    assert.equal(readFileSync(r2.backup_path, "utf8"), "version 1\n");
    assert.deepEqual(taken.map((f) => readFileSync(f, "utf8")), contents, "a taken name was overwritten");
    // into backup_dir (relative to the root; made when missing)
    const r3 = ok(await call(client, "cfg_backup", { config_path: "opensips.cfg", backup_dir: "backups/new", confirm: true }));
    assert.ok(r3.backup_path.startsWith(join(root, "backups", "new", "opensips.cfg.bak-")), r3.backup_path);
    const r4 = ok(await call(client, "cfg_backup", { config_path: "./opensips.cfg", backup_dir: join(root, "backups"), confirm: true }));
    assert.ok(r4.backup_path.startsWith(join(root, "backups", "opensips.cfg.bak-")));
  });
});

test("cfg_backup and cfg_list_backups refuse every bad path, and change nothing", T, async () => {
  writeFileSync(join(root, "plain.cfg"), "plain\n");
  writeFileSync(join(outside, "plain.cfg"), "outside\n");
  await withClient(args(), async (client) => {
    await allTools(client);
    const before_ = [files(root), files(outside)];
    const b = (a) => call(client, "cfg_backup", { confirm: true, ...a });
    failed(await b({ config_path: join(outside, "plain.cfg") }), /outside_root.*outside the allowed directory/);
    failed(await b({ config_path: "/etc/passwd" }), /outside_root/);
    failed(await b({ config_path: "../outside/plain.cfg" }), /bad_path.*may not contain '\.\.'/);
    failed(await b({ config_path: "sub/../plain.cfg" }), /may not contain '\.\.'/);
    failed(await b({ config_path: "link.cfg" }), /not_regular_file.*symbolic link/);
    failed(await b({ config_path: "linkdir/secret.cfg" }), /not_regular_file.*'linkdir' is a symbolic link/);
    failed(await b({ config_path: "plain.cfg", backup_dir: "linkdir" }), /not_regular_file.*'linkdir' is a symbolic link/);
    failed(await b({ config_path: "plain.cfg", backup_dir: "linkdir/deeper" }), /symbolic link/);
    failed(await b({ config_path: "plain.cfg", backup_dir: outside }), /outside_root/);
    failed(await b({ config_path: "fifo.cfg" }), /not a regular file/);
    failed(await b({ config_path: "dir.cfg" }), /not a regular file/);
    failed(await b({ config_path: "sub/" }), /names no file|names a directory/);
    failed(await b({ config_path: "missing.cfg" }), /not_found.*'missing\.cfg' does not exist/);
    failed(await b({ config_path: "big.cfg" }), /too_large.*larger than 4194304 bytes/);
    const l = (a) => call(client, "cfg_list_backups", a);
    failed(await l({ config_path: join(outside, "plain.cfg") }), /outside_root/);
    failed(await l({ config_path: "linkdir/plain.cfg" }), /symbolic link/);
    failed(await l({ config_path: "plain.cfg", backup_dir: "linkdir" }), /'linkdir' is a symbolic link/);
    failed(await l({ config_path: "plain.cfg", backup_dir: "../outside" }), /'\.\.'/);
    failed(await l({ config_path: "plain.cfg", backup_dir: "nosuch" }), /not_found.*'nosuch' does not exist/);
    assert.deepEqual([files(root), files(outside)], before_);
  });
});

test("no cfg root: --out-dir-root serves when --cfg-root is unset; with neither, the tools say to set it", T, async () => {
  writeFileSync(join(outdir, "o.cfg"), "o\n");
  await withClient(["--role", "admin", "--toolsets", "cfg", "--out-dir-root", outdir], async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_backup", { config_path: "o.cfg", confirm: true }));
    assert.ok(r.backup_path.startsWith(join(outdir, "o.cfg.bak-")), r.backup_path);
  });
  await withClient(["--role", "admin", "--toolsets", "cfg"], async (client) => {
    await allTools(client);
    for (const [name, a] of [["cfg_backup", { config_path: "/x/o.cfg" }], ["cfg_list_backups", { config_path: "/x/o.cfg" }],
      ["cfg_rollback", { backup_path: "/x/o.cfg.bak-1", target_path: "/x/o.cfg" }]])
      failed(await call(client, name, name === "cfg_list_backups" ? a : { confirm: true, ...a }), /no directory is allowed for configs: the operator must set --cfg-root \(OPENSIPS_MCP_CFG_ROOT\)/);
    // refused before anyone is asked to confirm
    failed(await call(client, "cfg_backup", { config_path: "/x/o.cfg" }), /not available: no directory is allowed/);
  });
});

test("cfg_list_backups: newest first, with size and mtime; links, directories and FIFOs skipped and said", T, async () => {
  const d = join(root, "listing");
  mkdirSync(d);
  writeFileSync(join(d, "app.cfg"), "app v3\n");
  const t0 = Date.now() / 1000 - 3600;
  const made = ["app.cfg.bak-20260101-000000", "app.cfg.bak-20260101-000001", "app.cfg.bak-20260101-000001-1"];
  made.forEach((n, i) => {
    writeFileSync(join(d, n), `app v${i}\n`.repeat(i + 1));
    execFileSync("touch", ["-d", `@${t0 + i * 60}`, join(d, n)]);
  });
  writeFileSync(join(d, "other.cfg.bak-20260101-000000"), "other\n");
  symlinkSync(join(outside, "secret.cfg"), join(d, "app.cfg.bak-link"));
  mkdirSync(join(d, "app.cfg.bak-dir"));
  execFileSync("mkfifo", [join(d, "app.cfg.bak-fifo")]);
  await withClient(args(), async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_list_backups", { config_path: join(d, "app.cfg") }));
    assert.deepEqual(r.backups.map((b) => b.path), [...made].reverse().map((n) => join(d, n)));
    assert.deepEqual(r.backups.map((b) => b.size), [21, 14, 7]);
    assert.equal(r.backups[2].mtime, new Date(Math.floor(t0) * 1000).toISOString().replace(".000", ""));
    assert.equal(r.total, 3);
    assert.equal(r.truncated, undefined);
    assert.deepEqual(r.skipped.map((s) => [s.path.slice(d.length + 1), s.why]).sort(),
      [["app.cfg.bak-dir", "a directory"], ["app.cfg.bak-fifo", "not a regular file"], ["app.cfg.bak-link", "a symbolic link"]]);
    // a backup made now comes first; backups in backup_dir are listed from there
    const n = ok(await call(client, "cfg_backup", { config_path: "listing/app.cfg", confirm: true }));
    const r2 = ok(await call(client, "cfg_list_backups", { config_path: "listing/app.cfg" }));
    assert.equal(r2.backups[0].path, n.backup_path);
    const inDir = ok(await call(client, "cfg_list_backups", { config_path: "listing/app.cfg", backup_dir: "backups" }));
    assert.deepEqual(inDir.backups, []);
    assert.equal(inDir.total, 0);
    // the config itself need not exist any more
    const gone = ok(await call(client, "cfg_list_backups", { config_path: "listing/deleted.cfg" }));
    assert.equal(gone.total, 0);
  });
});

test("cfg_rollback: the backup is checked, the current file kept as a backup, the target replaced (mode kept)", { ...T, skip: NO40 }, async () => {
  const d = join(root, "rb");
  mkdirSync(d);
  const target = join(d, "opensips.cfg");
  const good = cfg(os40.modules, 5097);
  writeFileSync(target, good.replace("200", "202"));
  chmodSync(target, 0o604);
  const backup = join(d, "opensips.cfg.bak-20260101-000000");
  writeFileSync(backup, good);
  await withClient(args(), async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_rollback", { backup_path: backup, target_path: "rb/opensips.cfg", confirm: true }));
    assert.equal(r.restored, true);
    assert.equal(r.target_path, target);
    assert.equal(readFileSync(target, "utf8"), good);
    assert.ok(r.previous_saved_as.startsWith(join(d, "opensips.cfg.bak-")), r.previous_saved_as);
    assert.equal(readFileSync(r.previous_saved_as, "utf8"), good.replace("200", "202"));
    assert.equal(r.check.passed, true);
    assert.equal(statSync(target).mode & 0o777, 0o604, "the target's mode was not kept");
    assert.equal(readFileSync(backup, "utf8"), good, "the backup changed");
  });
});

test("cfg_rollback of a target that does not exist yet creates it, with nothing to keep", { ...T, skip: NO40 }, async () => {
  const d = join(root, "rbnew");
  mkdirSync(d);
  const backup = join(d, "new.cfg.bak-20260101-000000");
  writeFileSync(backup, cfg(os40.modules, 5096));
  await withClient(args(), async (client) => {
    await allTools(client);
    const r = ok(await call(client, "cfg_rollback", { backup_path: backup, target_path: join(d, "new.cfg"), confirm: true }));
    assert.equal(r.previous_saved_as, null);
    assert.equal(readFileSync(join(d, "new.cfg"), "utf8"), readFileSync(backup, "utf8"));
  });
});

test("cfg_rollback refuses a backup opensips -C rejects: the target unchanged byte for byte, no file added", { ...T, skip: NO40 }, async () => {
  const d = join(root, "rbbad");
  mkdirSync(d);
  const target = join(d, "opensips.cfg");
  const current = Buffer.from(cfg(os40.modules, 5095) + "# \u00e9 current\n");
  writeFileSync(target, current);
  const broken = join(d, "opensips.cfg.bak-20260101-000000");
  writeFileSync(broken, cfg(os40.modules, 5095, "nosuchfunc();"));
  await withClient(args(), async (client) => {
    await allTools(client);
    const before_ = files(d);
    const r = await call(client, "cfg_rollback", { backup_path: broken, target_path: target, confirm: true });
    failed(r, /check_failed.*opensips -C refused the backup .* so nothing was changed/);
    const errs = JSON.parse(/Errors: (\[.*\])/.exec(r.content[0].text)[1]);
    assert.ok(errs.some((e) => e.file === broken && e.line === 7 && typeof e.column === "number" && /nosuchfunc/.test(e.message)),
      r.content[0].text);
    assert.ok(readFileSync(target).equals(current), "the target changed");
    assert.deepEqual(files(d), before_, "a file was added");
    // validate_after: false restores it unchecked (the operator's choice), keeping the current file
    const forced = ok(await call(client, "cfg_rollback", { backup_path: broken, target_path: target, validate_after: false, confirm: true }));
    assert.equal(forced.check, null);
    assert.ok(readFileSync(forced.previous_saved_as).equals(current));
    assert.equal(readFileSync(target, "utf8"), readFileSync(broken, "utf8"));
  });
});

test("cfg_rollback refuses what is not a backup of the target, every bad path, and a missing opensips", T, async () => {
  const d = join(root, "rbrefuse");
  mkdirSync(d);
  const target = join(d, "opensips.cfg");
  writeFileSync(target, "current\n");
  writeFileSync(join(d, "other.cfg"), "other\n");
  writeFileSync(join(d, "opensips.cfg.bak-20260101-000000"), "backup\n");
  symlinkSync(join(outside, "secret.cfg"), join(d, "opensips.cfg.bak-link"));
  execFileSync("mkfifo", [join(d, "opensips.cfg.bak-fifo")]);
  mkdirSync(join(d, "opensips.cfg.bak-dir"));
  writeFileSync(join(d, "big.cfg.bak-1"), Buffer.alloc(4 * 1024 * 1024 + 1, 0x23));
  writeFileSync(join(outside, "opensips.cfg.bak-1"), "outside\n");
  await withClient(args(["--opensips", join(dir, "no-opensips")]), async (client) => {
    await allTools(client);
    const before_ = [files(root), files(outside), readFileSync(target, "utf8")];
    const rb = (a) => call(client, "cfg_rollback", { confirm: true, validate_after: false, ...a });
    // two swapped paths, and a file of another name
    failed(await rb({ backup_path: target, target_path: join(d, "opensips.cfg.bak-20260101-000000") }), /not_a_backup.*Were the two paths swapped/);
    failed(await rb({ backup_path: join(d, "other.cfg"), target_path: target }), /not_a_backup.*does not start with 'opensips\.cfg\.bak-'/);
    failed(await rb({ backup_path: join(outside, "opensips.cfg.bak-1"), target_path: target }), /outside_root/);
    failed(await rb({ backup_path: "rbrefuse/opensips.cfg.bak-20260101-000000", target_path: join(outside, "opensips.cfg") }), /outside_root/);
    failed(await rb({ backup_path: "rbrefuse/../rbrefuse/opensips.cfg.bak-20260101-000000", target_path: target }), /'\.\.'/);
    failed(await rb({ backup_path: join(d, "opensips.cfg.bak-link"), target_path: target }), /symbolic link/);
    failed(await rb({ backup_path: join(d, "opensips.cfg.bak-fifo"), target_path: target }), /not a regular file/);
    failed(await rb({ backup_path: join(d, "opensips.cfg.bak-dir"), target_path: target }), /not a regular file/);
    failed(await rb({ backup_path: join(d, "opensips.cfg.bak-missing"), target_path: target }), /not_found/);
    failed(await rb({ backup_path: join(d, "big.cfg.bak-1"), target_path: join(d, "big.cfg") }), /too_large/);
    failed(await rb({ backup_path: "linkdir/secret.cfg.bak-1", target_path: "linkdir/secret.cfg" }), /'linkdir' is a symbolic link/);
    // a target in a directory that does not exist: nothing made
    failed(await rb({ backup_path: join(d, "opensips.cfg.bak-20260101-000000"), target_path: "nodir/opensips.cfg" }),
      /not_found.*'nodir\/opensips\.cfg' cannot be replaced: .*directory 'nodir' does not exist; it was left as it was$/);
    // the target a link, a FIFO, a directory: never replaced
    writeFileSync(join(root, "link.cfg.bak-1"), "b\n");
    failed(await rb({ backup_path: "link.cfg.bak-1", target_path: "link.cfg" }), /symbolic link/);
    writeFileSync(join(root, "fifo.cfg.bak-1"), "b\n");
    failed(await rb({ backup_path: "fifo.cfg.bak-1", target_path: "fifo.cfg" }), /not a regular file/);
    writeFileSync(join(root, "dir.cfg.bak-1"), "b\n");
    failed(await rb({ backup_path: "dir.cfg.bak-1", target_path: "dir.cfg" }), /not a regular file/);
    // opensips missing: checking is refused, saying how to skip it
    failed(await call(client, "cfg_rollback", { backup_path: join(d, "opensips.cfg.bak-20260101-000000"), target_path: target, confirm: true }),
      /opensips_not_found.*set --opensips.*or pass validate_after: false/);
    for (const f of ["link.cfg.bak-1", "fifo.cfg.bak-1", "dir.cfg.bak-1"]) rmSync(join(root, f));
    assert.deepEqual([files(root), files(outside), readFileSync(target, "utf8")], before_);
    assert.deepEqual(backupsOf(d, "opensips.cfg"), ["opensips.cfg.bak-20260101-000000", "opensips.cfg.bak-dir", "opensips.cfg.bak-fifo", "opensips.cfg.bak-link"]);
  });
});
