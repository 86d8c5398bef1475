// Invite links and guests (issue 17, items 1 and 5) in Chromium, on one node and on two nodes:
// a host creates a room and copies its invite link (`…/#/r/CODE`); a visitor without an account
// follows it, plays as a guest with just a display name and lands in the room (on two nodes
// through the other node, as a load balancer may send them); a third visitor finds the room full
// and watches; unknown and broken links say so; the guest's result is ranked apart from the
// players', and stays with them when they save the account with a password; the header says
// "Reconnecting…" instead of a stale count while a page's connection is cut; and a guest is asked
// before logging out.
//
// Needs CORIO_GAME_APP (ctest sets it) and Debian's Chromium; the two-node half also Debian's
// redis-server and a corio-game built with Redis (ctest sets CORIO_GAME_CLUSTER=1 then).
// Screenshots go to CORIO_ARTIFACTS_DIR (default <repo>/build/artifacts): game-invite.png (the
// guest in the room), game-invite-guest-login.png (the sign-in page an invite opens) and
// game-invite-offline.png (the header while reconnecting).
// Every wait is on a condition of a page, bounded.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { launchBrowser } from "./lib/browser.mjs";
import {
  artifactsDir, CODE, openPage, PASSWORD, startNodes, storySteps, until, visible, WAIT_MS,
} from "./lib/game-app.mjs";
import { startProxy } from "./lib/tcp-proxy.mjs";

const SUITE_MS = 120_000;

/**
 * The story, once per topology: `start()` starts the nodes and resolves to {host, guest, stop()},
 * the host's node and the guest's (the same node, or two nodes of one game). With `screenshots`
 * it saves the pictures for docs/game.md.
 */
function inviteStory(label, start, { screenshots = false } = {}) {
  describe(`invite links and guests, ${label}`, { timeout: SUITE_MS }, () => {
    const suffix = randomBytes(3).toString("hex");
    const host = { name: `host_${suffix}` };
    const guest = { name: `gus_${suffix}` };
    const watcher = { name: `wat_${suffix}` };
    const problems = [];
    let nodes;
    let browser;
    let proxy; // in front of the guest's node: the watcher's page goes through it
    let roomCode;
    let moves = 0;
    const { step } = storySteps();

    /** A new page in a browser context of its own (its own cookies), at `url`. */
    const open = (person, url) => openPage(browser, person, url, { problems });

    /** Signs in as a guest called `person.name` from the sign-in page an invite opened. */
    async function playAsGuest(person) {
      const { page } = person;
      await visible(page.locator("#auth-view"));
      assert.equal(await page.locator("#tab-guest").getAttribute("aria-pressed"), "true");
      assert.equal(await page.locator("#auth-password").isVisible(), false);
      await page.locator("#auth-username").fill(person.name);
      await page.locator("#auth-submit").click();
    }

    /** `player` (of `color`) drops a disc in `column`; both players' pages must show it. */
    async function play(player, color, column, row) {
      await visible(player.page.locator("#your-turn"));
      await player.page.locator(`.column[data-column="${column}"]`).click();
      moves += 1;
      for (const p of [host.page, guest.page]) {
        await visible(p.locator(`#board[data-moves="${moves}"]`));
        await visible(p.locator(`.cell[data-row="${row}"][data-column="${column}"][data-disc="${color}"]`));
      }
    }

    before(async () => {
      nodes = await start();
      proxy = await startProxy(Number(new URL(nodes.guest.url).port));
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await proxy?.close();
      await nodes?.stop();
    });

    step("lets the host copy the room's invite link", async () => {
      const page = await open(host, `${nodes.host.url}/`);
      await host.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: nodes.host.url });
      await visible(page.locator("#auth-view"));
      // Without an invite the page offers the login first, as before.
      assert.equal(await page.locator("#tab-login").getAttribute("aria-pressed"), "true");
      await page.locator("#tab-register").click();
      await page.locator("#auth-username").fill(host.name);
      await page.locator("#auth-password").fill(PASSWORD);
      await page.locator("#auth-submit").click();
      await visible(page.locator("#lobby-view"));
      await page.locator("#create-room-button").click();
      await visible(page.locator("#room-code"), CODE);
      roomCode = (await page.locator("#room-code").textContent()).trim();
      // The address bar holds the room's link too.
      assert.equal(new URL(page.url()).hash, `#/r/${roomCode}`);
      await page.locator("#copy-invite-button").click();
      await visible(page.locator("#copy-invite-button"), "Link copied!");
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied, `${nodes.host.url}/#/r/${roomCode}`);
    });

    step("opens the room for a visitor who follows the link and plays as a guest", async () => {
      // On two nodes the visitor's page reaches the other node, as a load balancer may send it.
      const page = await open(guest, `${nodes.guest.url}/#/r/${roomCode}`);
      await visible(page.locator("#auth-invite"), `You are invited to room ${roomCode}`);
      if (screenshots) {
        await page.locator("#auth-username").fill(guest.name);
        await mkdir(artifactsDir, { recursive: true });
        await page.screenshot({ path: join(artifactsDir, "game-invite-guest-login.png"), animations: "disabled" });
      }
      await playAsGuest(guest);
      await visible(page.locator("#game-view"));
      await visible(page.locator("#room-code"), roomCode);
      await visible(page.locator("#user-name"), guest.name);
      await visible(page.locator("#guest-pill"), "Guest");
      await visible(page.locator("#upgrade-button"));
      for (const p of [host.page, guest.page]) {
        await visible(p.locator("#player-red-name"), host.name);
        await visible(p.locator("#player-yellow-name"), guest.name);
        await visible(p.locator("#status"), `${host.name} to play`);
      }
      assert.equal(await page.locator("#watching-pill").isVisible(), false);
      assert.equal(new URL(page.url()).hash, `#/r/${roomCode}`);
      if (screenshots) {
        await page.screenshot({ path: join(artifactsDir, "game-invite.png"), animations: "disabled" });
        console.log(`screenshots: ${join(artifactsDir, "game-invite.png")}, game-invite-guest-login.png`);
      }
    });

    step("lets a third visitor watch when the room is full", async () => {
      const page = await open(watcher, `${proxy.url}/#/r/${roomCode}`);
      await playAsGuest(watcher);
      await visible(page.locator("#game-view"));
      await visible(page.locator("#watching-pill"));
      await visible(page.locator("#room-code"), roomCode);
      for (const p of [host.page, guest.page]) await visible(p.locator("#spectators"), watcher.name);
    });

    step("says so when an invite's room does not exist or the link is broken", async () => {
      const lost = { name: `lost_${suffix}` };
      const unknown = roomCode === "ZZZZ" ? "YYYY" : "ZZZZ";
      const page = await open(lost, `${nodes.guest.url}/#/r/${unknown.toLowerCase()}`);
      await visible(page.locator("#auth-invite"), `You are invited to room ${unknown}`);
      await playAsGuest(lost);
      await visible(page.locator("#lobby-notice"), `Could not open the invite to room ${unknown}: There is no room ${unknown}.`);
      assert.equal(new URL(page.url()).hash, "");
      await page.evaluate(() => {
        location.hash = "#/r/not-a-code!";
      });
      await visible(page.locator("#lobby-notice"), "That invite link is broken");
      // Signed out, the sign-in page says it.
      const stranger = { name: `stranger_${suffix}` };
      const strangerPage = await open(stranger, `${nodes.host.url}/#/r/%E2%9C%93`);
      await visible(strangerPage.locator("#auth-invite"), "That invite link is broken");
      await stranger.context.close();
      await lost.context.close();
    });

    step("ranks the guest's result apart from the players'", async () => {
      // The host wins in the first column.
      for (let i = 0; i < 3; i++) {
        await play(host, "red", 0, i);
        await play(guest, "yellow", 1, i);
      }
      await play(host, "red", 0, 3);
      await visible(guest.page.locator("#status"), `${host.name} wins`);
      await guest.page.locator("#leave-button").click();
      const page = guest.page;
      await visible(page.locator("#lobby-view"));
      assert.equal(new URL(page.url()).hash, "");
      const guestRow = page.locator("#guest-leaderboard-body tr").filter({ has: page.locator("th", { hasText: guest.name }) });
      await visible(guestRow);
      assert.deepEqual(await guestRow.locator("td.num").allTextContents(), ["0", "1", "0"]);
      const hostRow = page.locator("#leaderboard-body tr").filter({ has: page.locator("th", { hasText: host.name }) });
      await visible(hostRow);
      assert.equal(await page.locator("#leaderboard-body th", { hasText: guest.name }).count(), 0);
    });

    step("upgrades the guest to a full account with a password, keeping the result", async () => {
      const { page } = guest;
      await page.locator("#upgrade-button").click();
      await visible(page.locator("#upgrade-dialog"));
      await page.locator("#upgrade-password").fill("password");
      await page.locator("#upgrade-submit").click();
      await visible(page.locator("#upgrade-error"), "common");
      await page.locator("#upgrade-password").fill(PASSWORD);
      await page.locator("#upgrade-submit").click();
      await visible(page.locator("#connection-banner"), "Account saved");
      assert.equal(await page.locator("#upgrade-dialog").isVisible(), false);
      assert.equal(await page.locator("#guest-pill").isVisible(), false);
      assert.equal(await page.locator("#upgrade-button").isVisible(), false);
      await page.locator("#leaderboard-refresh").click();
      const row = page.locator("#leaderboard-body tr").filter({ has: page.locator("th", { hasText: guest.name }) });
      await visible(row);
      assert.deepEqual(await row.locator("td.num").allTextContents(), ["0", "1", "0"]);
      await until("the guests' board to be empty", async () => !(await page.locator("#guest-leaderboard-part").isVisible()));

      // The name and password now log in, from a new browser on the host's node.
      const again = { name: `${guest.name} again` };
      const other = await open(again, `${nodes.host.url}/`);
      await visible(other.locator("#auth-view"));
      await other.locator("#auth-username").fill(guest.name);
      await other.locator("#auth-password").fill(PASSWORD);
      await other.locator("#auth-submit").click();
      await visible(other.locator("#lobby-view"));
      await visible(other.locator("#user-name"), guest.name);
      assert.equal(await other.locator("#guest-pill").isVisible(), false);
      await again.context.close();
    });

    step("shows 'Reconnecting…' instead of the online count while the connection is cut", async () => {
      const { page } = watcher;
      const pill = page.locator("#online-count");
      await visible(page.locator('#online-count[data-connection="online"]'));
      await visible(page.locator("#online-text"), /^\d+ online$/);
      proxy.refuse(true);
      proxy.cut();
      await visible(page.locator('#online-count[data-connection="reconnecting"]'));
      assert.equal((await page.locator("#online-text").textContent()).trim(), "Reconnecting…");
      assert.doesNotMatch(await pill.textContent(), /\d/);
      assert.equal((await page.locator("#lobby-online").textContent()).trim(), "Reconnecting…");
      await visible(page.locator("#connection-banner"));
      if (screenshots) {
        await page.screenshot({
          path: join(artifactsDir, "game-invite-offline.png"),
          clip: { x: 0, y: 0, width: 1280, height: 118 },
          animations: "disabled",
        });
      }
      proxy.refuse(false);
      // Socket.IO's reconnection backs off up to 5 s (plus jitter) between attempts.
      await page.locator('#online-count[data-connection="online"]').waitFor({ timeout: 2 * WAIT_MS });
      await visible(page.locator("#online-text"), /^\d+ online$/);
      await visible(page.locator("#room-code"), roomCode);
    });

    step("asks a guest before logging out, since a guest cannot log back in", async () => {
      const { page } = watcher;
      const dialog = page.locator("#guest-logout-dialog");
      await page.locator("#logout-button").click();
      await visible(dialog);
      await dialog.getByRole("button", { name: "Stay" }).click();
      await dialog.waitFor({ state: "hidden" });
      await visible(page.locator("#user-name"), watcher.name);
      await page.locator("#logout-button").click();
      await dialog.getByRole("button", { name: "Log out anyway" }).click();
      await visible(page.locator("#auth-view"));
      const me = await page.evaluate(async () => (await fetch("/api/me")).status);
      assert.equal(me, 401);
    });

    it("raised no script errors and no Content-Security-Policy violations", () => {
      assert.deepEqual(problems.flat(), []);
    });
  });
}

// The host's node and the guest's: one node, or the two nodes of one game (sharing one SQLite
// file, as nodes on one machine do: a guest made on one node is known to the other).
inviteStory(
  "on one node",
  async () => {
    const nodes = await startNodes({ prefix: "invite" });
    return { host: nodes.east, guest: nodes.east, stop: nodes.stop };
  },
  { screenshots: true },
);

if (process.env.CORIO_GAME_CLUSTER === "1") {
  inviteStory("on two nodes", async () => {
    const nodes = await startNodes({ prefix: "invite", twoNodes: true });
    return { host: nodes.east, guest: nodes.west, stop: nodes.stop };
  });
} else {
  describe("invite links and guests, on two nodes", () => {
    it("needs corio-game built with Redis (CORIO_GAME_CLUSTER=1)", (t) => t.skip("not built with Redis"));
  });
}
