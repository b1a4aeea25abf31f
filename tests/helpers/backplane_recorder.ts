/**
 * A `BackplaneNode` that records what it receives and lets a test wait for
 * a particular message, so backplane tests need no sleeps.
 *
 * @module
 */

import type {
  BackplaneMessage,
  BackplaneNode,
  InvokeMessage,
} from "../../hub/backplane/backplane.ts";

/** One received message and its sender. */
export interface Received {
  readonly message: BackplaneMessage;
  readonly from: string;
}

type Waiter = {
  match: (r: Received) => boolean;
  resolve: (r: Received) => void;
};

/** Records up to `cap` messages (tests send far fewer; beyond it, throws). */
export class Recorder implements BackplaneNode {
  readonly id: string;
  readonly received: Received[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #cap: number;

  constructor(name = "node", cap = 100_000) {
    this.id = `${name}-${crypto.randomUUID()}`;
    this.#cap = cap;
  }

  receive(message: BackplaneMessage, from: string): void {
    if (this.received.length >= this.#cap) {
      throw new RangeError("Recorder is full");
    }
    const entry = { message, from };
    this.received.push(entry);
    for (const waiter of this.#waiters) {
      if (!waiter.match(entry)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(entry);
    }
  }

  /** Resolves with the first received message (past or future) matching. */
  next(match: (r: Received) => boolean): Promise<Received> {
    const found = this.received.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.add({ match, resolve }));
  }

  /** Waits for an invoke of `method`. */
  invoked(method: string): Promise<Received> {
    return this.next((r) =>
      r.message.kind === "invoke" && r.message.method === method
    );
  }

  /** How many invokes of `method` arrived so far. */
  count(method: string): number {
    return this.received.filter((r) =>
      r.message.kind === "invoke" && r.message.method === method
    ).length;
  }
}

/** An invoke of `method` to everyone: the barrier tests publish last. */
export function toAll(method: string, ...args: unknown[]): InvokeMessage {
  return { kind: "invoke", target: { kind: "all" }, method, args };
}
