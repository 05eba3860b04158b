// Deployment pieces (issue 12, "Install and package"): the man page is what --man writes from the
// settings table and names every option of --help; the example config (packaging/config.json, its
// tokens, roles, audit) and the package's default /etc config are accepted by the server. The .deb
// itself is built, installed and removed by tests/package/run.sh (make package-test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, TEST_TIMEOUT, ms } from "./lib/raw.mjs";
import { withHttpServer, curl, openSession, rpc, INIT_PARAMS, POST_HEADERS, assertRefused } from "./lib/http.mjs";

const T = { timeout: TEST_TIMEOUT };
const MAN = new URL("../../docs/opensips-mcp.1", import.meta.url);
const EXAMPLE = new URL("../../packaging/config.json", import.meta.url).pathname;
const DEFAULT = new URL("../../packaging/config.default.json", import.meta.url).pathname;
// The tokens whose hashes packaging/config.json carries (docs/deploy.md says to replace them).
const EXAMPLE_TOKENS = { "noc-dashboard": "example-noc-token-CHANGE-ME", "audit-bot": "example-audit-token-CHANGE-ME" };

const run = (args) => spawnSync(BIN, args, { encoding: "utf8", timeout: ms(10_000) });

test("docs/opensips-mcp.1 is what --man writes from the settings table (run `make man`)", () => {
  const r = run(["--man"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\.TH OPENSIPS\\-MCP 1 /m);
  for (const sh of ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "SEE ALSO"])
    assert.match(r.stdout, new RegExp(`^\\.SH ${sh}$`, "m"), `section ${sh}`);
  assert.equal(readFileSync(MAN, "utf8"), r.stdout, "docs/opensips-mcp.1 is stale: run `make man`");
});

test("the man page has one .TP entry for every option --help lists, with its default and variable", () => {
  const help = run(["--help"]);
  assert.equal(help.status, 0, help.stderr);
  const flags = [...help.stdout.matchAll(/^  --([a-z][a-z0-9-]*)/gm)].map((m) => m[1]);
  assert.ok(flags.length >= 30, `--help lists ${flags.length} options`);
  const page = readFileSync(MAN, "utf8");
  const entries = new Map([...page.matchAll(/^\.TP\n\\fB\\-\\-([a-z0-9\\-]+)\\fR.*\n([\s\S]*?)(?=^\.TP|^\.SH)/gm)]
    .map((m) => [m[1].replaceAll("\\-", "-"), m[2]]));
  for (const f of flags) assert.ok(entries.has(f), `--${f} is in --help but not in the man page`);
  assert.equal(entries.size, flags.length, `the man page's options: ${[...entries.keys()]}`);
  assert.match(entries.get("listen"), /Default: \\fB127\.0\.0\.1:3111\\fR; environment \\fBOPENSIPS_MCP_LISTEN\\fR; config key \\fBlisten\\fR/);
  assert.match(entries.get("mi-url"), /OPENSIPS_MI_URL/);
});

test("the man page renders with man(1) without warnings", { skip: spawnSync("man", ["--version"]).status !== 0 && "man is not installed" }, () => {
  const r = spawnSync("man", ["--warnings", "-l", MAN.pathname], { encoding: "utf8", timeout: ms(10_000), env: { ...process.env, MANWIDTH: "80", MAN_KEEP_FORMATTING: "" } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "", "groff warnings");
  assert.match(r.stdout, /OPENSIPS-MCP\(1\)/);
  assert.match(r.stdout, /--max-sessions-per-principal N/);
});

test("--man that cannot write its page says so and fails (make man must not commit half a page)", () => {
  const r = spawnSync(BIN, ["--man"], { encoding: "utf8", timeout: ms(10_000), stdio: ["ignore", openSync("/dev/full", "w"), "pipe"] });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^opensips-mcp: error: cannot write the man page to standard output\n$/);
});

test("a man page help text cannot become a roff request", () => {
  // every line that starts with a dot is one of ours: a known macro, or a comment
  const page = readFileSync(MAN, "utf8");
  for (const line of page.split("\n").filter((l) => l.startsWith(".") || l.startsWith("'")))
    assert.match(line, /^\.(TH|SH|TP|PP|br|B|BR|I|\\")( |$)/, line);
});

test("the example config's tokens, roles, Origin allow-list and audit work over HTTP", T, async () => {
  const dir = mkdtempSync(join(tmpdir(), "deploy-"));
  try {
    // Audit and out-dir moved to scratch by flags (flags win over the file).
    await withHttpServer(["--config", EXAMPLE, "--audit", join(dir, "audit.jsonl"), "--out-dir-root", dir], async (s) => {
      const bearer = (t) => ({ Authorization: `Bearer ${t}` });
      for (const [name, token] of Object.entries(EXAMPLE_TOKENS)) {
        const { init } = await openSession(s.url, { headers: bearer(token) });
        assert.ok(init.serverInfo, name);
      }
      const init = rpc(1, "initialize", INIT_PARAMS());
      assertRefused(await curl(s.url, { headers: POST_HEADERS, body: init }), 401, undefined, "no token");
      assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, ...bearer("example-noc-token") }, body: init }), 401, undefined, "a wrong token");
      const tok = bearer(EXAMPLE_TOKENS["noc-dashboard"]);
      const ok = await curl(s.url, { headers: { ...POST_HEADERS, ...tok, Origin: "https://mcp.example.net" }, body: init });
      assert.equal(ok.status, 200, `the allowed Origin: ${ok.raw}`);
      assertRefused(await curl(s.url, { headers: { ...POST_HEADERS, ...tok, Origin: "https://evil.example.net" }, body: init }), 403, undefined, "another Origin");
      // The audit bot's custom role sees only reading tools: no tool of its list changes state.
      const { headers } = await openSession(s.url, { headers: bearer(EXAMPLE_TOKENS["audit-bot"]) });
      const list = await curl(s.url, { headers, body: rpc(2, "tools/list", {}) });
      const tools = JSON.parse(list.body.match(/^data: (.*)$/m)?.[1] ?? list.body).result.tools;
      assert.ok(tools.length > 0, "the auditor sees tools");
      for (const t of tools) assert.equal(t.annotations.readOnlyHint, true, `${t.name} for role auditor`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the package's default /etc/opensips-mcp/config.json starts the HTTP server on loopback", T, async () => {
  const dir = mkdtempSync(join(tmpdir(), "deploy-"));
  try {
    await withHttpServer(["--config", DEFAULT, "--audit", join(dir, "audit.jsonl"), "--out-dir-root", dir], async (s) => {
      await openSession(s.url); // loopback without tokens: the --role of the file
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
