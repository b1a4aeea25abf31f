/// <reference lib="deno.unstable" />
/**
 * Issues the app's own access tokens: HS256 JWTs whose `sub` is the
 * username, so the hub's user id is the account name.
 *
 * The signing secret comes from `JWT_SECRET`, or is generated once and
 * kept in Deno KV, so `deno task start` needs no setup and every process
 * sharing the database (or Deno Deploy's instances) agrees on it.
 *
 * @module
 */

import { SignJWT } from "jose";

/** Issuer and audience of built-in tokens; the verifier checks both. */
export const BUILTIN_ISSUER = "switchboard";
/** See `BUILTIN_ISSUER`. */
export const BUILTIN_AUDIENCE = "switchboard";
/** HS256 wants a key at least as long as its 256-bit output (RFC 7518). */
export const MIN_SECRET_BYTES = 32;

/** The body of a successful `POST /api/token`. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
}

/** Options of the issuer; every field has a default. */
export interface TokenIssuerOptions {
  /**
   * The HS256 secret (UTF-8, at least 32 bytes). Default: a random one
   * generated on first start and kept in KV.
   */
  secret?: string;
  /**
   * Token lifetime in seconds. Default 3,600: short enough that a leaked
   * token soon dies (there is no revocation list), long enough that a page
   * is not cut off mid-session often.
   */
  ttlSeconds?: number;
}

const SECRET_KEY: Deno.KvKey = ["switchboard", "jwt_secret"];

/** Signs access tokens for the built-in accounts. */
export class TokenIssuer {
  /** The HS256 key; the hub's verifier uses the same bytes. */
  readonly secret: Uint8Array;
  /** Default lifetime of issued tokens, in seconds. */
  readonly ttlSeconds: number;

  private constructor(secret: Uint8Array, ttlSeconds: number) {
    this.secret = secret;
    this.ttlSeconds = ttlSeconds;
  }

  /** Loads or creates the signing secret, then returns an issuer. */
  static async open(
    kv: Deno.Kv,
    options: TokenIssuerOptions = {},
  ): Promise<TokenIssuer> {
    const ttl = options.ttlSeconds ?? 3600;
    if (!Number.isInteger(ttl) || ttl < 1) {
      throw new RangeError("Token lifetime must be a positive whole number");
    }
    const secret = options.secret === undefined
      ? await loadOrCreateSecret(kv)
      : new TextEncoder().encode(options.secret);
    if (secret.length < MIN_SECRET_BYTES) {
      throw new RangeError(
        `JWT secret must be at least ${MIN_SECRET_BYTES} bytes`,
      );
    }
    return new TokenIssuer(secret, ttl);
  }

  /** A signed token for `username`, valid for `ttlSeconds`. */
  async issue(
    username: string,
    ttlSeconds: number = this.ttlSeconds,
  ): Promise<TokenResponse> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(username)
      .setIssuer(BUILTIN_ISSUER)
      .setAudience(BUILTIN_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(this.secret);
    return {
      access_token: token,
      token_type: "Bearer",
      expires_in: ttlSeconds,
    };
  }
}

/**
 * Reads the stored secret or stores a new one. The atomic check means two
 * processes starting at once end up with the same secret: the loser of the
 * race reads the winner's.
 */
async function loadOrCreateSecret(kv: Deno.Kv): Promise<Uint8Array> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const entry = await kv.get<Uint8Array>(SECRET_KEY).catch((cause) => {
      // Seen when a newer Deno wrote the database (V8 serialization moves
      // on): say what to do instead of "could not deserialize value".
      throw new Error(
        "Cannot read the JWT secret from Deno KV; was it written by a newer Deno? Set KV_PATH to a fresh database or set JWT_SECRET",
        { cause },
      );
    });
    if (entry.value) return entry.value;
    const fresh = crypto.getRandomValues(new Uint8Array(MIN_SECRET_BYTES));
    const result = await kv.atomic().check(entry).set(SECRET_KEY, fresh)
      .commit();
    if (result.ok) return fresh;
  }
  throw new Error("Could not load or store the JWT secret");
}
