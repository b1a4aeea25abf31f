import assert from "node:assert/strict";
import {
  HANDSHAKE_OK,
  handshakeError,
  HandshakeReader,
  selectProtocol,
} from "./handshake.ts";
import { jsonProtocol } from "./json.ts";
import { ProtocolError } from "./messages.ts";

const RS = "\x1e";

Deno.test("handshake: whole, split, and followed by messages in one frame", () => {
  const whole = new HandshakeReader(1024).push(
    `{"protocol":"json","version":1}${RS}`,
  );
  assert.deepEqual(whole, {
    request: { protocol: "json", version: 1 },
    rest: null,
  });

  const split = new HandshakeReader(1024);
  assert.equal(split.push(`{"protocol":"js`), undefined);
  assert.deepEqual(split.push(`on","version":2}${RS}`)?.request, {
    protocol: "json",
    version: 2,
  });

  const withRest = new HandshakeReader(1024).push(
    `{"protocol":"json","version":1}${RS}{"type":6}${RS}`,
  );
  assert.equal(withRest?.rest, `{"type":6}${RS}`);

  const bytes = new TextEncoder().encode(
    `{"protocol":"messagepack","version":1}${RS}`,
  );
  const binary = new HandshakeReader(1024).push(
    Uint8Array.of(...bytes, 2, 0x91, 6),
  );
  assert.deepEqual(binary?.rest, Uint8Array.of(2, 0x91, 6));
});

Deno.test("handshake: garbage and oversize requests are protocol errors", () => {
  for (
    const bad of [
      "hello" + RS,
      "[]" + RS,
      `{"protocol":1}${RS}`,
      `{"protocol":"json"}${RS}`,
    ]
  ) {
    assert.throws(
      () => new HandshakeReader(1024).push(bad),
      ProtocolError,
      bad,
    );
  }
  assert.throws(
    () => new HandshakeReader(16).push("x".repeat(17)),
    /too large/,
  );
});

Deno.test("handshake: protocol and version selection uses ASP.NET's texts", () => {
  assert.equal(
    selectProtocol({ protocol: "json", version: 1 }, [jsonProtocol]),
    jsonProtocol,
  );
  assert.equal(
    selectProtocol({ protocol: "json", version: 2 }, [jsonProtocol]),
    jsonProtocol,
  );
  assert.equal(
    selectProtocol({ protocol: "xml", version: 1 }, [jsonProtocol]),
    "The protocol 'xml' is not supported.",
  );
  assert.equal(
    selectProtocol({ protocol: "json", version: 3 }, [jsonProtocol]),
    "The server does not support version 3 of the 'json' protocol.",
  );
});

Deno.test("handshake: answers have no type field and end with 0x1E", () => {
  assert.equal(HANDSHAKE_OK, `{}${RS}`);
  assert.equal(handshakeError("nope"), `{"error":"nope"}${RS}`);
});

Deno.test("handshake: a version that is not an integer is refused", () => {
  for (const version of [1.5, 0.5, 2.000001]) {
    const reader = new HandshakeReader(1_000);
    assert.throws(
      () => reader.push(`{"protocol":"json","version":${version}}\x1e`),
      (e: unknown) => e instanceof ProtocolError && /integer/.test(e.message),
    );
  }
  const reader = new HandshakeReader(1_000);
  assert.doesNotThrow(() => reader.push(`{"protocol":"json","version":1}\x1e`));
});
