// Starts the conformance app for one test file and stops it again.
//
// The app binary comes from `--app=<path>` on the command line or from the
// environment variable CORIO_CONFORMANCE_APP (CTest sets it). The app is asked
// for a free port (`--port 0`) and must print exactly one line
// `listening on <host>:<port>` on stdout once it accepts connections.
// CORIO_CONFORMANCE_EXTRA_ARGS, when set, adds its space-separated arguments
// to every start (CTest runs some files again with `--threads 1`).
// Spawning, the startup timeout and stopping are server-process.mjs's.

import { existsSync } from "node:fs";
import { startServer } from "./server-process.mjs";

const LISTENING = /^listening on (.+):(\d+)\s*$/;

/** Path of the conformance app binary, or throws a clear error. */
export function appPath() {
  const flag = process.argv.find((a) => a.startsWith("--app="));
  const path = flag ? flag.slice("--app=".length) : process.env.CORIO_CONFORMANCE_APP;
  if (!path) {
    throw new Error(
      "conformance app unknown: set CORIO_CONFORMANCE_APP=<path to corio_conformance> " +
        "(ctest does) or pass --app=<path>",
    );
  }
  if (!existsSync(path)) {
    throw new Error(`conformance app not found at ${path}: build it first (scripts/build)`);
  }
  return path;
}

/**
 * Spawns the app and resolves once it printed its `listening on` line.
 *
 * @param {object} [options]
 * @param {string[]} [options.args] extra command-line arguments
 * @param {string} [options.host] value of --host (default 127.0.0.1)
 * @param {{cert: string, key: string}} [options.tls] serve HTTPS/WSS with these PEM files
 *   (`--tls-cert`, `--tls-key`: spec part E); `url` is then https://
 * @returns {Promise<{port: number, host: string, url: string, output: () => string,
 *   kill: (signal: string) => void,
 *   stop: () => Promise<{code: number | null, signal: string | null}>}>}
 *   `stop()` resolves once the app is gone, with how it ended; `kill("SIGHUP")` signals it.
 */
export async function startApp({ args = [], host = "127.0.0.1", tls } = {}) {
  const tlsArgs = tls ? ["--tls-cert", tls.cert, "--tls-key", tls.key] : [];
  const extraArgs = (process.env.CORIO_CONFORMANCE_EXTRA_ARGS ?? "").split(" ").filter((a) => a !== "");
  const { value: port, output, kill, stop } = await startServer({
    label: "conformance app",
    path: appPath(),
    argv: ["--port", "0", "--host", host, ...tlsArgs, ...args, ...extraArgs],
    ready: (line) => {
      const m = LISTENING.exec(line);
      return m ? Number(m[2]) : undefined;
    },
    readyLine: "listening on <host>:<port>",
  });
  // An IPv6 literal needs brackets in a URL; "localhost" is reached as 127.0.0.1.
  const urlHost = host.includes(":") ? `[${host}]` : host === "localhost" ? "127.0.0.1" : host;
  return { port, host, url: `${tls ? "https" : "http"}://${urlHost}:${port}`, output, kill, stop };
}
