// One node of a test cluster on a free loopback port: the conformance app (`corio`) or the same
// app on Node (`node`: cluster/node_peer.mjs), both joined to the Redis at `redisUrl`.

import { fileURLToPath } from "node:url";

import { appPath } from "./app.mjs";
import { startServer } from "./server-process.mjs";

const NODE_PEER = fileURLToPath(new URL("../cluster/node_peer.mjs", import.meta.url));

export const NODE_KINDS = new Set(["corio", "node"]);

/**
 * Starts node `name` of `kind` on the `adapter` variant (classic, sharded or streams), with
 * `extra` arguments after the cluster ones. Resolves once it listens: {kind, name, port, url,
 * output(), stop()}.
 */
export async function startNode(kind, name, redisUrl, adapter, extra = []) {
  const argv = ["--port", "0", "--host", "127.0.0.1", "--redis", redisUrl, "--node-name", name, "--redis-adapter", adapter, ...extra];
  const { value: port, output, stop } = await startServer({
    label: `${kind} node ${name}`,
    path: kind === "corio" ? appPath() : process.execPath,
    argv: kind === "corio" ? argv : [NODE_PEER, ...argv],
    ready: (line) => {
      const m = /^listening on (.+):(\d+)\s*$/.exec(line);
      return m ? Number(m[2]) : undefined;
    },
    readyLine: "listening on <host>:<port>",
  });
  return { kind, name, port, url: `http://127.0.0.1:${port}`, output, stop };
}
