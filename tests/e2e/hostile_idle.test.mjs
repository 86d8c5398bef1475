// Silent and slow-loris connections (issue 13, hostile clients): 1000 TCP connections that
// never send a byte and 1000 that send a request line, then one header byte every 500 ms, never
// finishing. The listener cuts each at its HTTP idle timeout (listener_options::
// http_idle_timeout, before the first byte; header_timeout, which bounds the whole header read
// and which hostile_app sets to the same; hostile_app --http-idle-timeout 2),
// not before; meanwhile a normal client connects and echoes with its usual latency; afterwards
// the server holds no extra descriptor.
//
// The counts shrink when the server's descriptor limit (/proc/<pid>/limits) is too low for them.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { after, before, it } from "node:test";

import { ack, client, closeEverything, connected } from "./lib/sio.mjs";
import { resources, startHostileApp, waitFor } from "./lib/hostile.mjs";

const IDLE_S = 2;
const WANTED = 1000; // of each kind
const TRICKLE_MS = 500;
const SLACK_MS = 3_000; // after the timeout, for a loaded machine

let app;

before(async () => {
  app = await startHostileApp(["--http-idle-timeout", String(IDLE_S)]);
});

after(async () => {
  closeEverything();
  await app?.stop();
});

function fdLimit(pid) {
  const m = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, "utf8"));
  return m ? Number(m[1]) : Infinity;
}

/** Opens one connection; `conn.closedAfter` becomes the ms from connect to the server's hang-up. */
function open(kind) {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port: app.port });
    const conn = { kind, socket, openedAt: 0, closedAfter: null, answer: "" };
    socket.on("error", () => {}); // a reset is a hang-up too
    socket.on("data", (d) => (conn.answer += d.toString("latin1")));
    socket.on("close", () => {
      conn.closedAfter = Date.now() - conn.openedAt;
    });
    socket.once("connect", () => {
      conn.openedAt = Date.now();
      if (kind === "slow-loris") socket.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      resolve(conn);
    });
    socket.once("error", reject);
  });
}

async function echoLatencies(socket, count) {
  const ms = [];
  for (let i = 0; i < count; ++i) {
    const t = process.hrtime.bigint();
    assert.deepEqual(await ack(socket, 5_000, "echo", i), [i]);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms.sort((a, b) => a - b);
}

it("cuts silent and slow-loris connections at the idle timeout while a normal client echoes", async () => {
  const baseFds = resources(app.pid).fds;
  const per = Math.min(WANTED, Math.floor((fdLimit(app.pid) - baseFds - 64) / 2));
  const url = `http://127.0.0.1:${app.port}`;
  const normal = await connected(client(url, "/", { path: "/socket.io/", transports: ["websocket"] }), 5_000);
  const before = await echoLatencies(normal, 30);

  const conns = [];
  for (let i = 0; i < per; i += 100) {
    conns.push(...(await Promise.all(Array.from({ length: Math.min(100, per - i) }, () => open("silent")))));
    conns.push(...(await Promise.all(Array.from({ length: Math.min(100, per - i) }, () => open("slow-loris")))));
  }
  let late;
  const trickle = setInterval(() => {
    for (const c of conns) if (c.kind === "slow-loris" && c.closedAfter === null) c.socket.write("x");
  }, TRICKLE_MS);
  try {
    // Meanwhile: a new client connects and echoes, as fast as before.
    late = await connected(client(url, "/", { path: "/socket.io/" }), 5_000);
    const during = await echoLatencies(late, 30);
    const median = (a) => a[a.length >> 1];
    console.log(
      `${per} + ${per} connections; echo median ${median(before).toFixed(2)} ms before, ` +
        `${median(during).toFixed(2)} ms during (max ${during.at(-1).toFixed(2)} ms)`,
    );
    assert.ok(median(during) < median(before) * 3 + 10, `echo median ${median(during)} ms, ${median(before)} ms before`);
    assert.ok(during.at(-1) < 1_000, `slowest echo ${during.at(-1)} ms`);

    await waitFor(
      "every hostile connection to be cut",
      IDLE_S * 1000 + SLACK_MS + 2_000,
      () => conns.filter((c) => c.closedAfter === null).length,
      (n) => n === 0,
      50,
    );
  } finally {
    clearInterval(trickle);
  }
  for (const c of conns) {
    assert.ok(c.closedAfter >= IDLE_S * 1000 - 100, `${c.kind} cut early, after ${c.closedAfter} ms`);
    assert.ok(c.closedAfter <= IDLE_S * 1000 + SLACK_MS, `${c.kind} cut late, after ${c.closedAfter} ms`);
    assert.equal(c.answer, "", `${c.kind} got an answer`);
  }
  assert.ok(normal.connected && late.connected, "the normal clients are still connected");
  normal.disconnect();
  late.disconnect();
  await waitFor("the server's descriptors back to baseline", 5_000, () => resources(app.pid).fds, (n) => n <= baseFds);
});
