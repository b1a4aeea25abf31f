import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ReplayBuffer } from "./replay_buffer.ts";

Deno.test("ids are counted, acks free the oldest, replay starts at the first unacked", () => {
  const buffer = new ReplayBuffer(1_000);
  const shared = "x".repeat(10);
  for (let i = 0; i < 5; i++) assertEquals(buffer.push(shared, i), true);
  assertEquals(buffer.nextId, 6);
  buffer.ack(2);
  assertEquals(buffer.count, 3);
  assertEquals(buffer.bytes, 30);
  assertEquals(buffer.oldestAt, 2);
  const replay = buffer.replay();
  assertEquals(replay.sequenceId, 3);
  // The very payload objects, not copies: a broadcast stays encoded once.
  assertEquals(replay.payloads.every((p) => p === shared), true);
  buffer.ack(99); // beyond what was sent: clamps
  assertEquals(buffer.replay(), { sequenceId: 6, payloads: [] });
  assertEquals(buffer.oldestAt, undefined);
});

Deno.test("the byte bound refuses, but one oversize message fits an empty buffer", () => {
  const buffer = new ReplayBuffer(100);
  assertEquals(buffer.push("a".repeat(150), 0), true);
  assertEquals(buffer.push("b", 0), false);
  buffer.ack(1);
  assertEquals(buffer.push("c".repeat(60), 0), true);
  assertEquals(buffer.push("d".repeat(60), 0), false);
  assertEquals(buffer.count, 1);
});

Deno.test("incoming duplicates are dropped and acks are due once", () => {
  const buffer = new ReplayBuffer(100);
  assertEquals([buffer.received(), buffer.received(), buffer.received()], [
    true,
    true,
    true,
  ]);
  assertEquals(buffer.ackDue(), 3);
  assertEquals(buffer.ackDue(), null);
  buffer.disconnected();
  assertEquals(buffer.awaitingSequence, true);
  assertEquals(buffer.sequence(2), true); // the client replays 2 and 3
  assertEquals([buffer.received(), buffer.received(), buffer.received()], [
    false,
    false,
    true,
  ]);
  assertEquals(buffer.ackDue(), 4);
  assertEquals(buffer.sequence(9), false); // we never missed that many
});

Deno.test("a long run of acks compacts without losing order", () => {
  const buffer = new ReplayBuffer(1_000_000);
  for (let i = 1; i <= 2_000; i++) buffer.push(String(i), i);
  buffer.ack(1_500);
  assertEquals(buffer.replay().payloads[0], "1501");
  assertEquals(buffer.count, 500);
  buffer.push("2001", 0);
  assertEquals(buffer.replay().payloads.at(-1), "2001");
});
