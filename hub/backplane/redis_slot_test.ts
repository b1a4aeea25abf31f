import assert from "node:assert/strict";
import { keySlot } from "./redis_slot.ts";

Deno.test("keySlot matches Redis's CLUSTER KEYSLOT", () => {
  // Values from `redis-cli cluster keyslot <key>` on Redis 7.
  assert.equal(keySlot("foo"), 12182);
  assert.equal(keySlot("bar"), 5061);
  assert.equal(keySlot("123456789"), 12739); // CRC16/XMODEM check value 0x31C3
  assert.equal(keySlot(""), 0);
});

Deno.test("keySlot hashes only a non-empty hash tag", () => {
  assert.equal(keySlot("{user1000}.following"), keySlot("user1000"));
  assert.equal(keySlot("a{b}c{d}"), keySlot("b"));
  assert.equal(keySlot("{}x"), keySlot("{}x"));
  assert.notEqual(keySlot("{}x"), keySlot("x"));
});
