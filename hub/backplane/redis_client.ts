/**
 * How the Redis backplane makes and ends its two node-redis connections.
 *
 * @module
 */

import { createClient } from "@redis/client";

/** What a connection needs; see `RedisBackplaneOptions` for each. */
export interface ClientSettings {
  readonly url: string;
  readonly pingIntervalMs: number;
  readonly socketTimeoutMs: number;
  /** Delay before reconnect attempt `retries`, or false to stop. */
  readonly backoff: (retries: number) => number | false;
}

/** One node-redis connection. */
export type Client = ReturnType<typeof newClient>;

/** Creates a client that drops rather than queues while offline. */
export function newClient(options: ClientSettings) {
  return createClient({
    url: options.url,
    // Queuing while offline would buffer without bound; we drop instead.
    disableOfflineQueue: true,
    pingInterval: options.pingIntervalMs || undefined,
    socket: {
      reconnectStrategy: options.backoff,
      socketTimeout: options.socketTimeoutMs || undefined,
    },
  });
}

/**
 * A graceful close waits this long for pending replies, then destroys.
 * Not an option: it is part of the exit budget (3 s drain + this, inside
 * Deno Deploy's 5 s between SIGINT and the kill).
 */
const CLOSE_GRACE_MS = 1_000;

/** What `closeClient` needs: a node-redis client or cluster client. */
export interface Closable {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  close(): Promise<unknown>;
  destroy(): unknown;
}

/**
 * Closes gracefully when up (pending replies arrive), else destroys; a
 * hung Redis cannot stall shutdown past `CLOSE_GRACE_MS`. Never throws.
 */
export async function closeClient(
  client: Closable | undefined,
  graceful: boolean,
): Promise<void> {
  if (!client) return;
  if (graceful && client.isReady) {
    const timer = setTimeout(() => client.destroy(), CLOSE_GRACE_MS);
    try {
      await client.close();
    } catch {
      // Destroyed by the timer, or the socket died: either way it is shut.
    } finally {
      clearTimeout(timer);
    }
  }
  if (client.isOpen) client.destroy();
}
