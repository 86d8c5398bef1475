// A real Prometheus (Debian's /usr/bin/prometheus, installed by scripts/setup --tests) on a free
// loopback port, scraping one target every second, and queried through its HTTP API. Its
// storage is a temporary directory, removed when it stops.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort } from "./free-port.mjs";
import { startServer } from "./server-process.mjs";

const PROMETHEUS = process.env.CORIO_PROMETHEUS ?? "/usr/bin/prometheus";
const READY = /Server is ready to receive web requests/;
const PORT_ATTEMPTS = 5;

/**
 * Starts Prometheus scraping `target` ("host:port", path /metrics) as job `job`.
 *
 * @returns {Promise<{query: (expr: string) => Promise<Array<{metric: object, value: [number, string]}>>,
 *   output: () => string, stop: () => Promise<void>}>}
 *   `query(expr)` is an instant query's result vector.
 */
export async function startPrometheus(target, job = "corio") {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(`${PROMETHEUS} not found: install prometheus (scripts/setup --tests)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "corio-prometheus-"));
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      `  - job_name: ${job}`,
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  let lastError;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; ++attempt) {
    const port = await freePort();
    try {
      const { output, stop } = await startServer({
        label: "prometheus",
        path: PROMETHEUS,
        argv: [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(dir, "data")}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        ready: (line) => (READY.test(line) ? true : undefined),
        readyLine: "Server is ready to receive web requests",
        readyStream: "stderr",
      });
      return {
        output,
        async query(expr) {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
          const body = await res.json();
          if (body.status !== "success") throw new Error(`prometheus query ${expr}: ${JSON.stringify(body)}`);
          return body.data.result;
        },
        async stop() {
          await stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err; // most likely someone took the port first: try another
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}
