// Connect/disconnect churn (issue 13, hostile clients): 50,000 cycles of a raw WebSocket
// client that opens an Engine.IO session, connects a Socket.IO socket to `/`, joins a room and
// leaves, ending one of three ways in turn: a DISCONNECT and a close frame, a bare TCP FIN, a
// TCP RST. Sessions, sockets, rooms and descriptors return to their baseline, and RSS grows
// less than 10 % after the first 10,000 cycles (warm).
//
// CORIO_HOSTILE_CYCLES overrides the count (e.g. for a quick run by hand). In a sanitizer build
// (hostile_app's `sanitizer`) the default is 5,000 cycles, within the test's time limit, and
// RSS is not checked (ASan's quarantine keeps freed memory on purpose).

import assert from "node:assert/strict";
import { after, before, it } from "node:test";

import { connect as tcpConnect } from "node:net";

import { closePayload, frame, parseFrame, resources, startHostileApp, stats, upgradeRequest, waitFor } from "./lib/hostile.mjs";

const PARALLEL = 32;
const ROOMS = 64;

let app;
let CYCLES;
let WARM;

before(async () => {
  app = await startHostileApp();
  CYCLES = Number(process.env.CORIO_HOSTILE_CYCLES ?? (app.sanitizer ? 5_000 : 50_000));
  WARM = Math.min(10_000, Math.floor(CYCLES / 5));
});

after(async () => {
  await app?.stop();
});

// Built once: the client's frames are the same every cycle.
const CONNECT = frame(1, "40");
const JOINS = Array.from({ length: ROOMS }, (_, r) => frame(1, `421["join","r${r}"]`));
const BYE = Buffer.concat([frame(1, "41"), frame(8, closePayload(1000))]);
const CYCLE_MS = 5_000;

/**
 * One cycle, as a small state machine on the connection's data (RawWs's promises per step
 * would cost more than the server's work): 101 and the open packet, `40` -> `40{…}`, the join
 * -> `431[true]`, then the cycle's ending. Resolves once the connection is over.
 */
function cycle(port, request, i) {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port, noDelay: true });
    const timer = setTimeout(() => fail(new Error(`cycle ${i}: stuck (${step})`)), CYCLE_MS);
    let buf = Buffer.alloc(0);
    let step = "upgrade";
    const fail = (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    socket.on("connect", () => socket.write(request));
    socket.on("error", (err) => (step === "ending" ? done() : fail(new Error(`cycle ${i} (${step}): ${err.message}`))));
    socket.on("close", () => (step === "ending" ? done() : fail(new Error(`cycle ${i}: closed during ${step}`))));
    socket.on("data", (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (step === "upgrade") {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        if (!buf.subarray(0, 12).equals(Buffer.from("HTTP/1.1 101"))) return fail(new Error(`cycle ${i}: no 101`));
        buf = buf.subarray(end + 4);
        step = "open";
      }
      for (let f = parseFrame(buf); f; f = parseFrame(buf)) {
        buf = buf.subarray(f.size);
        const text = f.opcode === 1 ? f.payload.toString() : "";
        if (step === "open" && text.startsWith("0{")) {
          step = "connect";
          socket.write(CONNECT);
        } else if (step === "connect" && text.startsWith("40{")) {
          step = "join";
          socket.write(JOINS[i % ROOMS]);
        } else if (step === "join" && text === "431[true]") {
          step = "ending";
          if (i % 3 === 0) socket.write(BYE); // the server answers the close frame and hangs up
          else if (i % 3 === 1) socket.end();
          else {
            socket.resetAndDestroy();
            return done();
          }
        }
      }
    });
  });
}

/** Runs cycles [from, to) on PARALLEL connections at a time. */
async function churn(from, to) {
  const request = upgradeRequest(app.port, "/socket.io/?EIO=4&transport=websocket");
  let next = from;
  const worker = async () => {
    while (next < to) await cycle(app.port, request, next++);
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

it("50,000 connect/disconnect cycles leave nothing behind", async () => {
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
  if (!app.sanitizer) assert.ok(end.rssKiB < warm.rssKiB * 1.1, `RSS grew from ${warm.rssKiB} to ${end.rssKiB} KiB`);

  const { disconnects } = (await stats(app.port)).socket_io;
  const total = Object.values(disconnects).reduce((a, b) => a + b, 0);
  assert.equal(total, CYCLES, JSON.stringify(disconnects));
  // The DISCONNECT packets, and the FINs and RSTs.
  assert.equal(disconnects["io client disconnect"], Math.ceil(CYCLES / 3), JSON.stringify(disconnects));
});
