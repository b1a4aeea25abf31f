/**
 * Abuse limits that need state: token buckets for what one connection
 * sends (frames, bytes, messages), and a count of connections per client
 * address.
 *
 * @module
 */

/**
 * A bucket of `perSecond` tokens refilled continuously, so a burst of up to
 * `capacity` (default: one second's worth) passes and a sustained flood
 * does not. Two numbers per bucket.
 */
export class TokenBucket {
  readonly #perSecond: number;
  readonly #capacity: number;
  #tokens: number;
  #at: number;

  /** A full bucket at time `now`; `perSecond` 0 means no limit. */
  constructor(perSecond: number, now: number, capacity = perSecond) {
    this.#perSecond = perSecond;
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#at = now;
  }

  /** Takes `count` tokens at `now`; false when the bucket ran dry. */
  take(count: number, now: number): boolean {
    const rate = this.#perSecond;
    if (rate <= 0) return true;
    const elapsed = now - this.#at;
    if (elapsed > 0) {
      this.#tokens = Math.min(
        this.#capacity,
        this.#tokens + (elapsed * rate) / 1000,
      );
      this.#at = now;
    }
    this.#tokens -= count;
    return this.#tokens >= 0;
  }
}

/** Which per-connection input limit was broken. */
export type InputLimit = "frames" | "bytes" | "messages";

/** The per-second input limits of a connection (0: no limit). */
export interface InputLimits {
  readonly framesPerSecond: number;
  readonly bytesPerSecond: number;
  readonly messagesPerSecond: number;
  /** The byte bucket always holds at least one message of this size. */
  readonly maxMessageSize: number;
}

/**
 * What one connection may send: frames and bytes are charged as each
 * frame arrives, before any decoding, so a flood of empty or tiny frames
 * (which complete no message) is caught as surely as a flood of messages.
 */
export class InputRate {
  readonly #frames: TokenBucket;
  readonly #bytes: TokenBucket;
  readonly #messages: TokenBucket;

  /** Full buckets at time `now`. */
  constructor(limits: InputLimits, now: number) {
    this.#frames = new TokenBucket(limits.framesPerSecond, now);
    this.#bytes = new TokenBucket(
      limits.bytesPerSecond,
      now,
      Math.max(limits.bytesPerSecond, limits.maxMessageSize),
    );
    this.#messages = new TokenBucket(limits.messagesPerSecond, now);
  }

  /** True when `limits` limit anything, so a connection needs a rate. */
  static needed(limits: InputLimits): boolean {
    return limits.framesPerSecond > 0 || limits.bytesPerSecond > 0 ||
      limits.messagesPerSecond > 0;
  }

  /** Charges one frame of `bytes`; the limit it broke, or null. */
  frame(bytes: number, now: number): InputLimit | null {
    if (!this.#frames.take(1, now)) return "frames";
    return this.#bytes.take(bytes, now) ? null : "bytes";
  }

  /** Charges `count` decoded messages; false when over the limit. */
  messages(count: number, now: number): boolean {
    return this.#messages.take(count, now);
  }
}

/** The Close error for a broken limit, naming it and its rate. */
export function rateLimitError(limit: InputLimit, limits: InputLimits): string {
  const perSecond = limits[`${limit}PerSecond` as const];
  return `Connection closed: more than ${perSecond} ${limit} per second.`;
}

/**
 * Connections per key: per client address, and per user. A slot is taken
 * when a connection is made (at negotiate, before any socket), so many
 * negotiates or upgrades in flight at once cannot pass the cap together.
 * The map holds only keys with at least one connection, so it is bounded
 * by the node's connection cap.
 */
export class SlotCounter {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  /** At most `max` per key; 0 means no limit (nothing is counted). */
  constructor(max: number) {
    this.#max = max;
  }

  /** Keys currently holding connections. */
  get size(): number {
    return this.#counts.size;
  }

  /** True when `key` holds no slot below the cap (no limit: false). */
  full(key: string): boolean {
    return this.#max > 0 && (this.#counts.get(key) ?? 0) >= this.#max;
  }

  /** Counts one more connection for `key`; false when it is at cap. */
  acquire(key: string): boolean {
    if (this.#max <= 0) return true;
    const n = this.#counts.get(key) ?? 0;
    if (n >= this.#max) return false;
    this.#counts.set(key, n + 1);
    return true;
  }

  /** Returns a connection's slot; idempotence is the caller's (once). */
  release(key: string): void {
    const n = this.#counts.get(key);
    if (n === undefined) return;
    if (n <= 1) this.#counts.delete(key);
    else this.#counts.set(key, n - 1);
  }
}
