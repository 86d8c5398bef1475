// History that survives (issue 17, item 2): a page that reloads mid-game shows the room's chat
// log and the list of moves of the current game again, on one node and on two nodes (where the
// reload lands on the other node: corio-game --redis, a redis-server started by this test on a
// free loopback port), and a page that was offline for a moment gets what it missed once it
// reconnects. The log is bounded (--chat-history), markup in chat shows as literal text
// and never runs, and the board is played with the keyboard (arrows and Enter, digits) and
// described to screen readers. Every wait is on a condition of the page, bounded.
//
// Needs CORIO_GAME_APP (ctest sets it), Debian's Chromium, and for the two-node half a
// corio-game built with Redis and Debian's redis-server. Screenshots go to CORIO_ARTIFACTS_DIR
// (game-history.png, game-history-cluster.png).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe } from "node:test";

import { launchBrowser } from "./lib/browser.mjs";
import {
  artifactsDir, CODE, openPage, redisMissing, signUp, startNodes, storySteps, until, visible,
} from "./lib/game-app.mjs";

const SUITE_MS = 120_000;
const KEPT = 4; // the nodes' --chat-history

// The markup of the issue: it would show an image and run script if it were parsed as HTML.
const IMG = "<img src=x onerror=alert(1)>";
const BOLD = "<b>bold</b>";

/** The texts of the chat log, oldest first. */
const chatTexts = (page) => page.locator("#chat-log .chat-msg__text").allTextContents();
/** The lines of the list of moves. */
const moveLines = (page) => page.locator("#move-list .move__text").allTextContents();

/**
 * The story, on one node (`twoNodes` false: both pages on it, the reload too) or on two (alice's
 * page on east, bob's on west, and bob's reload lands on east).
 */
function story(label, twoNodes) {
  describe(label, { timeout: SUITE_MS }, () => {
    const suffix = randomBytes(3).toString("hex");
    const alice = { name: `alice_${suffix}`, node: "east" };
    const bob = { name: `bob_${suffix}`, node: twoNodes ? "west" : "east" };
    let nodes = {};
    const problems = [];
    const dialogs = [];
    let browser;
    let roomCode;
    const { step, skipAll } = storySteps();

    /** A person's page on their node; an alert() on it would mean chat markup ran as script. */
    async function open(person) {
      await openPage(browser, person, `${nodes[person.node].url}/`, {
        problems,
        onPage: (page) => page.on("dialog", (dialog) => {
          dialogs.push(`${person.name}: ${dialog.type()} ${dialog.message()}`);
          dialog.dismiss().catch(() => {});
        }),
      });
    }

    /** `person` says `text`; it shows on both pages. */
    async function say(person, text) {
      const { page } = person;
      await page.locator("#chat-input").fill(text);
      await page.locator("#chat-input").press("Enter");
      for (const p of [alice.page, bob.page]) {
        await until(`"${text}" in ${p === alice.page ? "alice" : "bob"}'s chat`, async () =>
          (await chatTexts(p)).includes(text));
      }
    }

    /** Waits until both pages show `count` moves. */
    async function movesShown(count) {
      for (const p of [alice.page, bob.page]) await visible(p.locator(`#board[data-moves="${count}"]`));
    }

    /** Chat messages show as the text typed: no element from their markup, nothing ran. */
    async function assertLiteral(page) {
      const texts = await chatTexts(page);
      assert.ok(texts.includes(IMG), JSON.stringify(texts));
      assert.ok(texts.includes(BOLD), JSON.stringify(texts));
      assert.equal(await page.locator("#chat-log img, #chat-log .chat-msg__text *").count(), 0);
      assert.equal(await page.locator("img[src='x']").count(), 0);
      assert.deepEqual(dialogs, []);
    }

    before(async () => {
      try {
        nodes = await startNodes({ prefix: "history", twoNodes, args: ["--chat-history", String(KEPT)] });
      } catch (err) {
        if (!redisMissing(err)) throw err;
        skipAll(err.message);
        return;
      }
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await nodes.stop?.();
    });

    step("two players meet in a room", async () => {
      await open(alice);
      await signUp(alice.page, alice.name);
      await open(bob);
      await signUp(bob.page, bob.name);
      await alice.page.locator("#create-room-button").click();
      await visible(alice.page.locator("#room-code"), CODE);
      roomCode = (await alice.page.locator("#room-code").textContent()).trim();
      await bob.page.locator("#join-code").fill(roomCode);
      await bob.page.locator("#join-button").click();
      for (const p of [alice.page, bob.page]) await visible(p.locator("#status"), `${alice.name} to play`);
      for (const p of [alice.page, bob.page]) {
        assert.equal(await p.locator("#move-list-empty").isVisible(), true);
        assert.deepEqual(await moveLines(p), []);
      }
    });

    step("plays with the keyboard, which the board describes, and lists every move", async () => {
      // The pointer selects the column it hovers: out of the way, the keys alone choose.
      for (const p of [alice.page, bob.page]) await p.mouse.move(0, 0);
      const board = alice.page.locator("#board");
      // The board is one tab stop, focused when the game opened; its name says the column.
      assert.equal(await board.getAttribute("tabindex"), "0");
      assert.equal(await alice.page.evaluate(() => document.activeElement && document.activeElement.id), "board");
      await alice.page.keyboard.press("Home");
      assert.equal(await board.getAttribute("aria-label"), "Board, column 1 selected: empty");
      await alice.page.keyboard.press("End");
      assert.equal(await board.getAttribute("aria-label"), "Board, column 7 selected: empty");
      for (let i = 0; i < 3; i++) await alice.page.keyboard.press("ArrowLeft");
      assert.equal(await board.getAttribute("aria-label"), "Board, column 4 selected: empty");
      await alice.page.keyboard.press("Enter");
      await movesShown(1);
      await until("the board's label to name the red disc", async () =>
        (await board.getAttribute("aria-label")) === "Board, column 4 selected: red from the bottom");

      const bobBoard = bob.page.locator("#board");
      await bobBoard.focus();
      await bob.page.keyboard.press("Home");
      for (let i = 0; i < 4; i++) await bob.page.keyboard.press("ArrowRight");
      assert.equal(await bobBoard.getAttribute("aria-label"), "Board, column 5 selected: empty");
      await bob.page.keyboard.press("Enter");
      await movesShown(2);

      await alice.page.keyboard.press("ArrowLeft");
      await alice.page.keyboard.press("Space");
      await movesShown(3);
      await bob.page.keyboard.press("7"); // digits drop straight into a column
      await movesShown(4);

      const expected = [
        `1. ${alice.name}: column 4`,
        `2. ${bob.name}: column 5`,
        `3. ${alice.name}: column 3`,
        `4. ${bob.name}: column 7`,
      ];
      for (const p of [alice.page, bob.page]) {
        await until("the list of four moves", async () => (await moveLines(p)).length === 4);
        assert.deepEqual(await moveLines(p), expected);
        assert.equal(await p.locator("#move-list").getAttribute("role"), "log");
        assert.equal(await p.locator("#move-list .move.is-last .move__text").textContent(), expected[3]);
      }
    });

    step("chats, with markup shown as text", async () => {
      await say(alice, "soon too old to replay");
      await say(alice, "hi bob");
      await say(bob, IMG);
      await say(bob, BOLD);
      await say(alice, "good luck");
      for (const p of [alice.page, bob.page]) await assertLiteral(p);
    });

    step(`keeps chat and moves across a reload${twoNodes ? " onto the other node" : ""}`, async () => {
      if (twoNodes) {
        // A load balancer may send the next connection anywhere: bob comes back through east.
        bob.node = "east";
        await bob.page.goto(`${nodes.east.url}/`);
      } else {
        await bob.page.reload();
      }
      const { page } = bob;
      await visible(page.locator("#game-view"));
      await visible(page.locator(`#board[data-moves="4"]`));
      await visible(page.locator("#room-code"), roomCode);
      // The last KEPT messages, in the order said; the oldest fell out of the log.
      const replayed = [`hi bob`, IMG, BOLD, "good luck"];
      await until("the chat log replayed", async () => (await chatTexts(page)).length === KEPT);
      assert.deepEqual(await chatTexts(page), replayed);
      assert.deepEqual(await page.locator("#chat-log .chat-msg__from").allTextContents(),
        [alice.name, bob.name, bob.name, alice.name]);
      await assertLiteral(page);
      assert.equal((await moveLines(page)).length, 4);
      assert.equal((await moveLines(page))[3], `4. ${bob.name}: column 7`);

      // The page plays and chats on: the board has the focus, so keys work at once.
      assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), "board");
      await visible(alice.page.locator("#your-turn"));
      await alice.page.locator("#board").focus();
      await alice.page.keyboard.press("1");
      await page.mouse.move(0, 0);
      await movesShown(5);
      await page.keyboard.press("Home");
      await page.keyboard.press("Enter");
      await movesShown(6);
      for (const p of [alice.page, bob.page]) {
        await until("six moves listed", async () => (await moveLines(p)).length === 6);
        assert.equal((await moveLines(p))[5], `6. ${bob.name}: column 1`);
      }
      await say(bob, "back again");
      assert.deepEqual(await chatTexts(page), [...replayed, "back again"]);

      await page.evaluate(() => window.scrollTo(0, 0));
      await mkdir(artifactsDir, { recursive: true });
      const shot = join(artifactsDir, twoNodes ? "game-history-cluster.png" : "game-history.png");
      await page.screenshot({ path: shot, fullPage: true, animations: "disabled" });
      console.log(`screenshot after the reload: ${shot}`);
    });

    step("recovers what was said and played while a page was offline, once", async () => {
      const { page } = bob;
      await bob.context.setOffline(true);
      await visible(page.locator("#connection-banner"), "Reconnecting");
      await visible(alice.page.locator("#status"), `${bob.name} disconnected`);
      await alice.page.locator("#board").focus();
      await alice.page.keyboard.press("2");
      await visible(alice.page.locator('#board[data-moves="7"]'));
      await alice.page.locator("#chat-input").fill("said while you were offline");
      await alice.page.locator("#chat-input").press("Enter");
      await until("alice's own message", async () => (await chatTexts(alice.page)).includes("said while you were offline"));

      // Socket.IO reconnects by itself: the room and its chat come again, merged with the page's.
      await bob.context.setOffline(false);
      await page.locator("#connection-banner").waitFor({ state: "hidden" });
      await visible(page.locator('#board[data-moves="7"]'));
      await until("the message said meanwhile", async () => (await chatTexts(page)).includes("said while you were offline"));
      const texts = await chatTexts(page);
      assert.deepEqual(texts.slice(-2), ["back again", "said while you were offline"]);
      assert.equal(new Set(texts).size, texts.length, JSON.stringify(texts)); // each message once
      await until("seven moves listed", async () => (await moveLines(page)).length === 7);
      assert.equal((await moveLines(page))[6], `7. ${alice.name}: column 2`);
    });

    step("raised no script errors, no CSP violations and no dialogs", () => {
      assert.deepEqual(problems.flat(), []);
      assert.deepEqual(dialogs, []);
    });
  });
}

story("history on one node, in a browser", false);
story("history on two nodes, in a browser", true);
