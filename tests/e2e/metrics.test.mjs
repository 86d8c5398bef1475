// `GET /metrics` (the conformance app's --metrics, spec part E) with live socket.io-client
// clients: the samples follow the clients, Debian's promtool accepts the text, and a real
// Prometheus scrapes it (lib/prometheus.mjs) and answers a query for one series.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";

import { startApp } from "./lib/app.mjs";
import { startPrometheus } from "./lib/prometheus.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { ack, client, closeEverything, closeSockets, connectError, connected, eventually } from "./lib/sio.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const SETTLE_MS = 5_000;
// Prometheus scrapes every second; its start and the first scrapes take a few more.
const SCRAPE_MS = 20_000;
const TEST_MS = 60_000;
const PROMTOOL = process.env.CORIO_PROMTOOL ?? "/usr/bin/promtool";

let app;
let prometheus;
let redis;
let node;

before(async () => {
  app = await startApp({ args: ["--metrics"] });
});

after(async () => {
  closeEverything();
  await prometheus?.stop();
  await node?.stop();
  await app?.stop();
  await redis?.stop();
});

async function scrape(path = "/metrics", init = {}, server = app) {
  return fetch(`${server.url}${path}`, init);
}

/** The samples of a scrape of `server`, by series exactly as written (`name{labels}`). */
async function samples(server = app) {
  const text = await (await scrape("/metrics", {}, server)).text();
  const found = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

/** Waits until every series of `expected` has its value in a scrape. */
function settled(expected) {
  return eventually(
    SETTLE_MS,
    `the samples ${JSON.stringify(expected)}`,
    async () => {
      const all = await samples();
      return Object.fromEntries(Object.keys(expected).map((k) => [k, all.get(k) ?? "absent"]));
    },
    (got) => Object.entries(expected).every(([k, v]) => got[k] === v),
  );
}

const echo = (name, labels = "") => `${name}{endpoint="/echo.io/"${labels}}`;

describe("GET /metrics", { timeout: TEST_MS }, () => {
  it("follows live clients: sockets, sessions by transport, refused connects, disconnects", async () => {
    const ws = client(app.url, "/", { transports: ["websocket"] });
    const polling = client(app.url, "/", { transports: ["polling"] });
    await connected(ws, CONNECT_MS);
    await connected(polling, CONNECT_MS);
    const intruder = client(app.url, "/admin", { transports: ["websocket"] });
    await connectError(intruder, CONNECT_MS);
    closeSockets(intruder);

    await settled({
      [echo("corio_sockets", ',namespace="/"')]: 2,
      [echo("corio_engine_sessions", ',transport="websocket"')]: 1,
      [echo("corio_engine_sessions", ',transport="polling"')]: 1,
      [echo("corio_socket_connects_total")]: 2,
      [echo("corio_socket_connects_refused_total")]: 1,
    });

    closeSockets(ws);
    await settled({
      [echo("corio_sockets", ',namespace="/"')]: 1,
      [echo("corio_engine_sessions", ',transport="websocket"')]: 0,
      [echo("corio_socket_disconnects_total", ',reason="io_client_disconnect"')]: 1,
    });
  });

  it("counts the traffic: Engine.IO packets and bytes, handler durations", async () => {
    const before = await samples();
    const at = (all, series) => all.get(series) ?? 0;
    const socket = client(app.url, "/", { transports: ["websocket"] });
    await connected(socket, CONNECT_MS);
    assert.deepEqual(await ack(socket, ACK_MS, "echo", "hello"), ["hello"]);
    // The open packet, CONNECT, the ack out; CONNECT and the event in: more than before, in bytes too.
    const grew = (series, by) => (all) => at(all, series) >= at(before, series) + by;
    const checks = [
      grew(echo("corio_engine_packets_received_total"), 2),
      grew(echo("corio_engine_packets_sent_total"), 3),
      grew(echo("corio_engine_received_bytes_total"), 10),
      grew(echo("corio_engine_sent_bytes_total"), 10),
      grew(echo("corio_event_handler_duration_seconds_count"), 1),
      grew(echo("corio_event_handler_duration_seconds_bucket", ',le="+Inf"'), 1),
    ];
    await eventually(SETTLE_MS, "the traffic counted", samples, (all) => checks.every((c) => c(all)));
    closeSockets(socket);
  });

  it("answers the text exposition format, which promtool accepts", async () => {
    const res = await scrape("/metrics");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const check = spawnSync(PROMTOOL, ["check", "metrics"], { input: text, encoding: "utf8" });
    assert.ifError(check.error); // promtool missing: scripts/setup --tests installs prometheus
    assert.equal(check.status, 0, `promtool check metrics:\n${check.stdout}${check.stderr}`);
    // The listener's own families and every endpoint's are there.
    for (const family of [
      "corio_listener_connections_open",
      'corio_engine_sessions_opened_total{endpoint="/engine.io/"}',
      'corio_socket_connects_total{endpoint="/socket.io/"}',
      'corio_socket_connects_total{endpoint="/echo.io/"}',
      'corio_engine_packets_sent_total{endpoint="/echo.io/"}',
      'corio_ack_round_trip_seconds_bucket{endpoint="/echo.io/",le="+Inf"}',
    ]) {
      assert.ok(text.includes(`\n${family}`), `${family} missing from:\n${text}`);
    }
  });

  it("has the series that docs/deploy/corio-alerts.yml alerts on, whose rules promtool accepts", async () => {
    const rules = fileURLToPath(new URL("../../docs/deploy/corio-alerts.yml", import.meta.url));
    const check = spawnSync(PROMTOOL, ["check", "rules", rules], { encoding: "utf8" });
    assert.ifError(check.error);
    assert.equal(check.status, 0, `promtool check rules:\n${check.stdout}${check.stderr}`);
    const text = await (await scrape("/metrics")).text();
    const names = new Set((await readFile(rules, "utf8")).match(/corio_[a-z_]+/g));
    assert.ok(names.size >= 3, [...names].join(", "));
    for (const name of names) assert.match(text, new RegExp(`^# TYPE ${name} `, "m"), `${name} is not written`);
  });

  it("refuses other methods with 405, and any request body with 413", async () => {
    const res = await scrape("/metrics", { method: "DELETE" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET");
    assert.equal((await scrape("/metrics", { method: "POST", body: "x" })).status, 413);
  });

  it("is scraped by a real Prometheus, which answers a query for a series", async () => {
    const stays = client(app.url, "/", { transports: ["websocket"] });
    await connected(stays, CONNECT_MS);
    await settled({ [echo("corio_sockets", ',namespace="/"')]: 2 });
    prometheus = await startPrometheus(`127.0.0.1:${app.port}`);
    const result = await eventually(
      SCRAPE_MS,
      "Prometheus to hold corio_sockets of / on /echo.io/ = 2",
      () => prometheus.query('corio_sockets{endpoint="/echo.io/",namespace="/"}'),
      (r) => r.length === 1 && r[0].value[1] === "2",
    );
    assert.equal(result[0].metric.job, "corio");
    const up = await prometheus.query('up{job="corio"}');
    assert.equal(up[0]?.value[1], "1");
  });

  it("reports a cluster node's Redis adapter", async () => {
    redis = await startRedis();
    node = await startApp({ args: ["--metrics", "--redis", redis.url] });
    const socket = client(node.url, "/", { transports: ["websocket"] });
    await connected(socket, CONNECT_MS);
    const published = async () =>
      [...(await samples(node))].filter(([k]) => k.startsWith("corio_redis_adapter_published_total{node=")).map(([, v]) => v);
    const before = await published();
    assert.equal(before.length, 1, "one node's series");
    // A broadcast to a room of / goes through Redis.
    assert.deepEqual(await ack(socket, ACK_MS, "all_in", "nobody", "hello"), [true]);
    await eventually(SETTLE_MS, "the broadcast counted as published", published, (now) => now[0] > before[0]);
    const all = await samples(node);
    const received = [...all].filter(([k]) => k.startsWith("corio_redis_adapter_received_total{node="));
    assert.equal(received.length, 1, "one node's series");
    const reconnects = [...all].filter(([k]) => k.startsWith("corio_redis_reconnects_total{node="));
    assert.equal(reconnects.length, 2, "the publisher's and the subscriber's");
  });
});
