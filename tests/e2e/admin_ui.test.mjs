// The Admin UI's protocol (@socket.io/admin-ui 0.5, spec part E's --admin-ui) as the UI speaks
// it, with the official socket.io-client: login with a bcrypt-checked password, the session id
// that lets a reloaded page back in, the reports (sockets, rooms, events, server_stats) and the
// commands (join, _disconnect). Then two nodes over a real Redis: an admin socket on one node
// sees and disconnects a client of the other. Last, a mixed cluster with a Node socket.io node
// instrumented by the real @socket.io/admin-ui (cluster/node_peer.mjs --admin-ui): each side's
// admin socket sees the other's sockets and stats, and drives the other's sockets.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { startApp } from "./lib/app.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { startServer } from "./lib/server-process.mjs";
import { Events, ack, client, closeEverything, closeSockets, connectError, connected } from "./lib/sio.mjs";

const CONNECT_MS = 5_000;
const EVENT_MS = 5_000;
// server_stats goes out every 2 s.
const STATS_MS = 6_000;
const TEST_MS = 60_000;

// The test vector of @socket.io/admin-ui's own tests: "changeit".
const USER = "admin";
const PASSWORD = "changeit";
const HASH = "$2b$10$nu1FHRkuxkZkqID.31gz4uQsyERZAn.m4IIruysTsHDODBtrqS5Me";
const ADMIN_NSP = "/admin-ui";

const NODE_PEER = fileURLToPath(new URL("./cluster/node_peer.mjs", import.meta.url));

let app;
let redis;
const nodes = [];

/** The echo app on Node, instrumented by @socket.io/admin-ui on /admin-ui. */
async function startNodePeer(name) {
  const { value: port, stop } = await startServer({
    label: `node peer ${name}`,
    path: process.execPath,
    argv: [NODE_PEER, "--port", "0", "--redis", redis.url, "--node-name", name, "--admin-ui", `${USER}:${HASH}`],
    ready: (line) => {
      const m = /^listening on (.+):(\d+)\s*$/.exec(line);
      return m ? Number(m[2]) : undefined;
    },
    readyLine: "listening on <host>:<port>",
  });
  return { url: `http://127.0.0.1:${port}`, stop };
}

/** Waits until server_stats of every server in `ids` reached `events`' socket. */
async function statsOf(events, ids) {
  const servers = new Set();
  for (let count = 1; !ids.every((id) => servers.has(id)); ++count) {
    const stats = await events.wait("server_stats", 2 * STATS_MS, { count, what: `server_stats of ${ids}` });
    for (const [s] of stats) servers.add(s.serverId);
  }
  return servers;
}

before(async () => {
  app = await startApp({ args: ["--admin-ui", `${USER}:${HASH}`, "--node-name", "solo"] });
});

after(async () => {
  closeEverything();
  for (const n of nodes) await n.stop();
  await app?.stop();
  await redis?.stop();
});

/** An admin socket as the UI opens it: its own connection, auth from the login form. */
function admin(url, auth, transports = ["websocket"]) {
  return client(url, ADMIN_NSP, { auth, transports });
}

/** Logs in and waits for everything the UI is sent on connect. */
async function login(url) {
  const socket = admin(url, { username: USER, password: PASSWORD });
  const events = new Events(socket);
  await connected(socket, CONNECT_MS);
  await events.wait("all_sockets", EVENT_MS);
  return { socket, events };
}

/** The first report `event` about socket `id` (its `id` argument at `at`), from log index `from`. */
async function reportAbout(events, event, id, { at, from = 0 } = {}) {
  for (let count = 1; ; ++count) {
    const all = await events.wait(event, EVENT_MS, { count, from, what: `'${event}' about ${id}` });
    const found = all.find((args) => (at === undefined ? args[0].id : args[at]) === id);
    if (found) return found;
  }
}

describe("the Admin UI on one node", { timeout: TEST_MS }, () => {
  it("refuses a wrong password or an unknown session with the text the UI looks for", async () => {
    for (const auth of [
      { username: USER, password: "wrong" },
      { username: "someone", password: PASSWORD },
      {},
      { sessionId: "0123456789abcdef" },
    ]) {
      const socket = admin(app.url, auth);
      const err = await connectError(socket, CONNECT_MS);
      assert.equal(err.message, "invalid credentials", JSON.stringify(auth));
      closeSockets(socket);
    }
  });

  it("logs in: session (after CONNECT), config, all_sockets; a reload gets in with the session id", async () => {
    const socket = admin(app.url, { username: USER, password: PASSWORD });
    // What the UI does: listen for `session` once connected.
    const session = new Promise((resolve) => socket.once("connect", () => socket.once("session", resolve)));
    const events = new Events(socket);
    await connected(socket, CONNECT_MS);
    const id = await session;
    assert.match(id, /^[0-9a-f]{16}$/);
    const [config] = await events.next("config", EVENT_MS);
    assert.deepEqual(
      [...config.supportedFeatures].sort(),
      ["AGGREGATED_EVENTS", "ALL_EVENTS", "DISCONNECT", "EMIT", "JOIN", "LEAVE", "MDISCONNECT", "MJOIN", "MLEAVE"],
    );
    const [sockets] = await events.next("all_sockets", EVENT_MS);
    assert.ok(sockets.some((s) => s.id === socket.id && s.nsp === ADMIN_NSP), "the admin socket itself");
    closeSockets(socket);

    const reloaded = admin(app.url, { sessionId: id });
    await connected(reloaded, CONNECT_MS);
    closeSockets(reloaded);
  });

  it("reports a client's connect, rooms, events and disconnect, and its server's stats", async () => {
    const { socket, events } = await login(app.url);
    const from = events.log.length;
    const user = client(app.url, "/", { transports: ["polling"], auth: { secret: "not for the UI" } });
    await connected(user, CONNECT_MS);

    const [described, connectedAt] = await reportAbout(events, "socket_connected", user.id, { from });
    assert.equal(described.nsp, "/");
    assert.equal(described.transport, "polling");
    assert.equal(typeof described.clientId, "string");
    assert.ok(described.clientId.length > 0);
    assert.deepEqual(described.rooms, [user.id]);
    assert.deepEqual(described.data, {}, "_admin stays out of the data shown");
    assert.equal(described.handshake.query.transport, "polling");
    assert.equal(described.handshake.auth, undefined, "the CONNECT auth is never shown");
    assert.ok(!Number.isNaN(Date.parse(connectedAt)), connectedAt);
    await reportAbout(events, "room_joined", user.id, { at: 2, from });

    assert.deepEqual(await ack(user, EVENT_MS, "join", "lobby"), [true]);
    const joined = await reportAbout(events, "room_joined", "lobby", { at: 1, from });
    assert.deepEqual(joined.slice(0, 3), ["/", "lobby", user.id]);

    const beforeEcho = events.log.length;
    await ack(user, EVENT_MS, "echo", "hello", 42);
    const received = await reportAbout(events, "event_received", user.id, { at: 1, from: beforeEcho });
    assert.deepEqual(received.slice(0, 3), ["/", user.id, ["echo", "hello", 42]]);

    // Stats sent after the echo's ack count the client: one sent before it connected may still be
    // in the log after `from`.
    const [stats] = await events.next("server_stats", STATS_MS, events.log.length);
    assert.equal(stats.serverId, "solo");
    assert.equal(typeof stats.pid, "number");
    assert.ok(stats.clientsCount >= 2, JSON.stringify(stats));
    assert.ok(stats.pollingClientsCount >= 1, JSON.stringify(stats));
    assert.ok(stats.namespaces.some((n) => n.name === "/" && n.socketsCount >= 1), JSON.stringify(stats.namespaces));
    // The Dashboard's charts: this test's own traffic, by second.
    const types = new Set(events.all("server_stats").flatMap(([s]) => s.aggregatedEvents.map((e) => e.type)));
    for (const type of ["rawConnection", "packetsIn", "packetsOut", "bytesIn", "bytesOut"])
      assert.ok(types.has(type), `${type} in ${JSON.stringify(stats.aggregatedEvents)}`);

    const id = user.id;
    closeSockets(user);
    const gone = await reportAbout(events, "socket_disconnected", id, { at: 1, from });
    assert.deepEqual(gone.slice(0, 3), ["/", id, "client namespace disconnect"]);
    closeSockets(socket);
  });

  it("runs the UI's commands: join a socket to a room, then disconnect it", async () => {
    const { socket, events } = await login(app.url);
    const user = client(app.url, "/", { transports: ["websocket"] });
    const userEvents = new Events(user);
    await connected(user, CONNECT_MS);
    const id = user.id;
    const from = events.log.length;

    socket.emit("join", "/", "picked", id);
    await reportAbout(events, "room_joined", "picked", { at: 1, from });
    assert.ok((await ack(user, EVENT_MS, "rooms"))[0].includes("picked"));

    // A namespace the server does not have is left alone, not created.
    socket.emit("join", "/nowhere", "r", user.id);

    socket.emit("_disconnect", "/", false, id);
    const [reason] = await userEvents.next("disconnect", EVENT_MS);
    assert.equal(reason, "io server disconnect");
    const gone = await reportAbout(events, "socket_disconnected", id, { at: 1, from });
    assert.equal(gone[2], "server namespace disconnect");
    const [stats] = await events.next("server_stats", STATS_MS, events.log.length);
    assert.ok(!stats.namespaces.some((n) => n.name === "/nowhere"), JSON.stringify(stats.namespaces));
    closeSockets(socket);
  });
});

describe("the Admin UI across two nodes over Redis", { timeout: TEST_MS }, () => {
  it("shows and disconnects a client of the other node", async () => {
    redis = await startRedis();
    for (const name of ["n1", "n2"])
      nodes.push(await startApp({ args: ["--redis", redis.url, "--node-name", name, "--admin-ui", `${USER}:${HASH}`] }));
    const [n1, n2] = nodes;

    const remote = client(n2.url, "/", { transports: ["websocket"] });
    const remoteEvents = new Events(remote);
    await connected(remote, CONNECT_MS);
    const remoteId = remote.id;

    const { socket, events } = await login(n1.url);
    const [all] = events.all("all_sockets")[0];
    const listed = all.find((s) => s.id === remote.id);
    assert.ok(listed, `all_sockets on n1 lists n2's client: ${JSON.stringify(all.map((s) => s.id))}`);
    assert.equal(listed.transport, "websocket");
    assert.ok(listed.clientId.length > 0, "the client id from n2's _admin data");
    assert.deepEqual(listed.data, { node: "n2" }, "the socket's data, without _admin");

    assert.deepEqual([...(await statsOf(events, ["n1", "n2"]))].sort(), ["n1", "n2"]);

    // A client connecting to n2 now is reported to n1's admin socket.
    const from = events.log.length;
    const late = client(n2.url, "/", { transports: ["websocket"] });
    await connected(late, CONNECT_MS);
    await reportAbout(events, "socket_connected", late.id, { from });

    socket.emit("_disconnect", "/", true, remoteId);
    const [reason] = await remoteEvents.next("disconnect", EVENT_MS);
    assert.equal(reason, "io server disconnect");
    await reportAbout(events, "socket_disconnected", remoteId, { at: 1, from });
    closeSockets(socket, late);
  });
});

describe("the Admin UI in a cluster with Node's @socket.io/admin-ui", { timeout: TEST_MS }, () => {
  it("each side's admin socket sees the other side's sockets and stats, and disconnects them", async () => {
    const corio = nodes[0];
    const node = await startNodePeer("node-peer");
    nodes.push(node);

    const onCorio = client(corio.url, "/", { transports: ["polling"] });
    const onNode = client(node.url, "/", { transports: ["websocket"] });
    const onCorioEvents = new Events(onCorio);
    const onNodeEvents = new Events(onNode);
    await connected(onCorio, CONNECT_MS);
    await connected(onNode, CONNECT_MS);
    const [corioId, nodeId] = [onCorio.id, onNode.id];

    // Corio's admin socket: Node's socket, with the client and transport Node keeps in _admin.
    const atCorio = await login(corio.url);
    const listedAtCorio = atCorio.events.all("all_sockets")[0][0].find((s) => s.id === nodeId);
    assert.ok(listedAtCorio, "Node's client in Corio's all_sockets");
    assert.equal(listedAtCorio.transport, "websocket");
    assert.ok(listedAtCorio.clientId.length > 0);
    assert.deepEqual(listedAtCorio.data, { node: "node-peer" });
    await statsOf(atCorio.events, ["n1", "node-peer"]);

    // Node's admin socket (Node's instrumentation): Corio's socket, and Corio's stats.
    const atNode = await login(node.url);
    const listedAtNode = atNode.events.all("all_sockets")[0][0].find((s) => s.id === corioId);
    assert.ok(listedAtNode, "Corio's client in Node's all_sockets");
    assert.equal(listedAtNode.transport, "polling");
    assert.deepEqual(listedAtNode.data, { node: "n1" });
    await statsOf(atNode.events, ["n1", "node-peer"]);

    // Each disconnects the other's client.
    atCorio.socket.emit("_disconnect", "/", false, nodeId);
    atNode.socket.emit("_disconnect", "/", false, corioId);
    assert.equal((await onNodeEvents.next("disconnect", EVENT_MS))[0], "io server disconnect");
    assert.equal((await onCorioEvents.next("disconnect", EVENT_MS))[0], "io server disconnect");
    closeSockets(atCorio.socket, atNode.socket);
  });
});
