/**
 * Group changes asked of the process that holds the connection, waiting
 * for its ack. Bounded in number (`maxPendingGroupChanges`: past it a
 * change rejects at once) and in time (`groupAckTimeoutMs`: an unknown
 * connection id gets no ack, and like ASP.NET the change is then given up
 * quietly rather than failing the caller).
 *
 * @module
 */

import { HubError } from "./hub_error.ts";
import { randomId } from "./random_id.ts";

/** A connection would join more groups than allowed; the caller sees it. */
export class GroupLimitError extends HubError {}

/** Limits of the ack table, from `HubOptions`. */
export interface GroupAckLimits {
  /** How long a remote group change waits for its ack. */
  readonly groupAckTimeoutMs: number;
  /** Remote group changes waiting for an ack at once (the table's cap). */
  readonly maxPendingGroupChanges: number;
}

/** Remote group changes by request id, until acked, timed out or closed. */
export class GroupAcks {
  readonly #waiting = new Map<string, (error?: string) => void>();
  readonly #limits: GroupAckLimits;

  /** A table applying `limits`. */
  constructor(limits: GroupAckLimits) {
    this.#limits = limits;
  }

  /**
   * Sends a change through `ask(requestId)`; resolves on its ack or the
   * timeout, and rejects with a `GroupLimitError` carrying the holder's
   * refusal (the group cap).
   */
  ask(ask: (requestId: string) => void): Promise<void> {
    if (this.#waiting.size >= this.#limits.maxPendingGroupChanges) {
      return Promise.reject(new RangeError("Too many pending group changes"));
    }
    const requestId = randomId();
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const timer = setTimeout(done, this.#limits.groupAckTimeoutMs);
    const waiting = this.#waiting;
    function done(error?: string) {
      clearTimeout(timer);
      waiting.delete(requestId);
      if (error === undefined) resolve();
      else reject(new GroupLimitError(error));
    }
    waiting.set(requestId, done);
    ask(requestId);
    return promise;
  }

  /** The holder's ack: `error` is its refusal, if any. */
  answered(requestId: string, error?: string): void {
    this.#waiting.get(requestId)?.(error);
  }

  /** Gives every waiting change up, as its timeout would (shutdown). */
  close(): void {
    for (const done of [...this.#waiting.values()]) done();
  }
}
