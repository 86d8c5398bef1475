// A free loopback port for a server that a test starts and that cannot be told to pick one
// itself (redis-server, nginx).

import { createServer } from "node:net";

/**
 * A port that was free on 127.0.0.1 a moment ago (the kernel's choice for port 0). Someone may
 * take it before the server binds it: callers retry with another one on "Address already in use".
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
