// nginx with the configuration docs/operations.md gives (docs/deploy/nginx-corio-game.conf) in
// front of two Corio nodes (the conformance app, twice: two nodes with sessions of their own), and
// the official socket.io-client going through it: long-polling, WebSocket, and the upgrade from
// one to the other. Polling works only if every request of a session reaches the node that holds
// it (the configuration's sticky `ip_hash`); WebSocket only if the proxy passes the upgrade on.
// The documentation must show the file as it is.
//
// Needs CORIO_CONFORMANCE_APP (ctest sets it) and Debian's nginx.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { startApp } from "./lib/app.mjs";
import { SITE_CONFIG, startNginx } from "./lib/nginx.mjs";
import { Events, ack, canonical, client, closeEverything, connected } from "./lib/sio.mjs";
import { within } from "./lib/wait.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const TEST_MS = 30_000;
const ROUND_TRIPS = 20;

const operationsDoc = fileURLToPath(new URL("../../docs/operations.md", import.meta.url));

let nodes = [];
let nginx;

before(async () => {
  nodes = await Promise.all([startApp(), startApp()]);
  nginx = await startNginx(nodes.map((n) => n.port));
});

after(async () => {
  closeEverything();
  await nginx?.stop();
  await Promise.all(nodes.map((n) => n.stop()));
});

/** A client through nginx, connected, with its event log started first. */
async function open(options) {
  const socket = client(nginx.url, "/", options);
  const events = new Events(socket);
  await connected(socket, CONNECT_MS);
  return { socket, events };
}

/** `count` echoes in a row, each awaited, each answered with what it sent. */
async function echoes(socket, count) {
  for (let i = 0; i < count; ++i) {
    const sent = { i, text: "through nginx", bytes: Buffer.from([i, 255 - i]) };
    const answer = await ack(socket, ACK_MS, "echo", sent);
    assert.deepEqual(canonical(answer), canonical([sent]), `echo ${i}`);
  }
}

describe("behind nginx (docs/deploy/nginx-corio-game.conf)", { timeout: TEST_MS }, () => {
  it("long-polling: every request of a session reaches its node", async () => {
    const { socket, events } = await open({ transports: ["polling"] });
    await events.next("welcome", ACK_MS);
    // Each echo is a POST and a GET: on a node without the session, the first one gets
    // "Session ID unknown" and the client drops the connection.
    await echoes(socket, ROUND_TRIPS);
    assert.equal(socket.io.engine.transport.name, "polling");
    assert.ok(socket.connected);
  });

  it("WebSocket from the start: the upgrade headers go through", async () => {
    const { socket } = await open({ transports: ["websocket"] });
    assert.equal(socket.io.engine.transport.name, "websocket");
    await echoes(socket, ROUND_TRIPS);
  });

  it("polling, then the upgrade to WebSocket on the same node", async () => {
    const socket = client(nginx.url, "/");
    // The Manager opened its Engine.IO socket in client(): listen before it can upgrade.
    const engine = socket.io.engine;
    const upgraded = within(CONNECT_MS, "the upgrade to websocket", new Promise((resolve, reject) => {
      engine.once("upgrade", resolve);
      engine.once("upgradeError", (err) => reject(new Error(`upgrade failed: ${err?.message ?? err}`)));
    }));
    await connected(socket, CONNECT_MS);
    await upgraded;
    assert.equal(socket.io.engine.transport.name, "websocket");
    await echoes(socket, ROUND_TRIPS);
  });

  it("docs/operations.md shows the configuration file as it is", () => {
    const doc = readFileSync(operationsDoc, "utf8");
    const file = readFileSync(SITE_CONFIG, "utf8");
    assert.ok(doc.includes("```nginx\n" + file + "```"), `${operationsDoc} must quote ${SITE_CONFIG} verbatim`);
  });
});
