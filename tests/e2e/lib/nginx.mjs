// Debian's nginx (/usr/sbin/nginx, installed by scripts/setup --tests) on a free loopback port,
// serving the site configuration that docs/operations.md gives to operators
// (docs/deploy/nginx-corio-game.conf) with only its addresses replaced: the test's port instead
// of 80, and the test's nodes instead of 127.0.0.1:8081 and :8082.
//
// nginx runs in the foreground as one process (`master_process off`), as the user running the
// tests, with everything it writes in a temporary directory. Spawning, the output tail and
// killing it on process exit are server-process.mjs's.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { freePort } from "./free-port.mjs";
import { startServer } from "./server-process.mjs";

const NGINX = process.env.CORIO_NGINX ?? "/usr/sbin/nginx";
export const SITE_CONFIG = fileURLToPath(new URL("../../../docs/deploy/nginx-corio-game.conf", import.meta.url));
const ACCEPT_MS = 5_000;
const PORT_ATTEMPTS = 5;

/** Resolves once 127.0.0.1:port accepts a connection; rejects after `ms`. */
async function accepting(port, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = connect({ port, host: "127.0.0.1" }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx does not accept on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The site configuration with the test's addresses. Throws if the file no longer has the shape
 * this replaces (one `listen 80;`, the two upstream servers), so the test cannot silently run
 * some other configuration.
 */
export function siteConfig(port, upstreams) {
  let text = readFileSync(SITE_CONFIG, "utf8");
  const replace = (pattern, by) => {
    const found = text.match(new RegExp(pattern, "gm"))?.length ?? 0;
    if (found !== 1) throw new Error(`${SITE_CONFIG}: expected one /${pattern}/, found ${found}`);
    text = text.replace(new RegExp(pattern, "m"), by);
  };
  replace(String.raw`^    listen 80;$`, `    listen 127.0.0.1:${port};`);
  replace(String.raw`^    server 127\.0\.0\.1:8081;$`, `    server 127.0.0.1:${upstreams[0]};`);
  replace(String.raw`^    server 127\.0\.0\.1:8082;$`, `    server 127.0.0.1:${upstreams[1]};`);
  return text;
}

/** The main nginx.conf around the site: one process, every path inside `dir`. */
function mainConfig(dir) {
  return `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log stderr notice;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/site.conf;
}
`;
}

/**
 * Starts nginx on a free loopback port in front of the two nodes `upstreams` (ports on
 * 127.0.0.1), with the operators' site configuration.
 *
 * @param {number[]} upstreams the two nodes' ports
 * @returns {Promise<{port: number, url: string, output: () => string, stop: () => Promise<void>}>}
 */
export async function startNginx(upstreams) {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} not found: install nginx (scripts/setup --tests)`);
  const dir = mkdtempSync(join(tmpdir(), "corio-nginx-"));
  writeFileSync(join(dir, "nginx.conf"), mainConfig(dir));
  for (let attempt = 1; ; ++attempt) {
    const port = await freePort();
    writeFileSync(join(dir, "site.conf"), siteConfig(port, upstreams));
    let server;
    try {
      server = await startServer({
        label: "nginx",
        path: NGINX,
        // -e: the log before the configuration is read; -p: the prefix for nginx's defaults.
        argv: ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr"],
        // Its first notice comes once the configuration is read; accepting() then waits for the
        // port (a failed bind ends nginx with an [emerg] line instead).
        ready: (line) => (/\[notice\]/.test(line) ? true : undefined),
        readyLine: "a [notice] line",
        readyStream: "stderr",
      });
      await accepting(port, ACCEPT_MS);
    } catch (err) {
      await server?.stop();
      const inUse = /Address already in use/.test(err.message + (server?.output() ?? ""));
      if (attempt < PORT_ATTEMPTS && inUse) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return {
      port,
      url: `http://127.0.0.1:${port}`,
      output: server.output,
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
