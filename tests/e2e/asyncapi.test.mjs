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

  it("maps namespaces to channels, events to operations and acks to replies", async () => {
    const { document } = parsed;
    const source = JSON.parse(text);
    assert.ok(document.channels().length > 0, "no channel");
    for (const channel of document.channels()) {
      assert.ok(channel.address().startsWith("/"), `channel ${channel.id()}: address ${channel.address()}`);
    }
    const operations = document.operations();
    assert.equal(operations.length, Object.keys(source.operations).length);
    for (const operation of operations) {
      const what = `operation ${operation.id()}`;
      assert.ok(["send", "receive"].includes(operation.action()), what);
      assert.equal(operation.channels().length, 1, what);
      const [message] = operation.messages();
      assert.equal(operation.messages().length, 1, what);
      assert.ok(message.name(), `${what}: its message has no event name`);
      assert.equal(message.payload().type(), "array", what);
      // An event with an ack has a reply of one value.
      const acked = "reply" in source.operations[operation.id()];
      assert.equal(operation.reply() !== undefined, acked, what);
      if (acked) {
        const replies = operation.reply().messages();
        assert.equal(replies.length, 1, what);
        assert.equal(replies[0].payload().type(), "array", what);
        assert.equal(replies[0].payload().items().length, 1, what);
      }
    }
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
