/**
 * What only the Redis Cluster backplane has, on a real cluster: a master
 * killed mid-test (its shard's messages dropped and counted while the
 * other shards serve on, then its replica takes over and the channels
 * follow), a slot moved to another master, the whole cluster down and
 * back, starting while it is down, passwords kept out of health detail.
 */

import assert from "node:assert/strict";
import {
  RedisClusterBackplane,
  type RedisClusterBackplaneOptions,
} from "../hub/backplane/redis_cluster.ts";
import type { InvokeMessage } from "../hub/backplane/backplane.ts";
import { silentLogger } from "../hub/logger.ts";
import { Recorder, toAll } from "./helpers/backplane_recorder.ts";
import { testSocketTimeoutMs } from "./helpers/redis_server.ts";
import {
  keySlot,
  namesPerShard,
  ownsSlot,
  RedisCluster,
  skipRedisCluster,
} from "./helpers/redis_cluster.ts";
import { refusedSsubscribes } from "./helpers/redis_cluster_gossip.ts";
import { waitUntil } from "./helpers/wait_until.ts";

/** A started cluster backplane with fast reconnects, `options` on top. */
async function started(
  urls: string[],
  prefix: string,
  name: string,
  options: Partial<RedisClusterBackplaneOptions> = {},
) {
  const bp = new RedisClusterBackplane({
    urls,
    prefix,
    logger: silentLogger,
    socketTimeoutMs: testSocketTimeoutMs,
    minReconnectDelayMs: 20,
    maxReconnectDelayMs: 200,
    topologyRefreshMs: 300,
    reconcileIntervalMs: 300,
    startTimeoutMs: 2_000,
    subscribeTimeoutMs: 500,
    ...options,
  });
  const node = new Recorder(name);
  await bp.start(node);
  return { bp, node };
}

function uniquePrefix(): string {
  return `switchboard:test-${crypto.randomUUID()}`;
}

function toGroup(group: string, method: string): InvokeMessage {
  return {
    kind: "invoke",
    target: { kind: "groups", names: [group] },
    method,
    args: [],
  };
}

type Started = Awaited<ReturnType<typeof started>>;

/**
 * Publishes to `group` until `to` gets one: after a failover or slot move
 * the subscription follows asynchronously. Returns how many were sent.
 */
async function untilDelivered(
  from: Started,
  to: Started,
  group: string,
  label: string,
): Promise<number> {
  let sent = 0;
  const got = () =>
    to.node.received.some((r) =>
      r.message.kind === "invoke" && r.message.method.startsWith(label)
    );
  await waitUntil(
    async () => {
      if (got()) return true;
      await from.bp.publish(toGroup(group, `${label}-${++sent}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
      return got();
    },
    `${label} reaches ${to.node.id}`,
    // Several reconcile intervals (5 s): the suite runs cluster tests side
    // by side on two cores.
    45_000,
  );
  return sent;
}

/** Two backplanes on a fresh cluster, and a group name on each shard. */
interface Pair {
  readonly cluster: RedisCluster;
  readonly prefix: string;
  readonly a: Started;
  readonly b: Started;
  /** Masters in `CLUSTER NODES` order; `groups[i]` lives on `masters[i]`. */
  readonly masters: Awaited<ReturnType<RedisCluster["masters"]>>;
  readonly groups: string[];
}

/** Runs `body` on a pair on a new cluster, then closes both and the cluster. */
async function withPair(
  replicas: number,
  body: (pair: Pair) => Promise<void>,
): Promise<void> {
  const cluster = await RedisCluster.start({ masters: 3, replicas });
  const prefix = uniquePrefix();
  const masters = await cluster.masters();
  const groups = namesPerShard(
    masters.map((m) => m.role.slots[0]),
    (name) => `${prefix}:group:${name}`,
  );
  const a = await started(cluster.urls, prefix, "a");
  const b = await started(cluster.urls, prefix, "b");
  try {
    await body({ cluster, prefix, a, b, masters, groups });
  } finally {
    await a.bp.close();
    await b.bp.close();
    await cluster.stop();
  }
}

/**
 * `b` subscribes `group:moving` and gets a message on it; returns the
 * channel's slot, the master owning it, and another master.
 */
async function subscribeMoving({ cluster, prefix, a, b }: Pair) {
  await b.bp.subscribe("group:moving");
  await a.bp.publish(toGroup("moving", "before"));
  await b.node.invoked("before");
  const slot = keySlot(`${prefix}:group:moving`);
  const masters = await cluster.masters();
  const owner = masters.find((m) => ownsSlot(m.role, slot))!;
  const other = masters.find((m) => m !== owner)!;
  return { slot, owner, other };
}

Deno.test({
  name:
    "redis cluster backplane: a master killed mid-test, its replica takes over",
  ignore: skipRedisCluster,
  async fn() {
    await withPair(1, async ({ cluster, a, b, masters, groups }) => {
      for (const group of groups) await b.bp.subscribe(`group:${group}`);
      for (const group of groups) {
        await a.bp.publish(toGroup(group, `before-${group}`));
        await b.node.invoked(`before-${group}`);
      }
      const [dead, ...alive] = groups;
      const victim = masters[0];
      await victim.server.kill();
      await waitUntil(() => !a.bp.status().healthy, "a sees the shard down");
      assert.match(
        a.bp.status().detail,
        new RegExp(`shard 127\\.0\\.0\\.1:${victim.role.port} down since`),
      );
      // The other shards serve on while this one has no master.
      for (const group of alive) {
        await a.bp.publish(toGroup(group, `during-${group}`));
        await b.node.invoked(`during-${group}`);
      }

      await cluster.waitFailover(victim.role.port);
      await untilDelivered(a, b, dead, "after-failover");
      await waitUntil(() => a.bp.status().healthy, "a healthy again");
      await waitUntil(() => b.bp.status().healthy, "b healthy again");
      // Whatever got through arrived once: nothing was queued and replayed.
      const methods = b.node.received.flatMap((r) =>
        r.message.kind === "invoke" ? [r.message.method] : []
      );
      assert.equal(new Set(methods).size, methods.length);

      // The killed node comes back as a replica; nothing changes for us.
      await victim.server.restart();
      await cluster.waitHealthy();
      for (const group of groups) {
        await a.bp.publish(toGroup(group, `restarted-${group}`));
        await b.node.invoked(`restarted-${group}`);
      }
      await a.bp.publish(toAll("all-after"));
      await b.node.invoked("all-after");
    });
  },
});

Deno.test({
  name:
    "redis cluster backplane: a publish to a dead shard is dropped, counted",
  ignore: skipRedisCluster,
  async fn() {
    await withPair(0, async ({ cluster, a, b, masters, groups }) => {
      for (const group of groups) await b.bp.subscribe(`group:${group}`);
      await masters[0].server.kill();
      await waitUntil(() => !a.bp.status().healthy, "a sees the shard down");
      await a.bp.publish(toGroup(groups[0], "lost")); // resolves, never rejects
      assert.equal(a.bp.status().dropped, 1);
      await a.bp.publish(toGroup(groups[1], "kept"));
      await b.node.invoked("kept");
      assert.equal(a.bp.status().dropped, 1);

      await masters[0].server.restart();
      await cluster.waitHealthy();
      await waitUntil(() => a.bp.status().healthy, "a sees it back");
      await waitUntil(() => b.bp.status().healthy, "b sees it back");
      await untilDelivered(a, b, groups[0], "back");
      assert.equal(b.node.count("lost"), 0);
    });
  },
});

Deno.test({
  name:
    "redis cluster backplane: a subscription follows its slot to a new master",
  ignore: skipRedisCluster,
  async fn() {
    await withPair(0, async (pair) => {
      const { cluster, a, b } = pair;
      const { slot, other } = await subscribeMoving(pair);
      await cluster.moveSlot(slot, other.role.port);
      // Redis tells b's connection the channel moved (SUNSUBSCRIBE); a's
      // next SPUBLISH gets MOVED. Both follow to the new owner.
      await untilDelivered(a, b, "moving", "after-move");
      assert.ok(a.bp.status().healthy && b.bp.status().healthy);
    });
  },
});

Deno.test({
  name:
    "redis cluster backplane: a slot-moved notice the client loses leaves no listener behind",
  ignore: skipRedisCluster,
  async fn() {
    await withPair(0, async (pair) => {
      const { cluster, prefix, a, b } = pair;
      const { slot, owner, other } = await subscribeMoving(pair);
      // A second channel on the old owner, subscribed while it is busy:
      // its reply is still due when the notice for `moving` arrives on the
      // same connection, and node-redis takes the notice for that reply,
      // keeping `moving`'s listener there and then failing on the reply.
      let n = 0;
      while (
        !ownsSlot(owner.role, keySlot(`${prefix}:group:late-${n}`)) ||
        keySlot(`${prefix}:group:late-${n}`) === slot
      ) n++;
      const late = `late-${n}`;
      await cluster.moveSlotOwnerFirst(slot, other.role.port, {
        whileOwnerBusy: () => b.bp.subscribe(`group:${late}`),
      });
      await untilDelivered(a, b, "moving", "after-move");
      // Healthy again: the unmatched reply is no outage, and the listener
      // left on the old owner is dropped.
      await waitUntil(() => b.bp.status().healthy, "b healthy again");
      // Back to the old owner: with the listener still there, node-redis
      // would take the channel as subscribed and never subscribe it.
      await cluster.moveSlot(slot, owner.role.port);
      await untilDelivered(a, b, "moving", "after-return");
      await untilDelivered(a, b, late, "late");
      assert.ok(a.bp.status().healthy && b.bp.status().healthy);
    });
  },
});

Deno.test({
  name:
    "redis cluster backplane: a channel moved before its new master knows is subscribed once it does",
  ignore: skipRedisCluster,
  async fn() {
    await withPair(0, async (pair) => {
      const { cluster, a, b } = pair;
      const { slot, other } = await subscribeMoving(pair);
      const port = other.role.port;
      const refused = await refusedSsubscribes(cluster, port);
      // The old owner lets go first. On its notice node-redis re-reads the
      // slot map from it, puts the channel's listener in the new master's
      // table, and sends SSUBSCRIBE there; the new master, not told yet,
      // answers MOVED, and node-redis leaves the listener in place, so the
      // channel would count as subscribed where it is not.
      await cluster.moveSlotOwnerFirst(slot, port, {
        beforeTarget: () =>
          waitUntil(
            async () => (await refusedSsubscribes(cluster, port)) > refused,
            "b subscribes on the new master too early",
          ),
      });
      await untilDelivered(a, b, "moving", "after-move");
      await waitUntil(() => b.bp.status().healthy, "b healthy again");
    });
  },
});

Deno.test({
  name: "redis cluster backplane: the whole cluster down and back",
  ignore: skipRedisCluster,
  async fn() {
    await withPair(0, async ({ cluster, a, b }) => {
      await b.bp.subscribe("group:before");
      await cluster.killAll();
      await waitUntil(() => !a.bp.status().healthy, "a sees the cluster down");
      await waitUntil(() => !b.bp.status().healthy, "b sees the cluster down");
      await a.bp.publish(toAll("lost"));
      assert.equal(a.bp.status().dropped, 1);
      await b.bp.subscribe("group:during"); // resolves while down

      await cluster.restartAll();
      await waitUntil(() => a.bp.status().healthy, "a reconnects");
      await waitUntil(() => b.bp.status().healthy, "b reconnects");
      assert.match(a.bp.status().detail, /^connected to cluster /);
      for (const group of ["before", "during"]) {
        await untilDelivered(a, b, group, group);
      }
      await a.bp.publish(toAll("after"));
      await b.node.invoked("after");
      assert.equal(b.node.count("lost"), 0);
    });
  },
});

Deno.test({
  name:
    "redis cluster backplane: starts while the cluster is down, joins later",
  ignore: skipRedisCluster,
  async fn() {
    const cluster = await RedisCluster.start({ masters: 3 });
    await cluster.killAll();
    const prefix = uniquePrefix();
    const a = await started(cluster.urls, prefix, "a"); // must not hang
    try {
      assert.equal(a.bp.status().healthy, false);
      assert.match(a.bp.status().detail, /unreachable since .*local/);
      await a.bp.publish(toAll("early"));
      assert.equal(a.bp.status().dropped, 1);
      await cluster.restartAll();
      await waitUntil(() => a.bp.status().healthy, "a connects late");
      const b = await started(cluster.urls, prefix, "b");
      try {
        await b.bp.publish(toAll("late"));
        await a.node.invoked("late");
      } finally {
        await b.bp.close();
      }
    } finally {
      await a.bp.close();
      await cluster.stop();
    }
  },
});

Deno.test({
  name: "redis cluster backplane: a password never shows in status detail",
  ignore: skipRedisCluster,
  async fn() {
    const password = "s3cret-Pa55";
    const cluster = await RedisCluster.start({ masters: 3, password });
    const prefix = uniquePrefix();
    const good = await started(cluster.urls, prefix, "good");
    const wrong = cluster.urls.map((u) => u.replace("s3cret", "wrong"));
    const bad = await started(wrong, prefix, "bad");
    const peer = await started(cluster.urls, prefix, "peer");
    try {
      assert.ok(cluster.urls[0].includes(password));
      assert.equal(good.bp.status().healthy, true);
      assert.equal(bad.bp.status().healthy, false);
      for (const { bp } of [good, bad]) {
        const detail = bp.status().detail;
        assert.ok(!detail.includes("Pa55"), detail);
      }
      assert.match(bad.bp.status().detail, /WRONGPASS|NOAUTH|auth/i);
      // Discovered nodes got the seed's password too.
      await peer.bp.publish(toAll("authenticated"));
      await good.node.invoked("authenticated");
    } finally {
      await good.bp.close();
      await bad.bp.close();
      await peer.bp.close();
      await cluster.stop();
    }
  },
});
