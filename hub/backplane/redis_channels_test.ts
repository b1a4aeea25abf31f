import assert from "node:assert/strict";
import {
  channelOf,
  decodeEnvelope,
  encodeEnvelope,
  redactRedisUrl,
  redactUrlsInText,
} from "./redis_channels.ts";
import type { BackplaneMessage } from "./backplane.ts";

Deno.test("channelOf puts the scope after the prefix", () => {
  assert.equal(channelOf("switchboard:chart", "all"), "switchboard:chart:all");
  assert.equal(
    channelOf("switchboard:chart", "group:a:b"),
    "switchboard:chart:group:a:b",
  );
});

Deno.test("an envelope round-trips every message kind", () => {
  const messages: BackplaneMessage[] = [
    {
      kind: "invoke",
      target: { kind: "groups", names: ["g"], except: ["c"] },
      method: "m",
      args: [1, { a: [true, null] }],
    },
    {
      kind: "group",
      op: "remove",
      connectionId: "c",
      group: "g",
      requestId: "r",
    },
    { kind: "ack", requestId: "r", to: "n" },
    {
      kind: "presence",
      ttlMs: 10_000,
      node: { connections: 3, users: 1 },
      groups: [{ group: "g", connections: 2, users: ["alice"] }],
    },
    {
      kind: "result-request",
      requestId: "q",
      connectionId: "c",
      method: "answer",
      args: ["?"],
      timeoutMs: 500,
    },
    { kind: "result-answer", requestId: "q", to: "n", result: { ok: 1 } },
    {
      kind: "result-answer",
      requestId: "q",
      to: "n",
      failure: { reason: "timeout", message: "Too slow" },
    },
  ];
  for (const message of messages) {
    assert.deepEqual(decodeEnvelope(encodeEnvelope("n1", message)), {
      from: "n1",
      message,
    });
  }
});

Deno.test("an envelope keeps bytes and dates in arguments and results", () => {
  const messages: BackplaneMessage[] = [
    {
      kind: "invoke",
      target: { kind: "all" },
      method: "m",
      args: [new Uint8Array([0, 1, 255]), {
        at: new Date(Date.UTC(2000, 0, 1)),
      }],
    },
    {
      kind: "result-answer",
      requestId: "q",
      to: "n",
      result: [new Uint8Array(0), new Date(5)],
    },
  ];
  for (const message of messages) {
    assert.deepEqual(decodeEnvelope(encodeEnvelope("n1", message)), {
      from: "n1",
      message,
    });
  }
  // A look-alike object with more keys stays an object.
  const plain: BackplaneMessage = {
    kind: "invoke",
    target: { kind: "all" },
    method: "m",
    args: [{ "\u0000b": "AA==", other: 1 }],
  };
  assert.deepEqual(decodeEnvelope(encodeEnvelope("n1", plain))?.message, plain);
});

Deno.test("malformed envelopes decode to undefined", () => {
  for (
    const text of [
      "",
      "nope",
      "[]",
      "null",
      '{"message":{"kind":"ack","requestId":"r","to":"n"}}',
      '{"from":"x","message":{"kind":"invoke","method":"m"}}',
      '{"from":"x","message":{"kind":"group","op":"move","connectionId":"c","group":"g","requestId":"r"}}',
      '{"from":"x","message":{"kind":"other"}}',
      // Presence with a negative count, a missing node, a user not a string.
      '{"from":"x","message":{"kind":"presence","ttlMs":-1,"node":{"connections":0,"users":0},"groups":[]}}',
      '{"from":"x","message":{"kind":"presence","ttlMs":5,"groups":[]}}',
      '{"from":"x","message":{"kind":"presence","ttlMs":5,"node":{"connections":0,"users":0},"groups":[{"group":"g","connections":1,"users":[7]}]}}',
    ]
  ) {
    assert.equal(decodeEnvelope(text), undefined, text);
  }
});

Deno.test("Redis URLs lose their credentials", () => {
  assert.equal(
    redactRedisUrl("redis://:hunter2@example.com:6380/1"),
    "redis://:***@example.com:6380/1",
  );
  assert.equal(
    redactRedisUrl("rediss://default:hunter2@example.com:6380"),
    "rediss://***:***@example.com:6380",
  );
  assert.equal(
    redactRedisUrl("redis://127.0.0.1:6379"),
    "redis://127.0.0.1:6379",
  );
  assert.equal(redactRedisUrl("::"), "[unparseable REDIS_URL]");
  assert.equal(
    redactUrlsInText("failed redis://u:hunter2@h:1 now"),
    "failed redis://***@h:1 now",
  );
});
