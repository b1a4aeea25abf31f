/// <reference lib="deno.unstable" />
/**
 * The built-in user accounts, kept in Deno KV.
 *
 * Deno KV because the same code runs embedded locally (a SQLite file or
 * `:memory:`) and on Deno Deploy (one database per environment) with no
 * server to run. Only a salted PBKDF2 hash of each password is stored.
 *
 * @module
 */

import {
  DEFAULT_PBKDF2_ITERATIONS,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  storedIterations,
  verifyPassword,
} from "./password_hash.ts";
import { defaultAccountLimits } from "./account_limits.ts";
import { HashGate, ServerBusyError } from "./hash_gate.ts";

/** Usernames are also user ids and token subjects, so keep them plain. */
export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;
/** Shortest password accepted (NIST SP 800-63B's minimum). */
export const MIN_PASSWORD_LENGTH = 8;

/** A username and password that passed the shape checks. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Checks a parsed request body. Returns the credentials, or a message
 * saying what is wrong (for a 400 answer).
 */
export function parseCredentials(body: unknown): Credentials | string {
  if (typeof body !== "object" || body === null) {
    return "Expected a JSON object with username and password";
  }
  const { username, password } = body as Record<string, unknown>;
  if (typeof username !== "string" || typeof password !== "string") {
    return "Expected string fields username and password";
  }
  if (!USERNAME_PATTERN.test(username)) {
    return "Username must be 3 to 32 of a-z, 0-9, '_', '.', '-'";
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `Password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  }
  return { username, password };
}

/** Options of the account store; every field has a default. */
export interface AccountsOptions {
  /** PBKDF2 rounds for new hashes. Default 600,000 (OWASP). */
  iterations?: number;
  /**
   * Accounts the store will hold. Default 100,000: sign-up is open, so a
   * cap stops a script from filling the database; beyond it `create`
   * answers "full".
   */
  maxAccounts?: number;
  /**
   * Bounds the password hashes run at once. Default: one gate per store
   * with `defaultAccountLimits`' sizes. `create` and `verify` reject with
   * `ServerBusyError` when its queue is full.
   */
  hashGate?: HashGate;
}

/** Outcome of `Accounts.create`. */
export type CreateResult = "created" | "taken" | "full";

interface StoredUser {
  passwordHash: string;
  createdAt: number;
}

const USERS: Deno.KvKey = ["switchboard", "users"];
const COUNT: Deno.KvKey = ["switchboard", "user_count"];
/** Atomic commits retried this often when racing another sign-up. */
const COMMIT_ATTEMPTS = 16;

/** Users and their password hashes in one Deno KV database. */
export class Accounts {
  readonly #kv: Deno.Kv;
  readonly #iterations: number;
  readonly #maxAccounts: number;
  readonly #gate: HashGate;
  #dummyHash: Promise<string> | null = null;

  /** Uses `kv`, which the caller opens and closes. */
  constructor(kv: Deno.Kv, options: AccountsOptions = {}) {
    this.#kv = kv;
    this.#iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
    this.#maxAccounts = options.maxAccounts ?? 100_000;
    this.#gate = options.hashGate ?? new HashGate(
      defaultAccountLimits.maxConcurrentHashes,
      defaultAccountLimits.maxQueuedHashes,
    );
  }

  /**
   * Creates an account; "taken" if the username exists. Rejects with
   * `ServerBusyError` when too many hashes wait.
   */
  async create(credentials: Credentials): Promise<CreateResult> {
    const key = [...USERS, credentials.username];
    const user: StoredUser = {
      passwordHash: await this.#gate.run(() =>
        hashPassword(credentials.password, this.#iterations)
      ),
      createdAt: Date.now(),
    };
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      const [existing, count] = await this.#kv.getMany<[StoredUser, number]>([
        key,
        COUNT,
      ]);
      if (existing.value) return "taken";
      const total = count.value ?? 0;
      if (total >= this.#maxAccounts) return "full";
      // Checking both keys makes the name and the count change together,
      // so two racing sign-ups can neither share a name nor pass the cap.
      const result = await this.#kv.atomic()
        .check(existing, count)
        .set(key, user)
        .set(COUNT, total + 1)
        .commit();
      if (result.ok) return "created";
    }
    throw new Error("Account store too contended");
  }

  /**
   * True when the username exists and the password matches. A missing
   * user still costs one hash, so timing does not reveal which names
   * exist. Rejects with `ServerBusyError` when too many hashes wait.
   */
  async verify(credentials: Credentials): Promise<boolean> {
    const key = [...USERS, credentials.username];
    const entry = await this.#kv.get<StoredUser>(key);
    const stored = entry.value?.passwordHash ?? await this.#dummy();
    const matches = await this.#gate.run(() =>
      verifyPassword(credentials.password, stored)
    );
    if (!entry.value || !matches) return false;
    if (storedIterations(stored) !== this.#iterations) {
      await this.#rehash(
        entry as Deno.KvEntry<StoredUser>,
        credentials.password,
      )
        // Busy: the upgrade waits for a later sign-in.
        .catch((error) => {
          if (!(error instanceof ServerBusyError)) throw error;
        });
    }
    return true;
  }

  /** True when an account with this name exists. */
  async exists(username: string): Promise<boolean> {
    return (await this.#kv.get([...USERS, username])).value !== null;
  }

  /** Upgrades an old hash to the current iteration count on sign-in. */
  async #rehash(
    entry: Deno.KvEntry<StoredUser>,
    password: string,
  ): Promise<void> {
    const passwordHash = await this.#gate.run(() =>
      hashPassword(password, this.#iterations)
    );
    // A lost race just means another sign-in already rehashed it.
    await this.#kv.atomic().check(entry)
      .set(entry.key, { ...entry.value, passwordHash })
      .commit();
  }

  /** Made once per store, so it is left outside the gate. */
  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword(crypto.randomUUID(), this.#iterations);
    return this.#dummyHash;
  }
}
