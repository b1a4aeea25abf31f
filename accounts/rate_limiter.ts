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

/** One bucket's shape. */
export interface BucketOptions {
  /** Attempts allowed in a burst. */
  readonly capacity: number;
  /** One attempt comes back every this many ms. */
  readonly refillMs: number;
}

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
   * Requests per client address (sign-up and sign-in alike). Default a
   * burst of 30, then one per 2 s: a person never notices, a password
   * guesser gets 1,800 tries an hour per address instead of millions.
   */
  readonly perAddress?: BucketOptions;
  /**
   * Failed sign-ins per username, whatever the address. Default a burst of
   * 10, then one per 30 s, so a botnet spreading guesses over many
   * addresses still gets only ~120 per account an hour.
   */
  readonly perUsername?: BucketOptions;
  /** Keys per map. Default 10,000; see `RateLimiterOptions.maxKeys`. */
  readonly maxKeys?: number;
  /** Clock in ms, for tests. */
  readonly now?: () => number;
}

/** The default limits, exported so docs and tests quote one source. */
export const defaultLoginLimits = {
  perAddress: { capacity: 30, refillMs: 2_000 },
  perUsername: { capacity: 10, refillMs: 30_000 },
} as const;

/**
 * Throttles password guessing. Every attempt spends from its address;
 * only failures spend from the username, so the owner signing in often
 * never locks themselves out.
 */
export class LoginThrottle {
  readonly #byAddress: RateLimiter;
  readonly #byUsername: RateLimiter;

  /** A throttle with the given (or default) limits. */
  constructor(options: LoginThrottleOptions = {}) {
    const common = { maxKeys: options.maxKeys, now: options.now };
    this.#byAddress = new RateLimiter({
      ...(options.perAddress ?? defaultLoginLimits.perAddress),
      ...dropUndefined(common),
    });
    this.#byUsername = new RateLimiter({
      ...(options.perUsername ?? defaultLoginLimits.perUsername),
      ...dropUndefined(common),
    });
  }

  /**
   * Records an attempt; returns 0 when it may go ahead, else the seconds
   * to wait (for `Retry-After`).
   */
  attempt(address: string, username?: string): number {
    if (!this.#byAddress.take(address)) {
      return this.#byAddress.retryAfterSeconds(address);
    }
    if (username !== undefined && !this.#byUsername.allows(username)) {
      return this.#byUsername.retryAfterSeconds(username);
    }
    return 0;
  }

  /** Records a wrong password for `username`. */
  failed(username: string): void {
    this.#byUsername.take(username);
  }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
