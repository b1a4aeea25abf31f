/**
 * Group membership in both directions, by connection id: group → ids (to
 * send) and id → groups (to clean up on disconnect without scanning every
 * group). Ids, not connection objects, so routing does not depend on the
 * connection class; the lifetime manager resolves them. Bounded: a
 * connection joins at most `maxGroupsPerConnection` groups, so the index
 * is at most connections × that.
 *
 * @module
 */

/** Result of a membership change: did the group appear or vanish here? */
export type GroupChange = "first" | "last" | "none";

/** Two-way group membership for local connections. */
export class GroupIndex {
  readonly #members = new Map<string, Set<string>>();
  readonly #groupsOf = new Map<string, Set<string>>();

  /** Number of non-empty groups. */
  get size(): number {
    return this.#members.size;
  }

  /** Ids of the connections in `group` (an empty set when none). */
  members(group: string): ReadonlySet<string> {
    return this.#members.get(group) ?? EMPTY;
  }

  /** Groups connection `id` is in. */
  groupsOf(id: string): ReadonlySet<string> {
    return this.#groupsOf.get(id) ?? EMPTY;
  }

  /** How many groups connection `id` is in. */
  countOf(id: string): number {
    return this.#groupsOf.get(id)?.size ?? 0;
  }

  /** Adds; "first" when this node had no member of `group` before. */
  add(id: string, group: string): GroupChange {
    let names = this.#groupsOf.get(id);
    if (!names) this.#groupsOf.set(id, names = new Set());
    if (names.has(group)) return "none";
    names.add(group);
    const members = this.#members.get(group);
    if (members) {
      members.add(id);
      return "none";
    }
    this.#members.set(group, new Set([id]));
    return "first";
  }

  /** Removes; "last" when `group` has no member here any more. */
  remove(id: string, group: string): GroupChange {
    const names = this.#groupsOf.get(id);
    if (!names?.delete(group)) return "none";
    if (names.size === 0) this.#groupsOf.delete(id);
    const members = this.#members.get(group);
    members?.delete(id);
    if (members && members.size > 0) return "none";
    this.#members.delete(group);
    return "last";
  }

  /** Removes connection `id` from every group; returns groups now empty. */
  removeAll(id: string): string[] {
    const names = this.#groupsOf.get(id);
    if (!names) return [];
    const emptied: string[] = [];
    for (const group of [...names]) {
      if (this.remove(id, group) === "last") emptied.push(group);
    }
    return emptied;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
