// A client that stops reading while the server broadcasts to it (issue 13, hostile clients):
// the server keeps at most engine::options::max_queued_bytes (1 MiB in hostile_app) for it,
// then drops it with send_queue_full; its memory stays bounded, and a client that reads gets
// every broadcast, in order, the whole time. Once over WebSocket (a paused TCP reader), once
// over long-polling (a client that stops sending GETs); and a client that sends requests as
// fast as it can but reads none of the answers.
//
// The reader drives the broadcast in rounds (`flood` acks after emitting one round), so its own
// queue never holds more than one round (256 KiB) and only the non-reader's queue can grow.
// Rounds go on until the server dropped the non-reader (at most 64 MiB in all: far over the
// queue bound plus what the kernel buffers), then AFTER_DROP more.
//
// In a sanitizer build (hostile_app's `sanitizer`) the RSS bound is not checked: ASan's
// quarantine keeps freed memory on purpose.

import assert from "node:assert/strict";
import { after, before, it } from "node:test";

import { ack, client, closeEverything, connected } from "./lib/sio.mjs";
import { RawWs, frame, http, resources, startHostileApp, stats, waitFor } from "./lib/hostile.mjs";

const MAX_QUEUED = 1024 * 1024;
const ROUND = 8; // messages per round
const SIZE = 32 * 1024; // bytes of text per message
const MAX_ROUNDS = 256;
const AFTER_DROP = 32;
const WARM_ROUNDS = 16;
const RSS_BOUND_KIB = 16 * 1024;

let app;
let reader; // the client that reads, in room "feed" for both tests
const ticks = [];

before(async () => {
  app = await startHostileApp(["--max-queued-bytes", String(MAX_QUEUED)]);
  const url = `http://127.0.0.1:${app.port}`;
  reader = await connected(client(url, "/", { path: "/socket.io/", transports: ["websocket"] }), 5_000);
  reader.on("tick", (i, payload) => ticks.push({ i, size: payload.length }));
  assert.equal((await ack(reader, 5_000, "join", "feed"))[0], true);
});

after(async () => {
  closeEverything();
  await app?.stop();
});

/** One broadcast round to "feed", driven by the reader: resolves once the reader has it all. */
async function round() {
  const expected = ticks.length + ROUND;
  assert.equal((await ack(reader, 10_000, "flood", "feed", ROUND, SIZE))[0], true);
  await waitFor(`${expected} ticks at the reader`, 10_000, () => ticks.length, (n) => n >= expected, 5);
}

/**
 * Floods until the server dropped the stalled client (`send queue full` counted once more),
 * then AFTER_DROP rounds more; checks who was dropped, that the reader got every tick in
 * order, and the RSS bound. `warm` is the RSS (KiB) before the stalled client stopped reading.
 */
async function floodUntilDropped(warm) {
  const before = (await stats(app.port)).socket_io;
  const firstTick = ticks.length;
  const dropped = (s) => (s.socket_io.disconnects["send queue full"] ?? 0) > (before.disconnects["send queue full"] ?? 0);
  let peak = warm;
  let droppedAt = null;
  let rounds = 0;
  for (; rounds < MAX_ROUNDS && (droppedAt === null || rounds < droppedAt + AFTER_DROP); ++rounds) {
    await round();
    peak = Math.max(peak, resources(app.pid).rssKiB);
    if (droppedAt === null && rounds % 4 === 3 && dropped(await stats(app.port))) droppedAt = rounds;
  }
  const sent = `${(rounds * ROUND * SIZE) >> 20} MiB`;
  assert.notEqual(droppedAt, null, `not dropped after ${sent}`);

  const s = (await stats(app.port)).socket_io;
  const delta = (now, was) => Object.fromEntries(Object.entries(now).filter(([k, n]) => n !== (was[k] ?? 0)).map(([k, n]) => [k, n - (was[k] ?? 0)]));
  assert.deepEqual(delta(s.disconnects, before.disconnects), { "send queue full": 1 }, "only the stalled client was dropped");
  assert.deepEqual(delta(s.logged, before.logged), { "send queue full": 1 }, "the server's disconnect record says why");
  assert.equal(s.sockets, 1, "the reader is still connected");

  // The reader got every tick of every round, in order, whole.
  assert.equal(ticks.length - firstTick, rounds * ROUND);
  for (let k = firstTick; k < ticks.length; ++k) {
    assert.equal(ticks[k].i, (k - firstTick) % ROUND);
    assert.equal(ticks[k].size, SIZE);
  }
  assert.ok(reader.connected);

  const growth = peak - warm;
  if (!app.sanitizer) assert.ok(growth < RSS_BOUND_KIB, `RSS grew ${growth} KiB while ${sent} were broadcast`);
  console.log(`dropped by round ${droppedAt} of ${rounds} (${sent}); RSS warm ${warm} KiB, peak +${growth} KiB`);
}

it("drops a WebSocket client that never reads with send_queue_full, memory bounded, the reader unaffected", async () => {
  const stalled = await RawWs.connect(app.port);
  await stalled.sioConnect();
  stalled.send('421["join","feed"]');
  await stalled.nextText((t) => t === "431[true]", 5_000, "the join ack");

  // Warm: both read, so allocator pools and buffers reach their working size first.
  for (let r = 0; r < WARM_ROUNDS; ++r) await round();
  await waitFor("the stalled client to have read the warm-up", 10_000, () => stalled.messages.length, (n) => n >= WARM_ROUNDS * ROUND);
  stalled.messages.length = 0;

  stalled.socket.pause(); // reads nothing more: the kernel buffers fill, then the server's queue
  await floodUntilDropped(resources(app.pid).rssKiB);

  // The server cut the stalled connection: once it reads again it finds the end.
  stalled.socket.resume();
  const end = await stalled.closed(10_000, "the stalled connection to end");
  assert.notEqual(end.ended, null);
});

it("drops a long-polling client that stops polling with send_queue_full, memory bounded, the reader unaffected", async () => {
  const hs = await http(app.port, "GET", "/socket.io/?EIO=4&transport=polling");
  const q = `/socket.io/?EIO=4&transport=polling&sid=${JSON.parse(hs.body.slice(1)).sid}`;
  assert.equal((await http(app.port, "POST", q, '40\x1e421["join","feed"]')).body, "ok");
  let got = "";
  while (!got.includes("431[true]")) got += (await http(app.port, "GET", q)).body;

  for (let r = 0; r < 4; ++r) {
    await round();
    await http(app.port, "GET", q); // it still polls during the warm-up
  }
  await floodUntilDropped(resources(app.pid).rssKiB); // no GET from now on

  // The session is gone: its next GET collects the close, or finds no session.
  const res = await http(app.port, "GET", q);
  assert.ok(res.status === 400 || res.body.endsWith("1"), `${res.status} ${res.body.slice(0, 40)}`);
});

it("drops a client that sends requests but never reads the answers, memory bounded", async () => {
  const before = (await stats(app.port)).socket_io;
  const warm = resources(app.pid).rssKiB;
  const greedy = await RawWs.connect(app.port, { autoPong: false });
  await greedy.sioConnect();
  greedy.socket.pause();
  // 2000 echoes of 10 kB (20 MB of answers), sent as fast as the server takes them.
  const request = frame(1, `421["echo","${"e".repeat(10_000)}"]`);
  let peak = warm;
  for (let i = 0; i < 2000 && greedy.ended === null && !greedy.socket.destroyed; ++i) {
    if (!greedy.socket.write(request)) await new Promise((resolve) => greedy.socket.once("drain", resolve).once("close", resolve));
    if (i % 100 === 0) peak = Math.max(peak, resources(app.pid).rssKiB);
  }
  const s = await waitFor(
    "the greedy client's disconnect",
    10_000,
    () => stats(app.port),
    (v) => (v.socket_io.disconnects["send queue full"] ?? 0) > (before.disconnects["send queue full"] ?? 0),
  );
  peak = Math.max(peak, resources(app.pid).rssKiB);
  assert.equal(s.socket_io.sockets, 1, "the reader is still connected");
  assert.deepEqual(await ack(reader, 5_000, "echo", "still"), ["still"]);
  if (!app.sanitizer) assert.ok(peak - warm < RSS_BOUND_KIB, `RSS grew ${peak - warm} KiB`);
  console.log(`greedy client dropped; RSS warm ${warm} KiB, peak +${peak - warm} KiB`);
  greedy.reset();
});
