import assert from "node:assert/strict";
import { ChartHistory } from "./chart_history.ts";

const point = (n: number) => [{ label: "Data1", data: [n] }];

Deno.test("history: keeps the newest updates, oldest first, and wraps", () => {
  const history = new ChartHistory(3);
  assert.deepEqual(history.last(5), []);
  for (let i = 1; i <= 5; i++) history.push(point(i), i);
  assert.equal(history.size, 3);
  assert.deepEqual(history.last(10).map((p) => p.at), [3, 4, 5]);
  assert.deepEqual(history.last(2).map((p) => p.series[0].data[0]), [4, 5]);
  assert.deepEqual(history.last(0), []);
});

Deno.test("history: last() is a snapshot the ring does not change", () => {
  const history = new ChartHistory(2);
  history.push(point(1), 1);
  const before = history.last(2);
  history.push(point(2), 2);
  history.push(point(3), 3);
  assert.deepEqual(before.map((p) => p.at), [1]);
  assert.throws(() => new ChartHistory(0), RangeError);
});
