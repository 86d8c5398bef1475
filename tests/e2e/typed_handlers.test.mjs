// Typed handlers with the official socket.io-client (tests/e2e/typed_app.cpp): the handlers take
// described structs with std::optional members and ack with what they received. A field the
// client leaves out, as JavaScript does with an undefined one, arrives as std::nullopt (and is
// left out of the ack again); a missing field that is not optional is refused by name. Every
// wait is bounded.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";

import { startServer } from "./lib/server-process.mjs";
import { ack, client, closeEverything, connected } from "./lib/sio.mjs";

const CONNECT_MS = 5_000;
const ACK_MS = 5_000;
const LISTENING = /^listening on (.+):(\d+)\s*$/;

let app;
let url;

before(async () => {
  const path = process.env.CORIO_TYPED_APP;
  if (!path) throw new Error("typed app unknown: set CORIO_TYPED_APP=<path to corio_e2e_typed_app> (ctest does)");
  if (!existsSync(path)) throw new Error(`typed app not found at ${path}: build it first`);
  const started = await startServer({
    label: "typed app",
    path,
    argv: ["--host", "127.0.0.1", "--port", "0"],
    ready: (line) => {
      const m = LISTENING.exec(line);
      return m ? Number(m[2]) : undefined;
    },
    readyLine: "listening on <host>:<port>",
  });
  app = started;
  url = `http://127.0.0.1:${started.value}`;
});

after(async () => {
  closeEverything();
  await app?.stop();
});

async function open() {
  return connected(client(url, "/", { path: "/socket.io/" }), CONNECT_MS);
}

describe("described structs with optional members", () => {
  it("takes an object whose optional fields are undefined, as std::nullopt", async () => {
    const socket = await open();
    // JSON.stringify leaves `age` and `tags` out of the packet altogether.
    const [answer] = await ack(socket, ACK_MS, "profile", { name: "ada", age: undefined, tags: undefined });
    assert.deepEqual(answer, { name: "ada" });
  });

  it("takes every field when the client sends them", async () => {
    const socket = await open();
    const [answer] = await ack(socket, ACK_MS, "profile", { name: "bob", age: 36, tags: ["x", "y"] });
    assert.deepEqual(answer, { name: "bob", age: 36, tags: ["x", "y"] });
  });

  it("leaves fields out at any depth: in a list of structs and an optional struct", async () => {
    const socket = await open();
    const [answer] = await ack(socket, ACK_MS, "team", { title: "red", members: [{ name: "ada" }, { name: "bob", age: 7 }] });
    assert.deepEqual(answer, { title: "red", members: [{ name: "ada" }, { name: "bob", age: 7 }] });
  });

  it("refuses a missing field that is not optional, naming it", async () => {
    const socket = await open();
    const [answer] = await ack(socket, ACK_MS, "team", { members: [{ age: 3 }] });
    assert.equal(answer.error, "invalid arguments");
    assert.equal(answer.message, 'argument 1 of "team": member "title": expected a string, got nothing');
    const [nested] = await ack(socket, ACK_MS, "team", { title: "t", members: [{ age: 3 }] });
    assert.equal(
      nested.message,
      'argument 1 of "team": member "members": element 0: member "name": expected a string, got nothing',
    );
  });
});
