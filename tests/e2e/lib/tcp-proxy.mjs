// A TCP proxy on a free loopback port in front of a server, that can cut every connection through
// it at once, as a network failure between client and server would: both ends get a reset.

import { createConnection, createServer } from "node:net";

/**
 * Forwards 127.0.0.1:<port> to 127.0.0.1:`targetPort`. Resolves to {port, url, cut(), refuse(on),
 * close()}: cut() resets every connection open through it (new ones are forwarded as before);
 * refuse(true) resets new connections at once too, as an unreachable server would, until
 * refuse(false); close() also stops listening.
 */
export async function startProxy(targetPort) {
  const pairs = new Set();
  let refusing = false;
  const server = createServer((inbound) => {
    if (refusing) {
      inbound.resetAndDestroy();
      return;
    }
    const outbound = createConnection({ host: "127.0.0.1", port: targetPort });
    const pair = [inbound, outbound];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    for (const s of pair) {
      s.on("error", end);
      s.on("close", end);
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const cut = () => {
    for (const pair of [...pairs]) {
      pairs.delete(pair);
      for (const s of pair) s.resetAndDestroy();
    }
  };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut,
    refuse: (on) => {
      refusing = on;
    },
    close: () => {
      cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
