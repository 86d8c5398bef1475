// Seeds the fuzz corpora from real traffic: the official clients (npm socket.io-client and
// engine.io-client from tests/e2e/node_modules, Debian's python3-socketio) talk to the conformance
// app through a recording TCP proxy, and so do Corio and Node cluster nodes to a real
// redis-server. The recorded bytes are cut into one input per fuzz target's format (see each
// tests/fuzz/fuzz_*.cpp) and written to OUT/<target>/<sha1>.
//
// Usage: node tests/fuzz/capture/capture.mjs --app=<corio_conformance> [--out=DIR] [--no-redis]
//   (CORIO_CONFORMANCE_APP works too). scripts/fuzz --seed runs it and merges (libFuzzer's
//   -merge=1) what it wrote into the committed corpora, keeping only inputs that add coverage.
//
// Every client step is bounded in time; the script ends with everything it started.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { connect, createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const e2e = join(here, "../../e2e");
const { startApp } = await import(join(e2e, "lib/app.mjs"));
const { startRedis } = await import(join(e2e, "lib/redis-server.mjs"));
const { startServer } = await import(join(e2e, "lib/server-process.mjs"));
const require = createRequire(join(e2e, "package.json"));
const ioc = require("socket.io-client");
const eio = require("engine.io-client");
const { Emitter } = require("@socket.io/redis-emitter");
const { createClient } = require("redis");

const flag = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const out = flag("out") ?? join(here, "../../../build-fuzz/capture");
const withRedis = !process.argv.includes("--no-redis");
const STEP_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// The recording proxy: every connection's bytes, in order, with their direction.

function recordingProxy(targetPort, label) {
  const connections = [];
  const sockets = new Set();
  const server = createServer((client) => {
    const conn = { label, chunks: [] };
    connections.push(conn);
    const upstream = connect({ port: targetPort, host: "127.0.0.1" });
    sockets.add(client).add(upstream);
    client.on("data", (d) => {
      conn.chunks.push({ dir: "c2s", bytes: Buffer.from(d) });
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      conn.chunks.push({ dir: "s2c", bytes: Buffer.from(d) });
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        connections,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

const within = (ms, what, promise) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms).unref())]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Clients.

function sioClient(url, nsp, options) {
  return ioc.io(`${url}${nsp}`, { path: "/echo.io/", reconnection: false, forceNew: true, ...options });
}

function connected(socket) {
  return within(STEP_MS, `connect ${socket.nsp}`, new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  }));
}

const ack = (socket, event, ...args) => within(STEP_MS, `ack of ${event}`, socket.emitWithAck(event, ...args));

// The data a Socket.IO application sends: strings (Unicode too), numbers of every form JSON has,
// nesting, and binary anywhere.
const samples = [
  "hello",
  "héllo wörld ✓ 😀",
  "",
  0,
  -0,
  42,
  -17,
  3.14159,
  1e21,
  1.5e-300,
  2 ** 53 + 2,
  Number.MAX_VALUE,
  5e-324,
  true,
  null,
  [1, "two", [3, [4, [5]]]],
  { a: 1, b: { c: [true, false, null], "d e": "f\"g\\h\n" } },
  Buffer.from([0, 1, 2, 253, 254, 255]),
  { file: Buffer.from("a binary file"), nested: [Buffer.alloc(0), { deep: Buffer.from([30, 31]) }] },
  "x".repeat(300),
];

async function socketioSession(url, transports, tag) {
  const socket = sioClient(url, "/", { transports, auth: { token: tag } });
  await connected(socket);
  socket.on("question", (...args) => {
    const callback = args.pop();
    callback(args[0] ?? "answer");
  });
  for (const s of samples) await ack(socket, "echo", s);
  await ack(socket, "echo", "several", 1, { two: 2 }, Buffer.from("three"));
  await ack(socket, "echo");
  await ack(socket, "join", "room-1");
  await ack(socket, "to_room", "room-1", "relay", { x: 1 });
  await ack(socket, "rooms");
  await ack(socket, "ask", "what?", Buffer.from([9, 8, 7]));
  await ack(socket, "leave", "room-1");
  socket.emit("echo", "no ack wanted");
  socket.volatile.emit("echo", "volatile");

  const admin = sioClient(url, "/admin", { transports, auth: { token: "secret" } });
  await connected(admin);
  await ack(admin, "count");
  await ack(admin, "rooms");
  admin.disconnect();

  const refused = sioClient(url, "/admin", { transports, auth: { token: "wrong" } });
  await within(STEP_MS, "refusal", new Promise((resolve) => refused.once("connect_error", resolve)));
  refused.close();

  const dyn = sioClient(url, "/dyn-1", { transports });
  await connected(dyn);
  await ack(dyn, "echo", { dynamic: true });
  dyn.disconnect();

  const bad = sioClient(url, "/", { transports, auth: { token: "bad" } });
  await within(STEP_MS, "refusal", new Promise((resolve) => bad.once("connect_error", resolve)));
  bad.close();

  await ack(socket, "disconnect_me").catch(() => {});
  await sleep(100);
  socket.close();
}

async function engineioSession(url, transports) {
  const socket = new eio.Socket(url, { path: "/engine.io/", transports });
  await within(STEP_MS, "engine.io open", new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  }));
  const echoes = ["hello", "😀 unicode", "", Buffer.from([1, 2, 3, 0, 255]), "4 looks like a packet", "x".repeat(200)];
  for (const m of echoes) {
    const back = within(STEP_MS, "engine.io echo", new Promise((resolve) => socket.once("message", resolve)));
    socket.send(m);
    await back;
  }
  socket.close();
}

function pythonClient(url) {
  return within(30_000, "python client", new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/python3", [join(here, "python_client.py"), url], { stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`python client exited with ${code}`))));
    child.on("error", reject);
  }));
}

async function clusterTraffic() {
  const redis = await startRedis();
  const proxy = await recordingProxy(redis.port, "redis");
  const redisUrl = `redis://127.0.0.1:${proxy.port}`;
  const corio = await startApp({ args: ["--redis", redisUrl, "--node-name", "corio-a"] });
  const node = await startServer({
    label: "node peer",
    path: process.execPath,
    argv: [join(e2e, "cluster/node_peer.mjs"), "--port", "0", "--redis", redisUrl, "--node-name", "node-b"],
    ready: (line) => /^listening on .+:(\d+)/.exec(line)?.[1],
    readyLine: "listening on <host>:<port>",
  });
  const urls = [corio.url, `http://127.0.0.1:${node.value}`];
  try {
    await sleep(300);
    const sockets = [];
    for (const [i, url] of urls.entries()) {
      const s = sioClient(url, "/", { transports: ["websocket"] });
      await connected(s);
      s.on("ping-me", (...args) => args.pop()?.("pong-" + i));
      await ack(s, "join", "everyone");
      sockets.push(s);
    }
    for (const [i, s] of sockets.entries()) {
      for (const sample of samples.slice(0, 12)) await ack(s, "to_room", "everyone", "relay", sample, i);
      await ack(s, "to_room", "everyone", "relay", Buffer.from([1, 2, 3]), { nested: Buffer.from("bin") });
      await ack(s, "all_in", "everyone", "shout", { from: i });
      await ack(s, "gather", "everyone", "ping-me", 2000);
      await ack(s, "whoami");
    }
    for (const url of urls) {
      const admin = sioClient(url, "/admin", { transports: ["websocket"], auth: { token: "secret" } });
      await connected(admin);
      await ack(admin, "count");
      await ack(admin, "rooms");
      await ack(admin, "fetch", "everyone");
      await ack(admin, "nodes");
      await ack(admin, "make_join", "everyone", "joined");
      await ack(admin, "make_leave", "everyone", "joined");
      admin.close();
    }
    // The Node emitter, as an application outside the cluster would emit.
    const redisClient = createClient({ url: redisUrl });
    await redisClient.connect();
    const emitter = new Emitter(redisClient);
    emitter.to("everyone").emit("from-emitter", { n: 1 }, Buffer.from([4, 5]));
    emitter.emit("to-all", "text");
    await sleep(300);
    const admin = sioClient(urls[0], "/admin", { transports: ["websocket"], auth: { token: "secret" } });
    await connected(admin);
    await ack(admin, "kick", "everyone");
    admin.close();
    await sleep(300);
    await redisClient.quit();
    for (const s of sockets) s.close();
  } finally {
    await corio.stop();
    await node.stop();
    proxy.close();
    await redis.stop();
  }
  return proxy.connections;
}

// ---------------------------------------------------------------------------------------------
// Cutting the recorded streams.

const concat = (conn, dir) => Buffer.concat(conn.chunks.filter((c) => c.dir === dir).map((c) => c.bytes));

/** HTTP/1.1 messages at the front of `bytes` (Content-Length bodies), then what follows a 101. */
function splitHttp(bytes) {
  const messages = [];
  let pos = 0;
  while (pos < bytes.length) {
    const end = bytes.indexOf("\r\n\r\n", pos);
    if (end < 0) break;
    const head = bytes.subarray(pos, end + 4).toString("latin1");
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    const body = bytes.subarray(end + 4, end + 4 + length);
    messages.push({ head, raw: bytes.subarray(pos, end + 4 + length), body });
    pos = end + 4 + length;
    if (/^HTTP\/1\.1 101/.test(head) || /\r\nupgrade:\s*websocket/i.test(head)) {
      return { messages, rest: bytes.subarray(pos) };
    }
  }
  return { messages, rest: Buffer.alloc(0) };
}

/** WebSocket frames of `bytes`: {opcode, fin, payload (unmasked), raw}. */
function splitFrames(bytes) {
  const frames = [];
  let pos = 0;
  while (bytes.length - pos >= 2) {
    const b0 = bytes[pos];
    const b1 = bytes[pos + 1];
    let length = b1 & 0x7f;
    let at = pos + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    const mask = b1 & 0x80 ? bytes.subarray(at, at + 4) : null;
    if (mask) at += 4;
    if (bytes.length < at + length) break;
    const payload = Buffer.from(bytes.subarray(at, at + length));
    if (mask) for (let i = 0; i < payload.length; ++i) payload[i] ^= mask[i % 4];
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload, raw: bytes.subarray(pos, at + length) });
    pos = at + length;
  }
  return frames;
}

/** Engine.IO packets of a polling payload: {binary, data} (data without its type digit for text). */
function splitPayload(body) {
  return body.toString("latin1").split("\x1e").map((segment) =>
    segment.startsWith("b")
      ? { text: segment, binary: true, bytes: Buffer.from(segment.slice(1), "base64") }
      : { text: segment, binary: false, bytes: Buffer.from(segment, "latin1") },
  );
}

/** RESP replies of `bytes`, each as its raw bytes and its value (arrays of Buffers). */
function splitResp(bytes) {
  const replies = [];
  let pos = 0;
  const line = () => {
    const end = bytes.indexOf("\r\n", pos);
    if (end < 0) throw new RangeError("incomplete");
    const text = bytes.subarray(pos + 1, end).toString("latin1");
    const type = String.fromCharCode(bytes[pos]);
    pos = end + 2;
    return { type, text };
  };
  const value = () => {
    const { type, text } = line();
    if (type === "$") {
      const n = Number(text);
      if (n < 0) return null;
      if (bytes.length < pos + n + 2) throw new RangeError("incomplete");
      const v = bytes.subarray(pos, pos + n);
      pos += n + 2;
      return v;
    }
    if (type === "*") {
      const n = Number(text);
      const items = [];
      for (let i = 0; i < n; ++i) items.push(value());
      return items;
    }
    return text;
  };
  while (pos < bytes.length) {
    const start = pos;
    try {
      const v = value();
      replies.push({ raw: bytes.subarray(start, pos), value: v });
    } catch {
      break;
    }
  }
  return replies;
}

// The session target's script (fuzz_session.cpp): ops and their 2-byte lengths.
const OP = { post: 0, get: 1, ws_open: 2, ws_text: 3, ws_binary: 4, ws_close: 7 };
function sessionOp(op, data) {
  if (data === undefined) return Buffer.from([op]);
  const d = data.subarray(0, 0xffff);
  return Buffer.concat([Buffer.from([op, d.length >> 8, d.length & 0xff]), d]);
}

const corpora = {};
function add(target, bytes, max = 4096) {
  if (!bytes || bytes.length === 0 || bytes.length > max) return;
  const name = createHash("sha1").update(bytes).digest("hex");
  (corpora[target] ??= new Map()).set(name, Buffer.from(bytes));
}

/** Socket.IO packets as fuzz_socket_packet reads them: text, then `b`+bytes per attachment. */
function addSocketIoMessages(messages) {
  let current = [];
  const flush = () => {
    if (current.length) add("socket_packet", Buffer.concat(current.flatMap((m, i) => (i ? [Buffer.from("\x1e"), m] : [m]))));
    current = [];
  };
  for (const m of messages) {
    if (m.binary) {
      current.push(Buffer.concat([Buffer.from("b"), m.bytes]));
      continue;
    }
    flush();
    current.push(m.bytes);
    // The JSON data of the packet, for the JSON target.
    const text = m.bytes.toString("utf8");
    const json = /^\d(?:\d+-)?(?:\/[^,]*,)?\d*(.*)$/s.exec(text)?.[1];
    if (json) add("json", Buffer.from(json, "utf8"));
  }
  flush();
}

function cutHttpConnection(conn) {
  const requests = splitHttp(concat(conn, "c2s"));
  const responses = splitHttp(concat(conn, "s2c"));
  const socketIo = requests.messages.some((m) => m.head.includes("/echo.io/"));
  const websocket = /^GET [^\r]*transport=websocket/.test(requests.messages.at(-1)?.head ?? "");
  const script = [];
  const toServer = [];
  const toClient = [];
  for (const m of requests.messages) {
    add("handshake", m.raw);
    if (m.head.startsWith("POST")) {
      add("polling_payload", m.body);
      script.push(sessionOp(OP.post, m.body));
      for (const p of splitPayload(m.body)) {
        if (!p.binary) add("engine_packet", p.bytes);
        if (p.binary || p.text.startsWith("4")) toServer.push({ binary: p.binary, bytes: p.binary ? p.bytes : p.bytes.subarray(1) });
      }
    } else if (m.head.startsWith("GET") && !websocket) {
      script.push(sessionOp(OP.get));
    }
  }
  for (const m of responses.messages) {
    if (!m.head.startsWith("HTTP/1.1 200") || m.body.length === 0 || m.body.toString() === "ok") continue;
    add("polling_payload", m.body);
    for (const p of splitPayload(m.body)) if (p.binary || p.text.startsWith("4")) toClient.push({ binary: p.binary, bytes: p.binary ? p.bytes : p.bytes.subarray(1) });
  }
  if (websocket) {
    const clientBytes = requests.rest;
    add("websocket_frame", clientBytes.subarray(0, 4096), 4096);
    const frames = splitFrames(clientBytes);
    for (let i = 0; i < frames.length; i += 8) add("websocket_frame", Buffer.concat(frames.slice(i, i + 8).map((f) => f.raw)));
    for (const f of frames) {
      if (f.opcode === 1) {
        add("engine_packet", f.payload);
        if (f.payload[0] === 0x34) toServer.push({ binary: false, bytes: f.payload.subarray(1) });
        script.push(sessionOp(OP.ws_text, f.payload));
      } else if (f.opcode === 2) {
        toServer.push({ binary: true, bytes: f.payload });
        script.push(sessionOp(OP.ws_binary, f.payload));
      } else if (f.opcode === 8) {
        script.push(sessionOp(OP.ws_close, f.payload.subarray(2)));
      }
    }
    for (const f of splitFrames(responses.rest)) {
      if (f.opcode === 1 && f.payload[0] === 0x34) toClient.push({ binary: false, bytes: f.payload.subarray(1) });
      else if (f.opcode === 2) toClient.push({ binary: true, bytes: f.payload });
    }
  }
  if (socketIo) {
    addSocketIoMessages(toServer);
    addSocketIoMessages(toClient);
  }
  return { socketIo, websocket, sid: /[?&]sid=([^& ]+)/.exec(requests.messages.find((m) => m.head.includes("sid="))?.head ?? "")?.[1], script };
}

function cutRedisConnection(conn) {
  const bytes = concat(conn, "s2c");
  add("resp", bytes.subarray(0, 4096), 4096);
  const replies = splitResp(bytes);
  for (let i = 0; i < replies.length; i += 4) add("resp", Buffer.concat(replies.slice(i, i + 4).map((r) => r.raw)));
  for (const r of replies) {
    const v = r.value;
    if (!Array.isArray(v)) continue;
    const payload = v[0]?.toString() === "message" ? v[2] : v[0]?.toString() === "pmessage" ? v[3] : null;
    // Requests and responses of the adapter are msgpack too; JSON ones start with `{`.
    if (Buffer.isBuffer(payload) && payload[0] !== 0x7b) add("msgpack", payload);
  }
  // Commands carry msgpack as PUBLISH arguments.
  for (const c of splitResp(concat(conn, "c2s"))) {
    if (Array.isArray(c.value) && c.value[0]?.toString().toUpperCase() === "PUBLISH" && Buffer.isBuffer(c.value[2]) && c.value[2][0] !== 0x7b)
      add("msgpack", c.value[2]);
  }
}

// ---------------------------------------------------------------------------------------------

const app = await startApp();
const proxy = await recordingProxy(app.port, "http");
const url = `http://127.0.0.1:${proxy.port}`;
let failed = false;
try {
  for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]]) {
    await engineioSession(url, transports);
    await socketioSession(url, transports, transports.join("+"));
  }
  await pythonClient(url);
} catch (err) {
  console.error(`capture: ${err.message}`);
  failed = true;
} finally {
  await sleep(200);
  proxy.close();
  await app.stop();
}

// Sessions: polling requests of one sid share a script; a WebSocket that upgrades one joins it.
const sessions = new Map();
for (const conn of proxy.connections) {
  const cut = cutHttpConnection(conn);
  if (!cut.socketIo) continue;
  const key = cut.sid ?? `ws-${sessions.size}`;
  const s = sessions.get(key) ?? { websocketOnly: cut.websocket && !cut.sid, steps: [] };
  if (cut.websocket && cut.sid) s.steps.push(sessionOp(OP.ws_open));
  s.steps.push(...cut.script);
  sessions.set(key, s);
}
for (const s of sessions.values()) {
  const script = Buffer.concat([Buffer.from([s.websocketOnly ? 1 : 0]), ...s.steps]);
  add("session", script, 16384);
  // Shorter prefixes too: the fuzzer mutates small inputs faster.
  add("session", script.subarray(0, 1024), 1024);
}

if (withRedis) {
  try {
    for (const conn of await clusterTraffic()) cutRedisConnection(conn);
  } catch (err) {
    console.error(`capture (redis): ${err.message}`);
    failed = true;
  }
}

for (const [target, files] of Object.entries(corpora)) {
  const dir = join(out, target);
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  console.log(`capture: ${files.size} inputs for ${target} in ${dir}`);
}
process.exit(failed ? 1 : 0);
