import assert from "node:assert/strict";
import { RemotePresence } from "./presence_table.ts";
import type { PresenceEntry, PresenceMessage } from "./backplane/backplane.ts";

function report(
  groups: PresenceEntry[],
  ttlMs = 1_000,
  node = { connections: 1, users: 1 },
): PresenceMessage {
  return { kind: "presence", ttlMs, node, groups };
}

const entry = (group: string, connections: number, users: string[] = []) => ({
  group,
  connections,
  users,
});

Deno.test("remote presence sums nodes and reports what changed", () => {
  const t = new RemotePresence(100, 10);
  assert.deepEqual(t.apply("n1", report([entry("g", 2, ["a"])]), 0), {
    changed: ["g"],
    newNode: true,
  });
  assert.deepEqual(t.apply("n2", report([entry("g", 1, ["b", "a"])]), 0), {
    changed: ["g"],
    newNode: true,
  });
  // The same again is no change; a different user list is.
  assert.deepEqual(t.apply("n1", report([entry("g", 2, ["a"])]), 10), {
    changed: [],
    newNode: false,
  });
  assert.deepEqual(
    t.apply("n1", report([entry("g", 2, ["c"])]), 10).changed,
    ["g"],
  );
  assert.equal(t.connections("g", 20), 3);
  const users = new Set<string>();
  t.addUsers("g", 20, users, 10);
  assert.deepEqual([...users].sort(), ["a", "b", "c"]);
  // Zero connections removes the node's entry.
  assert.deepEqual(t.apply("n2", report([entry("g", 0)]), 20).changed, ["g"]);
  assert.equal(t.connections("g", 20), 2);
  assert.equal(t.size, 1);
});

Deno.test("remote presence expires what was not refreshed within its TTL", () => {
  const t = new RemotePresence(100, 10);
  t.apply("n1", report([entry("g", 1), entry("h", 1)], 1_000), 0);
  // n1 refreshes g only (h's removal was lost); h expires on its own.
  t.apply("n1", report([entry("g", 1)], 1_000), 800);
  assert.equal(t.connections("h", 1_000), 0, "an expired entry is not read");
  assert.deepEqual(t.expire(1_000), ["h"]);
  assert.equal(t.size, 1);
  assert.equal(t.nodes(1_500).length, 1);
  // n1 goes silent: everything it said is gone after its TTL.
  assert.deepEqual(t.expire(1_800), ["g"]);
  assert.equal(t.size, 0);
  assert.deepEqual(t.nodes(1_800), []);
});

Deno.test("remote presence forgets a leaving node at once", () => {
  const t = new RemotePresence(100, 10);
  t.apply("n1", report([entry("g", 1), entry("h", 2)]), 0);
  const left = t.apply("n1", report([], 0), 1);
  assert.deepEqual(left.changed.sort(), ["g", "h"]);
  assert.equal(t.size, 0);
  assert.deepEqual(t.nodes(2), []);
});

Deno.test("remote presence is bounded in entries and users", () => {
  const t = new RemotePresence(2, 3);
  t.apply("n1", report([entry("a", 1), entry("b", 1), entry("c", 1)]), 0);
  assert.equal(t.size, 2);
  assert.equal(t.refused, 1);
  assert.equal(t.connections("c", 1), 0);
  // An entry already held may still be updated when full.
  t.apply("n1", report([entry("a", 5, ["u1", "u2", "u3", "u4", "u5"])]), 1);
  assert.equal(t.connections("a", 2), 5);
  const users = new Set<string>();
  t.addUsers("a", 2, users, 100);
  assert.equal(users.size, 3);
});

Deno.test("remote presence never keeps an entry longer than ten minutes", () => {
  const t = new RemotePresence(10, 10);
  t.apply("n1", report([entry("g", 1)], Number.MAX_SAFE_INTEGER), 0);
  assert.deepEqual(t.expire(10 * 60_000), ["g"]);
});
