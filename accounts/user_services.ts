/// <reference lib="deno.unstable" />
/**
 * Sets up who-is-who for one server from its environment: either the
 * built-in accounts (KV store, token issuer, login throttle) or a foreign
 * identity provider's JWKS, plus the hub's `authenticate` for either.
 *
 * Environment:
 * - `JWT_SECRET`: HS256 secret of built-in tokens (default: generated once,
 *   kept in KV).
 * - `JWKS_URL`, `JWT_ISSUER`, `JWT_AUDIENCE`: verify tokens from your own
 *   provider instead; the built-in account routes then answer 404.
 * - `KV_PATH`: Deno KV location (`:memory:`, a file); default
 *   `Deno.openKv()`'s own: the project database on Deno Deploy, a file in
 *   Deno's cache dir locally, needing no extra permission.
 * - `PBKDF2_ITERATIONS`: password hashing cost (default 600,000).
 * - Sign-in limits (`LOGIN_LIMIT_PER_ADDRESS`, ...): see
 *   `accountLimitsFromEnv`.
 *
 * @module
 */

import { jwtAuthenticator } from "../hub/auth.ts";
import type { Logger } from "../hub/logger.ts";
import type { Authenticate } from "../hub/options.ts";
import { Accounts } from "./accounts.ts";
import { type AccountLimits, accountLimitsFromEnv } from "./account_limits.ts";
import { HashGate } from "./hash_gate.ts";
import { LoginThrottle } from "./rate_limiter.ts";
import { SESSION_COOKIE } from "./session_cookie.ts";
import {
  BUILTIN_AUDIENCE,
  BUILTIN_ISSUER,
  TokenIssuer,
} from "./token_issuer.ts";

/** The built-in accounts, when no foreign provider is configured. */
export interface BuiltinAccounts {
  readonly accounts: Accounts;
  readonly tokens: TokenIssuer;
  readonly throttle: LoginThrottle;
  /** The limits the routes enforce (body size and time). */
  readonly limits: AccountLimits;
}

/** Identity services of one running server. */
export interface UserServices {
  /** For `HubOptions.authenticate` and for routes asking "who is this?". */
  readonly authenticate: Authenticate;
  /** Null when tokens come from a foreign provider (`JWKS_URL`). */
  readonly builtin: BuiltinAccounts | null;
  /**
   * Lifetime of the sign-in cookie's token. Default 8 h: a working day on
   * the page; the hub closes the connection when it runs out.
   */
  readonly sessionTtlSeconds: number;
  /** Closes the KV database if these services opened it. */
  close(): void;
}

/** Options; anything left out is read from `env`, then defaulted. */
export interface UserServicesOptions {
  /** Environment variables. Default: none (everything defaulted). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides `KV_PATH`. */
  readonly kvPath?: string;
  /** An open database to use (and not close). Overrides any path. */
  readonly kv?: Deno.Kv;
  /** Overrides `PBKDF2_ITERATIONS`. */
  readonly pbkdf2Iterations?: number;
  /** Access token lifetime for `POST /api/token`. Default 3,600 s. */
  readonly tokenTtlSeconds?: number;
  /** See `UserServices.sessionTtlSeconds`. */
  readonly sessionTtlSeconds?: number;
  /** The account API's limits. Default: read from `env`. */
  readonly limits?: AccountLimits;
  /** Where refused tokens are logged (reasons only). */
  readonly logger?: Logger;
}

/** Opens the identity services described by `options` and `env`. */
export async function openUserServices(
  options: UserServicesOptions = {},
): Promise<UserServices> {
  const env = options.env ?? {};
  // Read before anything opens, so a bad value leaks nothing.
  const limits = options.limits ?? accountLimitsFromEnv(env);
  const sessionTtlSeconds = options.sessionTtlSeconds ?? 8 * 3600;
  if (env.JWKS_URL) {
    const authenticate = jwtAuthenticator({
      jwksUrl: env.JWKS_URL,
      issuer: env.JWT_ISSUER || undefined,
      audience: env.JWT_AUDIENCE || undefined,
      cookieName: SESSION_COOKIE,
      logger: options.logger,
    });
    return { authenticate, builtin: null, sessionTtlSeconds, close() {} };
  }
  const path = options.kvPath ?? (env.KV_PATH || undefined);
  const kv = options.kv ?? await Deno.openKv(path);
  const ownsKv = options.kv === undefined;
  try {
    const tokens = await TokenIssuer.open(kv, {
      secret: env.JWT_SECRET || undefined,
      ttlSeconds: options.tokenTtlSeconds,
    });
    const iterations = options.pbkdf2Iterations ??
      positiveInt(env.PBKDF2_ITERATIONS, "PBKDF2_ITERATIONS");
    const hashGate = new HashGate(
      limits.maxConcurrentHashes,
      limits.maxQueuedHashes,
    );
    const builtin: BuiltinAccounts = {
      accounts: new Accounts(kv, { iterations, hashGate }),
      tokens,
      throttle: new LoginThrottle(limits),
      limits,
    };
    const authenticate = jwtAuthenticator({
      secret: tokens.secret,
      issuer: BUILTIN_ISSUER,
      audience: BUILTIN_AUDIENCE,
      cookieName: SESSION_COOKIE,
      logger: options.logger,
    });
    const close = () => {
      if (ownsKv) kv.close();
    };
    return { authenticate, builtin, sessionTtlSeconds, close };
  } catch (error) {
    if (ownsKv) kv.close();
    throw error;
  }
}

function positiveInt(text: string | undefined, name: string) {
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive whole number`);
  }
  return value;
}
