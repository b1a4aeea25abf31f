import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { AddressCounter, MessageRate } from "./rate_limit.ts";

Deno.test("the message bucket passes one second's burst, then refills", () => {
  const rate = new MessageRate(10, 0);
  assertEquals(rate.take(10, 0), true);
  assertEquals(rate.take(1, 0), false);
  const later = new MessageRate(10, 0);
  later.take(10, 0);
  assertEquals(later.take(5, 500), true); // half a second: 5 back
  assertEquals(new MessageRate(0, 0).take(1e9, 0), true); // 0: no limit
});

Deno.test("addresses are capped and forgotten when their last connection ends", () => {
  const counter = new AddressCounter(2);
  assertEquals(counter.acquire("a"), true);
  assertEquals(counter.acquire("a"), true);
  assertEquals(counter.acquire("a"), false);
  assertEquals(counter.acquire("b"), true);
  counter.release("a");
  counter.release("a");
  counter.release("b");
  assertEquals(counter.size, 0);
  assertEquals(new AddressCounter(0).acquire("a"), true);
});
