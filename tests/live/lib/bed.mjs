// One live test bed: a real OpenSIPS (lib/node.mjs), the SIPp UAS its calls go to, and opensips-mcp with
// --toolsets all driven by the official SDK client, talking MI to the node over `transport`.
import { connect, callTool, allTools, REQ } from "../../e2e/lib/sdk.mjs";
import { startNode } from "./node.mjs";
import { startUas } from "./sipp.mjs";
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
  // `confirm: true` goes only to the tools that take it (the cases pass it to every write)
  const takes = new Map(tools.map((t) => [t.name, t.inputSchema.properties ?? {}]));
  const call = (name, args = {}, opts = REQ) => {
    if ("confirm" in args && !("confirm" in (takes.get(name) ?? {}))) {
      args = { ...args };
      delete args.confirm;
    }
    return callTool(mcp.client, name, args, opts);
  };
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
