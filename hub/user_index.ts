/**
 * User → connections, so `Clients.user(id)` reaches every tab and device
 * of one user. Each connection has one user at most; anonymous ones are
 * not indexed. Bounded by the connection store's cap.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";

/** Local connections by user id (hub connections unless told otherwise). */
export class UserIndex<C extends object = HubConnection> {
  readonly #byUser = new Map<string, Set<C>>();

  /** Users with at least one connection here. */
  get size(): number {
    return this.#byUser.size;
  }

  /** Connections of `userId` (an empty set when none). */
  connections(userId: string): ReadonlySet<C> {
    return this.#byUser.get(userId) ?? EMPTY;
  }

  /** Adds; true when it is the user's first connection here. */
  add(userId: string, connection: C): boolean {
    const set = this.#byUser.get(userId);
    if (set) {
      set.add(connection);
      return false;
    }
    this.#byUser.set(userId, new Set([connection]));
    return true;
  }

  /** Removes; true when the user has no connection here any more. */
  remove(userId: string, connection: C): boolean {
    const set = this.#byUser.get(userId);
    if (!set?.delete(connection)) return false;
    if (set.size > 0) return false;
    this.#byUser.delete(userId);
    return true;
  }
}

const EMPTY: ReadonlySet<never> = new Set();
