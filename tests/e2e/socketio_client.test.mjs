// The conformance app's echo app (`/echo.io/`, spec: conformance-app.md part C) driven by the
// official socket.io-client. Every wait is bounded and names what it waited for; nothing sleeps
// and hopes (the only fixed window is the one proving that no reconnection happens).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { connect as tcpConnect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "node:test";

import { Manager } from "socket.io-client";
import WebSocket from "ws";

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
  eventually,
  plain,
} from "./lib/sio.mjs";
import { closeAll, connect as engineConnect, once, within } from "./lib/wait.mjs";

const MAX_PAYLOAD = 1_000_000;
const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const TEST_MS = 30_000;
const ASK_TIMEOUT_MS = 5_000; // the server's wait for the `question` ack
const ADMIN_AUTH = { token: "secret" };

const POLLING = { transports: ["polling"] };
const WEBSOCKET = { transports: ["websocket"] };
const DEFAULT = {}; // polling, then upgrade to websocket
const TRANSPORTS = [
  ["polling only", POLLING],
  ["websocket only", WEBSOCKET],
  ["default (polling, then upgrade)", DEFAULT],
];
const DROPPED = ["transport close", "transport error"];

let app;

before(async () => {
  app = await startApp();
});

after(async () => {
  closeEverything();
  await app?.stop();
});

/** A connected client of `app` (or `target`), with its event log started before connecting. */
async function open(nsp = "/", options = {}, target = app) {
  const socket = client(target.url, nsp, options);
  const events = new Events(socket);
  try {
    await connected(socket, CONNECT_MS);
  } catch (err) {
    socket.disconnect();
    throw err;
  }
  return { socket, events };
}

/** Echoes `args` and checks the ack carries exactly them: values, binary, and key order. */
async function assertEcho(socket, args, ms = ACK_MS) {
  const answer = await ack(socket, ms, "echo", ...args);
  assert.deepStrictEqual(plain(answer), plain(args));
  assert.equal(canonical(answer), canonical(args), "the echo must keep the arguments' key order");
  return answer;
}

/** The rooms of `/` as the admin namespace reports them, sorted. */
async function adminRooms(admin) {
  const [rooms] = await ack(admin, ACK_MS, "rooms");
  assert.ok(Array.isArray(rooms), `admin rooms() must ack a list, got ${JSON.stringify(rooms)}`);
  return [...rooms].sort();
}

async function adminCount(admin) {
  const [count] = await ack(admin, ACK_MS, "count");
  assert.equal(typeof count, "number", `admin count() must ack a number, got ${JSON.stringify(count)}`);
  return count;
}

const bin = (...bytes) => Buffer.from(bytes);

/** One HTTP request to the app; resolves with {status, body} or {error} (never rejects). */
function http(target, method, path, body) {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port: target.port, method, path }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on("error", (err) => resolve({ error: err.message }));
    });
    req.on("error", (err) => resolve({ error: err.message }));
    req.end(body);
  });
}

/**
 * A raw Socket.IO connection at the Engine.IO level (engine.io-client, websocket): the tests
 * send and read Socket.IO packets as text, byte for byte. engine.io-client adds and strips the
 * Engine.IO message type `4`, so the wire's `40` CONNECT is written `0` here, `42` EVENT `2`, etc.
 */
function wire(target = app) {
  return engineConnect(target.url, { path: ECHO_PATH, transports: ["websocket"] });
}

/** [name, args] echoed on every transport. */
const ECHO_CASES = [
  ["zero arguments", []],
  ["one string", ["hello"]],
  ["multi-byte UTF-8", ["héllo wörld ✓ 🎉", '\u0000\u001f"\\/']],
  [
    "several JSON arguments",
    [1, "two", { three: [3, true, null] }, [], {}, false, null, 1.5, -7, 0.1, 9007199254740991, 1e300],
  ],
  ["object key order", [{ z: 1, a: 2, m: { y: [1, { q: 1, b: 2 }], b: null } }]],
  ["deeply nested JSON", [JSON.parse(`${"[".repeat(20)}"deep"${"]".repeat(20)}`)]],
  ["one buffer", [bin(1, 2, 3)]],
  [
    "binary nested in objects and arrays",
    [{ a: bin(1), b: [bin(2, 3), { c: Buffer.from("xyz") }], d: "text" }, "between", [[bin(4)]]],
  ],
  // 10: socket.io-parser's decoder (client and Node server alike) refuses more by default.
  ["several attachments", Array.from({ length: 10 }, (_, i) => Buffer.alloc(i + 1, i))],
  ["empty buffers", [Buffer.alloc(0), { e: Buffer.alloc(0) }, [Buffer.alloc(0), bin(9)], "after"]],
  ["binary next to plain JSON", [bin(0xff, 0x00), 42, { n: null, t: true }, "s", bin()]],
  ["a 100 kB buffer", [randomBytes(100_000)]],
];

describe("socket.io echo app with the official client", () => {
  describe("connect and welcome", () => {
    for (const [name, options] of TRANSPORTS) {
      it(`${name}: welcome {sid} right after connect`, { timeout: TEST_MS }, async () => {
        const { socket, events } = await open("/", options);
        try {
          const [welcome] = await events.next("welcome", ACK_MS);
          assert.deepStrictEqual(welcome, { sid: socket.id });
          assert.deepStrictEqual(
            events.names.slice(0, 2),
            ["connect", "welcome"],
            "welcome must be the first event, right after connect",
          );
          if (options.transports) assert.equal(socket.io.engine.transport.name, options.transports[0]);
        } finally {
          closeSockets(socket);
        }
      });
    }

    it("every connection gets its own sid", { timeout: TEST_MS }, async () => {
      const clients = await Promise.all([open(), open(), open()]);
      try {
        const sids = await Promise.all(
          clients.map(async ({ events }) => (await events.next("welcome", ACK_MS))[0].sid),
        );
        assert.equal(new Set(sids).size, 3, `sids must differ: ${sids}`);
        assert.deepStrictEqual(
          sids,
          clients.map(({ socket }) => socket.id),
        );
      } finally {
        closeSockets(clients.map((c) => c.socket));
      }
    });

    for (const [name, options] of TRANSPORTS.slice(0, 2)) {
      it(`${name}: auth token "bad" is refused with "unauthorized"`, { timeout: TEST_MS }, async () => {
        const socket = client(app.url, "/", { ...options, auth: { token: "bad" } });
        const events = new Events(socket);
        try {
          const err = await connectError(socket, CONNECT_MS);
          assert.equal(err.message, "unauthorized");
          assert.equal(socket.connected, false);
          assert.deepStrictEqual(events.names, [], "a refused socket receives no event");
        } finally {
          closeSockets(socket);
        }
      });
    }

    it("other auth tokens are accepted", { timeout: TEST_MS }, async () => {
      const { socket, events } = await open("/", { auth: { token: "good", other: [1] } });
      try {
        assert.deepStrictEqual((await events.next("welcome", ACK_MS))[0], { sid: socket.id });
      } finally {
        closeSockets(socket);
      }
    });
  });

  for (const [name, options] of TRANSPORTS) {
    describe(`echo over ${name}`, () => {
      let socket;
      before(async () => {
        ({ socket } = await open("/", options));
      });
      after(() => closeSockets(socket));

      it("echoes every case at once (in flight together)", { timeout: TEST_MS }, async () => {
        await Promise.all(ECHO_CASES.map(([, args]) => assertEcho(socket, args)));
      });

      for (const [caseName, args] of ECHO_CASES) {
        it(`echoes ${caseName}`, { timeout: TEST_MS }, () => assertEcho(socket, args));
      }

      it(
        "echoes JSON that merely looks like a binary placeholder (a text event has no attachments)",
        { timeout: TEST_MS },
        async () => {
          const { socket: own } = await open("/", options);
          try {
            await assertEcho(own, [{ _placeholder: true, num: 0 }, [{ _placeholder: true, num: "x" }]]);
          } finally {
            closeSockets(own);
          }
        },
      );

      it("is on the expected transport", { timeout: TEST_MS }, async () => {
        const engine = socket.io.engine;
        if (options.transports) {
          assert.equal(engine.transport.name, options.transports[0]);
        } else if (engine.transport.name !== "websocket") {
          await within(ACK_MS, "the upgrade to websocket", once(engine, "upgrade"));
        }
        if (!options.transports) {
          assert.equal(engine.transport.name, "websocket");
          await Promise.all(ECHO_CASES.map(([, args]) => assertEcho(socket, args)));
        }
      });
    });
  }

  describe("wire level (raw Socket.IO packets)", () => {
    it("the handshake has the default heartbeat and a 1 MB maxPayload", { timeout: TEST_MS }, async () => {
      const res = await http(app, "GET", `${ECHO_PATH}?EIO=4&transport=polling`);
      assert.equal(res.status, 200, JSON.stringify(res));
      assert.equal(res.body[0], "0");
      const open = JSON.parse(res.body.slice(1));
      assert.deepStrictEqual(
        { ...open, sid: typeof open.sid },
        {
          sid: "string",
          upgrades: ["websocket"],
          pingInterval: 25000,
          pingTimeout: 20000,
          maxPayload: 1000000,
        },
      );
    });

    // Socket.IO packets without the Engine.IO `4` (see wire()): `0` CONNECT, `1` DISCONNECT,
    // `2` EVENT, `3` ACK, `4` CONNECT_ERROR.
    it("exact CONNECT, welcome and CONNECT_ERROR packets", { timeout: TEST_MS }, async () => {
      const { socket, inbox } = await wire();
      try {
        socket.send('0{"token":"bad"}');
        assert.equal(await inbox.next(ACK_MS), '4{"message":"unauthorized"}');
        socket.send("0");
        const connect = await inbox.next(ACK_MS);
        const m = /^0\{"sid":"([^"]+)"\}$/.exec(connect);
        assert.ok(m, `CONNECT ${connect}`);
        assert.equal(await inbox.next(ACK_MS), `2["welcome",{"sid":"${m[1]}"}]`);
        socket.send('0/admin,{"token":"nope"}');
        assert.equal(await inbox.next(ACK_MS), '4/admin,{"message":"unauthorized"}');
        socket.send("0/admin,");
        assert.equal(await inbox.next(ACK_MS), '4/admin,{"message":"unauthorized"}');
        socket.send('0/admin,{"token":"secret"}');
        assert.match(await inbox.next(ACK_MS), /^0\/admin,\{"sid":"[^"]+"\}$/);
        socket.send("0/nowhere,");
        const refused = await inbox.next(ACK_MS);
        assert.match(refused, /^4\/nowhere,\{/);
        assert.equal(typeof JSON.parse(refused.slice("4/nowhere,".length)).message, "string");
        socket.send("0/dyn-w,");
        assert.match(await inbox.next(ACK_MS), /^0\/dyn-w,\{"sid":"[^"]+"\}$/);
      } finally {
        closeAll(socket);
      }
    });

    it("events without an ack id do the work and send no ack", { timeout: TEST_MS }, async () => {
      const { socket, inbox } = await wire();
      try {
        socket.send("0");
        const sid = /^0\{"sid":"([^"]+)"\}$/.exec(await inbox.next(ACK_MS))[1];
        await inbox.next(ACK_MS); // welcome
        socket.send('2["echo",1]');
        socket.send('2["join","quiet"]');
        socket.send('2["to_room","quiet","ev",1]'); // the sender only: nobody gets it
        socket.send('2["rooms"]');
        socket.send('2["leave","never"]');
        socket.send('21["rooms"]');
        const rooms = await inbox.next(ACK_MS, "the ack of rooms");
        assert.match(rooms, /^31\[\[/, `expected the ack of rooms first, got ${rooms}`);
        assert.deepStrictEqual(JSON.parse(rooms.slice(2))[0].sort(), ["quiet", sid].sort());
        socket.send('22["echo",{"b":1,"a":[2,{"z":null}]},"s"]');
        assert.equal(await inbox.next(ACK_MS), '32[{"b":1,"a":[2,{"z":null}]},"s"]');
        socket.send('2["disconnect_me"]');
        assert.equal(await inbox.next(ACK_MS), "1");
      } finally {
        closeAll(socket);
      }
    });
  });

  describe("rooms", () => {
    it(
      "join / to_room / leave: members get the event, the sender does not",
      { timeout: TEST_MS },
      async () => {
        const room = `room-${randomBytes(4).toString("hex")}`;
        const other = `${room}-marker`;
        const [a, b, c] = await Promise.all([open("/", WEBSOCKET), open("/", POLLING), open()]);
        try {
          assert.deepStrictEqual(await ack(a.socket, ACK_MS, "join", room), [true]);
          assert.deepStrictEqual(await ack(b.socket, ACK_MS, "join", room), [true]);
          assert.deepStrictEqual(await ack(b.socket, ACK_MS, "join", other), [true]);

          const payload = ["text", { n: 1, bin: bin(1, 2) }, [bin()], null];
          assert.deepStrictEqual(await ack(a.socket, ACK_MS, "to_room", room, "news", ...payload), [true]);
          const [news] = await b.events.wait("news", ACK_MS);
          assert.deepStrictEqual(plain(news), plain(payload));
          assert.equal(canonical(news), canonical(payload));
          // The sender's copy would have been sent before its to_room ack.
          assert.deepStrictEqual(a.events.all("news"), [], "the sender must not receive its own relay");
          assert.deepStrictEqual(c.events.all("news"), [], "a non-member must not receive the relay");

          // Relay with no argument after the event name.
          assert.deepStrictEqual(await ack(c.socket, ACK_MS, "to_room", room, "bare"), [true]);
          assert.deepStrictEqual(await a.events.wait("bare", ACK_MS), [[]]);
          assert.deepStrictEqual(await b.events.wait("bare", ACK_MS), [[]]);

          // After b leaves, a relay to `room` reaches b no more: the marker relay to `other`,
          // sent after it by the same client, arrives at b after where it would have been.
          assert.deepStrictEqual(await ack(b.socket, ACK_MS, "leave", room), [true]);
          assert.deepStrictEqual(await ack(c.socket, ACK_MS, "to_room", room, "news", "late"), [true]);
          assert.deepStrictEqual(await ack(c.socket, ACK_MS, "to_room", other, "marker"), [true]);
          await b.events.wait("marker", ACK_MS);
          assert.equal(b.events.all("news").length, 1, "b left the room: only the first news");
          assert.deepStrictEqual(await a.events.wait("news", ACK_MS), [["late"]]);

          // An empty room: the relay goes nowhere and is still acked.
          assert.deepStrictEqual(await ack(a.socket, ACK_MS, "to_room", `${room}-empty`, "news", 1), [true]);
        } finally {
          closeSockets(a.socket, b.socket, c.socket);
        }
      },
    );

    it("rooms() lists the own id room and the joined rooms", { timeout: TEST_MS }, async () => {
      const { socket } = await open();
      try {
        assert.deepStrictEqual(await ack(socket, ACK_MS, "rooms"), [[socket.id]]);
        await ack(socket, ACK_MS, "join", "r1");
        await ack(socket, ACK_MS, "join", "r2");
        await ack(socket, ACK_MS, "join", "r1"); // joining twice changes nothing
        const [rooms] = await ack(socket, ACK_MS, "rooms");
        assert.deepStrictEqual([...rooms].sort(), [socket.id, "r1", "r2"].sort());
        await ack(socket, ACK_MS, "leave", "r1");
        await ack(socket, ACK_MS, "leave", "never-joined");
        const [left] = await ack(socket, ACK_MS, "rooms");
        assert.deepStrictEqual([...left].sort(), [socket.id, "r2"].sort());
      } finally {
        closeSockets(socket);
      }
    });
  });

  describe("server-side disconnect", () => {
    for (const [name, options] of TRANSPORTS) {
      it(
        `${name}: disconnect_me → "io server disconnect", no reconnection`,
        { timeout: TEST_MS },
        async () => {
          const reconnecting = { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 };
          const { socket, events } = await open("/", { ...options, ...reconnecting });
          const manager = socket.io;
          const attempts = [];
          manager.on("reconnect_attempt", (n) => attempts.push(n));
          try {
            await events.next("welcome", ACK_MS);
            const engineClosed = once(manager.engine, "close");
            socket.emit("disconnect_me");
            const [reason] = await events.next("disconnect", ACK_MS);
            assert.equal(reason, "io server disconnect");
            assert.equal(socket.active, false, "the client must not plan a reconnection");
            // The manager had no other namespace, so the client closes the Engine.IO connection.
            await within(ACK_MS, "the client to close the Engine.IO connection", engineClosed);
            // Several reconnection delays pass: nothing happens.
            await delay(500);
            assert.deepStrictEqual(attempts, []);
            assert.equal(events.all("connect").length, 1);
          } finally {
            closeSockets(socket);
          }
        },
      );
    }
  });

  describe("ask / question", () => {
    for (const [name, options] of TRANSPORTS) {
      it(
        `${name}: question comes with an ack; ask acks the first answer argument`,
        { timeout: TEST_MS },
        async () => {
          const { socket } = await open("/", options);
          const questions = [];
          socket.on("question", (...args) => {
            const answer = args.pop();
            assert.equal(typeof answer, "function", "question must be sent with an ack id");
            questions.push(args);
            answer({ reply: plain(args[0]) ?? null }, "ignored second answer argument");
          });
          try {
            const args = ["q1", 2, { three: [3] }];
            assert.deepStrictEqual(await ack(socket, ACK_MS, "ask", ...args), [{ reply: "q1" }]);
            assert.deepStrictEqual(questions, [args]);

            // Several asks in flight at once.
            const asks = await Promise.all([
              ack(socket, ACK_MS, "ask", "second", [2]),
              ack(socket, ACK_MS, "ask"),
              ack(socket, ACK_MS, "ask", { third: 3 }),
            ]);
            assert.deepStrictEqual(asks, [
              [{ reply: "second" }],
              [{ reply: null }],
              [{ reply: { third: 3 } }],
            ]);
            assert.deepStrictEqual(questions.slice(1), [["second", [2]], [], [{ third: 3 }]]);
          } finally {
            closeSockets(socket);
          }
        },
      );

      it(`${name}: binary question and binary answer`, { timeout: TEST_MS }, async () => {
        const { socket } = await open("/", options);
        const questions = [];
        socket.on("question", (...args) => {
          const answer = args.pop();
          questions.push(args);
          answer(...args); // answers with the question's own arguments
        });
        try {
          const args = [{ b: bin(4), list: [bin(), "s"] }, bin(1, 2, 3)];
          assert.deepStrictEqual(plain(await ack(socket, ACK_MS, "ask", ...args)), plain([args[0]]));
          assert.deepStrictEqual(plain(questions), plain([args]));
          assert.deepStrictEqual(plain(await ack(socket, ACK_MS, "ask", bin(9, 8), "second")), [bin(9, 8)]);
        } finally {
          closeSockets(socket);
        }
      });
    }

    it(
      "while ask waits for the answer, the socket's other events are served",
      { timeout: TEST_MS },
      async () => {
        // A natural client: its question handler asks the server something before answering.
        const { socket } = await open();
        socket.on("question", async (...args) => {
          const answer = args.pop();
          const [echoed] = await ack(socket, ACK_MS, "echo", `echoed ${args[0]}`).catch((err) => [
            err.message,
          ]);
          answer(echoed);
        });
        try {
          const start = Date.now();
          assert.deepStrictEqual(await ack(socket, 7_000, "ask", "q"), ["echoed q"]);
          assert.ok(Date.now() - start < 2_000, `ask took ${Date.now() - start} ms`);
        } finally {
          closeSockets(socket);
        }
      },
    );

    it("an unanswered question makes ask ack {error: timeout} after 5 s", { timeout: 10_000 }, async () => {
      const { socket } = await open();
      let asked;
      const questioned = new Promise((resolve) => {
        socket.on("question", (...args) => {
          asked = Date.now();
          resolve(args);
        }); // never answers
      });
      try {
        const start = Date.now();
        const answer = ack(socket, 7_000, "ask", "silence");
        const args = await within(ACK_MS, "the question", questioned);
        assert.equal(typeof args.pop(), "function");
        assert.deepStrictEqual(args, ["silence"]);
        // Another client is served meanwhile.
        const other = await open();
        await assertEcho(other.socket, ["meanwhile"], 1_000).finally(() => closeSockets(other.socket));
        assert.deepStrictEqual(await answer, [{ error: "timeout" }]);
        const waited = Date.now() - asked;
        assert.ok(waited >= ASK_TIMEOUT_MS - 250, `ask gave up after ${waited} ms, before the 5 s`);
        assert.ok(Date.now() - start <= 7_000);
        // The socket still works afterwards.
        await assertEcho(socket, ["still here"]);
      } finally {
        closeSockets(socket);
      }
    });
  });

  describe("/admin (on its own app: exact counts)", () => {
    let own;
    before(async () => {
      own = await startApp();
    });
    after(async () => {
      await own?.stop();
    });

    /** An admin socket on the own app, once `/` has no socket left from earlier tests. */
    async function quietAdmin() {
      const admin = await open("/admin", { auth: ADMIN_AUTH }, own);
      await eventually(
        ACK_MS,
        "no socket on / (left from earlier tests)",
        () => adminCount(admin.socket),
        (n) => n === 0,
      );
      return admin;
    }

    it("connects with {token: secret} only", { timeout: TEST_MS }, async () => {
      for (const auth of [undefined, {}, { token: "wrong" }, { token: "bad" }, { token: ["secret"] }]) {
        const socket = client(own.url, "/admin", auth ? { auth } : {});
        try {
          const err = await connectError(
            socket,
            CONNECT_MS,
            `a connect_error for auth ${JSON.stringify(auth)}`,
          );
          assert.equal(err.message, "unauthorized", `auth ${JSON.stringify(auth)}`);
        } finally {
          closeSockets(socket);
        }
      }
      const { socket, events } = await open("/admin", { auth: ADMIN_AUTH }, own);
      try {
        await assert.doesNotReject(adminCount(socket));
        assert.deepStrictEqual(events.all("welcome"), [], "welcome is for / only");
      } finally {
        closeSockets(socket);
      }
    });

    it("count() is the number of sockets on /", { timeout: TEST_MS }, async () => {
      const admin = await quietAdmin();
      const clients = [];
      try {
        clients.push(
          ...(await Promise.all([open("/", WEBSOCKET, own), open("/", POLLING, own), open("/", {}, own)])),
        );
        assert.equal(await adminCount(admin.socket), 3);
        // Refused and other-namespace sockets do not count.
        const refused = client(own.url, "/", { auth: { token: "bad" } });
        await connectError(refused, CONNECT_MS).finally(() => closeSockets(refused));
        const dyn = await open("/dyn-count", {}, own);
        clients.push(dyn);
        assert.equal(await adminCount(admin.socket), 3);

        closeSockets(clients[0].socket); // client-side disconnect
        await eventually(
          ACK_MS,
          "count 2 after a client disconnect",
          () => adminCount(admin.socket),
          (n) => n === 2,
        );
        clients[1].socket.emit("disconnect_me"); // server-side disconnect
        await eventually(
          ACK_MS,
          "count 1 after disconnect_me",
          () => adminCount(admin.socket),
          (n) => n === 1,
        );
        clients[2].socket.io.engine.close(); // the Engine.IO connection closes under the socket
        await eventually(
          ACK_MS,
          "count 0 after the transport closed",
          () => adminCount(admin.socket),
          (n) => n === 0,
        );
      } finally {
        closeSockets(
          admin.socket,
          clients.map((c) => c.socket),
        );
      }
    });

    it("rooms() lists named rooms only; empty rooms disappear", { timeout: TEST_MS }, async () => {
      const admin = await quietAdmin();
      const [a, b, c, d] = await Promise.all([
        open("/", {}, own),
        open("/", WEBSOCKET, own),
        open("/", POLLING, own),
        open("/", {}, own),
      ]);
      try {
        assert.deepStrictEqual(
          await adminRooms(admin.socket),
          [],
          "no named room yet (id rooms are left out)",
        );
        await ack(a.socket, ACK_MS, "join", "alpha");
        await ack(b.socket, ACK_MS, "join", "alpha");
        await ack(b.socket, ACK_MS, "join", "beta");
        await ack(c.socket, ACK_MS, "join", "gamma");
        await ack(d.socket, ACK_MS, "join", "delta");
        assert.deepStrictEqual(await adminRooms(admin.socket), ["alpha", "beta", "delta", "gamma"]);

        await ack(a.socket, ACK_MS, "leave", "alpha");
        assert.deepStrictEqual(
          await adminRooms(admin.socket),
          ["alpha", "beta", "delta", "gamma"],
          "b is still in alpha",
        );
        await ack(b.socket, ACK_MS, "leave", "beta");
        assert.deepStrictEqual(
          await adminRooms(admin.socket),
          ["alpha", "delta", "gamma"],
          "beta's last member left",
        );

        closeSockets(b.socket); // alpha's last member disconnects
        await eventually(
          ACK_MS,
          "alpha gone",
          () => adminRooms(admin.socket),
          (r) => !r.includes("alpha"),
        );
        c.socket.io.engine.close(); // gamma's last member's connection closes
        await eventually(
          ACK_MS,
          "gamma gone",
          () => adminRooms(admin.socket),
          (r) => !r.includes("gamma"),
        );
        d.socket.emit("disconnect_me"); // delta's last member is disconnected by the server
        await eventually(
          ACK_MS,
          "delta gone",
          () => adminRooms(admin.socket),
          (r) => !r.includes("delta"),
        );
        assert.deepStrictEqual(await adminRooms(admin.socket), []);
      } finally {
        closeSockets(admin.socket, a.socket, b.socket, c.socket, d.socket);
      }
    });
  });

  describe("namespaces", () => {
    for (const [name, options] of TRANSPORTS) {
      it(`${name}: /dyn-abc echoes like /`, { timeout: TEST_MS }, async () => {
        const { socket, events } = await open("/dyn-abc", options);
        try {
          for (const [, args] of ECHO_CASES) await assertEcho(socket, args);
          assert.deepStrictEqual(events.all("welcome"), [], "welcome is for / only");
        } finally {
          closeSockets(socket);
        }
      });
    }

    for (const nsp of ["/unknown", "/dyn-", "/dynabc", "/admin2", "/Dyn-abc"]) {
      it(`${nsp} is refused with a connect_error`, { timeout: TEST_MS }, async () => {
        const socket = client(app.url, nsp);
        try {
          const err = await connectError(socket, CONNECT_MS);
          assert.ok(err instanceof Error && err.message, "the connect_error carries a message");
        } finally {
          closeSockets(socket);
        }
      });
    }

    for (const [name, options] of TRANSPORTS) {
      it(
        `${name}: /, /admin and /dyn-x share one Engine.IO connection; leaving one keeps the others`,
        { timeout: TEST_MS },
        async () => {
          const manager = new Manager(app.url, { path: ECHO_PATH, reconnection: false, ...options });
          const root = manager.socket("/");
          const admin = manager.socket("/admin", { auth: ADMIN_AUTH });
          const dyn = manager.socket("/dyn-x");
          const rootEvents = new Events(root);
          try {
            await Promise.all([root, admin, dyn].map((s) => connected(s, CONNECT_MS)));
            const engine = manager.engine;
            const engineId = engine.id;
            assert.ok(engineId);
            for (const s of [root, admin, dyn]) assert.equal(s.io.engine, engine);
            assert.equal(new Set([root.id, admin.id, dyn.id]).size, 3, "each namespace has its own id");
            assert.deepStrictEqual((await rootEvents.next("welcome", ACK_MS))[0], { sid: root.id });

            // All three at once over the one connection.
            const [, count] = await Promise.all([
              assertEcho(root, ["r", bin(1)]),
              adminCount(admin),
              assertEcho(dyn, ["d", bin(2)]),
            ]);
            assert.ok(count >= 1);

            admin.disconnect();
            await assertEcho(root, ["after /admin left"]);
            await assertEcho(dyn, [{ after: "/admin left" }, bin(3)]);

            dyn.disconnect();
            await assertEcho(root, ["after /dyn-x left"]);

            // Rejoining /admin goes over the same connection.
            admin.connect();
            await connected(admin, CONNECT_MS, "/admin again");
            await adminCount(admin);

            root.disconnect();
            await adminCount(admin);
            assert.equal(manager.engine, engine);
            assert.equal(engine.id, engineId, "the Engine.IO connection stayed the same");
            assert.equal(engine.readyState, "open");
          } finally {
            closeSockets(root, admin, dyn);
          }
        },
      );
    }
  });

  describe("ordering", () => {
    const N = 10_000;

    for (const [name, options] of [
      ["default transports", DEFAULT],
      ["polling only", POLLING],
    ]) {
      it(`${name}: ${N} rapid echoes are acked in order`, { timeout: 90_000 }, async () => {
        const { socket } = await open("/", options);
        try {
          const acked = [];
          const all = new Promise((resolve) => {
            for (let i = 0; i < N; i++) {
              socket.emit("echo", i, `m${i}`, (...answer) => {
                acked.push(answer);
                if (acked.length === N) resolve();
              });
            }
          });
          await within(60_000, `${N} echo acks (got ${acked.length} so far)`, all);
          const wrong = acked.findIndex(([n, m], i) => n !== i || m !== `m${i}`);
          assert.equal(wrong, -1, `ack #${wrong} was ${JSON.stringify(acked[wrong])}`);
        } finally {
          closeSockets(socket);
        }
      });
    }

    it(`${N} to_room relays reach another client in order`, { timeout: 90_000 }, async () => {
      const room = `order-${randomBytes(4).toString("hex")}`;
      const [sender, receiver] = await Promise.all([open(), open()]);
      try {
        await ack(receiver.socket, ACK_MS, "join", room);
        await ack(sender.socket, ACK_MS, "join", room);
        let acks = 0;
        const allAcked = new Promise((resolve) => {
          for (let i = 0; i < N; i++) {
            sender.socket.emit("to_room", room, "seq", i, (ok) => {
              assert.equal(ok, true);
              if (++acks === N) resolve();
            });
          }
        });
        const received = await receiver.events.wait("seq", 60_000, { count: N });
        await within(10_000, `${N} to_room acks (got ${acks})`, allAcked);
        const wrong = received.findIndex((args, i) => args.length !== 1 || args[0] !== i);
        assert.equal(wrong, -1, `relay #${wrong} was ${JSON.stringify(received[wrong])}`);
        assert.deepStrictEqual(sender.events.all("seq"), [], "the sender must not receive its own relays");
      } finally {
        closeSockets(sender.socket, receiver.socket);
      }
    });
  });

  describe("payload limit (maxHttpBufferSize 1 000 000)", () => {
    const justUnder = randomBytes((MAX_PAYLOAD - 10_000) / 2).toString("hex");

    for (const [name, options] of TRANSPORTS.slice(0, 2)) {
      it(`${name}: a ${justUnder.length}-char string is echoed`, { timeout: TEST_MS }, async () => {
        assert.equal(justUnder.length, MAX_PAYLOAD - 10_000);
        const { socket } = await open("/", options);
        try {
          const [echoed] = await ack(socket, 15_000, "echo", justUnder);
          assert.equal(echoed.length, justUnder.length);
          assert.ok(echoed === justUnder, "the echoed string differs");
          // Polling carries binary as base64 (4/3 larger), within the same 1 MB limit.
          const bytes = randomBytes(
            options === POLLING ? ((MAX_PAYLOAD - 10_000) / 4) * 3 : MAX_PAYLOAD - 10_000,
          );
          const [echoedBytes] = await ack(socket, 15_000, "echo", bytes);
          assert.ok(bytes.equals(plain(echoedBytes)), "the echoed buffer differs");
        } finally {
          closeSockets(socket);
        }
      });
    }

    const over = [
      ["websocket, text", WEBSOCKET, () => "x".repeat(MAX_PAYLOAD + 1)],
      ["websocket, binary", WEBSOCKET, () => Buffer.alloc(MAX_PAYLOAD + 1, 1)],
      ["polling, text", POLLING, () => "x".repeat(MAX_PAYLOAD + 1)],
      ["polling, binary", POLLING, () => Buffer.alloc(MAX_PAYLOAD, 1)], // base64 makes it bigger
    ];
    for (const [name, options, make] of over) {
      it(`${name}: over 1 000 000 bytes closes only that client`, { timeout: TEST_MS }, async () => {
        const [bystander, bystanderPolling] = await Promise.all([open("/", WEBSOCKET), open("/", POLLING)]);
        const { socket, events } = await open("/", options);
        try {
          await assertEcho(socket, ["before"]);
          let echoed = false;
          socket.emit("echo", make(), () => (echoed = true));
          const [reason] = await events.next("disconnect", 10_000);
          assert.equal(echoed, false, "an over-limit message must not be echoed");
          assert.ok(DROPPED.includes(reason), `disconnect reason ${reason}`);
          // Everyone else is still served, and new clients too.
          await assertEcho(bystander.socket, ["still served"]);
          await assertEcho(bystanderPolling.socket, ["still served", bin(1)]);
          const fresh = await open("/", options);
          await assertEcho(fresh.socket, ["new client"]).finally(() => closeSockets(fresh.socket));
          assert.deepStrictEqual(bystander.events.all("disconnect"), []);
          assert.deepStrictEqual(bystanderPolling.events.all("disconnect"), []);
        } finally {
          closeSockets(socket, bystander.socket, bystanderPolling.socket);
        }
      });
    }
  });

  describe("exact doubles and deep data (max_json_depth 1000)", () => {
    // Doubles whose JSON text Boost.JSON 1.81 misread (-2.5e-300 came back as
    // -2.5000000000000003e-300), subnormals, the ends of the range, and where JavaScript's
    // number format changes. Each must come back as the same double.
    const DOUBLES = [
      -2.5e-300, 2.5e-300, -1.23456789e-300, 4.37936164503e-142, 3.86340473892441e-179, 0.1, 0.2,
      0.30000000000000004, 1 / 3, Math.PI, 5e-324, -5e-324, 1.5e-323, 1e-320, 2.225073858507201e-308,
      2.2250738585072014e-308, 8.98846567431158e307, 1.7976931348623157e308, -1.7976931348623157e308,
      1e21, 1.5e21, 1e20, 123456789012345680000, 1e-7, 1.7e-7, 0.000001, 2 ** 53 + 2, 72057594037927940,
      6.02214076e23,
    ];
    const LIMIT = 1000;

    /** `leaf` inside `depth` levels: arrays, objects, or both in turn (outermost an array). */
    function nest(depth, kind, leaf = 1.5) {
      let value = leaf;
      for (let level = depth - 1; level >= 0; level--) {
        const array = kind === "arrays" || (kind === "mixed" && level % 2 === 0);
        value = array ? [value] : { k: value };
      }
      return value;
    }

    for (const [name, options] of TRANSPORTS.slice(0, 2)) {
      it(`${name}: doubles come back as the same doubles`, { timeout: TEST_MS }, async () => {
        const { socket } = await open("/", options);
        try {
          const [list, ...singles] = await ack(socket, ACK_MS, "echo", DOUBLES, ...DOUBLES);
          assert.equal(JSON.stringify(list), JSON.stringify(DOUBLES));
          for (const [i, d] of DOUBLES.entries()) {
            assert.ok(Object.is(list[i], d), `element ${i}: sent ${d}, got ${list[i]}`);
            assert.ok(Object.is(singles[i], d), `argument ${i + 2}: sent ${d}, got ${singles[i]}`);
          }
        } finally {
          closeSockets(socket);
        }
      });

      it(`${name}: data ${LIMIT} levels deep comes back unchanged`, { timeout: TEST_MS }, async () => {
        const { socket } = await open("/", options);
        try {
          const args = [
            nest(LIMIT, "arrays"),
            nest(LIMIT, "objects", -2.5e-300),
            nest(LIMIT, "mixed", "leaf"),
            // A buffer at the bottom: its placeholder object is level 1000.
            nest(LIMIT - 1, "mixed", bin(1, 2, 3)),
          ];
          const answer = await ack(socket, ACK_MS, "echo", ...args);
          assert.equal(answer.length, args.length);
          for (const [i, arg] of args.entries()) {
            assert.equal(canonical(answer[i]), canonical(arg), `argument ${i + 1} differs`);
          }
          await assertEcho(socket, ["after the deep ones"]);
        } finally {
          closeSockets(socket);
        }
      });

      it(`${name}: data ${LIMIT + 1} levels deep closes only that client`, { timeout: TEST_MS }, async () => {
        const [bystander, bystanderPolling] = await Promise.all([open("/", WEBSOCKET), open("/", POLLING)]);
        const { socket, events } = await open("/", options);
        try {
          await assertEcho(socket, ["before"]);
          let echoed = false;
          socket.emit("echo", nest(LIMIT + 1, "mixed"), () => (echoed = true));
          const [reason] = await events.next("disconnect", 10_000);
          assert.equal(echoed, false, "data nested too deep must not be echoed");
          // Corio closes the Engine.IO connection on a packet that does not decode, as
          // socket.io does; the client sees its transport close.
          assert.equal(reason, "transport close");
          await assertEcho(bystander.socket, ["still served", nest(LIMIT, "arrays")]);
          await assertEcho(bystanderPolling.socket, ["still served", bin(1)]);
          const fresh = await open("/", options);
          await assertEcho(fresh.socket, ["new client"]).finally(() => closeSockets(fresh.socket));
          assert.deepStrictEqual(bystander.events.all("disconnect"), []);
          assert.deepStrictEqual(bystanderPolling.events.all("disconnect"), []);
        } finally {
          closeSockets(socket, bystander.socket, bystanderPolling.socket);
        }
      });
    }
  });

  describe("load", () => {
    it("200 concurrent clients (polling → websocket) echo 5 times each", { timeout: 90_000 }, async () => {
      const N = 200;
      const ECHOES = 5;
      const clients = Array.from({ length: N }, () => client(app.url, "/"));
      let done = 0;
      try {
        const runs = clients.map(async (socket, i) => {
          const engine = socket.io.engine;
          const upgraded = new Promise((resolve, reject) => {
            engine.once("upgrade", resolve);
            engine.once("upgradeError", (err) =>
              reject(new Error(`client ${i}: upgrade failed: ${err?.message ?? err}`)),
            );
          });
          upgraded.catch(() => {});
          await connected(socket, 60_000, `client ${i} to connect`);
          if (engine.transport.name !== "websocket") await upgraded;
          assert.equal(engine.transport.name, "websocket");
          for (let k = 0; k < ECHOES; k++) {
            const args = [i, k, { client: i, bin: bin(i & 0xff, k) }];
            const answer = await ack(socket, 30_000, "echo", ...args);
            assert.deepStrictEqual(plain(answer), plain(args));
          }
          done++;
          return socket.id;
        });
        const ids = await within(60_000, `${N} clients (done: ${done})`, Promise.all(runs));
        assert.equal(new Set(ids).size, N, "socket ids must be unique");
      } finally {
        closeSockets(clients);
      }
    });
  });

  /**
   * A raw websocket and a raw polling session, both connected to `/`, the polling one with a
   * GET pending: what a restart sends them, byte for byte.
   */
  async function rawClients(target) {
    const ws = new WebSocket(`ws://127.0.0.1:${target.port}${ECHO_PATH}?EIO=4&transport=websocket`);
    const frames = [];
    const wsClosed = new Promise((resolve) => ws.on("close", (code) => resolve({ frames, code })));
    wsClosed.catch(() => {});
    const welcomed = new Promise((resolve, reject) => {
      ws.on("error", reject);
      ws.on("message", (data) => {
        const text = data.toString();
        frames.push(text);
        if (text.startsWith("0{")) ws.send("40");
        if (text.startsWith('42["welcome"')) resolve();
      });
    });
    try {
      await within(CONNECT_MS, "the raw websocket's welcome", welcomed);
      const handshake = await http(target, "GET", `${ECHO_PATH}?EIO=4&transport=polling`);
      const { sid } = JSON.parse(handshake.body.slice(1));
      const session = `${ECHO_PATH}?EIO=4&transport=polling&sid=${sid}`;
      assert.equal((await http(target, "POST", session, "40")).body, "ok");
      const first = await http(target, "GET", session);
      assert.match(first.body ?? "", /welcome/, `polling CONNECT + welcome: ${JSON.stringify(first)}`);
      const pendingGet = http(target, "GET", session);
      return { wsClosed, pendingGet, close: () => ws.terminate() };
    } catch (err) {
      ws.terminate();
      throw err;
    }
  }

  describe("restart on /admin (on its own app)", () => {
    let own;
    before(async () => {
      own = await startApp();
    });
    after(async () => {
      await own?.stop();
    });

    it(
      "acks true, drops every client, and a reconnecting client gets a new welcome",
      { timeout: TEST_MS },
      async () => {
        const DOWN_MS = 500;
        const reconnecting = {
          reconnection: true,
          reconnectionDelay: 100,
          reconnectionDelayMax: 200,
          randomizationFactor: 0,
        };
        const all = [];
        let raw;
        let engineIo;
        try {
          const [admin, ws, polling, dyn, phoenix] = await Promise.all([
            open("/admin", { auth: ADMIN_AUTH }, own),
            open("/", WEBSOCKET, own),
            open("/", POLLING, own),
            open("/dyn-r", {}, own),
            open("/", reconnecting, own),
          ]);
          all.push(admin, ws, polling, dyn, phoenix);
          raw = await rawClients(own);
          engineIo = await engineConnect(own.url, { transports: ["websocket"] }); // /engine.io/
          const engineIoClosed = once(engineIo.socket, "close");

          const [firstWelcome] = await phoenix.events.next("welcome", ACK_MS);
          assert.deepStrictEqual(firstWelcome, { sid: phoenix.socket.id });
          await ack(phoenix.socket, ACK_MS, "join", "before-restart");
          assert.deepStrictEqual(await adminRooms(admin.socket), ["before-restart"]);
          const mark = phoenix.events.log.length;

          assert.deepStrictEqual(await ack(admin.socket, ACK_MS, "restart", DOWN_MS), [true]);
          const reasons = await Promise.all(
            all.map(async (c) => (await c.events.next("disconnect", 3_000))[0]),
          );
          for (const reason of reasons) assert.ok(DROPPED.includes(reason), `disconnect reasons ${reasons}`);
          await within(3_000, "the /engine.io/ connection to drop", engineIoClosed);
          // A crash sends nothing: no Socket.IO DISCONNECT, no Engine.IO close packet.
          const { frames } = await within(3_000, "the raw websocket to drop", raw.wsClosed);
          assert.deepStrictEqual(
            frames.filter((f) => f === "1" || f.startsWith("41")),
            [],
            `websocket got ${frames}`,
          );
          const poll = await within(3_000, "the pending polling GET to end", raw.pendingGet);
          const packets = poll.error ? [] : poll.body.split("\x1e");
          assert.ok(
            !packets.some((p) => p === "1" || p.startsWith("41")),
            `pending GET got ${JSON.stringify(poll)}`,
          );

          // The listener is down for a while: a TCP connection is refused.
          const refused = await new Promise((resolve) => {
            const probe = tcpConnect(own.port, "127.0.0.1");
            probe.once("connect", () => {
              probe.destroy();
              resolve(false);
            });
            probe.once("error", (err) => resolve(err.code === "ECONNREFUSED"));
          });
          assert.ok(refused, "the listener must be down right after the restart");

          // It comes back on the same port with empty state; the reconnecting client gets in.
          const [welcome] = await phoenix.events.next("welcome", 5_000, mark);
          assert.equal(phoenix.socket.connected, true);
          assert.deepStrictEqual(welcome, { sid: phoenix.socket.id });
          assert.notEqual(welcome.sid, firstWelcome.sid, "a restarted server gives a new sid");
          await assertEcho(phoenix.socket, ["after restart", bin(7)]);
          for (const c of [admin, ws, polling, dyn])
            assert.equal(c.socket.connected, false, "reconnection: false stays down");

          const admin2 = await open("/admin", { auth: ADMIN_AUTH }, own);
          all.push(admin2);
          assert.equal(await adminCount(admin2.socket), 1, "only the reconnected client is on /");
          assert.deepStrictEqual(await adminRooms(admin2.socket), [], "the rooms are gone with the restart");
        } finally {
          closeSockets(all.map((c) => c.socket));
          closeAll(engineIo?.socket);
          raw?.close();
        }
      },
    );
  });
});
