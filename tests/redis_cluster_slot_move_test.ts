/**
 * The test cluster's slot move must leave one owner that every master
 * agrees on, whatever the gossip timing: the Redis Cluster backplane's
 * slot-move test relies on it, and a move that lost the slot to a
 * disagreement (each master sending the slot's commands to the other)
 * made that test time out on a loaded machine.
 */

import assert from "node:assert/strict";
import { RedisCluster, skipRedisCluster } from "./helpers/redis_cluster.ts";
import {
  configEpoch,
  waitGossipRound,
} from "./helpers/redis_cluster_gossip.ts";

Deno.test({
  name:
    "redis cluster helper: a slot moved to a master with a lower config epoch stays moved",
  ignore: skipRedisCluster,
  async fn() {
    const cluster = await RedisCluster.start({ masters: 3 });
    try {
      const masters = await cluster.masters();
      const epochs = new Map<number, number>();
      for (const { role } of masters) {
        epochs.set(role.port, await configEpoch(cluster, role.port));
      }
      const byEpoch = [...masters].sort((x, y) =>
        epochs.get(x.role.port)! - epochs.get(y.role.port)!
      );
      // The hard case: the old owner's heartbeats outrank the new owner's
      // claim unless the move raises the new owner's epoch.
      const target = byEpoch[0];
      const source = byEpoch[byEpoch.length - 1];
      const slot = source.role.slots[0][0];

      await cluster.moveSlot(slot, target.role.port);

      const after = new Map<number, number>();
      for (const { role } of masters) {
        after.set(role.port, await configEpoch(cluster, role.port));
      }
      const top = Math.max(...after.values());
      assert.equal(after.get(target.role.port), top, "target epoch is highest");
      assert.equal(
        [...after.values()].filter((e) => e === top).length,
        1,
        "no other master shares the target's epoch",
      );
      await waitGossipRound(cluster);
      const seen = await cluster.ownersOf(slot);
      assert.deepEqual(
        [...seen.values()],
        masters.map(() => target.role.port),
        `every master says ${target.role.port} owns slot ${slot}`,
      );
    } finally {
      await cluster.stop();
    }
  },
});
