// A real redis-server (Debian's /usr/bin/redis-server, installed by scripts/setup --tests) on a
// free loopback port, for the cluster tests: started, stopped, and restarted on the same port
// (a cluster node keeps its Redis URL, so "Redis comes back" means the same address).
//
// It runs without persistence (`--save "" --appendonly no`): a restart starts empty, as a
// crashed-and-restarted cache would. Spawning, the startup timeout, the output tail and killing
// it on process exit are server-process.mjs's.

import { existsSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";

import { freePort } from "./free-port.mjs";
import { startServer } from "./server-process.mjs";
import { within } from "./wait.mjs";

const REDIS_SERVER = process.env.CORIO_REDIS_SERVER ?? "/usr/bin/redis-server";
const READY = /Ready to accept connections/;
const PING_MS = 2_000;
const PORT_ATTEMPTS = 5;

/** Resolves once `PING` on a fresh connection to 127.0.0.1:port gets `+PONG`. */
function ping(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let got = "";
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      got += chunk.toString("latin1");
      if (got.includes("\r\n")) {
        socket.destroy();
        if (got.startsWith("+PONG")) resolve();
        else reject(new Error(`redis answered PING with ${JSON.stringify(got)}`));
      }
    });
    socket.on("error", (err) => reject(err));
  });
}

/** Starts redis-server on `port` and waits until it answers PING. */
async function spawnOn(port) {
  const { output, stop } = await startServer({
    label: "redis-server",
    path: REDIS_SERVER,
    argv: [
      "--port", String(port),
      "--bind", "127.0.0.1",
      "--save", "",
      "--appendonly", "no",
      "--dir", tmpdir(),
      "--logfile", "",
      "--daemonize", "no",
    ],
    ready: (line) => (READY.test(line) ? true : undefined),
    readyLine: "Ready to accept connections",
  });
  try {
    await within(PING_MS, `redis-server on port ${port} to answer PING`, ping(port));
  } catch (err) {
    await stop();
    throw err;
  }
  return { output, stop };
}

/**
 * Starts a redis-server on a free loopback port.
 *
 * @returns {Promise<{port: number, url: string, output: () => string, running: () => boolean,
 *   stop: () => Promise<void>, restart: () => Promise<void>}>}
 *   `url` is `redis://127.0.0.1:<port>`. `stop()` ends the server (SIGTERM, as an operator's
 *   `systemctl stop` would; its clients see their connections closed) and resolves once it is
 *   gone; calling it again does nothing. `restart()` starts a new, empty server on the same
 *   port (after stopping the running one, if any) and resolves once it answers PING.
 *   `running()` says whether it was started and not stopped since. `output()` is the current
 *   server's last output lines.
 */
export async function startRedis() {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(`${REDIS_SERVER} not found: install redis-server (scripts/setup --tests)`);
  }
  // The port is free when chosen but may be taken before redis binds it: try another then.
  let port;
  let current;
  for (let attempt = 1; !current; ++attempt) {
    port = await freePort();
    try {
      current = await spawnOn(port);
    } catch (err) {
      if (attempt >= PORT_ATTEMPTS || !/Address already in use/.test(err.message)) throw err;
    }
  }

  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    await current.stop();
  };
  const restart = async () => {
    await stop();
    current = await spawnOn(port);
    running = true;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    output: () => current.output(),
    running: () => running,
    stop,
    restart,
  };
}
