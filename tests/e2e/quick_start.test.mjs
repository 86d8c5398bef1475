// The quick start (apps/examples/quick_start/main.cpp, the app README.md opens with) with the
// official socket.io-client: one player creates a room and gets its 4-character code, a second
// joins by that code, and both get `new_game`; then SIGTERM ends the program cleanly (exit code
// 0, every client told goodbye). One player on WebSocket, the other on long-polling, so that
// both transports are covered, the goodbye of a polling client included. Every wait is bounded.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { afterEach, describe, it } from "node:test";

import { startServer } from "./lib/server-process.mjs";
import { Events, ack, client, closeEverything, connected } from "./lib/sio.mjs";

const CONNECT_MS = 5_000;
const EVENT_MS = 5_000;
const EXIT_MS = 10_000;
const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)\/socket\.io\/$/;
// The quick start's alphabet: no 0/O, 1/I/L.
const ROOM_CODE = /^[A-HJKMNP-Z2-9]{4}$/;

let app;

afterEach(async () => {
  closeEverything();
  await app?.stop();
  app = undefined;
});

async function startQuickStart() {
  const path = process.env.CORIO_QUICK_START;
  if (!path) throw new Error("quick start unknown: set CORIO_QUICK_START=<path to quick_start> (ctest does)");
  if (!existsSync(path)) throw new Error(`quick start not found at ${path}: build it first`);
  app = await startServer({
    label: "quick_start",
    path,
    argv: ["--host", "127.0.0.1", "--port", "0", "--threads", "2"],
    ready: (line) => {
      const m = LISTENING.exec(line);
      return m ? Number(m[1]) : undefined;
    },
    readyLine: "listening on http://127.0.0.1:<port>/socket.io/",
  });
  return `http://127.0.0.1:${app.value}`;
}

/** Two players in one room: the creator on WebSocket, the joiner on long-polling. */
async function playersInARoom(url) {
  const creator = client(url, "/", { path: "/socket.io/", transports: ["websocket"] });
  const joiner = client(url, "/", { path: "/socket.io/", transports: ["polling"] });
  const creatorEvents = new Events(creator);
  const joinerEvents = new Events(joiner);
  await Promise.all([connected(creator, CONNECT_MS), connected(joiner, CONNECT_MS)]);

  const [code] = await ack(creator, EVENT_MS, "create_room");
  assert.match(code, ROOM_CODE);
  joiner.emit("join_room", code); // no ack: the handler returns nothing, new_game is the answer
  return { code, creator, joiner, creatorEvents, joinerEvents };
}

describe("the quick start with socket.io-client", () => {
  it("creates a room by code, joins it, and both players get new_game", async () => {
    const url = await startQuickStart();
    const { code, creatorEvents, joinerEvents } = await playersInARoom(url);
    assert.deepEqual(await creatorEvents.next("new_game", EVENT_MS), [code]);
    assert.deepEqual(await joinerEvents.next("new_game", EVENT_MS), [code]);

    // A second room is another code, and its new_game reaches only its own players.
    const other = await playersInARoom(url);
    assert.notEqual(other.code, code);
    assert.deepEqual(await other.joinerEvents.next("new_game", EVENT_MS), [other.code]);
    assert.deepEqual(creatorEvents.all("new_game"), [[code]]);
    assert.deepEqual(joinerEvents.all("new_game"), [[code]]);
  });

  it("ends on SIGTERM with exit code 0 once every client was told goodbye", async () => {
    const url = await startQuickStart();
    const { creator, joiner, creatorEvents, joinerEvents } = await playersInARoom(url);
    await creatorEvents.next("new_game", EVENT_MS);

    // The goodbye is a Socket.IO DISCONNECT, then the Engine.IO close. socket.io-client hands
    // the DISCONNECT to the socket a tick late, so when both arrive in one read (always on
    // polling, sometimes on WebSocket) the socket reports the close first: "transport close".
    // Either is the server's doing; "ping timeout" or "transport error" would not be.
    const goodbyes = ["io server disconnect", "transport close"];
    const ended = app.stop(); // SIGTERM, then SIGKILL only after a grace period
    const [creatorGone] = await creatorEvents.next("disconnect", EVENT_MS);
    const [joinerGone] = await joinerEvents.next("disconnect", EVENT_MS);
    assert.ok(goodbyes.includes(creatorGone), `the creator's disconnect reason: ${creatorGone}`);
    assert.ok(goodbyes.includes(joinerGone), `the joiner's disconnect reason: ${joinerGone}`);
    assert.equal(creator.connected, false);
    assert.equal(joiner.connected, false);

    let timer;
    const exit = await Promise.race([
      ended,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`quick_start still running ${EXIT_MS} ms after SIGTERM`)), EXIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.deepEqual(exit, { code: 0, signal: null }, `quick_start's output:\n${app.output()}`);
  });
});
