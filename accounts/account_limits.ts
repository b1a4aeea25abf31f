/**
 * Every limit of the account API in one place, with its default and why,
 * and how each is read from the environment.
 *
 * Sign-up and sign-in are the only requests an anonymous client can make
 * that cost real CPU (a password hash, ~100 ms at the default cost), so
 * each of these bounds one way of turning that cost against the server.
 *
 * @module
 */

/** One token bucket: a burst, then one attempt back per period. */
export interface BucketOptions {
  /** Attempts allowed in a burst. */
  readonly capacity: number;
  /** One attempt comes back every this many ms. */
  readonly refillMs: number;
}

/** The account API's limits; see `defaultAccountLimits` for each reason. */
export interface AccountLimits {
  /** Largest request body read, in bytes; more is answered 413. */
  readonly maxBodyBytes: number;
  /** Time allowed to receive a request body, in ms; then 408. */
  readonly bodyTimeoutMs: number;
  /** Password hashes computed at once. */
  readonly maxConcurrentHashes: number;
  /** Requests waiting for a hash slot; more are answered 503. */
  readonly maxQueuedHashes: number;
  /** Sign-up and sign-in requests per client address. */
  readonly perAddress: BucketOptions;
  /** Password checks per username, whatever the address. */
  readonly perUsername: BucketOptions;
}

/** The defaults, exported so docs and tests quote one source. */
export const defaultAccountLimits: AccountLimits = {
  // A username and a password at their caps fit many times over; anything
  // bigger is refused before it is buffered.
  maxBodyBytes: 4096,
  // A person's browser sends 4 KiB in well under a second even on a bad
  // link; a client trickling a body holds a request open no longer.
  bodyTimeoutMs: 10_000,
  // Each hash is CPU-bound on a worker thread: a few at once keep sign-in
  // fast for people while a flood cannot take every core from the hub.
  maxConcurrentHashes: 4,
  // The queue drains in about (32 / 4) × 100 ms < 1 s; a deeper backlog
  // only means answers too late to be useful, so it is refused at once.
  maxQueuedHashes: 32,
  // A person never notices 30 at once then one per 2 s; a guesser gets
  // 1,800 tries an hour per address instead of millions.
  perAddress: { capacity: 30, refillMs: 2_000 },
  // Spent before the hash and given back on success, so a botnet spreading
  // guesses over many addresses still gets 10 at once, then one per 30 s
  // (~130 an hour per account), however many requests it sends at once.
  perUsername: { capacity: 10, refillMs: 30_000 },
};

/**
 * Reads overrides from the environment:
 * - `LOGIN_LIMIT_PER_ADDRESS`, `LOGIN_LIMIT_PER_USERNAME`:
 *   `<burst>/<seconds per attempt back>`, e.g. `30/2` (behind a reverse
 *   proxy every client shares its address: raise the first).
 * - `MAX_CONCURRENT_HASHES`, `MAX_QUEUED_HASHES`: whole numbers.
 * - `API_BODY_TIMEOUT_MS`: whole number of ms.
 *
 * Throws a `RangeError` naming the variable when a value is malformed.
 */
export function accountLimitsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): AccountLimits {
  const d = defaultAccountLimits;
  return {
    maxBodyBytes: d.maxBodyBytes,
    bodyTimeoutMs: count(env, "API_BODY_TIMEOUT_MS") ?? d.bodyTimeoutMs,
    maxConcurrentHashes: count(env, "MAX_CONCURRENT_HASHES") ??
      d.maxConcurrentHashes,
    maxQueuedHashes: count(env, "MAX_QUEUED_HASHES", 0) ?? d.maxQueuedHashes,
    perAddress: bucket(env, "LOGIN_LIMIT_PER_ADDRESS") ?? d.perAddress,
    perUsername: bucket(env, "LOGIN_LIMIT_PER_USERNAME") ?? d.perUsername,
  };
}

function count(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  min = 1,
): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `${name} must be a whole number of at least ${min}, got '${text}'`,
    );
  }
  return value;
}

function bucket(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): BucketOptions | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(text.trim());
  const capacity = Number(match?.[1]);
  const seconds = Number(match?.[2]);
  if (!match || capacity < 1 || !(seconds > 0)) {
    throw new RangeError(
      `${name} must be <burst>/<seconds per attempt>, e.g. 10/30, got '${text}'`,
    );
  }
  return { capacity, refillMs: seconds * 1000 };
}
