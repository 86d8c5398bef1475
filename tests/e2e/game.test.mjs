// The sample game (apps/game) in a real browser: two players in two browser contexts sign up,
// meet in a room by its code and play Connect Four to the end, with the mouse and with the
// keyboard. Every wait is on a condition of the page, bounded; nothing sleeps and hopes.
//
// Needs CORIO_GAME_APP (ctest sets it) and Debian's Chromium (/usr/bin/chromium). The final
// board is saved as a screenshot under CORIO_ARTIFACTS_DIR (default: <repo>/build/artifacts).
// CORIO_GAME_WEB_ROOT serves the front end from a directory instead of the built-in copy.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { io } from "socket.io-client";

import { launchBrowser } from "./lib/browser.mjs";
import {
  artifactsDir, CODE, gamePath, openPage, PASSWORD, signUp, startGame, startNodes, storySteps, until, visible, WAIT_MS,
} from "./lib/game-app.mjs";

const SUITE_MS = 90_000;
// The operator's login (--admin-ui): @socket.io/admin-ui's test vector, "changeit".
const ADMIN_HASH = "$2b$10$nu1FHRkuxkZkqID.31gz4uQsyERZAn.m4IIruysTsHDODBtrqS5Me";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

const suffix = randomBytes(3).toString("hex");
const alice = { name: `alice_${suffix}`, color: "red" };
const bob = { name: `bob_${suffix}`, color: "yellow" };

let game;
let server;
let browser;
const problems = [];
let roomCode;
let moves = 0;

const { step } = storySteps();

/** A player's new page in a context of its own (its own cookies), watched for script errors. */
const openPlayer = (player, viewport) => openPage(browser, player, `${server.url}/`, { problems, viewport });

const cell = (page, row, column) => page.locator(`.cell[data-row="${row}"][data-column="${column}"]`);

/**
 * `player` drops a disc in `column`, by `how`: "click", "digit" (keys 1-7), "arrows" (Left and
 * Right, then Enter) or "arrows+space" (then Space); then both pages must show it at `row`.
 */
async function play(player, column, row, how) {
  const { page } = player;
  await visible(page.locator("#your-turn"));
  const board = page.locator("#board");
  if (how === "click") {
    await page.locator(`.column[data-column="${column}"]`).click();
  } else if (how === "digit") {
    await board.focus();
    await page.keyboard.press(String(column + 1));
  } else {
    await board.focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowLeft");
    for (let i = 0; i < column; i++) await page.keyboard.press("ArrowRight");
    await page.keyboard.press(how === "arrows+space" ? "Space" : "Enter");
  }
  moves += 1;
  for (const p of [alice.page, bob.page]) {
    await visible(p.locator(`#board[data-moves="${moves}"]`));
    await visible(p.locator(`.cell[data-row="${row}"][data-column="${column}"][data-disc="${player.color}"]`));
  }
}

// The front end puts server text into the page with textContent only (app.js says so); this
// keeps it so: no HTML-parsing sink anywhere in the game's own scripts and page.
describe("the front end's source", () => {
  it("uses no HTML-parsing DOM sink", async () => {
    const sinks = /\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\s*\(|new Function\s*\(|\bsrcdoc\b|createContextualFragment/;
    for (const file of ["app.js", "index.html"]) {
      const source = await readFile(join(repoRoot, "apps", "game", "web", file), "utf8");
      const lines = source.split("\n").filter((line) => sinks.test(line));
      assert.deepEqual(lines, [], `${file} uses an HTML sink`);
    }
  });
});

// What corio-game prints never includes the Redis password of its --redis URL (docs/security.md,
// "What is logged"). No redis-server is needed: a node starts and serves before Redis answers,
// and a refused connection is logged like any other.
describe("corio-game's output", { timeout: 30_000 }, () => {
  const SECRET = "S3cret-pw-9f2";

  it("names Redis by its address only, also when it cannot connect", async (t) => {
    const dir = await mkdtemp(join(tmpdir(), "corio-game-e2e-"));
    let node;
    try {
      node = await startGame({ db: join(dir, "game.db"), redis: `redis://someone:${SECRET}@127.0.0.1:1/2`, nodeName: "n1" });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (/built without Redis support/.test(err.message)) {
        t.skip("corio-game was built without Redis");
        return;
      }
      throw err;
    }
    try {
      await until("a failed Redis connect to be logged", () => /Redis connect failed/.test(node.output()));
      assert.match(node.output(), /of the game at redis:\/\/127\.0\.0\.1:1\/2\b/);
      assert.ok(!node.output().includes(SECRET), node.output());
      assert.ok(!node.output().includes("someone"), node.output());
    } finally {
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("does not echo a --redis value it cannot parse", () => {
    const run = spawnSync(gamePath(), ["--port", "0", "--db", ":memory:", "--redis", `redis//x:${SECRET}@nowhere`], {
      encoding: "utf8",
      timeout: 10_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /--redis/);
    assert.ok(!run.stderr.includes(SECRET), run.stderr);
  });
});

describe("the game in a browser", { timeout: SUITE_MS }, () => {
  before(async () => {
    game = await startNodes({ prefix: "browser", args: ["--metrics", "--admin-ui", `admin:${ADMIN_HASH}`] });
    server = game.east;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await game?.stop();
  });

  step("shows a visitor without a session the login form", async () => {
    await openPlayer(alice, { width: 1280, height: 900 });
    const { page } = alice;
    await visible(page.locator("#auth-view"));
    assert.equal(await page.locator("#lobby-view").isVisible(), false);
    assert.equal(await page.locator("#session").isVisible(), false);
    assert.equal(await page.locator("#auth-submit").textContent(), "Log in");
  });

  step("registers a player, who lands in the lobby", async () => {
    await signUp(alice.page, alice.name);
    await visible(alice.page.locator("#lobby-online"), /\d+ online/);
  });

  step("says so when the password is wrong", async () => {
    // Bob's page is a phone: the same page has to work at that width.
    await openPlayer(bob, { width: 390, height: 844 });
    const { page } = bob;
    await visible(page.locator("#auth-view"));
    await page.locator("#auth-username").fill(alice.name);
    await page.locator("#auth-password").fill(`${PASSWORD}-wrong`);
    await page.locator("#auth-submit").click();
    await visible(page.locator("#auth-error"), /\S/);
    assert.equal(await page.locator("#lobby-view").isVisible(), false);
  });

  step("registers a second player", async () => {
    await signUp(bob.page, bob.name);
  });

  step("says so when a room code does not exist", async () => {
    const { page } = bob;
    await page.locator("#join-code").fill("ZZZZ");
    await page.locator("#join-button").click();
    await visible(page.locator("#join-error-text"), /\S/);
    assert.equal(await page.locator("#lobby-view").isVisible(), true);
  });

  step("lets one player create a room and the other join it by its code", async () => {
    await alice.page.locator("#create-room-button").click();
    await visible(alice.page.locator("#game-view"));
    await visible(alice.page.locator("#room-code"), CODE);
    roomCode = (await alice.page.locator("#room-code").textContent()).trim();
    await visible(alice.page.locator("#status"), `room ID is ${roomCode}`);

    // The lobby list is live: bob sees the new room without reloading.
    await visible(bob.page.locator(".room-item", { hasText: roomCode }).getByRole("button", { name: `Join room ${roomCode}` }));

    // Typed as a person might: lower case, with spaces around it.
    await bob.page.locator("#join-code").fill(` ${roomCode.toLowerCase()} `);
    await bob.page.locator("#join-button").click();
    await visible(bob.page.locator("#game-view"));
    for (const p of [alice.page, bob.page]) {
      await visible(p.locator("#status"), `${alice.name} to play`);
      await visible(p.locator("#player-red-name"), alice.name);
      await visible(p.locator("#player-yellow-name"), bob.name);
    }
    await visible(alice.page.locator("#your-turn"));
    assert.equal(await bob.page.locator("#your-turn").isVisible(), false);
  });

  step("plays moves by mouse and keyboard, on both pages", async () => {
    await play(alice, 0, 0, "click");
    await play(bob, 1, 0, "digit");
    await play(alice, 0, 1, "arrows");
    await play(bob, 1, 1, "click");
    // The last move is marked.
    await visible(alice.page.locator('.cell.is-last[data-row="1"][data-column="1"]'));
  });

  step("shows the operator both players, in the Admin UI's namespace and in /metrics", async () => {
    const page = await fetch(`${server.url}/admin-ui/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Socket.IO Admin UI<\/title>/);

    const admin = io(`${server.url}/admin`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      auth: { username: "admin", password: "changeit" },
    });
    try {
      const sockets = await new Promise((resolve, reject) => {
        admin.on("all_sockets", resolve);
        admin.on("connect_error", reject);
        setTimeout(() => reject(new Error("no all_sockets within 10 s")), WAIT_MS);
      });
      const players = sockets.filter((s) => s.nsp === "/");
      assert.equal(players.length, 2, JSON.stringify(players.map((s) => s.rooms)));
      // Each in the room of its user, where the game reaches all of a user's tabs.
      const users = players.map((s) => s.rooms.find((r) => r.startsWith("user:"))).sort();
      assert.deepEqual(users, ["user:1", "user:2"], JSON.stringify(players.map((s) => s.rooms)));
    } finally {
      admin.disconnect();
    }

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^corio_sockets\{endpoint="\/socket.io\/",namespace="\/"\} 2$/m);
  });

  step("shows chat messages as text, never as HTML", async () => {
    // Markup that would run script if it were ever parsed as HTML (docs/security.md).
    const text = '<b>html</b> & <img src=x onerror="window.__pwned=1"> <svg onload="window.__pwned=2"></svg>';
    await alice.page.locator("#chat-input").fill(text);
    await alice.page.locator("#chat-input").press("Enter");
    for (const p of [bob.page, alice.page]) {
      const message = p.locator(".chat-msg", { hasText: "<b>html</b>" });
      await visible(message);
      assert.equal(await message.locator(".chat-msg__text").textContent(), text);
      assert.equal(await message.locator(".chat-msg__from").textContent(), alice.name);
      assert.equal(await p.locator(".chat-log b:not(.chat-msg__from), .chat-log img, .chat-log svg").count(), 0);
      assert.equal(await p.locator("img[src='x'], svg[onload]").count(), 0);
      assert.equal(await p.evaluate(() => window.__pwned), undefined);
    }
  });

  step("brings a reloaded page back into the game", async () => {
    await bob.page.reload();
    await visible(bob.page.locator("#game-view"));
    await visible(bob.page.locator(`#board[data-moves="${moves}"]`));
    for (const [row, column, color] of [[0, 0, "red"], [0, 1, "yellow"], [1, 0, "red"], [1, 1, "yellow"]]) {
      assert.equal(await cell(bob.page, row, column).getAttribute("data-disc"), color);
    }
    await visible(bob.page.locator("#room-code"), roomCode);
  });

  step("ends the game when four discs line up, on both pages", async () => {
    await play(alice, 0, 2, "digit");
    await play(bob, 1, 2, "arrows+space");
    await play(alice, 0, 3, "click");
    for (const p of [alice.page, bob.page]) {
      await visible(p.locator("#status"), `${alice.name} wins`);
      await until("the four winning discs to be highlighted", async () => (await p.locator(".cell.is-win").count()) === 4);
      for (let row = 0; row < 4; row++) {
        assert.ok(await cell(p, row, 0).evaluate((node) => node.classList.contains("is-win")), `row ${row} in the line`);
      }
      await visible(p.locator("#rematch-button"));
      await visible(p.locator("#player-red"));
    }
    assert.equal(await bob.page.locator("#board").getAttribute("data-status"), "over");

    await mkdir(artifactsDir, { recursive: true });
    const shot = join(artifactsDir, "game-final-board.png");
    await alice.page.screenshot({ path: shot, fullPage: true, animations: "disabled" });
    const mobileShot = join(artifactsDir, "game-final-board-mobile.png");
    await bob.page.screenshot({ path: mobileShot, fullPage: true, animations: "disabled" });
    console.log(`screenshot of the final board: ${shot} (phone width: ${mobileShot})`);
  });

  step("starts a rematch with the colours swapped once both players ask", async () => {
    await alice.page.locator("#rematch-button").click();
    await visible(alice.page.locator("#rematch-button"), "Rematch offered");
    assert.equal(await alice.page.locator("#rematch-button").isDisabled(), true);
    await visible(bob.page.locator("#rematch-button"), "Accept rematch");
    await bob.page.locator("#rematch-button").click();
    moves = 0;
    for (const p of [alice.page, bob.page]) {
      await visible(p.locator('#board[data-moves="0"][data-status="playing"]'));
      await visible(p.locator("#player-red-name"), bob.name);
      await visible(p.locator("#status"), `${bob.name} to play`);
      assert.equal(await p.locator(".cell.is-win").count(), 0);
    }
    [alice.color, bob.color] = ["yellow", "red"];
    await play(bob, 3, 0, "digit");
  });

  step("asks before leaving a game in progress, which resigns it", async () => {
    const { page } = alice;
    const dialog = page.locator("#leave-dialog");
    await page.locator("#leave-button").click();
    await visible(dialog);
    await dialog.getByRole("button", { name: "Keep playing" }).click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await page.locator("#game-view").isVisible(), true);

    await page.locator("#leave-button").click();
    await dialog.getByRole("button", { name: "Resign and leave" }).click();
    await visible(page.locator("#lobby-view"));
    await visible(bob.page.locator("#status"), `${bob.name} wins`);
    assert.equal(await bob.page.locator("#rematch-button").isVisible(), false);
  });

  step("counts both games on the leaderboard", async () => {
    const { page } = alice;
    const row = page.locator("#leaderboard-body tr").filter({ has: page.locator("th", { hasText: alice.name }) });
    await visible(row);
    // The lobby fetched the leaderboard on entering; the resignation may land just after.
    const counts = await until("alice's row to show one win and one loss", async () => {
      const cells = await row.locator("td.num").allTextContents();
      if (cells.join() === "1,1,0") return cells;
      await page.locator("#leaderboard-refresh").click();
      return null;
    });
    assert.deepEqual(counts, ["1", "1", "0"]);
  });

  step("logs out back to the login form, for good", async () => {
    const { page } = alice;
    await page.locator("#logout-button").click();
    await visible(page.locator("#auth-view"));
    await page.reload();
    await visible(page.locator("#auth-view"));
    assert.equal(await page.locator("#session").isVisible(), false);
  });

  it("raised no script errors and no Content-Security-Policy violations", () => {
    assert.deepEqual(problems.flat(), []);
  });
});
