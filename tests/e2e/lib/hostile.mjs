// Helpers of the hostile-client tests (hostile_*.test.mjs): the server they attack
// (hostile_app.cpp, from CORIO_HOSTILE_APP), its counts (GET /stats) and its process's
// resources (/proc/<pid>), a raw WebSocket client that can send anything (bad frames, half
// frames, invalid UTF-8) and end any way (close frame, FIN, RST), plain HTTP requests with a
// time limit, and a bounded wait on a condition.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { connect as tcpConnect } from "node:net";

import { startServer } from "./server-process.mjs";

const LISTENING = /^listening on (.+):(\d+)\s*$/;
const HTTP_MS = 5_000;

/**
 * Starts hostile_app with `args` (its options: --ping-interval, --max-queued-bytes, ...).
 * `sanitizer` is "address" or "thread" when the app is a sanitizer build (then memory figures
 * mean nothing and everything is slower), else "".
 * @returns {Promise<{port: number, pid: number, sanitizer: string, stop: () => Promise<object>,
 *   output: () => string}>}
 */
export async function startHostileApp(args = []) {
  const path = process.env.CORIO_HOSTILE_APP;
  if (!path) throw new Error("hostile app unknown: set CORIO_HOSTILE_APP=<path to corio_e2e_hostile_app> (ctest does)");
  if (!existsSync(path)) throw new Error(`hostile app not found at ${path}: build it first`);
  const started = await startServer({
    label: "hostile app",
    path,
    argv: ["--host", "127.0.0.1", "--port", "0", ...args],
    ready: (line) => {
      const m = LISTENING.exec(line);
      return m ? Number(m[2]) : undefined;
    },
    readyLine: "listening on <host>:<port>",
  });
  const port = started.value;
  const { pid, sanitizer } = await stats(port);
  return { port, pid, sanitizer, stop: started.stop, output: started.output };
}

/** The app's GET /stats. */
export async function stats(port) {
  const res = await http(port, "GET", "/stats");
  if (res.status !== 200) throw new Error(`GET /stats: ${res.status} ${res.body}`);
  return JSON.parse(res.body);
}

/** The process's resident memory (KiB) and open descriptors, from /proc. */
export function resources(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return { rssKiB: Number(rss[1]), fds: readdirSync(`/proc/${pid}/fd`).length };
}

/**
 * Polls `probe` (sync or async) every `everyMs` until `done(value)` holds, for at most `ms`;
 * returns the value that satisfied it, or throws naming `what` and the last value seen.
 */
export async function waitFor(what, ms, probe, done, everyMs = 25) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * One HTTP/1.1 request on its own connection, answered within `ms` or failing.
 * @returns {Promise<{status: number, headers: object, body: string}>}
 */
export function http(port, method, path, body, { ms = HTTP_MS, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path, agent: false, headers: { Connection: "close", ...headers } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.setTimeout(ms, () => req.destroy(new Error(`${method} ${path}: no answer within ${ms} ms`)));
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** An Engine.IO HTTP error body, parsed: {code, message}. */
export function engineError(res) {
  try {
    return JSON.parse(res.body);
  } catch {
    throw new Error(`not an Engine.IO error body (${res.status}): ${JSON.stringify(res.body.slice(0, 200))}`);
  }
}

/** A polling handshake at `path`: the new session's id. */
export async function pollingOpen(port, path = "/engine.io/") {
  const res = await http(port, "GET", `${path}?EIO=4&transport=polling`);
  if (res.status !== 200 || !res.body.startsWith("0{")) throw new Error(`polling handshake: ${res.status} ${res.body}`);
  return JSON.parse(res.body.slice(1)).sid;
}

// ---------------------------------------------------------------------------------------------
// WebSocket frames

const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/**
 * A client frame (masked, as clients must): `opcode` (1 text, 2 binary, 8 close, 9 ping),
 * `payload` a string or Buffer. `fin` false leaves a fragment open; `mask` false sends it
 * unmasked (a protocol error from a client); `rsv` sets reserved bits; `length` overrides the
 * announced length (a half frame).
 */
export function frame(opcode, payload, { fin = true, mask = true, rsv = 0, length } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const len = length ?? data.length;
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  const maskBit = mask ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; ++i) masked[i] = data[i] ^ MASK[i & 3];
  return Buffer.concat([Buffer.from(head), MASK, masked]);
}

/** A close frame's payload: the code, big-endian. */
export function closePayload(code) {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
}

/**
 * A raw WebSocket client on one TCP connection: the opening handshake, then every frame the
 * server sends collected in order. It answers the server's close frame with its own, and
 * (unless `autoPong` is false) Engine.IO pings `2` with `3`.
 */
export class RawWs {
  /** @type {import("node:net").Socket} */
  socket;
  /** Text and binary messages received and not yet taken: {text: boolean, data: string|Buffer}. */
  messages = [];
  /** Set once the server's close frame came: its code (1005 when it had none). */
  closeCode = null;
  /** Set once the TCP connection ended: "end" (FIN), "reset", or an error's code. */
  ended = null;
  #buffer = Buffer.alloc(0);
  #handshake = null;
  #waiters = [];
  #autoPong;

  constructor(socket, autoPong) {
    this.socket = socket;
    this.#autoPong = autoPong;
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("end", () => this.#end("end"));
    socket.on("close", () => this.#end("closed"));
    socket.on("error", (err) => this.#end(err.code === "ECONNRESET" ? "reset" : err.code ?? err.message));
  }

  /**
   * Connects to `port` and sends the opening handshake for `query` (at /socket.io/ unless
   * `path` says otherwise). Resolves once the TCP connection is up; `opened()` waits for 101.
   */
  static connect(port, { path = "/socket.io/", query = "EIO=4&transport=websocket", autoPong = true } = {}) {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: "127.0.0.1", port, noDelay: true });
      const ws = new RawWs(socket, autoPong);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        socket.write(upgradeRequest(port, `${path}?${query}`));
        resolve(ws);
      });
    });
  }

  /** Resolves with the response head once the server answered 101; throws otherwise. */
  async opened(ms = 5_000) {
    await this.#until(ms, "the 101 response", () => this.#handshake !== null || this.ended !== null);
    if (!this.#handshake?.startsWith("HTTP/1.1 101")) {
      throw new Error(`no 101: ${JSON.stringify(this.#handshake ?? `connection ${this.ended}`)}`);
    }
    return this.#handshake;
  }

  /** Sends a text message (masked). */
  send(text) {
    this.socket.write(frame(1, text));
  }

  /** Sends bytes as they are. */
  raw(bytes) {
    this.socket.write(bytes);
  }

  /** The next message, within `ms`. */
  async next(ms = 5_000, what = "a message") {
    await this.#until(ms, what, () => this.messages.length > 0 || this.closeCode !== null || this.ended !== null);
    if (this.messages.length === 0) {
      throw new Error(`connection closed (close code ${this.closeCode}, ${this.ended}) while waiting for ${what}`);
    }
    return this.messages.shift();
  }

  /** The next text message that `match` accepts, skipping others (pings, broadcasts). */
  async nextText(match, ms = 5_000, what = "a matching message") {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()), what);
      if (m.text && match(m.data)) return m.data;
    }
  }

  /** Waits until the connection is over: the server's close frame and hang-up, or a cut. */
  async closed(ms = 5_000, what = "the server to close the connection") {
    await this.#until(ms, what, () => this.ended !== null);
    return { closeCode: this.closeCode, ended: this.ended };
  }

  /** Ends the connection with RST (no close frame, no FIN). */
  reset() {
    this.socket.resetAndDestroy();
  }

  /** Connects a Socket.IO client to namespace `/`: resolves with its socket id. */
  async sioConnect(ms = 5_000) {
    await this.opened(ms);
    const open = await this.nextText((t) => t.startsWith("0{"), ms, "the Engine.IO open packet");
    this.send("40");
    const ok = await this.nextText((t) => t.startsWith("40"), ms, "the CONNECT answer");
    if (!ok.startsWith("40{")) throw new Error(`connect refused: ${ok}`);
    return { eioSid: JSON.parse(open.slice(1)).sid, sid: JSON.parse(ok.slice(2)).sid };
  }

  #until(ms, what, ready) {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!ready()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.#waiters.push(waiter);
    });
  }

  #wake() {
    this.#waiters = this.#waiters.filter((w) => !w());
  }

  #end(how) {
    if (this.ended === null) this.ended = how;
    this.#wake();
  }

  #onData(chunk) {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    if (this.#handshake === null) {
      const end = this.#buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      this.#handshake = this.#buffer.subarray(0, end).toString("latin1");
      this.#buffer = this.#buffer.subarray(end + 4);
    }
    for (;;) {
      const f = parseFrame(this.#buffer);
      if (!f) break;
      this.#buffer = this.#buffer.subarray(f.size);
      this.#onFrame(f);
    }
    this.#wake();
  }

  #onFrame({ opcode, payload }) {
    if (opcode === 1) {
      const text = payload.toString("utf8");
      if (this.#autoPong && text === "2") {
        this.send("3");
        return;
      }
      this.messages.push({ text: true, data: text });
    } else if (opcode === 2) {
      this.messages.push({ text: false, data: payload });
    } else if (opcode === 8) {
      this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (!this.socket.destroyed) this.socket.write(frame(8, payload.subarray(0, 2)));
    }
  }
}

/** The opening handshake request for `target` (path and query). */
export function upgradeRequest(port, target) {
  return (
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

/** One whole server frame at the start of `buf` ({opcode, payload, size}), or null. */
export function parseFrame(buf) {
  if (buf.length < 2) return null;
  let len = buf[1] & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  if (buf.length < at + len) return null;
  return { opcode: buf[0] & 0x0f, payload: buf.subarray(at, at + len), size: at + len };
}
