// The benchmark app (../shared/specs/bench-app.md) on Node socket.io: the baseline that bench/run
// compares bench/app/main.cpp (corio_bench_app) against. The default install (the `ws`
// transport, the JSON parser, no uWebSockets) with the default options spelled out.
//   echo  (any args, ack) -> ack with the same args
//   join  (room, ack)     -> join the room, ack true
//   bcast (payload, ack)  -> emit bcast(payload) to room "bench", ack true
// Usage: node server.mjs [--port N] [--redis URL] [--tls-cert FILE --tls-key FILE] [--compression]
//                        [--parser msgpack]
//   (default: $PORT or 3000, no Redis, no TLS). Node runs JavaScript on one thread, so
//   THREADS / --threads are accepted and ignored.
// With --tls-cert and --tls-key (PEM files) it serves HTTPS/WSS only, through node:https: the
// tls-connect and tls-echo scenarios.
// With --redis redis://HOST:PORT, the server joins a cluster through @socket.io/redis-adapter 8.x
// (classic Pub/Sub, on node-redis 4 clients, its defaults): `bcast` then reaches room "bench"
// on every server of the cluster. Without it, the app is exactly the single-server bench app.
// With --compression (the fanout-deflate scenario), perMessageDeflate with its threshold of 1024
// bytes (ws's defaults otherwise).
// With --parser msgpack, the server uses the official socket.io-msgpack-parser (3.0.x), as
// corio_bench_app --parser msgpack does.
// Prints "listening on 127.0.0.1:PORT" once it accepts connections (with --redis, once both
// Redis clients are connected).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { parseArgs } from "node:util";
import { Server } from "socket.io";

const host = "127.0.0.1";
const { values } = parseArgs({
  options: {
    port: { type: "string" },
    threads: { type: "string" },
    redis: { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    compression: { type: "boolean" },
    parser: { type: "string" },
  },
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: bad port ${values.port ?? process.env.PORT}`);
  process.exit(2);
}

if (!values["tls-cert"] !== !values["tls-key"]) {
  console.error("server.mjs: --tls-cert and --tls-key go together");
  process.exit(2);
}
if (values.parser !== undefined && values.parser !== "msgpack") {
  console.error(`server.mjs: unknown --parser ${values.parser} (msgpack is the only one)`);
  process.exit(2);
}
// Loaded only when asked for, so that the default app loads what it always did.
const parser = values.parser ? (await import("socket.io-msgpack-parser")).default : undefined;

const httpServer = values["tls-cert"]
  ? createHttpsServer({ cert: readFileSync(values["tls-cert"]), key: readFileSync(values["tls-key"]) })
  : createServer();
const io = new Server(httpServer, {
  path: "/socket.io/",
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
  perMessageDeflate: values.compression ? { threshold: 1024 } : false,
  httpCompression: true, // the default; polling only, which the benchmark does not use
  ...(parser ? { parser } : {}),
});

if (values.redis) {
  // Loaded only in cluster mode, so that the single-server app loads what it always did.
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const pubClient = createClient({ url: values.redis });
  const subClient = pubClient.duplicate();
  for (const client of [pubClient, subClient])
    client.on("error", (e) => console.error(`server.mjs: redis: ${e.message}`));
  try {
    await Promise.all([pubClient.connect(), subClient.connect()]);
  } catch (e) {
    console.error(`server.mjs: cannot reach Redis at ${values.redis}: ${e.message}`);
    process.exit(1);
  }
  io.adapter(createAdapter(pubClient, subClient));
}

// The last argument is the ack callback when the client asked for one.
const takeAck = (args) => (typeof args[args.length - 1] === "function" ? args.pop() : undefined);

io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const ack = takeAck(args);
    ack?.(...args);
  });
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack(true);
  });
  socket.on("bcast", (...args) => {
    const ack = takeAck(args);
    io.to("bench").emit("bcast", ...args);
    ack?.(true);
  });
});

for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));

httpServer.on("error", (e) => {
  console.error(`server.mjs: cannot listen on ${host}:${port}: ${e.message}`);
  process.exit(1);
});
httpServer.listen({ port, host, backlog: 1024 }, () => {
  console.log(`listening on ${host}:${httpServer.address().port}`);
});
