/**
 * The Redis Cluster backplane's repair loop: keeps node-redis's sharded
 * subscriptions matching the channels the backplane wants, on the master
 * that owns each channel's slot.
 *
 * node-redis keeps one listener table per master connection and moves a
 * channel's listeners when Redis tells that connection the slot left
 * (`SUNSUBSCRIBE` pushed by the server). node-redis 6.3.1 loses that notice
 * when it arrives while a reply is pending on the connection (a `PING`, a
 * `SSUBSCRIBE` of another channel): it counts the notice as that reply.
 * The listener then stays in the old master's table although Redis has
 * dropped the subscription, so node-redis would take the channel as
 * subscribed there if the slot came back, and never send `SSUBSCRIBE`.
 * The repair therefore also drops such listeners, as the notice would have.
 *
 * When the notice does arrive, node-redis re-reads the slot map, puts the
 * channel's listeners in the new master's table, then sends `SSUBSCRIBE`
 * there; if that is refused (the new master not told yet answers `MOVED`)
 * the listeners stay, and the channel looks subscribed where it is not.
 * The repair drops those too, on node-redis's report of the failure.
 *
 * @module
 */

import type { ClusterClient } from "./redis_cluster_client.ts";
import { keySlot } from "./redis_slot.ts";

/** What the repair needs of the backplane. */
export interface ReconcileHost {
  /** The client, while there is one. */
  cluster(): ClusterClient | undefined;
  /** Channels wanted now; read on every pass, bounded by the caller. */
  readonly wanted: ReadonlySet<string>;
  /** True once the cluster was first reached and until closed. */
  isUp(): boolean;
  /** True once closed: nothing may start. */
  isClosed(): boolean;
  /** Subscribes `channel`; resolves in bounded time, never rejects. */
  subscribe(cluster: ClusterClient, channel: string): Promise<void>;
  /** The listener every subscription was made with. */
  readonly listener: (text: string, channel: string) => void;
  /** How often the slot map is re-read and the repair runs. */
  readonly intervalMs: number;
}

/** Where the client's sharded listeners are, against its slot map. */
interface Listeners {
  /** Channels held on the master that owns their slot. */
  readonly held: Set<string>;
  /** Listeners held on a master that does not own their slot. */
  readonly stale: number;
}

/**
 * Runs the repair on node events (`schedule`) and every `intervalMs`
 * (`start`), one pass at a time, each bounded by `intervalMs`.
 */
export class SubscriptionReconciler {
  readonly #host: ReconcileHost;
  #timer: ReturnType<typeof setInterval> | undefined;
  #scheduled = false;
  #refreshing = false;

  /** Nothing runs before `start`, `schedule` or `reconcile`. */
  constructor(host: ReconcileHost) {
    this.#host = host;
  }

  /**
   * Follows `cluster`'s report that it failed to move a channel after a
   * notice: the listeners it put on the new master without a confirmed
   * subscription are dropped, and the repair subscribes them again.
   */
  watch(cluster: ClusterClient): void {
    cluster.on("sharded-channel-moved-error", (_: unknown, channel: string) => {
      dropUnconfirmed(cluster, channel);
      this.schedule();
    });
  }

  /** Starts the periodic slot-map re-read and repair. */
  start(): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(
      () => this.#refreshAndReconcile(),
      this.#host.intervalMs,
    );
  }

  /** Stops the periodic pass; one already running ends on its own. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Repairs soon, once per burst of node events. */
  schedule(): void {
    if (this.#scheduled || !this.#host.isUp()) return;
    this.#scheduled = true;
    setTimeout(() => {
      this.#scheduled = false;
      this.reconcile();
    }, 50);
  }

  /**
   * Makes the client's sharded subscriptions match the wanted channels: a
   * subscribe that failed while a shard was down, or a listener lost while
   * a slot moved, is subscribed again; an unwanted one is unsubscribed; a
   * listener left on a master that lost the slot is dropped.
   */
  async reconcile(): Promise<void> {
    const cluster = this.#host.cluster();
    if (!cluster?.isReady || this.#host.isClosed()) return;
    dropStaleListeners(cluster);
    const { held } = listenersOf(cluster);
    const { wanted, listener } = this.#host;
    const work: Promise<unknown>[] = [];
    for (const channel of wanted) {
      if (!held.has(channel)) work.push(this.#host.subscribe(cluster, channel));
    }
    for (const channel of held) {
      if (wanted.has(channel)) continue;
      work.push(cluster.sUnsubscribe(channel, listener).catch(() => {}));
    }
    await Promise.all(work);
  }

  /**
   * Wanted channels not (yet) subscribed where they belong, plus listeners
   * still to drop: while either is above zero, messages to some channel
   * may be lost, so the backplane is not healthy.
   */
  pending(): number {
    const cluster = this.#host.cluster();
    if (!cluster?.isReady) return this.#host.wanted.size;
    const { held, stale } = listenersOf(cluster);
    let missing = stale;
    for (const channel of this.#host.wanted) if (!held.has(channel)) missing++;
    return missing;
  }

  /**
   * Re-reads the slot map (one `CLUSTER SLOTS`), then repairs. A process
   * that only subscribes hears of a slot move only by Redis's notice,
   * which can be lost (see the module doc); the fresh map shows the
   * channel on the wrong master and the repair moves it.
   */
  async #refreshAndReconcile(): Promise<void> {
    const cluster = this.#host.cluster();
    if (this.#refreshing || !cluster?.isReady || !this.#host.isUp()) return;
    this.#refreshing = true;
    try {
      // Bounded: a rediscover that never answers (a shard hanging mid-move)
      // must not hold #refreshing and stop every later pass.
      const ms = this.#host.intervalMs;
      await withDeadline(cluster._slots.rediscover(), ms);
      await withDeadline(this.reconcile(), ms);
    } finally {
      this.#refreshing = false;
    }
  }
}

/** The master the slot map names for `channel`, if any. */
function ownerOf(cluster: ClusterClient, channel: string) {
  return cluster.slots[keySlot(channel)]?.master;
}

/**
 * Each master's sharded listeners, sorted by whether it owns the slot. An
 * entry without listeners (node-redis can leave one when a moved channel
 * had none to carry) is neither: subscribing it again fills it.
 */
function listenersOf(cluster: ClusterClient): Listeners {
  const held = new Set<string>();
  let stale = 0;
  for (const master of cluster.masters) {
    const table = master.pubSub?.client.getPubSubListeners("SHARDED");
    for (const [channel, sets] of table ?? []) {
      const owner = ownerOf(cluster, channel);
      if (!owner) continue; // no owner known yet: nothing to compare
      if (owner !== master) stale++;
      else if (sets?.strings.size || sets?.buffers.size) held.add(channel);
    }
  }
  return { held, stale };
}

/**
 * Drops, from each master's table, the listeners of slots the slot map
 * gives another master: what node-redis does on Redis's notice. Redis
 * has already ended those subscriptions when the slot left (and answers
 * `SUNSUBSCRIBE` for a slot it does not own with `MOVED`), so nothing is
 * sent; the caller subscribes the channels on their new master.
 */
function dropStaleListeners(cluster: ClusterClient): void {
  for (const master of cluster.masters) {
    const client = master.pubSub?.client;
    const slots = new Set<number>();
    for (const channel of client?.getPubSubListeners("SHARDED").keys() ?? []) {
      const owner = ownerOf(cluster, channel);
      if (owner && owner !== master) slots.add(keySlot(channel));
    }
    if (client && slots.size) {
      client._getQueue().removeShardedPubSubListenersForSlots(slots);
    }
  }
}

/**
 * Drops `channel`'s slot from every master table holding the channel. A
 * channel of that slot that was subscribed after all is subscribed again
 * by the repair (Redis takes a repeated `SSUBSCRIBE` as a no-op).
 */
function dropUnconfirmed(cluster: ClusterClient, channel: string): void {
  const slots = new Set([keySlot(channel)]);
  for (const master of cluster.masters) {
    const client = master.pubSub?.client;
    if (client?.getPubSubListeners("SHARDED").has(channel)) {
      client._getQueue().removeShardedPubSubListenersForSlots(slots);
    }
  }
}

/** Settles when `work` does or after `ms`, whichever comes first; never rejects. */
function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work.then(() => {}, () => {}), deadline]).finally(() =>
    clearTimeout(timer)
  );
}
