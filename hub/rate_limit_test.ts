import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { InputRate, SlotCounter, TokenBucket } from "./rate_limit.ts";

Deno.test("the message bucket passes one second's burst, then refills", () => {
  const rate = new TokenBucket(10, 0);
  assertEquals(rate.take(10, 0), true);
  assertEquals(rate.take(1, 0), false);
  const later = new TokenBucket(10, 0);
  later.take(10, 0);
  assertEquals(later.take(5, 500), true); // half a second: 5 back
  assertEquals(new TokenBucket(0, 0).take(1e9, 0), true); // 0: no limit
});

Deno.test("frames and bytes are charged per frame, messages after decoding", () => {
  const limits = {
    framesPerSecond: 3,
    bytesPerSecond: 10,
    messagesPerSecond: 2,
    maxMessageSize: 4,
  };
  const frames = new InputRate(limits, 0);
  assertEquals([0, 0, 0, 0].map(() => frames.frame(0, 0)), [
    null,
    null,
    null,
    "frames",
  ]);
  const bytes = new InputRate(limits, 0);
  assertEquals(bytes.frame(8, 0), null);
  assertEquals(bytes.frame(3, 0), "bytes");
  assertEquals(new InputRate(limits, 0).messages(3, 0), false);
  // The byte bucket holds one whole message even when the rate is lower.
  const small = new InputRate({ ...limits, maxMessageSize: 50 }, 0);
  assertEquals(small.frame(50, 0), null);
  const off = { ...limits, framesPerSecond: 0, bytesPerSecond: 0 };
  assertEquals(InputRate.needed({ ...off, messagesPerSecond: 0 }), false);
  assertEquals(new InputRate(off, 0).frame(1e9, 0), null);
});

Deno.test("addresses are capped and forgotten when their last connection ends", () => {
  const counter = new SlotCounter(2);
  assertEquals(counter.acquire("a"), true);
  assertEquals(counter.acquire("a"), true);
  assertEquals(counter.acquire("a"), false);
  assertEquals(counter.acquire("b"), true);
  counter.release("a");
  counter.release("a");
  counter.release("b");
  assertEquals(counter.size, 0);
  assertEquals(new SlotCounter(0).acquire("a"), true);
});
