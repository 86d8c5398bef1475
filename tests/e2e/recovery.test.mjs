// Connection state recovery (the conformance app's --state-recovery MS, spec part E) with the
// official socket.io-client: a client whose TCP connection is cut misses room emits sent by
// another client meanwhile, connects again and gets each exactly once, in order, with
// `socket.recovered` and its old id; the same when a proxy between them cuts the connection; an
// expired or unknown session gets a new id. Without the option nothing changes: no pid, no
// offsets. With --redis it needs the streams adapter (cluster_recovery.test.mjs covers that).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "node:test";

import { appPath, startApp } from "./lib/app.mjs";
import { startProxy } from "./lib/tcp-proxy.mjs";
import { ack, client, closeEverything, closeSockets, connected, eventually, Events } from "./lib/sio.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const TEST_MS = 30_000;

/** A client on / over WebSocket only (so that its TCP connection is the one to cut). */
function wsClient(app, options = {}) {
  return client(app.url, "/", { transports: ["websocket"], ...options });
}

/** The admin namespace of the echo app: it lists the named rooms of /. */
async function admin(app) {
  return connected(client(app.url, "/admin", { auth: { token: "secret" } }), CONNECT_MS);
}

async function roomsOf(adminSocket) {
  return (await ack(adminSocket, ACK_MS, "rooms"))[0];
}

/**
 * Cuts `socket`'s TCP connection under the client (no close frame), or as `how` says: the server sees a
 * transport close, the client a "transport close" disconnect. Waits until the server has
 * removed the socket from `room`, its only member: its session is kept from then on.
 */
async function cut(socket, events, adminSocket, room, how = () => socket.io.engine.transport.ws._socket.destroy()) {
  const from = events.log.length;
  how();
  const [reason] = await events.next("disconnect", CONNECT_MS, from);
  assert.equal(reason, "transport close");
  await eventually(CONNECT_MS, `room ${room} gone on the server`, () => roomsOf(adminSocket), (rooms) =>
    !rooms.includes(room),
  );
}

/**
 * Clients a (its events logged from the start) and b, both connected; a has joined `room` and
 * received one `item` there from b, so that it has an offset to recover from (when the app
 * sends offsets). a connects to `aUrl` (a proxy in front of the app, say).
 */
async function pairInRoom(app, room, aUrl = app.url) {
  const a = client(aUrl, "/", { transports: ["websocket"] });
  const aEvents = new Events(a);
  const b = await connected(wsClient(app), CONNECT_MS);
  await connected(a, CONNECT_MS);
  assert.deepEqual(await ack(a, ACK_MS, "join", room), [true]);
  assert.deepEqual(await ack(b, ACK_MS, "to_room", room, "item", 0), [true]);
  assert.equal((await aEvents.next("item", ACK_MS))[0], 0);
  return { a, aEvents, b, id: a.id };
}

/** Connects `socket` again and waits for its `welcome`: it must come back as `id`, recovered. */
async function reconnectRecovered(socket, events, id, from) {
  socket.connect();
  await connected(socket, CONNECT_MS);
  assert.equal(socket.recovered, true);
  assert.equal(socket.id, id);
  await events.wait("welcome", ACK_MS, { from });
}

/** [event, first argument] of every event after log index `from`, offsets left out. */
function summary(events, from) {
  return events.log.slice(from).map((e) => [e.event, e.args[0]]);
}

describe("connection state recovery (--state-recovery 10000)", { timeout: 90_000 }, () => {
  let app;
  let adminSocket;
  before(async () => {
    app = await startApp({ args: ["--state-recovery", "10000"] });
    adminSocket = await admin(app);
  });
  after(async () => {
    closeEverything();
    await app?.stop();
  });

  it("restores the id, the rooms and every missed room emit, once and in order", { timeout: TEST_MS }, async () => {
    const { a, aEvents, b, id } = await pairInRoom(app, "news");
    assert.equal(a.recovered, false);
    // The event before the cut carries an offset: what the client recovers from.
    const [, offset] = aEvents.all("item")[0];
    assert.equal(typeof offset, "string");

    await cut(a, aEvents, adminSocket, "news");
    const from = aEvents.log.length;
    assert.deepEqual(await ack(b, ACK_MS, "to_room", "news", "item", 1), [true]);
    assert.deepEqual(await ack(b, ACK_MS, "to_room", id, "direct", 2), [true]);
    assert.deepEqual(await ack(b, ACK_MS, "to_room", "elsewhere", "item", 99), [true]);
    assert.deepEqual(await ack(b, ACK_MS, "to_room", "news", "item", 3), [true]);

    // The missed events come before `connect` (the client holds them until it connected);
    // the connect handler then runs again and sends `welcome`.
    await reconnectRecovered(a, aEvents, id, from);
    assert.deepEqual(summary(aEvents, from), [
      ["item", 1],
      ["direct", 2],
      ["item", 3],
      ["connect", undefined],
      ["welcome", { sid: id }],
    ]);
    for (const e of aEvents.log.slice(from, from + 3)) assert.equal(typeof e.args.at(-1), "string");
    const rooms = (await ack(a, ACK_MS, "rooms"))[0];
    assert.deepEqual(rooms.sort(), [id, "news"].sort());
    // After the recovery the room still reaches it, once.
    const next = aEvents.log.length;
    assert.deepEqual(await ack(b, ACK_MS, "to_room", "news", "item", 4), [true]);
    await aEvents.next("item", ACK_MS, next);
    assert.deepEqual(summary(aEvents, next), [["item", 4]]);
    closeSockets(a, b);
  });

  it("recovers again after a second cut", { timeout: TEST_MS }, async () => {
    const { a, aEvents, b, id } = await pairInRoom(app, "twice");
    // The second round recovers from the offset of the first round's missed event.
    for (let round = 0; round < 2; ++round) {
      await cut(a, aEvents, adminSocket, "twice");
      const from = aEvents.log.length;
      await ack(b, ACK_MS, "to_room", "twice", "missed", round);
      await reconnectRecovered(a, aEvents, id, from);
      assert.deepEqual(summary(aEvents, from).slice(0, 2), [
        ["missed", round],
        ["connect", undefined],
      ]);
    }
    closeSockets(a, b);
  });

  it("recovers when a proxy between them cuts the connection", { timeout: TEST_MS }, async () => {
    const proxy = await startProxy(new URL(app.url).port);
    try {
      const { a, aEvents, b, id } = await pairInRoom(app, "cut", proxy.url);

      await cut(a, aEvents, adminSocket, "cut", () => proxy.cut());
      const from = aEvents.log.length;
      assert.deepEqual(await ack(b, ACK_MS, "to_room", "cut", "item", 1), [true]);
      assert.deepEqual(await ack(b, ACK_MS, "to_room", "cut", "item", 2), [true]);

      await reconnectRecovered(a, aEvents, id, from); // through the proxy again
      assert.deepEqual(summary(aEvents, from), [
        ["item", 1],
        ["item", 2],
        ["connect", undefined],
        ["welcome", { sid: id }],
      ]);
      closeSockets(a, b);
    } finally {
      await proxy.close();
    }
  });

  it("gives an unknown session a new id", { timeout: TEST_MS }, async () => {
    // auth's own pid and offset win over the client's (it merges them in under auth).
    const s = await connected(wsClient(app, { auth: { pid: "no-such-session", offset: "0" } }), CONNECT_MS);
    assert.equal(s.recovered, false);
    assert.equal(typeof s.id, "string");
    closeSockets(s);
  });
});

describe("connection state recovery (--state-recovery 500): an expired session", { timeout: 60_000 }, () => {
  let app;
  let adminSocket;
  before(async () => {
    app = await startApp({ args: ["--state-recovery", "500"] });
    adminSocket = await admin(app);
  });
  after(async () => {
    closeEverything();
    await app?.stop();
  });

  it("gets a new id and no missed events", { timeout: TEST_MS }, async () => {
    const { a, aEvents, b, id } = await pairInRoom(app, "late");
    await cut(a, aEvents, adminSocket, "late");
    const from = aEvents.log.length;
    await ack(b, ACK_MS, "to_room", "late", "item", 1);
    // The session is kept 500 ms from the disconnect: past that it is gone, whatever the timing.
    await delay(800);
    a.connect();
    await connected(a, CONNECT_MS);
    assert.equal(a.recovered, false);
    assert.notEqual(a.id, id);
    await aEvents.wait("welcome", ACK_MS, { from });
    assert.deepEqual(summary(aEvents, from), [
      ["connect", undefined],
      ["welcome", { sid: a.id }],
    ]);
    assert.deepEqual((await ack(a, ACK_MS, "rooms"))[0], [a.id]);
    closeSockets(a, b);
  });
});

describe("without --state-recovery", { timeout: 60_000 }, () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(async () => {
    closeEverything();
    await app?.stop();
  });

  it("sends events without offsets and does not recover", { timeout: TEST_MS }, async () => {
    const { a, aEvents, b, id } = await pairInRoom(app, "plain");
    assert.deepEqual(aEvents.all("item"), [[0]]);
    const adminSocket = await admin(app);
    await cut(a, aEvents, adminSocket, "plain");
    a.connect();
    await connected(a, CONNECT_MS);
    // The client computes `recovered` as `pid && ...`: undefined without a pid.
    assert.ok(!a.recovered);
    assert.notEqual(a.id, id);
    closeSockets(a, b, adminSocket);
  });
});

describe("--state-recovery with --redis", () => {
  it("refuses another adapter than streams, the only one that keeps sessions", () => {
    const argv = ["--port", "0", "--redis", "redis://127.0.0.1:1", "--redis-adapter", "classic", "--state-recovery", "1000"];
    const run = spawnSync(appPath(), argv, { encoding: "utf8", timeout: 10_000 });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--state-recovery with --redis needs --redis-adapter streams/);
  });
});
