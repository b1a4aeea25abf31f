/**
 * What an operator's view of one hub process needs: live figures read from
 * counters and map sizes (never a walk over the connections), the largest
 * groups, and looking up or disconnecting one connection of this process.
 *
 * @module
 */

import type { BackplaneStatus } from "./backplane/backplane.ts";
import type { HubCounters } from "./metrics.ts";
import type { LifetimeManager } from "./lifetime_manager.ts";
import type { ConnectionHandler } from "./connection_handler.ts";
import type { NodeTotals } from "./presence_table.ts";
import type { HubConnection } from "./connection.ts";

/** Figures of this process, plus every node's totals. */
export interface HubStats {
  /** This process's node id. */
  readonly node: string;
  readonly connections: number;
  readonly users: number;
  readonly groups: number;
  /** Connections by `transport/protocol`, e.g. `"WebSockets/json": 3`. */
  readonly mix: Readonly<Record<string, number>>;
  /** Monotonic counters; a viewer takes differences for rates. */
  readonly messagesReceived: number;
  readonly messagesSent: number;
  readonly slowConsumerCloses: number;
  readonly backplane: BackplaneStatus;
  /** Every live node (this one first), from presence reports. */
  readonly nodes: readonly NodeTotals[];
}

/** One connection of this process, as an operator sees it. */
export interface ConnectionInfo {
  readonly id: string;
  /** User id, or null when anonymous. */
  readonly user: string | null;
  readonly groups: readonly string[];
  readonly transport: string | null;
  readonly protocol: string | null;
  /** Bytes waiting to be written (ours plus the socket's buffer). */
  readonly queuedBytes: number;
  /** Epoch ms of negotiate (or of the socket, without negotiate). */
  readonly createdAt: number;
}

/** Admin operations on one hub process (`server.admin`). */
export class HubAdmin {
  readonly #manager: LifetimeManager<HubConnection>;
  readonly #handler: ConnectionHandler;
  readonly #counters: HubCounters;

  /** Reads `manager` and `counters`; closes through `handler`. */
  constructor(
    manager: LifetimeManager<HubConnection>,
    handler: ConnectionHandler,
    counters: HubCounters,
  ) {
    this.#manager = manager;
    this.#handler = handler;
    this.#counters = counters;
  }

  /** Current figures: O(nodes + transports), whatever the load. */
  stats(): HubStats {
    const m = this.#manager;
    return {
      node: m.id,
      connections: m.connections.size,
      users: m.users.size,
      groups: m.groups.size,
      mix: m.mix.snapshot(),
      messagesReceived: this.#counters.messagesReceived,
      messagesSent: this.#counters.messagesSent,
      slowConsumerCloses: this.#counters.slowConsumerCloses,
      backplane: m.backplane.status(),
      nodes: m.presence.nodes(),
    };
  }

  /** The `limit` largest groups cluster-wide (see `Presence`). */
  largestGroups(limit: number): { group: string; connections: number }[] {
    return this.#manager.presence.largest(limit);
  }

  /** A connection of this process, or null if it is not held here. */
  inspect(connectionId: string): ConnectionInfo | null {
    const c = this.#manager.connections.get(connectionId);
    if (!c) return null;
    return {
      id: c.id,
      user: c.userId,
      groups: [...this.#manager.groups.groupsOf(c.id)],
      transport: c.transportName,
      protocol: c.protocol?.name ?? null,
      queuedBytes: c.queuedBytes,
      createdAt: c.createdAt,
    };
  }

  /**
   * Closes a connection of this process with a Close that lets the client
   * reconnect (it comes back as a new connection). False if not held here.
   */
  disconnect(connectionId: string): boolean {
    const c = this.#manager.connections.get(connectionId);
    if (!c) return false;
    this.#handler.close(c, "admin", "Disconnected by an administrator.", true);
    return true;
  }
}
