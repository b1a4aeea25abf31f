/**
 * Three hub processes and a real redis-server, then a real 3-master Redis
 * Cluster, act as one hub: every Clients target reaches exactly the
 * connections it names, wherever they are, exactly once. "Not received"
 * is proven by a barrier: the sender sends a marker afterwards, which
 * arrives behind anything earlier. On one Redis that is one broadcast; on
 * the cluster, where order holds per sender per shard, it is one group
 * message on each shard, every peer a member of those groups.
 */

import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import { RedisServer, skipRedis } from "./helpers/redis_server.ts";
import {
  namesPerShard,
  RedisCluster,
  skipRedisCluster,
} from "./helpers/redis_cluster.ts";
import { connect, signalR } from "./helpers/signalr_client.ts";
import { Inbox } from "./helpers/inbox.ts";

const NODE = "tests/helpers/cluster_node.ts";

interface Peer {
  readonly name: string;
  readonly conn: signalR.HubConnection;
  readonly id: string;
  readonly inbox: Inbox;
}

async function peer(
  proc: AppProcess,
  name: string,
  user?: string,
): Promise<Peer> {
  const path = user ? `/cluster?user=${user}` : "/cluster";
  const conn = await connect(proc.url, path);
  const inbox = new Inbox(conn, "m");
  const id = await conn.invoke<string>("Whoami");
  return { name, conn, id, inbox };
}

let steps = 0;

/** Sends a marker from `sender` that, once at every peer, follows `text`. */
type Barrier = (sender: Peer, peers: Peer[], marker: string) => Promise<void>;

/** One Redis: a broadcast arrives behind anything the sender sent before. */
const broadcastBarrier: Barrier = async (sender, peers, marker) => {
  await sender.conn.invoke("SendAll", marker);
  await Promise.all(peers.map((p) => p.inbox.received(marker)));
};

/** A cluster: one message through each shard, to groups every peer is in. */
function fenceBarrier(fences: string[]): Barrier {
  return async (sender, peers, marker) => {
    for (const group of fences) {
      await sender.conn.invoke("SendGroup", group, `${marker}-${group}`);
    }
    await Promise.all(
      peers.flatMap((p) =>
        fences.map((group) => p.inbox.received(`${marker}-${group}`))
      ),
    );
  };
}

/**
 * Has `sender` invoke `method(...args, text)`, then a barrier, and checks
 * that exactly `expected` got `text`, each once.
 */
async function step(
  barrier: Barrier,
  peers: Peer[],
  sender: Peer,
  expected: Peer[],
  method: string,
  ...args: unknown[]
): Promise<void> {
  const text = `step-${++steps}-${method}`;
  await sender.conn.invoke(method, ...args, text);
  await barrier(sender, peers, `barrier-${steps}`);
  const got = peers.filter((p) => p.inbox.count(text) > 0).map((p) => p.name);
  assert.deepEqual(got.sort(), expected.map((p) => p.name).sort(), text);
  for (const p of expected) assert.equal(p.inbox.count(text), 1, p.name);
}

/** Where the backplane runs: its env for the processes, a barrier, stop. */
interface Backend {
  readonly env: Record<string, string>;
  /** Groups every peer joins before the steps. */
  readonly fences: string[];
  readonly barrier: Barrier;
  stop(): Promise<void>;
}

async function singleRedis(): Promise<Backend> {
  const redis = await RedisServer.start();
  return {
    env: {
      REDIS_URL: redis.url,
      HUB_PREFIX: `switchboard:test-${crypto.randomUUID()}`,
    },
    fences: [],
    barrier: broadcastBarrier,
    stop: () => redis.stop(),
  };
}

async function redisCluster(): Promise<Backend> {
  const cluster = await RedisCluster.start({ masters: 3 });
  const prefix = `switchboard:test-${crypto.randomUUID()}`;
  const masters = await cluster.masters();
  const fences = namesPerShard(
    masters.flatMap((m) => m.role.slots),
    (name) => `${prefix}:group:${name}`,
  );
  return {
    env: { REDIS_CLUSTER_URLS: cluster.envValue, HUB_PREFIX: prefix },
    fences,
    barrier: fenceBarrier(fences),
    stop: () => cluster.stop(),
  };
}

const backends = [
  { name: "redis", skip: skipRedis, start: singleRedis },
  { name: "redis cluster", skip: skipRedisCluster, start: redisCluster },
];

for (const backendKind of backends) {
  Deno.test({
    name: `${backendKind.name}: every Clients target across three processes`,
    ignore: backendKind.skip,
    fn: async () => await everyTarget(await backendKind.start()),
  });
}

async function everyTarget(backend: Backend): Promise<void> {
  const procs: AppProcess[] = [];
  const peers: Peer[] = [];
  try {
    procs.push(
      ...await Promise.all(
        [1, 2, 3].map(() => AppProcess.start(NODE, backend.env)),
      ),
    );
    const [p1, p2, p3] = procs;
    const a1 = await peer(p1, "a1", "alice");
    const a2 = await peer(p2, "a2", "alice");
    const b2 = await peer(p2, "b2", "bob");
    const c3 = await peer(p3, "c3");
    const d1 = await peer(p1, "d1");
    peers.push(a1, a2, b2, c3, d1);
    for (const p of peers) {
      for (const group of backend.fences) await p.conn.invoke("Join", group);
    }
    const all = [...peers];
    const run = (
      sender: Peer,
      expected: Peer[],
      method: string,
      ...args: unknown[]
    ) => step(backend.barrier, all, sender, expected, method, ...args);

    await run(c3, all, "SendAll");
    await run(c3, [a1, a2, b2, d1], "SendOthers");
    await run(b2, [a1, b2, c3], "SendAllExcept", [a2.id, d1.id]);
    await run(c3, [a2], "SendClient", a2.id);
    await run(b2, [a1, c3], "SendClients", [a1.id, c3.id]);
    await run(c3, [a1, a2], "SendUser", "alice");
    await run(d1, [a1, a2, b2], "SendUsers", ["alice", "bob"]);

    await a1.conn.invoke("Join", "g");
    await b2.conn.invoke("Join", "g");
    await c3.conn.invoke("AddOther", d1.id, "g"); // held by another process
    await run(c3, [a1, b2, d1], "SendGroup", "g");
    await run(a2, [a1, d1], "SendGroupExcept", "g", [b2.id]);
    await run(a1, [b2, d1], "SendOthersInGroup", "g");

    await a2.conn.invoke("Join", "h");
    await b2.conn.invoke("Join", "h"); // in g and h: gets a g+h send once
    await run(c3, [a1, a2, b2, d1], "SendGroups", ["g", "h"]);

    // Nobody holds this id, so no ack comes: the call gives up quietly
    // after the ack timeout, as ASP.NET does.
    await c3.conn.invoke("AddOther", "no-such-connection", "g");

    await b2.conn.invoke("RemoveOther", d1.id, "g"); // held elsewhere
    await a1.conn.invoke("Leave", "g");
    await run(c3, [b2], "SendGroup", "g");
  } finally {
    await Promise.all(peers.map((p) => p.conn.stop()));
    await Promise.all(procs.map((p) => p.stop()));
    await backend.stop();
  }
}
