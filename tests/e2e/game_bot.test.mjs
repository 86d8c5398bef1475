// Playing the computer (issue 17), in Chromium and with socket.io-client, on one node and on two
// nodes (corio-game --redis, a redis-server on a free loopback port, one SQLite file):
// - a person picks a level in the lobby, plays a whole game against the computer to its end and
//   sees their own result in the banner; on two nodes the page moves to the other node mid-game
//   and that node's computer answers from there;
// - sound is off by default, its toggle is remembered across a reload, and with it on the page
//   plays a tone per move and the tune of the result (counted through WebAudio's oscillators);
// - while the computer thinks at its strongest level, the move acks of another room keep their
//   usual latency (measured in the same test, before the computer starts): its search runs off
//   the io threads.
// Every wait is on a condition or an event, bounded; nothing sleeps.
//
// Needs CORIO_GAME_APP (ctest sets it), Debian's Chromium and, for two nodes, redis-server and a
// corio-game built with Redis. Screenshots go to CORIO_ARTIFACTS_DIR (game-bot*.png).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { io } from "socket.io-client";

import { launchBrowser } from "./lib/browser.mjs";
import {
  artifactsDir, openPage, PASSWORD, redisMissing, signUp, startNodes, storySteps, visible, WAIT_MS,
} from "./lib/game-app.mjs";
import { within } from "./lib/wait.mjs";

const GAME_MS = 120_000; // a whole game against the computer, move by move
const SUITE_MS = 240_000;
// A whole game in which nobody connects four (found by search, checked by the server's rules as
// it is played): the second room's moves, so that its game lasts for every sample.
const DRAWN_GAME = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6];
const BASELINE_MOVES = 12;
// The tunes of sound.js, by their last note (Hz): what the banner says must be what was heard.
const TUNE_END = { win: 1046.5, lose: 261.63, draw: 440 };

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Registers `name` through the HTTP API; returns the session cookie ("corio_session=..."). */
async function register(url, name) {
  const res = await fetch(`${url}/api/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ username: name, password: PASSWORD }),
  });
  assert.equal(res.status, 201, await res.text());
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("corio_session="));
  assert.ok(cookie, "no session cookie");
  return cookie.split(";")[0];
}

/** A socket.io-client of `name` on `url`, connected, with every `room` state it got. */
async function player(url, name) {
  const cookie = await register(url, name);
  const socket = io(url, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false, forceNew: true });
  socket.rooms = [];
  socket.on("room", (room) => socket.rooms.push(room));
  await within(WAIT_MS, `${name} to connect`, new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  }));
  return socket;
}

/** Resolves with the first `room` state of `socket` (already received or to come) that `wanted` accepts. */
function roomWhere(socket, wanted) {
  const found = socket.rooms.find(wanted);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => {
    const listener = (room) => {
      if (!wanted(room)) return;
      socket.off("room", listener);
      resolve(room);
    };
    socket.on("room", listener);
  });
}

async function ack(socket, event, ...args) {
  const reply = await socket.timeout(WAIT_MS).emitWithAck(event, ...args);
  assert.ok(reply && reply.ok, `${event}(${args.join(", ")}): ${JSON.stringify(reply)}`);
  return reply;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

// Counts what the page plays: every oscillator started, with its frequency. Runs before the
// page's scripts, in each page of the context.
function countTones() {
  window.__tones = [];
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    window.__tones.push(this.frequency.value);
    return start.apply(this, args);
  };
}

// As game.test.mjs checks app.js and index.html: the page's other scripts put no text in as HTML.
describe("the banner's and the sound's scripts", () => {
  it("use no HTML-parsing DOM sink", async () => {
    const sinks = /\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\s*\(|new Function\s*\(|\bsrcdoc\b|createContextualFragment/;
    for (const file of ["outcome.js", "sound.js"]) {
      const source = await readFile(join(repoRoot, "apps", "game", "web", file), "utf8");
      assert.deepEqual(source.split("\n").filter((line) => sinks.test(line)), [], `${file} uses an HTML sink`);
    }
  });
});

for (const cluster of [false, true]) {
  const where = cluster ? "two nodes" : "one node";

  describe(`the computer, on ${where}`, { timeout: SUITE_MS }, () => {
    const suffix = randomBytes(3).toString("hex");
    let game;
    let nodes = [];
    let browser;
    const problems = [];
    const { step, skipAll } = storySteps();

    before(async () => {
      try {
        // One io thread: a search that ran on it would hold up every other socket of the node,
        // which the latency step would see (with more io threads, the others would hide it).
        game = await startNodes({ prefix: "bot", twoNodes: cluster, args: ["--threads", "1"] });
      } catch (err) {
        if (!redisMissing(err)) throw err;
        skipAll(err.message);
        return;
      }
      nodes = game.list;
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await game?.stop();
    });

    const dana = { name: `dana_${suffix}` };

    step("lets a player choose a level and start a game against the computer", async () => {
      const page = await openPage(browser, dana, `${nodes[0].url}/`, {
        problems,
        onPage: (p) => p.addInitScript(countTones),
      });
      await signUp(page, dana.name);

      await page.getByLabel("Medium").check();
      if (!cluster) {
        await mkdir(artifactsDir, { recursive: true });
        await page.locator(".play-card").screenshot({ path: join(artifactsDir, "game-bot-lobby.png"), animations: "disabled" });
      }
      await page.locator("#computer-button").click();
      await visible(page.locator("#game-view"));
      await visible(page.locator("#player-red-name"), dana.name);
      await visible(page.locator("#player-yellow-name"), "Computer (medium)");
      await visible(page.locator("#your-turn"));
    });

    step("keeps sound off by default, and remembers the toggle across a reload", async () => {
      const { page } = dana;
      const toggle = page.locator("#sound-toggle");
      assert.equal(await toggle.getAttribute("aria-pressed"), "false");
      await page.locator('.column[data-column="3"]').click();
      await visible(page.locator('#board[data-moves="2"]'));
      assert.deepEqual(await page.evaluate(() => window.__tones), [], "no sound while it is off");

      await toggle.click();
      assert.equal(await toggle.getAttribute("aria-pressed"), "true");
      await visible(toggle, "Sound on");
      await page.reload();
      await visible(page.locator('#board[data-moves="2"]'));
      assert.equal(await page.locator("#sound-toggle").getAttribute("aria-pressed"), "true");
    });

    step(`plays a whole game against the computer to its end${cluster ? ", moving to the other node mid-game" : ""}`, async () => {
      const { page } = dana;
      const deadline = Date.now() + GAME_MS;
      let moved = false;
      for (;;) {
        const board = page.locator("#board");
        await page.locator('#board[data-status="over"], #your-turn:visible').first().waitFor({ state: "visible" });
        if ((await board.getAttribute("data-status")) === "over") break;
        assert.ok(Date.now() < deadline, "the game did not end in time");
        if (cluster && !moved && Number(await board.getAttribute("data-moves")) >= 4) {
          // A load balancer may send the next connection anywhere: the game goes on from the
          // west node, whose computer answers the moves it commits.
          moved = true;
          await page.goto(`${nodes[1].url}/`);
          await visible(page.locator("#game-view"));
          // The test's nodes are two origins (two ports), each with its own localStorage; behind
          // one load balancer they would be one.
          if ((await page.locator("#sound-toggle").getAttribute("aria-pressed")) === "false") {
            await page.locator("#sound-toggle").click();
          }
          continue;
        }
        const moves = Number(await board.getAttribute("data-moves"));
        // The first column from the middle out that has room.
        let column = -1;
        for (const c of [3, 2, 4, 1, 5, 0, 6]) {
          if ((await page.locator(`.cell[data-row="5"][data-column="${c}"]`).getAttribute("data-disc")) === "") {
            column = c;
            break;
          }
        }
        assert.ok(column >= 0, "no free column while the game goes on");
        const tones = (await page.evaluate(() => window.__tones.length));
        await page.locator(`.column[data-column="${column}"]`).click();
        await page.locator(`#board[data-moves="${moves + 2}"], #board[data-status="over"]`).waitFor({ state: "visible" });
        assert.ok((await page.evaluate(() => window.__tones.length)) > tones, "a tone for the move");
      }
      assert.ok(!cluster || moved, "the page moved to the other node");

      // The banner says this player's result, as the status line does, and it was heard.
      const banner = page.locator("#result-banner");
      await visible(banner);
      const outcome = await banner.getAttribute("data-outcome");
      const status = await page.locator("#status").textContent();
      const title = await page.locator("#result-title").textContent();
      if (outcome === "win") {
        assert.equal(title, "You win!");
        assert.match(status, new RegExp(`${dana.name} wins`));
      } else if (outcome === "lose") {
        assert.equal(title, "You lose");
        assert.match(status, /Computer \(medium\) wins/);
      } else {
        assert.equal(outcome, "draw");
        assert.equal(title, "Draw");
      }
      const tones = await page.evaluate(() => window.__tones);
      assert.ok(Math.abs(tones.at(-1) - TUNE_END[outcome]) < 0.01, `the ${outcome} tune: ${tones.slice(-5)}`);

      await mkdir(artifactsDir, { recursive: true });
      const shot = join(artifactsDir, cluster ? "game-bot-cluster.png" : "game-bot.png");
      await page.screenshot({ path: shot, fullPage: true, animations: "disabled" });
      console.log(`screenshot of the end of a game against the computer: ${shot}`);
    });

    step("offers a rematch from the computer, and closes the banner on request", async () => {
      const { page } = dana;
      // The computer always asks for another game.
      await visible(page.locator("#rematch-button"), "Accept rematch");
      await visible(page.locator("#result-rematch"), "Accept rematch");
      await page.locator("#result-close").click();
      await page.locator("#result-banner").waitFor({ state: "hidden" });
      await page.locator("#rematch-button").click();
      // Colours swap: the computer is red now, and moves first.
      await visible(page.locator("#player-red-name"), "Computer (medium)");
      await visible(page.locator('#board[data-moves="1"]'));
      await visible(page.locator("#your-turn"));
      assert.equal(await page.locator("#result-banner").isVisible(), false);
      await page.locator("#leave-button").click();
      await page.locator("#leave-dialog").getByRole("button", { name: "Resign and leave" }).click();
      await visible(page.locator("#lobby-view"));
      // The computer left too: its room is gone from the list.
      await page.waitForFunction(() => ![...document.querySelectorAll(".room-item")].some((li) => /Computer/.test(li.textContent || "")));
    });

    step("keeps another room's move acks at their usual latency while the computer thinks its hardest", async () => {
      // Two people in one room (each on a node of their own when there are two), and a third
      // person against the hard computer; socket.io-client, no browser: only latency counts.
      const far = nodes[nodes.length - 1].url;
      const a = await player(nodes[0].url, `ann_${suffix}`);
      const b = await player(far, `ben_${suffix}`);
      const c = await player(nodes[0].url, `cy_${suffix}`);
      try {
        const { code } = await ack(a, "create_room");
        await ack(b, "join_room", code);
        let next = 0;
        /** The next move of the drawn game, by whoever's turn it is; resolves with its ack latency (ms). */
        const timedMove = async () => {
          const mover = next % 2 === 0 ? a : b;
          const column = DRAWN_GAME[next];
          next += 1;
          const started = performance.now();
          await ack(mover, "move", column);
          return performance.now() - started;
        };
        const baseline = [];
        for (let i = 0; i < BASELINE_MOVES; i++) baseline.push(await timedMove());

        await ack(c, "play_computer", "hard");
        await within(WAIT_MS, "the game against the computer to start", roomWhere(c, (r) => r.status === "playing"));
        let answered = false;
        const answer = roomWhere(c, (r) => r.moves === 2).then(() => {
          answered = true;
        });
        const asked = performance.now();
        await ack(c, "move", 3);
        const during = [];
        while (!answered && next < DRAWN_GAME.length) {
          const latency = await timedMove();
          if (!answered) during.push(latency);
        }
        await within(WAIT_MS, "the computer's answer", answer);
        const thought = performance.now() - asked;

        const bound = median(baseline) * 3 + 50;
        const ms = (value) => (value === undefined ? "-" : `${value.toFixed(1)} ms`);
        const report = `baseline median ${ms(median(baseline))}, while thinking (${ms(thought)}): ` +
          `median ${ms(median(during))}, p90 ${ms(percentile(during, 90))} over ${during.length} moves`;
        console.log(report);
        assert.ok(during.length >= 5, `too few moves while the computer thought: ${report}`);
        assert.ok(median(during) <= bound, report);
        assert.ok(percentile(during, 90) <= percentile(baseline, 90) * 3 + 100, report);
      } finally {
        for (const s of [a, b, c]) s.disconnect();
      }
    });

    step("raised no script errors and no Content-Security-Policy violations", () => {
      assert.deepEqual(problems.flat(), []);
    });
  });
}
