import assert from "node:assert/strict";
import { HashGate, ServerBusyError } from "./hash_gate.ts";

Deno.test("hash gate: at most maxConcurrent run, at most maxQueued wait, the rest are refused", async () => {
  const gate = new HashGate(2, 3);
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const task = () => {
    running++;
    peak = Math.max(peak, running);
    return new Promise<string>((resolve) => {
      releases.push(() => {
        running--;
        resolve("done");
      });
    });
  };
  const runs = Array.from({ length: 8 }, () => gate.run(task));
  const settled = runs.map((p) =>
    p.then((v) => v, (e) => e instanceof ServerBusyError ? "busy" : e)
  );
  await Promise.resolve();
  assert.equal(gate.running, 2);
  assert.equal(gate.queued, 3);
  // Release in order until every admitted task has run.
  while (releases.length > 0 || gate.running > 0) {
    releases.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.deepEqual(await Promise.all(settled), [
    "done",
    "done",
    "done",
    "done",
    "done",
    "busy",
    "busy",
    "busy",
  ]);
  assert.equal(peak, 2);
  assert.equal(gate.running, 0);
  assert.equal(gate.queued, 0);
});

Deno.test("hash gate: a failing task frees its slot", async () => {
  const gate = new HashGate(1, 0);
  await assert.rejects(gate.run(() => Promise.reject(new Error("boom"))), {
    message: "boom",
  });
  assert.equal(await gate.run(() => Promise.resolve(7)), 7);
  assert.throws(() => new HashGate(0, 1), RangeError);
  assert.throws(() => new HashGate(1, -1), RangeError);
});
