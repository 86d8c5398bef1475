// The AsyncAPI document generated from a contract at build time (corio_generate_asyncapi, see
// tests/codegen/CMakeLists.txt) against the official AsyncAPI parser, @asyncapi/parser: every
// diagnostic is printed, and one of severity error fails the test. The parser's models then
// show the document means what Corio's mapping says (docs/guide.md, "AsyncAPI document").
//
// The document is AsyncAPI 3.0.0, as issue 18 asks; the parser's one information diagnostic,
// that 3.1.0 is the latest version, is expected.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";

import { DiagnosticSeverity, Parser } from "@asyncapi/parser";

let text;
let parsed;

before(async () => {
  const path = process.env.CORIO_ASYNCAPI_DOCUMENT;
  if (!path) throw new Error("document unknown: set CORIO_ASYNCAPI_DOCUMENT=<generated .json> (ctest does)");
  text = readFileSync(path, "utf8");
  parsed = await parse(text);
});

const severityNames = ["error", "warning", "information", "hint"];

// Parses `source`, printing its diagnostics; returns the document and the errors.
async function parse(source) {
  const { document, diagnostics } = await new Parser().parse(source);
  for (const d of diagnostics) {
    console.log(`${severityNames[d.severity] ?? d.severity} ${d.code} at ${JSON.stringify(d.path)}: ${d.message}`);
  }
  return { document, errors: diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error) };
}

describe("the generated AsyncAPI document", () => {
  it("passes the parser with no error", async () => {
    const { document, errors } = parsed;
    assert.deepEqual(errors, []);
    assert.ok(document, "the parser returned no document");
    assert.equal(document.version(), "3.0.0");
  });

  it("maps namespaces to channels, events to operations and acks to replies", () => {
    const { document } = parsed;
    const operations = Object.fromEntries(
      document.operations().all().map((operation) => {
        const [channel] = operation.channels();
        const [message] = operation.messages();
        assert.equal(message.payload().type(), "array", operation.id());
        const reply = operation.reply()?.messages();
        return [`${channel.address()} ${message.name()}`, [operation.action(), reply?.length ?? 0]];
      }),
    );
    // tests/codegen/sample_contract.hpp's events, the server's side of each, and their acks.
    assert.deepEqual(operations, {
      "/ create_room": ["receive", 1],
      "/ leave": ["receive", 0],
      "/ upload:avatar": ["receive", 1],
      "/ room_update": ["send", 0],
      "/ ping": ["send", 1],
      "/ raw": ["send", 0],
      "/admin-chat kick": ["receive", 0],
      "/admin-chat audit": ["send", 0],
    });
  });

  it("describes structs, with their optional members not required", () => {
    const { document } = parsed;
    const createRoom = document.operations().all().find((operation) => operation.messages()[0].name() === "create_room");
    const [ack] = createRoom.reply().messages()[0].payload().items();
    const [roomInfo] = ack.allOf();
    assert.equal(roomInfo.type(), "object");
    assert.deepEqual(Object.keys(roomInfo.properties()), ["code", "seats", "scores", "rating"]);
    assert.deepEqual(roomInfo.required(), ["code", "seats", "scores"]);
    assert.equal(roomInfo.properties().seats.items().properties().index.type(), "integer");
  });

  it("is checked: a message the operations reference, taken out of its channel, is an error", async () => {
    const broken = JSON.parse(text);
    const [channel] = Object.values(broken.channels);
    const [key] = Object.keys(channel.messages);
    delete channel.messages[key];
    const { errors } = await parse(JSON.stringify(broken));
    assert.ok(errors.length > 0, `no error once message ${key} is gone`);
  });
});
