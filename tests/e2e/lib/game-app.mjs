// Starts the sample game server (apps/game) for one test file and stops it again; and below,
// the scaffolding its browser tests share (nodes, pages, sign-up, bounded waits).
//
// The binary comes from the environment variable CORIO_GAME_APP (CTest sets it). It is asked
// for a free port (`--port 0`) and must print one line `corio-game: listening on <url>` on
// stdout once it accepts connections. CORIO_GAME_WEB_ROOT, when set, is passed as
// `--web-root` so that edits to apps/game/web can be tried without rebuilding.
// Spawning, the startup timeout and stopping are server-process.mjs's.

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

import { watchPage } from "./browser.mjs";
import { startRedis } from "./redis-server.mjs";
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

// ---- What the game's browser tests share: their nodes, their pages, their waits. ----

/** How long a page may take to show any one condition. */
export const WAIT_MS = 10_000;
/** Every test user's password (the server's rules accept it). */
export const PASSWORD = "Lantern-velvet-93";
/** A room code as the server makes them: four letters or digits, no look-alikes. */
export const CODE = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}$/;
/** Where screenshots go: CORIO_ARTIFACTS_DIR, default <repo>/build/artifacts. */
export const artifactsDir = process.env.CORIO_ARTIFACTS_DIR
  || join(fileURLToPath(new URL("../../..", import.meta.url)), "build", "artifacts");

/**
 * Starts the nodes of one game for a test file: one node ("east"), or with `twoNodes` two nodes
 * ("east" and "west") on a redis-server of their own, sharing one SQLite file as nodes on one
 * machine do. `prefix` names the temporary directory; the other options go to every node
 * (see startGame). If a start fails, what was started is stopped before the error is thrown.
 *
 * @returns {Promise<{east: object, west?: object, list: object[], stop: () => Promise<void>}>}
 */
export async function startNodes({ prefix, twoNodes = false, ...options }) {
  const dataDir = await mkdtemp(join(tmpdir(), `corio-game-${prefix}-e2e-`));
  const db = join(dataDir, "game.db");
  const list = [];
  let redis;
  const stop = async () => {
    for (const node of list) await node.stop();
    await redis?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (twoNodes) {
      redis = await startRedis();
      for (const nodeName of ["east", "west"]) list.push(await startGame({ ...options, db, redis: redis.url, nodeName }));
    } else {
      list.push(await startGame({ ...options, db }));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { east: list[0], west: list[1], list, stop };
}

/** True if `err` says that two nodes cannot run here (no Redis in the build or on the machine). */
export function redisMissing(err) {
  return /built without Redis support|redis-server not found/i.test(err.message);
}

/**
 * The steps of one story (node:test `it`s): once a step failed, the steps after it are skipped
 * instead of timing out again; `skipAll(reason)` skips every step (e.g. when Redis is missing).
 */
export function storySteps() {
  let broken = "";
  let skipped = "";
  function step(name, body) {
    it(name, async (t) => {
      if (skipped) return t.skip(skipped);
      if (broken) return t.skip(`after the failed step "${broken}"`);
      try {
        return await body(t);
      } catch (err) {
        broken = name;
        throw err;
      }
    });
  }
  return { step, skipAll: (reason) => { skipped = reason; } };
}

/**
 * Opens `url` for `person` in a browser context of its own (its own cookies), sets
 * `person.context` and `person.page`, and pushes the page's script errors (watchPage) to
 * `problems`. `onPage(page)` runs before the page loads (e.g. to watch dialogs).
 */
export async function openPage(browser, person, url, { problems, viewport = { width: 1280, height: 900 }, onPage } = {}) {
  person.context = await browser.newContext({ viewport });
  person.context.setDefaultTimeout(WAIT_MS);
  person.page = await person.context.newPage();
  problems.push(watchPage(person.page, person.name));
  await onPage?.(person.page);
  await person.page.goto(url);
  return person.page;
}

/** Registers `name` on the sign-in page `page` shows; resolves once its lobby shows the name. */
export async function signUp(page, name) {
  await visible(page.locator("#auth-view"));
  await page.locator("#tab-register").click();
  await page.locator("#auth-username").fill(name);
  await page.locator("#auth-password").fill(PASSWORD);
  await page.locator("#auth-submit").click();
  await visible(page.locator("#lobby-view"));
  await visible(page.locator("#user-name"), name);
}

/** Waits until `locator` (filtered by `text` if given) is visible. */
export async function visible(locator, text) {
  await (text === undefined ? locator : locator.filter({ hasText: text })).first().waitFor({ state: "visible" });
}

/** Polls `check` until it returns a truthy value; fails saying `what` did not happen. */
export async function until(what, check, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
