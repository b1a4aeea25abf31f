/**
 * How the Redis Cluster backplane makes its one node-redis cluster client:
 * the seed URLs' credentials and TLS apply to every node it discovers.
 *
 * @module
 */

import { createCluster } from "@redis/client";
import type { ClientSettings } from "./redis_client.ts";

/** What the cluster client needs beyond one connection's settings. */
export interface ClusterSettings extends Omit<ClientSettings, "url"> {
  /** Seed nodes, `redis://[user:password@]host:port`; any one suffices. */
  readonly urls: readonly string[];
  /**
   * Re-read the topology when a node has been reconnecting this long: the
   * way a failed-over master's replacement is found.
   */
  readonly topologyRefreshMs: number;
  /**
   * Called when the client dropped subscriptions of a node that left the
   * topology; the caller subscribes them again where they now belong.
   */
  readonly onSubscriptionsDropped: () => void;
}

/**
 * The event node-redis's cluster client emits with the subscriptions of a
 * node that left the topology. Its own handler re-subscribes them without
 * catching, and a channel whose slot the new topology does not cover yet
 * (a cluster still forming after a restart) then throws an unhandled
 * rejection that ends the process; the backplane handles it instead.
 */
const RESUBSCRIBE_EVENT = "__resubscribeListeners";

/** One node-redis cluster client. */
export type ClusterClient = ReturnType<typeof newClusterClient>;

/**
 * Creates a cluster client that drops rather than queues while a node is
 * offline. Discovered nodes get host and port from the cluster; password,
 * user name and TLS come from the first seed URL (node-redis applies a
 * seed URL's credentials to that seed only).
 */
export function newClusterClient(settings: ClusterSettings) {
  const first = new URL(settings.urls[0]);
  const cluster = createCluster({
    rootNodes: settings.urls.map((url) => ({ url })),
    defaults: {
      username: first.username ? decodeURIComponent(first.username) : undefined,
      password: first.password ? decodeURIComponent(first.password) : undefined,
      // Queuing while offline would buffer without bound; we drop instead.
      disableOfflineQueue: true,
      pingInterval: settings.pingIntervalMs || undefined,
      socket: {
        tls: first.protocol === "rediss:" || undefined,
        reconnectStrategy: settings.backoff,
        socketTimeout: settings.socketTimeoutMs || undefined,
      },
    },
    topologyRefreshOnReconnectionAttemptStrategy: settings.topologyRefreshMs,
  });
  // Ours goes on before theirs comes off: an emitter left with no
  // listeners at all replaces its listener table, and the client emits on
  // the table it had, so later listeners would never hear a node event.
  const theirs = cluster.listeners(RESUBSCRIBE_EVENT);
  cluster.on(RESUBSCRIBE_EVENT, settings.onSubscriptionsDropped);
  for (const listener of theirs) {
    cluster.off(RESUBSCRIBE_EVENT, listener as (...args: unknown[]) => void);
  }
  return cluster;
}
