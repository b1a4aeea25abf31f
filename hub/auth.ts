/**
 * JWT authentication for a hub: finds a token on the request, verifies it
 * with `jose` (an HS256 secret or a remote JWKS), and turns it into a
 * `Principal` whose user id is the token's `sub`.
 *
 * Where the token may come from, in this order:
 * 1. `Authorization: Bearer <token>` (non-browser clients, negotiate),
 * 2. `?access_token=<token>` (browsers cannot set headers on WebSocket or
 *    EventSource, so the SignalR client puts it in the query),
 * 3. a named cookie (the app's own signed-in page).
 *
 * No token means anonymous (`null`); a header or query token that fails
 * verification in any way means 401 (`false`) — never a silent fall back
 * to anonymous, so a client notices its token went bad. A bad *cookie* is
 * different: the browser sends it to every request of the page, so a stale
 * one (secret rotated, server reset) would otherwise lock the page out of
 * the hub altogether; it counts as anonymous, which grants nothing.
 *
 * @module
 */

import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import type { Authenticate, Principal } from "./options.ts";
import type { Logger } from "./logger.ts";

/** Options of `jwtAuthenticator`; exactly one of `secret` or `jwksUrl`. */
export interface JwtAuthOptions {
  /** HS256 key (a string is UTF-8 encoded; at least 32 bytes). */
  secret?: Uint8Array | string;
  /** URL of the identity provider's JSON Web Key Set. */
  jwksUrl?: string | URL;
  /** Required `iss`. Default: not checked. */
  issuer?: string | string[];
  /** Required `aud` (one of). Default: not checked. */
  audience?: string | string[];
  /**
   * Accepted `alg` values. Default `["HS256"]` with a secret, the common
   * asymmetric ones with a JWKS; pinning them stops algorithm-confusion
   * tricks such as a token signed with the public key as an HMAC secret.
   */
  algorithms?: string[];
  /** Cookie holding a token. Default: cookies are not read. */
  cookieName?: string;
  /** Query parameter holding a token. Default `access_token`, as SignalR. */
  queryParam?: string;
  /** Clock skew allowed on `exp`/`nbf`, in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /**
   * Refuse tokens without `exp`. Default true: the hub closes a connection
   * when its token expires, and a token that never expires would keep a
   * stolen session alive forever.
   */
  requireExpiry?: boolean;
  /** JWKS fetch timeout in ms. Default 5,000 (jose's own default). */
  jwksTimeoutMs?: number;
  /** Where refusals are logged (reason only, never the token). */
  logger?: Logger;
}

/**
 * Longest token read, in characters; bigger is refused unparsed. Fixed, not
 * an option: real JWTs are a fraction of it, and it only stops waste.
 */
export const MAX_TOKEN_LENGTH = 8192;
/**
 * Longest `sub` accepted: it becomes a key in the hub's user index. Fixed,
 * not an option: no identity provider issues longer ids.
 */
export const MAX_USER_ID_LENGTH = 256;

const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/**
 * Builds an `Authenticate` for `HubOptions.authenticate`.
 *
 * @example
 * ```ts
 * const authenticate = jwtAuthenticator({
 *   jwksUrl: "https://id.example.com/.well-known/jwks.json",
 *   issuer: "https://id.example.com/",
 *   audience: "switchboard",
 * });
 * new HubServer(hub, { path: "/chart", authenticate });
 * ```
 */
export function jwtAuthenticator(options: JwtAuthOptions): Authenticate {
  const key = verificationKey(options);
  const algorithms = options.algorithms ??
    (options.secret !== undefined ? ["HS256"] : ASYMMETRIC_ALGORITHMS);
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds ?? 5,
    requiredClaims: (options.requireExpiry ?? true) ? ["sub", "exp"] : ["sub"],
  };
  return async (request) => {
    const found = findToken(request, options);
    if (found === null) return null;
    if ("malformed" in found) {
      return refuse(options, "malformed", found.malformed);
    }
    const { token, source } = found;
    if (token.length > MAX_TOKEN_LENGTH) {
      return refuse(options, "too_long", source);
    }
    try {
      // The overloads of jwtVerify differ for a key and a key resolver.
      const { payload } = typeof key === "function"
        ? await jwtVerify(token, key, verifyOptions)
        : await jwtVerify(token, key, verifyOptions);
      return principalOf(payload) ?? refuse(options, "bad_subject", source);
    } catch (error) {
      return refuse(options, reasonOf(error), source);
    }
  };
}

/**
 * The token a request carries, or null. Header first, then query, then
 * cookie; an empty value counts as absent (the SignalR client sends none
 * when its token factory returns ""). A malformed bearer header or an
 * ambiguous query (see `findToken`) gives null here too.
 */
export function tokenFromRequest(
  request: Request,
  options: Pick<JwtAuthOptions, "cookieName" | "queryParam"> = {},
): string | null {
  const found = findToken(request, options);
  return found !== null && "token" in found ? found.token : null;
}

type TokenSource = "header" | "query" | "cookie";

/** A token and where it came from, or a source that was malformed. */
type FoundToken =
  | { token: string; source: TokenSource }
  | { malformed: TokenSource };

/**
 * Where the request's token is. A `Bearer` header that is not one token
 * (`Bearer a b`, two headers joined by a comma) is malformed, not absent:
 * falling through to the query or a cookie, or to anonymous, would let a
 * garbled header stand for someone else. Other schemes (`Basic`) are not
 * ours and are passed over, as ASP.NET's bearer handler does. A query
 * naming the token key twice is malformed too, whichever value comes first.
 */
function findToken(
  request: Request,
  options: Pick<JwtAuthOptions, "cookieName" | "queryParam">,
): FoundToken | null {
  const header = request.headers.get("authorization");
  if (header !== null && /^bearer(?:\s|$)/i.test(header)) {
    const token = header.slice(6).trim();
    if (/[\s,]/.test(token)) return { malformed: "header" };
    if (token !== "") return { token, source: "header" };
  }
  const query = queryToken(request.url, options.queryParam ?? "access_token");
  if (query === AMBIGUOUS) return { malformed: "query" };
  if (query) return { token: query, source: "query" };
  if (options.cookieName === undefined) return null;
  const cookie = readCookie(request.headers.get("cookie"), options.cookieName);
  return cookie === null ? null : { token: cookie, source: "cookie" };
}

const AMBIGUOUS = Symbol("ambiguous");

/**
 * The query value `name` of `href` (the key in any letter case, as
 * ASP.NET reads query keys), null, or AMBIGUOUS when the key is given more
 * than once. Most requests carry no token in their query, so a query that
 * neither names the key nor has an escape (through which a key can be
 * spelt another way: `%`, `+`) is not parsed: every negotiate and every
 * transport request asks.
 */
function queryToken(
  href: string,
  name: string,
): string | null | typeof AMBIGUOUS {
  const at = href.indexOf("?");
  if (at < 0) return null;
  const search = href.slice(at + 1);
  const key = name.toLowerCase();
  if (!/[%+]/.test(search) && !search.toLowerCase().includes(key)) {
    return null;
  }
  let value: string | null = null;
  for (const [k, v] of new URLSearchParams(search)) {
    if (k.toLowerCase() !== key) continue;
    if (value !== null) return AMBIGUOUS;
    value = v;
  }
  return value;
}

/** The value of cookie `name` in a `Cookie` header, or null. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value === "" ? null : value;
  }
  return null;
}

type VerificationKey = Uint8Array | ReturnType<typeof createRemoteJWKSet>;

function verificationKey(options: JwtAuthOptions): VerificationKey {
  const { secret, jwksUrl } = options;
  if ((secret === undefined) === (jwksUrl === undefined)) {
    throw new TypeError("Give exactly one of secret or jwksUrl");
  }
  if (jwksUrl !== undefined) {
    return createRemoteJWKSet(new URL(jwksUrl), {
      timeoutDuration: options.jwksTimeoutMs ?? 5000,
    });
  }
  const bytes = typeof secret === "string"
    ? new TextEncoder().encode(secret)
    : secret ?? new Uint8Array(0); // one of the two is set (checked above)
  if (bytes.length < 32) {
    throw new RangeError("An HS256 secret must be at least 32 bytes");
  }
  return bytes;
}

function principalOf(payload: JWTPayload): Principal | null {
  const sub = payload.sub;
  if (
    typeof sub !== "string" || sub === "" || sub.length > MAX_USER_ID_LENGTH
  ) {
    return null;
  }
  return {
    userId: sub,
    claims: payload as Record<string, unknown>,
    expiresAt: typeof payload.exp === "number" ? payload.exp * 1000 : undefined,
  };
}

/** A short, secret-free reason for the log. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "bad_signature";
  }
  if (error instanceof errors.JOSEError) return error.code;
  return "unverifiable";
}

/** Refuses a bad header or query token; ignores a bad cookie (see top). */
function refuse(
  options: JwtAuthOptions,
  reason: string,
  source: TokenSource,
): false | null {
  options.logger?.log("info", "auth.refused", { reason, source });
  return source === "cookie" ? null : false;
}
