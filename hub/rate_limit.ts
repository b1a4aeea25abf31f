/**
 * Abuse limits that need state: a token bucket of messages per second for
 * one connection, and a count of connections per client address.
 *
 * @module
 */

/**
 * Messages per second for one connection: a bucket of `perSecond` tokens
 * refilled continuously, so a burst of up to one second's worth passes and
 * a sustained flood does not. Two numbers per connection.
 */
export class MessageRate {
  readonly #perSecond: number;
  #tokens: number;
  #at: number;

  /** A full bucket at time `now`; `perSecond` 0 means no limit. */
  constructor(perSecond: number, now: number) {
    this.#perSecond = perSecond;
    this.#tokens = perSecond;
    this.#at = now;
  }

  /** Takes `count` tokens at `now`; false when the bucket ran dry. */
  take(count: number, now: number): boolean {
    const rate = this.#perSecond;
    if (rate <= 0) return true;
    const elapsed = now - this.#at;
    if (elapsed > 0) {
      this.#tokens = Math.min(rate, this.#tokens + (elapsed * rate) / 1000);
      this.#at = now;
    }
    this.#tokens -= count;
    return this.#tokens >= 0;
  }
}

/**
 * Open connections per client address. The map holds only addresses with
 * at least one connection, so it is bounded by the node's connection cap.
 */
export class AddressCounter {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  /** At most `max` per address; 0 means no limit (nothing is counted). */
  constructor(max: number) {
    this.#max = max;
  }

  /** Addresses currently holding connections. */
  get size(): number {
    return this.#counts.size;
  }

  /** Counts one more connection for `address`; false when it is at cap. */
  acquire(address: string): boolean {
    if (this.#max <= 0) return true;
    const n = this.#counts.get(address) ?? 0;
    if (n >= this.#max) return false;
    this.#counts.set(address, n + 1);
    return true;
  }

  /** Returns a connection's slot; idempotence is the caller's (once). */
  release(address: string): void {
    const n = this.#counts.get(address);
    if (n === undefined) return;
    if (n <= 1) this.#counts.delete(address);
    else this.#counts.set(address, n - 1);
  }
}
