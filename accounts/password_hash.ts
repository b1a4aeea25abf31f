/**
 * Password hashing with PBKDF2-SHA256 through Web Crypto.
 *
 * PBKDF2 because Web Crypto has it on every runtime we target (Deno, Deno
 * Deploy) with no native addon; a random salt per password so equal
 * passwords hash differently; the iteration count is stored with the hash
 * so it can be raised later without breaking existing accounts.
 *
 * Stored form: `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`.
 *
 * @module
 */

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256 (about 75 ms here). */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;

/**
 * Refuse counts above this when reading a stored hash: a tampered record
 * must not make one sign-in burn minutes of CPU.
 */
const MAX_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const SCHEME = "pbkdf2-sha256";

/**
 * Longest password accepted, in UTF-16 units. HMAC hashes a long key
 * once up front, so length costs little CPU, but a cap keeps request
 * bodies and stored records bounded.
 */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Hashes `password` with a fresh random salt.
 *
 * @example
 * ```ts
 * const stored = await hashPassword("correct horse", 600_000);
 * await verifyPassword("correct horse", stored); // true
 * ```
 */
export async function hashPassword(
  password: string,
  iterations: number = DEFAULT_PBKDF2_ITERATIONS,
): Promise<string> {
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError("Iterations must be a positive whole number");
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations);
  return [SCHEME, iterations, toBase64(salt), toBase64(hash)].join("$");
}

/**
 * Checks `password` against a stored hash in constant time. A malformed
 * stored value counts as a mismatch rather than an error, so a corrupt
 * record cannot be used to tell accounts apart.
 */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, parsed.iterations);
  return constantTimeEqual(actual, parsed.hash);
}

/** The iteration count a stored hash was made with, or 0 if malformed. */
export function storedIterations(stored: string): number {
  return parseStored(stored)?.iterations ?? 0;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

function parseStored(stored: string): ParsedHash | null {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== SCHEME) return null;
  const iterations = Number(parts[1]);
  if (
    !Number.isInteger(iterations) || iterations < 1 ||
    iterations > MAX_ITERATIONS
  ) return null;
  try {
    const salt = fromBase64(parts[2]);
    const hash = fromBase64(parts[3]);
    if (hash.length !== HASH_BITS / 8) return null;
    return { iterations, salt, hash };
  } catch {
    return null;
  }
}

async function derive(
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    HASH_BITS,
  );
  return new Uint8Array(bits);
}

/** Compares without an early exit so timing does not reveal the prefix. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}
