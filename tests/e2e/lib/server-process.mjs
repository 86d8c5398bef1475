// Runs one server binary under test: spawns it, waits until it says on stdout that it accepts
// connections, and stops it again. app.mjs (conformance app) and game-app.mjs (game server)
// only add where their binary is, its command line and how its "listening" line reads.
//
// The server runs in its own process group, so stopping it also stops any helper it forked.
// Every server still running when this process exits is killed, whatever the tests did.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const TAIL_LINES = 50;

/** All servers started by this process, killed on exit whatever happens. */
const running = new Set();
process.on("exit", () => {
  for (const child of running) signal(child, "SIGKILL");
});

/** Signals the server's whole process group (it runs in its own), so no helper it forked survives. */
function signal(child, name) {
  try {
    process.kill(-child.pid, name);
  } catch {
    child.kill(name);
  }
}

/**
 * Spawns `path argv…` and resolves once `ready` recognised a line (of stdout, or of `readyStream`).
 *
 * Startup fails (the server is stopped and the promise rejects) if the server cannot be
 * spawned, exits, or prints no recognised line within STARTUP_TIMEOUT_MS; the error message
 * then carries the command line and the server's last output lines.
 *
 * With CORIO_E2E_VERBOSE set, the server's output is also copied live to stderr.
 *
 * @template T
 * @param {object} options
 * @param {string} options.label names the server in messages ("conformance app", "corio-game")
 * @param {string} options.path the binary
 * @param {string[]} options.argv its arguments
 * @param {(line: string) => T | undefined} options.ready called with each line of `readyStream` until it
 *   returns something other than undefined: that is the server's "listening" line, and the
 *   returned value (say the port) becomes `value`
 * @param {string} options.readyLine the awaited line as people read it, for error messages
 *   (e.g. "listening on <host>:<port>")
 * @param {"stdout" | "stderr"} [options.readyStream] where that line comes (default stdout)
 * @returns {Promise<{value: T, output: () => string, kill: (name: string) => void,
 *   stop: () => Promise<{code: number | null, signal: string | null}>}>}
 *   `output()` is the server's last TAIL_LINES lines, each prefixed `[stdout]` or `[stderr]`.
 *   `kill(name)` sends the server (its process group) the signal `name`, e.g. "SIGHUP".
 *   `stop()` sends SIGTERM, then SIGKILL after STOP_GRACE_MS, and resolves with how the server
 *   ended; calling it again, or after the server exited, just returns that same result.
 */
export async function startServer({ label, path, argv, ready, readyLine, readyStream = "stdout" }) {
  const child = spawn(path, argv, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  running.add(child);

  // Keep the server's last lines to explain a failure; print them live when asked.
  const verbose = !!process.env.CORIO_E2E_VERBOSE;
  const tail = [];
  const keep = (stream) => (line) => {
    if (verbose) process.stderr.write(`[${label} ${stream}] ${line}\n`);
    tail.push(`[${stream}] ${line}`);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const output = () => tail.join("\n");
  const lines = {
    stdout: createInterface({ input: child.stdout }),
    stderr: createInterface({ input: child.stderr }),
  };
  const other = readyStream === "stdout" ? "stderr" : "stdout";
  lines[other].on("line", keep(other));

  let started = false;
  let stopping = false;
  let settle;
  const exited = new Promise((resolve) => {
    settle = (result) => {
      running.delete(child);
      // A leftover grandchild holding the pipes must not keep this process alive.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(result);
    };
  });
  child.on("exit", (code, sig) => {
    // Before it listened, the startup error below tells the story (with the same output).
    if (started && !stopping) {
      process.stderr.write(
        `${label} exited unexpectedly (code ${code}, signal ${sig}); its last output:\n${output()}\n`,
      );
    }
    settle({ code, signal: sig });
  });
  child.on("error", () => {
    // A failed spawn (EACCES, ENOENT) emits 'error' but no 'exit': without this, stop() would
    // wait forever. Other errors (a failed kill) leave the process running; 'exit' settles.
    if (child.pid === undefined) settle({ code: child.exitCode, signal: null });
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

  let value;
  try {
    value = await new Promise((resolve, reject) => {
      let recognised = false;
      const timer = setTimeout(
        () => reject(new Error(`no '${readyLine}' line on ${readyStream} within ${STARTUP_TIMEOUT_MS} ms`)),
        STARTUP_TIMEOUT_MS,
      );
      const fail = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      child.on("error", (err) => fail(new Error(`cannot start ${path}: ${err.message}`)));
      child.on("exit", (code, sig) =>
        fail(new Error(`${label} exited before '${readyLine}' (code ${code}, signal ${sig})`)),
      );
      // Stays attached after startup so that the tail keeps the server's later stdout too.
      lines[readyStream].on("line", (line) => {
        keep(readyStream)(line);
        if (recognised) return;
        let v;
        try {
          v = ready(line);
        } catch (err) {
          fail(err);
          return;
        }
        if (v !== undefined) {
          recognised = true;
          clearTimeout(timer);
          resolve(v);
        }
      });
    });
  } catch (err) {
    await stop();
    err.message = `${err.message}\ncommand: ${[path, ...argv].join(" ")}\n${label} output:\n${output()}`;
    throw err;
  }
  started = true;
  return { value, output, kill: (name) => signal(child, name), stop };
}
