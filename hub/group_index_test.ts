import assert from "node:assert/strict";
import { GroupIndex } from "./group_index.ts";
import { UserIndex } from "./user_index.ts";
import { ConnectionStore } from "./connection_store.ts";
import { HubConnection } from "./connection.ts";

const owner = { slowConsumer() {}, sent() {}, addressFree() {}, userFree() {} };
function conn(id: string, userId?: string): HubConnection {
  const principal = userId ? { userId, claims: { sub: userId } } : null;
  return new HubConnection({ id, token: `t-${id}`, principal }, owner, 1024);
}

Deno.test("group index: both directions by id, first/last transitions, cleanup", () => {
  const index = new GroupIndex();
  assert.equal(index.add("a", "g"), "first");
  assert.equal(index.add("a", "g"), "none");
  assert.equal(index.add("b", "g"), "none");
  assert.equal(index.add("a", "h"), "first");
  assert.deepEqual([...index.members("g")], ["a", "b"]);
  assert.deepEqual([...index.groupsOf("a")].sort(), ["g", "h"]);
  assert.equal(index.countOf("a"), 2);
  assert.equal(index.remove("b", "g"), "none");
  assert.equal(index.remove("b", "g"), "none");
  assert.deepEqual(index.removeAll("a").sort(), ["g", "h"]);
  assert.equal(index.size, 0);
  assert.equal(index.countOf("a"), 0);
  assert.equal(index.members("g").size, 0);
});

Deno.test("user index: a user's connection ids, removed with the last one", () => {
  const users = new UserIndex();
  assert.equal(users.add("alice", "a1"), true);
  assert.equal(users.add("alice", "a2"), false);
  assert.deepEqual([...users.connections("alice")], ["a1", "a2"]);
  assert.equal(users.remove("alice", "a1"), false);
  assert.equal(users.remove("alice", "a1"), false);
  assert.equal(users.remove("alice", "a2"), true);
  assert.equal(users.size, 0);
  assert.equal(users.connections("alice").size, 0);
});

Deno.test("connection store: by id and token, capped, delete is exact", () => {
  const store = new ConnectionStore(2);
  const a = conn("a");
  const b = conn("b");
  assert.ok(store.add(a));
  assert.ok(store.add(b));
  assert.equal(store.full, true);
  assert.equal(store.add(conn("c")), false);
  assert.equal(store.byToken("t-a"), a);
  assert.equal(store.byId("b"), b);
  store.delete(conn("a")); // a different object with the same id stays put
  assert.equal(store.size, 2);
  store.delete(a);
  assert.equal(store.byToken("t-a"), undefined);
  assert.equal(store.size, 1);
});
