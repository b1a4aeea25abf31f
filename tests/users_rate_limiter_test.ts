import assert from "node:assert/strict";
import { LoginThrottle, RateLimiter } from "../accounts/rate_limiter.ts";

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

Deno.test("rate limiter: a burst, then one per refill period", () => {
  const c = clock();
  const limiter = new RateLimiter({ capacity: 3, refillMs: 1000, now: c.now });
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take("k")), [
    true,
    true,
    true,
    false,
  ]);
  assert.equal(limiter.retryAfterSeconds("k"), 1);
  c.advance(999);
  assert.equal(limiter.take("k"), false);
  c.advance(1);
  assert.equal(limiter.take("k"), true);
  assert.equal(limiter.take("other"), true, "keys are independent");
});

Deno.test("rate limiter: the key map stays bounded, evicting the least recently used", () => {
  const c = clock();
  const limiter = new RateLimiter({
    capacity: 1,
    refillMs: 60_000,
    maxKeys: 3,
    now: c.now,
  });
  limiter.take("a");
  limiter.take("b");
  limiter.take("c");
  assert.equal(limiter.allows("a"), false); // touching a makes b the oldest
  limiter.take("d");
  assert.equal(limiter.allows("a"), false, "a kept its spent bucket");
  for (let i = 0; i < 100; i++) limiter.take(`flood-${i}`);
  assert.equal(limiter.size, 3);
});

Deno.test("login throttle: attempts not given back lock a username from every address", () => {
  const c = clock();
  const throttle = new LoginThrottle({
    perAddress: { capacity: 100, refillMs: 1000 },
    perUsername: { capacity: 3, refillMs: 10_000 },
    now: c.now,
  });
  for (let i = 0; i < 3; i++) {
    assert.equal(throttle.attempt(`10.0.0.${i}`, "alice"), 0);
  }
  assert.equal(throttle.attempt("10.0.0.99", "alice"), 10);
  assert.equal(
    throttle.attempt("10.0.0.99", "bob"),
    0,
    "other users unaffected",
  );
  c.advance(10_000);
  assert.equal(throttle.attempt("10.0.0.99", "alice"), 0);
});

Deno.test("login throttle: successes never lock the owner out, the address cap still holds", () => {
  const c = clock();
  const throttle = new LoginThrottle({
    perAddress: { capacity: 5, refillMs: 2000 },
    perUsername: { capacity: 1, refillMs: 60_000 },
    now: c.now,
  });
  for (let i = 0; i < 5; i++) {
    assert.equal(throttle.attempt("1.2.3.4", "alice"), 0);
    throttle.giveBack("alice"); // right password
  }
  assert.equal(throttle.attempt("1.2.3.4", "alice"), 2);
  assert.equal(throttle.attempt("5.6.7.8", "alice"), 0);
});

Deno.test("login throttle: the username's attempt is spent up front, before any answer", () => {
  const c = clock();
  const throttle = new LoginThrottle({
    perAddress: { capacity: 100, refillMs: 1000 },
    perUsername: { capacity: 2, refillMs: 60_000 },
    now: c.now,
  });
  // Three requests in flight at once, none answered yet: the third is
  // refused even though no password has been found wrong so far.
  assert.equal(throttle.attempt("10.0.0.1", "alice"), 0);
  assert.equal(throttle.attempt("10.0.0.2", "alice"), 0);
  assert.equal(throttle.attempt("10.0.0.3", "alice"), 60);
  throttle.giveBack("alice"); // the first was right
  assert.equal(throttle.attempt("10.0.0.3", "alice"), 0);
  throttle.giveBack("alice");
  throttle.giveBack("alice");
  throttle.giveBack("alice"); // never above capacity
  assert.equal(throttle.attempt("10.0.0.4", "alice"), 0);
  assert.equal(throttle.attempt("10.0.0.4", "alice"), 0);
  assert.notEqual(throttle.attempt("10.0.0.4", "alice"), 0);
});
