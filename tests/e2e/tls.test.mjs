// The conformance app serving HTTPS and WSS itself (`--tls-cert/--tls-key`, spec part E), driven
// by the official socket.io-client over Node's https agent that trusts only a CA this test makes
// (lib/tls-ca.mjs, the openssl command line). Polling, WebSocket and the upgrade; clients that
// never complete a TLS handshake; the certificate reloaded on SIGHUP.

import assert from "node:assert/strict";
import { Agent } from "node:https";
import { connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { after, before, describe, it } from "node:test";

import { startApp } from "./lib/app.mjs";
import { Events, ack, canonical, client, closeEverything, connectError, connected, eventually } from "./lib/sio.mjs";
import { makeCa } from "./lib/tls-ca.mjs";
import { within } from "./lib/wait.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const TEST_MS = 30_000;
// The listener's default (tls_options::handshake_timeout), plus slack for a loaded machine.
const HANDSHAKE_TIMEOUT_MS = 10_000;
const HANGUP_MS = HANDSHAKE_TIMEOUT_MS + 5_000;

let ca;
let files;
let app;
let agent;

before(async () => {
  ca = makeCa();
  files = ca.issue("server", "first");
  app = await startApp({ tls: files });
  agent = new Agent({ ca: ca.ca });
});

after(async () => {
  closeEverything();
  agent?.destroy();
  await app?.stop();
  ca?.remove();
});

/** A connected client over TLS trusting the test's CA, with its event log started first. */
async function open(options = {}) {
  const socket = client(app.url, "/", { agent, ...options });
  const events = new Events(socket);
  await connected(socket, CONNECT_MS);
  return { socket, events };
}

/** The common name of the certificate the server presents to a new TLS connection. */
function presentedName() {
  return within(
    CONNECT_MS,
    "a TLS handshake",
    new Promise((resolve, reject) => {
      const s = tlsConnect({ host: "127.0.0.1", port: app.port, ca: ca.ca, servername: "localhost" }, () => {
        const name = s.getPeerCertificate().subject?.CN;
        s.end();
        resolve(name);
      });
      s.on("error", reject);
    }),
  );
}

/**
 * Opens a raw TCP connection, writes `bytes`, and resolves once the server ends it, with what the
 * server wrote meanwhile and how long that took. Rejects after `ms`.
 */
function hangupAfter(bytes, ms) {
  const started = Date.now();
  const socket = tcpConnect({ host: "127.0.0.1", port: app.port });
  const received = [];
  const ended = new Promise((resolve) => {
    socket.on("data", (d) => received.push(d));
    socket.on("close", () => resolve({ received: Buffer.concat(received), elapsed: Date.now() - started }));
    socket.on("error", () => {}); // a reset ends it too: 'close' follows
  });
  socket.write(bytes);
  return {
    socket,
    ended: within(ms, "the server to end a connection that sent no TLS handshake", ended).finally(() =>
      socket.destroy(),
    ),
  };
}

const TRANSPORTS = [
  ["polling only (HTTPS)", { transports: ["polling"] }, "polling"],
  ["websocket only (WSS)", { transports: ["websocket"] }, "websocket"],
  ["default: polling, then the upgrade to WSS", {}, "websocket"],
];

describe("the echo app over TLS", { timeout: TEST_MS }, () => {
  for (const [name, options, finalTransport] of TRANSPORTS) {
    it(`connects and echoes, ${name}`, async () => {
      const { socket, events } = await open(options);
      const [welcome] = await events.next("welcome", CONNECT_MS);
      assert.equal(welcome.sid, socket.id);
      const args = ["text", 42, { nested: [1, 2] }, Buffer.from([0, 1, 2, 255])];
      assert.equal(canonical(await ack(socket, ACK_MS, "echo", ...args)), canonical(args));
      // A payload over several TLS records (16 KiB each).
      const big = "x".repeat(100_000);
      assert.deepEqual(await ack(socket, ACK_MS, "echo", big), [big]);
      const engine = socket.io.engine;
      if (engine.transport.name !== finalTransport) {
        await within(CONNECT_MS, "the upgrade to websocket", new Promise((resolve) => engine.once("upgrade", resolve)));
      }
      assert.equal(engine.transport.name, finalTransport);
      assert.deepEqual(await ack(socket, ACK_MS, "echo", "after"), ["after"]);
      socket.disconnect();
    });
  }

  it("is refused by a client that does not trust the certificate", async () => {
    // The same URL and transports the tests above connect with, without the test's CA.
    const polling = client(app.url, "/", { transports: ["polling"] });
    await connectError(polling, CONNECT_MS); // xmlhttprequest-ssl reports only status 0
    polling.disconnect();
    const websocket = client(app.url, "/", { transports: ["websocket"] });
    const err = await connectError(websocket, CONNECT_MS);
    assert.match(String(err.description?.message), /certificate/i);
    websocket.disconnect();
  });

  it("does not speak plain HTTP", async () => {
    const socket = client(app.url.replace("https://", "http://"), "/", { transports: ["polling"] });
    await connectError(socket, CONNECT_MS);
    socket.disconnect();
  });
});

describe("clients that never complete a TLS handshake", { timeout: HANGUP_MS + TEST_MS }, () => {
  it("a plaintext request, garbage, or a stalled handshake costs only its own connection", async () => {
    // Opened first: it stays connected and keeps working throughout.
    const { socket } = await open({ transports: ["websocket"] });
    // Stalled: the start of a ClientHello whose record promises 200 bytes, then nothing.
    const stalled = hangupAfter(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00]), HANGUP_MS);

    const plaintext = await hangupAfter("GET /echo.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\n\r\n", CONNECT_MS)
      .ended;
    assert.ok(!plaintext.received.toString("latin1").includes("HTTP/"), "no HTTP answer in plaintext");
    const garbage = await hangupAfter(Buffer.alloc(64, 0xff), CONNECT_MS).ended;
    assert.ok(garbage.elapsed < HANDSHAKE_TIMEOUT_MS, `garbage refused at once (${garbage.elapsed} ms)`);

    // Meanwhile, with the stalled handshake still pending, everyone else is served.
    assert.deepEqual(await ack(socket, ACK_MS, "echo", "unaffected"), ["unaffected"]);
    const fresh = await open({ transports: ["polling"] });
    assert.deepEqual(await ack(fresh.socket, ACK_MS, "echo", "new"), ["new"]);
    fresh.socket.disconnect();

    // The stalled one is cut at the handshake timeout, not before.
    const { elapsed } = await stalled.ended;
    assert.ok(elapsed >= HANDSHAKE_TIMEOUT_MS - 1_000, `stalled handshake cut after ${elapsed} ms`);
    assert.deepEqual(await ack(socket, ACK_MS, "echo", "still"), ["still"]);
    socket.disconnect();
  });
});

describe("certificate reload", { timeout: TEST_MS }, () => {
  it("SIGHUP serves the renewed certificate to new connections; open ones carry on", async () => {
    assert.equal(await presentedName(), "first");
    const { socket } = await open({ transports: ["websocket"] });

    ca.issue("server", "second"); // renewed in place, as certbot would
    app.kill("SIGHUP");
    await eventually(CONNECT_MS, "the renewed certificate", presentedName, (cn) => cn === "second");
    assert.deepEqual(await ack(socket, ACK_MS, "echo", "same connection"), ["same connection"]);
    const fresh = await open({});
    assert.deepEqual(await ack(fresh.socket, ACK_MS, "echo", "new connection"), ["new connection"]);
    fresh.socket.disconnect();
    socket.disconnect();
  });
});
