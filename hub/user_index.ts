/**
 * User → connection ids, so `Clients.user(id)` reaches every tab and
 * device of one user. Each connection has one user at most; anonymous ones
 * are not indexed. Ids, not connection objects, so routing does not depend
 * on the connection class. Bounded by the connection store's cap.
 *
 * @module
 */

/** Local connection ids by user id. */
export class UserIndex {
  readonly #byUser = new Map<string, Set<string>>();

  /** Users with at least one connection here. */
  get size(): number {
    return this.#byUser.size;
  }

  /** Connection ids of `userId` (an empty set when none). */
  connections(userId: string): ReadonlySet<string> {
    return this.#byUser.get(userId) ?? EMPTY;
  }

  /** Adds; true when it is the user's first connection here. */
  add(userId: string, connectionId: string): boolean {
    const set = this.#byUser.get(userId);
    if (set) {
      set.add(connectionId);
      return false;
    }
    this.#byUser.set(userId, new Set([connectionId]));
    return true;
  }

  /** Removes; true when the user has no connection here any more. */
  remove(userId: string, connectionId: string): boolean {
    const set = this.#byUser.get(userId);
    if (!set?.delete(connectionId)) return false;
    if (set.size > 0) return false;
    this.#byUser.delete(userId);
    return true;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
