/**
 * The in-memory backplane: processes are simulated by nodes on one bus.
 *
 * The default hub has a bus of its own with one node, so publishing is a
 * cheap no-op. Tests put several hubs on one bus to run the same
 * cross-process scenarios as the Redis backplane, in one process.
 *
 * @module
 */

import {
  type Backplane,
  type BackplaneMessage,
  type BackplaneNode,
  type BackplaneStatus,
  type Scope,
  scopesOf,
} from "./backplane.ts";

/** A shared medium for several in-process `MemoryBackplane`s. */
export class MemoryBus {
  readonly #members = new Set<MemoryBackplane>();

  /** Creates a backplane attached to this bus. */
  connect(): MemoryBackplane {
    return new MemoryBackplane(this);
  }

  /** @internal */
  join(member: MemoryBackplane): void {
    this.#members.add(member);
  }

  /** @internal */
  leave(member: MemoryBackplane): void {
    this.#members.delete(member);
  }

  /** @internal Delivers asynchronously, as a network would. */
  deliver(from: MemoryBackplane, message: BackplaneMessage): void {
    const scopes = scopesOf(message);
    for (const member of this.#members) {
      if (member === from || !member.interestedIn(scopes)) continue;
      queueMicrotask(() => member.receive(message, from.nodeId));
    }
  }
}

/** A backplane for one process, or for tests of several hubs in one. */
export class MemoryBackplane implements Backplane {
  readonly #bus: MemoryBus;
  /**
   * What this node subscribed to, so the bus delivers only what it wants.
   * Null on a bus of its own: no other member can ever join it, so nobody
   * asks, and a hub's default backplane would otherwise keep a scope string
   * (`connection:<id>`) and a set entry for every connection.
   */
  readonly #scopes: Set<Scope> | null;
  #node: BackplaneNode | undefined;

  /** Attaches to `bus`, or to a private bus of its own. */
  constructor(bus?: MemoryBus) {
    this.#bus = bus ?? new MemoryBus();
    this.#scopes = bus ? new Set<Scope>(["all"]) : null;
  }

  /** The id of the node this backplane serves. */
  get nodeId(): string {
    return this.#node?.id ?? "";
  }

  start(node: BackplaneNode): Promise<void> {
    this.#node = node;
    this.#scopes?.add(`node:${node.id}`);
    this.#bus.join(this);
    return Promise.resolve();
  }

  publish(message: BackplaneMessage): Promise<void> {
    if (this.#node) this.#bus.deliver(this, message);
    return Promise.resolve();
  }

  subscribe(scope: Scope): Promise<void> {
    this.#scopes?.add(scope);
    return Promise.resolve();
  }

  unsubscribe(scope: Scope): void {
    this.#scopes?.delete(scope);
  }

  status(): BackplaneStatus {
    return { name: "memory", healthy: true, detail: "in-process", dropped: 0 };
  }

  close(): Promise<void> {
    this.#bus.leave(this);
    this.#node = undefined;
    return Promise.resolve();
  }

  /** @internal */
  interestedIn(scopes: Scope[]): boolean {
    // Only other members of a shared bus ask, and a shared bus tracks.
    const mine = this.#scopes;
    return mine === null || scopes.some((scope) => mine.has(scope));
  }

  /** @internal */
  receive(message: BackplaneMessage, from: string): void {
    this.#node?.receive(message, from);
  }
}
