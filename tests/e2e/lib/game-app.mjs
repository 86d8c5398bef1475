// Starts the sample game server (apps/game) for one test file and stops it again.
//
// The binary comes from the environment variable CORIO_GAME_APP (CTest sets it). It is asked
// for a free port (`--port 0`) and must print one line `corio-game: listening on <url>` on
// stdout once it accepts connections. CORIO_GAME_WEB_ROOT, when set, is passed as
// `--web-root` so that edits to apps/game/web can be tried without rebuilding.
// Spawning, the startup timeout and stopping are server-process.mjs's.

import { existsSync } from "node:fs";
import { startServer } from "./server-process.mjs";

const LISTENING = /^corio-game: listening on (https?:\/\/\S+?)\/?\s*$/;

/** Path of the game binary, or throws a clear error. */
export function gamePath() {
  const path = process.env.CORIO_GAME_APP;
  if (!path) {
    throw new Error("game server unknown: set CORIO_GAME_APP=<path to corio-game> (ctest does)");
  }
  if (!existsSync(path)) throw new Error(`game server not found at ${path}: build it first (scripts/build)`);
  return path;
}

/**
 * Spawns the game server on 127.0.0.1 with its database at `db` and resolves once it listens.
 *
 * @param {object} options
 * @param {string} options.db path of the SQLite database (a fresh temporary file); nodes of one
 *   game on one machine share it
 * @param {string} [options.redis] a Redis URL: the node joins the game of every node started
 *   with the same one (`--redis`)
 * @param {string} [options.nodeName] the node's name in that game (`--node-name`)
 * @param {number} [options.nodeTimeout] seconds after which a silent node counts as stopped
 * @param {number} [options.reconnectGrace] seconds a player who dropped out has to come back
 * @param {string[]} [options.args] more options (`--metrics`, `--admin-ui USER:HASH`, ...)
 * @returns {Promise<{url: string, output: () => string,
 *   stop: () => Promise<{code: number | null, signal: string | null}>}>}
 *   `url` has no trailing slash. `stop()` resolves once the server is gone, with how it ended.
 */
export async function startGame({ db, redis, nodeName, nodeTimeout, reconnectGrace, args = [] }) {
  // The cheapest password hashing: the test registers users, it does not measure Argon2.
  const argv = ["--host", "127.0.0.1", "--port", "0", "--db", db, "--password-cost", "minimal"];
  if (redis) argv.push("--redis", redis);
  if (nodeName) argv.push("--node-name", nodeName);
  if (nodeTimeout !== undefined) argv.push("--node-timeout", String(nodeTimeout));
  if (reconnectGrace !== undefined) argv.push("--reconnect-grace", String(reconnectGrace));
  if (process.env.CORIO_GAME_WEB_ROOT) argv.push("--web-root", process.env.CORIO_GAME_WEB_ROOT);
  argv.push(...args);
  const { value: url, output, stop } = await startServer({
    label: nodeName ? `corio-game ${nodeName}` : "corio-game",
    path: gamePath(),
    argv,
    ready: (line) => LISTENING.exec(line)?.[1],
    readyLine: "corio-game: listening on <url>",
  });
  return { url, output, stop };
}
