import assert from "node:assert/strict";
import { randomId } from "./random_id.ts";

Deno.test("ids: 22 URL-safe characters, no repeats in 10,000", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const id = randomId();
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 10_000);
});
