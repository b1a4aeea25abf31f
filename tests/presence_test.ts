/**
 * Presence with the official client: `server.presence` and `ctx.presence`
 * in one process, then hubs sharing an in-memory bus as separate
 * processes would share Redis (the real multi-process test with
 * redis-server and SIGKILL is tests/redis_presence_test.ts).
 */

import assert from "node:assert/strict";
import {
  defineHub,
  type GroupPresence,
  HubServer,
  MemoryBus,
} from "../hub/mod.ts";
import { type HubFixture, serveHub } from "./helpers/hub_fixture.ts";
import { connect, type signalR } from "./helpers/signalr_client.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import { Recorder } from "./helpers/backplane_recorder.ts";

const presenceHub = defineHub({
  methods: {
    Join: (ctx, group: string) => ctx.groups.add(ctx.connectionId, group),
    Leave: (ctx, group: string) => ctx.groups.remove(ctx.connectionId, group),
    Members: (ctx, group: string) => ctx.presence.group(group),
  },
});

/** Users come from a header the test sets: "x-user: alice". */
function serve(options: Parameters<typeof serveHub>[1] = {}) {
  return serveHub(presenceHub, {
    authenticate: (req) => {
      const user = req.headers.get("x-user");
      return user ? { userId: user, claims: { sub: user } } : null;
    },
    ...options,
  });
}

async function member(
  fixture: HubFixture,
  user: string | null,
  group: string,
): Promise<signalR.HubConnection> {
  const conn = await connect(fixture.url, "/hub", {
    headers: user ? { "x-user": user } : {},
  });
  await conn.invoke("Join", group);
  return conn;
}

async function presenceIs(
  hub: HubServer,
  group: string,
  expected: GroupPresence,
  timeoutMs?: number,
): Promise<void> {
  await waitUntil(
    async () => {
      const got = await hub.presence.group(group);
      return got.connections === expected.connections &&
        got.users.join() === expected.users.join();
    },
    `${group} to be ${JSON.stringify(expected)}`,
    timeoutMs,
  );
}

Deno.test("presence: one process counts connections and lists signed-in users", async () => {
  const fixture = await serve();
  const conns: signalR.HubConnection[] = [];
  try {
    const changes: GroupPresence[] = [];
    const stop = fixture.hub.presence.onChange("room", (p) => changes.push(p));
    const [a1, a2, b, anon] = await Promise.all([
      member(fixture, "alice", "room"),
      member(fixture, "alice", "room"),
      member(fixture, "bob", "room"),
      member(fixture, null, "room"),
    ]);
    const outsider = await member(fixture, "carol", "elsewhere");
    conns.push(a1, a2, b, anon, outsider);
    // Alice's two tabs count as two connections and one user; the
    // anonymous member is counted, not listed; carol is in another group.
    const all = { connections: 4, users: ["alice", "bob"] };
    assert.deepEqual(await anon.invoke("Members", "room"), all);
    assert.deepEqual(await fixture.hub.presence.group("room"), all);
    assert.deepEqual(await a1.invoke("Members", "nobody-here"), {
      connections: 0,
      users: [],
    });
    await a2.invoke("Leave", "room");
    await presenceIs(fixture.hub, "room", { ...all, connections: 3 });
    await a1.stop();
    await presenceIs(fixture.hub, "room", { connections: 2, users: ["bob"] });
    await b.stop();
    await presenceIs(fixture.hub, "room", { connections: 1, users: [] });
    await waitUntil(
      () => changes.at(-1)?.connections === 1,
      "onChange to see the last leave",
    );
    // Each join and leave was observed, the counts in order.
    const seen = changes.map((p) => p.connections);
    assert.deepEqual(seen.slice(-3), [3, 2, 1]);
    stop();
    await anon.stop();
    await presenceIs(fixture.hub, "room", { connections: 0, users: [] });
    assert.equal(changes.length, seen.length, "no call after unsubscribe");
  } finally {
    await Promise.all(conns.map((c) => c.stop()));
    await fixture.close();
  }
});

Deno.test("presence: a listener that throws does not stop the others", async () => {
  const fixture = await serve();
  try {
    fixture.hub.presence.onAnyChange(() => {
      throw new Error("listener bug");
    });
    const seen: string[] = [];
    fixture.hub.presence.onAnyChange((group) => seen.push(group));
    const conn = await member(fixture, "alice", "g1");
    await waitUntil(() => seen.includes("g1"), "the second listener");
    await conn.stop();
  } finally {
    await fixture.close();
  }
});

Deno.test("presence: a TTL under 100 ms is refused at construction", () => {
  assert.throws(
    () => new HubServer(presenceHub, { path: "/h", presenceTtlMs: 0 }),
    /presenceTtlMs/,
  );
});

/** Two hubs on one bus, each with a member of "room"; `body` runs. */
async function withTwoNodes(
  ttlMs: number,
  body: (a: HubFixture, b: HubFixture, bus: MemoryBus) => Promise<void>,
): Promise<void> {
  const bus = new MemoryBus();
  const opts = { presenceTtlMs: ttlMs, presenceUpdateMs: 50 };
  const a = await serve({ ...opts, backplane: bus.connect() });
  const b = await serve({ ...opts, backplane: bus.connect() });
  const conns: signalR.HubConnection[] = [];
  try {
    conns.push(await member(a, "alice", "room"));
    conns.push(await member(b, "bob", "room"));
    conns.push(await member(b, null, "room"));
    await body(a, b, bus);
  } finally {
    await Promise.all(conns.map((c) => c.stop()));
    await Promise.all([a.close(), b.close()]);
  }
}

Deno.test("presence: nodes on one bus see each other's members and totals", async () => {
  await withTwoNodes(10_000, async (a, b) => {
    const all = { connections: 3, users: ["alice", "bob"] };
    await presenceIs(a.hub, "room", all);
    await presenceIs(b.hub, "room", all);
    const totals = a.hub.presence.nodes();
    assert.equal(totals.length, 2);
    assert.deepEqual(
      totals.map((n) => [n.connections, n.users]),
      [[1, 1], [2, 1]],
    );
    const changes: GroupPresence[] = [];
    a.hub.presence.onChange("room", (p) => changes.push(p));
    const late = await member(b, "carol", "room");
    await waitUntil(
      () => changes.some((p) => p.users.includes("carol")),
      "a to hear of b's new member",
    );
    await late.stop();
    await presenceIs(a.hub, "room", all);
    // A graceful stop says goodbye: a forgets b at once, not after a TTL
    // (b's last refresh was under half a TTL ago, so expiry takes > 5 s).
    await b.close();
    await presenceIs(a.hub, "room", {
      connections: 1,
      users: ["alice"],
    }, 4_000);
    assert.equal(a.hub.presence.nodes().length, 1);
  });
});

Deno.test("presence: a node that stops reporting drops out within 2 × TTL", async () => {
  const ttlMs = 1_500;
  await withTwoNodes(ttlMs, async (a, b) => {
    await presenceIs(a.hub, "room", {
      connections: 3,
      users: ["alice", "bob"],
    });
    // Cut b off the bus without its goodbye, as a crash would.
    await b.hub.options.backplane!.close();
    const cut = Date.now();
    await presenceIs(a.hub, "room", { connections: 1, users: ["alice"] });
    const took = Date.now() - cut;
    assert.ok(took <= 2 * ttlMs, `b dropped out after ${took} ms`);
    assert.equal(a.hub.presence.nodes().length, 1);
  });
});

Deno.test("presence: messages cost no presence traffic; a burst of joins is one report", async () => {
  const bus = new MemoryBus();
  const watcher = new Recorder("watcher");
  const tap = bus.connect();
  await tap.start(watcher);
  const fixture = await serve({
    backplane: bus.connect(),
    presenceUpdateMs: 1_000,
    // No refresh within the test: every report is a change report.
    presenceTtlMs: 600_000,
  });
  const conns: signalR.HubConnection[] = [];
  const reports = () =>
    watcher.received.filter((r) => r.message.kind === "presence").length;
  const reported = (group: string, connections: number) =>
    waitUntil(
      () =>
        watcher.received.some((r) =>
          r.message.kind === "presence" &&
          r.message.groups.some((g) =>
            g.group === group && g.connections === connections
          )
        ),
      `${group} reported`,
    );
  try {
    conns.push(
      ...await Promise.all([1, 2, 3, 4].map(() =>
        connect(
          fixture.url,
          "/hub",
        )
      )),
    );
    await waitUntil(() => reports() >= 1, "the first report");
    // Twenty joins at once: gathered into a change report, not twenty.
    const before = reports();
    await Promise.all(
      conns.flatMap((c) =>
        [1, 2, 3, 4, 5].map((n) => c.invoke("Join", `g${n}`))
      ),
    );
    await waitUntil(
      () =>
        watcher.received.some((r) =>
          r.message.kind === "presence" &&
          r.message.groups.some((g) => g.group === "g5" && g.connections === 4)
        ),
      "the joins reported",
    );
    // One, or two if the joins straddle a report (a loaded machine).
    const burst = reports() - before;
    assert.ok(burst <= 2, `${burst} reports for twenty joins`);
    // Two hundred messages to the groups: no presence work at all, so the
    // barrier's report is the only one and names the barrier alone.
    const quiet = reports();
    for (let i = 0; i < 200; i++) {
      fixture.hub.clients.group(`g${1 + i % 5}`).send("m", i);
    }
    // The next join's report comes after anything the sends caused.
    await conns[0].invoke("Join", "barrier");
    await reported("barrier", 1);
    const after = watcher.received.slice(quiet).flatMap((r) =>
      r.message.kind === "presence"
        ? [r.message.groups.map((g) => g.group)]
        : []
    );
    assert.deepEqual(after, [["barrier"]]);
  } finally {
    await Promise.all(conns.map((c) => c.stop()));
    await fixture.close();
    await tap.close();
  }
});
