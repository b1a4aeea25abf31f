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
}

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
  return createCluster({
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
}
