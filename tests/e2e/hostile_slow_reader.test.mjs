// A client that stops reading while the server broadcasts to it (issue 13, hostile clients):
// the server keeps at most engine::options::max_queued_bytes (1 MiB in hostile_app) for it,
// then drops it with send_queue_full; its memory stays bounded, and a client that reads gets
// every broadcast, in order, the whole time.
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
import { RawWs, resources, startHostileApp, stats, waitFor } from "./lib/hostile.mjs";

const MAX_QUEUED = 1024 * 1024;
const ROUND = 8; // messages per round
const SIZE = 32 * 1024; // bytes of text per message
const MAX_ROUNDS = 256;
const AFTER_DROP = 32;
const WARM_ROUNDS = 16;
const RSS_BOUND_KIB = 16 * 1024;

let app;

before(async () => {
  app = await startHostileApp(["--max-queued-bytes", String(MAX_QUEUED)]);
});

after(async () => {
  closeEverything();
  await app?.stop();
});

it("drops a client that never reads with send_queue_full, memory bounded, the reader unaffected", async () => {
  const url = `http://127.0.0.1:${app.port}`;
  const reader = await connected(client(url, "/", { path: "/socket.io/", transports: ["websocket"] }), 5_000);
  const ticks = [];
  reader.on("tick", (i, payload) => ticks.push({ i, size: payload.length }));
  assert.equal((await ack(reader, 5_000, "join", "feed"))[0], true);

  const stalled = await RawWs.connect(app.port);
  await stalled.sioConnect();
  stalled.send('421["join","feed"]');
  await stalled.nextText((t) => t === "431[true]", 5_000, "the join ack");

  let expected = 0;
  const round = async () => {
    assert.equal((await ack(reader, 10_000, "flood", "feed", ROUND, SIZE))[0], true);
    expected += ROUND;
    await waitFor(`${expected} ticks at the reader`, 10_000, () => ticks.length, (n) => n >= expected, 5);
  };

  // Warm: both read, so allocator pools and buffers reach their working size first.
  for (let r = 0; r < WARM_ROUNDS; ++r) await round();
  await waitFor("the stalled client to have read the warm-up", 10_000, () => stalled.messages.length, (n) => n >= expected);
  stalled.messages.length = 0;
  const warm = resources(app.pid);

  stalled.socket.pause(); // reads nothing more: the kernel buffers fill, then the server's queue
  let peak = warm.rssKiB;
  let droppedAt = null;
  let rounds = 0;
  for (; rounds < MAX_ROUNDS && (droppedAt === null || rounds < droppedAt + AFTER_DROP); ++rounds) {
    await round();
    peak = Math.max(peak, resources(app.pid).rssKiB);
    if (droppedAt === null && rounds % 4 === 3) {
      const s = await stats(app.port);
      if (s.socket_io.disconnects["send queue full"]) droppedAt = rounds;
    }
  }
  assert.notEqual(droppedAt, null, `not dropped after ${(rounds * ROUND * SIZE) >> 20} MiB`);

  const s = await stats(app.port);
  assert.deepEqual(s.socket_io.disconnects, { "send queue full": 1 }, "only the stalled client was dropped");
  assert.deepEqual(s.socket_io.logged, { "send queue full": 1 }, "the server's disconnect record says why");
  assert.equal(s.socket_io.sockets, 1, "the reader is still connected");

  // The reader got every tick of every round, in order, whole.
  assert.equal(ticks.length, expected);
  for (let k = 0; k < ticks.length; ++k) {
    assert.equal(ticks[k].i, k % ROUND);
    assert.equal(ticks[k].size, SIZE);
  }
  assert.ok(reader.connected);

  const growth = peak - warm.rssKiB;
  const sent = `${(rounds * ROUND * SIZE) >> 20} MiB`;
  if (!app.sanitizer) assert.ok(growth < RSS_BOUND_KIB, `RSS grew ${growth} KiB while ${sent} were broadcast`);

  // The server cut the stalled connection: once it reads again it finds the end.
  stalled.socket.resume();
  const end = await stalled.closed(10_000, "the stalled connection to end");
  assert.notEqual(end.ended, null);
  console.log(`dropped by round ${droppedAt} of ${rounds} (${sent}); RSS warm ${warm.rssKiB} KiB, peak +${growth} KiB`);
});
