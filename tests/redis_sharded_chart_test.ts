/**
 * The chart app (`main.ts`) in two processes with `REDIS_CLUSTER_URLS` on
 * a real Redis Cluster (3 masters, each with a replica): the article's
 * methods work across processes, the chart feed stays one message per
 * interval per client, and killing the master that owns a connection's
 * channel mid-test shows in /healthz and /metrics while the other shards
 * serve on, until the replica takes over and delivery to it resumes.
 */

import assert from "node:assert/strict";
import { AppProcess } from "./helpers/app_process.ts";
import {
  keySlot,
  RedisCluster,
  skipRedisCluster,
} from "./helpers/redis_cluster.ts";
import { nextEvent } from "./helpers/signalr_client.ts";
import { Inbox } from "./helpers/inbox.ts";
import { waitUntil } from "./helpers/wait_until.ts";
import {
  type ChartPeer,
  chartPeer,
  direct,
  health,
  JWT_SECRET,
  metrics,
  tokenFor,
} from "./helpers/chart_peer.ts";

const PASSWORD = "hunter2-cluster";

/** The running master owning `channel`'s slot. */
async function ownerOf(cluster: RedisCluster, channel: string) {
  const slot = keySlot(channel);
  const masters = await cluster.masters();
  return masters.find((m) =>
    m.role.slots.some(([from, to]) => slot >= from && slot <= to)
  )!;
}

/** Connects clients to `proc` until one's connection channel is on `port`. */
async function peerOnShard(
  proc: AppProcess,
  cluster: RedisCluster,
  prefix: string,
  port: number,
  spare: ChartPeer[],
): Promise<ChartPeer> {
  for (let i = 0; i < 30; i++) {
    const peer = await chartPeer(proc);
    const owner = await ownerOf(cluster, `${prefix}:connection:${peer.id}`);
    if (owner.role.port === port) return peer;
    spare.push(peer);
  }
  throw new Error(`No connection channel landed on port ${port}`);
}

Deno.test({
  name: "redis sharded chart: two processes on a cluster, a master killed",
  ignore: skipRedisCluster,
  async fn() {
    const cluster = await RedisCluster.start({
      masters: 3,
      replicas: 1,
      password: PASSWORD,
    });
    const prefix = `switchboard:test-${crypto.randomUUID()}`;
    const procs: AppProcess[] = [];
    const clients: ChartPeer[] = [];
    try {
      const env = {
        REDIS_CLUSTER_URLS: cluster.envValue,
        REDIS_PREFIX: prefix,
        KV_PATH: ":memory:",
        JWT_SECRET,
        LOG_LEVEL: "info",
      };
      procs.push(
        ...await Promise.all(
          [1, 2].map(() => AppProcess.start("main.ts", env)),
        ),
      );
      const [p1, p2] = procs;
      for (const p of procs) {
        const { body } = await health(p);
        assert.equal(body.backplane.name, "redis-cluster");
        assert.equal(body.backplane.healthy, true, body.backplane.detail);
      }

      // Connection, user and group across processes.
      const token = await tokenFor("alice");
      const alice1 = await chartPeer(p1, token);
      const alice2 = await chartPeer(p2, token);
      const x2 = await chartPeer(p2);
      const y1 = await chartPeer(p1);
      clients.push(alice1, alice2, x2, y1);
      await direct(y1, x2, "to x across processes");
      const toUser = new Inbox(alice2.conn, "broadcasttouser");
      await alice1.conn.invoke("BroadcastToUser", "hi alice", "alice");
      await toUser.received("hi alice");
      const toGroup = new Inbox(x2.conn, "broadcasttogroup");
      await x2.conn.invoke("AddToGroup", "g");
      await alice1.conn.invoke("BroadcastToGroup", "g");
      await toGroup.received(`${alice1.id} has joined the group g.`);

      // The chart feed: one message per interval per client, not one per
      // process (each process feeds only its own clients).
      const counts = [y1, x2].map(() => 0);
      [y1, x2].forEach((c, i) =>
        c.conn.on("transferchartdata", () => counts[i]++)
      );
      const started = Date.now();
      await waitUntil(() => counts.every((n) => n >= 3), "three ticks each");
      const intervals = Math.ceil((Date.now() - started) / 1000);
      for (const n of counts) assert.ok(n <= intervals + 1, `${n} messages`);

      // Kill the master owning one connection's channel, keep one whose
      // channel is on another shard.
      const victim = await ownerOf(cluster, `${prefix}:connection:${x2.id}`);
      const other = (await cluster.masters()).find((m) => m !== victim)!;
      const safe = await peerOnShard(
        p2,
        cluster,
        prefix,
        other.role.port,
        clients,
      );
      clients.push(safe);
      await victim.server.kill();
      await waitUntil(
        async () => !(await health(p1)).body.backplane.healthy,
        "p1 reports a shard down",
      );
      const down = await health(p1);
      assert.equal(down.status, 200, "still live");
      assert.match(
        down.body.backplane.detail,
        new RegExp(`shard 127\\.0\\.0\\.1:${victim.role.port} down since`),
      );
      assert.ok(!JSON.stringify(down.body).includes(PASSWORD));
      assert.match(await metrics(p1), /^switchboard_backplane_up 0$/m);
      // The other shards serve on; local delivery and the feed go on.
      // node-redis may hold commands for every shard while it rediscovers
      // the topology after losing a master, so a send can be dropped or
      // late; what must hold is that delivery to the live shards resumes
      // without the dead one coming back.
      await untilDirect(y1, safe, "other shard while one is down");
      await direct(alice1, y1, "local while a shard is down");
      await nextEvent(x2.conn, "transferchartdata", 5_000);

      // The replica takes over; the channel follows; delivery resumes.
      await cluster.waitFailover(victim.role.port);
      for (const p of procs) {
        await waitUntil(
          async () => (await health(p)).body.backplane.healthy,
          "the backplane is whole again",
          30_000,
        );
      }
      await direct(y1, x2, "after failover");
      await alice1.conn.invoke("BroadcastToGroup", "g");
      await waitUntil(
        () => toGroup.count(`${alice1.id} has joined the group g.`) === 2,
        "the group send after failover",
      );
      for (const p of procs) {
        assert.ok(
          p.log.some((l) => l.includes("backplane.redis_cluster.shard_down")),
        );
        assert.ok(!p.log.some((l) => l.includes(PASSWORD)), "no password");
      }
    } finally {
      await Promise.all(clients.map((c) => c.conn.stop()));
      await Promise.all(procs.map((p) => p.stop()));
      await cluster.stop();
    }
  },
});

/**
 * Sends numbered `label` texts from `from` to `to` until one arrives
 * (bounded: 45 s), for a path that is coming back after a failure.
 */
async function untilDirect(
  from: ChartPeer,
  to: ChartPeer,
  label: string,
): Promise<void> {
  let n = 0;
  await waitUntil(
    async () => {
      if (to.direct.texts.some((t) => t.startsWith(label))) return true;
      await from.conn.invoke("BroadcastToConnection", `${label} ${++n}`, to.id);
      await new Promise((resolve) => setTimeout(resolve, 500));
      return to.direct.texts.some((t) => t.startsWith(label));
    },
    `${label}: a message reaches ${to.id}`,
    45_000,
  );
}
