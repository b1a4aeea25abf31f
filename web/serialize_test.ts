import assert from "node:assert/strict";
import { computed, type Signal, signal } from "@preact/signals";
import { encode, jsonForScript } from "./serialize.ts";
import { revive } from "./revive.ts";

/** Server encode → JSON text → browser revive, as on a real page. */
function roundTrip(value: unknown): unknown {
  return revive(JSON.parse(jsonForScript(encode(value, "props"))));
}

Deno.test("JSON values and special types survive the trip", () => {
  const value = {
    text: "a</script>b\u2028",
    n: 1.5,
    flags: [true, false, null],
    nested: { deep: { list: [1, [2, [3]]] } },
    when: new Date("2026-11-27T19:00:00Z"),
    invalid: new Date(NaN),
    map: new Map<unknown, unknown>([["k", new Set([1])], [2, { x: 1 }]]),
    set: new Set(["a", "b"]),
    url: new URL("https://example.com/a?b=1"),
    bytes: new Uint8Array([0, 1, 254, 255]),
    missing: undefined,
    specials: [NaN, Infinity, -Infinity, -0],
    big: 12345678901234567890n,
    tagged: { $t: "Date", v: 3 },
  };
  const back = roundTrip(value) as typeof value;
  assert.deepEqual(back, value);
  assert.ok(back.when instanceof Date && back.map instanceof Map);
  assert.ok(Object.is(back.specials[3], -0));
  assert.ok("missing" in back);
});

Deno.test("signals are sent as values and revived as signals", () => {
  const back = roundTrip({ count: signal(3), double: computed(() => 8) }) as {
    count: Signal<number>;
    double: Signal<number>;
  };
  assert.equal(back.count.value, 3);
  back.count.value = 4;
  assert.equal(back.count.peek(), 4);
  assert.equal(back.double.value, 8);
});

Deno.test("functions and other unsendable values are refused clearly", () => {
  assert.throws(
    () => encode({ item: { onClick() {} } }, "<Chart> prop"),
    { name: "TypeError", message: /<Chart> prop\.item\.onClick is a function/ },
  );
  assert.throws(() => encode({ s: Symbol("x") }), /is a symbol/);
  class Point {}
  assert.throws(() => encode({ p: new Point() }), /is a Point instance/);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.throws(() => encode(loop), /value\.self is a circular reference/);
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  assert.throws(() => encode(deep), RangeError);
});

Deno.test("a shared (non-circular) reference is fine", () => {
  const shared = { a: 1 };
  assert.deepEqual(roundTrip([shared, shared]), [{ a: 1 }, { a: 1 }]);
});
