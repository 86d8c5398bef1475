// The conformance app with `--parser msgpack` (spec part E): its echo app (`/echo.io/`) driven by
// the official socket.io-client configured with the official socket.io-msgpack-parser, on every
// transport: events, acks both ways, binary, rooms, namespaces; and malformed MessagePack from a
// raw Engine.IO client closes only that connection. Every wait is bounded and names what it
// waited for.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import msgpackParser from "socket.io-msgpack-parser";

import { startApp } from "./lib/app.mjs";
import {
  ECHO_PATH,
  Events,
  ack,
  canonical,
  client,
  closeEverything,
  closeSockets,
  connectError,
  connected,
  plain,
} from "./lib/sio.mjs";
import { asBuffer, closeAll, connect as engineConnect, once, within } from "./lib/wait.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const TEST_MS = 30_000;
const TRANSPORTS = [
  ["polling only", { transports: ["polling"] }],
  ["websocket only", { transports: ["websocket"] }],
  ["default (polling, then upgrade)", {}],
];

let app;

before(async () => {
  app = await startApp({ args: ["--parser", "msgpack"] });
});

after(async () => {
  closeEverything();
  await app?.stop();
});

async function open(nsp, options) {
  const socket = client(app.url, nsp, { parser: msgpackParser, ...options });
  const events = new Events(socket);
  await connected(socket, CONNECT_MS);
  return { socket, events };
}

const bin = (...bytes) => Buffer.from(bytes);

for (const [name, transport] of TRANSPORTS) {
  describe(`msgpack parser, ${name}`, () => {
    it("echoes any arguments, binary anywhere, in order and key order", { timeout: TEST_MS }, async () => {
      const { socket, events } = await open("/", transport);
      try {
        const [welcome] = await events.next("welcome", ACK_MS);
        assert.equal(welcome.sid, socket.id, "welcome carries the sid of the CONNECT answer");
        const cases = [
          [],
          ["text", 42, -7, 1.5, true, null, { b: 1, a: [2, 3] }],
          [bin(1, 2, 3), { nested: [bin(), bin(0xff)] }, "after"],
          [2 ** 40, -(2 ** 40), "ünïcødé ✓"],
        ];
        for (const args of cases) {
          const answer = await ack(socket, ACK_MS, "echo", ...args);
          assert.deepStrictEqual(plain(answer), plain(args));
          assert.equal(canonical(answer), canonical(args));
        }
        // Many at once keep their order.
        const answers = await Promise.all(
          Array.from({ length: 200 }, (_, i) => ack(socket, ACK_MS, "echo", i, bin(i & 0xff))),
        );
        answers.forEach((answer, i) => assert.deepStrictEqual(plain(answer), [i, bin(i & 0xff)]));
      } finally {
        closeSockets(socket);
      }
    });

    it("server-side acks: ask emits question with an ack and relays the answer", { timeout: TEST_MS }, async () => {
      const { socket } = await open("/", transport);
      try {
        socket.on("question", (...args) => args.at(-1)({ got: args.slice(0, -1), bytes: bin(9) }));
        const [answer] = await ack(socket, ACK_MS, "ask", "why", bin(7));
        assert.deepStrictEqual(plain(answer), { got: ["why", bin(7)], bytes: bin(9) });
      } finally {
        closeSockets(socket);
      }
    });

    it("rooms: join, relay to a room, rooms(), leave", { timeout: TEST_MS }, async () => {
      const a = await open("/", transport);
      const b = await open("/", transport);
      try {
        assert.deepStrictEqual(await ack(a.socket, ACK_MS, "join", "red"), [true]);
        const [rooms] = await ack(a.socket, ACK_MS, "rooms");
        assert.deepStrictEqual([...rooms].sort(), [a.socket.id, "red"].sort());
        assert.deepStrictEqual(await ack(b.socket, ACK_MS, "to_room", "red", "news", bin(1), { n: 1 }), [true]);
        const [news] = await a.events.wait("news", ACK_MS);
        assert.deepStrictEqual(plain(news), [bin(1), { n: 1 }]);
        assert.deepStrictEqual(await ack(a.socket, ACK_MS, "leave", "red"), [true]);
        assert.deepStrictEqual(await ack(b.socket, ACK_MS, "to_room", "red", "news", 2), [true]);
        // The echo after the relay is answered after it: a relay that still reached `a` would
        // have arrived first.
        await ack(a.socket, ACK_MS, "echo");
        await ack(b.socket, ACK_MS, "echo");
        assert.equal(a.events.all("news").length, 1, "no relay after leaving");
        assert.equal(b.events.all("news").length, 0, "the sender is left out");
      } finally {
        closeSockets(a.socket, b.socket);
      }
    });

    it("namespaces: auth, refusals, a dynamic namespace, multiplexed", { timeout: TEST_MS }, async () => {
      const root = await open("/", transport);
      // /admin and /dyn-x over root's Engine.IO connection.
      const admin = root.socket.io.socket("/admin", { auth: { token: "secret" } }).connect();
      const bad = client(app.url, "/", { parser: msgpackParser, ...transport, auth: { token: "bad" } });
      const nowhere = client(app.url, "/nowhere", { parser: msgpackParser, ...transport });
      // Listening from the start: the refusals may come before the admin's answers.
      const refusals = Promise.all([connectError(bad, CONNECT_MS), connectError(nowhere, CONNECT_MS)]);
      refusals.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
      try {
        await connected(admin, CONNECT_MS);
        const [count] = await ack(admin, ACK_MS, "count");
        assert.ok(count >= 1, `count ${count}`);
        const [refused, invalid] = await refusals;
        assert.equal(refused.message, "unauthorized");
        assert.equal(invalid.message, "Invalid namespace");
        const dyn = root.socket.io.socket("/dyn-x").connect();
        await connected(dyn, CONNECT_MS);
        assert.deepStrictEqual(plain(await ack(dyn, ACK_MS, "echo", "dyn", bin(5))), ["dyn", bin(5)]);
        closeSockets(dyn);
        assert.deepStrictEqual(await ack(root.socket, ACK_MS, "echo", "still"), ["still"]);
      } finally {
        closeSockets(root.socket, admin, bad, nowhere);
      }
    });
  });
}

describe("msgpack parser, malformed input", () => {
  const encoder = new msgpackParser.Encoder();
  const connectPacket = encoder.encode({ type: 0, nsp: "/" })[0];

  /** A raw Engine.IO websocket client connected to `/` in msgpack, with its inbox. */
  async function rawClient() {
    const { socket, inbox } = await engineConnect(app.url, { path: ECHO_PATH, transports: ["websocket"] });
    socket.send(connectPacket);
    const [answer] = await inbox.take(1, CONNECT_MS, "the CONNECT answer");
    const decoder = new msgpackParser.Decoder();
    const packets = [];
    decoder.on("decoded", (p) => packets.push(p));
    decoder.add(asBuffer(answer));
    assert.equal(packets[0].type, 0, "a binary msgpack CONNECT answer");
    assert.equal(typeof packets[0].data.sid, "string");
    return { socket, inbox };
  }

  const BAD = [
    ["a text packet", '42["echo","x"]'],
    ["truncated MessagePack", bin(0x83, 0xa4, 0x74, 0x79, 0x70, 0x65)],
    ["a map without nsp", bin(0x81, 0xa4, 0x74, 0x79, 0x70, 0x65, 0x02)],
    ["an EVENT whose data is not an array", encoder.encode({ type: 2, nsp: "/", data: "x" })[0]],
    ["packet type 5", encoder.encode({ type: 5, nsp: "/", data: ["x"] })[0]],
  ];
  for (const [what, bytes] of BAD) {
    it(`${what} closes only that connection`, { timeout: TEST_MS }, async () => {
      const { socket: bystander } = await open("/", { transports: ["websocket"] });
      const raw = await rawClient();
      try {
        const closed = within(CONNECT_MS, `the server to close the connection after ${what}`, once(raw.socket, "close"));
        raw.socket.send(bytes);
        await closed;
        assert.deepStrictEqual(await ack(bystander, ACK_MS, "echo", "still served"), ["still served"]);
      } finally {
        closeAll(raw.socket);
        closeSockets(bystander);
      }
    });
  }
});
