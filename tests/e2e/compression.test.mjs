// WebSocket permessage-deflate (the conformance app's --compression, spec part E): the official
// socket.io-client over its `ws` transport (which offers the extension) gets a 16 KiB broadcast
// intact; a raw client that reads the frames sees them compressed (RSV1) and inflates them with
// Node's zlib; a client sending bad compressed data or a zip bomb is closed (1007, 1009) while
// the others carry on. Without --compression nothing is negotiated.

import assert from "node:assert/strict";
import { once as onceEvent } from "node:events";
import http from "node:http";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import zlib from "node:zlib";

import { startApp } from "./lib/app.mjs";
import { ack, client, closeEverything, closeSockets, connected, ECHO_PATH } from "./lib/sio.mjs";
import { once, within } from "./lib/wait.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const TEST_MS = 30_000;
const OFFER = "permessage-deflate; client_max_window_bits";
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** A JSON-ish payload of `n` characters, as an application would broadcast. */
function payload(n) {
  let s = "";
  for (let i = 0; s.length < n; ++i) s += `{"id":${i},"name":"user${i % 50}","online":true},`;
  return s.slice(0, n);
}

/**
 * A WebSocket client that sees the frames: it offers permessage-deflate by hand and reads the
 * server's frames itself, RSV1 bit included. Text frames are Engine.IO packets.
 */
class RawClient {
  static async open(app, offer = OFFER) {
    const key = randomBytes(16).toString("base64");
    const req = http.request({
      host: "127.0.0.1",
      port: app.port,
      path: `${ECHO_PATH}?EIO=4&transport=websocket`,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Version": "13",
        ...(offer ? { "Sec-WebSocket-Extensions": offer } : {}),
      },
    });
    req.end();
    const [res, socket, head] = await within(CONNECT_MS, "the WebSocket handshake", onceEvent(req, "upgrade"));
    return new RawClient(res.headers["sec-websocket-extensions"], socket, head);
  }

  constructor(extensions, socket, head) {
    this.extensions = extensions;
    this.socket = socket;
    this.buffer = head;
    this.frames = [];
    this.waiters = [];
    this.ended = new Promise((resolve) => socket.on("close", resolve));
    socket.on("data", (d) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.parse();
    });
    // The frames that came with the 101 response.
    this.parse();
  }

  parse() {
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let length = b[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + length) return;
      this.frames.push({ fin: (b[0] & 0x80) !== 0, rsv1: (b[0] & 0x40) !== 0, opcode: b[0] & 0x0f, payload: b.subarray(at, at + length) });
      this.buffer = b.subarray(at + length);
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** The next frame, within CONNECT_MS. */
  async frame() {
    while (this.frames.length === 0) {
      await within(CONNECT_MS, "a frame from the server", new Promise((resolve) => this.waiters.push(resolve)));
    }
    return this.frames.shift();
  }

  /** The next text frame that is not an Engine.IO ping, inflated if it was compressed. */
  async text() {
    for (;;) {
      const f = await this.frame();
      const data = f.rsv1 ? zlib.inflateRawSync(Buffer.concat([f.payload, TAIL]), { finishFlush: zlib.constants.Z_SYNC_FLUSH }) : f.payload;
      const text = data.toString("utf8");
      if (f.opcode === 1 && text !== "2") return { compressed: f.rsv1, text };
    }
  }

  /** Sends one masked frame; `rsv1` marks it compressed. */
  send(payload, { opcode = 1, rsv1 = false } = {}) {
    const data = Buffer.from(payload);
    const mask = randomBytes(4);
    const head =
      data.length < 126
        ? Buffer.from([0x80 | (rsv1 ? 0x40 : 0) | opcode, 0x80 | data.length])
        : Buffer.from([0x80 | (rsv1 ? 0x40 : 0) | opcode, 0x80 | 126, data.length >> 8, data.length & 0xff]);
    if (data.length > 0xffff) throw new Error("frame too long for RawClient.send");
    const masked = Buffer.from(data.map((byte, i) => byte ^ mask[i % 4]));
    this.socket.write(Buffer.concat([head, mask, masked]));
  }

  close() {
    this.socket.destroy();
  }
}

/** The code of the server's close frame, after which it must hang up. */
async function closedWith(raw) {
  for (;;) {
    const f = await raw.frame();
    if (f.opcode === 8) {
      await within(CONNECT_MS, "the server's hang-up", raw.ended);
      return f.payload.readUInt16BE(0);
    }
  }
}

/** A raw client connected to `/` of the echo app, with its Engine.IO open handled. */
async function rawSocketIo(app) {
  const raw = await RawClient.open(app);
  assert.equal((await raw.text()).text[0], "0");
  raw.send("40");
  assert.match((await raw.text()).text, /^40\{"sid"/);
  assert.match((await raw.text()).text, /^42\["welcome"/);
  return raw;
}

/**
 * Starts the conformance app with `args` before the enclosing suite's tests and stops it after
 * them; the app is the holder's `app`.
 */
function appAround(args) {
  const holder = { app: undefined };
  before(async () => {
    holder.app = await startApp({ args });
  });
  after(async () => {
    closeEverything();
    await holder.app?.stop();
  });
  return holder;
}

describe("permessage-deflate (--compression)", { timeout: TEST_MS }, () => {
  const running = appAround(["--compression"]);

  it("a 16 KiB broadcast reaches the official client intact, and its frames are compressed", async () => {
    const { app } = running;
    const sender = client(app.url, "/", { transports: ["websocket"] });
    const member = client(app.url, "/", { transports: ["websocket"] });
    await connected(sender, CONNECT_MS);
    await connected(member, CONNECT_MS);
    assert.deepEqual(await ack(member, ACK_MS, "join", "room"), [true]);
    const raw = await rawSocketIo(app);
    assert.equal(raw.extensions, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    raw.send('421["join","room"]');
    const joined = await raw.text();
    assert.equal(joined.text, "431[true]");
    assert.equal(joined.compressed, false); // under the 1024-byte threshold

    const big = payload(16 * 1024);
    const got = within(ACK_MS, "the broadcast at the member", once(member, "big"));
    assert.deepEqual(await ack(sender, ACK_MS, "to_room", "room", "big", { big }), [true]);
    assert.deepEqual((await got)[0], { big });
    const seen = await raw.text();
    assert.equal(seen.compressed, true);
    assert.deepEqual(JSON.parse(seen.text.slice(2)), ["big", { big }]);
    // A compressed message from the client is inflated: the echo comes back whole.
    raw.send(zlib.deflateRawSync(Buffer.from(`422["echo",${JSON.stringify(big)}]`), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4), { rsv1: true });
    const echoed = await raw.text();
    assert.equal(echoed.compressed, true);
    assert.deepEqual(JSON.parse(echoed.text.slice(3)), [big]);
    raw.close();
    closeSockets(sender, member);
  });

  it("bad compressed data closes that connection with 1007, the others carry on", async () => {
    const { app } = running;
    const bystander = client(app.url, "/", { transports: ["websocket"] });
    await connected(bystander, CONNECT_MS);
    const raw = await rawSocketIo(app);
    raw.send(Buffer.from([0xff, 0xff, 0xff, 0xff]), { rsv1: true }); // BTYPE 11 is reserved
    assert.equal(await closedWith(raw), 1007);
    assert.deepEqual(await ack(bystander, ACK_MS, "echo", "still here"), ["still here"]);
    closeSockets(bystander);
  });

  it("a zip bomb is refused at maxHttpBufferSize with 1009, the others carry on", async () => {
    const { app } = running;
    const bystander = client(app.url, "/", { transports: ["websocket"] });
    await connected(bystander, CONNECT_MS);
    const raw = await rawSocketIo(app);
    // 32 MiB of one character: some 32 KiB compressed; the limit is 1 000 000 bytes inflated.
    const bomb = zlib.deflateRawSync(Buffer.alloc(32 << 20, 0x61), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
    assert.ok(bomb.length < 0xffff);
    raw.send(bomb, { rsv1: true });
    assert.equal(await closedWith(raw), 1009);
    assert.deepEqual(await ack(bystander, ACK_MS, "echo", "still here"), ["still here"]);
    closeSockets(bystander);
  });
});

describe("without --compression", { timeout: TEST_MS }, () => {
  const running = appAround([]);

  it("nothing is negotiated and large frames go out as they are", async () => {
    const { app } = running;
    const sender = client(app.url, "/", { transports: ["websocket"] });
    await connected(sender, CONNECT_MS);
    const raw = await rawSocketIo(app);
    assert.equal(raw.extensions, undefined);
    raw.send('421["join","room"]');
    assert.equal((await raw.text()).text, "431[true]");
    const big = payload(16 * 1024);
    assert.deepEqual(await ack(sender, ACK_MS, "to_room", "room", "big", { big }), [true]);
    const seen = await raw.text();
    assert.equal(seen.compressed, false);
    assert.deepEqual(JSON.parse(seen.text.slice(2)), ["big", { big }]);
    raw.close();
    closeSockets(sender);
  });
});
