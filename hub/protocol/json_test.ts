import assert from "node:assert/strict";
import { jsonProtocol, RECORD_SEPARATOR as RS } from "./json.ts";
import type { HubMessage } from "./messages.ts";
import { ProtocolError } from "./messages.ts";
import { seededRandom, testSeed } from "../../tests/helpers/seeded_random.ts";

const LIMIT = 64 * 1024;

const samples: HubMessage[] = [
  { type: 1, target: "Send", arguments: [1, "a", { b: [true, null] }] },
  { type: 1, invocationId: "7", target: "Echo", arguments: [] },
  { type: 2, invocationId: "1", item: { x: 1 } },
  { type: 3, invocationId: "2" },
  { type: 3, invocationId: "3", result: null, hasResult: true },
  { type: 3, invocationId: "4", error: "boom" },
  { type: 4, invocationId: "5", target: "Counter", arguments: [10] },
  { type: 5, invocationId: "5" },
  { type: 6 },
  { type: 7, error: "bye", allowReconnect: true },
  { type: 8, sequenceId: 12 },
  { type: 9, sequenceId: 1 },
];

Deno.test("json: every message type survives encode then decode", () => {
  for (const message of samples) {
    const decoded = jsonProtocol.createDecoder(LIMIT).push(
      jsonProtocol.encode(message),
    );
    const { hasResult: _, ...expected } = message as { hasResult?: boolean };
    assert.deepEqual(decoded, [expected]);
  }
});

Deno.test("json: a void completion has no result key; null result keeps it", () => {
  assert.equal(
    jsonProtocol.encode({ type: 3, invocationId: "0" }),
    `{"type":3,"invocationId":"0"}${RS}`,
  );
  assert.match(
    jsonProtocol.encode({ type: 3, invocationId: "0", result: null }) as string,
    /"result":null/,
  );
});

Deno.test("json: several records per frame and records split across frames", () => {
  const decoder = jsonProtocol.createDecoder(LIMIT);
  const all = samples.map((m) => jsonProtocol.encode(m) as string).join("");
  const got: HubMessage[] = [];
  for (let i = 0; i < all.length; i += 7) {
    got.push(...decoder.push(all.slice(i, i + 7)));
  }
  assert.equal(got.length, samples.length);
  assert.equal(decoder.buffered, 0);
  assert.deepEqual(got.map((m) => m.type), samples.map((m) => m.type));
});

Deno.test("json: bytes split inside a multi-byte character decode", () => {
  const bytes = new TextEncoder().encode(
    `{"type":1,"target":"Send","arguments":["héllo ✓"]}${RS}`,
  );
  const decoder = jsonProtocol.createDecoder(LIMIT);
  assert.deepEqual(decoder.push(bytes.subarray(0, 42)), []);
  const [m] = decoder.push(bytes.subarray(42));
  assert.deepEqual((m as { arguments: unknown[] }).arguments, ["héllo ✓"]);
});

Deno.test("json: a record over the limit is refused, whole or partial", () => {
  const big = `{"type":1,"target":"S","arguments":["${"x".repeat(LIMIT)}"]}`;
  assert.throws(
    () => jsonProtocol.createDecoder(LIMIT).push(big + RS),
    /maximum size/,
  );
  assert.throws(
    () => jsonProtocol.createDecoder(LIMIT).push(big),
    /maximum size/,
  );
  const multibyte = `["${"é".repeat(LIMIT / 2 + 10)}"]`;
  assert.throws(
    () => jsonProtocol.createDecoder(LIMIT).push(multibyte),
    /maximum size/,
  );
});

Deno.test("json: malformed records give named protocol errors", () => {
  const cases: [string, RegExp][] = [
    ["nope", /not valid JSON/],
    ["[1,2]", /must be an object/],
    ['{"target":"x"}', /missing its 'type'/],
    ['{"type":1,"arguments":[]}', /'target'/],
    ['{"type":1,"target":"x","arguments":{}}', /'arguments'/],
    ['{"type":1,"target":"x","arguments":[],"invocationId":5}', /invocationId/],
    ['{"type":3,"invocationId":"1","result":1,"error":"e"}', /not both/],
    ['{"type":8,"sequenceId":-1}', /sequenceId/],
    ['{"type":1,"target":"x","arguments":[],"headers":{"a":1}}', /Header/],
  ];
  for (const [record, pattern] of cases) {
    assert.throws(
      () => jsonProtocol.createDecoder(LIMIT).push(record + RS),
      (e: unknown) => e instanceof ProtocolError && pattern.test(e.message),
      record,
    );
  }
});

Deno.test("json: unknown message types are ignored, as ASP.NET does", () => {
  const decoder = jsonProtocol.createDecoder(LIMIT);
  assert.deepEqual(decoder.push(`{"type":99}${RS}{"type":6}${RS}`), [
    { type: 6 },
  ]);
});

Deno.test("json: seeded random garbage only ever throws ProtocolError", () => {
  const seed = testSeed();
  const random = seededRandom(seed);
  const pieces = [
    '{"type":',
    "1",
    "3",
    ',"target":"a"',
    ',"arguments":[',
    "]",
    "}",
    RS,
    '"',
    "\\",
    "null",
    "{",
    "\u00ff",
    ',"invocationId":"1"',
    "7",
  ];
  for (let round = 0; round < 2_000; round++) {
    const decoder = jsonProtocol.createDecoder(256);
    for (let frame = 0; frame < 4; frame++) {
      let text = "";
      const n = Math.floor(random() * 12);
      for (let i = 0; i < n; i++) {
        text += random() < 0.8
          ? pieces[Math.floor(random() * pieces.length)]
          : String.fromCharCode(Math.floor(random() * 0x3000));
      }
      try {
        decoder.push(random() < 0.5 ? text : new TextEncoder().encode(text));
      } catch (e) {
        assert.ok(e instanceof ProtocolError, `seed ${seed}: ${e}`);
        break;
      }
    }
  }
});
