// module_add_mi_command end to end through the MCP SDK client: listed in the module_dev toolset
// as read-only, for config.read only; on a module with an mi_export_t array and on one without, the answer's patch
// applied with patch(1) gives the answer's source; a real OpenSIPS module when the source trees
// are cached; and every bad input: a command the array has, a bad name, a description with a
// newline, a source that is not a module, an unclosed comment, a source over 1 MiB, a bad file
// name, missing arguments, an unknown argument. (A NUL byte never reaches the tool: the JSON-RPC
// layer refuses \u0000; tests/unit/test_mi_codegen.c sends one to the generator.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { withClient, allTools as loadTools, structured as ok, callTool as call } from "./lib/sdk.mjs";
import { TEST_TIMEOUT } from "./lib/raw.mjs";

const T = { timeout: TEST_TIMEOUT };
const args = ["--role", "viewer", "--toolsets", "module_dev"];
const TOOL = "module_add_mi_command";
let dir;

const exportsOf = (mi) =>
  'struct module_exports exports = {\n\t"demo",\n\tMOD_TYPE_DEFAULT,\n\tMODULE_VERSION,\n' +
  "\tDEFAULT_DLFLAGS,\n\t0,\n\tNULL,\n\tcmds,\n\t0,\n\tparams,\n\t0,\n" +
  `\t${mi},           /* exported MI functions */\n` +
  "\t0,\n\t0,\n\t0,\n\t0,\n\tmod_init,\n\t0,\n\t0,\n\t0,\n\t0\n};\n";
const head = '#include "../../sr_module.h"\n\nstatic int mod_init(void);\n\n';
const withArray = head +
  "static const mi_export_t mi_cmds[] = {\n" +
  '\t{"demo_show", "shows", 0, 0, {\n\t\t{mi_show, {0}},\n\t\t{EMPTY_MI_RECIPE}}, {0}},\n' +
  "\t{EMPTY_MI_EXPORT}\n};\n\n" + exportsOf("mi_cmds");
const withoutArray = head + exportsOf("0");

before(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-modgen-e2e-"));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Apply r.patch to `source` (as file `name`) with patch(1): the file must become r.source.
function applies(source, r, name) {
  const d = mkdtempSync(join(dir, "p-"));
  mkdirSync(join(d, dirname(name)), { recursive: true });
  writeFileSync(join(d, name), source);
  const p = spawnSync("patch", ["-s", "-p1"], { cwd: d, input: r.patch });
  assert.equal(p.status, 0, `patch failed: ${p.stderr}${p.stdout}`);
  assert.equal(readFileSync(join(d, name), "utf8"), r.source);
}

const run = (client, a) => call(client, TOOL, a);

async function refused(client, a, pattern) {
  const r = await run(client, a);
  assert.equal(r.isError, true, JSON.stringify(r).slice(0, 500));
  assert.match(r.content[0].text, pattern);
  return r;
}

test("module_add_mi_command is listed in module_dev, read-only, with its limits", T, async () => {
  await withClient(args, async (client) => {
    const t = (await loadTools(client)).find((x) => x.name === TOOL);
    assert.ok(t, `${TOOL} is not listed`);
    assert.deepEqual(t.inputSchema.required.sort(), ["command_name", "module_source"]);
    assert.equal(t.inputSchema.properties.module_source.maxLength, 1048576);
    assert.equal(t.inputSchema.properties.command_name.maxLength, 64);
    assert.equal(t.annotations.readOnlyHint, true);
    assert.equal(t.annotations.openWorldHint, false);
  });
  // not in the default toolsets
  await withClient(["--role", "viewer"], async (client) => {
    assert.equal((await loadTools(client)).find((x) => x.name === TOOL), undefined);
  });
});

test("a role without config.read neither sees nor runs it", T, async () => {
  const config = join(dir, "roles.json");
  writeFileSync(config, JSON.stringify({ roles: { noc: ["mi.read"] } }));
  await withClient(["--config", config, "--role", "noc", "--toolsets", "module_dev"], async (client) => {
    assert.equal((await loadTools(client)).find((x) => x.name === TOOL), undefined);
    await refused(client, { module_source: withArray, command_name: "demo_new" }, /config\.read/);
  });
});

test("a module with an array: the entry and the handler, as a patch that applies", T, async () => {
  await withClient(args, async (client) => {
    await loadTools(client);
    const r = ok(await run(client, { module_source: withArray, command_name: "demo_new", command_description: "Adds a demo" }));
    assert.match(r.patch, /^--- a\/demo\.c\n\+\+\+ b\/demo\.c\n@@ -2,10 \+2,37 @@\n/);
    const lines = r.source.split("\n");
    assert.equal(lines[r.inserted.handler_line - 1], "static mi_response_t *mi_demo_new(const mi_params_t *params,");
    assert.equal(lines[r.inserted.entry_line - 1], '\t{"demo_new", "Adds a demo", 0, 0, {');
    assert.equal(lines[r.inserted.entry_line], '\t\t{mi_demo_new, {"value", 0}},');
    assert.ok(r.notes.some((n) => /echoes its parameter 'value'/.test(n)), JSON.stringify(r.notes));
    applies(withArray, r, "demo.c");
    // nothing was written: the same call answers the same
    assert.deepEqual(ok(await run(client, { module_source: withArray, command_name: "demo_new", command_description: "Adds a demo" })), r);
  });
});

test("a module without one: an array is added and named in exports", T, async () => {
  await withClient(args, async (client) => {
    await loadTools(client);
    const r = ok(await run(client, { module_source: withoutArray, command_name: "demo_new", file_name: "modules/demo/demo.c" }));
    assert.match(r.patch, /^--- a\/modules\/demo\/demo\.c\n/);
    assert.match(r.patch, /\n-\t0,           \/\* exported MI functions \*\/\n\+\tmi_cmds,     \/\* exported MI functions \*\/\n/);
    assert.match(r.source, /static const mi_export_t mi_cmds\[\] = \{\n\t\{\.name = "demo_new"/);
    assert.ok(r.notes.some((n) => /had no MI commands/.test(n)), JSON.stringify(r.notes));
    applies(withoutArray, r, "modules/demo/demo.c");
  });
});

test("a real OpenSIPS module: pike of each cached source tree", T, async (t) => {
  const trees = ["4.0.1", "3.6.8"].map((v) => join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "opensips-mcp", `src-${v}`));
  const found = trees.filter((d) => existsSync(join(d, "modules/pike/pike.c")));
  if (!found.length) {
    t.skip(`no OpenSIPS source tree in ${trees.join(" or ")} (scripts/opensips.sh builds them)`);
    return;
  }
  await withClient(args, async (client) => {
    await loadTools(client);
    for (const d of found) {
      const src = readFileSync(join(d, "modules/pike/pike.c"), "utf8");
      const r = ok(await run(client, { module_source: src, command_name: "pike_probe", file_name: "modules/pike/pike.c" }));
      applies(src, r, "modules/pike/pike.c");
      // its own command by another name: the catalogue knows pike's pike_list, whose name the
      // source takes from a header's macro
      await refused(client, { module_source: src, command_name: "pike_list" }, /module pike already has MI command 'pike_list'/);
    }
  });
});

test("bad inputs are refused with clear errors", T, async () => {
  await withClient(args, async (client) => {
    await loadTools(client);
    await refused(client, { module_source: withArray, command_name: "demo_show" },
      /MI command 'demo_show' already exists in 'mi_cmds' \(line 6\); choose another command_name/);
    await refused(client, { module_source: withArray, command_name: "Demo-New" },
      /command_name 'Demo-New' has 'D' at position 1: an MI command name is lowercase letters, digits and '_'/);
    await refused(client, { module_source: withArray, command_name: "a".repeat(65) }, /command_name/);
    await refused(client, { module_source: withArray, command_name: "demo_new", command_description: "two\nlines" },
      /command_description has control character 0x0a at byte 4/);
    await refused(client, { module_source: "int main(void) { return 0; }\n", command_name: "demo_new" },
      /module_source is not an OpenSIPS module: it has no 'struct module_exports/);
    await refused(client, { module_source: "/* never closed\n", command_name: "demo_new" },
      /a comment opened on line 1 never closes/);
    await refused(client, { module_source: withArray, command_name: "demo_new", file_name: "../../etc/passwd" },
      /file_name must be a relative path/);
    await refused(client, { module_source: " ".repeat(1048577), command_name: "demo_new" }, /module_source/);
    await refused(client, { module_source: withArray }, /command_name/);
    await refused(client, { command_name: "demo_new" }, /module_source/);
    await refused(client, { module_source: withArray, command_name: "demo_new", extra: 1 }, /extra/);
    await refused(client, { module_source: head + exportsOf("demo_mi_cmds"), command_name: "demo_new" },
      /exports names its MI commands 'demo_mi_cmds' \(line \d+\), which this source does not define/);
  });
});
