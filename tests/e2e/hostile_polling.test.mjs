// Long-polling abuse (issue 13, hostile clients), at the raw Engine.IO endpoint /engine.io/:
// concurrent GETs on one sid, requests on a closed or a wrong sid, bodies over the limit, a
// polling request on a WebSocket session, bad handshakes. Each is answered with the Engine.IO
// error (HTTP status and `{"code":n,"message":…}`) or a defined close within a time limit, never
// left hanging; the server counts the session's close reason; and nothing is left behind.

import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import { after, before, it } from "node:test";

import { RawWs, engineError, http, pollingOpen, startHostileApp, stats, waitFor } from "./lib/hostile.mjs";

const MAX_PAYLOAD = 100_000;
const UNKNOWN_SID = { code: 1, message: "Session ID unknown" };
const BAD_REQUEST = { code: 3, message: "Bad request" };

let app;

before(async () => {
  // A closed session that still owes its client a last GET stays findable for a ping timeout:
  // a short one lets the last test see every session gone soon.
  app = await startHostileApp(["--max-payload", String(MAX_PAYLOAD), "--ping-interval", "2000", "--ping-timeout", "1000"]);
});

after(async () => {
  await app?.stop();
});

const q = (sid) => `/engine.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;

async function closesSince(before, what) {
  const s = await waitFor(
    what,
    5_000,
    () => stats(app.port),
    (v) => Object.entries(v.engine_io.closes).some(([k, n]) => n !== (before[k] ?? 0)),
  );
  const d = {};
  for (const [k, n] of Object.entries(s.engine_io.closes)) if (n !== (before[k] ?? 0)) d[k] = n - (before[k] ?? 0);
  return d;
}

/** Writes `head` (and `body`) on a raw connection; resolves with everything the server sent until it hung up. */
function rawExchange(head, body, ms = 5_000) {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: "127.0.0.1", port: app.port });
    const chunks = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server neither answered in full nor hung up within ${ms} ms: ${Buffer.concat(chunks)}`));
    }, ms);
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", () => {}); // a reset after the answer is an end too
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.on("connect", () => {
      socket.write(head);
      if (body) socket.write(body);
    });
  });
}

it("concurrent GETs on one sid: one gets the close, the others 400, then the sid is gone", async () => {
  const before = (await stats(app.port)).engine_io.closes;
  const sid = await pollingOpen(app.port);
  const answers = await Promise.all(Array.from({ length: 8 }, () => http(app.port, "GET", q(sid))));
  const ok = answers.filter((r) => r.status === 200);
  assert.equal(ok.length, 1, `statuses ${answers.map((r) => r.status)}`);
  assert.equal(ok[0].body, "1");
  for (const r of answers.filter((a) => a.status !== 200)) {
    assert.equal(r.status, 400);
    assert.ok([1, 3].includes(engineError(r).code), r.body);
  }
  assert.deepEqual(engineError(await http(app.port, "GET", q(sid))), UNKNOWN_SID);
  assert.deepEqual(await closesSince(before, "the duplicate poll's close"), { "transport error": 1 });
});

/** GETs on `sid` until `count` packets came back (each GET answered in time); returns them. */
async function collect(sid, count) {
  const got = [];
  while (got.length < count) {
    const res = await http(app.port, "GET", q(sid));
    assert.equal(res.status, 200, res.body);
    got.push(...res.body.split("\x1e").filter((p) => p !== "2")); // pings aside
  }
  return got;
}

it("concurrent POSTs on one sid: each answered, each message delivered once", async () => {
  const sid = await pollingOpen(app.port);
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => http(app.port, "POST", q(sid), `4m${i}`)));
  assert.deepEqual(answers.map((r) => [r.status, r.body]), Array(8).fill([200, "ok"]));
  assert.deepEqual((await collect(sid, 8)).sort(), Array.from({ length: 8 }, (_, i) => `4m${i}`));
  assert.equal((await http(app.port, "POST", q(sid), "1")).body, "ok");
});

it("12,000 packets in one POST (under max_payload): all echoed, in order, in bounded time", async () => {
  const sid = await pollingOpen(app.port);
  const packets = Array.from({ length: 12_000 }, (_, i) => `4${i}`);
  assert.equal((await http(app.port, "POST", q(sid), packets.join("\x1e"))).body, "ok");
  assert.deepEqual(await collect(sid, packets.length), packets);
  assert.equal((await http(app.port, "POST", q(sid), "1")).body, "ok");
});

it("a POST on a closed sid: 400 Session ID unknown", async () => {
  const sid = await pollingOpen(app.port);
  assert.equal((await http(app.port, "POST", q(sid), "1")).body, "ok");
  const res = await http(app.port, "POST", q(sid), "4hello");
  assert.deepEqual([res.status, engineError(res)], [400, UNKNOWN_SID]);
});

it("a wrong sid: 400 Session ID unknown for GET and POST", async () => {
  for (const sid of ["nope", "A".repeat(20), "../../etc", "x".repeat(4000)]) {
    for (const method of ["GET", "POST"]) {
      const res = await http(app.port, method, q(sid), method === "POST" ? "4hi" : undefined);
      assert.deepEqual([res.status, engineError(res)], [400, UNKNOWN_SID], `${method} sid=${sid.slice(0, 20)}`);
    }
  }
});

it("a body over max_payload (Content-Length): 413 at once, the connection closed, the session gone", async () => {
  const before = (await stats(app.port)).engine_io.closes;
  const sid = await pollingOpen(app.port);
  // Announces 50 MB, sends 64 KiB of it: the header alone decides.
  const head =
    `POST ${q(sid)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n` + `Content-Length: 50000000\r\n\r\n`;
  const answer = await rawExchange(head, "4".repeat(64 * 1024));
  assert.match(answer, /^HTTP\/1\.1 413 /);
  assert.deepEqual(engineError(await http(app.port, "GET", q(sid))), UNKNOWN_SID);
  assert.deepEqual(await closesSince(before, "the oversized POST's close"), { "payload too large": 1 });
});

it("a chunked body that grows over max_payload: 413, the session gone", async () => {
  const before = (await stats(app.port)).engine_io.closes;
  const sid = await pollingOpen(app.port);
  const head = `POST ${q(sid)} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n`;
  const chunk = `${(32 * 1024).toString(16)}\r\n${"4".repeat(32 * 1024)}\r\n`;
  const answer = await rawExchange(head, chunk.repeat(8)); // 256 KiB, never finished
  assert.match(answer, /^HTTP\/1\.1 413 /);
  assert.deepEqual(engineError(await http(app.port, "GET", q(sid))), UNKNOWN_SID);
  assert.deepEqual(await closesSince(before, "the chunked POST's close"), { "payload too large": 1 });
});

it("polling on a WebSocket session's sid: 400 Bad request, the session unharmed", async () => {
  const ws = await RawWs.connect(app.port, { path: "/engine.io/" });
  await ws.opened();
  const open = await ws.nextText((t) => t.startsWith("0{"));
  const sid = JSON.parse(open.slice(1)).sid;
  for (const [method, body] of [["GET"], ["POST", "4x"]]) {
    const res = await http(app.port, method, q(sid), body);
    assert.deepEqual([res.status, engineError(res)], [400, BAD_REQUEST], method);
  }
  ws.send("4still echoing");
  assert.equal(await ws.nextText(() => true), "4still echoing");
  ws.reset();
});

it("upgrade abuse: a second probe, probes on a WebSocket, unknown or closed sid, garbage on a probe", async () => {
  const wsq = (sid) => ({ path: "/engine.io/", query: `EIO=4&transport=websocket&sid=${encodeURIComponent(sid)}` });

  // A second probe while one is under way is refused; the first completes the upgrade, which
  // ends a GET in flight: with a noop if it was pending by then, or refused if it came after
  // (the test cannot order the two); polling requests on the sid are refused afterwards.
  const sid = await pollingOpen(app.port);
  const first = await RawWs.connect(app.port, wsq(sid));
  await first.opened();
  first.send("2probe");
  assert.equal((await first.next()).data, "3probe");
  const second = await RawWs.connect(app.port, wsq(sid));
  await second.opened();
  assert.equal((await second.closed()).closeCode, 1008);
  const pending = http(app.port, "GET", q(sid));
  first.send("5");
  const ended = await pending;
  if (ended.status === 200) assert.equal(ended.body, "6");
  else assert.deepEqual([ended.status, engineError(ended)], [400, BAD_REQUEST]);
  first.send("4upgraded");
  assert.equal((await first.nextText(() => true)).toString(), "4upgraded");
  for (const [method, body] of [["GET"], ["POST", "4x"]]) {
    const res = await http(app.port, method, q(sid), body);
    assert.deepEqual([res.status, engineError(res)], [400, BAD_REQUEST], `${method} after the upgrade`);
  }
  first.raw(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8])); // close 1000
  await first.closed();

  // A probe on a session that is on WebSocket already: refused.
  const native = await RawWs.connect(app.port, { path: "/engine.io/" });
  await native.opened();
  const nativeSid = JSON.parse((await native.nextText((t) => t.startsWith("0{"))).slice(1)).sid;
  const onNative = await RawWs.connect(app.port, wsq(nativeSid));
  await onNative.opened();
  assert.equal((await onNative.closed()).closeCode, 1008);
  native.send("4still");
  assert.equal(await native.nextText(() => true), "4still");
  native.reset();

  // An unknown sid: the HTTP error, no upgrade.
  const unknown = await RawWs.connect(app.port, wsq("nope"));
  await assert.rejects(unknown.opened(), /HTTP\/1\.1 400/);

  // Anything but a probe on a probe: the probe is cut, polling goes on.
  const polling = await pollingOpen(app.port);
  const garbage = await RawWs.connect(app.port, wsq(polling));
  await garbage.opened();
  garbage.send("4garbage");
  assert.equal((await garbage.closed()).closeCode, null, "cut, without a close frame");
  assert.equal((await http(app.port, "POST", q(polling), "4after")).body, "ok");
  assert.equal((await http(app.port, "GET", q(polling))).body, "4after");
  assert.equal((await http(app.port, "POST", q(polling), "1")).body, "ok");

  // A closed session's sid: no upgrade (a refusal, or at most a WebSocket closed at once).
  const closed = await pollingOpen(app.port);
  assert.equal((await http(app.port, "POST", q(closed), "1")).body, "ok");
  const late = await RawWs.connect(app.port, wsq(closed));
  const head = await late.opened().catch((err) => err.message);
  if (head.startsWith("HTTP/1.1 101")) assert.equal((await late.closed()).closeCode, 1008);
  else assert.match(head, /HTTP\/1\.1 400/);
});

it("bad handshakes: the protocol's error codes", async () => {
  const cases = [
    ["GET", "/engine.io/?EIO=4&transport=carrier-pigeon", { code: 0, message: "Transport unknown" }],
    ["GET", "/engine.io/?transport=polling", { code: 5, message: "Unsupported protocol version" }],
    ["GET", "/engine.io/?EIO=99999999999999999999&transport=polling", { code: 5, message: "Unsupported protocol version" }],
    ["POST", "/engine.io/?EIO=4&transport=polling", { code: 2, message: "Bad handshake method" }],
  ];
  for (const [method, path, error] of cases) {
    const res = await http(app.port, method, path, method === "POST" ? "4x" : undefined);
    assert.deepEqual([res.status, engineError(res)], [400, error], `${method} ${path}`);
  }
});

it("leaves no session behind (a closed one owing a GET is kept a ping timeout at most)", async () => {
  const s = await waitFor("every session to end", 5_000, () => stats(app.port), (v) => v.engine_io.sessions === 0);
  assert.equal(s.engine_io.sessions, 0);
});
