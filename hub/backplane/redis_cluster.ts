/**
 * The Redis Cluster backplane: hub processes act as one through sharded
 * pub/sub (`SSUBSCRIBE`/`SPUBLISH`), so each message goes to the one shard
 * owning its channel's slot and adding shards adds capacity. Classic
 * pub/sub on a cluster copies every message to every shard instead.
 *
 * Channels are the single-node backplane's (`<prefix>:group:<name>`, ...)
 * except `all`, the one channel every process subscribes: it is split in
 * `allChannels` buckets (`<prefix>:all:<n>`) spread over the shards. Every
 * process subscribes every bucket and publishes its own broadcasts to one
 * bucket picked by its node id, so broadcasts from many processes spread
 * over the shards, and one sender's broadcasts stay in order.
 *
 * Order: per sender per shard, as node-redis keeps one connection per
 * shard each way. Messages from one sender to channels on different shards
 * (a group and a user) may arrive in either order.
 *
 * Built on `@redis/client`'s cluster client: it discovers the topology
 * from any seed, routes by slot, follows `MOVED`, re-reads the topology
 * when a node keeps failing (how a failover's new master is found), and
 * moves sharded subscriptions when their slot moves. On top of it this
 * backplane tracks each shard's health, drops and counts publishes a shard
 * cannot take (nothing is queued), and every `reconcileIntervalMs`
 * re-subscribes any wanted channel the client lost and drops listeners it
 * left behind (`redis_cluster_reconcile.ts`).
 *
 * @example
 * ```ts
 * const backplane = new RedisClusterBackplane({
 *   urls: ["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"],
 *   prefix: "myapp:chat",
 * });
 * ```
 *
 * @module
 */

import {
  type Backplane,
  type BackplaneMessage,
  type BackplaneNode,
  type BackplaneStatus,
  type Scope,
} from "./backplane.ts";
import {
  allBucketChannels,
  allBucketOf,
  channelOf,
  redactRedisUrl,
  redactUrlsInText,
} from "./redis_channels.ts";
import { consoleLogger, type Logger } from "../logger.ts";
import {
  type ClusterOptions,
  clusterOptions,
  type RedisClusterBackplaneOptions,
} from "./redis_cluster_options.ts";
import {
  type ClusterClient,
  newClusterClient,
} from "./redis_cluster_client.ts";
import { closeClient } from "./redis_client.ts";
import { deliverEnvelope } from "./redis_delivery.ts";
import { reconnectDelay } from "./redis_reconnect.ts";
import { PublishLimit } from "./redis_publish_limit.ts";
import { ShardHealth } from "./redis_shard_health.ts";
import { SubscriptionReconciler } from "./redis_cluster_reconcile.ts";

export type { RedisClusterBackplaneOptions };

/** A backplane over Redis Cluster sharded pub/sub; see the module doc. */
export class RedisClusterBackplane implements Backplane {
  readonly #options: ClusterOptions;
  readonly #log: Logger;
  readonly #seeds: string;
  readonly #shards: ShardHealth;
  /** Channels this process wants; bounded by what it holds (its scopes). */
  readonly #wanted = new Set<string>();
  #node: BackplaneNode | undefined;
  #cluster: ClusterClient | undefined;
  /** This process's `all` bucket. */
  #allChannel = "";
  #state: "new" | "connecting" | "up" | "closed" = "new";
  #since = 0;
  #lastError = "";
  #seedError = "";
  readonly #limit: PublishLimit;
  readonly #repair: SubscriptionReconciler;
  #settleStart: (() => void) | undefined;
  readonly #listener = (text: string, channel: string) =>
    this.#onMessage(text, channel);

  /** Prepares; nothing connects before `start`. */
  constructor(options: RedisClusterBackplaneOptions) {
    this.#options = clusterOptions(options);
    this.#log = options.logger ?? consoleLogger();
    this.#seeds = options.urls.map(redactRedisUrl).join(",");
    this.#shards = new ShardHealth(this.#log);
    this.#limit = new PublishLimit(this.#options.maxInFlight);
    this.#repair = new SubscriptionReconciler({
      cluster: () => this.#cluster,
      wanted: this.#wanted,
      isUp: () => this.#state === "up",
      isClosed: () => this.#state === "closed",
      subscribe: (cluster, channel) => this.#subscribeChannel(cluster, channel),
      listener: this.#listener,
      intervalMs: this.#options.reconcileIntervalMs,
    });
  }

  /**
   * Discovers the cluster and subscribes every `all` bucket and
   * `node:<id>`. Resolves when they are in effect, or after the first
   * failure or `startTimeoutMs`, so a hub with the cluster down still
   * starts and serves its own clients; connecting goes on meanwhile.
   */
  async start(node: BackplaneNode): Promise<void> {
    if (this.#state !== "new") throw new TypeError("Backplane already started");
    const { prefix, allChannels } = this.#options;
    this.#node = node;
    this.#state = "connecting";
    this.#since = Date.now();
    for (const channel of allBucketChannels(prefix, allChannels)) {
      this.#wanted.add(channel);
    }
    this.#wanted.add(this.#channel(`node:${node.id}`));
    this.#allChannel = `${prefix}:all:${allBucketOf(node.id, allChannels)}`;
    this.#cluster = this.#createCluster();
    const firstOutcome = new Promise<void>((resolve) => {
      this.#settleStart = resolve;
    });
    const timer = setTimeout(
      () => this.#settleStart?.(),
      this.#options.startTimeoutMs,
    );
    this.#connect(0);
    try {
      await firstOutcome;
    } finally {
      clearTimeout(timer);
      this.#settleStart = undefined;
    }
  }

  /**
   * Publishes to each scope's channel; drops and counts what cannot go (a
   * shard down: its node's connection refuses at once, nothing queues).
   */
  async publish(message: BackplaneMessage): Promise<void> {
    const cluster = this.#cluster;
    await this.#limit.publish(
      message,
      this.#node?.id ?? null,
      !!cluster && this.#state === "up",
      async (scope, payload) =>
        await cluster?.sPublish(this.#publishChannel(scope), payload),
    );
  }

  /**
   * Subscribes `scope`'s channel on the shard owning it. Resolves once in
   * effect, at once while the cluster is unreachable, or after
   * `subscribeTimeoutMs` if the shard does not answer; the reconcile
   * subscribes it later in those cases.
   */
  subscribe(scope: Scope): Promise<void> {
    const channel = this.#channel(scope);
    this.#wanted.add(channel);
    if (this.#state !== "up" && this.#state !== "connecting") {
      return Promise.resolve();
    }
    if (!this.#cluster?.isReady) return Promise.resolve();
    return this.#subscribeChannel(this.#cluster, channel);
  }

  async #subscribeChannel(cluster: ClusterClient, channel: string) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.subscribeTimeoutMs);
    });
    const subscribed = cluster.sSubscribe(channel, this.#listener).catch(
      (error: unknown) =>
        this.#log.log("debug", "backplane.redis_cluster.subscribe_failed", {
          channel,
          error: this.#describe(error),
        }),
    );
    try {
      await Promise.race([subscribed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Unsubscribes `scope`'s channel; messages already on the way are ignored. */
  unsubscribe(scope: Scope): void {
    const channel = this.#channel(scope);
    this.#wanted.delete(channel);
    if (!this.#cluster?.isReady || this.#state === "closed") return;
    // A failure leaves a stale channel; the reconcile drops it and
    // #onMessage filters by #wanted meanwhile.
    this.#cluster.sUnsubscribe(channel, this.#listener).catch(() => {});
  }

  /** Health for `/healthz` and `/metrics`; the detail never holds secrets. */
  status(): BackplaneStatus {
    const pending = this.#state === "up" ? this.#repair.pending() : 0;
    return {
      name: "redis-cluster",
      healthy: this.#state === "up" && this.#shards.allUp && pending === 0,
      detail: this.#detail(pending),
      dropped: this.#limit.dropped,
    };
  }

  /** Stops reconnecting, closes every connection, stops delivering. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#settleStart?.();
    this.#node = undefined;
    this.#repair.stop();
    // Graceful while the cluster was reachable: pending replies arrive.
    await closeClient(this.#cluster, true);
    this.#log.log("info", "backplane.redis_cluster.closed", {
      urls: this.#seeds,
    });
  }

  /** Re-reads the state a concurrent `close()` may have changed. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  #channel(scope: Scope): string {
    return channelOf(this.#options.prefix, scope);
  }

  #publishChannel(scope: Scope): string {
    return scope === "all" ? this.#allChannel : this.#channel(scope);
  }

  #createCluster(): ClusterClient {
    const cluster = newClusterClient({
      ...this.#options,
      onSubscriptionsDropped: () => this.#repair.schedule(),
      backoff: (retries) =>
        this.#state === "closed"
          ? false
          : reconnectDelay(retries, this.#options),
    });
    // Discovery reports each seed's failure here (a wrong password, a
    // refused connection) before giving up with a generic error.
    cluster.on("error", (error: unknown) => {
      this.#seedError = this.#describe(error);
    });
    this.#shards.watch(cluster, () => this.#repair.schedule());
    this.#repair.watch(cluster);
    return cluster;
  }

  /** Discovers the cluster; on failure retries with backoff until closed. */
  async #connect(attempt: number): Promise<void> {
    const cluster = this.#cluster;
    if (!cluster || this.#state === "closed") return;
    try {
      await cluster.connect();
    } catch (error) {
      if (this.#isClosed()) return;
      this.#lastError = `${this.#describe(error)} (${this.#seedError})`;
      if (attempt === 0) {
        this.#log.log("warn", "backplane.redis_cluster.down", {
          urls: this.#seeds,
          error: this.#lastError,
        });
      }
      this.#settleStart?.();
      const delay = reconnectDelay(attempt, this.#options);
      setTimeout(() => this.#connect(attempt + 1), delay);
      return;
    }
    await this.#repair.reconcile();
    if (this.#state !== "connecting") return;
    this.#state = "up";
    this.#log.log("info", "backplane.redis_cluster.up", {
      urls: this.#seeds,
      masters: cluster.masters.length,
      downMs: Date.now() - this.#since,
    });
    this.#repair.start();
    this.#settleStart?.();
  }

  #onMessage(text: string, channel: string): void {
    if (!this.#wanted.has(channel)) return;
    deliverEnvelope(this.#node, text, channel, this.#log);
  }

  #detail(pending: number): string {
    const channels = this.#wanted.size;
    switch (this.#state) {
      case "new":
        return `not started (${this.#seeds})`;
      case "connecting":
        return this.#lastError
          ? `cluster ${this.#seeds} unreachable since ` +
            `${new Date(this.#since).toISOString()}: ${this.#lastError}; ` +
            `serving local connections only`
          : `connecting to cluster ${this.#seeds}`;
      case "up": {
        const masters = this.#cluster?.masters.length ?? 0;
        const down = this.#shards.describeDown();
        if (down) {
          return `${down}; messages for those shards are dropped, ` +
            `the other masters serve on`;
        }
        return pending > 0
          ? `connected to cluster ${this.#seeds}: ${masters} masters, ` +
            `${channels} channels, ${pending} subscriptions being repaired`
          : `connected to cluster ${this.#seeds}: ${masters} masters, ` +
            `${channels} channels`;
      }
      case "closed":
        return "closed";
    }
  }

  #describe(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return redactUrlsInText(text);
  }
}
