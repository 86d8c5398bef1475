// Connection state recovery across nodes (the conformance app's --state-recovery MS with --redis,
// spec part E): a Corio node and a Node node (cluster/node_peer.mjs, socket.io 4.8 with
// @socket.io/redis-streams-adapter 0.3) share a real redis-server on the Redis Streams adapter.
// The official socket.io-client loses its connection on one node, misses room emits sent from
// both nodes meanwhile, reconnects to the other node, and gets its id, its rooms and each missed
// event exactly once, in order, with `socket.recovered`. Both directions; a Corio node that shuts
// down (a rolling restart) with its client recovering on another node; and an unknown session on
// each node.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { createClient } from "redis";

import { startNode } from "./lib/cluster-node.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { ack, client, closeEverything, closeSockets, connected, eventually, Events } from "./lib/sio.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const TEST_MS = 30_000;
const RECOVERY = ["--state-recovery", "20000"];

/** A client on / over WebSocket only (so that its TCP connection is the one to cut). */
const wsClient = (node, options = {}) => client(node.url, "/", { transports: ["websocket"], ...options });

/** [event, first argument] of every event after log index `from`. */
const summary = (events, from) => events.log.slice(from).map((e) => [e.event, e.args[0]]);

/** Connects `socket` again, to `node`, and waits for its `welcome`: it must come back as `id`, recovered. */
async function reconnectRecoveredTo(node, socket, events, id, from) {
  socket.io.uri = node.url; // the next connection goes to that node
  socket.connect();
  await connected(socket, CONNECT_MS);
  assert.equal(socket.recovered, true);
  assert.equal(socket.id, id);
  await events.wait("welcome", ACK_MS, { from });
}

let serial = 0;
const uniq = (prefix) => `${prefix}-${++serial}`;

describe("connection state recovery across a corio+node cluster on the Redis Streams adapter", { timeout: 120_000 }, () => {
  let redis;
  let tester;
  const nodes = {};

  before(async () => {
    redis = await startRedis();
    [nodes.corio, nodes.node] = await Promise.all([
      startNode("corio", "c1", redis.url, "streams", RECOVERY),
      startNode("node", "n1", redis.url, "streams", RECOVERY),
    ]);
    tester = createClient({ url: redis.url });
    await tester.connect();
    // The cluster is formed once both nodes subscribed to the namespace's channel.
    await eventually(5_000, "2 subscribers of socket.io#/#", async () =>
      Number((await tester.sendCommand(["PUBSUB", "NUMSUB", "socket.io#/#"]))[1]), (n) => n >= 2);
  });

  after(async () => {
    closeEverything();
    await tester?.disconnect().catch(() => {});
    const ends = await Promise.all(Object.values(nodes).map(async (n) => [n, await n.stop()]));
    await redis?.stop();
    for (const [n, end] of ends) {
      assert.ok(end.code === 0 || end.signal === "SIGTERM",
        `${n.name} ended with ${JSON.stringify(end)}; its output:\n${n.output()}`);
    }
  });

  for (const [fromKind, toKind] of [["corio", "node"], ["node", "corio"]]) {
    it(`a client cut on the ${fromKind} node recovers on the ${toKind} node, with every missed event once, in order`, { timeout: TEST_MS }, async () => {
      const [from, to] = [nodes[fromKind], nodes[toKind]];
      const room = uniq("news");
      const a = wsClient(from);
      const aEvents = new Events(a);
      // b and c send, one on each node; w, on the node a comes back to, sees what the room
      // got, in the stream's order: once w has an event, the stream has it.
      const [b, c, w] = await Promise.all([wsClient(to), wsClient(from), wsClient(to)].map((s) => connected(s, CONNECT_MS)));
      const wEvents = new Events(w);
      await connected(a, CONNECT_MS);
      for (const s of [a, w]) assert.deepEqual(await ack(s, ACK_MS, "join", room), [true]);
      const id = a.id;

      assert.deepEqual(await ack(b, ACK_MS, "to_room", room, "item", 0), [true]);
      const [, offset] = await aEvents.next("item", ACK_MS);
      assert.match(offset, /^[0-9]+-[0-9]+$/, "the offset is a stream entry id");
      // w may be on the other node and get item 0 later than a: until it has, `sent` below
      // would take w's item 0 for the item it waits for.
      assert.equal((await wEvents.next("item", ACK_MS))[0], 0);

      const pid = a._pid;
      assert.equal(typeof pid, "string");
      const cutAt = aEvents.log.length;
      a.io.engine.transport.ws._socket.destroy();
      assert.equal((await aEvents.next("disconnect", CONNECT_MS, cutAt))[0], "transport close");
      await eventually(CONNECT_MS, "the session kept in Redis", () => tester.exists(`sio:session:${pid}`), (n) => n === 1);

      const missedFrom = aEvents.log.length;
      const sent = async (sender, target, event, n) => {
        const seen = wEvents.log.length;
        assert.deepEqual(await ack(sender, ACK_MS, "to_room", target, event, n), [true]);
        if (target === room) assert.equal((await wEvents.next(event, ACK_MS, seen))[0], n);
      };
      await sent(b, room, "item", 1);
      await sent(c, room, "item", 2);
      await sent(b, id, "direct", 3);
      await sent(c, "elsewhere", "item", 99);
      await sent(b, room, "item", 4);

      await reconnectRecoveredTo(to, a, aEvents, id, missedFrom);
      assert.deepEqual(summary(aEvents, missedFrom), [
        ["item", 1],
        ["item", 2],
        ["direct", 3],
        ["item", 4],
        ["connect", undefined],
        ["welcome", { sid: id }],
      ]);
      for (const e of aEvents.log.slice(missedFrom, missedFrom + 4)) assert.match(e.args.at(-1), /^[0-9]+-[0-9]+$/);
      assert.deepEqual((await ack(a, ACK_MS, "rooms"))[0].sort(), [id, room].sort());
      assert.equal(await tester.exists(`sio:session:${pid}`), 0, "a restored session is taken out of Redis");

      // The room still reaches it, once, now on its new node.
      const next = aEvents.log.length;
      await sent(c, room, "item", 5);
      await aEvents.next("item", ACK_MS, next);
      assert.deepEqual(summary(aEvents, next), [["item", 5]]);
      closeSockets(a, b, c, w);
    });
  }

  it("a client of a Corio node that shuts down recovers on another node (a rolling restart)", { timeout: TEST_MS }, async () => {
    const leaving = await startNode("corio", "c2", redis.url, "streams", RECOVERY);
    try {
      await eventually(5_000, "3 subscribers of socket.io#/#", async () =>
        Number((await tester.sendCommand(["PUBSUB", "NUMSUB", "socket.io#/#"]))[1]), (n) => n >= 3);
      const room = uniq("restart");
      const a = wsClient(leaving);
      const aEvents = new Events(a);
      const [b, w] = await Promise.all([wsClient(nodes.node), wsClient(nodes.node)].map((s) => connected(s, CONNECT_MS)));
      const wEvents = new Events(w);
      await connected(a, CONNECT_MS);
      for (const s of [a, w]) assert.deepEqual(await ack(s, ACK_MS, "join", room), [true]);
      const id = a.id;
      const pid = a._pid;
      assert.deepEqual(await ack(b, ACK_MS, "to_room", room, "item", 0), [true]);
      await aEvents.next("item", ACK_MS);
      assert.equal((await wEvents.next("item", ACK_MS))[0], 0); // as above: w has item 0 first

      const stopAt = aEvents.log.length;
      const end = await leaving.stop(); // SIGTERM: Corio's graceful shutdown
      assert.ok(end.code === 0 || end.signal === "SIGTERM", `c2 ended with ${JSON.stringify(end)}`);
      // No DISCONNECT packet: the client sees its transport close, as from Node's close().
      assert.equal((await aEvents.next("disconnect", CONNECT_MS, stopAt))[0], "transport close");
      assert.equal(await tester.exists(`sio:session:${pid}`), 1, "the session was kept in Redis before the node ended");

      const missedFrom = aEvents.log.length;
      for (const n of [1, 2]) {
        const seen = wEvents.log.length;
        assert.deepEqual(await ack(b, ACK_MS, "to_room", room, "item", n), [true]);
        await wEvents.next("item", ACK_MS, seen);
      }
      await reconnectRecoveredTo(nodes.corio, a, aEvents, id, missedFrom);
      assert.deepEqual(summary(aEvents, missedFrom), [
        ["item", 1],
        ["item", 2],
        ["connect", undefined],
        ["welcome", { sid: id }],
      ]);
      closeSockets(a, b, w);
    } finally {
      await leaving.stop();
    }
  });

  for (const kind of ["corio", "node"]) {
    it(`an unknown session gets a new id on the ${kind} node`, { timeout: TEST_MS }, async () => {
      const s = await connected(wsClient(nodes[kind], { auth: { pid: "no-such-session", offset: "1-0" } }), CONNECT_MS);
      assert.equal(s.recovered, false);
      assert.equal(typeof s.id, "string");
      closeSockets(s);
    });
  }
});
