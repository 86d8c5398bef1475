// A malformed-input corpus against a live server (issue 13, hostile clients): every decoder
// error path, over WebSocket and over long-polling, each answered as documented (a WebSocket
// close frame with its code, or the Engine.IO HTTP error `{"code":3,"message":"Bad request"}`
// / 413, then the session gone), each counted on the server under its reason (the socket's
// disconnect reason; for a Socket.IO packet that does not decode, the decoder's error message,
// protocol/error.cpp). Meanwhile two well-behaved clients (one per transport) keep echoing.
//
// Every hostile connection first connects to namespace `/`, so its end is seen as that
// socket's disconnect reason.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ack, client, closeEverything, connected } from "./lib/sio.mjs";
import { RawWs, closePayload, engineError, frame, http, startHostileApp, stats, waitFor } from "./lib/hostile.mjs";

const MAX_PAYLOAD = 100_000;
const PLACEHOLDER = (n) => `{"_placeholder":true,"num":${n}}`;
const bin = (...bytes) => Buffer.from(bytes);

// Engine.IO messages (strings: text, Buffers: binary) a hostile client sends once connected.
// `malformed`: the Socket.IO decoder's error message the server counts (none when the
// Engine.IO layer refuses the input first). `ws`/`poll`: the close code / POST status.
const CORPUS = [
  { name: "unknown Engine.IO packet type", send: ["9"], ws: 1002, poll: 400 },
  { name: "empty Engine.IO packet", send: [""], ws: 1002, poll: 400 },
  { name: "unknown Socket.IO packet type", send: ["4abc"], malformed: "unknown Socket.IO packet type" },
  { name: "empty Socket.IO packet", send: ["4"], malformed: "empty packet" },
  { name: "EVENT whose payload is not an array", send: ["42{}"], malformed: "invalid payload for packet type" },
  { name: "EVENT without a name", send: ["42[]"], malformed: "invalid payload for packet type" },
  { name: "bad JSON", send: ['42["echo",'], malformed: "invalid JSON data" },
  {
    name: "JSON nested deeper than max_json_depth",
    send: [`42["echo",${"[".repeat(1001)}${"]".repeat(1001)}]`],
    malformed: "JSON data nested too deeply",
  },
  { name: "ack id of 16 digits", send: ['421234567890123456["echo"]'], malformed: "invalid ack id" },
  { name: "ACK without an id", send: ["43[1]"], malformed: "invalid ack id" },
  { name: "attachment count without its dash", send: ['452["echo"]'], malformed: "invalid attachment count" },
  { name: "more attachments than max_attachments", send: ['45257-["echo"]'], malformed: "too many binary attachments" },
  {
    name: "placeholder beyond the attachments sent",
    send: [`451-["echo",${PLACEHOLDER(1)}]`, bin(1, 2, 3)],
    malformed: "invalid binary attachment placeholder",
  },
  {
    name: "text where an attachment is due",
    send: [`452-["echo",${PLACEHOLDER(0)},${PLACEHOLDER(1)}]`, bin(1), '42["echo"]'],
    malformed: "unexpected text packet while awaiting attachments",
  },
  { name: "attachment nobody announced", send: [bin(1, 2, 3)], malformed: "unexpected binary attachment" },
  { name: "CONNECT_ERROR from a client", send: ['44{"message":"x"}'], disconnect: "parse error" },
  {
    name: "message over max_payload",
    send: [`42["echo","${"x".repeat(MAX_PAYLOAD)}"]`],
    ws: 1009,
    poll: 413,
    disconnect: "payload too large",
  },
  {
    name: "text that is not UTF-8",
    send: [Buffer.concat([Buffer.from('42["echo","'), bin(0xc3, 0x28), Buffer.from('"]')])],
    utf8: true,
    ws: 1007,
    poll: 400,
  },
];

// WebSocket framing errors: the frame reader's own paths.
const FRAMES = [
  { name: "unmasked client frame", bytes: frame(1, '42["echo"]', { mask: false }) },
  { name: "reserved bits set", bytes: frame(1, '42["echo"]', { rsv: 4 }) },
  { name: "reserved opcode", bytes: frame(3, "x") },
  { name: "continuation without a first fragment", bytes: frame(0, "x") },
  { name: "fragmented ping", bytes: frame(9, "x", { fin: false }) },
  { name: "ping over 125 bytes", bytes: frame(9, Buffer.alloc(126)) },
  { name: "close frame with an invalid code", bytes: frame(8, closePayload(999)) },
  { name: "close frame of one byte", bytes: frame(8, bin(3)) },
  {
    name: "close reason that is not UTF-8",
    bytes: frame(8, Buffer.concat([closePayload(1000), bin(0xff)])),
    code: 1007,
  },
  { name: "64-bit length with its top bit set", bytes: Buffer.concat([bin(0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1), bin(1, 2, 3, 4)]) },
  {
    name: "a terabyte announced (only the header sent)",
    bytes: Buffer.concat([bin(0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0), bin(1, 2, 3, 4)]),
    code: 1009,
    disconnect: "payload too large",
  },
  {
    name: "UTF-8 sequence split across fragments, never completed",
    bytes: Buffer.concat([frame(1, Buffer.from([0x34, 0xc3]), { fin: false }), frame(0, Buffer.from([0x28]))]),
    code: 1007,
  },
  { name: "new message inside a fragmented one", bytes: Buffer.concat([frame(1, "42", { fin: false }), frame(1, "x")]) },
  { name: "fragments over max_payload", bytes: Buffer.concat([frame(1, "4".repeat(60_000), { fin: false }), frame(0, "x".repeat(60_000))]), code: 1009, disconnect: "payload too large" },
];

let app;
let good; // the well-behaved clients: one per transport

before(async () => {
  app = await startHostileApp(["--max-payload", String(MAX_PAYLOAD)]);
  const url = `http://127.0.0.1:${app.port}`;
  good = await Promise.all(
    [["websocket"], ["polling"]].map((transports) =>
      connected(client(url, "/", { path: "/socket.io/", transports }), 5_000),
    ),
  );
});

after(async () => {
  closeEverything();
  await app?.stop();
});

/** What changed between two tallies ({reason: count}). */
function delta(now, before) {
  const d = {};
  for (const [k, v] of Object.entries(now)) if (v !== (before[k] ?? 0)) d[k] = v - (before[k] ?? 0);
  return d;
}

/** Runs `attack`, then checks the server counted exactly `disconnect` and `malformed`, and the good clients still echo. */
async function expectCounted(attack, { disconnect, malformed }) {
  const before = (await stats(app.port)).socket_io;
  await attack();
  const now = await waitFor(
    `the server to count the disconnect (${disconnect})`,
    5_000,
    () => stats(app.port),
    (s) => Object.keys(delta(s.socket_io.disconnects, before.disconnects)).length > 0,
  );
  assert.deepEqual(delta(now.socket_io.disconnects, before.disconnects), { [disconnect]: 1 });
  assert.deepEqual(delta(now.socket_io.malformed, before.malformed), malformed ? { [malformed]: 1 } : {});
  for (const [k, socket] of good.entries()) {
    const marker = { case: disconnect, k, at: Date.now() };
    assert.deepEqual(await ack(socket, 5_000, "echo", marker), [marker], "a good client still echoes");
  }
}

const reasonOf = (c) => c.disconnect ?? (c.ws === 1009 ? "payload too large" : "parse error");

describe("over WebSocket", () => {
  for (const c of CORPUS) {
    it(`${c.name}: close ${c.ws ?? 1002}`, async () => {
      await expectCounted(
        async () => {
          const ws = await RawWs.connect(app.port);
          await ws.sioConnect();
          for (const m of c.send) ws.raw(typeof m === "string" ? frame(1, m) : frame(c.utf8 ? 1 : 2, m));
          const end = await ws.closed(5_000);
          assert.deepEqual(end.closeCode, c.ws ?? 1002);
        },
        { disconnect: reasonOf(c), malformed: c.malformed },
      );
    });
  }

  for (const f of FRAMES) {
    it(`${f.name}: close ${f.code ?? 1002}`, async () => {
      await expectCounted(
        async () => {
          const ws = await RawWs.connect(app.port);
          await ws.sioConnect();
          ws.raw(f.bytes);
          const end = await ws.closed(5_000);
          assert.equal(end.closeCode, f.code ?? 1002);
        },
        { disconnect: f.disconnect ?? "parse error" },
      );
    });
  }

  it("unknown namespace: CONNECT_ERROR, the connection stays", async () => {
    await expectCounted(
      async () => {
        const ws = await RawWs.connect(app.port);
        await ws.sioConnect();
        ws.send("40/nope,");
        assert.equal(await ws.nextText(() => true), '44/nope,{"message":"Invalid namespace"}');
        ws.send('421["echo","still here"]');
        assert.equal(await ws.nextText(() => true), '431["still here"]');
        ws.raw(frame(8, closePayload(1000)));
        const end = await ws.closed();
        assert.equal(end.closeCode, 1000);
      },
      { disconnect: "transport close" },
    );
  });
});

/** A Socket.IO client over long-polling, by hand: connected to `/`; resolves with its sid. */
async function pollingConnect() {
  const hs = await http(app.port, "GET", "/socket.io/?EIO=4&transport=polling");
  assert.equal(hs.status, 200);
  const sid = JSON.parse(hs.body.slice(1)).sid;
  const q = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
  assert.equal((await http(app.port, "POST", q, "40")).body, "ok");
  const res = await http(app.port, "GET", q);
  assert.match(res.body, /^40\{"sid":/);
  return q;
}

/**
 * The session behind `q` ends: GETs (each answered in time) until `400 {"code":1}`; a GET in
 * between may collect the packet the session still owed: `1` (close) after the server closed
 * it, `6` (noop) after the client did.
 */
async function sessionGone(q, owed = "1") {
  for (let i = 0; i < 3; ++i) {
    const res = await http(app.port, "GET", q);
    if (res.status === 400) {
      assert.deepEqual(engineError(res), { code: 1, message: "Session ID unknown" });
      return;
    }
    // The close packet the session still owed.
    assert.equal(res.status, 200);
    assert.ok(res.body === owed || res.body.endsWith(`\x1e${owed}`), `a GET on an ending session: ${JSON.stringify(res.body.slice(0, 80))}`);
  }
  assert.fail("the session did not end");
}

/** A polling payload of a case's messages: binary ones as `b` + base64, unless they are text bytes. */
const payloadOf = (c) =>
  Buffer.concat(
    c.send.flatMap((m, i) => [
      ...(i ? [Buffer.from("\x1e")] : []),
      typeof m === "string" ? Buffer.from(m) : c.utf8 ? m : Buffer.from(`b${m.toString("base64")}`),
    ]),
  );

describe("over long-polling", () => {
  for (const c of CORPUS) {
    it(`${c.name}: ${c.poll ?? 200} and the session ends`, async () => {
      await expectCounted(
        async () => {
          const q = await pollingConnect();
          const res = await http(app.port, "POST", q, payloadOf(c));
          if (c.poll === 400) assert.deepEqual([res.status, engineError(res)], [400, { code: 3, message: "Bad request" }]);
          else if (c.poll === 413) assert.equal(res.status, 413);
          else assert.deepEqual([res.status, res.body], [200, "ok"]);
          await sessionGone(q);
        },
        { disconnect: reasonOf(c), malformed: c.malformed },
      );
    });
  }

  it("bad base64 in a binary packet: 400 and the session ends", async () => {
    await expectCounted(
      async () => {
        const q = await pollingConnect();
        const res = await http(app.port, "POST", q, "b!!!!");
        assert.deepEqual([res.status, engineError(res)], [400, { code: 3, message: "Bad request" }]);
        await sessionGone(q);
      },
      { disconnect: "parse error" },
    );
  });

  it("unknown namespace: CONNECT_ERROR, the session stays", async () => {
    await expectCounted(
      async () => {
        const q = await pollingConnect();
        assert.equal((await http(app.port, "POST", q, "40/nope,")).body, "ok");
        assert.equal((await http(app.port, "GET", q)).body, '44/nope,{"message":"Invalid namespace"}');
        assert.equal((await http(app.port, "POST", q, '421["echo","still here"]')).body, "ok");
        assert.equal((await http(app.port, "GET", q)).body, '431["still here"]');
        assert.equal((await http(app.port, "POST", q, "1")).body, "ok");
        await sessionGone(q, "6");
      },
      // An Engine.IO close packet from the client: socket.io's "transport close".
      { disconnect: "transport close" },
    );
  });
});
