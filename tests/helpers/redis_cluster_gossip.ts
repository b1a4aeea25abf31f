/**
 * What each master of a test cluster believes about slots, read with
 * `redis-cli`: config epochs, heartbeats, refused commands.
 * Tests of slot moves use it to see that the masters agree.
 *
 * @module
 */

import type { RedisCluster } from "./redis_cluster.ts";
import { waitUntil } from "./wait_until.ts";

/** A master's config epoch: the higher one wins a disputed slot. */
export async function configEpoch(
  cluster: RedisCluster,
  port: number,
): Promise<number> {
  const info = await cluster.cli(["-p", String(port), "cluster", "info"]);
  const match = /cluster_my_epoch:(\d+)/.exec(info);
  if (!match) throw new Error(`No cluster_my_epoch from port ${port}`);
  return Number(match[1]);
}

/**
 * Waits until every running master has had a heartbeat answered by every
 * other since this call: one gossip round, after which a disputed slot
 * has been settled by config epochs.
 */
export async function waitGossipRound(
  cluster: RedisCluster,
  timeoutMs = 20_000,
): Promise<void> {
  const since = Date.now();
  await waitUntil(
    async () => {
      for (const { role } of await cluster.masters()) {
        const text = await cluster.nodesSeenBy(role.port);
        for (const line of text.trim().split("\n")) {
          const fields = line.split(" ");
          const flags = fields[2].split(",");
          if (flags.includes("myself") || !flags.includes("master")) continue;
          if (Number(fields[5]) <= since) return false; // pong received at
        }
      }
      return true;
    },
    "a gossip round among the masters",
    timeoutMs,
  );
}

/** `SSUBSCRIBE` calls the node on `port` refused (`MOVED` and such). */
export async function refusedSsubscribes(
  cluster: RedisCluster,
  port: number,
): Promise<number> {
  const text = await cluster.cli(["-p", String(port), "info", "commandstats"]);
  const line = /cmdstat_ssubscribe:[^\r\n]*/.exec(text)?.[0] ?? "";
  return Number(/rejected_calls=(\d+)/.exec(line)?.[1] ?? 0);
}
