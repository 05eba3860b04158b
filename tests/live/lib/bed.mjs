// One live test bed: a real OpenSIPS (lib/node.mjs), the SIPp UAS its calls go to, and opensips-mcp with
// --toolsets all driven by the official SDK client, talking MI to the node over `transport`.
import { connect, callTool, allTools, REQ } from "../../e2e/lib/sdk.mjs";
import { startNode } from "./node.mjs";
import { startUas } from "./sipp.mjs";
import { startDb, driverFor } from "./db.mjs";
import net from "node:net";

async function freeUdpPort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

// The MCP server's arguments for a node reached over `transport` (http, fifo or datagram).
export function serverArgs(node, transport = "http", extra = []) {
  const addr = { http: node.httpUrl, fifo: node.fifoAddr, datagram: node.dgramAddr }[transport];
  return ["--role", "admin", "--toolsets", "all", "--mi-url", addr, "--mi-fifo-reply-dir", node.run + "/",
    "--out-dir-root", node.run, ...extra];
}

// The SDK client's `call`: `confirm: true` goes only to the tools that take it (the cases pass it to every
// write).
function caller(client, tools) {
  const takes = new Map(tools.map((t) => [t.name, t.inputSchema.properties ?? {}]));
  return (name, args = {}, opts = REQ) => {
    if ("confirm" in args && !("confirm" in (takes.get(name) ?? {}))) {
      args = { ...args };
      delete args.confirm;
    }
    return callTool(client, name, args, opts);
  };
}

// With `peer`, a second OpenSIPS runs as clusterer node 2 of cluster 1 (bed.peer).
// With `media`, the node relays RTP through an RTPEngine daemon (when Debian's rtpengine-daemon is installed).
export async function startBed(prefix, { peer = false, media = false } = {}) {
  const uasPort = await freeUdpPort();
  const node = await startNode(prefix, { uasPort, media });
  const peerNode = peer && node.modules.has("clusterer") ? await startNode(prefix, { peerOf: node }).catch(async (e) => {
    await node.stop();
    throw e;
  }) : null;
  const uas = startUas(uasPort, node.run);
  let mcp;
  try {
    mcp = await connect(serverArgs(node));
  } catch (e) {
    await uas.stop();
    await node.stop();
    await peerNode?.stop();
    throw e;
  }
  const tools = await allTools(mcp.client);
  const call = caller(mcp.client, tools);
  async function stop() {
    await mcp.close().catch(() => {});
    await uas.stop();
    await node.stop();
    await peerNode?.stop();
    if (node.rtpengine?.exitCode === null) node.rtpengine.kill("SIGTERM");
    // LIVE_KEEP=1 keeps the test beds (config, tables, opensips.log) in $TMPDIR for a look afterwards
    if (!process.env.LIVE_KEEP) {
      node.cleanup();
      peerNode?.cleanup();
    } else console.log(`# test bed kept: ${node.run}${peerNode ? " " + peerNode.run : ""}`);
  }
  return { node, peer: peerNode, uas, mcp, client: mcp.client, tools, call, stop };
}

// The DB bed (t0400): a throwaway database of its own (lib/db.mjs: 4.x on PostgreSQL, 3.x on MariaDB) with
// our schema for `version`, and an OpenSIPS running opensips-db.cfg.in whose provisioning modules and auth_db
// read it; REGISTERs are digest-authenticated in realm `realm`. opensips-mcp is not started here: connect()
// starts it with --db-url the bed's database (bed.mcp, bed.tools, bed.call then), so that the bed itself
// can be checked without it.
export async function startDbBed(prefix, version, { realm = "live.test" } = {}) {
  const db = startDb(driverFor(Number(version.split(".")[0])), version);
  let node;
  try {
    node = await startNode(prefix, { db: { module: db.module, url: db.url, realm } });
  } catch (e) {
    db.stop();
    throw e;
  }
  const bed = { node, db, realm, mcp: null, tools: null, call: null };
  bed.connect = async (extra = []) => {
    bed.mcp = await connect(serverArgs(node, "http", ["--db-url", db.url, ...extra]));
    bed.client = bed.mcp.client;
    bed.tools = await allTools(bed.mcp.client);
    bed.call = caller(bed.mcp.client, bed.tools);
    return bed;
  };
  bed.stop = async () => {
    await bed.mcp?.close().catch(() => {});
    await node.stop();
    try {
      db.stop();
    } finally {
      if (!process.env.LIVE_KEEP) node.cleanup();
      else console.log(`# test bed kept: ${node.run}`);
    }
  };
  return bed;
}
