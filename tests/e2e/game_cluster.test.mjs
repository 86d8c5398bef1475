// The sample game on two nodes (issue 11): two corio-game processes started with --redis on one
// redis-server (started by this test on a free loopback port) and one SQLite file, as two nodes
// on one machine would run behind a load balancer. Alice's page talks to the east node only,
// Bob's and the spectator Carol's to the west node only; they meet by room code, play to the end
// and chat, Bob's page reloads onto the other node mid-game, and a node stopping mid-game costs
// its player the game once the grace period is over. Every wait is on a condition, bounded.
//
// Needs CORIO_GAME_APP (ctest sets it) built with Redis, Debian's redis-server and Chromium. The
// final board is saved as game-cluster-final-board.png under CORIO_ARTIFACTS_DIR.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { launchBrowser } from "./lib/browser.mjs";
import {
  artifactsDir, CODE, openPage, signUp, startNodes, storySteps, visible, WAIT_MS,
} from "./lib/game-app.mjs";

const SUITE_MS = 120_000;
const GRACE_S = 3; // the nodes' --reconnect-grace
const NODE_TIMEOUT_S = 2; // and --node-timeout: a node silent this long counts as stopped

const suffix = randomBytes(3).toString("hex");
const alice = { name: `alice_${suffix}`, color: "red", node: "east" };
const bob = { name: `bob_${suffix}`, color: "yellow", node: "west" };
const carol = { name: `carol_${suffix}`, node: "west" };

let nodes = {};
let browser;
const problems = [];
let roomCode;
let moves = 0;

const { step } = storySteps();

/** A person's page on their node, in a browser context of its own (its own cookies). */
const open = (person) => openPage(browser, person, `${nodes[person.node].url}/`, { problems });

/** `player` drops a disc in `column` with a click; every page in the room must show it at `row`. */
async function play(player, column, row) {
  const { page } = player;
  await visible(page.locator("#your-turn"));
  await page.locator(`.column[data-column="${column}"]`).click();
  moves += 1;
  for (const p of [alice.page, bob.page, carol.page]) {
    await visible(p.locator(`#board[data-moves="${moves}"]`));
    await visible(p.locator(`.cell[data-row="${row}"][data-column="${column}"][data-disc="${player.color}"]`));
  }
}

describe("the game on two nodes, in a browser", { timeout: SUITE_MS }, () => {
  before(async () => {
    // One SQLite file for both: accounts and results are shared on one machine.
    nodes = await startNodes({ prefix: "cluster", twoNodes: true, nodeTimeout: NODE_TIMEOUT_S, reconnectGrace: GRACE_S });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await nodes.stop?.();
  });

  step("registers a player on each node; each lobby counts both", async () => {
    await open(alice);
    await signUp(alice.page, alice.name);
    await open(bob);
    await signUp(bob.page, bob.name);
    for (const p of [alice.page, bob.page]) await visible(p.locator("#lobby-online"), "2 online");
  });

  step("shows a room created on one node in the lobby of the other, and joins it by code", async () => {
    await alice.page.locator("#create-room-button").click();
    await visible(alice.page.locator("#game-view"));
    await visible(alice.page.locator("#room-code"), CODE);
    roomCode = (await alice.page.locator("#room-code").textContent()).trim();
    await visible(alice.page.locator("#status"), `room ID is ${roomCode}`);

    const listed = bob.page.locator(".room-item", { hasText: roomCode });
    await visible(listed.getByRole("button", { name: `Join room ${roomCode}` }));
    await bob.page.locator("#join-code").fill(roomCode.toLowerCase());
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

  step("lets a spectator on the west node watch the game from the lobby", async () => {
    await open(carol);
    await signUp(carol.page, carol.name);
    const listed = carol.page.locator(".room-item", { hasText: roomCode });
    await listed.getByRole("button", { name: `Watch room ${roomCode}` }).click();
    await visible(carol.page.locator("#game-view"));
    await visible(carol.page.locator("#status"), `${alice.name} to play`);
    for (const p of [alice.page, bob.page]) await visible(p.locator("#spectators"), carol.name);
  });

  step("plays moves across the nodes, seen on every page", async () => {
    await play(alice, 0, 0);
    await play(bob, 1, 0);
    await play(alice, 0, 1);
    await play(bob, 1, 1);
  });

  step("carries chat across the nodes", async () => {
    await bob.page.locator("#chat-input").fill("hello from the west");
    await bob.page.locator("#chat-input").press("Enter");
    for (const p of [alice.page, carol.page]) {
      const message = p.locator(".chat-msg", { hasText: "hello from the west" });
      await visible(message);
      assert.equal(await message.locator(".chat-msg__from").textContent(), bob.name);
    }
  });

  step("brings a page reloaded onto the other node back into the game", async () => {
    // A load balancer may send the next connection anywhere: bob comes back through the east
    // node. The session cookie is the same (one host, one SQLite file).
    bob.node = "east";
    await bob.page.goto(`${nodes.east.url}/`);
    await visible(bob.page.locator("#game-view"));
    await visible(bob.page.locator(`#board[data-moves="${moves}"]`));
    await visible(bob.page.locator("#room-code"), roomCode);
    await visible(alice.page.locator("#status"), `${alice.name} to play`);
  });

  step("ends the game when four discs line up, on every page", async () => {
    await play(alice, 0, 2);
    await play(bob, 1, 2);
    await play(alice, 0, 3);
    for (const p of [alice.page, bob.page, carol.page]) {
      await visible(p.locator("#status"), `${alice.name} wins`);
      await visible(p.locator(".cell.is-win").nth(3));
    }
    await mkdir(artifactsDir, { recursive: true });
    const shot = join(artifactsDir, "game-cluster-final-board.png");
    await alice.page.screenshot({ path: shot, fullPage: true, animations: "disabled" });
    console.log(`screenshot of the final board: ${shot}`);
  });

  step("records the result once, in the shared database", async () => {
    const { page } = carol;
    await page.locator("#leave-button").click();
    await visible(page.locator("#lobby-view"));
    const row = page.locator("#leaderboard-body tr").filter({ has: page.locator("th", { hasText: alice.name }) });
    await visible(row);
    assert.deepEqual(await row.locator("td.num").allTextContents(), ["1", "0", "0"]);
  });

  step("gives the game to the opponent when a node stops mid-game and its player does not return", async () => {
    // Bob goes back to the west node, so that the players are on different nodes again, and
    // they start a rematch (colours swap: bob is red).
    bob.node = "west";
    await bob.page.goto(`${nodes.west.url}/`);
    await visible(bob.page.locator("#game-view"));
    await alice.page.locator("#rematch-button").click();
    await bob.page.locator("#rematch-button").click();
    for (const p of [alice.page, bob.page]) await visible(p.locator('#board[data-moves="0"][data-status="playing"]'));

    // The west node stops with bob's connection, and his browser has nowhere else to go (the
    // test has no load balancer). Either west marks bob away as it shuts down, or (when his
    // page reconnected to it during its shutdown, or a node is killed) the east node takes
    // west for stopped once it has been silent for NODE_TIMEOUT_S. The deadline is in Redis:
    // the east node, which never saw bob's socket, gives alice the game once his grace period
    // is over.
    await nodes.west.stop();
    await visible(alice.page.locator("#status"), `${bob.name} disconnected`);
    await alice.page
      .locator("#status")
      .filter({ hasText: `${bob.name} did not come back; ${alice.name} wins` })
      .waitFor({ state: "visible", timeout: WAIT_MS + GRACE_S * 1000 });
  });

  it("raised no script errors and no Content-Security-Policy violations", () => {
    assert.deepEqual(problems.flat(), []);
  });
});
