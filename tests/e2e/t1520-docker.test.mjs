// docker_restart end to end through the SDK client, with stand-in compose programs (shell scripts that
// record their argument vector and answer as docker compose does) named through --compose-command: the
// command line exactly as run, the question the user is asked, and every error path — compose missing,
// the daemon down, an unknown service, bad names, a compose file missing, relative, a directory, too
// large or unreadable by the scan, a compose that hangs (killed at the deadline), cancellation, a call
// not confirmed (nothing runs) — and with the real docker CLI (/usr/local/bin/docker): what it answers
// here (no compose plugin; with a stand-in plugin, no daemon) becomes a clear error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withClient, REQ, allTools, callTool as call, structured as ok, types } from "./lib/sdk.mjs";
import { sleep, TEST_TIMEOUT } from "./lib/raw.mjs";
import { pidsWith } from "./lib/procs.mjs";

const T = { timeout: TEST_TIMEOUT };
const REAL_DOCKER = "/usr/local/bin/docker";
const args = ["--role", "admin", "--toolsets", "docker"];
let dir, composeFile;

async function withEnv(vars, fn) {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

// A stand-in compose program named `name` in its own directory: it records its argv (one per line) and
// working directory there, then runs `body`. Returns { path, dir, argv() }.
function fake(label, name, body) {
  const d = join(dir, label);
  mkdirSync(d, { recursive: true });
  const path = join(d, name);
  writeFileSync(path, `#!/bin/sh\nd=$(dirname "$0")\nprintf '%s\\n' "$0" "$@" > "$d/argv"\npwd > "$d/cwd"\nenv > "$d/env"\n${body}\n`);
  chmodSync(path, 0o755);
  return {
    path,
    dir: d,
    argv: () => (existsSync(join(d, "argv")) ? readFileSync(join(d, "argv"), "utf8").trimEnd().split("\n") : null),
    cwd: () => readFileSync(join(d, "cwd"), "utf8").trim(),
    env: () => Object.fromEntries(readFileSync(join(d, "env"), "utf8").trimEnd().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2))),
  };
}

const RESTARTED = `echo " Container proj-$5-1  Restarting" >&2\necho " Container proj-$5-1  Started" >&2`;

async function gone(needle) {
  let left = pidsWith(needle, { part: true });
  for (let i = 0; i < 50 && left.length; i++) {
    await sleep(100);
    left = pidsWith(needle, { part: true });
  }
  return left;
}

// A server whose compose command is `command` and compose file `file`, extra settings in env.
const server = (command, file, fn, env = {}, opts) =>
  withEnv({ OPENSIPS_MCP_COMPOSE_COMMAND: command, OPENSIPS_MCP_COMPOSE_FILE: file, ...env },
    () => withClient(args, async (client) => {
      await allTools(client);
      await fn(client);
    }, opts));

const restart = (client, a = {}, opts) => call(client, "docker_restart", { confirm: true, ...a }, opts);

function failed(r, re) {
  assert.equal(r.isError, true, JSON.stringify(r));
  assert.match(r.content[0].text, re);
  return r;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-docker-e2e-"));
  mkdirSync(join(dir, "proj"));
  composeFile = join(dir, "proj", "compose.yaml");
  writeFileSync(composeFile, "name: proj\nservices:\n  opensips:\n    image: opensips/opensips:3.6\n" +
    "    command: |\n      -F -m 256\n  rtpengine:\n    image: drachtio/rtpengine\n  'db':\n    image: mariadb\n");
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("docker_restart is listed in toolset docker: service defaults to opensips, destructive, ~600 bytes", T, async () => {
  await withClient(args, async (client) => {
    const t = (await allTools(client)).find((x) => x.name === "docker_restart");
    assert.ok(t, "docker_restart is not listed");
    assert.equal(t.inputSchema.properties.service.default, "opensips");
    assert.equal(t.inputSchema.required, undefined);
    assert.equal(t.annotations.readOnlyHint, false);
    assert.equal(t.annotations.destructiveHint, true);
    assert.ok(JSON.stringify(t).length < 700, `docker_restart takes ${JSON.stringify(t).length} bytes of tools/list`);
  });
});

test("the command line as run: compose -f FILE restart SERVICE, from the file's directory", T, async () => {
  const f = fake("ok", "docker", RESTARTED);
  await server(`${f.path} compose`, composeFile, async (client) => {
    const r = ok(await restart(client));
    assert.deepEqual(r.command, [f.path, "compose", "-f", composeFile, "restart", "opensips"]);
    assert.deepEqual(f.argv(), r.command, "the program did not get the argv the result names");
    assert.equal(f.cwd(), join(dir, "proj"));
    // its environment: PATH, LANG and the daemon's variables passed through, nothing else of ours
    const env = f.env();
    assert.equal(env.PATH, "/usr/sbin:/usr/bin:/sbin:/bin");
    assert.equal(env.HOME, "/tmp/mcp-docker-home");
    assert.equal(env.DOCKER_HOST, "unix:///tmp/mcp-docker.sock");
    for (const k of Object.keys(env))
      assert.ok(!k.startsWith("OPENSIPS_") && k !== "MCP_SECRET", `compose got ${k} from the server's environment`);
    assert.equal(r.service, "opensips");
    assert.equal(r.restarted, true);
    assert.equal(r.status, 0);
    assert.match(r.output, /Container proj-opensips-1 {2}Restarting\n Container proj-opensips-1 {2}Started$/);
    assert.equal(r.note, undefined);
    // another service of the file, a quoted key of it
    assert.deepEqual(ok(await restart(client, { service: "db" })).command.slice(-2), ["restart", "db"]);
  }, { HOME: "/tmp/mcp-docker-home", DOCKER_HOST: "unix:///tmp/mcp-docker.sock", MCP_SECRET: "s3cret" });
  // the project name, when set, goes as -p
  await server(`${f.path} compose`, composeFile, async (client) => {
    const r = ok(await restart(client, { service: "rtpengine" }));
    assert.deepEqual(r.command, [f.path, "compose", "-f", composeFile, "-p", "voip_1", "restart", "rtpengine"]);
    assert.deepEqual(f.argv(), r.command);
  }, { OPENSIPS_MCP_COMPOSE_PROJECT: "voip_1" });
  // docker-compose and podman-compose (one word), podman compose (two)
  for (const [label, name, words] of [["v1", "docker-compose", []], ["pc", "podman-compose", []], ["pm", "podman", ["compose"]]]) {
    const g = fake(label, name, RESTARTED.replaceAll("$5", "$4"));
    await server([g.path, ...words].join(" "), composeFile, async (client) => {
      const r = ok(await restart(client));
      assert.deepEqual(r.command, [g.path, ...words, "-f", composeFile, "restart", "opensips"]);
      assert.deepEqual(g.argv(), r.command);
    });
  }
  // a compose that prints nothing: restarted, with a note to check
  const quiet = fake("quiet", "docker", "exit 0");
  await server(`${quiet.path} compose`, composeFile, async (client) => {
    const r = ok(await restart(client));
    assert.match(r.note, /printed nothing/);
  });
});

test("the user is asked with the exact command line; a call not confirmed runs nothing", T, async () => {
  const f = fake("ask", "docker", RESTARTED);
  const asked = [];
  let answer = "decline";
  await withEnv({ OPENSIPS_MCP_COMPOSE_COMMAND: `${f.path} compose`, OPENSIPS_MCP_COMPOSE_FILE: composeFile },
    () => withClient(args, async (client) => {
      await allTools(client);
      const no = await call(client, "docker_restart", {});
      assert.equal(no.isError, true, JSON.stringify(no));
      assert.equal(asked.length, 1);
      assert.equal(asked[0].message,
        `Confirm: restart compose service 'opensips' (run ${f.path} compose -f ${composeFile} restart opensips)?`);
      assert.equal(f.argv(), null, "a declined restart ran compose");
      answer = "accept";
      assert.equal(ok(await call(client, "docker_restart", { service: "rtpengine" })).service, "rtpengine");
      assert.deepEqual(f.argv().slice(-2), ["restart", "rtpengine"]);
    }, {
      capabilities: { elicitation: {} },
      setup: (c) => c.setRequestHandler(types.ElicitRequestSchema, (req) => {
        asked.push(req.params);
        return answer === "accept" ? { action: "accept", content: { confirm: true } } : { action: "decline" };
      }),
    }));
  // a client that cannot be asked, without confirm: true
  const g = fake("unconfirmed", "docker", RESTARTED);
  await server(`${g.path} compose`, composeFile, async (client) => {
    failed(await call(client, "docker_restart", { service: "opensips" }), /confirm: true/);
  });
  assert.equal(g.argv(), null, "an unconfirmed restart ran compose");
  // a role without process.manage
  await withEnv({ OPENSIPS_MCP_COMPOSE_COMMAND: `${g.path} compose`, OPENSIPS_MCP_COMPOSE_FILE: composeFile },
    () => withClient(["--role", "operator", "--toolsets", "docker"], async (client) => {
      failed(await call(client, "docker_restart", { confirm: true }), /process\.manage/);
    }));
  assert.equal(g.argv(), null, "a refused role ran compose");
});

test("bad service names and unknown services are refused before anything runs", T, async () => {
  const f = fake("names", "docker", RESTARTED);
  await server(`${f.path} compose`, composeFile, async (client) => {
    for (const s of ["x; rm -rf /", "-f", "--help", "$(id)", "a b", "../x", "caf\u00e9", "x\ny"])
      failed(await restart(client, { service: s }), /is not a name compose accepts.*nothing was run/s);
    failed(await restart(client, { service: "" }), /service|minLength|short/i);
    failed(await restart(client, { service: "asterisk" }),
      /service 'asterisk' is not in compose file '.*compose\.yaml'; its services: opensips, rtpengine, db\. Nothing was run/);
    // an argument that is wrong is refused before anyone is asked
    failed(await call(client, "docker_restart", { service: "-f" }), /is not a name compose accepts/);
    failed(await call(client, "docker_restart", { service: "asterisk" }), /is not in compose file/);
  });
  assert.equal(f.argv(), null, "a refused name reached compose");
  // a setting that is wrong is told once the user has agreed, as every tool's is
  await server(`${f.path} compose`, undefined, async (client) => {
    failed(await call(client, "docker_restart", {}), /confirm: true/);
    failed(await restart(client), /needs the compose file/);
  });
  // the file includes others: the error says their services are not read
  const inc = join(dir, "proj", "include.yaml");
  writeFileSync(inc, "include:\n  - other.yaml\nservices:\n  opensips:\n    image: x\n");
  await server(`${f.path} compose`, inc, async (client) => {
    failed(await restart(client, { service: "rtpengine" }), /its services: opensips \(and those of the files it includes/);
  });
  assert.equal(f.argv(), null);
});

test("the settings: compose command and file checked, each error says which setting", T, async () => {
  const f = fake("settings", "docker", RESTARTED);
  const bad = async (command, file, re, env) =>
    server(command, file, async (client) => failed(await restart(client), re), env);
  for (const c of ["sh -c", "bash", "docker", "docker ps", `${f.path}`, `${f.path} compose restart`, "./docker compose", "docker-compose compose"])
    await bad(c, composeFile, /environment OPENSIPS_MCP_COMPOSE_COMMAND: the compose (command|program) .*use docker compose, docker-compose, podman compose or podman-compose/);
  await bad(`${f.path} compose`, undefined, /needs the compose file.*--compose-file \(OPENSIPS_MCP_COMPOSE_FILE\)/);
  await bad(`${f.path} compose`, "proj/compose.yaml", /compose file 'proj\/compose\.yaml' is not an absolute path/);
  await bad(`${f.path} compose`, join(dir, "nope.yaml"), /cannot read compose file '.*nope\.yaml': No such file or directory.*nothing was run/);
  await bad(`${f.path} compose`, join(dir, "proj"), /is not a regular file/);
  const big = join(dir, "big.yaml");
  writeFileSync(big, "services:\n  opensips:\n" + "#".repeat(1 << 20));
  await bad(`${f.path} compose`, big, /is larger than 1048576 bytes/);
  const flow = join(dir, "flow.yaml");
  writeFileSync(flow, "services: {opensips: {image: x}}\n");
  await bad(`${f.path} compose`, flow, /line 1: services is not a block mapping/);
  const none = join(dir, "none.yaml");
  writeFileSync(none, "volumes:\n  data:\n");
  await bad(`${f.path} compose`, none, /no top-level services key/);
  await bad(`${f.path} compose`, composeFile, /compose project 'Bad Name' is not a name compose accepts/,
    { OPENSIPS_MCP_COMPOSE_PROJECT: "Bad Name" });
  assert.equal(f.argv(), null, "a bad setting still ran compose");
  // a bad timeout is refused at start, like every setting
  await assert.rejects(server(`${f.path} compose`, composeFile, async () => {}, { OPENSIPS_MCP_COMPOSE_TIMEOUT_S: "0" }));
});

test("compose failures become clear errors: missing, daemon down, no such service, a non-zero exit", T, async () => {
  await server(join(dir, "no-such", "docker") + " compose", composeFile, async (client) => {
    failed(await restart(client), /compose is not installed: cannot run '.*no-such\/docker'.*docker\.io docker-compose-plugin.*podman-compose/);
  });
  const noPlugin = fake("noplugin", "docker", `echo "docker: unknown command: docker compose" >&2\necho >&2\necho "Run 'docker --help' for more information" >&2\nexit 1`);
  await server(`${noPlugin.path} compose`, composeFile, async (client) => {
    failed(await restart(client), /has no compose command \(exit status 1: docker: unknown command: docker compose\); install .*docker-compose-plugin/);
  });
  const down = fake("down", "docker", `echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1`);
  await server(`${down.path} compose`, composeFile, async (client) => {
    failed(await restart(client), /container daemon is not running or not reachable: .* answered 'Cannot connect to the Docker daemon at unix:\/\/\/var\/run\/docker\.sock\. Is the docker daemon running\?'; start it/);
  });
  const unknown = fake("unknown", "docker", `echo "no such service: $5" >&2\nexit 1`);
  await server(`${unknown.path} compose`, composeFile, async (client) => {
    failed(await restart(client), /compose knows no service 'opensips' in '.*compose\.yaml': no such service: opensips/);
  });
  const other = fake("other", "docker", `echo "Error response from daemon: Cannot restart container abc: OCI runtime failed" >&2\nexit 17`);
  await server(`${other.path} compose`, composeFile, async (client) => {
    const r = failed(await restart(client), /compose -f .* restart opensips exited with status 17: Error response from daemon: Cannot restart container abc: OCI runtime failed$/);
    assert.ok(r.content[0].text.length < 2000);
  });
  // a long stderr: only its tail is shown
  const loud = fake("loud", "docker", `i=0; while [ $i -lt 2000 ]; do echo "line $i of noise" >&2; i=$((i+1)); done\necho "the last word" >&2\nexit 2`);
  await server(`${loud.path} compose`, composeFile, async (client) => {
    const r = failed(await restart(client), /exited with status 2: .*the last word$/s);
    assert.doesNotMatch(r.content[0].text, /line 0 of noise/);
  });
});

test("a compose that hangs is killed at --compose-timeout-s; a cancelled call kills it too", T, async () => {
  const hang = fake("hang", "docker", "trap '' TERM\nsleep 600");
  await server(`${hang.path} compose`, composeFile, async (client) => {
    failed(await restart(client, {}, { timeout: 30_000 }),
      /did not finish within 1 s and was stopped \(--compose-timeout-s\); the service may be left stopped/);
    assert.deepEqual(await gone(hang.dir), [], "the hanging compose survived its deadline");
  }, { OPENSIPS_MCP_COMPOSE_TIMEOUT_S: "1" });
  const slow = fake("slow", "docker", `touch "$d/started"\nsleep 600`);
  await server(`${slow.path} compose`, composeFile, async (client) => {
    const ac = new AbortController();
    const pending = restart(client, {}, { ...REQ, signal: ac.signal });
    for (let i = 0; i < 100 && !existsSync(join(slow.dir, "started")); i++) await sleep(100);
    assert.ok(existsSync(join(slow.dir, "started")), "compose did not start");
    assert.ok(pidsWith(slow.dir, { part: true }).length > 0, "compose is not running");
    ac.abort();
    await assert.rejects(pending);
    assert.deepEqual(await gone(slow.dir), [], "compose survived the cancellation");
    // the server still serves
    failed(await restart(client, { service: "nope" }), /is not in compose file/);
  });
});

test("the real docker CLI: no compose plugin here, and with a stand-in plugin no daemon, are clear errors",
  { ...T, skip: existsSync(REAL_DOCKER) ? false : `${REAL_DOCKER} is not installed` }, async () => {
    // a HOME without plugins: docker has no compose command
    const home = join(dir, "home-empty");
    mkdirSync(home, { recursive: true });
    await server(`${REAL_DOCKER} compose`, composeFile, async (client) => {
      const r = failed(await restart(client), /\/usr\/local\/bin\/docker has no compose command \(exit status \d+: .*\); install Docker's compose \(Debian: apt-get install docker\.io docker-compose-plugin/);
      assert.doesNotMatch(r.content[0].text, /Usage:/);
    }, { HOME: home, DOCKER_HOST: undefined, DOCKER_CONFIG: undefined });
    // a compose plugin that asks the real docker for its containers: the daemon is not running here
    const withPlugin = join(dir, "home-plugin");
    mkdirSync(join(withPlugin, ".docker", "cli-plugins"), { recursive: true });
    const plugin = join(withPlugin, ".docker", "cli-plugins", "docker-compose");
    writeFileSync(plugin, `#!/bin/sh\nif [ "$1" = docker-cli-plugin-metadata ]; then\n` +
      `  echo '{"SchemaVersion":"0.1.0","Vendor":"opensips-mcp tests","Version":"v0.0.1","ShortDescription":"stand-in"}'\n` +
      `  exit 0\nfi\nexec ${REAL_DOCKER} ps\n`);
    chmodSync(plugin, 0o755);
    await server(`${REAL_DOCKER} compose`, composeFile, async (client) => {
      const r = await restart(client);
      assert.equal(r.isError, true, JSON.stringify(r));
      // a machine with a running daemon answers otherwise; here there is none
      if (existsSync("/var/run/docker.sock")) return;
      assert.match(r.content[0].text, /container daemon is not running or not reachable: \/usr\/local\/bin\/docker compose -f .* restart opensips answered 'Cannot connect to the Docker daemon/);
    }, { HOME: withPlugin, DOCKER_HOST: undefined, DOCKER_CONFIG: undefined });
  });
