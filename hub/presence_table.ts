/**
 * What the other nodes reported about their group membership. Each entry
 * lives until its node's TTL runs out unless a newer message refreshes it,
 * so a node that died without a word drops out by itself. Bounded: at most
 * `maxEntries` (group, node) pairs, each with a capped user list, plus one
 * record per node that is still refreshing.
 *
 * @module
 */

import type { PresenceEntry, PresenceMessage } from "./backplane/backplane.ts";

interface Held {
  readonly connections: number;
  readonly users: readonly string[];
  readonly expiresAt: number;
}

interface NodeRecord {
  connections: number;
  users: number;
  expiresAt: number;
  /** Groups this node has entries for, to drop them without a scan. */
  readonly groups: Set<string>;
}

/** A node's totals as it last reported them. */
export interface NodeTotals {
  readonly node: string;
  readonly connections: number;
  readonly users: number;
}

/** The outcome of one message: what changed, and was the sender new. */
export interface Applied {
  readonly changed: string[];
  readonly newNode: boolean;
}

/**
 * Receivers never keep an entry longer than this, whatever a peer says.
 * Not an option: it guards against a peer's bad TTL, not a tunable limit.
 */
const MAX_TTL_MS = 10 * 60_000;

/** Other nodes' presence, by group then node. */
export class RemotePresence {
  readonly #groups = new Map<string, Map<string, Held>>();
  readonly #nodes = new Map<string, NodeRecord>();
  readonly #maxEntries: number;
  readonly #maxUsers: number;
  #entries = 0;
  /** Entries refused because the table was full. */
  refused = 0;

  /** A table of at most `maxEntries` pairs, `maxUsers` users each. */
  constructor(maxEntries: number, maxUsers: number) {
    this.#maxEntries = maxEntries;
    this.#maxUsers = maxUsers;
  }

  /** (group, node) pairs held. */
  get size(): number {
    return this.#entries;
  }

  /** Applies what `node` published at `now`. */
  apply(node: string, message: PresenceMessage, now: number): Applied {
    if (message.ttlMs === 0) {
      return { changed: this.dropNode(node), newNode: false };
    }
    const expiresAt = now + Math.min(message.ttlMs, MAX_TTL_MS);
    let record = this.#nodes.get(node);
    const newNode = record === undefined;
    if (!record) {
      record = { connections: 0, users: 0, expiresAt, groups: new Set() };
      this.#nodes.set(node, record);
    }
    record.connections = message.node.connections;
    record.users = message.node.users;
    record.expiresAt = expiresAt;
    const changed: string[] = [];
    for (const entry of message.groups) {
      if (this.#put(node, record, entry, expiresAt)) changed.push(entry.group);
    }
    return { changed, newNode };
  }

  /** Stores one entry; true when the group's remote part changed. */
  #put(
    node: string,
    record: NodeRecord,
    entry: PresenceEntry,
    expiresAt: number,
  ): boolean {
    const byNode = this.#groups.get(entry.group);
    const before = byNode?.get(node);
    if (entry.connections === 0) {
      return before !== undefined && this.#delete(entry.group, node, record);
    }
    if (!before && this.#entries >= this.#maxEntries) {
      this.refused++;
      return false;
    }
    const users = entry.users.slice(0, this.#maxUsers);
    const held = { connections: entry.connections, users, expiresAt };
    if (byNode) byNode.set(node, held);
    else this.#groups.set(entry.group, new Map([[node, held]]));
    if (!before) {
      this.#entries++;
      record.groups.add(entry.group);
      return true;
    }
    return before.connections !== held.connections ||
      !sameList(before.users, users);
  }

  #delete(group: string, node: string, record?: NodeRecord): boolean {
    const byNode = this.#groups.get(group);
    if (!byNode?.delete(node)) return false;
    if (byNode.size === 0) this.#groups.delete(group);
    record?.groups.delete(group);
    this.#entries--;
    return true;
  }

  /** Forgets everything `node` reported; returns the groups it was in. */
  dropNode(node: string): string[] {
    const record = this.#nodes.get(node);
    if (!record) return [];
    this.#nodes.delete(node);
    const groups = [...record.groups];
    for (const group of groups) this.#delete(group, node);
    return groups;
  }

  /** Drops what expired by `now`; returns the groups that changed. */
  expire(now: number): string[] {
    const changed: string[] = [];
    for (const [node, record] of this.#nodes) {
      if (record.expiresAt <= now) {
        changed.push(...this.dropNode(node));
        continue;
      }
      for (const group of [...record.groups]) {
        const held = this.#groups.get(group)?.get(node);
        if (held && held.expiresAt <= now) {
          this.#delete(group, node, record);
          changed.push(group);
        }
      }
    }
    return changed;
  }

  /** Connections in `group` on other nodes, live entries only. */
  connections(group: string, now: number): number {
    let n = 0;
    for (const held of this.#live(group, now)) n += held.connections;
    return n;
  }

  /** Adds other nodes' users of `group` to `into`, up to `cap` in all. */
  addUsers(group: string, now: number, into: Set<string>, cap: number): void {
    for (const held of this.#live(group, now)) {
      for (const user of held.users) {
        if (into.size >= cap) return;
        into.add(user);
      }
    }
  }

  *#live(group: string, now: number): Iterable<Held> {
    const byNode = this.#groups.get(group);
    if (!byNode) return;
    for (const held of byNode.values()) if (held.expiresAt > now) yield held;
  }

  /** Every node still refreshing, with the totals it last reported. */
  nodes(now: number): NodeTotals[] {
    const out: NodeTotals[] = [];
    for (const [node, r] of this.#nodes) {
      if (r.expiresAt > now) {
        out.push({ node, connections: r.connections, users: r.users });
      }
    }
    return out;
  }

  /** Groups some other node reported (for a top-N by size). */
  groups(): IterableIterator<string> {
    return this.#groups.keys();
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
