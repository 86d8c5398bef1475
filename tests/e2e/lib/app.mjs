// Starts the conformance app for one test file and stops it again.
//
// The app binary comes from `--app=<path>` on the command line or from the
// environment variable CORIO_CONFORMANCE_APP (CTest sets it). The app is asked
// for a free port (`--port 0`) and must print exactly one line
// `listening on <host>:<port>` on stdout once it accepts connections.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const TAIL_LINES = 50;

/** All apps started by this process, killed on exit whatever happens. */
const running = new Set();
process.on("exit", () => {
  for (const child of running) signal(child, "SIGKILL");
});

/** Signals the app's whole process group (it runs in its own), so no helper it forked survives. */
function signal(child, name) {
  try {
    process.kill(-child.pid, name);
  } catch {
    child.kill(name);
  }
}

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
 * @returns {Promise<{port: number, host: string, url: string, output: () => string,
 *   stop: () => Promise<void>}>}
 */
export async function startApp({ args = [], host = "127.0.0.1" } = {}) {
  const path = appPath();
  const argv = ["--port", "0", "--host", host, ...args];
  const child = spawn(path, argv, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  running.add(child);

  // Keep the app's last lines to explain a failure; print them live when asked.
  const verbose = !!process.env.CORIO_E2E_VERBOSE;
  const tail = [];
  const keep = (stream) => (line) => {
    if (verbose) process.stderr.write(`[app ${stream}] ${line}\n`);
    tail.push(`[${stream}] ${line}`);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const output = () => tail.join("\n");
  createInterface({ input: child.stderr }).on("line", keep("stderr"));
  const stdout = createInterface({ input: child.stdout });

  let stopping = false;
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      running.delete(child);
      // A leftover grandchild holding the pipes must not keep this process alive.
      child.stdout.destroy();
      child.stderr.destroy();
      if (!stopping) {
        process.stderr.write(
          `conformance app exited unexpectedly (code ${code}, signal ${signal}); its last output:\n` +
            `${output()}\n`,
        );
      }
      resolve({ code, signal });
    });
  });

  const stop = async () => {
    if (stopping) return exited;
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    signal(child, "SIGTERM");
    const timer = setTimeout(() => signal(child, "SIGKILL"), STOP_GRACE_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  let port;
  try {
    port = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no 'listening on' line within ${STARTUP_TIMEOUT_MS} ms`)),
        STARTUP_TIMEOUT_MS,
      );
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${path}: ${err.message}`));
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`app exited before listening (code ${code}, signal ${signal})`));
      });
      stdout.on("line", (line) => {
        keep("stdout")(line);
        const m = /^listening on (.+):(\d+)\s*$/.exec(line);
        if (m && port === undefined) {
          clearTimeout(timer);
          resolve(Number(m[2]));
        }
      });
    });
  } catch (err) {
    await stop();
    err.message = `${err.message}\ncommand: ${path} ${argv.join(" ")}\napp output:\n${output()}`;
    throw err;
  }

  const urlHost = host.includes(":") ? `[${host}]` : host === "localhost" ? "127.0.0.1" : host;
  return { port, host, url: `http://${urlHost}:${port}`, output, stop };
}
