// Prompts, resources and completion against a real node (issue 16): with a real registration and
// a real confirmed call on the node, every resource template resolves from the server's own
// completion (Call-IDs, AORs, dispatcher sets, statistic groups, MI commands, the node's config
// file under the allowed root) and reads, and what it reads agrees with the node (version, the
// dialog, the contact, the MI command's version); every prompt renders with its arguments
// completed from the node. The simulator's side of the same is tests/e2e/t1600 and t1630.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { installs, startNode } from "./lib/node.mjs";
import { m, miDialogs, until } from "./lib/check.mjs";
import { serverArgs } from "./lib/bed.mjs";
import { startUas, startCallers, register, freeUdp } from "./lib/sipp.mjs";
import { connect, REQ, listAll as list } from "../e2e/lib/sdk.mjs";

const LONG = { timeout: 120_000 };
// needs what the bed does not give: a provisioning database
const SKIP = new Set(["opensips://{node}/db-schema"]);


const complete = (client, ref, name, value) =>
  client.complete({ ref, argument: { name, value }, context: { arguments: { node: "default" } } }, REQ);

for (const inst of installs()) {
  describe(`OpenSIPS ${inst.version}: prompts, resources and completion on a real node`, { skip: inst.prefix ? false : inst.why }, () => {
    let node, uas, caller, mcp, dialog;

    before(async () => {
      const uasPort = await freeUdp();
      node = await startNode(inst.prefix, { uasPort });
      uas = startUas(uasPort, node.run);
      // register.xml registers user1 at the node's address (usrloc keeps the domain)
      const r = await register(node.SIP_PORT, node.run, 1);
      assert.equal(r.code, 0, r.output.slice(-1500));
      caller = startCallers(node.SIP_PORT, node.run, { calls: 1, name: "resources-call", port: await freeUdp() });
      [dialog] = await until(async () => {
        const c = (await miDialogs({ node })).filter((x) => x.state === 4);
        return c.length ? c : null;
      }, "a confirmed dialog");
      mcp = await connect(serverArgs(node, "http"));
    });
    after(async () => {
      await mcp?.close().catch(() => {});
      await caller?.stop();
      await uas?.stop();
      await node?.stop();
      if (!process.env.LIVE_KEEP) node?.cleanup();
    });

    test("completion draws the node's own values", LONG, async () => {
      const c = mcp.client;
      const values = async (uri, v, prefix = "") => (await complete(c, { type: "ref/resource", uri }, v, prefix)).completion.values;
      assert.ok((await values("opensips://{node}/dialog/{callid}", "callid")).includes(dialog.callid), "the call's Call-ID");
      assert.ok((await values("opensips://{node}/registrations/{aor}", "aor")).includes("user1@127.0.0.1"), "the registered AOR");
      assert.ok((await values("opensips://{node}/statistics/{group}", "group")).includes("tm"));
      const cmds = await values("opensips://{node}/mi/{command}", "command", "dialog:li");
      assert.ok(cmds.includes("dialog:list") && cmds.every((x) => x.startsWith("dialog:li")), JSON.stringify(cmds));
      const sets = (await complete(c, { type: "ref/prompt", name: "troubleshoot_gateway" }, "setid", "")).completion.values;
      assert.ok(sets.length > 0, "the node's dispatcher sets");
    });

    test("every resource template resolves and reads, and agrees with the node", LONG, async () => {
      const c = mcp.client;
      const read = async (uri) => (await c.readResource({ uri }, REQ)).contents[0];
      let n = 0;
      for (const t of await list(c, "listResourceTemplates", "resourceTemplates")) {
        if (SKIP.has(t.uriTemplate)) continue;
        let uri = t.uriTemplate.replace("{node}", "default");
        for (const [, v] of t.uriTemplate.matchAll(/\{(\w+)\}/g)) {
          if (v === "node") continue;
          const want = { callid: dialog.callid, aor: "user1@127.0.0.1", group: "tm", command: "core:uptime", name: "uac" }[v];
          const got = (await complete(c, { type: "ref/resource", uri: t.uriTemplate }, v, "")).completion.values;
          const value = want ?? got[0];
          assert.ok(value && (want === undefined || got.includes(want)), `${t.uriTemplate}: {${v}} completes ${JSON.stringify(got)}`);
          uri = uri.replace(`{${v}}`, encodeURIComponent(value));
        }
        const r = await read(uri);
        assert.equal(r.mimeType, t.mimeType, uri);
        assert.ok(r.text.length > 0, uri);
        n++;
        if (t.mimeType !== "application/json") continue;
        const body = JSON.parse(r.text);
        if (t.uriTemplate.endsWith("/status")) {
          assert.ok(body.version.Server.includes(inst.version), JSON.stringify(body.version));
          assert.ok(body.processes.count > 0, JSON.stringify(body.processes));
        }
        if (t.uriTemplate.endsWith("/dialog/{callid}")) assert.equal(body.dialogs[0].callid, dialog.callid);
        if (t.uriTemplate.endsWith("/dialogs")) assert.ok(body.dialogs.some((d) => d.callid === dialog.callid) && body.by_state["4"] >= 1);
        if (t.uriTemplate.endsWith("/registrations/{aor}")) assert.match(r.text, /sip:user1@127\.0\.0\.1/);
        if (t.uriTemplate.endsWith("/mi/{command}")) assert.equal(body.major, Number(inst.version.split(".")[0]));
      }
      assert.ok(n >= 14, `${n} templates read`);
      // the node's own config file, under the allowed root (the bed's run directory)
      const cfgs = (await complete(c, { type: "ref/resource", uri: "opensips-mcp://cfg/{file}" }, "file", "")).completion.values;
      assert.ok(cfgs.some((f) => /\.cfg$/.test(f)), JSON.stringify(cfgs));
      const text = (await read(`opensips-mcp://cfg/${encodeURIComponent(cfgs.find((f) => /\.cfg$/.test(f)))}`)).text;
      assert.match(text, /loadmodule/);
    });

    test("every prompt renders with arguments completed from the node", LONG, async () => {
      const c = mcp.client;
      for (const p of await list(c, "listPrompts", "prompts")) {
        const args = {};
        for (const a of p.arguments ?? []) {
          const got = (await complete(c, { type: "ref/prompt", name: p.name }, a.name, "")).completion.values;
          if (got.length) args[a.name] = a.name === "callid" ? dialog.callid : got[0];
          else if (a.required) args[a.name] = a.name === "class" ? "4xx" : "x";
        }
        const r = await c.getPrompt({ name: p.name, arguments: args }, REQ);
        assert.ok(r.messages.length > 0 && r.messages[0].content.text.length > 50, p.name);
        if (args.callid) assert.ok(r.messages[0].content.text.includes(dialog.callid), p.name);
      }
    });
  });
}
