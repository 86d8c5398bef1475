// The conformance app's echo app (shared/specs/conformance-app.md part C) in cluster mode (part D)
// on Node: socket.io 4.8 with @socket.io/redis-adapter 8.x's classic adapter (key "socket.io",
// requestsTimeout 5000), or with --redis-adapter sharded its sharded one (createShardedAdapter,
// channelPrefix "socket.io", subscriptionMode "dynamic"), or with --redis-adapter streams
// @socket.io/redis-streams-adapter 0.3 (stream and channel prefix "socket.io"). It is the "same app
// on Node" that joins a Corio cluster as an equal in cluster.test.mjs and cluster_recovery.test.mjs,
// and the all-Node cluster that validates those tests. --state-recovery MS turns on
// connectionStateRecovery (skipMiddlewares), on the streams adapter in cluster mode (part E).
//
// Usage: node node_peer.mjs [--port N] [--host H] [--redis redis://HOST:PORT] [--node-name NAME]
//                           [--redis-adapter classic|sharded|streams] [--echo-path /echo.io/]
//                           [--admin-ui USER:BCRYPT_HASH] [--state-recovery MS]
// Prints "listening on <host>:<port>" once it accepts connections (as the conformance app does).
// Without --redis it is part C alone (in-memory adapter). Only `/echo.io/` is served: parts A and
// B are not the cluster's business. --admin-ui instruments it with @socket.io/admin-ui on
// namespace /admin-ui, as the conformance app's part E option does.
//
// Where the Node adapter alone would not meet part D, the app does the rest, and says so below:
// - While Redis is away, the adapter publishes socketsJoin/Leave and disconnectSockets without
//   applying them locally (it applies them when its own request comes back from Redis), so
//   make_join, make_leave and kick apply them on this node only ("Losing Redis").
// - Commands are not queued while Redis is away (disableOfflineQueue): a cluster query fails at
//   once instead of hanging until Redis is back, and a broadcast is not published late.
// - A failed publish rejects a promise nobody awaits inside the adapter: logged, never fatal.
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import { instrument } from "@socket.io/admin-ui";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const REQUESTS_TIMEOUT_MS = 5000;
const NODES_TIMEOUT_MS = 3000;
const ASK_TIMEOUT_MS = 5000;
// Namespaces on the Redis adapter; every other one (the /dyn-* ones) stays local.
const CLUSTERED = new Set(["/", "/admin", "/admin-ui"]);

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3000" },
    host: { type: "string", default: "127.0.0.1" },
    redis: { type: "string" },
    "node-name": { type: "string" },
    "redis-adapter": { type: "string", default: "classic" },
    "echo-path": { type: "string", default: "/echo.io/" },
    "admin-ui": { type: "string" },
    "state-recovery": { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`node_peer: bad port ${values.port}`);
  process.exit(2);
}
const host = values.host;
const NAME = values["node-name"] ?? String(process.pid);

const log = (message) => console.error(`node_peer ${NAME}: ${message}`);
process.on("unhandledRejection", (err) => log(`cluster operation failed: ${err?.message ?? err}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));

const httpServer = createServer();
const io = new Server(httpServer, {
  path: values["echo-path"],
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
  ...(values["state-recovery"] && {
    connectionStateRecovery: { maxDisconnectionDuration: Number(values["state-recovery"]), skipMiddlewares: true },
  }),
});

/** Whether cluster requests can be published right now. */
let redisReady = () => false;

if (values.redis) {
  // disableOfflineQueue on the publishing client only: the subscriber must keep its
  // subscriptions, which node-redis re-sends by itself after a reconnect.
  const pubClient = createClient({ url: values.redis, disableOfflineQueue: true });
  const subClient = createClient({ url: values.redis });
  for (const [role, client] of [["publisher", pubClient], ["subscriber", subClient]]) {
    // One line per lost connection, not one per reconnect attempt.
    let up = false;
    client.on("ready", () => {
      up = true;
      log(`redis ${role} ready`);
    });
    client.on("error", (err) => {
      if (up) log(`redis ${role} lost: ${err.message}`);
      up = false;
    });
  }
  await Promise.all([pubClient.connect(), subClient.connect()]);
  redisReady = () => pubClient.isReady && subClient.isReady;

  const InMemoryAdapter = io.of("/").adapter.constructor;
  // --state-recovery implies the streams adapter, as the conformance app's (part E).
  const kind = values["state-recovery"] && values.redis ? "streams" : values["redis-adapter"];
  const redisAdapter =
    kind === "sharded"
      ? createShardedAdapter(pubClient, subClient, { channelPrefix: "socket.io", subscriptionMode: "dynamic" })
      : kind === "streams"
        ? createStreamsAdapter(pubClient, { streamName: "socket.io", channelPrefix: "socket.io" })
        : createAdapter(pubClient, subClient, { key: "socket.io", requestsTimeout: REQUESTS_TIMEOUT_MS });
  // socket.io calls `new adapter(nsp)`: returning an object from a constructor yields it.
  io.adapter(function adapterFor(nsp) {
    return CLUSTERED.has(nsp.name) ? redisAdapter(nsp) : new InMemoryAdapter(nsp);
  });
}

if (values["admin-ui"]) {
  const colon = values["admin-ui"].indexOf(":");
  instrument(io, {
    auth: { type: "basic", username: values["admin-ui"].slice(0, colon), password: values["admin-ui"].slice(colon + 1) },
    namespaceName: "/admin-ui",
    serverId: NAME,
    mode: "development",
  });
}

const root = io.of("/");
const admin = io.of("/admin");

/** The last argument when it is an ack callback (removed from `args`), else a no-op. */
function takeAck(args) {
  return typeof args.at(-1) === "function" ? args.pop() : () => {};
}

/**
 * Registers `handler(...args)` for `event`; its result is the ack's one argument. A plain result
 * is acked at once, so acks leave in the order the events came; a promise is awaited.
 */
function answer(socket, event, handler) {
  socket.on(event, (...args) => {
    const ack = takeAck(args);
    const result = handler(...args);
    if (result instanceof Promise) result.then(ack);
    else ack(result);
  });
}

/** `{error: <message>}` for a failed cluster operation. */
const failure = (err) => ({ error: String(err?.message ?? err) });

/** Rejects with "timeout" after `ms` unless `promise` settles first. */
function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), ms);
  });
  promise.catch(() => {}); // a late rejection after the timeout is nobody's business
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The operator for make_join, make_leave and kick: cluster-wide, or this node only while Redis is away. */
const selector = () => (redisReady() ? root : root.local);

function setupEcho(socket) {
  socket.on("echo", (...args) => takeAck(args)(...args));
}

root.use((socket, next) => {
  if (socket.handshake.auth?.token === "bad") return next(new Error("unauthorized"));
  socket.data.node = NAME;
  next();
});

root.on("connection", (socket) => {
  socket.emit("welcome", { sid: socket.id });
  setupEcho(socket);
  answer(socket, "join", (room) => {
    socket.join(room);
    return true;
  });
  answer(socket, "leave", (room) => {
    socket.leave(room);
    return true;
  });
  answer(socket, "to_room", (room, event, ...args) => {
    socket.to(room).emit(event, ...args);
    return true;
  });
  answer(socket, "rooms", () => [...socket.rooms]);
  socket.on("disconnect_me", () => socket.disconnect());
  answer(socket, "ask", async (...args) => {
    try {
      return await socket.timeout(ASK_TIMEOUT_MS).emitWithAck("question", ...args);
    } catch {
      return { error: "timeout" };
    }
  });

  // Part D.
  answer(socket, "all_in", (room, event, ...args) => {
    io.to(room).emit(event, ...args);
    return true;
  });
  answer(socket, "gather", async (room, event, timeoutMs) => {
    try {
      const ms = Number.isFinite(timeoutMs) ? timeoutMs : REQUESTS_TIMEOUT_MS;
      const answers = await io.to(room).timeout(ms).emitWithAck(event);
      return answers.sort();
    } catch {
      return { error: "timeout" };
    }
  });
  answer(socket, "whoami", () => ({ node: NAME, sid: socket.id }));
});

// A Corio or Node peer's nodes(): every other node answers its name.
root.on("whoami", (...args) => takeAck(args)(NAME));

admin.use((socket, next) => {
  const auth = socket.handshake.auth ?? {};
  if (Object.keys(auth).length === 1 && auth.token === "secret") return next();
  next(new Error("unauthorized"));
});

admin.on("connection", (socket) => {
  answer(socket, "count", async () => {
    try {
      return (await root.fetchSockets()).length;
    } catch (err) {
      return failure(err);
    }
  });
  answer(socket, "rooms", async () => {
    try {
      const sockets = await root.fetchSockets();
      const ids = new Set(sockets.map((s) => s.id));
      const named = new Set(sockets.flatMap((s) => [...s.rooms]).filter((r) => !ids.has(r)));
      return [...named].sort();
    } catch (err) {
      return failure(err);
    }
  });
  answer(socket, "fetch", async (room) => {
    try {
      const sockets = await root.in(room).fetchSockets();
      return sockets
        .map((s) => ({ id: s.id, rooms: [...s.rooms].sort(), node: s.data?.node }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    } catch (err) {
      return failure(err);
    }
  });
  answer(socket, "make_join", (room, target) => {
    selector().in(room).socketsJoin(target);
    return true;
  });
  answer(socket, "make_leave", (room, target) => {
    selector().in(room).socketsLeave(target);
    return true;
  });
  answer(socket, "kick", (room) => {
    selector().in(room).disconnectSockets(true);
    return true;
  });
  answer(socket, "nodes", async () => {
    try {
      const names = await withTimeout(root.serverSideEmitWithAck("whoami"), NODES_TIMEOUT_MS);
      return names.sort();
    } catch (err) {
      return err?.message === "timeout" ? { error: "timeout" } : failure(err);
    }
  });
  answer(socket, "restart", (downMs = 500) => {
    setTimeout(() => restart(Math.max(0, Number(downMs) || 0)), 50);
    return true;
  });
});

io.of(/^\/dyn-.+$/).on("connection", setupEcho);

// restart(): a crash and restart as the client sees it. Every TCP connection (upgraded WebSockets
// included) is destroyed without a close packet; closing the listener makes engine.io discard every
// session (empty state); after downMs the same address listens again.
const connections = new Set();
httpServer.on("connection", (conn) => {
  connections.add(conn);
  conn.on("close", () => connections.delete(conn));
});

function restart(downMs) {
  const { port: boundPort } = httpServer.address();
  httpServer.close();
  for (const conn of connections) conn.destroy();
  setTimeout(() => httpServer.listen({ port: boundPort, host }), downMs);
}

httpServer.on("error", (err) => {
  log(`cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});
httpServer.once("listening", () => {
  const address = httpServer.address();
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  console.log(`listening on ${shown}:${address.port}`);
});
httpServer.listen({ port, host });
