// Connect/disconnect churn (issue 13, hostile clients): 50,000 cycles of a raw WebSocket
// client that opens an Engine.IO session, connects a Socket.IO socket to `/`, joins a room and
// leaves, ending one of three ways in turn: a DISCONNECT and a close frame, a bare TCP FIN, a
// TCP RST. Sessions, sockets, rooms and descriptors return to their baseline, and RSS grows
// less than 10 % after the first 10,000 cycles (warm).
//
// CORIO_HOSTILE_CYCLES overrides the count (e.g. for a quick run by hand).

import assert from "node:assert/strict";
import { after, before, it } from "node:test";

import { RawWs, closePayload, frame, resources, startHostileApp, stats, waitFor } from "./lib/hostile.mjs";

const CYCLES = Number(process.env.CORIO_HOSTILE_CYCLES ?? 50_000);
const WARM = Math.min(10_000, Math.floor(CYCLES / 5));
const PARALLEL = 32;
const ROOMS = 64;

let app;

before(async () => {
  app = await startHostileApp();
});

after(async () => {
  await app?.stop();
});

const BYE = Buffer.concat([frame(1, "41"), frame(8, closePayload(1000))]);

async function cycle(i) {
  const ws = await RawWs.connect(app.port, { autoPong: false });
  await ws.sioConnect();
  ws.send(`421["join","r${i % ROOMS}"]`);
  await ws.nextText((t) => t === "431[true]", 5_000, "the join ack");
  switch (i % 3) {
    case 0:
      ws.raw(BYE);
      await ws.closed(5_000);
      break;
    case 1:
      ws.socket.end();
      await ws.closed(5_000);
      break;
    default:
      ws.reset();
  }
}

/** Runs cycles [from, to) on PARALLEL connections at a time. */
async function churn(from, to) {
  let next = from;
  const worker = async () => {
    while (next < to) await cycle(next++);
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

async function settled(baseFds) {
  return waitFor(
    "sessions, sockets, rooms and descriptors back to their baseline",
    10_000,
    async () => {
      const s = await stats(app.port);
      return { sessions: s.socket_io.sessions, sockets: s.socket_io.sockets, rooms: s.socket_io.rooms, fds: resources(app.pid).fds };
    },
    (v) => v.sessions === 0 && v.sockets === 0 && v.rooms === 0 && v.fds <= baseFds,
  );
}

it(`${CYCLES} connect/disconnect cycles leave nothing behind`, async () => {
  const baseFds = resources(app.pid).fds;
  const t0 = Date.now();
  await churn(0, WARM);
  await settled(baseFds);
  const warm = resources(app.pid);
  const t1 = Date.now();
  await churn(WARM, CYCLES);
  await settled(baseFds);
  const end = resources(app.pid);
  const t2 = Date.now();
  console.log(
    `${WARM} cycles in ${t1 - t0} ms, ${CYCLES - WARM} more in ${t2 - t1} ms; ` +
      `RSS ${warm.rssKiB} KiB warm, ${end.rssKiB} KiB at the end; fds ${baseFds}`,
  );
  assert.ok(end.rssKiB < warm.rssKiB * 1.1, `RSS grew from ${warm.rssKiB} to ${end.rssKiB} KiB`);

  const { disconnects } = (await stats(app.port)).socket_io;
  const total = Object.values(disconnects).reduce((a, b) => a + b, 0);
  assert.equal(total, CYCLES, JSON.stringify(disconnects));
  // The DISCONNECT packets, and the FINs and RSTs.
  assert.equal(disconnects["io client disconnect"], Math.ceil(CYCLES / 3), JSON.stringify(disconnects));
});
