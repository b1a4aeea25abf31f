/**
 * Token-bucket rate limits for sign-up and sign-in, per address and per
 * username, in bounded in-memory maps.
 *
 * In memory (not KV) because a limit check runs before every password
 * hash and must cost nothing; each process limits on its own, which still
 * bounds an attacker to N× the rate with N processes.
 *
 * @module
 */

import { type BucketOptions, defaultAccountLimits } from "./account_limits.ts";
import { definedFields } from "../hub/defined_fields.ts";

export type { BucketOptions };

/** Options of a limiter. */
export interface RateLimiterOptions extends BucketOptions {
  /**
   * Keys tracked at most. Default 10,000 (about 1 MB). On overflow the
   * least recently used key is forgotten, which only resets that key's
   * limit: memory stays bounded, and a flood of new keys cannot lock
   * anyone out.
   */
  readonly maxKeys?: number;
  /** Clock in ms, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A keyed token bucket with a bounded, LRU-evicted key map. */
export class RateLimiter {
  readonly #options: Required<RateLimiterOptions>;
  readonly #buckets = new Map<string, Bucket>();

  /** A limiter allowing `capacity` at once and one more per `refillMs`. */
  constructor(options: RateLimiterOptions) {
    if (options.capacity < 1 || options.refillMs <= 0) {
      throw new RangeError("Capacity must be ≥ 1 and refillMs > 0");
    }
    this.#options = { maxKeys: 10_000, now: Date.now, ...options };
  }

  /** Keys tracked now (never above `maxKeys`). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Spends one attempt of `key`; false when none is left. */
  take(key: string): boolean {
    const bucket = this.#refill(key);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Returns one attempt to `key` (never above capacity): the attempt was
   * spent up front and turned out not to count.
   */
  giveBack(key: string): void {
    const bucket = this.#refill(key);
    bucket.tokens = Math.min(this.#options.capacity, bucket.tokens + 1);
  }

  /** True when `key` has an attempt left, without spending it. */
  allows(key: string): boolean {
    return this.#refill(key).tokens >= 1;
  }

  /** Whole seconds until `key` has an attempt again (0 if it has one). */
  retryAfterSeconds(key: string): number {
    const bucket = this.#refill(key);
    if (bucket.tokens >= 1) return 0;
    return Math.ceil(((1 - bucket.tokens) * this.#options.refillMs) / 1000);
  }

  #refill(key: string): Bucket {
    const now = this.#options.now();
    const { capacity, refillMs, maxKeys } = this.#options;
    let bucket = this.#buckets.get(key);
    if (bucket) {
      const earned = (now - bucket.updatedAt) / refillMs;
      bucket.tokens = Math.min(capacity, bucket.tokens + Math.max(0, earned));
      bucket.updatedAt = now;
      this.#buckets.delete(key); // re-insert below: Map order is LRU order
    } else {
      bucket = { tokens: capacity, updatedAt: now };
      if (this.#buckets.size >= maxKeys) {
        const oldest = this.#buckets.keys().next().value;
        if (oldest !== undefined) this.#buckets.delete(oldest);
      }
    }
    this.#buckets.set(key, bucket);
    return bucket;
  }
}

/** Limits of `LoginThrottle`; each part has a default. */
export interface LoginThrottleOptions {
  /**
   * Requests per client address, sign-up and sign-in alike. Default
   * `defaultAccountLimits.perAddress`.
   */
  readonly perAddress?: BucketOptions;
  /**
   * Password checks per username, whatever the address. Default
   * `defaultAccountLimits.perUsername`.
   */
  readonly perUsername?: BucketOptions;
  /** Keys per map. Default 10,000; see `RateLimiterOptions.maxKeys`. */
  readonly maxKeys?: number;
  /** Clock in ms, for tests. */
  readonly now?: () => number;
}

/**
 * Throttles password guessing. Both attempts are spent before the password
 * is hashed: a check before the ~100 ms hash with the spending after it
 * would let every request that arrives during the hash pass the same
 * check, so concurrency would multiply the budget. A right password gives
 * the username's attempt back, so the owner signing in often never locks
 * themselves out.
 */
export class LoginThrottle {
  readonly #byAddress: RateLimiter;
  readonly #byUsername: RateLimiter;

  /** A throttle with the given (or default) limits. */
  constructor(options: LoginThrottleOptions = {}) {
    const common = { maxKeys: options.maxKeys, now: options.now };
    this.#byAddress = new RateLimiter({
      ...(options.perAddress ?? defaultAccountLimits.perAddress),
      ...definedFields(common),
    });
    this.#byUsername = new RateLimiter({
      ...(options.perUsername ?? defaultAccountLimits.perUsername),
      ...definedFields(common),
    });
  }

  /**
   * Spends one attempt of `address` and, for a sign-in, one of `username`.
   * Returns 0 when the request may go ahead, else the seconds to wait (for
   * `Retry-After`); a refused request has spent its address's attempt.
   */
  attempt(address: string, username?: string): number {
    if (!this.#byAddress.take(address)) {
      return this.#byAddress.retryAfterSeconds(address);
    }
    if (username !== undefined && !this.#byUsername.take(username)) {
      return this.#byUsername.retryAfterSeconds(username);
    }
    return 0;
  }

  /**
   * The password was right, or was never checked (server busy): the
   * username's attempt does not count.
   */
  giveBack(username: string): void {
    this.#byUsername.giveBack(username);
  }
}
