/**
 * Presence: who is in a group, across every node of the cluster.
 *
 * Each node counts its own members (on join and leave, never per message)
 * and tells the others over the backplane: changed groups at most every
 * `presenceUpdateMs`, everything every `presenceTtlMs / 2`. Receivers keep
 * each report for a TTL unless refreshed, so a node killed without a word
 * drops out of every count within 2 × TTL. Answers are therefore
 * eventually consistent: another node's join shows up after about
 * `presenceUpdateMs`, a crashed node's members linger up to 2 × TTL.
 *
 * @module
 */

import type { PresenceMessage } from "./backplane/backplane.ts";
import { LocalPresence } from "./local_presence.ts";
import { type NodeTotals, RemotePresence } from "./presence_table.ts";
import type { Logger } from "./logger.ts";

/** Members of a group across the cluster. */
export interface GroupPresence {
  /** Connections in the group, anonymous ones included. */
  readonly connections: number;
  /** Distinct signed-in users, sorted; anonymous members are not listed. */
  readonly users: readonly string[];
}

/** Called with a group's new presence when it changed. */
export type PresenceListener = (group: string, presence: GroupPresence) => void;

/** Who is where, across processes (`server.presence`, `ctx.presence`). */
export interface Presence {
  /** The group's members on every node, as last reported. */
  group(name: string): Promise<GroupPresence>;
  /**
   * Calls `listener` after each change of `group` (joins and leaves here at
   * once, other nodes' as their reports arrive). Returns the unsubscribe.
   */
  onChange(
    group: string,
    listener: (presence: GroupPresence) => void,
  ): () => void;
  /** Like `onChange`, for every group. Returns the unsubscribe. */
  onAnyChange(listener: PresenceListener): () => void;
  /** Every live node with its connection and user totals, this one first. */
  nodes(): NodeTotals[];
}

/** The options presence reads (see `HubOptions`). */
export interface PresenceSettings {
  readonly presenceTtlMs: number;
  readonly presenceUpdateMs: number;
  readonly maxPresenceUsersListed: number;
  readonly maxPresenceEntries: number;
}

/** What presence needs from the node it runs on. */
export interface PresenceHost {
  readonly id: string;
  /** This node's connections and signed-in users. */
  totals(): { connections: number; users: number };
  /** Hands a message to the backplane; never rejects. */
  publish(message: PresenceMessage): Promise<void>;
}

// Internal bounds, not options: none changes what a user observes.
/** Listeners kept at most; more is a programming error (a leak). */
const MAX_LISTENERS = 10_000;
/** Changed groups gathered before a full report is sent instead. */
const MAX_DIRTY = 10_000;
/** A report is split so that no message carries more than about this. */
const MAX_MESSAGE_CHARS = 60_000;

/** Presence for one node: local counts, remote table, reports. */
export class ClusterPresence implements Presence {
  readonly local = new LocalPresence();
  readonly #remote: RemotePresence;
  readonly #settings: PresenceSettings;
  readonly #host: PresenceHost;
  readonly #logger: Logger;
  readonly #listeners = new Map<string, Set<(p: GroupPresence) => void>>();
  readonly #anyListeners = new Set<PresenceListener>();
  #listenerCount = 0;
  /** Groups to tell listeners about, at the next microtask. */
  readonly #changed = new Set<string>();
  /** Groups to report to other nodes, at the next flush. */
  readonly #dirty = new Set<string>();
  #fullPending = false;
  #notifyScheduled = false;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshTimer: ReturnType<typeof setInterval> | null = null;
  #warnedFull = false;

  /** Presence of `host`, configured by `settings`. */
  constructor(host: PresenceHost, settings: PresenceSettings, logger: Logger) {
    this.#host = host;
    this.#settings = settings;
    this.#logger = logger;
    this.#remote = new RemotePresence(
      settings.maxPresenceEntries,
      settings.maxPresenceUsersListed,
    );
  }

  /** Starts reporting; the first report makes other nodes report back. */
  start(): void {
    const every = Math.max(1, Math.floor(this.#settings.presenceTtlMs / 2));
    this.#refreshTimer = setInterval(() => this.#refresh(), every);
    this.#publishAll();
  }

  /** Stops reporting and tells the others this node is gone. */
  async close(): Promise<void> {
    if (this.#refreshTimer !== null) clearInterval(this.#refreshTimer);
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#refreshTimer = this.#flushTimer = null;
    await this.#host.publish({
      kind: "presence",
      ttlMs: 0,
      node: { connections: 0, users: 0 },
      groups: [],
    });
  }

  /** A local connection of `userId` joined `group`. */
  joined(group: string, userId: string | null): void {
    this.local.joined(group, userId);
    this.#localChange(group);
  }

  /** A local connection of `userId` left `group`. */
  left(group: string, userId: string | null): void {
    this.local.left(group, userId);
    this.#localChange(group);
  }

  /** This node's connection or user totals changed. */
  totalsChanged(): void {
    this.#scheduleFlush();
  }

  /** A report from another node. */
  receive(message: PresenceMessage, from: string): void {
    const { changed, newNode } = this.#remote.apply(from, message, Date.now());
    for (const group of changed) this.#changed.add(group);
    if (changed.length > 0) this.#scheduleNotify();
    if (this.#remote.refused > 0 && !this.#warnedFull) {
      this.#warnedFull = true;
      this.#logger.log("warn", "presence.table_full", {
        max: this.#settings.maxPresenceEntries,
      });
    }
    // A node we did not know (new, or back after an outage) knows nothing
    // of ours either: report everything soon rather than in up to TTL / 2.
    if (newNode) {
      this.#fullPending = true;
      this.#scheduleFlush();
    }
  }

  group(name: string): Promise<GroupPresence> {
    return Promise.resolve(this.snapshot(name));
  }

  /** The group's presence now, synchronously. */
  snapshot(name: string): GroupPresence {
    const now = Date.now();
    const cap = this.#settings.maxPresenceUsersListed;
    const users = new Set<string>();
    this.local.addUsers(name, users, cap);
    this.#remote.addUsers(name, now, users, cap);
    return {
      connections: this.local.connections(name) +
        this.#remote.connections(name, now),
      users: [...users].sort(),
    };
  }

  onChange(
    group: string,
    listener: (presence: GroupPresence) => void,
  ): () => void {
    this.#reserveListener();
    let set = this.#listeners.get(group);
    if (!set) this.#listeners.set(group, set = new Set());
    set.add(listener);
    return () => {
      if (!set.delete(listener)) return;
      this.#listenerCount--;
      if (set.size === 0 && this.#listeners.get(group) === set) {
        this.#listeners.delete(group);
      }
    };
  }

  onAnyChange(listener: PresenceListener): () => void {
    this.#reserveListener();
    this.#anyListeners.add(listener);
    return () => {
      if (this.#anyListeners.delete(listener)) this.#listenerCount--;
    };
  }

  nodes(): NodeTotals[] {
    const own = { node: this.#host.id, ...this.#host.totals() };
    return [own, ...this.#remote.nodes(Date.now())];
  }

  /**
   * The `limit` groups with the most connections cluster-wide, largest
   * first. Walks every group known here (not every connection): meant for
   * an admin view's once-a-second update, not per message.
   */
  largest(limit: number): { group: string; connections: number }[] {
    const now = Date.now();
    const top: { group: string; connections: number }[] = [];
    if (limit < 1) return top;
    const consider = (group: string) => {
      const connections = this.local.connections(group) +
        this.#remote.connections(group, now);
      if (connections === 0) return;
      if (top.length === limit && top[limit - 1].connections >= connections) {
        return;
      }
      top.push({ group, connections });
      top.sort((a, b) => b.connections - a.connections);
      if (top.length > limit) top.pop();
    };
    for (const group of this.local.groups()) consider(group);
    for (const group of this.#remote.groups()) {
      // Groups with members here were counted above.
      if (this.local.connections(group) === 0) consider(group);
    }
    return top;
  }

  /** Remote (group, node) pairs held, for tests and metrics. */
  get remoteEntries(): number {
    return this.#remote.size;
  }

  #reserveListener(): void {
    if (this.#listenerCount >= MAX_LISTENERS) {
      throw new RangeError(`At most ${MAX_LISTENERS} presence listeners`);
    }
    this.#listenerCount++;
  }

  #localChange(group: string): void {
    this.#changed.add(group);
    this.#scheduleNotify();
    if (this.#dirty.size >= MAX_DIRTY) {
      this.#dirty.clear();
      this.#fullPending = true;
    } else if (!this.#fullPending) {
      this.#dirty.add(group);
    }
    this.#scheduleFlush();
  }

  #scheduleNotify(): void {
    if (this.#notifyScheduled) return;
    this.#notifyScheduled = true;
    queueMicrotask(() => this.#notify());
  }

  #notify(): void {
    this.#notifyScheduled = false;
    const groups = [...this.#changed];
    this.#changed.clear();
    for (const group of groups) {
      const own = this.#listeners.get(group);
      if (!own && this.#anyListeners.size === 0) continue;
      const presence = this.snapshot(group);
      for (const fn of own ?? []) this.#call(() => fn(presence), group);
      for (const fn of this.#anyListeners) {
        this.#call(() => fn(group, presence), group);
      }
    }
  }

  #call(fn: () => void, group: string): void {
    try {
      fn();
    } catch (error) {
      this.#logger.log("warn", "presence.listener_failed", { group, error });
    }
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== null || this.#refreshTimer === null) return;
    this.#flushTimer = setTimeout(
      () => this.#flush(),
      this.#settings.presenceUpdateMs,
    );
  }

  #flush(): void {
    this.#flushTimer = null;
    if (this.#fullPending) return this.#publishAll();
    const groups = [...this.#dirty];
    this.#dirty.clear();
    this.#publish(groups);
  }

  /** Every half TTL: forget what expired, report everything held here. */
  #refresh(): void {
    const expired = this.#remote.expire(Date.now());
    for (const group of expired) this.#changed.add(group);
    if (expired.length > 0) this.#scheduleNotify();
    this.#publishAll();
  }

  #publishAll(): void {
    this.#fullPending = false;
    this.#dirty.clear();
    this.#publish(this.local.groups());
  }

  /** Reports `groups` in messages of bounded size (at least one). */
  #publish(groups: Iterable<string>): void {
    const maxUsers = this.#settings.maxPresenceUsersListed;
    let batch = [];
    let chars = 0;
    let sent = false;
    for (const group of groups) {
      const entry = this.local.entry(group, maxUsers);
      batch.push(entry);
      chars += group.length + 16;
      for (const user of entry.users) chars += user.length + 3;
      if (chars >= MAX_MESSAGE_CHARS) {
        this.#send(batch);
        batch = [];
        chars = 0;
        sent = true;
      }
    }
    // One message even with no group: it carries the node's totals.
    if (batch.length > 0 || !sent) this.#send(batch);
  }

  #send(groups: PresenceMessage["groups"]): void {
    void this.#host.publish({
      kind: "presence",
      ttlMs: this.#settings.presenceTtlMs,
      node: this.#host.totals(),
      groups,
    });
  }
}
