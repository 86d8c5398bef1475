// The official Admin UI (the npm package's ui/dist, served by the conformance app's
// --admin-ui-files) in headless Chromium, against two nodes over a real Redis: it logs in (a
// wrong password first), survives a page reload through its stored session, lists the sockets
// and rooms of live socket.io-client clients on both nodes, and disconnects the other node's
// client from its Socket page. With CORIO_ADMIN_UI_SCREENSHOT set, it saves the Sockets view
// there (docs/operations.md's screenshot).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { startApp } from "./lib/app.mjs";
import { launchBrowser, watchPage } from "./lib/browser.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { Events, ack, client, closeEverything, connected } from "./lib/sio.mjs";

const CONNECT_MS = 5_000;
const UI_MS = 15_000;
const TEST_MS = 90_000;

const USER = "admin";
const PASSWORD = "changeit";
const HASH = "$2b$10$nu1FHRkuxkZkqID.31gz4uQsyERZAn.m4IIruysTsHDODBtrqS5Me";
const UI_FILES = process.env.CORIO_ADMIN_UI_DIR;

let redis;
const nodes = [];
let browser;

before(async () => {
  assert.ok(UI_FILES, "CORIO_ADMIN_UI_DIR: the Admin UI's files (CTest sets it)");
  redis = await startRedis();
  for (const name of ["n1", "n2"]) {
    nodes.push(
      await startApp({
        args: ["--redis", redis.url, "--node-name", name, "--admin-ui", `${USER}:${HASH}`, "--admin-ui-files", UI_FILES],
      }),
    );
  }
  browser = await launchBrowser();
});

after(async () => {
  closeEverything();
  await browser?.close();
  for (const n of nodes) await n.stop();
  await redis?.stop();
});

describe("the Admin UI in Chromium", { timeout: TEST_MS }, () => {
  it("lists the sockets and rooms of both nodes, and disconnects a socket of the other node", async () => {
    const [n1, n2] = nodes;
    const local = client(n1.url, "/", { transports: ["websocket"] });
    const remote = client(n2.url, "/", { transports: ["polling"] });
    const remoteEvents = new Events(remote);
    await connected(local, CONNECT_MS);
    await connected(remote, CONNECT_MS);
    await ack(local, CONNECT_MS, "join", "room-on-n1");
    await ack(remote, CONNECT_MS, "join", "room-on-n2");
    const remoteId = remote.id;

    const page = await browser.newPage();
    const problems = watchPage(page, "admin-ui");
    // Offline: the page's Google font and icon CDN links fail at once instead of hanging.
    await page.route((url) => url.hostname !== "127.0.0.1", (route) => route.abort());
    // The connection form's settings, as the UI stores them after a first use.
    await page.addInitScript(
      ({ url }) => {
        localStorage.setItem("server_url", url);
        localStorage.setItem("ws_only", "true");
        localStorage.setItem("path", "/echo.io");
        localStorage.setItem("namespace", "/admin-ui");
      },
      { url: n1.url },
    );
    await page.goto(`${n1.url}/admin-ui/`);

    await page.getByLabel("Username").fill(USER);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByText("Invalid credentials").waitFor({ timeout: UI_MS });
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByLabel("Password").waitFor({ state: "hidden", timeout: UI_MS });

    // A reload logs in again with the session id the UI stored, without the form.
    await page.reload();
    await page.waitForFunction(() => localStorage.getItem("session_id"), null, { timeout: UI_MS });
    await page.goto(`${n1.url}/admin-ui/#/sockets/`);
    await page.getByText(remoteId).waitFor({ timeout: UI_MS });
    await page.getByText(local.id).waitFor({ timeout: UI_MS });
    assert.equal(await page.getByLabel("Password").isVisible(), false, "no login form after the reload");
    if (process.env.CORIO_ADMIN_UI_SCREENSHOT) await page.screenshot({ path: process.env.CORIO_ADMIN_UI_SCREENSHOT });

    await page.goto(`${n1.url}/admin-ui/#/rooms/`);
    await page.getByText("room-on-n1").waitFor({ timeout: UI_MS });
    await page.getByText("room-on-n2").waitFor({ timeout: UI_MS });

    // The Socket page of n2's client: the Socket table's Status row has the button that
    // disconnects the socket (the Client table's, without the margin, closes its connection).
    await page.goto(`${n1.url}/admin-ui/#/n/%2F/sockets/${remoteId}`);
    await page.locator("tr", { hasText: "Status" }).locator("button.ml-3").click({ timeout: UI_MS });
    const [reason] = await remoteEvents.next("disconnect", UI_MS);
    assert.equal(reason, "io server disconnect");
    assert.ok(local.connected, "the other client stays");
    assert.deepEqual(problems, []);
    await page.close();
  });
});
