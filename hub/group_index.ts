/**
 * Group membership in both directions: group → connections (to send) and
 * connection → groups (to clean up on disconnect without scanning every
 * group). Bounded: a connection joins at most `maxGroupsPerConnection`
 * groups, so the index is at most connections × that.
 *
 * @module
 */

import type { HubConnection } from "./connection.ts";

/** Result of a membership change: did the group appear or vanish here? */
export type GroupChange = "first" | "last" | "none";

/** Two-way group membership for local connections. */
export class GroupIndex {
  readonly #members = new Map<string, Set<HubConnection>>();
  readonly #groupsOf = new Map<HubConnection, Set<string>>();

  /** Number of non-empty groups. */
  get size(): number {
    return this.#members.size;
  }

  /** The connections in `group` (an empty set when none). */
  members(group: string): ReadonlySet<HubConnection> {
    return this.#members.get(group) ?? EMPTY;
  }

  /** Groups `connection` is in. */
  groupsOf(connection: HubConnection): ReadonlySet<string> {
    return this.#groupsOf.get(connection) ?? EMPTY_NAMES;
  }

  /** How many groups `connection` is in. */
  countOf(connection: HubConnection): number {
    return this.#groupsOf.get(connection)?.size ?? 0;
  }

  /** Adds; "first" when this node had no member of `group` before. */
  add(connection: HubConnection, group: string): GroupChange {
    let names = this.#groupsOf.get(connection);
    if (!names) this.#groupsOf.set(connection, names = new Set());
    if (names.has(group)) return "none";
    names.add(group);
    const members = this.#members.get(group);
    if (members) {
      members.add(connection);
      return "none";
    }
    this.#members.set(group, new Set([connection]));
    return "first";
  }

  /** Removes; "last" when `group` has no member here any more. */
  remove(connection: HubConnection, group: string): GroupChange {
    const names = this.#groupsOf.get(connection);
    if (!names?.delete(group)) return "none";
    if (names.size === 0) this.#groupsOf.delete(connection);
    const members = this.#members.get(group);
    members?.delete(connection);
    if (members !== undefined && members.size > 0) return "none";
    this.#members.delete(group);
    return "last";
  }

  /** Removes `connection` from every group; returns groups now empty. */
  removeAll(connection: HubConnection): string[] {
    const names = this.#groupsOf.get(connection);
    if (!names) return [];
    const emptied: string[] = [];
    for (const group of [...names]) {
      if (this.remove(connection, group) === "last") emptied.push(group);
    }
    return emptied;
  }
}

const EMPTY: ReadonlySet<HubConnection> = new Set();
const EMPTY_NAMES: ReadonlySet<string> = new Set();
