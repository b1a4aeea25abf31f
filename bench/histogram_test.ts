import assert from "node:assert/strict";
import { Histogram } from "./histogram.ts";

Deno.test("quantiles come from the bucket upper edges", () => {
  const h = new Histogram();
  for (let i = 1; i <= 100; i++) h.record(i * 1000); // 1..100 ms
  assert.equal(h.count, 100);
  assert.equal(h.quantileMs(0.5), 50.01);
  assert.equal(h.quantileMs(0.99), 99.01);
  assert.ok(Number.isNaN(new Histogram().quantileMs(0.5)));
});

Deno.test("negative and huge values land in the edge buckets", () => {
  const h = new Histogram();
  h.record(-5);
  h.record(1e12);
  assert.equal(h.quantileMs(0), 0.01);
  assert.equal(h.quantileMs(1), 30_001);
});

Deno.test("sparse pairs merge across workers", () => {
  const a = new Histogram();
  const b = new Histogram();
  a.record(150);
  b.record(250_000);
  a.addSparse(b.toSparse());
  assert.equal(a.count, 2);
  assert.equal(a.quantileMs(1), 251);
  assert.throws(() => a.addSparse([[1e9, 1]]), RangeError);
});
