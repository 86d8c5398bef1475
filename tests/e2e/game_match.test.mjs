// Quick match and the turn clock of the sample game (issue 17, items 3 and 4), in Chromium, on
// one node and on two nodes (corio-game --redis on one redis-server started on a free loopback
// port, one SQLite file; each player's page talks to a different node):
// - quick match: a player waits (and can cancel), the next one asking is paired with them, and
//   both pages land in one room with the clock they chose, counting down;
// - a flag on time: a room created with a 3-second clock (the nodes run with --min-clock 3; the
//   test adds that choice to the page's list) is lost on time by red, who does not move.
// Every wait is on a condition, bounded. The two-node quick match game is saved as
// game-match-LABEL.png under CORIO_ARTIFACTS_DIR (docs/images/game-match.png is the two-node one),
// the lobby of a player waiting for a match as game-match-waiting-LABEL.png.
//
// Needs CORIO_GAME_APP (ctest sets it) built with Redis, Debian's redis-server and Chromium.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { launchBrowser } from "./lib/browser.mjs";
import { artifactsDir, CODE, openPage, signUp, startNodes, storySteps, visible, WAIT_MS } from "./lib/game-app.mjs";

const SUITE_MS = 150_000;
const SHORT_CLOCK_S = 3; // the nodes' --min-clock, and the flag test's clock

let browser;
const problems = [];

/** A new person with a page of their own (own cookies) on `node`, signed up and in the lobby. */
async function newPlayer(prefix, node) {
  const person = { name: `${prefix}_${randomBytes(3).toString("hex")}` };
  await openPage(browser, person, `${node.url}/`, { problems });
  await signUp(person.page, person.name);
  return person;
}

/** The player's seat colour as the page shows it ("you" under red or yellow). */
async function colorOf(person) {
  await visible(person.page.locator(".player__you"));
  return (await person.page.locator("#player-red .player__you").count()) > 0 ? "red" : "yellow";
}

/** The clock text of `color` on `page`, as m:ss (tenths dropped), in seconds. */
async function clockSeconds(page, color) {
  const text = (await page.locator(`#player-${color}-clock`).textContent()).trim();
  const match = /^(\d+):(\d\d)(\.\d)?$/.exec(text);
  assert.ok(match, `clock text "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The cases, against `nodes` (two entries: the first player's node and the second's, which may
 * be the same). `label` names the screenshot.
 */
function cases(label, getNodes) {
  const { step } = storySteps();

  const people = {};

  step("a player waits for a quick match and can cancel", async () => {
    const [first, second] = getNodes();
    people.alice = await newPlayer("alice", first);
    people.bob = await newPlayer("bob", second);
    const { page } = people.alice;
    await page.locator("#clock-choice").selectOption("60");
    await page.locator("#quick-match-button").click();
    await visible(page.locator("#match-wait"), "Finding an opponent");
    assert.equal(await page.locator("#quick-match-button").isHidden(), true);
    await mkdir(artifactsDir, { recursive: true });
    await page.screenshot({ path: join(artifactsDir, `game-match-waiting-${label}.png`), animations: "disabled" });
    await page.locator("#cancel-match-button").click();
    await page.locator("#match-wait").waitFor({ state: "hidden" });
    await visible(page.locator("#quick-match-button"));
  });

  step("quick match pairs the next two waiting players, and both land in the room", async () => {
    const { alice, bob } = people;
    await alice.page.locator("#quick-match-button").click();
    await visible(alice.page.locator("#match-wait"));
    await bob.page.locator("#clock-choice").selectOption("60");
    await bob.page.locator("#quick-match-button").click();
    for (const p of [alice.page, bob.page]) {
      await visible(p.locator("#game-view"));
      await visible(p.locator("#room-code"), CODE);
      await visible(p.locator("#status"), `${alice.name} to play`);
    }
    assert.equal(
      (await alice.page.locator("#room-code").textContent()).trim(),
      (await bob.page.locator("#room-code").textContent()).trim(),
    );
    // The one who waited plays red and moves first; the match-wait panel is gone.
    assert.equal(await colorOf(alice), "red");
    assert.equal(await colorOf(bob), "yellow");
    assert.equal(await alice.page.locator("#match-wait").isHidden(), true);
  });

  step("both see the one-minute clocks, and only the player to move's runs", async () => {
    const { alice, bob } = people;
    for (const p of [alice.page, bob.page]) {
      await visible(p.locator("#player-red-clock.is-running"));
      await visible(p.locator("#player-yellow-clock"), "1:00");
    }
    // Red's time goes down while it is red's turn.
    await alice.page.waitForFunction(() => {
      const text = document.getElementById("player-red-clock")?.textContent || "";
      return /^0:5\d$/.test(text.trim());
    });
    await alice.page.locator('.column[data-column="3"]').click();
    for (const p of [alice.page, bob.page]) {
      await visible(p.locator(`#board[data-moves="1"]`));
      await visible(p.locator("#player-yellow-clock.is-running"));
    }
    const redLeft = await clockSeconds(bob.page, "red");
    assert.ok(redLeft >= 50 && redLeft < 60, `red has ${redLeft} s`);
    await bob.page.locator('.column[data-column="4"]').click();
    await visible(alice.page.locator(`#board[data-moves="2"]`));
    const shot = join(artifactsDir, `game-match-${label}.png`);
    await bob.page.screenshot({ path: shot, fullPage: true, animations: "disabled" });
    console.log(`screenshot of a quick match game with a clock: ${shot}`);
  });

  step("a player who runs out of time loses on time", async () => {
    const [first, second] = getNodes();
    const carol = await newPlayer("carol", first);
    const dan = await newPlayer("dan", second);
    // The page offers minutes; the server also accepts seconds down to its --min-clock.
    await carol.page.locator("#clock-choice").evaluate((select, seconds) => {
      select.append(new Option(`${seconds} seconds each`, String(seconds)));
    }, SHORT_CLOCK_S);
    await carol.page.locator("#clock-choice").selectOption(String(SHORT_CLOCK_S));
    await carol.page.locator("#create-room-button").click();
    await visible(carol.page.locator("#room-code"), CODE);
    const code = (await carol.page.locator("#room-code").textContent()).trim();
    // The lobby's list (on the other node too) says the room has a clock.
    await visible(dan.page.locator(`.room-item[data-code="${code}"] .room-item__clock`), `${SHORT_CLOCK_S} s clock`);
    await dan.page.locator("#join-code").fill(code);
    await dan.page.locator("#join-button").click();
    await visible(dan.page.locator("#status"), `${carol.name} to play`);
    await visible(dan.page.locator("#player-red-clock.is-running"));
    // carol (red) does not move: her seconds run out, and the server ends the game on time.
    for (const p of [carol.page, dan.page]) {
      await p
        .locator("#status")
        .filter({ hasText: `${carol.name} ran out of time; ${dan.name} wins.` })
        .waitFor({ state: "visible", timeout: WAIT_MS + SHORT_CLOCK_S * 1000 });
      await visible(p.locator("#player-red-clock"), "0:00.0");
      await visible(p.locator("#player-yellow-clock"), `0:0${SHORT_CLOCK_S}.0`);
      assert.equal(await p.locator(".player__clock.is-running").count(), 0);
    }
    await carol.context.close();
    await dan.context.close();
  });

  it(`cleans up (${label})`, async () => {
    for (const person of Object.values(people)) await person.context.close();
  });
}

describe("quick match and the turn clock, in a browser", { timeout: SUITE_MS }, () => {
  const nodes = {};
  const games = [];

  before(async () => {
    const args = ["--min-clock", String(SHORT_CLOCK_S)];
    games.push(await startNodes({ prefix: "match", args }));
    nodes.solo = games[0].east;
    games.push(await startNodes({ prefix: "match", twoNodes: true, args }));
    nodes.east = games[1].east;
    nodes.west = games[1].west;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    for (const game of games) await game.stop();
  });

  describe("on one node", () => cases("one-node", () => [nodes.solo, nodes.solo]));
  describe("on two nodes, each player on another", () => cases("two-nodes", () => [nodes.east, nodes.west]));

  it("raised no script errors and no Content-Security-Policy violations", () => {
    assert.deepEqual(problems.flat(), []);
  });
});
