/**
 * The lifetime manager's routing rules, against plain objects that
 * implement `RoutedConnection` (no sockets): who a send reaches, except
 * lists, the group cap and its error, and group changes asked of another
 * node over the memory backplane.
 */

import assert from "node:assert/strict";
import { GroupLimitError, LifetimeManager } from "./lifetime_manager.ts";
import { MemoryBus } from "./backplane/memory.ts";
import type { Backplane } from "./backplane/backplane.ts";
import { jsonProtocol, RECORD_SEPARATOR } from "./protocol/json.ts";
import { silentLogger } from "./logger.ts";
import type { Payload } from "./protocol/hub_protocol.ts";
import type { HubMessage } from "./protocol/messages.ts";
import type { RoutedConnection } from "./routed_connection.ts";

/** A connection that records what it was sent, decoded. */
class FakeConnection implements RoutedConnection {
  readonly protocol = jsonProtocol;
  readonly transportName = "WebSockets" as const;
  readonly received: unknown[][] = [];
  /** A refusing connection (closed, or past its queue bound). */
  refuses = false;

  constructor(readonly id: string, readonly userId: string | null = null) {}

  send(payload: Payload): boolean {
    if (this.refuses) return false;
    for (const record of String(payload).split(RECORD_SEPARATOR)) {
      if (record === "") continue;
      const message = JSON.parse(record);
      this.received.push([message.target, ...message.arguments]);
    }
    return true;
  }

  sendMessage(message: HubMessage): boolean {
    return this.send(this.protocol.encode(message));
  }
}

const limits = {
  maxGroupsPerConnection: 2,
  groupAckTimeoutMs: 10_000,
  maxPendingGroupChanges: 2,
  presenceTtlMs: 60_000,
  presenceUpdateMs: 60_000,
  maxPresenceUsersListed: 100,
  maxPresenceEntries: 1_000,
};

async function node(
  backplane: Backplane = new MemoryBus().connect(),
): Promise<LifetimeManager<FakeConnection>> {
  const manager = new LifetimeManager<FakeConnection>(
    backplane,
    limits,
    silentLogger,
  );
  await manager.start();
  return manager;
}

async function holding(
  manager: LifetimeManager<FakeConnection>,
  ...connections: FakeConnection[]
): Promise<FakeConnection[]> {
  for (const c of connections) await manager.register(c);
  return connections;
}

/** Ids of the connections that got `method`, sorted. */
function reached(connections: FakeConnection[], method: string): string[] {
  return connections
    .filter((c) => c.received.some(([m]) => m === method))
    .map((c) => c.id)
    .sort();
}

Deno.test("lifetime manager: all, one connection, a user, a group", async () => {
  const m = await node();
  const all = await holding(
    m,
    new FakeConnection("a", "alice"),
    new FakeConnection("b", "alice"),
    new FakeConnection("c", "bob"),
    new FakeConnection("d"),
  );
  try {
    await m.addToGroup("a", "room");
    await m.addToGroup("c", "room");
    assert.equal(m.send({ kind: "all" }, "everyone", [1]), 4);
    assert.equal(m.send({ kind: "connections", ids: ["b"] }, "one", [2]), 1);
    assert.equal(m.send({ kind: "users", ids: ["alice"] }, "user", [3]), 2);
    assert.equal(m.send({ kind: "groups", names: ["room"] }, "group", []), 2);
    assert.deepEqual(reached(all, "everyone"), ["a", "b", "c", "d"]);
    assert.deepEqual(reached(all, "one"), ["b"]);
    assert.deepEqual(reached(all, "user"), ["a", "b"]);
    assert.deepEqual(reached(all, "group"), ["a", "c"]);
    assert.deepEqual(all[1].received, [["everyone", 1], ["one", 2], [
      "user",
      3,
    ]]);
  } finally {
    await m.close();
  }
});

Deno.test("lifetime manager: except lists, one copy across groups, refusals not counted", async () => {
  const m = await node();
  const all = await holding(
    m,
    new FakeConnection("a"),
    new FakeConnection("b"),
    new FakeConnection("c"),
  );
  try {
    await m.addToGroup("a", "g1");
    await m.addToGroup("b", "g1");
    await m.addToGroup("b", "g2");
    await m.addToGroup("c", "g2");
    assert.equal(m.send({ kind: "all", except: ["a", "c"] }, "x", []), 1);
    assert.deepEqual(reached(all, "x"), ["b"]);
    const both = { kind: "groups", names: ["g1", "g2"] } as const;
    assert.equal(m.send({ ...both, except: ["c"] }, "y", []), 2);
    assert.deepEqual(reached(all, "y"), ["a", "b"]);
    assert.equal(all[1].received.filter(([m]) => m === "y").length, 1);
    all[0].refuses = true;
    assert.equal(
      m.send(both, "z", []),
      2,
      "a refusing connection is not counted",
    );
    assert.equal(m.send({ kind: "users", ids: ["nobody"] }, "n", []), 0);
  } finally {
    await m.close();
  }
});

Deno.test("lifetime manager: the group cap refuses with its error; leaving frees a slot", async () => {
  const m = await node();
  const [a] = await holding(m, new FakeConnection("a"));
  try {
    await m.addToGroup("a", "g1");
    await m.addToGroup("a", "g2");
    await m.addToGroup("a", "g2"); // already in: no slot used
    assert.throws(
      () => m.addToGroup("a", "g3"),
      (error: unknown) =>
        error instanceof GroupLimitError &&
        error.message === "A connection may join at most 2 groups",
    );
    assert.deepEqual([...m.groups.groupsOf("a")].sort(), ["g1", "g2"]);
    await m.removeFromGroup("a", "g1");
    await m.removeFromGroup("a", "g1"); // not in it: a no-op
    await m.addToGroup("a", "g3");
    assert.equal(m.send({ kind: "groups", names: ["g1"] }, "old", []), 0);
    assert.equal(m.send({ kind: "groups", names: ["g3"] }, "new", []), 1);
    m.unregister(a);
    assert.equal(m.groups.size, 0, "unregister leaves no group behind");
    assert.equal(m.send({ kind: "all" }, "gone", []), 0);
  } finally {
    await m.close();
  }
});

Deno.test("lifetime manager: remote group changes waiting for an ack are capped", async () => {
  const m = await node();
  // Nobody holds "elsewhere": both changes wait for an ack that never comes.
  const waiting = [
    m.addToGroup("elsewhere", "g"),
    m.removeFromGroup("elsewhere", "h"),
  ];
  await assert.rejects(
    m.addToGroup("elsewhere", "i"),
    (error: unknown) =>
      error instanceof RangeError &&
      error.message === "Too many pending group changes",
  );
  await m.close(); // gives the waiting ones up, as a timeout would
  await Promise.all(waiting);
});

Deno.test("lifetime manager: a remote group add over the backplane, within and past the cap", async () => {
  const bus = new MemoryBus();
  const holder = await node(bus.connect());
  const asker = await node(bus.connect());
  const [c] = await holding(holder, new FakeConnection("c"));
  try {
    await asker.addToGroup("c", "g1");
    await asker.addToGroup("c", "g2");
    assert.deepEqual([...holder.groups.groupsOf("c")].sort(), ["g1", "g2"]);
    await assert.rejects(
      asker.addToGroup("c", "g3"),
      (error: unknown) =>
        error instanceof GroupLimitError &&
        error.message === "A connection may join at most 2 groups",
    );
    assert.equal(holder.groups.groupsOf("c").has("g3"), false);
    // A send from the asking node reaches the member the holder added.
    asker.send({ kind: "groups", names: ["g1"] }, "hello", ["from asker"]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(c.received, [["hello", "from asker"]]);
    await asker.removeFromGroup("c", "g1");
    assert.deepEqual([...holder.groups.groupsOf("c")], ["g2"]);
  } finally {
    await holder.close();
    await asker.close();
  }
});
