import assert from "node:assert/strict";
import { decode, encode } from "@msgpack/msgpack";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { NullLogger } from "@microsoft/signalr";
import { messagePackProtocol, ResultKind } from "./messagepack.ts";
import { encodeVarInt, readVarInt } from "./varint.ts";
import { type HubMessage, ProtocolError } from "./messages.ts";

const MAX = 64 * 1024;

function frame(value: unknown): Uint8Array {
  const body = encode(value);
  const prefix = encodeVarInt(body.byteLength);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function roundTrip(message: HubMessage): HubMessage[] {
  const bytes = messagePackProtocol.encode(message) as Uint8Array;
  return messagePackProtocol.createDecoder(MAX).push(bytes);
}

function unframe(bytes: Uint8Array): unknown {
  const prefix = readVarInt(bytes, 0);
  assert.ok(prefix);
  assert.equal(prefix.size + prefix.value, bytes.length);
  return decode(bytes.subarray(prefix.size));
}

Deno.test("varint: the documented examples and the 5-byte limit", () => {
  assert.deepEqual([...encodeVarInt(53)], [0x35]);
  assert.deepEqual([...encodeVarInt(5248)], [0x80, 0x29]);
  assert.deepEqual([...encodeVarInt(0x7fffffff)], [
    0xff,
    0xff,
    0xff,
    0xff,
    0x07,
  ]);
  assert.deepEqual(readVarInt(Uint8Array.of(0x80, 0x29), 0), {
    value: 5248,
    size: 2,
  });
  assert.equal(readVarInt(Uint8Array.of(0x80), 0), null);
  assert.throws(
    () => readVarInt(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x08), 0),
    ProtocolError,
  );
  assert.throws(
    () => readVarInt(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01), 0),
    ProtocolError,
  );
});

Deno.test("messagepack: all nine message types round-trip", () => {
  const messages: HubMessage[] = [
    {
      type: 1,
      invocationId: "1",
      target: "Send",
      arguments: [1, "a", { b: [true, null] }],
    },
    { type: 1, target: "Fire", arguments: [], headers: { trace: "x" } },
    {
      type: 1,
      invocationId: "2",
      target: "Up",
      arguments: [],
      streamIds: ["3"],
    },
    { type: 2, invocationId: "4", item: { n: 1.5 } },
    { type: 3, invocationId: "5", error: "boom" },
    { type: 3, invocationId: "6" },
    { type: 3, invocationId: "7", result: 42, hasResult: true },
    { type: 3, invocationId: "8", result: null, hasResult: true },
    { type: 4, invocationId: "9", target: "Counter", arguments: [10] },
    { type: 5, invocationId: "9" },
    { type: 6 },
    { type: 7 },
    { type: 7, error: "bye", allowReconnect: true },
    { type: 8, sequenceId: 12 },
    { type: 9, sequenceId: 13 },
  ];
  for (const message of messages) {
    const expected = message.type === 7 && message.allowReconnect === undefined
      ? { ...message, allowReconnect: false }
      : message;
    assert.deepEqual(roundTrip(message), [expected], `type ${message.type}`);
  }
});

Deno.test("messagepack: bytes travel as bin and come back as bytes", () => {
  const blob = Uint8Array.of(0, 1, 2, 255);
  const [m] = roundTrip({ type: 1, target: "Blob", arguments: [blob] });
  assert.deepEqual((m as { arguments: unknown[] }).arguments[0], blob);
});

Deno.test("messagepack: wire shapes match the spec (6-element invocation, 3-element close, result kinds)", () => {
  const enc = (m: HubMessage) =>
    unframe(messagePackProtocol.encode(m) as Uint8Array);
  assert.deepEqual(enc({ type: 1, target: "t", arguments: [1] }), [
    1,
    {},
    null,
    "t",
    [1],
    [],
  ]);
  assert.deepEqual(enc({ type: 7, error: "x" }), [7, "x", false]);
  assert.deepEqual(enc({ type: 3, invocationId: "1", error: "e" }), [
    3,
    {},
    "1",
    ResultKind.Error,
    "e",
  ]);
  assert.deepEqual(enc({ type: 3, invocationId: "1" }), [
    3,
    {},
    "1",
    ResultKind.Void,
  ]);
  assert.deepEqual(
    enc({ type: 3, invocationId: "1", result: 0, hasResult: true }),
    [3, {}, "1", ResultKind.NonVoid, 0],
  );
  assert.deepEqual(
    [...(messagePackProtocol.encode({ type: 6 }) as Uint8Array)],
    [0x02, 0x91, 0x06],
  );
});

Deno.test("messagepack: accepts 5- and 6-element invocations and 2- and 3-element closes", () => {
  const d = messagePackProtocol.createDecoder(MAX);
  const got = d.push(concat(
    frame([1, {}, "0", "GetConnectionId", []]),
    frame([1, {}, null, "Fire", [1], []]),
    frame([1, {}, "1", "Up", [], ["2"]]),
    Uint8Array.of(0x03, 0x92, 0x07, 0xc0),
    frame([7, "err", true]),
  ));
  assert.deepEqual(got, [
    { type: 1, invocationId: "0", target: "GetConnectionId", arguments: [] },
    { type: 1, target: "Fire", arguments: [1] },
    {
      type: 1,
      invocationId: "1",
      target: "Up",
      arguments: [],
      streamIds: ["2"],
    },
    { type: 7 },
    { type: 7, error: "err", allowReconnect: true },
  ]);
});

Deno.test("messagepack: reads completions of kinds 1, 2 and 3 and refuses others", () => {
  const d = messagePackProtocol.createDecoder(MAX);
  assert.deepEqual(
    d.push(concat(
      frame([3, {}, "1", 1, "bad"]),
      frame([3, {}, "2", 2]),
      frame([3, {}, "3", 3, null]),
    )),
    [
      { type: 3, invocationId: "1", error: "bad" },
      { type: 3, invocationId: "2" },
      { type: 3, invocationId: "3", result: null, hasResult: true },
    ],
  );
  assert.throws(
    () =>
      messagePackProtocol.createDecoder(MAX).push(frame([3, {}, "4", 4, 1])),
    ProtocolError,
  );
  assert.throws(
    () => messagePackProtocol.createDecoder(MAX).push(frame([3, {}, "4", 3])),
    ProtocolError,
  );
});

Deno.test("messagepack: ignores unknown types, refuses malformed ones", () => {
  assert.deepEqual(
    messagePackProtocol.createDecoder(MAX).push(frame([99, "x"])),
    [],
  );
  for (
    const bad of [
      [],
      ["1"],
      [1, {}, null, 5, []],
      [1, [], null, "t", []],
      [2, {}],
      [8, -1],
      "text",
      { type: 1 },
    ]
  ) {
    assert.throws(
      () => messagePackProtocol.createDecoder(MAX).push(frame(bad)),
      ProtocolError,
      JSON.stringify(bad),
    );
  }
  assert.throws(
    () => messagePackProtocol.createDecoder(MAX).push(Uint8Array.of(0)),
    ProtocolError,
  );
});

Deno.test("messagepack: several messages per frame, and one message across frames", () => {
  const all = concat(
    messagePackProtocol.encode({ type: 6 }) as Uint8Array,
    messagePackProtocol.encode({
      type: 1,
      invocationId: "0",
      target: "T",
      arguments: ["x".repeat(300)],
    }) as Uint8Array,
    messagePackProtocol.encode({ type: 7 }) as Uint8Array,
  );
  const expected = [
    { type: 6 },
    { type: 1, invocationId: "0", target: "T", arguments: ["x".repeat(300)] },
    { type: 7, allowReconnect: false },
  ];
  assert.deepEqual(messagePackProtocol.createDecoder(MAX).push(all), expected);
  // Every split point, including inside the two-byte VarInt of the second.
  for (let cut = 0; cut <= all.length; cut++) {
    const d = messagePackProtocol.createDecoder(MAX);
    const got = [...d.push(all.slice(0, cut)), ...d.push(all.slice(cut))];
    assert.deepEqual(got, expected, `cut at ${cut}`);
    assert.equal(d.buffered, 0);
  }
  // One byte per frame.
  const d = messagePackProtocol.createDecoder(MAX);
  const got: HubMessage[] = [];
  for (const byte of all) got.push(...d.push(Uint8Array.of(byte)));
  assert.deepEqual(got, expected);
});

Deno.test("messagepack: the decoder keeps its own copy of a partial frame", () => {
  const bytes = messagePackProtocol.encode({
    type: 1,
    target: "T",
    arguments: [1],
  }) as Uint8Array;
  const reused = new Uint8Array(bytes.length);
  reused.set(bytes.subarray(0, 4));
  const d = messagePackProtocol.createDecoder(MAX);
  assert.deepEqual(d.push(reused.subarray(0, 4)), []);
  reused.fill(0xff);
  assert.deepEqual(d.push(bytes.subarray(4)), [{
    type: 1,
    target: "T",
    arguments: [1],
  }]);
});

Deno.test("messagepack: refuses a record over the size limit as soon as its length is known", () => {
  const d = messagePackProtocol.createDecoder(100);
  const big = messagePackProtocol.encode({
    type: 1,
    target: "T",
    arguments: ["y".repeat(200)],
  }) as Uint8Array;
  assert.throws(() => d.push(big.subarray(0, 3)), /maximum size of 100 bytes/);
  const ok = messagePackProtocol.encode({
    type: 1,
    target: "T",
    arguments: ["y".repeat(50)],
  }) as Uint8Array;
  assert.equal(messagePackProtocol.createDecoder(100).push(ok).length, 1);
});

Deno.test("messagepack: seeded random garbage only ever throws ProtocolError", () => {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const valid = messagePackProtocol.encode({
    type: 1,
    invocationId: "7",
    target: "Go",
    arguments: [{ a: [1, 2, "x"] }],
  }) as Uint8Array;
  for (let round = 0; round < 5_000; round++) {
    let bytes: Uint8Array;
    if (round % 2 === 0) {
      bytes = new Uint8Array(next() % 64);
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
    } else {
      // Valid frames with a few bytes flipped hit deeper decoder paths.
      bytes = valid.slice();
      for (let k = 0; k < 1 + (next() % 3); k++) {
        bytes[next() % bytes.length] = next() & 0xff;
      }
    }
    const d = messagePackProtocol.createDecoder(1024);
    try {
      d.push(bytes);
      d.push(bytes);
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `round ${round}: ${error}`);
    }
  }
});

Deno.test("messagepack: the official client parses what we write and we parse what it writes", () => {
  const client = new MessagePackHubProtocol();
  const logger = NullLogger.instance;
  const ours = concat(
    messagePackProtocol.encode({
      type: 1,
      target: "transferchartdata",
      arguments: [[{ label: "A", data: [1, 2] }]],
    }) as Uint8Array,
    messagePackProtocol.encode({
      type: 3,
      invocationId: "0",
      result: "id",
      hasResult: true,
    }) as Uint8Array,
    messagePackProtocol.encode({ type: 3, invocationId: "1" }) as Uint8Array,
    messagePackProtocol.encode({
      type: 7,
      error: "bye",
      allowReconnect: true,
    }) as Uint8Array,
    messagePackProtocol.encode({ type: 6 }) as Uint8Array,
  );
  const parsed = client.parseMessages(ours.slice().buffer, logger);
  assert.deepEqual(parsed.map((m) => m.type), [1, 3, 3, 7, 6]);
  assert.equal((parsed[1] as { result: unknown }).result, "id");
  assert.equal((parsed[3] as { allowReconnect: boolean }).allowReconnect, true);
  const theirs = new Uint8Array(client.writeMessage({
    type: 1,
    invocationId: "0",
    target: "BroadcastChartData",
    arguments: [[{ data: [1], label: "x" }], "abc"],
    streamIds: undefined,
  } as never));
  assert.deepEqual(messagePackProtocol.createDecoder(MAX).push(theirs), [
    {
      type: 1,
      invocationId: "0",
      target: "BroadcastChartData",
      arguments: [[{ data: [1], label: "x" }], "abc"],
    },
  ]);
});
