/**
 * This node's group membership as counts: connections per group and how
 * many of them each signed-in user holds, kept up to date on every join and
 * leave so that a snapshot never walks the connections. Bounded by the
 * group index it mirrors (connections × `maxGroupsPerConnection`).
 *
 * @module
 */

import type { PresenceEntry } from "./backplane/backplane.ts";

interface Counts {
  connections: number;
  /** User id → connections of that user in the group. */
  readonly users: Map<string, number>;
}

/** Local membership counts by group. */
export class LocalPresence {
  readonly #groups = new Map<string, Counts>();

  /** Groups with a member here. */
  get size(): number {
    return this.#groups.size;
  }

  /** A connection of `userId` (null: anonymous) joined `group`. */
  joined(group: string, userId: string | null): void {
    let counts = this.#groups.get(group);
    if (!counts) {
      counts = { connections: 0, users: new Map() };
      this.#groups.set(group, counts);
    }
    counts.connections++;
    if (userId !== null) {
      counts.users.set(userId, (counts.users.get(userId) ?? 0) + 1);
    }
  }

  /** A connection of `userId` left `group`. */
  left(group: string, userId: string | null): void {
    const counts = this.#groups.get(group);
    if (!counts) return;
    if (--counts.connections <= 0) {
      this.#groups.delete(group);
      return;
    }
    if (userId === null) return;
    const n = counts.users.get(userId) ?? 0;
    if (n <= 1) counts.users.delete(userId);
    else counts.users.set(userId, n - 1);
  }

  /** Connections in `group` here. */
  connections(group: string): number {
    return this.#groups.get(group)?.connections ?? 0;
  }

  /** Adds this node's users of `group` to `into`, up to `cap` in all. */
  addUsers(group: string, into: Set<string>, cap: number): void {
    const users = this.#groups.get(group)?.users;
    if (!users) return;
    for (const user of users.keys()) {
      if (into.size >= cap) return;
      into.add(user);
    }
  }

  /** What to publish for `group` (connections 0 once it emptied here). */
  entry(group: string, maxUsers: number): PresenceEntry {
    const counts = this.#groups.get(group);
    if (!counts) return { group, connections: 0, users: [] };
    const users: string[] = [];
    for (const user of counts.users.keys()) {
      if (users.length >= maxUsers) break;
      users.push(user);
    }
    return { group, connections: counts.connections, users };
  }

  /** Every group with a member here. */
  groups(): IterableIterator<string> {
    return this.#groups.keys();
  }
}
