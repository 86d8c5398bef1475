// Abrupt resets (issue 13, hostile clients): connections cut with a TCP RST
// (socket.resetAndDestroy) in the middle of a WebSocket frame, of a WebSocket upgrade (its
// request, its 101, its probe), of a POST body and of a long-poll. Once things settle, no
// session, socket, room or descriptor is left, and memory does not creep from round to round.
//
// Polling sessions outlive their TCP connections by design: the ones abandoned here end at
// their ping timeout, which hostile_app gets short (300 + 300 ms) for this test. In a sanitizer
// build RSS is not checked (ASan's quarantine keeps freed memory on purpose).

import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import { after, before, it } from "node:test";

import { RawWs, frame, http, resources, startHostileApp, stats, waitFor } from "./lib/hostile.mjs";

const PER_KIND = 40; // connections per kind of reset and round
const ROUNDS = 5; // the first two warm up
const BATCH = 20;

let app;

before(async () => {
  app = await startHostileApp(["--ping-interval", "300", "--ping-timeout", "300"]);
});

after(async () => {
  await app?.stop();
});

const sio = (sid) => `/socket.io/?EIO=4&transport=polling&sid=${sid}`;

/** A TCP connection that sends `bytes`, waits until they are on their way, and resets. */
function sendAndReset(bytes) {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port: app.port }, () => {
      socket.write(bytes, () => {
        socket.resetAndDestroy();
        resolve();
      });
    });
    socket.on("error", reject);
  });
}

/** A Socket.IO session over polling, connected to `/` and in a room: its sid. */
async function pollingSocket(room) {
  const hs = await http(app.port, "GET", "/socket.io/?EIO=4&transport=polling");
  const sid = JSON.parse(hs.body.slice(1)).sid;
  assert.equal((await http(app.port, "POST", sio(sid), `40\x1e421["join","${room}"]`)).body, "ok");
  // The CONNECT answer and the join ack, in one or two GETs.
  let got = "";
  while (!got.includes("431[true]")) got += (await http(app.port, "GET", sio(sid))).body;
  return sid;
}

// The WebSocket clients that connect to `/` and join a room answer pings until they are cut:
// on a loaded machine that setup may outlast the short ping timeout, which would end the
// session before the reset this test is about.
const KINDS = {
  // A WebSocket client connected to `/`, in a room, cut inside a frame: its header announces
  // 1000 bytes, 10 came.
  async "mid WebSocket frame"(i) {
    const ws = await RawWs.connect(app.port);
    await ws.sioConnect();
    ws.send(`421["join","r${i % 8}"]`);
    await ws.nextText((t) => t === "431[true]");
    const f = frame(1, `42["echo","${"y".repeat(990)}"]`);
    await new Promise((resolve) => ws.socket.write(f.subarray(0, 20), resolve));
    ws.reset();
  },
  // The same at the raw Engine.IO endpoint, cut inside the frame's header.
  async "mid WebSocket frame header (raw Engine.IO)"() {
    const ws = await RawWs.connect(app.port, { path: "/engine.io/", autoPong: false });
    await ws.opened();
    await ws.nextText((t) => t.startsWith("0{"));
    await new Promise((resolve) => ws.socket.write(frame(1, "4".repeat(70_000)).subarray(0, 3), resolve));
    ws.reset();
  },
  // Cut with half of a binary event's attachments in: the pending attachment is let go.
  async "mid attachments"(i) {
    const ws = await RawWs.connect(app.port);
    await ws.sioConnect();
    ws.send(`421["join","a${i % 8}"]`);
    await ws.nextText((t) => t === "431[true]");
    const header = frame(1, '452-["echo",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    await new Promise((resolve) => ws.socket.write(Buffer.concat([header, frame(2, Buffer.alloc(16_000, 7))]), resolve));
    ws.reset();
  },
  // Cut while the server writes big answers the client never reads.
  async "mid server write"(i) {
    const ws = await RawWs.connect(app.port);
    await ws.sioConnect();
    ws.send(`421["join","w${i % 8}"]`);
    await ws.nextText((t) => t === "431[true]");
    ws.socket.pause();
    const big = frame(1, `42["echo","${"b".repeat(16_000)}"]`);
    await new Promise((resolve) => ws.socket.write(Buffer.concat(Array(16).fill(big)), resolve));
    ws.reset();
  },
  // Cut right after its close frame, in the middle of the close handshake.
  async "mid close handshake"() {
    const ws = await RawWs.connect(app.port);
    await ws.sioConnect();
    await new Promise((resolve) => ws.socket.write(frame(8, Buffer.from([0x03, 0xe8])), resolve));
    ws.reset();
  },
  // Cut inside the upgrade request's header block.
  async "mid upgrade request"() {
    await sendAndReset("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs");
  },
  // The whole upgrade request, cut before the 101 can be read.
  async "before the 101"() {
    await sendAndReset(
      "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
  },
  // A polling session's upgrade, cut after the probe's answer, before `5`; the session then
  // goes on polling, and ends at its ping timeout as nobody polls.
  async "mid upgrade probe"(i) {
    const sid = await pollingSocket(`p${i % 8}`);
    const ws = await RawWs.connect(app.port, { query: `EIO=4&transport=websocket&sid=${sid}`, autoPong: false });
    await ws.opened();
    ws.send("2probe");
    assert.equal(await ws.nextText(() => true), "3probe");
    ws.reset();
  },
  // A POST announcing 1000 bytes, cut after 100.
  async "mid POST"(i) {
    const sid = await pollingSocket(`q${i % 8}`);
    await sendAndReset(
      `POST ${sio(sid)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n` +
        `42["echo","${"z".repeat(88)}`,
    );
  },
  // A long-poll GET waiting for data, cut.
  async "mid long-poll"(i) {
    const sid = await pollingSocket(`g${i % 8}`);
    await sendAndReset(`GET ${sio(sid)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  },
};

// The kinds above that connect a Socket.IO socket to `/` (all but the raw Engine.IO one and
// the three cut before the 101).
const SIO_KINDS = Object.keys(KINDS).length - 3;

async function settled(baseFds) {
  return waitFor(
    "no session, socket, room or extra descriptor left",
    10_000,
    async () => {
      const s = await stats(app.port);
      return {
        engine: s.engine_io.sessions,
        sessions: s.socket_io.sessions,
        sockets: s.socket_io.sockets,
        rooms: s.socket_io.rooms,
        fds: resources(app.pid).fds,
      };
    },
    (v) => v.engine === 0 && v.sessions === 0 && v.sockets === 0 && v.rooms === 0 && v.fds <= baseFds,
  );
}

it("leaves no session, descriptor or memory behind after resets mid-frame, mid-upgrade and mid-POST", async () => {
  const baseFds = resources(app.pid).fds;
  let warmRss = 0;
  let made = 0;
  for (let round = 0; round < ROUNDS; ++round) {
    for (const [kind, attack] of Object.entries(KINDS)) {
      for (let i = 0; i < PER_KIND; i += BATCH) {
        await Promise.all(
          Array.from({ length: Math.min(BATCH, PER_KIND - i) }, (_, k) =>
            attack(i + k).catch((err) => {
              err.message = `${kind}: ${err.message}`;
              throw err;
            }),
          ),
        );
      }
    }
    made += SIO_KINDS * PER_KIND;
    await settled(baseFds);
    const { rssKiB } = resources(app.pid);
    if (round <= 1) warmRss = rssKiB;
    else if (!app.sanitizer) assert.ok(rssKiB <= warmRss * 1.1, `round ${round}: RSS ${rssKiB} KiB, ${warmRss} KiB after the warm-up`);
    console.log(`round ${round}: RSS ${rssKiB} KiB, fds back to ${baseFds}`);
  }

  // Every socket connected ended, for a reason a cut connection gives.
  const { disconnects } = (await stats(app.port)).socket_io;
  const total = Object.values(disconnects).reduce((a, b) => a + b, 0);
  assert.equal(total, made, JSON.stringify(disconnects));
  for (const reason of Object.keys(disconnects)) {
    assert.ok(["transport close", "transport error", "ping timeout"].includes(reason), JSON.stringify(disconnects));
  }
});
