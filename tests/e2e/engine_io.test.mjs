// The conformance app's `/engine.io/` echo server (spec: conformance-app.md part A) driven by
// the official engine.io-client. Every wait is bounded; nothing sleeps and hopes.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { Socket } from "engine.io-client";

import { startApp } from "./lib/app.mjs";
import { asBuffer, closeAll, connect, once, within } from "./lib/wait.mjs";

const MAX_PAYLOAD = 1_000_000;
const PING_INTERVAL_MS = 300;
const ECHO_MS = 5_000;
const TEST_MS = 30_000;

const POLLING = { transports: ["polling"] };
const WEBSOCKET = { transports: ["websocket"] };
const TRANSPORTS = [
  ["polling", POLLING],
  ["websocket", WEBSOCKET],
];

let app;

before(async () => {
  app = await startApp();
});

after(async () => {
  await app?.stop();
});

/** Connects, runs `body({socket, inbox})`, and always closes the socket. */
async function withClient(options, body) {
  const client = await connect(app.url, options);
  try {
    return await body(client);
  } finally {
    closeAll(client.socket);
  }
}

async function echoText({ socket, inbox }, text) {
  socket.send(text);
  const echoed = await inbox.next(ECHO_MS, `the echo of ${JSON.stringify(text.slice(0, 40))}`);
  assert.equal(typeof echoed, "string", "a text message must come back as text");
  assert.equal(echoed, text);
}

describe("engine.io echo with the official client", () => {
  describe("(a) polling only", () => {
    it("opens, sends text and receives the echo", { timeout: TEST_MS }, () =>
      withClient(POLLING, async (client) => {
        assert.equal(client.socket.transport.name, "polling");
        await echoText(client, "hello");
        await echoText(client, "héllo wörld ✓ 🎉"); // multi-byte UTF-8
        assert.equal(client.socket.transport.name, "polling");
      }));
  });

  describe("(b) websocket only", () => {
    it("opens, sends text and receives the echo", { timeout: TEST_MS }, () =>
      withClient(WEBSOCKET, async (client) => {
        assert.equal(client.socket.transport.name, "websocket");
        await echoText(client, "hello");
        await echoText(client, "héllo wörld ✓ 🎉");
      }));
  });

  describe("(c) default: polling then upgrade", () => {
    it("upgrades to websocket and still echoes", { timeout: TEST_MS }, async () => {
      const socket = new Socket(app.url, { path: "/engine.io/" });
      try {
        const opened = once(socket, "open");
        const upgraded = once(socket, "upgrade");
        const failed = new Promise((_, reject) => {
          socket.on("upgradeError", (err) => reject(new Error(`upgrade failed: ${err?.message ?? err}`)));
          socket.on("close", (reason) => reject(new Error(`closed during upgrade: ${reason}`)));
          socket.on("error", (err) => reject(new Error(`error: ${err?.message ?? err}`)));
        });
        failed.catch(() => {}); // rejections after success are irrelevant
        await within(ECHO_MS, "open", Promise.race([opened, failed]));
        assert.equal(socket.transport.name, "polling", "the default client starts with polling");
        const [transport] = await within(ECHO_MS, "the upgrade event", Promise.race([upgraded, failed]));
        assert.equal(transport.name, "websocket");
        assert.equal(socket.transport.name, "websocket");

        const echoed = once(socket, "message");
        socket.send("after upgrade");
        assert.deepEqual(await within(ECHO_MS, "the echo after upgrade", echoed), ["after upgrade"]);
        assert.equal(socket.transport.name, "websocket");
      } finally {
        closeAll(socket);
      }
    });

    it("keeps order across the upgrade", { timeout: TEST_MS }, async () => {
      // Messages sent before, during and after the upgrade come back in order.
      const { socket, inbox } = await connect(app.url, {});
      try {
        const sent = [];
        const send = (n) => {
          for (let i = 0; i < n; i++) {
            const m = `m${sent.length}`;
            sent.push(m);
            socket.send(m);
          }
        };
        send(50);
        const upgraded = once(socket, "upgrade");
        send(50);
        await within(ECHO_MS, "the upgrade event", upgraded);
        send(50);
        assert.deepEqual(await inbox.take(sent.length, ECHO_MS), sent);
        assert.equal(socket.transport.name, "websocket");
      } finally {
        closeAll(socket);
      }
    });
  });

  describe("(d) binary echo", () => {
    for (const [name, options] of TRANSPORTS) {
      it(`echoes Uint8Array and Buffer over ${name}`, { timeout: TEST_MS }, () =>
        withClient(options, async ({ socket, inbox }) => {
          const small = new Uint8Array([1, 2, 3, 4]);
          socket.send(small);
          assert.deepEqual(asBuffer(await inbox.next(ECHO_MS, "binary echo")), Buffer.from(small));

          const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
          socket.send(every);
          assert.deepEqual(asBuffer(await inbox.next(ECHO_MS, "binary echo")), every);

          // Text and binary interleaved keep their kinds and their order.
          socket.send("text");
          socket.send(Buffer.from([0xff, 0x00]));
          socket.send("4not a packet type");
          const [a, b, c] = await inbox.take(3, ECHO_MS);
          assert.equal(a, "text");
          assert.deepEqual(asBuffer(b), Buffer.from([0xff, 0x00]));
          assert.equal(c, "4not a packet type");
        }));
    }
  });

  describe("(e) many messages in order", () => {
    for (const [name, options] of TRANSPORTS) {
      it(`echoes 2000 messages sent at once over ${name}, in order`, { timeout: TEST_MS }, () =>
        withClient(options, async ({ socket, inbox }) => {
          const sent = Array.from({ length: 2000 }, (_, i) => `message ${i}`);
          for (const m of sent) socket.send(m);
          const got = await inbox.take(sent.length, 20_000, "2000 echoes");
          assert.deepEqual(got, sent);
        }));
    }
  });

  describe("(f) large messages just under maxPayload", () => {
    const size = MAX_PAYLOAD - 10_000;
    for (const [name, options] of TRANSPORTS) {
      it(`echoes a ${size}-byte text message over ${name}`, { timeout: TEST_MS }, () =>
        withClient(options, async ({ socket, inbox }) => {
          const text = "abcdefghij".repeat(size / 10);
          socket.send(text);
          const echoed = await inbox.next(10_000, "the large echo");
          assert.equal(echoed.length, text.length);
          assert.ok(echoed === text, "large text echoed unchanged");
        }));
    }

    it(`echoes a ${size}-byte binary message over websocket`, { timeout: TEST_MS }, () =>
      withClient(WEBSOCKET, async ({ socket, inbox }) => {
        const bytes = Buffer.alloc(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31) & 0xff;
        socket.send(bytes);
        const echoed = asBuffer(await inbox.next(10_000, "the large binary echo"));
        assert.equal(echoed.length, size);
        assert.ok(echoed.equals(bytes), "large binary echoed unchanged");
      }));

    // Over polling binary travels as "b" + base64, 4/3 of its size, and the whole POST body
    // must stay under maxPayload: 700 000 bytes become 933 337 characters.
    it("echoes a 700000-byte binary message over polling", { timeout: TEST_MS }, () =>
      withClient(POLLING, async ({ socket, inbox }) => {
        const bytes = Buffer.alloc(700_000);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
        socket.send(bytes);
        const echoed = asBuffer(await inbox.next(10_000, "the large binary echo"));
        assert.ok(echoed.equals(bytes), "large binary echoed unchanged");
      }));
  });

  describe("(g) a message over maxPayload", () => {
    for (const [name, options] of TRANSPORTS) {
      it(`closes only the sender over ${name}`, { timeout: TEST_MS }, async () => {
        const offender = await connect(app.url, options);
        const bystander = await connect(app.url, options);
        try {
          await echoText(bystander, "before");
          const closed = once(offender.socket, "close");
          offender.socket.send("x".repeat(MAX_PAYLOAD + 1));
          const [reason] = await within(10_000, "the server to close the offending client", closed);
          assert.ok(reason, "close has a reason");

          await echoText(bystander, "after");
          assert.equal(bystander.socket.readyState, "open");

          // The server keeps accepting new clients too.
          await withClient(options, (fresh) => echoText(fresh, "fresh"));
        } finally {
          closeAll(offender.socket, bystander.socket);
        }
      });
    }
  });

  describe("(h) heartbeat", () => {
    for (const [name, options] of TRANSPORTS) {
      it(`keeps a ${name} client open across several ping intervals`, { timeout: TEST_MS }, () =>
        withClient(options, async ({ socket, inbox }) => {
          // The client closes itself ("ping timeout") when pings stop, so counting the
          // pings it answers for ~1.5 s shows the server's heartbeat works.
          const wanted = 5;
          let pings = 0;
          let closedWith = null;
          const done = new Promise((resolve, reject) => {
            socket.on("ping", () => {
              if (++pings >= wanted) resolve();
            });
            socket.on("close", (reason) => {
              closedWith = reason;
              reject(new Error(`closed after ${pings} ping(s): ${reason}`));
            });
          });
          const started = Date.now();
          await within(wanted * PING_INTERVAL_MS + 2_000, `${wanted} pings`, done);
          const elapsed = Date.now() - started;
          assert.ok(
            elapsed >= (wanted - 1) * PING_INTERVAL_MS,
            `${wanted} pings came in ${elapsed} ms: faster than pingInterval ${PING_INTERVAL_MS} ms`,
          );
          assert.equal(closedWith, null);
          assert.equal(socket.readyState, "open");
          assert.equal(inbox.pending, 0, "no message without a send");
          await echoText({ socket, inbox }, "still alive");
        }));
    }
  });
});
