/**
 * Options of the Redis Cluster backplane, their defaults and why.
 *
 * @module
 */

import { type RedisBackplaneOptions, redisDefaults } from "./redis.ts";
import { definedFields } from "../defined_fields.ts";

/** Options of the cluster backplane; every field but `urls` has a default. */
export interface RedisClusterBackplaneOptions
  extends Omit<RedisBackplaneOptions, "url" | "subscribeBatch"> {
  /** Seed nodes, `redis://[user:password@]host:port`; any one suffices. */
  urls: readonly string[];
  /**
   * Buckets the `all` channel is split in. Default 16: with a handful of
   * shards each gets several, so broadcasts spread; each process holds 16
   * subscriptions for it. Every process of a hub must use the same count.
   */
  allChannels?: number;
  /**
   * Re-read the topology when a node has been failing this long. Default
   * 2 s: a failed master's replica takes over after the cluster's node
   * timeout, and this is how the backplane then finds it.
   */
  topologyRefreshMs?: number;
  /**
   * Re-read the slot map and re-subscribe channels the client lost this
   * often. Default 5 s: one `CLUSTER SLOTS` per process per interval.
   */
  reconcileIntervalMs?: number;
  /**
   * How long `subscribe` waits for a shard that does not answer. Default
   * 2 s: a handshake must not hang on a dead shard; the reconcile retries.
   */
  subscribeTimeoutMs?: number;
}

const { subscribeBatch: _unused, ...shared } = redisDefaults;

const defaults = {
  ...shared,
  allChannels: 16,
  topologyRefreshMs: 2_000,
  reconcileIntervalMs: 5_000,
  subscribeTimeoutMs: 2_000,
} as const;

/** The options with every default filled in. */
export type ClusterOptions = Required<
  Omit<RedisClusterBackplaneOptions, "logger">
>;

/** Fills in the defaults; throws on a value no cluster could use. */
export function clusterOptions(
  options: RedisClusterBackplaneOptions,
): ClusterOptions {
  if (options.urls.length === 0) {
    throw new TypeError("RedisClusterBackplane needs at least one seed URL");
  }
  const filled = { ...defaults, ...definedFields(options) } as ClusterOptions;
  if (!Number.isInteger(filled.allChannels) || filled.allChannels < 1) {
    throw new RangeError("allChannels must be a whole number from 1");
  }
  return filled;
}
