// The conformance app with `--allow-eio3` (spec part E): its echo app (`/echo.io/`) driven by the
// official socket.io-client 2.5.0 (Engine.IO v3, Socket.IO protocol v4) on every transport:
// events, acks both ways, binary both ways, rooms, custom namespaces with a query as auth, and
// refusals; a malformed v3 payload closes only that session; without the option EIO=3 is refused.
// The heartbeat (the client pings every 25 s here) is covered by the engine's loopback tests.
// Every wait is bounded and names what it waited for.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import io from "socket.io-client-v2";

import { startApp } from "./lib/app.mjs";
import { ECHO_PATH } from "./lib/sio.mjs";
import { once, within } from "./lib/wait.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const TEST_MS = 30_000;
const TRANSPORTS = [
  ["polling only", { transports: ["polling"] }],
  ["websocket only", { transports: ["websocket"] }],
  ["default (polling, then upgrade)", {}],
];

let app;
const created = new Set();

before(async () => {
  app = await startApp({ args: ["--allow-eio3"] });
});

after(async () => {
  for (const s of created) s.close();
  await app?.stop();
});

function client(nsp, options = {}) {
  const socket = io(`${app.url}${nsp}`, { path: ECHO_PATH, reconnection: false, forceNew: true, ...options });
  created.add(socket);
  return socket;
}

/** Resolves when `socket` connects; fails on a refusal (`error`) or a connection failure. */
function connected(socket) {
  const done = new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("error", (e) => reject(new Error(`${socket.nsp} refused: ${JSON.stringify(e)}`)));
    socket.once("connect_error", (e) => reject(new Error(`${socket.nsp} connect_error: ${e?.message ?? e}`)));
  });
  return within(CONNECT_MS, `the connection to ${socket.nsp}`, done);
}

/** The next `event` on `socket`, as its argument list. */
function next(socket, event) {
  return within(ACK_MS, `'${event}' on ${socket.nsp}`, new Promise((resolve) => socket.once(event, (...a) => resolve(a))));
}

/** Emits with an ack callback and resolves with the ack's arguments. */
function ack(socket, event, ...args) {
  return within(ACK_MS, `the ack of '${event}' on ${socket.nsp}`, new Promise((resolve) => socket.emit(event, ...args, (...a) => resolve(a))));
}

async function open(nsp, transport, options = {}) {
  const socket = client(nsp, { ...transport, ...options });
  const welcome = nsp === "/" ? next(socket, "welcome") : null;
  await connected(socket);
  return { socket, welcome };
}

const bin = (...bytes) => Buffer.from(bytes);

for (const [name, transport] of TRANSPORTS) {
  describe(`Engine.IO v3 client, ${name}`, () => {
    it("connects to / unasked; ids are the engine id; echoes any arguments, binary included", { timeout: TEST_MS }, async () => {
      const { socket, welcome } = await open("/", transport);
      try {
        const [hello] = await welcome;
        assert.equal(hello.sid, socket.id, "welcome carries the socket id");
        assert.equal(socket.id, socket.io.engine.id, "on / the socket id is the Engine.IO id");
        const cases = [
          [],
          ["text", 42, -7, 1.5, true, null, { b: 1, a: [2, 3] }],
          [bin(1, 2, 3), { nested: [bin(), bin(0xff)] }, "after"],
          ["ünïcødé ✓ 😀 €"],
        ];
        for (const args of cases) assert.deepStrictEqual(await ack(socket, "echo", ...args), args);
        // Many at once keep their order (polling batches them).
        const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => ack(socket, "echo", i, bin(i))));
        answers.forEach((answer, i) => assert.deepStrictEqual(answer, [i, bin(i)]));
        if (!transport.transports) {
          const engine = socket.io.engine;
          if (engine.transport.name !== "websocket") await within(CONNECT_MS, "the upgrade", once(engine, "upgrade"));
          assert.deepStrictEqual(await ack(socket, "echo", "upgraded", bin(4)), ["upgraded", bin(4)]);
        }
        assert.equal(socket.io.engine.transport.name, transport.transports?.[0] ?? "websocket");
      } finally {
        socket.close();
      }
    });

    it("server-side acks: ask emits question with an ack and relays the answer", { timeout: TEST_MS }, async () => {
      const { socket } = await open("/", transport);
      try {
        socket.on("question", (...args) => args.at(-1)({ got: args.slice(0, -1), bytes: bin(9) }));
        const [answer] = await ack(socket, "ask", "why", bin(7));
        assert.deepStrictEqual(answer, { got: ["why", bin(7)], bytes: bin(9) });
      } finally {
        socket.close();
      }
    });

    it("rooms: join, relay to a room, rooms(), leave", { timeout: TEST_MS }, async () => {
      const a = await open("/", transport);
      const b = await open("/", transport);
      try {
        assert.deepStrictEqual(await ack(a.socket, "join", "red"), [true]);
        const [rooms] = await ack(a.socket, "rooms");
        assert.deepStrictEqual([...rooms].sort(), [a.socket.id, "red"].sort());
        const news = next(a.socket, "news");
        assert.deepStrictEqual(await ack(b.socket, "to_room", "red", "news", bin(1), { n: 1 }), [true]);
        assert.deepStrictEqual(await news, [bin(1), { n: 1 }]);
        assert.deepStrictEqual(await ack(a.socket, "leave", "red"), [true]);
        let late = 0;
        a.socket.on("news", () => late++);
        assert.deepStrictEqual(await ack(b.socket, "to_room", "red", "news", 2), [true]);
        // The echo after the relay is answered after it: a relay that still reached `a` would
        // have arrived first.
        await ack(a.socket, "echo");
        assert.equal(late, 0, "no relay after leaving");
      } finally {
        a.socket.close();
        b.socket.close();
      }
    });

    it("namespaces: the query is the auth, refusals are bare strings, dynamic namespaces", { timeout: TEST_MS }, async () => {
      const { socket: admin } = await open("/admin", transport, { query: { token: "secret" } });
      try {
        assert.equal(admin.id, `/admin#${admin.io.engine.id}`, "a custom namespace's id is <nsp>#<engine id>");
        const [count] = await ack(admin, "count");
        assert.ok(count >= 1, `count ${count}`);

        const bad = client("/admin", { ...transport, query: { token: "wrong" } });
        const [refusal] = await next(bad, "error");
        assert.equal(refusal, "unauthorized", "a v4 refusal is the message alone");
        bad.close();

        const nowhere = client("/nowhere", transport);
        const [invalid] = await next(nowhere, "error");
        assert.equal(invalid.message, "Invalid namespace");
        nowhere.close();

        const dyn = admin.io.socket("/dyn-x");
        await connected(dyn);
        assert.deepStrictEqual(await ack(dyn, "echo", "dyn", bin(5)), ["dyn", bin(5)]);
        dyn.close();
        assert.deepStrictEqual(await ack(admin, "count"), [count]);
      } finally {
        admin.close();
      }
    });
  });
}

describe("Engine.IO v3, malformed input and the option", () => {
  const handshake = async (query = "EIO=3&transport=polling") => {
    const res = await fetch(`${app.url}${ECHO_PATH}?${query}`);
    return { status: res.status, body: await res.text() };
  };

  it("a malformed v3 payload closes only that session", { timeout: TEST_MS }, async () => {
    const { socket: bystander } = await open("/", { transports: ["websocket"] });
    try {
      const { status, body } = await handshake();
      assert.equal(status, 200);
      // `<length>:0{...}`, maybe followed by the `/` CONNECT answer; the open packet is ASCII.
      const colon = body.indexOf(":");
      const { sid } = JSON.parse(body.slice(colon + 2, colon + 1 + Number(body.slice(0, colon))));
      const url = `${app.url}${ECHO_PATH}?EIO=3&transport=polling&sid=${sid}`;
      const post = await fetch(url, { method: "POST", body: "9:42[\"echo\"]" });
      assert.equal(post.status, 400, "a length that does not match is refused");
      const after = await fetch(url);
      assert.equal(after.status, 400, "the session is gone");
      assert.deepStrictEqual(await ack(bystander, "echo", "still served"), ["still served"]);
    } finally {
      bystander.close();
    }
  });

  it("without --allow-eio3, EIO=3 is refused as an unsupported protocol version", { timeout: TEST_MS }, async () => {
    const plainApp = await startApp();
    try {
      const res = await fetch(`${plainApp.url}${ECHO_PATH}?EIO=3&transport=polling`);
      assert.equal(res.status, 400);
      assert.deepStrictEqual(await res.json(), { code: 5, message: "Unsupported protocol version" });
      const refused = io(`${plainApp.url}/`, { path: ECHO_PATH, reconnection: false, forceNew: true, transports: ["websocket"] });
      try {
        await within(CONNECT_MS, "a connect_error", once(refused, "connect_error"));
      } finally {
        refused.close();
      }
    } finally {
      await plainApp.stop();
    }
  });
});
