// The benchmark app (../shared/specs/bench-app.md) on Node socket.io: the baseline that bench/run
// compares bench/app/main.cpp (corio_bench_app) against. The default install (the `ws`
// transport, the JSON parser, no uWebSockets) with the default options spelled out.
//   echo  (any args, ack) -> ack with the same args
//   join  (room, ack)     -> join the room, ack true
//   bcast (payload, ack)  -> emit bcast(payload) to room "bench", ack true
// Usage: node server.mjs [--port N]   (default: $PORT or 3000). Node runs JavaScript on one
// thread, so THREADS / --threads are accepted and ignored.
// Prints "listening on 127.0.0.1:PORT" once it accepts connections.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";

const host = "127.0.0.1";
const { values } = parseArgs({ options: { port: { type: "string" }, threads: { type: "string" } } });
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: bad port ${values.port ?? process.env.PORT}`);
  process.exit(2);
}

const httpServer = createServer();
const io = new Server(httpServer, {
  path: "/socket.io/",
  pingInterval: 25000,
  pingTimeout: 20000,
  maxHttpBufferSize: 1e6,
  perMessageDeflate: false,
  httpCompression: true, // the default; polling only, which the benchmark does not use
});

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
